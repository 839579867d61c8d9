//! The state file's schema: how a file is recognised as skistack's, its
//! version, and the steps that bring an older file up to date.
//!
//! A skistack state file carries [`APPLICATION_ID`] in SQLite's header and
//! its schema version in `user_version`. Version 0 is a file stamped with the
//! application id but holding none of skistack's tables yet (what the first
//! step of initialisation leaves); every version since is reached by
//! running the [`MIGRATIONS`] above the file's version, in order.

use rusqlite::Connection;

/// `PRAGMA application_id` of a skistack state file: "SKIS" in ASCII.
pub const APPLICATION_ID: i32 = 0x534B_4953;

/// The schema version this build writes and reads (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 4;

/// One step of the schema's history: the SQL that takes a file from version
/// `to - 1` to version `to`.
pub(crate) struct Migration {
    pub(crate) to: i64,
    pub(crate) sql: &'static str,
}

/// Every step, oldest first; the last one reaches [`SCHEMA_VERSION`].
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration { to: 1, sql: V1 },
    Migration { to: 2, sql: V2 },
    Migration { to: 3, sql: V3 },
    Migration { to: 4, sql: V4 },
];

/// Version 1: the first schema. Every table is keyed by stack and env.
/// Plain `CREATE TABLE` (no `IF NOT EXISTS`): a clash with an existing table
/// must fail the migration rather than leave a table of another shape.
const V1: &str = "
CREATE TABLE resources (
    stack        TEXT NOT NULL,
    env          TEXT NOT NULL,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,
    provider_id  TEXT NOT NULL,
    inputs       TEXT NOT NULL,
    outputs      TEXT NOT NULL,
    dependencies TEXT NOT NULL,
    options      TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (stack, env, name)
);

-- A row per deployed stack; no row means not deployed.
CREATE TABLE stack_outputs (
    stack      TEXT NOT NULL,
    env        TEXT NOT NULL,
    outputs    TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (stack, env)
);

-- AUTOINCREMENT so that an id is never reused: providers use it as an
-- idempotency token. No index on (stack, env): the table only holds
-- operations in flight, and an index would cost a write on the hot path.
CREATE TABLE pending_ops (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    stack       TEXT NOT NULL,
    env         TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('create', 'update', 'delete')),
    type        TEXT NOT NULL,
    resource_id TEXT,
    inputs      TEXT NOT NULL,
    started_at  INTEGER NOT NULL
);

CREATE TABLE history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    stack       TEXT NOT NULL,
    env         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    result      TEXT NOT NULL,
    counts      TEXT NOT NULL
);
CREATE INDEX history_by_stack ON history (stack, env);

CREATE TABLE locks (
    stack      TEXT NOT NULL,
    env        TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    host       TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    operation  TEXT NOT NULL,
    PRIMARY KEY (stack, env)
);

-- The config the last successful up applied, so previews show config changes.
CREATE TABLE applied_config (
    stack  TEXT NOT NULL,
    env    TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (stack, env)
);

CREATE TABLE config (
    stack TEXT NOT NULL,
    env   TEXT NOT NULL,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (stack, env, key)
);
";

/// Version 2: `pending_ops` also holds `sweep` intents (see the engine's
/// `OpKind::Sweep`). SQLite cannot change a CHECK constraint in place, so the
/// table is rebuilt: the old one is renamed, the new one made under the old
/// name, every row copied with its id, and the old one dropped. The ids are
/// idempotency tokens and must never repeat, so the AUTOINCREMENT high-water
/// mark (`sqlite_sequence`) is carried over too: a fresh table would start
/// again after the highest id still present, reusing the ids of intents
/// already cleared. All of it runs in the migration's transaction.
const V2: &str = "
ALTER TABLE pending_ops RENAME TO pending_ops_v1;

CREATE TABLE pending_ops (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    stack       TEXT NOT NULL,
    env         TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('create', 'update', 'delete', 'sweep')),
    type        TEXT NOT NULL,
    resource_id TEXT,
    inputs      TEXT NOT NULL,
    started_at  INTEGER NOT NULL
);

INSERT INTO pending_ops (id, stack, env, name, kind, type, resource_id, inputs, started_at)
SELECT id, stack, env, name, kind, type, resource_id, inputs, started_at FROM pending_ops_v1;

DELETE FROM sqlite_sequence WHERE name = 'pending_ops';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'pending_ops', seq FROM sqlite_sequence WHERE name = 'pending_ops_v1';

DROP TABLE pending_ops_v1;
";

/// Version 3: `released`, the resources a stack let go of while they stay
/// in the cloud (`state forget`, `retain_on_delete`). They still carry the
/// stack's identity tags, so recovery needs the list to leave them alone. A
/// new table only: nothing existing changes.
const V3: &str = "
CREATE TABLE released (
    stack       TEXT NOT NULL,
    env         TEXT NOT NULL,
    type        TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    released_at INTEGER NOT NULL,
    PRIMARY KEY (stack, env, type, resource_id)
);
";

/// Version 4: secrets encrypted at rest. A row per stack holds its data key
/// wrapped by the secrets provider named beside it (`secrets.rs`). The
/// plaintext secrets of an older file are sealed by `open.rs` in the same
/// transaction, since that needs the provider and not only SQL.
const V4: &str = "
CREATE TABLE secret_keys (
    stack    TEXT NOT NULL,
    env      TEXT NOT NULL,
    provider TEXT NOT NULL,
    wrapped  BLOB NOT NULL,
    PRIMARY KEY (stack, env)
);
";

/// The JSON columns that may hold secrets, by table; the migration to
/// version 4 seals what they hold. `rowid` identifies each row.
pub(crate) const SECRET_COLUMNS: &[(&str, &str)] = &[
    ("resources", "inputs"),
    ("resources", "outputs"),
    ("stack_outputs", "outputs"),
    ("pending_ops", "inputs"),
    ("applied_config", "config"),
    ("config", "value"),
];

/// What a SQLite file's header and catalogue say about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Probe {
    pub(crate) application_id: i32,
    pub(crate) user_version: i64,
    /// Tables, indexes, views and triggers in the file.
    pub(crate) objects: i64,
}

/// Reads a file's identity. Only reads.
pub(crate) fn probe(conn: &Connection) -> rusqlite::Result<Probe> {
    Ok(Probe {
        application_id: conn.pragma_query_value(None, "application_id", |r| r.get(0))?,
        user_version: conn.pragma_query_value(None, "user_version", |r| r.get(0))?,
        objects: conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?,
    })
}

/// What opening a file has to do to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// An empty database: stamp it and create the schema.
    Empty,
    /// Ours, at [`SCHEMA_VERSION`]: nothing to do.
    Current,
    /// Ours, at an older version: back it up, then migrate.
    Older(i64),
}

/// Decides what a probed file is; `Err` holds why it cannot be used.
pub(crate) fn classify(probe: &Probe) -> Result<Layout, String> {
    if probe.application_id == APPLICATION_ID {
        return match probe.user_version {
            v if v == SCHEMA_VERSION => Ok(Layout::Current),
            v if (0..SCHEMA_VERSION).contains(&v) => Ok(Layout::Older(v)),
            v if v > SCHEMA_VERSION => Err(format!(
                "written by a newer skistack (schema version {v}; this skistack knows up to \
                 {SCHEMA_VERSION}); upgrade skistack to use it"
            )),
            v => Err(format!(
                "not a skistack state file (invalid schema version {v})"
            )),
        };
    }
    if probe.application_id == 0 && probe.user_version == 0 && probe.objects == 0 {
        return Ok(Layout::Empty);
    }
    Err("not a skistack state file (a SQLite database of another application)".into())
}

/// Brings a file from version `from` to [`SCHEMA_VERSION`]. Runs inside the
/// caller's transaction, so a failing step leaves the file as it was.
pub(crate) fn migrate(conn: &Connection, from: i64) -> rusqlite::Result<()> {
    for step in MIGRATIONS.iter().filter(|m| m.to > from) {
        conn.execute_batch(step.sql)?;
        conn.pragma_update(None, "user_version", step.to)?;
    }
    Ok(())
}

/// Stamps an empty file as skistack's (version 0), before [`migrate`].
pub(crate) fn stamp(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "application_id", APPLICATION_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe_of(application_id: i32, user_version: i64, objects: i64) -> Probe {
        Probe {
            application_id,
            user_version,
            objects,
        }
    }

    #[test]
    fn migrations_are_consecutive_and_reach_the_current_version() {
        for (i, step) in MIGRATIONS.iter().enumerate() {
            assert_eq!(step.to, i64::try_from(i).unwrap() + 1);
        }
        assert_eq!(MIGRATIONS.last().map(|m| m.to), Some(SCHEMA_VERSION));
    }

    #[test]
    fn files_are_classified_by_id_and_version() {
        assert_eq!(classify(&probe_of(0, 0, 0)), Ok(Layout::Empty));
        assert_eq!(
            classify(&probe_of(APPLICATION_ID, SCHEMA_VERSION, 9)),
            Ok(Layout::Current)
        );
        assert_eq!(
            classify(&probe_of(APPLICATION_ID, 0, 0)),
            Ok(Layout::Older(0))
        );
        let newer = classify(&probe_of(APPLICATION_ID, SCHEMA_VERSION + 1, 9)).unwrap_err();
        assert!(newer.contains("newer skistack"), "{newer}");
        let foreign = classify(&probe_of(0, 0, 1)).unwrap_err();
        assert!(foreign.contains("not a skistack state file"), "{foreign}");
        assert!(classify(&probe_of(0x1234, 0, 0)).is_err());
        assert!(classify(&probe_of(0, 7, 0)).is_err());
    }

    #[test]
    fn migrating_from_zero_creates_every_table() {
        let conn = Connection::open_in_memory().unwrap();
        stamp(&conn).unwrap();
        migrate(&conn, 0).unwrap();
        let found = probe(&conn).unwrap();
        assert_eq!(found.application_id, APPLICATION_ID);
        assert_eq!(found.user_version, SCHEMA_VERSION);
        for table in [
            "resources",
            "stack_outputs",
            "pending_ops",
            "history",
            "locks",
            "config",
        ] {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [table],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "table {table}");
        }
    }
}
