//! The state store's integration tests, one test binary with a module per
//! area, each on real SQLite files in temp dirs or on an object store in memory.

mod support;

mod locks;
mod migrate;
mod object_store;
mod open;
mod processes;
mod secrets;
mod store;
