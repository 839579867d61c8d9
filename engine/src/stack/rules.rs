//! Validation rules of config keys, as Terraform's `validation` blocks:
//! each rule's condition is evaluated against the resolved config, and a
//! false one is an error that points at where the value was set and quotes
//! the rule's message.
//!
//! Why it is safe: rules run on the resolved config before anything is
//! planned or applied, see only `config` (no resource, data lookup or other
//! stack, so no cloud call), and a value not known yet (a required key
//! previewed without a value) is not judged. A secret value is never
//! printed: the message is the user's own text, and the position names
//! where the value was set, not what it is.

use std::collections::BTreeMap;

use super::config::{ConfigLayer, ConfigSources};
use super::model::{ConfigDecl, ConfigRule, Stack};
use crate::base::{Diagnostic, Map, Pos, Value};
use crate::expr::{Template, Vars, eval_template};

/// The diagnostics of every rule that the resolved `config` breaks; with
/// `only`, of that key's rules alone.
pub(super) fn check_rules(
    stack: &Stack,
    sources: &ConfigSources,
    config: &Map,
    layers: &BTreeMap<String, ConfigLayer>,
    only: Option<&str>,
) -> Vec<Diagnostic> {
    if stack.config.iter().all(|c| c.rules.is_empty()) {
        return Vec::new();
    }
    let scope_vars: Map = [("config".to_string(), Value::Map(config.clone()))]
        .into_iter()
        .collect();
    let scope = Vars::new(&scope_vars, &stack.dir);
    let mut errors = Vec::new();
    let judged = |c: &&ConfigDecl| !c.rules.is_empty() && only.is_none_or(|k| k == c.name);
    for decl in stack.config.iter().filter(judged) {
        let known = config
            .get(&decl.name)
            .is_some_and(|v| !v.contains_unknown());
        if !known {
            continue;
        }
        for rule in &decl.rules {
            match holds(stack, rule, &scope) {
                Ok(true) => {}
                Ok(false) => errors.push(broken(stack, sources, layers, decl, rule)),
                Err(d) => errors.push(d),
            }
        }
    }
    errors
}

/// Whether the rule's condition holds; unknown counts as holding (it is
/// judged once known).
fn holds(stack: &Stack, rule: &ConfigRule, scope: &Vars<'_>) -> Result<bool, Diagnostic> {
    let value = eval_template(&rule.condition, scope).map_err(|e| stack.expr_diagnostic(e))?;
    let (plain, _) = value.unwrap_secret();
    match plain {
        Value::Unknown => Ok(true),
        Value::Bool(b) => Ok(*b),
        // Terraform converts the strings "true" and "false".
        Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
        other => Err(Diagnostic::at(
            &stack.file,
            condition_span(rule),
            format!(
                "a validation condition must be true or false, found {} {value}",
                other.kind()
            ),
        )
        .with_hint("compare the value, e.g. `${config.count >= 1}`")),
    }
}

fn condition_span(rule: &ConfigRule) -> crate::base::Span {
    match &rule.condition {
        Template::Expr(e) => e.span,
        _ => rule.span,
    }
}

/// The error for a broken rule: at the value when it was set in a file,
/// otherwise saying how it was set; the hint names the rule.
fn broken(
    stack: &Stack,
    sources: &ConfigSources,
    layers: &BTreeMap<String, ConfigLayer>,
    decl: &ConfigDecl,
    rule: &ConfigRule,
) -> Diagnostic {
    let name = &decl.name;
    let layer = layers.get(name).copied().unwrap_or(ConfigLayer::Default);
    let overlay_pos = sources.overlay.as_ref().and_then(|(file, entries)| {
        entries
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, _, span)| Pos::new(file, *span))
    });
    let (pos, how) = match layer {
        ConfigLayer::Overlay => (overlay_pos, ""),
        ConfigLayer::State => (None, " (set with `skistack config set`)"),
        ConfigLayer::Cli => (None, " (given with -c)"),
        ConfigLayer::Default | ConfigLayer::Missing => (Some(stack.pos(decl.span)), ""),
    };
    let rule_at = stack.pos(rule.span).location();
    Diagnostic::new(
        format!("invalid value for config `{name}`{how}: {}", rule.message),
        pos,
    )
    .with_hint(format!("checked by the validation rule at {rule_at}"))
}
