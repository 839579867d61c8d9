//! `[for ...]` and `{for ...}` expressions, as HCL evaluates them.
//!
//! The loop variables live in a [`Locals`] scope over the caller's, so they
//! shadow outer names only inside the body. Lists iterate in order with
//! their index as key, tables in key order with their keys. An unknown
//! collection, condition or key makes the whole result unknown; a secret
//! collection, condition or key taints it (element secrets stay inside).

use std::collections::btree_map::Entry;

use super::ast::ForExpr;
use super::error::ExprError;
use super::eval::{Locals, Scope, eval, object_key, taint};
use super::ops::to_bool;
use crate::base::{Map, Span, Value};

/// Evaluates a `for` expression.
pub(crate) fn eval_for(f: &ForExpr, scope: &dyn Scope) -> Result<Value, ExprError> {
    let coll = eval(&f.collection, scope)?;
    let Some((items, mut secret)) = items(&coll, f.collection.span)? else {
        return Ok(Value::Unknown);
    };
    let mut list = Vec::new();
    let mut object: Map = Map::new();
    for (k, v) in items {
        let mut vars = Vec::with_capacity(2);
        if let Some(name) = &f.key_var {
            vars.push((name.clone(), k));
        }
        vars.push((f.value_var.clone(), v));
        let local = Locals::new(scope, vars);
        if let Some(cond) = &f.cond {
            let c = eval(cond, &local)?;
            if matches!(c.unwrap_secret().0, Value::Null) {
                return Err(ExprError::new("the `if` condition is null", cond.span)
                    .with_hint("a condition must be true or false"));
            }
            secret |= c.contains_secret();
            match to_bool(&c, cond.span)? {
                None => return Ok(Value::Unknown),
                Some(false) => continue,
                Some(true) => {}
            }
        }
        let Some(key_expr) = &f.key else {
            list.push(eval(&f.value, &local)?);
            continue;
        };
        let key = eval(key_expr, &local)?;
        secret |= key.contains_secret();
        let Some(name) = object_key(&key, key_expr.span)? else {
            return Ok(Value::Unknown);
        };
        let value = eval(&f.value, &local)?;
        insert(&mut object, name, value, f.group, &key, key_expr.span)?;
    }
    let out = match f.key {
        None => Value::List(list),
        Some(_) => Value::Map(object),
    };
    Ok(taint(out, secret))
}

/// What a `for` iterates over: (key, value) pairs.
pub(crate) type Items = Vec<(Value, Value)>;

/// The (key, value) pairs a `for` iterates over in `coll` (written at
/// `span`): a list's indexes and elements, a table's keys and values in key
/// order; and whether `coll` was secret. `None` when it is unknown.
pub(crate) fn items(coll: &Value, span: Span) -> Result<Option<(Items, bool)>, ExprError> {
    let (inner, secret) = coll.unwrap_secret();
    let items = match inner {
        Value::Unknown => return Ok(None),
        Value::List(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (Value::Int(i64::try_from(i).unwrap_or(i64::MAX)), v.clone()))
            .collect(),
        Value::Map(m) => m
            .iter()
            .map(|(k, v)| (Value::String(k.clone()), v.clone()))
            .collect(),
        other => {
            return Err(ExprError::new(
                format!("cannot iterate over a {} value", other.kind()),
                span,
            )
            .with_hint("`for` needs a list or a table"));
        }
    };
    Ok(Some((items, secret)))
}

/// Puts one item of a `{for}` into `object`: grouped into a list with
/// `...`, else an error when its key came before.
fn insert(
    object: &mut Map,
    name: String,
    value: Value,
    group: bool,
    key: &Value,
    key_span: Span,
) -> Result<(), ExprError> {
    match object.entry(name) {
        Entry::Vacant(slot) => {
            slot.insert(if group {
                Value::List(vec![value])
            } else {
                value
            });
        }
        Entry::Occupied(mut slot) if group => {
            if let Value::List(group) = slot.get_mut() {
                group.push(value);
            }
        }
        Entry::Occupied(slot) => {
            let shown = if key.contains_secret() {
                "(secret)".to_string()
            } else {
                format!("{:?}", slot.key())
            };
            return Err(ExprError::new(
                format!("two items produced the key {shown} in this `for` expression"),
                key_span,
            )
            .with_hint("add `...` after the value expression to group values by key"));
        }
    }
    Ok(())
}
