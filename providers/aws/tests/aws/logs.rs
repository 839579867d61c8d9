//! `aws:logs:LogGroup` against moto, through the provider's trait methods,
//! checked through the AWS SDK.

use crate::common::{
    Moto, ctx, ctx_with_config, map, out_str, provider, resource, table, with_defaults,
};
use crate::conformance::{Case, conform};
use skistack_engine::Value;

const TOKEN: &str = "aws:logs:LogGroup";

#[tokio::test]
async fn log_group_lifecycle() {
    let moto = Moto::start();
    let p = provider(&moto);
    let rt = resource(&p, TOKEN);
    let config = map([("default_tags", table(&[("team", "platform")]))]);
    let c = ctx_with_config("app", "logs", config);
    let clients = p.shared().clients(&c).await.expect("clients");

    let inputs = with_defaults(
        rt.as_ref(),
        map([
            ("name", "/ecs/web".into()),
            ("retention_in_days", Value::Int(7)),
            ("tags", table(&[("Name", "web-logs")])),
        ]),
    );
    let created = rt.create(&c, &inputs).await.expect("create log group");
    assert_eq!(created.id, "/ecs/web");
    let arn = out_str(&created.outputs, "arn").to_string();
    assert!(
        arn.starts_with("arn:aws:logs:us-east-1:") && arn.ends_with(":log-group:/ecs/web"),
        "{arn}"
    );

    // Retention and tags as AWS has them.
    let groups = clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix("/ecs/web")
        .send()
        .await
        .expect("describe");
    assert_eq!(groups.log_groups()[0].retention_in_days(), Some(7));
    let tags = clients
        .logs
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .expect("tags")
        .tags()
        .cloned()
        .unwrap_or_default();
    assert_eq!(tags.get("team").map(String::as_str), Some("platform"));
    assert_eq!(tags.get("Name").map(String::as_str), Some("web-logs"));
    assert_eq!(tags.get("skistack:stack").map(String::as_str), Some("app"));
    assert_eq!(tags.get("skistack:env").map(String::as_str), Some("test"));
    assert_eq!(
        tags.get("skistack:resource").map(String::as_str),
        Some("logs")
    );

    // Read back: the declared inputs, without default or identity tags.
    let read = rt
        .read(&c, &created.id, &inputs, &created.outputs)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs.get("retention_in_days"), Some(&Value::Int(7)));
    assert_eq!(
        read.inputs.get("tags"),
        Some(&table(&[("Name", "web-logs")]))
    );
    assert_eq!(read.outputs.get("arn"), Some(&Value::from(arn.as_str())));

    // Update: retention off, a tag changed and one added.
    let mut updated = inputs.clone();
    updated.remove("retention_in_days");
    updated.insert("tags".into(), table(&[("Name", "web"), ("tier", "front")]));
    let out = rt
        .update(&c, &created.id, &inputs, &created.outputs, &updated)
        .await
        .expect("update");
    assert_eq!(out_str(&out, "arn"), arn);
    let read = rt
        .read(&c, &created.id, &updated, &out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs.get("retention_in_days"), None);
    assert_eq!(
        read.inputs.get("tags"),
        Some(&table(&[("Name", "web"), ("tier", "front")]))
    );

    // Find: by name, only when the identity tags are this resource's.
    let found = rt.find(&c, &updated).await.expect("find").expect("found");
    assert_eq!(found.id, "/ecs/web");
    let other = rt
        .find(&ctx("app", "other"), &updated)
        .await
        .expect("find other");
    assert!(
        other.is_none(),
        "adopted a log group of another resource: {other:?}"
    );

    rt.delete(&c, &created.id, &updated, &out)
        .await
        .expect("delete");
    assert!(
        rt.read(&c, &created.id, &updated, &out)
            .await
            .expect("read")
            .is_none()
    );
    rt.delete(&c, &created.id, &updated, &out)
        .await
        .expect("second delete");
    assert!(rt.find(&c, &updated).await.expect("find").is_none());
}

/// `aws:logs:LogGroup` through the conformance harness.
#[tokio::test]
async fn log_group_conforms() {
    let moto = Moto::start();
    let p = provider(&moto);
    let inputs = map([("name", "/conform".into())]);
    let mut updated = inputs.clone();
    updated.insert("retention_in_days".into(), Value::Int(14));
    updated.insert("tags".into(), table(&[("Name", "conform")]));
    let case = Case {
        token: TOKEN,
        inputs,
        updated,
        findable: true,
    };
    conform(&p, &ctx("conform", "it"), case).await;
}
