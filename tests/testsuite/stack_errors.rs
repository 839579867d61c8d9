//! Every kind of stack-file error names file:line:column, exits 2 and leaves
//! the state untouched; malformed input never panics.

use skistack_test_support::cli::{Project, Run};

use crate::BIN;

/// A deployed stack `s`, so that a broken version of it has state to spare.
fn deployed() -> Project {
    let p = Project::new(BIN);
    p.stack(
        "s",
        r#"
[config]
greeting = "hello"

[resources.a]
type = "std:Data"
input = "${config.greeting}"
"#,
    );
    p.up("s");
    p
}

/// Writes `text` as stack `s`, runs validate, preview and up on it, and
/// checks that each exits 2 with `message` at `location` and no change to
/// the state. Returns the output of `up`.
#[track_caller]
fn rejects(text: &str, location: &str, message: &str) -> Run {
    rejects_with(
        &[&["validate", "s"], &["preview", "s"], &["up", "s", "--yes"]],
        text,
        location,
        message,
    )
}

/// Errors found only once values are evaluated: validate, which reads no
/// state and evaluates nothing, accepts them.
#[track_caller]
fn rejected_by_plan(text: &str, location: &str, message: &str) -> Run {
    let r = rejects_with(
        &[&["preview", "s"], &["up", "s", "--yes"]],
        text,
        location,
        message,
    );
    let p = Project::new(BIN);
    p.stack("s", text);
    p.run(&["validate", "s"]).ok();
    r
}

#[track_caller]
fn rejects_with(commands: &[&[&str]], text: &str, location: &str, message: &str) -> Run {
    let p = deployed();
    let before = p.state_snapshot();
    p.stack("s", text);
    let mut last = None;
    for &args in commands {
        let r = p.run(args);
        r.expect_code(2)
            .contains(&format!("--> stacks/{location}\n"))
            .contains(message)
            .contains("nothing was changed");
        last = Some(r);
    }
    assert_eq!(p.state_snapshot(), before, "the state changed");
    last.expect("commands ran")
}

#[test]
fn toml_syntax() {
    rejects(
        "[resources.a]\ntype = \"std:Data\"\ninput = \"x\n",
        "s.toml:3:11",
        "TOML syntax error",
    );
    rejects(
        "[resources.a]\ntype = \"std:Data\"\n[resources.a]\ntype = \"std:Data\"\n",
        "s.toml:3:12",
        "TOML syntax error: duplicate key",
    );
}

#[test]
fn unknown_resource_type_with_did_you_mean() {
    rejects(
        "[resources.a]\ntype = \"std:Dta\"\n",
        "s.toml:2:8",
        "unknown resource type `std:Dta`",
    )
    .contains("did you mean `std:Data`?");
}

#[test]
fn unknown_property_with_did_you_mean() {
    rejects(
        "[resources.a]\ntype = \"std:Data\"\ninptu = 1\n",
        "s.toml:3:1",
        "unknown property `inptu`",
    )
    .contains("did you mean `input`?");
}

#[test]
fn missing_required_property() {
    rejects(
        "[resources.a]\ntype = \"std:Data\"\n\n[resources.cmd]\ntype = \"std:Command\"\ndir = \".\"\n",
        "s.toml:4:12",
        "missing the required property `create`",
    );
}

#[test]
fn wrong_value_type_literal() {
    rejects(
        "[resources.a]\ntype = \"std:RandomString\"\nlength = \"long\"\n",
        "s.toml:3:10",
        "must be an integer",
    );
    rejects(
        "[resources.a]\ntype = \"std:Sleep\"\ncreate_duration = 5\n",
        "s.toml:3:19",
        "create_duration",
    );
}

#[test]
fn wrong_value_type_computed_by_an_expression() {
    // Computed types are known when the plan is evaluated, so validate
    // (which has no values) accepts them; preview and up must not.
    let cases = [
        (
            "[config]\nn = \"x\"\n\n[resources.a]\ntype = \"std:RandomString\"\nlength = \"${config.n}\"\n",
            "s.toml:6:10",
        ),
        (
            "[resources.a]\ntype = \"std:RandomString\"\nlength = \"${upper(\\\"ab\\\")}\"\n",
            "s.toml:3:10",
        ),
        (
            "[resources.b]\ntype = \"std:Data\"\ninput = \"abc\"\n\n[resources.a]\ntype = \"std:RandomString\"\nlength = \"${b.output}\"\n",
            "s.toml:7:10",
        ),
    ];
    for (text, location) in cases {
        rejected_by_plan(
            text,
            location,
            "property `length` of std:RandomString must be an integer",
        );
    }
}

#[test]
fn reference_to_an_unknown_resource() {
    rejects(
        "[resources.a]\ntype = \"std:Data\"\ninput = \"${bb.output}\"\n",
        "s.toml:3:12",
        "unknown resource or data lookup `bb`",
    );
}

#[test]
fn reference_to_an_unknown_attribute() {
    rejects(
        "[resources.a]\ntype = \"std:Data\"\n\n[resources.b]\ntype = \"std:Data\"\ninput = \"${a.outptu}\"\n",
        "s.toml:6:12",
        "has no attribute `outptu`",
    )
    .contains("did you mean `output`?");
}

#[test]
fn reference_to_an_unknown_config_key() {
    rejects(
        "[config]\ngreeting = \"hi\"\n\n[resources.a]\ntype = \"std:Data\"\ninput = \"${config.greting}\"\n",
        "s.toml:6:12",
        "unknown config key `greting`",
    )
    .contains("did you mean `config.greeting`?");
}

#[test]
fn a_dependency_cycle_is_printed_as_the_cycle() {
    // Each name uses the next; the cycle starts at the first declared.
    rejects(
        "[resources.x]\ntype = \"std:Data\"\n\n[resources.c]\ntype = \"std:Data\"\ninput = \"${a.output}\"\n\n[resources.a]\ntype = \"std:Data\"\ninput = \"${b.output}\"\n\n[resources.b]\ntype = \"std:Data\"\ninput = [\"${c.output}\", \"${x.output}\"]\n",
        "s.toml:4:12",
        "dependency cycle: c -> a -> b -> c\n",
    );
    // A cycle through depends_on is one too.
    rejects(
        "[resources.a]\ntype = \"std:Data\"\n[resources.a.options]\ndepends_on = [\"a\"]\n",
        "s.toml:1:12",
        "dependency cycle: a -> a\n",
    );
}

#[test]
fn reference_to_a_stack_that_is_not_deployed_or_lacks_the_output() {
    let r = rejected_by_plan(
        "[resources.a]\ntype = \"std:Data\"\ninput = \"${stacks.other.url}\"\n",
        "s.toml:3:12",
        "stack `other` is not deployed",
    );
    r.contains("skistack up other");

    let p = deployed();
    p.stack(
        "other",
        "[resources.o]\ntype = \"std:Data\"\ninput = 1\n\n[outputs]\nurl = \"${o.output}\"\n",
    );
    p.up("other");
    let before = p.state_snapshot();
    p.stack(
        "s",
        "[resources.a]\ntype = \"std:Data\"\ninput = \"${stacks.other.uri}\"\n",
    );
    for args in [&["preview", "s"][..], &["up", "s", "--yes"]] {
        p.run(args)
            .expect_code(2)
            .contains("--> stacks/s.toml:3:12\n")
            .contains("stack `other` has no output `uri`")
            .contains("did you mean `stacks.other.url`?");
    }
    assert_eq!(p.state_snapshot(), before);
    p.stack(
        "s",
        "[resources.a]\ntype = \"std:Data\"\ninput = \"${stacks.other.url}\"\n",
    );
    p.up("s");
}

#[test]
fn bad_sleep_duration() {
    rejects(
        "[resources.z]\ntype = \"std:Sleep\"\ncreate_duration = \"5 parsecs\"\n",
        "s.toml:3:19",
        "invalid duration \"5 parsecs\"",
    );
    rejects(
        "[resources.z]\ntype = \"std:Sleep\"\ndestroy_duration = \"-1s\"\n",
        "s.toml:3:20",
        "destroy_duration",
    );
}

#[test]
fn several_errors_are_reported_together() {
    let r = rejects(
        "[resources.a]\ntype = \"std:Dta\"\n\n[resources.b]\ntype = \"std:Data\"\ninptu = 1\n",
        "s.toml:2:8",
        "2 errors found",
    );
    r.contains("--> stacks/s.toml:6:1\n");
}

#[test]
fn an_overlay_error_names_the_overlay_file() {
    let p = deployed();
    let before = p.state_snapshot();
    p.stack(
        "s.prod.toml",
        "[config]\ngreeting = \"x\"\n[resources.a]\ntype = \"std:Data\"\n",
    );
    p.run(&["preview", "s", "--env", "prod"])
        .expect_code(2)
        .contains("--> stacks/s.prod.toml:3:2\n")
        .contains("an overlay holds only a [config] table");
    p.stack("s.prod.toml", "[config]\ngretting = \"x\"\n");
    p.run(&["preview", "s", "--env", "prod"])
        .expect_code(2)
        .contains("--> stacks/s.prod.toml:2:12\n")
        .contains("did you mean `greeting`?");
    assert_eq!(p.state_snapshot(), before);
}

/// Inputs that a careless parser would crash on. Each must end in exit 2
/// with a diagnostic, never a panic, a hang or a stack overflow.
#[test]
fn malformed_input_never_panics() {
    let deep = 100_000;
    let mut garbage: Vec<(&str, Vec<u8>)> = vec![
        ("binary bytes", (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()),
        ("a UTF-16 byte order mark", b"\xff\xfe[\x00r\x00]\x00\n".to_vec()),
        ("NUL bytes in text", b"[resources.a]\ntype = \"std:Data\"\ninput = \"a\x00b\"\x00\n".to_vec()),
        ("deep TOML arrays", format!("x = {}{}", "[".repeat(deep), "]".repeat(deep)).into_bytes()),
        ("deep inline tables", format!("x = {}1{}", "{a=".repeat(deep), "}".repeat(deep)).into_bytes()),
        (
            "deep parentheses",
            format!("[resources.a]\ntype = \"std:Data\"\ninput = \"${{{}1{}}}\"\n", "(".repeat(deep), ")".repeat(deep)).into_bytes(),
        ),
        (
            "deep expression lists",
            format!("[resources.a]\ntype = \"std:Data\"\ninput = \"${{{}{}}}\"\n", "[".repeat(deep), "]".repeat(deep)).into_bytes(),
        ),
        ("many unary minus", format!("[resources.a]\ntype = \"std:Data\"\ninput = \"${{{}1}}\"\n", "-".repeat(deep)).into_bytes()),
        ("unterminated ${", b"[resources.a]\ntype = \"std:Data\"\ninput = \"${a.output\"\n".to_vec()),
        ("bare ${", b"[resources.a]\ntype = \"std:Data\"\ninput = \"${\"\n".to_vec()),
        ("nested ${", b"[resources.a]\ntype = \"std:Data\"\ninput = \"${${${\"\n".to_vec()),
        ("integer overflow", b"[resources.a]\ntype = \"std:Data\"\ninput = \"${9223372036854775807 * 2}\"\n".to_vec()),
        ("huge literal", b"[resources.a]\ntype = \"std:Data\"\ninput = \"${99999999999999999999999}\"\n".to_vec()),
        ("huge index", b"[resources.a]\ntype = \"std:Data\"\ncount = 1\n[resources.b]\ntype = \"std:Data\"\ninput = \"${a[4611686018427387904].output}\"\n".to_vec()),
        ("negative count", b"[resources.a]\ntype = \"std:Data\"\ncount = -1\n".to_vec()),
        ("huge count", b"[resources.a]\ntype = \"std:Data\"\ncount = 9223372036854775807\n".to_vec()),
        ("resources not a table", b"resources = 3\n".to_vec()),
        ("type not a string", b"[resources.a]\ntype = 1\n".to_vec()),
        ("options not a table", b"[resources.a]\ntype = \"std:Data\"\noptions = \"x\"\n".to_vec()),
        ("depends_on not a list", b"[resources.a]\ntype = \"std:Data\"\n[resources.a.options]\ndepends_on = 3\n".to_vec()),
        ("for_each over numbers", b"[resources.a]\ntype = \"std:Data\"\nfor_each = [1, 2]\n".to_vec()),
        ("count and for_each", b"[resources.a]\ntype = \"std:Data\"\ncount = 1\nfor_each = [\"x\"]\n".to_vec()),
        ("cidrsubnet out of range", b"[resources.a]\ntype = \"std:Data\"\ninput = \"${cidrsubnet(\\\"10.0.0.0/16\\\", 200, 99999999999)}\"\n".to_vec()),
        ("element of an empty list", b"[resources.a]\ntype = \"std:Data\"\ninput = \"${element([], 3)}\"\n".to_vec()),
        ("format with too few arguments", b"[resources.a]\ntype = \"std:Data\"\ninput = \"${format(\\\"%s %d\\\", 1)}\"\n".to_vec()),
        ("a directory as a file", b"[resources.a]\ntype = \"std:Data\"\ninput = \"${file(\\\"/\\\")}\"\n".to_vec()),
        ("an invalid name", b"[resources.\"a b\"]\ntype = \"std:Data\"\n".to_vec()),
        ("a huge duration", b"[resources.a]\ntype = \"std:Sleep\"\ncreate_duration = \"99999999999999999999h\"\n".to_vec()),
        ("a multi-byte character at the error", "[resources.é]\ntype = \"std:Dåta\"\ninput = \"${ü.x}\"\n".as_bytes().to_vec()),
    ];
    // Every prefix of a valid file: truncated writes, editors saving mid-way.
    let valid = "[config]\nn = 2\n\n[resources.a]\ntype = \"std:Data\"\ncount = \"${config.n}\"\ninput = \"${format(\\\"%s-%d\\\", \\\"x\\\", count.index)}\"\n\n[outputs]\nall = \"${a[*].output}\"\n";
    let cut_points = [12, 30, 45, 60, 75, 90, 110, 140];
    for cut in cut_points {
        garbage.push(("a truncated file", valid.as_bytes()[..cut].to_vec()));
    }

    let p = Project::new(BIN);
    for (what, bytes) in &garbage {
        p.write_bytes("g", bytes);
        // validate evaluates nothing, so errors of evaluation may pass it.
        let validate = p.run(&["validate", "g"]);
        assert!(
            !validate.stderr.contains("panicked"),
            "{what}: validate panicked:\n{}",
            validate.stderr
        );
        assert!(
            [Some(0), Some(2)].contains(&validate.code),
            "{what}: validate exited {:?}\n{}",
            validate.code,
            validate.stderr
        );
        let preview = p.run(&["preview", "g"]);
        assert!(
            !preview.stderr.contains("panicked"),
            "{what}: preview panicked:\n{}",
            preview.stderr
        );
        let truncated_but_valid = *what == "a truncated file" && preview.code == Some(0);
        if !truncated_but_valid {
            assert_eq!(
                preview.code,
                Some(2),
                "{what}: expected exit 2, got {:?}\n{}",
                preview.code,
                preview.stderr
            );
            assert!(
                preview.stderr.contains("error: "),
                "{what}: no diagnostic:\n{}",
                preview.stderr
            );
        }
    }
    assert!(!p.state_path().exists() || p.recorded("g", "default").is_empty());
}

#[test]
fn a_file_that_is_not_utf8_is_located() {
    let p = Project::new(BIN);
    p.write_bytes(
        "bin",
        b"[resources.a]\ntype = \"std:Data\"\ninput = \"ab\xff\"\n",
    );
    p.run(&["validate", "bin"])
        .expect_code(2)
        .contains("--> stacks/bin.toml:3:12\n")
        .contains("not valid UTF-8")
        .lacks("did you mean");
}

#[test]
fn a_missing_stack_suggests_a_close_name() {
    let p = Project::new(BIN);
    p.stack("network", "[resources.a]\ntype = \"std:Data\"\n");
    p.run(&["preview", "netwrok"])
        .expect_code(2)
        .contains("did you mean `network`?");
}

/// A stack whose `az_count` must be 1 to 6 and whose `cidr` must be a CIDR
/// block, as the ceros-ski stacks check theirs; `az_count` defaults to
/// `default`.
fn with_rules(default: i64) -> String {
    format!(
        r#"
[config]
az_count = {{ type = "integer", default = {default}, validation = [{{ condition = "${{config.az_count >= 1 && config.az_count <= 6}}", message = "az_count must be 1 to 6" }}] }}
cidr = {{ type = "string", default = "10.0.0.0/16", validation = [{{ condition = "${{can(cidrhost(config.cidr, 0))}}", message = "cidr must be a CIDR block such as 10.0.0.0/16" }}] }}

[resources.a]
type = "std:Data"
input = "${{config.az_count}} ${{config.cidr}}"
"#
    )
}

#[test]
fn a_default_that_breaks_its_validation_rule() {
    rejects(
        &with_rules(9),
        "s.toml:3:1",
        "invalid value for config `az_count`: az_count must be 1 to 6",
    )
    .contains("checked by the validation rule at stacks/s.toml:3:");
}

#[test]
fn a_value_set_elsewhere_that_breaks_a_validation_rule_names_where_it_was_set() {
    let p = Project::new(BIN);
    p.stack("s", &with_rules(2));
    p.up("s");
    p.run(&["preview", "s", "-c", "az_count=7"])
        .expect_code(2)
        .contains("invalid value for config `az_count` (given with -c): az_count must be 1 to 6")
        .contains("checked by the validation rule at stacks/s.toml:3:");
    p.run(&["up", "s", "--yes", "-c", "cidr=10.0.0.0/33"])
        .expect_code(2)
        .contains("cidr must be a CIDR block");
    // `config set` judges the value by the key's rules before recording it.
    let before = p.state_snapshot();
    p.run(&["config", "set", "s", "az_count", "0"])
        .expect_code(2)
        .contains("(set with `skistack config set`): az_count must be 1 to 6")
        .contains("checked by the validation rule at stacks/s.toml:3:");
    assert_eq!(p.state_snapshot(), before, "a refused value was recorded");
    // A recorded value that a rule written later breaks is named as set there.
    p.stack(
        "s",
        &with_rules(2).replace("az_count >= 1", "az_count >= 0"),
    );
    p.run(&["config", "set", "s", "az_count", "0"]).ok();
    p.stack("s", &with_rules(2));
    p.run(&["preview", "s"])
        .expect_code(2)
        .contains("(set with `skistack config set`): az_count must be 1 to 6");
    p.run(&["config", "set", "s", "az_count", "3"]).ok();
    let before = p.state_snapshot();
    p.stack("s.prod.toml", "[config]\naz_count = 12\n");
    p.run(&["preview", "s", "--env", "prod"])
        .expect_code(2)
        .contains("--> stacks/s.prod.toml:2:12\n")
        .contains("az_count must be 1 to 6");
    assert_eq!(p.state_snapshot(), before, "the state changed");
    // Values the rules accept pass.
    p.run(&[
        "up",
        "s",
        "--yes",
        "-c",
        "az_count=6",
        "-c",
        "cidr=10.1.0.0/24",
    ])
    .ok();
}

#[test]
fn config_set_never_quotes_a_secret_value_it_refuses() {
    let p = Project::new(BIN);
    p.stack(
        "s",
        r#"
[config]
pin = { type = "integer", secret = true, validation = [{ condition = "${config.pin > 999}", message = "the pin has four digits" }] }

[resources.a]
type = "std:Data"
input = "${config.pin}"
"#,
    );
    let wrong_type = p.run(&["config", "set", "s", "pin", "hunter2"]);
    wrong_type
        .expect_code(1)
        .contains("config `pin` is of type integer, but the value given is of type string");
    assert!(
        !wrong_type.stderr.contains("hunter2"),
        "{}",
        wrong_type.stderr
    );
    let broken = p.run(&["config", "set", "s", "pin", "12"]);
    broken.expect_code(2).contains("the pin has four digits");
    assert!(!broken.stdout.contains("12") && !broken.stderr.contains("= 12"));
    p.run(&["config", "set", "s", "pin", "1234"]).ok();
}

#[test]
fn malformed_validation_rules_are_located() {
    let rule = |r: &str| {
        format!(
            "[config]\nn = {{ type = \"integer\", default = 1, validation = {r} }}\n\
             [resources.a]\ntype = \"std:Data\"\ninput = \"x\"\n"
        )
    };
    rejects(
        &rule(r#"[{ condition = "${config.n + 1}", message = "m" }]"#),
        "s.toml:2:69",
        "a validation condition must be true or false, found integer 2",
    );
    rejects(
        &rule(r#"[{ condition = "${config.n > 0}" }]"#),
        "s.toml:2:52",
        "needs a condition and a message",
    );
    rejects(
        &rule(r#"[{ condition = "${config.n > 0}", message = "m", msg = "x" }]"#),
        "s.toml:2:100",
        "unknown key `msg` in a validation rule of config `n`",
    );
    rejects(
        &rule(r#"[{ condition = "n > 0", message = "m" }]"#),
        "s.toml:2:66",
        "a validation condition must be one expression",
    );
    rejects(
        &rule(r#""yes""#),
        "s.toml:2:51",
        "must be an array of tables",
    );
    rejects(
        &rule(r#"[{ condition = "${config.m > 0}", message = "m" }]"#),
        "s.toml:2:69",
        "unknown config key `m`",
    )
    .contains("did you mean `config.n`?");
    rejects(
        &rule(r#"[{ condition = "${a.output != \"\"}", message = "m" }]"#),
        "s.toml:2:66",
        "a validation rule can refer only to config keys, not `a`",
    );
}

#[test]
fn an_infinite_number_is_refused_where_it_would_be_stored() {
    // JSON, the form of the state and of provider calls, has no infinity:
    // a TOML `inf` and a division by zero stop with their location.
    rejects(
        "[resources.a]\ntype = \"std:Data\"\ninput = inf\n",
        "s.toml:3:9",
        "`inf` cannot be stored",
    );
    rejected_by_plan(
        "[resources.a]\ntype = \"std:Data\"\ninput = \"${[1, 2 / 0]}\"\n",
        "s.toml:3:12",
        "infinite number",
    );
}
