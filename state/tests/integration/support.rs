//! Helpers shared by the modules: opening a store with a key file kept in
//! the test's own temp dir, never the user's config dir.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skistack_engine::StateError;
use skistack_state::{KeyFile, SqliteStore};

/// The key file of the state file at `path`: beside it, `<path>.key`.
pub fn key_file(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// Opens the state file at `path` with its own key file.
pub fn open(path: &Path) -> Result<SqliteStore, StateError> {
    SqliteStore::open(path, Arc::new(KeyFile::new(key_file(path))))
}
