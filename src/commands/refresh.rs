//! `skistack refresh`, and how drift is shown (also for `preview --refresh`
//! and `up --refresh`).

use std::fmt::Write as _;

use skistack_engine::{Drift, Refresh, RefreshOptions, RefreshReport, Value};

use super::terminal::Terminal;
use super::{Exit, project};
use crate::cli::{Global, RefreshArgs};
use crate::render;

pub async fn run(global: &Global, args: &RefreshArgs) -> Result<Exit, Exit> {
    let project = project(global)?;
    let options = RefreshOptions {
        parallel: args.parallel,
        check_only: args.expect_no_changes,
        lock_wait: global.lock_wait.unwrap_or_default(),
    };
    let ui = Terminal::new(global);
    let report = skistack_engine::refresh_stack(&project, &args.stack, &options, &ui).await;
    let key = project.key(&args.stack);
    super::print_metrics(global, &project);
    match report? {
        RefreshReport::Empty => {
            println!("Stack {key} has no recorded resources; nothing to refresh.");
            Ok(Exit::Ok)
        }
        RefreshReport::Interrupted(_) => Ok(Exit::Interrupted),
        RefreshReport::Read { declined: true, .. } => Err(Exit::Failed("not recorded".into())),
        RefreshReport::Read { refresh, .. } if refresh.has_drift() => Ok(Exit::Changes),
        RefreshReport::Read { .. } => Ok(Exit::Ok),
        RefreshReport::Recorded(refresh) => {
            if refresh.has_drift() {
                println!(
                    "Recorded; `skistack preview {}` shows what up would change back.",
                    args.stack
                );
            }
            Ok(Exit::Ok)
        }
    }
}

/// What a refresh found, as text. `verbose` also shows computed attributes
/// that changed.
pub fn drift_text(refresh: &Refresh, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Refresh of stack {}: read {} resource(s) in {:.1}s",
        refresh.key,
        refresh.read,
        refresh.elapsed.as_secs_f64()
    );
    let shown: Vec<&Drift> = refresh
        .changes
        .iter()
        .filter(|d| d.is_drift() || (verbose && !d.attributes.is_empty()))
        .collect();
    let width = shown
        .iter()
        .map(|d| d.address.len())
        .max()
        .unwrap_or(0)
        .min(48);
    for d in &shown {
        let (mark, what) = if d.deleted {
            ("-", "deleted")
        } else {
            ("~", "changed")
        };
        let _ = write!(
            out,
            "  {mark} {what:<8} {:<width$}  {} {}",
            d.address, d.type_token, d.id
        );
        if d.deleted {
            out.push_str("  (gone; up creates it again)");
        }
        out.push('\n');
        for c in &d.properties {
            for line in render::change_lines(&c.name, c.old.as_ref(), c.new.as_ref()) {
                let _ = writeln!(out, "        {line}");
            }
        }
        if verbose {
            for c in &d.attributes {
                for line in render::change_lines(&c.name, c.old.as_ref(), c.new.as_ref()) {
                    let _ = writeln!(out, "        {line}  (attribute)");
                }
            }
        }
    }
    for name in &refresh.unreadable {
        let _ = writeln!(
            out,
            "  ? {name}: no provider offers its type; left as recorded"
        );
    }
    for f in &refresh.failures {
        let _ = writeln!(out, "error: {f}");
    }
    let counts = refresh.counts();
    let n = |k: &str| counts.get(k).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "Drift: {} changed, {} deleted, {} unchanged{}.",
        n("changed"),
        n("deleted"),
        n("unchanged"),
        if refresh.cancelled {
            "; interrupted before every resource was read"
        } else {
            ""
        }
    );
    out
}

/// What a refresh found, as JSON (secrets hidden), for `preview --json`.
pub fn drift_json(refresh: &Refresh) -> serde_json::Value {
    let show = |v: &Option<Value>| v.as_ref().map(|v| v.to_display_json(false));
    let drifted: Vec<serde_json::Value> = refresh
        .drifted()
        .map(|d| {
            serde_json::json!({
                "address": d.address,
                "type": d.type_token,
                "id": d.id,
                "deleted": d.deleted,
                "properties": d.properties.iter().map(|c| serde_json::json!({
                    "property": c.name,
                    "old": show(&c.old),
                    "new": show(&c.new),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::Value::Array(drifted)
}
