//! Evaluation of expressions and templates against a [`Scope`].
//!
//! Unknown values propagate: any operation on `Value::Unknown` yields
//! `Value::Unknown`. Secrets taint: a result computed from a secret is secret.

use std::path::Path;

use super::ast::{Accessor, BinOp, Expr, ExprKind};
use super::error::{ExprError, suggest};
use super::functions::{self, Arg};
use super::template::{Part, Template};
use super::{convert, for_expr, ops, special};
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
        ExprKind::Object(items) => object(items, scope),
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
        ExprKind::Splat(base, accessors) => splat(eval(base, scope)?, accessors, expr.span, scope),
        ExprKind::Call(name, args, expand) => call(name, args, *expand, expr.span, scope),
        ExprKind::Binary(op @ (BinOp::And | BinOp::Or), l, r) => {
            let a = eval(l, scope)?;
            ops::logical(*op, &a, eval(r, scope), l.span, r.span)
        }
        ExprKind::Binary(op, l, r) => {
            let (a, b) = (eval(l, scope)?, eval(r, scope)?);
            ops::binary(*op, &a, &b, (l.span, r.span, expr.span))
        }
        ExprKind::Neg(inner) => ops::negate(&eval(inner, scope)?, expr.span, inner.span),
        ExprKind::Not(inner) => ops::not(&eval(inner, scope)?, inner.span),
        ExprKind::Conditional(c, a, b) => conditional(c, a, b, scope),
        ExprKind::For(f) => for_expr::eval_for(f, scope),
        ExprKind::Template(parts) => interpolate(parts, scope),
    }
}

/// Every name that can be called, sorted: the built-in functions and
/// `can`/`try`.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    let mut names: Vec<&'static str> = functions::function_names()
        .chain(special::FORMS.iter().map(|(name, _, _)| *name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter()
}

/// One callable name in the function reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionDoc {
    /// The category it is listed under, e.g. `"network"`.
    pub category: &'static str,
    /// The name it is called by, e.g. `"cidrsubnet"`.
    pub name: &'static str,
    /// How it is called, e.g. `"cidrsubnet(prefix, newbits, netnum)"`.
    pub signature: &'static str,
    /// What it returns, in one line.
    pub summary: &'static str,
}

/// Every callable name (the built-in functions and `can`/`try`) with its
/// signature and summary, declared with it: grouped by category, in a fixed
/// order of categories, and sorted by name within one. What `skistack
/// functions` prints and the README lists.
pub fn function_docs() -> Vec<FunctionDoc> {
    let forms = special::FORMS
        .iter()
        .map(|&(name, signature, summary)| (functions::SPECIAL_CATEGORY, name, signature, summary));
    let mut docs: Vec<FunctionDoc> = functions::docs()
        .chain(forms)
        .map(|(category, name, signature, summary)| FunctionDoc {
            category,
            name,
            signature,
            summary,
        })
        .collect();
    let mut order: Vec<&str> = Vec::new();
    for d in &docs {
        if !order.contains(&d.category) {
            order.push(d.category);
        }
    }
    docs.sort_by_key(|d| (order.iter().position(|c| *c == d.category), d.name));
    docs
}

/// `name(args...)`: a special form, or a function of the table with its
/// arguments evaluated (the last one spread into several with `...`).
fn call(
    name: &str,
    args: &[Expr],
    expand: bool,
    span: Span,
    scope: &dyn Scope,
) -> Result<Value, ExprError> {
    match name {
        "can" => return special::can(args, span, scope),
        "try" => return special::try_(args, span, scope),
        _ => {}
    }
    let Some(f) = functions::lookup_function(name) else {
        return Err(unknown_function(name, span));
    };
    let mut values = args
        .iter()
        .map(|a| {
            Ok(Arg {
                value: eval(a, scope)?,
                span: a.span,
            })
        })
        .collect::<Result<Vec<_>, ExprError>>()?;
    if expand && let Some(last) = values.pop() {
        let (inner, secret) = last.value.unwrap_secret();
        match inner {
            Value::Unknown => return Ok(Value::Unknown),
            Value::List(items) => values.extend(items.iter().map(|v| Arg {
                value: taint(v.clone(), secret),
                span: last.span,
            })),
            other => {
                return Err(ExprError::new(
                    format!("`...` expands a list, not a {}", other.kind()),
                    last.span,
                ));
            }
        }
    }
    functions::call(f, values, span, scope)
}

/// `c ? a : b`. As in HCL, only the chosen branch's errors count, an
/// unknown condition gives an unknown result, a secret in either branch
/// taints the result (which branch was taken must not leak), and the
/// chosen result is converted to the type both results unify to
/// (`c ? 1 : "a"` gives `"1"`, `c ? [1] : ["a", "b"]` gives `["1"]`).
fn conditional(c: &Expr, a: &Expr, b: &Expr, scope: &dyn Scope) -> Result<Value, ExprError> {
    let cv = eval(c, scope)?;
    if matches!(cv.unwrap_secret().0, Value::Null) {
        return Err(ExprError::new("the condition is null", c.span)
            .with_hint("a condition must be true or false"));
    }
    let cond = ops::to_bool(&cv, c.span)?;
    let yes = eval(a, scope);
    let no = eval(b, scope);
    let secret = cv.contains_secret()
        || [&yes, &no]
            .iter()
            .any(|r| r.as_ref().is_ok_and(Value::contains_secret));
    let chosen = match cond {
        None => return Ok(Value::Unknown),
        Some(true) => yes.as_ref().map_err(Clone::clone)?,
        Some(false) => no.as_ref().map_err(Clone::clone)?,
    };
    let out = match (&yes, &no) {
        (Ok(x), Ok(y)) => {
            let ty = convert::unify(&[convert::type_of(x), convert::type_of(y)]).map_err(|m| {
                ExprError::new(
                    format!("the results of `?` have inconsistent types: {m}"),
                    a.span.to(b.span),
                )
                .with_hint("make both results the same type, e.g. with tostring()")
            })?;
            convert::convert(chosen.clone(), &ty)
        }
        _ => chosen.clone(),
    };
    Ok(taint(out, secret))
}

/// `{ k = v, ... }`: keys convert to strings; an unknown key makes the
/// whole object unknown; a later duplicate key wins.
fn object(items: &[(Expr, Expr)], scope: &dyn Scope) -> Result<Value, ExprError> {
    let mut out = Map::new();
    let mut unknown = false;
    let mut secret = false;
    for (k, v) in items {
        let key = eval(k, scope)?;
        let value = eval(v, scope)?;
        match object_key(&key, k.span)? {
            None => unknown = true,
            Some(name) => {
                secret |= key.contains_secret();
                out.insert(name, value);
            }
        }
    }
    if unknown {
        return Ok(Value::Unknown);
    }
    Ok(taint(Value::Map(out), secret))
}

/// A value used as an object key, as a string; `None` when unknown.
pub(crate) fn object_key(key: &Value, span: Span) -> Result<Option<String>, ExprError> {
    let (inner, _) = key.unwrap_secret();
    match inner {
        Value::Unknown => Ok(None),
        Value::Null => Err(ExprError::new("an object key cannot be null", span)),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Ok(inner.to_interpolated()),
        other => Err(ExprError::new(
            format!("an object key must be a string, not a {}", other.kind()),
            span,
        )),
    }
}

/// A scope with local names (loop variables, template variables) on top of
/// another scope.
pub struct Locals<'a> {
    parent: &'a dyn Scope,
    vars: Vec<(String, Value)>,
}

impl<'a> Locals<'a> {
    /// `vars` shadow `parent`'s names.
    pub fn new(parent: &'a dyn Scope, vars: Vec<(String, Value)>) -> Locals<'a> {
        Locals { parent, vars }
    }

    fn local(&self, name: &str) -> Option<&Value> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

impl Scope for Locals<'_> {
    fn root(&self, name: &str) -> Result<Value, (String, Option<String>)> {
        match self.local(name) {
            Some(v) => Ok(v.clone()),
            None => self.parent.root(name),
        }
    }

    fn lookup(&self, name: &str, path: &[Step<'_>]) -> Option<Value> {
        match self.local(name) {
            Some(_) => None,
            None => self.parent.lookup(name, path),
        }
    }

    fn base_dir(&self) -> &Path {
        self.parent.base_dir()
    }
}

/// Variables for evaluating a template or expression on their own (as
/// `templatefile` and config validation rules do): no other names exist.
pub struct Vars<'a> {
    vars: &'a Map,
    base_dir: &'a Path,
}

impl<'a> Vars<'a> {
    /// A scope where exactly `vars` are defined; `file()` paths are
    /// relative to `base_dir`.
    pub fn new(vars: &'a Map, base_dir: &'a Path) -> Vars<'a> {
        Vars { vars, base_dir }
    }
}

impl Scope for Vars<'_> {
    fn root(&self, name: &str) -> Result<Value, (String, Option<String>)> {
        self.vars.get(name).cloned().ok_or_else(|| {
            (
                format!("unknown variable `{name}`"),
                suggest(name, self.vars.keys().map(String::as_str)),
            )
        })
    }

    fn lookup(&self, name: &str, path: &[Step<'_>]) -> Option<Value> {
        walk_map(self.vars.get(name)?.as_map()?, path)
    }

    fn base_dir(&self) -> &Path {
        self.base_dir
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
        Template::Expr(e) => storable(eval(e, scope)?, e.span),
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

/// `v` if it can be stored: the state and providers speak JSON, which has
/// no infinity, so an infinite number (from a division by zero) may flow
/// through expressions but stops here. Interpolated strings spell it
/// `+Inf`, and literals never hold one (the loader refuses `inf`).
fn storable(v: Value, span: Span) -> Result<Value, ExprError> {
    if !holds_infinity(&v) {
        return Ok(v);
    }
    Err(ExprError::new(
        "the value holds an infinite number, which no property can store",
        span,
    )
    .with_hint(
        "an infinity comes from a division by zero: guard the divisor, e.g. `d == 0 ? 0 : n / d`",
    ))
}

/// Whether `v` is or holds an infinite number.
fn holds_infinity(v: &Value) -> bool {
    match v {
        Value::Float(x) => x.is_infinite(),
        Value::Secret(inner) => holds_infinity(inner),
        Value::List(items) => items.iter().any(holds_infinity),
        Value::Map(m) => m.values().any(holds_infinity),
        _ => false,
    }
}

/// Renders template parts to a string: unknown when any part that is
/// rendered is unknown (or an `if` condition or `for` collection is),
/// secret when any is secret.
pub(crate) fn interpolate(parts: &[Part], scope: &dyn Scope) -> Result<Value, ExprError> {
    let mut r = Rendered::default();
    r.parts(parts, scope)?;
    if r.unknown {
        return Ok(Value::Unknown);
    }
    Ok(taint(Value::String(r.out), r.secret))
}

/// A template being rendered.
#[derive(Default)]
struct Rendered {
    out: String,
    unknown: bool,
    secret: bool,
}

impl Rendered {
    fn parts(&mut self, parts: &[Part], scope: &dyn Scope) -> Result<(), ExprError> {
        for part in parts {
            match part {
                Part::Text(t) => self.out.push_str(t),
                Part::Expr(e) => self.splice(e, scope)?,
                Part::If(c, yes, no) => {
                    let v = eval(c, scope)?;
                    if matches!(v.unwrap_secret().0, Value::Null) {
                        return Err(ExprError::new("the `%{ if }` condition is null", c.span));
                    }
                    self.secret |= v.contains_secret();
                    match ops::to_bool(&v, c.span)? {
                        // Keep going: a later part may still be an error worth reporting.
                        None => self.unknown = true,
                        Some(true) => self.parts(yes, scope)?,
                        Some(false) => self.parts(no, scope)?,
                    }
                }
                Part::For(f) => {
                    let coll = eval(&f.collection, scope)?;
                    let Some((items, secret)) = for_expr::items(&coll, f.collection.span)? else {
                        self.unknown = true;
                        continue;
                    };
                    self.secret |= secret;
                    for (k, v) in items {
                        let mut vars = Vec::with_capacity(2);
                        if let Some(name) = &f.key_var {
                            vars.push((name.clone(), k));
                        }
                        vars.push((f.value_var.clone(), v));
                        self.parts(&f.body, &Locals::new(scope, vars))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Splices an interpolation's value in its string form.
    fn splice(&mut self, e: &Expr, scope: &dyn Scope) -> Result<(), ExprError> {
        let v = eval(e, scope)?;
        let (inner, is_secret) = v.unwrap_secret();
        self.secret |= is_secret;
        if matches!(inner, Value::Unknown) {
            self.unknown = true;
            return Ok(());
        }
        match inner.to_interpolated() {
            Some(s) => {
                self.out.push_str(&s);
                Ok(())
            }
            None => Err(ExprError::new(
                format!("cannot put a {} into a string", inner.kind()),
                e.span,
            )
            .with_hint(
                "use join() or jsonencode(), or make the whole string \"${...}\" to keep the value's type",
            )),
        }
    }
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
    let hint = suggest(name, function_names()).unwrap_or_else(|| {
        format!(
            "available functions: {}",
            function_names().collect::<Vec<_>>().join(", ")
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

/// `base[*].a[0]` / `base.*.a`: the accessors over every element of a
/// list; a null base gives an empty list and any other value, a table
/// included, is treated as a list of that one value, as in HCL.
fn splat(
    base: Value,
    accessors: &[Accessor],
    span: Span,
    scope: &dyn Scope,
) -> Result<Value, ExprError> {
    let (inner, secret) = base.unwrap_secret();
    let table = matches!(inner, Value::Map(_));
    let items: Vec<Value> = match inner {
        Value::Unknown => return Ok(Value::Unknown),
        Value::List(items) => items.clone(),
        // As in Terraform, anything else, a table included (a resource with
        // `for_each` is one), is a list of itself: `values(r)[*].id`
        // reaches every instance.
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    };
    // Indexes are evaluated once, in the splat's scope.
    let steps = accessors
        .iter()
        .map(|a| match a {
            Accessor::Attr(name) => Ok((Step::Attr(name), span)),
            Accessor::Index(i) => Ok((Step::Index(eval(i, scope)?), i.span)),
        })
        .collect::<Result<Vec<_>, ExprError>>()?;
    let out = items
        .into_iter()
        .map(|item| {
            steps.iter().try_fold(item, |acc, (step, at)| match step {
                Step::Attr(name) => get_attr(acc, name, span),
                Step::Index(i) => get_index(acc, i.clone(), span, *at),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            if !table {
                return e;
            }
            e.with_hint(
                "`[*]` over a table is a list of that one table, as in Terraform; \
                 for its values (the instances of a `for_each` resource) write `values(x)[*]`",
            )
        })?;
    Ok(taint(Value::List(out), secret))
}
