//! The errors of engine operations, in one place below every layer that
//! returns them (recovery, refresh, import, locks and the operations), so
//! none of them has to import the facade to fail.

use crate::base::Diagnostic;
use crate::state::StateError;

/// Errors of project operations, rendered by the CLI.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Errors in stack files (exit code 2).
    #[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
    #[error(transparent)]
    State(#[from] StateError),
    /// Policy findings at or above the threshold in enforce mode: up
    /// applied nothing (exit code 5).
    #[error(
        "stack `{stack}`: {count} policy finding{} at or above `{threshold}` in enforce mode; nothing was applied",
        if *count == 1 { "" } else { "s" }
    )]
    PolicyViolated {
        stack: String,
        count: usize,
        threshold: crate::policy::Severity,
    },
    /// The operation is refused as asked (exit code 1).
    #[error("{0}")]
    Refused(String),
}

impl From<Vec<Diagnostic>> for EngineError {
    fn from(d: Vec<Diagnostic>) -> Self {
        EngineError::Invalid(d)
    }
}

impl From<Diagnostic> for EngineError {
    fn from(d: Diagnostic) -> Self {
        EngineError::Invalid(vec![d])
    }
}
