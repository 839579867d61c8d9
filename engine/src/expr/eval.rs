//! Evaluation of expressions and templates against a [`Scope`].
//!
//! Unknown values propagate: any operation on `Value::Unknown` yields
//! `Value::Unknown`. Secrets taint: a result computed from a secret is secret.

use std::path::Path;

use super::ast::{BinOp, Expr, ExprKind};
use super::error::{ExprError, suggest};
use super::functions::{self, Arg};
use super::template::{Part, Template};
use crate::base::Span;
use crate::base::{Map, Value};

/// What names mean during evaluation. Implemented by the engine.
pub trait Scope {
    /// The value of a root identifier (`vpc`, `config`, `count`, ...), or an error message
    /// with a hint (e.g. "unknown resource or data source `vcp`", hint "did you mean `vpc`?").
    fn root(&self, name: &str) -> Result<Value, (String, Option<String>)>;
    /// The value at `path` under root `name`, when the scope can reach it
    /// without building the root's whole value: `subnet[3].id` then copies
    /// one attribute instead of every subnet's outputs, which would make a
    /// stack of N counted instances cost N² copies. `None` (the default)
    /// means: take [`Scope::root`] and walk the path, which also gives the
    /// errors. An answer must equal what that walk returns.
    fn lookup(&self, _name: &str, _path: &[Step<'_>]) -> Option<Value> {
        None
    }
    /// Directory that `file()` paths are relative to.
    fn base_dir(&self) -> &Path;
    /// Whether this evaluation applies a change rather than plans it:
    /// `timestamp()`, `uuid()` and `bcrypt()` are unknown until then, as in
    /// Terraform.
    fn applying(&self) -> bool {
        false
    }
}

/// Evaluates an expression.
pub fn eval(expr: &Expr, scope: &dyn Scope) -> Result<Value, ExprError> {
    match &expr.kind {
        ExprKind::Literal(v) => Ok(v.clone()),
        ExprKind::List(items) => items
            .iter()
            .map(|e| eval(e, scope))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List),
        ExprKind::Ident(name) => scope
            .root(name)
            .map_err(|(message, hint)| ExprError::new(message, expr.span).with_hint_opt(hint)),
        ExprKind::GetAttr(base, name) => match eval_reference(expr, scope) {
            Some(v) => v,
            None => get_attr(eval(base, scope)?, name, expr.span),
        },
        ExprKind::Index(base, index) => match eval_reference(expr, scope) {
            Some(v) => v,
            None => {
                let b = eval(base, scope)?;
                let i = eval(index, scope)?;
                get_index(b, i, expr.span, index.span)
            }
        },
        ExprKind::Splat(base, attrs) => splat(eval(base, scope)?, attrs, expr.span, base.span),
        ExprKind::Call(name, args) => {
            let Some(f) = functions::lookup_function(name) else {
                return Err(unknown_function(name, expr.span));
            };
            let args = args
                .iter()
                .map(|a| {
                    Ok(Arg {
                        value: eval(a, scope)?,
                        span: a.span,
                    })
                })
                .collect::<Result<Vec<_>, ExprError>>()?;
            functions::call(f, args, expr.span, scope)
        }
        ExprKind::Binary(op, l, r) => binary(*op, eval(l, scope)?, eval(r, scope)?, expr.span),
        ExprKind::Neg(inner) => negate(eval(inner, scope)?, expr.span),
    }
}

/// One accessor after a reference's root, its index evaluated.
#[derive(Debug)]
pub enum Step<'e> {
    /// `.name`
    Attr(&'e str),
    /// `[index]`
    Index(Value),
}

/// A chain of accessors on a root name (`subnet[count.index].id`),
/// evaluated through [`Scope::lookup`] and then, if the scope cannot answer,
/// by walking [`Scope::root`]'s value. `None` when `expr` is not such a chain
/// or an index fails to evaluate: the plain recursive evaluation then runs,
/// so errors come out in the order it reports them.
fn eval_reference(expr: &Expr, scope: &dyn Scope) -> Option<Result<Value, ExprError>> {
    let mut chain = Vec::new();
    let mut at = expr;
    let root = loop {
        match &at.kind {
            ExprKind::GetAttr(base, _) | ExprKind::Index(base, _) => {
                chain.push(at);
                at = base;
            }
            ExprKind::Ident(name) => break name,
            _ => return None,
        }
    };
    chain.reverse();
    let mut steps = Vec::with_capacity(chain.len());
    // Each step's span and its index's span, for errors of the walk.
    let mut spans = Vec::with_capacity(chain.len());
    for e in chain {
        match &e.kind {
            ExprKind::GetAttr(_, name) => {
                steps.push(Step::Attr(name));
                spans.push((e.span, e.span));
            }
            ExprKind::Index(_, index) => {
                steps.push(Step::Index(eval(index, scope).ok()?));
                spans.push((e.span, index.span));
            }
            _ => return None,
        }
    }
    if let Some(v) = scope.lookup(root, &steps) {
        return Some(Ok(v));
    }
    let walked = scope
        .root(root)
        .map_err(|(message, hint)| ExprError::new(message, at.span).with_hint_opt(hint))
        .and_then(|mut v| {
            for (step, (span, index_span)) in steps.into_iter().zip(spans) {
                v = match step {
                    Step::Attr(name) => get_attr(v, name, span)?,
                    Step::Index(i) => get_index(v, i, span, index_span)?,
                };
            }
            Ok(v)
        });
    Some(walked)
}

/// Follows `path` through borrowed values, copying only what it ends on;
/// `None` where the walk would need [`get_attr`] or [`get_index`]'s
/// handling (a secret to taint through, a missing key, an error).
fn walk_path(v: &Value, path: &[Step<'_>]) -> Option<Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v.clone());
    };
    match (v, first) {
        (Value::Unknown, _) => Some(Value::Unknown),
        (Value::Map(m), Step::Attr(name)) => walk_path(m.get(*name)?, rest),
        (Value::Map(m), Step::Index(Value::String(k))) => walk_path(m.get(k)?, rest),
        (Value::List(items), Step::Index(Value::Int(n))) => {
            walk_path(items.get(usize::try_from(*n).ok()?)?, rest)
        }
        _ => None,
    }
}

/// [`walk_path`] from a table.
pub(crate) fn walk_map(m: &Map, path: &[Step<'_>]) -> Option<Value> {
    match path.split_first() {
        None => Some(Value::Map(m.clone())),
        Some((Step::Attr(name), rest)) => walk_path(m.get(*name)?, rest),
        Some((Step::Index(Value::String(k)), rest)) => walk_path(m.get(k)?, rest),
        Some(_) => None,
    }
}

/// Evaluates a template: literals as they are, `"${expr}"` keeping the
/// expression's type, interpolated strings as strings (Unknown when any part
/// is unknown), lists and tables element-wise.
pub fn eval_template(t: &Template, scope: &dyn Scope) -> Result<Value, ExprError> {
    match t {
        Template::Literal(v) => Ok(v.clone()),
        Template::Expr(e) => eval(e, scope),
        Template::Interpolated(parts, _) => interpolate(parts, scope),
        Template::List(items, _) => items
            .iter()
            .map(|i| eval_template(i, scope))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List),
        Template::Map(entries, _) => entries
            .iter()
            .map(|(k, t)| Ok((k.clone(), eval_template(t, scope)?)))
            .collect::<Result<Map, ExprError>>()
            .map(Value::Map),
    }
}

fn interpolate(parts: &[Part], scope: &dyn Scope) -> Result<Value, ExprError> {
    let mut out = String::new();
    let mut unknown = false;
    let mut secret = false;
    for part in parts {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Expr(e) => {
                let v = eval(e, scope)?;
                let (inner, is_secret) = v.unwrap_secret();
                secret |= is_secret;
                if matches!(inner, Value::Unknown) {
                    // Keep going: a later part may still be an error worth reporting.
                    unknown = true;
                    continue;
                }
                match inner.to_interpolated() {
                    Some(s) => out.push_str(&s),
                    None => {
                        return Err(ExprError::new(
                            format!("cannot put a {} into a string", inner.kind()),
                            e.span,
                        )
                        .with_hint(
                            "use join() or jsonencode(), or make the whole string \"${...}\" to keep the value's type",
                        ));
                    }
                }
            }
        }
    }
    if unknown {
        return Ok(Value::Unknown);
    }
    Ok(taint(Value::String(out), secret))
}

/// Marks `v` secret when `secret`; unknowns stay plain unknowns.
pub(crate) fn taint(v: Value, secret: bool) -> Value {
    if secret && !matches!(v, Value::Unknown) {
        Value::secret(v)
    } else {
        v
    }
}

fn unknown_function(name: &str, span: Span) -> ExprError {
    let hint = suggest(name, functions::function_names()).unwrap_or_else(|| {
        format!(
            "available functions: {}",
            functions::function_names().collect::<Vec<_>>().join(", ")
        )
    });
    ExprError::new(format!("unknown function `{name}`"), span).with_hint(hint)
}

/// `.name` on a value.
pub(crate) fn get_attr(v: Value, name: &str, span: Span) -> Result<Value, ExprError> {
    let (inner, secret) = v.unwrap_secret();
    let out = match inner {
        Value::Unknown => return Ok(Value::Unknown),
        Value::Map(m) => match m.get(name) {
            Some(x) => x.clone(),
            None => {
                let hint = suggest(name, m.keys().map(String::as_str)).or_else(|| {
                    (!m.is_empty() && m.len() <= 12).then(|| {
                        format!(
                            "available: {}",
                            m.keys()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                });
                return Err(
                    ExprError::new(format!("no attribute `{name}`"), span).with_hint_opt(hint)
                );
            }
        },
        Value::List(_) => {
            return Err(
                ExprError::new(format!("cannot read attribute `{name}` of a list"), span)
                    .with_hint(format!(
                        "use `[index].{name}` for one element or `[*].{name}` for all of them"
                    )),
            );
        }
        other => {
            return Err(ExprError::new(
                format!("cannot read attribute `{name}` of a {} value", other.kind()),
                span,
            ));
        }
    };
    Ok(taint(out, secret))
}

/// `base[index]`.
fn get_index(base: Value, index: Value, span: Span, index_span: Span) -> Result<Value, ExprError> {
    let (b, base_secret) = base.unwrap_secret();
    let (i, index_secret) = index.unwrap_secret();
    if matches!(b, Value::Unknown) || matches!(i, Value::Unknown) {
        return Ok(Value::Unknown);
    }
    let out = match b {
        Value::List(items) => {
            let Some(n) = i.as_int() else {
                return Err(ExprError::new(
                    format!("a list index must be an integer, not a {}", i.kind()),
                    index_span,
                ));
            };
            match usize::try_from(n).ok().and_then(|n| items.get(n)) {
                Some(x) => x.clone(),
                None => {
                    return Err(ExprError::new(
                        format!(
                            "index {n} is out of range for a list of length {}",
                            items.len()
                        ),
                        index_span,
                    ));
                }
            }
        }
        Value::Map(m) => {
            let key = match i {
                Value::String(s) => s.clone(),
                Value::Int(n) => n.to_string(),
                other => {
                    return Err(ExprError::new(
                        format!("a table key must be a string, not a {}", other.kind()),
                        index_span,
                    ));
                }
            };
            match m.get(&key) {
                Some(x) => x.clone(),
                None => {
                    let hint = suggest(&key, m.keys().map(String::as_str));
                    let shown = if index_secret {
                        "(secret)".to_string()
                    } else {
                        format!("{key:?}")
                    };
                    return Err(ExprError::new(format!("no key {shown} in the table"), span)
                        .with_hint_opt(hint));
                }
            }
        }
        other => {
            return Err(ExprError::new(
                format!("cannot index a {} value", other.kind()),
                span,
            ));
        }
    };
    Ok(taint(out, base_secret || index_secret))
}

/// `base[*].a.b`: over a list's elements or a table's values (key order).
fn splat(base: Value, attrs: &[String], span: Span, base_span: Span) -> Result<Value, ExprError> {
    let (inner, secret) = base.unwrap_secret();
    let items: Vec<Value> = match inner {
        Value::Unknown => return Ok(Value::Unknown),
        Value::List(items) => items.clone(),
        Value::Map(m) => m.values().cloned().collect(),
        Value::Null => Vec::new(),
        other => {
            return Err(ExprError::new(
                format!("`[*]` needs a list or a table, not a {}", other.kind()),
                base_span,
            ));
        }
    };
    let out = items
        .into_iter()
        .map(|item| attrs.iter().try_fold(item, |acc, a| get_attr(acc, a, span)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(taint(Value::List(out), secret))
}

fn binary(op: BinOp, l: Value, r: Value, span: Span) -> Result<Value, ExprError> {
    let (a, a_secret) = l.unwrap_secret();
    let (b, b_secret) = r.unwrap_secret();
    if matches!(a, Value::Unknown) || matches!(b, Value::Unknown) {
        return Ok(Value::Unknown);
    }
    let sym = op.symbol();
    let out = match (a, b) {
        (Value::Int(x), Value::Int(y)) => {
            let v = match op {
                BinOp::Add => x.checked_add(*y),
                BinOp::Sub => x.checked_sub(*y),
                BinOp::Mul => x.checked_mul(*y),
            };
            match v {
                Some(v) => Value::Int(v),
                None => {
                    return Err(ExprError::new(format!("integer overflow in `{sym}`"), span)
                        .with_hint("integers are 64-bit signed"));
                }
            }
        }
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            let (x, y) = (as_f64(a), as_f64(b));
            let v = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
            };
            if !v.is_finite() {
                return Err(ExprError::new(format!("number overflow in `{sym}`"), span));
            }
            Value::Float(v)
        }
        (Value::String(x), Value::String(y)) if op == BinOp::Add => {
            Value::String(format!("{x}{y}"))
        }
        _ => {
            let e = ExprError::new(
                format!("cannot apply `{sym}` to a {} and a {}", a.kind(), b.kind()),
                span,
            );
            return Err(
                if op == BinOp::Add && (a.as_str().is_some() || b.as_str().is_some()) {
                    e.with_hint("to build a string, use \"${a}${b}\" or format()")
                } else {
                    e
                },
            );
        }
    };
    Ok(taint(out, a_secret || b_secret))
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(x) => *x,
        _ => f64::NAN,
    }
}

fn negate(v: Value, span: Span) -> Result<Value, ExprError> {
    let (inner, secret) = v.unwrap_secret();
    let out = match inner {
        Value::Unknown => return Ok(Value::Unknown),
        Value::Int(i) => match i.checked_neg() {
            Some(n) => Value::Int(n),
            None => return Err(ExprError::new("integer overflow in `-`", span)),
        },
        Value::Float(x) => Value::Float(-x),
        other => {
            return Err(ExprError::new(
                format!("cannot negate a {}", other.kind()),
                span,
            ));
        }
    };
    Ok(taint(out, secret))
}
