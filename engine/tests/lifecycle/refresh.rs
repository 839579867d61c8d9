//! Refresh: what changed in the cloud behind the engine's back is found,
//! recorded only when asked (and only when every read succeeded), and the
//! next up changes it back or makes again what was deleted.

use skistack_engine::{Action, ProviderError, Value};

use super::CHAIN;
use crate::support::{Harness, Op, s};

#[tokio::test]
async fn drift_is_found_recorded_and_undone_by_the_next_up() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let before = h.state("web").resources;
    let net = before["net"].clone();
    h.cloud.tamper(&net.id, "size", Value::Int(5));
    h.cloud.take_calls();

    // Reading writes nothing.
    let r = h.refresh("web", false).await;
    assert!(r.complete() && r.has_drift());
    assert_eq!(r.read, 4);
    assert_eq!(h.cloud.calls_of(Op::Read).len(), 4);
    let drifted: Vec<_> = r.drifted().map(|d| d.address.as_str()).collect();
    assert_eq!(drifted, ["net"]);
    let change = &r.changes[0].properties[0];
    assert_eq!(change.name, "size");
    assert_eq!(
        (change.old.clone(), change.new.clone()),
        (Some(Value::Int(1)), Some(Value::Int(5)))
    );
    assert_eq!(h.state("web").resources, before);

    // Recorded, the state has the cloud's value and the plan undoes it.
    let r = h.refresh("web", true).await;
    assert!(r.has_drift());
    assert_eq!(h.record("web", "net").inputs["size"], Value::Int(5));
    // A secret read back in the clear stays secret and is no drift.
    assert_eq!(
        h.record("web", "app").inputs["password"],
        Value::secret(s("hunter2"))
    );
    let last = h.history("web").pop().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.result.as_str()),
        ("refresh", "succeeded")
    );
    h.cloud.take_calls();
    let up = h.up("web").await;
    assert_eq!(up.changes(), [("net".to_string(), Action::Update)]);
    up.succeeded();
    assert_eq!(h.cloud.calls_of(Op::Update), ["net"]);
    assert_eq!(h.cloud.get(&net.id).unwrap().inputs["size"], Value::Int(1));
}

#[tokio::test]
async fn a_resource_deleted_behind_the_engine_is_dropped_and_made_again() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let other = h.record("web", "other");
    h.cloud.remove(&other.id);

    let r = h.refresh("web", true).await;
    let deleted: Vec<_> = r
        .changes
        .iter()
        .filter(|d| d.deleted)
        .map(|d| d.address.as_str())
        .collect();
    assert_eq!(deleted, ["other"]);
    assert_eq!(h.addresses("web"), ["app", "net", "subnet"]);

    h.cloud.take_calls();
    let up = h.up("web").await;
    assert_eq!(up.changes(), [("other".to_string(), Action::Create)]);
    up.succeeded();
    assert_eq!(h.cloud.calls_of(Op::Create), ["other"]);
    assert_ne!(h.record("web", "other").id, other.id);
    assert_eq!(h.cloud.at("other").len(), 1);
}

#[tokio::test]
async fn a_failed_read_records_nothing() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let before = h.state("web").resources;
    h.cloud.remove(&before["other"].id);
    h.cloud.fail(
        Op::Read,
        "net",
        ProviderError::Transient("throttled".into()),
    );

    let r = h.refresh("web", false).await;
    assert!(!r.complete());
    assert_eq!(r.failures.len(), 1);
    assert!(r.failures[0].contains("throttled"), "{:?}", r.failures);
    let err = h.project.record_refresh(&r).expect_err("refused");
    assert!(err.to_string().contains("nothing was recorded"), "{err}");
    // `other` is gone from the cloud, but the state keeps it all the same.
    assert_eq!(h.state("web").resources, before);
    assert_eq!(h.history("web").pop().unwrap().result, "failed");
}
