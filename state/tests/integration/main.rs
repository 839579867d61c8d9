//! The state store's integration tests, one test binary with a module per
//! area, each on real SQLite files in temp dirs.

mod support;

mod locks;
mod open;
mod processes;
mod secrets;
mod store;
