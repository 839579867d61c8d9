//! IAM resource types: roles, their managed-policy attachments and inline
//! policies, and instance profiles. IAM is global; the region of the stack
//! only picks the endpoint.

use std::sync::Arc;

use aws_sdk_iam::types::Tag;
use skistack_engine::{DataSource, ProviderError, ResourceType};

use crate::shared::Shared;

pub(crate) mod document;
mod instance_profile;
mod role;
mod role_policy;

pub use instance_profile::InstanceProfile;
pub use role::Role;
pub use role_policy::{RolePolicy, RolePolicyAttachment};

/// Every IAM resource type.
pub fn resource_types(shared: &Arc<Shared>) -> Vec<Arc<dyn ResourceType>> {
    vec![
        Arc::new(Role::new(shared)),
        Arc::new(RolePolicyAttachment::new(shared)),
        Arc::new(RolePolicy::new(shared)),
        Arc::new(InstanceProfile::new(shared)),
    ]
}

/// IAM has no data sources.
pub fn data_sources(_shared: &Arc<Shared>) -> Vec<Arc<dyn DataSource>> {
    Vec::new()
}

/// IAM tags from key/value pairs.
fn iam_tags(tags: &[(String, String)]) -> Result<Vec<Tag>, ProviderError> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| ProviderError::Invalid(format!("tag {k}: {e}")))
        })
        .collect()
}

/// Key/value pairs of IAM tags.
fn tag_pairs(tags: &[Tag]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter().map(|t| (t.key(), t.value()))
}
