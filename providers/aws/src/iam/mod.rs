//! IAM resource types: roles, their managed-policy attachments and inline
//! policies, and instance profiles. IAM is global; the region of the stack
//! only picks the endpoint.

use aws_sdk_iam::types::{InstanceProfile as SdkInstanceProfile, Role as SdkRole, Tag};
use skistack_engine::{CallContext, Map, Value};

use crate::tags::{has_identity, tag_pairs};

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

/// What roles and instance profiles share: an ARN, a unique id and tags.
trait Entity {
    fn arn(&self) -> &str;
    fn unique_id(&self) -> &str;
    fn tags(&self) -> &[Tag];

    /// Whether it carries this instance's identity tags (so a name that
    /// exists already is this instance's own, not someone else's).
    fn is_own(&self, ctx: &CallContext) -> bool {
        has_identity(ctx, tag_pairs(self.tags()))
    }

    /// Its outputs: `inputs` with its ARN and unique id added.
    fn outputs(&self, inputs: &Map) -> Map {
        outputs_of(inputs, self.arn(), self.unique_id())
    }
}

impl Entity for SdkRole {
    fn arn(&self) -> &str {
        SdkRole::arn(self)
    }
    fn unique_id(&self) -> &str {
        self.role_id()
    }
    fn tags(&self) -> &[Tag] {
        SdkRole::tags(self)
    }
}

impl Entity for SdkInstanceProfile {
    fn arn(&self) -> &str {
        SdkInstanceProfile::arn(self)
    }
    fn unique_id(&self) -> &str {
        self.instance_profile_id()
    }
    fn tags(&self) -> &[Tag] {
        SdkInstanceProfile::tags(self)
    }
}

/// Outputs of a role or an instance profile: `inputs` with its ARN and
/// unique id added.
fn outputs_of(inputs: &Map, arn: &str, unique_id: &str) -> Map {
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
    outputs_of(new_inputs, &attr("arn"), &attr("unique_id"))
}
