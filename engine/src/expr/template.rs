//! Property values as declared: TOML structure whose strings may hold
//! `${...}` interpolations.

use super::ast::{Expr, Reference};
use super::lexer::SpanMap;
use super::parser::parse_interpolation;
use crate::base::Span;
use crate::base::Value;

pub use super::error::ExprError;

/// A property value as declared: TOML structure with templates in strings.
#[derive(Clone, Debug, PartialEq)]
pub enum Template {
    /// No `${}` anywhere.
    Literal(Value),
    /// Exactly `"${expr}"`: keeps the expression's type.
    Expr(Expr),
    /// `"a-${x}-b"`: a string; the span covers the string.
    Interpolated(Vec<Part>, Span),
    /// A TOML array with templates inside.
    List(Vec<Template>, Span),
    /// A TOML table with templates inside.
    Map(Vec<(String, Template)>, Span),
}

/// A piece of an interpolated string.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Literal text (with `$${` already turned into `${`).
    Text(String),
    /// An interpolation, spliced in its string form.
    Expr(Expr),
}

impl Template {
    /// Every reference made anywhere in the template, in source order.
    pub fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        self.collect_references(&mut out);
        out
    }

    fn collect_references(&self, out: &mut Vec<Reference>) {
        match self {
            Template::Literal(_) => {}
            Template::Expr(e) => out.extend(e.references()),
            Template::Interpolated(parts, _) => {
                for p in parts {
                    if let Part::Expr(e) = p {
                        out.extend(e.references());
                    }
                }
            }
            Template::List(items, _) => {
                for t in items {
                    t.collect_references(out);
                }
            }
            Template::Map(entries, _) => {
                for (_, t) in entries {
                    t.collect_references(out);
                }
            }
        }
    }

    /// True when there is no interpolation anywhere in the template.
    pub fn is_literal(&self) -> bool {
        match self {
            Template::Literal(_) => true,
            Template::Expr(_) | Template::Interpolated(..) => false,
            Template::List(items, _) => items.iter().all(Template::is_literal),
            Template::Map(entries, _) => entries.iter().all(|(_, t)| t.is_literal()),
        }
    }

    /// Builds a template from a plain value, parsing every string in it.
    /// All spans are `span` (the value's position in the file). Structures
    /// without any interpolation become a single [`Template::Literal`].
    pub fn from_value(v: &Value, span: Span) -> Result<Template, ExprError> {
        let t = match v {
            Value::String(s) => parse_template(s, None, span)?,
            Value::List(items) => Template::List(
                items
                    .iter()
                    .map(|i| Template::from_value(i, span))
                    .collect::<Result<_, _>>()?,
                span,
            ),
            Value::Map(m) => Template::Map(
                m.iter()
                    .map(|(k, i)| Ok((k.clone(), Template::from_value(i, span)?)))
                    .collect::<Result<_, ExprError>>()?,
                span,
            ),
            other => Template::Literal(other.clone()),
        };
        if matches!(t, Template::List(..) | Template::Map(..)) && t.is_literal() {
            return Ok(Template::Literal(v.clone()));
        }
        Ok(t)
    }
}

/// Parses a string value. `content` is the string's value (after TOML unescaping);
/// `content_start` is the file byte offset of its first character when the raw TOML
/// text maps 1:1 onto the content (no escapes), or None otherwise; spans then all
/// fall back to `string_span` (the span of the whole TOML string token).
pub fn parse_template(
    content: &str,
    content_start: Option<usize>,
    string_span: Span,
) -> Result<Template, ExprError> {
    let map = SpanMap::new(content_start, string_span);
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while let Some(rest) = content.get(i..).filter(|r| !r.is_empty()) {
        if rest.starts_with("$${") {
            text.push_str("${");
            i += 3;
        } else if rest.starts_with("${") {
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            let open = map.span(i, i + 2);
            let (expr, end) = parse_interpolation(content, i + 2, open, map)?;
            parts.push(Part::Expr(expr));
            i = end;
        } else {
            let Some(c) = rest.chars().next() else { break };
            text.push(c);
            i += c.len_utf8();
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    let mut parts = parts.into_iter();
    Ok(match (parts.next(), parts.next()) {
        (None, _) => Template::Literal(Value::String(String::new())),
        (Some(Part::Text(t)), None) => Template::Literal(Value::String(t)),
        (Some(Part::Expr(e)), None) => Template::Expr(e),
        (Some(first), Some(second)) => {
            let mut all = vec![first, second];
            all.extend(parts);
            Template::Interpolated(all, string_span)
        }
    })
}
