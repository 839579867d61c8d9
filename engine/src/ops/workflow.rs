//! The steps every workflow shares: taking a stack's lock the way the user
//! asked (waiting for a live holder, saying so), and refreshing before a
//! plan. Each workflow in this layer calls these, so none repeats them.

use std::time::Duration;

use super::frontend::Frontend;
use super::lock::LockGuard;
use super::project::{Loaded, Project};
use crate::error::EngineError;
use crate::reconcile::Refresh;
use crate::state::StackState;
use crate::walk::Cancel;

/// Takes the lock of `stack` for `operation`, waiting up to `wait` for a
/// live holder, and reports a takeover of a dead holder's lock.
pub async fn take_lock(
    project: &Project,
    stack: &str,
    operation: &str,
    wait: Duration,
    ui: &dyn Frontend,
) -> Result<LockGuard, EngineError> {
    let key = project.key(stack);
    let guard = project
        .lock_waiting(stack, operation, wait, &mut |holder| {
            ui.waiting_for_lock(&key, holder, wait)
        })
        .await?;
    if let Some(takeover) = guard.taken_over() {
        ui.took_over_lock(takeover);
    }
    Ok(guard)
}

/// The refresh before a plan (`preview --refresh`, `up --refresh`): reads
/// every resource of the loaded stack and shows what it found. Fails when
/// a read failed, recording nothing.
pub(super) async fn refresh_before_plan(
    project: &Project,
    loaded: &Loaded,
    state: &StackState,
    parallel: usize,
    ui: &dyn Frontend,
) -> Result<Refresh, EngineError> {
    let refresh = project
        .refresh(
            &loaded.stack.name,
            &loaded.config,
            state,
            parallel,
            &Cancel::new(),
        )
        .await;
    ui.refreshed(&refresh);
    if !refresh.complete() {
        return Err(EngineError::Refused(refresh.incomplete_message()));
    }
    Ok(refresh)
}
