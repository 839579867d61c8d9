//! `aws:autoscaling:Group` against moto, through the provider's trait
//! methods, checked through the AWS SDK. The network and launch template it
//! needs are made with the SDK.

use crate::conformance::{Case, conform};
use std::collections::BTreeMap;

use crate::common::{
    Moto, ctx, ctx_with_config, map, out_str, provider, resource, sdk_launch_template,
    sdk_vpc_with_subnets, strs, table, with_defaults,
};
use aws_sdk_ec2::types::InstanceType;
use skistack_engine::Value;
use skistack_provider_aws::Clients;

const TOKEN: &str = "aws:autoscaling:Group";

/// Two subnets in two zones, and a launch template of a t3.micro.
async fn network_and_template(clients: &Clients) -> (Vec<String>, String) {
    let (_vpc, subnets) = sdk_vpc_with_subnets(clients, "10.30").await;
    let template = sdk_launch_template(clients, "ecs-hosts", Some(InstanceType::T3Micro)).await;
    (subnets, template)
}

async fn group_tags(clients: &Clients, name: &str) -> BTreeMap<String, (String, bool)> {
    let out = clients
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .expect("describe group");
    out.auto_scaling_groups()[0]
        .tags()
        .iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                (
                    t.value()?.to_string(),
                    t.propagate_at_launch().unwrap_or(false),
                ),
            ))
        })
        .collect()
}

#[tokio::test]
async fn group_in_subnets_updated_and_force_deleted() {
    let moto = Moto::start();
    let p = provider(&moto);
    let rt = resource(&p, TOKEN);
    let c = ctx_with_config(
        "ecs",
        "hosts",
        map([("default_tags", table(&[("team", "platform")]))]),
    );
    let clients = p.shared().clients(&c).await.expect("clients");
    let (subnets, template) = network_and_template(&clients).await;
    let subnet_refs: Vec<&str> = subnets.iter().map(String::as_str).collect();

    let inputs = with_defaults(
        rt.as_ref(),
        map([
            ("name", "ecs-hosts".into()),
            ("min_size", Value::Int(1)),
            ("max_size", Value::Int(3)),
            ("desired_capacity", Value::Int(2)),
            ("vpc_zone_identifier", strs(&subnet_refs)),
            (
                "launch_template",
                Value::Map(map([("id", template.as_str().into())])),
            ),
            ("protect_from_scale_in", Value::Bool(true)),
            ("tags", table(&[("Name", "ecs-host")])),
        ]),
    );
    let created = rt.create(&c, &inputs).await.expect("create group");
    assert_eq!(created.id, "ecs-hosts");
    assert!(
        out_str(&created.outputs, "arn").contains(":autoScalingGroupName/ecs-hosts"),
        "{:?}",
        created.outputs
    );

    // As AWS has it: the subnets, the template, the sizes, propagated tags.
    let described = clients
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names("ecs-hosts")
        .send()
        .await
        .expect("describe");
    let g = &described.auto_scaling_groups()[0];
    let mut zone_subnets: Vec<&str> = g
        .vpc_zone_identifier()
        .unwrap_or_default()
        .split(',')
        .collect();
    zone_subnets.sort_unstable();
    let mut want = subnet_refs.clone();
    want.sort_unstable();
    assert_eq!(zone_subnets, want);
    assert_eq!(
        g.launch_template().and_then(|t| t.launch_template_id()),
        Some(template.as_str())
    );
    assert_eq!(
        g.launch_template().and_then(|t| t.version()),
        Some("$Latest")
    );
    assert_eq!(
        (g.min_size(), g.max_size(), g.desired_capacity()),
        (Some(1), Some(3), Some(2))
    );
    assert_eq!(g.new_instances_protected_from_scale_in(), Some(true));
    let tags = group_tags(&clients, "ecs-hosts").await;
    assert_eq!(tags.get("Name"), Some(&("ecs-host".to_string(), true)));
    assert_eq!(tags.get("team"), Some(&("platform".to_string(), true)));
    assert_eq!(
        tags.get("skistack:resource"),
        Some(&("hosts".to_string(), true))
    );

    let read = rt
        .read(&c, "ecs-hosts", &inputs, &created.outputs)
        .await
        .expect("read")
        .expect("exists");
    for key in [
        "min_size",
        "max_size",
        "desired_capacity",
        "vpc_zone_identifier",
        "launch_template",
        "health_check_type",
        "health_check_grace_period",
        "protect_from_scale_in",
        "tags",
    ] {
        assert_eq!(
            read.inputs.get(key),
            inputs.get(key),
            "{key} drifted: {read:?}"
        );
    }

    // Update in place: sizes, one subnet fewer, tags.
    let mut updated = inputs.clone();
    updated.insert("max_size".into(), Value::Int(5));
    updated.insert("desired_capacity".into(), Value::Int(1));
    updated.insert("vpc_zone_identifier".into(), strs(&subnet_refs[..1]));
    updated.insert("tags".into(), table(&[("Name", "host")]));
    let out = rt
        .update(&c, "ecs-hosts", &inputs, &created.outputs, &updated)
        .await
        .expect("update");
    assert_eq!(out.get("arn"), created.outputs.get("arn"));
    let read = rt
        .read(&c, "ecs-hosts", &updated, &out)
        .await
        .expect("read")
        .expect("exists");
    for key in [
        "max_size",
        "desired_capacity",
        "vpc_zone_identifier",
        "tags",
    ] {
        assert_eq!(
            read.inputs.get(key),
            updated.get(key),
            "{key} not updated: {read:?}"
        );
    }
    assert_eq!(
        group_tags(&clients, "ecs-hosts").await.get("Name"),
        Some(&("host".to_string(), true))
    );

    // Find adopts it only for this resource.
    assert!(rt.find(&c, &updated).await.expect("find").is_some());
    assert!(
        rt.find(&ctx("ecs", "other"), &updated)
            .await
            .expect("find")
            .is_none()
    );

    // Force delete: the group goes, with its instances.
    rt.delete(&c, "ecs-hosts", &updated, &out)
        .await
        .expect("delete");
    let left = clients
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names("ecs-hosts")
        .send()
        .await
        .expect("describe");
    assert!(left.auto_scaling_groups().is_empty());
    assert!(
        rt.read(&c, "ecs-hosts", &updated, &out)
            .await
            .expect("read")
            .is_none()
    );
    rt.delete(&c, "ecs-hosts", &updated, &out)
        .await
        .expect("second delete");
}

/// `aws:autoscaling:Group` through the conformance harness.
#[tokio::test]
async fn group_conforms() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("conform", "it");
    let clients = p.shared().clients(&c).await.expect("clients");
    let (subnets, template) = network_and_template(&clients).await;
    let subnet_refs: Vec<&str> = subnets.iter().map(String::as_str).collect();
    let inputs = map([
        ("name", "conform".into()),
        ("min_size", Value::Int(0)),
        ("max_size", Value::Int(2)),
        ("vpc_zone_identifier", strs(&subnet_refs)),
        (
            "launch_template",
            Value::Map(map([("id", template.as_str().into())])),
        ),
    ]);
    let mut updated = inputs.clone();
    updated.insert("max_size".into(), Value::Int(3));
    updated.insert("tags".into(), table(&[("Name", "conform")]));
    let case = Case {
        token: TOKEN,
        inputs,
        updated,
        findable: true,
    };
    conform(&p, &c, case).await;
}
