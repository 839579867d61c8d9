//! Property values as declared: TOML structure whose strings are
//! templates: text with `${...}` interpolations and `%{ if }` / `%{ for }`
//! directives (parsed by [`super::template_parse`]).

use super::ast::{Expr, Reference};
use super::lexer::SpanMap;
use super::template_parse::{End, parse_parts};
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
    /// `%{ if cond }yes%{ else }no%{ endif }`.
    If(Expr, Vec<Part>, Vec<Part>),
    /// `%{ for k, v in coll }body%{ endfor }`.
    For(Box<ForPart>),
}

/// A `%{ for }` directive.
#[derive(Clone, Debug, PartialEq)]
pub struct ForPart {
    /// The key (or index) variable, when two are named.
    pub key_var: Option<String>,
    pub value_var: String,
    pub collection: Expr,
    pub body: Vec<Part>,
}

impl Part {
    /// Every expression in `parts`, directives' bodies included, in source
    /// order.
    pub fn exprs_of(parts: &[Part]) -> Vec<&Expr> {
        let mut out = Vec::new();
        for p in parts {
            match p {
                Part::Text(_) => {}
                Part::Expr(e) => out.push(e),
                Part::If(c, yes, no) => {
                    out.push(c);
                    out.extend(Part::exprs_of(yes));
                    out.extend(Part::exprs_of(no));
                }
                Part::For(f) => {
                    out.push(&f.collection);
                    out.extend(Part::exprs_of(&f.body));
                }
            }
        }
        out
    }

    /// The references `parts` make; a `%{ for }`'s variables are local to
    /// its body.
    pub(crate) fn collect_references(parts: &[Part], out: &mut Vec<Reference>) {
        for p in parts {
            match p {
                Part::Text(_) => {}
                Part::Expr(e) => e.collect_references(out),
                Part::If(c, yes, no) => {
                    c.collect_references(out);
                    Part::collect_references(yes, out);
                    Part::collect_references(no, out);
                }
                Part::For(f) => {
                    f.collection.collect_references(out);
                    let mut inner = Vec::new();
                    Part::collect_references(&f.body, &mut inner);
                    out.extend(inner.into_iter().filter(|r| {
                        r.root != f.value_var && f.key_var.as_deref() != Some(r.root.as_str())
                    }));
                }
            }
        }
    }
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
                let mut refs = Vec::new();
                Part::collect_references(parts, &mut refs);
                refs.sort_by_key(|r| r.span.start);
                out.extend(refs);
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
    let (parts, _, _) = parse_parts(content, 0, map, End::Content, 0)?;
    let mut parts = parts.into_iter();
    Ok(match (parts.next(), parts.next()) {
        (None, _) => Template::Literal(Value::String(String::new())),
        (Some(Part::Text(t)), None) => Template::Literal(Value::String(t)),
        (Some(Part::Expr(e)), None) => Template::Expr(e),
        (Some(first), second) => Template::Interpolated(
            std::iter::once(first).chain(second).chain(parts).collect(),
            string_span,
        ),
    })
}
