//! The `skistack` command: a thin layer over the engine, the state store and
//! the providers.

mod cli;
mod commands;
mod progress;
mod render;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use commands::Exit;

fn main() -> ExitCode {
    // Die quietly on a closed pipe (`skistack preview | head`), as command
    // line tools do, instead of panicking inside print!.
    // SAFETY: called first thing in main, before any other thread exists;
    // SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let mut cli = Cli::parse();
    // skistack has no log levels of its own: any RUST_LOG below `warn`
    // turns on the verbose output, as `-v` does.
    if cli.global.verbose == 0
        && std::env::var("RUST_LOG")
            .is_ok_and(|v| ["info", "debug", "trace"].iter().any(|l| v.contains(l)))
    {
        cli.global.verbose = 1;
    }
    // The project file fills what neither a flag nor the environment chose.
    if let Err(exit) = commands::settings::apply(&mut cli.global) {
        return exit_code(exit);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let g = &cli.global;
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Preview(a) => commands::preview::run(g, a).await,
            Command::Up(a) => commands::up::run(g, a).await,
            Command::Destroy(a) => commands::destroy::run(g, a).await,
            Command::Validate { stacks } => commands::inspect::validate(g, stacks),
            Command::Outputs(a) => commands::inspect::outputs(g, a),
            Command::History { stack } => commands::inspect::history(g, stack),
            Command::Graph { stack, format } => commands::inspect::graph(g, stack, *format),
            Command::Config { action } => commands::config::run(g, action),
            Command::Types { token } => commands::inspect::types(g, token.as_deref()),
            Command::Functions { name } => commands::functions::run(name.as_deref()),
            Command::Unlock { stack } => commands::lock::unlock(g, stack),
            Command::Refresh(a) => commands::refresh::run(g, a).await,
            Command::Import(a) => commands::import::run(g, a).await,
            Command::State { action } => commands::state::run(g, action).await,
            Command::Schema => commands::editor::schema(g),
            Command::Completions { shell } => commands::editor::completions((*shell).into()),
        }
    });
    // Steps in flight may still hold provider clients; don't wait for them.
    runtime.shutdown_background();
    exit_code(result.unwrap_or_else(|e| e))
}

/// Reports how a command ended and gives the process's exit code.
fn exit_code(exit: Exit) -> ExitCode {
    match exit {
        Exit::Ok => ExitCode::SUCCESS,
        Exit::Changes => ExitCode::from(3),
        Exit::Interrupted => ExitCode::from(130),
        Exit::Policy(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(5)
        }
        Exit::Failed(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
        Exit::Invalid(diags) => {
            for d in &diags {
                eprint!("{}", d.render());
            }
            let n = diags.len();
            eprintln!(
                "{n} error{} found; nothing was changed",
                if n == 1 { "" } else { "s" }
            );
            ExitCode::from(2)
        }
    }
}
