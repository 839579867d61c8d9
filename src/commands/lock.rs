//! Stack locks on the command line: taking one for a command that changes
//! a stack (`--lock-wait`, takeover warnings), and `skistack unlock`.

use skistack_engine::{Holder, LockGuard, describe};

use super::terminal::Terminal;
use super::{Exit, confirm, project};
use crate::cli::Global;

/// Releases the lock of `stack` after checking its holder: refused while
/// the holder runs on this host; otherwise shown and confirmed (or --yes).
pub fn unlock(global: &Global, stack: &str) -> Result<Exit, Exit> {
    let project = project(global)?;
    let key = project.key(stack);
    let Some((holder, judged)) = project.lock_status(stack)? else {
        println!("Stack {key} is not locked.");
        return Ok(Exit::Ok);
    };
    match &judged {
        Holder::Running => {
            return Err(Exit::Failed(format!(
                "stack {key} is locked by {}, which is still running on this host; \
                 wait for it to finish (or stop it) instead of unlocking",
                describe(&holder)
            )));
        }
        Holder::Gone(reason) => {
            println!("Stack {key} is locked by {}: {reason}.", describe(&holder));
        }
        Holder::Unknown(reason) => {
            println!(
                "Stack {key} is locked by {}; {reason}.\n\
                 Release it only if that process is no longer running: two runs at once \
                 on one stack can create duplicates or lose track of resources.",
                describe(&holder)
            );
        }
    }
    if !confirm(global, "Release this lock?")? {
        return Err(Exit::Failed("not unlocked".into()));
    }
    if project.release_lock(stack, &holder)? {
        println!("Released the lock of stack {key}.");
        Ok(Exit::Ok)
    } else {
        Err(Exit::Failed(format!(
            "the lock of stack {key} changed while you were asked (another process \
             released or took it); run `skistack unlock {stack}` again to see its holder"
        )))
    }
}

/// Takes the lock of `stack` for `operation`, waiting up to `--lock-wait`
/// for a live holder, and warns when it took over a dead holder's lock.
/// The commands that are not engine workflows take their lock through this.
pub async fn take(
    global: &Global,
    project: &skistack_engine::Project,
    stack: &str,
    operation: &str,
) -> Result<LockGuard, Exit> {
    let wait = global.lock_wait.unwrap_or_default();
    let ui = Terminal::new(global);
    Ok(skistack_engine::take_lock(project, stack, operation, wait, &ui).await?)
}
