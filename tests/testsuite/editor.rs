//! `skistack schema` and `skistack completions`: the printed JSON Schema
//! accepts every shipped stack and rejects a misspelled property, option or
//! section; each shell's completions name the subcommands. The schema is
//! checked with a real validator (boon) on the stacks as TOML read to JSON.

use std::path::Path;

use skistack_test_support::cli::Project;

use crate::BIN;

/// The schema `skistack schema` prints, compiled.
fn compiled() -> (boon::Schemas, boon::SchemaIndex) {
    let p = Project::new(BIN);
    let schema = p.run(&["schema"]).ok().json();
    assert_eq!(
        schema["$schema"], "http://json-schema.org/draft-07/schema#",
        "the schema names its draft"
    );
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("skistack-schema.json", schema)
        .unwrap();
    let index = compiler
        .compile("skistack-schema.json", &mut schemas)
        .unwrap();
    (schemas, index)
}

/// A stack file's TOML as the JSON an editor validates.
fn as_json(text: &str) -> serde_json::Value {
    let table: toml::Table = toml::from_str(text).unwrap();
    serde_json::to_value(table).unwrap()
}

/// Whether the schema accepts `text`, with the validator's message if not.
fn check(schemas: &boon::Schemas, index: boon::SchemaIndex, text: &str) -> Result<(), String> {
    let doc = as_json(text);
    schemas.validate(&doc, index).map_err(|e| format!("{e:#}"))
}

#[test]
fn every_shipped_stack_validates_against_the_schema() {
    let (schemas, index) = compiled();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("stacks");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err(e) = check(&schemas, index, &text) {
            panic!("{} fails the schema: {e}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} stacks in {}", dir.display());
}

const GOOD: &str = r#"
[stack]
description = "a test"

[config]
greeting = "hello"
size = { type = "integer", default = 3, description = "how many" }
password = { type = "string", secret = true }
tags = { team = "a" }

[data.zones]
type = "aws:ec2:AvailabilityZones"

[resources.a]
type = "std:Data"
input = "${config.greeting}"
count = "${config.size}"
options = { protect = true, depends_on = ["b"] }

[resources.b]
type = "aws:ec2:Vpc"
cidr_block = "10.0.0.0/16"
enable_dns_support = "${true}"

[outputs]
greeting = "${a[0].input}"
"#;

#[test]
fn the_schema_rejects_misspelled_keys_where_the_loader_does() {
    let (schemas, index) = compiled();
    check(&schemas, index, GOOD).unwrap();
    let bad = [
        // A misspelled property of the type.
        ("cidr_block = ", "cidr_blok = "),
        // A misspelled option.
        ("protect = true", "protekt = true"),
        // A property of the wrong type.
        ("enable_dns_support = \"${true}\"", "enable_dns_support = 3"),
        // An unknown type.
        ("aws:ec2:Vpc", "aws:ec2:Vpcc"),
        // A misspelled key of a typed config declaration.
        ("secret = true", "secrett = true"),
        // An unknown config type.
        ("type = \"integer\"", "type = \"int\""),
        // A misspelled key of [stack].
        ("description = \"a test\"", "descripton = \"a test\""),
        // A misspelled section.
        ("[outputs]", "[output]"),
        // A reserved name.
        ("[resources.b]", "[resources.count]"),
        // A required property left out.
        ("cidr_block = \"10.0.0.0/16\"", ""),
    ];
    for (from, to) in bad {
        assert!(GOOD.contains(from), "{from}");
        let text = GOOD.replacen(from, to, 1);
        assert!(
            check(&schemas, index, &text).is_err(),
            "the schema accepts `{to}` in place of `{from}`"
        );
    }
}

/// The loader agrees with the schema on what `GOOD` and a misspelled
/// property mean: the schema is advice about the same language.
#[test]
fn the_loader_agrees_on_the_misspelled_property() {
    let p = Project::new(BIN);
    p.stack(
        "s",
        &GOOD.replace("[data.zones]\ntype = \"aws:ec2:AvailabilityZones\"\n", ""),
    );
    p.run(&["validate", "s"]).ok();
    p.stack("s", &GOOD.replacen("input = ", "inptu = ", 1));
    p.run(&["validate", "s"])
        .expect_code(2)
        .contains("unknown property `inptu`");
}

#[test]
fn completions_of_each_shell_name_the_subcommands() {
    let p = Project::new(BIN);
    for shell in ["bash", "zsh", "fish"] {
        let r = p.run(&["completions", shell]);
        r.ok();
        for sub in ["preview", "destroy", "schema", "completions", "import"] {
            r.contains(sub);
        }
    }
    p.run(&["completions", "tcsh"]).expect_code(2);
}
