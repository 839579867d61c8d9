//! Secrets at rest: every place a secret reaches the store round-trips and
//! leaves no plaintext in any byte of the state file or its siblings; keys
//! that are missing, wrong or wrapped by another provider are refused.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;
use skistack_engine::{Intent, Map, OpKind, RecordOptions, ResourceRecord, StackKey, StateStore};
use skistack_engine::{StateError, Value};
use skistack_state::{KeyFile, SqliteStore};

use crate::support::{key_file, open};

/// Every secret the tests store; none may appear in the state's bytes.
const PLAINTEXTS: &[&str] = &[
    "intent-hunter2",
    "input-hunter2",
    "output-hunter2",
    "stack-output-hunter2",
    "applied-hunter2",
    "config-hunter2",
];

fn secret(text: &str) -> Value {
    Value::secret(text.into())
}

fn one(name: &str, value: Value) -> Map {
    Map::from([(name.to_string(), value)])
}

fn web() -> StackKey {
    StackKey::new("web", "default")
}

/// Writes a secret to every place the store keeps values.
fn write_every_place(store: &SqliteStore, key: &StackKey) {
    let intent = Intent {
        address: "db".into(),
        kind: OpKind::Create,
        type_token: "std:RandomString".into(),
        resource_id: None,
        inputs: one("seed", secret("intent-hunter2")),
        started_at: 1_700_000_000,
    };
    store.begin(key, &intent).unwrap();
    let record = ResourceRecord {
        address: "password".into(),
        type_token: "std:RandomString".into(),
        id: "password".into(),
        // A secret nested in a list in a map: sealed where it sits.
        inputs: one(
            "nested",
            Value::Map(one("list", Value::List(vec![secret("input-hunter2")]))),
        ),
        outputs: one("result", secret("output-hunter2")),
        dependencies: Vec::new(),
        options: RecordOptions::default(),
    };
    store.commit_resource(key, None, &record).unwrap();
    store
        .set_outputs(key, Some(&one("pw", secret("stack-output-hunter2"))))
        .unwrap();
    store
        .set_applied_config(key, Some(&one("pw", secret("applied-hunter2"))))
        .unwrap();
    store
        .set_config(key, "pw", &secret("config-hunter2"))
        .unwrap();
}

/// Every byte of every file in `dir` but the key file, as one buffer per file.
fn state_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with(".key"))
        .map(|p| (p.display().to_string(), fs::read(&p).unwrap()))
        .collect()
}

fn assert_no_plaintext(dir: &Path, plaintexts: &[&str]) {
    for (file, bytes) in state_bytes(dir) {
        for plain in plaintexts {
            let found = bytes.windows(plain.len()).any(|w| w == plain.as_bytes());
            assert!(!found, "{plain:?} in plaintext in {file}");
        }
    }
}

#[test]
fn every_place_a_secret_is_kept_round_trips_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = open(&path).unwrap();
    write_every_place(&store, &web());
    // Checked while the store is open too: the WAL holds recent writes.
    assert_no_plaintext(dir.path(), PLAINTEXTS);
    drop(store);

    let store = open(&path).unwrap();
    let state = store.load(&web()).unwrap();
    assert_eq!(state.pending[0].inputs["seed"], secret("intent-hunter2"));
    let record = &state.resources["password"];
    assert_eq!(record.outputs["result"], secret("output-hunter2"));
    let Value::Map(nested) = &record.inputs["nested"] else {
        panic!("{:?}", record.inputs);
    };
    assert_eq!(nested["list"], Value::List(vec![secret("input-hunter2")]));
    assert_eq!(state.outputs.unwrap()["pw"], secret("stack-output-hunter2"));
    assert_eq!(
        store.applied_config(&web()).unwrap().unwrap()["pw"],
        secret("applied-hunter2")
    );
    assert_eq!(
        store.config(&web()).unwrap()["pw"],
        secret("config-hunter2")
    );
    drop(store);
    assert_no_plaintext(dir.path(), PLAINTEXTS);
}

#[test]
fn a_stack_without_secrets_needs_no_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = open(&path).unwrap();
    store
        .set_config(&web(), "region", &Value::from("eu-west-1"))
        .unwrap();
    assert!(!key_file(&path).exists());
    store.set_config(&web(), "pw", &secret("x")).unwrap();
    assert!(key_file(&path).exists());
}

#[test]
fn a_ciphertext_copied_into_another_stack_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = open(&path).unwrap();
    let api = StackKey::new("api", "default");
    store.set_config(&web(), "pw", &secret("web-pw")).unwrap();
    store.set_config(&api, "pw", &secret("api-pw")).unwrap();
    drop(store);

    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE config SET value = (SELECT value FROM config WHERE stack = 'web')
         WHERE stack = 'api'",
        [],
    )
    .unwrap();
    drop(conn);

    let store = open(&path).unwrap();
    let err = store.config(&api).unwrap_err().to_string();
    assert!(err.contains("does not decrypt"), "{err}");
    assert!(err.contains("copied from another stack"), "{err}");
    assert_eq!(store.config(&web()).unwrap()["pw"], secret("web-pw"));
}

#[test]
fn a_missing_key_file_is_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = open(&path).unwrap();
    store.set_config(&web(), "pw", &secret("pw-1")).unwrap();
    drop(store);
    fs::remove_file(key_file(&path)).unwrap();

    let store = open(&path).unwrap();
    let err = store.config(&web()).unwrap_err().to_string();
    assert!(err.contains("is missing"), "{err}");
    assert!(
        err.contains(&key_file(&path).display().to_string()),
        "{err}"
    );
    // A write needs the same key and fails the same way, writing nothing.
    let err = store.set_config(&web(), "pw", &secret("pw-2")).unwrap_err();
    assert!(err.to_string().contains("is missing"), "{err}");
    assert!(!key_file(&path).exists(), "no new key made in its place");
}

#[test]
fn a_key_file_of_another_state_does_not_unwrap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = open(&path).unwrap();
    store.set_config(&web(), "pw", &secret("pw-1")).unwrap();
    drop(store);
    // Another key under the same name: the provider URL matches, the key not.
    fs::remove_file(key_file(&path)).unwrap();
    let other = open(&dir.path().join("other.db")).unwrap();
    other.set_config(&web(), "pw", &secret("pw-2")).unwrap();
    drop(other);
    fs::rename(dir.path().join("other.db.key"), key_file(&path)).unwrap();

    let store = open(&path).unwrap();
    let err = store.config(&web()).unwrap_err().to_string();
    assert!(err.contains("does not unwrap"), "{err}");
}

#[test]
fn changing_the_provider_rewraps_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = open(&path).unwrap();
    write_every_place(&store, &web());
    let api = StackKey::new("api", "prod");
    store.set_config(&api, "pw", &secret("api-pw")).unwrap();
    let new_file = KeyFile::new(dir.path().join("new.key"));
    assert_eq!(store.change_secrets_provider(&new_file).unwrap(), 2);
    drop(store);

    // The old provider is refused by name, with the way out.
    let err = open(&path).unwrap().config(&api).unwrap_err().to_string();
    assert!(err.contains("change-secrets-provider"), "{err}");
    // The old key is no longer needed at all.
    fs::remove_file(key_file(&path)).unwrap();
    let store = SqliteStore::open(&path, Arc::new(new_file)).unwrap();
    assert_eq!(store.config(&api).unwrap()["pw"], secret("api-pw"));
    assert_eq!(
        store.config(&web()).unwrap()["pw"],
        secret("config-hunter2")
    );
}

#[test]
fn a_failed_rewrap_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = open(&path).unwrap();
    store.set_config(&web(), "pw", &secret("pw-1")).unwrap();
    drop(store);
    fs::remove_file(key_file(&path)).unwrap();
    let store = open(&path).unwrap();
    let new_file = KeyFile::new(dir.path().join("new.key"));
    let err = store.change_secrets_provider(&new_file).unwrap_err();
    assert!(matches!(err, StateError::Backend(_)), "{err}");
    assert!(err.to_string().contains("is missing"), "{err}");
    drop(store);
    // Still wrapped by the old provider: the new one is refused.
    let store = SqliteStore::open(&path, Arc::new(new_file)).unwrap();
    let err = store.config(&web()).unwrap_err().to_string();
    assert!(err.contains("change-secrets-provider"), "{err}");
}

/// Turns a current file into a version-3 one holding `plaintexts` unsealed,
/// as skistack wrote secrets before they were encrypted.
fn make_version_three_with_plaintext(path: &Path) {
    drop(open(path).unwrap());
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        r#"
        DROP TABLE secret_keys;
        INSERT INTO config VALUES ('web', 'default', 'pw', '{"$secret":"config-hunter2"}');
        INSERT INTO stack_outputs VALUES
            ('web', 'default', '{"pw":{"$secret":"stack-output-hunter2"}}', 0);
        INSERT INTO resources VALUES ('web', 'default', 'password', 'std:RandomString',
            'password', '{"nested":{"list":[{"$secret":"input-hunter2"}]}}',
            '{"result":{"$secret":"output-hunter2"}}', '[]', '{}', 0);
        INSERT INTO pending_ops (stack, env, name, kind, type, inputs, started_at) VALUES
            ('web', 'default', 'db', 'create', 'std:RandomString',
             '{"seed":{"$secret":"intent-hunter2"}}', 0);
        INSERT INTO applied_config VALUES ('web', 'default', '{"pw":{"$secret":"applied-hunter2"}}');
        PRAGMA user_version = 3;
        "#,
    )
    .unwrap();
}

#[test]
fn migrating_a_file_with_plaintext_secrets_leaves_no_plaintext_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    make_version_three_with_plaintext(&path);
    // The fixture does hold what the migration must remove.
    assert!(
        state_bytes(dir.path())
            .iter()
            .any(|(_, b)| b.windows(14).any(|w| w == b"config-hunter2"))
    );

    let store = open(&path).unwrap();
    assert!(store.integrity_check().unwrap());
    assert_no_plaintext(dir.path(), PLAINTEXTS);
    let state = store.load(&web()).unwrap();
    assert_eq!(
        state.resources["password"].outputs["result"],
        secret("output-hunter2")
    );
    assert_eq!(state.pending[0].inputs["seed"], secret("intent-hunter2"));
    assert_eq!(
        store.config(&web()).unwrap()["pw"],
        secret("config-hunter2")
    );
    drop(store);
    assert_no_plaintext(dir.path(), PLAINTEXTS);
    let backups = fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".bak-")
        })
        .count();
    assert_eq!(backups, 0, "the plaintext backup is removed");
}
