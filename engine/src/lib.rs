//! skistack's engine: stack files, expressions, the dependency graph, the
//! planner and the executor, and the interfaces that providers and the state
//! store implement. It knows nothing of any cloud or database.
//!
//! The modules are layers; each uses only those listed before it:
//!
//! - `base`: values, schemas, source positions, addresses, durations;
//!   `sys`: the clock, the host, other processes, failpoints.
//! - `provider`, `state`: the interfaces providers and state stores
//!   implement; `error`: the errors of operations.
//! - `graph`, `walk`: the dependency graph and its parallel walk.
//! - `expr`, `stack`, `validate`: expressions, stack files, static checks.
//! - `eval`: scopes, instance expansion, input evaluation.
//! - `plan`: what changes and the steps that change it; `events`: what a
//!   run reports while it goes.
//! - `policy`: the check of every plan against the rules providers offer
//!   (the rules' interface, `rule`, sits with `provider`).
//! - `reconcile`: recovery, refresh, import (the state made to agree with
//!   the cloud).
//! - `exec`: the steps run through the providers.
//! - `ops`: the [`Project`] facade and the workflows the CLI offers.
//!
//! Modules are private; this list is the public surface, so the compiler
//! reports what nothing uses.

mod base;
mod error;
mod eval;
mod events;
mod exec;
mod expr;
mod graph;
mod ops;
mod plan;
mod policy;
mod provider;
mod reconcile;
mod rule;
mod stack;
mod state;
mod sys;
mod validate;
mod walk;

pub use base::{
    Address, AddressError, Attribute, Diagnostic, InstanceKey, Location, Map, Pos, Property,
    SourceFile, Span, TypeSchema, Value, ValueType, did_you_mean, format_duration, parse_duration,
};
pub use error::EngineError;
pub use events::{Event, Observer, Silent};
pub use exec::{Failure, RunSummary};
pub use exec::{StepError, StepErrorKind};
pub use expr::{FunctionDoc, function_docs};
pub use ops::{
    DestroyOptions, DestroyReport, Fingerprint, Frontend, Holder, Imported, Loaded, LockGuard,
    MigrateReport, MigratedStack, PreviewOptions, PreviewReport, Project, RefreshOptions,
    RefreshReport, SAVED_PLAN_FORMAT, SavedPlan, StackPreview, Takeover, UpOptions, UpReport,
    describe, destroy, migrate, preview, refresh_stack, take_lock, up,
};
pub use plan::{
    Action, Change, ChangeOp, Declared, Kept, Move, OutputChange, Plan, PropertyChange, StepOp,
};
pub use policy::{Finding, PolicyMode, PolicyReport, PolicySettings};
pub use provider::{
    CallContext, CallPurpose, Created, DataSource, Provider, ProviderError, ReadResult, Registry,
    ResourceType,
};
pub use reconcile::{Drift, Refresh, SWEEP_HORIZON, sweep_until};
pub use rule::{PolicyRule, RuleInfo, Severity, Subject, Violation};
pub use stack::{ConfigLayer, DeclKind, stack_json_schema};
pub use state::{
    HistoryEntry, Intent, Lease, LockInfo, OpId, OpKind, PendingOp, RecordOptions, Released,
    ResourceRecord, StackCopy, StackKey, StackState, StackSummary, StateError, StateStore,
    format_unix,
};
pub use sys::now as unix_now;
pub use walk::Cancel;
