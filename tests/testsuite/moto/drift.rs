//! Refresh, drift and import against moto: changes made through the AWS SDK
//! behind skistack's back are found by `refresh`, recorded, and undone by
//! `up`; a VPC made by hand is adopted with `import`.
//!
//! Each test has its own moto server, workspace and state file.

use aws_sdk_ec2::types::{SecurityGroupRuleRequest, Tag};
use skistack_test_support::cli::{BASTION_CIDR, Run, out_str, out_strs};
use skistack_test_support::{Moto, Project};

use super::architecture::{self, Expected};
use super::aws::{ec2_tags, filter};
use super::plan::{change, diff_properties, resource_actions, stack_plan};
use super::{Aws, moto, workspace};

/// A fresh moto, workspace and clients.
async fn setup() -> (Moto, Project, Aws) {
    let moto = moto();
    let ws = workspace(&moto.endpoint);
    let aws = Aws::connect(&moto).await;
    (moto, ws, aws)
}

/// The provider id recorded for a resource of `environments`.
fn recorded_id(ws: &Project, name: &str) -> Option<String> {
    let db = rusqlite::Connection::open_with_flags(
        ws.state_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the state file");
    db.query_row(
        "SELECT provider_id FROM resources WHERE stack = 'environments' AND env = 'default' AND name = ?1",
        [name],
        |r| r.get(0),
    )
    .ok()
}

/// The `Name` tag of a VPC.
async fn vpc_name(aws: &Aws, vpc: &str) -> Option<String> {
    let out = aws
        .ec2
        .describe_vpcs()
        .vpc_ids(vpc)
        .send()
        .await
        .expect("DescribeVpcs");
    ec2_tags(out.vpcs()[0].tags()).get("Name").cloned()
}

/// Changes three things behind skistack's back: the VPC's `Name` tag, the
/// CIDR of the bastion's SSH rule, and deletes the second private subnet.
/// Returns the deleted subnet's id.
async fn drift_behind_the_back(aws: &Aws, ws: &Project, outputs: &serde_json::Value) -> String {
    let vpc = out_str(outputs, "vpc_id");
    aws.ec2
        .create_tags()
        .resources(vpc)
        .tags(Tag::builder().key("Name").value("renamed-by-hand").build())
        .send()
        .await
        .expect("CreateTags");

    let rule = recorded_id(ws, "bastion_ssh").expect("bastion_ssh is recorded");
    let group = recorded_id(ws, "bastion_sg").expect("bastion_sg is recorded");
    aws.ec2
        .modify_security_group_rules()
        .group_id(&group)
        .security_group_rules(
            aws_sdk_ec2::types::SecurityGroupRuleUpdate::builder()
                .security_group_rule_id(&rule)
                .security_group_rule(
                    SecurityGroupRuleRequest::builder()
                        .ip_protocol("tcp")
                        .from_port(22)
                        .to_port(22)
                        .cidr_ipv4("0.0.0.0/0")
                        .description("SSH from bastion_allowed_cidr")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("ModifySecurityGroupRules");

    let subnet = out_strs(outputs, "private_subnet_ids")[1].clone();
    aws.ec2
        .delete_subnet()
        .subnet_id(&subnet)
        .send()
        .await
        .expect("DeleteSubnet");
    subnet
}

/// The total of AWS API calls that `-v` prints.
#[track_caller]
fn api_calls(run: &Run) -> u64 {
    run.stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("aws.calls: "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `aws.calls` counter:\n{run}"))
}

/// Asserts that a refresh's report names the three changes.
#[track_caller]
fn assert_reports_the_three(run: &Run) {
    for needle in [
        "changed  vpc ".to_string(),
        "tags.Name: \"ceros-ski-staging\" -> \"renamed-by-hand\"".to_string(),
        "changed  bastion_ssh ".to_string(),
        format!("cidr_blocks[0]: \"{BASTION_CIDR}\" -> \"0.0.0.0/0\""),
        "deleted  private[1] ".to_string(),
        "Drift: 2 changed, 1 deleted,".to_string(),
    ] {
        assert!(run.stdout.contains(&needle), "missing {needle:?}:\n{run}");
    }
}

#[tokio::test]
async fn refresh_finds_changes_made_behind_its_back_and_up_undoes_them() {
    let (_moto, ws, aws) = setup().await;
    ws.deploy_both();

    // Right after up, the cloud is as recorded: no false drift.
    let run = ws.run(&["refresh", "environments", "--expect-no-changes"]);
    run.ok();
    assert!(run.stdout.contains("Drift: 0 changed, 0 deleted"), "{run}");
    ws.run(&[
        "preview",
        "repositories",
        "environments",
        "--refresh",
        "--expect-no-changes",
    ])
    .ok();
    // A plain preview reads only the data lookups; --refresh reads every
    // resource.
    let plain = api_calls(ws.run(&["preview", "environments", "-v"]).ok());
    let refreshed = api_calls(ws.run(&["preview", "environments", "--refresh", "-v"]).ok());
    assert!(plain <= 3, "a no-op preview made {plain} calls");
    assert!(
        refreshed >= 45 + plain,
        "--refresh made only {refreshed} calls"
    );

    let outputs = ws.masked_outputs("environments");
    let subnet = drift_behind_the_back(&aws, &ws, &outputs).await;

    // A plain preview compares with the state only, so it sees nothing.
    ws.run(&["preview", "environments", "--expect-no-changes"])
        .ok();
    // The check reports all three and exits 3, recording nothing.
    let run = ws.run(&["refresh", "environments", "--expect-no-changes"]);
    run.expect_code(3);
    assert_reports_the_three(&run);
    assert_eq!(
        recorded_id(&ws, "private[1]").as_deref(),
        Some(subnet.as_str())
    );

    // preview --refresh plans against the cloud, still recording nothing.
    let doc = ws.preview_json_args(&["environments", "--refresh"]);
    let plan = stack_plan(&doc, "environments");
    let drifted: Vec<&str> = plan["drift"]
        .as_array()
        .expect("a drift list")
        .iter()
        .filter_map(|d| d["address"].as_str())
        .collect();
    assert_eq!(drifted, ["bastion_ssh", "private[1]", "vpc"], "{plan:#}");
    let actions = resource_actions(plan);
    assert_eq!(actions["vpc"], "update", "{plan:#}");
    assert_eq!(diff_properties(change(plan, "vpc")), ["tags"]);
    assert_eq!(actions["bastion_ssh"], "replace", "{plan:#}");
    assert_eq!(actions["private[1]"], "create", "{plan:#}");
    assert_eq!(
        recorded_id(&ws, "private[1]").as_deref(),
        Some(subnet.as_str())
    );

    // refresh records what it found; the deleted subnet leaves the state.
    let run = ws.run(&["refresh", "environments", "--yes"]);
    run.ok();
    assert_reports_the_three(&run);
    assert_eq!(recorded_id(&ws, "private[1]"), None);
    let history = ws.run(&["history", "environments"]);
    history.ok();
    assert!(
        history.stdout.contains("refresh  succeeded") && history.stdout.contains("deleted=1"),
        "{history}"
    );

    // up restores all three, and the cloud matches the stack again.
    ws.up("environments");
    let after = architecture::check(&aws, &ws, &Expected::default()).await;
    assert_eq!(
        vpc_name(&aws, out_str(&after, "vpc_id")).await.as_deref(),
        Some("ceros-ski-staging")
    );
    let new_subnet = &out_strs(&after, "private_subnet_ids")[1];
    assert_ne!(new_subnet, &subnet, "the deleted subnet is made again");
    ws.run(&["refresh", "environments", "--expect-no-changes"])
        .ok();
    ws.run(&[
        "preview",
        "repositories",
        "environments",
        "--expect-no-changes",
    ])
    .ok();
}

#[tokio::test]
async fn up_refresh_records_and_restores_in_one_run() {
    let (_moto, ws, aws) = setup().await;
    ws.deploy_both();
    let outputs = ws.masked_outputs("environments");
    let subnet = drift_behind_the_back(&aws, &ws, &outputs).await;

    // Without --refresh, up trusts the state and changes nothing.
    let run = ws.up("environments");
    assert!(run.stdout.contains("No changes."), "{run}");

    let run = ws.up_with("environments", &["--refresh"]);
    assert_reports_the_three(&run);
    architecture::check(&aws, &ws, &Expected::default()).await;
    let gone = aws
        .ec2
        .describe_subnets()
        .filters(filter("subnet-id", &subnet))
        .send()
        .await
        .expect("DescribeSubnets");
    assert!(
        gone.subnets().is_empty(),
        "the deleted subnet stays deleted"
    );
    ws.run(&["refresh", "environments", "--expect-no-changes"])
        .ok();
}

/// A stack of one VPC, to import into.
const NET: &str = r#"
[config]
region = "us-east-1"

[resources.vpc]
type = "aws:ec2:Vpc"
cidr_block = "10.42.0.0/16"
tags = { Name = "net" }
"#;

#[tokio::test]
async fn import_adopts_a_vpc_made_by_hand_and_preview_shows_only_real_differences() {
    let (_moto, ws, aws) = setup().await;
    std::fs::write(ws.stacks_dir().join("net.toml"), NET).expect("write net.toml");
    let made = aws
        .ec2
        .create_vpc()
        .cidr_block("10.42.0.0/16")
        .tag_specifications(
            aws_sdk_ec2::types::TagSpecification::builder()
                .resource_type(aws_sdk_ec2::types::ResourceType::Vpc)
                .tags(Tag::builder().key("Name").value("by-hand").build())
                .build(),
        )
        .send()
        .await
        .expect("CreateVpc");
    let vpc = made
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("a VPC id")
        .to_string();

    let missing = ws.run(&["import", "net", "vpc", "vpc-0123456789abcdef0"]);
    missing.expect_code(1);
    assert!(
        missing
            .stderr
            .contains("there is no aws:ec2:Vpc with id vpc-0123456789abcdef0"),
        "{missing}"
    );
    let undeclared = ws.run(&["import", "net", "vcp", &vpc]);
    undeclared.expect_code(1);
    assert!(
        undeclared.stderr.contains("did you mean `vpc`?"),
        "{undeclared}"
    );

    let run = ws.run(&["import", "net", "vpc", &vpc]);
    run.ok();
    assert!(
        run.stdout
            .contains(&format!("Imported vpc (aws:ec2:Vpc) {vpc}")),
        "{run}"
    );
    assert!(
        run.stdout.contains("tags.Name: \"by-hand\" -> \"net\""),
        "{run}"
    );
    let again = ws.run(&["import", "net", "vpc", &vpc]);
    again.expect_code(1);
    assert!(again.stderr.contains("already in the state"), "{again}");

    // Only the tag differs: the range, DNS settings and tenancy match.
    let doc = ws.preview_json_args(&["net"]);
    let plan = stack_plan(&doc, "net");
    assert_eq!(
        resource_actions(plan),
        super::plan::actions([("vpc", "update")]),
        "{plan:#}"
    );
    assert_eq!(diff_properties(change(plan, "vpc")), ["tags"], "{plan:#}");

    let run = ws.up("net");
    assert!(run.stdout.contains("1 updated"), "{run}");
    assert_eq!(vpc_name(&aws, &vpc).await.as_deref(), Some("net"));
    ws.run(&["preview", "net", "--expect-no-changes"]).ok();
    ws.run(&["refresh", "net", "--expect-no-changes"]).ok();
    // The VPC made by hand is the one skistack now manages: no second one.
    let vpcs = aws
        .ec2
        .describe_vpcs()
        .filters(filter("cidr", "10.42.0.0/16"))
        .send()
        .await
        .expect("DescribeVpcs");
    assert_eq!(vpcs.vpcs().len(), 1);
}

/// Panics unless a preview that reads every resource first plans nothing:
/// the cloud is as the state records it and as the stack declares it.
#[track_caller]
fn assert_in_sync(ws: &Project) {
    ws.run(&[
        "preview",
        "environments",
        "--refresh",
        "--expect-no-changes",
    ])
    .ok();
}

/// The VPCs an internet gateway is attached to, as AWS reports them.
async fn igw_vpcs(aws: &Aws, igw: &str) -> Vec<String> {
    let out = aws
        .ec2
        .describe_internet_gateways()
        .internet_gateway_ids(igw)
        .send()
        .await
        .expect("DescribeInternetGateways");
    out.internet_gateways()
        .iter()
        .flat_map(|g| g.attachments())
        .filter_map(|a| a.vpc_id().map(str::to_string))
        .collect()
}

/// Whether a security group still has the allow-all egress rule AWS adds.
async fn allows_all_egress(aws: &Aws, group: &str) -> bool {
    let out = aws
        .ec2
        .describe_security_groups()
        .group_ids(group)
        .send()
        .await
        .expect("DescribeSecurityGroups");
    out.security_groups()
        .iter()
        .flat_map(|g| g.ip_permissions_egress())
        .any(|p| {
            p.ip_protocol() == Some("-1")
                && p.ip_ranges()
                    .iter()
                    .any(|r| r.cidr_ip() == Some("0.0.0.0/0"))
        })
}

#[tokio::test]
async fn a_half_configured_network_reads_as_a_change_and_up_completes_it() {
    let (_moto, ws, aws) = setup().await;
    ws.deploy_both();
    let outputs = ws.masked_outputs("environments");
    let vpc = out_str(&outputs, "vpc_id").to_string();
    let igw = recorded_id(&ws, "igw").expect("igw is recorded");
    let sg = recorded_id(&ws, "alb_sg").expect("alb_sg is recorded");
    assert_eq!(igw_vpcs(&aws, &igw).await, std::slice::from_ref(&vpc));
    assert!(allows_all_egress(&aws, &sg).await);
    // What runs that died between two calls of one create leave: a gateway
    // attached to nothing, a group whose egress is not as declared.
    aws.ec2
        .detach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(&vpc)
        .send()
        .await
        .expect("DetachInternetGateway");
    aws.ec2
        .revoke_security_group_egress()
        .group_id(&sg)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("-1")
                .ip_ranges(
                    aws_sdk_ec2::types::IpRange::builder()
                        .cidr_ip("0.0.0.0/0")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("RevokeSecurityGroupEgress");

    // The reads report what is there; nothing is filled in from the stack.
    let run = ws.run(&["refresh", "environments", "--expect-no-changes"]);
    run.expect_code(3);
    for want in [
        "changed  igw ".to_string(),
        format!("vpc_id: \"{vpc}\" -> (unset)"),
        "changed  alb_sg ".to_string(),
        "revoke_default_egress: false -> true".to_string(),
        "Drift: 2 changed, 0 deleted,".to_string(),
    ] {
        assert!(run.stdout.contains(&want), "missing {want:?}:\n{run}");
    }
    ws.up_with("environments", &["--refresh"]);
    assert_eq!(
        igw_vpcs(&aws, &igw).await,
        [vpc],
        "attached again, in place"
    );
    assert!(allows_all_egress(&aws, &sg).await, "egress restored");
    assert_eq!(recorded_id(&ws, "igw").as_deref(), Some(igw.as_str()));
    assert_eq!(recorded_id(&ws, "alb_sg").as_deref(), Some(sg.as_str()));
    assert_in_sync(&ws);
}

/// The roles an instance profile holds, as IAM reports them.
async fn profile_roles(aws: &Aws, profile: &str) -> Vec<String> {
    let out = aws
        .iam
        .get_instance_profile()
        .instance_profile_name(profile)
        .send()
        .await
        .expect("GetInstanceProfile");
    out.instance_profile()
        .map(|p| {
            p.roles()
                .iter()
                .map(|r| r.role_name().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_role_added_to_its_profile_late_is_accepted_not_added_twice() {
    let (_moto, ws, aws) = setup().await;
    ws.deploy_both();
    let profile = recorded_id(&ws, "instance_profile").expect("the profile is recorded");
    let roles = profile_roles(&aws, &profile).await;
    assert_eq!(roles.len(), 1);
    // The state as a run that died before AddRoleToInstanceProfile answered
    // leaves it: a profile read without its role.
    aws.iam
        .remove_role_from_instance_profile()
        .instance_profile_name(&profile)
        .role_name(&roles[0])
        .send()
        .await
        .expect("RemoveRoleFromInstanceProfile");
    let run = ws.run(&["refresh", "environments", "--yes"]);
    run.ok();
    assert!(run.stdout.contains("changed  instance_profile "), "{run}");
    // Then the lost request lands: the role is in the profile again, and the
    // up that adds it meets IAM's "one role per profile".
    aws.iam
        .add_role_to_instance_profile()
        .instance_profile_name(&profile)
        .role_name(&roles[0])
        .send()
        .await
        .expect("AddRoleToInstanceProfile");
    let run = ws.up("environments");
    assert!(run.stdout.contains("instance_profile"), "{run}");
    assert_eq!(profile_roles(&aws, &profile).await, roles);
    assert_in_sync(&ws);
}

#[tokio::test]
async fn a_repository_without_its_lifecycle_policy_reads_as_a_change_and_up_restores_it() {
    let (_moto, ws, aws) = setup().await;
    ws.deploy_both();
    // What a run that died between CreateRepository and
    // PutLifecyclePolicy leaves: a repository with no policy.
    aws.ecr
        .delete_lifecycle_policy()
        .repository_name("ceros-ski")
        .send()
        .await
        .expect("DeleteLifecyclePolicy");
    let run = ws.run(&["refresh", "repositories", "--expect-no-changes"]);
    run.expect_code(3);
    assert!(
        run.stdout.contains("changed  repository ") && run.stdout.contains("lifecycle_policy:"),
        "{run}"
    );
    ws.up_with("repositories", &["--refresh"]);
    let policy = aws
        .ecr
        .get_lifecycle_policy()
        .repository_name("ceros-ski")
        .send()
        .await
        .expect("GetLifecyclePolicy");
    assert!(
        policy
            .lifecycle_policy_text()
            .is_some_and(|p| p.contains("imageCountMoreThan")),
        "{policy:?}"
    );
    ws.run(&[
        "preview",
        "repositories",
        "--refresh",
        "--expect-no-changes",
    ])
    .ok();
}

/// The root volume behind an instance, as AWS reports it.
async fn root_volume_id(aws: &Aws, instance: &str) -> String {
    let out = aws
        .ec2
        .describe_instances()
        .instance_ids(instance)
        .send()
        .await
        .expect("DescribeInstances");
    let inst = &out.reservations()[0].instances()[0];
    let root = inst.root_device_name();
    inst.block_device_mappings()
        .iter()
        .find(|m| m.device_name() == root)
        .and_then(|m| m.ebs()?.volume_id())
        .expect("a root volume")
        .to_string()
}

#[tokio::test]
async fn the_root_volume_and_idle_timeout_read_as_aws_has_them() {
    let (_moto, ws, aws) = setup().await;
    ws.deploy_both();
    let alb = recorded_id(&ws, "alb").expect("alb recorded");
    let bastion = recorded_id(&ws, "bastion").expect("bastion recorded");
    // Behind skistack's back: a longer idle timeout, a bigger root volume.
    aws.elb
        .modify_load_balancer_attributes()
        .load_balancer_arn(&alb)
        .attributes(
            aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute::builder()
                .key("idle_timeout.timeout_seconds")
                .value("120")
                .build(),
        )
        .send()
        .await
        .expect("ModifyLoadBalancerAttributes");
    let volume = root_volume_id(&aws, &bastion).await;
    aws.ec2
        .modify_volume()
        .volume_id(&volume)
        .size(20)
        .send()
        .await
        .expect("ModifyVolume");

    let run = ws.run(&["refresh", "environments", "--expect-no-changes"]);
    run.expect_code(3);
    assert!(run.stdout.contains("idle_timeout: 60 -> 120"), "{run}");
    assert!(
        run.stdout
            .contains("root_block_device.volume_size: 8 -> 20"),
        "{run}"
    );
    // The idle timeout changes in place: up puts it back.
    ws.up_with("environments", &["--refresh", "--target", "alb"]);
    let run = ws.run(&["refresh", "environments", "--expect-no-changes"]);
    assert!(!run.stdout.contains("idle_timeout"), "{run}");
}
