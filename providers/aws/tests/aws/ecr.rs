//! `aws:ecr:Repository` against moto, through the provider's trait methods,
//! checked through the AWS SDK.

use crate::conformance::{Case, conform};
use std::collections::BTreeMap;

use crate::common::{
    Moto, ctx, ctx_with_config, map, out_str, provider, resource, table, with_defaults,
};
use aws_sdk_ecr::types::{ImageIdentifier, ImageTagMutability};
use skistack_engine::{Map, Value};
use skistack_provider_aws::Clients;

const TOKEN: &str = "aws:ecr:Repository";

const EXPIRE_UNTAGGED: &str = r#"{"rules":[{"rulePriority":1,"description":"expire untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}"#;
const KEEP_TEN: &str = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}"#;

async fn tags_of(clients: &Clients, arn: &str) -> BTreeMap<String, String> {
    clients
        .ecr
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .expect("list tags")
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

async fn lifecycle_policy(clients: &Clients, name: &str) -> Option<String> {
    clients
        .ecr
        .get_lifecycle_policy()
        .repository_name(name)
        .send()
        .await
        .ok()
        .and_then(|o| o.lifecycle_policy_text().map(str::to_string))
}

#[tokio::test]
async fn repository_lifecycle() {
    let moto = Moto::start();
    let p = provider(&moto);
    let rt = resource(&p, TOKEN);
    let c = ctx_with_config(
        "app",
        "repo",
        map([("default_tags", table(&[("team", "platform")]))]),
    );
    let clients = p.shared().clients(&c).await.expect("clients");

    let inputs = with_defaults(
        rt.as_ref(),
        map([
            ("name", "web".into()),
            ("image_tag_mutability", "IMMUTABLE".into()),
            ("lifecycle_policy", EXPIRE_UNTAGGED.into()),
            ("tags", table(&[("Name", "web")])),
        ]),
    );
    let created = rt.create(&c, &inputs).await.expect("create repository");
    assert_eq!(created.id, "web");
    let arn = out_str(&created.outputs, "arn").to_string();
    assert!(arn.ends_with(":repository/web"), "{arn}");
    let registry = out_str(&created.outputs, "registry_id");
    assert_eq!(
        out_str(&created.outputs, "repository_url"),
        format!("{registry}.dkr.ecr.us-east-1.amazonaws.com/web")
    );

    // As AWS has it.
    let repo = clients
        .ecr
        .describe_repositories()
        .repository_names("web")
        .send()
        .await
        .expect("describe")
        .repositories()[0]
        .clone();
    assert_eq!(
        repo.image_tag_mutability(),
        Some(&ImageTagMutability::Immutable)
    );
    assert_eq!(
        repo.image_scanning_configuration()
            .map(|s| s.scan_on_push()),
        Some(false)
    );
    let policy = lifecycle_policy(&clients, "web")
        .await
        .expect("a lifecycle policy");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&policy).expect("JSON"),
        serde_json::from_str::<serde_json::Value>(EXPIRE_UNTAGGED).expect("JSON")
    );
    let tags = tags_of(&clients, &arn).await;
    assert_eq!(tags.get("team").map(String::as_str), Some("platform"));
    assert_eq!(tags.get("Name").map(String::as_str), Some("web"));
    assert_eq!(tags.get("skistack:stack").map(String::as_str), Some("app"));
    assert_eq!(
        tags.get("skistack:resource").map(String::as_str),
        Some("repo")
    );

    // Read back what was declared: no drift.
    let read = rt
        .read(&c, "web", &inputs, &created.outputs)
        .await
        .expect("read")
        .expect("exists");
    for key in [
        "image_tag_mutability",
        "scan_on_push",
        "lifecycle_policy",
        "tags",
        "encryption_type",
    ] {
        assert_eq!(
            read.inputs.get(key),
            inputs.get(key),
            "{key} drifted: {read:?}"
        );
    }

    // Update in place: mutable, scan on push, another policy, other tags.
    // (Scan on push goes from off to on: the SDK leaves a false flag out of
    // the request, which AWS reads as off but moto ignores.)
    let mut updated = inputs.clone();
    updated.insert("image_tag_mutability".into(), "MUTABLE".into());
    updated.insert("scan_on_push".into(), Value::Bool(true));
    updated.insert("lifecycle_policy".into(), KEEP_TEN.into());
    updated.insert("tags".into(), table(&[("tier", "back")]));
    let out = rt
        .update(&c, "web", &inputs, &created.outputs, &updated)
        .await
        .expect("update");
    assert_eq!(out_str(&out, "arn"), arn);
    let read = rt
        .read(&c, "web", &updated, &out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        read.inputs.get("image_tag_mutability"),
        Some(&Value::from("MUTABLE"))
    );
    assert_eq!(read.inputs.get("scan_on_push"), Some(&Value::Bool(true)));
    assert_eq!(
        read.inputs.get("lifecycle_policy"),
        Some(&Value::from(KEEP_TEN))
    );
    assert_eq!(read.inputs.get("tags"), Some(&table(&[("tier", "back")])));
    let tags = tags_of(&clients, &arn).await;
    assert!(!tags.contains_key("Name"), "{tags:?}");
    assert_eq!(tags.get("skistack:env").map(String::as_str), Some("test"));

    // Removing the policy deletes it.
    let mut no_policy = updated.clone();
    no_policy.remove("lifecycle_policy");
    let out = rt
        .update(&c, "web", &updated, &out, &no_policy)
        .await
        .expect("update");
    assert_eq!(lifecycle_policy(&clients, "web").await, None);
    let read = rt
        .read(&c, "web", &no_policy, &out)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.inputs.get("lifecycle_policy"), None);

    // Find adopts only this resource's repository.
    assert_eq!(
        rt.find(&c, &no_policy).await.expect("find").map(|f| f.id),
        Some("web".to_string())
    );
    assert!(
        rt.find(&ctx("other", "repo"), &no_policy)
            .await
            .expect("find")
            .is_none()
    );

    rt.delete(&c, "web", &no_policy, &out)
        .await
        .expect("delete");
    assert!(
        rt.read(&c, "web", &no_policy, &out)
            .await
            .expect("read")
            .is_none()
    );
    rt.delete(&c, "web", &no_policy, &out)
        .await
        .expect("second delete");
}

#[tokio::test]
async fn force_delete_removes_a_repository_with_images() {
    let moto = Moto::start();
    let p = provider(&moto);
    let rt = resource(&p, TOKEN);
    let c = ctx("app", "images");
    let clients = p.shared().clients(&c).await.expect("clients");

    let keep = with_defaults(rt.as_ref(), map([("name", "keep".into())]));
    let created = rt.create(&c, &keep).await.expect("create");
    let manifest = r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}"#;
    clients
        .ecr
        .put_image()
        .repository_name("keep")
        .image_manifest(manifest)
        .image_tag("v1")
        .send()
        .await
        .expect("put image");

    // Without force_delete, a repository with images stays.
    let err = rt
        .delete(&c, "keep", &keep, &created.outputs)
        .await
        .expect_err("not empty");
    assert!(
        err.to_string().contains("delete ECR repository keep"),
        "{err}"
    );
    assert!(
        rt.read(&c, "keep", &keep, &created.outputs)
            .await
            .expect("read")
            .is_some()
    );

    let mut force = keep.clone();
    force.insert("force_delete".into(), Value::Bool(true));
    let out = rt
        .update(&c, "keep", &keep, &created.outputs, &force)
        .await
        .expect("update force_delete");
    rt.delete(&c, "keep", &force, &out)
        .await
        .expect("force delete");
    let images = clients
        .ecr
        .describe_images()
        .repository_name("keep")
        .image_ids(ImageIdentifier::builder().image_tag("v1").build())
        .send()
        .await;
    assert!(images.is_err(), "the repository still answers: {images:?}");
}

#[tokio::test]
async fn a_failed_create_leaves_nothing_behind() {
    let moto = Moto::start();
    let p = provider(&moto);
    let rt = resource(&p, TOKEN);
    let c = ctx("app", "bad");
    let inputs: Map = with_defaults(
        rt.as_ref(),
        map([
            ("name", "bad".into()),
            ("lifecycle_policy", r#"{"rules": "none"}"#.into()),
        ]),
    );
    let err = rt
        .create(&c, &inputs)
        .await
        .expect_err("invalid lifecycle policy");
    assert!(err.to_string().contains("lifecycle policy"), "{err}");
    // The repository made before the policy was rejected is gone again.
    assert!(
        rt.read(&c, "bad", &inputs, &Map::new())
            .await
            .expect("read")
            .is_none()
    );
}

/// `aws:ecr:Repository` through the conformance harness.
#[tokio::test]
async fn repository_conforms() {
    let moto = Moto::start();
    let p = provider(&moto);
    let inputs = map([("name", "conform".into())]);
    let mut updated = inputs.clone();
    updated.insert("image_tag_mutability".into(), "IMMUTABLE".into());
    updated.insert("tags".into(), table(&[("Name", "conform")]));
    let case = Case {
        token: TOKEN,
        inputs,
        updated,
        findable: true,
    };
    conform(&p, &ctx("conform", "it"), case).await;
}
