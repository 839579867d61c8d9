//! Numeric functions: abs ceil floor log max min parseint pow signum.
//! Integers stay integers where Terraform's exact arithmetic would give a
//! whole number. As in Terraform, `log` and `pow` compute in 64-bit floats,
//! so `log(0, 10)` is `-Inf` and `pow(10, 400)` is `+Inf`; only a result
//! that is not a number (`log(-1, 10)`) is refused.

use super::args::{as_f64, number_value, to_number};
use super::{Call, Function, row};
use crate::base::Value;
use crate::expr::error::ExprError;

/// This table's category, a heading of `skistack functions` and the README.
pub(super) const CATEGORY: &str = "numeric";

/// This category's rows of the function table.
pub(super) static ROWS: &[Function] = &[
    row(
        "abs",
        "abs(number)",
        "the absolute value of number",
        1,
        Some(1),
        abs,
    ),
    row(
        "ceil",
        "ceil(number)",
        "the smallest whole number greater than or equal to number",
        1,
        Some(1),
        ceil,
    ),
    row(
        "floor",
        "floor(number)",
        "the largest whole number less than or equal to number",
        1,
        Some(1),
        floor,
    ),
    row(
        "log",
        "log(number, base)",
        "the logarithm of number in base",
        2,
        Some(2),
        log,
    ),
    row(
        "max",
        "max(number, ...)",
        "the largest of the numbers",
        1,
        None,
        max,
    ),
    row(
        "min",
        "min(number, ...)",
        "the smallest of the numbers",
        1,
        None,
        min,
    ),
    row(
        "parseint",
        "parseint(string, base)",
        "the integer that string writes in base (2 to 62)",
        2,
        Some(2),
        parseint,
    ),
    row(
        "pow",
        "pow(base, exponent)",
        "base raised to the power exponent",
        2,
        Some(2),
        pow,
    ),
    row(
        "signum",
        "signum(number)",
        "the sign of number: -1, 0 or 1",
        1,
        Some(1),
        signum,
    ),
];

/// A float result, refused when it is not a number.
fn float_result(c: &Call<'_>, x: f64) -> Result<Value, ExprError> {
    if x.is_nan() {
        Err(c.call_err("the result is not a number"))
    } else {
        Ok(number_value(x))
    }
}

fn abs(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.num(0)? {
        Value::Int(i) => i
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| c.err(0, "integer overflow")),
        v => float_result(c, as_f64(&v).abs()),
    }
}

fn ceil(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.num(0)? {
        v @ Value::Int(_) => Ok(v),
        v => float_result(c, as_f64(&v).ceil()),
    }
}

fn floor(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.num(0)? {
        v @ Value::Int(_) => Ok(v),
        v => float_result(c, as_f64(&v).floor()),
    }
}

fn log(c: &Call<'_>) -> Result<Value, ExprError> {
    let (x, base) = (c.f64(0)?, c.f64(1)?);
    let out = x.ln() / base.ln();
    // Keep exact powers exact: ln(16)/ln(2) is 4 only up to rounding.
    let rounded = out.round();
    if (rounded - out).abs() < 1e-12 && base.powf(rounded) == x {
        return float_result(c, rounded);
    }
    float_result(c, out)
}

fn pow(c: &Call<'_>) -> Result<Value, ExprError> {
    if let (Value::Int(b), Value::Int(e)) = (c.num(0)?, c.num(1)?)
        && let Ok(e) = u32::try_from(e)
        && let Some(v) = b.checked_pow(e)
    {
        return Ok(Value::Int(v));
    }
    float_result(c, c.f64(0)?.powf(c.f64(1)?))
}

fn signum(c: &Call<'_>) -> Result<Value, ExprError> {
    let x = c.f64(0)?;
    Ok(Value::Int(if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }))
}

/// The numbers of `min`/`max`: the arguments, or the elements of a single
/// list argument, each converted to a number.
fn numbers(c: &Call<'_>) -> Result<Vec<Value>, ExprError> {
    let items: Vec<(&Value, usize)> = match c.args {
        [one] if matches!(one.value, Value::List(_)) => c.list(0)?.iter().map(|v| (v, 0)).collect(),
        args => args
            .iter()
            .enumerate()
            .map(|(i, a)| (&a.value, i))
            .collect(),
    };
    if items.is_empty() {
        return Err(c.err(0, "needs at least one number"));
    }
    items
        .into_iter()
        .map(|(v, i)| {
            to_number(v).ok_or_else(|| {
                let found = match v {
                    Value::String(s) => format!("the string {}", c.shown(s)),
                    Value::Null => "null".to_string(),
                    v => format!("a {}", v.kind()),
                };
                c.err(i, format!("expected numbers, got {found}"))
            })
        })
        .collect()
}

fn extreme(c: &Call<'_>, want_max: bool) -> Result<Value, ExprError> {
    let nums = numbers(c)?;
    let ints: Option<Vec<i64>> = nums
        .iter()
        .map(|v| match v {
            Value::Int(i) => Some(*i),
            _ => None,
        })
        .collect();
    if let Some(ints) = ints {
        let best = if want_max {
            ints.iter().max()
        } else {
            ints.iter().min()
        };
        // `numbers` never returns an empty list.
        return Ok(best.map_or(Value::Null, |i| Value::Int(*i)));
    }
    let floats = nums.iter().map(as_f64);
    let best = if want_max {
        floats.fold(f64::NEG_INFINITY, f64::max)
    } else {
        floats.fold(f64::INFINITY, f64::min)
    };
    Ok(Value::Float(best))
}

fn max(c: &Call<'_>) -> Result<Value, ExprError> {
    extreme(c, true)
}

fn min(c: &Call<'_>) -> Result<Value, ExprError> {
    extreme(c, false)
}

/// The value of digit `ch` in `base`, as Go's `big.Int.SetString` reads it:
/// letters are case-insensitive up to base 36; above, `a`–`z` are 10–35 and
/// `A`–`Z` 36–61.
fn digit(ch: char, base: u32) -> Option<u32> {
    let d = match ch {
        '0'..='9' => ch as u32 - '0' as u32,
        'a'..='z' => ch as u32 - 'a' as u32 + 10,
        'A'..='Z' if base <= 36 => ch as u32 - 'A' as u32 + 10,
        'A'..='Z' => ch as u32 - 'A' as u32 + 36,
        _ => return None,
    };
    (d < base).then_some(d)
}

fn parseint(c: &Call<'_>) -> Result<Value, ExprError> {
    let s = c.str(0)?;
    let base = c.int(1)?;
    let base = u32::try_from(base)
        .ok()
        .filter(|b| (2..=62).contains(b))
        .ok_or_else(|| {
            c.err(
                1,
                format!("base must be a whole number between 2 and 62, not {base}"),
            )
        })?;
    let bad = || {
        c.err(
            0,
            format!("cannot parse {} as a base {base} integer", c.shown(&s)),
        )
    };
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if digits.is_empty() {
        return Err(bad());
    }
    let mut n: i128 = 0;
    for ch in digits.chars() {
        let d = digit(ch, base).ok_or_else(bad)?;
        n = n
            .checked_mul(i128::from(base))
            .and_then(|n| n.checked_add(i128::from(d)))
            .filter(|n| *n <= i128::from(i64::MAX) + 1)
            .ok_or_else(|| c.err(0, format!("{} is too large for an integer", c.shown(&s))))?;
    }
    let n = if negative { -n } else { n };
    i64::try_from(n)
        .map(Value::Int)
        .map_err(|_| c.err(0, format!("{} is too large for an integer", c.shown(&s))))
}
