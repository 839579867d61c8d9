//! The life of a stack through the binary: up, no-op preview, update,
//! delete, replace, destroy; JSON previews; a failure halfway and its rerun.

use skistack_test_support::cli::{Project, action, change};

use crate::BIN;

const DEMO: &str = r#"
[stack]
description = "a small chain"

[config]
greeting = "hello"

[resources.first]
type = "std:Data"
input = "${config.greeting}"

[resources.second]
type = "std:Data"
input = "${first.output} world"
triggers = 1

[resources.extra]
type = "std:Data"
input = "extra"

[outputs]
message = "${second.output}"
"#;

#[test]
fn up_then_update_delete_replace_and_destroy() {
    let p = Project::new(BIN);
    p.stack("demo", DEMO);

    let first = p.up("demo");
    first.contains("3 created");
    assert_eq!(p.recorded("demo", "default"), ["extra", "first", "second"]);
    assert_eq!(p.outputs("demo")["message"], "hello world");
    p.run(&["preview", "demo", "--expect-no-changes"])
        .ok()
        .contains("no resource changes");

    // A changed property is an in-place update: same id, old -> new.
    let id = p.recorded_id("demo", "first");
    p.stack(
        "demo",
        &DEMO.replace(r#"greeting = "hello""#, r#"greeting = "hi""#),
    );
    p.run(&["preview", "demo"])
        .ok()
        .contains(r#"~  update   first"#)
        .contains(r#"input: "hello" -> "hi""#)
        .contains(r#"input: "hello world" -> "hi world""#);
    p.up("demo").contains("2 updated");
    assert_eq!(p.recorded_id("demo", "first"), id, "an update keeps the id");
    assert_eq!(p.recorded_inputs("demo", "first")["input"], "hi");
    assert_eq!(p.outputs("demo")["message"], "hi world");

    // A resource no longer declared is deleted.
    let without_extra = DEMO
        .replace(r#"greeting = "hello""#, r#"greeting = "hi""#)
        .replace(
            "[resources.extra]\ntype = \"std:Data\"\ninput = \"extra\"\n",
            "",
        );
    p.stack("demo", &without_extra);
    p.run(&["preview", "demo"])
        .ok()
        .contains("-  delete   extra");
    p.up("demo").contains("1 deleted");
    assert_eq!(p.recorded("demo", "default"), ["first", "second"]);

    // A changed trigger replaces, naming the property; the id changes.
    let id = p.recorded_id("demo", "second");
    let retriggered = without_extra.replace("triggers = 1", "triggers = 2");
    p.stack("demo", &retriggered);
    p.run(&["preview", "demo"])
        .ok()
        .contains("+- replace  second")
        .contains("because of `triggers`")
        .contains("triggers: 1 -> 2  (forces replacement)");
    p.up("demo").contains("1 replaced");
    assert_ne!(
        p.recorded_id("demo", "second"),
        id,
        "a replacement has a new id"
    );
    assert_eq!(
        p.recorded("demo", "default"),
        ["first", "second"],
        "the replaced resource is gone"
    );
    p.run(&["preview", "demo", "--expect-no-changes"]).ok();

    // Destroy empties the state; outputs then fail.
    p.run(&["destroy", "demo", "--yes"])
        .ok()
        .contains("2 deleted");
    assert!(p.recorded("demo", "default").is_empty());
    let outputs: i64 = p
        .db()
        .query_row("SELECT count(*) FROM stack_outputs", [], |r| r.get(0))
        .expect("count outputs");
    assert_eq!(outputs, 0, "a destroyed stack is no longer deployed");
    p.run(&["outputs", "demo"])
        .expect_code(1)
        .contains("run `skistack up demo` first");

    // History records every run, newest last.
    let history = p.run(&["history", "demo"]);
    history.ok();
    let kinds: Vec<&str> = history
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(3))
        .collect();
    assert_eq!(
        kinds,
        ["up", "up", "up", "up", "destroy"],
        "{}",
        history.stdout
    );
    history
        .contains("create=3")
        .contains("update=2")
        .contains("delete=1")
        .contains("replace=1");
}

#[test]
fn a_replacement_of_a_retained_resource_says_the_old_one_stays() {
    let p = Project::new(BIN);
    let text = DEMO.replace(
        "triggers = 1\n",
        "triggers = 1\n[resources.second.options]\nretain_on_delete = true\n",
    );
    p.stack("demo", &text);
    p.up("demo");
    p.stack("demo", &text.replace("triggers = 1", "triggers = 2"));
    p.run(&["preview", "demo"])
        .ok()
        .contains("create, then forget; retain_on_delete: the old one stays in the cloud");
    let plan = p.preview_json("demo", &[]);
    assert_eq!(change(&plan, "second")["retain_old"], true);
    p.run(&["up", "demo", "--yes"])
        .ok()
        .contains("forgot replaced second");
    p.run(&["state", "list", "demo"]).ok().contains("second");
}

#[test]
fn json_preview_has_the_documented_fields_and_expect_no_changes_exits_3() {
    let p = Project::new(BIN);
    p.stack("demo", DEMO);

    let plan = p.preview_json("demo", &[]);
    assert_eq!(plan["changes"], true);
    let stack = &plan["stacks"][0];
    assert_eq!(stack["stack"], "demo");
    assert_eq!(stack["env"], "default");
    assert_eq!(stack["summary"]["create"], 3);
    let second = change(&plan, "second");
    assert_eq!(second["type"], "std:Data");
    assert_eq!(second["kind"], "resource");
    assert_eq!(second["action"], "create");
    assert_eq!(second["inputs"]["input"], "hello world");
    let outputs = stack["outputs"].as_array().expect("outputs is an array");
    assert_eq!(outputs.len(), 1);
    assert_eq!(outputs[0]["name"], "message");
    assert_eq!(outputs[0]["new"], "hello world");
    assert!(outputs[0]["old"].is_null());

    p.run(&["preview", "demo", "--expect-no-changes"])
        .expect_code(3);
    p.run(&["preview", "demo", "--expect-no-changes", "--json"])
        .expect_code(3);
    p.up("demo");
    let plan = p.preview_json("demo", &["--expect-no-changes"]);
    assert_eq!(plan["changes"], false);
    assert_eq!(action(&plan, "first"), "same");

    p.stack("demo", &DEMO.replace("triggers = 1", "triggers = 5"));
    let plan = p.preview_json("demo", &[]);
    let second = change(&plan, "second");
    assert_eq!(second["action"], "replace");
    assert_eq!(second["delete_before_replace"], false);
    assert_eq!(second["retain_old"], false);
    let diff = &second["diff"][0];
    assert_eq!(diff["property"], "triggers");
    assert_eq!(diff["old"], 1);
    assert_eq!(diff["new"], 5);
    assert_eq!(diff["forces_replacement"], true);
    assert_eq!(action(&plan, "first"), "same");
    p.run(&["preview", "demo", "--expect-no-changes"])
        .expect_code(3)
        .contains("+- replace  second");
}

/// A stack where `bad` fails among independent resources and dependents.
fn halfway(create: &str) -> String {
    format!(
        r#"
[resources.independent]
type = "std:Data"
input = "i"

[resources.base]
type = "std:Data"
input = "b"

[resources.bad]
type = "std:Command"
create = "{create}"

[resources.after_base]
type = "std:Data"
input = "${{base.output}}"

[resources.after_bad]
type = "std:Data"
input = "${{bad.stdout}}"

[resources.after_after_bad]
type = "std:Data"
input = "${{after_bad.output}}"

[outputs]
out = "${{after_after_bad.output}}"
"#
    )
}

#[test]
fn a_failure_halfway_keeps_completed_steps_and_a_rerun_converges() {
    let p = Project::new(BIN);
    p.stack("half", &halfway("echo broken >&2; exit 7"));

    let r = p.run(&["up", "half", "--yes"]);
    r.expect_code(1)
        .contains("broken")
        .contains("1 failed")
        .contains("skipped because a dependency failed");
    assert_eq!(
        p.recorded("half", "default"),
        ["after_base", "base", "independent"],
        "completed steps are recorded; the failed one and its dependents are not"
    );
    let pending: i64 = p
        .db()
        .query_row("SELECT count(*) FROM pending_ops", [], |r| r.get(0))
        .expect("count pending");
    assert_eq!(pending, 0, "a failed create leaves no pending operation");
    let history = p.run(&["history", "half"]);
    history.ok().contains("failed");

    p.stack("half", &halfway("echo fixed"));
    p.run(&["preview", "half"])
        .ok()
        .contains("3 to create")
        .contains("3 unchanged");
    p.up("half").contains("3 created");
    assert_eq!(
        p.recorded("half", "default"),
        [
            "after_after_bad",
            "after_bad",
            "after_base",
            "bad",
            "base",
            "independent"
        ]
    );
    assert_eq!(p.outputs("half")["out"], "fixed");
    p.run(&["preview", "half", "--expect-no-changes"]).ok();
}

#[test]
fn up_without_a_terminal_and_without_yes_refuses() {
    let p = Project::new(BIN);
    p.stack("demo", DEMO);
    p.run(&["up", "demo"]).expect_code(1).contains("--yes");
    assert!(
        p.recorded("demo", "default").is_empty(),
        "nothing was applied"
    );
    p.up("demo");
    p.run(&["destroy", "demo"]).expect_code(1).contains("--yes");
    assert_eq!(
        p.recorded("demo", "default").len(),
        3,
        "nothing was destroyed"
    );
}

const SECRETS: &str = r#"
[config]
token = "s3cr3t-value"

[resources.pw]
type = "std:RandomString"
length = 24
special = false

[resources.wrapped]
type = "std:Data"
input = "${secret(config.token)}"

[outputs]
password = "${pw.result}"
token = "${wrapped.output}"
plain = "visible"
"#;

#[test]
fn secrets_are_hidden_unless_asked_for() {
    let p = Project::new(BIN);
    p.stack("sec", SECRETS);
    p.run(&["preview", "sec"])
        .ok()
        .lacks("s3cr3t-value")
        .contains("[secret]");
    let json = p.run(&["preview", "sec", "--json"]);
    json.ok().lacks("s3cr3t-value");
    let up = p.up("sec");
    up.lacks("s3cr3t-value").contains("password = [secret]");
    p.run(&["outputs", "sec"])
        .ok()
        .lacks("s3cr3t-value")
        .contains("[secret]")
        .contains(r#""visible""#);
    p.run(&["outputs", "sec", "--json"])
        .ok()
        .lacks("s3cr3t-value");

    let shown = p.outputs("sec");
    assert_eq!(shown["token"], "s3cr3t-value");
    assert_eq!(shown["plain"], "visible");
    let password = shown["password"].as_str().expect("password is a string");
    assert_eq!(password.len(), 24);
    assert!(
        password.chars().all(char::is_alphanumeric),
        "special = false: {password}"
    );

    // The result stays while the stack around it changes, and is drawn
    // again when `length` changes.
    p.stack(
        "sec",
        &SECRETS.replace(r#"plain = "visible""#, r#"plain = "changed""#),
    );
    p.up("sec");
    assert_eq!(p.outputs("sec")["password"], password);
    p.stack("sec", &SECRETS.replace("length = 24", "length = 30"));
    p.run(&["preview", "sec"])
        .ok()
        .contains("because of `length`");
    p.up("sec");
    let redrawn = p.outputs("sec")["password"]
        .as_str()
        .expect("password is a string")
        .to_string();
    assert_eq!(redrawn.len(), 30);
}
