//! `find_all` against moto: what recovery sees of a resource after an
//! interrupted create, including while a replacement exists beside the old
//! resource with the same identity.

use crate::common::{Moto, ctx, map, provider, resource, strs, with_defaults};
use crate::ec2::PUBLIC_KEY;
use skistack_engine::Value;

const CONTAINERS: &str = r#"[{"name": "web", "image": "nginx", "memory": 128, "essential": true}]"#;

fn ids(found: &[skistack_engine::Created]) -> Vec<String> {
    let mut ids: Vec<String> = found.iter().map(|c| c.id.clone()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn every_revision_carrying_the_identity_is_found_and_no_other() {
    let moto = Moto::start();
    let p = provider(&moto);
    let tasks = resource(&p, "aws:ecs:TaskDefinition");
    let inputs = |family: &str| {
        with_defaults(
            tasks.as_ref(),
            map([
                ("family", family.into()),
                ("container_definitions", CONTAINERS.into()),
            ]),
        )
    };
    let c = ctx("web", "task");
    let first = tasks.create(&c, &inputs("web")).await.expect("register");
    // The replacement: a new revision of the same family, same identity.
    let second = tasks.create(&c, &inputs("web")).await.expect("register");
    // Another resource's revision in the family, and a longer family name.
    tasks
        .create(&ctx("web", "other"), &inputs("web"))
        .await
        .expect("register");
    tasks
        .create(&c, &inputs("web-canary"))
        .await
        .expect("register");
    let found = tasks.find_all(&c, &inputs("web")).await.expect("find_all");
    assert_eq!(ids(&found), ids(&[first.clone(), second]));
    // A deregistered revision is gone.
    tasks
        .delete(&c, &first.id, &inputs("web"), &first.outputs)
        .await
        .expect("deregister");
    assert_eq!(
        tasks
            .find_all(&c, &inputs("web"))
            .await
            .expect("find_all")
            .len(),
        1
    );
}

#[tokio::test]
async fn indexed_resources_are_found_although_filters_read_brackets_as_patterns() {
    let moto = Moto::start();
    let p = provider(&moto);
    let vpcs = resource(&p, "aws:ec2:Vpc");
    let subnets = resource(&p, "aws:ec2:Subnet");
    let vpc = vpcs
        .create(
            &ctx("net", "vpc"),
            &with_defaults(vpcs.as_ref(), map([("cidr_block", "10.2.0.0/16".into())])),
        )
        .await
        .expect("create VPC");
    let subnet = |cidr: &str| {
        with_defaults(
            subnets.as_ref(),
            map([
                ("vpc_id", Value::from(vpc.id.as_str())),
                ("cidr_block", cidr.into()),
            ]),
        )
    };
    let c1 = ctx("net", "subnet[1]");
    let one = subnets
        .create(&c1, &subnet("10.2.1.0/24"))
        .await
        .expect("subnet[1]");
    subnets
        .create(&ctx("net", "subnet[0]"), &subnet("10.2.0.0/24"))
        .await
        .expect("subnet[0]");
    let found = subnets
        .find_all(&c1, &subnet("10.2.1.0/24"))
        .await
        .expect("find");
    assert_eq!(ids(&found), std::slice::from_ref(&one.id));
    // The replacement of subnet[1] carries the same identity: both are found.
    let two = subnets
        .create(&c1, &subnet("10.2.2.0/24"))
        .await
        .expect("replacement");
    let found = subnets
        .find_all(&c1, &subnet("10.2.2.0/24"))
        .await
        .expect("find");
    assert_eq!(ids(&found), ids(&[one, two]));
}

#[tokio::test]
async fn a_rule_is_found_by_what_it_allows_as_well_as_by_its_tags() {
    let moto = Moto::start();
    let p = provider(&moto);
    let vpcs = resource(&p, "aws:ec2:Vpc");
    let groups = resource(&p, "aws:ec2:SecurityGroup");
    let rules = resource(&p, "aws:ec2:SecurityGroupRule");
    let vpc = vpcs
        .create(
            &ctx("net", "vpc"),
            &with_defaults(vpcs.as_ref(), map([("cidr_block", "10.3.0.0/16".into())])),
        )
        .await
        .expect("create VPC");
    let sg = groups
        .create(
            &ctx("net", "sg"),
            &with_defaults(
                groups.as_ref(),
                map([
                    ("name", "find-test".into()),
                    ("description", "find".into()),
                    ("vpc_id", Value::from(vpc.id.as_str())),
                ]),
            ),
        )
        .await
        .expect("create group");
    let rule = |port: i64| {
        with_defaults(
            rules.as_ref(),
            map([
                ("security_group_id", Value::from(sg.id.as_str())),
                ("direction", "ingress".into()),
                ("protocol", "tcp".into()),
                ("from_port", Value::Int(port)),
                ("to_port", Value::Int(port)),
                ("cidr_blocks", strs(&["10.0.0.0/8"])),
            ]),
        )
    };
    let c = ctx("net", "rule");
    let old = rules.create(&c, &rule(22)).await.expect("rule on 22");
    let new = rules.create(&c, &rule(2222)).await.expect("rule on 2222");
    let found = rules.find_all(&c, &rule(2222)).await.expect("find");
    assert_eq!(ids(&found), [new.id]);
    let found = rules.find_all(&c, &rule(22)).await.expect("find");
    assert_eq!(ids(&found), [old.id]);
    assert!(
        rules
            .find_all(&c, &rule(80))
            .await
            .expect("find")
            .is_empty()
    );
    let other = ctx("net", "another_rule");
    assert!(
        rules
            .find_all(&other, &rule(22))
            .await
            .expect("find")
            .is_empty()
    );
}

#[tokio::test]
async fn a_key_pair_or_launch_template_of_the_declared_name_made_by_someone_else_is_not_found() {
    let moto = Moto::start();
    let p = provider(&moto);
    let c = ctx("web", "key");
    let clients = p.shared().clients(&c).await.expect("clients");
    // Both names are unique in the region; these are not this stack's.
    clients
        .ec2
        .import_key_pair()
        .key_name("deploy")
        .public_key_material(aws_smithy_types::Blob::new(PUBLIC_KEY))
        .send()
        .await
        .expect("import a key by hand");
    crate::common::sdk_launch_template(&clients, "nodes", None).await;

    let keys = resource(&p, "aws:ec2:KeyPair");
    let key = map([
        ("key_name", "deploy".into()),
        ("public_key", PUBLIC_KEY.into()),
    ]);
    let found = keys.find_all(&c, &key).await.expect("find_all");
    assert!(found.is_empty(), "adopted someone else's key: {found:?}");

    let templates = resource(&p, "aws:ec2:LaunchTemplate");
    let template = with_defaults(templates.as_ref(), map([("name", "nodes".into())]));
    let found = templates
        .find_all(&ctx("web", "nodes"), &template)
        .await
        .expect("find_all");
    assert!(
        found.is_empty(),
        "adopted someone else's template: {found:?}"
    );
}
