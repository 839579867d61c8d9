//! Reconciliation: making the state agree with the cloud. Crash recovery
//! resolves the intents an interrupted run left (and sweeps for what a lost
//! create request made late), refresh reads every recorded resource back,
//! import records an existing resource. All three fold what a provider read
//! into a record the same way ([`readback`]).

mod readback;
mod recovery;
mod refresh;
mod sweep;

pub use readback::{Folded, Settle, fold_read};
pub use recovery::{Purpose, Recovery, resolve_failed_create, retired_name};
pub use refresh::{Drift, ReadContext, Refresh, read_all};
pub use sweep::{SWEEP_HORIZON, end_sweeps, sweep_until};
