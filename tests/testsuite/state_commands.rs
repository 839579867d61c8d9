//! `state list|show|forget`, `import` and `refresh` on std stacks, through
//! the binary. (std resources live only in the state, so they never drift:
//! drift itself is tested against moto in `aws_drift.rs`.)

use skistack_test_support::cli::{Project, action};

use crate::BIN;

const WEB: &str = r#"
[config]
password = "hunter2"

[resources.base]
type = "std:Data"
input = "${secret(config.password)}"

[resources.node]
type = "std:Data"
count = 2
input = "node-${count.index}"

[resources.node.options]
protect = true

[resources.token]
type = "std:RandomString"
length = 12

[resources.user]
type = "std:Data"
input = { base = "${base.output}", first = "${node[0].output}" }
"#;

#[test]
fn state_list_and_show_describe_the_records() {
    let p = Project::new(BIN);
    p.stack("web", WEB);
    p.run(&["state", "list", "web"])
        .ok()
        .contains("No resources recorded for stack web.");
    p.up("web");

    let list = p.run(&["state", "list", "web"]);
    list.ok().contains("Stack web: 5 resource(s)");
    let id = p.recorded_id("web", "node[1]");
    let line = list
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("node[1] "))
        .unwrap_or_else(|| panic!("no line for node[1]:\n{}", list.stdout));
    assert!(
        line.contains("std:Data") && line.ends_with(&id),
        "{line:?} should name the type and the id {id}"
    );

    let show = p.run(&["state", "show", "web", "user"]);
    show.ok()
        .contains("type:         std:Data")
        .contains(&format!("id:           {}", p.recorded_id("web", "user")))
        // `user` reads `node[0]` only, so it depends on that instance alone.
        .contains("dependencies: base, node[0]\n")
        .contains("options:      (none)")
        .contains("input  = {base = [secret], first = \"node-0\"}")
        .lacks("hunter2");
    p.run(&["state", "show", "web", "node[0]"])
        .ok()
        .contains("options:      protect");
    p.run(&["state", "show", "web", "token"])
        .ok()
        .contains("result  = [secret]");
    p.run(&["state", "show", "web", "usr"])
        .expect_code(1)
        .contains("stack web has no recorded resource `usr`; did you mean `user`?");
}

#[test]
fn state_forget_drops_a_record_only_when_confirmed() {
    let p = Project::new(BIN);
    p.stack("web", WEB);
    p.up("web");
    let before = p.state_snapshot();

    // No terminal, no --yes: refused, and the state is untouched.
    p.run(&["state", "forget", "web", "user"])
        .expect_code(1)
        .contains("refusing to forget `user` without confirmation")
        .contains("pass --yes");
    assert_eq!(p.state_snapshot(), before);
    p.run(&["state", "forget", "web", "nobody", "--yes"])
        .expect_code(1)
        .contains("has no recorded resource `nobody`");

    p.run(&["state", "forget", "web", "base", "--yes"])
        .ok()
        .contains("recorded as used by: user")
        .contains("still declared in the stack file")
        .contains("Forgot base.");
    assert!(!p.recorded("web", "default").contains(&"base".to_string()));
    // Still declared, so the next plan makes a new one.
    let doc = p.preview_json("web", &[]);
    assert_eq!(action(&doc, "base"), "create");
    assert_eq!(action(&doc, "node[0]"), "same");
}

#[test]
fn import_adopts_under_a_declared_name_and_refuses_the_rest() {
    let p = Project::new(BIN);
    p.stack("web", WEB);
    p.up("web");
    p.stack(
        "web",
        &format!(
            "{WEB}\n[resources.extra]\ntype = \"std:Data\"\ncount = 2\ninput = \"x-${{count.index}}\"\n"
        ),
    );

    p.run(&["import", "web", "extra[1]", "made-elsewhere"])
        .ok()
        .contains("Imported extra[1] (std:Data) made-elsewhere into stack web.")
        .contains("It matches its declaration");
    assert_eq!(p.recorded_id("web", "extra[1]"), "made-elsewhere");
    assert_eq!(p.recorded_inputs("web", "extra[1]")["input"], "x-1");
    let doc = p.preview_json("web", &[]);
    assert_eq!(action(&doc, "extra[1]"), "same");
    assert_eq!(action(&doc, "extra[0]"), "create");

    p.run(&["import", "web", "extra[1]", "other"])
        .expect_code(1)
        .contains("`extra[1]` is already in the state of stack web")
        .contains("skistack state forget web extra[1]");
    p.run(&["import", "web", "extra[0]", "made-elsewhere"])
        .expect_code(1)
        .contains("std:Data made-elsewhere is already managed by stack web as `extra[1]`");
    p.run(&["import", "web", "extra[2]", "x"])
        .expect_code(1)
        .contains("stack `web` has no instance `extra[2]`; `extra` has: extra[0], extra[1]");
    p.run(&["import", "web", "extar", "x"])
        .expect_code(1)
        .contains("declares no resource `extar`; did you mean `extra`?");
}

#[test]
fn refresh_of_an_unchanged_stack_records_a_history_entry() {
    let p = Project::new(BIN);
    p.stack("web", WEB);
    p.run(&["refresh", "web"])
        .ok()
        .contains("Stack web has no recorded resources; nothing to refresh.");
    p.up("web");
    let before = p.state_snapshot();

    p.run(&["refresh", "web", "--expect-no-changes"])
        .ok()
        .contains("read 5 resource(s)")
        .contains("Drift: 0 changed, 0 deleted, 5 unchanged.");
    let doc = p.preview_json("web", &["--refresh"]);
    assert_eq!(doc["stacks"][0]["drift"], serde_json::json!([]));
    assert_eq!(doc["changes"], false);
    // Neither the check nor preview --refresh records anything.
    assert!(!p.run(&["history", "web"]).stdout.contains("refresh"));

    p.run(&["refresh", "web"]).ok();
    p.run(&["up", "web", "--refresh", "--yes"])
        .ok()
        .contains("Drift: 0 changed")
        .contains("No changes.");
    assert_eq!(p.state_snapshot(), before);
    let history = p.run(&["history", "web"]);
    let kinds: Vec<&str> = history
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(3))
        .collect();
    assert_eq!(kinds, ["up", "refresh", "refresh"], "{}", history.stdout);
    history.contains("changed=0 deleted=0 unchanged=5");
}
