//! `state migrate`: copies every stack and environment of one state store
//! into another (a local file into S3, or back) through the store
//! interface alone, so any two backends can be copied between.
//!
//! Why it is safe: the source is only read, under the lock of every stack
//! it holds, so no run can change it halfway through the copy and nothing
//! of it is lost; the target must hold nothing at all, so no state is
//! overwritten; pending operations keep their ids, so an interrupted call
//! resolves from the copy exactly as it would have from the source; and
//! the copy is read back and compared with what was read, part by part,
//! before the migration reports success.

use std::sync::Arc;

use super::lock::{LockGuard, Takeover, lock_stack};
use crate::error::EngineError;
use crate::state::{StackCopy, StackKey, StateStore};

/// What a migration copied.
#[derive(Clone, Debug, PartialEq)]
pub struct MigrateReport {
    /// Each stack and environment copied, with what it held.
    pub stacks: Vec<MigratedStack>,
    /// Stale locks of the source taken over on the way (worth a warning).
    pub taken_over: Vec<Takeover>,
}

/// One stack and environment as copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigratedStack {
    pub key: StackKey,
    pub resources: usize,
    pub pending: usize,
    pub config: usize,
    pub history: usize,
    pub deployed: bool,
}

/// Copies everything `from` holds into `to`, which must hold nothing, and
/// checks the copy. `from` is left as it was (its locks are taken for the
/// copy and released).
pub fn migrate(
    from: &Arc<dyn StateStore>,
    to: &dyn StateStore,
) -> Result<MigrateReport, EngineError> {
    let held = to.recorded_stacks()?;
    if !held.is_empty() {
        return Err(EngineError::Refused(format!(
            "the target already holds the state of {}; migrate into an empty location, or \
             remove what it holds first",
            list(&held)
        )));
    }
    let keys = from.recorded_stacks()?;
    let guards: Vec<LockGuard> = (keys.iter())
        .map(|key| lock_stack(from, key.clone(), "state migrate"))
        .collect::<Result<_, _>>()?;
    // A stack whose first run began between the listing and the locks
    // would be left out: its lock was not taken, so it is not copied.
    if from.recorded_stacks()? != keys {
        return Err(EngineError::Refused(
            "a stack of the source was first written while the migration took its locks; \
             nothing was copied; migrate again once that run is done"
                .to_string(),
        ));
    }
    let copies: Vec<(StackKey, StackCopy)> = (keys.iter())
        .map(|key| Ok((key.clone(), StackCopy::read(from.as_ref(), key)?)))
        .collect::<Result<_, EngineError>>()?;
    to.restore(&copies).map_err(|e| {
        EngineError::Refused(format!(
            "the copy failed: {e}. The source is unchanged; remove whatever the target \
             holds now before migrating again"
        ))
    })?;
    verify(to, &copies)?;
    let taken_over = guards.iter().filter_map(|g| g.taken_over().cloned());
    Ok(MigrateReport {
        taken_over: taken_over.collect(),
        stacks: copies.iter().map(|(k, c)| summarize(k, c)).collect(),
    })
}

/// Reads every copied stack back from `to` and compares it with what was
/// copied; names the first part that differs.
fn verify(to: &dyn StateStore, copies: &[(StackKey, StackCopy)]) -> Result<(), EngineError> {
    let expected: Vec<StackKey> = copies.iter().map(|(k, _)| k.clone()).collect();
    let found = to.recorded_stacks()?;
    if found != expected {
        return Err(EngineError::Refused(format!(
            "the copy holds stacks {} but the source holds {}; the source is unchanged",
            list(&found),
            list(&expected)
        )));
    }
    for (key, copy) in copies {
        let read = StackCopy::read(to, key)?;
        if let Some(part) = first_difference(copy, &read) {
            return Err(EngineError::Refused(format!(
                "the copy of stack {key} differs from the source in its {part}; the source is \
                 unchanged; remove the copy before migrating again"
            )));
        }
    }
    Ok(())
}

/// The name of the first part in which `a` and `b` differ.
fn first_difference(a: &StackCopy, b: &StackCopy) -> Option<&'static str> {
    // Every field of both, so equal parts mean equal copies.
    let parts: [(&'static str, bool); 7] = [
        ("resources", a.state.resources == b.state.resources),
        ("pending operations", a.state.pending == b.state.pending),
        ("outputs", a.state.outputs == b.state.outputs),
        ("released resources", a.state.released == b.state.released),
        ("config", a.config == b.config),
        ("applied config", a.applied_config == b.applied_config),
        ("history", a.history == b.history),
    ];
    parts.iter().find(|(_, same)| !same).map(|(part, _)| *part)
}

fn summarize(key: &StackKey, copy: &StackCopy) -> MigratedStack {
    MigratedStack {
        key: key.clone(),
        resources: copy.state.resources.len(),
        pending: copy.state.pending.len(),
        config: copy.config.len(),
        history: copy.history.len(),
        deployed: copy.state.outputs.is_some(),
    }
}

fn list(keys: &[StackKey]) -> String {
    if keys.is_empty() {
        return "no stack".to_string();
    }
    let names: Vec<String> = keys.iter().map(ToString::to_string).collect();
    names.join(", ")
}
