//! skistack's state store on SQLite: [`SqliteStore`] implements the engine's
//! [`StateStore`](skistack_engine::StateStore) in one local file.
//!
//! The file is a SQLite database in WAL mode, stamped with [`APPLICATION_ID`]
//! and versioned by [`SCHEMA_VERSION`]. Several processes may share it: each
//! call is one short transaction, and stack locks are rows in the file.
//! Every secret value is encrypted with a per-stack data key wrapped by a
//! [`KeyWrapper`] (by default a [`KeyFile`]).
//!
//! [`ObjectStateStore`] implements the same interface in an object store
//! ([`ObjectStore`]: S3, or [`MemoryObjects`]), for a state that machines
//! share: a journal of one object per change, compacted into snapshots,
//! and locks that a heartbeat keeps alive.

mod codec;
mod error;
mod journal;
mod keys;
mod lease;
mod lock;
mod object_store;
mod objects;
mod open;
mod passphrase;
mod schema;
mod secrets;
mod store;

pub use object_store::ObjectStateStore;
pub use objects::{MemoryObjects, Object, ObjectError, ObjectStore, Precondition, Put, Traffic};
pub use passphrase::Passphrase;
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
pub use secrets::{
    DEFAULT_KEY_FILE, DataKey, KeyFile, KeyWrapper, SecretsError, open_bytes, seal_bytes,
};
pub use store::SqliteStore;
