//! The stack-file language and the commands around it, through the binary:
//! count, for_each, splats, stack references, config layers, environments,
//! targets, resource options, destroy order, graph, validate.

use std::path::Path;

use skistack_test_support::cli::{Project, action};

use crate::BIN;

#[test]
fn count_for_each_and_splat() {
    let p = Project::new(BIN);
    p.stack(
        "multi",
        r#"
[config]
zones = ["east", "west"]
sizes = { small = 1, large = 8 }
n = 3

[resources.node]
type = "std:Data"
count = "${config.n}"
input = "node-${count.index}"

[resources.zone]
type = "std:Data"
for_each = "${config.zones}"
input = "${each.key}/${each.value}"

[resources.size]
type = "std:Data"
for_each = "${config.sizes}"
input = { name = "${each.key}", cpus = "${each.value * 2}" }

[resources.pick]
type = "std:Data"
input = ["${node[1].output}", "${zone[\"west\"].output}", "${size[\"large\"].output.cpus}"]

[outputs]
nodes = "${node[*].output}"
zones = "${values(zone)[*].output}"
count = "${length(node[*].id)}"
pick = "${pick.output}"
"#,
    );
    p.up("multi");
    assert_eq!(
        p.recorded("multi", "default"),
        [
            "node[0]",
            "node[1]",
            "node[2]",
            "pick",
            r#"size["large"]"#,
            r#"size["small"]"#,
            r#"zone["east"]"#,
            r#"zone["west"]"#
        ]
    );
    let out = p.outputs("multi");
    assert_eq!(
        out["nodes"],
        serde_json::json!(["node-0", "node-1", "node-2"])
    );
    assert_eq!(out["zones"], serde_json::json!(["east/east", "west/west"]));
    assert_eq!(out["count"], 3);
    assert_eq!(out["pick"], serde_json::json!(["node-1", "west/west", 16]));
    assert_eq!(
        p.recorded_inputs("multi", r#"size["small"]"#)["input"],
        serde_json::json!({"name": "small", "cpus": 2})
    );

    // Fewer instances: the extra ones are deleted, the rest untouched.
    let plan = p.preview_json("multi", &["-c", "n=2", "-c", r#"zones=["west"]"#]);
    assert_eq!(action(&plan, "node[0]"), "same");
    assert_eq!(action(&plan, "node[1]"), "same");
    assert_eq!(action(&plan, "node[2]"), "delete");
    assert_eq!(action(&plan, r#"zone["east"]"#), "delete");
    assert_eq!(action(&plan, r#"zone["west"]"#), "same");
}

#[test]
fn stack_outputs_flow_across_stacks() {
    let p = Project::new(BIN);
    p.stack("base", "[resources.repo]\ntype = \"std:Data\"\ninput = \"registry/app\"\n\n[outputs]\nurl = \"${repo.output}\"\n");
    p.stack("app", "[resources.task]\ntype = \"std:Data\"\ninput = \"${stacks.base.url}:v1\"\n\n[outputs]\nimage = \"${task.output}\"\n");

    // A preview of every stack shows the whole plan before anything is
    // deployed: the reader sees the other's outputs as known after up.
    p.run(&["preview"])
        .ok()
        .contains("Stack base")
        .contains("Stack app")
        .contains("(known after up)");
    p.up("base");
    p.up("app");
    assert_eq!(p.outputs("app")["image"], "registry/app:v1");

    // A change of the output propagates on the reader's next up.
    p.stack("base", "[resources.repo]\ntype = \"std:Data\"\ninput = \"registry/game\"\n\n[outputs]\nurl = \"${repo.output}\"\n");
    p.up("base");
    p.run(&["preview", "app"])
        .ok()
        .contains(r#"input: "registry/app:v1" -> "registry/game:v1""#);
    p.up("app");
    assert_eq!(p.outputs("app")["image"], "registry/game:v1");
}

const LAYERED: &str = r#"
[config]
a = "file"
b = "file"
c = "file"
d = "file"
port = 80

[resources.x]
type = "std:Data"
input = ["${config.a}", "${config.b}", "${config.c}", "${config.d}", "${config.port}"]

[outputs]
seen = "${x.output}"
"#;

#[test]
fn config_precedence_file_overlay_set_cli() {
    let p = Project::new(BIN);
    p.stack("c", LAYERED);
    p.stack(
        "c.prod.toml",
        "[config]\nb = \"overlay\"\nc = \"overlay\"\nd = \"overlay\"\n",
    );
    p.run(&["config", "set", "c", "c", "set", "--env", "prod"])
        .ok();
    p.run(&["--env", "prod", "config", "set", "c", "d", "set"])
        .ok();
    p.run(&["config", "set", "c", "port", "8080", "--env", "prod"])
        .ok();

    p.run(&["up", "c", "--yes", "--env", "prod", "-c", "d=cli"])
        .ok();
    let seen = p.run(&["outputs", "c", "--env", "prod", "--json"]);
    seen.ok();
    let seen: serde_json::Value = serde_json::from_str(&seen.stdout).expect("outputs are JSON");
    assert_eq!(
        seen["seen"],
        serde_json::json!(["file", "overlay", "set", "cli", 8080])
    );

    let list = p.run(&["config", "list", "c", "--env", "prod", "-c", "d=cli"]);
    list.ok()
        .contains(r#"a    = "file"  (stack file)"#)
        .contains(r#"b    = "overlay"  (environment overlay)"#)
        .contains(r#"c    = "set"  (config set)"#)
        .contains(r#"d    = "cli"  (-c)"#);
    p.run(&["config", "get", "c", "port", "--env", "prod"]).ok();
    assert_eq!(
        p.run(&["config", "get", "c", "c", "--env", "prod"])
            .stdout
            .trim(),
        "set"
    );

    // The overlay and `config set` belong to their environment only.
    p.up("c");
    assert_eq!(
        p.outputs("c")["seen"],
        serde_json::json!(["file", "file", "file", "file", 80])
    );

    // A changed value shows in preview; removing it falls back a layer.
    p.run(&["config", "rm", "c", "c", "--env", "prod"]).ok();
    p.run(&["preview", "c", "--env", "prod", "-c", "d=cli"])
        .ok()
        .contains(r#""set" -> "overlay""#);

    // Typed config: set refuses a value of the wrong type, and unknown keys.
    p.run(&["config", "set", "c", "port", "eighty"])
        .expect_code(1)
        .contains("of type integer");
    p.run(&["config", "set", "c", "prot", "1"])
        .expect_code(1)
        .contains("did you mean `port`?");
    p.run(&["preview", "c", "-c", "nope=1"])
        .expect_code(2)
        .contains("unknown config key `nope`");
}

#[test]
fn environments_have_separate_state() {
    let p = Project::new(BIN);
    p.stack("c", LAYERED);
    p.up("c");
    p.run(&["preview", "c", "--env", "staging"])
        .ok()
        .contains("1 to create");
    p.run(&["up", "c", "--env", "staging", "--yes", "-c", "a=staging"])
        .ok();
    assert_eq!(p.recorded("c", "default"), ["x"]);
    assert_eq!(p.recorded("c", "staging"), ["x"]);
    assert_ne!(
        p.db()
            .query_row(
                "SELECT inputs FROM resources WHERE env = 'staging'",
                [],
                |r| r.get::<_, String>(0)
            )
            .expect("staging inputs"),
        p.db()
            .query_row(
                "SELECT inputs FROM resources WHERE env = 'default'",
                [],
                |r| r.get::<_, String>(0)
            )
            .expect("default inputs"),
    );
    p.run(&["destroy", "c", "--env", "staging", "--yes"]).ok();
    assert!(p.recorded("c", "staging").is_empty());
    assert_eq!(
        p.recorded("c", "default"),
        ["x"],
        "destroying staging leaves default alone"
    );
    p.run(&["preview", "c", "--expect-no-changes"]).ok();
    // SKISTACK_ENV selects the environment too.
    let r = p
        .command(&["preview", "c"])
        .env("SKISTACK_ENV", "staging")
        .output()
        .expect("run skistack");
    assert!(String::from_utf8_lossy(&r.stdout).contains("1 to create"));
}

#[test]
fn state_location_can_be_chosen() {
    let p = Project::new(BIN);
    p.stack("c", LAYERED);
    let elsewhere = p.root().join("elsewhere.db");
    let path = elsewhere.to_str().expect("a UTF-8 path");
    p.run(&["up", "c", "--yes", "--state", path]).ok();
    assert!(elsewhere.exists());
    assert!(!p.state_path().exists() || p.recorded("c", "default").is_empty());
    let r = p
        .command(&["preview", "c", "--expect-no-changes"])
        .env("SKISTACK_STATE", path)
        .output()
        .expect("run skistack");
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    // The state file is private.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&elsewhere)
        .expect("stat the state")
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "state file mode {mode:o}");
}

#[test]
fn target_limits_the_update_to_a_resource_and_what_it_depends_on() {
    let p = Project::new(BIN);
    let text = |v: &str| {
        format!(
            r#"
[resources.base]
type = "std:Data"
input = "base-{v}"

[resources.mid]
type = "std:Data"
input = "${{base.output}}/mid"

[resources.other]
type = "std:Data"
input = "other-{v}"
"#
        )
    };
    p.stack("t", &text("1"));
    p.run(&["up", "t", "--yes", "--target", "mid"])
        .ok()
        .contains("2 created");
    assert_eq!(
        p.recorded("t", "default"),
        ["base", "mid"],
        "`other` is outside the target"
    );
    p.up("t");
    p.stack("t", &text("2"));
    let plan = p.preview_json("t", &["--target", "base"]);
    assert_eq!(action(&plan, "base"), "update");
    assert!(
        plan["stacks"][0]["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .all(|c| c["address"] != "other")
    );
    p.run(&["up", "t", "--yes", "--target", "base"])
        .ok()
        .contains("1 updated");
    assert_eq!(p.recorded_inputs("t", "other")["input"], "other-1");
    assert_eq!(p.recorded_inputs("t", "base")["input"], "base-2");
    assert_eq!(
        p.recorded_inputs("t", "mid")["input"],
        "base-1/mid",
        "mid was not targeted"
    );
    p.up("t").contains("2 updated");
}

const PROTECTED: &str = r#"
[resources.keep]
type = "std:Data"
input = "precious"
triggers = 1

[resources.keep.options]
protect = true
"#;

#[test]
fn protect_refuses_delete_and_replace() {
    let p = Project::new(BIN);
    p.stack("p", PROTECTED);
    p.up("p");
    let before = p.state_snapshot();

    p.stack("p", "[resources.other]\ntype = \"std:Data\"\n");
    p.run(&["up", "p", "--yes"])
        .expect_code(2)
        .contains("`keep` (std:Data) is protected");
    p.stack("p", &PROTECTED.replace("triggers = 1", "triggers = 2"));
    p.run(&["preview", "p"])
        .expect_code(2)
        .contains("`keep` is protected and would be replaced (because of `triggers`)");
    p.stack("p", PROTECTED);
    p.run(&["destroy", "p", "--yes"])
        .expect_code(1)
        .contains("protected");
    assert_eq!(p.state_snapshot(), before, "nothing was deleted");

    // In-place updates are allowed.
    p.stack("p", &PROTECTED.replace("precious", "still precious"));
    p.up("p").contains("1 updated");

    // Lifting the protection takes an up; then the resource may go.
    p.stack(
        "p",
        &PROTECTED
            .replace("precious", "still precious")
            .replace("protect = true", "protect = false"),
    );
    p.run(&["preview", "p"])
        .ok()
        .contains("options.protect: true -> false");
    p.up("p").contains("1 updated");
    p.run(&["preview", "p", "--expect-no-changes"]).ok();
    p.run(&["destroy", "p", "--yes"]).ok().contains("1 deleted");
    assert!(p.recorded("p", "default").is_empty());
}

#[test]
fn retain_on_delete_drops_from_state_without_deleting() {
    let p = Project::new(BIN);
    let marker = p.root().join("marker");
    // The delete command would remove the marker if it ran.
    let text = format!(
        "[resources.kept]\ntype = \"std:Command\"\ncreate = \"touch {m}\"\ndelete = \"rm -f {m}\"\n\n[resources.kept.options]\nretain_on_delete = true\n\n[resources.gone]\ntype = \"std:Command\"\ncreate = \"touch {m}.2\"\ndelete = \"rm -f {m}.2\"\n",
        m = marker.display()
    );
    p.stack("r", &text);
    p.up("r");
    assert!(marker.exists() && Path::new(&format!("{}.2", marker.display())).exists());

    p.stack("r", "[resources.other]\ntype = \"std:Data\"\n");
    p.run(&["preview", "r"])
        .ok()
        .contains("forget   kept")
        .contains("retain_on_delete");
    p.up("r").contains("1 forgotten").contains("1 deleted");
    assert_eq!(p.recorded("r", "default"), ["other"]);
    assert!(marker.exists(), "a retained resource is not deleted");
    assert!(
        !Path::new(&format!("{}.2", marker.display())).exists(),
        "the other one is"
    );

    // destroy forgets retained resources too.
    p.stack("r", &text);
    p.up("r");
    p.run(&["destroy", "r", "--yes"]).ok();
    assert!(p.recorded("r", "default").is_empty());
    assert!(marker.exists());
}

#[test]
fn ignore_changes_keeps_the_recorded_value() {
    let p = Project::new(BIN);
    let text = |tags: &str, input: &str| {
        format!(
            "[resources.x]\ntype = \"std:Data\"\ninput = {{ name = \"{input}\", tags = \"{tags}\" }}\ntriggers = \"{tags}\"\n\n[resources.x.options]\nignore_changes = [\"triggers\"]\n"
        )
    };
    p.stack("i", &text("v1", "a"));
    p.up("i");
    let id = p.recorded_id("i", "x");
    // `triggers` would force a replacement, but it is ignored.
    p.stack("i", &text("v2", "a"));
    let plan = p.preview_json("i", &[]);
    assert_eq!(action(&plan, "x"), "update", "input.tags still changes");
    let diff = &skistack_test_support::cli::change(&plan, "x")["diff"];
    assert_eq!(
        diff.as_array().map(Vec::len),
        Some(1),
        "only `input` changes: {diff}"
    );
    assert_eq!(diff[0]["property"], "input");
    p.stack(
        "i",
        &text("v1", "a").replace("triggers = \"v1\"", "triggers = \"other\""),
    );
    p.run(&["preview", "i", "--expect-no-changes"]).ok();
    p.up("i").contains("No changes.");
    assert_eq!(p.recorded_id("i", "x"), id);
    assert_eq!(p.recorded_inputs("i", "x")["triggers"], "v1");
}

/// A std:Command whose delete appends its name to `log`.
fn logged(name: &str, log: &Path, input: &str) -> String {
    format!(
        "[resources.{name}]\ntype = \"std:Command\"\ncreate = \"echo {name} {input}\"\ndelete = \"echo {name} >> {log}\"\n",
        log = log.display()
    )
}

#[test]
fn destroy_without_a_stack_destroys_dependents_first() {
    let p = Project::new(BIN);
    let log = p.root().join("deletes.log");
    p.stack(
        "base",
        &format!(
            "{}\n[outputs]\nname = \"${{base_res.stdout}}\"\n",
            logged("base_res", &log, "")
        ),
    );
    p.stack(
        "app",
        &format!(
            "{}\n{}\n[resources.mid.options]\ndepends_on = [\"leaf\"]\n",
            logged("leaf", &log, "${stacks.base.name}"),
            logged("mid", &log, "")
        ),
    );
    p.up("base");
    p.up("app");

    // base is read by app: refused, naming the reader, unless --force.
    let refused = p.run(&["destroy", "base", "--yes"]);
    refused.expect_code(1).contains("app").contains("--force");
    assert_eq!(p.recorded("base", "default"), ["base_res"]);

    p.run(&["destroy", "--yes"]).ok();
    let order = std::fs::read_to_string(&log).expect("read the delete log");
    let order: Vec<&str> = order.lines().collect();
    assert_eq!(
        order,
        ["mid", "leaf", "base_res"],
        "dependents first, within and across stacks"
    );
    assert!(p.recorded("app", "default").is_empty() && p.recorded("base", "default").is_empty());
    p.run(&["destroy", "--yes"])
        .ok()
        .contains("Nothing is deployed");
}

#[test]
fn destroy_force_destroys_a_stack_that_is_read() {
    let p = Project::new(BIN);
    p.stack(
        "base",
        "[resources.a]\ntype = \"std:Data\"\ninput = 1\n[outputs]\nv = \"${a.output}\"\n",
    );
    p.stack(
        "app",
        "[resources.b]\ntype = \"std:Data\"\ninput = \"${stacks.base.v}\"\n",
    );
    p.up("base");
    p.up("app");
    p.run(&["destroy", "base", "--yes", "--force"]).ok();
    assert!(p.recorded("base", "default").is_empty());
    p.run(&["preview", "app"])
        .expect_code(2)
        .contains("skistack up base");
}

#[test]
fn graph_formats_and_validate() {
    let p = Project::new(BIN);
    p.stack(
        "g",
        "[resources.vpc]\ntype = \"std:Data\"\n\n[resources.sub-net]\ntype = \"std:Data\"\ninput = \"${vpc.id}\"\n\n[resources.app]\ntype = \"std:Data\"\ninput = \"x\"\n[resources.app.options]\ndepends_on = [\"sub-net\"]\n\n[outputs]\no = 1\n",
    );
    p.stack(
        "h",
        "[resources.x]\ntype = \"std:Data\"\ninput = \"${stacks.g.o}\"\n",
    );

    let dot = p.run(&["graph", "g"]);
    dot.ok()
        .contains("digraph \"g\" {")
        .contains("\"vpc\" -> \"sub-net\";")
        .contains("\"sub-net\" -> \"app\";")
        .lacks("\"vpc\" -> \"app\"");
    p.run(&["graph", "g", "--format", "dot"])
        .ok()
        .contains("\"vpc\" -> \"sub-net\";");
    p.run(&["graph", "g", "--format", "mermaid"])
        .ok()
        .contains("graph LR")
        .contains("vpc --> sub_net")
        .contains("sub_net --> app");
    p.run(&["graph", "nope"]).expect_code(2);

    // validate with no stack checks all of them, with no state needed.
    p.run(&["validate"])
        .ok()
        .contains("g: ok (3 declarations, 1 outputs")
        .contains("h: ok (1 declarations, 0 outputs, 1 stack reference(s))");
    p.run(&["validate", "h"]).ok().lacks("g: ok");
    p.stack("bad", "[resources.x]\ntype = \"std:Nope\"\n");
    p.run(&["validate"])
        .expect_code(2)
        .contains("--> stacks/bad.toml:2:8");
    // Global options go before or after the subcommand.
    p.run(&["--stacks-dir", "stacks", "validate", "g"]).ok();
    p.run(&["validate", "g", "--stacks-dir", "stacks"]).ok();
}

#[test]
fn history_records_runs_with_counts() {
    let p = Project::new(BIN);
    p.run(&["history", "h"]).ok().contains("No history");
    p.stack("h", "[resources.a]\ntype = \"std:Data\"\ninput = 1\n\n[resources.b]\ntype = \"std:Command\"\ncreate = \"exit 3\"\n");
    p.run(&["up", "h", "--yes"]).expect_code(1);
    p.stack("h", "[resources.a]\ntype = \"std:Data\"\ninput = 2\n");
    p.up("h");
    let h = p.run(&["history", "h"]);
    h.ok();
    let lines: Vec<&str> = h.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", h.stdout);
    assert!(lines[0].starts_with("when"));
    assert!(
        lines[1].contains(" up ") && lines[1].contains("failed") && lines[1].contains("create=1"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(" up ")
            && lines[2].contains("succeeded")
            && lines[2].contains("update=1"),
        "{}",
        lines[2]
    );
}

#[test]
fn a_new_depends_on_is_recorded_for_destroy_order() {
    let p = Project::new(BIN);
    let log = p.root().join("deletes.log");
    let both = format!(
        "{}\n{}",
        logged("first", &log, ""),
        logged("second", &log, "")
    );
    p.stack("d", &both);
    p.up("d");
    // Only the dependency changes: no property does, but destroy must now
    // delete `second` before `first`.
    p.stack(
        "d",
        &format!("{both}\n[resources.second.options]\ndepends_on = [\"first\"]\n"),
    );
    // Dependencies are bookkeeping: the preview shows no change for them.
    p.run(&["preview", "d"])
        .ok()
        .contains("no resource changes");
    p.up("d");
    let deps: String = p
        .db()
        .query_row(
            "SELECT dependencies FROM resources WHERE name = 'second'",
            [],
            |r| r.get(0),
        )
        .expect("read dependencies");
    assert!(deps.contains("first"), "{deps}");
    p.run(&["destroy", "d", "--yes", "--parallel", "8"]).ok();
    let order = std::fs::read_to_string(&log).expect("read the delete log");
    assert_eq!(order.lines().collect::<Vec<_>>(), ["second", "first"]);
}

/// `skistack types` describes list-of-table properties by their real keys:
/// the last one used to come out pluralised (`bases`, `container_ports`).
#[test]
fn types_name_the_keys_of_list_of_table_properties_as_written() {
    let p = Project::new(BIN);
    let service = p.run(&["types", "aws:ecs:Service"]);
    service
        .ok()
        .contains("a list of tables with keys capacity_provider, weight, base)")
        .contains("keys target_group_arn, container_name, container_port;")
        .lacks("bases")
        .lacks("container_ports");
    p.run(&["types", "aws:ec2:LaunchTemplate"])
        .ok()
        .contains("encrypted, delete_on_termination)")
        .lacks("delete_on_terminations");
}

#[test]
fn a_landing_window_that_is_no_duration_is_refused_with_an_example() {
    let p = Project::new(BIN);
    p.stack("demo", "[resources.a]\ntype = \"std:Data\"\ninput = 1\n");
    p.run(&["preview", "demo", "--aws-landing-window", "soon"])
        .expect_code(2)
        .contains("invalid duration \"soon\": use a number with a unit, such as");
    p.run_env(
        &["preview", "demo"],
        &[("SKISTACK_AWS_LANDING_WINDOW", "45")],
    )
    .expect_code(2)
    .contains("invalid duration \"45\"");
    p.run(&["preview", "demo", "--aws-landing-window", "45s"])
        .ok()
        .contains("1 to create");
}

#[test]
fn moved_and_removed_refactor_without_the_cloud() {
    let p = Project::new(BIN);
    p.stack(
        "s",
        "[resources.a]\ntype = \"std:Data\"\ninput = \"one\"\n\n[resources.old]\ntype = \"std:Data\"\ninput = \"x\"\n",
    );
    p.up("s");
    p.stack(
        "s",
        "[resources.b]\ntype = \"std:Data\"\ninput = \"one\"\n\n[[moved]]\nfrom = \"a\"\nto = \"b\"\n\n\
         [[removed]]\nfrom = \"old\"\ndestroy = false\n",
    );
    p.run(&["preview", "s"])
        .ok()
        .contains("  -> moved    a -> b  (no cloud call)\n")
        .contains("forget   old")
        .contains("([[removed]] with destroy = false: stays in the cloud)")
        .contains("Plan: 0 to create, 0 to update, 0 to replace, 1 to delete, 1 unchanged.");
    let json = p.preview_json("s", &[]);
    assert_eq!(
        json["stacks"][0]["moves"],
        serde_json::json!([{ "from": "a", "to": "b" }]),
        "{json}"
    );
    p.up("s");
    let listed = p.run(&["state", "list", "s"]);
    let names: Vec<&str> = listed
        .ok()
        .stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(names, ["Stack", "b"], "{}", listed.stdout);
    p.run(&["preview", "s"])
        .ok()
        .contains("no resource changes");
}
