//! The VPC, its subnets, the internet and NAT gateways and the routes.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::VpcAttributeName;

use super::{Deployed, Expected, set};
use crate::moto::aws::{Aws, assert_tagged, ec2_tags, filter};

/// The stacks' default `vpc_cidr`.
const VPC_CIDR: &str = "10.0.0.0/16";

/// An IPv4 CIDR as its first and last address.
fn cidr_range(cidr: &str) -> (u32, u32) {
    let (addr, len) = cidr
        .split_once('/')
        .unwrap_or_else(|| panic!("not a CIDR: {cidr}"));
    let ip: std::net::Ipv4Addr = addr.parse().unwrap_or_else(|e| panic!("{cidr}: {e}"));
    let len: u32 = len.parse().unwrap_or_else(|e| panic!("{cidr}: {e}"));
    let first = u32::from(ip);
    let size = if len == 0 {
        u32::MAX
    } else {
        (1u32 << (32 - len)) - 1
    };
    (first, first + size)
}

/// The VPC: its range, DNS support and hostnames, its tags.
pub(super) async fn check_vpc(aws: &Aws, d: &Deployed) {
    let vpcs = aws
        .ec2
        .describe_vpcs()
        .vpc_ids(&d.vpc_id)
        .send()
        .await
        .expect("DescribeVpcs");
    let vpc = &vpcs.vpcs()[0];
    assert_eq!(vpc.cidr_block(), Some(VPC_CIDR));
    assert_tagged("VPC", &ec2_tags(vpc.tags()), "environments", "vpc");
    for attribute in [
        VpcAttributeName::EnableDnsSupport,
        VpcAttributeName::EnableDnsHostnames,
    ] {
        let out = aws
            .ec2
            .describe_vpc_attribute()
            .vpc_id(&d.vpc_id)
            .attribute(attribute.clone())
            .send()
            .await
            .expect("DescribeVpcAttribute");
        let on = out
            .enable_dns_support()
            .or(out.enable_dns_hostnames())
            .and_then(|v| v.value());
        assert_eq!(on, Some(true), "VPC attribute {attribute:?}");
    }
}

/// A public and a private subnet in each of `zones` distinct zones, with
/// CIDRs inside the VPC's that don't overlap. Returns subnet → zone.
pub(super) async fn check_subnets(
    aws: &Aws,
    d: &Deployed,
    want: &Expected,
) -> BTreeMap<String, String> {
    let out = aws
        .ec2
        .describe_subnets()
        .filters(filter("vpc-id", &d.vpc_id))
        .send()
        .await
        .expect("DescribeSubnets");
    let subnets = out.subnets();
    assert_eq!(
        subnets.len(),
        2 * want.zones,
        "the VPC's subnets: {subnets:?}"
    );
    let mut zone_of = BTreeMap::new();
    let mut ranges = Vec::new();
    for s in subnets {
        let id = s.subnet_id().unwrap_or_default().to_string();
        let (tier, index) = match (
            d.public.iter().position(|p| *p == id),
            d.private.iter().position(|p| *p == id),
        ) {
            (Some(i), _) => ("public", i),
            (None, Some(i)) => ("private", i),
            (None, None) => panic!("subnet {id} is in no output list: {}", d.outputs),
        };
        let tags = ec2_tags(s.tags());
        assert_eq!(
            tags.get("tier").map(String::as_str),
            Some(tier),
            "subnet {id}"
        );
        assert_tagged("subnet", &tags, "environments", &format!("{tier}[{index}]"));
        zone_of.insert(id, s.availability_zone().unwrap_or_default().to_string());
        let cidr = s.cidr_block().unwrap_or_default().to_string();
        ranges.push((cidr_range(&cidr), cidr));
    }
    let public_zones: Vec<&String> = d.public.iter().map(|id| &zone_of[id]).collect();
    let private_zones: Vec<&String> = d.private.iter().map(|id| &zone_of[id]).collect();
    assert_eq!(
        set(public_zones.iter().map(|z| z.as_str())).len(),
        want.zones,
        "distinct zones: {public_zones:?}"
    );
    assert_eq!(
        public_zones, private_zones,
        "the i-th public and private subnets share a zone"
    );
    let (vpc_first, vpc_last) = cidr_range(VPC_CIDR);
    for (i, ((first, last), cidr)) in ranges.iter().enumerate() {
        assert!(
            vpc_first <= *first && *last <= vpc_last,
            "{cidr} is outside the VPC"
        );
        for ((other_first, other_last), other) in &ranges[i + 1..] {
            assert!(
                last < other_first || other_last < first,
                "{cidr} overlaps {other}"
            );
        }
    }
    zone_of
}

/// A NAT gateway per zone (or one for all) in the public subnets, each with
/// an Elastic IP; the public default route to the internet gateway and each
/// private one to its zone's NAT gateway.
pub(super) async fn check_nat_and_routes(aws: &Aws, d: &Deployed, want: &Expected) {
    let igws = aws
        .ec2
        .describe_internet_gateways()
        .filters(filter("attachment.vpc-id", &d.vpc_id))
        .send()
        .await
        .expect("DescribeInternetGateways");
    assert_eq!(
        igws.internet_gateways().len(),
        1,
        "{:?}",
        igws.internet_gateways()
    );
    let igw = igws.internet_gateways()[0]
        .internet_gateway_id()
        .unwrap_or_default()
        .to_string();
    assert_tagged(
        "internet gateway",
        &ec2_tags(igws.internet_gateways()[0].tags()),
        "environments",
        "igw",
    );

    let nat_in_zone = check_nat_gateways(aws, d, want).await;
    let tables = aws
        .ec2
        .describe_route_tables()
        .filters(filter("vpc-id", &d.vpc_id))
        .send()
        .await
        .expect("DescribeRouteTables");
    // (table id, default route's gateway, its NAT gateway, table tags)
    let default_route_of = |subnet: &str| {
        let table = tables
            .route_tables()
            .iter()
            .find(|t| {
                t.associations()
                    .iter()
                    .any(|a| a.subnet_id() == Some(subnet))
            })
            .unwrap_or_else(|| panic!("no route table is associated with subnet {subnet}"));
        let id = table.route_table_id().unwrap_or_default().to_string();
        let route = table
            .routes()
            .iter()
            .find(|r| r.destination_cidr_block() == Some("0.0.0.0/0"));
        let route = route.unwrap_or_else(|| panic!("route table {id} has no default route"));
        (
            id,
            route.gateway_id().map(str::to_string),
            route.nat_gateway_id().map(str::to_string),
            ec2_tags(table.tags()),
        )
    };
    for subnet in &d.public {
        let (table, gateway, _, tags) = default_route_of(subnet);
        assert_eq!(
            gateway.as_ref(),
            Some(&igw),
            "public subnet {subnet}'s default route (table {table})"
        );
        assert_tagged("public route table", &tags, "environments", "public_routes");
    }
    let mut private_tables = BTreeSet::new();
    for (index, subnet) in d.private.iter().enumerate() {
        let (table, _, nat, tags) = default_route_of(subnet);
        let zone = if want.single_nat {
            &d.zone_of[&d.public[0]]
        } else {
            &d.zone_of[subnet]
        };
        assert_eq!(
            nat.as_ref(),
            Some(&nat_in_zone[zone]),
            "private subnet {subnet}'s default route (table {table})"
        );
        assert_tagged(
            "private route table",
            &tags,
            "environments",
            &format!("private_routes[{index}]"),
        );
        private_tables.insert(table);
    }
    assert_eq!(
        private_tables.len(),
        want.zones,
        "a private route table per zone"
    );
}

/// The available NAT gateways and their Elastic IPs; returns zone → gateway.
async fn check_nat_gateways(aws: &Aws, d: &Deployed, want: &Expected) -> BTreeMap<String, String> {
    let nats = aws
        .ec2
        .describe_nat_gateways()
        .filter(filter("vpc-id", &d.vpc_id))
        .filter(filter("state", "available"))
        .send()
        .await
        .expect("DescribeNatGateways");
    let count = if want.single_nat { 1 } else { want.zones };
    assert_eq!(
        nats.nat_gateways().len(),
        count,
        "NAT gateways: {:?}",
        nats.nat_gateways()
    );
    let addresses = aws
        .ec2
        .describe_addresses()
        .send()
        .await
        .expect("DescribeAddresses");
    assert_eq!(
        addresses.addresses().len(),
        count,
        "Elastic IPs: {:?}",
        addresses.addresses()
    );
    let mut nat_in_zone = BTreeMap::new();
    for n in nats.nat_gateways() {
        let subnet = n.subnet_id().unwrap_or_default();
        let index = d.public.iter().position(|p| p == subnet);
        let index = index.unwrap_or_else(|| panic!("NAT gateway {n:?} is not in a public subnet"));
        assert_tagged(
            "NAT gateway",
            &ec2_tags(n.tags()),
            "environments",
            &format!("nat[{index}]"),
        );
        let allocation = n
            .nat_gateway_addresses()
            .first()
            .and_then(|a| a.allocation_id());
        let eip = addresses
            .addresses()
            .iter()
            .find(|a| a.allocation_id().is_some() && a.allocation_id() == allocation);
        let eip = eip.unwrap_or_else(|| panic!("NAT gateway {n:?} has no Elastic IP of the stack"));
        assert_tagged(
            "Elastic IP",
            &ec2_tags(eip.tags()),
            "environments",
            &format!("nat_ip[{index}]"),
        );
        let zone = d.zone_of[subnet].clone();
        let previous = nat_in_zone.insert(
            zone.clone(),
            n.nat_gateway_id().unwrap_or_default().to_string(),
        );
        assert!(previous.is_none(), "two NAT gateways in zone {zone}");
    }
    nat_in_zone
}
