//! A recursive-descent parser for expressions.
//!
//! Precedence, loosest first: `+ -`, `*`, unary `-`, then accessors
//! (`.attr`, `[index]`, `[*]`) and calls. Nesting is bounded so that no input
//! can exhaust the stack, here or later when the tree is walked.

use super::ast::{BinOp, Expr, ExprKind};
use super::error::ExprError;
use super::lexer::{Lexer, SpanMap, Tok, Token};
use crate::base::Span;
use crate::base::Value;

/// How deeply parentheses, lists, calls, indices and unary minus may nest.
const MAX_NESTING: usize = 64;
/// How deep the syntax tree may get (long operator or accessor chains count).
const MAX_DEPTH: usize = 128;

/// Parses a bare expression (no `${ }` around it). `content_start` and `span`
/// work as for [`super::parse_template`]. Templates parse their own
/// expressions; this entry point serves the parser's tests.
#[cfg(test)]
pub fn parse_expression(
    text: &str,
    content_start: Option<usize>,
    span: Span,
) -> Result<Expr, ExprError> {
    let mut p = Parser::new(text, 0, SpanMap::new(content_start, span), None);
    let node = p.expr()?;
    let t = p.next()?;
    if t.tok != Tok::Eof {
        return Err(p.unexpected(&t, "the end of the expression"));
    }
    Ok(node.expr)
}

/// Parses the expression of an interpolation starting at byte `start` of
/// `content` (just after `${`) through its closing `}`. Returns the
/// expression and the byte position after the `}`.
pub(crate) fn parse_interpolation(
    content: &str,
    start: usize,
    open: Span,
    map: SpanMap,
) -> Result<(Expr, usize), ExprError> {
    let mut p = Parser::new(content, start, map, Some(open));
    let node = p.expr()?;
    let t = p.next()?;
    if t.tok != Tok::RBrace {
        return Err(p.unexpected(&t, "`}` to close `${`"));
    }
    Ok((node.expr, p.lex.pos()))
}

/// An expression and the depth of its tree.
struct Node {
    expr: Expr,
    depth: usize,
}

struct Parser<'a> {
    lex: Lexer<'a>,
    peeked: Option<Token>,
    nesting: usize,
    /// The `${` this expression sits in; `None` for a bare expression.
    open: Option<Span>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, start: usize, map: SpanMap, open: Option<Span>) -> Parser<'a> {
        Parser {
            lex: Lexer::new(src, start, map),
            peeked: None,
            nesting: 0,
            open,
        }
    }

    fn peek(&mut self) -> Result<&Tok, ExprError> {
        let tok = match self.peeked.take() {
            Some(t) => t,
            None => self.lex.next_token()?,
        };
        Ok(&self.peeked.insert(tok).tok)
    }

    fn next(&mut self) -> Result<Token, ExprError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex.next_token(),
        }
    }

    fn expect(&mut self, want: &Tok, expected: &str) -> Result<Token, ExprError> {
        let t = self.next()?;
        if &t.tok == want {
            Ok(t)
        } else {
            Err(self.unexpected(&t, expected))
        }
    }

    fn unexpected(&self, found: &Token, expected: &str) -> ExprError {
        if let (Tok::Eof, Some(open)) = (&found.tok, self.open) {
            return ExprError::new(
                format!("unclosed `${{`: expected {expected}"),
                open.to(found.span),
            )
            .with_hint("close the interpolation with `}`");
        }
        ExprError::new(
            format!("expected {expected}, found {}", found.tok.describe()),
            found.span,
        )
    }

    fn node(kind: ExprKind, span: Span, depth: usize) -> Result<Node, ExprError> {
        if depth > MAX_DEPTH {
            return Err(ExprError::new(
                format!("expression is nested too deeply (more than {MAX_DEPTH} levels)"),
                span,
            )
            .with_hint("split it into smaller expressions"));
        }
        Ok(Node {
            expr: Expr::new(kind, span),
            depth,
        })
    }

    fn expr(&mut self) -> Result<Node, ExprError> {
        self.additive()
    }

    fn additive(&mut self) -> Result<Node, ExprError> {
        let mut lhs = self.multiplicative()?;
        loop {
            let op = match self.peek()? {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.next()?;
            let rhs = self.multiplicative()?;
            lhs = binary(op, lhs, rhs)?;
        }
    }

    fn multiplicative(&mut self) -> Result<Node, ExprError> {
        let mut lhs = self.unary()?;
        while self.peek()? == &Tok::Star {
            self.next()?;
            let rhs = self.unary()?;
            lhs = binary(BinOp::Mul, lhs, rhs)?;
        }
        Ok(lhs)
    }

    /// Every path of nested parsing runs through here, so this is where the
    /// nesting is bounded.
    fn unary(&mut self) -> Result<Node, ExprError> {
        self.nesting += 1;
        let result = if self.nesting > MAX_NESTING {
            let span = match self.next() {
                Ok(t) => t.span,
                Err(e) => e.span,
            };
            Err(ExprError::new(
                format!("expression is nested too deeply (more than {MAX_NESTING} levels)"),
                span,
            )
            .with_hint("split it into smaller expressions"))
        } else {
            self.unary_inner()
        };
        self.nesting -= 1;
        result
    }

    fn unary_inner(&mut self) -> Result<Node, ExprError> {
        if self.peek()? == &Tok::Minus {
            let minus = self.next()?;
            let inner = self.unary()?;
            let span = minus.span.to(inner.expr.span);
            return Parser::node(ExprKind::Neg(Box::new(inner.expr)), span, inner.depth + 1);
        }
        self.postfix()
    }

    fn attr_name(&mut self) -> Result<(String, Span), ExprError> {
        let t = self.next()?;
        match t.tok {
            Tok::Ident(name) => Ok((name, t.span)),
            _ => Err(self.unexpected(&t, "an attribute name after `.`")),
        }
    }

    fn postfix(&mut self) -> Result<Node, ExprError> {
        let mut base = self.primary()?;
        loop {
            match self.peek()? {
                Tok::Dot => {
                    self.next()?;
                    let (name, end) = self.attr_name()?;
                    let span = base.expr.span.to(end);
                    base = Parser::node(
                        ExprKind::GetAttr(Box::new(base.expr), name),
                        span,
                        base.depth + 1,
                    )?;
                }
                Tok::LBracket => {
                    self.next()?;
                    if self.peek()? == &Tok::Star {
                        self.next()?;
                        let mut end = self.expect(&Tok::RBracket, "`]` after `[*`")?.span;
                        let mut attrs = Vec::new();
                        while self.peek()? == &Tok::Dot {
                            self.next()?;
                            let (name, at) = self.attr_name()?;
                            attrs.push(name);
                            end = at;
                        }
                        let span = base.expr.span.to(end);
                        base = Parser::node(
                            ExprKind::Splat(Box::new(base.expr), attrs),
                            span,
                            base.depth + 1,
                        )?;
                    } else {
                        let index = self.expr()?;
                        let close = self.expect(&Tok::RBracket, "`]`")?;
                        let span = base.expr.span.to(close.span);
                        let depth = base.depth.max(index.depth) + 1;
                        base = Parser::node(
                            ExprKind::Index(Box::new(base.expr), Box::new(index.expr)),
                            span,
                            depth,
                        )?;
                    }
                }
                _ => return Ok(base),
            }
        }
    }

    fn primary(&mut self) -> Result<Node, ExprError> {
        let t = self.next()?;
        let literal = |v: Value| Parser::node(ExprKind::Literal(v), t.span, 1);
        match &t.tok {
            Tok::Int(i) => literal(Value::Int(*i)),
            Tok::Float(x) => literal(Value::Float(*x)),
            Tok::Str(s) => literal(Value::String(s.clone())),
            Tok::Ident(name) => match name.as_str() {
                "true" => literal(Value::Bool(true)),
                "false" => literal(Value::Bool(false)),
                "null" => literal(Value::Null),
                _ => {
                    if self.peek()? == &Tok::LParen {
                        self.call(name.clone(), t.span)
                    } else {
                        Parser::node(ExprKind::Ident(name.clone()), t.span, 1)
                    }
                }
            },
            Tok::LParen => {
                let inner = self.expr()?;
                let close = self.expect(&Tok::RParen, "`)`")?;
                Ok(Node {
                    expr: Expr::new(inner.expr.kind, t.span.to(close.span)),
                    depth: inner.depth,
                })
            }
            Tok::LBracket => {
                let (items, end, depth) =
                    self.sequence(&Tok::RBracket, "`,` or `]` in the list")?;
                Parser::node(ExprKind::List(items), t.span.to(end), depth + 1)
            }
            _ => Err(self.unexpected(&t, "an expression")),
        }
    }

    fn call(&mut self, name: String, name_span: Span) -> Result<Node, ExprError> {
        self.next()?; // the `(` the caller peeked
        let expected = format!("`,` or `)` in the arguments of `{name}`");
        let (args, end, depth) = self.sequence(&Tok::RParen, &expected)?;
        Parser::node(ExprKind::Call(name, args), name_span.to(end), depth + 1)
    }

    /// Comma-separated expressions up to `close` (a trailing comma is fine).
    /// Returns them, the span of `close` and their greatest depth.
    fn sequence(
        &mut self,
        close: &Tok,
        expected: &str,
    ) -> Result<(Vec<Expr>, Span, usize), ExprError> {
        let mut items = Vec::new();
        let mut depth = 0;
        loop {
            if self.peek()? == close {
                let t = self.next()?;
                return Ok((items, t.span, depth));
            }
            let item = self.expr()?;
            depth = depth.max(item.depth);
            items.push(item.expr);
            let t = self.next()?;
            if t.tok == *close {
                return Ok((items, t.span, depth));
            }
            if t.tok != Tok::Comma {
                return Err(self.unexpected(&t, expected));
            }
        }
    }
}

fn binary(op: BinOp, lhs: Node, rhs: Node) -> Result<Node, ExprError> {
    let span = lhs.expr.span.to(rhs.expr.span);
    let depth = lhs.depth.max(rhs.depth) + 1;
    Parser::node(
        ExprKind::Binary(op, Box::new(lhs.expr), Box::new(rhs.expr)),
        span,
        depth,
    )
}
