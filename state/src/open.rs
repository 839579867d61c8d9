//! Opening a state file without ever damaging one.
//!
//! An existing file is checked before anything is written to it: that it is
//! a regular, writable file, a SQLite database, and skistack's (through a
//! read-only connection). Only then is it opened for writing, and its schema
//! created or migrated (after a backup) under SQLite's write lock.

use std::fs::{self, DirBuilder, File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use skistack_engine::StateError;

use crate::error::{Context, describe_sqlite, unusable};
use crate::schema::{self, Layout};

/// How long a call waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// SQLite's file header is 100 bytes; a shorter non-empty file is not one.
const HEADER_LEN: usize = 100;

/// How often opening re-reads a file that changed under it (another process
/// initialising or migrating the same file) before giving up.
const SETUP_ATTEMPTS: usize = 5;

/// Opens (creating if missing) the state file at `path`, ready for use.
pub(crate) fn open(path: &Path) -> Result<Connection, StateError> {
    match fs::metadata(path) {
        Ok(meta) => check_existing(path, &meta)?,
        Err(err) if err.kind() == io::ErrorKind::NotFound => create(path)?,
        Err(err) => return Err(unusable(path, format!("cannot be read: {err}"))),
    }
    let what = || format!("opening {}", path.display());
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).context(what)?;
    conn.busy_timeout(BUSY_TIMEOUT).context(what)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .context(what)?;
    set_up_schema(&mut conn, path)?;
    // WAL lets readers and a writer (from several processes) work at once.
    // Some file systems cannot do WAL; SQLite then keeps its rollback
    // journal, which is slower but correct, so the answer is not checked.
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
        .context(what)?;
    Ok(conn)
}

/// Refuses an existing path that is not a writable skistack state file.
/// Reads only.
fn check_existing(path: &Path, meta: &Metadata) -> Result<(), StateError> {
    if meta.is_dir() {
        return Err(unusable(
            path,
            "is a directory, not a state file; give the path of a file (e.g. state.db inside it)",
        ));
    }
    if !meta.is_file() {
        return Err(unusable(path, "is not a regular file"));
    }
    // The mode is checked as well as the open below because root may open
    // any file for writing; a file nobody may write is still meant read-only.
    if meta.permissions().mode() & 0o222 == 0 {
        return Err(read_only(path));
    }
    let mut file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(file) => file,
        Err(err)
            if matches!(
                err.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            return Err(read_only(path));
        }
        Err(err) => return Err(unusable(path, format!("cannot be opened: {err}"))),
    };
    let header =
        read_header(&mut file).map_err(|err| unusable(path, format!("cannot be read: {err}")))?;
    drop(file);
    if header.is_empty() {
        // An empty file is an empty SQLite database: it becomes a state file.
        return Ok(());
    }
    if header.len() < HEADER_LEN || !header.starts_with(SQLITE_MAGIC) {
        return Err(unusable(
            path,
            "not a skistack state file (not a SQLite database)",
        ));
    }
    // A read-only connection cannot write, not even to replay another
    // application's journal.
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let probed = Connection::open_with_flags(path, flags).and_then(|conn| schema::probe(&conn));
    match probed {
        Ok(found) => schema::classify(&found)
            .map(drop)
            .map_err(|message| unusable(path, message)),
        Err(err) if err.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => Err(
            unusable(path, "not a skistack state file (not a SQLite database)"),
        ),
        Err(err) => Err(unusable(
            path,
            format!("cannot be read: {}", describe_sqlite(&err)),
        )),
    }
}

fn read_only(path: &Path) -> StateError {
    unusable(
        path,
        "state file is read-only (skistack records every change as it makes it)",
    )
}

/// Up to [`HEADER_LEN`] bytes from the start of the file.
fn read_header(file: &mut File) -> io::Result<Vec<u8>> {
    let mut header = Vec::with_capacity(HEADER_LEN);
    file.take(HEADER_LEN as u64).read_to_end(&mut header)?;
    Ok(header)
}

/// Creates the parent directory and an empty file readable by its owner only:
/// the state holds secrets.
fn create(path: &Path) -> Result<(), StateError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(|err| unusable(path, format!("cannot create its directory: {err}")))?;
    }
    match create_private(path) {
        Ok(()) => Ok(()),
        // Another process created it first: it is checked like any other.
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
            let meta = fs::metadata(path)
                .map_err(|err| unusable(path, format!("cannot be read: {err}")))?;
            check_existing(path, &meta)
        }
        Err(err) => Err(unusable(path, format!("cannot be created: {err}"))),
    }
}

/// Creates a new, empty file with mode 0600, whatever the umask.
fn create_private(path: &Path) -> io::Result<()> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    // The umask may have removed bits from 0600; the file is ours, so set it.
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

/// Creates or migrates the schema as the file requires. Each decision is
/// re-checked under the write lock, since another process may be opening
/// the same file at the same moment.
fn set_up_schema(conn: &mut Connection, path: &Path) -> Result<(), StateError> {
    let what = || format!("setting up the schema of {}", path.display());
    let mut backed_up = None;
    for _ in 0..SETUP_ATTEMPTS {
        let seen = schema::probe(conn).context(what)?;
        // `None`: an empty file, to stamp; `Some(v)`: ours at version v.
        let from = match schema::classify(&seen).map_err(|message| unusable(path, message))? {
            Layout::Current => return Ok(()),
            Layout::Empty => None,
            Layout::Older(version) => Some(version),
        };
        if let Some(version) = from
            && backed_up != Some(version)
        {
            back_up(conn, path, version)?;
            backed_up = Some(version);
        }
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context(what)?;
        if schema::probe(&tx).context(what)? != seen {
            continue; // Changed by another process meanwhile; dropping rolls back.
        }
        if from.is_none() {
            schema::stamp(&tx).context(what)?;
        }
        let from = from.unwrap_or(0);
        schema::migrate(&tx, from)
            .context(|| format!("migrating {} from schema version {from}", path.display()))?;
        tx.commit().context(what)?;
        return Ok(());
    }
    Err(StateError::Backend(format!(
        "{}: the file kept changing while it was being opened",
        what()
    )))
}

/// Copies the database to `<path>.bak-v<version>` (or `.bak-v<version>.<n>`
/// when that exists) before a migration. `VACUUM INTO` makes a consistent
/// copy including what is still in the write-ahead log.
fn back_up(conn: &Connection, path: &Path, version: i64) -> Result<(), StateError> {
    let mut n = 0;
    let backup = loop {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".bak-v{version}"));
        if n > 0 {
            name.push(format!(".{n}"));
        }
        let candidate = PathBuf::from(name);
        match create_private(&candidate) {
            Ok(()) => break candidate,
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => n += 1,
            Err(err) => {
                return Err(unusable(
                    path,
                    format!("cannot create the backup {}: {err}", candidate.display()),
                ));
            }
        }
    };
    let result = match backup.to_str() {
        Some(target) => conn
            .execute("VACUUM INTO ?1", [target])
            .map(drop)
            .context(|| format!("backing up {} to {}", path.display(), backup.display())),
        None => Err(unusable(
            path,
            "cannot be backed up: its path is not valid UTF-8",
        )),
    };
    if result.is_err() {
        // Best effort: an empty or partial backup would only mislead.
        let _ = fs::remove_file(&backup);
    }
    result
}
