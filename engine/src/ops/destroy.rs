//! `destroy`: every recorded resource of one stack, or of every deployed
//! stack of the environment, dependents first. Stacks go in the reverse of
//! the order of up (a stack before the stacks whose outputs it reads), each
//! locked and recovered before its plan is shown, and a failure stops the
//! stacks after it: what the failed stack still reads must stay.

use std::time::Duration;

use super::frontend::Frontend;
use super::lock::LockGuard;
use super::project::Project;
use super::workflow::take_lock;
use crate::error::EngineError;
use crate::plan::Plan;

/// How a destroy runs.
#[derive(Clone, Debug, Default)]
pub struct DestroyOptions {
    /// One stack; `None` for every deployed stack of the environment.
    pub stack: Option<String>,
    /// Destroy even when other deployed stacks read its outputs.
    pub force: bool,
    /// The most steps in flight.
    pub parallel: usize,
    /// How long to wait for a live holder of a lock.
    pub lock_wait: Duration,
}

/// How a destroy ended.
#[derive(Debug)]
pub enum DestroyReport {
    /// Nothing is deployed in the environment.
    NothingDeployed,
    /// The user did not confirm.
    Declined,
    /// The plans ran: the stacks whose destroy failed (at most one: the
    /// first failure stops the rest), or an interruption.
    Ran {
        failed: Vec<String>,
        interrupted: bool,
    },
}

/// Destroys the stacks `options` names.
pub async fn destroy(
    project: &Project,
    options: &DestroyOptions,
    ui: &dyn Frontend,
) -> Result<DestroyReport, EngineError> {
    let targets = match &options.stack {
        Some(s) => vec![s.clone()],
        None => deployed_stacks(project)?,
    };
    if targets.is_empty() {
        return Ok(DestroyReport::NothingDeployed);
    }
    if !options.force {
        refuse_if_read(project, &targets)?;
    }
    let mut plans = Vec::new();
    let mut locks: Vec<LockGuard> = Vec::new();
    let observer = ui.observer();
    for stack in &targets {
        let key = project.key(stack);
        locks.push(take_lock(project, stack, "destroy", options.lock_wait, ui).await?);
        // What an interrupted run left is resolved first, so that the
        // destroy also deletes what it had made.
        let config = project.destroy_config(stack);
        project
            .recover_for_destroy(stack, &config, observer.as_ref())
            .await?;
        let plan = project.destroy_plan(&project.store.load(&key)?)?;
        ui.planned(&key, &plan);
        plans.push((stack.clone(), plan));
    }
    if !ui.confirm("Destroy these resources?")? {
        return Ok(DestroyReport::Declined);
    }
    run_plans(project, plans, options.parallel, ui).await
}

/// Runs the destroy plans in order until one fails or the run is
/// interrupted.
async fn run_plans(
    project: &Project,
    plans: Vec<(String, Plan)>,
    parallel: usize,
    ui: &dyn Frontend,
) -> Result<DestroyReport, EngineError> {
    let cancel = ui.interrupt();
    let observer = ui.observer();
    let mut failed = Vec::new();
    for (stack, plan) in plans {
        let config = project.destroy_config(&stack);
        let summary = project
            .destroy(&stack, config, plan, parallel, observer.clone(), &cancel)
            .await?;
        ui.ran(&format!("destroy {stack}:"), &summary);
        if summary.cancelled {
            return Ok(DestroyReport::Ran {
                failed,
                interrupted: true,
            });
        }
        if !summary.succeeded() {
            failed.push(stack);
            // Stacks that the failed one reads must stay.
            break;
        }
    }
    Ok(DestroyReport::Ran {
        failed,
        interrupted: false,
    })
}

/// Every stack of the environment with something recorded, dependents
/// first: the reverse of the order of up. Stacks whose files are gone come
/// first, since nothing can be read from them.
fn deployed_stacks(project: &Project) -> Result<Vec<String>, EngineError> {
    let deployed: Vec<String> = project
        .store
        .list_stacks()?
        .into_iter()
        .filter(|s| s.key.env == project.env)
        // A stack whose first up was interrupted may have only pending
        // operations, and made something all the same.
        .filter(|s| {
            s.deployed
                || s.resource_count > 0
                || project
                    .store
                    .load(&s.key)
                    .is_ok_and(|st| !st.pending.is_empty())
        })
        .map(|s| s.key.stack)
        .collect();
    let names = project.stack_names().unwrap_or_default();
    let (known, unknown): (Vec<String>, Vec<String>) =
        deployed.into_iter().partition(|s| names.contains(s));
    let mut order = project.order_stacks(&known)?;
    order.reverse();
    Ok(unknown.into_iter().chain(order).collect())
}

/// Refuses to destroy a stack that deployed stacks outside `targets` read.
fn refuse_if_read(project: &Project, targets: &[String]) -> Result<(), EngineError> {
    for stack in targets {
        let readers: Vec<String> = project
            .readers_of(stack)?
            .into_iter()
            .filter(|r| !targets.contains(r))
            .collect();
        if !readers.is_empty() {
            return Err(EngineError::Refused(format!(
                "refusing to destroy `{stack}`: deployed stack(s) {} read its outputs; destroy {} first, or pass --force",
                readers.join(", "),
                if readers.len() == 1 { "it" } else { "them" }
            )));
        }
    }
    Ok(())
}
