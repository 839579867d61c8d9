//! Refactoring without the cloud: `[[moved]]` renames what the state
//! records (a declaration, an instance, count to for_each, chains) with no
//! provider call, and `[[removed]]` drops a declaration on purpose, keeping
//! the resource in the cloud (`destroy = false`) or deleting it.

use skistack_engine::{Action, EngineError};

use crate::support::{Harness, Op, THING};

/// `vpc <- subnet`, as the ceros-ski network is written.
const NETWORK: &str = r#"
[resources.vpc]
type = "fake:cloud:Thing"
name = "vpc"

[resources.subnet]
type = "fake:cloud:Thing"
name = "subnet"
ref = "${vpc.arn}"
"#;

/// The messages of an invalid stack's diagnostics, with their lines.
fn invalid(e: EngineError) -> Vec<String> {
    match e {
        EngineError::Invalid(ds) => ds
            .iter()
            .map(|d| {
                let at = d
                    .location()
                    .map_or(String::new(), |l| format!("{}: ", l.line));
                format!("{at}{} / {}", d.message, d.hint.clone().unwrap_or_default())
            })
            .collect(),
        other => panic!("not a stack error: {other}"),
    }
}

#[tokio::test]
async fn a_renamed_declaration_moves_in_the_state_with_no_cloud_call() {
    let h = Harness::new();
    h.write("net", NETWORK);
    h.up("net").await.succeeded();
    let vpc = h.record("net", "vpc");
    h.cloud.take_calls();
    let renamed = NETWORK
        .replace("[resources.vpc]", "[resources.main_vpc]")
        .replace("${vpc.arn}", "${main_vpc.arn}")
        + "\n[[moved]]\nfrom = \"vpc\"\nto = \"main_vpc\"\n";
    h.write("net", &renamed);
    let plan = h.preview("net").await.expect("preview");
    assert_eq!(plan.moves.len(), 1);
    assert_eq!(
        (plan.moves[0].from.as_str(), plan.moves[0].to.as_str()),
        ("vpc", "main_vpc")
    );
    assert!(
        plan.changes.iter().all(|c| c.action() == Action::Same),
        "{:?}",
        plan.changes
    );
    let up = h.up("net").await;
    up.succeeded();
    assert_eq!(h.cloud.mutations(), [], "a move made a cloud call");
    assert_eq!(h.addresses("net"), ["main_vpc", "subnet"]);
    assert_eq!(h.record("net", "main_vpc").id, vpc.id);
    // What depends on it is recorded against the new address, so a later
    // destroy still deletes in order.
    assert_eq!(h.record("net", "subnet").dependencies, ["main_vpc"]);
    // The entry may stay: once applied it has nothing to move.
    let again = h.preview("net").await.expect("preview");
    assert!(again.is_empty(), "{:?}", again.moves);
}

#[tokio::test]
async fn count_instances_move_to_for_each_keys_and_chains_resolve() {
    let h = Harness::new();
    let counted = r#"
[resources.subnet]
type = "fake:cloud:Thing"
count = 2
name = "s${count.index}"
"#;
    h.write("net", counted);
    h.up("net").await.succeeded();
    let (zero, one) = (h.record("net", "subnet[0]"), h.record("net", "subnet[1]"));
    h.cloud.take_calls();
    let keyed = r#"
[resources.subnet]
type = "fake:cloud:Thing"
for_each = { a = "s0", b = "s1" }
name = "${each.value}"

[[moved]]
from = "subnet[0]"
to = "subnet[\"x\"]"

[[moved]]
from = "subnet[\"x\"]"
to = "subnet[\"a\"]"

[[moved]]
from = "subnet[1]"
to = "subnet[\"b\"]"
"#;
    h.write("net", keyed);
    h.up("net").await.succeeded();
    assert_eq!(h.cloud.mutations(), []);
    assert_eq!(h.addresses("net"), ["subnet[\"a\"]", "subnet[\"b\"]"]);
    assert_eq!(h.record("net", "subnet[\"a\"]").id, zero.id);
    assert_eq!(h.record("net", "subnet[\"b\"]").id, one.id);
}

#[tokio::test]
async fn a_move_whose_source_is_not_recorded_changes_nothing() {
    let h = Harness::new();
    h.write(
        "net",
        &format!("{NETWORK}\n[[moved]]\nfrom = \"old_vpc\"\nto = \"vpc\"\n"),
    );
    let up = h.up("net").await;
    up.succeeded();
    assert_eq!(up.count("create"), 2);
    assert_eq!(h.addresses("net"), ["subnet", "vpc"]);
}

#[tokio::test]
async fn contradicting_entries_are_errors_naming_both_lines() {
    let h = Harness::new();
    let twice = format!(
        "{NETWORK}\n[[moved]]\nfrom = \"a\"\nto = \"vpc\"\n\n[[moved]]\nfrom = \"a\"\nto = \"subnet\"\n"
    );
    h.write("net", &twice);
    let e = invalid(h.preview("net").await.expect_err("refused"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("15: `a` is moved twice / the other entry is at"),
        "{e:?}"
    );
    assert!(e[0].contains("net.toml:11:1"), "{e:?}");
    let still = format!("{NETWORK}\n[[moved]]\nfrom = \"vpc\"\nto = \"main\"\n");
    h.write("net", &still);
    let e = invalid(h.preview("net").await.expect_err("refused"));
    assert!(e[0].contains("`vpc` is moved but still declared"), "{e:?}");
    let bad = format!(
        "{NETWORK}\n[[moved]]\nfrom = \"vpc[\"\nto = \"x\"\n\n[[removed]]\nfrom = \"gone\"\n"
    );
    h.write("net", &bad);
    let e = invalid(h.preview("net").await.expect_err("refused"));
    assert!(
        e.iter()
            .any(|m| m.starts_with("12: `vpc[` is not an address")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains("needs `destroy = true` or `destroy = false`")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_move_onto_a_recorded_address_is_refused_and_nothing_changes() {
    let h = Harness::new();
    h.write("net", NETWORK);
    h.up("net").await.succeeded();
    let only_subnet = NETWORK
        .replace(
            "[resources.vpc]\ntype = \"fake:cloud:Thing\"\nname = \"vpc\"\n",
            "",
        )
        .replace("ref = \"${vpc.arn}\"", "")
        + "\n[[moved]]\nfrom = \"vpc\"\nto = \"subnet\"\n";
    h.write("net", &only_subnet);
    let Err(e) = h.try_up("net").await else {
        panic!("the up was not refused");
    };
    let e = invalid(e);
    assert!(
        e[0].contains("would put two recorded resources at `subnet`"),
        "{e:?}"
    );
    assert!(e[0].contains("skistack state forget net subnet"), "{e:?}");
    assert_eq!(h.addresses("net"), ["subnet", "vpc"]);
}

#[tokio::test]
async fn removed_with_destroy_false_forgets_and_with_true_deletes() {
    let h = Harness::new();
    let three = r#"
[resources.logs]
type = "fake:cloud:Thing"
name = "logs"
[resources.logs.options]
protect = true

[resources.tmp]
type = "fake:cloud:Thing"
name = "tmp"

[resources.keep]
type = "fake:cloud:Thing"
name = "keep"
"#;
    h.write("s", three);
    h.up("s").await.succeeded();
    let (logs, tmp) = (h.record("s", "logs"), h.record("s", "tmp"));
    h.cloud.take_calls();
    h.write(
        "s",
        r#"
[resources.keep]
type = "fake:cloud:Thing"
name = "keep"

[[removed]]
from = "logs"
destroy = false

[[removed]]
from = "tmp"
destroy = true
"#,
    );
    let up = h.up("s").await;
    up.succeeded();
    // A kept resource is only forgotten, even a protected one.
    assert_eq!(h.cloud.mutations(), [(Op::Delete, "tmp".to_string())]);
    assert!(h.cloud.get(&logs.id).is_some());
    assert!(h.cloud.get(&tmp.id).is_none());
    assert!(h.state("s").is_released(THING, &logs.id));
    assert_eq!(h.addresses("s"), ["keep"]);
    let e = invalid(
        {
            h.write("s", "[resources.keep]\ntype = \"fake:cloud:Thing\"\nname = \"keep\"\n\n[[removed]]\nfrom = \"keep\"\ndestroy = false\n");
            h.preview("s").await
        }
        .expect_err("refused"),
    );
    assert!(
        e[0].contains("`keep` is removed but still declared"),
        "{e:?}"
    );
}

#[tokio::test]
async fn moves_that_lead_back_are_a_cycle() {
    let h = Harness::new();
    h.write(
        "net",
        "[resources.vpc]\ntype = \"fake:cloud:Thing\"\nname = \"vpc\"\n",
    );
    h.up("net").await.succeeded();
    let cycle = "[[moved]]\nfrom = \"vpc\"\nto = \"x\"\n\n[[moved]]\nfrom = \"x\"\nto = \"vpc\"\n";
    h.write("net", cycle);
    let e = invalid(h.preview("net").await.expect_err("refused"));
    assert!(
        e[0].starts_with("1: the [[moved]] entries for `vpc` form a cycle"),
        "{e:?}"
    );
    assert!(e[0].contains("net.toml:5:1"), "{e:?}");
}
