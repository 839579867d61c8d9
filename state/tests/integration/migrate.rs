//! `state migrate` between the two stores: a file copied into an object
//! store and back keeps every part of every stack (pending operations with
//! their ids), seals its secrets with the target's keys, leaves the source
//! as it was, and is refused whole when the target holds anything or a
//! run holds a source stack.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use skistack_engine::{
    EngineError, HistoryEntry, Intent, LockInfo, Map, OpKind, RecordOptions, ResourceRecord,
    StackCopy, StackKey, StateStore, Value, migrate,
};
use skistack_state::{KeyFile, MemoryObjects, ObjectStateStore, ObjectStore};

const SECRETS: [&str; 4] = ["hunter2", "s3cr3t", "c0nf1g", "0utput"];

fn map(pairs: &[(&str, Value)]) -> Map {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn record(name: &str) -> ResourceRecord {
    ResourceRecord {
        address: name.into(),
        type_token: "aws:ec2:Vpc".into(),
        id: format!("id-{name}"),
        inputs: map(&[("password", Value::secret("hunter2".into()))]),
        outputs: map(&[("weight", Value::Float(0.1)), ("n", Value::Int(3))]),
        dependencies: vec!["net".into()],
        options: RecordOptions {
            protect: true,
            ..RecordOptions::default()
        },
    }
}

fn intent(name: &str) -> Intent {
    Intent {
        address: name.into(),
        kind: OpKind::Create,
        type_token: "aws:ec2:Subnet".into(),
        resource_id: None,
        inputs: map(&[("token", Value::secret("s3cr3t".into()))]),
        started_at: 1_700_000_000,
    }
}

fn objects_store(dir: &std::path::Path, objects: &Arc<MemoryObjects>) -> Arc<dyn StateStore> {
    Arc::new(
        ObjectStateStore::open(
            Arc::clone(objects) as Arc<dyn ObjectStore>,
            Arc::new(KeyFile::new(dir.join("objects.key"))),
            Duration::from_secs(60),
        )
        .unwrap(),
    )
}

fn file_store(dir: &std::path::Path, name: &str) -> Arc<dyn StateStore> {
    Arc::new(crate::support::open(&dir.join(name)).unwrap())
}

/// A state with every part: a deployed stack with a pending intent, a
/// stack of another environment with only config, one with only a
/// released resource.
fn fill(store: &dyn StateStore) -> Vec<StackKey> {
    let web = StackKey::new("web", "default");
    for name in ["vpc", "subnet[0]"] {
        let id = store.begin(&web, &intent(name)).unwrap();
        store
            .commit_resource(&web, Some(id), &record(name))
            .unwrap();
    }
    store.begin(&web, &intent("nat[0]")).unwrap();
    let outputs = map(&[("key", Value::secret("0utput".into()))]);
    store.set_outputs(&web, Some(&outputs)).unwrap();
    store
        .set_applied_config(&web, Some(&map(&[("az_count", Value::Int(2))])))
        .unwrap();
    store
        .set_config(&web, "db_password", &Value::secret("c0nf1g".into()))
        .unwrap();
    let run = HistoryEntry {
        kind: "up".into(),
        started_at: 1_700_000_100,
        duration_ms: 1234,
        result: "succeeded".into(),
        counts: BTreeMap::from([("create".to_string(), 2)]),
    };
    store.add_history(&web, &run).unwrap();
    let cfg = StackKey::new("web", "prod");
    store
        .set_config(&cfg, "region", &"eu-west-1".into())
        .unwrap();
    let kept = StackKey::new("legacy", "default");
    store
        .commit_resource(&kept, None, &record("bucket"))
        .unwrap();
    assert!(store.forget(&kept, "bucket").unwrap());
    vec![kept, web, cfg]
}

fn copies(store: &dyn StateStore, keys: &[StackKey]) -> Vec<StackCopy> {
    keys.iter()
        .map(|k| StackCopy::read(store, k).unwrap())
        .collect()
}

#[test]
fn a_file_moves_into_objects_and_back_with_every_part() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_store(dir.path(), "state.db");
    let keys = fill(file.as_ref());
    assert_eq!(file.recorded_stacks().unwrap(), keys);
    let before = copies(file.as_ref(), &keys);

    let objects = Arc::new(MemoryObjects::new());
    let shared = objects_store(dir.path(), &objects);
    let report = migrate(&file, shared.as_ref()).unwrap();
    let copied: Vec<StackKey> = report.stacks.iter().map(|s| s.key.clone()).collect();
    assert_eq!(copied, keys);
    let web = &report.stacks[1];
    assert_eq!(
        (web.resources, web.pending, web.config, web.history),
        (2, 1, 1, 1)
    );
    assert!(web.deployed);
    assert_eq!(copies(shared.as_ref(), &keys), before);
    // The source is as it was, its locks released.
    assert_eq!(copies(file.as_ref(), &keys), before);
    for key in &keys {
        assert_eq!(file.lock_holder(key).unwrap(), None);
    }
    for (name, body) in objects.objects() {
        for secret in SECRETS {
            let found = body.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{secret} in plaintext in {name}");
        }
    }

    // A new intent in the copy never takes a copied id.
    let copied_id = before[1].state.pending[0].id;
    let next = shared.begin(&keys[1], &intent("nat[1]")).unwrap();
    assert!(next > copied_id, "{next} after {copied_id}");
    shared.abandon(&keys[1], next).unwrap();

    // And back into a new file.
    let back = file_store(dir.path(), "back.db");
    migrate(&shared, back.as_ref()).unwrap();
    assert_eq!(copies(back.as_ref(), &keys), before);
    let next = back.begin(&keys[1], &intent("nat[1]")).unwrap();
    assert!(next > copied_id, "{next} after {copied_id}");
}

#[test]
fn a_target_holding_state_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_store(dir.path(), "state.db");
    fill(file.as_ref());
    let objects = Arc::new(MemoryObjects::new());
    let shared = objects_store(dir.path(), &objects);
    let other = StackKey::new("api", "default");
    shared.set_config(&other, "x", &Value::Int(1)).unwrap();
    let held = objects.objects();

    let err = migrate(&file, shared.as_ref()).unwrap_err().to_string();
    assert!(
        err.contains("the target already holds the state of api"),
        "{err}"
    );
    assert_eq!(objects.objects(), held);
    // A store asked directly refuses a stack it holds.
    let copy = StackCopy::read(file.as_ref(), &StackKey::new("web", "default")).unwrap();
    let err = (shared.restore(&[(other, copy)])).unwrap_err().to_string();
    assert!(err.contains("already holds stack api"), "{err}");
}

#[test]
fn a_source_stack_held_by_a_run_is_refused_with_nothing_copied() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_store(dir.path(), "state.db");
    let keys = fill(file.as_ref());
    let runner = LockInfo {
        pid: 4242,
        host: "build-7".into(),
        started_at: 1_700_000_000,
        operation: "up".into(),
        lease: None,
    };
    file.lock(&keys[2], &runner).unwrap();
    let target = file_store(dir.path(), "copy.db");

    let err = migrate(&file, target.as_ref()).unwrap_err();
    assert!(matches!(err, EngineError::State(_)), "{err}");
    assert!(
        err.to_string().contains("locked by pid 4242 on build-7"),
        "{err}"
    );
    assert!(target.recorded_stacks().unwrap().is_empty());
    // The locks the migration took before it met the held one are released.
    assert_eq!(file.lock_holder(&keys[0]).unwrap(), None);
    assert_eq!(file.lock_holder(&keys[2]).unwrap(), Some(runner));
}

#[test]
fn ids_that_collide_in_one_file_are_refused_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let objects = Arc::new(MemoryObjects::new());
    let shared = objects_store(dir.path(), &objects);
    // Each stack of an object store numbers its own intents from 1.
    let (a, b) = (StackKey::new("a", "default"), StackKey::new("b", "default"));
    let first = shared.begin(&a, &intent("x")).unwrap();
    assert_eq!(shared.begin(&b, &intent("y")).unwrap(), first);
    let file = file_store(dir.path(), "state.db");

    let err = migrate(&shared, file.as_ref()).unwrap_err().to_string();
    assert!(
        err.contains("pending operation 1 of stack b has the id of one of stack a's"),
        "{err}"
    );
    assert!(err.contains("The source is unchanged"), "{err}");
    // One transaction: not even stack a was written.
    assert!(file.recorded_stacks().unwrap().is_empty());
}
