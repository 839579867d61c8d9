//! Recovery of interrupted runs: an intent recorded in the state as a run
//! that died mid-call leaves it, the cloud set up as the call left it, and
//! then an up (or destroy) that must resolve it before planning: adopt what
//! was made instead of making it twice, retry under the same operation id
//! (the idempotency token) what was not, complete deletes and read back
//! updates.

use std::time::Duration;

use skistack_engine::{Action, Map, OpKind, PendingOp, SWEEP_HORIZON, Value};

use super::{CHAIN, without};
use crate::support::{Harness, Op, THING, map, s};

/// Deploys CHAIN without `subnet` and `app`, then puts them back in the
/// file: the state a run that died while creating `subnet` starts from.
async fn deployed_up_to_net() -> Harness {
    let h = Harness::new();
    h.write("web", &without(CHAIN, &["subnet", "app"]));
    h.up("web").await.succeeded();
    h.write("web", CHAIN);
    h.cloud.take_calls();
    h
}

/// The inputs the engine evaluates for `subnet`.
fn subnet_inputs(h: &Harness) -> Map {
    map(&[
        ("name", s("subnet")),
        ("ref", h.record("web", "net").outputs["arn"].clone()),
    ])
}

#[tokio::test]
async fn an_interrupted_create_that_made_the_resource_is_adopted_not_made_twice() {
    let h = deployed_up_to_net().await;
    let inputs = subnet_inputs(&h);
    let op = h.begin("web", "subnet", OpKind::Create, None, &inputs);
    let made = h
        .cloud
        .plant("web", "subnet", &h.operation_id("web", &op), &inputs, true);

    let up = h.up("web").await;
    assert_eq!(up.notes.len(), 1, "{:?}", up.notes);
    assert!(
        up.notes[0].contains("adopted") && up.notes[0].contains(&made),
        "{}",
        up.notes[0]
    );
    // Adopted before planning: only app is left to create.
    assert_eq!(up.changes(), [("app".to_string(), Action::Create)]);
    up.succeeded();
    assert_eq!(h.cloud.calls_of(Op::Create), ["app"]);
    let calls = h.cloud.calls();
    assert_eq!(calls[0].op, Op::FindAll, "{calls:#?}");
    assert_eq!(
        calls[0].operation_id,
        h.operation_id("web", &op),
        "recovery calls under the intent's operation id"
    );

    let subnet = h.record("web", "subnet");
    assert_eq!(subnet.id, made);
    assert_eq!(subnet.inputs, inputs);
    assert_eq!(subnet.dependencies, ["net"], "from the stack file");
    assert_eq!(h.cloud.at("subnet").len(), 1);
    assert_eq!(
        h.record("web", "app").inputs["ref"],
        s(&format!("arn:fake:{made}"))
    );
    h.assert_no_pending("web");
}

#[tokio::test]
async fn a_retried_create_without_an_idempotency_token_says_it_relies_on_the_landing_window() {
    let h = deployed_up_to_net().await;
    tokenless(&h);
    // Begun long enough ago that the window has passed: no wait.
    let started = skistack_engine::unix_now() - 60;
    let inputs = subnet_inputs(&h);
    h.begin_at("web", "subnet", OpKind::Create, None, &inputs, started);

    let up = h.up("web").await;
    assert_eq!(up.notes.len(), 1);
    let note = &up.notes[0];
    assert!(!note.contains("same idempotency token"), "{note}");
    assert!(
        note.contains("takes no idempotency token") && note.contains("once 30s had passed"),
        "{note}"
    );
    up.succeeded();
    assert_eq!(h.cloud.at("subnet").len(), 1);
}

#[tokio::test]
async fn an_interrupted_create_that_made_nothing_is_retried_under_the_same_operation_id() {
    let h = deployed_up_to_net().await;
    let op = h.begin("web", "subnet", OpKind::Create, None, &subnet_inputs(&h));

    let up = h.up("web").await;
    assert_eq!(up.notes.len(), 1);
    assert!(
        up.notes[0].contains("same idempotency token"),
        "{}",
        up.notes[0]
    );
    assert_eq!(up.action("subnet"), Action::Create);
    up.succeeded();
    let creates: Vec<_> = h
        .cloud
        .calls()
        .into_iter()
        .filter(|c| c.op == Op::Create && c.address == "subnet")
        .collect();
    assert_eq!(creates.len(), 1);
    assert_eq!(creates[0].operation_id, h.operation_id("web", &op));
    assert_eq!(h.cloud.at("subnet").len(), 1);
    h.assert_no_pending("web");
}

#[tokio::test]
async fn a_retried_create_that_had_reached_the_cloud_unseen_returns_the_same_resource() {
    // The create got through but the resource carries no identity the
    // provider can find: only the idempotency token prevents a second one.
    let h = deployed_up_to_net().await;
    let inputs = subnet_inputs(&h);
    let op = h.begin("web", "subnet", OpKind::Create, None, &inputs);
    let made = h
        .cloud
        .plant("web", "subnet", &h.operation_id("web", &op), &inputs, false);

    h.up("web").await.succeeded();
    assert_eq!(h.record("web", "subnet").id, made);
    let things = h.cloud.resources();
    assert_eq!(
        things.len(),
        4,
        "net, other, the one subnet, app: {things:#?}"
    );
    h.assert_no_pending("web");
}

#[tokio::test]
async fn an_interrupted_create_with_other_inputs_is_superseded() {
    // The stack changed since the run died: the retry is another request,
    // under a new intent, and the old intent goes.
    let h = deployed_up_to_net().await;
    let mut stale = subnet_inputs(&h);
    stale.insert("name".into(), s("old-subnet"));
    let op = h.begin("web", "subnet", OpKind::Create, None, &stale);

    h.up("web").await.succeeded();
    let create = h
        .cloud
        .calls()
        .into_iter()
        .find(|c| c.op == Op::Create && c.address == "subnet")
        .expect("subnet created");
    assert_ne!(create.operation_id, h.operation_id("web", &op));
    assert_eq!(h.record("web", "subnet").inputs["name"], s("subnet"));
    h.assert_no_pending("web");
}

#[tokio::test]
async fn an_interrupted_create_no_longer_declared_is_cleared_or_adopted_and_deleted() {
    let h = Harness::new();
    h.write("web", &without(CHAIN, &["subnet", "app"]));
    h.up("web").await.succeeded();
    h.cloud.take_calls();
    let gone_inputs = map(&[("size", Value::Int(3))]);
    // `ghost` made nothing; `orphan` made a resource. Neither is declared.
    h.begin("web", "ghost", OpKind::Create, None, &gone_inputs);
    let op = h.begin("web", "orphan", OpKind::Create, None, &gone_inputs);
    let orphan = h.cloud.plant(
        "web",
        "orphan",
        &h.operation_id("web", &op),
        &gone_inputs,
        true,
    );

    let up = h.up("web").await;
    assert_eq!(up.notes.len(), 2, "{:?}", up.notes);
    assert!(
        up.notes
            .iter()
            .any(|n| n.contains("cleared") && n.contains("ghost"))
    );
    // What was made is recorded, then deleted as undeclared.
    assert_eq!(up.changes(), [("orphan".to_string(), Action::Delete)]);
    up.succeeded();
    assert!(h.cloud.get(&orphan).is_none());
    assert_eq!(h.cloud.calls_of(Op::Create), Vec::<String>::new());
    assert_eq!(h.addresses("web"), ["net", "other"]);
    h.assert_no_pending("web");
}

#[tokio::test]
async fn an_interrupted_delete_whose_resource_is_gone_completes() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let other = h.record("web", "other");
    // The run that removed `other` died after the cloud deleted it.
    h.write("web", &without(CHAIN, &["other"]));
    h.begin(
        "web",
        "other",
        OpKind::Delete,
        Some(&other.id),
        &other.inputs,
    );
    h.cloud.remove(&other.id);
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert_eq!(up.notes.len(), 1);
    assert!(up.notes[0].contains("had completed"), "{}", up.notes[0]);
    assert!(
        up.changes().is_empty(),
        "nothing left to plan: {:?}",
        up.changes()
    );
    // Read back (gone), deleted again to be sure, and recorded.
    let ops: Vec<Op> = h.cloud.calls().iter().map(|c| c.op).collect();
    assert_eq!(ops, [Op::Read, Op::Delete]);
    assert_eq!(h.addresses("web"), ["app", "net", "subnet"]);
    h.assert_no_pending("web");
}

#[tokio::test]
async fn an_interrupted_delete_whose_resource_remains_is_planned_again() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let other = h.record("web", "other");
    h.write("web", &without(CHAIN, &["other"]));
    h.begin(
        "web",
        "other",
        OpKind::Delete,
        Some(&other.id),
        &other.inputs,
    );
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert!(up.notes[0].contains("had not completed"), "{}", up.notes[0]);
    assert_eq!(up.changes(), [("other".to_string(), Action::Delete)]);
    up.succeeded();
    assert!(h.cloud.get(&other.id).is_none());
    assert_eq!(h.cloud.calls_of(Op::Delete), ["other"]);
    h.assert_no_pending("web");
}

#[tokio::test]
async fn an_interrupted_update_is_read_back_and_only_what_it_missed_is_applied() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let net = h.record("web", "net");
    let other = h.record("web", "other");

    // One update got through before the run died, the other did not.
    let new = CHAIN
        .replace("size = 1", "size = 2")
        .replace("size = 7", "size = 8");
    h.write("web", &new);
    let mut net_inputs = net.inputs.clone();
    net_inputs.insert("size".into(), Value::Int(2));
    h.begin("web", "net", OpKind::Update, Some(&net.id), &net_inputs);
    h.cloud.tamper(&net.id, "size", Value::Int(2));
    let mut other_inputs = other.inputs.clone();
    other_inputs.insert("size".into(), Value::Int(8));
    h.begin(
        "web",
        "other",
        OpKind::Update,
        Some(&other.id),
        &other_inputs,
    );
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert_eq!(up.notes.len(), 2, "{:?}", up.notes);
    assert_eq!(h.cloud.calls_of(Op::Read).len(), 2);
    assert_eq!(up.changes(), [("other".to_string(), Action::Update)]);
    up.succeeded();
    assert_eq!(h.cloud.calls_of(Op::Update), ["other"]);
    assert_eq!(h.record("web", "net").inputs["size"], Value::Int(2));
    assert_eq!(h.record("web", "other").inputs["size"], Value::Int(8));
    assert_eq!(h.record("web", "net").id, net.id);
    h.assert_no_pending("web");
}

#[tokio::test]
async fn an_interrupted_replacement_keeps_the_old_resource_until_its_users_moved() {
    let h = Harness::new();
    // The cloud refuses deletes out of order, too.
    h.cloud.refuse_deleting_used();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let old = h.record("web", "net");
    // The replacement of net was made; the run died before recording it.
    let replaced = CHAIN.replace(r#"name = "net""#, r#"name = "net2""#);
    h.write("web", &replaced);
    let mut inputs = old.inputs.clone();
    inputs.insert("name".into(), s("net2"));
    let op = h.begin("web", "net", OpKind::Create, None, &inputs);
    let new = h
        .cloud
        .plant("web", "net", &h.operation_id("web", &op), &inputs, true);
    assert_eq!(h.cloud.at("net").len(), 2, "old and new carry one identity");
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert!(
        up.notes[0].contains("replacement") && up.notes[0].contains("net~replaced"),
        "{}",
        up.notes[0]
    );
    assert_eq!(
        up.changes(),
        [
            ("net~replaced".to_string(), Action::Delete),
            ("subnet".to_string(), Action::Update)
        ]
    );
    up.succeeded();
    let calls = h.cloud.calls();
    let update = crate::support::position(&calls, Op::Update, "subnet");
    let delete = crate::support::position(&calls, Op::Delete, "net~replaced");
    assert!(update < delete, "{calls:#?}");
    assert_eq!(calls[delete].id.as_deref(), Some(old.id.as_str()));
    assert_eq!(h.cloud.calls_of(Op::Create), Vec::<String>::new());

    assert_eq!(h.cloud.census()["net"], [new.as_str()]);
    assert_eq!(h.record("web", "net").id, new);
    assert_eq!(h.addresses("web"), ["app", "net", "other", "subnet"]);
    assert_eq!(
        h.record("web", "subnet").inputs["ref"],
        s(&format!("arn:fake:{new}"))
    );
    h.assert_no_pending("web");
}

#[tokio::test]
async fn destroy_adopts_what_an_interrupted_create_made_and_deletes_it() {
    let h = deployed_up_to_net().await;
    let inputs = subnet_inputs(&h);
    let op = h.begin("web", "subnet", OpKind::Create, None, &inputs);
    let made = h
        .cloud
        .plant("web", "subnet", &h.operation_id("web", &op), &inputs, true);
    // And one that made nothing: a destroy won't retry it.
    h.begin("web", "app", OpKind::Create, None, &map(&[]));

    let d = h.destroy("web").await;
    assert_eq!(d.notes.len(), 2, "{:?}", d.notes);
    assert_eq!(d.action("subnet"), Action::Delete);
    d.succeeded();
    let calls = h.cloud.calls();
    assert!(
        crate::support::position(&calls, Op::Delete, "subnet")
            < crate::support::position(&calls, Op::Delete, "net"),
        "the adopted subnet got its dependency on net: {calls:#?}"
    );
    assert!(h.cloud.get(&made).is_none());
    assert_eq!(h.cloud.resources(), []);
    assert_eq!(h.cloud.calls_of(Op::Create), Vec::<String>::new());
    h.assert_no_pending("web");
}

#[tokio::test]
async fn duplicates_made_by_earlier_attempts_are_adopted_once_and_the_rest_deleted() {
    let h = deployed_up_to_net().await;
    let inputs = subnet_inputs(&h);
    let op = h.begin("web", "subnet", OpKind::Create, None, &inputs);
    let token = h.operation_id("web", &op);
    let first = h.cloud.plant("web", "subnet", &token, &inputs, true);
    let second = h
        .cloud
        .plant("web", "subnet", "an-earlier-attempt", &inputs, true);

    let up = h.up("web").await;
    assert!(up.notes[0].contains("1 more"), "{}", up.notes[0]);
    assert_eq!(
        up.changes(),
        [
            ("app".to_string(), Action::Create),
            ("subnet~replaced".to_string(), Action::Delete)
        ]
    );
    up.succeeded();
    let kept = h.record("web", "subnet").id;
    assert!(kept == first || kept == second);
    assert_eq!(h.cloud.census()["subnet"], [kept.as_str()]);
    assert_eq!(h.addresses("web"), ["app", "net", "other", "subnet"]);
    assert_eq!(h.cloud.calls_of(Op::Create), ["app"]);
    h.assert_no_pending("web");
}

#[tokio::test]
async fn a_failed_lookup_stops_the_up_and_keeps_the_intent() {
    let h = deployed_up_to_net().await;
    let op = h.begin("web", "subnet", OpKind::Create, None, &subnet_inputs(&h));
    h.cloud.fail(
        Op::FindAll,
        "subnet",
        skistack_engine::ProviderError::Transient("throttled".into()),
    );

    let err = h.try_up("web").await.err().expect("recovery fails");
    assert!(err.to_string().contains("throttled"), "{err}");
    assert_eq!(
        h.cloud.calls_of(Op::Create),
        Vec::<String>::new(),
        "nothing planned"
    );
    assert_eq!(h.state("web").pending, std::slice::from_ref(&op));

    // Once the cause is gone the same intent is resolved.
    h.up("web").await.succeeded();
    let create = h
        .cloud
        .calls()
        .into_iter()
        .find(|c| c.op == Op::Create && c.address == "subnet")
        .unwrap();
    assert_eq!(create.operation_id, h.operation_id("web", &op));
    h.assert_no_pending("web");
}

#[tokio::test]
async fn an_interrupted_update_of_a_resource_since_gone_creates_it_again() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let other = h.record("web", "other");
    h.write("web", &CHAIN.replace("size = 7", "size = 8"));
    let mut inputs = other.inputs.clone();
    inputs.insert("size".into(), Value::Int(8));
    h.begin("web", "other", OpKind::Update, Some(&other.id), &inputs);
    h.cloud.remove(&other.id);
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert!(up.notes[0].contains("no longer exists"), "{}", up.notes[0]);
    assert_eq!(up.changes(), [("other".to_string(), Action::Create)]);
    up.succeeded();
    assert_eq!(h.cloud.at("other").len(), 1);
    assert_eq!(h.record("web", "other").inputs["size"], Value::Int(8));
    h.assert_no_pending("web");
}

#[tokio::test]
async fn preview_shows_the_plan_before_recovery_and_writes_nothing() {
    let h = deployed_up_to_net().await;
    let op = h.begin("web", "subnet", OpKind::Create, None, &subnet_inputs(&h));
    let plan = h.preview("web").await.expect("preview");
    assert_eq!(
        crate::support::plan_changes(&plan),
        [
            ("app".to_string(), Action::Create),
            ("subnet".to_string(), Action::Create)
        ]
    );
    assert_eq!(
        h.cloud.calls(),
        [],
        "a preview calls no provider for resources"
    );
    assert_eq!(h.state("web").pending, [op]);
}

#[tokio::test]
async fn a_kept_create_intent_is_cleared_when_the_plan_no_longer_creates_it() {
    // A replacement of net (name -> net2) died before the cloud made
    // anything; then the file was changed back. Recovery keeps the intent
    // for the up to retry, but the plan is empty: nothing will retry it.
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let mut inputs = h.record("web", "net").inputs;
    inputs.insert("name".into(), s("net2"));
    h.begin("web", "net", OpKind::Create, None, &inputs);
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert!(up.changes().is_empty(), "{:?}", up.changes());
    assert_eq!(h.cloud.calls_of(Op::Create), Vec::<String>::new());
    h.assert_no_pending("web");
}

#[tokio::test]
async fn an_adopted_resource_keeps_its_secrets_secret() {
    // The cloud returns the password in the clear; the state must not.
    let h = Harness::new();
    h.write("web", &without(CHAIN, &["app"]));
    h.up("web").await.succeeded();
    h.write("web", CHAIN);
    let inputs = map(&[
        ("ref", h.record("web", "subnet").outputs["arn"].clone()),
        ("password", Value::secret(s("hunter2"))),
    ]);
    let op = h.begin("web", "app", OpKind::Create, None, &inputs);
    h.cloud
        .plant("web", "app", &h.operation_id("web", &op), &inputs, true);
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert!(up.notes[0].contains("adopted"), "{}", up.notes[0]);
    // Adopted as declared: nothing to change (only the stack's outputs).
    assert!(up.changes().is_empty(), "{:?}", up.changes());
    assert_eq!(h.cloud.calls_of(Op::Create), Vec::<String>::new());
    let app = h.record("web", "app");
    assert_eq!(app.inputs["password"], Value::secret(s("hunter2")));
    assert_eq!(app.outputs["password"], Value::secret(s("hunter2")));
}

#[tokio::test]
async fn an_interrupted_delete_of_a_replaced_resource_completes() {
    // The run died after deleting the old net of a replacement: the state
    // still holds it under its retired name, with the delete's intent.
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let old = h.record("web", "net");
    h.write("web", &CHAIN.replace(r#"name = "net""#, r#"name = "net2""#));
    h.cloud.fail(
        Op::Delete,
        "net~replaced",
        skistack_engine::ProviderError::Failed("in use".into()),
    );
    h.up("web").await;
    assert_eq!(h.record("web", "net~replaced").id, old.id);
    h.begin(
        "web",
        "net~replaced",
        OpKind::Delete,
        Some(&old.id),
        &old.inputs,
    );
    h.cloud.remove(&old.id);
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert!(up.notes[0].contains("had completed"), "{}", up.notes[0]);
    assert!(up.changes().is_empty(), "{:?}", up.changes());
    assert_eq!(h.addresses("web"), ["app", "net", "other", "subnet"]);
    assert_eq!(h.cloud.census()["net"].len(), 1);
    h.assert_no_pending("web");
}

#[tokio::test]
async fn a_half_made_create_is_adopted_as_a_change_and_completed() {
    let h = deployed_up_to_net().await;
    let inputs = subnet_inputs(&h);
    let op = h.begin("web", "subnet", OpKind::Create, None, &inputs);
    // The create made the resource, and the run died before its second call
    // (an attach, a policy) set `ref`.
    let mut half = inputs.clone();
    half.remove("ref");
    let made = h
        .cloud
        .plant("web", "subnet", &h.operation_id("web", &op), &half, true);

    let up = h.up("web").await;
    assert!(up.notes[0].contains("adopted"), "{:?}", up.notes);
    assert_eq!(
        up.changes(),
        [
            ("app".to_string(), Action::Create),
            ("subnet".to_string(), Action::Update)
        ],
        "the half-made resource shows as a change, not as done"
    );
    up.succeeded();
    assert_eq!(h.cloud.at("subnet").len(), 1, "not made twice");
    assert_eq!(
        h.cloud.get(&made).expect("kept").inputs["ref"],
        inputs["ref"]
    );
    assert_eq!(h.record("web", "subnet").inputs, inputs);
    assert!(h.preview("web").await.expect("preview").is_empty());
    h.assert_no_pending("web");
}

/// An intent that began just now, whose create request (one that takes no
/// idempotency token, as CreateVpc) lands only after recovery's first look.
async fn create_landing_late(window: Duration) -> Harness {
    let h = deployed_up_to_net().await;
    h.cloud.set_landing_window(window);
    let inputs = subnet_inputs(&h);
    let now = skistack_engine::unix_now();
    h.begin_at("web", "subnet", OpKind::Create, None, &inputs, now);
    h.cloud
        .land_late("web", "subnet", "a-token-the-cloud-ignored", &inputs);
    h
}

#[tokio::test]
async fn a_create_that_lands_after_the_first_look_is_adopted_not_made_twice() {
    let h = create_landing_late(Duration::from_secs(2)).await;
    let up = h.up("web").await;
    assert!(up.notes[0].contains("adopted"), "{:?}", up.notes);
    up.succeeded();
    assert_eq!(h.cloud.at("subnet").len(), 1, "made once");
    assert_eq!(h.cloud.calls_of(Op::Create), ["app"]);
    assert_eq!(
        h.cloud.calls_of(Op::FindAll),
        ["subnet", "subnet"],
        "looked again after the landing window"
    );
    h.assert_no_pending("web");

    // A type whose calls cannot land late looks once: the late one is a
    // second resource (what the window prevents).
    let h = create_landing_late(Duration::ZERO).await;
    h.up("web").await.succeeded();
    assert_eq!(h.cloud.at("subnet").len(), 2);
}

/// Deployed up to `net`, with creates that take no idempotency token and
/// may land up to 30 s late, and an intent to create `subnet` begun long
/// enough ago that the window has passed (no wait).
async fn tokenless_create_interrupted() -> (Harness, PendingOp) {
    let h = deployed_up_to_net().await;
    tokenless(&h);
    let started = skistack_engine::unix_now() - 60;
    let inputs = subnet_inputs(&h);
    let op = h.begin_at("web", "subnet", OpKind::Create, None, &inputs, started);
    (h, op)
}

/// An up that creates `subnet` again after its interrupted create's lookup
/// found nothing, while the lost request lands right after that lookup:
/// the cloud ends with two subnets, the state records the retry's.
async fn retried_then_landed_late() -> (Harness, PendingOp) {
    let (h, op) = tokenless_create_interrupted().await;
    h.cloud
        .land_late("web", "subnet", "a-token-the-cloud-ignored", &op.inputs);
    let up = h.up("web").await;
    up.succeeded();
    assert!(
        up.notes[0].contains("every run looks for a late duplicate"),
        "{:?}",
        up.notes
    );
    assert_eq!(
        h.cloud.at("subnet").len(),
        2,
        "the late one and the retry's"
    );
    (h, op)
}

/// The subnet in the cloud that the state does not record.
fn late_subnet(h: &Harness) -> String {
    let kept = h.record("web", "subnet").id;
    let late: Vec<String> = h
        .cloud
        .at("subnet")
        .into_iter()
        .map(|r| r.id)
        .filter(|id| *id != kept)
        .collect();
    assert_eq!(late.len(), 1, "{late:?}");
    late[0].clone()
}

#[tokio::test]
async fn a_late_duplicate_of_a_create_retried_without_a_token_is_deleted_by_the_next_run() {
    let (h, op) = retried_then_landed_late().await;
    let kept = h.record("web", "subnet").id;
    let late = late_subnet(&h);
    let pending = h.state("web").pending;
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0].kind, OpKind::Sweep);
    assert_eq!(
        (pending[0].started_at, &pending[0].inputs),
        (op.started_at, &op.inputs),
        "the lost request's start and inputs"
    );
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert_eq!(
        up.notes,
        [format!(
            "deleted a late duplicate of subnet ({THING}) {late}: its lost create request \
             landed after the retry"
        )]
    );
    assert!(up.changes().is_empty(), "{:?}", up.changes());
    assert_eq!(h.cloud.calls_of(Op::Delete), ["subnet"]);
    assert_eq!(h.cloud.census()["subnet"], [kept.as_str()]);
    assert_eq!(h.record("web", "subnet").id, kept);

    // Within the horizon the sweep stays, quiet while it finds nothing.
    assert_eq!(h.state("web").pending.len(), 1);
    h.cloud.take_calls();
    let up = h.up("web").await;
    assert!(up.notes.is_empty(), "{:?}", up.notes);
    assert_eq!(h.cloud.calls_of(Op::FindAll), ["subnet"]);
    assert_eq!(h.cloud.calls_of(Op::Delete), Vec::<String>::new());
}

#[tokio::test]
async fn a_sweep_past_its_horizon_looks_once_more_and_is_cleared() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    tokenless(&h);
    let subnet = h.record("web", "subnet");
    let horizon = i64::try_from(SWEEP_HORIZON.as_secs()).unwrap();
    let past = begin_sweep(&h, "subnet", &subnet.inputs, horizon + 60);
    // Landed after the last look of a run within the horizon.
    let late = h.cloud.plant("web", "subnet", "lost", &subnet.inputs, true);
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert_eq!(up.notes.len(), 2, "{:?}", up.notes);
    assert!(up.notes[0].contains(&late), "{:?}", up.notes);
    assert!(up.notes[1].contains("stopped looking"), "{:?}", up.notes);
    assert_eq!(h.cloud.census()["subnet"], [subnet.id.as_str()]);
    h.assert_no_pending("web");

    // Cleared: later runs look up nothing.
    h.cloud
        .plant("web", "subnet", "made-by-hand", &subnet.inputs, true);
    h.cloud.take_calls();
    let up = h.up("web").await;
    assert!(up.notes.is_empty(), "{:?}", up.notes);
    assert_eq!(h.cloud.calls_of(Op::FindAll), Vec::<String>::new());
    assert_eq!(h.cloud.at("subnet").len(), 2);

    // A create retried once the horizon has passed gets no sweep: nothing
    // its lost request made can appear any more.
    let h = deployed_up_to_net().await;
    tokenless(&h);
    h.begin_at(
        "web",
        "subnet",
        OpKind::Create,
        None,
        &subnet_inputs(&h),
        past,
    );
    h.up("web").await.succeeded();
    h.assert_no_pending("web");
}

#[tokio::test]
async fn only_a_create_retried_without_a_token_is_swept() {
    // With a token the retry returns what the lost request made: no sweep.
    let h = deployed_up_to_net().await;
    h.cloud.set_landing_window(Duration::from_secs(30));
    let started = skistack_engine::unix_now() - 60;
    h.begin_at(
        "web",
        "subnet",
        OpKind::Create,
        None,
        &subnet_inputs(&h),
        started,
    );
    let up = h.up("web").await;
    up.succeeded();
    assert!(!up.notes[0].contains("late duplicate"), "{:?}", up.notes);
    h.assert_no_pending("web");

    // Without one, the retry records a sweep, once.
    let (h, op) = tokenless_create_interrupted().await;
    let up = h.up("web").await;
    up.succeeded();
    let kinds: Vec<(OpKind, String)> = h
        .state("web")
        .pending
        .into_iter()
        .map(|p| (p.kind, p.address))
        .collect();
    assert_eq!(kinds, [(OpKind::Sweep, "subnet".to_string())]);
    assert_eq!(h.state("web").pending[0].started_at, op.started_at);
}

#[tokio::test]
async fn a_late_resource_of_an_instance_the_state_no_longer_holds_is_adopted() {
    // The recorded subnet is gone from the cloud: the late one replaces it.
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    tokenless(&h);
    let subnet = h.record("web", "subnet");
    begin_sweep(&h, "subnet", &subnet.inputs, 60);
    h.cloud.remove(&subnet.id);
    let late = h.cloud.plant("web", "subnet", "lost", &subnet.inputs, true);
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert!(
        up.notes[0].starts_with(&format!(
            "adopted a late resource of subnet ({THING}) {late}"
        )) && up.notes[0].contains(&format!("({}) no longer exists", subnet.id)),
        "{:?}",
        up.notes
    );
    // app follows the adopted subnet's arn; nothing is created.
    assert_eq!(up.changes(), [("app".to_string(), Action::Update)]);
    up.succeeded();
    assert_eq!(h.record("web", "subnet").id, late);
    assert_eq!(h.record("web", "subnet").dependencies, ["net"]);
    assert_eq!(h.cloud.calls_of(Op::Create), Vec::<String>::new());

    // No record at all (the retried create failed, say): adopted as it.
    let h = deployed_up_to_net().await;
    let inputs = subnet_inputs(&h);
    begin_sweep(&h, "subnet", &inputs, 60);
    let late = h.cloud.plant("web", "subnet", "lost", &inputs, true);
    let up = h.up("web").await;
    assert!(
        up.notes[0].contains("the state no longer recorded the instance"),
        "{:?}",
        up.notes
    );
    assert_eq!(up.changes(), [("app".to_string(), Action::Create)]);
    up.succeeded();
    assert_eq!(h.record("web", "subnet").id, late);
    assert_eq!(h.cloud.calls_of(Op::Create), ["app"]);
}

#[tokio::test]
async fn a_sweep_that_fails_is_done_again_by_the_next_run() {
    let (h, _) = retried_then_landed_late().await;
    let kept = h.record("web", "subnet").id;
    let late = late_subnet(&h);

    h.cloud.fail(
        Op::FindAll,
        "subnet",
        skistack_engine::ProviderError::Transient("throttled".into()),
    );
    let err = h.try_up("web").await.err().expect("recovery fails");
    let text = err.to_string();
    assert!(
        text.contains("looking for late duplicates of subnet") && text.contains("throttled"),
        "{text}"
    );
    assert_eq!(h.state("web").pending[0].kind, OpKind::Sweep);

    // A failed delete is reported, and does not stop the run.
    h.cloud.fail(
        Op::Delete,
        "subnet",
        skistack_engine::ProviderError::Failed("in use".into()),
    );
    let up = h.up("web").await;
    assert!(
        up.notes[0].contains("could not delete it: in use") && up.notes[0].contains(&late),
        "{:?}",
        up.notes
    );
    assert_eq!(h.cloud.at("subnet").len(), 2);

    let up = h.up("web").await;
    assert!(
        up.notes[0].starts_with("deleted a late duplicate"),
        "{:?}",
        up.notes
    );
    assert_eq!(h.cloud.census()["subnet"], [kept.as_str()]);
}

#[tokio::test]
async fn destroy_deletes_late_duplicates_and_sweeps_on_until_the_horizon() {
    let (h, _) = retried_then_landed_late().await;
    let late = late_subnet(&h);
    let d = h.destroy("web").await;
    d.succeeded();
    assert!(
        d.notes[0].starts_with("deleted a late duplicate") && d.notes[0].contains(&late),
        "{:?}",
        d.notes
    );
    assert_eq!(h.cloud.resources(), []);

    // The lost request can still land: the next run adopts what it makes,
    // and this destroy deletes it.
    assert_eq!(h.state("web").pending[0].kind, OpKind::Sweep);
    let inputs = h.state("web").pending[0].inputs.clone();
    let later = h.cloud.plant("web", "subnet", "lost", &inputs, true);
    let d = h.destroy("web").await;
    d.succeeded();
    assert!(d.notes[0].contains(&later), "{:?}", d.notes);
    assert_eq!(d.changes(), [("subnet".to_string(), Action::Delete)]);
    assert_eq!(h.cloud.resources(), []);
}

#[tokio::test]
async fn a_resource_kept_in_the_cloud_on_purpose_ends_its_sweep() {
    let text = format!("{CHAIN}\n[resources.other.options]\nretain_on_delete = true\n");
    let h = Harness::new();
    h.write("web", &text);
    h.up("web").await.succeeded();
    tokenless(&h);
    let other = h.record("web", "other");
    begin_sweep(&h, "other", &other.inputs, 60);

    h.write("web", &without(&text, &["other"]));
    let up = h.up("web").await;
    assert_eq!(up.changes(), [("other".to_string(), Action::Forget)]);
    up.succeeded();
    h.assert_no_pending("web");

    // Not taken back, nor deleted, by a later run.
    h.cloud.take_calls();
    h.up("web").await;
    assert_eq!(h.cloud.calls_of(Op::FindAll), Vec::<String>::new());
    assert!(h.cloud.get(&other.id).is_some());
    assert!(!h.addresses("web").contains(&"other".to_string()));
}

#[tokio::test]
async fn a_sweep_leaves_to_an_interrupted_create_of_its_instance_what_that_made() {
    // A sweep of net is on when a replacement of net dies after the cloud
    // made the new one: that one is the create's to adopt, no duplicate.
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    tokenless(&h);
    let old = h.record("web", "net");
    let started = begin_sweep(&h, "net", &old.inputs, 60);
    h.write("web", &CHAIN.replace(r#"name = "net""#, r#"name = "net2""#));
    let mut inputs = old.inputs.clone();
    inputs.insert("name".into(), s("net2"));
    let op = h.begin_at("web", "net", OpKind::Create, None, &inputs, started);
    let new = h
        .cloud
        .plant("web", "net", &h.operation_id("web", &op), &inputs, true);
    h.cloud.take_calls();

    let up = h.up("web").await;
    assert_eq!(up.notes.len(), 1, "{:?}", up.notes);
    assert!(up.notes[0].contains("as the replacement"), "{:?}", up.notes);
    up.succeeded();
    assert_eq!(h.cloud.calls_of(Op::Create), Vec::<String>::new());
    assert_eq!(h.cloud.census()["net"], [new.as_str()]);
    assert_eq!(h.record("web", "net").id, new);
}

/// Records a sweep of `address` in stack `web`, as a create retried
/// without a token leaves it, for a lost request begun `age` seconds ago;
/// returns that start.
fn begin_sweep(h: &Harness, address: &str, inputs: &Map, age: i64) -> i64 {
    let started = skistack_engine::unix_now() - age;
    h.begin_at("web", address, OpKind::Sweep, None, inputs, started);
    started
}

/// The cloud as AWS is for a create that takes no idempotency token: a
/// retry makes a second resource, and a lost request can land for 30 s.
fn tokenless(h: &Harness) {
    h.cloud.set_tokenless();
    h.cloud.set_landing_window(Duration::from_secs(30));
}

/// Deploys CHAIN with `other` kept in the cloud on removal, removes it
/// from the file (the state lets it go), then declares it again: the
/// resource kept on purpose still carries the identity of `other`.
async fn other_let_go_and_declared_again() -> (Harness, String) {
    let text = format!("{CHAIN}\n[resources.other.options]\nretain_on_delete = true\n");
    let h = Harness::new();
    h.write("web", &text);
    h.up("web").await.succeeded();
    let kept = h.record("web", "other").id;
    h.write("web", &without(&text, &["other"]));
    h.up("web").await.succeeded();
    assert!(!h.addresses("web").contains(&"other".to_string()));
    h.write("web", &text);
    h.cloud.take_calls();
    (h, kept)
}

#[tokio::test]
async fn an_interrupted_create_never_adopts_a_resource_kept_in_the_cloud_on_purpose() {
    let (h, kept) = other_let_go_and_declared_again().await;
    let inputs = map(&[("size", Value::Int(7))]);
    // The create died before its request reached the cloud.
    h.begin("web", "other", OpKind::Create, None, &inputs);

    let up = h.up("web").await;
    up.succeeded();
    assert!(
        up.notes.iter().all(|n| !n.contains("adopted")),
        "{:?}",
        up.notes
    );
    assert_eq!(h.cloud.calls_of(Op::Create), ["other"]);
    let made = h.record("web", "other").id;
    assert_ne!(made, kept, "the kept resource was taken back");
    assert!(h.cloud.get(&kept).is_some());
    h.assert_no_pending("web");
}

#[tokio::test]
async fn a_resource_kept_on_purpose_is_no_duplicate_of_what_an_interrupted_create_made() {
    let (h, kept) = other_let_go_and_declared_again().await;
    let inputs = map(&[("size", Value::Int(7))]);
    let op = h.begin("web", "other", OpKind::Create, None, &inputs);
    let made = h
        .cloud
        .plant("web", "other", &h.operation_id("web", &op), &inputs, true);

    let up = h.up("web").await;
    assert_eq!(up.changes(), Vec::<(String, Action)>::new());
    assert_eq!(up.notes.len(), 1, "{:?}", up.notes);
    assert!(
        up.notes[0].contains("adopted") && up.notes[0].contains(&made),
        "{:?}",
        up.notes
    );
    assert!(!up.notes[0].contains(&kept), "{:?}", up.notes);
    assert_eq!(h.record("web", "other").id, made);
    assert_eq!(h.cloud.calls_of(Op::Delete), Vec::<String>::new());
    assert!(
        h.cloud.get(&kept).is_some(),
        "the kept resource was deleted"
    );
}
