//! How plans, outputs and summaries read on screen and as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use skistack_engine::DeclKind;
use skistack_engine::RunSummary;
use skistack_engine::StackKey;
use skistack_engine::{Action, Change, Kept, Plan};
use skistack_engine::{Finding, PolicyMode, PolicyReport, Severity};
use skistack_engine::{Map, Value};

fn symbol(a: Action) -> &'static str {
    match a {
        Action::Create => "+",
        Action::Update => "~",
        Action::Replace => "+-",
        Action::Delete => "-",
        Action::Forget => "-",
        Action::Read => "<=",
        Action::Same => " ",
    }
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "(unset)".to_string(), Value::to_string)
}

/// The plan as text. `verbose` lists unchanged resources too.
pub fn plan_text(key: &StackKey, plan: &Plan, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Stack {key}:");
    let width = plan
        .changes
        .iter()
        .map(|c| c.address.len())
        .max()
        .unwrap_or(0)
        .min(48);
    let mut shown = plan.moves.len();
    for m in &plan.moves {
        // A move is state bookkeeping: no call, whatever else changes.
        let _ = writeln!(out, "  -> moved    {} -> {}  (no cloud call)", m.from, m.to);
    }
    for c in &plan.changes {
        if c.action() == Action::Same && !verbose {
            continue;
        }
        if c.kind == DeclKind::Data && c.action() == Action::Same && !verbose {
            continue;
        }
        shown += 1;
        let mut line = format!(
            "  {:<2} {:<8} {:<width$}  {}",
            symbol(c.action()),
            c.action().as_str(),
            c.address,
            c.type_token
        );
        if c.action() == Action::Replace {
            let reasons = c.replace_reasons();
            let order = match (c.delete_before_replace(), c.retains_superseded()) {
                (true, false) => "delete, then create",
                (false, false) => "create, then delete",
                (true, true) => {
                    "forget, then create; retain_on_delete: the old one stays in the cloud"
                }
                (false, true) => {
                    "create, then forget; retain_on_delete: the old one stays in the cloud"
                }
            };
            let _ = write!(
                line,
                "  (because of {}; {order})",
                reasons
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        match c.kept() {
            Some(Kept::RetainOnDelete) => line.push_str("  (retain_on_delete: stays in the cloud)"),
            Some(Kept::Removed) => {
                line.push_str("  ([[removed]] with destroy = false: stays in the cloud)");
            }
            None => {}
        }
        let _ = writeln!(out, "{line}");
        property_lines(&mut out, c);
    }
    if shown == 0 {
        let _ = writeln!(out, "  no resource changes");
    }
    if !plan.config_changes.is_empty() {
        let _ = writeln!(out, "  config (since the last up):");
        for c in &plan.config_changes {
            let _ = writeln!(
                out,
                "      ~ {}: {} -> {}",
                c.name,
                show(c.old.as_ref()),
                show(c.new.as_ref())
            );
        }
    }
    let changed: Vec<_> = plan.outputs.iter().filter(|o| o.old != o.new).collect();
    if !changed.is_empty() {
        let _ = writeln!(out, "  outputs:");
        for o in changed {
            match (&o.old, &o.new) {
                (None, Some(n)) => {
                    let _ = writeln!(out, "      + {}: {n}", o.name);
                }
                (Some(old), None) => {
                    let _ = writeln!(out, "      - {}: {old}", o.name);
                }
                (old, new) => {
                    let _ = writeln!(
                        out,
                        "      ~ {}: {} -> {}",
                        o.name,
                        show(old.as_ref()),
                        show(new.as_ref())
                    );
                }
            }
        }
    }
    out
}

fn property_lines(out: &mut String, c: &Change) {
    match c.action() {
        Action::Create => {
            for (k, v) in c.inputs() {
                if !matches!(v, Value::Null) {
                    let _ = writeln!(out, "        {k}: {v}");
                }
            }
        }
        Action::Update | Action::Replace => {
            for d in c.diff() {
                let mark = if d.forces_replace {
                    "  (forces replacement)"
                } else {
                    ""
                };
                let mut leaves = Vec::new();
                nested_changes(&d.name, d.old.as_ref(), d.new.as_ref(), &mut leaves);
                for (path, old, new) in leaves {
                    let _ = writeln!(out, "        {path}: {} -> {}{mark}", show(old), show(new));
                }
            }
        }
        _ => {}
    }
}

/// The lines `path: old -> new` of one property's change, one per changed
/// leaf (see [`nested_changes`]).
pub fn change_lines(name: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<String> {
    let mut leaves = Vec::new();
    nested_changes(name, old, new, &mut leaves);
    leaves
        .into_iter()
        .map(|(path, old, new)| format!("{path}: {} -> {}", show(old), show(new)))
        .collect()
}

/// The changed leaves between two values, so that a one-field change deep in
/// a table shows as `prop[0].image: "a" -> "b"` rather than two whole tables.
fn nested_changes<'v>(
    path: &str,
    old: Option<&'v Value>,
    new: Option<&'v Value>,
    out: &mut Vec<(String, Option<&'v Value>, Option<&'v Value>)>,
) {
    match (old, new) {
        (Some(Value::Map(a)), Some(Value::Map(b))) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let key = if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    format!("{path}.{k}")
                } else {
                    format!("{path}[{k:?}]")
                };
                nested_changes(&key, a.get(k), b.get(k), out);
            }
        }
        (Some(Value::List(a)), Some(Value::List(b))) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                nested_changes(&format!("{path}[{i}]"), Some(x), Some(y), out);
            }
        }
        (a, b) if a != b || b.is_some_and(Value::contains_unknown) => {
            out.push((path.to_string(), a, b))
        }
        _ => {}
    }
}

/// Counts by action for a summary line.
pub fn summary_line(counts: &BTreeMap<Action, usize>) -> String {
    let get = |a| counts.get(&a).copied().unwrap_or(0);
    let mut parts = vec![
        format!("{} to create", get(Action::Create)),
        format!("{} to update", get(Action::Update)),
        format!("{} to replace", get(Action::Replace)),
        format!("{} to delete", get(Action::Delete) + get(Action::Forget)),
    ];
    if get(Action::Read) > 0 {
        parts.push(format!("{} to read", get(Action::Read)));
    }
    parts.push(format!("{} unchanged", get(Action::Same)));
    format!("Plan: {}.", parts.join(", "))
}

/// The plan as JSON, secrets hidden.
pub fn plan_json(key: &StackKey, plan: &Plan) -> serde_json::Value {
    let changes: Vec<serde_json::Value> = plan
        .changes
        .iter()
        .map(|c| {
            let mut o = serde_json::json!({
                "address": c.address,
                "type": c.type_token,
                "kind": if c.kind == DeclKind::Data { "data" } else { "resource" },
                "action": c.action().as_str(),
            });
            if c.action() == Action::Create {
                o["inputs"] = Value::Map(c.inputs().clone()).to_display_json(false);
            }
            if !c.diff().is_empty() {
                o["diff"] = c
                    .diff()
                    .iter()
                    .map(|d| {
                        serde_json::json!({
                            "property": d.name,
                            "old": d.old.as_ref().map(|v| v.to_display_json(false)),
                            "new": d.new.as_ref().map(|v| v.to_display_json(false)),
                            "forces_replacement": d.forces_replace,
                        })
                    })
                    .collect();
            }
            if c.action() == Action::Replace {
                o["delete_before_replace"] = c.delete_before_replace().into();
                o["retain_old"] = c.retains_superseded().into();
            }
            o
        })
        .collect();
    let outputs: Vec<serde_json::Value> = plan
        .outputs
        .iter()
        .filter(|o| o.old != o.new)
        .map(|o| {
            serde_json::json!({
                "name": o.name,
                "old": o.old.as_ref().map(|v| v.to_display_json(false)),
                "new": o.new.as_ref().map(|v| v.to_display_json(false)),
            })
        })
        .collect();
    let config: Vec<serde_json::Value> = plan
        .config_changes
        .iter()
        .map(|c| {
            serde_json::json!({
                "key": c.name,
                "old": c.old.as_ref().map(|v| v.to_display_json(false)),
                "new": c.new.as_ref().map(|v| v.to_display_json(false)),
            })
        })
        .collect();
    let counts: serde_json::Map<String, serde_json::Value> = plan
        .counts()
        .into_iter()
        .map(|(a, n)| (a.as_str().to_string(), n.into()))
        .collect();
    let moves: Vec<serde_json::Value> = (plan.moves.iter())
        .map(|m| serde_json::json!({ "from": m.from, "to": m.to }))
        .collect();
    serde_json::json!({
        "stack": key.stack,
        "env": key.env,
        "moves": moves,
        "changes": changes,
        "outputs": outputs,
        "config": config,
        "summary": counts,
    })
}

/// Outputs as `name = value` lines.
pub fn outputs_text(outputs: &Map, reveal: bool) -> String {
    let width = outputs.keys().map(String::len).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in outputs {
        let shown = if reveal {
            v.reveal().to_string()
        } else {
            v.to_string()
        };
        let _ = writeln!(out, "  {k:<width$} = {shown}");
    }
    out
}

/// The closing summary of an up or destroy.
pub fn run_summary(verb: &str, s: &RunSummary) -> String {
    let mut out = String::new();
    for f in &s.failures {
        let _ = writeln!(out, "error: {}", f.error);
    }
    let counts: Vec<String> = s
        .counts
        .iter()
        .map(|(k, n)| format!("{n} {}", past(k)))
        .collect();
    let done = if counts.is_empty() {
        "nothing changed".to_string()
    } else {
        counts.join(", ")
    };
    let status = if s.cancelled {
        "interrupted"
    } else if s.failures.is_empty() {
        "done"
    } else {
        "failed"
    };
    let _ = write!(
        out,
        "{verb} {status} in {:.1}s: {done}",
        s.elapsed.as_secs_f64()
    );
    if !s.failures.is_empty() {
        let _ = write!(out, "; {} failed", s.failures.len());
    }
    if s.skipped > 0 {
        let _ = write!(out, "; {} skipped because a dependency failed", s.skipped);
    }
    if s.not_run > 0 {
        let _ = write!(out, "; {} not started", s.not_run);
    }
    out.push('\n');
    out
}

fn past(kind: &str) -> String {
    match kind {
        "read" => "read".into(),
        "forget" => "forgotten".into(),
        k if k.ends_with('e') => format!("{k}d"),
        k => format!("{k}ed"),
    }
}

/// A plan's policy findings, worst first, grouped by severity; in enforce
/// mode the groups that stop an up say so. Nothing when there are none.
pub fn policy_text(key: &StackKey, report: &PolicyReport) -> String {
    let mut out = String::new();
    if report.findings.is_empty() {
        return out;
    }
    let settings = report.settings;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| {
            let n = report
                .findings
                .iter()
                .filter(|f| f.rule.severity == *s)
                .count();
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    let n = report.findings.len();
    let _ = writeln!(
        out,
        "Policy of stack {key} ({}): {n} finding{}: {}",
        settings.mode,
        if n == 1 { "" } else { "s" },
        counts.join(", ")
    );
    for severity in Severity::ALL {
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.rule.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        let blocks = settings.mode == PolicyMode::Enforce && severity >= settings.threshold;
        let _ = writeln!(
            out,
            "  {severity}{}",
            if blocks { " (stops up)" } else { "" }
        );
        for f in group {
            let _ = writeln!(out, "    {} {}  {}", f.rule.id, f.address, f.at);
            let _ = writeln!(out, "      {}: {}", f.rule.title, f.detail);
            let _ = writeln!(out, "      fix: {}", f.rule.fix);
        }
    }
    out.push('\n');
    out
}

/// A plan's policy findings as JSON.
pub fn policy_json(report: &PolicyReport) -> serde_json::Value {
    let findings: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|f| {
            serde_json::json!({
                "rule": f.rule.id,
                "severity": f.rule.severity.as_str(),
                "title": f.rule.title,
                "address": f.address,
                "type": f.type_token,
                "property": f.property,
                "detail": f.detail,
                "fix": f.rule.fix,
                "file": f.at.path.display().to_string(),
                "line": f.at.line,
                "column": f.at.column,
            })
        })
        .collect();
    serde_json::json!({
        "mode": report.settings.mode.as_str(),
        "threshold": report.settings.threshold.as_str(),
        "findings": findings,
        "blocking": report.blocking().count(),
    })
}
