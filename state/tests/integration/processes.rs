//! Two processes sharing one state file: concurrent writes and stack locks.
//!
//! The second process is this test binary again, running the ignored
//! `child_process` test with the file's path in an environment variable.

use std::path::Path;
use std::process::{Command, Stdio};

use skistack_engine::Map;
use skistack_engine::{
    Intent, LockInfo, OpKind, RecordOptions, ResourceRecord, StackKey, StateError, StateStore,
};
use skistack_state::SqliteStore;

const CHILD_ENV: &str = "SKISTACK_STATE_TEST_CHILD_PATH";
const PER_PROCESS: usize = 300;

fn locked_key() -> StackKey {
    StackKey::new("web", "prod")
}

fn write_resources(store: &SqliteStore, stack: &str) {
    let key = StackKey::new(stack, "default");
    for i in 0..PER_PROCESS {
        let name = format!("r{i}");
        let op = Intent {
            address: name.clone(),
            kind: OpKind::Create,
            type_token: "std:Random".into(),
            resource_id: None,
            inputs: Map::new(),
            started_at: 0,
        };
        let id = store.begin(&key, &op).unwrap();
        let record = ResourceRecord {
            address: name,
            type_token: "std:Random".into(),
            id: format!("{stack}-{i}"),
            inputs: Map::new(),
            outputs: Map::new(),
            dependencies: Vec::new(),
            options: RecordOptions::default(),
        };
        store.commit_resource(&key, Some(id), &record).unwrap();
    }
}

#[test]
#[ignore = "run as a child process by two_processes_share_one_file"]
fn child_process() {
    let path = std::env::var(CHILD_ENV).expect("run by two_processes_share_one_file");
    let store = crate::support::open(Path::new(&path)).unwrap();
    let info = LockInfo {
        pid: std::process::id(),
        host: "child-host".into(),
        started_at: 1_700_000_000,
        operation: "up".into(),
        lease: None,
    };
    store.lock(&locked_key(), &info).unwrap();
    write_resources(&store, "child");
}

#[test]
fn two_processes_share_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = crate::support::open(&path).unwrap();

    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "processes::child_process",
            "--ignored",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let child_pid = child.id();
    write_resources(&store, "parent");
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the child process failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    for stack in ["parent", "child"] {
        let state = store.load(&StackKey::new(stack, "default")).unwrap();
        assert_eq!(state.resources.len(), PER_PROCESS, "stack {stack}");
        assert!(state.pending.is_empty());
    }

    let mine = LockInfo {
        pid: std::process::id(),
        host: "parent-host".into(),
        started_at: 1_700_000_500,
        operation: "destroy".into(),
        lease: None,
    };
    let err = store.lock(&locked_key(), &mine).unwrap_err();
    let text = err.to_string();
    match err {
        StateError::Locked { holder, .. } => {
            assert_eq!(holder.pid, child_pid);
            assert_eq!(holder.host, "child-host");
            assert_eq!(holder.operation, "up");
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    assert!(
        text.contains(&format!("pid {child_pid} on child-host")),
        "{text}"
    );

    // A second store on the same file sees the same lock, and the lock is
    // free once released.
    let other = crate::support::open(&path).unwrap();
    assert!(matches!(
        other.lock(&locked_key(), &mine),
        Err(StateError::Locked { .. })
    ));
    other.unlock(&locked_key()).unwrap();
    store.lock(&locked_key(), &mine).unwrap();
}
