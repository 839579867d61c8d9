//! Commands for editors and shells: `schema` prints the JSON Schema of stack
//! files the engine builds from the registered types, `completions` prints a
//! shell's completion script generated from the command-line definition.
//! Both only print; neither reads the state nor calls a cloud.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Exit, registry};
use crate::cli::{Cli, Global};

/// Prints the JSON Schema of stack files, for editors.
pub fn schema(global: &Global) -> Result<Exit, Exit> {
    let schema = skistack_engine::stack_json_schema(&registry(global));
    let text = serde_json::to_string_pretty(&schema)
        .map_err(|e| Exit::Failed(format!("cannot print the schema: {e}")))?;
    println!("{text}");
    Ok(Exit::Ok)
}

/// Prints the completion script of `shell`.
pub fn completions(shell: Shell) -> Result<Exit, Exit> {
    let mut cmd = Cli::command();
    let name = cmd.get_name().to_string();
    clap_complete::generate(shell, &mut cmd, name, &mut std::io::stdout());
    Ok(Exit::Ok)
}
