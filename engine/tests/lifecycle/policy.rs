//! Policy checks in up: findings point at the property that causes them,
//! advisory mode only reports, enforce mode refuses before any provider
//! call at or above its threshold.

use skistack_engine::{EngineError, PolicyMode, PolicySettings, Severity};

use crate::support::Harness;

const BIG: &str = r#"
[resources.small]
type = "fake:cloud:Thing"
size = 5

[resources.big]
type = "fake:cloud:Thing"
name = "big"
size = 500
"#;

fn enforce(threshold: Severity) -> PolicySettings {
    PolicySettings {
        mode: PolicyMode::Enforce,
        threshold,
    }
}

#[tokio::test]
async fn advisory_findings_name_the_rule_address_and_line_and_apply() {
    let h = Harness::new();
    h.write("web", BIG);
    let up = h.up("web").await;
    up.succeeded();
    assert_eq!(
        up.findings,
        [("FAKE-001".to_string(), "big".to_string(), "9:1".to_string())]
    );
    assert_eq!(up.count("create"), 2);
}

#[tokio::test]
async fn enforce_refuses_before_any_provider_call() {
    let h = Harness::new();
    h.write("web", BIG);
    let err = h
        .try_up_with("web", &[], enforce(Severity::High))
        .await
        .err()
        .expect("enforce refuses");
    assert!(
        matches!(err, EngineError::PolicyViolated { count: 1, .. }),
        "{err}"
    );
    assert!(h.cloud.calls().is_empty(), "{:?}", h.cloud.calls());
    assert!(h.state("web").resources.is_empty());
}

#[tokio::test]
async fn enforce_below_the_threshold_applies_and_a_fix_clears_the_finding() {
    let h = Harness::new();
    h.write("web", BIG);
    let up = h
        .try_up_with("web", &[], enforce(Severity::Critical))
        .await
        .unwrap();
    up.succeeded();
    assert_eq!(up.findings.len(), 1);

    h.write("web", &BIG.replace("size = 500", "size = 50"));
    let up = h
        .try_up_with("web", &[], enforce(Severity::Low))
        .await
        .unwrap();
    up.succeeded();
    assert!(up.findings.is_empty(), "{:?}", up.findings);
}
