//! `skistack preview`.

use std::collections::BTreeSet;

use super::{Exit, project};
use crate::cli::{Global, PreviewArgs};
use crate::render;

pub async fn run(global: &Global, args: &PreviewArgs) -> Result<Exit, Exit> {
    let project = project(global)?;
    let names = if args.stacks.is_empty() {
        project.stack_names()?
    } else {
        args.stacks.clone()
    };
    if names.is_empty() {
        return Err(Exit::Failed(format!(
            "no stack files (*.toml) in {}",
            global.stacks_dir.display()
        )));
    }
    let ordered = project.order_stacks(&names)?;
    let in_run: BTreeSet<String> = ordered.iter().cloned().collect();
    let strict = ordered.len() == 1;
    let mut any_change = false;
    let mut json = Vec::new();
    let mut errors = Vec::new();
    for name in &ordered {
        let loaded = match project.load(name, strict) {
            Ok(l) => l,
            Err(skistack_engine::project::EngineError::Invalid(d)) => {
                errors.extend(d);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let key = project.key(name);
        let state = project
            .store
            .load(&key)
            .map_err(|e| Exit::Failed(e.to_string()))?;
        if !state.pending.is_empty() && !args.json {
            eprintln!(
                "note: stack {key} has {} operation(s) interrupted by an earlier run; `skistack up {name}` resolves them first",
                state.pending.len()
            );
        }
        let plan = match project.plan(&loaded, &state, &args.target, &in_run).await {
            Ok(p) => p,
            Err(skistack_engine::project::EngineError::Invalid(d)) => {
                errors.extend(d);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        any_change |= !plan.is_empty();
        if args.json {
            json.push(render::plan_json(&key, &plan));
        } else {
            print!("{}", render::plan_text(&key, &plan, global.verbose > 0));
            println!("{}\n", render::summary_line(&plan.counts()));
        }
    }
    if !errors.is_empty() {
        return Err(Exit::Invalid(errors));
    }
    if args.json {
        let doc = serde_json::json!({ "stacks": json, "changes": any_change });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    }
    if !args.json {
        super::print_metrics(global, &project);
    }
    if args.expect_no_changes && any_change {
        return Ok(Exit::Changes);
    }
    Ok(Exit::Ok)
}
