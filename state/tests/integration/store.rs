//! Round trips of every StateStore method on a real state file: the
//! shared cases (`store_cases.rs`) and what only a file does.

use skistack_state::SqliteStore;

fn temp_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::support::open(&dir.path().join("state.db")).unwrap();
    (dir, store)
}

include!("store_cases.rs");

#[test]
fn state_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let key = StackKey::new("web", "default");
    let (done, pending) = {
        let store = crate::support::open(&path).unwrap();
        let id = store.begin(&key, &op("vpc", OpKind::Create)).unwrap();
        store
            .commit_resource(&key, Some(id), &record("vpc"))
            .unwrap();
        let pending = store.begin(&key, &op("subnet[0]", OpKind::Create)).unwrap();
        store
            .set_outputs(&key, Some(&map(&[("n", Value::Int(1))])))
            .unwrap();
        (record("vpc"), pending)
    };
    let store = crate::support::open(&path).unwrap();
    let state = store.load(&key).unwrap();
    assert_eq!(state.resources["vpc"], done);
    assert_eq!(
        state.pending,
        vec![op("subnet[0]", OpKind::Create).with_id(pending)]
    );
    assert_eq!(state.outputs, Some(map(&[("n", Value::Int(1))])));
    // Ids are never reused, even after the intent was cleared and the
    // file reopened: providers use them as idempotency tokens.
    store.abandon(&key, pending).unwrap();
    drop(store);
    let store = crate::support::open(&path).unwrap();
    let next = store.begin(&key, &op("subnet[1]", OpKind::Create)).unwrap();
    assert!(next > pending);
    assert!(store.integrity_check().unwrap());
    assert_eq!(store.path(), path);
}
