//! Type conversion and taint functions: tobool tolist tomap tonumber toset
//! tostring, sensitive nonsensitive issensitive, and skistack's `cond` and
//! `secret`. `tolist`/`toset`/`tomap` unify their elements as Terraform
//! does (`expr::convert`: a mix of strings and numbers or bools becomes all
//! strings, nested lists and tables too; numbers with bools cannot unify).
//! The three taint rows are `raw`: they see the
//! secret wrappers that `call` otherwise strips, because the wrapper is what
//! they read or remove.

use super::args::{parse_number, to_string};
use super::collection::set_of;
use super::{Call, Function, row};
use crate::base::Value;
use crate::expr::convert::{Mismatch, unify_values};
use crate::expr::error::ExprError;
use crate::expr::ops::as_bool;

/// This table's category, a heading of `skistack functions` and the README.
pub(super) const CATEGORY: &str = "types";

/// This category's rows of the function table.
pub(super) static ROWS: &[Function] = &[
    row(
        "cond",
        "cond(condition, if_true, if_false)",
        "if_true when condition is true, else if_false (both are evaluated)",
        3,
        Some(3),
        cond,
    ),
    row(
        "issensitive",
        "issensitive(value)",
        "whether value is secret",
        1,
        Some(1),
        issensitive,
    )
    .raw(),
    row(
        "nonsensitive",
        "nonsensitive(value)",
        "value without its own secret mark (secrets nested inside stay)",
        1,
        Some(1),
        nonsensitive,
    )
    .raw(),
    row(
        "secret",
        "secret(value)",
        "value marked secret: printed as `[secret]`, as is what is computed from it",
        1,
        Some(1),
        secret,
    ),
    row(
        "sensitive",
        "sensitive(value)",
        "value marked secret, as `secret` does (Terraform's name)",
        1,
        Some(1),
        sensitive,
    )
    .raw(),
    row(
        "tobool",
        "tobool(value)",
        "value converted to a bool",
        1,
        Some(1),
        tobool,
    ),
    row(
        "tolist",
        "tolist(list)",
        "list with its elements converted to one type",
        1,
        Some(1),
        tolist,
    )
    .marked(),
    row(
        "tomap",
        "tomap(table)",
        "table with its values converted to one type",
        1,
        Some(1),
        tomap,
    )
    .marked(),
    row(
        "tonumber",
        "tonumber(value)",
        "value converted to a number",
        1,
        Some(1),
        tonumber,
    ),
    row(
        "toset",
        "toset(list)",
        "list converted to a set: one type, sorted, without duplicates",
        1,
        Some(1),
        toset,
    ),
    row(
        "tostring",
        "tostring(value)",
        "value converted to a string",
        1,
        Some(1),
        tostring,
    ),
];

fn cond(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.value(0).as_bool() {
        Some(true) => Ok(c.value(1).clone()),
        Some(false) => Ok(c.value(2).clone()),
        None => Err(c.type_err(0, "a bool (true or false)")),
    }
}

fn secret(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::secret(c.value(0).clone()))
}

fn sensitive(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(match c.value(0) {
        // Unknowns stay plain unknowns (see `taint`); the value is
        // evaluated again, and marked, once it is known.
        Value::Unknown => Value::Unknown,
        v => Value::secret(v.clone()),
    })
}

/// Removes the value's own secret mark, as Terraform removes only the
/// top-level sensitive mark: secrets nested inside stay secret.
fn nonsensitive(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(match c.value(0) {
        Value::Secret(inner) => inner.as_ref().clone(),
        v => v.clone(),
    })
}

fn issensitive(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(match c.value(0) {
        Value::Secret(_) => Value::Bool(true),
        Value::Unknown => Value::Unknown,
        _ => Value::Bool(false),
    })
}

fn tobool(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.value(0) {
        Value::Null => Ok(Value::Null),
        v => as_bool(v).map(Value::Bool).ok_or_else(|| {
            let found = match v {
                Value::String(s) => format!("the string {}", c.shown(s)),
                v => format!("a {}", v.kind()),
            };
            c.err(0, format!("cannot convert {found} to a bool"))
                .with_hint("only true, false, \"true\" and \"false\" convert")
        }),
    }
}

fn tonumber(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.value(0) {
        v @ (Value::Int(_) | Value::Float(_) | Value::Null) => Ok(v.clone()),
        Value::String(s) => parse_number(s.trim())
            .ok_or_else(|| c.err(0, format!("cannot convert {} to a number", c.shown(s)))),
        _ => Err(c.type_err(0, "a number or a string")),
    }
}

fn tostring(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.value(0) {
        Value::Null => Ok(Value::Null),
        v => to_string(v).map(Value::String).ok_or_else(|| {
            c.err(0, format!("cannot convert a {} to a string", v.kind()))
                .with_hint("use jsonencode()")
        }),
    }
}

/// Elements of one collection converted to one type, as Terraform unifies
/// them (see `expr::convert`); the message says why they cannot be.
pub(super) fn unify(items: &[Value]) -> Result<Vec<Value>, Mismatch> {
    unify_values(items.to_vec())
}

fn tolist(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.value(0) {
        Value::Null => Ok(Value::Null),
        _ => unify(c.list(0)?)
            .map(Value::List)
            .map_err(|m| c.err(0, format!("cannot convert to a list: {m}"))),
    }
}

fn toset(c: &Call<'_>) -> Result<Value, ExprError> {
    match c.value(0) {
        Value::Null => Ok(Value::Null),
        _ => unify(c.list(0)?)
            .map(|l| Value::List(set_of(l)))
            .map_err(|m| c.err(0, format!("cannot convert to a set: {m}"))),
    }
}

fn tomap(c: &Call<'_>) -> Result<Value, ExprError> {
    let m = match c.value(0) {
        Value::Null => return Ok(Value::Null),
        _ => c.map(0)?,
    };
    let values: Vec<Value> = m.values().cloned().collect();
    let unified =
        unify(&values).map_err(|e| c.err(0, format!("cannot convert to a table: {e}")))?;
    Ok(Value::Map(m.keys().cloned().zip(unified).collect()))
}
