//! Tests of the expression language: parsing, references, evaluation,
//! operators, conditionals, `for`, `can`/`try`, functions and robustness
//! against malformed input.

mod eval;
mod forms;
mod functions;
mod operators;
mod parse;
mod references;
mod robustness;
mod templates;

use std::path::{Path, PathBuf};

use super::*;
use crate::base::{Map, Value};
use crate::base::{Span, did_you_mean};

/// A scope with a few resources, a config table and pending (unknown) values.
pub(super) struct TestScope {
    roots: Map,
    dir: PathBuf,
}

impl Scope for TestScope {
    fn root(&self, name: &str) -> Result<Value, (String, Option<String>)> {
        self.roots.get(name).cloned().ok_or_else(|| {
            (
                format!("unknown resource or data source `{name}`"),
                did_you_mean(name, self.roots.keys().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?")),
            )
        })
    }

    fn base_dir(&self) -> &Path {
        &self.dir
    }
}

pub(super) fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

pub(super) fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

pub(super) fn list(items: &[Value]) -> Value {
    Value::List(items.to_vec())
}

pub(super) fn scope() -> TestScope {
    let roots = [
        (
            "vpc",
            map(&[("id", s("vpc-123")), ("cidr_block", s("10.0.0.0/16"))]),
        ),
        ("my-vpc", map(&[("id", s("vpc-456"))])),
        ("pending", map(&[("id", Value::Unknown), ("name", s("p"))])),
        ("unknown", Value::Unknown),
        (
            "subnet",
            list(&[
                map(&[("id", s("subnet-a")), ("az", s("a"))]),
                map(&[("id", s("subnet-b")), ("az", s("b"))]),
            ]),
        ),
        (
            "bucket",
            map(&[
                ("logs", map(&[("arn", s("arn:logs"))])),
                ("data", map(&[("arn", s("arn:data"))])),
            ]),
        ),
        (
            "config",
            map(&[
                ("name", s("web")),
                ("port", Value::Int(8080)),
                ("ratio", Value::Float(0.5)),
                ("enabled", Value::Bool(true)),
                ("tags", map(&[("env", s("prod")), ("team", s("ops"))])),
                ("password", Value::secret(s("hunter2"))),
                ("keys", Value::secret(list(&[s("k1"), s("k2")]))),
                ("zones", list(&[s("a"), s("b"), s("c")])),
                ("nothing", Value::Null),
            ]),
        ),
        ("count", map(&[("index", Value::Int(1))])),
        ("nums", list(&[Value::Int(3), Value::Int(1), Value::Int(2)])),
    ];
    TestScope {
        roots: roots.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
    }
}

/// Parses a bare expression whose text starts at file offset 0.
pub(super) fn parse(src: &str) -> Expr {
    parse_expression(src, Some(0), Span::new(0, src.len()))
        .unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

/// Parses a template whose content starts at file offset 0.
pub(super) fn tpl(src: &str) -> Template {
    parse_template(src, Some(0), Span::new(0, src.len())).unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

pub(super) fn parse_err(src: &str) -> ExprError {
    match parse_template(src, Some(0), Span::new(0, src.len())) {
        Ok(t) => panic!("{src} parsed: {t:?}"),
        Err(e) => e,
    }
}

pub(super) fn ev(src: &str) -> Result<Value, ExprError> {
    eval(&parse(src), &scope())
}

pub(super) fn ok(src: &str) -> Value {
    ev(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

pub(super) fn err(src: &str) -> ExprError {
    match ev(src) {
        Ok(v) => panic!("{src} evaluated to {v:?}"),
        Err(e) => e,
    }
}

pub(super) fn render(src: &str) -> Result<Value, ExprError> {
    eval_template(&tpl(src), &scope())
}
