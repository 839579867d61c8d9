//! What a workflow needs from whoever runs it: where it shows what it found
//! and planned, how it asks before changing anything, and where progress
//! goes. The CLI prints and asks on the terminal; tests answer from a
//! script. Keeping these out of the workflows lets the workflows be tested
//! in-process, and keeps the CLI to parsing and rendering.

use std::sync::Arc;
use std::time::Duration;

use super::lock::Takeover;
use crate::error::EngineError;
use crate::events::Observer;
use crate::exec::RunSummary;
use crate::plan::Plan;
use crate::policy::PolicyReport;
use crate::reconcile::Refresh;
use crate::state::{LockInfo, StackKey};
use crate::walk::Cancel;

/// The user side of a workflow.
pub trait Frontend: Send + Sync {
    /// Where the progress of recovery and of a run goes.
    fn observer(&self) -> Arc<dyn Observer>;

    /// Something worth saying before the work starts (an earlier run's
    /// interrupted operations, a config key without a value).
    fn note(&self, message: &str);

    /// A live process holds the lock of `key`; the workflow waits for it up
    /// to `wait`. Called once per holder seen.
    fn waiting_for_lock(&self, key: &StackKey, holder: &LockInfo, wait: Duration);

    /// The lock of a process that no longer runs was taken over.
    fn took_over_lock(&self, takeover: &Takeover);

    /// What a refresh read back.
    fn refreshed(&self, refresh: &Refresh);

    /// The plan for a stack, shown before it is confirmed.
    fn planned(&self, key: &StackKey, plan: &Plan);

    /// What the policy rules found in the plan, shown after it.
    fn judged(&self, key: &StackKey, report: &PolicyReport);

    /// Asks a yes/no question before anything changes. Fails when nobody
    /// can answer (no terminal and no `--yes`).
    fn confirm(&self, question: &str) -> Result<bool, EngineError>;

    /// The work is about to start: the token that interrupts it.
    fn interrupt(&self) -> Cancel;

    /// A run of steps ended; `what` names it (`up`, `destroy web:`).
    fn ran(&self, what: &str, summary: &RunSummary);
}
