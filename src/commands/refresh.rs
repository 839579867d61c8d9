//! `skistack refresh`, and the refresh that `preview --refresh` and
//! `up --refresh` run first.

use std::fmt::Write as _;

use skistack_engine::Cancel;
use skistack_engine::StackState;
use skistack_engine::Value;
use skistack_engine::{Drift, Refresh};
use skistack_engine::{Loaded, Project};

use super::{Exit, confirm, install_signals, project};
use crate::cli::{Global, RefreshArgs};
use crate::render;

/// How many resources `preview --refresh` reads at once (it has no
/// `--parallel`; up's default).
pub const PREVIEW_PARALLEL: usize = 32;

pub async fn run(global: &Global, args: &RefreshArgs) -> Result<Exit, Exit> {
    let project = project(global)?;
    let loaded = project.load(&args.stack, true)?;
    let key = project.key(&args.stack);
    // A check only reads: like preview, it takes no lock and resolves no
    // interrupted operations (that writes the state).
    let _lock = if args.expect_no_changes {
        None
    } else {
        Some(super::lock::take(global, &project, &args.stack, "refresh").await?)
    };
    if !args.expect_no_changes {
        let observer = crate::progress::observer();
        project.recover(&loaded, observer.as_ref()).await?;
    }
    let state = project
        .store
        .load(&key)
        .map_err(|e| Exit::Failed(e.to_string()))?;
    if !state.pending.is_empty() {
        eprintln!(
            "note: stack {key} has {} operation(s) interrupted by an earlier run; `skistack up {}` resolves them first",
            state.pending.len(),
            args.stack
        );
    }
    if state.resources.is_empty() {
        println!("Stack {key} has no recorded resources; nothing to refresh.");
        return Ok(Exit::Ok);
    }
    let cancel = Cancel::new();
    install_signals(&cancel);
    let refresh = project
        .refresh(&args.stack, &loaded.config, &state, args.parallel, &cancel)
        .await;
    print!("{}", drift_text(&refresh, global.verbose > 0));
    super::print_metrics(global, &project);
    if args.expect_no_changes {
        if !refresh.complete() {
            return Err(incomplete(&refresh));
        }
        return Ok(if refresh.has_drift() {
            Exit::Changes
        } else {
            Exit::Ok
        });
    }
    if !refresh.complete() {
        // Records the history entry, then refuses: nothing else is written.
        let err = project.record_refresh(&refresh).err();
        return if refresh.cancelled {
            Ok(Exit::Interrupted)
        } else {
            Err(err.map_or_else(|| incomplete(&refresh), Exit::from))
        };
    }
    if refresh.has_drift() && !confirm(global, "Record these changes in the state?")? {
        return Err(Exit::Failed("not recorded".into()));
    }
    project.record_refresh(&refresh)?;
    if refresh.has_drift() {
        println!(
            "Recorded; `skistack preview {}` shows what up would change back.",
            args.stack
        );
    }
    Ok(Exit::Ok)
}

fn incomplete(refresh: &Refresh) -> Exit {
    if refresh.cancelled {
        return Exit::Interrupted;
    }
    Exit::Failed(format!(
        "{} resource(s) could not be read:\n  {}",
        refresh.failures.len(),
        refresh.failures.join("\n  ")
    ))
}

/// The refresh run before planning by `preview --refresh` and
/// `up --refresh`: reads every resource of the loaded stack and prints the
/// drift unless `quiet`. Fails when a read failed or was interrupted.
pub async fn before_plan(
    project: &Project,
    loaded: &Loaded,
    state: &StackState,
    parallel: usize,
    global: &Global,
    quiet: bool,
) -> Result<Refresh, Exit> {
    let cancel = Cancel::new();
    let refresh = project
        .refresh(&loaded.stack.name, &loaded.config, state, parallel, &cancel)
        .await;
    if !quiet {
        print!("{}", drift_text(&refresh, global.verbose > 0));
    }
    if !refresh.complete() {
        return Err(incomplete(&refresh));
    }
    Ok(refresh)
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
