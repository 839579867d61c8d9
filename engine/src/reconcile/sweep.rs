//! The sweep for late duplicates: what recovery does, on every run, about a
//! create that was made again without an idempotency token.
//!
//! Recovery makes such a create again only once a lookup after the type's
//! landing window found nothing. A lost request that lands later than that
//! would still leave a second resource carrying the instance's identity,
//! one the state does not record. So before the create is made again a
//! sweep intent is recorded with the lost request's start and inputs, and
//! until [`SWEEP_HORIZON`] has passed since that start every run's recovery
//! looks for resources of the instance that the state does not record:
//! while the state's own resource is there, each is deleted; when the state
//! no longer records the instance, or its resource is gone, one is adopted
//! (and any others deleted). Each is reported.
//!
//! Why it is safe: only what the provider finds by this instance's identity
//! (stack, environment, address) is touched, and only what no record of the
//! stack holds, while a lost request can still explain it. A record dropped
//! on purpose while its resource stays in the cloud (`state forget`,
//! `retain_on_delete`) ends the instance's sweeps first ([`end_sweeps`]), so
//! a resource let go is never taken back or deleted. Every step is one
//! provider call or one state transaction and the intent stays until the
//! horizon, so a crash anywhere leaves a sweep the next run does again; a
//! delete that fails keeps the intent even past the horizon, so a known
//! duplicate is reported until it is gone.

use std::time::Duration;

use super::readback::{Settle, fold_read};
use super::recovery::{Recovery, RecoveryError, still_landing};
use crate::base::format_duration;
use crate::provider::{Created, ProviderError, ResourceType};
use crate::state::{Intent, OpKind, PendingOp, ResourceRecord, StackKey, StateError, StateStore};

/// The horizon in seconds (see [`SWEEP_HORIZON`]).
const HORIZON_SECS: u64 = 60 * 60;

/// How long after a create request began the sweep keeps looking for what
/// it may have made: one hour. A request that was in flight when the process
/// died cannot land later than that: AWS refuses a request whose signature
/// is more than 15 minutes old, the SDK's own connect, read and retry
/// timeouts give up within minutes, and once accepted a create lands within
/// the type's landing window (30 s). The hour is a wide margin over all of
/// them, and short enough that a sweep does not outlive its purpose.
pub const SWEEP_HORIZON: Duration = Duration::from_secs(HORIZON_SECS);

/// The unix time until which the sweep of a create request begun at
/// `started_at` (unix seconds) looks for what the request made.
pub fn sweep_until(started_at: i64) -> i64 {
    // HORIZON_SECS is a small constant: the conversion cannot fail.
    started_at.saturating_add(i64::try_from(HORIZON_SECS).unwrap_or(i64::MAX))
}

/// Whether a create made again under `rt` needs a sweep: its call takes no
/// idempotency token and its requests can land late (a zero landing window
/// is the type's word that they cannot).
pub(super) fn needs_sweep(rt: &dyn ResourceType) -> bool {
    !rt.idempotent_create() && !rt.landing_window().is_zero()
}

/// Clears every sweep intent of `address`: called before a record is
/// dropped while its resource stays in the cloud (`state forget`,
/// `retain_on_delete`), so that no later sweep takes the resource let go
/// for a late duplicate. Clearing first is the safe order: a crash before
/// the record is dropped leaves a record and no sweep, never the reverse.
pub fn end_sweeps(store: &dyn StateStore, key: &StackKey, address: &str) -> Result<(), StateError> {
    let pending = store.load(key)?.pending;
    for op in pending
        .iter()
        .filter(|op| op.kind == OpKind::Sweep && op.address == address)
    {
        store.abandon(key, op.id)?;
    }
    Ok(())
}

/// What the state has of a swept instance: it decides between deleting what
/// the sweep finds and adopting it.
enum Holder {
    /// A record whose resource is still there, or a record of another type
    /// at the address: whatever the sweep finds is a duplicate.
    Live,
    /// No record (`None`), or one whose resource is gone: the first live
    /// find is adopted in its place.
    Missing(Option<ResourceRecord>),
}

impl Recovery<'_> {
    /// Records the sweep of `op`, a create about to be made again without an
    /// idempotency token, unless one is recorded for the same request.
    /// Returns until when it looks; `None` when the horizon has passed
    /// already (nothing the lost request made can appear any more, and the
    /// lookup just made found nothing).
    pub(super) fn begin_sweep(&self, op: &PendingOp) -> Result<Option<i64>, StateError> {
        if still_landing(SWEEP_HORIZON, op.started_at).is_none() {
            return Ok(None);
        }
        let recorded = self.store.load(&self.key)?.pending.iter().any(|p| {
            p.kind == OpKind::Sweep
                && p.address == op.address
                && p.type_token == op.type_token
                && p.started_at == op.started_at
        });
        if !recorded {
            let intent = Intent {
                address: op.address.clone(),
                kind: OpKind::Sweep,
                type_token: op.type_token.clone(),
                resource_id: None,
                inputs: op.inputs.clone(),
                started_at: op.started_at,
            };
            self.store.begin(&self.key, &intent)?;
        }
        Ok(Some(sweep_until(op.started_at)))
    }

    /// Resolves a sweep intent (see the module comment); returns the
    /// notices, none when nothing was found and the sweep goes on. Past the
    /// horizon it looks once more (a request may have landed since the last
    /// run looked) and then clears the intent.
    pub(super) async fn resolve_sweep(
        &self,
        rt: &dyn ResourceType,
        op: &PendingOp,
    ) -> Result<Vec<String>, RecoveryError> {
        let expired = still_landing(SWEEP_HORIZON, op.started_at).is_none();
        let found = self.find_new(rt, op).await?;
        let mut notes = Vec::new();
        let mut undeleted = 0;
        if !found.is_empty() {
            let mut found = found.into_iter();
            if let Holder::Missing(prior) = self.holder(rt, op).await? {
                for c in found.by_ref() {
                    if let Some(note) = self.adopt_late(rt, op, c, prior.as_ref()).await? {
                        notes.push(note);
                        break;
                    }
                }
            }
            for c in found {
                match self.delete_late(rt, op, &c).await? {
                    Deleted::Yes(note) => notes.push(note),
                    Deleted::Failed(note) => {
                        undeleted += 1;
                        notes.push(note);
                    }
                    Deleted::Vanished => {}
                }
            }
        }
        if expired && undeleted == 0 {
            self.store.abandon(&self.key, op.id)?;
            notes.push(format!(
                "{} ({}): stopped looking for late duplicates; {} have passed since its lost \
                 create request, which can no longer land",
                op.address,
                op.type_token,
                format_duration(SWEEP_HORIZON)
            ));
        }
        Ok(notes)
    }

    /// Whether the state still holds a live resource of the swept instance.
    async fn holder(&self, rt: &dyn ResourceType, op: &PendingOp) -> Result<Holder, RecoveryError> {
        let state = self.store.load(&self.key)?;
        let Some(rec) = state.resources.get(&op.address) else {
            return Ok(Holder::Missing(None));
        };
        if rec.type_token != op.type_token {
            return Ok(Holder::Live);
        }
        let read = rt
            .read(&self.context(op), &rec.id, &rec.inputs, &rec.outputs)
            .await?;
        Ok(match read {
            Some(_) => Holder::Live,
            None => Holder::Missing(Some(rec.clone())),
        })
    }

    /// Records `c`, a late resource of the instance, in place of `prior`
    /// (gone from the cloud) or as the instance's record when there is none;
    /// `None` when `c` vanished since it was found.
    async fn adopt_late(
        &self,
        rt: &dyn ResourceType,
        op: &PendingOp,
        c: Created,
        prior: Option<&ResourceRecord>,
    ) -> Result<Option<String>, RecoveryError> {
        let Some(read) = rt
            .read(&self.context(op), &c.id, &op.inputs, &c.outputs)
            .await?
        else {
            return Ok(None);
        };
        let state = self.store.load(&self.key)?;
        let (dependencies, options) = match prior {
            Some(p) => self
                .declared_parts(&op.address, &state.resources)
                .unwrap_or_else(|| (p.dependencies.clone(), p.options.clone())),
            None => self.record_parts(&op.address, &op.inputs, &state.resources),
        };
        let folded = fold_read(
            rt.schema(),
            &op.inputs,
            &c.outputs,
            &read,
            Settle::Updatable,
        );
        let record = ResourceRecord {
            address: op.address.clone(),
            type_token: op.type_token.clone(),
            id: c.id.clone(),
            inputs: folded.inputs,
            outputs: folded.outputs,
            dependencies,
            options,
        };
        self.store.commit_resource(&self.key, None, &record)?;
        let why = match prior {
            Some(p) => format!("the one the state recorded ({}) no longer exists", p.id),
            None => "the state no longer recorded the instance".to_string(),
        };
        Ok(Some(format!(
            "adopted a late resource of {} ({}) {}: its lost create request landed after the \
             retry, and {why}",
            op.address, op.type_token, c.id
        )))
    }

    /// Deletes `c`, a duplicate of the instance that no record holds.
    async fn delete_late(
        &self,
        rt: &dyn ResourceType,
        op: &PendingOp,
        c: &Created,
    ) -> Result<Deleted, RecoveryError> {
        let ctx = self.context(op);
        let Some(read) = rt.read(&ctx, &c.id, &op.inputs, &c.outputs).await? else {
            return Ok(Deleted::Vanished);
        };
        // Outputs as a record of it would hold them, as the delete of an
        // adopted duplicate gets them.
        let outputs =
            fold_read(rt.schema(), &op.inputs, &c.outputs, &read, Settle::Nothing).outputs;
        let (what, id) = (format!("{} ({})", op.address, op.type_token), &c.id);
        Ok(match rt.delete(&ctx, id, &op.inputs, &outputs).await {
            Ok(()) => Deleted::Yes(format!(
                "deleted a late duplicate of {what} {id}: its lost create request landed after \
                 the retry"
            )),
            Err(ProviderError::NotFound(_)) => Deleted::Vanished,
            // Reported, not fatal: the duplicate harms nothing the run
            // does, and the sweep stays to try again.
            Err(e) => Deleted::Failed(format!(
                "found a late duplicate of {what} {id} (its lost create request landed after the \
                 retry) but could not delete it: {e}; the next run tries again"
            )),
        })
    }
}

/// How the delete of a late duplicate went.
enum Deleted {
    /// Deleted; the notice says so.
    Yes(String),
    /// Gone already: nothing to report.
    Vanished,
    /// Still there; the notice says why.
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_looks_for_an_hour_after_the_lost_request() {
        assert_eq!(sweep_until(1_700_000_000), 1_700_003_600);
        assert_eq!(sweep_until(i64::MAX - 5), i64::MAX);
        assert_eq!(SWEEP_HORIZON, Duration::from_secs(3600));
    }
}
