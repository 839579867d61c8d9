//! Config resolution: the stack file's `[config]` defaults, overridden by the
//! environment overlay, then by `skistack config set`, then by `-c`; the
//! result must pass the keys' validation rules.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::model::Stack;
use crate::base::{Diagnostic, Pos, SourceFile, Span, did_you_mean};
use crate::base::{Map, Value};

/// Where a config value came from, lowest precedence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConfigLayer {
    Default,
    Overlay,
    State,
    Cli,
    /// Required, with no value yet (only when previewing).
    Missing,
}

impl ConfigLayer {
    pub fn describe(self) -> &'static str {
        match self {
            ConfigLayer::Default => "stack file",
            ConfigLayer::Overlay => "environment overlay",
            ConfigLayer::State => "config set",
            ConfigLayer::Cli => "-c",
            ConfigLayer::Missing => "required, not set",
        }
    }
}

/// The config values of an environment overlay file, with their spans.
pub type Overlay = (Arc<SourceFile>, Vec<(String, Value, Span)>);

/// The values that override a stack's defaults.
#[derive(Debug, Default, Clone)]
pub struct ConfigSources {
    /// From `stacks/NAME.ENV.toml`.
    pub overlay: Option<Overlay>,
    /// From `skistack config set`.
    pub state: Map,
    /// From `-c key=value`, still as text.
    pub cli: Vec<(String, String)>,
    /// Reject `-c` keys the stack does not declare (false when a run covers
    /// several stacks and a key may belong to another).
    pub strict_cli: bool,
    /// A required key without a value becomes unknown instead of an error
    /// (preview on a fresh checkout shows the whole plan).
    pub missing_as_unknown: bool,
}

/// Parses a `-c` or `config set` value: TOML syntax when it parses as a
/// number, bool, array or inline table; otherwise the text itself.
pub fn parse_cli_value(text: &str, declared: Option<&str>) -> Value {
    if declared == Some("string") {
        return Value::String(text.to_string());
    }
    match toml::de::DeValue::parse(text) {
        Ok(v) => de_to_value(v.get_ref()).unwrap_or_else(|| Value::String(text.to_string())),
        Err(_) => Value::String(text.to_string()),
    }
}

fn de_to_value(v: &toml::de::DeValue<'_>) -> Option<Value> {
    use toml::de::DeValue;
    Some(match v {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            Value::Int(i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()?)
        }
        DeValue::Float(f) => Value::Float(f.as_str().replace('_', "").parse().ok()?),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => Value::List(
            items
                .iter()
                .map(|i| de_to_value(i.get_ref()))
                .collect::<Option<_>>()?,
        ),
        DeValue::Table(t) => Value::Map(
            t.iter()
                .map(|(k, v)| Some((k.get_ref().to_string(), de_to_value(v.get_ref())?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// Checks a value against a config type name; the error completes
/// "config `x` ...".
pub(crate) fn check_type(v: &Value, ty: &str) -> Result<(), String> {
    let ok = match ty {
        "string" => matches!(v.unwrap_secret().0, Value::String(_)),
        "integer" => matches!(v.unwrap_secret().0, Value::Int(_)),
        "number" => matches!(v.unwrap_secret().0, Value::Int(_) | Value::Float(_)),
        "bool" => matches!(v.unwrap_secret().0, Value::Bool(_)),
        "list" => matches!(v.unwrap_secret().0, Value::List(_)),
        "table" => matches!(v.unwrap_secret().0, Value::Map(_)),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "must be of type {ty}, but {v} is of type {}",
            type_name(v)
        ))
    }
}

/// The config type name of a value.
pub fn type_name(v: &Value) -> &'static str {
    match v.unwrap_secret().0 {
        Value::String(_) => "string",
        Value::Int(_) => "integer",
        Value::Float(_) => "number",
        Value::Bool(_) => "bool",
        Value::List(_) => "list",
        Value::Map(_) => "table",
        _ => "null",
    }
}

/// The resolved config of a stack and the layer each value came from;
/// every validation rule holds for it.
pub fn resolve_config(
    stack: &Stack,
    sources: &ConfigSources,
) -> Result<(Map, BTreeMap<String, ConfigLayer>), Vec<Diagnostic>> {
    let (map, layers) = resolve_values(stack, sources)?;
    let broken = super::rules::check_rules(stack, sources, &map, &layers, None);
    if !broken.is_empty() {
        return Err(broken);
    }
    Ok((map, layers))
}

/// What `config set` checks before it records a value for `key` (given in
/// `sources.state`): that the config still resolves and that `key`'s own
/// validation rules hold. Rules of other keys that read `key` are judged
/// where every rule is, at the next load, so a key already broken elsewhere
/// never blocks setting this one.
pub fn check_config_key(
    stack: &Stack,
    sources: &ConfigSources,
    key: &str,
) -> Result<(), Vec<Diagnostic>> {
    let (map, layers) = resolve_values(stack, sources)?;
    let broken = super::rules::check_rules(stack, sources, &map, &layers, Some(key));
    if broken.is_empty() {
        Ok(())
    } else {
        Err(broken)
    }
}

/// Every config value by its layers (default < overlay < state < `-c`),
/// each checked against its key's type; rules not yet applied.
fn resolve_values(
    stack: &Stack,
    sources: &ConfigSources,
) -> Result<(Map, BTreeMap<String, ConfigLayer>), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut values: BTreeMap<String, (Value, ConfigLayer)> = BTreeMap::new();
    let names: Vec<&str> = stack.config.iter().map(|c| c.name.as_str()).collect();
    let unknown = |key: &str| {
        let hint = match did_you_mean(key, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if names.is_empty() => format!("stack `{}` declares no config keys", stack.name),
            None => format!("stack `{}` declares: {}", stack.name, names.join(", ")),
        };
        (
            format!("unknown config key `{key}` for stack `{}`", stack.name),
            hint,
        )
    };
    for c in &stack.config {
        if let Some(d) = &c.default {
            values.insert(c.name.clone(), (d.clone(), ConfigLayer::Default));
        }
    }
    let declared_type = |key: &str| -> Option<String> {
        let c = stack.config_decl(key)?;
        c.ty.clone()
            .or_else(|| c.default.as_ref().map(|d| type_name(d).to_string()))
    };
    if let Some((file, entries)) = &sources.overlay {
        for (k, v, span) in entries {
            if stack.config_decl(k).is_none() {
                let (msg, hint) = unknown(k);
                errors.push(Diagnostic::at(file, *span, msg).with_hint(hint));
                continue;
            }
            if let Some(ty) = declared_type(k)
                && let Err(m) = check_type(v, &ty)
            {
                errors.push(Diagnostic::at(file, *span, format!("config `{k}` {m}")));
                continue;
            }
            values.insert(k.clone(), (v.clone(), ConfigLayer::Overlay));
        }
    }
    for (k, v) in &sources.state {
        if stack.config_decl(k).is_none() {
            let (msg, hint) = unknown(k);
            errors.push(
                Diagnostic::new(format!("{msg} (set with `skistack config set`)"), None).with_hint(
                    format!(
                        "{hint}; remove it with `skistack config rm {} {k}`",
                        stack.name
                    ),
                ),
            );
            continue;
        }
        values.insert(k.clone(), (v.clone(), ConfigLayer::State));
    }
    for (k, text) in &sources.cli {
        if stack.config_decl(k).is_none() {
            if sources.strict_cli {
                let (msg, hint) = unknown(k);
                errors
                    .push(Diagnostic::new(format!("{msg} (given with -c)"), None).with_hint(hint));
            }
            continue;
        }
        let ty = declared_type(k);
        let v = parse_cli_value(text, ty.as_deref());
        if let Some(ty) = &ty
            && let Err(m) = check_type(&v, ty)
        {
            errors.push(Diagnostic::new(
                format!("config `{k}` given with -c {m}"),
                None,
            ));
            continue;
        }
        values.insert(k.clone(), (v, ConfigLayer::Cli));
    }
    for c in &stack.config {
        if !values.contains_key(&c.name) && sources.missing_as_unknown {
            values.insert(c.name.clone(), (Value::Unknown, ConfigLayer::Missing));
        } else if !values.contains_key(&c.name) {
            errors.push(
                Diagnostic::new(
                    format!(
                        "config `{}` of stack `{}` is required and has no value",
                        c.name, stack.name
                    ),
                    Some(Pos::new(&stack.file, c.span)),
                )
                .with_hint(format!(
                    "set it with `skistack config set {} {} VALUE`, or pass `-c {}=VALUE`{}",
                    stack.name,
                    c.name,
                    c.name,
                    c.description
                        .as_ref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                )),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut map = Map::new();
    let mut layers = BTreeMap::new();
    for (k, (v, layer)) in values {
        let secret = stack.config_decl(&k).is_some_and(|c| c.secret);
        map.insert(k.clone(), if secret { Value::secret(v) } else { v });
        layers.insert(k, layer);
    }
    Ok((map, layers))
}
