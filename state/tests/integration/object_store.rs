//! The state in an object store (memory here; S3 in the CLI's moto tier):
//! the shared cases of `store_cases.rs`, and what only a shared state
//! does: other machines see every change, runs compact what they wrote,
//! writers never overwrite each other, leased locks, and writes that cost
//! what the change costs whatever the size of the state.

use std::time::Duration;

use skistack_engine::Lease;
use skistack_state::{KeyFile, MemoryObjects, ObjectStateStore, ObjectStore, Precondition};

/// A store over `objects` with its key file in `dir`, as a machine of its
/// own would open it.
fn machine(dir: &std::path::Path, objects: &Arc<MemoryObjects>) -> ObjectStateStore {
    ObjectStateStore::open(
        Arc::clone(objects) as Arc<dyn ObjectStore>,
        Arc::new(KeyFile::new(dir.join("state.key"))),
        Duration::from_secs(60),
    )
    .unwrap()
}

fn temp_store() -> (tempfile::TempDir, ObjectStateStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = machine(dir.path(), &Arc::new(MemoryObjects::new()));
    (dir, store)
}

include!("store_cases.rs");

fn me(pid: u32) -> LockInfo {
    LockInfo {
        pid,
        host: "ci-1".into(),
        started_at: 1_700_000_000,
        operation: "up".into(),
        lease: None,
    }
}

#[test]
fn another_machine_sees_every_change_and_a_run_compacts_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let objects = Arc::new(MemoryObjects::new());
    let a = machine(dir.path(), &objects);
    let b = machine(dir.path(), &objects);
    let key = StackKey::new("web", "prod");
    a.lock(&key, &me(1)).unwrap();
    for name in ["vpc", "subnet[0]", "subnet[1]"] {
        let id = a.begin(&key, &op(name, OpKind::Create)).unwrap();
        a.commit_resource(&key, Some(id), &record(name)).unwrap();
    }
    let pending = a.begin(&key, &op("nat", OpKind::Create)).unwrap();
    a.set_config(&key, "token", &Value::secret("t0k3n".into()))
        .unwrap();
    // Before the run ends, the other machine reads the journal.
    let seen = b.load(&key).unwrap();
    assert_eq!(seen.resources.len(), 3);
    assert_eq!(seen.resources["subnet[1]"], record("subnet[1]"));
    assert_eq!(seen.pending.len(), 1);
    assert_eq!(seen.pending[0].id, pending);
    let journal = |objects: &MemoryObjects| {
        (objects.objects().keys())
            .filter(|n| n.contains("/journal/"))
            .count()
    };
    // One object per change; the first secret's data key rides with it.
    assert_eq!(journal(&objects), 8);
    assert!(a.release_lock(&key, &me(1)).unwrap());
    // Released, the run's changes are one snapshot.
    assert_eq!(journal(&objects), 0);
    let names: Vec<String> = objects.objects().into_keys().collect();
    assert!(names.iter().any(|n| n.contains("/snapshot/")), "{names:?}");
    let c = machine(dir.path(), &objects);
    let after = c.load(&key).unwrap();
    assert_eq!(after.resources, seen.resources);
    assert_eq!(after.pending, seen.pending);
    assert_eq!(
        c.config(&key).unwrap()["token"],
        Value::secret("t0k3n".into())
    );
    // The next intent's id is past every earlier one, after compaction too.
    assert!(c.begin(&key, &op("x", OpKind::Create)).unwrap() > pending);
    // What the first machine saw before the compaction it catches up on.
    assert_eq!(b.load(&key).unwrap().pending.len(), 2);
}

#[test]
fn a_writer_that_was_overtaken_writes_nothing_and_reads_again() {
    let dir = tempfile::tempdir().unwrap();
    let objects = Arc::new(MemoryObjects::new());
    let a = machine(dir.path(), &objects);
    let b = machine(dir.path(), &objects);
    let key = StackKey::new("web", "default");
    a.set_config(&key, "x", &Value::Int(1)).unwrap();
    b.set_config(&key, "y", &Value::Int(2)).unwrap();
    // `a` numbers its change after its own copy, which `b` overtook.
    let err = a.set_config(&key, "z", &Value::Int(3)).unwrap_err();
    assert!(
        err.to_string().contains("another process wrote change 2"),
        "{err}"
    );
    a.set_config(&key, "z", &Value::Int(3)).unwrap();
    let config = b.config(&key).unwrap();
    assert_eq!(
        config.keys().collect::<Vec<_>>(),
        ["x", "y", "z"],
        "{config:?}"
    );
}

#[test]
fn a_run_whose_lock_was_taken_over_writes_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    let objects = Arc::new(MemoryObjects::new());
    let a = ObjectStateStore::open(
        Arc::clone(&objects) as Arc<dyn ObjectStore>,
        Arc::new(KeyFile::new(dir.path().join("state.key"))),
        Duration::from_millis(600),
    )
    .unwrap();
    let b = machine(dir.path(), &objects);
    let key = StackKey::new("web", "default");
    a.lock(&key, &me(1)).unwrap();
    let holder = match b.lock(&key, &me(2)) {
        Err(StateError::Locked { holder, .. }) => *holder,
        other => panic!("expected Locked, got {other:?}"),
    };
    let lease = holder.lease.expect("a lock in an object store has a lease");
    assert_eq!(
        lease.seconds, 0,
        "a 600 ms lease is recorded in whole seconds"
    );
    // The heartbeat renews the lock: the tag moves on, and a takeover
    // judged on an old reading fails.
    std::thread::sleep(Duration::from_millis(450));
    assert!(!b.take_over_lock(&key, &holder, &me(2)).unwrap());
    let fresh = b.lock_holder(&key).unwrap().unwrap();
    assert!(fresh.same_holder(&me(1)));
    assert!(b.take_over_lock(&key, &fresh, &me(2)).unwrap());
    // At its next beat the first run finds the lock gone, and stops.
    std::thread::sleep(Duration::from_millis(450));
    let err = a.set_config(&key, "x", &Value::Int(1)).unwrap_err();
    assert!(err.to_string().contains("lost the lock"), "{err}");
    // It cannot release what it lost, and the new holder keeps it.
    assert!(!a.release_lock(&key, &me(1)).unwrap());
    assert!(b.lock_holder(&key).unwrap().unwrap().same_holder(&me(2)));
    assert!(b.release_lock(&key, &me(2)).unwrap());
    assert_eq!(b.lock_holder(&key).unwrap(), None);
}

#[test]
fn a_lock_records_its_lease() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    store.lock(&key, &me(1)).unwrap();
    let holder = store.lock_holder(&key).unwrap().unwrap();
    let Some(Lease {
        heartbeat_at,
        seconds,
        beats: 0,
    }) = holder.lease
    else {
        panic!("no lease in {holder:?}");
    };
    assert_eq!(seconds, 60);
    assert!((skistack_engine::unix_now() - heartbeat_at).abs() < 60);
}

#[test]
fn a_change_writes_what_it_changes_whatever_the_size_of_the_state() {
    let (_dir, _) = temp_store();
    let dir = tempfile::tempdir().unwrap();
    let objects = Arc::new(MemoryObjects::new());
    let store = machine(dir.path(), &objects);
    let key = StackKey::new("big", "default");
    store.lock(&key, &me(1)).unwrap();
    let mut cost_at = Vec::new();
    for n in 0..1500 {
        let name = format!("r{n:05}");
        let before = objects.traffic();
        let id = store.begin(&key, &op(&name, OpKind::Create)).unwrap();
        store
            .commit_resource(&key, Some(id), &record(&name))
            .unwrap();
        let after = objects.traffic();
        if n == 10 || n == 1400 {
            cost_at.push((
                after.requests - before.requests,
                after.bytes_written - before.bytes_written,
            ));
        }
    }
    // Two requests and the same bytes per step at 10 and at 1,400
    // resources (one compaction ran in between, at 1,024 entries), but
    // for the digits of the growing intent ids.
    let ((requests_10, bytes_10), (requests_1400, bytes_1400)) = (cost_at[0], cost_at[1]);
    assert_eq!((requests_10, requests_1400), (2, 2));
    assert!(bytes_1400 <= bytes_10 + 8, "{cost_at:?}");
    assert_eq!(store.load(&key).unwrap().resources.len(), 1500);
}

#[test]
fn no_secret_is_in_any_object() {
    let dir = tempfile::tempdir().unwrap();
    let objects = Arc::new(MemoryObjects::new());
    let store = machine(dir.path(), &objects);
    let key = StackKey::new("web", "default");
    store.lock(&key, &me(1)).unwrap();
    let id = store.begin(&key, &op("vpc", OpKind::Create)).unwrap();
    store
        .commit_resource(&key, Some(id), &record("vpc"))
        .unwrap();
    store
        .set_config(&key, "db", &Value::secret("c0nf1g-s3cret".into()))
        .unwrap();
    store
        .set_outputs(
            &key,
            Some(&map(&[("pw", Value::secret("0utput-s3cret".into()))])),
        )
        .unwrap();
    let check = |when: &str| {
        for (name, body) in objects.objects() {
            for secret in ["hunter2", "s3cr3t", "c0nf1g-s3cret", "0utput-s3cret"] {
                assert!(
                    !body.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{when}: {secret} in {name}"
                );
            }
        }
    };
    check("in the journal");
    store.release_lock(&key, &me(1)).unwrap();
    check("in the snapshot");
    assert_eq!(
        machine(dir.path(), &objects).load(&key).unwrap().resources["vpc"],
        record("vpc")
    );
}

#[test]
fn a_location_that_holds_something_else_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = || Arc::new(KeyFile::new(dir.path().join("state.key")));
    let other = Arc::new(MemoryObjects::new());
    other
        .put("backups/site.tar", b"x".to_vec(), Precondition::Absent)
        .unwrap();
    let err = ObjectStateStore::open(
        Arc::clone(&other) as Arc<dyn ObjectStore>,
        secrets(),
        Duration::from_secs(60),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("holds objects that are not a skistack state (such as backups/site.tar)"),
        "{err}"
    );
    assert_eq!(other.objects().len(), 1);
    let newer = Arc::new(MemoryObjects::new());
    newer
        .put(
            "skistack-state.json",
            b"{\"skistack_state\": 99}".to_vec(),
            Precondition::Absent,
        )
        .unwrap();
    let err = ObjectStateStore::open(
        newer as Arc<dyn ObjectStore>,
        secrets(),
        Duration::from_secs(60),
    )
    .unwrap_err();
    assert!(err.to_string().contains("newer skistack"), "{err}");
}
