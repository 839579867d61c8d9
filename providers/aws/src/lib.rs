//! skistack's AWS provider (`aws`): EC2, SSM, ECR, IAM, ECS, Auto Scaling,
//! ELBv2 and CloudWatch Logs resource types and data sources, on the AWS SDK.
//!
//! Each resource type implements the crate's small
//! [`kit::AwsResource`](crate::kit) trait, and one adapter turns it into the
//! engine's `ResourceType`; [`registry`](crate::registry) lists every type
//! once. Only what the `skistack` binary and the tests use is public.

use std::sync::Arc;

use skistack_engine::{DataSource, PolicyRule, Provider, ResourceType};

pub mod errors;
pub mod limits;
pub mod props;
pub mod replay;
pub mod retry;
pub mod shared;
pub mod tags;
pub mod token;

mod autoscaling;
mod bucket;
mod ec2;
mod ecr;
mod ecs;
mod elbv2;
mod iam;
mod keywrap;
mod kit;
mod logs;
mod policy;
mod registry;
mod ssm;

pub use bucket::S3Bucket;
pub use keywrap::KmsKeyWrap;
pub use shared::{Clients, Shared};

/// How the provider reaches AWS.
#[derive(Clone, Debug, Default)]
pub struct AwsOptions {
    /// An endpoint that overrides AWS's for every service (a local emulator
    /// such as moto). Without it aws-config's own handling applies,
    /// `AWS_ENDPOINT_URL` included.
    pub endpoint_url: Option<String>,
    /// Fixed credentials instead of the standard chain (for emulators).
    pub static_credentials: Option<StaticCredentials>,
    /// The most API calls in flight per service; `None` for
    /// [`limits::DEFAULT_MAX_CONCURRENCY`].
    pub max_concurrency: Option<usize>,
    /// How long a create request lost with the process may take to land;
    /// `None` for [`DEFAULT_LANDING_WINDOW`]. An emulator that runs each
    /// request before answering it needs none.
    pub landing_window: Option<std::time::Duration>,
}

/// How long after a create call began recovery keeps looking for what it
/// made: AWS runs a request it received within seconds, and a lookup this
/// long after the call finds what the call made, if anything.
pub const DEFAULT_LANDING_WINDOW: std::time::Duration = std::time::Duration::from_secs(30);

/// An access key pair.
#[derive(Clone)]
pub struct StaticCredentials {
    /// The access key id (`AKIA...`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

/// Never prints the secret key.
impl std::fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// The `aws` provider.
pub struct AwsProvider {
    shared: Arc<Shared>,
    resources: Vec<Arc<dyn ResourceType>>,
    data: Vec<Arc<dyn DataSource>>,
}

impl AwsProvider {
    /// A provider with every AWS type. No AWS call happens until a type is used.
    pub fn new(options: AwsOptions) -> AwsProvider {
        let shared = Arc::new(Shared::new(options));
        let resources = registry::resources()
            .iter()
            .map(|entry| (entry.build)(&shared))
            .collect();
        let data = registry::data_sources(&shared);
        AwsProvider {
            shared,
            resources,
            data,
        }
    }

    /// The state shared by the provider's types.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

impl Provider for AwsProvider {
    fn name(&self) -> &str {
        "aws"
    }

    fn resource_types(&self) -> Vec<Arc<dyn ResourceType>> {
        self.resources.clone()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        self.data.clone()
    }

    /// API calls per service (`calls.ec2`...) and in all (`calls`), then
    /// the retries among them (`retries.ec2`..., `retries`).
    fn metrics(&self) -> Vec<(String, u64)> {
        self.shared.call_counts()
    }

    fn policy_rules(&self) -> Vec<Arc<dyn PolicyRule>> {
        policy::rules()
    }
}
