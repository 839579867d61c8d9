//! skistack's state store on SQLite: [`SqliteStore`] implements the engine's
//! [`StateStore`](skistack_engine::StateStore) in one local file.
//!
//! The file is a SQLite database in WAL mode, stamped with [`APPLICATION_ID`]
//! and versioned by [`SCHEMA_VERSION`]. Several processes may share it: each
//! call is one short transaction, and stack locks are rows in the file.

mod codec;
mod error;
mod lock;
mod open;
mod schema;
mod store;

pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
pub use store::SqliteStore;
