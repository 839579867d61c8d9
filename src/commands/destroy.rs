//! `skistack destroy`.

use skistack_engine::Cancel;

use super::{Exit, confirm, install_signals, print_metrics, project};
use crate::cli::{DestroyArgs, Global};
use crate::{progress, render};

pub async fn run(global: &Global, args: &DestroyArgs) -> Result<Exit, Exit> {
    let project = project(global)?;
    let targets: Vec<String> = match &args.stack {
        Some(s) => vec![s.clone()],
        None => {
            let deployed: Vec<String> = project
                .store
                .list_stacks()
                .map_err(|e| Exit::Failed(e.to_string()))?
                .into_iter()
                .filter(|s| s.key.env == project.env)
                // A stack whose first up was interrupted may have only
                // pending operations, and made something all the same.
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
            // Dependents first: the reverse of the order of up. Stacks whose
            // files are gone come first, since nothing can be read from them.
            let names = project.stack_names().unwrap_or_default();
            let (known, unknown): (Vec<String>, Vec<String>) =
                deployed.into_iter().partition(|s| names.contains(s));
            let mut order = project.order_stacks(&known)?;
            order.reverse();
            unknown.into_iter().chain(order).collect()
        }
    };
    if targets.is_empty() {
        println!("Nothing is deployed in environment `{}`.", project.env);
        return Ok(Exit::Ok);
    }
    if !args.force {
        for stack in &targets {
            let readers: Vec<String> = project
                .readers_of(stack)?
                .into_iter()
                .filter(|r| !targets.contains(r))
                .collect();
            if !readers.is_empty() {
                return Err(Exit::Failed(format!(
                    "refusing to destroy `{stack}`: deployed stack(s) {} read its outputs; destroy {} first, or pass --force",
                    readers.join(", "),
                    if readers.len() == 1 { "it" } else { "them" }
                )));
            }
        }
    }
    let mut plans = Vec::new();
    let mut locks = Vec::new();
    let observer = progress::observer();
    for stack in &targets {
        let key = project.key(stack);
        locks.push(super::lock::take(global, &project, stack, "destroy").await?);
        // What an interrupted run left is resolved first, so that the
        // destroy also deletes what it had made.
        project
            .recover_for_destroy(stack, &project.destroy_config(stack), observer.as_ref())
            .await?;
        let state = project
            .store
            .load(&key)
            .map_err(|e| Exit::Failed(e.to_string()))?;
        let plan = project.destroy_plan(&state)?;
        print!("{}", render::plan_text(&key, &plan, false));
        println!("{}\n", render::summary_line(&plan.counts()));
        plans.push((stack.clone(), plan));
    }
    if !confirm(global, "Destroy these resources?")? {
        return Err(Exit::Failed("not destroyed".into()));
    }
    let cancel = Cancel::new();
    install_signals(&cancel);
    let mut failed = Vec::new();
    for (stack, plan) in plans {
        let config = project.destroy_config(&stack);
        let summary = project
            .destroy(
                &stack,
                config,
                plan,
                args.parallel,
                observer.clone(),
                &cancel,
            )
            .await?;
        print!(
            "{}",
            render::run_summary(&format!("destroy {stack}:"), &summary)
        );
        if summary.cancelled {
            return Ok(Exit::Interrupted);
        }
        if !summary.succeeded() {
            failed.push(stack);
            // Stacks that the failed one reads must stay.
            break;
        }
    }
    drop(locks);
    print_metrics(global, &project);
    if failed.is_empty() {
        Ok(Exit::Ok)
    } else {
        Ok(Exit::Failed(format!(
            "destroy of {} failed; fix the cause and run destroy again",
            failed.join(", ")
        )))
    }
}
