//! skistack's end-to-end tests, one test binary: each module runs the real
//! `skistack` binary on one area. One binary links the AWS SDK once and
//! runs every test in one process, where there used to be one binary per
//! file. The helpers live in the `skistack-test-support` crate.
//!
//! Tiers, by module path (filter with `cargo test -- --skip moto:: --skip delivery::`):
//! - the top-level modules: std stacks only, no external tool (fast);
//! - `moto::`: the ceros-ski stacks against moto, the local AWS emulator
//!   (`scripts/moto` installs it into `.venv` on first use);
//! - `delivery::`: the delivery files and the game's app, with the Node.js
//!   and npm of the machine and the linters `scripts/pytools` installs.

mod concurrency;
mod config_changes;
mod delivery;
mod editor;
mod features;
mod functions;
mod lifecycle;
mod locks;
mod moto;
mod policy;
mod recovery;
mod saved_plans;
mod secrets;
mod signals;
mod stack_errors;
mod state_commands;
mod state_file;
mod verbosity;

/// The binary under test, built by cargo for integration tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_skistack");
