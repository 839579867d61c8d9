//! `up`: lock -> recover -> (refresh) -> plan -> confirm -> apply -> record.
//! With a saved plan, the confirmation is the check that the plan made now
//! is the one saved (see `saved.rs`).
//! The lock is held from before recovery until the outputs are recorded,
//! so no other run sees the stack between the plan and its application;
//! a refresh is recorded only once its plan is confirmed (or is empty).

use std::collections::BTreeSet;
use std::time::Duration;

use super::frontend::Frontend;
use super::project::Project;
use super::saved::{SavedPlan, check_made_for};
use super::workflow::{refresh_before_plan, take_lock};
use crate::base::Map;
use crate::error::EngineError;
use crate::exec::RunSummary;
use crate::policy::{PolicySettings, check_plan};

/// How an up runs.
#[derive(Clone, Debug, Default)]
pub struct UpOptions {
    /// Only these instances or declarations (and what they use).
    pub targets: Vec<String>,
    /// Read every resource back and plan against what the cloud has.
    pub refresh: bool,
    /// The most steps in flight.
    pub parallel: usize,
    /// How long to wait for a live holder of the lock.
    pub lock_wait: Duration,
    /// Apply only this reviewed plan (its targets and refresh replace
    /// those above), without asking; refuse if the plan made now differs.
    pub saved: Option<SavedPlan>,
    /// The policy mode and threshold.
    pub policy: PolicySettings,
}

/// How an up ended.
#[derive(Debug)]
pub enum UpReport {
    /// The plan changed nothing (a refresh and dependency bookkeeping were
    /// still recorded).
    NoChanges,
    /// The user did not confirm the plan.
    Declined,
    /// The plan ran; `outputs` are the stack's recorded outputs when every
    /// step succeeded.
    Applied {
        /// Boxed: it holds every instance's values.
        summary: Box<RunSummary>,
        outputs: Option<Map>,
    },
}

/// Deploys stack `stack`.
pub async fn up(
    project: &Project,
    stack: &str,
    options: &UpOptions,
    ui: &dyn Frontend,
) -> Result<UpReport, EngineError> {
    let key = project.key(stack);
    let (targets, refresh) = match &options.saved {
        Some(saved) => {
            check_made_for(saved, &key)?;
            (&saved.targets, saved.refresh)
        }
        None => (&options.targets, options.refresh),
    };
    let loaded = project.load(stack, true)?;
    let _lock = take_lock(project, stack, "up", options.lock_wait, ui).await?;
    let observer = ui.observer();
    project.recover(&loaded, observer.as_ref()).await?;
    let state = project.store.load(&key)?;
    let refreshed = match refresh {
        true => Some(refresh_before_plan(project, &loaded, &state, options.parallel, ui).await?),
        false => None,
    };
    let state = refreshed.as_ref().map_or(state, |r| r.state.clone());
    let plan = project
        .plan(&loaded, &state, targets, &BTreeSet::new())
        .await?;
    if let Some(saved) = &options.saved {
        project.check_saved(saved, &project.fingerprint(&key, &loaded, &state, &plan)?)?;
    }
    ui.planned(&key, &plan);
    let judged = check_plan(&loaded.stack, &plan, &project.registry, options.policy);
    ui.judged(&key, &judged);
    let blocking = judged.blocking().count();
    if blocking > 0 {
        return Err(EngineError::PolicyViolated {
            stack: stack.to_string(),
            count: blocking,
            threshold: options.policy.threshold,
        });
    }
    if plan.is_empty() {
        if let Some(r) = &refreshed {
            project.record_refresh(r)?;
        }
        project.record_dependencies(&key, &plan.dependency_updates)?;
        // Recovery keeps a create that made nothing for this run to retry;
        // a plan that creates nothing retries nothing, so it goes.
        project.clear_kept_creates(&key)?;
        return Ok(UpReport::NoChanges);
    }
    // A saved plan was reviewed and confirmed when it was made.
    if options.saved.is_none() && !ui.confirm("Apply these changes?")? {
        return Ok(UpReport::Declined);
    }
    if let Some(r) = &refreshed {
        project.record_refresh(r)?;
    }
    let cancel = ui.interrupt();
    let summary = project
        .apply(&loaded, plan, options.parallel, observer, &cancel)
        .await?;
    ui.ran("up", &summary);
    let outputs = match summary.succeeded() {
        true => project.store.outputs(&key)?,
        false => None,
    };
    Ok(UpReport::Applied {
        summary: Box::new(summary),
        outputs,
    })
}
