//! The one list of the provider's types, service by service. A new type in
//! a service with a folder is one line in its `resource_types!` (see
//! [`crate::kit::resource_types`]); one in a single-file service, one line
//! here. What a type declares (such as the creates that must never be
//! replayed, [`crate::kit::AwsResource::NOT_IDEMPOTENT`]) comes with it, so
//! nothing else needs to remember it: [`crate::replay`] reads this list.

use std::sync::Arc;

use skistack_engine::DataSource;

use crate::kit::Entry;
use crate::shared::Shared;
use crate::{autoscaling, ec2, ecr, ecs, elbv2, iam, logs, ssm};

/// Every resource type, in the order the provider lists them.
pub(crate) fn resources() -> Vec<Entry> {
    let mut all = ec2::entries();
    all.push(Entry::of::<ecr::Repository>());
    all.extend(iam::entries());
    all.extend(ecs::entries());
    all.push(Entry::of::<autoscaling::Group>());
    all.extend(elbv2::entries());
    all.push(Entry::of::<logs::LogGroup>());
    all
}

/// Every data source.
pub(crate) fn data_sources(shared: &Arc<Shared>) -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(ec2::AvailabilityZones::new(shared)),
        Arc::new(ssm::Parameter::new(shared)),
    ]
}
