//! `skistack preview`.

use std::collections::BTreeSet;

use skistack_engine::{PendingOp, StackKey, format_unix};

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
        let loaded = match project.load_for_preview(name, strict) {
            Ok(l) => l,
            Err(skistack_engine::EngineError::Invalid(d)) => {
                errors.extend(d);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let key = project.key(name);
        let missing: Vec<&String> = loaded
            .layers
            .iter()
            .filter(|(_, l)| **l == skistack_engine::ConfigLayer::Missing)
            .map(|(k, _)| k)
            .collect();
        if !missing.is_empty() && !args.json {
            for k in &missing {
                eprintln!(
                    "note: stack {key}: required config `{k}` has no value yet; what uses it shows as (known after up); set it before up with `skistack config set {name} {k} VALUE`"
                );
            }
        }
        let state = project
            .store
            .load(&key)
            .map_err(|e| Exit::Failed(e.to_string()))?;
        if !state.pending.is_empty() && !args.json {
            eprint!("{}", pending_text(&key, name, &state.pending));
        }
        // With --refresh, plan against what the cloud has now; nothing is recorded.
        let refreshed = if args.refresh {
            let parallel = super::refresh::PREVIEW_PARALLEL;
            let r =
                super::refresh::before_plan(&project, &loaded, &state, parallel, global, args.json);
            Some(r.await?)
        } else {
            None
        };
        let state = refreshed.as_ref().map_or(state, |r| r.state.clone());
        let plan = match project.plan(&loaded, &state, &args.target, &in_run).await {
            Ok(p) => p,
            Err(skistack_engine::EngineError::Invalid(d)) => {
                errors.extend(d);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        any_change |= !plan.is_empty();
        if args.json {
            let mut j = render::plan_json(&key, &plan);
            if !state.pending.is_empty() {
                j["pending"] = pending_json(&state.pending);
            }
            if let Some(r) = &refreshed {
                j["drift"] = super::refresh::drift_json(r);
            }
            json.push(j);
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

/// The note on a stack's pending operations: what an interrupted run was
/// doing, which the next up resolves before planning.
fn pending_text(key: &StackKey, stack: &str, pending: &[PendingOp]) -> String {
    let mut out = format!(
        "note: stack {key} has {} pending operation(s) from an interrupted run; `skistack up {stack}` resolves them first:\n",
        pending.len()
    );
    for op in pending {
        let id = op
            .resource_id
            .as_deref()
            .map(|id| format!(" {id}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {} {} ({}){id}, started {}\n",
            op.kind.as_str(),
            op.name,
            op.type_token,
            format_unix(op.started_at)
        ));
    }
    out
}

/// Pending operations in `preview --json`.
fn pending_json(pending: &[PendingOp]) -> serde_json::Value {
    pending
        .iter()
        .map(|op| {
            serde_json::json!({
                "kind": op.kind.as_str(),
                "address": op.name,
                "type": op.type_token,
                "id": op.resource_id,
                "started_at": op.started_at,
            })
        })
        .collect()
}
