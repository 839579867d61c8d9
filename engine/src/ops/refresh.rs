//! `refresh`: reads every recorded resource back and, when asked, records
//! what it found. Nothing is recorded from an incomplete refresh, so a
//! failed read never drops a resource from the state.

use std::sync::Arc;

use super::project::Project;
use crate::base::Map;
use crate::error::EngineError;
use crate::reconcile::{ReadContext, Refresh, read_all};
use crate::state::{HistoryEntry, StackState};
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
