//! Updates in place: a changed updatable property (plain or secret) is one
//! update call with the id kept; a changed option is recorded without any
//! provider call; a failed update leaves the record as it was.

use skistack_engine::{Action, ProviderError, Value};

use super::CHAIN;
use crate::support::{Harness, Op, s};

#[tokio::test]
async fn an_updatable_property_is_updated_in_place() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let before = h.state("web").resources;
    h.cloud.take_calls();

    h.write("web", &CHAIN.replace("size = 1", "size = 2"));
    let up = h.up("web").await;
    // `net.arn` stays the same on update, so nothing downstream changes.
    assert_eq!(up.changes(), [("net".to_string(), Action::Update)]);
    up.succeeded();
    assert_eq!(up.count("update"), 1);
    assert_eq!(up.summary().counts.len(), 1, "{:?}", up.summary().counts);

    let net = h.record("web", "net");
    assert_eq!(net.id, before["net"].id, "an update keeps the id");
    assert_eq!(net.inputs["size"], Value::Int(2));
    assert_eq!(net.outputs["size"], Value::Int(2));
    assert_eq!(net.outputs["arn"], before["net"].outputs["arn"]);
    assert_eq!(h.cloud.get(&net.id).unwrap().inputs["size"], Value::Int(2));
    let calls = h.cloud.calls();
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert_eq!(calls[0].op, Op::Update);
    assert_eq!(calls[0].id.as_deref(), Some(net.id.as_str()));
    for other in ["subnet", "app", "other"] {
        assert_eq!(h.state("web").resources[other], before[other]);
    }
    h.assert_no_pending("web");
}

#[tokio::test]
async fn a_changed_secret_is_updated_and_stays_secret() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let id = h.record("web", "app").id;
    h.cloud.take_calls();

    h.write("web", &CHAIN.replace("hunter2", "swordfish"));
    let up = h.up("web").await;
    assert_eq!(up.changes(), [("app".to_string(), Action::Update)]);
    up.succeeded();
    let app = h.record("web", "app");
    assert_eq!(app.id, id);
    assert_eq!(app.inputs["password"], Value::secret(s("swordfish")));
    assert_eq!(h.cloud.get(&id).unwrap().inputs["password"], s("swordfish"));
    assert_eq!(h.cloud.calls_of(Op::Update), ["app"]);
}

#[tokio::test]
async fn a_changed_option_is_recorded_without_a_provider_call() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    h.cloud.take_calls();

    let protected = CHAIN.replace(
        "[resources.other]\ntype = \"fake:cloud:Thing\"\nsize = 7\n",
        "[resources.other]\ntype = \"fake:cloud:Thing\"\nsize = 7\n[resources.other.options]\nprotect = true\n",
    );
    assert_ne!(protected, CHAIN);
    h.write("web", &protected);
    let up = h.up("web").await;
    assert_eq!(up.changes(), [("other".to_string(), Action::Update)]);
    up.succeeded();
    assert!(h.record("web", "other").options.protect);
    assert_eq!(h.cloud.calls(), [], "options live only in the state");
    h.assert_no_pending("web");
}

#[tokio::test]
async fn a_failed_update_leaves_the_record_as_it_was() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let before = h.record("web", "net");

    h.write("web", &CHAIN.replace("size = 1", "size = 2"));
    h.cloud.fail(
        Op::Update,
        "net",
        ProviderError::Failed("quota exceeded".into()),
    );
    let up = h.up("web").await;
    assert_eq!(up.failed(), ["net"]);
    assert!(
        up.summary().failures[0]
            .error
            .to_string()
            .contains("quota exceeded"),
        "{}",
        up.summary().failures[0].error.to_string()
    );
    assert_eq!(h.record("web", "net"), before);
    h.assert_no_pending("web");
    assert_eq!(h.history("web").last().unwrap().result, "failed");

    // The next up tries again.
    let again = h.up("web").await;
    assert_eq!(again.changes(), [("net".to_string(), Action::Update)]);
    again.succeeded();
    assert_eq!(h.record("web", "net").inputs["size"], Value::Int(2));
}

#[tokio::test]
async fn a_new_dependency_is_recorded_with_nothing_to_apply() {
    // `other` gains `depends_on = ["net"]`: nothing changes in the cloud,
    // but the state must learn it so that a destroy deletes `other` first.
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    h.cloud.take_calls();

    let text = CHAIN.replace(
        "[resources.other]\ntype = \"fake:cloud:Thing\"\nsize = 7\n",
        "[resources.other]\ntype = \"fake:cloud:Thing\"\nsize = 7\n[resources.other.options]\ndepends_on = [\"net\"]\n",
    );
    assert_ne!(text, CHAIN);
    h.write("web", &text);
    let up = h.up("web").await;
    assert!(up.summary.is_none(), "the plan is empty");
    assert_eq!(up.action("other"), Action::Same);
    assert_eq!(h.record("web", "other").dependencies, ["net"]);
    assert_eq!(h.cloud.calls(), []);

    h.destroy("web").await.succeeded();
    let calls = h.cloud.calls();
    assert!(
        crate::support::position(&calls, Op::Delete, "other")
            < crate::support::position(&calls, Op::Delete, "net"),
        "{calls:#?}"
    );
}

#[tokio::test]
async fn a_changed_config_value_that_no_resource_uses_is_applied_once() {
    // Nothing changes in the cloud, but the plan shows the config change
    // and the up records it, so the next plan is empty.
    let h = Harness::new();
    let text = CHAIN.replace("size = 1\n", "size = 1\nunused = \"a\"\n");
    h.write("web", &text);
    h.up("web").await.succeeded();
    h.cloud.take_calls();

    h.write("web", &text.replace("unused = \"a\"", "unused = \"b\""));
    let plan = h.preview("web").await.expect("preview");
    assert!(crate::support::plan_changes(&plan).is_empty());
    let names: Vec<_> = plan
        .config_changes
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["unused"]);
    let up = h.up("web").await;
    up.succeeded();
    assert_eq!(up.summary().counts.len(), 0, "no step ran");
    assert_eq!(h.cloud.calls(), []);
    assert!(h.preview("web").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_changed_output_shows_in_the_plan_and_is_recorded() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let net = h.record("web", "net");
    h.cloud.take_calls();

    h.write(
        "web",
        &CHAIN.replace("net_id = \"${net.id}\"", "net_id = \"net:${net.id}\""),
    );
    let plan = h.preview("web").await.expect("preview");
    let change = plan.outputs.iter().find(|o| o.name == "net_id").unwrap();
    assert_eq!(change.old, Some(s(&net.id)));
    assert_eq!(change.new, Some(s(&format!("net:{}", net.id))));
    h.up("web").await.succeeded();
    assert_eq!(
        h.store_outputs("web")["net_id"],
        s(&format!("net:{}", net.id))
    );
    assert_eq!(h.cloud.mutations(), []);
}
