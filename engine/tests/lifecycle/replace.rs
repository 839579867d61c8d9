//! Replacements: a changed `force_new` property makes a new resource and
//! deletes the old one, create first by default and delete first with
//! `delete_before_replace`; users of the old resource move to the new one
//! before it goes; a failed replacement keeps the old resource, and an old
//! one whose delete failed waits under a retired name (`net~replaced`)
//! for the next up. A changed type replaces too.

use skistack_engine::{Action, ProviderError};

use super::CHAIN;
use crate::support::{Harness, Op, THING, position, s};

#[tokio::test]
async fn a_force_new_change_creates_the_replacement_before_deleting_the_old() {
    let h = Harness::new();
    // The cloud refuses deletes out of order, too.
    h.cloud.refuse_deleting_used();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let old = h.record("web", "net");
    let old_subnet = h.record("web", "subnet");
    h.cloud.take_calls();

    h.write("web", &CHAIN.replace(r#"name = "net""#, r#"name = "net2""#));
    let plan = h.preview("web").await.expect("preview");
    let net = plan.changes.iter().find(|c| c.address == "net").unwrap();
    assert_eq!(net.replace_reasons(), ["name"]);

    let up = h.up("web").await;
    // subnet's `ref` is the new arn, unknown until net is made: an update.
    assert_eq!(
        up.changes(),
        [
            ("net".to_string(), Action::Replace),
            ("subnet".to_string(), Action::Update)
        ]
    );
    up.succeeded();
    assert_eq!(up.count("replace"), 1);
    assert_eq!(up.count("update"), 1);
    assert_eq!(
        up.count("delete"),
        0,
        "the old one's delete is part of the replace"
    );

    let new = h.record("web", "net");
    assert_ne!(new.id, old.id);
    assert_eq!(new.inputs["name"], s("net2"));
    // Create, move the user over, then delete the old one (by its id).
    let calls = h.cloud.calls();
    let create = position(&calls, Op::Create, "net");
    let update = position(&calls, Op::Update, "subnet");
    let delete = calls
        .iter()
        .position(|c| c.op == Op::Delete && c.id.as_deref() == Some(old.id.as_str()))
        .expect("the old net is deleted");
    assert!(create < update && update < delete, "{calls:#?}");
    // Nothing else changed the cloud: the old one is deleted under its
    // retired name.
    assert_eq!(
        h.cloud.mutations(),
        [
            (Op::Create, "net".to_string()),
            (Op::Update, "subnet".to_string()),
            (Op::Delete, "net~replaced".to_string())
        ]
    );

    // The state and the cloud hold only the new net, and subnet uses it.
    assert_eq!(h.addresses("web"), ["app", "net", "other", "subnet"]);
    assert!(h.cloud.get(&old.id).is_none());
    assert_eq!(h.cloud.census()["net"], [new.id.as_str()]);
    let subnet = h.record("web", "subnet");
    assert_eq!(subnet.id, old_subnet.id);
    assert_eq!(subnet.inputs["ref"], new.outputs["arn"]);
    assert_eq!(h.store_outputs("web")["net_id"], s(&new.id));
    h.assert_no_pending("web");
}

#[tokio::test]
async fn delete_before_replace_deletes_the_old_one_first() {
    let h = Harness::new();
    let dbr = CHAIN.replace(
        "size = \"${config.size}\"\n",
        "size = \"${config.size}\"\n[resources.net.options]\ndelete_before_replace = true\n",
    );
    assert_ne!(dbr, CHAIN);
    h.write("web", &dbr);
    h.up("web").await.succeeded();
    let old = h.record("web", "net");
    assert!(old.options.delete_before_replace);
    h.cloud.take_calls();

    h.write("web", &dbr.replace(r#"name = "net""#, r#"name = "net2""#));
    let up = h.up("web").await;
    assert_eq!(up.action("net"), Action::Replace);
    up.succeeded();
    let calls = h.cloud.calls();
    let delete = position(&calls, Op::Delete, "net");
    let create = position(&calls, Op::Create, "net");
    assert_eq!(calls[delete].id.as_deref(), Some(old.id.as_str()));
    assert!(delete < create, "{calls:#?}");
    // The user follows the new one.
    assert!(create < position(&calls, Op::Update, "subnet"));

    let new = h.record("web", "net");
    assert_ne!(new.id, old.id);
    assert_eq!(h.cloud.census()["net"], [new.id.as_str()]);
    assert_eq!(h.addresses("web"), ["app", "net", "other", "subnet"]);
    h.assert_no_pending("web");
}

#[tokio::test]
async fn a_failed_replacement_keeps_the_old_resource_and_its_users() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let before = h.state("web").resources;
    h.cloud.take_calls();

    h.write("web", &CHAIN.replace(r#"name = "net""#, r#"name = "net2""#));
    h.cloud.fail(
        Op::Create,
        "net",
        ProviderError::Invalid("name net2 is taken".into()),
    );
    let up = h.up("web").await;
    assert_eq!(up.failed(), ["net"]);
    // Nothing that waited for the replacement ran.
    assert_eq!(up.summary().skipped, 2, "subnet's update and net's delete");
    assert_eq!(h.cloud.calls_of(Op::Delete), Vec::<String>::new());
    assert_eq!(h.cloud.calls_of(Op::Update), Vec::<String>::new());
    assert_eq!(h.state("web").resources, before);
    assert_eq!(h.cloud.census()["net"], [before["net"].id.clone()]);
    h.assert_no_pending("web");

    // Once the cause is gone, the next up replaces it.
    h.up("web").await.succeeded();
    assert_ne!(h.record("web", "net").id, before["net"].id);
    assert_eq!(h.cloud.census()["net"].len(), 1);
}

#[tokio::test]
async fn a_failed_delete_of_the_replaced_resource_is_retried_by_the_next_up() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let old = h.record("web", "net");

    h.write("web", &CHAIN.replace(r#"name = "net""#, r#"name = "net2""#));
    h.cloud.fail(
        Op::Delete,
        "net~replaced",
        ProviderError::Failed("still in use".into()),
    );
    let up = h.up("web").await;
    assert_eq!(up.failed(), ["net"]);
    // The new one is in place; the old one waits under its retired name.
    assert_eq!(
        h.addresses("web"),
        ["app", "net", "net~replaced", "other", "subnet"]
    );
    assert_eq!(h.record("web", "net~replaced").id, old.id);
    assert_eq!(h.cloud.census()["net"].len(), 2);
    h.assert_no_pending("web");

    h.cloud.take_calls();
    let again = h.up("web").await;
    assert_eq!(
        again.changes(),
        [("net~replaced".to_string(), Action::Delete)]
    );
    again.succeeded();
    assert_eq!(
        h.cloud.mutations(),
        [(Op::Delete, "net~replaced".to_string())]
    );
    assert_eq!(h.addresses("web"), ["app", "net", "other", "subnet"]);
    assert!(h.cloud.get(&old.id).is_none());
}

#[tokio::test]
async fn a_replacement_that_failed_after_being_made_is_adopted_and_the_old_one_goes_next() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let old = h.record("web", "net");

    h.write("web", &CHAIN.replace(r#"name = "net""#, r#"name = "net2""#));
    h.cloud.fail_after(
        Op::Create,
        "net",
        ProviderError::Transient("connection reset".into()),
    );
    let up = h.up("web").await;
    assert_eq!(up.failed(), ["net"]);
    let made: Vec<String> = h
        .cloud
        .at("net")
        .into_iter()
        .map(|r| r.id)
        .filter(|id| *id != old.id)
        .collect();
    assert_eq!(made.len(), 1);
    assert_eq!(
        h.record("web", "net").id,
        made[0],
        "adopted as the replacement"
    );
    assert_eq!(h.record("web", "net~replaced").id, old.id);
    h.assert_no_pending("web");

    h.cloud.take_calls();
    let again = h.up("web").await;
    assert_eq!(
        again.changes(),
        [
            ("net~replaced".to_string(), Action::Delete),
            ("subnet".to_string(), Action::Update)
        ]
    );
    again.succeeded();
    assert_eq!(
        h.cloud.mutations(),
        [
            (Op::Update, "subnet".to_string()),
            (Op::Delete, "net~replaced".to_string())
        ]
    );
    assert_eq!(h.cloud.census()["net"], [made[0].as_str()]);
    assert_eq!(h.addresses("web"), ["app", "net", "other", "subnet"]);
}

#[tokio::test]
async fn a_replaced_for_each_instance_with_an_odd_key_is_retired_under_its_own_name() {
    let h = Harness::new();
    let text = r#"
[config]
tag = "one"

[resources.r]
type = "fake:cloud:Thing"
for_each = ["x~2", "a b"]
name = "${each.key}-${config.tag}"
"#;
    h.write("web", text);
    h.up("web").await.succeeded();
    assert_eq!(h.addresses("web"), [r#"r["a b"]"#, r#"r["x~2"]"#]);
    let old = h.record("web", r#"r["x~2"]"#);
    h.cloud.take_calls();

    h.write("web", &text.replace("tag = \"one\"", "tag = \"two\""));
    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            (r#"r["a b"]"#.to_string(), Action::Replace),
            (r#"r["x~2"]"#.to_string(), Action::Replace)
        ]
    );
    up.succeeded();
    let deletes: Vec<_> = h
        .cloud
        .calls()
        .into_iter()
        .filter(|c| c.op == Op::Delete)
        .map(|c| c.address)
        .collect();
    assert!(
        deletes.contains(&r#"r["x~2"]~replaced"#.to_string()),
        "{deletes:?}"
    );
    assert!(h.cloud.get(&old.id).is_none());
    assert_eq!(h.addresses("web"), [r#"r["a b"]"#, r#"r["x~2"]"#]);
    assert_eq!(h.cloud.resources().len(), 2);
}

#[tokio::test]
async fn retain_on_delete_applies_to_the_resource_a_replacement_supersedes() {
    // The README's option: "on delete, drop it from the state but keep it
    // in the cloud". A replacement deletes the old resource as well, which
    // a retained resource should survive as it survives its removal.
    let h = Harness::new();
    let text = r#"
[resources.keep]
type = "fake:cloud:Thing"
name = "one"
[resources.keep.options]
retain_on_delete = true
"#;
    h.write("web", text);
    h.up("web").await.succeeded();
    let old = h.record("web", "keep");
    h.write("web", &text.replace("\"one\"", "\"two\""));
    h.up("web").await.succeeded();
    assert!(
        h.cloud.get(&old.id).is_some(),
        "the superseded resource was deleted despite retain_on_delete"
    );
    assert_eq!(h.addresses("web"), ["keep"]);
    assert_ne!(h.record("web", "keep").id, old.id);
    assert!(h.state("web").is_released(THING, &old.id));
    h.assert_no_pending("web");
}

#[tokio::test]
async fn a_replacement_that_deletes_first_only_forgets_a_retained_resource() {
    let h = Harness::new();
    let text = r#"
[resources.keep]
type = "fake:cloud:Unique"
name = "one"
[resources.keep.options]
retain_on_delete = true

[resources.user]
type = "fake:cloud:Thing"
uses = "${keep.id}"
"#;
    h.write("web", text);
    h.up("web").await.succeeded();
    let old = h.record("web", "keep");
    h.cloud.take_calls();
    h.write("web", &text.replace("\"one\"", "\"two\""));
    let up = h.up("web").await;
    // Nothing is deleted, so the user that holds the old one is only
    // updated, not replaced first.
    assert_eq!(
        up.changes(),
        [
            ("keep".to_string(), Action::Replace),
            ("user".to_string(), Action::Update)
        ]
    );
    up.succeeded();
    assert_eq!(
        h.cloud.mutations(),
        [
            (Op::Create, "keep".to_string()),
            (Op::Update, "user".to_string())
        ]
    );
    assert!(h.cloud.get(&old.id).is_some());
    assert_eq!(h.addresses("web"), ["keep", "user"]);
}

#[tokio::test]
async fn retain_on_delete_switched_on_with_a_replacement_holds_when_the_run_stops_halfway() {
    // The old resource waits under its retired name for its forget step,
    // which runs after its users moved off. A run that stops before then
    // leaves the step to the next run, which has only the retired record:
    // that record must carry the option declared when it was retired.
    let h = Harness::new();
    let text = r#"
[resources.keep]
type = "fake:cloud:Thing"
name = "one"

[resources.user]
type = "fake:cloud:Thing"
uses = "${keep.id}"
"#;
    h.write("web", text);
    h.up("web").await.succeeded();
    let old = h.record("web", "keep");
    let retained = text.replace(
        "name = \"one\"",
        "name = \"two\"\noptions = { retain_on_delete = true }",
    );
    h.write("web", &retained);
    h.cloud
        .fail(Op::Update, "user", ProviderError::Invalid("busy".into()));
    let stopped = h.up("web").await;
    assert_eq!(stopped.failed(), ["user"]);
    assert_eq!(h.addresses("web"), ["keep", "keep~replaced", "user"]);
    assert!(h.record("web", "keep~replaced").options.retain_on_delete);

    h.up("web").await.succeeded();
    assert!(
        h.cloud.get(&old.id).is_some(),
        "the superseded resource was deleted despite retain_on_delete"
    );
    assert_eq!(h.addresses("web"), ["keep", "user"]);
    assert!(h.state("web").is_released(THING, &old.id));
}

#[tokio::test]
async fn a_type_that_cannot_exist_twice_is_deleted_before_its_replacement() {
    // No option in the file: the schema of fake:cloud:Unique asks for it.
    let h = Harness::new();
    let text = "[resources.u]\ntype = \"fake:cloud:Unique\"\nname = \"one\"\n";
    h.write("web", text);
    h.up("web").await.succeeded();
    let old = h.record("web", "u");
    h.cloud.take_calls();

    h.write("web", &text.replace("one", "two"));
    let up = h.up("web").await;
    assert_eq!(up.changes(), [("u".to_string(), Action::Replace)]);
    up.succeeded();
    assert_eq!(
        h.cloud.mutations(),
        [(Op::Delete, "u".to_string()), (Op::Create, "u".to_string())]
    );
    assert_eq!(h.cloud.calls()[0].id.as_deref(), Some(old.id.as_str()));
    assert_eq!(h.cloud.at("u").len(), 1);
}

#[tokio::test]
async fn a_changed_type_replaces_the_resource() {
    let h = Harness::new();
    let text = "[resources.r]\ntype = \"fake:cloud:Thing\"\nname = \"r\"\n";
    h.write("web", text);
    h.up("web").await.succeeded();
    let old = h.record("web", "r");
    h.cloud.take_calls();

    h.write(
        "web",
        &text.replace("fake:cloud:Thing", "fake:cloud:Unique"),
    );
    let plan = h.preview("web").await.expect("preview");
    let r = plan.changes.iter().find(|c| c.address == "r").unwrap();
    assert_eq!(
        (r.action(), r.replace_reasons()),
        (Action::Replace, vec!["type"])
    );
    h.up("web").await.succeeded();
    let new = h.record("web", "r");
    assert_eq!(new.type_token, crate::support::UNIQUE);
    assert_ne!(new.id, old.id);
    assert!(h.cloud.get(&old.id).is_none());
    assert_eq!(h.cloud.resources().len(), 1);
    h.assert_no_pending("web");
}

/// net <- subnet, where subnet's force_new `name` is made from net's arn:
/// a replacement of net replaces subnet too.
const NAMED_AFTER: &str = r#"
[resources.net]
type = "fake:cloud:Thing"
name = "net"

[resources.subnet]
type = "fake:cloud:Thing"
name = "in-${net.arn}"
"#;

#[tokio::test]
async fn a_replacement_that_replaces_its_dependent_deletes_the_old_ones_users_first() {
    let h = Harness::new();
    // The cloud refuses deletes out of order, too.
    h.cloud.refuse_deleting_used();
    h.write("web", NAMED_AFTER);
    h.up("web").await.succeeded();
    h.cloud.take_calls();

    h.write(
        "web",
        &NAMED_AFTER.replace(r#"name = "net""#, r#"name = "net2""#),
    );
    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            ("net".to_string(), Action::Replace),
            ("subnet".to_string(), Action::Replace)
        ]
    );
    up.succeeded();
    assert_eq!(
        h.cloud.mutations(),
        [
            (Op::Create, "net".to_string()),
            (Op::Create, "subnet".to_string()),
            (Op::Delete, "subnet~replaced".to_string()),
            (Op::Delete, "net~replaced".to_string())
        ]
    );
    let net = h.record("web", "net");
    assert_eq!(
        h.record("web", "subnet").inputs["name"],
        s(&format!("in-arn:fake:{}", net.id))
    );
    assert_eq!(h.cloud.resources().len(), 2);
}

#[tokio::test]
async fn delete_before_replace_with_a_dependent_that_is_replaced_too() {
    // net can't exist twice; subnet, replaced because of it, can. The old
    // subnet must go before the old net, and the new net before the new
    // subnet: deleting both old ones first is the only order that works.
    let h = Harness::new();
    // The cloud refuses deletes out of order, too.
    h.cloud.refuse_deleting_used();
    let text = NAMED_AFTER.replace(
        "name = \"net\"\n",
        "name = \"net\"\n[resources.net.options]\ndelete_before_replace = true\n",
    );
    h.write("web", &text);
    h.up("web").await.succeeded();
    h.cloud.take_calls();

    h.write("web", &text.replace(r#"name = "net""#, r#"name = "net2""#));
    let up = h.try_up("web").await;
    let up = match up {
        Ok(up) => up,
        Err(e) => panic!("the replacement can't be applied: {e}"),
    };
    up.succeeded();
    assert_eq!(
        h.cloud.mutations(),
        [
            (Op::Delete, "subnet".to_string()),
            (Op::Delete, "net".to_string()),
            (Op::Create, "net".to_string()),
            (Op::Create, "subnet".to_string())
        ]
    );
    assert_eq!(h.cloud.resources().len(), 2);
}

#[tokio::test]
async fn a_second_replacement_while_the_first_old_one_remains_retires_it_under_a_free_name() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let first = h.record("web", "net");
    h.write("web", &CHAIN.replace(r#"name = "net""#, r#"name = "net2""#));
    h.cloud.fail(
        Op::Delete,
        "net~replaced",
        ProviderError::Failed("still in use".into()),
    );
    assert_eq!(h.up("web").await.failed(), ["net"]);
    let second = h.record("web", "net");
    h.cloud.take_calls();

    // Replaced again before the first old one could go.
    h.write("web", &CHAIN.replace(r#"name = "net""#, r#"name = "net3""#));
    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            ("net".to_string(), Action::Replace),
            ("net~replaced".to_string(), Action::Delete),
            ("subnet".to_string(), Action::Update)
        ]
    );
    up.succeeded();
    let deleted: Vec<(String, String)> = h
        .cloud
        .calls()
        .into_iter()
        .filter(|c| c.op == Op::Delete)
        .map(|c| (c.address, c.id.unwrap()))
        .collect();
    assert!(
        deleted.contains(&("net~replaced".to_string(), first.id.clone())),
        "{deleted:?}"
    );
    assert!(
        deleted.contains(&("net~2~replaced".to_string(), second.id.clone())),
        "{deleted:?}"
    );
    let third = h.record("web", "net");
    assert_eq!(h.cloud.census()["net"], [third.id.as_str()]);
    assert_eq!(h.addresses("web"), ["app", "net", "other", "subnet"]);
    h.assert_no_pending("web");
}

#[tokio::test]
async fn delete_before_replace_never_deletes_what_a_dependent_still_uses() {
    let h = Harness::new();
    // The cloud refuses deletes out of order, as AWS does for a security
    // group that instances still use.
    h.cloud.refuse_deleting_used();
    let text = "[resources.sg]\ntype = \"fake:cloud:Unique\"\nname = \"one\"\n\
                [resources.vm]\ntype = \"fake:cloud:Thing\"\nuses = \"${sg.arn}\"\n";
    h.write("web", text);
    h.up("web").await.succeeded();

    h.write("web", &text.replace("\"one\"", "\"two\""));
    let up = h.up("web").await;
    // `uses` holds the group, so vm goes before it and comes back after.
    assert_eq!(up.action("vm"), Action::Replace);
    let failures: Vec<String> = up
        .summary()
        .failures
        .iter()
        .map(|f| f.error.to_string())
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(h.cloud.resources().len(), 2);
}
