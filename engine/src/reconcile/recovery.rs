//! Recovery: resolves the intents (pending operations) that an interrupted
//! run left in the state, before anything is planned.
//!
//! Before every provider create, update or delete the engine records an
//! intent; the outcome replaces it in one transaction. An intent found on
//! the next run means the process died during the call (or, for a create,
//! that the call failed in a way that may have made something). Recovery
//! asks the provider what actually happened:
//!
//! - a create: the provider looks the resource up by its identity (the
//!   `skistack:*` tags, or a unique name or combination of inputs). What it
//!   finds beyond the resources already recorded is adopted, with its
//!   dependencies and options, and read back so that a half-configured
//!   resource shows as a difference to apply. A lookup that finds nothing
//!   within the type's landing window of the call's start (the request may
//!   still land) waits the window out and looks again. When nothing is
//!   found, an up keeps the intent and creates the resource again under the
//!   same operation id, hence the same idempotency token: a create that did
//!   reach the cloud unseen returns the same resource instead of a second
//!   one. A type whose create takes no token (`CreateVpc`) relies on the
//!   wait, and the notice says so; a sweep intent, recorded before it is
//!   created again, catches a request that lands later still.
//! - a delete: the resource is read; gone, the delete is completed, else it
//!   is planned again.
//! - an update: the resource is read back and recorded as the cloud has it,
//!   so the plan applies whatever the update had not.
//! - a sweep: a create without a token was made again, and its lost request
//!   may still land; what it made is deleted or adopted (see [`super::sweep`]).
//!   Sweeps are resolved after every other intent, and stay until their
//!   horizon has passed.
//!
//! Every step is one small state transaction, so a crash during recovery
//! leaves intents that the next recovery resolves the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::readback::{Folded, Settle, fold_read};
use super::sweep::needs_sweep;
use crate::base::{Address, Map, Value};
use crate::error::EngineError;
use crate::events::{Event, Observer};
use crate::provider::{CallContext, CallPurpose, Created, ProviderError, Registry, ResourceType};
use crate::stack::{DeclKind, Stack};
use crate::state::{OpKind, PendingOp, RecordOptions, ResourceRecord, StackKey, StateStore};
use crate::validate::Checked;

/// What the run after recovery does, which decides the fate of a create
/// that made nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// An up: the create is kept for the up to retry with the same token.
    Up,
    /// A destroy: nothing will be created, so the intent is dropped.
    Destroy,
}

/// A free name under which to keep a resource of `address` that is to be
/// deleted: `address~replaced`, else `address~2~replaced` and so on (see
/// [`Address::retired_name_of`]).
pub fn retired_name<V>(taken: &BTreeMap<String, V>, address: &str) -> String {
    Address::retired_name_of(address, |name| taken.contains_key(name))
}

/// How much longer a request that began at `started_at` (unix seconds) may
/// still land, given the type's landing window; `None` once it cannot.
pub(super) fn still_landing(window: Duration, started_at: i64) -> Option<Duration> {
    let elapsed = u64::try_from(crate::sys::now().saturating_sub(started_at)).unwrap_or(0);
    window
        .checked_sub(Duration::from_secs(elapsed))
        .filter(|d| !d.is_zero())
}

/// Everything recovery needs: where the state is, the providers, and the
/// stack file when it can be read (for dependencies and options).
pub struct Recovery<'a> {
    pub registry: &'a Registry,
    pub store: &'a dyn StateStore,
    pub key: StackKey,
    pub config: Arc<Map>,
    pub stack_dir: PathBuf,
    /// The stack as declared now; `None` when its file is gone (a destroy).
    pub declared: Option<(&'a Stack, &'a Checked)>,
    pub purpose: Purpose,
}

/// How an intent was resolved, for the notice the run prints.
enum Resolution {
    Note(String),
    /// Kept as it is (a create left for the up to retry).
    Kept(String),
}

impl Recovery<'_> {
    /// Resolves every intent of the stack, oldest first and sweeps last;
    /// returns the notices printed (each also sent to `observer`).
    pub async fn run(&self, observer: &dyn Observer) -> Result<Vec<String>, EngineError> {
        let pending = self.store.load(&self.key)?.pending;
        // Sweeps last: an interrupted create of the same instance adopts what
        // it made first, so that no sweep takes it for a duplicate.
        let (sweeps, intents): (Vec<&PendingOp>, Vec<&PendingOp>) =
            pending.iter().partition(|op| op.kind == OpKind::Sweep);
        let mut notes = Vec::new();
        for op in intents.into_iter().chain(sweeps) {
            for note in self.resolve(op).await? {
                observer.event(&Event::Notice { message: &note });
                notes.push(note);
            }
        }
        Ok(notes)
    }

    pub(super) fn context(&self, op: &PendingOp) -> CallContext {
        CallContext::new(
            &self.key,
            &op.address,
            &op.type_token,
            Arc::clone(&self.config),
            self.stack_dir.clone(),
            CallPurpose::Intent {
                id: op.id,
                started_at: op.started_at,
            },
        )
    }

    /// Resolves one intent; returns its notices.
    async fn resolve(&self, op: &PendingOp) -> Result<Vec<String>, EngineError> {
        let Some(rt) = self.registry.resource(&op.type_token) else {
            self.store.abandon(&self.key, op.id)?;
            return Ok(vec![match op.kind {
                OpKind::Sweep => format!(
                    "stopped looking for late duplicates of {}: no provider offers type {}",
                    op.address, op.type_token
                ),
                kind => format!(
                    "cleared an interrupted {} of {}: no provider offers type {}",
                    kind.as_str(),
                    op.address,
                    op.type_token
                ),
            }]);
        };
        let failed = |e: &dyn std::fmt::Display| {
            let what = match op.kind {
                OpKind::Sweep => "looking for late duplicates of".to_string(),
                kind => format!("recovering the interrupted {} of", kind.as_str()),
            };
            EngineError::Refused(format!(
                "{what} {} ({}): {e}; run again once the cause is fixed",
                op.address, op.type_token
            ))
        };
        let resolution = match op.kind {
            OpKind::Create => self.resolve_create(rt.as_ref(), op, &failed).await?,
            OpKind::Delete => self
                .resolve_delete(rt.as_ref(), op)
                .await
                .map_err(|e| failed(&e))?,
            OpKind::Update => self
                .resolve_update(rt.as_ref(), op)
                .await
                .map_err(|e| failed(&e))?,
            OpKind::Sweep => {
                return self
                    .resolve_sweep(rt.as_ref(), op)
                    .await
                    .map_err(|e| failed(&e));
            }
        };
        Ok(vec![match resolution {
            Resolution::Note(n) | Resolution::Kept(n) => n,
        }])
    }

    /// An interrupted create: adopts what it made, else leaves it to
    /// [`Self::nothing_made`].
    async fn resolve_create(
        &self,
        rt: &dyn ResourceType,
        op: &PendingOp,
        failed: &dyn Fn(&dyn std::fmt::Display) -> EngineError,
    ) -> Result<Resolution, EngineError> {
        let mut found = self.find_new(rt, op).await.map_err(|e| failed(&e))?;
        if found.is_empty()
            && let Some(wait) = still_landing(rt.landing_window(), op.started_at)
        {
            // The interrupted request may not have landed yet: wait
            // out the time it can take, then look once more.
            tokio::time::sleep(wait).await;
            found = self.find_new(rt, op).await.map_err(|e| failed(&e))?;
        }
        if found.is_empty() {
            return self.nothing_made(rt, op);
        }
        self.adopt(rt, op, found).await.map_err(|e| failed(&e))
    }

    /// What the provider finds of the intent's resource that the state does
    /// not already record (the old resource of a replacement carries the same
    /// identity) and did not let go of: a resource forgotten on purpose
    /// (`state forget`, `retain_on_delete`) keeps the identity too, and is
    /// neither adopted nor deleted as a duplicate.
    pub(super) async fn find_new(
        &self,
        rt: &dyn ResourceType,
        op: &PendingOp,
    ) -> Result<Vec<Created>, RecoveryError> {
        let state = self.store.load(&self.key)?;
        let known: BTreeSet<&str> = state
            .resources
            .values()
            .filter(|r| r.type_token == op.type_token)
            .map(|r| r.id.as_str())
            .collect();
        let mut found: Vec<Created> = rt
            .find_all(&self.context(op), &op.inputs)
            .await?
            .into_iter()
            .filter(|c| !c.id.is_empty() && !known.contains(c.id.as_str()))
            .filter(|c| !state.is_released(&op.type_token, &c.id))
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        found.dedup_by(|a, b| a.id == b.id);
        Ok(found)
    }

    /// A create that made nothing: an up retries it under the same intent,
    /// a destroy drops it.
    fn nothing_made(
        &self,
        rt: &dyn ResourceType,
        op: &PendingOp,
    ) -> Result<Resolution, EngineError> {
        let retried = self.purpose == Purpose::Up
            && self.declared.is_some_and(|(stack, _)| {
                stack
                    .decl(&Address::decl_of(&op.address))
                    .is_some_and(|d| d.kind == DeclKind::Resource && d.type_token == op.type_token)
            });
        if retried {
            let how = if rt.idempotent_create() {
                "with the same idempotency token".to_string()
            } else {
                // Nothing can stop a second resource but having looked late
                // enough: say how late, so the user can judge.
                format!(
                    "(its create takes no idempotency token; it was looked for once {} had \
                     passed since the lost request, the time such a request can take to land)",
                    crate::base::format_duration(rt.landing_window())
                )
            };
            let mut note = format!(
                "{} ({}): an interrupted create had made nothing; it is created again {how}",
                op.address, op.type_token
            );
            // Recorded before the create is made again, so that whatever
            // the lost request makes later is found by every run's recovery.
            if needs_sweep(rt)
                && let Some(until) = self.begin_sweep(op)?
            {
                note.push_str(&format!(
                    "; until {} every run looks for a late duplicate the lost request may \
                     still make, and deletes it",
                    crate::state::format_unix(until)
                ));
            }
            return Ok(Resolution::Kept(note));
        }
        self.store.abandon(&self.key, op.id)?;
        Ok(Resolution::Note(format!(
            "cleared an interrupted create of {} ({}): nothing had been made",
            op.address, op.type_token
        )))
    }

    /// Records what an interrupted create made and clears its intent. More
    /// than one match means earlier attempts made duplicates: one is adopted,
    /// the others are recorded under retired names so the plan deletes them.
    async fn adopt(
        &self,
        rt: &dyn ResourceType,
        op: &PendingOp,
        found: Vec<Created>,
    ) -> Result<Resolution, RecoveryError> {
        let state = self.store.load(&self.key)?;
        let mut taken = state.resources.clone();
        let ctx = self.context(op);
        let mut live = Vec::new();
        for c in found {
            // A match that vanished since (deleted by hand) is nothing to adopt.
            if let Some(read) = rt.read(&ctx, &c.id, &op.inputs, &c.outputs).await? {
                live.push((c, read));
            }
        }
        let mut live = live.into_iter();
        let Some((first, first_read)) = live.next() else {
            return self.nothing_made(rt, op).map_err(RecoveryError::from);
        };
        let extras: Vec<_> = live.collect();
        let (deps, options) = self.record_parts(&op.address, &op.inputs, &state.resources);
        // Extras first: the intent stays until the adopted one is recorded,
        // so a crash in between is resolved again next time.
        let mut extra_names = Vec::new();
        for (c, read) in &extras {
            let name = retired_name(&taken, &op.address);
            let record = ResourceRecord {
                address: name.clone(),
                type_token: op.type_token.clone(),
                id: c.id.clone(),
                inputs: op.inputs.clone(),
                outputs: fold_read(rt.schema(), &op.inputs, &c.outputs, read, Settle::Nothing)
                    .outputs,
                dependencies: deps.clone(),
                // Never protected: it exists only by accident.
                options: RecordOptions::default(),
            };
            self.store.commit_resource(&self.key, None, &record)?;
            taken.insert(name.clone(), record);
            extra_names.push(format!("{} as {name}", c.id));
        }
        let Folded { inputs, outputs } = fold_read(
            rt.schema(),
            &op.inputs,
            &first.outputs,
            &first_read,
            Settle::Updatable,
        );
        let record = ResourceRecord {
            address: op.address.clone(),
            type_token: op.type_token.clone(),
            id: first.id.clone(),
            outputs,
            inputs,
            dependencies: deps,
            options,
        };
        let mut note = format!(
            "recovered {} ({}): an interrupted create had made {}; adopted it",
            op.address, op.type_token, first.id
        );
        match state.resources.get(&op.address) {
            Some(old) => {
                // The interrupted create was a replacement: the old resource
                // stays, under a retired name, for the plan to delete.
                let retired = retired_name(&taken, &op.address);
                self.store
                    .commit_replacement(&self.key, op.id, &record, &retired)?;
                note.push_str(&format!(
                    " as the replacement; the old one ({}) is kept as {retired} to be deleted",
                    old.id
                ));
            }
            None => self
                .store
                .commit_resource(&self.key, Some(op.id), &record)?,
        }
        if !extra_names.is_empty() {
            note.push_str(&format!(
                "; {} more carrying its identity will be deleted: {}",
                extra_names.len(),
                extra_names.join(", ")
            ));
        }
        Ok(Resolution::Note(note))
    }

    async fn resolve_delete(
        &self,
        rt: &dyn ResourceType,
        op: &PendingOp,
    ) -> Result<Resolution, RecoveryError> {
        let state = self.store.load(&self.key)?;
        let Some(rec) = self.recorded(&state.resources, op) else {
            return self.clear_unrecorded(op);
        };
        let ctx = self.context(op);
        match rt.read(&ctx, &rec.id, &rec.inputs, &rec.outputs).await? {
            None => {
                // Gone, or going: deleting again (deletes succeed on what is
                // gone) waits, where the provider waits, until what it held
                // (an address, a subnet) is free for the resources planned next.
                // The read already says it is gone, so a failure of this
                // second delete changes nothing but is worth showing.
                let again = match rt.delete(&ctx, &rec.id, &rec.inputs, &rec.outputs).await {
                    Ok(()) | Err(ProviderError::NotFound(_)) => String::new(),
                    Err(e) => format!(" (deleting it again to make sure failed: {e})"),
                };
                self.store.commit_delete(&self.key, op.id, &op.address)?;
                Ok(Resolution::Note(format!(
                    "recovered {} ({}): an interrupted delete of {} had completed{again}",
                    op.address, op.type_token, rec.id
                )))
            }
            Some(read) => {
                // Still there, perhaps half deleted (an association removed,
                // a role detached): recorded as it is, so the plan either
                // deletes it again or restores what the delete had removed.
                let Folded { inputs, outputs } = fold_read(
                    rt.schema(),
                    &rec.inputs,
                    &rec.outputs,
                    &read,
                    Settle::Updatable,
                );
                let record = ResourceRecord {
                    outputs,
                    inputs,
                    ..rec.clone()
                };
                self.store
                    .commit_resource(&self.key, Some(op.id), &record)?;
                Ok(Resolution::Note(format!(
                    "{} ({}): an interrupted delete had not completed; it is read back and \
                     planned again",
                    op.address, op.type_token
                )))
            }
        }
    }

    async fn resolve_update(
        &self,
        rt: &dyn ResourceType,
        op: &PendingOp,
    ) -> Result<Resolution, RecoveryError> {
        let state = self.store.load(&self.key)?;
        let Some(rec) = self.recorded(&state.resources, op) else {
            return self.clear_unrecorded(op);
        };
        let Some(read) = rt
            .read(&self.context(op), &rec.id, &rec.inputs, &rec.outputs)
            .await?
        else {
            // Gone: forgetting it lets the plan create it again.
            self.store.commit_delete(&self.key, op.id, &op.address)?;
            return Ok(Resolution::Note(format!(
                "{} ({}): an update was interrupted and {} no longer exists; it is created again",
                op.address, op.type_token, rec.id
            )));
        };
        // Properties the provider can't read keep their old value, so the
        // plan applies them again if the update had not.
        let Folded { inputs, outputs } = fold_read(
            rt.schema(),
            &rec.inputs,
            &rec.outputs,
            &read,
            Settle::Updatable,
        );
        let (dependencies, options) = match self.declared_parts(&op.address, &state.resources) {
            Some(parts) => parts,
            None => (rec.dependencies.clone(), rec.options.clone()),
        };
        let record = ResourceRecord {
            outputs,
            inputs,
            dependencies,
            options,
            ..rec.clone()
        };
        self.store
            .commit_resource(&self.key, Some(op.id), &record)?;
        Ok(Resolution::Note(format!(
            "recovered {} ({}): an interrupted update was read back and recorded; what it had \
             not changed is planned again",
            op.address, op.type_token
        )))
    }

    /// Clears an update or delete intent whose record the state no longer
    /// has: there is nothing left to resolve.
    fn clear_unrecorded(&self, op: &PendingOp) -> Result<Resolution, RecoveryError> {
        self.store.abandon(&self.key, op.id)?;
        Ok(Resolution::Note(format!(
            "cleared an interrupted {} of {}: the state no longer records it",
            op.kind.as_str(),
            op.address
        )))
    }

    /// The record an update or delete intent was about, if the state still
    /// has it under the same id.
    fn recorded<'s>(
        &self,
        resources: &'s BTreeMap<String, ResourceRecord>,
        op: &PendingOp,
    ) -> Option<&'s ResourceRecord> {
        resources
            .get(&op.address)
            .filter(|r| op.resource_id.as_deref().is_none_or(|id| id == r.id))
    }

    /// The dependencies and options to record for `address`: from the stack
    /// file when it declares it, else from the resources its inputs name.
    pub(super) fn record_parts(
        &self,
        address: &str,
        inputs: &Map,
        resources: &BTreeMap<String, ResourceRecord>,
    ) -> (Vec<String>, RecordOptions) {
        if let Some(parts) = self.declared_parts(address, resources) {
            return parts;
        }
        let options = resources
            .get(address)
            .map(|r| r.options.clone())
            .unwrap_or_default();
        (referenced_records(address, inputs, resources), options)
    }

    /// Dependencies and options as the stack file declares them: the
    /// recorded instances of every declaration this one depends on (what
    /// a destroy needs to order deletes), and its options.
    pub(super) fn declared_parts(
        &self,
        address: &str,
        resources: &BTreeMap<String, ResourceRecord>,
    ) -> Option<(Vec<String>, RecordOptions)> {
        let (stack, checked) = self.declared?;
        let d = stack.decl_index(&Address::decl_of(address))?;
        let wanted: BTreeSet<&str> = checked
            .graph
            .dependencies(d)
            .filter(|&j| stack.decls[j].kind == DeclKind::Resource)
            .map(|j| stack.decls[j].name.as_str())
            .collect();
        let deps = resources
            .keys()
            .filter(|a| {
                Address::parse(a).is_some_and(|a| !a.is_retired() && wanted.contains(a.decl()))
            })
            .cloned()
            .collect();
        let o = &stack.decls[d].options;
        Some((deps, o.recorded()))
    }
}

/// Without the stack file, the recorded resources whose id the inputs name
/// (a subnet's `vpc_id`): they were made before it, so they go after it.
fn referenced_records(
    address: &str,
    inputs: &Map,
    resources: &BTreeMap<String, ResourceRecord>,
) -> Vec<String> {
    let mut strings = BTreeSet::new();
    for v in inputs.values() {
        collect_strings(v, &mut strings);
    }
    resources
        .values()
        .filter(|r| {
            r.address != address && Address::live_of_retired(&r.address).as_deref() != Some(address)
        })
        .filter(|r| strings.contains(r.id.as_str()))
        .map(|r| r.address.clone())
        .collect()
}

fn collect_strings<'v>(v: &'v Value, out: &mut BTreeSet<&'v str>) {
    match v {
        Value::String(s) => {
            out.insert(s.as_str());
        }
        Value::Secret(inner) => collect_strings(inner, out),
        Value::List(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Map(m) => m.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

/// A failure while resolving an intent; the intent stays for the next run.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    State(#[from] crate::state::StateError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Resolves, right after it failed, a create that may have made something
/// (it failed after the cloud accepted it, e.g. while waiting for the
/// resource to become ready): what the provider finds is adopted; when it
/// finds nothing the intent is cleared. Returns the notice to print, if
/// any. On error the intent stays, for the next run's recovery.
pub async fn resolve_failed_create(
    recovery: &Recovery<'_>,
    op: &PendingOp,
) -> Result<Option<String>, RecoveryError> {
    let Some(rt) = recovery.registry.resource(&op.type_token) else {
        recovery.store.abandon(&recovery.key, op.id)?;
        return Ok(None);
    };
    let found = recovery.find_new(rt.as_ref(), op).await?;
    if found.is_empty() {
        recovery.store.abandon(&recovery.key, op.id)?;
        return Ok(None);
    }
    match recovery.adopt(rt.as_ref(), op, found).await? {
        Resolution::Note(n) => Ok(Some(n)),
        // `adopt` keeps the intent only when every match vanished; nothing
        // was made that remains, so the intent goes.
        Resolution::Kept(_) => {
            recovery.store.abandon(&recovery.key, op.id)?;
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_is_waited_for_only_within_its_landing_window() {
        let window = Duration::from_secs(30);
        let now = crate::sys::now();
        let left = still_landing(window, now - 10).expect("20 s left");
        assert!(left <= Duration::from_secs(20) && left >= Duration::from_secs(19));
        assert_eq!(still_landing(window, now - 30), None);
        assert_eq!(still_landing(window, now - 3600), None);
        assert_eq!(still_landing(Duration::ZERO, now), None);
        // A start in the future (a clock set back) waits the whole window,
        // never longer.
        assert_eq!(still_landing(window, now + 600), Some(window));
    }

    fn record(name: &str, id: &str) -> ResourceRecord {
        ResourceRecord {
            address: name.into(),
            type_token: "t".into(),
            id: id.into(),
            inputs: Map::new(),
            outputs: Map::new(),
            dependencies: Vec::new(),
            options: RecordOptions::default(),
        }
    }

    #[test]
    fn retired_addresses_name_their_base() {
        let replaced_base = Address::live_of_retired;
        assert_eq!(replaced_base("vpc~replaced").as_deref(), Some("vpc"));
        assert_eq!(
            replaced_base("subnet[1]~replaced").as_deref(),
            Some("subnet[1]")
        );
        assert_eq!(replaced_base("vpc~2~replaced").as_deref(), Some("vpc"));
        assert_eq!(
            replaced_base(r#"b["x~2"]~replaced"#).as_deref(),
            Some(r#"b["x~2"]"#)
        );
        assert_eq!(replaced_base("vpc"), None);
        assert_eq!(Address::decl_of("subnet[0]~3~replaced"), "subnet");
    }

    #[test]
    fn retired_names_never_take_a_recorded_one() {
        let mut taken = BTreeMap::new();
        assert_eq!(retired_name(&taken, "vpc"), "vpc~replaced");
        taken.insert("vpc~replaced".to_string(), ());
        assert_eq!(retired_name(&taken, "vpc"), "vpc~2~replaced");
        taken.insert("vpc~2~replaced".to_string(), ());
        let third = retired_name(&taken, "vpc");
        assert_eq!(third, "vpc~3~replaced");
        assert_eq!(Address::live_of_retired(&third).as_deref(), Some("vpc"));
    }

    #[test]
    fn without_a_stack_file_dependencies_are_the_records_the_inputs_name() {
        let mut resources = BTreeMap::new();
        for (name, id) in [
            ("vpc", "vpc-1"),
            ("subnet", "subnet-1"),
            ("other", "x-9"),
            ("nat~replaced", "nat-0"),
        ] {
            resources.insert(name.to_string(), record(name, id));
        }
        let inputs: Map = [
            ("vpc_id", Value::from("vpc-1")),
            (
                "subnets",
                Value::List(vec![Value::secret(Value::from("subnet-1"))]),
            ),
            ("name", Value::from("x-9-but-not-an-id")),
            ("allocation", Value::from("nat-0")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        // The resource's own retired copy is never one of its dependencies.
        assert_eq!(
            referenced_records("nat", &inputs, &resources),
            ["subnet", "vpc"]
        );
    }

    fn operation_id(key: &StackKey, id: i64, started_at: i64) -> String {
        let purpose = CallPurpose::Intent {
            id: crate::state::OpId::new(id),
            started_at,
        };
        CallContext::new(key, "r", "t", Arc::default(), PathBuf::new(), purpose).operation_id
    }

    #[test]
    fn the_operation_id_is_the_same_for_every_attempt_of_one_intent() {
        let key = StackKey::new("web", "prod");
        assert_eq!(
            operation_id(&key, 42, 1_700_000_000),
            operation_id(&key, 42, 1_700_000_000)
        );
        assert_ne!(
            operation_id(&key, 42, 1_700_000_000),
            operation_id(&key, 43, 1_700_000_000)
        );
        assert_ne!(
            operation_id(&key, 42, 1_700_000_000),
            operation_id(&key, 42, 1_700_000_001),
            "a recreated state's ids do not reuse old tokens"
        );
    }
}
