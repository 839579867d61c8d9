//! One module per group of commands; each turns arguments into engine calls
//! and prints the result.

pub mod config;
pub mod destroy;
pub mod editor;
pub mod functions;
pub mod import;
pub mod inspect;
pub mod lock;
pub mod migrate;
pub mod preview;
pub mod refresh;
pub mod saved_plan;
pub mod secrets;
pub mod settings;
pub mod state;
pub mod store;
mod terminal;
pub mod up;

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;
use store::{Location, Store};

use skistack_engine::Cancel;
use skistack_engine::Diagnostic;
use skistack_engine::Registry;
use skistack_engine::{EngineError, Project};
use skistack_provider_aws::{AwsOptions, AwsProvider};
use skistack_provider_std::StdProvider;

use crate::cli::Global;

/// How a command ends, mapped to the process exit code.
#[derive(Debug)]
pub enum Exit {
    Ok,
    /// Something failed (exit 1); the message is printed.
    Failed(String),
    /// Errors in stack files or arguments (exit 2).
    Invalid(Vec<Diagnostic>),
    /// `--expect-no-changes` found changes (exit 3).
    Changes,
    /// Interrupted by a signal (exit 130).
    Interrupted,
    /// Enforced policy findings stopped the command (exit 5).
    Policy(String),
}

impl From<EngineError> for Exit {
    fn from(e: EngineError) -> Exit {
        match e {
            EngineError::Invalid(d) => Exit::Invalid(d),
            e @ EngineError::PolicyViolated { .. } => Exit::Policy(e.to_string()),
            other => Exit::Failed(other.to_string()),
        }
    }
}

/// The registry of every provider.
pub fn registry(global: &Global) -> Registry {
    let mut r = Registry::new();
    r.register(Arc::new(StdProvider::new()));
    r.register(Arc::new(AwsProvider::new(AwsOptions {
        endpoint_url: global.endpoint_url.clone(),
        max_concurrency: Some(global.aws_max_concurrency),
        landing_window: global.aws_landing_window,
        ..AwsOptions::default()
    })));
    r
}

/// Opens the state and builds the project.
pub fn project(global: &Global) -> Result<Project, Exit> {
    let mut cli_config = Vec::new();
    let mut bad = Vec::new();
    for c in &global.config {
        match c.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                cli_config.push((k.trim().to_string(), v.to_string()))
            }
            _ => bad.push(
                Diagnostic::new(format!("-c takes KEY=VALUE, got `{c}`"), None)
                    .with_hint("for example: -c az_count=3"),
            ),
        }
    }
    if !bad.is_empty() {
        return Err(Exit::Invalid(bad));
    }
    let store = Store::open(global, &Location::of(global), secrets::provider(global)?)?;
    Ok(Project {
        stacks_dir: global.stacks_dir.clone(),
        env: global.env.clone(),
        registry: registry(global),
        store: store.into_engine(),
        cli_config,
    })
}

/// With `-v`, prints the providers' counters (API calls per service).
pub fn print_metrics(global: &Global, project: &Project) {
    if global.verbose == 0 {
        return;
    }
    let metrics = project.registry.metrics();
    if metrics.is_empty() {
        return;
    }
    println!("Provider counters:");
    for (name, n) in metrics {
        println!("  {name}: {n}");
    }
}

/// Asks before applying. Without a terminal and without --yes, refuses.
pub fn confirm(global: &Global, question: &str) -> Result<bool, Exit> {
    ask(global, question).map_err(Exit::Failed)
}

/// Asks a yes/no question on the terminal; `--yes` answers yes. The error
/// says why nobody could answer.
fn ask(global: &Global, question: &str) -> Result<bool, String> {
    if global.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(
            "refusing to apply without confirmation: there is no terminal to ask on; pass --yes to apply".into(),
        );
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| format!("reading the answer: {e}"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// Cancels on Ctrl-C or SIGTERM: no new step starts, steps in flight finish.
/// A second signal ends the process at once (the state stays consistent:
/// every step is its own transaction).
pub fn install_signals(cancel: &Cancel) {
    let c = cancel.clone();
    tokio::spawn(async move {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return,
            };
        let mut times = 0;
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            times += 1;
            if times > 1 {
                eprintln!("second interrupt: stopping now");
                std::process::exit(130);
            }
            eprintln!(
                "interrupt: no new steps will start; waiting for the steps in flight to finish (interrupt again to stop at once)"
            );
            c.cancel();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// `type`, `count`, `for_each` and `options` are keys of the stack
    /// language; a property of that name could never be set.
    #[test]
    fn no_type_uses_a_reserved_property_name() {
        let cli = crate::cli::Cli::parse_from(["skistack", "types"]);
        let r = registry(&cli.global);
        let mut tokens: Vec<&str> = r.resource_tokens().collect();
        tokens.extend(r.data_tokens());
        assert!(tokens.len() > 20, "{tokens:?}");
        for t in tokens {
            let schema = r
                .resource(t)
                .map(|x| x.schema())
                .or_else(|| r.data_source(t).map(|d| d.schema()))
                .unwrap();
            for p in &schema.properties {
                assert!(
                    !["type", "count", "for_each", "options"].contains(&p.name.as_str()),
                    "{t} has a property named {}",
                    p.name
                );
            }
        }
    }
}
