//! The ceros-ski architecture of issue 3, read back through the AWS SDK and
//! checked piece by piece.

mod ecs;
mod instances;
mod network;
mod security;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use skistack_test_support::cli::{Project, out_strs};

use super::aws::Aws;

/// The name most resources of `environments` get in environment `staging`.
pub const NAME: &str = "ceros-ski-staging";
/// The launch template's and the auto scaling group's name.
pub const ASG: &str = "ceros-ski-staging-ecs";
/// The ECS service's name.
pub const SERVICE: &str = "ceros-ski";

/// What the deployment should look like.
pub struct Expected {
    /// The number of availability zones (`az_count`).
    pub zones: usize,
    /// Whether one NAT gateway serves every zone (`single_nat_gateway`).
    pub single_nat: bool,
    /// The image tag the task runs (`image_tag`).
    pub image_tag: &'static str,
}

/// What the checks learn about the deployment and hand on to each other.
struct Deployed {
    /// The outputs of `environments` and of `repositories`.
    outputs: Value,
    repo_outputs: Value,
    vpc_id: String,
    /// Subnet ids in zone order, as the outputs list them.
    public: Vec<String>,
    private: Vec<String>,
    /// Subnet id → availability zone.
    zone_of: BTreeMap<String, String>,
}

/// The ids of the stack's three security groups.
struct Groups {
    bastion: String,
    alb: String,
    instances: String,
}

impl Default for Expected {
    /// The stacks' defaults.
    fn default() -> Expected {
        Expected {
            zones: 2,
            single_nat: false,
            image_tag: "latest",
        }
    }
}

/// A set of strings.
fn set<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> BTreeSet<String> {
    items.into_iter().map(Into::into).collect()
}

/// Reads the deployment back through the SDK and checks it against the
/// design; returns the outputs of `environments`.
pub async fn check(aws: &Aws, ws: &Project, want: &Expected) -> Value {
    let outputs = ws.masked_outputs("environments");
    let public = out_strs(&outputs, "public_subnet_ids");
    let private = out_strs(&outputs, "private_subnet_ids");
    assert_eq!(
        public.len(),
        want.zones,
        "a public subnet per zone: {outputs}"
    );
    assert_eq!(
        private.len(),
        want.zones,
        "a private subnet per zone: {outputs}"
    );
    let mut d = Deployed {
        vpc_id: skistack_test_support::cli::out_str(&outputs, "vpc_id").to_string(),
        repo_outputs: ws.masked_outputs("repositories"),
        outputs,
        public,
        private,
        zone_of: BTreeMap::new(),
    };
    network::check_vpc(aws, &d).await;
    d.zone_of = network::check_subnets(aws, &d, want).await;
    network::check_nat_and_routes(aws, &d, want).await;
    let groups = security::check_groups(aws, &d).await;
    security::check_bastion(aws, &d, &groups).await;
    instances::check_launch_template_and_group(aws, &d, &groups).await;
    let target_group = instances::check_load_balancer(aws, &d, &groups).await;
    ecs::check_cluster_and_service(aws, &d, &groups, &target_group).await;
    ecs::check_task_and_image(aws, &d, want).await;
    d.outputs
}
