//! A recursive-descent parser for expressions.
//!
//! HCL's grammar and precedence, loosest first: `?:`, `||`, `&&`, `== !=`,
//! `< <= > >=`, `+ -`, `* / %`, unary `! -`, then accessors (`.attr`,
//! `[index]`, `[*]`, `.*`) and calls; binary operators associate to the
//! left. Nesting is bounded so that no input can exhaust the stack, here or
//! later when the tree is walked.

use super::ast::{Accessor, BinOp, Expr, ExprKind, ForExpr};
use super::error::ExprError;
use super::lexer::{Lexer, SpanMap, Tok, Token};
use super::template::Part;
use super::template_parse::{End, parse_parts};
use crate::base::Span;
use crate::base::Value;

/// How deeply parentheses, lists, objects, calls, indices, conditionals,
/// `for` expressions and unary operators may nest.
pub(crate) const MAX_NESTING: usize = 64;
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

/// Parses an expression from byte `start` of `content` through the `}` that
/// closes `what` (`${` or a `%{` directive). Returns the expression, the
/// byte position after the `}`, whether a `~` came right before it and the
/// expression's tree depth. `nesting` is how deeply the text sits inside other expressions.
pub(crate) fn parse_until_brace(
    content: &str,
    start: usize,
    open: Span,
    map: SpanMap,
    what: &str,
    nesting: usize,
) -> Result<(Expr, usize, bool, usize), ExprError> {
    let mut p = Parser::new(content, start, map, Some(open));
    p.nesting = nesting;
    let node = p.expr()?;
    let (end, strip) = p.close_brace(what)?;
    Ok((node.expr, end, strip, node.depth))
}

/// The parser positioned inside a `%{` directive, for the template parser
/// to read keywords and expressions one at a time.
pub(crate) struct Directive<'a> {
    p: Parser<'a>,
}

impl<'a> Directive<'a> {
    pub(crate) fn new(
        content: &'a str,
        start: usize,
        open: Span,
        map: SpanMap,
        nesting: usize,
    ) -> Directive<'a> {
        let mut p = Parser::new(content, start, map, Some(open));
        p.nesting = nesting;
        p.opener = "`%{`";
        Directive { p }
    }

    /// The next token, consumed.
    pub(crate) fn next(&mut self) -> Result<Token, ExprError> {
        self.p.next()
    }

    /// An identifier (a loop variable), or an error saying `expected`.
    pub(crate) fn ident(&mut self, expected: &str) -> Result<(String, Span), ExprError> {
        self.p.ident(expected)
    }

    /// Whether the next token is `tok`; consumes it when so.
    pub(crate) fn eat(&mut self, tok: &Tok) -> Result<bool, ExprError> {
        self.p.eat(tok)
    }

    /// An expression and its tree depth.
    pub(crate) fn expr(&mut self) -> Result<(Expr, usize), ExprError> {
        self.p.expr().map(|n| (n.expr, n.depth))
    }

    /// The closing `}` (after an optional `~`): the position after it and
    /// whether the `~` was there.
    pub(crate) fn close(&mut self) -> Result<(usize, bool), ExprError> {
        self.p.close_brace("`%{`")
    }

    /// An "expected X, found Y" error at `found`.
    pub(crate) fn unexpected(&self, found: &Token, expected: &str) -> ExprError {
        self.p.unexpected(found, expected)
    }
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
    /// What opened it: "`${`" or "`%{`", for "unclosed" errors.
    opener: &'static str,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, start: usize, map: SpanMap, open: Option<Span>) -> Parser<'a> {
        Parser {
            lex: Lexer::new(src, start, map),
            peeked: None,
            nesting: 0,
            open,
            opener: "`${`",
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
                format!("unclosed {}: expected {expected}", self.opener),
                open.to(found.span),
            )
            .with_hint(if self.opener == "`${`" {
                "close the interpolation with `}`"
            } else {
                "close the directive with `}`"
            });
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

    /// The token after the next one, without consuming either.
    fn peek_second(&mut self) -> Result<Tok, ExprError> {
        self.peek()?;
        let mut ahead = self.lex;
        Ok(ahead.next_token()?.tok)
    }

    /// Whether the next token is `tok`; consumes it when so.
    fn eat(&mut self, tok: &Tok) -> Result<bool, ExprError> {
        if self.peek()? == tok {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn ident(&mut self, expected: &str) -> Result<(String, Span), ExprError> {
        let t = self.next()?;
        match t.tok {
            Tok::Ident(name) => Ok((name, t.span)),
            _ => Err(self.unexpected(&t, expected)),
        }
    }

    /// Expects the keyword `word` (`in`, `if`, ...).
    fn keyword(&mut self, word: &str, expected: &str) -> Result<Token, ExprError> {
        let t = self.next()?;
        match &t.tok {
            Tok::Ident(name) if name == word => Ok(t),
            _ => Err(self.unexpected(&t, expected)),
        }
    }

    /// `}` (after an optional `~`) closing `what`.
    fn close_brace(&mut self, what: &str) -> Result<(usize, bool), ExprError> {
        let strip = self.eat(&Tok::Tilde)?;
        let t = self.next()?;
        if t.tok != Tok::RBrace {
            return Err(self.unexpected(&t, &format!("`}}` to close {what}")));
        }
        Ok((self.lex.pos(), strip))
    }

    /// Runs `f` one nesting level deeper; every recursion of the grammar
    /// passes through here, so this is where nesting is bounded.
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ExprError>,
    ) -> Result<T, ExprError> {
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
            f(self)
        };
        self.nesting -= 1;
        result
    }

    fn expr(&mut self) -> Result<Node, ExprError> {
        self.nested(Parser::conditional)
    }

    /// `cond ? a : b`, the loosest form; both branches may be conditionals.
    fn conditional(&mut self) -> Result<Node, ExprError> {
        let cond = self.binary()?;
        if !self.eat(&Tok::Question)? {
            return Ok(cond);
        }
        let yes = self.expr()?;
        let t = self.next()?;
        if t.tok != Tok::Colon {
            return Err(self.unexpected(&t, "`:` between the results of `?`"));
        }
        let no = self.expr()?;
        let span = cond.expr.span.to(no.expr.span);
        let depth = cond.depth.max(yes.depth).max(no.depth) + 1;
        Parser::node(
            ExprKind::Conditional(Box::new(cond.expr), Box::new(yes.expr), Box::new(no.expr)),
            span,
            depth,
        )
    }

    /// Left-associative binary operators, by precedence climbing over an
    /// explicit stack (no recursion per precedence level, which keeps the
    /// stack frames per nesting level few).
    fn binary(&mut self) -> Result<Node, ExprError> {
        // Operands and the operators between them that still wait for a
        // tighter-binding right side.
        let mut operands = vec![self.unary()?];
        let mut pending: Vec<(BinOp, usize)> = Vec::new();
        loop {
            let tok = self.peek()?;
            let Some((op, level)) = operator(tok) else {
                break;
            };
            self.next()?;
            reduce(&mut operands, &mut pending, level)?;
            pending.push((op, level));
            operands.push(self.unary()?);
        }
        reduce(&mut operands, &mut pending, 0)?;
        match operands.pop() {
            Some(node) => Ok(node),
            // `operands` starts with one node and every reduction replaces
            // two with one, so one is always left.
            None => Err(ExprError::new("empty expression", Span::default())),
        }
    }

    fn unary(&mut self) -> Result<Node, ExprError> {
        let make: fn(Box<Expr>) -> ExprKind = match self.peek()? {
            Tok::Minus => ExprKind::Neg,
            Tok::Bang => ExprKind::Not,
            _ => return self.postfix(),
        };
        let op = self.next()?;
        let inner = self.nested(Parser::unary)?;
        let span = op.span.to(inner.expr.span);
        Parser::node(make(Box::new(inner.expr)), span, inner.depth + 1)
    }

    fn attr_name(&mut self) -> Result<(String, Span), ExprError> {
        self.ident("an attribute name after `.`")
    }

    fn postfix(&mut self) -> Result<Node, ExprError> {
        let mut base = self.primary()?;
        loop {
            base = match self.peek()? {
                Tok::Dot => {
                    self.next()?;
                    if self.peek()? == &Tok::Star {
                        let star = self.next()?;
                        self.splat(base, star.span, false)?
                    } else if let Tok::Int(i) = *self.peek()? {
                        // HCL's legacy index: `a.0` is `a[0]`.
                        let t = self.next()?;
                        let index = Expr::new(ExprKind::Literal(Value::Int(i)), t.span);
                        let span = base.expr.span.to(t.span);
                        Parser::node(
                            ExprKind::Index(Box::new(base.expr), Box::new(index)),
                            span,
                            base.depth + 1,
                        )?
                    } else {
                        let (name, end) = self.attr_name()?;
                        let span = base.expr.span.to(end);
                        Parser::node(
                            ExprKind::GetAttr(Box::new(base.expr), name),
                            span,
                            base.depth + 1,
                        )?
                    }
                }
                Tok::LBracket => {
                    self.next()?;
                    if self.peek()? == &Tok::Star {
                        self.next()?;
                        let end = self.expect(&Tok::RBracket, "`]` after `[*`")?.span;
                        self.splat(base, end, true)?
                    } else {
                        let index = self.expr()?;
                        let close = self.expect(&Tok::RBracket, "`]`")?;
                        let span = base.expr.span.to(close.span);
                        let depth = base.depth.max(index.depth) + 1;
                        Parser::node(
                            ExprKind::Index(Box::new(base.expr), Box::new(index.expr)),
                            span,
                            depth,
                        )?
                    }
                }
                _ => return Ok(base),
            };
        }
    }

    /// The accessors after `[*]` (attributes and indexes) or `.*`
    /// (attributes only), which the splat maps over every element.
    fn splat(&mut self, base: Node, mut end: Span, full: bool) -> Result<Node, ExprError> {
        let mut accessors = Vec::new();
        let mut depth = base.depth;
        loop {
            let (first, second) = (self.peek()?.clone(), self.peek_second()?);
            match first {
                Tok::Dot if matches!(second, Tok::Ident(_)) => {
                    self.next()?;
                    let (name, at) = self.attr_name()?;
                    accessors.push(Accessor::Attr(name));
                    end = at;
                }
                Tok::LBracket if full && second != Tok::Star => {
                    self.next()?;
                    let index = self.expr()?;
                    end = self.expect(&Tok::RBracket, "`]`")?.span;
                    depth = depth.max(index.depth);
                    accessors.push(Accessor::Index(index.expr));
                }
                _ => break,
            }
        }
        let span = base.expr.span.to(end);
        Parser::node(
            ExprKind::Splat(Box::new(base.expr), accessors),
            span,
            depth + 1,
        )
    }

    fn primary(&mut self) -> Result<Node, ExprError> {
        let t = self.next()?;
        let literal = |v: Value| Parser::node(ExprKind::Literal(v), t.span, 1);
        match &t.tok {
            Tok::Int(i) => literal(Value::Int(*i)),
            Tok::Float(x) => literal(Value::Float(*x)),
            Tok::Quote => self.quoted(t.span),
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
            Tok::LBracket if self.at_for()? => self.for_expr(t.span, false),
            Tok::LBracket => {
                let (items, end, depth, _) =
                    self.sequence(&Tok::RBracket, "`,` or `]` in the list", false)?;
                Parser::node(ExprKind::List(items), t.span.to(end), depth + 1)
            }
            Tok::LBrace if self.at_for()? => self.for_expr(t.span, true),
            Tok::LBrace => self.object(t.span),
            _ => Err(self.unexpected(&t, "an expression")),
        }
    }

    /// A quoted string after its `"`: a template itself, as in HCL. Plain
    /// text is a string literal and a lone `"${x}"` is `x` with its type.
    fn quoted(&mut self, open: Span) -> Result<Node, ExprError> {
        let (parts, end, depth) = parse_parts(
            self.lex.src(),
            self.lex.pos(),
            self.lex.map(),
            End::Quote(open),
            self.nesting,
        )?;
        self.lex.seek(end);
        let span = open.to(self.lex.span_to(end));
        let mut parts = parts.into_iter();
        let kind = match (parts.next(), parts.next()) {
            (None, _) => ExprKind::Literal(Value::String(String::new())),
            (Some(Part::Text(t)), None) => ExprKind::Literal(Value::String(t)),
            (Some(Part::Expr(e)), None) => return Parser::node(e.kind, span, depth),
            (Some(first), second) => {
                ExprKind::Template(std::iter::once(first).chain(second).chain(parts).collect())
            }
        };
        Parser::node(kind, span, depth + 1)
    }

    /// Whether `for NAME` comes next (after a `[` or `{`).
    fn at_for(&mut self) -> Result<bool, ExprError> {
        Ok(matches!(self.peek()?, Tok::Ident(w) if w == "for")
            && matches!(self.peek_second()?, Tok::Ident(_)))
    }

    /// `{ key = value, ... }`; items are separated by commas or newlines,
    /// and `:` may stand for `=`, as in HCL.
    fn object(&mut self, open: Span) -> Result<Node, ExprError> {
        let mut items = Vec::new();
        let mut depth = 0;
        loop {
            if self.peek()? == &Tok::RBrace {
                let close = self.next()?;
                return Parser::node(ExprKind::Object(items), open.to(close.span), depth + 1);
            }
            let key = self.object_key()?;
            let t = self.next()?;
            if !matches!(t.tok, Tok::Assign | Tok::Colon) {
                return Err(self.unexpected(&t, "`=` after the key in the object"));
            }
            let value = self.expr()?;
            depth = depth.max(key.depth).max(value.depth);
            items.push((key.expr, value.expr));
            let newline = {
                self.peek()?;
                self.peeked.as_ref().is_some_and(|t| t.newline_before)
            };
            match self.peek()? {
                Tok::Comma => {
                    self.next()?;
                }
                Tok::RBrace => {}
                _ if newline => {}
                _ => {
                    let t = self.next()?;
                    return Err(self.unexpected(&t, "`,`, a newline or `}` in the object"));
                }
            }
        }
    }

    /// An object key: a bare name is the string itself (as in HCL); any
    /// other expression, e.g. `(var.name)`, is evaluated.
    fn object_key(&mut self) -> Result<Node, ExprError> {
        if let Tok::Ident(name) = self.peek()?.clone()
            && matches!(self.peek_second()?, Tok::Assign | Tok::Colon)
        {
            let t = self.next()?;
            return Parser::node(ExprKind::Literal(Value::String(name)), t.span, 1);
        }
        self.expr()
    }

    /// `[for k, v in coll : value if cond]` / `{for ... : key => value...}`
    /// after its opening bracket.
    fn for_expr(&mut self, open: Span, object: bool) -> Result<Node, ExprError> {
        self.next()?; // `for`, which `at_for` saw
        let (first, _) = self.ident("a variable name after `for`")?;
        let (key_var, value_var) = if self.eat(&Tok::Comma)? {
            let (second, _) = self.ident("a second variable name after `,`")?;
            (Some(first), second)
        } else {
            (None, first)
        };
        self.keyword("in", "`in` after the variables of `for`")?;
        let collection = self.expr()?;
        let t = self.next()?;
        if t.tok != Tok::Colon {
            return Err(self.unexpected(&t, "`:` after the collection of `for`"));
        }
        let key = if object {
            let k = self.expr()?;
            let t = self.next()?;
            if t.tok != Tok::FatArrow {
                return Err(self.unexpected(&t, "`=>` after the key of a `{for}`"));
            }
            Some(k)
        } else {
            None
        };
        let value = self.expr()?;
        let group = object && self.eat(&Tok::Ellipsis)?;
        let cond = if matches!(self.peek()?, Tok::Ident(w) if w == "if") {
            self.next()?;
            Some(self.expr()?)
        } else {
            None
        };
        let (close, what) = if object {
            (Tok::RBrace, "`}` to close the `{for}`")
        } else {
            (Tok::RBracket, "`]` to close the `[for]`")
        };
        let end = self.expect(&close, what)?.span;
        let depth = [Some(&collection), key.as_ref(), Some(&value), cond.as_ref()]
            .into_iter()
            .flatten()
            .map(|n| n.depth)
            .max()
            .unwrap_or(0);
        let f = ForExpr {
            key_var,
            value_var,
            collection: collection.expr,
            key: key.map(|k| k.expr),
            value: value.expr,
            group,
            cond: cond.map(|c| c.expr),
        };
        Parser::node(ExprKind::For(Box::new(f)), open.to(end), depth + 1)
    }

    fn call(&mut self, name: String, name_span: Span) -> Result<Node, ExprError> {
        self.next()?; // the `(` the caller peeked
        let expected = format!("`,` or `)` in the arguments of `{name}`");
        let (args, end, depth, expand) = self.sequence(&Tok::RParen, &expected, true)?;
        Parser::node(
            ExprKind::Call(name, args, expand),
            name_span.to(end),
            depth + 1,
        )
    }

    /// Comma-separated expressions up to `close` (a trailing comma is fine).
    /// Returns them, the span of `close`, their greatest depth and whether
    /// the last one was followed by `...` (only allowed when `expand`).
    fn sequence(
        &mut self,
        close: &Tok,
        expected: &str,
        expand: bool,
    ) -> Result<(Vec<Expr>, Span, usize, bool), ExprError> {
        let mut items = Vec::new();
        let mut depth = 0;
        loop {
            if self.peek()? == close {
                let t = self.next()?;
                return Ok((items, t.span, depth, false));
            }
            let item = self.expr()?;
            depth = depth.max(item.depth);
            items.push(item.expr);
            if expand && self.eat(&Tok::Ellipsis)? {
                let t = self.next()?;
                if t.tok != *close {
                    return Err(self.unexpected(&t, "`)` after the expanded last argument"));
                }
                return Ok((items, t.span, depth, true));
            }
            let t = self.next()?;
            if t.tok == *close {
                return Ok((items, t.span, depth, false));
            }
            if t.tok != Tok::Comma {
                return Err(self.unexpected(&t, expected));
            }
        }
    }
}

/// The binary operators by precedence, loosest first.
const LEVELS: &[&[(Tok, BinOp)]] = &[
    &[(Tok::OrOr, BinOp::Or)],
    &[(Tok::AndAnd, BinOp::And)],
    &[(Tok::EqEq, BinOp::Eq), (Tok::NotEq, BinOp::NotEq)],
    &[
        (Tok::Lt, BinOp::Lt),
        (Tok::Le, BinOp::Le),
        (Tok::Gt, BinOp::Gt),
        (Tok::Ge, BinOp::Ge),
    ],
    &[(Tok::Plus, BinOp::Add), (Tok::Minus, BinOp::Sub)],
    &[
        (Tok::Star, BinOp::Mul),
        (Tok::Slash, BinOp::Div),
        (Tok::Percent, BinOp::Mod),
    ],
];

/// The binary operator `tok` stands for and its precedence (1 loosest).
fn operator(tok: &Tok) -> Option<(BinOp, usize)> {
    LEVELS.iter().enumerate().find_map(|(level, ops)| {
        ops.iter()
            .find(|(t, _)| t == tok)
            .map(|&(_, op)| (op, level + 1))
    })
}

/// Folds the pending operators that bind at least as tightly as `level`
/// (so equal precedence associates to the left).
fn reduce(
    operands: &mut Vec<Node>,
    pending: &mut Vec<(BinOp, usize)>,
    level: usize,
) -> Result<(), ExprError> {
    while let Some(&(op, l)) = pending.last() {
        if l < level {
            break;
        }
        pending.pop();
        let (Some(rhs), Some(lhs)) = (operands.pop(), operands.pop()) else {
            // There is always one more operand than pending operators.
            break;
        };
        operands.push(binary(op, lhs, rhs)?);
    }
    Ok(())
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
