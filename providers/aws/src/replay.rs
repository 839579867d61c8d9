//! No blind replays of calls that make a new resource every time they run.
//!
//! The SDK retries a call whose answer was a 5xx or never came. For most
//! calls that is safe: reads, deletes (a second one finds nothing), calls
//! with an idempotency token (RunInstances, CreateNatGateway,
//! CreateLaunchTemplate...) and calls on a unique name (a second one fails
//! with "already exists"). For the calls in [`not_idempotent`] a replay of
//! an attempt AWS did run makes a second resource that nothing tracks.
//! [`NoBlindReplay`] stops the SDK's retries of those calls after such an
//! ambiguous failure. The create then fails as transient, and the engine
//! looks the resource up by its identity tags (which these calls apply at
//! creation) and adopts it if the attempt had run, or creates it again if
//! it had not. Throttling answers are still retried: AWS refused those
//! calls before running them.
//!
//! Which calls those are, each type declares itself
//! ([`crate::kit::AwsResource::NOT_IDEMPOTENT`]); the list here is gathered
//! from the registered types, so a new type cannot be left out of it.

use std::sync::OnceLock;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    FinalizerInterceptorContextMut, InterceptorContext,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryReason,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::{ErrorKind, RetryConfig};

/// Operations that create a resource with neither an idempotency token the
/// provider can pass nor a name AWS keeps unique: those the registered
/// types declare.
pub fn not_idempotent() -> &'static [&'static str] {
    static OPS: OnceLock<Vec<&'static str>> = OnceLock::new();
    OPS.get_or_init(|| {
        crate::registry::resources()
            .iter()
            .flat_map(|e| e.not_idempotent.iter().copied())
            .collect()
    })
}

/// An interceptor that ends the SDK's retries of a [`not_idempotent`]
/// call after an attempt that may have run. It does so by lowering the
/// call's attempt limit to the attempts made, in the call's own config
/// layer, which the SDK's retry strategy reads before retrying.
#[derive(Debug, Default)]
pub(crate) struct NoBlindReplay;

impl Intercept for NoBlindReplay {
    fn name(&self) -> &'static str {
        "skistack-no-blind-replay"
    }

    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let unsafe_call = cfg
            .load::<Metadata>()
            .is_some_and(|m| not_idempotent().contains(&m.name()));
        if !unsafe_call || !may_have_run(context.inner(), runtime_components) {
            return Ok(());
        }
        let attempts = cfg.load::<RequestAttempts>().map_or(1, |a| a.attempts());
        let capped = cfg
            .load::<RetryConfig>()
            .cloned()
            .unwrap_or_else(RetryConfig::standard)
            .with_max_attempts(attempts.max(1));
        cfg.interceptor_state().store_put(capped);
        Ok(())
    }
}

/// True when the attempt failed in a way the SDK would retry and that may
/// have run on AWS's side: a 5xx answer other than throttling, a dropped
/// connection, a timeout. The verdict is the SDK's own classifiers', run
/// as its retry strategy runs them.
fn may_have_run(ctx: &InterceptorContext, runtime_components: &RuntimeComponents) -> bool {
    if !matches!(ctx.output_or_error(), Some(Err(_))) {
        return false;
    }
    let mut action = RetryAction::NoActionIndicated;
    for classifier in runtime_components.retry_classifiers() {
        let next = classifier.classify_retry_v2(ctx, &action);
        if next == RetryAction::NoActionIndicated {
            continue;
        }
        action = next;
        if action == RetryAction::RetryForbidden {
            break;
        }
    }
    match action {
        RetryAction::RetryIndicated(RetryReason::RetryableError { kind, .. }) => {
            kind != ErrorKind::ThrottlingError
        }
        // Not retried anyway.
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_types_declare_the_calls_never_replayed() {
        let mut ops = not_idempotent().to_vec();
        ops.sort_unstable();
        assert_eq!(
            ops,
            [
                "AllocateAddress",
                "CreateInternetGateway",
                "CreateRouteTable",
                "CreateSubnet",
                "CreateVpc",
                "RegisterTaskDefinition",
            ]
        );
    }
}
