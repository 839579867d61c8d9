//! Splits expression text into tokens.
//!
//! Whitespace and HCL's comments (`#` and `//` to the end of the line,
//! `/* ... */`) separate tokens; a line comment counts as a newline, as it
//! ends one. After a `.` a number is read as whole digits only, so the
//! legacy index `a.0.1` is two indices, not `a` and the float `0.1`.

use super::error::ExprError;
use crate::base::Span;

/// Maps offsets within a string's content to file offsets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SpanMap {
    /// File offset of the content's first byte, when the TOML text maps 1:1
    /// onto the content.
    start: Option<usize>,
    /// The span of the whole TOML string, used when offsets can't be mapped.
    fallback: Span,
}

impl SpanMap {
    pub(crate) fn new(start: Option<usize>, fallback: Span) -> SpanMap {
        SpanMap { start, fallback }
    }

    /// The file span of content bytes `start..end`.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        match self.start {
            Some(base) => Span::new(start, end).offset(base),
            None => self.fallback,
        }
    }
}

/// A token kind.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Int(i64),
    Float(f64),
    /// The `"` opening a string.
    Quote,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Dot,
    Star,
    Plus,
    Minus,
    Slash,
    Percent,
    Bang,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    Question,
    Colon,
    Assign,
    FatArrow,
    Ellipsis,
    /// `~` right before the `}` that closes an interpolation or directive.
    Tilde,
    Eof,
}

impl Tok {
    /// How the token is named in "expected X, found Y" messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(name) => format!("`{name}`"),
            Tok::Int(i) => format!("`{i}`"),
            Tok::Float(x) => format!("`{x}`"),
            Tok::Quote => "a string".to_string(),
            Tok::LParen => "`(`".to_string(),
            Tok::RParen => "`)`".to_string(),
            Tok::LBracket => "`[`".to_string(),
            Tok::RBracket => "`]`".to_string(),
            Tok::LBrace => "`{`".to_string(),
            Tok::RBrace => "`}`".to_string(),
            Tok::Comma => "`,`".to_string(),
            Tok::Dot => "`.`".to_string(),
            Tok::Star => "`*`".to_string(),
            Tok::Plus => "`+`".to_string(),
            Tok::Minus => "`-`".to_string(),
            Tok::Eof => "the end of the string".to_string(),
            other => format!("`{}`", other.symbol()),
        }
    }

    /// The text of a punctuation token.
    fn symbol(&self) -> &'static str {
        match self {
            Tok::Minus => "-",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Bang => "!",
            Tok::EqEq => "==",
            Tok::NotEq => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            Tok::Question => "?",
            Tok::Colon => ":",
            Tok::Assign => "=",
            Tok::FatArrow => "=>",
            Tok::Ellipsis => "...",
            Tok::Tilde => "~",
            _ => "",
        }
    }
}

/// A token and its file span.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) span: Span,
    /// Whether a newline came between the previous token and this one:
    /// inside `{ }` object literals a newline separates items, as in HCL.
    pub(crate) newline_before: bool,
}

/// A lexer over `src` from a byte position; stops at the end of `src`.
/// Cheap to copy, which is how the parser looks more than one token ahead.
#[derive(Clone, Copy)]
pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    map: SpanMap,
    /// Whether the last token was a `.`: a number then is a legacy index.
    after_dot: bool,
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a str, pos: usize, map: SpanMap) -> Lexer<'a> {
        Lexer {
            src,
            pos,
            map,
            after_dot: false,
        }
    }

    /// The text being lexed.
    pub(crate) fn src(&self) -> &'a str {
        self.src
    }

    /// The map from content offsets to file spans.
    pub(crate) fn map(&self) -> SpanMap {
        self.map
    }

    /// Continues lexing at byte `pos` (after a string the parser read).
    pub(crate) fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// The empty file span at content offset `end`.
    pub(crate) fn span_to(&self, end: usize) -> Span {
        self.map.span(end, end)
    }

    /// The byte position after the last token produced.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    fn rest(&self) -> &'a str {
        // `pos` only ever advances by whole characters, so this slice is
        // always valid; `get` keeps a bad start position from panicking.
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn span(&self, start: usize) -> Span {
        self.map.span(start, self.pos)
    }

    fn token(&self, tok: Tok, start: usize, newline_before: bool) -> Token {
        Token {
            tok,
            span: self.span(start),
            newline_before,
        }
    }

    /// Consumes `c` when it comes next.
    fn eat(&mut self, c: char) -> bool {
        if self.peek_char() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// The token for `one`, or `two` when `second` follows.
    fn pair(&mut self, second: char, two: Tok, one: Tok) -> Tok {
        if self.eat(second) { two } else { one }
    }

    /// The next token; `Eof` at the end of the text.
    pub(crate) fn next_token(&mut self) -> Result<Token, ExprError> {
        let newline = self.skip_blank()?;
        let start = self.pos;
        let Some(c) = self.bump() else {
            return Ok(self.token(Tok::Eof, start, newline));
        };
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            '{' => Tok::LBrace,
            '}' => Tok::RBrace,
            ',' => Tok::Comma,
            '.' if self.rest().starts_with("..") => {
                self.pos += 2;
                Tok::Ellipsis
            }
            '.' => Tok::Dot,
            '*' => Tok::Star,
            '+' => Tok::Plus,
            '-' => Tok::Minus,
            '/' => Tok::Slash,
            '%' => Tok::Percent,
            '?' => Tok::Question,
            ':' => Tok::Colon,
            '~' => Tok::Tilde,
            '!' => self.pair('=', Tok::NotEq, Tok::Bang),
            '<' => self.pair('=', Tok::Le, Tok::Lt),
            '>' => self.pair('=', Tok::Ge, Tok::Gt),
            '=' if self.eat('=') => Tok::EqEq,
            '=' => self.pair('>', Tok::FatArrow, Tok::Assign),
            '&' if self.eat('&') => Tok::AndAnd,
            '|' if self.eat('|') => Tok::OrOr,
            // The parser reads the string itself: it is a template.
            '"' => Tok::Quote,
            '0'..='9' if self.after_dot => {
                self.eat_digits();
                self.integer(start)?
            }
            '0'..='9' => self.number(start)?,
            c if c.is_ascii_alphabetic() || c == '_' => self.ident(start),
            '\'' => {
                return Err(ExprError::new("unexpected `'`", self.span(start))
                    .with_hint("strings inside `${...}` use double quotes"));
            }
            other => {
                return Err(ExprError::new(
                    format!("unexpected character `{other}`"),
                    self.span(start),
                ));
            }
        };
        self.after_dot = tok == Tok::Dot;
        Ok(self.token(tok, start, newline))
    }

    /// Skips whitespace and comments; whether a newline was among them.
    fn skip_blank(&mut self) -> Result<bool, ExprError> {
        let mut newline = false;
        loop {
            let rest = self.rest();
            if rest.starts_with('#') || rest.starts_with("//") {
                // The newline ending the comment is skipped next round.
                self.pos += rest.find('\n').unwrap_or(rest.len());
                newline = true;
            } else if let Some(body) = rest.strip_prefix("/*") {
                let Some(len) = body.find("*/") else {
                    return Err(ExprError::new(
                        "unterminated `/*` comment",
                        self.map.span(self.pos, self.pos + 2),
                    )
                    .with_hint("close the comment with `*/`"));
                };
                newline |= rest[..len + 2].contains('\n');
                self.pos += len + 4;
            } else if let Some(c) = self.peek_char().filter(|c| c.is_whitespace()) {
                newline |= c == '\n';
                self.bump();
            } else {
                return Ok(newline);
            }
        }
    }

    fn ident(&mut self, start: usize) -> Tok {
        loop {
            match self.peek_char() {
                Some(c) if is_ident_char(c) => {
                    self.bump();
                }
                // `a-b` is one identifier (as in TOML keys and HCL); `a - b` and `a -1` are
                // subtractions.
                Some('-') if self.peek_second().is_some_and(is_ident_char) => {
                    self.bump();
                }
                _ => break,
            }
        }
        Tok::Ident(self.src[start..self.pos].to_string())
    }

    fn eat_digits(&mut self) {
        while self.peek_char().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
    }

    fn number(&mut self, start: usize) -> Result<Tok, ExprError> {
        self.eat_digits();
        let mut float = false;
        if self.peek_char() == Some('.') && self.peek_second().is_some_and(|c| c.is_ascii_digit()) {
            float = true;
            self.bump();
            self.eat_digits();
        }
        if matches!(self.peek_char(), Some('e' | 'E')) {
            let mut ahead = self.rest().chars().skip(1);
            let exponent = match ahead.next() {
                Some('+' | '-') => ahead.next().is_some_and(|c| c.is_ascii_digit()),
                Some(c) => c.is_ascii_digit(),
                None => false,
            };
            if exponent {
                float = true;
                self.bump();
                if matches!(self.peek_char(), Some('+' | '-')) {
                    self.bump();
                }
                self.eat_digits();
            }
        }
        let text = &self.src[start..self.pos];
        if float {
            match text.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Tok::Float(x)),
                _ => Err(ExprError::new(
                    format!("number `{text}` is out of range"),
                    self.span(start),
                )),
            }
        } else {
            self.integer(start)
        }
    }

    /// The whole number from `start` to here.
    fn integer(&self, start: usize) -> Result<Tok, ExprError> {
        let text = &self.src[start..self.pos];
        text.parse::<i64>().map(Tok::Int).map_err(|_| {
            ExprError::new(format!("integer `{text}` is too large"), self.span(start))
                .with_hint("integers are 64-bit signed")
        })
    }
}
