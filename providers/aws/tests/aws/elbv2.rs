//! The ELBv2 types against moto, through the provider's trait methods,
//! checked through the AWS SDK. The network they need is made with the SDK.

use std::collections::BTreeMap;

use crate::common::{
    Moto, create, ctx, ctx_with_config, delete_and_check_gone, map, out_str, provider, resource,
    sdk_security_group, sdk_vpc_with_subnets, strs, table,
};
use aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum;
use skistack_engine::{Map, Value};
use skistack_provider_aws::Clients;

use crate::conformance::{Case, conform};

/// A VPC with two subnets in two zones and a security group.
async fn network(clients: &Clients) -> (String, Vec<String>, String) {
    let (vpc, subnets) = sdk_vpc_with_subnets(clients, "10.20").await;
    let sg = sdk_security_group(clients, &vpc, "alb", "load balancer").await;
    (vpc, subnets, sg)
}

async fn elb_tags(clients: &Clients, arn: &str) -> BTreeMap<String, String> {
    clients
        .elbv2
        .describe_tags()
        .resource_arns(arn)
        .send()
        .await
        .expect("describe tags")
        .tag_descriptions()
        .iter()
        .flat_map(|d| d.tags())
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect()
}

#[tokio::test]
async fn load_balancer_target_group_and_listener() {
    let moto = Moto::start();
    let p = provider(&moto);
    let config = map([("default_tags", table(&[("team", "platform")]))]);
    let lc = ctx_with_config("web", "alb", config);
    let clients = p.shared().clients(&lc).await.expect("clients");
    let (vpc, subnets, sg) = network(&clients).await;
    let subnet_refs: Vec<&str> = subnets.iter().map(String::as_str).collect();

    // The load balancer.
    let lbs = resource(&p, "aws:elbv2:LoadBalancer");
    let (lb, lb_in, lb_out) = create(
        &p,
        &lc,
        "aws:elbv2:LoadBalancer",
        map([
            ("name", "web".into()),
            ("subnets", strs(&subnet_refs)),
            ("security_groups", strs(&[&sg])),
            ("idle_timeout", Value::Int(120)),
            ("tags", table(&[("Name", "web")])),
        ]),
    )
    .await;
    assert!(lb.contains(":loadbalancer/app/web/"), "{lb}");
    assert_eq!(out_str(&lb_out, "arn"), lb);
    assert!(
        out_str(&lb_out, "arn_suffix").starts_with("app/web/"),
        "{lb_out:?}"
    );
    assert!(!out_str(&lb_out, "dns_name").is_empty());
    assert!(!out_str(&lb_out, "zone_id").is_empty());
    assert_eq!(out_str(&lb_out, "vpc_id"), vpc);
    let tags = elb_tags(&clients, &lb).await;
    assert_eq!(tags.get("team").map(String::as_str), Some("platform"));
    assert_eq!(tags.get("Name").map(String::as_str), Some("web"));
    assert_eq!(tags.get("skistack:stack").map(String::as_str), Some("web"));
    assert_eq!(
        tags.get("skistack:resource").map(String::as_str),
        Some("alb")
    );
    let read = lbs
        .read(&lc, &lb, &lb_in, &lb_out)
        .await
        .expect("read")
        .expect("exists");
    for key in [
        "name",
        "internal",
        "load_balancer_type",
        "subnets",
        "security_groups",
        "idle_timeout",
        "tags",
    ] {
        assert_eq!(
            read.inputs.get(key),
            lb_in.get(key),
            "{key} drifted: {read:?}"
        );
    }

    // The target group, with a health check path.
    let tgs = resource(&p, "aws:elbv2:TargetGroup");
    let tc = ctx("web", "tg");
    let health = map([("path", "/healthz".into()), ("matcher", "200".into())]);
    let (tg, tg_in, tg_out) = create(
        &p,
        &tc,
        "aws:elbv2:TargetGroup",
        map([
            ("name", "web".into()),
            ("port", Value::Int(8080)),
            ("protocol", "HTTP".into()),
            ("vpc_id", vpc.as_str().into()),
            ("target_type", "ip".into()),
            ("health_check", Value::Map(health)),
            ("deregistration_delay", Value::Int(30)),
        ]),
    )
    .await;
    assert!(
        out_str(&tg_out, "arn_suffix").starts_with("targetgroup/web/"),
        "{tg_out:?}"
    );
    let described = clients
        .elbv2
        .describe_target_groups()
        .target_group_arns(&tg)
        .send()
        .await
        .expect("describe target group");
    let group = &described.target_groups()[0];
    assert_eq!(group.health_check_path(), Some("/healthz"));
    assert_eq!(group.port(), Some(8080));
    assert_eq!(group.matcher().and_then(|m| m.http_code()), Some("200"));
    let read = tgs
        .read(&tc, &tg, &tg_in, &tg_out)
        .await
        .expect("read")
        .expect("exists");
    for key in [
        "name",
        "port",
        "protocol",
        "vpc_id",
        "target_type",
        "health_check",
        "deregistration_delay",
    ] {
        assert_eq!(
            read.inputs.get(key),
            tg_in.get(key),
            "{key} drifted: {read:?}"
        );
    }

    // The health check changes in place.
    let mut tg_updated = tg_in.clone();
    tg_updated.insert(
        "health_check".into(),
        Value::Map(map([
            ("path", "/ready".into()),
            ("interval_seconds", Value::Int(15)),
        ])),
    );
    tg_updated.insert("deregistration_delay".into(), Value::Int(10));
    let tg_out2 = tgs
        .update(&tc, &tg, &tg_in, &tg_out, &tg_updated)
        .await
        .expect("update");
    assert_eq!(tg_out2.get("arn"), tg_out.get("arn"));
    let read = tgs
        .read(&tc, &tg, &tg_updated, &tg_out2)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        read.inputs.get("health_check"),
        tg_updated.get("health_check")
    );
    assert_eq!(
        read.inputs.get("deregistration_delay"),
        Some(&Value::Int(10))
    );

    // The listener forwards to the target group.
    let listeners = resource(&p, "aws:elbv2:Listener");
    let ic = ctx("web", "http");
    let (l, l_in, l_out) = create(
        &p,
        &ic,
        "aws:elbv2:Listener",
        map([
            ("load_balancer_arn", lb.as_str().into()),
            ("port", Value::Int(80)),
            (
                "default_action",
                Value::Map(map([
                    ("type", "forward".into()),
                    ("target_group_arn", tg.as_str().into()),
                ])),
            ),
        ]),
    )
    .await;
    let described = clients
        .elbv2
        .describe_listeners()
        .listener_arns(&l)
        .send()
        .await
        .expect("describe listener");
    let action = &described.listeners()[0].default_actions()[0];
    assert_eq!(action.r#type(), Some(&ActionTypeEnum::Forward));
    assert_eq!(action.target_group_arn(), Some(tg.as_str()));
    let read = listeners
        .read(&ic, &l, &l_in, &l_out)
        .await
        .expect("read")
        .expect("exists");
    for key in ["load_balancer_arn", "port", "protocol", "default_action"] {
        assert_eq!(
            read.inputs.get(key),
            l_in.get(key),
            "{key} drifted: {read:?}"
        );
    }
    assert_eq!(
        listeners
            .find(&ic, &l_in)
            .await
            .expect("find")
            .map(|f| f.id),
        Some(l.clone())
    );

    // Port and action change in place: a fixed response on 8080.
    let mut l_updated = l_in.clone();
    l_updated.insert("port".into(), Value::Int(8080));
    l_updated.insert(
        "default_action".into(),
        Value::Map(map([
            ("type", "fixed-response".into()),
            (
                "fixed_response",
                Value::Map(map([
                    ("status_code", "503".into()),
                    ("content_type", "text/plain".into()),
                    ("message_body", "down".into()),
                ])),
            ),
        ])),
    );
    let l_out2 = listeners
        .update(&ic, &l, &l_in, &l_out, &l_updated)
        .await
        .expect("update");
    let read = listeners
        .read(&ic, &l, &l_updated, &l_out2)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs.get("port"), Some(&Value::Int(8080)));
    assert_eq!(
        read.inputs.get("default_action"),
        l_updated.get("default_action")
    );

    // The load balancer's tags and idle timeout change in place.
    let mut lb_updated = lb_in.clone();
    lb_updated.insert("idle_timeout".into(), Value::Int(300));
    lb_updated.insert("tags".into(), table(&[("tier", "edge")]));
    let lb_out2 = lbs
        .update(&lc, &lb, &lb_in, &lb_out, &lb_updated)
        .await
        .expect("update");
    assert_eq!(lb_out2.get("dns_name"), lb_out.get("dns_name"));
    let read = lbs
        .read(&lc, &lb, &lb_updated, &lb_out2)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs.get("idle_timeout"), Some(&Value::Int(300)));
    assert_eq!(read.inputs.get("tags"), Some(&table(&[("tier", "edge")])));
    let tags = elb_tags(&clients, &lb).await;
    assert!(!tags.contains_key("Name"), "{tags:?}");
    assert_eq!(tags.get("skistack:env").map(String::as_str), Some("test"));

    // Find by name, for this resource only.
    assert_eq!(
        lbs.find(&lc, &lb_updated)
            .await
            .expect("find")
            .map(|f| f.id),
        Some(lb.clone())
    );
    assert!(
        lbs.find(&ctx("web", "other"), &lb_updated)
            .await
            .expect("find")
            .is_none()
    );
    assert_eq!(
        tgs.find(&tc, &tg_updated)
            .await
            .expect("find")
            .map(|f| f.id),
        Some(tg.clone())
    );

    delete_and_check_gone(&p, &ic, "aws:elbv2:Listener", &l, &l_updated, &l_out2).await;
    delete_and_check_gone(&p, &tc, "aws:elbv2:TargetGroup", &tg, &tg_updated, &tg_out2).await;
    delete_and_check_gone(
        &p,
        &lc,
        "aws:elbv2:LoadBalancer",
        &lb,
        &lb_updated,
        &lb_out2,
    )
    .await;
}

/// Every ELBv2 type through the conformance harness; the listener's load
/// balancer and target group are the provider's own.
#[tokio::test]
async fn elbv2_types_conform() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("conform", "it");
    let clients = p.shared().clients(&c).await.expect("clients");
    let (vpc, subnets, sg) = network(&clients).await;
    let subnet_refs: Vec<&str> = subnets.iter().map(String::as_str).collect();
    let tagged = |mut m: Map| {
        m.insert("tags".into(), table(&[("Name", "conform")]));
        m
    };
    let lb = map([
        ("name", "conform".into()),
        ("subnets", strs(&subnet_refs)),
        ("security_groups", strs(&[&sg])),
    ]);
    let mut lb_up = tagged(lb.clone());
    lb_up.insert("idle_timeout".into(), Value::Int(120));
    conform(
        &p,
        &c,
        Case {
            token: "aws:elbv2:LoadBalancer",
            inputs: lb.clone(),
            updated: lb_up,
            findable: true,
        },
    )
    .await;

    let tg = map([
        ("name", "conform".into()),
        ("port", Value::Int(8080)),
        ("protocol", "HTTP".into()),
        ("vpc_id", vpc.as_str().into()),
    ]);
    let mut tg_up = tagged(tg.clone());
    tg_up.insert("deregistration_delay".into(), Value::Int(30));
    conform(
        &p,
        &c,
        Case {
            token: "aws:elbv2:TargetGroup",
            inputs: tg.clone(),
            updated: tg_up,
            findable: true,
        },
    )
    .await;

    let oc = ctx("conform", "owners");
    let (lb_arn, lb_in, lb_out) = create(&p, &oc, "aws:elbv2:LoadBalancer", lb).await;
    let (tg_arn, tg_in, tg_out) = create(&p, &oc, "aws:elbv2:TargetGroup", tg).await;
    let listener = map([
        ("load_balancer_arn", lb_arn.as_str().into()),
        ("port", Value::Int(80)),
        (
            "default_action",
            Value::Map(map([
                ("type", "forward".into()),
                ("target_group_arn", tg_arn.as_str().into()),
            ])),
        ),
    ]);
    let case = Case {
        token: "aws:elbv2:Listener",
        updated: tagged(listener.clone()),
        inputs: listener,
        findable: true,
    };
    conform(&p, &c, case).await;
    delete_and_check_gone(&p, &oc, "aws:elbv2:TargetGroup", &tg_arn, &tg_in, &tg_out).await;
    delete_and_check_gone(&p, &oc, "aws:elbv2:LoadBalancer", &lb_arn, &lb_in, &lb_out).await;
}
