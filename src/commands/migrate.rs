//! `skistack state migrate --to URL`: copies the run's state (a file or an
//! S3 prefix) into another, empty one, and verifies the copy.
//!
//! Why it is safe: the engine's `migrate` only reads the source, under its
//! stacks' locks, and refuses a target holding anything; here a source
//! that does not exist is refused before it would be created empty, and
//! the same location as source and target is refused outright.

use skistack_engine::MigrateReport;

use super::Exit;
use super::secrets;
use super::store::{Location, Store};
use crate::cli::Global;

pub fn run(global: &Global, to: &str, to_secrets: Option<&str>) -> Result<Exit, Exit> {
    let from_at = Location::of(global);
    let to_at = Location::parse(to);
    if from_at == to_at {
        return Err(Exit::Failed(format!(
            "--to {to} is the state in use already; name another location (--state says \
             which state to copy from)"
        )));
    }
    if let Location::File(path) = &from_at
        && !path.exists()
    {
        return Err(Exit::Failed(format!(
            "there is no state at {} to copy; --state (or SKISTACK_STATE, or [state] url in \
             skistack.toml) names the state to copy from",
            path.display()
        )));
    }
    let from = Store::open(global, &from_at, secrets::provider(global)?)?.into_engine();
    let to_provider = match to_secrets {
        Some(url) => secrets::new_provider(global, url)?,
        None => secrets::provider(global)?,
    };
    let target = Store::open(global, &to_at, to_provider)?.into_engine();
    let report = skistack_engine::migrate(&from, target.as_ref())
        .map_err(|e| Exit::Failed(format!("state migrate to {to_at}: {e}")))?;
    print_report(&report, &from_at, &to_at);
    Ok(Exit::Ok)
}

fn print_report(report: &MigrateReport, from: &Location, to: &Location) {
    for t in &report.taken_over {
        eprintln!("warning: {t}");
    }
    if report.stacks.is_empty() {
        println!("The state at {from} holds no stack; the state at {to} is ready and empty.");
        return;
    }
    println!(
        "Copied {} stack(s) from {from} to {to}:",
        report.stacks.len()
    );
    let width = (report.stacks.iter())
        .map(|s| s.key.to_string().len())
        .max()
        .unwrap_or(0);
    for s in &report.stacks {
        println!(
            "  {:<width$}  {} resource(s), {} pending, {} config value(s), {} run(s) of history{}",
            s.key.to_string(),
            s.resources,
            s.pending,
            s.config,
            s.history,
            if s.deployed { "" } else { " (not deployed)" }
        );
    }
    println!(
        "Verified: the copy reads back the same. The state at {from} is unchanged.\n\
         Use the copy with --state {to} (or SKISTACK_STATE, or [state] url in skistack.toml), \
         and remove the old state once nothing uses it: runs on it are not seen by the copy."
    );
}
