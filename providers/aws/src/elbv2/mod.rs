//! ELBv2 resource types: application load balancers, target groups and
//! listeners; and what they share: tags (listed apart from the describe
//! calls, and the identity check they make), ARN suffixes.

use skistack_engine::{CallContext, Map, ProviderError};

use crate::kit::Call;
use crate::shared::Clients;
use crate::tags::{self, has_identity, pairs, put_read_tags};

// Declared here, not by the macro, so that `cargo fmt` reaches them.
mod listener;
mod load_balancer;
mod target_group;

crate::kit::resource_types! {
    load_balancer: LoadBalancer;
    target_group: TargetGroup;
    listener: Listener;
}

/// The part of an ELBv2 ARN that CloudWatch metrics use as a dimension:
/// `app/web/50dc6c495c0c9188` for a load balancer, `targetgroup/web/...` for
/// a target group.
fn arn_suffix(arn: &str) -> String {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    resource
        .strip_prefix("loadbalancer/")
        .unwrap_or(resource)
        .to_string()
}

/// Whether the ELBv2 resource `arn` (found by its unique name) carries this
/// instance's identity tags.
async fn is_own(ctx: &CallContext, clients: &Clients, arn: &str) -> Result<bool, ProviderError> {
    Ok(has_identity(
        ctx,
        pairs(&tags::elbv2_tags(clients, arn).await?),
    ))
}

/// Puts the tags of the ELBv2 resource `arn` into `read`, as a read reports
/// them (this instance's own tags only).
async fn put_tags(read: &mut Map, call: &Call<'_>, arn: &str) -> Result<(), ProviderError> {
    let tags = tags::elbv2_tags(call.clients, arn).await?;
    put_read_tags(read, call.ctx, call.inputs, pairs(&tags));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_suffixes() {
        assert_eq!(
            arn_suffix(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
            ),
            "app/web/50dc6c495c0c9188"
        );
        assert_eq!(
            arn_suffix(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067"
            ),
            "targetgroup/web/73e2d6bc24d8a067"
        );
    }
}
