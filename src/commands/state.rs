//! `skistack state list|show|forget|change-secrets-provider|migrate`: the
//! recorded resources of a stack, the wrapping of its secrets' keys, and
//! copying the whole state elsewhere.

use std::io::IsTerminal;

use skistack_engine::{OpKind, ResourceRecord, StackKey, StackState, format_unix, sweep_until};

use super::{Exit, confirm, project};
use crate::cli::{Global, StateAction};
use crate::render;

pub async fn run(global: &Global, action: &StateAction) -> Result<Exit, Exit> {
    match action {
        StateAction::List { stack } => list(global, stack),
        StateAction::Show { stack, name } => show(global, stack, name),
        StateAction::Forget { stack, name } => forget(global, stack, name).await,
        StateAction::ChangeSecretsProvider { url } => super::secrets::change(global, url),
        StateAction::Migrate {
            to,
            to_secrets_provider,
        } => super::migrate::run(global, to, to_secrets_provider.as_deref()),
    }
}

fn load(
    global: &Global,
    stack: &str,
) -> Result<(skistack_engine::Project, StackKey, StackState), Exit> {
    let project = project(global)?;
    let key = project.key(stack);
    let state = project
        .store
        .load(&key)
        .map_err(|e| Exit::Failed(e.to_string()))?;
    Ok((project, key, state))
}

/// The record of `name`, or an error that names the recorded resources.
fn find<'a>(state: &'a StackState, key: &StackKey, name: &str) -> Result<&'a ResourceRecord, Exit> {
    state.resources.get(name).ok_or_else(|| {
        let hint = skistack_engine::did_you_mean(name, state.resources.keys().map(String::as_str))
            .map_or_else(
                || format!("`skistack state list {}` lists them", key.stack),
                |s| format!("did you mean `{s}`?"),
            );
        Exit::Failed(format!(
            "stack {key} has no recorded resource `{name}`; {hint}"
        ))
    })
}

fn list(global: &Global, stack: &str) -> Result<Exit, Exit> {
    let (_, key, state) = load(global, stack)?;
    if state.resources.is_empty() && state.pending.is_empty() {
        println!("No resources recorded for stack {key}.");
        return Ok(Exit::Ok);
    }
    let width = state.resources.keys().map(String::len).max().unwrap_or(0);
    let type_width = state
        .resources
        .values()
        .map(|r| r.type_token.len())
        .max()
        .unwrap_or(0);
    println!(
        "Stack {key}: {} resource(s){}",
        state.resources.len(),
        if state.outputs.is_some() {
            ""
        } else {
            " (not deployed)"
        }
    );
    for r in state.resources.values() {
        println!(
            "  {:<width$}  {:<type_width$}  {}",
            r.address, r.type_token, r.id
        );
    }
    for op in &state.pending {
        match op.kind {
            OpKind::Sweep => println!(
                "  pending: sweep {} ({}): a create retried without an idempotency token; every run until {} looks for a late duplicate",
                op.address,
                op.type_token,
                format_unix(sweep_until(op.started_at))
            ),
            kind => println!(
                "  pending: {} {} ({}), interrupted; the next up resolves it",
                kind.as_str(),
                op.address,
                op.type_token
            ),
        }
    }
    Ok(Exit::Ok)
}

fn show(global: &Global, stack: &str, name: &str) -> Result<Exit, Exit> {
    let (_, key, state) = load(global, stack)?;
    let r = find(&state, &key, name)?;
    println!("name:         {}", r.address);
    println!("type:         {}", r.type_token);
    println!("id:           {}", r.id);
    println!(
        "dependencies: {}",
        if r.dependencies.is_empty() {
            "(none)".to_string()
        } else {
            r.dependencies.join(", ")
        }
    );
    let o = &r.options;
    let options: Vec<&str> = [
        (o.protect, "protect"),
        (o.retain_on_delete, "retain_on_delete"),
        (o.delete_before_replace, "delete_before_replace"),
    ]
    .into_iter()
    .filter_map(|(on, n)| on.then_some(n))
    .collect();
    println!(
        "options:      {}",
        if options.is_empty() {
            "(none)".to_string()
        } else {
            options.join(", ")
        }
    );
    println!("inputs:");
    print!("{}", render::outputs_text(&r.inputs, false));
    println!("outputs:");
    print!("{}", render::outputs_text(&r.outputs, false));
    Ok(Exit::Ok)
}

async fn forget(global: &Global, stack: &str, name: &str) -> Result<Exit, Exit> {
    let project = project(global)?;
    let key = project.key(stack);
    // Held from the read to the write, so no up changes the record between.
    let _lock = super::lock::take(global, &project, stack, "state forget").await?;
    let state = project
        .store
        .load(&key)
        .map_err(|e| Exit::Failed(e.to_string()))?;
    let r = find(&state, &key, name)?;
    // Checked before asking, with a message of its own: confirm()'s speaks
    // of applying.
    if !global.yes && !std::io::stdin().is_terminal() {
        return Err(Exit::Failed(format!(
            "refusing to forget `{name}` without confirmation: there is no terminal to ask on; pass --yes to forget it"
        )));
    }
    println!(
        "Forget {} ({}) {}: skistack stops managing it; it stays in the cloud.",
        r.address, r.type_token, r.id
    );
    let dependents: Vec<&str> = state
        .resources
        .values()
        .filter(|d| d.dependencies.iter().any(|x| x == name))
        .map(|d| d.address.as_str())
        .collect();
    if !dependents.is_empty() {
        println!("  recorded as used by: {}", dependents.join(", "));
    }
    let declared = project
        .parse(stack)
        .ok()
        .is_some_and(|(s, _)| s.decl(&skistack_engine::Address::decl_of(name)).is_some());
    if declared {
        println!(
            "  it is still declared in the stack file: the next up creates a new one unless you remove the declaration or `skistack import` it again"
        );
    }
    if !confirm(global, &format!("Forget {name}?"))? {
        return Err(Exit::Failed("not forgotten".into()));
    }
    let forgotten = project
        .forget(&key, name)
        .map_err(|e| Exit::Failed(e.to_string()))?;
    if !forgotten {
        return Err(Exit::Failed(format!(
            "`{name}` was no longer in the state of stack {key}"
        )));
    }
    println!("Forgot {name}.");
    Ok(Exit::Ok)
}
