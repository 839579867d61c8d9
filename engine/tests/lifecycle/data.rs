//! Data lookups: with known inputs they run while planning (a preview
//! sees their values); with inputs known only after up they are read
//! during the up, after what they depend on, and before what uses them.

use skistack_engine::Action;

use crate::support::{Harness, Op, position, s};

#[tokio::test]
async fn a_lookup_with_known_inputs_runs_at_plan_time_and_feeds_resources() {
    let h = Harness::new();
    h.write(
        "web",
        r#"
[data.zone]
type = "fake:cloud:Lookup"
key = "eu"

[resources.net]
type = "fake:cloud:Thing"
name = "${zone.value}"
"#,
    );
    let plan = h.preview("web").await.expect("preview");
    assert_eq!(h.cloud.calls_of(Op::Invoke), ["zone"]);
    let net = plan.changes.iter().find(|c| c.address == "net").unwrap();
    assert_eq!(net.inputs()["name"], s("value-of-eu"), "known at preview");
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert_eq!(up.changes(), [("net".to_string(), Action::Create)]);
    up.succeeded();
    assert_eq!(h.record("web", "net").inputs["name"], s("value-of-eu"));
    assert_eq!(h.addresses("web"), ["net"], "a lookup is not recorded");
}

#[tokio::test]
async fn a_lookup_of_a_value_known_after_up_is_read_between_its_dependency_and_its_user() {
    let h = Harness::new();
    h.write(
        "web",
        r#"
[resources.net]
type = "fake:cloud:Thing"

[data.found]
type = "fake:cloud:Lookup"
key = "${net.arn}"

[resources.user]
type = "fake:cloud:Thing"
ref = "${found.value}"
"#,
    );
    let up = h.up("web").await;
    assert_eq!(up.action("found"), Action::Read);
    up.succeeded();
    assert_eq!(up.count("read"), 1);
    let calls = h.cloud.calls();
    let invoke = position(&calls, Op::Invoke, "found");
    assert!(position(&calls, Op::Create, "net") < invoke, "{calls:#?}");
    assert!(invoke < position(&calls, Op::Create, "user"), "{calls:#?}");
    let arn = h.record("web", "net").outputs["arn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        h.record("web", "user").inputs["ref"],
        s(&format!("value-of-{arn}"))
    );
    // Once net exists the lookup runs while planning, and nothing changes.
    h.cloud.take_calls();
    let again = h.up("web").await;
    assert!(again.summary.is_none(), "{:?}", again.changes());
    assert_eq!(h.cloud.calls_of(Op::Invoke), ["found"]);
    assert_eq!(h.cloud.mutations(), []);
}
