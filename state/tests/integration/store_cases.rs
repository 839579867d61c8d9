// The cases every StateStore passes, included by `store.rs` (a SQLite
// file) and `object_store.rs` (an object store), each of which defines
// `temp_store()`.

use std::collections::BTreeMap;
use std::sync::Arc;

use skistack_engine::{
    HistoryEntry, Intent, LockInfo, OpId, OpKind, PendingOp, RecordOptions, ResourceRecord,
    StackKey, StackSummary, StateError, StateStore,
};
use skistack_engine::{Map, Value};

fn map(pairs: &[(&str, Value)]) -> Map {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn op(name: &str, kind: OpKind) -> Intent {
    Intent {
        address: name.into(),
        kind,
        type_token: "aws:ec2:Vpc".into(),
        resource_id: (kind != OpKind::Create).then(|| format!("id-{name}")),
        inputs: map(&[
            ("cidr", "10.0.0.0/16".into()),
            ("token", Value::secret("s3cr3t".into())),
        ]),
        started_at: 1_700_000_000,
    }
}

fn record(name: &str) -> ResourceRecord {
    ResourceRecord {
        address: name.into(),
        type_token: "aws:ec2:Vpc".into(),
        id: format!("id-{name}"),
        inputs: map(&[
            ("cidr", "10.0.0.0/16".into()),
            ("password", Value::secret("hunter2".into())),
        ]),
        outputs: map(&[
            ("arn", format!("arn:aws:ec2:vpc/{name}").into()),
            ("ports", Value::List(vec![Value::Int(80), Value::Int(443)])),
            ("weight", Value::Float(0.5)),
        ]),
        dependencies: vec!["net".into(), "subnet[0]".into()],
        options: RecordOptions {
            protect: true,
            retain_on_delete: false,
            delete_before_replace: true,
        },
    }
}

#[test]
fn an_unknown_stack_loads_empty() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    let state = store.load(&key).unwrap();
    assert!(state.resources.is_empty());
    assert_eq!(state.outputs, None);
    assert!(state.pending.is_empty());
    assert_eq!(store.outputs(&key).unwrap(), None);
    assert!(store.list_stacks().unwrap().is_empty());
    assert!(store.history(&key).unwrap().is_empty());
    assert!(store.config(&key).unwrap().is_empty());
}

#[test]
fn begin_and_commit_record_a_resource_and_clear_the_intent() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "prod");
    let intent = op("vpc", OpKind::Create);
    let id = store.begin(&key, &intent).unwrap();

    let pending = store.load(&key).unwrap().pending;
    assert_eq!(pending, vec![intent.clone().with_id(id)]);

    store
        .commit_resource(&key, Some(id), &record("vpc"))
        .unwrap();
    let state = store.load(&key).unwrap();
    assert!(state.pending.is_empty());
    assert_eq!(state.resources.len(), 1);
    assert_eq!(state.resources["vpc"], record("vpc"));
    assert!(state.resources["vpc"].inputs["password"].contains_secret());

    // An update replaces the row.
    let id = store.begin(&key, &op("vpc", OpKind::Update)).unwrap();
    let mut updated = record("vpc");
    updated.outputs.insert("arn".into(), "arn:new".into());
    updated.dependencies.clear();
    updated.options = RecordOptions::default();
    store.commit_resource(&key, Some(id), &updated).unwrap();
    let state = store.load(&key).unwrap();
    assert_eq!(state.resources["vpc"], updated);
    assert!(state.pending.is_empty());
}

#[test]
fn commit_delete_removes_the_resource_and_the_intent() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    let id = store.begin(&key, &op("vpc", OpKind::Create)).unwrap();
    store
        .commit_resource(&key, Some(id), &record("vpc"))
        .unwrap();
    let id = store.begin(&key, &op("bucket", OpKind::Create)).unwrap();
    store
        .commit_resource(&key, Some(id), &record("bucket"))
        .unwrap();

    let id = store.begin(&key, &op("vpc", OpKind::Delete)).unwrap();
    store.commit_delete(&key, id, "vpc").unwrap();
    let state = store.load(&key).unwrap();
    assert_eq!(state.resources.keys().collect::<Vec<_>>(), ["bucket"]);
    assert!(state.pending.is_empty());
}

#[test]
fn commit_replacement_retires_the_old_record_in_one_step() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    let id = store.begin(&key, &op("vpc", OpKind::Create)).unwrap();
    store
        .commit_resource(&key, Some(id), &record("vpc"))
        .unwrap();

    let id = store.begin(&key, &op("vpc", OpKind::Create)).unwrap();
    let mut replacement = record("vpc");
    replacement.id = "id-vpc-2".into();
    store
        .commit_replacement(&key, id, &replacement, "vpc~retired")
        .unwrap();
    let state = store.load(&key).unwrap();
    assert!(state.pending.is_empty());
    assert_eq!(state.resources["vpc"], replacement);
    let retired = &state.resources["vpc~retired"];
    assert_eq!(retired.id, "id-vpc");
    assert_eq!(
        ResourceRecord {
            address: "vpc".into(),
            ..retired.clone()
        },
        record("vpc")
    );

    // A retired record still awaiting deletion is never overwritten: the
    // whole commit fails and leaves the state and the intent as they were.
    let id = store.begin(&key, &op("vpc", OpKind::Create)).unwrap();
    let mut third = record("vpc");
    third.id = "id-vpc-3".into();
    assert!(matches!(
        store.commit_replacement(&key, id, &third, "vpc~retired"),
        Err(StateError::Backend(_))
    ));
    let after = store.load(&key).unwrap();
    assert_eq!(after.resources, state.resources);
    assert_eq!(after.pending.len(), 1);
}

#[test]
fn moves_swap_and_chain_names_and_carry_dependencies() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    for name in ["a", "b", "c"] {
        store.commit_resource(&key, None, &record(name)).unwrap();
    }
    let mut user = record("user");
    user.dependencies = vec!["a".into(), "c".into()];
    store.commit_resource(&key, None, &user).unwrap();
    let renames = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect()
    };
    // a and b swap; c moves on.
    store
        .move_resources(&key, &renames(&[("a", "b"), ("b", "a"), ("c", "d")]))
        .unwrap();
    let state = store.load(&key).unwrap();
    assert_eq!(
        state.resources.keys().collect::<Vec<_>>(),
        ["a", "b", "d", "user"]
    );
    assert_eq!(state.resources["b"].id, "id-a");
    assert_eq!(state.resources["a"].id, "id-b");
    assert_eq!(state.resources["d"].id, "id-c");
    assert_eq!(state.resources["user"].dependencies, ["b", "d"]);
    // A move onto a name that stays fails as a whole.
    assert!(
        store
            .move_resources(&key, &renames(&[("d", "user")]))
            .is_err()
    );
    assert_eq!(store.load(&key).unwrap().resources, state.resources);
}

#[test]
fn abandon_clears_only_its_intent() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    let first = store.begin(&key, &op("a", OpKind::Create)).unwrap();
    let second = store.begin(&key, &op("b", OpKind::Create)).unwrap();
    assert!(second > first);
    store.abandon(&key, first).unwrap();
    let pending = store.load(&key).unwrap().pending;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, second);
    assert_eq!(pending[0].address, "b");
    // An id from another stack does not clear this one's intent.
    store
        .abandon(&StackKey::new("other", "default"), second)
        .unwrap();
    assert_eq!(store.load(&key).unwrap().pending.len(), 1);
}

#[test]
fn pending_ops_are_loaded_in_order_with_every_field() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    let kinds = [
        OpKind::Create,
        OpKind::Update,
        OpKind::Delete,
        OpKind::Sweep,
    ];
    let ids: Vec<OpId> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| store.begin(&key, &op(&format!("r{i}"), *kind)).unwrap())
        .collect();
    let pending = store.load(&key).unwrap().pending;
    let expected: Vec<PendingOp> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| op(&format!("r{i}"), *kind).with_id(ids[i]))
        .collect();
    assert_eq!(pending, expected);
    assert_eq!(pending[0].resource_id, None);
    assert_eq!(pending[2].resource_id.as_deref(), Some("id-r2"));
}

#[test]
fn outputs_mark_a_stack_deployed() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    let outputs = map(&[
        ("url", "https://example.com".into()),
        ("key", Value::secret("k".into())),
    ]);
    store.set_outputs(&key, Some(&outputs)).unwrap();
    assert_eq!(store.outputs(&key).unwrap(), Some(outputs.clone()));
    assert_eq!(store.load(&key).unwrap().outputs, Some(outputs));
    assert!(store.list_stacks().unwrap()[0].deployed);

    // Empty outputs still mean deployed; None means not.
    store.set_outputs(&key, Some(&Map::new())).unwrap();
    assert_eq!(store.outputs(&key).unwrap(), Some(Map::new()));
    store.set_outputs(&key, None).unwrap();
    assert_eq!(store.outputs(&key).unwrap(), None);
    assert!(store.list_stacks().unwrap().is_empty());
}

#[test]
fn forget_drops_the_resource_once() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    let id = store.begin(&key, &op("vpc", OpKind::Create)).unwrap();
    store
        .commit_resource(&key, Some(id), &record("vpc"))
        .unwrap();
    assert!(store.forget(&key, "vpc").unwrap());
    assert!(!store.forget(&key, "vpc").unwrap());
    assert!(store.load(&key).unwrap().resources.is_empty());
}

#[test]
fn a_forgotten_resource_is_remembered_as_released_until_recorded_again() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    let other = StackKey::new("web", "prod");
    store.commit_resource(&key, None, &record("vpc")).unwrap();
    store.commit_resource(&key, None, &record("net")).unwrap();
    assert!(store.forget(&key, "vpc").unwrap());
    // Forgetting what is not recorded releases nothing.
    assert!(!store.forget(&key, "ghost").unwrap());

    let state = store.load(&key).unwrap();
    assert!(state.is_released("aws:ec2:Vpc", "id-vpc"));
    assert_eq!(state.released.len(), 1, "{:?}", state.released);
    assert!(!state.is_released("aws:ec2:Subnet", "id-vpc"));
    assert!(store.load(&other).unwrap().released.is_empty());

    // An import of it makes it the stack's again.
    store.commit_resource(&key, None, &record("vpc")).unwrap();
    assert!(store.load(&key).unwrap().released.is_empty());
}

#[test]
fn history_is_kept_in_order() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    let first = HistoryEntry {
        kind: "up".into(),
        started_at: 1_700_000_000,
        duration_ms: 12_345,
        result: "succeeded".into(),
        counts: BTreeMap::from([("create".to_string(), 3), ("same".to_string(), 0)]),
    };
    let second = HistoryEntry {
        kind: "destroy".into(),
        started_at: 1_600_000_000,
        duration_ms: 7,
        result: "failed".into(),
        counts: BTreeMap::from([("delete".to_string(), 2), ("failed".to_string(), 1)]),
    };
    store.add_history(&key, &first).unwrap();
    store.add_history(&key, &second).unwrap();
    assert_eq!(store.history(&key).unwrap(), vec![first, second]);
    assert!(
        store
            .history(&StackKey::new("web", "prod"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn config_values_are_set_replaced_and_removed() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "default");
    store
        .set_config(&key, "region", &"eu-west-1".into())
        .unwrap();
    store
        .set_config(&key, "db_password", &Value::secret("pw".into()))
        .unwrap();
    store.set_config(&key, "replicas", &Value::Int(2)).unwrap();
    store.set_config(&key, "replicas", &Value::Int(3)).unwrap();
    assert_eq!(
        store.config(&key).unwrap(),
        map(&[
            ("db_password", Value::secret("pw".into())),
            ("region", "eu-west-1".into()),
            ("replicas", Value::Int(3)),
        ])
    );
    assert!(store.remove_config(&key, "region").unwrap());
    assert!(!store.remove_config(&key, "region").unwrap());
    assert_eq!(store.config(&key).unwrap().len(), 2);
    assert!(
        store
            .config(&StackKey::new("web", "prod"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn list_stacks_counts_resources_per_stack_and_env() {
    let (_dir, store) = temp_store();
    let prod = StackKey::new("web", "prod");
    let dev = StackKey::new("web", "dev");
    let api = StackKey::new("api", "default");
    let history_only = StackKey::new("zeta", "default");
    for name in ["a", "b", "c"] {
        let id = store.begin(&prod, &op(name, OpKind::Create)).unwrap();
        store
            .commit_resource(&prod, Some(id), &record(name))
            .unwrap();
    }
    let id = store.begin(&dev, &op("a", OpKind::Create)).unwrap();
    store.commit_resource(&dev, Some(id), &record("a")).unwrap();
    store.set_outputs(&prod, Some(&Map::new())).unwrap();
    store.set_outputs(&api, Some(&Map::new())).unwrap();
    store
        .add_history(
            &history_only,
            &HistoryEntry {
                kind: "up".into(),
                started_at: 0,
                duration_ms: 0,
                result: "failed".into(),
                counts: BTreeMap::new(),
            },
        )
        .unwrap();
    // Config alone does not make a stack.
    store
        .set_config(&StackKey::new("cfg", "default"), "x", &Value::Int(1))
        .unwrap();

    let summary = |key: &StackKey, resource_count, deployed| StackSummary {
        key: key.clone(),
        resource_count,
        deployed,
    };
    assert_eq!(
        store.list_stacks().unwrap(),
        vec![
            summary(&api, 0, true),
            summary(&dev, 1, false),
            summary(&prod, 3, true),
            summary(&history_only, 0, false),
        ]
    );
}

#[test]
fn environments_of_a_stack_are_separate() {
    let (_dir, store) = temp_store();
    let prod = StackKey::new("web", "prod");
    let dev = StackKey::new("web", "dev");
    let id = store.begin(&prod, &op("vpc", OpKind::Create)).unwrap();
    store
        .commit_resource(&prod, Some(id), &record("vpc"))
        .unwrap();
    assert!(store.load(&dev).unwrap().resources.is_empty());
    assert!(!store.forget(&dev, "vpc").unwrap());
    assert_eq!(store.load(&prod).unwrap().resources.len(), 1);
}

#[test]
fn lock_is_exclusive_until_unlocked() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("web", "prod");
    let first = LockInfo {
        pid: 4242,
        host: "build-1".into(),
        started_at: 1_700_000_000,
        operation: "up".into(),
        lease: None,
    };
    let second = LockInfo {
        pid: 7,
        host: "laptop".into(),
        started_at: 1_700_000_100,
        operation: "destroy".into(),
        lease: None,
    };
    store.lock(&key, &first).unwrap();
    match store.lock(&key, &second) {
        Err(StateError::Locked { key: k, holder }) => {
            assert_eq!(k, key);
            assert!(holder.same_holder(&first), "{holder:?}");
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    // Other stacks and environments are not affected.
    store.lock(&StackKey::new("web", "dev"), &second).unwrap();
    store.unlock(&key).unwrap();
    store.lock(&key, &second).unwrap();
}

#[test]
fn many_threads_share_one_store() {
    let (_dir, store) = temp_store();
    let store = Arc::new(store);
    let key = StackKey::new("web", "default");
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = Arc::clone(&store);
            let key = key.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    let name = format!("r{t}-{i}");
                    let id = store.begin(&key, &op(&name, OpKind::Create)).unwrap();
                    store
                        .commit_resource(&key, Some(id), &record(&name))
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let state = store.load(&key).unwrap();
    assert_eq!(state.resources.len(), 400);
    assert!(state.pending.is_empty());
}

#[test]
fn applied_config_round_trips_per_environment_and_clears() {
    let (_dir, store) = temp_store();
    let key = StackKey::new("net", "default");
    let other = StackKey::new("net", "prod");
    assert_eq!(store.applied_config(&key).unwrap(), None);
    let config = map(&[
        ("az_count", Value::Int(2)),
        ("key", Value::secret("pw".into())),
    ]);
    store.set_applied_config(&key, Some(&config)).unwrap();
    assert_eq!(store.applied_config(&key).unwrap(), Some(config.clone()));
    assert_eq!(store.applied_config(&other).unwrap(), None);
    let newer = map(&[("az_count", Value::Int(3))]);
    store.set_applied_config(&key, Some(&newer)).unwrap();
    assert_eq!(store.applied_config(&key).unwrap(), Some(newer));
    store.set_applied_config(&key, None).unwrap();
    assert_eq!(store.applied_config(&key).unwrap(), None);
}
