//! The terminal side of the engine's workflows: plans and drift on stdout,
//! notes, lock waits and progress on stderr, questions asked on the
//! terminal (or answered by `--yes`), and Ctrl-C wired to the run.

use std::sync::Arc;
use std::time::Duration;

use skistack_engine::{
    Cancel, EngineError, Frontend, LockInfo, Observer, Plan, PolicyReport, Refresh, RunSummary,
    StackKey, Takeover, describe, format_duration,
};

use super::{ask, install_signals};
use crate::cli::Global;
use crate::{progress, render};

/// How one command shows what its workflow reports.
pub struct Terminal<'a> {
    global: &'a Global,
    observer: Arc<dyn Observer>,
    /// Show unchanged instances in plans too.
    pub verbose_plan: bool,
    /// A blank line after each plan (commands that show several).
    pub blank_after_plan: bool,
    /// Print no drift (JSON output follows instead).
    pub quiet: bool,
}

impl<'a> Terminal<'a> {
    pub fn new(global: &'a Global) -> Terminal<'a> {
        Terminal {
            global,
            observer: progress::observer(),
            verbose_plan: global.verbose > 0,
            blank_after_plan: false,
            quiet: false,
        }
    }
}

impl Frontend for Terminal<'_> {
    fn observer(&self) -> Arc<dyn Observer> {
        Arc::clone(&self.observer)
    }

    fn note(&self, message: &str) {
        eprintln!("note: {message}");
    }

    fn waiting_for_lock(&self, key: &StackKey, holder: &LockInfo, wait: Duration) {
        eprintln!(
            "waiting up to {} for the lock of stack {key}, held by {}",
            format_duration(wait),
            describe(holder)
        );
    }

    fn took_over_lock(&self, takeover: &Takeover) {
        eprintln!("warning: {takeover}");
    }

    fn refreshed(&self, refresh: &Refresh) {
        if !self.quiet {
            print!(
                "{}",
                super::refresh::drift_text(refresh, self.global.verbose > 0)
            );
        }
    }

    fn planned(&self, key: &StackKey, plan: &Plan) {
        print!("{}", render::plan_text(key, plan, self.verbose_plan));
        println!("{}", render::summary_line(&plan.counts()));
        if self.blank_after_plan {
            println!();
        }
    }

    fn judged(&self, key: &StackKey, report: &PolicyReport) {
        print!("{}", render::policy_text(key, report));
    }

    fn confirm(&self, question: &str) -> Result<bool, EngineError> {
        ask(self.global, question).map_err(EngineError::Refused)
    }

    fn interrupt(&self) -> Cancel {
        let cancel = Cancel::new();
        install_signals(&cancel);
        cancel
    }

    fn ran(&self, what: &str, summary: &RunSummary) {
        print!("{}", render::run_summary(what, summary));
    }
}
