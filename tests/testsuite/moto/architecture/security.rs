//! The security groups and the bastion host.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{HttpTokensState, SecurityGroup};
use skistack_test_support::cli::{BASTION_CIDR, out_str};

use super::{Deployed, Groups, NAME, set};
use crate::moto::aws::{Aws, assert_tagged, ec2_tags, filter};

/// An ingress rule as (protocol, from port, to port, CIDRs, source groups).
type Rule = (String, i32, i32, BTreeSet<String>, BTreeSet<String>);

fn ingress(group: &SecurityGroup) -> BTreeSet<Rule> {
    group
        .ip_permissions()
        .iter()
        .map(|p| {
            (
                p.ip_protocol().unwrap_or_default().to_string(),
                p.from_port().unwrap_or(-1),
                p.to_port().unwrap_or(-1),
                set(p.ip_ranges().iter().filter_map(|r| r.cidr_ip())),
                set(p.user_id_group_pairs().iter().filter_map(|u| u.group_id())),
            )
        })
        .collect()
}

fn tcp(port: i32, cidrs: &[&str], groups: &[&str]) -> Rule {
    (
        "tcp".to_string(),
        port,
        port,
        set(cidrs.iter().copied()),
        set(groups.iter().copied()),
    )
}

/// SSH to the bastion from the configured CIDR only; HTTP to the load
/// balancer from anywhere; the app port to the container instances from the
/// load balancer only, and SSH from the bastion only.
pub(super) async fn check_groups(aws: &Aws, d: &Deployed) -> Groups {
    let out = aws
        .ec2
        .describe_security_groups()
        .filters(filter("vpc-id", &d.vpc_id))
        .send()
        .await
        .expect("DescribeSecurityGroups");
    let group = |suffix: &str| {
        let name = format!("{NAME}-{suffix}");
        let g = out
            .security_groups()
            .iter()
            .find(|g| g.group_name() == Some(name.as_str()));
        g.unwrap_or_else(|| panic!("no security group {name}: {:?}", out.security_groups()))
    };
    let (bastion, alb, instances) = (group("bastion"), group("alb"), group("instances"));
    let ids = Groups {
        bastion: bastion.group_id().unwrap_or_default().to_string(),
        alb: alb.group_id().unwrap_or_default().to_string(),
        instances: instances.group_id().unwrap_or_default().to_string(),
    };
    assert_tagged(
        "security group",
        &ec2_tags(bastion.tags()),
        "environments",
        "bastion_sg",
    );
    assert_eq!(
        ingress(bastion),
        BTreeSet::from([tcp(22, &[BASTION_CIDR], &[])]),
        "the bastion's ingress"
    );
    assert_eq!(
        ingress(alb),
        BTreeSet::from([tcp(80, &["0.0.0.0/0"], &[])]),
        "the load balancer's ingress"
    );
    assert_eq!(
        ingress(instances),
        BTreeSet::from([tcp(22, &[], &[&ids.bastion]), tcp(80, &[], &[&ids.alb])]),
        "the container instances' ingress"
    );
    ids
}

/// The bastion: running in the first public subnet with a public IP, IMDSv2
/// required, an encrypted root volume, its security group and key pair.
pub(super) async fn check_bastion(aws: &Aws, d: &Deployed, groups: &Groups) {
    let out = aws
        .ec2
        .describe_instances()
        .filters(filter("vpc-id", &d.vpc_id))
        .filters(filter("tag:skistack:resource", "bastion"))
        .filters(filter("instance-state-name", "running"))
        .send()
        .await
        .expect("DescribeInstances");
    let found: Vec<_> = out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .collect();
    assert_eq!(found.len(), 1, "one running bastion: {found:?}");
    let bastion = found[0];
    assert_eq!(
        bastion.subnet_id(),
        Some(d.public[0].as_str()),
        "the bastion is in the first public subnet"
    );
    assert_eq!(
        bastion.public_ip_address(),
        Some(out_str(&d.outputs, "bastion_public_ip"))
    );
    let tokens = bastion.metadata_options().and_then(|m| m.http_tokens());
    assert_eq!(
        tokens,
        Some(&HttpTokensState::Required),
        "IMDSv2 is required"
    );
    assert_eq!(
        Aws::instance_groups(bastion),
        std::slice::from_ref(&groups.bastion),
        "the bastion's security groups"
    );
    assert_eq!(bastion.key_name(), Some(NAME));
    assert_tagged(
        "bastion",
        &ec2_tags(bastion.tags()),
        "environments",
        "bastion",
    );

    let root = bastion
        .block_device_mappings()
        .iter()
        .find(|b| b.device_name() == bastion.root_device_name());
    let volume = root.and_then(|b| b.ebs()).and_then(|e| e.volume_id());
    let volume = volume.unwrap_or_else(|| panic!("the bastion has no root volume: {bastion:?}"));
    let volumes = aws
        .ec2
        .describe_volumes()
        .volume_ids(volume)
        .send()
        .await
        .expect("DescribeVolumes");
    assert_eq!(
        volumes.volumes()[0].encrypted(),
        Some(true),
        "the bastion's root volume is encrypted"
    );

    let keys = aws
        .ec2
        .describe_key_pairs()
        .key_names(NAME)
        .send()
        .await
        .expect("DescribeKeyPairs");
    assert_tagged(
        "key pair",
        &ec2_tags(keys.key_pairs()[0].tags()),
        "environments",
        "key",
    );
}
