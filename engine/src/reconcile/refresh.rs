//! Refresh: reads every recorded resource back through its provider, finds
//! what changed outside skistack (drift) and, when asked, records it.
//!
//! Reading and recording are separate so that `preview --refresh` can plan
//! against what the cloud has now without writing anything, while `refresh`
//! and `up --refresh` record it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::readback::{Folded, Settle, fold_read};
use crate::base::{Map, TypeSchema};
use crate::graph::Dag;
use crate::plan::{PropertyChange, diff_inputs};
use crate::provider::{
    CallContext, CallPurpose, ProviderError, ReadResult, Registry, ResourceType,
};
use crate::state::{ResourceRecord, StackKey, StackState};
use crate::walk::{Cancel, Outcome, walk};

/// What a refresh found for one resource whose record changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub address: String,
    pub type_token: String,
    /// The provider id of the resource.
    pub id: String,
    /// The resource no longer exists in the cloud.
    pub deleted: bool,
    /// Properties whose value in the cloud differs from the record.
    pub properties: Vec<PropertyChange>,
    /// Computed attributes that changed. They are recorded but are not
    /// drift: nobody declares them.
    pub attributes: Vec<PropertyChange>,
}

impl Drift {
    /// True when something declared changed outside skistack: a property,
    /// or the resource is gone.
    pub fn is_drift(&self) -> bool {
        self.deleted || !self.properties.is_empty()
    }
}

/// The outcome of reading every resource of a stack.
#[derive(Debug, Clone)]
pub struct Refresh {
    pub key: StackKey,
    /// The state as the cloud has it now: records updated, deleted ones
    /// removed. Plans after a refresh work from this.
    pub state: StackState,
    /// Every resource whose record changes, in address order.
    pub changes: Vec<Drift>,
    /// How many resources were read.
    pub read: usize,
    /// Resources of a type no provider offers; left as recorded.
    pub unreadable: Vec<String>,
    /// Reads that failed, one message each.
    pub failures: Vec<String>,
    /// Interrupted before every read ran.
    pub cancelled: bool,
    pub started_at: i64,
    pub elapsed: Duration,
}

impl Refresh {
    /// Why an incomplete refresh recorded nothing: the reads that failed.
    pub fn incomplete_message(&self) -> String {
        format!(
            "{} resource(s) could not be read:\n  {}",
            self.failures.len(),
            self.failures.join("\n  ")
        )
    }

    /// True when anything declared changed outside skistack.
    pub fn has_drift(&self) -> bool {
        self.changes.iter().any(Drift::is_drift)
    }

    /// The resources that drifted (changed properties or deleted).
    pub fn drifted(&self) -> impl Iterator<Item = &Drift> {
        self.changes.iter().filter(|d| d.is_drift())
    }

    /// True when every resource was read.
    pub fn complete(&self) -> bool {
        self.failures.is_empty() && !self.cancelled
    }

    /// Counts for the history and the summary line: `changed`, `deleted`,
    /// `unchanged` (resources whose declared properties are as recorded).
    pub fn counts(&self) -> BTreeMap<String, u64> {
        let deleted = self.changes.iter().filter(|d| d.deleted).count() as u64;
        let changed = self
            .changes
            .iter()
            .filter(|d| !d.deleted && !d.properties.is_empty())
            .count() as u64;
        let mut counts = BTreeMap::new();
        counts.insert("changed".to_string(), changed);
        counts.insert("deleted".to_string(), deleted);
        counts.insert(
            "unchanged".to_string(),
            (self.read as u64).saturating_sub(changed + deleted),
        );
        if !self.failures.is_empty() {
            counts.insert("failed".to_string(), self.failures.len() as u64);
        }
        counts
    }
}

/// The record as the cloud has it, and how it differs from `rec`: inputs
/// are the recorded ones with every property the provider read back
/// replaced by what it read (a property it can't read keeps its recorded
/// value), outputs are what it read.
pub fn refreshed_record(
    schema: &TypeSchema,
    rec: &ResourceRecord,
    read: ReadResult,
) -> (ResourceRecord, Drift) {
    let Folded { inputs, outputs } =
        fold_read(schema, &rec.inputs, &rec.outputs, &read, Settle::Every);
    let properties = no_replacement(diff_inputs(schema, &rec.inputs, &inputs));
    let attributes = no_replacement(diff_inputs(
        schema,
        &only_attributes(schema, &rec.outputs),
        &only_attributes(schema, &outputs),
    ));
    let drift = Drift {
        address: rec.address.clone(),
        type_token: rec.type_token.clone(),
        id: rec.id.clone(),
        deleted: false,
        properties,
        attributes,
    };
    let record = ResourceRecord {
        inputs,
        outputs,
        ..rec.clone()
    };
    (record, drift)
}

/// Drift is no plan: nothing is replaced by noticing it.
fn no_replacement(mut changes: Vec<PropertyChange>) -> Vec<PropertyChange> {
    for c in &mut changes {
        c.forces_replace = false;
    }
    changes
}

fn only_attributes(schema: &TypeSchema, outputs: &Map) -> Map {
    outputs
        .iter()
        .filter(|(k, _)| schema.find_attribute(k).is_some())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// What the reads need besides the records.
pub struct ReadContext {
    pub registry: Registry,
    pub key: StackKey,
    pub config: Arc<Map>,
    pub stack_dir: PathBuf,
}

impl ReadContext {
    fn call_context(&self, rec: &ResourceRecord) -> CallContext {
        CallContext::new(
            &self.key,
            &rec.address,
            &rec.type_token,
            Arc::clone(&self.config),
            self.stack_dir.clone(),
            CallPurpose::Read,
        )
    }
}

type ReadOutcome = Result<Option<ReadResult>, ProviderError>;

/// Reads every resource of `state` through its provider, at most `parallel`
/// at once, and works out the refreshed state. Writes nothing.
pub async fn read_all(
    cx: ReadContext,
    state: &StackState,
    parallel: usize,
    cancel: &Cancel,
) -> Refresh {
    let start = Instant::now();
    let started_at = crate::sys::now();
    let mut unreadable = Vec::new();
    let mut jobs: Vec<(ResourceRecord, Arc<dyn ResourceType>)> = Vec::new();
    for rec in state.resources.values() {
        match cx.registry.resource(&rec.type_token) {
            Some(rt) => jobs.push((rec.clone(), Arc::clone(rt))),
            None => unreadable.push(rec.address.clone()),
        }
    }
    let jobs = Arc::new(jobs);
    let results: Arc<Mutex<Vec<Option<ReadOutcome>>>> =
        Arc::new(Mutex::new((0..jobs.len()).map(|_| None).collect()));
    let cx = Arc::new(cx);
    let dag = Dag::with_nodes(jobs.len());
    let outcome = {
        let (jobs, results, cx) = (Arc::clone(&jobs), Arc::clone(&results), Arc::clone(&cx));
        walk(&dag, parallel, cancel, move |i| {
            let (jobs, results, cx) = (Arc::clone(&jobs), Arc::clone(&results), Arc::clone(&cx));
            async move {
                let (rec, rt) = &jobs[i];
                let ctx = cx.call_context(rec);
                let r = rt.read(&ctx, &rec.id, &rec.inputs, &rec.outputs).await;
                let ok = r.is_ok();
                lock(&results)[i] = Some(r);
                ok
            }
        })
        .await
    };
    let results = std::mem::take(&mut *lock(&results));
    let mut refreshed = state.clone();
    let mut changes = Vec::new();
    let mut failures = Vec::new();
    let mut read = 0;
    for (((rec, rt), result), out) in jobs.iter().zip(results).zip(&outcome) {
        match result {
            Some(Ok(Some(r))) => {
                read += 1;
                let (record, drift) = refreshed_record(rt.schema(), rec, r);
                if !drift.properties.is_empty() || !drift.attributes.is_empty() || record != *rec {
                    refreshed.resources.insert(rec.address.clone(), record);
                    changes.push(drift);
                }
            }
            Some(Ok(None)) => {
                read += 1;
                refreshed.resources.remove(&rec.address);
                changes.push(Drift {
                    address: rec.address.clone(),
                    type_token: rec.type_token.clone(),
                    id: rec.id.clone(),
                    deleted: true,
                    properties: Vec::new(),
                    attributes: Vec::new(),
                });
            }
            Some(Err(e)) => failures.push(format!(
                "{} ({}) {}: read failed: {e}",
                rec.address, rec.type_token, rec.id
            )),
            // Not started: the walk was cancelled.
            None => debug_assert_eq!(*out, Outcome::NotRun),
        }
    }
    Refresh {
        key: cx.key.clone(),
        state: refreshed,
        changes,
        read,
        unreadable,
        failures,
        cancelled: cancel.is_cancelled(),
        started_at,
        elapsed: start.elapsed(),
    }
}

/// Locks a mutex, recovering the data if a panicking read poisoned it (each
/// slot is written by one statement, so the vector stays consistent).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::{Attribute, Property, Value, ValueType};
    use crate::state::RecordOptions;

    fn schema() -> TypeSchema {
        TypeSchema::new("t:m:T", "")
            .complete_reads()
            .properties([
                Property::required("cidr", ValueType::String).force_new(),
                Property::optional("tags", ValueType::map(ValueType::String)),
                Property::optional("password", ValueType::String).secret(),
                Property::optional("write_only", ValueType::String).unreadable(),
            ])
            .attributes([Attribute::new("arn", ValueType::String)])
    }

    fn record() -> ResourceRecord {
        let inputs = Map::from([
            ("cidr".into(), "10.0.0.0/16".into()),
            (
                "tags".into(),
                Value::Map(Map::from([("Name".into(), "a".into())])),
            ),
            ("password".into(), Value::secret("pw".into())),
            ("write_only".into(), "w".into()),
        ]);
        let mut outputs = inputs.clone();
        outputs.insert("arn".into(), "arn:1".into());
        ResourceRecord {
            address: "vpc".into(),
            type_token: "t:m:T".into(),
            id: "vpc-1".into(),
            inputs,
            outputs,
            dependencies: vec!["x".into()],
            options: RecordOptions::default(),
        }
    }

    fn read_of(rec: &ResourceRecord, changes: &[(&str, Value)]) -> ReadResult {
        let mut inputs = rec.inputs.clone();
        inputs.remove("write_only");
        if let Some(p) = inputs.get_mut("password") {
            *p = p.reveal();
        }
        for (k, v) in changes {
            inputs.insert(k.to_string(), v.clone());
        }
        let mut outputs = rec.outputs.clone();
        outputs.extend(inputs.clone());
        ReadResult { inputs, outputs }
    }

    /// A provider whose reads answer by id: `gone` no longer exists,
    /// `broken` fails, `drifted` has another `cidr`; the rest read back as
    /// recorded.
    struct ByIdProvider(Arc<dyn ResourceType>);
    struct ByIdType(TypeSchema);

    #[async_trait::async_trait]
    impl ResourceType for ByIdType {
        fn schema(&self) -> &TypeSchema {
            &self.0
        }
        async fn create(
            &self,
            _: &CallContext,
            _: &Map,
        ) -> Result<crate::provider::Created, ProviderError> {
            Err(ProviderError::Invalid("a refresh never creates".into()))
        }
        async fn read(
            &self,
            _: &CallContext,
            id: &str,
            inputs: &Map,
            outputs: &Map,
        ) -> Result<Option<ReadResult>, ProviderError> {
            let mut inputs = inputs.clone();
            match id {
                "gone" => return Ok(None),
                "broken" => return Err(ProviderError::Transient("throttled".into())),
                "drifted" => {
                    inputs.insert("cidr".into(), "10.9.0.0/16".into());
                }
                _ => {}
            }
            Ok(Some(ReadResult {
                inputs,
                outputs: outputs.clone(),
            }))
        }
        async fn update(
            &self,
            _: &CallContext,
            _: &str,
            _: &Map,
            _: &Map,
            _: &Map,
        ) -> Result<Map, ProviderError> {
            Err(ProviderError::Invalid("a refresh never updates".into()))
        }
        async fn delete(
            &self,
            _: &CallContext,
            _: &str,
            _: &Map,
            _: &Map,
        ) -> Result<(), ProviderError> {
            Err(ProviderError::Invalid("a refresh never deletes".into()))
        }
    }

    impl crate::provider::Provider for ByIdProvider {
        fn name(&self) -> &str {
            "t"
        }
        fn resource_types(&self) -> Vec<Arc<dyn ResourceType>> {
            vec![Arc::clone(&self.0)]
        }
        fn data_sources(&self) -> Vec<Arc<dyn crate::provider::DataSource>> {
            Vec::new()
        }
    }

    fn state_of(ids: &[(&str, &str)]) -> StackState {
        let mut state = StackState::default();
        for (name, id) in ids {
            let mut r = record();
            r.address = name.to_string();
            r.id = id.to_string();
            state.resources.insert(r.address.clone(), r);
        }
        state
    }

    async fn refresh_of(state: &StackState, cancel: &Cancel) -> Refresh {
        let mut registry = Registry::new();
        registry.register(Arc::new(ByIdProvider(Arc::new(ByIdType(schema())))));
        let cx = ReadContext {
            registry,
            key: StackKey::new("web", "default"),
            config: Arc::new(Map::new()),
            stack_dir: PathBuf::from("."),
        };
        read_all(cx, state, 2, cancel).await
    }

    #[tokio::test]
    async fn reads_find_changes_and_deletions_and_leave_the_rest() {
        let mut state = state_of(&[("a", "same"), ("b", "drifted"), ("c", "gone")]);
        let mut other = record();
        other.address = "d".into();
        other.type_token = "x:y:Unknown".into();
        state.resources.insert("d".into(), other);
        let r = refresh_of(&state, &Cancel::new()).await;
        assert!(r.complete());
        assert_eq!(r.read, 3);
        assert_eq!(r.unreadable, ["d"]);
        let changed: Vec<(&str, bool)> = r
            .changes
            .iter()
            .map(|d| (d.address.as_str(), d.deleted))
            .collect();
        assert_eq!(changed, [("b", false), ("c", true)]);
        assert!(r.has_drift());
        let keys: Vec<&str> = r.state.resources.keys().map(String::as_str).collect();
        assert_eq!(keys, ["a", "b", "d"], "the deleted one leaves the state");
        assert_eq!(
            r.state.resources["b"].inputs["cidr"],
            Value::from("10.9.0.0/16")
        );
        assert_eq!(r.state.resources["a"], state.resources["a"]);
        let counts = r.counts();
        assert_eq!(
            (counts["changed"], counts["deleted"], counts["unchanged"]),
            (1, 1, 1)
        );
    }

    #[tokio::test]
    async fn a_failed_read_makes_the_refresh_incomplete() {
        let state = state_of(&[("a", "same"), ("b", "broken")]);
        let r = refresh_of(&state, &Cancel::new()).await;
        assert!(!r.complete());
        assert_eq!(r.failures.len(), 1);
        assert!(
            r.failures[0].contains("b (t:m:T) broken: read failed: throttled"),
            "{:?}",
            r.failures
        );
        assert!(!r.has_drift());
    }

    #[tokio::test]
    async fn an_interrupted_refresh_reads_nothing_more() {
        let state = state_of(&[("a", "gone"), ("b", "gone")]);
        let cancel = Cancel::new();
        cancel.cancel();
        let r = refresh_of(&state, &cancel).await;
        assert!(r.cancelled && !r.complete());
        assert_eq!(r.read, 0);
        assert!(r.changes.is_empty());
    }

    #[test]
    fn an_unchanged_resource_reads_back_as_recorded() {
        let rec = record();
        let (after, drift) = refreshed_record(&schema(), &rec, read_of(&rec, &[]));
        assert_eq!(after, rec, "secrets stay secret, write-only stays");
        assert!(!drift.is_drift());
        assert!(drift.attributes.is_empty());
    }

    #[test]
    fn a_property_gone_from_the_cloud_is_drift_and_is_dropped() {
        let rec = record();
        let mut read = read_of(&rec, &[]);
        read.inputs.remove("tags");
        read.outputs.remove("tags");
        let (after, drift) = refreshed_record(&schema(), &rec, read);
        assert!(drift.is_drift());
        let names: Vec<&str> = drift.properties.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["tags"]);
        assert!(!after.inputs.contains_key("tags"));
        assert!(
            !after.outputs.contains_key("tags"),
            "outputs mirror the inputs"
        );
        assert_eq!(after.inputs["write_only"], rec.inputs["write_only"]);
    }

    #[test]
    fn a_changed_property_is_drift_and_is_recorded() {
        let rec = record();
        let tags = Value::Map(Map::from([("Name".into(), "b".into())]));
        let (after, drift) = refreshed_record(
            &schema(),
            &rec,
            read_of(
                &rec,
                &[("tags", tags.clone()), ("cidr", "10.1.0.0/16".into())],
            ),
        );
        assert!(drift.is_drift());
        let names: Vec<&str> = drift.properties.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["cidr", "tags"]);
        assert!(drift.properties.iter().all(|c| !c.forces_replace));
        assert_eq!(after.inputs["tags"], tags);
        assert_eq!(after.outputs["tags"], tags, "outputs mirror the new inputs");
        assert_eq!(after.dependencies, rec.dependencies);
    }

    #[test]
    fn a_changed_attribute_is_recorded_but_is_no_drift() {
        let rec = record();
        let mut read = read_of(&rec, &[]);
        read.outputs.insert("arn".into(), "arn:2".into());
        // Providers may return keys that are no property; they are no input.
        read.inputs.insert("noise".into(), "x".into());
        let (after, drift) = refreshed_record(&schema(), &rec, read);
        assert!(!drift.is_drift());
        assert_eq!(drift.attributes.len(), 1);
        assert_eq!(after.outputs["arn"], Value::from("arn:2"));
        assert!(!after.inputs.contains_key("noise"));
    }

    #[test]
    fn a_changed_secret_stays_secret() {
        let rec = record();
        let (after, drift) = refreshed_record(
            &schema(),
            &rec,
            read_of(&rec, &[("password", "new".into())]),
        );
        assert_eq!(after.inputs["password"], Value::secret("new".into()));
        assert_eq!(drift.properties.len(), 1);
        assert_eq!(
            drift.properties[0]
                .new
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("[secret]")
        );
    }
}
