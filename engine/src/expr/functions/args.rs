//! One call in progress and Terraform's automatic argument conversions:
//! a string parameter takes a number or a bool (`upper(5)` is `"5"`), a
//! number parameter takes a numeric string (`abs("-1")`), a bool parameter
//! takes `"true"`/`"false"`. Null is refused wherever Terraform refuses it.
//! Every accessor names the argument and what it expected on failure, at the
//! argument's span.

use std::borrow::Cow;
use std::fmt::Display;

use super::{Arg, MAX_OUTPUT};
use crate::base::{Map, Span, Value};
use crate::expr::error::ExprError;
use crate::expr::eval::Scope;
pub(crate) use crate::expr::ops::as_f64;
use crate::expr::ops::{self, Num};

/// One call in progress.
pub(crate) struct Call<'a> {
    pub(super) name: &'static str,
    pub(super) span: Span,
    pub(super) args: &'a [Arg],
    pub(super) scope: &'a dyn Scope,
    /// Whether any argument was secret: errors must not show values then.
    secret: bool,
}

static NULL: Value = Value::Null;

/// `v` as a string, as Terraform converts primitives; `None` for null,
/// lists and tables.
pub(crate) fn to_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => v.to_interpolated(),
        _ => None,
    }
}

/// `v` as a number (`Int` or `Float`), parsing numeric strings.
pub(crate) fn to_number(v: &Value) -> Option<Value> {
    match v {
        Value::Int(_) | Value::Float(_) => Some(v.clone()),
        Value::String(s) => parse_number(s.trim()),
        _ => None,
    }
}

/// A decimal number in Terraform's syntax: an integer when it is one,
/// also when written as a whole float (`"2.0"`), as functions return them.
pub(crate) fn parse_number(t: &str) -> Option<Value> {
    ops::parse_number(t).map(|n| match n {
        Num::Int(i) => Value::Int(i),
        Num::Float(x) => number_value(x),
    })
}

/// A float as a number value: an integer when it is a whole number that
/// fits, so that `floor(1.5)` is `1` and compares equal to `1`.
pub(crate) fn number_value(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        // In range and whole, so the cast is exact.
        Value::Int(x as i64)
    } else {
        Value::Float(x)
    }
}

impl<'a> Call<'a> {
    pub(super) fn new(
        name: &'static str,
        span: Span,
        args: &'a [Arg],
        scope: &'a dyn Scope,
        secret: bool,
    ) -> Call<'a> {
        Call {
            name,
            span,
            args,
            scope,
            secret,
        }
    }

    /// The number of arguments.
    pub(crate) fn len(&self) -> usize {
        self.args.len()
    }

    /// Argument `i`, or null past the end.
    pub(crate) fn value(&self, i: usize) -> &'a Value {
        self.args.get(i).map_or(&NULL, |a| &a.value)
    }

    /// The scope the call is evaluated in.
    pub(crate) fn scope(&self) -> &'a dyn Scope {
        self.scope
    }

    fn span_of(&self, i: usize) -> Span {
        self.args.get(i).map_or(self.span, |a| a.span)
    }

    /// An error located at argument `i`.
    pub(crate) fn err(&self, i: usize, message: impl Display) -> ExprError {
        ExprError::new(format!("`{}`: {message}", self.name), self.span_of(i))
    }

    /// An error about the call as a whole.
    pub(crate) fn call_err(&self, message: impl Display) -> ExprError {
        ExprError::new(format!("`{}`: {message}", self.name), self.span)
    }

    /// "argument N must be WANT, not a KIND" at argument `i`.
    pub(crate) fn type_err(&self, i: usize, want: &str) -> ExprError {
        let found = match self.value(i) {
            Value::Null => "null".to_string(),
            v => format!("a {}", v.kind()),
        };
        self.err(i, format!("argument {} must be {want}, not {found}", i + 1))
    }

    /// A string as it may appear in an error message.
    pub(crate) fn shown(&self, s: &str) -> String {
        if self.secret {
            "(secret)".to_string()
        } else {
            format!("{s:?}")
        }
    }

    /// Refuses to build something of `n` bytes or elements past [`MAX_OUTPUT`].
    pub(crate) fn limit(&self, n: usize) -> Result<(), ExprError> {
        if n > MAX_OUTPUT {
            return Err(self.call_err(format!(
                "the result would be too large ({n} bytes or elements, at most {MAX_OUTPUT})"
            )));
        }
        Ok(())
    }

    /// Argument `i` as a string (numbers and bools converted).
    pub(crate) fn str(&self, i: usize) -> Result<Cow<'a, str>, ExprError> {
        match self.value(i) {
            Value::String(s) => Ok(Cow::Borrowed(s)),
            v => to_string(v)
                .map(Cow::Owned)
                .ok_or_else(|| self.type_err(i, "a string")),
        }
    }

    /// Argument `i` as a number value (`Int` or `Float`).
    pub(crate) fn num(&self, i: usize) -> Result<Value, ExprError> {
        match self.value(i) {
            Value::String(s) => to_number(self.value(i)).ok_or_else(|| {
                self.err(
                    i,
                    format!(
                        "argument {} must be a number, not the string {}",
                        i + 1,
                        self.shown(s)
                    ),
                )
            }),
            v => to_number(v).ok_or_else(|| self.type_err(i, "a number")),
        }
    }

    /// Argument `i` as a float.
    pub(crate) fn f64(&self, i: usize) -> Result<f64, ExprError> {
        self.num(i).map(|v| as_f64(&v))
    }

    /// Argument `i` as a whole number.
    pub(crate) fn int(&self, i: usize) -> Result<i64, ExprError> {
        match self.value(i) {
            Value::Int(n) => Ok(*n),
            Value::Float(_) | Value::String(_) => {
                let n = self.num(i)?;
                n.as_int().ok_or_else(|| {
                    self.err(
                        i,
                        format!("argument {} must be a whole number, not {n}", i + 1),
                    )
                })
            }
            _ => Err(self.type_err(i, "an integer")),
        }
    }

    /// Argument `i` as a count or an index: a whole number, not negative.
    pub(crate) fn usize(&self, i: usize) -> Result<usize, ExprError> {
        let n = self.int(i)?;
        usize::try_from(n)
            .map_err(|_| self.err(i, format!("argument {} must not be negative", i + 1)))
    }

    /// Argument `i` as a list.
    pub(crate) fn list(&self, i: usize) -> Result<&'a [Value], ExprError> {
        match self.value(i) {
            Value::List(l) => Ok(l),
            _ => Err(self.type_err(i, "a list")),
        }
    }

    /// Argument `i` as a table.
    pub(crate) fn map(&self, i: usize) -> Result<&'a Map, ExprError> {
        match self.value(i) {
            Value::Map(m) => Ok(m),
            _ => Err(self.type_err(i, "a table")),
        }
    }

    /// Argument `i` as a list of strings (elements converted).
    pub(crate) fn strings(&self, i: usize) -> Result<Vec<String>, ExprError> {
        self.list(i)?
            .iter()
            .enumerate()
            .map(|(n, v)| {
                to_string(v).ok_or_else(|| {
                    let found = match v {
                        Value::Null => "null".to_string(),
                        v => format!("a {}", v.kind()),
                    };
                    self.err(
                        i,
                        format!(
                            "argument {} must be a list of strings, but element {n} is {found}",
                            i + 1
                        ),
                    )
                })
            })
            .collect()
    }
}

/// Equality of the operators' `==` (`1` and `1.0` alike). Functions that
/// compare values see their arguments revealed and fully known (see
/// [`super::Mode::Plain`]), where `==` always has an answer.
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    ops::equals(a, b) == Some(true)
}
