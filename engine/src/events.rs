//! Progress events, for the CLI's progress bars or log lines.

use std::time::Duration;

use crate::plan::StepOp;

/// Something that happened during `up` or `destroy`.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// The run starts with this many steps.
    Started { total: usize },
    StepStarted {
        address: &'a str,
        type_token: &'a str,
        op: StepOp,
    },
    StepDone {
        address: &'a str,
        type_token: &'a str,
        op: StepOp,
        elapsed: Duration,
    },
    StepFailed {
        address: &'a str,
        type_token: &'a str,
        op: StepOp,
        error: &'a str,
    },
    /// A notice worth showing (recoveries, warnings).
    Notice { message: &'a str },
}

/// Receives events; called from many tasks at once.
pub trait Observer: Send + Sync {
    fn event(&self, event: &Event<'_>);
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {
    fn event(&self, _: &Event<'_>) {}
}
