//! skistack's AWS provider (`aws`): EC2, SSM, ECR, IAM, ECS, Auto Scaling,
//! ELBv2 and CloudWatch Logs resource types and data sources, on the AWS SDK.
//!
//! Every service module exposes `resource_types(&Arc<Shared>)` and
//! `data_sources(&Arc<Shared>)`; [`AwsProvider`] gathers them.

use std::sync::Arc;

use skistack_engine::{DataSource, Provider, ResourceType};

pub mod errors;
pub mod limits;
pub mod props;
pub mod replay;
pub mod retry;
pub mod shared;
pub mod tags;
pub mod token;

pub mod ec2;
pub mod ssm;

mod autoscaling;
mod ecr;
mod ecs;
mod elbv2;
mod iam;
mod logs;

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
}

/// An access key pair.
#[derive(Clone)]
pub struct StaticCredentials {
    pub access_key_id: String,
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
        let mut resources = Vec::new();
        resources.extend(ec2::resource_types(&shared));
        resources.extend(ecr::resource_types(&shared));
        resources.extend(iam::resource_types(&shared));
        resources.extend(ecs::resource_types(&shared));
        resources.extend(autoscaling::resource_types(&shared));
        resources.extend(elbv2::resource_types(&shared));
        resources.extend(logs::resource_types(&shared));
        let mut data = Vec::new();
        data.extend(ec2::data_sources(&shared));
        data.extend(ssm::data_sources(&shared));
        data.extend(ecr::data_sources(&shared));
        data.extend(iam::data_sources(&shared));
        data.extend(ecs::data_sources(&shared));
        data.extend(autoscaling::data_sources(&shared));
        data.extend(elbv2::data_sources(&shared));
        data.extend(logs::data_sources(&shared));
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
}
