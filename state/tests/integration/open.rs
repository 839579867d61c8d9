//! Opening state files: creation, refusal of files that are not ours (left
//! byte for byte unchanged), and schema migration with a backup.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rusqlite::Connection;
use skistack_engine::Map;
use skistack_engine::{Intent, OpKind, StackKey, StateError, StateStore};
use skistack_state::{APPLICATION_ID, SCHEMA_VERSION, SqliteStore};

/// Opening `path` must fail as Unusable with a message containing `needle`
/// and leave the file's bytes as they were.
fn assert_refused(path: &Path, needle: &str) {
    let before = fs::read(path).ok();
    match crate::support::open(path) {
        Err(StateError::Unusable { path: p, message }) => {
            assert_eq!(p, path.display().to_string());
            assert!(
                message.contains(needle),
                "message {message:?} lacks {needle:?}"
            );
        }
        other => panic!("expected Unusable, got {other:?}"),
    }
    assert_eq!(fs::read(path).ok(), before, "the file was modified");
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn pragma(conn: &Connection, name: &str) -> i64 {
    conn.pragma_query_value(None, name, |r| r.get(0)).unwrap()
}

fn use_store(store: &SqliteStore) {
    let key = StackKey::new("web", "default");
    let op = Intent {
        address: "vpc".into(),
        kind: OpKind::Create,
        type_token: "aws:ec2:Vpc".into(),
        resource_id: None,
        inputs: Map::new(),
        started_at: 0,
    };
    let id = store.begin(&key, &op).unwrap();
    assert_eq!(store.load(&key).unwrap().pending.len(), 1);
    store.abandon(&key, id).unwrap();
}

#[test]
fn a_new_file_and_its_directories_are_created_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/state.db");
    let store = crate::support::open(&path).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    use_store(&store);
    drop(store);

    let conn = Connection::open(&path).unwrap();
    assert_eq!(pragma(&conn, "application_id"), i64::from(APPLICATION_ID));
    assert_eq!(pragma(&conn, "user_version"), SCHEMA_VERSION);
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn an_existing_empty_file_becomes_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    fs::write(&path, b"").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let store = crate::support::open(&path).unwrap();
    use_store(&store);
    // The mode of a file skistack did not create is left alone.
    assert_eq!(mode(&path), 0o640);
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert_refused(dir.path(), "is a directory");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("notes.txt");
    fs::write(&short, b"resources = []\n").unwrap();
    assert_refused(&short, "not a skistack state file");

    let long = dir.path().join("blob.bin");
    fs::write(&long, (0..=255u8).cycle().take(8192).collect::<Vec<_>>()).unwrap();
    assert_refused(&long, "not a skistack state file");
}

#[test]
fn another_applications_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let with_tables = dir.path().join("app.db");
    {
        let conn = Connection::open(&with_tables).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    assert_refused(&with_tables, "not a skistack state file");

    let other_id = dir.path().join("other.db");
    {
        let conn = Connection::open(&other_id).unwrap();
        conn.pragma_update(None, "application_id", 0x0F00_BA44)
            .unwrap();
    }
    assert_refused(&other_id, "not a skistack state file");
}

#[test]
fn a_read_only_file_is_refused_before_any_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    use_store(&crate::support::open(&path).unwrap());
    fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
    assert_refused(&path, "state file is read-only");

    let empty = dir.path().join("empty.db");
    fs::write(&empty, b"").unwrap();
    fs::set_permissions(&empty, fs::Permissions::from_mode(0o444)).unwrap();
    assert_refused(&empty, "read-only");
}

#[test]
fn a_file_from_a_newer_skistack_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    drop(crate::support::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    assert_refused(&path, "newer skistack");
}

/// A version-0 file: stamped as skistack's, none of its tables yet, and a
/// table of the user's that must survive.
fn make_version_zero(path: &Path, extra_sql: &str) {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    conn.execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');")
        .unwrap();
    conn.execute_batch(extra_sql).unwrap();
}

fn note(path: &Path) -> String {
    let conn = Connection::open(path).unwrap();
    conn.query_row("SELECT text FROM notes", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_older_file_is_backed_up_then_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    make_version_zero(&path, "");

    let store = crate::support::open(&path).unwrap();
    use_store(&store);
    assert!(store.integrity_check().unwrap());
    drop(store);

    let backup = dir.path().join("state.db.bak-v0");
    assert_eq!(mode(&backup), 0o600);
    let old = Connection::open(&backup).unwrap();
    assert_eq!(pragma(&old, "application_id"), i64::from(APPLICATION_ID));
    assert_eq!(pragma(&old, "user_version"), 0);
    drop(old);
    assert_eq!(note(&backup), "keep me");

    let migrated = Connection::open(&path).unwrap();
    assert_eq!(pragma(&migrated, "user_version"), SCHEMA_VERSION);
    drop(migrated);
    assert_eq!(note(&path), "keep me");

    // Reopening a current file makes no further backup.
    drop(crate::support::open(&path).unwrap());
    let backups = fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().contains(".bak-")
        })
        .count();
    assert_eq!(backups, 1);
}

#[test]
fn an_existing_backup_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    make_version_zero(&path, "");
    let earlier = dir.path().join("state.db.bak-v0");
    fs::write(&earlier, b"an earlier backup").unwrap();

    drop(crate::support::open(&path).unwrap());
    assert_eq!(fs::read(&earlier).unwrap(), b"an earlier backup");
    assert_eq!(note(&dir.path().join("state.db.bak-v0.1")), "keep me");
}

#[test]
fn a_failing_migration_leaves_the_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    // A table in the way of version 1's.
    make_version_zero(&path, "CREATE TABLE resources (anything);");

    match crate::support::open(&path) {
        Err(StateError::Backend(message)) => {
            assert!(message.contains("migrating"), "{message}");
            assert!(message.contains("resources"), "{message}");
        }
        other => panic!("expected a migration failure, got {other:?}"),
    }
    let conn = Connection::open(&path).unwrap();
    assert_eq!(pragma(&conn, "user_version"), 0);
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 2, "only notes and the old resources table");
    drop(conn);
    assert_eq!(note(&path), "keep me");
    assert_eq!(note(&dir.path().join("state.db.bak-v0")), "keep me");
}

/// The schema of version 1 as skistack released it, kept here as it was:
/// a fixture of what older files hold, which must not follow later changes
/// of the store's own migrations.
const RELEASED_V1: &str = "
CREATE TABLE resources (
    stack TEXT NOT NULL, env TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
    provider_id TEXT NOT NULL, inputs TEXT NOT NULL, outputs TEXT NOT NULL,
    dependencies TEXT NOT NULL, options TEXT NOT NULL, updated_at INTEGER NOT NULL,
    PRIMARY KEY (stack, env, name)
);
CREATE TABLE stack_outputs (
    stack TEXT NOT NULL, env TEXT NOT NULL, outputs TEXT NOT NULL, updated_at INTEGER NOT NULL,
    PRIMARY KEY (stack, env)
);
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
    id INTEGER PRIMARY KEY AUTOINCREMENT, stack TEXT NOT NULL, env TEXT NOT NULL,
    kind TEXT NOT NULL, started_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
    result TEXT NOT NULL, counts TEXT NOT NULL
);
CREATE INDEX history_by_stack ON history (stack, env);
CREATE TABLE locks (
    stack TEXT NOT NULL, env TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
    started_at INTEGER NOT NULL, operation TEXT NOT NULL, PRIMARY KEY (stack, env)
);
CREATE TABLE applied_config (
    stack TEXT NOT NULL, env TEXT NOT NULL, config TEXT NOT NULL, PRIMARY KEY (stack, env)
);
CREATE TABLE config (
    stack TEXT NOT NULL, env TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (stack, env, key)
);
";

/// A version-1 file holding a resource and two intents (ids 3 and 5; the
/// ids up to 7 were used, the others cleared since).
fn make_version_one(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    conn.execute_batch(RELEASED_V1).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn.execute_batch(
        r#"
        INSERT INTO resources VALUES ('web', 'default', 'vpc', 'aws:ec2:Vpc', 'vpc-1',
            '{"cidr_block":"10.0.0.0/16"}', '{"id":"vpc-1"}', '[]', '{}', 1700000000);
        INSERT INTO pending_ops VALUES (3, 'web', 'default', 'subnet', 'create',
            'aws:ec2:Subnet', NULL, '{"cidr_block":"10.0.1.0/24"}', 1700000001);
        INSERT INTO pending_ops VALUES (7, 'web', 'default', 'gone', 'delete',
            'aws:ec2:Subnet', 'subnet-9', '{}', 1700000002);
        DELETE FROM pending_ops WHERE id = 7;
        INSERT INTO pending_ops VALUES (5, 'web', 'default', 'vpc', 'update',
            'aws:ec2:Vpc', 'vpc-1', '{"cidr_block":"10.0.0.0/16"}', 1700000003);
        "#,
    )
    .unwrap();
}

#[test]
fn a_version_one_file_keeps_its_intents_and_takes_sweeps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    make_version_one(&path);

    let store = crate::support::open(&path).unwrap();
    let key = StackKey::new("web", "default");
    let state = store.load(&key).unwrap();
    assert_eq!(state.resources["vpc"].id, "vpc-1");
    let pending: Vec<(i64, &str, OpKind, Option<&str>, i64)> = state
        .pending
        .iter()
        .map(|op| {
            let id = op.resource_id.as_deref();
            (op.id.get(), op.address.as_str(), op.kind, id, op.started_at)
        })
        .collect();
    assert_eq!(
        pending,
        [
            (3, "subnet", OpKind::Create, None, 1_700_000_001),
            (5, "vpc", OpKind::Update, Some("vpc-1"), 1_700_000_003),
        ]
    );
    assert_eq!(
        state.pending[0].inputs["cidr_block"],
        skistack_engine::Value::from("10.0.1.0/24")
    );

    // The new kind is accepted, under an id never used before: ids are
    // idempotency tokens, and 7 was one.
    let sweep = Intent {
        address: "subnet".into(),
        kind: OpKind::Sweep,
        type_token: "aws:ec2:Subnet".into(),
        resource_id: None,
        inputs: Map::new(),
        started_at: 1_700_000_001,
    };
    let id = store.begin(&key, &sweep).unwrap();
    assert_eq!(id.get(), 8);
    assert_eq!(store.load(&key).unwrap().pending[2].kind, OpKind::Sweep);
    assert!(store.integrity_check().unwrap());
    drop(store);

    let conn = Connection::open(&path).unwrap();
    assert_eq!(pragma(&conn, "user_version"), SCHEMA_VERSION);
    // Any other kind is still refused by the table itself.
    let bogus = conn.execute(
        "INSERT INTO pending_ops (stack, env, name, kind, type, inputs, started_at)
         VALUES ('web', 'default', 'x', 'bogus', 't', '{}', 0)",
        [],
    );
    assert!(bogus.is_err(), "{bogus:?}");
    drop(conn);
    // The backup is the version-1 file as it was.
    let backup = Connection::open(dir.path().join("state.db.bak-v1")).unwrap();
    assert_eq!(pragma(&backup, "user_version"), 1);
    let kept: i64 = backup
        .query_row("SELECT count(*) FROM pending_ops", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 2);
}
