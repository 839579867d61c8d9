//! The operators and Terraform's automatic conversions between strings,
//! numbers and bools.
//!
//! Arithmetic and comparison convert their operands to numbers (`"5" + 1`
//! is 6), logic converts to bools (`"true"`), `==` compares without
//! converting. Integers stay integers while results are integral. As in
//! Terraform, `x / 0` is an infinity signed by its operands and `x % 0` is
//! `x`; `0 / 0` and `inf / inf` are errors (no value is NaN). A float that
//! overflows otherwise is an error: Terraform's numbers are arbitrary
//! precision, so an infinity there comes only from a division by zero or
//! from an infinite operand. An infinity may flow through expressions but
//! never into a property (`eval_template` refuses it). Unknown
//! operands give unknown results, secret operands taint the result, and no
//! error message shows a secret's value.

use super::ast::BinOp;
use super::error::ExprError;
use super::eval::taint;
use crate::base::{Span, Value};

/// A number as arithmetic sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(x) => x,
        }
    }

    fn value(self) -> Value {
        match self {
            Num::Int(i) => Value::Int(i),
            Num::Float(x) => Value::Float(x),
        }
    }
}

/// How a value is shown in a conversion error: secrets never are.
fn shown(v: &Value, secret: bool) -> String {
    match v {
        _ if secret => "a secret value".to_string(),
        Value::String(s) => format!("{s:?}"),
        other => format!("a {}", other.kind()),
    }
}

/// `v` converted to a number, as Terraform converts operands: numbers as
/// they are, strings holding a decimal number parsed. `Ok(None)` for unknown.
pub(crate) fn to_number(v: &Value, span: Span) -> Result<Option<Num>, ExprError> {
    let (inner, secret) = v.unwrap_secret();
    match inner {
        Value::Unknown => Ok(None),
        Value::Int(i) => Ok(Some(Num::Int(*i))),
        Value::Float(x) => Ok(Some(Num::Float(*x))),
        Value::String(s) => parse_number(s).map(Some).ok_or_else(|| {
            ExprError::new(
                format!("cannot convert {} to number", shown(inner, secret)),
                span,
            )
            .with_hint("a number is required here")
        }),
        Value::Null => Err(ExprError::new("a number is required, found null", span)),
        other => Err(ExprError::new(
            format!("a number is required, found a {}", other.kind()),
            span,
        )),
    }
}

/// A decimal number written as a string (`"5"`, `"-1.5"`, `"1e3"`).
pub(crate) fn parse_number(s: &str) -> Option<Num> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(Num::Int(i));
    }
    // Rust also parses "inf" and "NaN"; Terraform does not.
    let decimal = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    s.parse::<f64>()
        .ok()
        .filter(|x| decimal && x.is_finite())
        .map(Num::Float)
}

/// The bool a known value is or spells, as Terraform converts: bools as
/// they are, `"true"` and `"false"`; `None` for anything else.
pub(crate) fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// `v` converted to a bool ([`as_bool`]), or an error saying what it is.
/// `Ok(None)` for unknown.
pub(crate) fn to_bool(v: &Value, span: Span) -> Result<Option<bool>, ExprError> {
    let (inner, secret) = v.unwrap_secret();
    if let Some(b) = as_bool(inner) {
        return Ok(Some(b));
    }
    match inner {
        Value::Unknown => Ok(None),
        Value::String(_) => Err(ExprError::new(
            format!("cannot convert {} to bool", shown(inner, secret)),
            span,
        )
        .with_hint("a bool is required here: true or false")),
        Value::Null => Err(ExprError::new("a bool is required, found null", span)),
        other => Err(ExprError::new(
            format!("a bool is required, found a {}", other.kind()),
            span,
        )),
    }
}

/// A binary operator other than `&&` and `||` on evaluated operands.
/// `spans` are the left operand's, the right's and the whole expression's.
pub(crate) fn binary(
    op: BinOp,
    l: &Value,
    r: &Value,
    spans: (Span, Span, Span),
) -> Result<Value, ExprError> {
    let (lspan, rspan, span) = spans;
    let secret = l.contains_secret() || r.contains_secret();
    let out = match op {
        BinOp::Eq | BinOp::NotEq => match equals(l, r) {
            None => return Ok(Value::Unknown),
            Some(eq) => Value::Bool(eq == (op == BinOp::Eq)),
        },
        _ => {
            // Both sides convert (and report) before unknowns short-cut, as
            // in Terraform, so `unknown + "a"` is still an error.
            let a = to_number(l, lspan)?;
            let b = to_number(r, rspan)?;
            let (Some(a), Some(b)) = (a, b) else {
                return Ok(Value::Unknown);
            };
            match op {
                BinOp::Lt => Value::Bool(a.f64() < b.f64()),
                BinOp::Le => Value::Bool(a.f64() <= b.f64()),
                BinOp::Gt => Value::Bool(a.f64() > b.f64()),
                BinOp::Ge => Value::Bool(a.f64() >= b.f64()),
                _ => arithmetic(op, a, b, span, rspan)?.value(),
            }
        }
    };
    Ok(taint(out, secret))
}

fn arithmetic(op: BinOp, a: Num, b: Num, span: Span, rspan: Span) -> Result<Num, ExprError> {
    let sym = op.symbol();
    let zero = b.f64() == 0.0;
    if op == BinOp::Mod && zero {
        // Terraform: `x % 0` is `x`.
        return Ok(a);
    }
    if let (Num::Int(x), Num::Int(y)) = (a, b)
        && !zero
    {
        let v = match op {
            BinOp::Add => x.checked_add(y),
            BinOp::Sub => x.checked_sub(y),
            BinOp::Mul => x.checked_mul(y),
            // Integral quotients stay integers; others fall through to floats.
            BinOp::Div if y == -1 || x % y == 0 => x.checked_div(y),
            BinOp::Div => return Ok(Num::Float(x as f64 / y as f64)),
            // Truncated: the remainder has the dividend's sign, as in Terraform.
            _ => x.checked_rem(y).or(Some(0)),
        };
        return v.map(Num::Int).ok_or_else(|| {
            ExprError::new(format!("integer overflow in `{sym}`"), span)
                .with_hint("integers are 64-bit signed")
        });
    }
    float_arithmetic(op, a.f64(), b.f64(), span, rspan).map(Num::Float)
}

/// Float arithmetic with Terraform's infinities: see the module comment.
fn float_arithmetic(op: BinOp, x: f64, y: f64, span: Span, rspan: Span) -> Result<f64, ExprError> {
    let sym = op.symbol();
    let infinite_operand = x.is_infinite() || y.is_infinite();
    let v = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        // Terraform hands an infinite operand of `%` to multiplication.
        _ if infinite_operand => x * y,
        _ => x % y,
    };
    if v.is_nan() {
        let message = match op {
            BinOp::Div => "can't divide zero by zero or infinity by infinity",
            BinOp::Mul | BinOp::Mod => "can't multiply zero by infinity",
            _ => "can't subtract infinity from infinity",
        };
        let at = if op == BinOp::Div { rspan } else { span };
        return Err(ExprError::new(message, at));
    }
    let by_zero = op == BinOp::Div && y == 0.0;
    if v.is_infinite() && !by_zero && !infinite_operand {
        return Err(ExprError::new(format!("number overflow in `{sym}`"), span)
            .with_hint("numbers are 64-bit floats here, not arbitrary precision"));
    }
    Ok(v)
}

/// `a == b` without conversions (`1 == "1"` is false), numbers by value
/// (`1 == 1.0`), structures element-wise. `None` when an unknown decides.
pub(crate) fn equals(a: &Value, b: &Value) -> Option<bool> {
    let (a, _) = a.unwrap_secret();
    let (b, _) = b.unwrap_secret();
    match (a, b) {
        (Value::Unknown, _) | (_, Value::Unknown) => None,
        (Value::Int(x), Value::Int(y)) => Some(x == y),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            Some(as_f64(a) == as_f64(b))
        }
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            all_equal(x.values().zip(y.values()))
        }
        _ => Some(a == b),
    }
}

/// Whether every pair is equal: false as soon as one pair is known to
/// differ, unknown when none differs but one is unknown.
fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Option<bool> {
    let mut known = true;
    for (x, y) in pairs {
        match equals(x, y) {
            Some(false) => return Some(false),
            None => known = false,
            Some(true) => {}
        }
    }
    known.then_some(true)
}

/// A number value as a float (NaN for anything else).
pub(crate) fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(x) => *x,
        _ => f64::NAN,
    }
}

/// `-v`, converting to a number.
pub(crate) fn negate(v: &Value, span: Span, operand: Span) -> Result<Value, ExprError> {
    let (inner, secret) = v.unwrap_secret();
    let n = match inner {
        Value::Bool(_) | Value::List(_) | Value::Map(_) | Value::Null => {
            return Err(ExprError::new(
                format!("cannot negate a {}", inner.kind()),
                operand,
            ));
        }
        _ => to_number(inner, operand)?,
    };
    let out = match n {
        None => return Ok(Value::Unknown),
        Some(Num::Int(i)) => match i.checked_neg() {
            Some(n) => Value::Int(n),
            None => return Err(ExprError::new("integer overflow in `-`", span)),
        },
        Some(Num::Float(x)) => Value::Float(-x),
    };
    Ok(taint(out, secret))
}

/// `!v`, converting to a bool.
pub(crate) fn not(v: &Value, operand: Span) -> Result<Value, ExprError> {
    let secret = v.contains_secret();
    Ok(match to_bool(v, operand)? {
        None => Value::Unknown,
        Some(b) => taint(Value::Bool(!b), secret),
    })
}

/// `l && r` / `l || r` as HCL evaluates them: the right side is evaluated
/// (so a mistyped operand is still reported), but when the left side alone
/// decides (`false && ...`, `true || ...`), or the left is unknown, errors
/// in evaluating the right side are dropped; this is what lets
/// `x != null && x.a` guard `x.a`.
pub(crate) fn logical(
    op: BinOp,
    l: &Value,
    r: Result<Value, ExprError>,
    lspan: Span,
    rspan: Span,
) -> Result<Value, ExprError> {
    // The value that decides on its own: false for `&&`, true for `||`.
    let decisive = op == BinOp::Or;
    let a = to_bool(l, lspan)?;
    let (b, r_secret) = match &r {
        Ok(v) => (to_bool(v, rspan)?, v.contains_secret()),
        Err(_) => (None, false),
    };
    let secret = l.contains_secret() || r_secret;
    let out = match (a, b) {
        (Some(x), _) if x == decisive => Value::Bool(decisive),
        (_, Some(y)) if y == decisive => Value::Bool(decisive),
        (None, _) => Value::Unknown,
        (Some(_), _) => match r {
            Err(e) => return Err(e),
            Ok(_) => b.map_or(Value::Unknown, Value::Bool),
        },
    };
    Ok(taint(out, secret))
}
