//! Reconciliation: making the state agree with the cloud. Crash recovery
//! resolves the intents an interrupted run left, refresh reads every
//! recorded resource back, import records an existing resource. All three
//! fold what a provider read into a record the same way ([`readback`]).

mod readback;
mod recovery;
mod refresh;

pub use readback::{Folded, Settle, fold_read};
pub use recovery::{Purpose, Recovery, resolve_failed_create, retired_name};
pub use refresh::{Drift, ReadContext, Refresh, read_all};
