//! Idempotency tokens derived from the engine's operation id, so that a
//! retried create (after a crash or a lost response) returns the resource the
//! first attempt made instead of making a second one.

use skistack_engine::CallContext;

/// The longest token EC2 accepts (`ClientToken`).
pub const EC2_MAX: usize = 64;

/// An idempotency token of at most [`EC2_MAX`] characters for the call.
pub fn client_token(ctx: &CallContext) -> String {
    client_token_max(ctx, EC2_MAX)
}

/// An idempotency token of at most `max` ASCII characters for the call.
///
/// The operation id is used as is when it fits; otherwise it is cut and a
/// hash of the whole id is appended, so distinct ids stay distinct.
pub fn client_token_max(ctx: &CallContext, max: usize) -> String {
    let id: String = ctx
        .operation_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if id.len() <= max && !id.is_empty() {
        return id;
    }
    let hash = format!("{:016x}", fnv1a(ctx.operation_id.as_bytes()));
    let keep = max.saturating_sub(hash.len() + 1);
    if keep == 0 {
        return hash.chars().take(max).collect();
    }
    format!("{}-{hash}", &id[..keep.min(id.len())])
}

/// FNV-1a, a small stable hash (std's hasher may change between releases,
/// and tokens must stay the same across runs).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn ctx(op: &str) -> CallContext {
        CallContext {
            stack: "s".into(),
            env: "default".into(),
            resource: "r".into(),
            type_token: "aws:ec2:Instance".into(),
            config: Arc::new(Default::default()),
            operation_id: op.into(),
            stack_dir: ".".into(),
        }
    }

    #[test]
    fn short_ids_are_kept() {
        assert_eq!(client_token(&ctx("web-prod-42")), "web-prod-42");
    }

    #[test]
    fn long_ids_are_cut_with_a_hash_and_stay_distinct() {
        let a = client_token(&ctx(&"a".repeat(100)));
        let b = client_token(&ctx(&format!("{}b", "a".repeat(99))));
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(a, client_token(&ctx(&"a".repeat(100))));
        assert_eq!(client_token_max(&ctx(&"x".repeat(50)), 36).len(), 36);
    }
}
