//! Crash recovery with std stacks: the process is aborted at a chosen moment
//! of a step (SKISTACK_FAILPOINT, what a `kill -9` there leaves), and the
//! next run resolves what it left before planning.

use skistack_test_support::cli::{Project, Run};

use crate::BIN;

/// A command resource whose every run is logged with its operation id.
fn stack(tag: &str) -> String {
    format!(
        r#"
[resources.first]
type = "std:Data"
input = "a"

[resources.cmd]
type = "std:Command"
create = "echo \"$SKISTACK_OPERATION_ID\" >> create.log; echo made"
update = "echo \"$SKISTACK_OPERATION_ID\" >> update.log"
delete = "echo gone >> delete.log"
environment = {{ FIRST = "${{first.output}}", TAG = "{tag}" }}
"#
    )
}

/// Runs the binary with a crash point set.
fn crash_at(p: &Project, point: &str, args: &[&str]) -> Run {
    let run = p.run_env(args, &[("SKISTACK_FAILPOINT", point)]);
    assert!(
        run.stderr.contains(&format!("failpoint {point}")),
        "the run did not reach {point}:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run
}

fn lines(p: &Project, file: &str) -> Vec<String> {
    std::fs::read_to_string(p.root().join("stacks").join(file))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn pending(p: &Project) -> Vec<(String, String)> {
    let db = p.db();
    let mut q = db
        .prepare("SELECT kind, name FROM pending_ops ORDER BY id")
        .expect("query pending_ops");
    q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query pending_ops")
        .collect::<Result<_, _>>()
        .expect("read pending_ops")
}

fn integrity_ok(p: &Project) {
    let result: String = p
        .db()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(result, "ok");
}

#[test]
fn a_create_cut_short_is_retried_under_the_same_operation_id() {
    let p = Project::new(BIN);
    p.stack("demo", &stack("one"));
    crash_at(&p, "after-create:cmd", &["up", "demo", "--yes"]);
    assert_eq!(p.recorded("demo", "default"), ["first"]);
    assert_eq!(pending(&p), [("create".to_string(), "cmd".to_string())]);
    let first_run = lines(&p, "create.log");
    assert_eq!(first_run.len(), 1);

    // Preview shows what is pending, in text and in JSON.
    p.run(&["preview", "demo"])
        .ok()
        .contains("1 pending operation(s) from an interrupted run")
        .contains("create cmd (std:Command)");
    let json = p.preview_json("demo", &[]);
    assert_eq!(json["stacks"][0]["pending"][0]["kind"], "create");
    assert_eq!(json["stacks"][0]["pending"][0]["address"], "cmd");

    // std types exist only in the state, so nothing is found; the create
    // runs again with the operation id of the interrupted attempt.
    p.up("demo")
        .contains("cmd (std:Command): an interrupted create had made nothing")
        .contains("same idempotency token")
        .contains("1 created");
    let runs = lines(&p, "create.log");
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(runs[0], runs[1], "the retry reuses the operation id");
    assert!(runs[0].starts_with("skistack-demo-default-"), "{runs:?}");
    assert_eq!(p.recorded("demo", "default"), ["cmd", "first"]);
    assert!(pending(&p).is_empty());
    integrity_ok(&p);
    p.run(&["preview", "demo", "--expect-no-changes"]).ok();

    // A later create is a new operation with a new id.
    p.stack(
        "demo",
        &stack("two").replace("echo made", "echo made again"),
    );
    p.up("demo").contains("1 replaced");
    let runs = lines(&p, "create.log");
    assert_eq!(runs.len(), 3);
    assert_ne!(runs[2], runs[0]);
}

#[test]
fn an_interrupted_create_no_longer_declared_is_cleared() {
    let p = Project::new(BIN);
    p.stack("demo", &stack("one"));
    crash_at(&p, "after-create:cmd", &["up", "demo", "--yes"]);
    p.stack(
        "demo",
        "[resources.first]\ntype = \"std:Data\"\ninput = \"a\"\n",
    );
    p.up("demo")
        .contains("cleared an interrupted create of cmd (std:Command): nothing had been made");
    assert!(pending(&p).is_empty());
    assert_eq!(p.recorded("demo", "default"), ["first"]);
}

#[test]
fn an_interrupted_update_is_read_back_and_applied_again() {
    let p = Project::new(BIN);
    p.stack("demo", &stack("one"));
    p.up("demo");
    p.stack("demo", &stack("two"));
    crash_at(&p, "after-update:cmd", &["up", "demo", "--yes"]);
    assert_eq!(pending(&p), [("update".to_string(), "cmd".to_string())]);
    assert_eq!(lines(&p, "update.log").len(), 1);
    // A std:Command can't be read from anywhere but the state: what the
    // update changed is not known, so it is applied again.
    p.up("demo")
        .contains("recovered cmd (std:Command): an interrupted update was read back")
        .contains("1 updated");
    assert_eq!(lines(&p, "update.log").len(), 2);
    assert_eq!(
        p.recorded_inputs("demo", "cmd")["environment"]["TAG"],
        "two"
    );
    assert!(pending(&p).is_empty());
    p.run(&["preview", "demo", "--expect-no-changes"]).ok();
}

#[test]
fn destroy_resolves_an_interrupted_delete_and_an_interrupted_create_first() {
    let p = Project::new(BIN);
    p.stack("demo", &stack("one"));
    p.up("demo");
    crash_at(&p, "after-delete:cmd", &["destroy", "demo", "--yes"]);
    assert_eq!(pending(&p), [("delete".to_string(), "cmd".to_string())]);
    p.run(&["destroy", "demo", "--yes"])
        .ok()
        .contains("cmd (std:Command): an interrupted delete had not completed; it is read back and planned again");
    assert!(p.recorded("demo", "default").is_empty());
    assert!(pending(&p).is_empty());
    assert_eq!(lines(&p, "delete.log").len(), 2);

    // A destroy never retries a create: the intent is dropped.
    crash_at(&p, "after-create:cmd", &["up", "demo", "--yes"]);
    p.run(&["destroy", "demo", "--yes"])
        .ok()
        .contains("cleared an interrupted create of cmd (std:Command)");
    assert!(p.recorded("demo", "default").is_empty());
    assert!(pending(&p).is_empty());
    integrity_ok(&p);
}
