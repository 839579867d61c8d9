//! The EC2 and SSM types against moto, through the provider's own trait
//! methods, checked through the AWS SDK.

use crate::common;
use crate::conformance::{Case, conform};

use std::collections::BTreeMap;

use crate::common::{
    Moto, ctx, ctx_with_config, data_source, map, out_str, provider, resource, strs, table,
    with_defaults,
};
use aws_sdk_ec2::types::Tag;
use skistack_engine::{Map, Provider, ProviderError, Value};
use skistack_provider_aws::AwsProvider;

const AL2023: &str = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
pub(crate) const PUBLIC_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAiaIq3oT1zaj+Q3OhPWRtsTObG7VujarpuewL/birO7 skistack-test";

fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect()
}

/// Creates a resource the way the engine does (defaults applied first).
async fn create(
    p: &AwsProvider,
    token: &str,
    stack: &str,
    name: &str,
    inputs: Map,
) -> (String, Map, Map) {
    let rt = resource(p, token);
    let inputs = with_defaults(rt.as_ref(), inputs);
    let created = rt
        .create(&ctx(stack, name), &inputs)
        .await
        .unwrap_or_else(|e| panic!("create {token} {name}: {e}"));
    (created.id, inputs, created.outputs)
}

/// Deletes, checks that a read then finds nothing, and deletes again.
async fn delete_and_check_gone(
    p: &AwsProvider,
    token: &str,
    id: &str,
    inputs: &Map,
    outputs: &Map,
) {
    common::delete_and_check_gone(p, &ctx("net", "x"), token, id, inputs, outputs).await;
}

async fn new_vpc(p: &AwsProvider, cidr: &str) -> (String, Map, Map) {
    create(
        p,
        "aws:ec2:Vpc",
        "net",
        "vpc",
        map([("cidr_block", cidr.into())]),
    )
    .await
}

#[tokio::test]
async fn availability_zones_and_ssm_parameters() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("net", "azs");

    let azs = data_source(&p, "aws:ec2:AvailabilityZones");
    let mut inputs = Map::new();
    azs.schema().apply_defaults(&mut inputs);
    let out = azs.invoke(&c, &inputs).await.expect("availability zones");
    let names: Vec<&str> = out["names"]
        .as_list()
        .expect("names")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let ids = out["zone_ids"].as_list().expect("zone_ids");
    assert!(names.len() >= 2, "{names:?}");
    assert!(
        names.iter().all(|n| n.starts_with("us-east-1")),
        "{names:?}"
    );
    assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "not sorted: {names:?}"
    );
    assert_eq!(ids.len(), names.len());

    let param = data_source(&p, "aws:ssm:Parameter");
    let out = param
        .invoke(&c, &map([("name", AL2023.into())]))
        .await
        .expect("SSM parameter");
    assert!(out_str(&out, "value").starts_with("ami-"), "{out:?}");
    assert!(out["version"].as_int().is_some_and(|v| v >= 1), "{out:?}");

    let missing = param
        .invoke(&c, &map([("name", "/no/such/parameter".into())]))
        .await;
    assert!(
        matches!(missing, Err(ProviderError::NotFound(ref m)) if m.contains("ParameterNotFound")),
        "{missing:?}"
    );
}

#[tokio::test]
async fn vpc_round_trip_with_tags_update_and_find() {
    let moto = Moto::start();
    let p = provider(&moto);
    let vpc = resource(&p, "aws:ec2:Vpc");
    let config = map([(
        "default_tags",
        table(&[("team", "infra"), ("owner", "ops")]),
    )]);
    let c = ctx_with_config("web", "vpc", config.clone());
    let inputs = with_defaults(
        vpc.as_ref(),
        map([
            ("cidr_block", "10.10.0.0/16".into()),
            ("enable_dns_hostnames", true.into()),
            ("tags", table(&[("Name", "main"), ("owner", "web-team")])),
        ]),
    );

    let created = vpc.create(&c, &inputs).await.expect("create VPC");
    let id = created.id.clone();
    assert!(id.starts_with("vpc-"), "{id}");
    let out = &created.outputs;
    assert_eq!(out_str(out, "cidr_block"), "10.10.0.0/16");
    assert!(
        out_str(out, "default_security_group_id").starts_with("sg-"),
        "{out:?}"
    );
    assert!(
        out_str(out, "main_route_table_id").starts_with("rtb-"),
        "{out:?}"
    );
    assert_eq!(
        out_str(out, "arn"),
        format!(
            "arn:aws:ec2:us-east-1:{}:vpc/{id}",
            out_str(out, "owner_id")
        )
    );

    // Tags as AWS has them: defaults, own tags (winning), identity tags.
    let clients = p.shared().clients(&c).await.expect("clients");
    let described = clients
        .ec2
        .describe_vpcs()
        .vpc_ids(&id)
        .send()
        .await
        .expect("describe");
    let tags = tag_map(described.vpcs()[0].tags());
    assert_eq!(tags.get("team").map(String::as_str), Some("infra"));
    assert_eq!(tags.get("owner").map(String::as_str), Some("web-team"));
    assert_eq!(tags.get("Name").map(String::as_str), Some("main"));
    assert_eq!(tags.get("skistack:stack").map(String::as_str), Some("web"));
    assert_eq!(tags.get("skistack:env").map(String::as_str), Some("test"));
    assert_eq!(
        tags.get("skistack:resource").map(String::as_str),
        Some("vpc")
    );

    let read = vpc
        .read(&c, &id, &inputs, out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["enable_dns_hostnames"], Value::Bool(true));
    assert_eq!(read.inputs["enable_dns_support"], Value::Bool(true));
    assert_eq!(read.inputs["cidr_block"], Value::from("10.10.0.0/16"));
    assert_eq!(
        read.inputs["tags"],
        table(&[("Name", "main"), ("owner", "web-team")])
    );

    // Update in place: DNS hostnames off, one tag changed, one removed.
    let mut new_inputs = inputs.clone();
    new_inputs.insert("enable_dns_hostnames".into(), false.into());
    new_inputs.insert("tags".into(), table(&[("Name", "renamed")]));
    let updated = vpc
        .update(&c, &id, &inputs, out, &new_inputs)
        .await
        .expect("update");
    assert_eq!(
        updated["default_security_group_id"],
        out["default_security_group_id"]
    );
    let read = vpc
        .read(&c, &id, &new_inputs, &updated)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["enable_dns_hostnames"], Value::Bool(false));
    assert_eq!(read.inputs["tags"], table(&[("Name", "renamed")]));
    let described = clients
        .ec2
        .describe_vpcs()
        .vpc_ids(&id)
        .send()
        .await
        .expect("describe");
    let tags = tag_map(described.vpcs()[0].tags());
    assert_eq!(
        tags.get("owner").map(String::as_str),
        Some("ops"),
        "the default shows again: {tags:?}"
    );
    assert_eq!(tags.get("Name").map(String::as_str), Some("renamed"));

    // find locates it by its identity tags, and nothing for another name.
    let found = vpc
        .find(&c, &new_inputs)
        .await
        .expect("find")
        .expect("found");
    assert_eq!(found.id, id);
    assert_eq!(
        found.outputs["main_route_table_id"],
        out["main_route_table_id"]
    );
    let other = ctx_with_config("web", "other-vpc", config);
    assert!(
        vpc.find(&other, &new_inputs)
            .await
            .expect("find other")
            .is_none()
    );

    delete_and_check_gone(&p, "aws:ec2:Vpc", &id, &new_inputs, &updated).await;
}

#[tokio::test]
async fn public_network_lifecycle() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("net", "x");
    let clients = p.shared().clients(&c).await.expect("clients");
    let (vpc_id, vpc_in, vpc_out) = new_vpc(&p, "10.20.0.0/16").await;

    // Subnet, with map_public_ip_on_launch changed in place.
    let (subnet_id, subnet_in, subnet_out) = create(
        &p,
        "aws:ec2:Subnet",
        "net",
        "public",
        map([
            ("vpc_id", vpc_id.clone().into()),
            ("cidr_block", "10.20.1.0/24".into()),
            ("availability_zone", "us-east-1a".into()),
            ("map_public_ip_on_launch", true.into()),
        ]),
    )
    .await;
    assert!(
        out_str(&subnet_out, "arn").ends_with(&format!("subnet/{subnet_id}")),
        "{subnet_out:?}"
    );
    let subnet = resource(&p, "aws:ec2:Subnet");
    let read = subnet
        .read(&c, &subnet_id, &subnet_in, &subnet_out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["map_public_ip_on_launch"], Value::Bool(true));
    assert_eq!(read.inputs["availability_zone"], Value::from("us-east-1a"));
    let mut private_in = subnet_in.clone();
    private_in.insert("map_public_ip_on_launch".into(), false.into());
    let subnet_out = subnet
        .update(&c, &subnet_id, &subnet_in, &subnet_out, &private_in)
        .await
        .expect("update");
    let described = clients
        .ec2
        .describe_subnets()
        .subnet_ids(&subnet_id)
        .send()
        .await
        .expect("describe");
    assert_eq!(
        described.subnets()[0].map_public_ip_on_launch(),
        Some(false)
    );

    // Internet gateway, attached on create.
    let (igw_id, igw_in, igw_out) = create(
        &p,
        "aws:ec2:InternetGateway",
        "net",
        "igw",
        map([("vpc_id", vpc_id.clone().into())]),
    )
    .await;
    let described = clients
        .ec2
        .describe_internet_gateways()
        .internet_gateway_ids(&igw_id)
        .send()
        .await
        .expect("describe");
    let attachments = described.internet_gateways()[0].attachments();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].vpc_id(), Some(vpc_id.as_str()));
    let igw = resource(&p, "aws:ec2:InternetGateway");
    let read = igw
        .read(&c, &igw_id, &igw_in, &igw_out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["vpc_id"], Value::from(vpc_id.as_str()));

    // Route table, a default route to the gateway, and the subnet's association.
    let (rtb_id, rtb_in, rtb_out) = create(
        &p,
        "aws:ec2:RouteTable",
        "net",
        "public-rt",
        map([("vpc_id", vpc_id.clone().into())]),
    )
    .await;
    let (route_id, route_in, route_out) = create(
        &p,
        "aws:ec2:Route",
        "net",
        "default-route",
        map([
            ("route_table_id", rtb_id.clone().into()),
            ("destination_cidr_block", "0.0.0.0/0".into()),
            ("gateway_id", igw_id.clone().into()),
        ]),
    )
    .await;
    assert_eq!(route_id, format!("{rtb_id}_0.0.0.0/0"));
    let route = resource(&p, "aws:ec2:Route");
    let read = route
        .read(&c, &route_id, &route_in, &route_out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["gateway_id"], Value::from(igw_id.as_str()));
    let found = route
        .find(&c, &route_in)
        .await
        .expect("find")
        .expect("found");
    assert_eq!(found.id, route_id);

    let (assoc_id, assoc_in, assoc_out) = create(
        &p,
        "aws:ec2:RouteTableAssociation",
        "net",
        "public-assoc",
        map([
            ("subnet_id", subnet_id.clone().into()),
            ("route_table_id", rtb_id.clone().into()),
        ]),
    )
    .await;
    assert!(assoc_id.starts_with("rtbassoc-"), "{assoc_id}");
    let assoc = resource(&p, "aws:ec2:RouteTableAssociation");
    let read = assoc
        .read(&c, &assoc_id, &assoc_in, &assoc_out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["subnet_id"], Value::from(subnet_id.as_str()));
    assert_eq!(read.inputs["route_table_id"], Value::from(rtb_id.as_str()));
    assert_eq!(
        assoc.find(&c, &assoc_in).await.expect("find").map(|f| f.id),
        Some(assoc_id.clone())
    );

    // Tear down in dependency order; each delete is idempotent.
    delete_and_check_gone(
        &p,
        "aws:ec2:RouteTableAssociation",
        &assoc_id,
        &assoc_in,
        &assoc_out,
    )
    .await;
    delete_and_check_gone(&p, "aws:ec2:Route", &route_id, &route_in, &route_out).await;
    delete_and_check_gone(&p, "aws:ec2:RouteTable", &rtb_id, &rtb_in, &rtb_out).await;
    delete_and_check_gone(&p, "aws:ec2:InternetGateway", &igw_id, &igw_in, &igw_out).await;
    delete_and_check_gone(&p, "aws:ec2:Subnet", &subnet_id, &private_in, &subnet_out).await;
    delete_and_check_gone(&p, "aws:ec2:Vpc", &vpc_id, &vpc_in, &vpc_out).await;
}

#[tokio::test]
async fn nat_gateway_eip_and_route_lifecycle() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("net", "x");
    let clients = p.shared().clients(&c).await.expect("clients");
    let (vpc_id, vpc_in, vpc_out) = new_vpc(&p, "10.30.0.0/16").await;
    let (subnet_id, subnet_in, subnet_out) = create(
        &p,
        "aws:ec2:Subnet",
        "net",
        "public",
        map([
            ("vpc_id", vpc_id.clone().into()),
            ("cidr_block", "10.30.1.0/24".into()),
        ]),
    )
    .await;
    let (igw_id, igw_in, igw_out) = create(
        &p,
        "aws:ec2:InternetGateway",
        "net",
        "igw",
        map([("vpc_id", vpc_id.clone().into())]),
    )
    .await;

    let (eip_id, eip_in, eip_out) = create(
        &p,
        "aws:ec2:Eip",
        "net",
        "nat-ip",
        map([("tags", table(&[("Name", "nat")]))]),
    )
    .await;
    assert!(eip_id.starts_with("eipalloc-"), "{eip_id}");
    assert_eq!(out_str(&eip_out, "allocation_id"), eip_id);
    let public_ip = out_str(&eip_out, "public_ip").to_string();
    assert!(!public_ip.is_empty());
    let described = clients
        .ec2
        .describe_addresses()
        .allocation_ids(&eip_id)
        .send()
        .await
        .expect("describe");
    let tags = tag_map(described.addresses()[0].tags());
    assert_eq!(
        tags.get("skistack:resource").map(String::as_str),
        Some("nat-ip")
    );

    let (nat_id, nat_in, nat_out) = create(
        &p,
        "aws:ec2:NatGateway",
        "net",
        "nat",
        map([
            ("subnet_id", subnet_id.clone().into()),
            ("allocation_id", eip_id.clone().into()),
        ]),
    )
    .await;
    assert!(nat_id.starts_with("nat-"), "{nat_id}");
    assert_eq!(out_str(&nat_out, "public_ip"), public_ip);
    assert_eq!(out_str(&nat_out, "vpc_id"), vpc_id);
    let nat = resource(&p, "aws:ec2:NatGateway");
    let read = nat
        .read(&c, &nat_id, &nat_in, &nat_out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["subnet_id"], Value::from(subnet_id.as_str()));
    assert_eq!(read.inputs["allocation_id"], Value::from(eip_id.as_str()));
    assert_eq!(read.inputs["connectivity_type"], Value::from("public"));
    let found = nat
        .find(&ctx("net", "nat"), &nat_in)
        .await
        .expect("find")
        .expect("found");
    assert_eq!(found.id, nat_id);

    // A private route through the NAT gateway, then switched in place to the IGW.
    let (rtb_id, rtb_in, rtb_out) = create(
        &p,
        "aws:ec2:RouteTable",
        "net",
        "private-rt",
        map([("vpc_id", vpc_id.clone().into())]),
    )
    .await;
    let (route_id, route_in, route_out) = create(
        &p,
        "aws:ec2:Route",
        "net",
        "private-default",
        map([
            ("route_table_id", rtb_id.clone().into()),
            ("destination_cidr_block", "0.0.0.0/0".into()),
            ("nat_gateway_id", nat_id.clone().into()),
        ]),
    )
    .await;
    let route = resource(&p, "aws:ec2:Route");
    let read = route
        .read(&c, &route_id, &route_in, &route_out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["nat_gateway_id"], Value::from(nat_id.as_str()));
    assert!(!read.inputs.contains_key("gateway_id"));
    let via_igw = map([
        ("route_table_id", rtb_id.clone().into()),
        ("destination_cidr_block", "0.0.0.0/0".into()),
        ("gateway_id", igw_id.clone().into()),
    ]);
    let route_out2 = route
        .update(&c, &route_id, &route_in, &route_out, &via_igw)
        .await
        .expect("replace route");
    let read = route
        .read(&c, &route_id, &via_igw, &route_out2)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["gateway_id"], Value::from(igw_id.as_str()));
    let both = map([
        ("route_table_id", rtb_id.clone().into()),
        ("destination_cidr_block", "10.99.0.0/16".into()),
        ("gateway_id", igw_id.clone().into()),
        ("nat_gateway_id", nat_id.clone().into()),
    ]);
    let err = route.create(&c, &both).await.expect_err("two targets");
    assert!(
        matches!(err, ProviderError::Invalid(ref m) if m.contains("exactly one")),
        "{err}"
    );

    delete_and_check_gone(&p, "aws:ec2:Route", &route_id, &via_igw, &route_out2).await;
    delete_and_check_gone(&p, "aws:ec2:RouteTable", &rtb_id, &rtb_in, &rtb_out).await;
    delete_and_check_gone(&p, "aws:ec2:NatGateway", &nat_id, &nat_in, &nat_out).await;
    delete_and_check_gone(&p, "aws:ec2:Eip", &eip_id, &eip_in, &eip_out).await;
    let described = clients
        .ec2
        .describe_addresses()
        .send()
        .await
        .expect("describe addresses");
    assert!(
        described
            .addresses()
            .iter()
            .all(|a| a.allocation_id() != Some(eip_id.as_str()))
    );
    delete_and_check_gone(&p, "aws:ec2:InternetGateway", &igw_id, &igw_in, &igw_out).await;
    delete_and_check_gone(&p, "aws:ec2:Subnet", &subnet_id, &subnet_in, &subnet_out).await;
    delete_and_check_gone(&p, "aws:ec2:Vpc", &vpc_id, &vpc_in, &vpc_out).await;
}

#[tokio::test]
async fn security_group_and_rules() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("net", "x");
    let clients = p.shared().clients(&c).await.expect("clients");
    let (vpc_id, _, _) = new_vpc(&p, "10.40.0.0/16").await;

    let (sg_id, sg_in, sg_out) = create(
        &p,
        "aws:ec2:SecurityGroup",
        "net",
        "web-sg",
        map([
            ("name", "web".into()),
            ("vpc_id", vpc_id.clone().into()),
            ("revoke_default_egress", true.into()),
        ]),
    )
    .await;
    assert!(sg_id.starts_with("sg-"), "{sg_id}");
    assert!(
        out_str(&sg_out, "arn").ends_with(&format!("security-group/{sg_id}")),
        "{sg_out:?}"
    );
    assert!(!out_str(&sg_out, "owner_id").is_empty());
    let described = clients
        .ec2
        .describe_security_groups()
        .group_ids(&sg_id)
        .send()
        .await
        .expect("describe");
    assert!(
        described.security_groups()[0]
            .ip_permissions_egress()
            .is_empty(),
        "default egress was not revoked"
    );
    let sg = resource(&p, "aws:ec2:SecurityGroup");
    let read = sg
        .read(&c, &sg_id, &sg_in, &sg_out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["name"], Value::from("web"));
    assert_eq!(
        read.inputs["description"],
        Value::from("Managed by skistack")
    );

    let (lb_sg_id, lb_sg_in, lb_sg_out) = create(
        &p,
        "aws:ec2:SecurityGroup",
        "net",
        "lb-sg",
        map([("name", "lb".into()), ("vpc_id", vpc_id.clone().into())]),
    )
    .await;

    // An ingress rule from anywhere, read back.
    let https = map([
        ("security_group_id", sg_id.clone().into()),
        ("direction", "ingress".into()),
        ("protocol", "tcp".into()),
        ("from_port", 443.into()),
        ("to_port", 443.into()),
        ("cidr_blocks", strs(&["0.0.0.0/0"])),
        ("description", "https".into()),
    ]);
    let (rule_id, rule_in, rule_out) = create(
        &p,
        "aws:ec2:SecurityGroupRule",
        "net",
        "https",
        https.clone(),
    )
    .await;
    assert!(rule_id.starts_with("sgr-"), "{rule_id}");
    let rule = resource(&p, "aws:ec2:SecurityGroupRule");
    let read = rule
        .read(&c, &rule_id, &rule_in, &rule_out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        read.inputs["security_group_id"],
        Value::from(sg_id.as_str())
    );
    assert_eq!(read.inputs["direction"], Value::from("ingress"));
    assert_eq!(read.inputs["protocol"], Value::from("tcp"));
    assert_eq!(read.inputs["from_port"], Value::Int(443));
    assert_eq!(read.inputs["to_port"], Value::Int(443));
    assert_eq!(read.inputs["cidr_blocks"], strs(&["0.0.0.0/0"]));
    assert_eq!(read.inputs["description"], Value::from("https"));

    // The same rule again is an error that names it.
    let err = rule
        .create(&ctx("net", "https-again"), &https)
        .await
        .expect_err("duplicate");
    let msg = err.to_string();
    assert!(
        msg.contains("already has the rule ingress tcp 443 from 0.0.0.0/0"),
        "{msg}"
    );

    // A rule from another group, and an egress rule to it.
    let (from_lb_id, from_lb_in, from_lb_out) = create(
        &p,
        "aws:ec2:SecurityGroupRule",
        "net",
        "from-lb",
        map([
            ("security_group_id", sg_id.clone().into()),
            ("direction", "ingress".into()),
            ("protocol", "tcp".into()),
            ("from_port", 8080.into()),
            ("to_port", 8080.into()),
            ("source_security_group_id", lb_sg_id.clone().into()),
        ]),
    )
    .await;
    let read = rule
        .read(&c, &from_lb_id, &from_lb_in, &from_lb_out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        read.inputs["source_security_group_id"],
        Value::from(lb_sg_id.as_str())
    );
    let (egress_id, egress_in, egress_out) = create(
        &p,
        "aws:ec2:SecurityGroupRule",
        "net",
        "all-out",
        map([
            ("security_group_id", sg_id.clone().into()),
            ("direction", "egress".into()),
            ("protocol", "-1".into()),
            ("cidr_blocks", strs(&["10.0.0.0/8", "192.168.0.0/16"])),
        ]),
    )
    .await;
    assert_eq!(
        egress_id.split(',').count(),
        2,
        "one rule id per CIDR block: {egress_id}"
    );
    let read = rule
        .read(&c, &egress_id, &egress_in, &egress_out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["direction"], Value::from("egress"));
    assert_eq!(read.inputs["protocol"], Value::from("-1"));
    assert_eq!(
        read.inputs["cidr_blocks"],
        strs(&["10.0.0.0/8", "192.168.0.0/16"])
    );

    let neither = map([
        ("security_group_id", sg_id.clone().into()),
        ("direction", "ingress".into()),
        ("protocol", "tcp".into()),
    ]);
    assert!(matches!(
        rule.create(&c, &neither).await,
        Err(ProviderError::Invalid(_))
    ));

    for (id, inputs, outputs) in [
        (&rule_id, &rule_in, &rule_out),
        (&from_lb_id, &from_lb_in, &from_lb_out),
        (&egress_id, &egress_in, &egress_out),
    ] {
        delete_and_check_gone(&p, "aws:ec2:SecurityGroupRule", id, inputs, outputs).await;
    }
    let described = clients
        .ec2
        .describe_security_groups()
        .group_ids(&sg_id)
        .send()
        .await
        .expect("describe");
    assert!(described.security_groups()[0].ip_permissions().is_empty());

    // Restoring the default egress rule in place.
    let mut allow_in = sg_in.clone();
    allow_in.insert("revoke_default_egress".into(), false.into());
    let sg_out2 = sg
        .update(&c, &sg_id, &sg_in, &sg_out, &allow_in)
        .await
        .expect("update");
    let described = clients
        .ec2
        .describe_security_groups()
        .group_ids(&sg_id)
        .send()
        .await
        .expect("describe");
    let egress = described.security_groups()[0].ip_permissions_egress();
    assert_eq!(egress.len(), 1);
    assert_eq!(egress[0].ip_protocol(), Some("-1"));

    delete_and_check_gone(&p, "aws:ec2:SecurityGroup", &sg_id, &allow_in, &sg_out2).await;
    delete_and_check_gone(
        &p,
        "aws:ec2:SecurityGroup",
        &lb_sg_id,
        &lb_sg_in,
        &lb_sg_out,
    )
    .await;
}

#[tokio::test]
async fn key_pair_round_trip() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("net", "deploy-key");
    let (id, inputs, outputs) = create(
        &p,
        "aws:ec2:KeyPair",
        "net",
        "deploy-key",
        map([
            ("key_name", "deploy".into()),
            ("public_key", PUBLIC_KEY.into()),
        ]),
    )
    .await;
    assert_eq!(id, "deploy");
    assert!(
        out_str(&outputs, "key_pair_id").starts_with("key-"),
        "{outputs:?}"
    );
    assert!(!out_str(&outputs, "fingerprint").is_empty());
    assert!(
        out_str(&outputs, "arn").contains(":key-pair/key-"),
        "{outputs:?}"
    );
    let kp = resource(&p, "aws:ec2:KeyPair");
    assert!(kp.schema().delete_before_replace);

    let read = kp
        .read(&c, &id, &inputs, &outputs)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["key_name"], Value::from("deploy"));
    assert_eq!(read.outputs["fingerprint"], outputs["fingerprint"]);

    let mut tagged = inputs.clone();
    tagged.insert("tags".into(), table(&[("purpose", "ci")]));
    let outputs = kp
        .update(&c, &id, &inputs, &outputs, &tagged)
        .await
        .expect("tag");
    let clients = p.shared().clients(&c).await.expect("clients");
    let described = clients
        .ec2
        .describe_key_pairs()
        .key_names("deploy")
        .send()
        .await
        .expect("describe");
    let tags = tag_map(described.key_pairs()[0].tags());
    assert_eq!(tags.get("purpose").map(String::as_str), Some("ci"));
    assert_eq!(
        tags.get("skistack:resource").map(String::as_str),
        Some("deploy-key")
    );

    let found = kp.find(&c, &tagged).await.expect("find").expect("found");
    assert_eq!(found.id, "deploy");
    delete_and_check_gone(&p, "aws:ec2:KeyPair", &id, &tagged, &outputs).await;
    assert!(kp.find(&c, &tagged).await.expect("find").is_none());
}

/// The AL2023 AMI id moto publishes under the public SSM parameter.
async fn al2023(p: &AwsProvider) -> String {
    let out = data_source(p, "aws:ssm:Parameter")
        .invoke(&ctx("net", "ami"), &map([("name", AL2023.into())]))
        .await
        .expect("AMI parameter");
    out_str(&out, "value").to_string()
}

#[tokio::test]
async fn instance_with_imdsv2_and_encrypted_root() {
    let moto = Moto::start();
    let p = provider(&moto);
    let ami = al2023(&p).await;
    let (vpc_id, _, _) = new_vpc(&p, "10.50.0.0/16").await;
    let (subnet_id, _, _) = create(
        &p,
        "aws:ec2:Subnet",
        "net",
        "public",
        map([
            ("vpc_id", vpc_id.clone().into()),
            ("cidr_block", "10.50.1.0/24".into()),
        ]),
    )
    .await;
    let (sg_id, _, _) = create(
        &p,
        "aws:ec2:SecurityGroup",
        "net",
        "web-sg",
        map([("name", "web".into()), ("vpc_id", vpc_id.clone().into())]),
    )
    .await;

    let config = map([("default_tags", table(&[("team", "infra")]))]);
    let c = ctx_with_config("net", "web", config);
    let inst = resource(&p, "aws:ec2:Instance");
    let inputs = with_defaults(
        inst.as_ref(),
        map([
            ("ami", ami.clone().into()),
            ("instance_type", "t3.micro".into()),
            ("subnet_id", subnet_id.clone().into()),
            ("vpc_security_group_ids", strs(&[&sg_id])),
            ("associate_public_ip_address", true.into()),
            ("user_data", "#!/bin/sh\necho hello\n".into()),
            (
                "root_block_device",
                Value::Map(map([("volume_size", 16.into())])),
            ),
            ("tags", table(&[("Name", "web-1")])),
        ]),
    );
    let created = inst.create(&c, &inputs).await.expect("create instance");
    let id = created.id.clone();
    let out = created.outputs.clone();
    assert!(id.starts_with("i-"), "{id}");
    assert!(!out_str(&out, "public_ip").is_empty(), "{out:?}");
    assert!(
        out_str(&out, "private_ip").starts_with("10.50.1."),
        "{out:?}"
    );
    assert_eq!(
        out_str(&out, "availability_zone").get(..9),
        Some("us-east-1")
    );
    assert!(
        out_str(&out, "arn").ends_with(&format!("instance/{id}")),
        "{out:?}"
    );

    // Through the SDK: running, IMDSv2 required, root volume encrypted, tagged.
    let clients = p.shared().clients(&c).await.expect("clients");
    let described = clients
        .ec2
        .describe_instances()
        .instance_ids(&id)
        .send()
        .await
        .expect("describe");
    let i = &described.reservations()[0].instances()[0];
    assert_eq!(
        i.state().and_then(|s| s.name()).map(|n| n.as_str()),
        Some("running")
    );
    assert_eq!(
        i.metadata_options()
            .and_then(|m| m.http_tokens())
            .map(|t| t.as_str()),
        Some("required")
    );
    let tags = tag_map(i.tags());
    assert_eq!(tags.get("team").map(String::as_str), Some("infra"));
    assert_eq!(tags.get("Name").map(String::as_str), Some("web-1"));
    assert_eq!(
        tags.get("skistack:resource").map(String::as_str),
        Some("web")
    );
    let volume_id = i.block_device_mappings()[0]
        .ebs()
        .and_then(|e| e.volume_id())
        .expect("root volume")
        .to_string();
    let volumes = clients
        .ec2
        .describe_volumes()
        .volume_ids(&volume_id)
        .send()
        .await
        .expect("volumes");
    assert_eq!(volumes.volumes()[0].encrypted(), Some(true));
    assert_eq!(volumes.volumes()[0].size(), Some(16));

    let read = inst
        .read(&c, &id, &inputs, &out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["ami"], Value::from(ami.as_str()));
    assert_eq!(read.inputs["instance_type"], Value::from("t3.micro"));
    assert_eq!(read.inputs["subnet_id"], Value::from(subnet_id.as_str()));
    assert_eq!(read.inputs["vpc_security_group_ids"], strs(&[&sg_id]));
    // Metadata options as the defaults have them are no drift.
    assert!(
        !read.inputs.contains_key("metadata_options"),
        "{:?}",
        read.inputs
    );
    assert_eq!(read.inputs["tags"], table(&[("Name", "web-1")]));

    // Tags and metadata options change in place.
    let mut new_inputs = inputs.clone();
    new_inputs.insert("tags".into(), table(&[("Name", "web-2")]));
    new_inputs.insert(
        "metadata_options".into(),
        Value::Map(map([("http_put_response_hop_limit", 2.into())])),
    );
    let updated = inst
        .update(&c, &id, &inputs, &out, &new_inputs)
        .await
        .expect("update");
    assert_eq!(updated["public_ip"], out["public_ip"]);
    let described = clients
        .ec2
        .describe_instances()
        .instance_ids(&id)
        .send()
        .await
        .expect("describe");
    let i = &described.reservations()[0].instances()[0];
    assert_eq!(
        tag_map(i.tags()).get("Name").map(String::as_str),
        Some("web-2")
    );
    assert_eq!(
        i.metadata_options()
            .and_then(|m| m.http_put_response_hop_limit()),
        Some(2)
    );
    let read = inst
        .read(&c, &id, &new_inputs, &updated)
        .await
        .expect("read")
        .expect("exists");
    let metadata = read.inputs["metadata_options"]
        .as_map()
        .expect("declared metadata options read back");
    // Undeclared settings at their default (IMDSv2 required) are not read
    // back, so they never show as drift; the instance still requires IMDSv2.
    assert_eq!(metadata.get("http_tokens"), None);
    assert_eq!(
        i.metadata_options()
            .and_then(|m| m.http_tokens())
            .map(|t| t.as_str()),
        Some("required")
    );
    assert_eq!(
        metadata.get("http_put_response_hop_limit"),
        Some(&Value::Int(2))
    );

    let found = inst
        .find(&c, &new_inputs)
        .await
        .expect("find")
        .expect("found");
    assert_eq!(found.id, id);

    delete_and_check_gone(&p, "aws:ec2:Instance", &id, &new_inputs, &updated).await;
    assert!(
        inst.find(&c, &new_inputs).await.expect("find").is_none(),
        "terminated instances are not found"
    );
}

#[tokio::test]
async fn launch_template_versions() {
    let moto = Moto::start();
    let p = provider(&moto);
    let ami = al2023(&p).await;
    let c = ctx("ecs", "nodes");
    let lt = resource(&p, "aws:ec2:LaunchTemplate");
    let inputs = with_defaults(
        lt.as_ref(),
        map([
            ("name", "ecs-nodes".into()),
            ("image_id", ami.clone().into()),
            ("instance_type", "t3.small".into()),
            ("iam_instance_profile", "ecs-node".into()),
            (
                "user_data",
                "#!/bin/bash\necho ECS_CLUSTER=main >> /etc/ecs/ecs.config\n".into(),
            ),
            (
                "block_device_mappings",
                Value::List(vec![Value::Map(map([
                    ("device_name", "/dev/xvda".into()),
                    ("volume_size", 30.into()),
                ]))]),
            ),
        ]),
    );
    let created = lt
        .create(&c, &inputs)
        .await
        .expect("create launch template");
    let id = created.id.clone();
    let out = created.outputs.clone();
    assert!(id.starts_with("lt-"), "{id}");
    assert_eq!(out["latest_version"], Value::Int(1));
    assert_eq!(out["default_version"], Value::Int(1));
    assert!(
        out_str(&out, "arn").ends_with(&format!("launch-template/{id}")),
        "{out:?}"
    );

    let clients = p.shared().clients(&c).await.expect("clients");
    let versions = clients
        .ec2
        .describe_launch_template_versions()
        .launch_template_id(&id)
        .versions("$Default")
        .send()
        .await
        .expect("versions");
    let data = versions.launch_template_versions()[0]
        .launch_template_data()
        .expect("data");
    assert_eq!(data.image_id(), Some(ami.as_str()));
    assert_eq!(
        data.metadata_options()
            .and_then(|m| m.http_tokens())
            .map(|t| t.as_str()),
        Some("required")
    );
    let ebs = data.block_device_mappings()[0].ebs().expect("ebs");
    assert_eq!(ebs.encrypted(), Some(true));
    assert_eq!(ebs.volume_size(), Some(30));
    assert_eq!(
        data.user_data(),
        Some("IyEvYmluL2Jhc2gKZWNobyBFQ1NfQ0xVU1RFUj1tYWluID4+IC9ldGMvZWNzL2Vjcy5jb25maWcK")
    );
    let instance_tags = data
        .tag_specifications()
        .iter()
        .find(|t| t.resource_type().map(|r| r.as_str()) == Some("instance"))
        .map(|t| tag_map(t.tags()))
        .expect("instance tag specification");
    assert_eq!(
        instance_tags.get("skistack:resource").map(String::as_str),
        Some("nodes")
    );

    let read = lt
        .read(&c, &id, &inputs, &out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["name"], Value::from("ecs-nodes"));
    assert_eq!(read.inputs["instance_type"], Value::from("t3.small"));
    assert_eq!(read.inputs["user_data"], inputs["user_data"]);

    // An update makes version 2 and makes it the default.
    let mut new_inputs = inputs.clone();
    new_inputs.insert("instance_type".into(), "t3.medium".into());
    let updated = lt
        .update(&ctx("ecs", "nodes"), &id, &inputs, &out, &new_inputs)
        .await
        .expect("update");
    assert_eq!(updated["latest_version"], Value::Int(2));
    assert_eq!(updated["default_version"], Value::Int(2));
    let read = lt
        .read(&c, &id, &new_inputs, &updated)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs["instance_type"], Value::from("t3.medium"));
    assert_eq!(read.outputs["default_version"], Value::Int(2));

    assert_eq!(
        lt.find(&c, &new_inputs).await.expect("find").map(|f| f.id),
        Some(id.clone())
    );
    delete_and_check_gone(&p, "aws:ec2:LaunchTemplate", &id, &new_inputs, &updated).await;
    assert!(lt.find(&c, &new_inputs).await.expect("find").is_none());
}

#[tokio::test]
async fn api_calls_are_counted_per_service() {
    let moto = Moto::start();
    let p = provider(&moto);
    assert_eq!(common::metric(&p, "calls"), 0);
    let (_, _, _) = new_vpc(&p, "10.60.0.0/16").await;
    let ec2_calls = common::metric(&p, "calls.ec2");
    // CreateVpc, then the default security group and main route table lookups.
    assert!(ec2_calls >= 3, "{ec2_calls}");
    assert_eq!(common::metric(&p, "calls.ssm"), 0);
    al2023(&p).await;
    assert_eq!(common::metric(&p, "calls.ssm"), 1);
    let total: u64 = p
        .shared()
        .call_counts()
        .iter()
        .filter(|(k, _)| k.starts_with("calls."))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(common::metric(&p, "calls"), total);
    assert_eq!(total, ec2_calls + 1);
}

#[tokio::test]
async fn eventual_retries_only_listed_codes_and_errors_name_the_code() {
    use skistack_provider_aws::retry::{retry_eventual, retry_eventual_for};
    use std::time::Duration;

    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("net", "x");
    let clients = p.shared().clients(&c).await.expect("clients");

    // A code not in the list fails at once, as NotFound with action and code.
    let before = common::metric(&p, "calls.ec2");
    let err = retry_eventual("describe VPC vpc-0000", &["InvalidParameterValue"], || {
        clients.ec2.describe_vpcs().vpc_ids("vpc-00000000").send()
    })
    .await
    .expect_err("no such VPC");
    assert_eq!(common::metric(&p, "calls.ec2"), before + 1);
    let ProviderError::NotFound(msg) = err else {
        panic!("expected NotFound, got {err:?}");
    };
    assert!(
        msg.starts_with("describe VPC vpc-0000: InvalidVpcID.NotFound"),
        "{msg}"
    );

    // A listed code is retried with backoff until the limit.
    let before = common::metric(&p, "calls.ec2");
    let err = retry_eventual_for(
        "describe VPC",
        &["InvalidVpcID.NotFound"],
        Duration::from_secs(5),
        || clients.ec2.describe_vpcs().vpc_ids("vpc-00000000").send(),
    )
    .await
    .expect_err("still no such VPC");
    assert!(matches!(err, ProviderError::NotFound(_)), "{err:?}");
    let attempts = common::metric(&p, "calls.ec2") - before;
    assert!(attempts >= 2, "{attempts} attempts");
    // Backoff paused between the attempts and stopped at the limit: the
    // pauses (0.5 s, 1 s, 2 s, less up to a quarter of jitter, then 4 s that
    // would pass the 5 s limit) leave room for four attempts at most, where a
    // loop without pauses would have made hundreds. So this takes about 3 s,
    // never past the limit; counting attempts checks that without a clock.
    assert!(
        attempts <= 4,
        "{attempts} attempts: no backoff between them"
    );
}

#[tokio::test]
async fn schemas_mark_replacement_and_unique_names() {
    // Building the provider makes no AWS call.
    let p = AwsProvider::new(skistack_provider_aws::AwsOptions::default());
    let force_new = |token: &str, prop: &str| {
        resource(&p, token)
            .schema()
            .find_property(prop)
            .unwrap_or_else(|| panic!("{token} has no {prop}"))
            .force_new
    };
    assert!(force_new("aws:ec2:Vpc", "cidr_block"));
    assert!(!force_new("aws:ec2:Vpc", "enable_dns_hostnames"));
    assert!(!force_new("aws:ec2:Subnet", "map_public_ip_on_launch"));
    assert!(force_new("aws:ec2:Instance", "instance_type"));
    assert!(!force_new("aws:ec2:Instance", "tags"));
    assert!(!force_new("aws:ec2:Route", "gateway_id"));
    assert!(!force_new("aws:ec2:LaunchTemplate", "image_id"));
    assert!(
        resource(&p, "aws:ec2:LaunchTemplate")
            .schema()
            .delete_before_replace
    );
    assert!(!resource(&p, "aws:ec2:Vpc").schema().delete_before_replace);
    let tokens: Vec<String> = p
        .resource_types()
        .iter()
        .map(|r| r.schema().token.clone())
        .collect();
    for t in [
        "aws:ec2:Vpc",
        "aws:ec2:Subnet",
        "aws:ec2:InternetGateway",
        "aws:ec2:RouteTable",
        "aws:ec2:Route",
        "aws:ec2:RouteTableAssociation",
        "aws:ec2:Eip",
        "aws:ec2:NatGateway",
        "aws:ec2:SecurityGroup",
        "aws:ec2:SecurityGroupRule",
        "aws:ec2:KeyPair",
        "aws:ec2:Instance",
        "aws:ec2:LaunchTemplate",
    ] {
        assert!(tokens.iter().any(|x| x == t), "{t} missing");
    }
}

/// Every EC2 type through the conformance harness, each on what the SDK
/// made for it.
#[tokio::test]
async fn ec2_types_conform() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("conform", "it");
    let clients = p.shared().clients(&c).await.expect("clients");
    let ami = al2023(&p).await;
    let (vpc, subnets) = common::sdk_vpc_with_subnets(&clients, "10.70").await;
    let sg = common::sdk_security_group(&clients, &vpc, "conform", "conformance").await;
    let tags = || ("tags", table(&[("Name", "conform")]));
    let case = |token, inputs: Map, updated: Map| Case {
        token,
        inputs,
        updated,
        findable: true,
    };

    let vpc_in = map([("cidr_block", "10.71.0.0/16".into())]);
    let mut vpc_up = vpc_in.clone();
    vpc_up.extend(map([("enable_dns_hostnames", true.into()), tags()]));
    conform(&p, &c, case("aws:ec2:Vpc", vpc_in, vpc_up)).await;

    let subnet_in = map([
        ("vpc_id", vpc.clone().into()),
        ("cidr_block", "10.70.9.0/24".into()),
    ]);
    let mut subnet_up = subnet_in.clone();
    subnet_up.extend(map([("map_public_ip_on_launch", true.into()), tags()]));
    conform(&p, &c, case("aws:ec2:Subnet", subnet_in, subnet_up)).await;

    let vpc_only = map([("vpc_id", vpc.clone().into())]);
    let mut tagged = vpc_only.clone();
    tagged.extend(map([tags()]));
    let gateways = ["aws:ec2:InternetGateway", "aws:ec2:RouteTable"];
    for token in gateways {
        conform(&p, &c, case(token, vpc_only.clone(), tagged.clone())).await;
    }
    conform(&p, &c, case("aws:ec2:Eip", Map::new(), map([tags()]))).await;

    let key = map([
        ("key_name", "conform".into()),
        ("public_key", PUBLIC_KEY.into()),
    ]);
    let mut key_up = key.clone();
    key_up.extend(map([tags()]));
    conform(&p, &c, case("aws:ec2:KeyPair", key.clone(), key_up)).await;

    let group = map([
        ("name", "conform-sg".into()),
        ("vpc_id", vpc.clone().into()),
    ]);
    let mut group_up = group.clone();
    group_up.extend(map([("revoke_default_egress", true.into()), tags()]));
    conform(&p, &c, case("aws:ec2:SecurityGroup", group, group_up)).await;

    let rule = map([
        ("security_group_id", sg.clone().into()),
        ("direction", "ingress".into()),
        ("protocol", "tcp".into()),
        ("from_port", 443.into()),
        ("to_port", 443.into()),
        ("cidr_blocks", strs(&["10.0.0.0/8"])),
    ]);
    conform(
        &p,
        &c,
        case("aws:ec2:SecurityGroupRule", rule.clone(), rule),
    )
    .await;

    let instance = map([
        ("ami", ami.clone().into()),
        ("instance_type", "t3.micro".into()),
        ("subnet_id", subnets[0].clone().into()),
        (
            "root_block_device",
            Value::Map(map([("volume_size", 8.into())])),
        ),
    ]);
    let mut instance_up = instance.clone();
    instance_up.extend(map([tags()]));
    conform(&p, &c, case("aws:ec2:Instance", instance, instance_up)).await;

    let template = map([
        ("name", "conform".into()),
        ("image_id", ami.into()),
        ("instance_type", "t3.micro".into()),
    ]);
    // Only the data changes: moto does not list tags that CreateTags adds
    // to a launch template afterwards (AWS does).
    let mut template_up = template.clone();
    template_up.extend(map([("instance_type", "t3.small".into())]));
    conform(
        &p,
        &c,
        case("aws:ec2:LaunchTemplate", template, template_up),
    )
    .await;

    ec2_routing_conforms(&p, &c, &clients, &vpc, &subnets).await;
}

/// The routing types, on a table, gateway and Elastic IP of the SDK's.
async fn ec2_routing_conforms(
    p: &AwsProvider,
    c: &skistack_engine::CallContext,
    clients: &skistack_provider_aws::Clients,
    vpc: &str,
    subnets: &[String],
) {
    let table_id = clients
        .ec2
        .create_route_table()
        .vpc_id(vpc)
        .send()
        .await
        .expect("route table")
        .route_table()
        .and_then(|t| t.route_table_id())
        .expect("a table id")
        .to_string();
    let igw = clients
        .ec2
        .create_internet_gateway()
        .send()
        .await
        .expect("internet gateway")
        .internet_gateway()
        .and_then(|g| g.internet_gateway_id())
        .expect("a gateway id")
        .to_string();
    clients
        .ec2
        .attach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(vpc)
        .send()
        .await
        .expect("attach");
    let route = map([
        ("route_table_id", table_id.clone().into()),
        ("destination_cidr_block", "0.0.0.0/0".into()),
        ("gateway_id", igw.into()),
    ]);
    let same = |token, inputs: Map| Case {
        token,
        updated: inputs.clone(),
        inputs,
        findable: true,
    };
    conform(p, c, same("aws:ec2:Route", route)).await;
    let assoc = map([
        ("subnet_id", subnets[1].clone().into()),
        ("route_table_id", table_id.into()),
    ]);
    conform(p, c, same("aws:ec2:RouteTableAssociation", assoc)).await;

    let allocation = clients
        .ec2
        .allocate_address()
        .send()
        .await
        .expect("Elastic IP")
        .allocation_id()
        .expect("an allocation id")
        .to_string();
    let nat = map([
        ("subnet_id", subnets[0].clone().into()),
        ("allocation_id", allocation.into()),
    ]);
    let mut nat_up = nat.clone();
    nat_up.extend(map([("tags", table(&[("Name", "conform")]))]));
    let case = Case {
        token: "aws:ec2:NatGateway",
        inputs: nat,
        updated: nat_up,
        findable: true,
    };
    conform(p, c, case).await;
}
