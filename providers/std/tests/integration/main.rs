//! The std provider's integration tests, one test binary with a module per
//! resource type, each calling the types the way the engine does.

mod common;

mod command;
mod data;
mod provider;
mod random_string;
mod sleep;
