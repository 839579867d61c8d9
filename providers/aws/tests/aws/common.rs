//! Test support: a moto server (a local AWS emulator) per test, and helpers
//! to build call contexts and inputs for the provider's types.
//!
//! The moto launcher is the workspace's (`skistack-test-support`); not
//! every helper is used by every area.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_ec2::types::{InstanceType, RequestLaunchTemplateData};
use skistack_engine::{CallContext, DataSource, Map, Provider, ResourceType, Value};
use skistack_provider_aws::{AwsOptions, AwsProvider, Clients, StaticCredentials};

/// The workspace's one moto launcher: a server per test on a free port,
/// its log kept with the build.
pub use skistack_test_support::moto::REGION;

/// A moto server for one test, stopped when dropped.
pub struct Moto(skistack_test_support::moto::Moto);

impl Moto {
    /// Starts a moto server and waits until it answers.
    pub fn start() -> Moto {
        let moto = skistack_test_support::moto::Moto::builder()
            .log_dir(env!("CARGO_TARGET_TMPDIR"))
            .start();
        Moto(moto)
    }
}

impl std::ops::Deref for Moto {
    type Target = skistack_test_support::moto::Moto;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// A provider that talks to `moto` with test credentials.
pub fn provider(moto: &Moto) -> AwsProvider {
    AwsProvider::new(AwsOptions {
        endpoint_url: Some(moto.endpoint.clone()),
        static_credentials: Some(StaticCredentials {
            access_key_id: "testing".into(),
            secret_access_key: "testing".into(),
        }),
        // moto runs a request before it answers it: nothing lands late.
        landing_window: Some(std::time::Duration::ZERO),
        ..AwsOptions::default()
    })
}

/// A call context for `resource` of `stack` (env "test"), with region
/// us-east-1 in the config and a fresh operation id.
pub fn ctx(stack: &str, resource: &str) -> CallContext {
    ctx_with_config(stack, resource, Map::new())
}

/// Like [`ctx`], with more config (such as `default_tags`).
pub fn ctx_with_config(stack: &str, resource: &str, config: Map) -> CallContext {
    static NEXT_OP: AtomicU64 = AtomicU64::new(1);
    let mut config = config;
    config
        .entry("region".into())
        .or_insert_with(|| REGION.into());
    CallContext {
        stack: stack.to_string(),
        env: "test".to_string(),
        resource: resource.to_string(),
        type_token: String::new(),
        config: Arc::new(config),
        operation_id: format!(
            "test-{}-{}",
            std::process::id(),
            NEXT_OP.fetch_add(1, Ordering::Relaxed)
        ),
        stack_dir: PathBuf::from("."),
    }
}

/// The provider's resource type `token`.
pub fn resource(provider: &AwsProvider, token: &str) -> Arc<dyn ResourceType> {
    provider
        .resource_types()
        .into_iter()
        .find(|r| r.schema().token == token)
        .unwrap_or_else(|| panic!("no resource type {token}"))
}

/// The provider's data source `token`.
pub fn data_source(provider: &AwsProvider, token: &str) -> Arc<dyn DataSource> {
    provider
        .data_sources()
        .into_iter()
        .find(|d| d.schema().token == token)
        .unwrap_or_else(|| panic!("no data source {token}"))
}

/// A property map from pairs.
pub fn map<const N: usize>(pairs: [(&str, Value); N]) -> Map {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// A list of strings as a value.
pub fn strs(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| Value::from(*s)).collect())
}

/// The inputs with the type's defaults filled in, as the engine passes them.
pub fn with_defaults(rt: &dyn ResourceType, inputs: Map) -> Map {
    let mut inputs = inputs;
    rt.schema().apply_defaults(&mut inputs);
    inputs
}

/// A string output, or a panic naming the missing key.
pub fn out_str<'a>(outputs: &'a Map, key: &str) -> &'a str {
    outputs
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("output {key} missing or not a string in {outputs:?}"))
}

/// The provider's counter `name` (such as `calls` or `calls.ec2`).
pub fn metric(provider: &AwsProvider, name: &str) -> u64 {
    provider
        .metrics()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

/// A map of strings as a value (such as a `tags` table).
pub fn table(pairs: &[(&str, &str)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect(),
    )
}

/// Creates a resource the way the engine does (defaults applied first);
/// returns its id, the inputs with defaults and its outputs.
pub async fn create(
    p: &AwsProvider,
    c: &CallContext,
    token: &str,
    inputs: Map,
) -> (String, Map, Map) {
    let rt = resource(p, token);
    let inputs = with_defaults(rt.as_ref(), inputs);
    let created = rt
        .create(c, &inputs)
        .await
        .unwrap_or_else(|e| panic!("create {token}: {e}"));
    (created.id, inputs, created.outputs)
}

/// Deletes, checks that a read then finds nothing, and deletes again.
pub async fn delete_and_check_gone(
    p: &AwsProvider,
    c: &CallContext,
    token: &str,
    id: &str,
    inputs: &Map,
    outputs: &Map,
) {
    let rt = resource(p, token);
    rt.delete(c, id, inputs, outputs)
        .await
        .unwrap_or_else(|e| panic!("delete {token} {id}: {e}"));
    let read = rt
        .read(c, id, inputs, outputs)
        .await
        .expect("read after delete");
    assert!(
        read.is_none(),
        "{token} {id} still reads back after delete: {read:?}"
    );
    rt.delete(c, id, inputs, outputs)
        .await
        .unwrap_or_else(|e| panic!("second delete of {token} {id}: {e}"));
}

/// A VPC `{prefix}.0.0/16` made with the SDK, with a subnet
/// `{prefix}.{i}.0/24` in each of us-east-1a and us-east-1b; returns the
/// VPC id and the subnet ids.
pub async fn sdk_vpc_with_subnets(clients: &Clients, prefix: &str) -> (String, Vec<String>) {
    let vpc = clients
        .ec2
        .create_vpc()
        .cidr_block(format!("{prefix}.0.0/16"))
        .send()
        .await
        .expect("create VPC")
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("a VPC id")
        .to_string();
    let mut subnets = Vec::new();
    for (i, az) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
        let subnet = clients
            .ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("{prefix}.{i}.0/24"))
            .availability_zone(*az)
            .send()
            .await
            .expect("create subnet");
        subnets.push(
            subnet
                .subnet()
                .and_then(|s| s.subnet_id())
                .expect("a subnet id")
                .to_string(),
        );
    }
    (vpc, subnets)
}

/// A security group in `vpc` made with the SDK; returns its id.
pub async fn sdk_security_group(
    clients: &Clients,
    vpc: &str,
    name: &str,
    description: &str,
) -> String {
    clients
        .ec2
        .create_security_group()
        .group_name(name)
        .description(description)
        .vpc_id(vpc)
        .send()
        .await
        .expect("create security group")
        .group_id()
        .expect("a group id")
        .to_string()
}

/// A launch template `name` of the first Amazon image, made with the SDK;
/// returns its id.
pub async fn sdk_launch_template(
    clients: &Clients,
    name: &str,
    instance_type: Option<InstanceType>,
) -> String {
    let images = clients
        .ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .expect("images");
    let ami = images.images()[0]
        .image_id()
        .expect("an image id")
        .to_string();
    clients
        .ec2
        .create_launch_template()
        .launch_template_name(name)
        .launch_template_data(
            RequestLaunchTemplateData::builder()
                .image_id(ami)
                .set_instance_type(instance_type)
                .build(),
        )
        .send()
        .await
        .expect("create launch template")
        .launch_template()
        .and_then(|t| t.launch_template_id())
        .expect("a template id")
        .to_string()
}
