//! `skistack config set|get|rm|list`.

use super::{Exit, project};
use crate::cli::{ConfigAction, Global};

pub fn run(global: &Global, action: &ConfigAction) -> Result<Exit, Exit> {
    let project = project(global)?;
    let state_err = |e: skistack_engine::StateError| Exit::Failed(e.to_string());
    match action {
        ConfigAction::Set { stack, key, value } => {
            let v = project.set_config(stack, key, value)?;
            // `Value`'s display prints a secret as `[secret]`; the echo
            // never shows the value typed for a secret key.
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
