//! `refresh`: reads every recorded resource back and, when asked, records
//! what it found. Nothing is recorded from an incomplete refresh, so a
//! failed read never drops a resource from the state.

use std::sync::Arc;

use super::project::Project;
use crate::base::Map;
use crate::error::EngineError;
use crate::reconcile::{ReadContext, Refresh, read_all};
use crate::state::{HistoryEntry, OpKind, StackState};
use crate::walk::Cancel;

impl Project {
    /// Reads every recorded resource of a stack back through its provider.
    /// `config` is the stack's resolved config (providers need the region
    /// and default tags). Writes nothing; see [`Project::record_refresh`].
    pub async fn refresh(
        &self,
        stack: &str,
        config: &Arc<Map>,
        state: &StackState,
        parallel: usize,
        cancel: &Cancel,
    ) -> Refresh {
        let cx = ReadContext {
            registry: self.registry.clone(),
            key: self.key(stack),
            config: Arc::clone(config),
            stack_dir: self.stacks_dir.clone(),
        };
        read_all(cx, state, parallel, cancel).await
    }

    /// Records what a refresh found: changed records are updated, deleted
    /// resources dropped from the state, and a `refresh` entry added to the
    /// history. Refuses, recording nothing but the history entry, when some
    /// read failed or the refresh was interrupted.
    pub fn record_refresh(&self, refresh: &Refresh) -> Result<(), EngineError> {
        let key = &refresh.key;
        let result = if refresh.cancelled {
            "interrupted"
        } else if !refresh.failures.is_empty() {
            "failed"
        } else {
            "succeeded"
        };
        let entry = HistoryEntry {
            kind: "refresh".into(),
            started_at: refresh.started_at,
            duration_ms: refresh.elapsed.as_millis() as i64,
            result: result.into(),
            counts: refresh.counts(),
        };
        if !refresh.complete() {
            self.store.add_history(key, &entry)?;
            return Err(EngineError::Refused(if refresh.cancelled {
                "the refresh was interrupted; nothing was recorded".to_string()
            } else {
                format!(
                    "{} resource(s) could not be read; nothing was recorded:\n  {}",
                    refresh.failures.len(),
                    refresh.failures.join("\n  ")
                )
            }));
        }
        for d in &refresh.changes {
            if d.deleted {
                self.store.forget(key, &d.address)?;
            } else if let Some(rec) = refresh.state.resources.get(&d.address) {
                self.store.commit_resource(key, None, rec)?;
            }
        }
        self.store.add_history(key, &entry)?;
        Ok(())
    }
}

/// How `refresh` runs.
#[derive(Clone, Debug, Default)]
pub struct RefreshOptions {
    /// The most reads in flight.
    pub parallel: usize,
    /// Only check (`--expect-no-changes`): like a preview, take no lock,
    /// resolve no interrupted operations, record nothing.
    pub check_only: bool,
    /// How long to wait for a live holder of the lock.
    pub lock_wait: std::time::Duration,
}

/// How a refresh ended.
#[derive(Debug)]
pub enum RefreshReport {
    /// The stack records no resources.
    Empty,
    /// Read, and not recorded: only checked, or the user declined.
    Read { refresh: Refresh, declined: bool },
    /// Read and recorded (nothing to record counts).
    Recorded(Refresh),
    /// Interrupted: nothing but the history entry was recorded.
    Interrupted(Refresh),
}

/// `refresh`: lock -> recover -> read every resource -> confirm -> record.
pub async fn refresh_stack(
    project: &Project,
    stack: &str,
    options: &RefreshOptions,
    ui: &dyn super::Frontend,
) -> Result<RefreshReport, EngineError> {
    let loaded = project.load(stack, true)?;
    let key = project.key(stack);
    let _lock = match options.check_only {
        true => None,
        false => Some(
            super::workflow::take_lock(project, stack, "refresh", options.lock_wait, ui).await?,
        ),
    };
    if !options.check_only {
        project.recover(&loaded, ui.observer().as_ref()).await?;
    }
    let state = project.store.load(&key)?;
    // Sweeps are no interruption: every run makes them until their horizon.
    let interrupted = state
        .pending
        .iter()
        .filter(|op| op.kind != OpKind::Sweep)
        .count();
    if interrupted > 0 {
        ui.note(&format!(
            "stack {key} has {interrupted} operation(s) interrupted by an earlier run; `skistack up {stack}` resolves them first"
        ));
    }
    if state.resources.is_empty() {
        return Ok(RefreshReport::Empty);
    }
    let cancel = ui.interrupt();
    let refresh = project
        .refresh(stack, &loaded.config, &state, options.parallel, &cancel)
        .await;
    ui.refreshed(&refresh);
    if options.check_only {
        return finish_check(refresh);
    }
    if !refresh.complete() {
        // Records the history entry, then refuses: nothing else is written.
        let err = project.record_refresh(&refresh).err();
        if refresh.cancelled {
            return Ok(RefreshReport::Interrupted(refresh));
        }
        return Err(err.unwrap_or_else(|| EngineError::Refused(refresh.incomplete_message())));
    }
    if refresh.has_drift() && !ui.confirm("Record these changes in the state?")? {
        return Ok(RefreshReport::Read {
            refresh,
            declined: true,
        });
    }
    project.record_refresh(&refresh)?;
    Ok(RefreshReport::Recorded(refresh))
}

/// The end of a check: an incomplete read fails it.
fn finish_check(refresh: Refresh) -> Result<RefreshReport, EngineError> {
    if refresh.cancelled {
        return Ok(RefreshReport::Interrupted(refresh));
    }
    if !refresh.complete() {
        return Err(EngineError::Refused(refresh.incomplete_message()));
    }
    Ok(RefreshReport::Read {
        refresh,
        declined: false,
    })
}
