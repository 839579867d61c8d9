//! Creating a stack: dependency order, outputs flowing into dependents and
//! into the stack's outputs, what the state records, and a second up that
//! has nothing to do.

use skistack_engine::{Action, Value};

use super::CHAIN;
use crate::support::{Harness, Op, position, s};

#[tokio::test]
async fn a_chain_is_created_in_dependency_order_and_recorded() {
    let h = Harness::new();
    h.write("web", CHAIN);

    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            ("app".to_string(), Action::Create),
            ("net".to_string(), Action::Create),
            ("other".to_string(), Action::Create),
            ("subnet".to_string(), Action::Create),
        ]
    );
    up.succeeded();
    assert_eq!(up.count("create"), 4);
    assert_eq!(up.summary().skipped, 0);

    // Each create starts only after what it references was created.
    let calls = h.cloud.calls();
    assert_eq!(h.cloud.calls_of(Op::Create).len(), 4);
    assert!(position(&calls, Op::Create, "net") < position(&calls, Op::Create, "subnet"));
    assert!(position(&calls, Op::Create, "subnet") < position(&calls, Op::Create, "app"));
    // A create of a new stack needs no read, no lookup.
    assert!(calls.iter().all(|c| c.op == Op::Create), "{calls:#?}");
    // Each create runs under its own intent, hence its own token.
    let mut tokens: Vec<&str> = calls.iter().map(|c| c.operation_id.as_str()).collect();
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 4, "{tokens:?}");
    assert!(
        tokens
            .iter()
            .all(|t| t.starts_with("skistack-web-default-"))
    );

    // The state records what the cloud made, with the outputs that flowed.
    let net = h.record("web", "net");
    let subnet = h.record("web", "subnet");
    let app = h.record("web", "app");
    assert_eq!(h.cloud.census()["net"], [net.id.as_str()]);
    assert_eq!(net.inputs["size"], Value::Int(1), "config flowed in");
    assert_eq!(net.outputs["arn"], s(&format!("arn:fake:{}", net.id)));
    assert_eq!(subnet.inputs["ref"], net.outputs["arn"]);
    assert_eq!(app.inputs["ref"], subnet.outputs["arn"]);
    assert_eq!(
        h.cloud.get(&app.id).unwrap().inputs["ref"],
        subnet.outputs["arn"],
        "the provider got the value, not the reference"
    );
    assert_eq!(net.dependencies, Vec::<String>::new());
    assert_eq!(subnet.dependencies, ["net"]);
    assert_eq!(app.dependencies, ["subnet"]);
    assert_eq!(net.type_token, crate::support::THING);
    h.assert_no_pending("web");

    // The secret property is recorded secret, and sent in the clear.
    assert_eq!(app.inputs["password"], Value::secret(s("hunter2")));
    assert_eq!(
        h.cloud.get(&app.id).unwrap().inputs["password"],
        s("hunter2")
    );

    // The stack's outputs are the created values.
    let outputs = h.store_outputs("web");
    assert_eq!(outputs["app_arn"], app.outputs["arn"]);
    assert_eq!(outputs["net_id"], s(&net.id));

    // The history has one successful up.
    let history = h.history("web");
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].kind.as_str(), history[0].result.as_str()),
        ("up", "succeeded")
    );
    assert_eq!(history[0].counts["create"], 4);
}

#[tokio::test]
async fn a_second_up_plans_nothing_and_calls_nothing() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let before = h.state("web").resources;
    h.cloud.take_calls();

    let plan = h.preview("web").await.expect("preview");
    assert!(plan.is_empty(), "{:?}", crate::support::plan_changes(&plan));
    let again = h.up("web").await;
    assert!(again.summary.is_none(), "an empty plan is not applied");
    assert!(again.changes().is_empty());
    assert!(again.notes.is_empty(), "nothing to recover");
    assert_eq!(h.cloud.calls(), [], "a no-op up makes no provider call");
    assert_eq!(h.state("web").resources, before);
}

#[tokio::test]
async fn the_cli_config_overrides_the_stack_default() {
    let mut h = Harness::new();
    h.project.cli_config = vec![("size".into(), "3".into())];
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    assert_eq!(h.record("web", "net").inputs["size"], Value::Int(3));
    let net = h.record("web", "net");
    assert_eq!(h.cloud.get(&net.id).unwrap().inputs["size"], Value::Int(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wide_stack_is_created_once_each_on_a_multi_threaded_runtime() {
    // As the CLI runs: steps on several threads at once, committing to
    // one state. Every instance is made once and recorded with its own id.
    let h = Harness::new();
    h.write(
        "web",
        r#"
[resources.leaf]
type = "fake:cloud:Thing"
count = 24
size = "${count.index}"

[resources.hub]
type = "fake:cloud:Thing"
ref = "${leaf[*].id}"
"#,
    );
    let up = h.up("web").await;
    up.succeeded();
    assert_eq!(up.count("create"), 25);
    let calls = h.cloud.calls();
    let hub = position(&calls, Op::Create, "hub");
    assert_eq!(hub, calls.len() - 1, "the hub waits for every leaf");
    let mut leaves = h.cloud.calls_of(Op::Create);
    leaves.pop();
    leaves.sort();
    leaves.dedup();
    assert_eq!(leaves.len(), 24);
    let state = h.state("web");
    assert_eq!(state.resources.len(), 25);
    let ids: Vec<Value> = (0..24)
        .map(|i| s(&state.resources[&format!("leaf[{i}]")].id))
        .collect();
    assert_eq!(state.resources["hub"].inputs["ref"], Value::List(ids));
    assert_eq!(state.resources["leaf[17]"].inputs["size"], Value::Int(17));
    assert!(h.store.integrity_check().unwrap());
    h.assert_no_pending("web");
}
