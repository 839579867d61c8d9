//! IAM resource types: roles, their managed-policy attachments and inline
//! policies, and instance profiles. IAM is global; the region of the stack
//! only picks the endpoint.

use skistack_engine::{Map, Value};

use crate::props::with_arn;

pub(crate) mod document;

// Declared here, not by the macro, so that `cargo fmt` reaches them.
mod instance_profile;
mod role;
mod role_policy;

crate::kit::resource_types! {
    role: Role;
    role_policy: RolePolicyAttachment, RolePolicy;
    instance_profile: InstanceProfile;
}

/// Outputs of a role or an instance profile: `inputs` with its ARN and
/// unique id added.
fn outputs_of(inputs: &Map, arn: &str, unique_id: &str) -> Map {
    let mut out = with_arn(inputs, arn);
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
    outputs_of(new_inputs, &attr("arn"), &attr("unique_id"))
}
