//! Crash recovery against moto: the process is aborted at a chosen moment
//! of a step (SKISTACK_FAILPOINT: what a `kill -9` there leaves), and the
//! next run finds what the interrupted call made, adopts it with its
//! dependencies, and leaves exactly the declared resources.

use std::collections::BTreeMap;

use skistack_test_support::Project;
use skistack_test_support::Run;

use super::aws::filter;
use super::{Aws, moto, workspace};

const STACK: &str = r#"
[config]
region = "us-east-1"
subnet_cidr = "10.1.1.0/24"
port = 22

[resources.vpc]
type = "aws:ec2:Vpc"
cidr_block = "10.1.0.0/16"

[resources.subnet]
type = "aws:ec2:Subnet"
vpc_id = "${vpc.id}"
cidr_block = "${config.subnet_cidr}"
tags = { Name = "recovery" }

[resources.sg]
type = "aws:ec2:SecurityGroup"
name = "recovery"
description = "recovery tests"
vpc_id = "${vpc.id}"

[resources.rule]
type = "aws:ec2:SecurityGroupRule"
security_group_id = "${sg.id}"
direction = "ingress"
protocol = "tcp"
from_port = "${config.port}"
to_port = "${config.port}"
cidr_blocks = ["10.0.0.0/8"]
"#;

/// One recorded resource: its id and dependencies.
#[derive(Debug)]
struct Recorded {
    id: String,
    deps: Vec<String>,
}

fn recorded(ws: &Project) -> BTreeMap<String, Recorded> {
    let db = rusqlite::Connection::open_with_flags(
        ws.state_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the state");
    let mut q = db
        .prepare("SELECT name, provider_id, dependencies FROM resources WHERE stack = 'net'")
        .expect("query resources");
    q.query_map([], |r| {
        let deps: String = r.get(2)?;
        Ok((
            r.get::<_, String>(0)?,
            Recorded {
                id: r.get(1)?,
                deps: serde_json::from_str(&deps).unwrap_or_default(),
            },
        ))
    })
    .expect("query resources")
    .collect::<Result<_, _>>()
    .expect("read resources")
}

fn pending_count(ws: &Project) -> i64 {
    let db = rusqlite::Connection::open(ws.state_path()).expect("open the state");
    let ok: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(ok, "ok");
    db.query_row("SELECT count(*) FROM pending_ops", [], |r| r.get(0))
        .expect("count pending_ops")
}

async fn crash_at(ws: &Project, point: &str, args: &[&str]) {
    let run = ws.run_env(args, &[("SKISTACK_FAILPOINT", point)]);
    assert!(
        run.code.is_none() && run.stderr.contains(&format!("failpoint {point}")),
        "expected an abort at {point}:\n{run}"
    );
}

/// Ids of the subnets tagged as `net`'s `subnet`.
async fn subnets(aws: &Aws) -> Vec<String> {
    let out = aws
        .ec2
        .describe_subnets()
        .filters(filter("tag:skistack:stack", "net"))
        .filters(filter("tag:skistack:resource", "subnet"))
        .send()
        .await
        .expect("DescribeSubnets");
    out.subnets()
        .iter()
        .filter_map(|s| s.subnet_id().map(str::to_string))
        .collect()
}

/// Ids of the security group rules tagged as `net`'s `rule`.
async fn rules(aws: &Aws) -> Vec<String> {
    let out = aws
        .ec2
        .describe_security_group_rules()
        .filters(filter("tag:skistack:stack", "net"))
        .filters(filter("tag:skistack:resource", "rule"))
        .send()
        .await
        .expect("DescribeSecurityGroupRules");
    out.security_group_rules()
        .iter()
        .filter_map(|r| r.security_group_rule_id().map(str::to_string))
        .collect()
}

async fn vpcs(aws: &Aws) -> Vec<String> {
    let out = aws
        .ec2
        .describe_vpcs()
        .filters(filter("tag:skistack:stack", "net"))
        .send()
        .await
        .expect("DescribeVpcs");
    out.vpcs()
        .iter()
        .filter_map(|v| v.vpc_id().map(str::to_string))
        .collect()
}

fn contains(run: &Run, needle: &str) {
    assert!(
        run.stdout.contains(needle) || run.stderr.contains(needle),
        "expected {needle:?} in:\n{run}"
    );
}

#[tokio::test]
async fn interrupted_creates_replacements_and_deletes_converge_with_nothing_duplicated() {
    let moto = moto();
    let ws = workspace(&moto.endpoint);
    let aws = Aws::connect(&moto).await;
    ws.stack("net", STACK);

    // A create cut short: the subnet exists, the state does not know it.
    crash_at(&ws, "after-create:subnet", &["up", "net", "--yes"]).await;
    assert_eq!(subnets(&aws).await.len(), 1);
    assert!(!recorded(&ws).contains_key("subnet"));
    let run = ws.up("net");
    contains(
        &run,
        "recovered subnet (aws:ec2:Subnet): an interrupted create had made subnet-",
    );
    let state = recorded(&ws);
    assert_eq!(subnets(&aws).await, [state["subnet"].id.clone()]);
    assert_eq!(
        state["subnet"].deps,
        ["vpc"],
        "adopted with its dependencies"
    );
    assert_eq!(pending_count(&ws), 0);
    ws.run(&["preview", "net", "--expect-no-changes"]).ok();

    // A replacement cut short: old and new subnet carry the same identity.
    let old = state["subnet"].id.clone();
    ws.config_set("net", "subnet_cidr", "10.1.2.0/24");
    crash_at(&ws, "after-create:subnet", &["up", "net", "--yes"]).await;
    assert_eq!(subnets(&aws).await.len(), 2);
    let run = ws.up("net");
    contains(&run, "as the replacement; the old one");
    contains(&run, "kept as subnet~replaced to be deleted");
    let state = recorded(&ws);
    let left = subnets(&aws).await;
    assert_eq!(left, [state["subnet"].id.clone()]);
    assert_ne!(left[0], old);
    assert!(!state.contains_key("subnet~replaced"), "{state:?}");

    // A rule has no id of its own to find: it is found by its tags and by
    // what it allows, which tells the new rule of a replacement from the old.
    ws.config_set("net", "port", "2222");
    crash_at(&ws, "after-create:rule", &["up", "net", "--yes"]).await;
    assert_eq!(rules(&aws).await.len(), 2);
    ws.up("net");
    assert_eq!(rules(&aws).await, [recorded(&ws)["rule"].id.clone()]);
    ws.run(&["preview", "net", "--expect-no-changes"]).ok();

    // A delete cut short during destroy is completed by the next destroy.
    crash_at(&ws, "after-delete:rule", &["destroy", "net", "--yes"]).await;
    let run = ws.run(&["destroy", "net", "--yes"]);
    run.ok();
    contains(
        &run,
        "recovered rule (aws:ec2:SecurityGroupRule): an interrupted delete of sgr-",
    );
    assert!(recorded(&ws).is_empty());
    assert!(vpcs(&aws).await.is_empty() && subnets(&aws).await.is_empty());
    assert_eq!(pending_count(&ws), 0);

    // A create cut short, then a destroy: the destroy adopts it, then
    // deletes it, rather than leave it behind.
    crash_at(&ws, "after-create:vpc", &["up", "net", "--yes"]).await;
    assert_eq!(vpcs(&aws).await.len(), 1);
    let run = ws.run(&["destroy", "net", "--yes"]);
    run.ok();
    contains(&run, "recovered vpc (aws:ec2:Vpc)");
    assert!(vpcs(&aws).await.is_empty(), "{run}");
    assert!(recorded(&ws).is_empty());
    assert_eq!(pending_count(&ws), 0);
}

#[tokio::test]
async fn creates_that_meet_their_own_late_landed_resource_adopt_it_in_the_same_run() {
    let moto = moto();
    let ws = workspace(&moto.endpoint);
    let aws = Aws::connect(&moto).await;
    ws.stack("net", STACK);
    ws.up("net");

    // A subnet whose CreateSubnet landed after the lookup: the CIDR is
    // taken, by this instance's own subnet.
    let subnet = subnets(&aws).await;
    ws.run(&["state", "forget", "net", "subnet", "--yes"]).ok();
    let run = ws.up("net");
    contains(&run, "1 created");
    assert_eq!(subnets(&aws).await, subnet, "adopted, not made twice");
    assert_eq!(recorded(&ws)["subnet"].id, subnet[0]);
    let made = rules(&aws).await;
    assert_eq!(made.len(), 1);
    // What an authorize that landed after recovery had looked leaves: the
    // rule, carrying this instance's identity, and no record of it. The
    // create meets "already has the rule".
    ws.run(&["state", "forget", "net", "rule", "--yes"]).ok();
    assert!(!recorded(&ws).contains_key("rule"));
    let run = ws.up("net");
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(rules(&aws).await, made, "adopted, not made twice");
    assert_eq!(recorded(&ws)["rule"].id, made[0]);
    ws.run(&["preview", "net", "--refresh", "--expect-no-changes"])
        .ok();

    // A rule that is not this stack's own is a conflict, reported as one:
    // the same permission, added by hand without tags.
    ws.run(&["state", "forget", "net", "rule", "--yes"]).ok();
    let group = recorded(&ws)["sg"].id.clone();
    let permission = aws_sdk_ec2::types::IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(
            aws_sdk_ec2::types::IpRange::builder()
                .cidr_ip("10.0.0.0/8")
                .build(),
        )
        .build();
    aws.ec2
        .revoke_security_group_ingress()
        .group_id(&group)
        .ip_permissions(permission.clone())
        .send()
        .await
        .expect("RevokeSecurityGroupIngress");
    aws.ec2
        .authorize_security_group_ingress()
        .group_id(&group)
        .ip_permissions(permission)
        .send()
        .await
        .expect("AuthorizeSecurityGroupIngress");
    let run = ws.run(&["up", "net", "--yes"]);
    assert_eq!(run.code, Some(1), "{run}");
    contains(&run, "already has the rule");
    assert!(
        rules(&aws).await.is_empty(),
        "the hand-made rule is not adopted"
    );
}
