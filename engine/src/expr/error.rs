//! The error type of parsing and evaluating expressions.

use std::sync::Arc;

use crate::base::{Diagnostic, SourceFile, Span};

/// A syntax or evaluation error, located in the stack file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// What is wrong.
    pub message: String,
    /// The offending (sub-)expression, in file byte offsets.
    pub span: Span,
    /// What to do about it, e.g. "did you mean `vpc`?".
    pub hint: Option<String>,
}

impl ExprError {
    /// An error without a hint.
    pub fn new(message: impl Into<String>, span: Span) -> ExprError {
        ExprError {
            message: message.into(),
            span,
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> ExprError {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the hint when there is one.
    pub fn with_hint_opt(mut self, hint: Option<String>) -> ExprError {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    /// The error as a diagnostic pointing into `file`.
    pub fn to_diagnostic(&self, file: &Arc<SourceFile>) -> Diagnostic {
        let d = Diagnostic::at(file, self.span, self.message.clone());
        match &self.hint {
            Some(h) => d.with_hint(h.clone()),
            None => d,
        }
    }
}

/// A "did you mean `x`?" hint for `word` among `candidates`.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    crate::base::did_you_mean(word, candidates).map(|s| format!("did you mean `{s}`?"))
}
