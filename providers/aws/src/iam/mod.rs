//! IAM resource types: roles, their managed-policy attachments and inline
//! policies, and instance profiles. IAM is global; the region of the stack
//! only picks the endpoint.

use std::sync::Arc;

use aws_sdk_iam::types::Tag;
use skistack_engine::{DataSource, Map, ProviderError, ResourceType, Value};

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

/// Outputs of a role or an instance profile: `inputs` with its ARN and
/// unique id added.
fn outputs(inputs: &Map, arn: &str, unique_id: &str) -> Map {
    let mut out = inputs.clone();
    out.insert("arn".into(), arn.into());
    out.insert("unique_id".into(), unique_id.into());
    out
}

/// Outputs after an update, which changes neither the ARN nor the unique
/// id: `new_inputs` with those of `old_outputs` (empty when missing).
fn kept_outputs(new_inputs: &Map, old_outputs: &Map) -> Map {
    let attr = |k: &str| {
        old_outputs
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    outputs(new_inputs, &attr("arn"), &attr("unique_id"))
}
