//! The expression language of stack files.
//!
//! A string property is a template: text with `${ ... }` interpolations and
//! `%{ if }` / `%{ for }` directives. [`parse_template`] turns such a
//! string into a [`Template`], [`Expr::references`] and
//! [`Template::references`] tell the engine what an expression depends on, and
//! [`eval`] / [`eval_template`] compute values against a [`Scope`] that the
//! engine implements. Unknown values ("known after up") flow through every
//! operation without error; secrets taint whatever they flow into.

pub mod ast;
mod cidr;
mod convert;
mod error;
pub mod eval;
mod for_expr;
mod functions;
mod lexer;
mod ops;
pub mod parser;
mod special;
pub mod template;
mod template_parse;

#[cfg(test)]
mod tests;

pub use ast::{Expr, ExprKind, PathSegment, Reference};
pub use error::ExprError;
pub use eval::Vars;
#[cfg(test)]
pub use eval::eval;
pub(crate) use eval::walk_map;
pub use eval::{FunctionDoc, Scope, Step, eval_template, function_docs, function_names};
pub(crate) use functions::{plan_time, set_plan_time};
#[cfg(test)]
pub use parser::parse_expression;
pub use template::{Part, Template, parse_template};
