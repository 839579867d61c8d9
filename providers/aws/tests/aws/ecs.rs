//! The ECS types against moto, through the provider's trait methods,
//! checked through the AWS SDK: a cluster with a capacity provider on an
//! auto scaling group, task definitions and a service behind a load
//! balancer. The network and launch template are made with the SDK.

use std::collections::BTreeMap;

use crate::common::{
    Moto, create, ctx, ctx_with_config, delete_and_check_gone, map, out_str, provider, resource,
    sdk_launch_template, sdk_security_group, sdk_vpc_with_subnets, strs, table,
};
use aws_sdk_ecs::types::{ClusterField, ServiceField, TaskDefinitionField};
use skistack_engine::{CallContext, Map, Value};
use skistack_provider_aws::{AwsProvider, Clients};

use crate::conformance::{Case, conform};

const TASK_JSON: &str = r#"[{
    "name": "web",
    "image": "public.ecr.aws/nginx/nginx:1.27",
    "cpu": 256,
    "memory": 512,
    "essential": true,
    "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}],
    "environment": [{"name": "MODE", "value": "blue"}],
    "logConfiguration": {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web"}
    }
}]"#;

/// A VPC with two subnets, a security group and a launch template.
async fn network(clients: &Clients) -> (String, Vec<String>, String, String) {
    let (vpc, subnets) = sdk_vpc_with_subnets(clients, "10.40").await;
    let sg = sdk_security_group(clients, &vpc, "web", "web").await;
    let template = sdk_launch_template(clients, "ecs-hosts", None).await;
    (vpc, subnets, sg, template)
}

/// Asserts that a read reports the declared value of each key: no drift.
async fn assert_no_drift(
    p: &AwsProvider,
    c: &CallContext,
    token: &str,
    id: &str,
    inputs: &Map,
    outputs: &Map,
    keys: &[&str],
) {
    let read = resource(p, token)
        .read(c, id, inputs, outputs)
        .await
        .expect("read")
        .unwrap_or_else(|| panic!("{token} {id} is gone"));
    for key in keys {
        assert_eq!(
            read.inputs.get(*key),
            inputs.get(*key),
            "{token}: {key} drifted: {:?}",
            read.inputs
        );
    }
}

fn tag_map(tags: &[aws_sdk_ecs::types::Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect()
}

#[tokio::test]
async fn cluster_with_capacity_provider() {
    let moto = Moto::start();
    let p = provider(&moto);
    let cc = ctx_with_config(
        "ecs",
        "cluster",
        map([("default_tags", table(&[("team", "platform")]))]),
    );
    let clients = p.shared().clients(&cc).await.expect("clients");
    let (_, subnets, _, template) = network(&clients).await;
    let subnet_refs: Vec<&str> = subnets.iter().map(String::as_str).collect();

    // The cluster, with container insights.
    let clusters = resource(&p, "aws:ecs:Cluster");
    let (cluster, c_in, c_out) = create(
        &p,
        &cc,
        "aws:ecs:Cluster",
        map([
            ("name", "main".into()),
            ("container_insights", Value::Bool(true)),
            ("tags", table(&[("Name", "main")])),
        ]),
    )
    .await;
    assert_eq!(cluster, "main");
    assert!(
        out_str(&c_out, "arn").ends_with(":cluster/main"),
        "{c_out:?}"
    );
    let described = clients
        .ecs
        .describe_clusters()
        .clusters("main")
        .include(ClusterField::Tags)
        .include(ClusterField::Settings)
        .send()
        .await
        .expect("describe cluster");
    let got = &described.clusters()[0];
    let insights = got.settings().iter().find_map(|s| s.value());
    assert_eq!(insights, Some("enabled"));
    let tags = tag_map(got.tags());
    assert_eq!(tags.get("team").map(String::as_str), Some("platform"));
    assert_eq!(tags.get("Name").map(String::as_str), Some("main"));
    assert_eq!(
        tags.get("skistack:resource").map(String::as_str),
        Some("cluster")
    );
    assert_no_drift(
        &p,
        &cc,
        "aws:ecs:Cluster",
        &cluster,
        &c_in,
        &c_out,
        &["name", "container_insights", "tags"],
    )
    .await;

    let mut c_updated = c_in.clone();
    c_updated.insert("container_insights".into(), Value::Bool(false));
    let c_out2 = clusters
        .update(&cc, &cluster, &c_in, &c_out, &c_updated)
        .await
        .expect("update cluster");
    assert_no_drift(
        &p,
        &cc,
        "aws:ecs:Cluster",
        &cluster,
        &c_updated,
        &c_out2,
        &["container_insights"],
    )
    .await;
    assert!(
        clusters
            .find(&cc, &c_updated)
            .await
            .expect("find")
            .is_some()
    );
    assert!(
        clusters
            .find(&ctx("ecs", "other"), &c_updated)
            .await
            .expect("find")
            .is_none()
    );

    // The auto scaling group and the capacity provider on it.
    let gc = ctx("ecs", "hosts");
    let (asg, asg_in, asg_out) = create(
        &p,
        &gc,
        "aws:autoscaling:Group",
        map([
            ("name", "ecs-hosts".into()),
            ("min_size", Value::Int(0)),
            ("max_size", Value::Int(4)),
            ("vpc_zone_identifier", strs(&subnet_refs)),
            (
                "launch_template",
                Value::Map(map([("id", template.as_str().into())])),
            ),
            ("protect_from_scale_in", Value::Bool(true)),
        ]),
    )
    .await;
    let providers = resource(&p, "aws:ecs:CapacityProvider");
    let pc = ctx("ecs", "capacity");
    let scaling = map([
        ("target_capacity", Value::Int(90)),
        ("maximum_scaling_step_size", Value::Int(2)),
    ]);
    let (cp, cp_in, cp_out) = create(
        &p,
        &pc,
        "aws:ecs:CapacityProvider",
        map([
            ("name", "hosts".into()),
            ("auto_scaling_group_arn", out_str(&asg_out, "arn").into()),
            ("managed_scaling", Value::Map(scaling)),
            ("managed_termination_protection", "ENABLED".into()),
        ]),
    )
    .await;
    assert_eq!(cp, "hosts");
    assert!(
        out_str(&cp_out, "arn").contains(":capacity-provider/hosts"),
        "{cp_out:?}"
    );
    let described = clients
        .ecs
        .describe_capacity_providers()
        .capacity_providers("hosts")
        .send()
        .await
        .expect("describe capacity provider");
    let asg_provider = described.capacity_providers()[0]
        .auto_scaling_group_provider()
        .expect("an auto scaling group provider");
    assert_eq!(
        asg_provider.auto_scaling_group_arn(),
        out_str(&asg_out, "arn")
    );
    assert_eq!(
        asg_provider
            .managed_scaling()
            .and_then(|s| s.target_capacity()),
        Some(90)
    );
    assert_no_drift(
        &p,
        &pc,
        "aws:ecs:CapacityProvider",
        &cp,
        &cp_in,
        &cp_out,
        &[
            "auto_scaling_group_arn",
            "managed_scaling",
            "managed_termination_protection",
        ],
    )
    .await;

    let mut cp_updated = cp_in.clone();
    cp_updated.insert(
        "managed_scaling".into(),
        Value::Map(map([
            ("target_capacity", Value::Int(75)),
            ("maximum_scaling_step_size", Value::Int(2)),
        ])),
    );
    let cp_out2 = providers
        .update(&pc, &cp, &cp_in, &cp_out, &cp_updated)
        .await
        .expect("update provider");
    assert_no_drift(
        &p,
        &pc,
        "aws:ecs:CapacityProvider",
        &cp,
        &cp_updated,
        &cp_out2,
        &["managed_scaling"],
    )
    .await;

    // The cluster's capacity providers and default strategy.
    let assoc = resource(&p, "aws:ecs:ClusterCapacityProviders");
    let ac = ctx("ecs", "cluster_capacity");
    let strategy = |base: i64| {
        Value::List(vec![Value::Map(map([
            ("capacity_provider", "hosts".into()),
            ("weight", Value::Int(1)),
            ("base", Value::Int(base)),
        ]))])
    };
    let (assoc_id, assoc_in, assoc_out) = create(
        &p,
        &ac,
        "aws:ecs:ClusterCapacityProviders",
        map([
            ("cluster", "main".into()),
            ("capacity_providers", strs(&["hosts"])),
            ("default_capacity_provider_strategy", strategy(0)),
        ]),
    )
    .await;
    assert_eq!(assoc_id, "main");
    let described = clients
        .ecs
        .describe_clusters()
        .clusters("main")
        .send()
        .await
        .expect("describe");
    assert_eq!(
        described.clusters()[0].capacity_providers(),
        ["hosts".to_string()]
    );
    assert_eq!(
        described.clusters()[0]
            .default_capacity_provider_strategy()
            .len(),
        1
    );
    let keys = [
        "cluster",
        "capacity_providers",
        "default_capacity_provider_strategy",
    ];
    assert_no_drift(
        &p,
        &ac,
        "aws:ecs:ClusterCapacityProviders",
        &assoc_id,
        &assoc_in,
        &assoc_out,
        &keys,
    )
    .await;
    let mut assoc_updated = assoc_in.clone();
    assoc_updated.insert("default_capacity_provider_strategy".into(), strategy(1));
    let assoc_out2 = assoc
        .update(&ac, &assoc_id, &assoc_in, &assoc_out, &assoc_updated)
        .await
        .expect("update strategy");
    assert_no_drift(
        &p,
        &ac,
        "aws:ecs:ClusterCapacityProviders",
        &assoc_id,
        &assoc_updated,
        &assoc_out2,
        &keys,
    )
    .await;

    // Teardown in the engine's order: dependents first.
    assoc
        .delete(&ac, &assoc_id, &assoc_updated, &assoc_out2)
        .await
        .expect("remove capacity providers");
    let described = clients
        .ecs
        .describe_clusters()
        .clusters("main")
        .send()
        .await
        .expect("describe");
    assert!(described.clusters()[0].capacity_providers().is_empty());
    delete_and_check_gone(
        &p,
        &pc,
        "aws:ecs:CapacityProvider",
        &cp,
        &cp_updated,
        &cp_out2,
    )
    .await;
    delete_and_check_gone(&p, &gc, "aws:autoscaling:Group", &asg, &asg_in, &asg_out).await;
    delete_and_check_gone(&p, &cc, "aws:ecs:Cluster", &cluster, &c_updated, &c_out2).await;
}

#[tokio::test]
async fn service_behind_a_load_balancer_gets_a_new_task_definition() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("web", "stack");
    let clients = p.shared().clients(&c).await.expect("clients");
    let (vpc, subnets, sg, _) = network(&clients).await;
    let subnet_refs: Vec<&str> = subnets.iter().map(String::as_str).collect();

    let (cluster, cluster_in, cluster_out) = create(
        &p,
        &ctx("web", "cluster"),
        "aws:ecs:Cluster",
        map([("name", "web".into())]),
    )
    .await;
    let lc = ctx("web", "logs");
    let (logs, logs_in, logs_out) = create(
        &p,
        &lc,
        "aws:logs:LogGroup",
        map([("name", "/ecs/web".into())]),
    )
    .await;

    // Revision 1, from AWS's JSON form.
    let tasks = resource(&p, "aws:ecs:TaskDefinition");
    let tc = ctx("web", "task");
    let (td1, td1_in, td1_out) = create(
        &p,
        &tc,
        "aws:ecs:TaskDefinition",
        map([
            ("family", "web".into()),
            ("container_definitions", TASK_JSON.into()),
            ("network_mode", "bridge".into()),
            ("requires_compatibilities", strs(&["EC2"])),
            ("memory", Value::Int(512)),
        ]),
    )
    .await;
    assert!(td1.contains(":task-definition/web:"), "{td1}");
    assert_eq!(out_str(&td1_out, "arn"), td1);
    assert!(
        out_str(&td1_out, "arn_without_revision").ends_with(":task-definition/web"),
        "{td1_out:?}"
    );
    let described = clients
        .ecs
        .describe_task_definition()
        .task_definition(&td1)
        .include(TaskDefinitionField::Tags)
        .send()
        .await
        .expect("describe task definition");
    let td = described.task_definition().expect("a task definition");
    let web = &td.container_definitions()[0];
    assert_eq!(web.image(), Some("public.ecr.aws/nginx/nginx:1.27"));
    assert_eq!(web.port_mappings()[0].container_port(), Some(80));
    let log = web.log_configuration().expect("a log configuration");
    assert_eq!(log.log_driver().as_str(), "awslogs");
    assert_eq!(
        log.options()
            .and_then(|o| o.get("awslogs-group"))
            .map(String::as_str),
        Some("/ecs/web")
    );
    assert_eq!(td.memory(), Some("512"));
    assert_eq!(
        tag_map(described.tags())
            .get("skistack:resource")
            .map(String::as_str),
        Some("task")
    );
    let keys = [
        "family",
        "network_mode",
        "requires_compatibilities",
        "memory",
    ];
    assert_no_drift(
        &p,
        &tc,
        "aws:ecs:TaskDefinition",
        &td1,
        &td1_in,
        &td1_out,
        &keys,
    )
    .await;

    // Revision 2, from tables, as a replacement registers it.
    let container = map([
        ("name", "web".into()),
        ("image", "public.ecr.aws/nginx/nginx:1.28".into()),
        ("memory", Value::Int(512)),
        ("essential", Value::Bool(true)),
        (
            "port_mappings",
            Value::List(vec![Value::Map(map([("container_port", Value::Int(80))]))]),
        ),
        ("environment", table(&[("MODE", "green")])),
    ]);
    let (td2, td2_in, td2_out) = create(
        &p,
        &tc,
        "aws:ecs:TaskDefinition",
        map([
            ("family", "web".into()),
            (
                "container_definitions",
                Value::List(vec![Value::Map(container)]),
            ),
        ]),
    )
    .await;
    assert_eq!(td2_out.get("revision"), Some(&Value::Int(2)));
    let described = clients
        .ecs
        .describe_task_definition()
        .task_definition(&td2)
        .send()
        .await
        .expect("describe");
    let env = described
        .task_definition()
        .expect("a task definition")
        .container_definitions()[0]
        .environment();
    assert_eq!(env[0].value(), Some("green"));

    // The load balancer in front.
    let (_, _, lb_out) = create(
        &p,
        &ctx("web", "alb"),
        "aws:elbv2:LoadBalancer",
        map([
            ("name", "web".into()),
            ("subnets", strs(&subnet_refs)),
            ("security_groups", strs(&[&sg])),
        ]),
    )
    .await;
    let (tg, _, _) = create(
        &p,
        &ctx("web", "tg"),
        "aws:elbv2:TargetGroup",
        map([
            ("name", "web".into()),
            ("port", Value::Int(80)),
            ("protocol", "HTTP".into()),
            ("vpc_id", vpc.as_str().into()),
        ]),
    )
    .await;
    create(
        &p,
        &ctx("web", "http"),
        "aws:elbv2:Listener",
        map([
            ("load_balancer_arn", out_str(&lb_out, "arn").into()),
            ("port", Value::Int(80)),
            (
                "default_action",
                Value::Map(map([("target_group_arn", tg.as_str().into())])),
            ),
        ]),
    )
    .await;

    // The service on revision 1, registered with the target group.
    let services = resource(&p, "aws:ecs:Service");
    let sc = ctx("web", "service");
    let (svc, svc_in, svc_out) = create(
        &p,
        &sc,
        "aws:ecs:Service",
        map([
            ("name", "web".into()),
            ("cluster", "web".into()),
            ("task_definition", td1.as_str().into()),
            ("desired_count", Value::Int(2)),
            ("launch_type", "EC2".into()),
            (
                "load_balancers",
                Value::List(vec![Value::Map(map([
                    ("target_group_arn", tg.as_str().into()),
                    ("container_name", "web".into()),
                    ("container_port", Value::Int(80)),
                ]))]),
            ),
            ("tags", table(&[("Name", "web")])),
        ]),
    )
    .await;
    assert!(svc.contains(":service/web"), "{svc}");
    let described = clients
        .ecs
        .describe_services()
        .cluster("web")
        .services(&svc)
        .include(ServiceField::Tags)
        .send()
        .await
        .expect("describe service");
    let got = &described.services()[0];
    assert_eq!(got.task_definition(), Some(td1.as_str()));
    assert_eq!(got.desired_count(), 2);
    assert_eq!(
        got.load_balancers()[0].target_group_arn(),
        Some(tg.as_str())
    );
    assert_eq!(got.load_balancers()[0].container_port(), Some(80));
    let tags = tag_map(got.tags());
    assert_eq!(tags.get("Name").map(String::as_str), Some("web"));
    assert_eq!(
        tags.get("skistack:resource").map(String::as_str),
        Some("service")
    );
    let keys = [
        "name",
        "cluster",
        "task_definition",
        "desired_count",
        "launch_type",
        "load_balancers",
        "tags",
    ];
    assert_no_drift(&p, &sc, "aws:ecs:Service", &svc, &svc_in, &svc_out, &keys).await;
    assert_eq!(
        services
            .find(&sc, &svc_in)
            .await
            .expect("find")
            .map(|f| f.id),
        Some(svc.clone())
    );

    // In place: the new revision and one more task.
    let mut svc_updated = svc_in.clone();
    svc_updated.insert("task_definition".into(), td2.as_str().into());
    svc_updated.insert("desired_count".into(), Value::Int(3));
    let svc_out2 = services
        .update(&sc, &svc, &svc_in, &svc_out, &svc_updated)
        .await
        .expect("update service");
    assert_eq!(svc_out2.get("arn"), svc_out.get("arn"));
    let described = clients
        .ecs
        .describe_services()
        .cluster("web")
        .services(&svc)
        .send()
        .await
        .expect("describe");
    assert_eq!(
        described.services()[0].task_definition(),
        Some(td2.as_str())
    );
    assert_eq!(described.services()[0].desired_count(), 3);
    assert_no_drift(
        &p,
        &sc,
        "aws:ecs:Service",
        &svc,
        &svc_updated,
        &svc_out2,
        &keys,
    )
    .await;

    // The old revision goes, as a replacement's delete does.
    delete_and_check_gone(&p, &tc, "aws:ecs:TaskDefinition", &td1, &td1_in, &td1_out).await;
    let old = clients
        .ecs
        .describe_task_definition()
        .task_definition(&td1)
        .send()
        .await;
    assert!(
        old.as_ref().map_or(true, |o| o
            .task_definition()
            .and_then(|t| t.status())
            .map(|s| s.as_str())
            == Some("INACTIVE")),
        "{old:?}"
    );
    assert!(
        tasks
            .read(&tc, &td2, &td2_in, &td2_out)
            .await
            .expect("read")
            .is_some()
    );

    // Deleting the service drains it to INACTIVE.
    delete_and_check_gone(&p, &sc, "aws:ecs:Service", &svc, &svc_updated, &svc_out2).await;
    let described = clients
        .ecs
        .describe_services()
        .cluster("web")
        .services(&svc)
        .send()
        .await
        .expect("describe");
    assert!(
        described
            .services()
            .iter()
            .all(|s| s.status() == Some("INACTIVE")),
        "{described:?}"
    );

    delete_and_check_gone(&p, &tc, "aws:ecs:TaskDefinition", &td2, &td2_in, &td2_out).await;
    delete_and_check_gone(&p, &lc, "aws:logs:LogGroup", &logs, &logs_in, &logs_out).await;
    delete_and_check_gone(
        &p,
        &ctx("web", "cluster"),
        "aws:ecs:Cluster",
        &cluster,
        &cluster_in,
        &cluster_out,
    )
    .await;
}

/// Every ECS type through the conformance harness. Each stands on the
/// provider's own cluster, group and task definition, made first.
#[tokio::test]
async fn ecs_types_conform() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("conform", "it");
    let clients = p.shared().clients(&c).await.expect("clients");
    let (_, subnets, _, template) = network(&clients).await;
    let subnet_refs: Vec<&str> = subnets.iter().map(String::as_str).collect();
    let tagged = |mut m: Map| {
        m.insert("tags".into(), table(&[("Name", "conform")]));
        m
    };
    let case = |token, inputs: Map, updated: Map| Case {
        token,
        inputs,
        updated,
        findable: true,
    };

    let cluster = map([("name", "conform".into())]);
    let mut cluster_up = tagged(cluster.clone());
    cluster_up.insert("container_insights".into(), Value::Bool(true));
    conform(&p, &c, case("aws:ecs:Cluster", cluster.clone(), cluster_up)).await;

    let task = map([
        ("family", "conform".into()),
        ("container_definitions", TASK_JSON.into()),
        ("network_mode", "bridge".into()),
        ("requires_compatibilities", strs(&["EC2"])),
        ("memory", Value::Int(512)),
    ]);
    let task_up = tagged(task.clone());
    conform(
        &p,
        &c,
        case("aws:ecs:TaskDefinition", task.clone(), task_up),
    )
    .await;

    let oc = ctx("conform", "owners");
    let owned = [
        ("aws:ecs:Cluster", cluster),
        ("aws:ecs:TaskDefinition", task),
        (
            "aws:autoscaling:Group",
            map([
                ("name", "conform".into()),
                ("min_size", Value::Int(0)),
                ("max_size", Value::Int(2)),
                ("vpc_zone_identifier", strs(&subnet_refs)),
                (
                    "launch_template",
                    Value::Map(map([("id", template.as_str().into())])),
                ),
            ]),
        ),
    ];
    let mut made = Vec::new();
    for (token, inputs) in owned {
        made.push((token, create(&p, &oc, token, inputs).await));
    }
    let task_arn = made[1].1.0.clone();
    let asg_arn = out_str(&made[2].1.2, "arn").to_string();

    let cp = map([
        ("name", "conform".into()),
        ("auto_scaling_group_arn", asg_arn.into()),
    ]);
    let mut cp_up = tagged(cp.clone());
    cp_up.insert(
        "managed_scaling".into(),
        Value::Map(map([("target_capacity", Value::Int(75))])),
    );
    conform(&p, &c, case("aws:ecs:CapacityProvider", cp, cp_up)).await;

    let providers = map([
        ("cluster", "conform".into()),
        ("capacity_providers", strs(&["FARGATE"])),
    ]);
    let mut providers_up = providers.clone();
    providers_up.insert(
        "capacity_providers".into(),
        strs(&["FARGATE", "FARGATE_SPOT"]),
    );
    let assoc = case("aws:ecs:ClusterCapacityProviders", providers, providers_up);
    conform(&p, &c, assoc).await;

    let service = map([
        ("name", "conform".into()),
        ("cluster", "conform".into()),
        ("task_definition", task_arn.as_str().into()),
        ("desired_count", Value::Int(1)),
        ("launch_type", "EC2".into()),
    ]);
    let mut service_up = tagged(service.clone());
    service_up.insert("desired_count".into(), Value::Int(2));
    conform(&p, &c, case("aws:ecs:Service", service, service_up)).await;

    for (token, (id, inputs, outputs)) in made.into_iter().rev() {
        delete_and_check_gone(&p, &oc, token, &id, &inputs, &outputs).await;
    }
}
