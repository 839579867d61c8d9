//! Saved plans: `preview --out` then `up --plan` applies what was reviewed,
//! and refuses, with no provider call, when the stack file, the config or
//! the state changed in between; the saved plan holds no secret.

use sha2::{Digest, Sha256};
use skistack_engine::{EngineError, SavedPlan, StateStore, Value};

use super::CHAIN;
use crate::support::Harness;

/// The refusal's message; panics when the up was not refused.
fn refusal(result: Result<crate::support::Up, EngineError>) -> String {
    match result {
        Err(EngineError::Refused(message)) => message,
        Err(other) => panic!("not a refusal: {other}"),
        Ok(_) => panic!("the changed saved plan was applied"),
    }
}

async fn saved_after_growing(h: &Harness) -> SavedPlan {
    h.write("chain", CHAIN);
    h.up("chain").await.succeeded();
    h.write("chain", &CHAIN.replace("size = 7", "size = 8"));
    h.cloud.take_calls();
    h.save_plan("chain").await.expect("saved plan")
}

#[tokio::test]
async fn a_saved_plan_applies_what_was_reviewed() {
    let h = Harness::new();
    let saved = saved_after_growing(&h).await;
    assert!(
        h.cloud.take_calls().is_empty(),
        "saving a plan called the cloud"
    );
    let up = h.try_up_saved("chain", &saved).await.expect("applied");
    up.succeeded();
    assert_eq!(
        up.changes()
            .into_iter()
            .filter(|(_, a)| *a != skistack_engine::Action::Same)
            .collect::<Vec<_>>(),
        vec![("other".to_string(), skistack_engine::Action::Update)]
    );
    assert_eq!(h.record("chain", "other").inputs["size"], Value::Int(8));
}

#[tokio::test]
async fn a_saved_plan_is_refused_when_the_stack_file_changed() {
    let h = Harness::new();
    let saved = saved_after_growing(&h).await;
    h.write("chain", &CHAIN.replace("size = 7", "size = 9"));
    let message = refusal(h.try_up_saved("chain", &saved).await);
    assert!(message.contains("stack file"), "{message}");
    assert!(message.contains("nothing was applied"), "{message}");
    assert!(
        h.cloud.take_calls().is_empty(),
        "a refused plan called the cloud"
    );
    assert_eq!(h.record("chain", "other").inputs["size"], Value::Int(7));
}

#[tokio::test]
async fn a_saved_plan_is_refused_when_the_state_or_config_changed() {
    let h = Harness::new();
    let saved = saved_after_growing(&h).await;
    // Someone else applied the same change meanwhile.
    h.up("chain").await.succeeded();
    h.cloud.take_calls();
    let message = refusal(h.try_up_saved("chain", &saved).await);
    assert!(
        message.contains("the state of `other` changed"),
        "{message}"
    );
    assert!(h.cloud.take_calls().is_empty());

    let saved = h.save_plan("chain").await.expect("saved plan");
    h.store
        .set_config(&h.key("chain"), "size", &Value::Int(3))
        .expect("config set");
    let message = refusal(h.try_up_saved("chain", &saved).await);
    assert!(message.contains("config `size` changed"), "{message}");
}

#[tokio::test]
async fn a_saved_plan_is_refused_for_another_stack_or_environment() {
    let h = Harness::new();
    let saved = saved_after_growing(&h).await;
    h.write("copy", CHAIN);
    let message = refusal(h.try_up_saved("copy", &saved).await);
    assert!(message.contains("for stack chain"), "{message}");
    let staging = h.in_env("staging");
    let message = refusal(staging.try_up_saved("chain", &saved).await);
    assert!(message.contains("environment default"), "{message}");
}

const SECRET_STACK: &str = r#"
[config]
password = { type = "string", secret = true }

[resources.app]
type = "fake:cloud:Thing"
password = "${config.password}"
"#;

#[tokio::test]
async fn a_saved_plan_holds_no_secret_nor_a_plain_hash_of_one() {
    let h = Harness::new();
    h.write("app", SECRET_STACK);
    let key = h.key("app");
    let secret = Value::secret(Value::String("hunter2".into()));
    h.store
        .set_config(&key, "password", &secret)
        .expect("config set");
    let saved = h.save_plan("app").await.expect("saved plan");
    let text = serde_json::to_string(&saved).expect("serializes");
    let hex = |p: &str| -> String {
        Sha256::digest(p)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let plain_hashes = ["hunter2", "s7;hunter2"].map(hex);
    assert!(!text.contains("hunter2"), "{text}");
    for hash in &plain_hashes {
        assert!(
            !text.contains(hash.as_str()),
            "a plain hash of the secret in {text}"
        );
    }

    // The same secret holds; another one does not, and is not shown.
    let other = Value::secret(Value::String("hunter3".into()));
    h.store
        .set_config(&key, "password", &other)
        .expect("config set");
    let message = refusal(h.try_up_saved("app", &saved).await);
    assert!(message.contains("config `password` changed"), "{message}");
    assert!(!message.contains("hunter"), "{message}");
    h.store
        .set_config(&key, "password", &secret)
        .expect("config set");
    h.try_up_saved("app", &saved)
        .await
        .expect("applied")
        .succeeded();
}
