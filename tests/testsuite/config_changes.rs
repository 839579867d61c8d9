//! Config values kept in the state: `config set` changes show in the preview
//! until an up applies them; an unused key change alone is still a change.

use skistack_test_support::cli::Project;

use crate::BIN;

const STACK: &str = r#"
[config]
name = "a"
unused = 1

[resources.thing]
type = "std:Data"
input = "${config.name}"
"#;

#[test]
fn preview_shows_config_changes_until_up_applies_them() {
    let p = Project::new(BIN);
    p.stack("demo", STACK);
    p.up("demo");
    p.run(&["preview", "--expect-no-changes"]).ok();

    p.run(&["config", "set", "demo", "unused", "2"]).ok();
    p.run(&["preview", "demo"])
        .ok()
        .contains("config (since the last up):")
        .contains("unused: 1 -> 2");
    p.run(&["preview", "--expect-no-changes"]).expect_code(3);
    let json = p.preview_json("demo", &[]);
    let config = &json["stacks"][0]["config"];
    assert_eq!(config[0]["key"], "unused", "{json:#}");
    assert_eq!(config[0]["new"], 2);

    p.up("demo");
    p.run(&["preview", "--expect-no-changes"])
        .ok()
        .lacks("config (since the last up)");

    p.run(&["config", "rm", "demo", "unused"]).ok();
    p.run(&["preview", "demo"]).ok().contains("unused: 2 -> 1");
}
