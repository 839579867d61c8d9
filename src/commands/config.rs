//! `skistack config set|get|rm|list`.

use skistack_engine::parse_cli_value;

use super::{Exit, project};
use crate::cli::{ConfigAction, Global};

pub fn run(global: &Global, action: &ConfigAction) -> Result<Exit, Exit> {
    let project = project(global)?;
    let state_err = |e: skistack_engine::StateError| Exit::Failed(e.to_string());
    match action {
        ConfigAction::Set { stack, key, value } => {
            let (parsed, _) = project.parse(stack)?;
            let Some(decl) = parsed.config_decl(key) else {
                let names: Vec<&str> = parsed.config.iter().map(|c| c.name.as_str()).collect();
                let hint = skistack_engine::did_you_mean(key, names.iter().copied()).map_or_else(
                    || format!("stack `{stack}` declares: {}", names.join(", ")),
                    |s| format!("did you mean `{s}`?"),
                );
                return Err(Exit::Failed(format!(
                    "unknown config key `{key}` for stack `{stack}`; {hint}"
                )));
            };
            let declared = decl
                .ty
                .clone()
                .or_else(|| decl.default.as_ref().map(|d| config_type(d).to_string()));
            let v = parse_cli_value(value, declared.as_deref());
            if let Some(ty) = &declared
                && config_type(&v) != ty
                && !(ty == "number" && config_type(&v) == "integer")
            {
                return Err(Exit::Failed(format!(
                    "config `{key}` is of type {ty}, but `{value}` is of type {}",
                    config_type(&v)
                )));
            }
            project
                .store
                .set_config(&project.key(stack), key, &v)
                .map_err(state_err)?;
            println!("set {key} = {v} for stack {}", project.key(stack));
        }
        ConfigAction::Get { stack, key } => {
            let loaded = project.load(stack, true)?;
            match loaded.config.get(key) {
                Some(v) => println!(
                    "{}",
                    v.as_str().map_or_else(|| v.to_string(), str::to_string)
                ),
                None => {
                    return Err(Exit::Failed(format!(
                        "config `{key}` has no value in stack `{stack}`"
                    )));
                }
            }
        }
        ConfigAction::Rm { stack, key } => {
            if project
                .store
                .remove_config(&project.key(stack), key)
                .map_err(state_err)?
            {
                println!("removed {key} from stack {}", project.key(stack));
            } else {
                return Err(Exit::Failed(format!(
                    "config `{key}` was not set for stack {}",
                    project.key(stack)
                )));
            }
        }
        ConfigAction::List { stack } => {
            let loaded = project.load(stack, true)?;
            let width = loaded.config.keys().map(String::len).max().unwrap_or(0);
            for (k, v) in loaded.config.iter() {
                let from = loaded.layers.get(k).map_or("", |l| l.describe());
                println!("{k:<width$} = {v}  ({from})");
            }
        }
    }
    Ok(Exit::Ok)
}

fn config_type(v: &skistack_engine::Value) -> &'static str {
    use skistack_engine::Value;
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
