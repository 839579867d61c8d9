//! Why a step failed, as a value: the instance, the step and the cause
//! (a provider call, the state, an evaluation), so that callers can tell a
//! rejected request from a lost state write without reading the message.
//! The message is the one the CLI prints.

use std::fmt;

use crate::plan::StepOp;
use crate::provider::ProviderError;
use crate::state::StateError;

/// A failed step.
#[derive(Debug, Clone)]
pub struct StepError {
    pub address: String,
    pub type_token: String,
    pub op: StepOp,
    /// Boxed: results of steps pass through many frames.
    pub kind: Box<StepErrorKind>,
}

/// What made a step fail.
#[derive(Debug, Clone)]
pub enum StepErrorKind {
    /// A provider call failed; `declared_at` is where the stack file
    /// declares the instance (`file:line:col`), when it can be read.
    Provider {
        call: &'static str,
        error: ProviderError,
        declared_at: Option<String>,
    },
    /// Reading or writing the state failed; `context` says what the step
    /// was recording, with the instance it was about.
    State {
        context: Option<String>,
        error: StateError,
    },
    /// The inputs could not be evaluated (a positioned diagnostic).
    Evaluation(String),
    /// An input is still unknown although everything it uses was applied.
    Unsettled { property: String },
    /// A property that forces replacement changed only once dependencies
    /// were applied, after the plan chose an update.
    NeedsReplacement { property: String },
    /// No registered provider offers the type; `subject` is the name acted
    /// on when it is not the address (a retired record).
    UnknownType { data: bool, subject: Option<String> },
}

impl StepError {
    /// The provider's error, if the step failed in a provider call.
    pub fn provider_error(&self) -> Option<&ProviderError> {
        match self.kind.as_ref() {
            StepErrorKind::Provider { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, t) = (&self.address, &self.type_token);
        match self.kind.as_ref() {
            StepErrorKind::Provider {
                call,
                error,
                declared_at,
            } => {
                let at = declared_at
                    .as_ref()
                    .map(|p| format!(" (declared at {p})"))
                    .unwrap_or_default();
                write!(f, "{a} ({t}){at}: {call} failed: {error}")
            }
            StepErrorKind::State {
                context: Some(c),
                error,
            } => write!(f, "{c}: {error}"),
            StepErrorKind::State {
                context: None,
                error,
            } => write!(f, "{error}"),
            StepErrorKind::Evaluation(message) => f.write_str(message),
            StepErrorKind::Unsettled { property } => write!(
                f,
                "{a}: property `{property}` is still unknown after its dependencies were applied"
            ),
            StepErrorKind::NeedsReplacement { property } => write!(
                f,
                "{a}: `{property}` turned out to change once its dependencies were applied, \
                 which needs a replacement; run up again to replace it"
            ),
            StepErrorKind::UnknownType { data: true, .. } => {
                write!(f, "unknown data source type {t}")
            }
            StepErrorKind::UnknownType {
                data: false,
                subject: None,
            } => write!(f, "unknown resource type {t}"),
            StepErrorKind::UnknownType {
                data: false,
                subject: Some(s),
            } => write!(f, "{s}: no provider offers type {t}"),
        }
    }
}

impl std::error::Error for StepError {}
