//! The state store interface: what the engine needs from persistent state.
//! The `skistack-state` crate implements it on SQLite.
//!
//! Every call is one small transaction. Before a provider call the engine
//! records the intent with [`StateStore::begin`]; the outcome is committed
//! with [`StateStore::commit_resource`], [`StateStore::commit_delete`] or
//! [`StateStore::abandon`], which also clear the intent. An intent still
//! present on the next run means the process died mid-call.

use std::collections::{BTreeMap, BTreeSet};

use crate::base::Map;

/// A stack in one environment: the unit of state, locking and history.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StackKey {
    pub stack: String,
    pub env: String,
}

impl StackKey {
    pub fn new(stack: &str, env: &str) -> StackKey {
        StackKey {
            stack: stack.to_string(),
            env: env.to_string(),
        }
    }
}

impl std::fmt::Display for StackKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.env == "default" {
            write!(f, "{}", self.stack)
        } else {
            write!(f, "{} (env {})", self.stack, self.env)
        }
    }
}

/// Options of a resource that matter after it is no longer declared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordOptions {
    pub protect: bool,
    pub retain_on_delete: bool,
    pub delete_before_replace: bool,
}

/// One resource instance as the state records it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceRecord {
    /// The instance's address: `vpc`, `subnet[0]`, `bucket["logs"]`.
    pub address: String,
    pub type_token: String,
    /// The id the provider gave it.
    pub id: String,
    /// The inputs it was last created or updated with.
    pub inputs: Map,
    /// Its outputs: inputs as recorded by the cloud plus computed attributes.
    pub outputs: Map,
    /// Addresses of the instances it depends on; destroy follows these.
    pub dependencies: Vec<String>,
    pub options: RecordOptions,
}

/// What a pending operation was about to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// A provider create call.
    Create,
    /// A provider update call.
    Update,
    /// A provider delete call.
    Delete,
    /// Not a call but a watch: a create that takes no idempotency token was
    /// made again after an interrupted attempt found nothing, and the lost
    /// request may still land. Every run's recovery looks for a resource of
    /// the instance that the state does not record until the sweep horizon
    /// has passed since `started_at` (the lost request's start); its
    /// `inputs` are the lost request's.
    Sweep,
}

impl OpKind {
    /// The name the state stores and messages use.
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Create => "create",
            OpKind::Update => "update",
            OpKind::Delete => "delete",
            OpKind::Sweep => "sweep",
        }
    }

    /// The kind [`OpKind::as_str`] names; `None` for any other text.
    pub fn parse(s: &str) -> Option<OpKind> {
        match s {
            "create" => Some(OpKind::Create),
            "update" => Some(OpKind::Update),
            "delete" => Some(OpKind::Delete),
            "sweep" => Some(OpKind::Sweep),
            _ => None,
        }
    }
}

/// The id a store gives an intent when it records it. Every call that
/// clears an intent takes one, so "no intent" is `None`, never a magic id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId(i64);

impl OpId {
    /// The id a store assigned (its row id, say).
    pub fn new(id: i64) -> OpId {
        OpId(id)
    }

    /// The number, for the store to write.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for OpId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An intent to record before a provider call: what the call is about to do.
#[derive(Clone, Debug, PartialEq)]
pub struct Intent {
    pub address: String,
    pub kind: OpKind,
    pub type_token: String,
    /// The provider id, for updates and deletes.
    pub resource_id: Option<String>,
    pub inputs: Map,
    /// Unix seconds.
    pub started_at: i64,
}

impl Intent {
    /// The intent as a store records it, under `id`.
    pub fn with_id(self, id: OpId) -> PendingOp {
        PendingOp {
            id,
            address: self.address,
            kind: self.kind,
            type_token: self.type_token,
            resource_id: self.resource_id,
            inputs: self.inputs,
            started_at: self.started_at,
        }
    }
}

/// An intent as recorded: with the id the store gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingOp {
    pub id: OpId,
    pub address: String,
    pub kind: OpKind,
    pub type_token: String,
    /// The provider id, for updates and deletes.
    pub resource_id: Option<String>,
    pub inputs: Map,
    /// Unix seconds.
    pub started_at: i64,
}

impl PendingOp {
    /// The intent this records, without its id (a copy of the state
    /// records it again under the same id).
    pub fn intent(&self) -> Intent {
        Intent {
            address: self.address.clone(),
            kind: self.kind,
            type_token: self.type_token.clone(),
            resource_id: self.resource_id.clone(),
            inputs: self.inputs.clone(),
            started_at: self.started_at,
        }
    }
}

/// Everything recorded for a stack in one environment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StackState {
    pub resources: BTreeMap<String, ResourceRecord>,
    /// `None` when the stack was never deployed (or was destroyed).
    pub outputs: Option<Map>,
    pub pending: Vec<PendingOp>,
    /// Resources the stack let go of while they stay in the cloud
    /// ([`StateStore::forget`]): recovery never adopts or deletes them.
    pub released: BTreeSet<Released>,
}

/// A resource dropped from the state on purpose (`state forget`,
/// `retain_on_delete`) that still carries the stack's identity tags in the
/// cloud. Remembering it is what lets recovery tell it from what an
/// interrupted create made.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Released {
    pub type_token: String,
    /// The id the provider gave it.
    pub id: String,
}

impl StackState {
    /// Whether the resource `id` of `type_token` was let go of on purpose.
    pub fn is_released(&self, type_token: &str, id: &str) -> bool {
        self.released.contains(&Released {
            type_token: type_token.to_string(),
            id: id.to_string(),
        })
    }
}

/// One line of `skistack history`.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// `up`, `destroy` or `refresh`.
    pub kind: String,
    /// Unix seconds.
    pub started_at: i64,
    pub duration_ms: i64,
    /// `succeeded`, `failed` or `interrupted`.
    pub result: String,
    /// Steps by kind: create, update, replace, delete, same, failed.
    pub counts: BTreeMap<String, u64>,
}

/// Who holds a stack's lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockInfo {
    pub pid: u32,
    pub host: String,
    /// Unix seconds.
    pub started_at: i64,
    /// The command holding it (`up`, `destroy`).
    pub operation: String,
    /// The holder's lease, in stores shared between machines, whose holders
    /// renew it while they run; `None` in a store whose locks live on one
    /// host (the SQLite file), judged by asking that host's kernel.
    pub lease: Option<Lease>,
}

impl LockInfo {
    /// Whether `other` names the same holder, whatever its heartbeat.
    pub fn same_holder(&self, other: &LockInfo) -> bool {
        self.pid == other.pid
            && self.host == other.host
            && self.started_at == other.started_at
            && self.operation == other.operation
    }
}

/// A lock's lease: renewed by its holder's heartbeat, lost when the
/// heartbeat stops for longer than the lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lease {
    /// Unix seconds of the last renewal.
    pub heartbeat_at: i64,
    /// How long the holder promised the lock lives without a renewal.
    pub seconds: i64,
    /// Renewals so far: two readings of a lock with the same count are
    /// the same lock, even within one second.
    pub beats: u64,
}

/// Everything a store holds for one stack in one environment, as `state
/// migrate` copies it between stores: the state, the config set with
/// `config set`, the config last applied and the history. The stack's data
/// key is not part of it: the target seals the secrets with its own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StackCopy {
    pub state: StackState,
    pub config: Map,
    pub applied_config: Option<Map>,
    pub history: Vec<HistoryEntry>,
}

impl StackCopy {
    /// Reads everything `store` holds for `key`.
    pub fn read(store: &dyn StateStore, key: &StackKey) -> Result<StackCopy, StateError> {
        Ok(StackCopy {
            state: store.load(key)?,
            config: store.config(key)?,
            applied_config: store.applied_config(key)?,
            history: store.history(key)?,
        })
    }
}

/// A deployed stack, as listed by the store.
#[derive(Clone, Debug, PartialEq)]
pub struct StackSummary {
    pub key: StackKey,
    pub resource_count: usize,
    pub deployed: bool,
}

/// Errors of the state store.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StateError {
    #[error(
        "stack {key} is locked by pid {} on {} since {} ({}); wait for it to finish",
        .holder.pid, .holder.host, format_unix(.holder.started_at), .holder.operation
    )]
    Locked {
        key: StackKey,
        /// Boxed: errors pass through every call, and a holder is large.
        holder: Box<LockInfo>,
    },
    #[error("state file {path}: {message}")]
    Unusable { path: String, message: String },
    #[error("state store: {0}")]
    Backend(String),
}

/// A unix time as UTC `YYYY-MM-DD HH:MM:SS`.
pub fn format_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Persistent state. Implementations must make each call atomic and durable
/// on its own and must be usable from many tasks at once.
pub trait StateStore: Send + Sync {
    /// Everything recorded for a stack (empty when it was never deployed).
    fn load(&self, key: &StackKey) -> Result<StackState, StateError>;

    /// The outputs of a deployed stack; `None` when it is not deployed.
    fn outputs(&self, key: &StackKey) -> Result<Option<Map>, StateError>;

    /// Every stack with anything recorded.
    fn list_stacks(&self) -> Result<Vec<StackSummary>, StateError>;

    /// Every stack the store holds anything of, config and released
    /// resources included (what [`StateStore::list_stacks`] leaves out):
    /// what a copy of the store must copy.
    fn recorded_stacks(&self) -> Result<Vec<StackKey>, StateError>;

    /// Writes `stacks`, of which this store must hold nothing, as they are:
    /// pending operations keep their ids (providers derived idempotency
    /// tokens from them), secrets are sealed with this store's keys. Fails
    /// before writing when the store holds anything of one of them. A store
    /// that cannot write several stacks in one transaction may have written
    /// some of them when it fails.
    fn restore(&self, stacks: &[(StackKey, StackCopy)]) -> Result<(), StateError>;

    /// Records an intent before a provider call; returns its id.
    fn begin(&self, key: &StackKey, intent: &Intent) -> Result<OpId, StateError>;

    /// Records a created or updated resource and clears the intent, if the
    /// record comes from a provider call (`None`: bookkeeping, a refresh or
    /// an import, which made no call that changes anything).
    fn commit_resource(
        &self,
        key: &StackKey,
        op_id: Option<OpId>,
        record: &ResourceRecord,
    ) -> Result<(), StateError>;

    /// Records the replacement of a resource: the old record moves to
    /// `retired_name` (deleted later by its own step) and `record` takes its
    /// place, in one transaction that also clears the intent. The retired
    /// record takes `record`'s `retain_on_delete`, the one declared now, so
    /// a later run that removes it from the record alone keeps or deletes
    /// the old resource as the declaration says.
    fn commit_replacement(
        &self,
        key: &StackKey,
        op_id: OpId,
        record: &ResourceRecord,
        retired_name: &str,
    ) -> Result<(), StateError>;

    /// Renames recorded resources (`[[moved]]`), `(from, to)` pairs, and
    /// every recorded dependency on them, in one transaction. A `to` that
    /// another record holds after the renames fails the whole transaction.
    fn move_resources(
        &self,
        key: &StackKey,
        renames: &[(String, String)],
    ) -> Result<(), StateError>;

    /// Removes a deleted resource and clears the intent.
    fn commit_delete(&self, key: &StackKey, op_id: OpId, name: &str) -> Result<(), StateError>;

    /// Clears an intent whose provider call failed without effect.
    fn abandon(&self, key: &StackKey, op_id: OpId) -> Result<(), StateError>;

    /// Replaces the stack's outputs; `None` marks the stack as not deployed.
    fn set_outputs(&self, key: &StackKey, outputs: Option<&Map>) -> Result<(), StateError>;

    /// The config the last successful up applied; `None` before the first.
    fn applied_config(&self, key: &StackKey) -> Result<Option<Map>, StateError>;

    /// Records the config an up applied (`None` after a destroy).
    fn set_applied_config(&self, key: &StackKey, config: Option<&Map>) -> Result<(), StateError>;

    /// Drops a resource from the state without touching the cloud, and
    /// remembers its id among the stack's [`StackState::released`] in the
    /// same transaction. Recording a resource with that id again (an
    /// import) takes it back.
    fn forget(&self, key: &StackKey, name: &str) -> Result<bool, StateError>;

    fn add_history(&self, key: &StackKey, entry: &HistoryEntry) -> Result<(), StateError>;
    fn history(&self, key: &StackKey) -> Result<Vec<HistoryEntry>, StateError>;

    /// Takes the stack's lock, or fails with [`StateError::Locked`] naming the holder.
    fn lock(&self, key: &StackKey, info: &LockInfo) -> Result<(), StateError>;
    fn unlock(&self, key: &StackKey) -> Result<(), StateError>;

    /// Who holds the stack's lock; `None` when it is free.
    fn lock_holder(&self, key: &StackKey) -> Result<Option<LockInfo>, StateError>;

    /// Hands the lock from `stale` (a holder known to be gone) to `info` in
    /// one transaction. `false`, changing nothing, when `stale` no longer
    /// holds it (another process released or took it meanwhile).
    fn take_over_lock(
        &self,
        key: &StackKey,
        stale: &LockInfo,
        info: &LockInfo,
    ) -> Result<bool, StateError>;

    /// Releases the lock only if `holder` still holds it; `false` otherwise.
    fn release_lock(&self, key: &StackKey, holder: &LockInfo) -> Result<bool, StateError>;

    /// Config values set with `skistack config set`.
    fn config(&self, key: &StackKey) -> Result<Map, StateError>;
    fn set_config(
        &self,
        key: &StackKey,
        name: &str,
        value: &crate::base::Value,
    ) -> Result<(), StateError>;
    fn remove_config(&self, key: &StackKey, name: &str) -> Result<bool, StateError>;

    /// A digest of a secret's bytes keyed by a key of the stack's that
    /// never leaves the store (made when the stack has none yet), so a
    /// saved plan can tell that a secret is unchanged without holding a
    /// plain hash of it, against which guesses could be tested.
    fn secret_digest(&self, key: &StackKey, plain: &[u8]) -> Result<[u8; 32], StateError>;
}

#[cfg(test)]
mod tests {
    #[test]
    fn unix_times_format_as_utc() {
        assert_eq!(super::format_unix(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(super::format_unix(1_795_000_000), "2026-11-18 11:06:40 UTC");
    }
}
