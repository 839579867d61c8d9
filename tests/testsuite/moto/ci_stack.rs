//! End-to-end test of `stacks/ci.toml`, the Jenkins server of the delivery
//! pipeline: the real `skistack` binary deploys it into a moto server, the
//! AWS SDK reads back the instance, its security group, its role and its
//! user data, and a destroy leaves nothing behind.

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine;
use serde_json::Value;
use skistack_test_support::Project;
use skistack_test_support::cli::out_str;
use skistack_test_support::repo_root;

use super::aws::{assert_tagged, ec2_tags};
use super::{Aws, moto, workspace};

/// Who the test lets open Jenkins.
const ALLOWED: &str = "198.51.100.0/24";
/// The repository the test's job builds.
const REPOSITORY: &str = "https://github.com/example/ceros-ski.git";
/// GitHub's webhook ranges, the stack's default.
const GITHUB: [&str; 4] = [
    "192.30.252.0/22",
    "185.199.108.0/22",
    "140.82.112.0/20",
    "143.55.64.0/20",
];

/// The files of ci/ the stack embeds with file("../ci/..."), relative to
/// the stacks directory, which the workspace copies alone.
fn copy_ci(ws: &Project) {
    let root = ws
        .state_path()
        .parent()
        .expect("the workspace dir")
        .join("ci");
    std::fs::create_dir_all(&root).expect("create ci/");
    for entry in std::fs::read_dir(repo_root().join("ci")).expect("read ci/") {
        let entry = entry.expect("a ci/ entry");
        std::fs::copy(entry.path(), root.join(entry.file_name())).expect("copy a ci/ file");
    }
}

fn decode(text: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .unwrap_or_else(|e| panic!("not base64 ({e}): {text}"));
    String::from_utf8(bytes).expect("UTF-8")
}

/// IAM returns policy documents URL-encoded (moto may not).
fn policy_json(document: &str) -> Value {
    let mut bytes = Vec::new();
    let raw = document.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'%' if i + 3 <= raw.len() => {
                let hex = std::str::from_utf8(&raw[i + 1..i + 3]).expect("ASCII");
                bytes.push(u8::from_str_radix(hex, 16).expect("a %XX escape"));
                i += 3;
            }
            b'+' if document.starts_with('%') => {
                bytes.push(b' ');
                i += 1;
            }
            b => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {document}"))
}

/// A string or a list of strings of a policy statement.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// IAM's wildcard match: `*` any run of characters, `?` one.
fn matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The Allow statements granting `action` on `resource`, ignoring
/// conditions (those are checked separately).
fn granting<'a>(policy: &'a Value, action: &str, resource: &str) -> Vec<&'a Value> {
    policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .filter(|s| strings(&s["Action"]).iter().any(|a| matches(a, action)))
        .filter(|s| strings(&s["Resource"]).iter().any(|r| matches(r, resource)))
        .collect()
}

fn allows(policy: &Value, action: &str, resource: &str) -> bool {
    !granting(policy, action, resource).is_empty()
}

#[tokio::test]
async fn the_jenkins_server_deploys_as_declared_and_destroys_cleanly() {
    let moto = moto();
    let ws = workspace(&moto.endpoint);
    let aws = Aws::connect(&moto).await;
    copy_ci(&ws);

    // jenkins_allowed_cidr has no default: nobody is admitted by accident,
    // and nothing is created without it.
    let run = ws.run(&["up", "ci", "--yes"]);
    run.expect_code(2);
    assert!(run.stderr.contains("jenkins_allowed_cidr"), "{run}");
    let left = aws.leftovers().await;
    assert!(
        left.is_empty(),
        "created without config:\n  {}",
        left.join("\n  ")
    );

    ws.config_set("ci", "jenkins_allowed_cidr", ALLOWED);
    ws.config_set("ci", "github_repository_url", REPOSITORY);
    ws.up("ci");
    let outputs = ws.masked_outputs("ci");
    let instance_id = out_str(&outputs, "instance_id");
    let group_id = out_str(&outputs, "security_group_id");
    let vpc_id = out_str(&outputs, "vpc_id");

    check_instance(&aws, &outputs, instance_id, group_id, vpc_id).await;
    check_security_group(&aws, group_id, vpc_id).await;
    check_role(&aws).await;
    check_user_data(&aws, instance_id, &repo_root().join("ci")).await;

    ws.run(&["preview", "ci", "--expect-no-changes"]).ok();

    ws.run(&["destroy", "ci", "--yes"]).ok();
    let left = aws.leftovers().await;
    assert!(left.is_empty(), "left behind:\n  {}", left.join("\n  "));
}

async fn check_instance(aws: &Aws, outputs: &Value, id: &str, group_id: &str, vpc_id: &str) {
    let out = aws
        .ec2
        .describe_instances()
        .instance_ids(id)
        .send()
        .await
        .expect("DescribeInstances");
    let instance = &out.reservations()[0].instances()[0];
    assert_eq!(
        instance.instance_type().map(|t| t.as_str()),
        Some("t3.medium")
    );
    assert_eq!(instance.vpc_id(), Some(vpc_id), "in the stack's own VPC");
    let public_ip = instance.public_ip_address().expect("a public address");
    assert_eq!(out_str(outputs, "public_ip"), public_ip);
    assert_eq!(
        out_str(outputs, "webhook_url"),
        format!("http://{public_ip}:8080/github-webhook/")
    );
    assert_eq!(
        out_str(outputs, "jenkins_url"),
        format!("http://{public_ip}:8080/")
    );
    assert_eq!(Aws::instance_groups(instance), [group_id.to_string()]);
    let profile = instance
        .iam_instance_profile()
        .and_then(|p| p.arn())
        .expect("an instance profile");
    assert!(
        profile.ends_with(":instance-profile/ceros-ski-ci-jenkins"),
        "{profile}"
    );
    let metadata = instance.metadata_options().expect("metadata options");
    assert_eq!(
        metadata.http_tokens().map(|t| t.as_str()),
        Some("required"),
        "IMDSv2 only"
    );
    assert_eq!(
        metadata.http_put_response_hop_limit(),
        Some(2),
        "containers reach the role"
    );
    assert_tagged("the server", &ec2_tags(instance.tags()), "ci", "server");

    // The subnet is public: its route table sends 0.0.0.0/0 to a gateway.
    let subnet = instance.subnet_id().expect("a subnet");
    let tables = aws
        .ec2
        .describe_route_tables()
        .filters(super::aws::filter("association.subnet-id", subnet))
        .send()
        .await
        .expect("DescribeRouteTables");
    let routes: Vec<_> = tables
        .route_tables()
        .iter()
        .flat_map(|t| t.routes())
        .filter(|r| r.destination_cidr_block() == Some("0.0.0.0/0"))
        .collect();
    assert!(
        routes
            .iter()
            .any(|r| r.gateway_id().is_some_and(|g| g.starts_with("igw-"))),
        "{routes:?}"
    );
}

async fn check_security_group(aws: &Aws, group_id: &str, vpc_id: &str) {
    let out = aws
        .ec2
        .describe_security_groups()
        .group_ids(group_id)
        .send()
        .await
        .expect("DescribeSecurityGroups");
    let group = &out.security_groups()[0];
    assert_eq!(group.vpc_id(), Some(vpc_id));
    let mut ingress = BTreeSet::new();
    for permission in group.ip_permissions() {
        assert!(
            permission.user_id_group_pairs().is_empty(),
            "no group sources: {permission:?}"
        );
        for range in permission.ip_ranges() {
            ingress.insert((
                permission.ip_protocol().unwrap_or_default().to_string(),
                permission.from_port().unwrap_or(-1),
                permission.to_port().unwrap_or(-1),
                range.cidr_ip().unwrap_or_default().to_string(),
            ));
        }
    }
    let expected: BTreeSet<_> = GITHUB
        .iter()
        .chain([&ALLOWED])
        .map(|cidr| ("tcp".to_string(), 8080, 8080, cidr.to_string()))
        .collect();
    assert_eq!(
        ingress, expected,
        "8080 only, from the allowed range and GitHub"
    );
}

async fn check_role(aws: &Aws) {
    let role = aws
        .iam
        .get_role()
        .role_name("ceros-ski-ci-jenkins")
        .send()
        .await
        .expect("GetRole");
    let role = role.role().expect("the role");
    let trust = policy_json(role.assume_role_policy_document().unwrap_or_default());
    let statement = &trust["Statement"][0];
    assert_eq!(
        statement["Principal"]["Service"], "ec2.amazonaws.com",
        "{trust}"
    );
    assert_eq!(statement["Action"], "sts:AssumeRole", "{trust}");
    assert_tagged(
        "the role",
        &aws.role_tags("ceros-ski-ci-jenkins").await,
        "ci",
        "role",
    );

    let inline = aws
        .iam
        .get_role_policy()
        .role_name("ceros-ski-ci-jenkins")
        .policy_name("ceros-ski-delivery")
        .send()
        .await
        .expect("GetRolePolicy");
    let policy = policy_json(inline.policy_document());
    let repo = "arn:aws:ecr:us-east-1:123456789012:repository/ceros-ski";
    assert!(allows(&policy, "ecr:GetAuthorizationToken", "*"));
    for push in [
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
    ] {
        assert!(
            allows(&policy, push, repo),
            "{push} on the game's repository"
        );
        assert!(
            !allows(
                &policy,
                push,
                "arn:aws:ecr:us-east-1:123456789012:repository/other"
            ),
            "{push} on another repository"
        );
    }
    // What `skistack up environments` calls.
    for deploy in [
        "ecs:RegisterTaskDefinition",
        "ecs:UpdateService",
        "ec2:RunInstances",
        "ec2:CreateVpc",
        "elasticloadbalancing:CreateLoadBalancer",
        "autoscaling:CreateAutoScalingGroup",
        "logs:CreateLogGroup",
    ] {
        assert!(allows(&policy, deploy, "*"), "{deploy}");
    }
    let game_role = "arn:aws:iam::123456789012:role/ceros-ski-staging-task-execution";
    for iam in ["iam:CreateRole", "iam:PassRole", "iam:AttachRolePolicy"] {
        assert!(allows(&policy, iam, game_role), "{iam} on the game's roles");
        assert!(
            !allows(&policy, iam, "arn:aws:iam::123456789012:role/admin"),
            "{iam} on other roles"
        );
    }
    assert!(
        !allows(&policy, "iam:PutRolePolicy", game_role),
        "no inline grants"
    );
    // Attaching is limited to the two managed policies environments uses.
    for statement in granting(&policy, "iam:AttachRolePolicy", game_role) {
        let arns = strings(&statement["Condition"]["ArnEquals"]["iam:PolicyARN"]);
        assert_eq!(arns.len(), 2, "{statement}");
        assert!(
            arns.iter()
                .all(|a| a.contains("AmazonEC2ContainerServiceforEC2Role")
                    || a.contains("AmazonECSTaskExecutionRolePolicy")),
            "{arns:?}"
        );
    }

    let attached = aws
        .iam
        .list_attached_role_policies()
        .role_name("ceros-ski-ci-jenkins")
        .send()
        .await
        .expect("ListAttachedRolePolicies");
    let names: Vec<&str> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    assert_eq!(
        names,
        ["AmazonSSMManagedInstanceCore"],
        "Session Manager, not SSH"
    );
}

async fn check_user_data(aws: &Aws, id: &str, ci: &Path) {
    let out = aws
        .ec2
        .describe_instance_attribute()
        .instance_id(id)
        .attribute(aws_sdk_ec2::types::InstanceAttributeName::UserData)
        .send()
        .await
        .expect("DescribeInstanceAttribute");
    let encoded = out.user_data().and_then(|u| u.value()).expect("user data");
    assert!(
        encoded.len() <= 16 * 1024 * 4 / 3 + 4,
        "EC2 takes at most 16 KiB of user data"
    );
    let script = decode(encoded);
    assert!(script.starts_with("#!/bin/bash\n"), "{script}");
    for part in [
        "dnf install -y docker",
        "systemctl enable --now docker",
        "docker build -t ceros-ski-jenkins /opt/jenkins",
        "docker run -d --name jenkins --restart unless-stopped",
        "-p 8080:8080",
        "-v /var/run/docker.sock:/var/run/docker.sock",
        "-v /opt/jenkins/secrets:/run/secrets:ro",
        &format!("GITHUB_REPOSITORY_URL='{REPOSITORY}'"),
        "GITHUB_BRANCH='main'",
        "SKISTACK_STATE=/var/jenkins_home/skistack/state.db",
    ] {
        assert!(script.contains(part), "`{part}` missing from:\n{script}");
    }
    // The embedded files are the repository's ci/ files, byte for byte.
    for (target, file) in [
        ("/opt/jenkins/Dockerfile", "jenkins.Dockerfile"),
        ("/opt/jenkins/plugins.txt", "plugins.txt"),
        ("/opt/jenkins/jenkins.yaml", "jenkins.yaml"),
    ] {
        let line = script
            .lines()
            .find(|l| l.ends_with(&format!("| base64 -d >{target}")))
            .unwrap_or_else(|| panic!("{target} is not written:\n{script}"));
        let blob = line
            .strip_prefix("echo '")
            .and_then(|l| l.split('\'').next())
            .expect("echo '<base64>'");
        let expected = std::fs::read_to_string(ci.join(file)).expect("the ci/ file");
        assert_eq!(decode(blob), expected, "{target}");
    }
    // The admin password is made on the server, never carried in.
    assert!(
        !script.contains("JENKINS_ADMIN_PASSWORD="),
        "a password in the user data"
    );
    assert!(script.contains("head -c 24 /dev/urandom | base64 >\"$secret\""));
}
