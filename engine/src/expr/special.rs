//! `can(expr)` and `try(a, b, ...)`: forms that look like calls but must
//! evaluate their arguments themselves, catching the errors a function
//! would never see. As in Terraform, a result that is not wholly known
//! yet stays unknown: whether it would fail cannot be told before `up`.

use super::ast::Expr;
use super::error::ExprError;
use super::eval::{Scope, eval};
use crate::base::{Span, Value};

/// The special forms as `(name, signature, summary)`, listed with the
/// functions by `skistack functions` and the README.
pub(crate) const FORMS: &[(&str, &str, &str)] = &[
    (
        "can",
        "can(expression)",
        "whether expression evaluates without an error",
    ),
    (
        "try",
        "try(a, b, ...)",
        "the first argument that evaluates without an error",
    ),
];

/// `can(expr)`: whether `expr` evaluates without an error.
pub(crate) fn can(args: &[Expr], span: Span, scope: &dyn Scope) -> Result<Value, ExprError> {
    let [arg] = args else {
        return Err(ExprError::new(
            format!("`can` takes exactly one argument, got {}", args.len()),
            span,
        )
        .with_hint("can(expression)"));
    };
    Ok(match eval(arg, scope) {
        Ok(v) if v.contains_unknown() => Value::Unknown,
        Ok(_) => Value::Bool(true),
        Err(_) => Value::Bool(false),
    })
}

/// `try(a, b, ...)`: the first argument that evaluates without an error.
pub(crate) fn try_(args: &[Expr], span: Span, scope: &dyn Scope) -> Result<Value, ExprError> {
    if args.is_empty() {
        return Err(
            ExprError::new("`try` needs at least one argument", span).with_hint("try(a, b, ...)")
        );
    }
    let mut errors = Vec::new();
    for arg in args {
        match eval(arg, scope) {
            Ok(v) if v.contains_unknown() => return Ok(Value::Unknown),
            Ok(v) => return Ok(v),
            Err(e) => errors.push(e.message),
        }
    }
    Err(ExprError::new(
        format!("no argument of `try` succeeded: {}", errors.join("; ")),
        span,
    ))
}
