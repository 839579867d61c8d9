//! Helpers shared by skistack's integration tests, in one dev-only crate so
//! that every test binary of the workspace uses the same ones:
//!
//! - [`cli`]: the harness that runs the `skistack` binary in a scratch
//!   project (std stacks, or a copy of the repository's stacks against an
//!   AWS emulator) and checks what a run printed and left in the state;
//! - [`moto`]: a moto server (the local AWS emulator) per test;
//! - [`gate`]: `std:Command` scripts that block until the test lets them
//!   go, so tests can hold a step in flight without guessing durations;
//! - [`poll`]: waiting for something that must eventually happen.
//!
//! The crate is never published and holds no tests itself.

#![warn(missing_docs)]

pub mod cli;
pub mod gate;
pub mod moto;
pub mod poll;

use std::path::PathBuf;

pub use cli::{Project, Run, Running};
pub use gate::Gate;
pub use moto::Moto;

/// The repository root: the workspace's top directory, two levels above
/// this crate (`tests/support`).
pub fn repo_root() -> PathBuf {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(std::path::Path::parent)
        .expect("tests/support lies two levels below the repository root")
        .to_path_buf()
}
