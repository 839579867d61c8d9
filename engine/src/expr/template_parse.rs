//! Parsing template text into [`Part`]s: literal text, `${ }`
//! interpolations and the `%{ if }` / `%{ for }` directives, with HCL's
//! `~` strip markers and the `$${` / `%%{` escapes.
//!
//! The same scanner reads a whole TOML string and a quoted string inside
//! an expression (which is a template too, as in HCL), where it also
//! handles the backslash escapes and stops at the closing quote.
//! Directives are matched with an explicit stack and their nesting counts
//! against the expression nesting limit, so no input can exhaust the stack.

use super::error::ExprError;
use super::lexer::{SpanMap, Tok};
use super::parser::{Directive, MAX_NESTING, parse_until_brace};
use super::template::{ForPart, Part};
use crate::base::Span;

/// What the scanner found, before directives are matched up.
enum Item {
    Text(String),
    Part(Part),
    If(super::ast::Expr, Span),
    Else(Span),
    EndIf(Span),
    For(Option<String>, String, super::ast::Expr, Span),
    EndFor(Span),
}

/// Where the text ends.
#[derive(Clone, Copy)]
pub(crate) enum End {
    /// At the end of the content (a whole TOML string).
    Content,
    /// At the closing `"` of a quoted string that opened at this span.
    Quote(Span),
}

/// Parses template text from byte `start` of `content`. `nesting` is how
/// deeply this template sits inside expressions. Returns the parts, the
/// byte position after the text (after the closing quote for
/// [`End::Quote`]) and the tree depth of the parts.
pub(crate) fn parse_parts(
    content: &str,
    start: usize,
    map: SpanMap,
    end: End,
    nesting: usize,
) -> Result<(Vec<Part>, usize, usize), ExprError> {
    let (items, stop, depth) = scan(content, start, map, end, nesting)?;
    let (parts, directives) = build(items, nesting)?;
    Ok((parts, stop, depth + directives))
}

/// The text collected so far and whether its start is to be stripped.
#[derive(Default)]
struct TextBuf {
    text: String,
    strip_start: bool,
}

impl TextBuf {
    /// Moves the text into `items`, trimmed as the markers around it say.
    fn flush(&mut self, items: &mut Vec<Item>, strip_end: bool) {
        let mut text = std::mem::take(&mut self.text);
        if self.strip_start {
            text = text.trim_start().to_string();
        }
        if strip_end {
            text.truncate(text.trim_end().len());
        }
        self.strip_start = false;
        if !text.is_empty() {
            items.push(Item::Text(text));
        }
    }
}

fn scan(
    content: &str,
    start: usize,
    map: SpanMap,
    end: End,
    nesting: usize,
) -> Result<(Vec<Item>, usize, usize), ExprError> {
    let mut depth = 0;
    let mut items = Vec::new();
    let mut buf = TextBuf::default();
    let mut i = start;
    loop {
        let rest = content.get(i..).unwrap_or("");
        let quoted = matches!(end, End::Quote(_));
        if rest.is_empty() {
            if let End::Quote(open) = end {
                return Err(
                    ExprError::new("unterminated string", open.to(map.span(i, i)))
                        .with_hint("close the string with `\"`"),
                );
            }
            buf.flush(&mut items, false);
            return Ok((items, i, depth));
        }
        if quoted && rest.starts_with('"') {
            buf.flush(&mut items, false);
            return Ok((items, i + 1, depth));
        }
        if quoted && rest.starts_with('\\') {
            let (c, len) = escape(rest, i, map)?;
            buf.text.push(c);
            i += len;
        } else if rest.starts_with("$${") || rest.starts_with("%%{") {
            buf.text.push_str(&rest[1..3]);
            i += 3;
        } else if rest.starts_with("${") || rest.starts_with("%{") {
            let strip_left = rest[2..].starts_with('~');
            buf.flush(&mut items, strip_left);
            let body = i + 2 + usize::from(strip_left);
            let open = map.span(i, body);
            let (item, after, strip_right, d) = if rest.starts_with('$') {
                let (e, after, strip, d) =
                    parse_until_brace(content, body, open, map, "`${`", nesting)?;
                (Item::Part(Part::Expr(e)), after, strip, d)
            } else {
                directive(content, body, open, map, nesting)?
            };
            depth = depth.max(d);
            items.push(item);
            buf.strip_start = strip_right;
            i = after;
        } else {
            let Some(c) = rest.chars().next() else { break };
            buf.text.push(c);
            i += c.len_utf8();
        }
    }
    buf.flush(&mut items, false);
    Ok((items, i, depth))
}

/// A backslash escape at the start of `rest` (at content offset `at`):
/// the character and the escape's length.
fn escape(rest: &str, at: usize, map: SpanMap) -> Result<(char, usize), ExprError> {
    let mut chars = rest.chars().skip(1);
    let c = match chars.next() {
        Some('"') => '"',
        Some('\\') => '\\',
        Some('n') => '\n',
        Some('t') => '\t',
        Some('r') => '\r',
        Some(other) => {
            return Err(ExprError::new(
                format!("unknown escape `\\{other}` in string"),
                map.span(at, at + 1 + other.len_utf8()),
            )
            .with_hint(r#"supported escapes: \" \\ \n \t \r"#));
        }
        None => {
            return Err(ExprError::new("unterminated string", map.span(at, at + 1))
                .with_hint("close the string with `\"`"));
        }
    };
    Ok((c, 1 + c.len_utf8()))
}

/// The directive after `%{` (and its `~`): `if`, `else`, `endif`, `for` or
/// `endfor`, through its closing `}`.
fn directive(
    content: &str,
    body: usize,
    open: Span,
    map: SpanMap,
    nesting: usize,
) -> Result<(Item, usize, bool, usize), ExprError> {
    let mut depth = 0;
    let mut d = Directive::new(content, body, open, map, nesting);
    let t = d.next()?;
    let span = open.to(t.span);
    let keyword = match &t.tok {
        Tok::Ident(k) => k.as_str(),
        _ => "",
    };
    let item = match keyword {
        "if" => {
            let (e, n) = d.expr()?;
            depth = n;
            Item::If(e, span)
        }
        "else" => Item::Else(span),
        "endif" => Item::EndIf(span),
        "endfor" => Item::EndFor(span),
        "for" => {
            let (first, _) = d.ident("a variable name after `for`")?;
            let (key, value) = if d.eat(&Tok::Comma)? {
                let (second, _) = d.ident("a second variable name after `,`")?;
                (Some(first), second)
            } else {
                (None, first)
            };
            let t = d.next()?;
            if !matches!(&t.tok, Tok::Ident(w) if w == "in") {
                return Err(d.unexpected(&t, "`in` after the variables of `for`"));
            }
            let (e, n) = d.expr()?;
            depth = n;
            Item::For(key, value, e, span)
        }
        _ => {
            return Err(d.unexpected(&t, "`if`, `else`, `endif`, `for` or `endfor` after `%{`"));
        }
    };
    let (after, strip) = d.close()?;
    Ok((item, after, strip, depth))
}

/// An open directive while its body is collected.
enum Open {
    If {
        cond: super::ast::Expr,
        then: Option<Vec<Part>>,
        span: Span,
    },
    For {
        key: Option<String>,
        value: String,
        collection: super::ast::Expr,
        span: Span,
    },
}

/// Matches directives up into nested parts; also returns how deeply they
/// nest.
fn build(items: Vec<Item>, nesting: usize) -> Result<(Vec<Part>, usize), ExprError> {
    let mut b = Builder {
        stack: Vec::new(),
        parts: Vec::new(),
        deepest: 0,
        nesting,
    };
    for item in items {
        match item {
            Item::Text(t) => b.parts.push(Part::Text(t)),
            Item::Part(p) => b.parts.push(p),
            Item::If(cond, span) => b.open(
                Open::If {
                    cond,
                    then: None,
                    span,
                },
                span,
            )?,
            Item::For(key, value, collection, span) => b.open(
                Open::For {
                    key,
                    value,
                    collection,
                    span,
                },
                span,
            )?,
            Item::Else(span) => b.else_(span)?,
            Item::EndIf(span) => b.end_if(span)?,
            Item::EndFor(span) => b.end_for(span)?,
        }
    }
    b.finish()
}

/// The directives open while the parts are matched up.
struct Builder {
    /// Each open directive and the parts collected before it.
    stack: Vec<(Open, Vec<Part>)>,
    /// The parts of the innermost open body.
    parts: Vec<Part>,
    deepest: usize,
    nesting: usize,
}

impl Builder {
    fn open(&mut self, open: Open, span: Span) -> Result<(), ExprError> {
        if self.nesting + self.stack.len() >= MAX_NESTING {
            return Err(ExprError::new(
                format!(
                    "template directives are nested too deeply (more than {MAX_NESTING} levels)"
                ),
                span,
            )
            .with_hint("split the template into smaller ones"));
        }
        self.stack.push((open, std::mem::take(&mut self.parts)));
        self.deepest = self.deepest.max(self.stack.len());
        Ok(())
    }

    fn else_(&mut self, span: Span) -> Result<(), ExprError> {
        match self.stack.last_mut() {
            Some((
                Open::If {
                    then: then @ None, ..
                },
                _,
            )) => {
                *then = Some(std::mem::take(&mut self.parts));
                Ok(())
            }
            _ => Err(stray("%{ else }", "%{ if }", span)),
        }
    }

    fn end_if(&mut self, span: Span) -> Result<(), ExprError> {
        let Some((Open::If { cond, then, .. }, outer)) = pop_if(&mut self.stack, true) else {
            return Err(stray("%{ endif }", "%{ if }", span));
        };
        let body = std::mem::replace(&mut self.parts, outer);
        let (yes, no) = match then {
            Some(yes) => (yes, body),
            None => (body, Vec::new()),
        };
        self.parts.push(Part::If(cond, yes, no));
        Ok(())
    }

    fn end_for(&mut self, span: Span) -> Result<(), ExprError> {
        let Some((
            Open::For {
                key,
                value,
                collection,
                ..
            },
            outer,
        )) = pop_if(&mut self.stack, false)
        else {
            return Err(stray("%{ endfor }", "%{ for }", span));
        };
        let body = std::mem::replace(&mut self.parts, outer);
        self.parts.push(Part::For(Box::new(ForPart {
            key_var: key,
            value_var: value,
            collection,
            body,
        })));
        Ok(())
    }

    /// The parts, once every directive is closed.
    fn finish(mut self) -> Result<(Vec<Part>, usize), ExprError> {
        if let Some((open, _)) = self.stack.pop() {
            let (span, what, end) = match open {
                Open::If { span, .. } => (span, "%{ if }", "%{ endif }"),
                Open::For { span, .. } => (span, "%{ for }", "%{ endfor }"),
            };
            return Err(ExprError::new(format!("unclosed `{what}`"), span)
                .with_hint(format!("end it with `{end}`")));
        }
        Ok((self.parts, self.deepest))
    }
}

/// Pops the innermost open directive when it is an `if` (`want_if`) or a
/// `for` (otherwise).
fn pop_if(stack: &mut Vec<(Open, Vec<Part>)>, want_if: bool) -> Option<(Open, Vec<Part>)> {
    match stack.last() {
        Some((Open::If { .. }, _)) if want_if => stack.pop(),
        Some((Open::For { .. }, _)) if !want_if => stack.pop(),
        _ => None,
    }
}

fn stray(what: &str, opener: &str, span: Span) -> ExprError {
    ExprError::new(format!("`{what}` without a matching `{opener}`"), span)
}
