//! `aws:ec2:SecurityGroupRule`: one ingress or egress rule of a group.

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, ResourceType as Ec2ResourceType, SecurityGroupRule as AwsRule,
    UserIdGroupPair,
};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use crate::ec2::{filter, identity_filters, own_tag_spec};
use crate::errors::{aws_error, error_code, found, gone_ok};
use crate::kit::{AwsResource, Call, Out, adopt_own, created, read_back};
use crate::props::{Put, list_of_str, opt_i32, opt_str, str_list, str_of};
use crate::retry::{EVENTUAL_LIMIT, retry_codes};
use crate::shared::Clients;
use crate::tags::{has_identity, tag_pairs};

/// Codes of a group not yet visible right after its creation.
const FRESH: &[&str] = &["InvalidGroup.NotFound"];

/// A rule of a security group. AWS makes one rule per CIDR block, so the id
/// is the rule id (`sgr-...`), or several joined by commas for a rule with
/// several `cidr_blocks`.
#[derive(Default)]
pub(crate) struct SecurityGroupRule;

/// The rule as declared.
struct Spec<'a> {
    group: &'a str,
    egress: bool,
    protocol: &'a str,
    from_port: Option<i32>,
    to_port: Option<i32>,
    cidrs: Vec<String>,
    source_group: Option<&'a str>,
    description: Option<&'a str>,
}

impl<'a> Spec<'a> {
    fn from_inputs(inputs: &'a Map) -> Result<Spec<'a>, ProviderError> {
        let egress = match str_of(inputs, "direction")? {
            "ingress" => false,
            "egress" => true,
            other => {
                return Err(ProviderError::Invalid(format!(
                    "property `direction` must be \"ingress\" or \"egress\", not {other:?}"
                )));
            }
        };
        let spec = Spec {
            group: str_of(inputs, "security_group_id")?,
            egress,
            protocol: str_of(inputs, "protocol")?,
            from_port: opt_i32(inputs, "from_port")?,
            to_port: opt_i32(inputs, "to_port")?,
            cidrs: list_of_str(inputs, "cidr_blocks")?,
            source_group: opt_str(inputs, "source_security_group_id")?,
            description: opt_str(inputs, "description")?,
        };
        if spec.cidrs.is_empty() == spec.source_group.is_none() {
            return Err(ProviderError::Invalid(
                "a security group rule needs exactly one of `cidr_blocks` and \
                 `source_security_group_id`"
                    .into(),
            ));
        }
        Ok(spec)
    }

    fn permission(&self) -> IpPermission {
        let mut p = IpPermission::builder()
            .ip_protocol(self.protocol)
            .set_from_port(self.from_port)
            .set_to_port(self.to_port);
        for cidr in &self.cidrs {
            p = p.ip_ranges(
                IpRange::builder()
                    .cidr_ip(cidr)
                    .set_description(self.description.map(str::to_string))
                    .build(),
            );
        }
        if let Some(g) = self.source_group {
            p = p.user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(g)
                    .set_description(self.description.map(str::to_string))
                    .build(),
            );
        }
        p.build()
    }

    /// How the rule reads in messages: "ingress tcp 443 from 0.0.0.0/0".
    fn describe(&self) -> String {
        let ports = match (self.from_port, self.to_port) {
            (Some(f), Some(t)) if f == t => format!(" {f}"),
            (Some(f), Some(t)) => format!(" {f}-{t}"),
            _ => String::new(),
        };
        let peer = match self.source_group {
            Some(g) => g.to_string(),
            None => self.cidrs.join(", "),
        };
        let (kind, dir) = if self.egress {
            ("egress", "to")
        } else {
            ("ingress", "from")
        };
        format!("{kind} {}{ports} {dir} {peer}", self.protocol)
    }

    /// True when an AWS rule is (part of) this rule: same direction,
    /// protocol, ports and a declared peer.
    fn matches(&self, rule: &AwsRule) -> bool {
        let same_protocol = rule
            .ip_protocol()
            .is_some_and(|p| protocol_name(p) == protocol_name(self.protocol));
        // AWS reports -1 for the ports of "all traffic"; undeclared ports
        // match whatever it reports.
        let port =
            |declared: Option<i32>, actual: Option<i32>| declared.is_none() || declared == actual;
        let peer = match self.source_group {
            Some(g) => rule.referenced_group_info().and_then(|i| i.group_id()) == Some(g),
            None => rule
                .cidr_ipv4()
                .is_some_and(|c| self.cidrs.iter().any(|d| d == c)),
        };
        rule.group_id() == Some(self.group)
            && rule.is_egress() == Some(self.egress)
            && same_protocol
            && port(self.from_port, rule.from_port())
            && port(self.to_port, rule.to_port())
            && peer
    }
}

/// A protocol as AWS reports it: names for the usual numbers, `-1` for all.
fn protocol_name(p: &str) -> String {
    match p.to_ascii_lowercase().as_str() {
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "all" => "-1".into(),
        other => other.to_string(),
    }
}

fn outputs_of(inputs: &Map, ids: &[String]) -> Map {
    let mut out = inputs.clone();
    out.insert("rule_ids".into(), str_list(ids.iter().cloned()));
    out
}

fn rule_ids(rules: &[AwsRule]) -> Vec<String> {
    rules
        .iter()
        .filter_map(|r| r.security_group_rule_id().map(str::to_string))
        .collect()
}

/// The rules of the id; `None` when every one is gone.
async fn describe(clients: &Clients, id: &str) -> Result<Option<Vec<AwsRule>>, ProviderError> {
    let ids: Vec<String> = id.split(',').map(str::to_string).collect();
    let res = clients
        .ec2
        .describe_security_group_rules()
        .set_security_group_rule_ids(Some(ids))
        .send()
        .await;
    match found(&format!("describe security group rule {id}"), res)? {
        Some(out) if !out.security_group_rules().is_empty() => {
            Ok(Some(out.security_group_rules().to_vec()))
        }
        // One of several ids being gone fails the whole call: read them one
        // by one then, keeping those that remain.
        None if id.contains(',') => {
            let mut rules = Vec::new();
            for one in id.split(',') {
                let res = clients
                    .ec2
                    .describe_security_group_rules()
                    .security_group_rule_ids(one)
                    .send()
                    .await;
                if let Some(out) = found(&format!("describe security group rule {one}"), res)? {
                    rules.extend(out.security_group_rules().iter().cloned());
                }
            }
            Ok((!rules.is_empty()).then_some(rules))
        }
        _ => Ok(None),
    }
}

/// The declared properties as AWS has them.
fn read_inputs(rules: &[AwsRule], declared: &Map) -> Map {
    let mut read = Map::new();
    let Some(first) = rules.first() else {
        return read;
    };
    read.put("security_group_id", first.group_id().unwrap_or_default());
    let kind = if first.is_egress().unwrap_or(false) {
        "egress"
    } else {
        "ingress"
    };
    read.insert("direction".into(), kind.into());
    read.put("protocol", first.ip_protocol().unwrap_or_default());
    // AWS reports -1 for "all ports"; only compare ports that were declared.
    for (key, port) in [
        ("from_port", first.from_port()),
        ("to_port", first.to_port()),
    ] {
        if let (Some(p), true) = (port, declared.contains_key(key)) {
            read.insert(key.into(), Value::Int(i64::from(p)));
        }
    }
    let cidrs: Vec<&str> = rules.iter().filter_map(|r| r.cidr_ipv4()).collect();
    if !cidrs.is_empty() {
        read.insert("cidr_blocks".into(), str_list(cidrs));
    }
    if let Some(g) = first.referenced_group_info().and_then(|g| g.group_id()) {
        read.insert("source_security_group_id".into(), g.into());
    }
    if let Some(d) = first.description().filter(|d| !d.is_empty()) {
        read.insert("description".into(), d.into());
    }
    read
}

/// The rules an authorize call added; `None` when the group already has
/// the rule (a request of an earlier run that landed late, or a conflict).
fn added_rules<E, R>(
    spec: &Spec<'_>,
    res: Result<Vec<AwsRule>, SdkError<E, R>>,
) -> Result<Option<Vec<AwsRule>>, ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    match res {
        Ok(r) => Ok(Some(r)),
        Err(e) if error_code(&e) == Some("InvalidPermission.Duplicate") => Ok(None),
        Err(e) => Err(aws_error(
            &format!("add rule {} to {}", spec.describe(), spec.group),
            e,
        )),
    }
}

/// Whether the rules `ids` (one per peer) are all the declared peers: a
/// partial match is someone else's rule beside a part of ours.
fn covers(spec: &Spec<'_>, ids: &str) -> bool {
    let found = ids.split(',').count();
    found
        == spec
            .cidrs
            .len()
            .max(usize::from(spec.source_group.is_some()))
}

/// The error of a rule that exists but is not this instance's own.
fn duplicate(spec: &Spec<'_>) -> ProviderError {
    ProviderError::Failed(format!(
        "security group {} already has the rule {}: remove the rule made outside this stack, \
         or the duplicate declaration",
        spec.group,
        spec.describe()
    ))
}

/// The outcome of a revoke: a rule already gone (removed with its group,
/// or by hand) counts as removed.
fn removed<T, E, R>(what: &str, res: Result<T, SdkError<E, R>>) -> Result<(), ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    match res {
        Err(e) if error_code(&e).is_some_and(|c| c.starts_with("InvalidSecurityGroupRuleId")) => {
            Ok(())
        }
        other => gone_ok(what, other),
    }
}

#[async_trait]
impl AwsResource for SecurityGroupRule {
    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ec2:SecurityGroupRule",
            "An ingress or egress rule of a security group, from CIDR blocks or another group. \
                 Every change replaces it.",
        )
        .properties([
            Property::required("security_group_id", ValueType::String).force_new(),
            Property::required("direction", ValueType::String)
                .force_new()
                .describe("ingress or egress."),
            Property::required("protocol", ValueType::String)
                .force_new()
                .describe("tcp, udp, icmp, or -1 for all."),
            Property::optional("from_port", ValueType::Int)
                .force_new()
                .describe("First port; leave out for protocol -1."),
            Property::optional("to_port", ValueType::Int)
                .force_new()
                .describe("Last port; leave out for protocol -1."),
            Property::optional("cidr_blocks", ValueType::list(ValueType::String)).force_new(),
            Property::optional("source_security_group_id", ValueType::String)
                .force_new()
                .describe(
                    "The other group (the source of an ingress rule, the destination of \
                         an egress rule).",
                ),
            Property::optional("description", ValueType::String).force_new(),
        ])
        .attributes([Attribute::new(
            "rule_ids",
            ValueType::list(ValueType::String),
        )])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let spec = Spec::from_inputs(inputs)?;
        let tags = own_tag_spec(call, Ec2ResourceType::SecurityGroupRule)?;
        let rules = if spec.egress {
            let res = retry_codes(FRESH, EVENTUAL_LIMIT, || {
                clients
                    .ec2
                    .authorize_security_group_egress()
                    .group_id(spec.group)
                    .ip_permissions(spec.permission())
                    .tag_specifications(tags.clone())
                    .send()
            })
            .await;
            added_rules(&spec, res.map(|o| o.security_group_rules().to_vec()))?
        } else {
            let res = retry_codes(FRESH, EVENTUAL_LIMIT, || {
                clients
                    .ec2
                    .authorize_security_group_ingress()
                    .group_id(spec.group)
                    .ip_permissions(spec.permission())
                    .tag_specifications(tags.clone())
                    .send()
            })
            .await;
            added_rules(&spec, res.map(|o| o.security_group_rules().to_vec()))?
        };
        let Some(rules) = rules else {
            // An authorize of an earlier run that landed after its lookup made
            // the rule, carrying this instance's identity: adopt it. Anyone
            // else's rule is a conflict to resolve by hand.
            return adopt_own(self, call, |own| covers(&spec, &own.id), duplicate(&spec)).await;
        };
        let ids = rule_ids(&rules);
        if ids.is_empty() {
            return Err(ProviderError::Failed(format!(
                "add rule {} to {}: the response names no rule id",
                spec.describe(),
                spec.group
            )));
        }
        Ok(created(ids.join(","), outputs_of(inputs, &ids)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let Some(rules) = describe(clients, id).await? else {
            return Ok(None);
        };
        let read = read_inputs(&rules, inputs);
        let mut out = inputs.clone();
        out.extend(read.clone());
        read_back(read, outputs_of(&out, &rule_ids(&rules)))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let group = str_of(inputs, "security_group_id")?;
        let egress = inputs.get("direction").and_then(Value::as_str) == Some("egress");
        let ids: Vec<String> = id.split(',').map(str::to_string).collect();
        let what = format!("remove rule {id} from {group}");
        if egress {
            let res = clients
                .ec2
                .revoke_security_group_egress()
                .group_id(group)
                .set_security_group_rule_ids(Some(ids))
                .send()
                .await;
            removed(&what, res)
        } else {
            let res = clients
                .ec2
                .revoke_security_group_ingress()
                .group_id(group)
                .set_security_group_rule_ids(Some(ids))
                .send()
                .await;
            removed(&what, res)
        }
    }

    /// The rules of the group that carry the identity tags and match the
    /// declared rule. AWS allows one rule per group, direction, protocol,
    /// ports and peer, so the match also tells the new rules of a
    /// replacement from the old ones (which carry the same tags).
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let spec = Spec::from_inputs(inputs)?;
        let res = clients
            .ec2
            .describe_security_group_rules()
            .set_filters(Some({
                let mut f = identity_filters(ctx);
                f.push(filter("group-id", spec.group));
                f
            }))
            .send()
            .await;
        let Some(out) = found(&format!("find rules of {} by tags", spec.group), res)? else {
            return Ok(Vec::new());
        };
        let matching: Vec<AwsRule> = out
            .security_group_rules()
            .iter()
            .filter(|r| spec.matches(r) && has_identity(ctx, tag_pairs(r.tags())))
            .cloned()
            .collect();
        let ids = rule_ids(&matching);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![created(ids.join(","), outputs_of(inputs, &ids))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::ReferencedSecurityGroup;

    fn inputs(pairs: &[(&str, Value)]) -> Map {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn rule(
        egress: bool,
        protocol: &str,
        ports: i32,
        cidr: Option<&str>,
        group: Option<&str>,
    ) -> AwsRule {
        AwsRule::builder()
            .group_id("sg-1")
            .is_egress(egress)
            .ip_protocol(protocol)
            .from_port(ports)
            .to_port(ports)
            .set_cidr_ipv4(cidr.map(str::to_string))
            .set_referenced_group_info(
                group.map(|g| ReferencedSecurityGroup::builder().group_id(g).build()),
            )
            .build()
    }

    #[test]
    fn a_rule_matches_by_direction_protocol_ports_and_peer() {
        let m = inputs(&[
            ("security_group_id", "sg-1".into()),
            ("direction", "ingress".into()),
            ("protocol", "tcp".into()),
            ("from_port", Value::Int(22)),
            ("to_port", Value::Int(22)),
            ("cidr_blocks", str_list(["10.0.0.0/8", "192.168.0.0/16"])),
        ]);
        let spec = Spec::from_inputs(&m).unwrap();
        assert!(spec.matches(&rule(false, "tcp", 22, Some("10.0.0.0/8"), None)));
        assert!(spec.matches(&rule(false, "6", 22, Some("192.168.0.0/16"), None)));
        assert!(
            !spec.matches(&rule(true, "tcp", 22, Some("10.0.0.0/8"), None)),
            "egress"
        );
        assert!(
            !spec.matches(&rule(false, "udp", 22, Some("10.0.0.0/8"), None)),
            "protocol"
        );
        assert!(
            !spec.matches(&rule(false, "tcp", 80, Some("10.0.0.0/8"), None)),
            "port"
        );
        assert!(
            !spec.matches(&rule(false, "tcp", 22, Some("0.0.0.0/0"), None)),
            "peer"
        );
    }

    #[test]
    fn a_wrong_direction_is_named_by_its_property() {
        let m = inputs(&[
            ("security_group_id", "sg-1".into()),
            ("direction", "inbound".into()),
            ("protocol", "tcp".into()),
            ("cidr_blocks", str_list(["10.0.0.0/8"])),
        ]);
        let Err(ProviderError::Invalid(msg)) = Spec::from_inputs(&m) else {
            panic!("`inbound` accepted");
        };
        assert!(msg.starts_with("property `direction` must be"), "{msg}");
    }

    #[test]
    fn all_traffic_from_a_group_matches_whatever_ports_aws_reports() {
        let m = inputs(&[
            ("security_group_id", "sg-1".into()),
            ("direction", "egress".into()),
            ("protocol", "all".into()),
            ("source_security_group_id", "sg-2".into()),
        ]);
        let spec = Spec::from_inputs(&m).unwrap();
        assert!(spec.matches(&rule(true, "-1", -1, None, Some("sg-2"))));
        assert!(!spec.matches(&rule(true, "-1", -1, None, Some("sg-3"))));
        assert!(!spec.matches(&rule(true, "-1", -1, Some("0.0.0.0/0"), None)));
    }
}
