//! The one list of the provider's types, service by service. A new type is
//! one line here; what it declares (such as the creates that must never be
//! replayed, [`crate::kit::AwsResource::NOT_IDEMPOTENT`]) comes with it, so
//! nothing else needs to remember it: [`crate::replay`] reads this list.

use std::sync::Arc;

use skistack_engine::DataSource;

use crate::kit::Entry;
use crate::shared::Shared;
use crate::{autoscaling, ec2, ecr, ecs, elbv2, iam, logs, ssm};

/// Every resource type, in the order the provider lists them.
pub(crate) fn resources() -> Vec<Entry> {
    vec![
        // EC2
        Entry::of::<ec2::Vpc>(),
        Entry::of::<ec2::Subnet>(),
        Entry::of::<ec2::InternetGateway>(),
        Entry::of::<ec2::RouteTable>(),
        Entry::of::<ec2::Route>(),
        Entry::of::<ec2::RouteTableAssociation>(),
        Entry::of::<ec2::Eip>(),
        Entry::of::<ec2::NatGateway>(),
        Entry::of::<ec2::SecurityGroup>(),
        Entry::of::<ec2::SecurityGroupRule>(),
        Entry::of::<ec2::KeyPair>(),
        Entry::of::<ec2::Instance>(),
        Entry::of::<ec2::LaunchTemplate>(),
        // ECR
        Entry::of::<ecr::Repository>(),
        // IAM
        Entry::of::<iam::Role>(),
        Entry::of::<iam::RolePolicyAttachment>(),
        Entry::of::<iam::RolePolicy>(),
        Entry::of::<iam::InstanceProfile>(),
        // ECS
        Entry::of::<ecs::Cluster>(),
        Entry::of::<ecs::CapacityProvider>(),
        Entry::of::<ecs::ClusterCapacityProviders>(),
        Entry::of::<ecs::TaskDefinition>(),
        Entry::of::<ecs::Service>(),
        // Auto Scaling
        Entry::of::<autoscaling::Group>(),
        // ELBv2
        Entry::of::<elbv2::LoadBalancer>(),
        Entry::of::<elbv2::TargetGroup>(),
        Entry::of::<elbv2::Listener>(),
        // CloudWatch Logs
        Entry::of::<logs::LogGroup>(),
    ]
}

/// Every data source.
pub(crate) fn data_sources(shared: &Arc<Shared>) -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(ec2::AvailabilityZones::new(shared)),
        Arc::new(ssm::Parameter::new(shared)),
    ]
}
