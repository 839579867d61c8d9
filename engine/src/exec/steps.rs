//! One function per kind of step. Each records an intent before its
//! provider call and the outcome right after, each in one transaction, so
//! a crash between any two statements leaves what recovery resolves; and
//! each publishes the outputs its dependents read.
//!
//! A step reaches its change's data through the change's variant; the
//! step graph pairs each step with a change of the variant it needs (see
//! `plan::build_steps`), so the dispatch in [`Shared::execute`] is total.

use super::{Recorded, Shared, StepError, StepErrorKind, lock};
use crate::base::{Map, Value};
use crate::eval::with_id;
use crate::plan::{Action, Change, ChangeOp, StepOp, diff_inputs};
use crate::provider::{CallPurpose, ProviderError, ResourceType};
use crate::reconcile::{self, Purpose, Recovery};
use crate::state::{Intent, OpId, OpKind, PendingOp, ResourceRecord};
use crate::sys::failpoint::{self, Point};

impl Shared {
    /// Runs one step; returns the action to count, if any.
    pub(super) async fn execute(
        &self,
        op: StepOp,
        change: &Change,
    ) -> Result<Option<Action>, StepError> {
        match (op, &change.op) {
            (StepOp::Read, _) => self.read(change).await.map(Some),
            (StepOp::Create | StepOp::CreateReplacement, _) => self.create(op, change).await,
            (StepOp::Update, ChangeOp::Update { prior, .. }) => self.update(change, prior).await,
            (StepOp::Delete, ChangeOp::Delete(prior)) => {
                self.delete(op, change, prior, &prior.address).await?;
                Ok(Some(Action::Delete))
            }
            (StepOp::DeleteReplaced, ChangeOp::Replace { prior, .. }) => {
                let name = self.retired_name_of(&change.address);
                self.delete(op, change, prior, &name).await.map(|()| None)
            }
            (StepOp::DeleteBeforeReplace, ChangeOp::Replace { prior, .. }) => self
                .delete(op, change, prior, &prior.address)
                .await
                .map(|()| None),
            (StepOp::ForgetReplaced, ChangeOp::Replace { prior, .. }) => {
                // Before the create the old record is still at the address;
                // after it, under the name the replacement gave it.
                let name = if change.delete_before_replace() {
                    prior.address.clone()
                } else {
                    self.retired_name_of(&change.address)
                };
                self.release(op, change, &name).map(|()| None)
            }
            (StepOp::Forget, _) => self.forget(op, change),
            // The step graph never pairs a step with another kind of change.
            (op, _) => Err(self.error(
                change,
                op,
                StepErrorKind::Evaluation(format!(
                    "{}: a {} step for a planned {}; this is a bug in skistack, please report it",
                    change.address,
                    op.verb(),
                    change.action().as_str()
                )),
            )),
        }
    }

    /// Reads a data lookup whose inputs became known during the run.
    async fn read(&self, change: &Change) -> Result<Action, StepError> {
        let op = StepOp::Read;
        let inputs = self.current_inputs(change, op)?;
        let ds = self
            .runner
            .registry
            .data_source(&change.type_token)
            .ok_or_else(|| self.unknown_type(change, op, true, None))?;
        let ctx = self.ctx(change, &change.address, CallPurpose::Read);
        let mut out = ds
            .invoke(&ctx, &inputs)
            .await
            .map_err(|e| self.provider_failed(change, op, "read", e))?;
        for (k, v) in &inputs {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
        out.entry("id".into())
            .or_insert_with(|| Value::String(change.address.clone()));
        self.publish(&change.address, out);
        Ok(Action::Read)
    }

    /// Creates a resource, or the replacement of a recorded one.
    async fn create(&self, op: StepOp, change: &Change) -> Result<Option<Action>, StepError> {
        let rt = self.resource_type(change, op)?;
        let inputs = self.current_inputs(change, op)?;
        let (intent, superseded) = self.begin_create(change, op, &inputs)?;
        let ctx = self.ctx(change, &change.address, intent.purpose());
        let created = match rt.create(&ctx, &inputs).await {
            Ok(c) => c,
            Err(e) => {
                self.resolve_failed_create(change, intent, &inputs, &e)
                    .await;
                return Err(self.provider_failed(change, op, "create", e));
            }
        };
        failpoint::hit(Point::AfterCreate, &change.address);
        let record = self.record(change, created.id.clone(), inputs, created.outputs.clone());
        let store = &self.runner.store;
        let key = &self.runner.key;
        let committed = if op == StepOp::CreateReplacement {
            let retired = self.retired_name(change, op)?;
            store.commit_replacement(key, intent.id, &record, &retired)
        } else {
            store.commit_resource(key, Some(intent.id), &record)
        };
        committed.map_err(|e| {
            let what = format!(
                "{}: recording the created resource {}",
                change.address, created.id
            );
            self.state_failed(change, op, Some(what), e)
        })?;
        if let Some(old) = superseded {
            self.abandon(old);
        }
        self.publish(
            &change.address,
            with_id(created.outputs, Value::String(created.id)),
        );
        let counted = match &change.op {
            ChangeOp::Create(_) if op == StepOp::Create => Action::Create,
            _ => Action::Replace,
        };
        Ok(Some(counted))
    }

    /// Updates a recorded resource in place, or only records its new
    /// options and dependencies when no property changed.
    async fn update(
        &self,
        change: &Change,
        prior: &ResourceRecord,
    ) -> Result<Option<Action>, StepError> {
        let op = StepOp::Update;
        let rt = self.resource_type(change, op)?;
        let inputs = self.current_inputs(change, op)?;
        let diff = diff_inputs(rt.schema(), &prior.inputs, &inputs);
        if diff.is_empty() {
            return self.record_options(change, prior);
        }
        if let Some(c) = diff.iter().find(|c| c.forces_replace) {
            let property = c.name.clone();
            return Err(self.error(change, op, StepErrorKind::NeedsReplacement { property }));
        }
        let resource_id = Some(prior.id.clone());
        let intent = self.begin(
            change,
            op,
            &change.address,
            OpKind::Update,
            resource_id,
            &inputs,
        )?;
        let ctx = self.ctx(change, &change.address, intent.purpose());
        let outputs = match rt
            .update(&ctx, &prior.id, &prior.inputs, &prior.outputs, &inputs)
            .await
        {
            Ok(o) => o,
            Err(e) => {
                self.abandon(intent.id);
                return Err(self.provider_failed(change, op, "update", e));
            }
        };
        failpoint::hit(Point::AfterUpdate, &change.address);
        let record = self.record(change, prior.id.clone(), inputs, outputs.clone());
        self.runner
            .store
            .commit_resource(&self.runner.key, Some(intent.id), &record)
            .map_err(|e| {
                let what = format!("{}: recording the update", change.address);
                self.state_failed(change, op, Some(what), e)
            })?;
        self.publish(
            &change.address,
            with_id(outputs, Value::String(prior.id.clone())),
        );
        Ok(Some(Action::Update))
    }

    /// An update with no property to change: records new options or
    /// dependencies, with no provider call (so no intent).
    fn record_options(
        &self,
        change: &Change,
        prior: &ResourceRecord,
    ) -> Result<Option<Action>, StepError> {
        let record = self.record(
            change,
            prior.id.clone(),
            prior.inputs.clone(),
            prior.outputs.clone(),
        );
        let changed = record.options != prior.options || record.dependencies != prior.dependencies;
        if changed {
            self.runner
                .store
                .commit_resource(&self.runner.key, None, &record)
                .map_err(|e| {
                    let what = format!("{}: recording its options", change.address);
                    self.state_failed(change, StepOp::Update, Some(what), e)
                })?;
        }
        self.publish(
            &change.address,
            with_id(prior.outputs.clone(), Value::String(prior.id.clone())),
        );
        Ok(changed.then_some(Action::Update))
    }

    /// Deletes the resource `prior` records, recorded under `name` (its
    /// address, or the retired name a replacement gave it).
    async fn delete(
        &self,
        op: StepOp,
        change: &Change,
        prior: &ResourceRecord,
        name: &str,
    ) -> Result<(), StepError> {
        let rt = self
            .runner
            .registry
            .resource(&prior.type_token)
            .ok_or_else(|| self.unknown_type(change, op, false, Some(name)))?;
        let resource_id = Some(prior.id.clone());
        let intent = self.begin(change, op, name, OpKind::Delete, resource_id, &prior.inputs)?;
        let ctx = self.ctx(change, name, intent.purpose());
        match rt
            .delete(&ctx, &prior.id, &prior.inputs, &prior.outputs)
            .await
        {
            Ok(()) | Err(ProviderError::NotFound(_)) => {}
            Err(e) => {
                self.abandon(intent.id);
                return Err(self.provider_failed(change, op, "delete", e));
            }
        }
        failpoint::hit(Point::AfterDelete, name);
        self.runner
            .store
            .commit_delete(&self.runner.key, intent.id, name)
            .map_err(|e| {
                self.state_failed(change, op, Some(format!("{name}: recording the delete")), e)
            })
    }

    /// Drops a resource that is no longer declared from the state without
    /// deleting it.
    fn forget(&self, op: StepOp, change: &Change) -> Result<Option<Action>, StepError> {
        self.release(op, change, &change.address)?;
        Ok(Some(Action::Forget))
    }

    /// Drops the record `name` from the state, the resource staying in the
    /// cloud, ending first any sweep of the change's address: a resource
    /// kept on purpose is no late duplicate to delete or adopt (the store
    /// remembers it as released, so recovery leaves it alone too).
    fn release(&self, op: StepOp, change: &Change, name: &str) -> Result<(), StepError> {
        reconcile::end_sweeps(
            self.runner.store.as_ref(),
            &self.runner.key,
            &change.address,
        )
        .map_err(|e| self.state_failed(change, op, None, e))?;
        self.runner
            .store
            .forget(&self.runner.key, name)
            .map_err(|e| self.state_failed(change, op, None, e))?;
        Ok(())
    }

    fn resource_type(
        &self,
        change: &Change,
        op: StepOp,
    ) -> Result<&std::sync::Arc<dyn ResourceType>, StepError> {
        self.runner
            .registry
            .resource(&change.type_token)
            .ok_or_else(|| self.unknown_type(change, op, false, None))
    }

    fn unknown_type(
        &self,
        change: &Change,
        op: StepOp,
        data: bool,
        subject: Option<&str>,
    ) -> StepError {
        let subject = subject.map(str::to_string);
        self.error(change, op, StepErrorKind::UnknownType { data, subject })
    }

    /// Records an intent before a provider call.
    fn begin(
        &self,
        change: &Change,
        op: StepOp,
        name: &str,
        kind: OpKind,
        resource_id: Option<String>,
        inputs: &Map,
    ) -> Result<Recorded, StepError> {
        let started_at = crate::sys::now();
        let intent = Intent {
            address: name.to_string(),
            kind,
            type_token: change.type_token.clone(),
            resource_id,
            inputs: inputs.clone(),
            started_at,
        };
        let id = self
            .runner
            .store
            .begin(&self.runner.key, &intent)
            .map_err(|e| self.state_failed(change, op, None, e))?;
        Ok(Recorded { id, started_at })
    }

    /// The intent of a create: the one an interrupted run left for the same
    /// inputs, if any (so the provider sees the same operation id), else a
    /// new one. The second value is a superseded intent (left for other
    /// inputs) to clear once this create is recorded.
    fn begin_create(
        &self,
        change: &Change,
        op: StepOp,
        inputs: &Map,
    ) -> Result<(Recorded, Option<OpId>), StepError> {
        let leftover = lock(&self.leftovers)
            .remove(&change.address)
            .filter(|left| left.type_token == change.type_token);
        match leftover {
            Some(left) if left.inputs == *inputs => Ok((
                Recorded {
                    id: left.id,
                    started_at: left.started_at,
                },
                None,
            )),
            other => Ok((
                self.begin(change, op, &change.address, OpKind::Create, None, inputs)?,
                other.map(|left| left.id),
            )),
        }
    }

    /// After a failed create: unless the provider rejected the request
    /// outright, the resource may exist (the create failed while waiting for
    /// it, say), so it is looked up and adopted rather than orphaned.
    async fn resolve_failed_create(
        &self,
        change: &Change,
        intent: Recorded,
        inputs: &Map,
        error: &ProviderError,
    ) {
        if matches!(error, ProviderError::Invalid(_)) {
            self.abandon(intent.id);
            return;
        }
        let r = &self.runner;
        let rec = Recovery {
            registry: &r.registry,
            store: r.store.as_ref(),
            key: r.key.clone(),
            config: std::sync::Arc::clone(&r.config),
            stack_dir: r.stack_dir.clone(),
            declared: r
                .source
                .as_ref()
                .map(|s| (s.stack.as_ref(), s.checked.as_ref())),
            purpose: Purpose::Up,
        };
        let op = PendingOp {
            id: intent.id,
            address: change.address.clone(),
            kind: OpKind::Create,
            type_token: change.type_token.clone(),
            resource_id: None,
            inputs: inputs.clone(),
            started_at: intent.started_at,
        };
        // On error the intent stays for the next run's recovery.
        if let Ok(Some(note)) = reconcile::resolve_failed_create(&rec, &op).await {
            r.observer
                .event(&crate::events::Event::Notice { message: &note });
        }
    }

    /// A free name for the resource a replacement of the change supersedes.
    fn retired_name(&self, change: &Change, op: StepOp) -> Result<String, StepError> {
        let address = &change.address;
        let state = self.runner.store.load(&self.runner.key).map_err(|e| {
            self.state_failed(change, op, Some(format!("{address}: reading the state")), e)
        })?;
        let name = reconcile::retired_name(&state.resources, address);
        lock(&self.retired).insert(address.clone(), name.clone());
        Ok(name)
    }

    /// The name the replacement of `address` gave the resource it
    /// superseded in this run.
    fn retired_name_of(&self, address: &str) -> String {
        lock(&self.retired)
            .get(address)
            .cloned()
            .unwrap_or_else(|| crate::base::Address::retired_name_of(address, |_| false))
    }
}
