//! Policy checks through the binary: every built-in rule found where a
//! stack breaks it (rule id, address, file:line) and silent where the
//! stack follows it; findings in preview's text and JSON; `up --policy
//! enforce` refusing with exit code 5 before any AWS call.

use skistack_test_support::Project;

use crate::BIN;

/// Breaks every built-in rule once; each finding is expected at the line
/// of the property that causes it, or of the declaration's header.
const BAD: &str = r#"
[resources.ssh]
type = "aws:ec2:SecurityGroupRule"
security_group_id = "sg-1"
direction = "ingress"
protocol = "tcp"
from_port = 22
to_port = 22
cidr_blocks = ["0.0.0.0/0"]

[resources.everything]
type = "aws:ec2:SecurityGroupRule"
security_group_id = "sg-1"
direction = "ingress"
protocol = "-1"
cidr_blocks = ["::/0"]

[resources.group]
type = "aws:ec2:SecurityGroup"
name = "open"
vpc_id = "vpc-1"

[resources.listener]
type = "aws:elbv2:Listener"
load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1"
port = 80
protocol = "HTTP"
default_action = { type = "forward", target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1" }

[resources.server]
type = "aws:ec2:Instance"
ami = "ami-1"
instance_type = "t3.micro"
metadata_options = { http_tokens = "optional" }
root_block_device = { encrypted = false }

[resources.template]
type = "aws:ec2:LaunchTemplate"
name = "t"

[resources.repo]
type = "aws:ecr:Repository"
name = "r"

[resources.policy]
type = "aws:iam:RolePolicy"
role = "r"
name = "p"
policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Allow", "Action": ["s3:PutObject", "iam:PassRole"], "Resource": "*"}]}'

[resources.logs]
type = "aws:logs:LogGroup"
name = "l"

[resources.cluster]
type = "aws:ecs:Cluster"
name = "c"

[resources.task]
type = "aws:ecs:TaskDefinition"
family = "f"
container_definitions = [{ name = "app", image = "nginx", memory = 128, privileged = true }]
"#;

/// What [`BAD`] breaks: rule, address and line.
const FOUND: &[(&str, &str, usize)] = &[
    ("SKI-SG-001", "ssh", 9),
    ("SKI-SG-002", "everything", 15),
    ("SKI-SG-003", "group", 18),
    ("SKI-LB-001", "listener", 27),
    ("SKI-EC2-001", "server", 34),
    ("SKI-EC2-002", "server", 35),
    ("SKI-EC2-002", "template", 37),
    ("SKI-ECR-001", "repo", 41),
    ("SKI-ECR-002", "repo", 41),
    ("SKI-IAM-001", "policy", 49),
    ("SKI-IAM-002", "policy", 49),
    ("SKI-IAM-003", "policy", 49),
    ("SKI-LOG-001", "logs", 51),
    ("SKI-ECS-001", "cluster", 55),
    ("SKI-ECS-002", "task", 62),
    ("SKI-ECS-003", "task", 62),
];

/// [`BAD`] with every finding fixed.
const GOOD: &str = r#"
[resources.ssh]
type = "aws:ec2:SecurityGroupRule"
security_group_id = "sg-1"
direction = "ingress"
protocol = "tcp"
from_port = 22
to_port = 22
cidr_blocks = ["203.0.113.7/32"]

[resources.https]
type = "aws:ec2:SecurityGroupRule"
security_group_id = "sg-1"
direction = "ingress"
protocol = "tcp"
from_port = 443
to_port = 443
cidr_blocks = ["0.0.0.0/0", "::/0"]

[resources.group]
type = "aws:ec2:SecurityGroup"
name = "closed"
vpc_id = "vpc-1"
revoke_default_egress = true

[resources.listener]
type = "aws:elbv2:Listener"
load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1"
port = 80
protocol = "HTTP"
default_action = { type = "redirect", redirect = { protocol = "HTTPS", port = "443", status_code = "HTTP_301" } }

[resources.server]
type = "aws:ec2:Instance"
ami = "ami-1"
instance_type = "t3.micro"

[resources.template]
type = "aws:ec2:LaunchTemplate"
name = "t"
block_device_mappings = [{ device_name = "/dev/xvda", volume_size = 30 }]

[resources.repo]
type = "aws:ecr:Repository"
name = "r"
image_tag_mutability = "IMMUTABLE"
scan_on_push = true

[resources.policy]
type = "aws:iam:RolePolicy"
role = "r"
name = "p"
policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}, {"Effect": "Allow", "Action": ["ecr:*", "iam:PassRole"], "Resource": "arn:aws:ecr:*:*:repository/r"}]}'

[resources.logs]
type = "aws:logs:LogGroup"
name = "l"
retention_in_days = 30

[resources.cluster]
type = "aws:ecs:Cluster"
name = "c"
container_insights = true

[resources.task]
type = "aws:ecs:TaskDefinition"
family = "f"
container_definitions = '[{"name": "app", "image": "nginx", "memory": 128, "user": "101"}]'
"#;

fn findings(p: &Project, stack: &str) -> Vec<(String, String, usize)> {
    let json = p.preview_json(stack, &[]);
    let list = json["stacks"][0]["policy"]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut found: Vec<(String, String, usize)> = list
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["address"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default() as usize,
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn every_built_in_rule_is_found_where_broken_and_silent_where_followed() {
    let p = Project::new(BIN);
    p.stack("bad", BAD);
    p.stack("good", GOOD);
    let mut want: Vec<(String, String, usize)> = FOUND
        .iter()
        .map(|(id, a, l)| (id.to_string(), a.to_string(), *l))
        .collect();
    want.sort();
    assert_eq!(findings(&p, "bad"), want);
    assert_eq!(findings(&p, "good"), []);
}

#[test]
fn preview_prints_findings_by_severity_and_enforce_refuses_up_with_code_5() {
    let p = Project::new(BIN);
    p.stack("bad", BAD);
    p.run(&["preview", "bad"])
        .ok()
        .contains(
            "Policy of stack bad (advisory): 16 findings: 4 critical, 7 high, 3 medium, 2 low",
        )
        .contains("SKI-SG-001 ssh  ")
        .contains("bad.toml:9:1")
        .contains("fix: Allow only the addresses that need it");

    // Refused before anything is applied: no AWS endpoint is even needed.
    p.run(&["up", "bad", "--yes", "--policy", "enforce"])
        .expect_code(5)
        .contains("(stops up)")
        .contains("11 policy findings at or above `high` in enforce mode; nothing was applied");
    assert!(p.recorded("bad", "default").is_empty());
    p.run(&[
        "up",
        "bad",
        "--yes",
        "--policy",
        "enforce",
        "--policy-threshold",
        "critical",
    ])
    .expect_code(5)
    .contains("4 policy findings at or above `critical`");
}
