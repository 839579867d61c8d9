//! Failures during up: a failed create stops its dependents and nothing
//! else, the summary names it, no intent is left behind, and the next up
//! finishes the job. A create that fails after the cloud made the resource
//! adopts it at once; a failed delete keeps the record. An interrupted up
//! finishes what is in flight and starts nothing more; a locked stack is
//! refused before any call.

use skistack_engine::{Action, ProviderError};

use super::{CHAIN, without};
use crate::support::{Harness, Op, s};

#[tokio::test]
async fn a_rejected_create_skips_its_dependents_and_the_next_up_retries() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.cloud.fail(
        Op::Create,
        "subnet",
        ProviderError::Invalid("bad cidr".into()),
    );

    let up = h.up("web").await;
    assert_eq!(up.failed(), ["subnet"]);
    let failure = &up.summary().failures[0];
    assert_eq!(failure.type_token, crate::support::THING);
    assert!(
        failure.error.to_string().contains("subnet")
            && failure.error.to_string().contains("bad cidr"),
        "{}",
        failure.error.to_string()
    );
    // The observer heard of it as the CLI's progress output would.
    let lines = h.observer.lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("failed subnet:") && l.contains("bad cidr")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.ends_with(" app")), "{lines:?}");
    // app waited for subnet; net and other did not.
    assert_eq!(up.summary().skipped, 1);
    assert_eq!(up.count("create"), 2);
    assert!(!up.summary().succeeded());
    let mut created = h.cloud.calls_of(Op::Create);
    created.sort();
    assert_eq!(created, ["net", "other", "subnet"], "app was never tried");
    assert_eq!(h.addresses("web"), ["net", "other"]);
    // Rejected outright: nothing can exist, so no lookup and no intent.
    assert_eq!(h.cloud.calls_of(Op::FindAll), Vec::<String>::new());
    h.assert_no_pending("web");
    // A failed up records no outputs and says so in the history.
    assert_eq!(h.outputs("web"), None);
    let last = h.history("web").pop().unwrap();
    assert_eq!(last.result, "failed");
    assert_eq!(last.counts["failed"], 1);

    h.cloud.take_calls();
    let again = h.up("web").await;
    assert_eq!(
        again.changes(),
        [
            ("app".to_string(), Action::Create),
            ("subnet".to_string(), Action::Create)
        ]
    );
    again.succeeded();
    assert_eq!(h.cloud.calls_of(Op::Create), ["subnet", "app"]);
    assert_eq!(h.addresses("web"), ["app", "net", "other", "subnet"]);
    assert_eq!(h.cloud.resources().len(), 4);
    assert!(h.outputs("web").is_some());
}

#[tokio::test]
async fn a_create_that_failed_without_making_anything_is_looked_up_and_cleared() {
    // A transient failure may have reached the cloud: the engine looks,
    // finds nothing, and clears the intent.
    let h = Harness::new();
    h.write("web", CHAIN);
    h.cloud.fail(
        Op::Create,
        "net",
        ProviderError::Transient("503 slow down".into()),
    );
    let up = h.up("web").await;
    assert_eq!(up.failed(), ["net"]);
    assert_eq!(up.summary().skipped, 2, "subnet and app");
    assert_eq!(h.cloud.calls_of(Op::FindAll), ["net"]);
    assert_eq!(h.addresses("web"), ["other"]);
    h.assert_no_pending("web");
    assert!(h.cloud.at("net").is_empty());
}

#[tokio::test]
async fn a_create_that_failed_after_making_the_resource_adopts_it() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.cloud.fail_after(
        Op::Create,
        "subnet",
        ProviderError::Timeout(
            std::time::Duration::from_secs(300),
            "waiting for subnet to be available".into(),
        ),
    );
    let up = h.up("web").await;
    assert_eq!(up.failed(), ["subnet"]);
    assert_eq!(up.summary().skipped, 1, "app");
    assert_eq!(h.cloud.pending_faults(), 0);

    // The failure is reported, and yet what the cloud made is recorded.
    let made = h.cloud.at("subnet");
    assert_eq!(made.len(), 1);
    let subnet = h.record("web", "subnet");
    assert_eq!(subnet.id, made[0].id);
    assert_eq!(subnet.dependencies, ["net"]);
    assert_eq!(
        subnet.inputs["ref"],
        h.record("web", "net").outputs["arn"],
        "adopted with the inputs it was made with"
    );
    let notices = h.observer.notices();
    assert!(
        notices
            .iter()
            .any(|n| n.contains("subnet") && n.contains(&made[0].id)),
        "{notices:?}"
    );
    h.assert_no_pending("web");

    // The next up creates only what was skipped; subnet is not made twice.
    h.cloud.take_calls();
    let again = h.up("web").await;
    assert_eq!(again.changes(), [("app".to_string(), Action::Create)]);
    again.succeeded();
    assert_eq!(h.cloud.calls_of(Op::Create), ["app"]);
    assert_eq!(h.cloud.at("subnet").len(), 1);
    assert_eq!(h.record("web", "app").inputs["ref"], subnet.outputs["arn"]);
}

#[tokio::test]
async fn a_failed_delete_keeps_the_record_and_the_next_up_deletes_it() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    let other = h.record("web", "other");

    h.write("web", &without(CHAIN, &["other"]));
    h.cloud.fail(
        Op::Delete,
        "other",
        ProviderError::Failed("DependencyViolation".into()),
    );
    let up = h.up("web").await;
    assert_eq!(up.failed(), ["other"]);
    assert_eq!(h.record("web", "other"), other);
    assert!(h.cloud.get(&other.id).is_some());
    h.assert_no_pending("web");

    let again = h.up("web").await;
    assert_eq!(again.changes(), [("other".to_string(), Action::Delete)]);
    again.succeeded();
    assert!(h.cloud.get(&other.id).is_none());
    assert_eq!(h.addresses("web"), ["app", "net", "subnet"]);
    assert_eq!(
        h.store_outputs("web")["net_id"],
        s(&h.record("web", "net").id)
    );
}

#[tokio::test]
async fn a_failed_destroy_keeps_what_the_failure_blocked() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    h.cloud.take_calls();

    h.cloud
        .fail(Op::Delete, "subnet", ProviderError::Failed("in use".into()));
    let d = h.destroy("web").await;
    assert_eq!(d.failed(), ["subnet"]);
    // net waits for subnet; app and other are gone.
    assert_eq!(d.summary().skipped, 1);
    assert_eq!(h.addresses("web"), ["net", "subnet"]);
    assert!(h.outputs("web").is_some(), "still deployed");
    h.assert_no_pending("web");

    h.destroy("web").await.succeeded();
    assert_eq!(h.cloud.resources(), []);
}

#[tokio::test]
async fn an_up_while_another_run_holds_the_lock_is_refused_before_any_call() {
    let h = Harness::new();
    h.write("web", CHAIN);
    let held = h.project.lock("web", "up").expect("lock");
    let err = h.try_up("web").await.err().expect("locked");
    // The workflow refuses as the CLI does, naming the holder and the way
    // to wait for it.
    assert!(
        matches!(&err, skistack_engine::EngineError::Refused(m)
            if m.contains("stack web is locked by") && m.contains("--lock-wait")),
        "{err}"
    );
    assert_eq!(h.cloud.calls(), []);
    assert_eq!(h.addresses("web"), Vec::<String>::new());
    drop(held);
    h.up("web").await.succeeded();
}

#[tokio::test]
async fn an_interrupted_up_finishes_the_steps_in_flight_and_starts_no_other() {
    let h = Harness::new();
    h.write("web", CHAIN);
    // Ctrl-C arrives while subnet is being created.
    h.cloud.cancel_at(Op::Create, "subnet");
    let up = h.up("web").await;
    let summary = up.summary();
    assert!(summary.cancelled && !summary.succeeded());
    assert!(summary.failures.is_empty(), "{:?}", summary.failures);
    assert!(summary.not_run >= 1, "app at least");
    // The step in flight was recorded; app never started.
    let subnet = h.record("web", "subnet");
    assert_eq!(h.cloud.census()["subnet"], [subnet.id.as_str()]);
    assert!(!h.cloud.calls_of(Op::Create).contains(&"app".to_string()));
    // Whatever else ran is recorded, and only that exists.
    let mut made: Vec<String> = h.cloud.census().into_keys().collect();
    made.sort();
    assert_eq!(made, h.addresses("web"));
    h.assert_no_pending("web");
    assert_eq!(
        h.outputs("web"),
        None,
        "an interrupted up records no outputs"
    );
    assert_eq!(h.history("web").pop().unwrap().result, "interrupted");

    // The next up does the rest.
    let again = h.up("web").await;
    again.succeeded();
    assert!(
        again
            .changes()
            .contains(&("app".to_string(), Action::Create))
    );
    assert_eq!(h.cloud.resources().len(), 4);
    assert_eq!(h.addresses("web"), ["app", "net", "other", "subnet"]);
}
