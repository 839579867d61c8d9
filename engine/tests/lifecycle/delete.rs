//! Deletes: a removed declaration is deleted after its dependents, and
//! after a former user moved off it; `destroy` deletes everything,
//! dependents first; `retain_on_delete` forgets without a delete call;
//! `protect` refuses.

use skistack_engine::{Action, EngineError};

use super::{CHAIN, without};
use crate::support::{Harness, Op, position, s};

#[tokio::test]
async fn removed_declarations_are_deleted_dependents_first() {
    let h = Harness::new();
    // The cloud refuses deletes out of order, too.
    h.cloud.refuse_deleting_used();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let before = h.state("web").resources;
    h.cloud.take_calls();

    h.write("web", &without(CHAIN, &["subnet", "app"]));
    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            ("app".to_string(), Action::Delete),
            ("subnet".to_string(), Action::Delete)
        ]
    );
    up.succeeded();
    assert_eq!(up.count("delete"), 2);
    let calls = h.cloud.calls();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert!(position(&calls, Op::Delete, "app") < position(&calls, Op::Delete, "subnet"));
    assert_eq!(calls[0].id.as_deref(), Some(before["app"].id.as_str()));

    assert_eq!(h.addresses("web"), ["net", "other"]);
    assert!(h.cloud.at("app").is_empty() && h.cloud.at("subnet").is_empty());
    assert_eq!(h.cloud.resources().len(), 2);
    let outputs = h.store_outputs("web");
    assert!(!outputs.contains_key("app_arn"), "{outputs:?}");
    h.assert_no_pending("web");
}

#[tokio::test]
async fn a_removed_resource_goes_after_its_former_user_moved_off_it() {
    let h = Harness::new();
    // The cloud refuses deletes out of order, too.
    h.cloud.refuse_deleting_used();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    h.cloud.take_calls();

    // net goes; subnet stays but no longer references it.
    let text = without(CHAIN, &["net"]).replace("ref = \"${net.arn}\"", "ref = \"plain\"");
    assert!(!text.contains("${net."), "{text}");
    h.write("web", &text);
    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            ("net".to_string(), Action::Delete),
            ("subnet".to_string(), Action::Update)
        ]
    );
    up.succeeded();
    let calls = h.cloud.calls();
    assert!(position(&calls, Op::Update, "subnet") < position(&calls, Op::Delete, "net"));
    assert_eq!(h.record("web", "subnet").inputs["ref"], s("plain"));
    assert_eq!(h.record("web", "subnet").dependencies, Vec::<String>::new());
}

#[tokio::test]
async fn destroy_deletes_everything_dependents_first() {
    let h = Harness::new();
    // The cloud refuses deletes out of order, too.
    h.cloud.refuse_deleting_used();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    h.cloud.take_calls();

    let d = h.destroy("web").await;
    assert_eq!(
        d.changes(),
        ["app", "net", "other", "subnet"].map(|a| (a.to_string(), Action::Delete))
    );
    d.succeeded();
    assert_eq!(d.count("delete"), 4);
    let calls = h.cloud.calls();
    assert!(position(&calls, Op::Delete, "app") < position(&calls, Op::Delete, "subnet"));
    assert!(position(&calls, Op::Delete, "subnet") < position(&calls, Op::Delete, "net"));
    assert_eq!(h.cloud.calls_of(Op::Delete).len(), 4);
    assert!(
        calls.iter().all(|c| c.op == Op::Delete),
        "no intents to recover, so no reads: {calls:#?}"
    );

    assert_eq!(h.cloud.resources(), []);
    assert_eq!(h.addresses("web"), Vec::<String>::new());
    assert_eq!(h.outputs("web"), None, "not deployed");
    h.assert_no_pending("web");
    let last = h.history("web").pop().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.result.as_str()),
        ("destroy", "succeeded")
    );

    // Destroying again has nothing to do.
    let again = h.destroy("web").await;
    assert!(again.actions.is_empty());
    assert_eq!(h.cloud.calls_of(Op::Delete).len(), 4);
}

#[tokio::test]
async fn destroy_works_without_the_stack_file() {
    // The recorded dependencies order the deletes when the file is gone.
    let h = Harness::new();
    // The cloud refuses deletes out of order, too.
    h.cloud.refuse_deleting_used();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    h.cloud.take_calls();
    std::fs::remove_file(h.project.stacks_dir.join("web.toml")).unwrap();

    h.destroy("web").await.succeeded();
    let calls = h.cloud.calls();
    assert!(position(&calls, Op::Delete, "app") < position(&calls, Op::Delete, "subnet"));
    assert!(position(&calls, Op::Delete, "subnet") < position(&calls, Op::Delete, "net"));
    assert_eq!(h.cloud.resources(), []);
}

const RETAINED: &str = r#"
[resources.keep]
type = "fake:cloud:Thing"
size = 1
[resources.keep.options]
retain_on_delete = true

[resources.plain]
type = "fake:cloud:Thing"
"#;

#[tokio::test]
async fn retain_on_delete_forgets_the_resource_and_leaves_it_in_the_cloud() {
    let h = Harness::new();
    h.write("web", RETAINED);
    h.up("web").await.succeeded();
    let keep = h.record("web", "keep");
    assert!(keep.options.retain_on_delete);
    h.cloud.take_calls();

    // Removed from the file: forgotten, not deleted.
    h.write(
        "web",
        &RETAINED[RETAINED.find("[resources.plain]").unwrap()..],
    );
    let up = h.up("web").await;
    assert_eq!(up.changes(), [("keep".to_string(), Action::Forget)]);
    up.succeeded();
    assert_eq!(up.count("forget"), 1);
    assert_eq!(h.cloud.calls(), []);
    assert_eq!(h.addresses("web"), ["plain"]);
    assert!(h.cloud.get(&keep.id).is_some());
}

#[tokio::test]
async fn destroy_forgets_retained_resources_and_deletes_the_rest() {
    let h = Harness::new();
    h.write("web", RETAINED);
    h.up("web").await.succeeded();
    let keep = h.record("web", "keep");
    let plain = h.record("web", "plain");
    h.cloud.take_calls();

    let d = h.destroy("web").await;
    assert_eq!(
        d.changes(),
        [
            ("keep".to_string(), Action::Forget),
            ("plain".to_string(), Action::Delete)
        ]
    );
    d.succeeded();
    assert_eq!(h.cloud.calls_of(Op::Delete), ["plain"]);
    assert!(h.cloud.get(&keep.id).is_some());
    assert!(h.cloud.get(&plain.id).is_none());
    assert_eq!(h.addresses("web"), Vec::<String>::new());
}

const PROTECTED: &str = r#"
[resources.db]
type = "fake:cloud:Thing"
name = "db"
[resources.db.options]
protect = true
"#;

#[tokio::test]
async fn protect_refuses_removal_replacement_and_destroy() {
    let h = Harness::new();
    h.write("web", PROTECTED);
    h.up("web").await.succeeded();
    let db = h.record("web", "db");
    assert!(db.options.protect);
    h.cloud.take_calls();

    // Removing it from the file: the plan refuses.
    h.write("web", "[resources.other]\ntype = \"fake:cloud:Thing\"\n");
    let err = h
        .try_up("web")
        .await
        .err()
        .expect("a protected delete is refused");
    assert!(
        matches!(&err, EngineError::Invalid(_)) && err.to_string().contains("protected"),
        "{err}"
    );

    // Replacing it: refused too.
    h.write(
        "web",
        &PROTECTED.replace(r#"name = "db""#, r#"name = "db2""#),
    );
    let err = h
        .try_up("web")
        .await
        .err()
        .expect("a protected replace is refused");
    assert!(err.to_string().contains("protected"), "{err}");

    // Destroying the stack: refused before any step.
    let err = h.try_destroy("web").await.err().expect("destroy refused");
    assert!(matches!(&err, EngineError::Refused(_)), "{err}");
    assert!(err.to_string().contains("db"), "{err}");

    assert_eq!(h.cloud.calls(), [], "nothing was touched");
    assert_eq!(h.record("web", "db"), db);
    assert!(h.cloud.get(&db.id).is_some());

    // Unprotected first, then it can go.
    h.write(
        "web",
        &PROTECTED.replace("protect = true", "protect = false"),
    );
    h.up("web").await.succeeded();
    h.destroy("web").await.succeeded();
    assert!(h.cloud.get(&db.id).is_none());
}
