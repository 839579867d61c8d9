//! Stack locks change only when the caller's view of the holder is current:
//! of two processes taking over one stale lock exactly one wins, and a
//! process releases only the lock it holds.

use skistack_engine::{LockInfo, StackKey, StateError, StateStore};
use skistack_state::SqliteStore;

fn holder(pid: u32, host: &str, started_at: i64) -> LockInfo {
    LockInfo {
        pid,
        host: host.into(),
        started_at,
        operation: "up".into(),
        lease: None,
    }
}

fn temp_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::support::open(&dir.path().join("state.db")).unwrap();
    (dir, store)
}

#[test]
fn a_stale_lock_is_taken_over_once() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    let dead = holder(100, "box", 1_700_000_000);
    let first = holder(200, "box", 1_700_000_100);
    let second = holder(300, "box", 1_700_000_100);
    assert_eq!(store.lock_holder(&key).unwrap(), None);
    store.lock(&key, &dead).unwrap();
    assert_eq!(store.lock_holder(&key).unwrap(), Some(dead.clone()));

    assert!(store.take_over_lock(&key, &dead, &first).unwrap());
    // The second saw the same dead holder, but the lock moved on.
    assert!(!store.take_over_lock(&key, &dead, &second).unwrap());
    assert_eq!(store.lock_holder(&key).unwrap(), Some(first.clone()));
    match store.lock(&key, &second) {
        Err(StateError::Locked { holder, .. }) => assert_eq!(*holder, first),
        other => panic!("expected Locked, got {other:?}"),
    }
}

#[test]
fn only_the_holder_releases_its_lock() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "prod");
    let mine = holder(42, "laptop", 1_700_000_000);
    let other = holder(43, "laptop", 1_700_000_000);
    store.lock(&key, &mine).unwrap();
    assert!(!store.release_lock(&key, &other).unwrap());
    assert_eq!(store.lock_holder(&key).unwrap(), Some(mine.clone()));
    assert!(store.release_lock(&key, &mine).unwrap());
    assert_eq!(store.lock_holder(&key).unwrap(), None);
    // Releasing again is a no-op that says so.
    assert!(!store.release_lock(&key, &mine).unwrap());
    // Other environments have their own lock.
    store.lock(&key, &mine).unwrap();
    assert_eq!(
        store.lock_holder(&StackKey::new("web", "default")).unwrap(),
        None
    );
}
