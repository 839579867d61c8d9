//! The provider's built-in policy rules, one row per rule: id, severity,
//! the types it judges, what to tell the user, and the check. Each check
//! judges the values the type really uses (a property left out counts as
//! the type's default, e.g. IMDSv2 and encrypted root volumes are on unless
//! turned off), and a value not known until up is not judged.

use std::sync::Arc;

use skistack_engine::{Map, PolicyRule, RuleInfo, Severity, Subject, Value, Violation};

/// The addresses that mean "the whole internet".
const WORLD: [&str; 2] = ["0.0.0.0/0", "::/0"];
/// Ports whose exposure to the internet invites brute force: SSH and RDP.
const ADMIN_PORTS: [i64; 2] = [22, 3389];

/// One built-in rule.
struct Row {
    id: &'static str,
    severity: Severity,
    types: &'static [&'static str],
    title: &'static str,
    reason: &'static str,
    fix: &'static str,
    check: fn(&Subject<'_>) -> Vec<Violation>,
}

const RULES: &[Row] = &[
    Row {
        id: "SKI-SG-001",
        severity: Severity::Critical,
        types: &["aws:ec2:SecurityGroupRule"],
        title: "Security group ingress from the internet to an admin port",
        reason: "SSH (22) and RDP (3389) open to 0.0.0.0/0 or ::/0 are scanned and brute-forced within minutes.",
        fix: "Allow only the addresses that need it (an office range, a bastion's security group), or use Session Manager instead of SSH.",
        check: world_to_admin_port,
    },
    Row {
        id: "SKI-SG-002",
        severity: Severity::Critical,
        types: &["aws:ec2:SecurityGroupRule"],
        title: "Security group ingress from the internet to all ports or all protocols",
        reason: "Every service on the instances, including ones never meant to be public, is reachable from anywhere.",
        fix: "Admit only the protocol and port the service answers on.",
        check: world_to_all_ports,
    },
    Row {
        id: "SKI-SG-003",
        severity: Severity::Low,
        types: &["aws:ec2:SecurityGroup", "aws:ec2:SecurityGroupRule"],
        title: "Egress to everywhere",
        reason: "A compromised instance can send data anywhere; allow-all egress is rarely needed.",
        fix: "Set `revoke_default_egress = true` on the group and add egress rules for what it really reaches (HTTPS to AWS APIs, the database port).",
        check: egress_everywhere,
    },
    Row {
        id: "SKI-LB-001",
        severity: Severity::High,
        types: &["aws:elbv2:Listener"],
        title: "Load balancer listener on plain HTTP without a redirect to HTTPS",
        reason: "Traffic, cookies and credentials cross the internet unencrypted.",
        fix: "Serve HTTPS (`protocol = \"HTTPS\"` with a certificate) and make the HTTP listener's default action a redirect to HTTPS.",
        check: http_listener,
    },
    Row {
        id: "SKI-EC2-001",
        severity: Severity::High,
        types: &["aws:ec2:Instance", "aws:ec2:LaunchTemplate"],
        title: "Instance metadata without IMDSv2",
        reason: "IMDSv1 answers any request, so a server-side request forgery reads the instance role's credentials.",
        fix: "Leave `metadata_options.http_tokens` out or set it to \"required\".",
        check: imds_v1,
    },
    Row {
        id: "SKI-EC2-002",
        severity: Severity::High,
        types: &["aws:ec2:Instance", "aws:ec2:LaunchTemplate"],
        title: "Unencrypted EBS volume",
        reason: "Snapshots and volumes of the instance can be read without the key policy's consent.",
        fix: "Leave `encrypted` out or set it to true; a launch template declares its root volume in `block_device_mappings`.",
        check: unencrypted_volume,
    },
    Row {
        id: "SKI-ECR-001",
        severity: Severity::High,
        types: &["aws:ecr:Repository"],
        title: "ECR repository with mutable image tags",
        reason: "A pushed tag can be moved to another image, so a deploy of a tag may run code nobody reviewed.",
        fix: "Set `image_tag_mutability = \"IMMUTABLE\"`.",
        check: mutable_tags,
    },
    Row {
        id: "SKI-ECR-002",
        severity: Severity::Medium,
        types: &["aws:ecr:Repository"],
        title: "ECR repository without scan on push",
        reason: "Images with known vulnerabilities are pushed and deployed unnoticed.",
        fix: "Set `scan_on_push = true`.",
        check: no_scan_on_push,
    },
    Row {
        id: "SKI-IAM-001",
        severity: Severity::Critical,
        types: &["aws:iam:RolePolicy"],
        title: "IAM policy allows every action",
        reason: "`Action: \"*\"` makes the role an administrator of what its resources name.",
        fix: "List the actions the role needs.",
        check: any_action,
    },
    Row {
        id: "SKI-IAM-002",
        severity: Severity::High,
        types: &["aws:iam:RolePolicy"],
        title: "IAM policy allows write actions on every resource",
        reason: "A write action on `Resource: \"*\"` reaches every resource of the account, not only the stack's own.",
        fix: "Name the resources by ARN (a name prefix such as `arn:aws:ecs:*:*:service/ceros-ski-*`), or add a condition such as `aws:ResourceTag/project`.",
        check: write_on_any_resource,
    },
    Row {
        id: "SKI-IAM-003",
        severity: Severity::Critical,
        types: &["aws:iam:RolePolicy"],
        title: "IAM policy allows iam:PassRole on every role",
        reason: "Passing any role, an administrator's included, to a service it launches lets the holder act with that role's rights.",
        fix: "Limit `iam:PassRole` to the roles the stack makes, by ARN.",
        check: pass_any_role,
    },
    Row {
        id: "SKI-LOG-001",
        severity: Severity::Medium,
        types: &["aws:logs:LogGroup"],
        title: "Log group without retention",
        reason: "Logs are kept, and paid for, forever, with whatever personal data they hold.",
        fix: "Set `retention_in_days` (e.g. 30).",
        check: no_retention,
    },
    Row {
        id: "SKI-ECS-001",
        severity: Severity::Low,
        types: &["aws:ecs:Cluster"],
        title: "ECS cluster without Container Insights",
        reason: "Without task-level metrics, a failing or saturated service is noticed late.",
        fix: "Set `container_insights = true`.",
        check: no_insights,
    },
    Row {
        id: "SKI-ECS-002",
        severity: Severity::High,
        types: &["aws:ecs:TaskDefinition"],
        title: "Privileged container",
        reason: "A privileged container has the host's devices and kernel capabilities: escaping it takes the container instance.",
        fix: "Remove `privileged = true`; grant single capabilities instead if one is needed.",
        check: privileged_container,
    },
    Row {
        id: "SKI-ECS-003",
        severity: Severity::Medium,
        types: &["aws:ecs:TaskDefinition"],
        title: "Container runs as root",
        reason: "A process escaping the container is root on the instance.",
        fix: "Set the container's `user` to a non-root user the image has (e.g. \"101\" for nginx, or a USER the Dockerfile creates).",
        check: root_container,
    },
];

/// A rule of [`RULES`] as the engine sees it.
struct BuiltIn {
    info: RuleInfo,
    row: &'static Row,
}

impl PolicyRule for BuiltIn {
    fn info(&self) -> &RuleInfo {
        &self.info
    }

    fn judges(&self, type_token: &str) -> bool {
        self.row.types.contains(&type_token)
    }

    fn check(&self, subject: &Subject<'_>) -> Vec<Violation> {
        (self.row.check)(subject)
    }
}

/// Every built-in rule.
pub(crate) fn rules() -> Vec<Arc<dyn PolicyRule>> {
    RULES
        .iter()
        .map(|row| {
            Arc::new(BuiltIn {
                info: RuleInfo {
                    id: row.id.to_string(),
                    severity: row.severity,
                    title: row.title.to_string(),
                    reason: row.reason.to_string(),
                    fix: row.fix.to_string(),
                },
                row,
            }) as Arc<dyn PolicyRule>
        })
        .collect()
}

// ------------------------------------------------------------ helpers

/// A string property, when known.
fn text<'a>(s: &Subject<'a>, name: &str) -> Option<&'a str> {
    s.get(name).and_then(Value::as_str)
}

/// A bool property, when known; `default` when left out.
fn flag(s: &Subject<'_>, name: &str, default: bool) -> Option<bool> {
    match s.get(name) {
        None | Some(Value::Null) => Some(default),
        Some(v) => v.as_bool(),
    }
}

/// Whether a known list property names the whole internet.
fn from_world(s: &Subject<'_>) -> bool {
    s.get("cidr_blocks")
        .and_then(Value::as_list)
        .is_some_and(|l| {
            l.iter()
                .any(|c| c.as_str().is_some_and(|c| WORLD.contains(&c)))
        })
}

/// A security group rule's protocol, with AWS's names for "all".
fn all_protocols(protocol: &str) -> bool {
    matches!(protocol, "-1" | "all")
}

/// The port range of a rule; `None` when not known yet.
fn ports(s: &Subject<'_>) -> Option<(i64, i64)> {
    let port = |name| match s.get(name) {
        None | Some(Value::Null) => Some(None),
        Some(v) => v.as_int().map(Some),
    };
    let from = port("from_port")?;
    let to = port("to_port")?;
    Some((from.unwrap_or(0), to.or(from).unwrap_or(65535)))
}

fn ingress_from_world(s: &Subject<'_>) -> bool {
    text(s, "direction") == Some("ingress") && from_world(s)
}

// ------------------------------------------------------------ checks

fn world_to_admin_port(s: &Subject<'_>) -> Vec<Violation> {
    let Some(protocol) = text(s, "protocol") else {
        return Vec::new();
    };
    if !ingress_from_world(s) || all_protocols(protocol) || !matches!(protocol, "tcp" | "6") {
        return Vec::new();
    }
    let Some((from, to)) = ports(s) else {
        return Vec::new();
    };
    ADMIN_PORTS
        .iter()
        .filter(|p| (from..=to).contains(p))
        .map(|p| Violation::at("cidr_blocks", format!("port {p} is open to the internet")))
        .collect()
}

fn world_to_all_ports(s: &Subject<'_>) -> Vec<Violation> {
    let Some(protocol) = text(s, "protocol") else {
        return Vec::new();
    };
    if !ingress_from_world(s) {
        return Vec::new();
    }
    if all_protocols(protocol) {
        return vec![Violation::at(
            "protocol",
            "every protocol is open to the internet",
        )];
    }
    match ports(s) {
        Some((from, to)) if from <= 0 && to >= 65535 => vec![Violation::at(
            "from_port",
            format!("every {protocol} port is open to the internet"),
        )],
        _ => Vec::new(),
    }
}

fn egress_everywhere(s: &Subject<'_>) -> Vec<Violation> {
    if s.type_token == "aws:ec2:SecurityGroup" {
        return match flag(s, "revoke_default_egress", false) {
            Some(false) => vec![Violation::missing(
                "the group keeps AWS's default rule allowing all egress to 0.0.0.0/0",
            )],
            _ => Vec::new(),
        };
    }
    match text(s, "direction") == Some("egress") && from_world(s) {
        true => vec![Violation::at(
            "cidr_blocks",
            "egress is allowed to the whole internet",
        )],
        false => Vec::new(),
    }
}

fn http_listener(s: &Subject<'_>) -> Vec<Violation> {
    if text(s, "protocol").unwrap_or("HTTP") != "HTTP" {
        return Vec::new();
    }
    let Some(action) = s.get("default_action").and_then(Value::as_map) else {
        return Vec::new();
    };
    let kind = action.get("type").and_then(Value::as_str);
    let redirect_to = action
        .get("redirect")
        .and_then(Value::as_map)
        .and_then(|r| r.get("protocol"))
        .and_then(Value::as_str);
    match (kind, redirect_to) {
        (None, _) | (Some("redirect"), Some("HTTPS")) => Vec::new(),
        (Some("redirect"), None) if action.get("redirect").is_some_and(Value::contains_unknown) => {
            Vec::new()
        }
        _ => vec![Violation::at(
            "protocol",
            "the listener serves plain HTTP instead of redirecting to HTTPS",
        )],
    }
}

fn imds_v1(s: &Subject<'_>) -> Vec<Violation> {
    let tokens = s
        .get("metadata_options")
        .and_then(Value::as_map)
        .and_then(|m| m.get("http_tokens"));
    match tokens.map(|t| t.as_str()) {
        Some(Some(t)) if t != "required" => vec![Violation::at(
            "metadata_options",
            format!("http_tokens is \"{t}\", so IMDSv1 answers"),
        )],
        _ => Vec::new(),
    }
}

fn unencrypted(m: &Map) -> bool {
    m.get("encrypted").and_then(Value::as_bool) == Some(false)
}

fn unencrypted_volume(s: &Subject<'_>) -> Vec<Violation> {
    if s.type_token == "aws:ec2:Instance" {
        return match s.get("root_block_device").and_then(Value::as_map) {
            Some(root) if unencrypted(root) => vec![Violation::at(
                "root_block_device",
                "the root volume is not encrypted",
            )],
            _ => Vec::new(),
        };
    }
    match s.get("block_device_mappings") {
        None | Some(Value::Null) => vec![Violation::missing(
            "no block_device_mappings: the root volume comes unencrypted from the AMI's snapshot",
        )],
        Some(v) => match v.as_list() {
            Some(list) if list.iter().filter_map(Value::as_map).any(unencrypted) => {
                vec![Violation::at(
                    "block_device_mappings",
                    "a volume sets encrypted = false",
                )]
            }
            _ => Vec::new(),
        },
    }
}

fn mutable_tags(s: &Subject<'_>) -> Vec<Violation> {
    match s.get("image_tag_mutability") {
        None | Some(Value::Null) => vec![Violation::missing(
            "image_tag_mutability is left out, so tags are MUTABLE",
        )],
        Some(v) if v.as_str() == Some("MUTABLE") => {
            vec![Violation::at("image_tag_mutability", "tags are MUTABLE")]
        }
        _ => Vec::new(),
    }
}

/// A bool property that must be true, where leaving it out means false.
fn must_be_true(s: &Subject<'_>, name: &str) -> Vec<Violation> {
    match s.get(name) {
        None | Some(Value::Null) => vec![Violation::missing(format!("{name} is left out"))],
        Some(v) if v.as_bool() == Some(false) => {
            vec![Violation::at(name, format!("{name} is false"))]
        }
        _ => Vec::new(),
    }
}

fn no_scan_on_push(s: &Subject<'_>) -> Vec<Violation> {
    must_be_true(s, "scan_on_push")
}

fn no_retention(s: &Subject<'_>) -> Vec<Violation> {
    match s.get("retention_in_days") {
        None | Some(Value::Null) => vec![Violation::missing(
            "retention_in_days is left out, so logs never expire",
        )],
        Some(v) if v.as_int() == Some(0) => vec![Violation::at(
            "retention_in_days",
            "retention_in_days is 0, so logs never expire",
        )],
        _ => Vec::new(),
    }
}

fn no_insights(s: &Subject<'_>) -> Vec<Violation> {
    must_be_true(s, "container_insights")
}

// ------------------------------------------------------------ IAM

/// One `Allow` statement of a policy document: its actions and resources,
/// and whether a condition narrows it.
struct Grant {
    actions: Vec<String>,
    resources: Vec<String>,
    conditional: bool,
}

/// The `Allow` statements of a known policy document; none while the
/// document is not known (or not JSON, which the type itself reports).
fn grants(s: &Subject<'_>) -> Vec<Grant> {
    let Some(doc) = text(s, "policy") else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(doc) else {
        return Vec::new();
    };
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        match v {
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    let statements = match json.get("Statement") {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(one @ serde_json::Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    };
    statements
        .iter()
        .filter(|st| st.get("Effect").and_then(|e| e.as_str()) == Some("Allow"))
        .map(|st| Grant {
            actions: strings(st.get("Action")),
            resources: strings(st.get("Resource")),
            conditional: st.get("Condition").is_some(),
        })
        .collect()
}

/// Whether an action only reads (by AWS's naming of read actions).
fn reads_only(action: &str) -> bool {
    const READ: [&str; 5] = ["Get", "List", "Describe", "BatchGet", "Lookup"];
    let name = action.split_once(':').map_or(action, |(_, n)| n);
    READ.iter().any(|p| name.starts_with(p)) && !name.contains('*')
}

fn any_action(s: &Subject<'_>) -> Vec<Violation> {
    match grants(s).iter().any(|g| g.actions.iter().any(|a| a == "*")) {
        true => vec![Violation::at("policy", "a statement allows Action \"*\"")],
        false => Vec::new(),
    }
}

fn write_on_any_resource(s: &Subject<'_>) -> Vec<Violation> {
    let mut writes: Vec<String> = grants(s)
        .iter()
        .filter(|g| !g.conditional && g.resources.iter().any(|r| r == "*"))
        .flat_map(|g| g.actions.iter().filter(|a| !reads_only(a)).cloned())
        .filter(|a| a != "*" && a != "iam:PassRole")
        .collect();
    writes.dedup();
    match writes.is_empty() {
        true => Vec::new(),
        false => vec![Violation::at(
            "policy",
            format!("allowed on Resource \"*\": {}", writes.join(", ")),
        )],
    }
}

fn pass_any_role(s: &Subject<'_>) -> Vec<Violation> {
    let passes = |a: &String| a == "iam:PassRole" || a == "iam:*";
    match grants(s)
        .iter()
        .any(|g| g.resources.iter().any(|r| r == "*") && g.actions.iter().any(passes))
    {
        true => vec![Violation::at(
            "policy",
            "iam:PassRole is allowed on Resource \"*\"",
        )],
        false => Vec::new(),
    }
}

// ------------------------------------------------------------ ECS

/// Each container definition as a table, when the definitions are known:
/// written as tables or as ECS's JSON (the keys read here, `name`, `user`
/// and `privileged`, are spelled the same in both).
fn containers(s: &Subject<'_>) -> Vec<Map> {
    let list = match s.get("container_definitions") {
        Some(Value::String(json)) => match serde_json::from_str(json) {
            Ok(j) => Value::from_json(&j),
            Err(_) => return Vec::new(),
        },
        Some(v) => v.clone(),
        None => return Vec::new(),
    };
    list.as_list()
        .map(|l| l.iter().filter_map(Value::as_map).cloned().collect())
        .unwrap_or_default()
}

fn container_name(c: &Map) -> &str {
    c.get("name").and_then(Value::as_str).unwrap_or("?")
}

fn privileged_container(s: &Subject<'_>) -> Vec<Violation> {
    containers(s)
        .into_iter()
        .filter(|c| c.get("privileged").and_then(Value::as_bool) == Some(true))
        .map(|c| {
            Violation::at(
                "container_definitions",
                format!("container `{}` is privileged", container_name(&c)),
            )
        })
        .collect()
}

fn root_container(s: &Subject<'_>) -> Vec<Violation> {
    containers(s)
        .into_iter()
        .filter(|c| match c.get("user") {
            None | Some(Value::Null) => true,
            Some(u) => u
                .as_str()
                .is_some_and(|u| matches!(u.split(':').next(), Some("root" | "0"))),
        })
        .map(|c| {
            Violation::at(
                "container_definitions",
                format!("container `{}` runs as root", container_name(&c)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject<'a>(token: &'a str, inputs: &'a Map) -> Subject<'a> {
        Subject {
            address: "r",
            type_token: token,
            inputs,
        }
    }

    fn ids(token: &str, inputs: Map) -> Vec<String> {
        let s = subject(token, &inputs);
        rules()
            .iter()
            .filter(|r| r.judges(token) && !r.check(&s).is_empty())
            .map(|r| r.info().id.clone())
            .collect()
    }

    fn map(pairs: &[(&str, Value)]) -> Map {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn ids_are_unique() {
        let mut all: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), RULES.len());
    }

    #[test]
    fn ssh_from_the_world_is_critical_and_from_a_range_is_not() {
        let rule = |cidr: &str, from: i64, to: i64| {
            map(&[
                ("direction", "ingress".into()),
                ("protocol", "tcp".into()),
                ("from_port", Value::Int(from)),
                ("to_port", Value::Int(to)),
                ("cidr_blocks", Value::List(vec![cidr.into()])),
            ])
        };
        let sgr = "aws:ec2:SecurityGroupRule";
        assert_eq!(ids(sgr, rule("0.0.0.0/0", 22, 22)), ["SKI-SG-001"]);
        assert_eq!(ids(sgr, rule("::/0", 3000, 4000)), ["SKI-SG-001"]);
        assert_eq!(
            ids(sgr, rule("0.0.0.0/0", 0, 65535)),
            ["SKI-SG-001", "SKI-SG-002"]
        );
        assert!(ids(sgr, rule("203.0.113.7/32", 22, 22)).is_empty());
        assert!(ids(sgr, rule("0.0.0.0/0", 443, 443)).is_empty());
        let unknown = map(&[
            ("direction", "ingress".into()),
            ("protocol", "tcp".into()),
            ("cidr_blocks", Value::Unknown),
        ]);
        assert!(ids(sgr, unknown).is_empty());
    }

    #[test]
    fn iam_wildcards_are_told_apart() {
        let policy = |statement: &str| {
            map(&[(
                "policy",
                format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#).into(),
            )])
        };
        let rp = "aws:iam:RolePolicy";
        assert_eq!(
            ids(
                rp,
                policy(r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#)
            ),
            ["SKI-IAM-001"]
        );
        assert_eq!(
            ids(
                rp,
                policy(
                    r#"{"Effect": "Allow", "Action": ["ec2:*", "ec2:DescribeVpcs"], "Resource": "*"}"#
                )
            ),
            ["SKI-IAM-002"]
        );
        assert_eq!(
            ids(
                rp,
                policy(r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#)
            ),
            ["SKI-IAM-003"]
        );
        assert!(
            ids(
                rp,
                policy(r#"{"Effect": "Allow", "Action": "ec2:DescribeVpcs", "Resource": "*"}"#)
            )
            .is_empty()
        );
        assert!(ids(rp, policy(r#"{"Effect": "Allow", "Action": "ecs:UpdateService", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/project": "ceros-ski"}}}"#)).is_empty());
        assert!(
            ids(
                rp,
                policy(r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#)
            )
            .is_empty()
        );
    }
}
