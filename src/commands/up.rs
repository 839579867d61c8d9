//! `skistack up`: runs the engine's up workflow and renders its report.

use skistack_engine::{UpOptions, UpReport};

use super::terminal::Terminal;
use super::{Exit, print_metrics, project, saved_plan};
use crate::cli::{Global, UpArgs};
use crate::render;

pub async fn run(global: &Global, args: &UpArgs) -> Result<Exit, Exit> {
    let project = project(global)?;
    let saved = args.plan.as_deref().map(saved_plan::read).transpose()?;
    let options = UpOptions {
        targets: args.target.clone(),
        refresh: args.refresh,
        parallel: args.parallel,
        lock_wait: global.lock_wait.unwrap_or_default(),
        saved,
        policy: args.policy.settings(),
    };
    let report =
        skistack_engine::up(&project, &args.stack, &options, &Terminal::new(global)).await?;
    let (summary, outputs) = match report {
        UpReport::NoChanges => {
            println!("No changes.");
            print_metrics(global, &project);
            return Ok(Exit::Ok);
        }
        UpReport::Declined => return Err(Exit::Failed("not applied".into())),
        UpReport::Applied { summary, outputs } => (summary, outputs),
    };
    print_metrics(global, &project);
    if summary.succeeded() {
        if let Some(outputs) = outputs.filter(|o| !o.is_empty()) {
            println!("Outputs:");
            print!("{}", render::outputs_text(&outputs, false));
        }
        Ok(Exit::Ok)
    } else if summary.cancelled {
        Ok(Exit::Interrupted)
    } else {
        Ok(Exit::Failed(format!(
            "{} step(s) failed; fix the cause and run `skistack up {}` again",
            summary.failures.len(),
            args.stack
        )))
    }
}
