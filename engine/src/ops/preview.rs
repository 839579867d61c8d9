//! `preview`: the plans of one or more stacks, in the order of up, without
//! a lock and without writing anything. A stack that reads another one
//! planned in the same preview sees its outputs as unknown until it is
//! deployed. Errors in stack files are gathered over every stack, so one
//! preview reports them all.

use std::collections::BTreeSet;

use super::frontend::Frontend;
use super::project::Project;
use super::saved::{SAVED_PLAN_FORMAT, SavedPlan};
use super::workflow::refresh_before_plan;
use crate::base::Diagnostic;
use crate::error::EngineError;
use crate::plan::Plan;
use crate::policy::{PolicyReport, PolicySettings, check_plan};
use crate::reconcile::Refresh;
use crate::stack::ConfigLayer;
use crate::state::{PendingOp, StackKey};

/// How many resources `preview --refresh` reads at once (it has no
/// `--parallel`; up's default).
const PREVIEW_PARALLEL: usize = 32;

/// What a preview is asked for.
#[derive(Clone, Debug, Default)]
pub struct PreviewOptions {
    /// The stacks; empty for every stack file.
    pub stacks: Vec<String>,
    /// Only these instances or declarations (and what they use).
    pub targets: Vec<String>,
    /// Plan against what the cloud has now (nothing is recorded).
    pub refresh: bool,
    /// Make each stack's [`SavedPlan`], for `up` to apply as reviewed.
    pub save: bool,
    /// The policy mode and threshold the findings are judged by.
    pub policy: PolicySettings,
}

/// The preview of one stack.
#[derive(Debug)]
pub struct StackPreview {
    pub name: String,
    pub key: StackKey,
    pub plan: Plan,
    /// Operations an interrupted run left (the next up resolves them).
    pub pending: Vec<PendingOp>,
    /// Required config keys without a value: what uses them is unknown.
    pub missing_config: Vec<String>,
    /// What `--refresh` read back.
    pub drift: Option<Refresh>,
    /// The plan as saved, when [`PreviewOptions::save`] asked for it.
    pub saved: Option<SavedPlan>,
    /// What the policy rules found in the plan.
    pub policy: PolicyReport,
}

/// The previews, in the order of up, and the errors of the stack files
/// that could not be planned.
#[derive(Debug, Default)]
pub struct PreviewReport {
    pub stacks: Vec<StackPreview>,
    pub errors: Vec<Diagnostic>,
}

impl PreviewReport {
    /// True when some stack's plan changes something.
    pub fn any_change(&self) -> bool {
        self.stacks.iter().any(|s| !s.plan.is_empty())
    }
}

/// Plans the stacks `options` names.
pub async fn preview(
    project: &Project,
    options: &PreviewOptions,
    ui: &dyn Frontend,
) -> Result<PreviewReport, EngineError> {
    let names = match options.stacks.is_empty() {
        true => project.stack_names()?,
        false => options.stacks.clone(),
    };
    if names.is_empty() {
        return Err(EngineError::Refused(format!(
            "no stack files (*.toml) in {}",
            project.stacks_dir.display()
        )));
    }
    let ordered = project.order_stacks(&names)?;
    let in_run: BTreeSet<String> = ordered.iter().cloned().collect();
    let strict = ordered.len() == 1;
    let mut report = PreviewReport::default();
    for name in &ordered {
        match preview_stack(project, name, strict, &in_run, options, ui).await {
            Ok(p) => report.stacks.push(p),
            Err(EngineError::Invalid(d)) => report.errors.extend(d),
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

async fn preview_stack(
    project: &Project,
    name: &str,
    strict: bool,
    in_run: &BTreeSet<String>,
    options: &PreviewOptions,
    ui: &dyn Frontend,
) -> Result<StackPreview, EngineError> {
    let loaded = project.load_for_preview(name, strict)?;
    let key = project.key(name);
    let missing_config = loaded
        .layers
        .iter()
        .filter(|(_, l)| **l == ConfigLayer::Missing)
        .map(|(k, _)| k.clone())
        .collect();
    let state = project.store.load(&key)?;
    let pending = state.pending.clone();
    let drift = match options.refresh {
        true => Some(refresh_before_plan(project, &loaded, &state, PREVIEW_PARALLEL, ui).await?),
        false => None,
    };
    let state = drift.as_ref().map_or(state, |r| r.state.clone());
    let plan = project
        .plan(&loaded, &state, &options.targets, in_run)
        .await?;
    let saved = match options.save {
        true => Some(SavedPlan {
            format: SAVED_PLAN_FORMAT,
            stack: name.to_string(),
            env: key.env.clone(),
            targets: options.targets.clone(),
            refresh: options.refresh,
            plan_time: crate::expr::plan_time().unwrap_or_default(),
            inputs: project.fingerprint(&key, &loaded, &state, &plan)?,
        }),
        false => None,
    };
    let policy = check_plan(&loaded.stack, &plan, &project.registry, options.policy);
    Ok(StackPreview {
        name: name.to_string(),
        key,
        plan,
        pending,
        missing_config,
        drift,
        saved,
        policy,
    })
}
