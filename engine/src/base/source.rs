//! Source files, byte spans and diagnostics that point at file:line:column.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A byte range into a [`SourceFile`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span that covers both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Moves a span that is relative to a string's content to file offsets.
    pub fn offset(self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

/// The text of a stack file and where it came from.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            path: path.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// The full text of the 1-based line `line`.
    pub fn line_text(&self, line: usize) -> &str {
        self.text.lines().nth(line.saturating_sub(1)).unwrap_or("")
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A location in a stack file, resolved to line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// A span together with the file it points into.
#[derive(Clone, Debug)]
pub struct Pos {
    pub file: Arc<SourceFile>,
    pub span: Span,
}

impl Pos {
    pub fn new(file: &Arc<SourceFile>, span: Span) -> Pos {
        Pos {
            file: Arc::clone(file),
            span,
        }
    }

    pub fn location(&self) -> Location {
        let (line, column) = self.file.line_col(self.span.start);
        Location {
            path: self.file.path.clone(),
            line,
            column,
        }
    }

    pub fn path(&self) -> &Path {
        &self.file.path
    }
}

/// An error in a stack file: what is wrong, where, and what to do about it.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub message: String,
    pub pos: Option<Pos>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, pos: Option<Pos>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            pos,
            hint: None,
        }
    }

    pub fn at(file: &Arc<SourceFile>, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(message, Some(Pos::new(file, span)))
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn location(&self) -> Option<Location> {
        self.pos.as_ref().map(Pos::location)
    }

    /// Renders the diagnostic the way compilers do: the message, the location,
    /// the offending line with a caret under the span, and the hint.
    pub fn render(&self) -> String {
        let mut out = format!("error: {}\n", self.message);
        if let Some(pos) = &self.pos {
            let loc = pos.location();
            let (end_line, end_col) = pos.file.line_col(pos.span.end.max(pos.span.start));
            let text = pos.file.line_text(loc.line);
            let gutter = loc.line.to_string().len();
            let width = if end_line == loc.line && end_col > loc.column {
                end_col - loc.column
            } else {
                text.chars().count().saturating_sub(loc.column - 1).max(1)
            };
            out.push_str(&format!("{:gutter$}--> {loc}\n", ""));
            out.push_str(&format!("{:gutter$} |\n", ""));
            out.push_str(&format!("{} | {}\n", loc.line, text));
            out.push_str(&format!(
                "{:gutter$} | {}{}\n",
                "",
                " ".repeat(loc.column - 1),
                "^".repeat(width)
            ));
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("  = help: {hint}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location() {
            Some(loc) => write!(f, "{loc}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for Diagnostic {}

/// The closest candidate to `word` by edit distance, for "did you mean".
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let max = (word.len() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let f = SourceFile::new("s.toml", "a = 1\nbé = 2\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(6), (2, 1));
        assert_eq!(f.line_col(10), (2, 4));
    }

    #[test]
    fn render_points_at_the_span() {
        let f = SourceFile::new("s.toml", "[resources.a]\ntype = \"std:Dta\"\n");
        let d = Diagnostic::at(&f, Span::new(21, 30), "unknown resource type")
            .with_hint("did you mean std:Data?");
        let r = d.render();
        assert!(r.contains("--> s.toml:2:8"), "{r}");
        assert!(r.contains("2 | type = \"std:Dta\""), "{r}");
        assert!(r.contains("^^^^^^^^^"), "{r}");
        assert!(r.contains("help: did you mean"), "{r}");
    }

    #[test]
    fn suggestions_are_close_words_only() {
        assert_eq!(
            did_you_mean("cidr_blok", ["cidr_block", "vpc_id"]),
            Some("cidr_block")
        );
        assert_eq!(did_you_mean("zzzz", ["cidr_block"]), None);
    }
}
