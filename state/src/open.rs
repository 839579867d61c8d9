//! Opening a state file without ever damaging one.
//!
//! An existing file is checked before anything is written to it: that it is
//! a regular, writable file, a SQLite database, and skistack's (through a
//! read-only connection). Only then is it opened for writing, and its schema
//! created or migrated (after a backup) under SQLite's write lock.
//!
//! Every connection sets `secure_delete`, so bytes a write replaces are
//! zeroed rather than left in free pages. The migration that seals the
//! plaintext secrets of an older file then vacuums it, empties the WAL, and
//! removes the pre-migration backup (which holds those plaintexts) once the
//! migrated file passes its integrity check: a backup of secrets in
//! plaintext beside the state would undo the encryption.

use std::fs::{self, DirBuilder, File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use skistack_engine::StateError;

use crate::codec;
use crate::error::{Context, StoreError, describe_sqlite, unusable};
use crate::keys::{KeyRing, Need};
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
pub(crate) fn open(path: &Path, keys: &KeyRing) -> Result<Connection, StateError> {
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
    conn.pragma_update(None, "secure_delete", "ON")
        .context(what)?;
    set_up_schema(&mut conn, path, keys)?;
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
fn set_up_schema(conn: &mut Connection, path: &Path, keys: &KeyRing) -> Result<(), StateError> {
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
            && backed_up.as_ref().map(|(v, _)| *v) != Some(version)
        {
            backed_up = Some((version, back_up(conn, path, version)?));
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
        let migrating = || format!("migrating {} from schema version {from}", path.display());
        schema::migrate(&tx, from).context(migrating)?;
        let sealed = if from < SEALED_SINCE {
            seal_plaintext(&tx, keys).context(migrating)?
        } else {
            0
        };
        tx.commit().context(what)?;
        if sealed > 0
            && let Some((_, backup)) = backed_up
        {
            scrub(conn, path, &backup)?;
        }
        return Ok(());
    }
    Err(StateError::Backend(format!(
        "{}: the file kept changing while it was being opened",
        what()
    )))
}

/// The schema version from which secrets are sealed in the columns.
const SEALED_SINCE: i64 = 4;

/// Seals every plaintext secret of a file written before [`SEALED_SINCE`];
/// returns how many column values changed.
fn seal_plaintext(conn: &Connection, keys: &KeyRing) -> Result<usize, StoreError> {
    let mut sealed_values = 0;
    for (table, column) in schema::SECRET_COLUMNS {
        let rows = {
            let mut stmt = conn.prepare(&format!(
                "SELECT rowid, stack, env, {column} FROM {table} \
                 WHERE instr({column}, '\"$secret\"') > 0"
            ))?;
            stmt.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    skistack_engine::StackKey {
                        stack: r.get(1)?,
                        env: r.get(2)?,
                    },
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?
        };
        for (rowid, key, text) in rows {
            let sealer = || keys.sealer(conn, &key, Need::Write);
            if let Some(sealed) = codec::seal_text(column, &text, &sealer)? {
                conn.execute(
                    &format!("UPDATE {table} SET {column} = ?1 WHERE rowid = ?2"),
                    rusqlite::params![sealed, rowid],
                )?;
                sealed_values += 1;
            }
        }
    }
    Ok(sealed_values)
}

/// After sealing (only then: a backup without secrets is worth keeping):
/// rewrites the file so no page keeps an old plaintext,
/// empties the WAL, and removes the plaintext backup once the file is sound.
fn scrub(conn: &Connection, path: &Path, backup: &Path) -> Result<(), StateError> {
    let what = || format!("removing the plaintext secrets left in {}", path.display());
    conn.execute_batch("VACUUM").context(what)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .context(what)?;
    let sound: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .context(what)?;
    if sound != "ok" {
        // Keep the backup: it is the only sound copy.
        return Err(unusable(
            path,
            format!(
                "failed its integrity check after migration ({sound}); the backup {} is kept",
                backup.display()
            ),
        ));
    }
    fs::remove_file(backup)
        .map_err(|err| unusable(path, format!("cannot remove {}: {err}", backup.display())))
}

/// Copies the database to `<path>.bak-v<version>` (or `.bak-v<version>.<n>`
/// when that exists) before a migration. `VACUUM INTO` makes a consistent
/// copy including what is still in the write-ahead log.
fn back_up(conn: &Connection, path: &Path, version: i64) -> Result<PathBuf, StateError> {
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
    result.map(|()| backup)
}
