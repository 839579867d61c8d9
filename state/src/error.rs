//! Internal errors and their translation into the engine's [`StateError`].
//!
//! Store internals return [`StoreError`]; each public method adds what it
//! was doing ("recording resource vpc") when turning it into a
//! [`StateError::Backend`], so that a failure reads as a sentence.

use std::path::Path;

use rusqlite::ErrorCode;
use skistack_engine::StateError;

/// A failure inside the store, before it is given its context.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("column {column} holds invalid JSON: {source}")]
    Json {
        column: &'static str,
        source: serde_json::Error,
    },
    #[error("column {column} should hold {expected}")]
    Shape {
        column: &'static str,
        expected: &'static str,
    },
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretsError),
    #[error("unknown pending operation kind {0:?}")]
    OpKind(String),
    #[error(transparent)]
    Objects(#[from] crate::objects::ObjectError),
    #[error("object {name} is not what skistack wrote there: {source}")]
    Object {
        name: String,
        source: serde_json::Error,
    },
    #[error("object {name} was written by a newer skistack (form {format}); upgrade skistack")]
    Newer { name: String, format: u32 },
    #[error("cannot encode the change: {0}")]
    Encode(serde_json::Error),
    #[error(
        "another process wrote change {seq} of this stack first; nothing of this one was \
         written, and the next call reads the state again"
    )]
    Overtaken { seq: u64 },
    #[error(
        "an earlier write of this stack failed while others were still in flight; try again \
         once they are done"
    )]
    Busy,
    #[error("the state kept being compacted while it was read; try again")]
    Moving,
    #[error("{0}")]
    LockLost(String),
    #[error(transparent)]
    Refused(#[from] crate::journal::Refusal),
    #[error("this state already holds stack {stack}")]
    Occupied { stack: String },
    #[error(
        "pending operation {id} of stack {stack} has the id of one of stack {other}'s, and \
         this state numbers operations across stacks; finish the interrupted run of one of \
         them (`skistack up`) and copy again"
    )]
    OpIdTaken {
        id: i64,
        stack: String,
        other: String,
    },
}

impl StoreError {
    /// The message of a [`StateError::Backend`] for this error, prefixed by
    /// what was being done.
    pub(crate) fn in_context(self, what: &str) -> StateError {
        let detail = match &self {
            StoreError::Sqlite(err) => describe_sqlite(err),
            other => other.to_string(),
        };
        StateError::Backend(format!("{what}: {detail}"))
    }
}

/// Adds context to a failing result, turning it into a [`StateError`].
pub(crate) trait Context<T> {
    /// `what` is only called on failure, so hot paths pay nothing for it.
    fn context<F: FnOnce() -> String>(self, what: F) -> Result<T, StateError>;
}

impl<T, E: Into<StoreError>> Context<T> for Result<T, E> {
    fn context<F: FnOnce() -> String>(self, what: F) -> Result<T, StateError> {
        self.map_err(|err| err.into().in_context(&what()))
    }
}

/// A SQLite error in words a user can act on.
pub(crate) fn describe_sqlite(err: &rusqlite::Error) -> String {
    if let rusqlite::Error::SqliteFailure(e, _) = err
        && e.extended_code == rusqlite::ffi::SQLITE_IOERR_SHMSIZE
    {
        // Opening a file in WAL mode sizes its `-shm` file first; on a full
        // disk that is the first write to fail.
        return "there is no room for SQLite's shared-memory file (the `-shm` file beside it): \
                the disk is probably full; free some space and retry"
            .into();
    }
    match err.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => {
            "the disk is full (SQLite: database or disk is full); free some space and retry".into()
        }
        Some(ErrorCode::ReadOnly) => "the state file has become read-only".into(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "the state file stayed busy (another skistack process kept it locked)".into()
        }
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            format!("the state file is damaged ({err})")
        }
        _ => err.to_string(),
    }
}

/// A [`StateError::Unusable`] for `path`.
pub(crate) fn unusable(path: &Path, message: impl Into<String>) -> StateError {
    StateError::Unusable {
        path: path.display().to_string(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::ffi;

    fn sqlite_error(code: i32, message: Option<&str>) -> StoreError {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            ffi::Error::new(code),
            message.map(str::to_string),
        ))
    }

    #[test]
    fn errors_read_as_what_was_being_done() {
        let err = sqlite_error(ffi::SQLITE_IOERR, Some("disk I/O error"))
            .in_context("recording resource vpc");
        assert_eq!(
            err.to_string(),
            "state store: recording resource vpc: disk I/O error"
        );
    }

    #[test]
    fn a_full_disk_is_named_plainly() {
        let err = sqlite_error(ffi::SQLITE_FULL, None).in_context("recording resource vpc");
        let text = err.to_string();
        assert!(
            text.contains("recording resource vpc: the disk is full"),
            "{text}"
        );
    }

    #[test]
    fn no_room_for_the_shared_memory_file_reads_as_a_full_disk() {
        let err = sqlite_error(ffi::SQLITE_IOERR_SHMSIZE, Some("disk I/O error"))
            .in_context("opening state.db");
        assert!(
            err.to_string().contains("the disk is probably full"),
            "{err}"
        );
    }

    #[test]
    fn decoding_errors_name_the_column() {
        let err = StoreError::Shape {
            column: "dependencies",
            expected: "a list of names",
        }
        .in_context("loading stack web");
        assert_eq!(
            err.to_string(),
            "state store: loading stack web: column dependencies should hold a list of names"
        );
    }
}
