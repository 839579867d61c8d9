//! `skistack destroy`: runs the engine's destroy workflow and renders its
//! report.

use skistack_engine::{DestroyOptions, DestroyReport};

use super::terminal::Terminal;
use super::{Exit, print_metrics, project};
use crate::cli::{DestroyArgs, Global};

pub async fn run(global: &Global, args: &DestroyArgs) -> Result<Exit, Exit> {
    let project = project(global)?;
    let options = DestroyOptions {
        stack: args.stack.clone(),
        force: args.force,
        parallel: args.parallel,
        lock_wait: global.lock_wait.unwrap_or_default(),
    };
    let mut ui = Terminal::new(global);
    ui.verbose_plan = false;
    ui.blank_after_plan = true;
    match skistack_engine::destroy(&project, &options, &ui).await? {
        DestroyReport::NothingDeployed => {
            println!("Nothing is deployed in environment `{}`.", project.env);
            Ok(Exit::Ok)
        }
        DestroyReport::Declined => Err(Exit::Failed("not destroyed".into())),
        DestroyReport::Ran {
            interrupted: true, ..
        } => Ok(Exit::Interrupted),
        DestroyReport::Ran { failed, .. } => {
            print_metrics(global, &project);
            if failed.is_empty() {
                return Ok(Exit::Ok);
            }
            Ok(Exit::Failed(format!(
                "destroy of {} failed; fix the cause and run destroy again",
                failed.join(", ")
            )))
        }
    }
}
