//! Reconciliation: making the state agree with the cloud. Crash recovery
//! resolves the intents an interrupted run left, refresh reads every
//! recorded resource back, import records an existing resource. All three
//! fold what a provider read into a record the same way ([`readback`]).

mod import;
mod recovery;
mod refresh;

pub use import::imported_inputs;
pub use recovery::{Purpose, Recovery, resolve_failed_create, retired_name};
pub use refresh::{Drift, ReadContext, Refresh, keep_secret, read_all};
