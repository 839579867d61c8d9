//! Transient faults and rate limits: the ceros-ski stacks deployed through a
//! proxy in front of moto that fails a fifth of the requests (throttling,
//! 5xx answers, dropped connections, answers lost after moto executed the
//! call) still converge, with every logical resource once, and the run
//! reports its retries; the per-service limit bounds the calls in flight.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use support::architecture::{self, Expected};
use support::aws::Tags;
use support::fault_proxy::{FaultProxy, Faults, read_only};

/// Calls whose second execution, after AWS ran the first and its answer
/// was lost, changes nothing: reads; deletes, detaches and revokes (the
/// second finds nothing to remove, which the provider counts as done);
/// calls that set a value. Creates are left out: see `replay.rs` in the AWS
/// provider and `a_create_whose_answer_is_lost_is_adopted_not_duplicated`.
fn replay_safe(action: &str) -> bool {
    read_only(action)
        || [
            "Delete", "Detach", "Disassociate", "Deregister", "Revoke", "Put", "Modify",
        ]
        .iter()
        .any(|p| action.starts_with(p))
        || matches!(action, "CreateTags" | "AttachRolePolicy" | "TagResource")
}
use support::{Aws, Moto, Workspace};

/// A counter of a `-v` run, e.g. `aws.retries`.
fn counter(stdout: &str, name: &str) -> u64 {
    let prefix = format!("{name}: ");
    stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix(&prefix))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no counter {name} in:\n{stdout}"))
}

/// Every skistack identity (stack, env, resource) that more than one
/// resource of a kind carries, with their ARNs. An instance's root volume
/// shares its instance's identity (a different kind), and the instances an
/// auto scaling group launches carry its launch template's (made by AWS,
/// not by skistack: they are left out).
async fn duplicates(aws: &Aws) -> BTreeMap<String, Vec<String>> {
    let mut by_identity: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (arn, tags) in aws.tagged_by_skistack().await {
        if tags.contains_key("aws:autoscaling:groupName") {
            continue;
        }
        by_identity
            .entry(format!("{} {}", kind(&arn), identity(&tags)))
            .or_default()
            .push(arn);
    }
    by_identity.retain(|_, arns| arns.len() > 1);
    by_identity
}

/// The service and resource type of an ARN: `ec2:instance`,
/// `elasticloadbalancing:targetgroup`.
fn kind(arn: &str) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let resource = parts.get(5).copied().unwrap_or_default();
    let kind = resource.split(['/', ':']).next().unwrap_or_default();
    format!("{}:{kind}", parts.get(2).copied().unwrap_or_default())
}

fn identity(tags: &Tags) -> String {
    ["skistack:stack", "skistack:env", "skistack:resource"]
        .map(|k| tags.get(k).map_or("?", String::as_str))
        .join("/")
}

/// Runs `skistack ARGS -v` through the proxy, which must succeed; checks
/// that the run retried every fault the proxy injected during it and made
/// exactly the calls the proxy saw. Returns (calls, retries).
async fn run_counted(ws: &Workspace, proxy: &FaultProxy, args: &[&str]) -> (u64, u64) {
    let (requests, faults) = (proxy.requests(), proxy.fault_count());
    let mut all = args.to_vec();
    all.push("-v");
    let run = ws.run(&all).await.ok();
    let (requests, faults) = (proxy.requests() - requests, proxy.fault_count() - faults);
    let (calls, retries) = (
        counter(&run.stdout, "aws.calls"),
        counter(&run.stdout, "aws.retries"),
    );
    assert_eq!(
        calls, requests,
        "`{}`: skistack counted {calls} calls, the proxy saw {requests}",
        args.join(" ")
    );
    assert!(
        retries >= faults,
        "`{}`: {faults} faults but only {retries} retries\n{}",
        args.join(" "),
        proxy.summary()
    );
    (calls, retries)
}

#[tokio::test]
async fn a_fifth_of_calls_failing_transiently_still_converges_without_duplicates() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(
        &moto.endpoint,
        Faults {
            before: 0.2,
            lost_answer: 0.2,
            replay_safe,
            seed: std::env::var("SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20),
            ..Faults::default()
        },
    );
    let ws = Workspace::with_endpoint(&proxy.endpoint);
    let aws = Aws::connect(&moto).await;

    run_counted(&ws, &proxy, &["up", "repositories", "--yes"]).await;
    ws.configure_environments().await;
    let (calls, retries) = run_counted(&ws, &proxy, &["up", "environments", "--yes"]).await;
    assert!(retries > 0, "no retries: {}", proxy.summary());
    println!("up environments: {calls} calls, {retries} retries; {}", proxy.summary());

    let dup = duplicates(&aws).await;
    assert!(dup.is_empty(), "duplicated resources: {dup:#?}");
    architecture::check(&aws, &ws, &Expected::default()).await;
    run_counted(
        &ws,
        &proxy,
        &["preview", "repositories", "environments", "--expect-no-changes"],
    )
    .await;

    run_counted(&ws, &proxy, &["destroy", "--yes"]).await;
    let left = aws.leftovers().await;
    assert!(left.is_empty(), "left after destroy:\n  {}", left.join("\n  "));
    assert!(proxy.errors().is_empty(), "{:?}", proxy.errors());
}

#[tokio::test]
async fn the_calls_in_flight_per_service_stay_under_the_limit() {
    let moto = Moto::start();
    // Every call takes a while, so that 64 steps at once pile up on the limit.
    let slow = Faults {
        delay: Duration::from_millis(30),
        ..Faults::default()
    };
    let limited = FaultProxy::start(&moto.endpoint, slow);
    let ws = Workspace::with_endpoint(&limited.endpoint);
    ws.up("repositories", &["--aws-max-concurrency", "2"]).await;
    ws.configure_environments().await;
    ws.up(
        "environments",
        &["--parallel", "64", "--aws-max-concurrency", "2"],
    )
    .await;
    let seen = limited.max_in_flight();
    assert_eq!(seen.get("ec2"), Some(&2), "{seen:?}");
    for (service, n) in &seen {
        assert!(*n <= 2, "{service}: {n} calls in flight at once ({seen:?})");
    }

    // With the default limit the same steps do overlap more: the proxy's
    // count is real, and the limit above is what held it at 2.
    limited.reset_max_in_flight();
    ws.run(&["destroy", "--yes", "--parallel", "64"]).await.ok();
    let seen = limited.max_in_flight();
    assert!(
        seen.get("ec2").is_some_and(|n| *n > 2 && *n <= 8),
        "{seen:?}"
    );
}

#[tokio::test]
async fn explore_lost_answers() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(
        &moto.endpoint,
        Faults {
            lost_answer: 0.3,
            replay_safe: |_| true,
            seed: std::env::var("SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(7),
            ..Faults::default()
        },
    );
    let ws = Workspace::with_endpoint(&proxy.endpoint);
    let aws = Aws::connect(&moto).await;
    let r = ws.run(&["up", "repositories", "--yes"]).await;
    println!("{r}");
    ws.configure_environments().await;
    let r = ws.run(&["up", "environments", "--yes"]).await;
    println!("{r}");
    println!("{}", proxy.summary());
    println!("forwarded {:#?}", proxy.forwarded());
    println!("dups {:#?}", duplicates(&aws).await);
    let r = ws.run(&["destroy", "--yes"]).await;
    println!("{r}");
    println!("{}", proxy.summary());
    println!("left {:#?}", aws.leftovers().await);
}
