//! `skistack preview`.

use skistack_engine::{
    OpKind, PendingOp, PreviewOptions, StackKey, StackPreview, format_unix, sweep_until,
};

use super::terminal::Terminal;
use super::{Exit, project, saved_plan};
use crate::cli::{Global, PreviewArgs};
use crate::render;

pub async fn run(global: &Global, args: &PreviewArgs) -> Result<Exit, Exit> {
    if args.out.is_some() && args.stacks.len() != 1 {
        return Err(Exit::Failed(
            "--out saves the plan of one stack: name it, e.g. `skistack preview environments \
             --out plan.json`"
                .into(),
        ));
    }
    let project = project(global)?;
    let options = PreviewOptions {
        stacks: args.stacks.clone(),
        targets: args.target.clone(),
        refresh: args.refresh,
        save: args.out.is_some(),
        policy: args.policy.settings(),
    };
    // The report carries the drift; it prints with its stack's plan.
    let mut ui = Terminal::new(global);
    ui.quiet = true;
    let report = skistack_engine::preview(&project, &options, &ui).await?;
    if !args.json {
        report.stacks.iter().for_each(|s| print_stack(global, s));
    }
    if !report.errors.is_empty() {
        return Err(Exit::Invalid(report.errors));
    }
    if let (Some(path), Some(stack)) = (&args.out, report.stacks.first()) {
        saved_plan::write(path, stack)?;
        eprintln!(
            "Saved the plan to {}; `skistack up {} --plan {}` applies exactly it.",
            path.display(),
            stack.name,
            path.display()
        );
    }
    if args.json {
        let json: Vec<serde_json::Value> = report.stacks.iter().map(stack_json).collect();
        let doc = serde_json::json!({ "stacks": json, "changes": report.any_change() });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        super::print_metrics(global, &project);
    }
    let exit = if args.expect_no_changes && report.any_change() {
        Exit::Changes
    } else {
        Exit::Ok
    };
    // The process ends now: freeing a plan of 100,000 instances piece by
    // piece would cost a tenth of a second for nothing. It holds only memory.
    std::mem::forget(report);
    Ok(exit)
}

/// One stack's preview as text: its notes, drift and plan.
fn print_stack(global: &Global, s: &StackPreview) {
    for k in &s.missing_config {
        eprintln!(
            "note: stack {}: required config `{k}` has no value yet; what uses it shows as (known after up); set it before up with `skistack config set {} {k} VALUE`",
            s.key, s.name
        );
    }
    if !s.pending.is_empty() {
        eprint!("{}", pending_text(&s.key, &s.name, &s.pending));
    }
    if let Some(r) = &s.drift {
        print!("{}", super::refresh::drift_text(r, global.verbose > 0));
    }
    print!("{}", render::plan_text(&s.key, &s.plan, global.verbose > 0));
    println!("{}\n", render::summary_line(&s.plan.counts()));
    print!("{}", render::policy_text(&s.key, &s.policy));
}

/// One stack's preview as JSON.
fn stack_json(s: &StackPreview) -> serde_json::Value {
    let mut j = render::plan_json(&s.key, &s.plan);
    if !s.pending.is_empty() {
        j["pending"] = pending_json(&s.pending);
    }
    if let Some(r) = &s.drift {
        j["drift"] = super::refresh::drift_json(r);
    }
    j["policy"] = render::policy_json(&s.policy);
    j
}

/// The note on a stack's pending operations: what an interrupted run was
/// doing, which the next up resolves before planning, and the sweeps for
/// late duplicates that every run makes until their horizon.
fn pending_text(key: &StackKey, stack: &str, pending: &[PendingOp]) -> String {
    let (sweeps, interrupted): (Vec<&PendingOp>, Vec<&PendingOp>) =
        pending.iter().partition(|op| op.kind == OpKind::Sweep);
    let mut out = String::new();
    if !interrupted.is_empty() {
        out.push_str(&format!(
            "note: stack {key} has {} pending operation(s) from an interrupted run; `skistack up {stack}` resolves them first:\n",
            interrupted.len()
        ));
    }
    for op in interrupted {
        let id = op
            .resource_id
            .as_deref()
            .map(|id| format!(" {id}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {} {} ({}){id}, started {}\n",
            op.kind.as_str(),
            op.address,
            op.type_token,
            format_unix(op.started_at)
        ));
    }
    for op in sweeps {
        out.push_str(&format!(
            "note: stack {key}: {} ({}) was created again without an idempotency token; until {} every up, destroy and refresh looks for a late duplicate of it first\n",
            op.address,
            op.type_token,
            format_unix(sweep_until(op.started_at))
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
                "address": op.address,
                "type": op.type_token,
                "id": op.resource_id,
                "started_at": op.started_at,
            })
        })
        .collect()
}
