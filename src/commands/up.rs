//! `skistack up`.

use std::collections::BTreeSet;

use skistack_engine::Cancel;

use super::{Exit, confirm, install_signals, print_metrics, project};
use crate::cli::{Global, UpArgs};
use crate::{progress, render};

pub async fn run(global: &Global, args: &UpArgs) -> Result<Exit, Exit> {
    let project = project(global)?;
    let loaded = project.load(&args.stack, true)?;
    let key = project.key(&args.stack);
    let _lock = super::lock::take(global, &project, &args.stack, "up").await?;
    let observer = progress::observer();
    project.recover(&loaded, observer.as_ref()).await?;
    let state = project
        .store
        .load(&key)
        .map_err(|e| Exit::Failed(e.to_string()))?;
    // With --refresh, plan against what the cloud has now; the refresh is
    // recorded once the plan is confirmed (or is empty).
    let refreshed = if args.refresh {
        let r =
            super::refresh::before_plan(&project, &loaded, &state, args.parallel, global, false);
        Some(r.await?)
    } else {
        None
    };
    let state = refreshed.as_ref().map_or(state, |r| r.state.clone());
    let plan = project
        .plan(&loaded, &state, &args.target, &BTreeSet::new())
        .await?;
    print!("{}", render::plan_text(&key, &plan, global.verbose > 0));
    println!("{}", render::summary_line(&plan.counts()));
    if plan.is_empty() {
        if let Some(r) = &refreshed {
            project.record_refresh(r)?;
        }
        project.record_dependencies(&key, &plan.dependency_updates)?;
        println!("No changes.");
        print_metrics(global, &project);
        return Ok(Exit::Ok);
    }
    if !confirm(global, "Apply these changes?")? {
        return Err(Exit::Failed("not applied".into()));
    }
    if let Some(r) = &refreshed {
        project.record_refresh(r)?;
    }
    let cancel = Cancel::new();
    install_signals(&cancel);
    let summary = project
        .apply(&loaded, plan, args.parallel, observer, &cancel)
        .await?;
    print!("{}", render::run_summary("up", &summary));
    print_metrics(global, &project);
    if summary.succeeded() {
        if let Some(outputs) = project
            .store
            .outputs(&key)
            .map_err(|e| Exit::Failed(e.to_string()))?
            && !outputs.is_empty()
        {
            println!("Outputs:");
            print!("{}", render::outputs_text(&outputs, false));
        }
        Ok(Exit::Ok)
    } else if summary.cancelled {
        Ok(Exit::Interrupted)
    } else {
        Ok(Exit::Failed(format!(
            "{} step(s) failed; fix the cause and run `skistack up {}` again",
            summary.failures.len(),
            args.stack
        )))
    }
}
