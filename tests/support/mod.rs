//! Support for the end-to-end tests of the ceros-ski stacks: a moto server
//! per test, a scratch copy of the stacks with its own state that runs the
//! real `skistack` binary, and AWS SDK clients pointed at the moto server.
//!
//! Every `tests/aws_*.rs` binary includes this module and uses part of it.
#![allow(dead_code)]

pub mod architecture;
pub mod aws;
pub mod cli;
pub mod fault_proxy;
pub mod leftovers;
pub mod moto;
pub mod plan;

pub use aws::Aws;
pub use cli::Workspace;
pub use moto::Moto;
