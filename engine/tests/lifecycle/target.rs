//! `up --target`: only the named declarations and what they depend on are
//! planned and applied; the rest stays as recorded, or unmade.

use skistack_engine::{Action, EngineError};

use super::CHAIN;
use crate::support::{Harness, Op};

#[tokio::test]
async fn a_target_applies_only_it_and_what_it_depends_on() {
    let h = Harness::new();
    h.write("web", CHAIN);
    let up = h
        .try_up_targets("web", &["subnet"])
        .await
        .expect("targeted up");
    assert_eq!(
        up.changes(),
        [
            ("net".to_string(), Action::Create),
            ("subnet".to_string(), Action::Create)
        ]
    );
    up.succeeded();
    assert_eq!(h.cloud.calls_of(Op::Create), ["net", "subnet"]);
    assert_eq!(h.addresses("web"), ["net", "subnet"]);
    h.assert_no_pending("web");

    // The rest follows on a full up.
    h.cloud.take_calls();
    let up = h.up("web").await;
    assert_eq!(
        up.changes(),
        [
            ("app".to_string(), Action::Create),
            ("other".to_string(), Action::Create)
        ]
    );
    up.succeeded();
}

#[tokio::test]
async fn outputs_of_what_a_targeted_up_did_not_make_are_not_recorded_as_null() {
    let h = Harness::new();
    h.write("web", CHAIN);
    h.write(
        "reader",
        "[resources.user]\ntype = \"fake:cloud:Thing\"\nref = \"${stacks.web.app_arn}\"\n",
    );
    h.try_up_targets("web", &["net"])
        .await
        .expect("targeted up")
        .succeeded();
    // A reader must not be built on a value that does not exist yet.
    let reader = h.try_up("reader").await;
    if let Ok(up) = &reader {
        up.succeeded();
        panic!(
            "the reader was applied with ref = {:?}",
            h.record("reader", "user").inputs.get("ref")
        );
    }
    let err = reader.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        err.contains("app_arn"),
        "the refusal names the output: {err}"
    );
    let outputs = h.outputs("web").unwrap_or_default();
    assert_ne!(
        outputs.get("app_arn"),
        Some(&skistack_engine::Value::Null),
        "app was never made: {outputs:?}"
    );
}

#[tokio::test]
async fn a_target_that_names_nothing_is_refused() {
    let h = Harness::new();
    h.write("web", CHAIN);
    let err = h.try_up_targets("web", &["nope"]).await.err().unwrap();
    assert!(matches!(err, EngineError::Refused(_)), "{err}");
    assert_eq!(h.cloud.calls(), []);
}

#[tokio::test]
async fn a_targeted_removal_takes_its_removed_dependents_with_it() {
    // subnet and app are both removed from the file; `--target subnet`
    // can't delete subnet while app, in it, stays.
    let h = Harness::new();
    h.cloud.refuse_deleting_used();
    h.write("web", CHAIN);
    h.up("web").await.succeeded();
    h.write("web", &super::without(CHAIN, &["subnet", "app"]));
    h.cloud.take_calls();

    let up = h
        .try_up_targets("web", &["subnet"])
        .await
        .expect("targeted up");
    let failures: Vec<String> = up
        .summary()
        .failures
        .iter()
        .map(|f| f.error.to_string())
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(h.addresses("web"), ["net", "other"]);
}
