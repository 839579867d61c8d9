//! The moto tier: the ceros-ski stacks deployed by the real binary against
//! a moto server per test (the local AWS emulator), read back through the
//! AWS SDK. The helpers below are this tier's own; the CLI harness and the
//! moto launcher come from `skistack-test-support`.

mod architecture;
mod aws;
mod fault_proxy;
mod leftovers;
mod plan;

mod ceros_ski;
mod chaos;
mod ci_stack;
mod drift;
mod faults;
mod recovery;
mod secrets;
mod shared_state;

use skistack_test_support::{Moto, Project};

pub use aws::Aws;

/// A moto server for one test, logging next to the build.
pub fn moto() -> Moto {
    Moto::builder().log_dir(env!("CARGO_TARGET_TMPDIR")).start()
}

/// A fresh copy of the repository's stacks, run against the AWS API at
/// `endpoint` (a moto server, or a proxy in front of one).
pub fn workspace(endpoint: &str) -> Project {
    Project::aws(crate::BIN, endpoint)
}
