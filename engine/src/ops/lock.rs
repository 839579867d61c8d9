//! Stack locks as operations see them: taking a stack's lock, taking over
//! one whose holder died on this host, waiting for a live holder, and
//! releasing only the lock this process holds.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::project::Project;
use crate::base::format_duration;
use crate::error::EngineError;
use crate::state::{LockInfo, StackKey, StateError, StateStore, format_unix};
use crate::sys::{ProcessState, hostname, inspect_process};

/// A process whose start the kernel dates more than this after the lock's
/// time can't have taken the lock: its pid was reused. The margin covers
/// both times being rounded to seconds.
const REUSE_MARGIN_SECS: i64 = 2;

/// First pause between two tries of a waiting lock; it doubles up to
/// [`WAIT_POLL_MAX`].
const WAIT_POLL_FIRST: Duration = Duration::from_millis(100);
const WAIT_POLL_MAX: Duration = Duration::from_secs(2);

/// What can be known, from here, of a lock's holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    /// A process that may hold the lock is running on this host.
    Running,
    /// The holder ran on this host and is gone; the reason says how we know.
    Gone(String),
    /// The holder ran elsewhere (or this system can't tell): only a person
    /// can decide whether it is still running.
    Unknown(String),
}

/// Judges a lock's holder from this host (`host`, our host name). A lock
/// with a lease is judged by its heartbeat first: machines that share a
/// state (containers above all) may share a host name, so a pid alone
/// cannot tell that a holder elsewhere is gone.
pub fn judge(holder: &LockInfo, host: &str) -> Holder {
    if let Some(lease) = holder.lease {
        let silent = crate::sys::now() - lease.heartbeat_at;
        if silent > lease.seconds {
            return Holder::Gone(format!(
                "its heartbeat stopped {silent} s ago, longer than its lease of {} s",
                lease.seconds
            ));
        }
        if holder.host == host
            && matches!(inspect_process(holder.pid), ProcessState::Running { .. })
        {
            return Holder::Running;
        }
        return Holder::Unknown(format!(
            "its lease is live (the last heartbeat was {silent} s ago; it lapses after {} s \
             without one)",
            lease.seconds
        ));
    }
    if holder.host != host {
        return Holder::Unknown(format!(
            "it was taken on host {}, and skistack can only check processes of this host ({host})",
            holder.host
        ));
    }
    match inspect_process(holder.pid) {
        ProcessState::Exited => Holder::Gone(format!("process {} no longer exists", holder.pid)),
        ProcessState::Running {
            started_at: Some(t),
        } if t > holder.started_at + REUSE_MARGIN_SECS => Holder::Gone(format!(
            "process {} is another program that started after the lock was taken (the pid was reused)",
            holder.pid
        )),
        ProcessState::Running { .. } => Holder::Running,
        ProcessState::Unknown => Holder::Unknown(
            "this system has no /proc to check whether the process still runs".into(),
        ),
    }
}

/// One line describing a holder: `pid 42 on build-1 (up, since ...)`, and
/// the age of its last heartbeat when it has a lease.
pub fn describe(holder: &LockInfo) -> String {
    let heartbeat = holder.lease.map_or_else(String::new, |lease| {
        let ago = (crate::sys::now() - lease.heartbeat_at).max(0);
        format!(", last heartbeat {ago} s ago")
    });
    format!(
        "pid {} on {} ({}, since {}{heartbeat})",
        holder.pid,
        holder.host,
        holder.operation,
        format_unix(holder.started_at)
    )
}

/// A stale lock this process took over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Takeover {
    pub stack: StackKey,
    /// The lock as the dead holder left it.
    pub previous: LockInfo,
    /// How we know the holder is gone.
    pub reason: String,
}

impl fmt::Display for Takeover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "took over the lock of stack {} left by {}: {}",
            self.stack,
            describe(&self.previous),
            self.reason
        )
    }
}

/// Holds a stack's lock until dropped.
pub struct LockGuard {
    store: Arc<dyn StateStore>,
    key: StackKey,
    info: LockInfo,
    taken_over: Option<Takeover>,
}

impl LockGuard {
    /// The stale lock this guard replaced, if it did; worth a warning.
    pub fn taken_over(&self) -> Option<&Takeover> {
        self.taken_over.as_ref()
    }

    /// The lock as recorded for this process.
    pub fn info(&self) -> &LockInfo {
        &self.info
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Only our own lock is released: after `skistack unlock` another
        // process may hold this stack now. Failing to release leaves a lock
        // naming this process, which the next run on this host takes over
        // once we are gone, so the error can be ignored.
        let _ = self.store.release_lock(&self.key, &self.info);
    }
}

impl Project {
    /// Takes the stack's lock for `operation`. A lock left by a process of
    /// this host that no longer runs is taken over (see
    /// [`LockGuard::taken_over`]); a live or unknown holder fails at once
    /// with [`StateError::Locked`].
    pub fn lock(&self, stack: &str, operation: &str) -> Result<LockGuard, EngineError> {
        lock_stack(&self.store, self.key(stack), operation)
    }

    /// Like [`Project::lock`], but while a live process holds the lock,
    /// tries again for up to `wait`, calling `waiting` with each new holder
    /// seen. Gives up with [`EngineError::Refused`] naming the holder.
    pub async fn lock_waiting(
        &self,
        stack: &str,
        operation: &str,
        wait: Duration,
        waiting: &mut (dyn FnMut(&LockInfo) + Send),
    ) -> Result<LockGuard, EngineError> {
        let start = Instant::now();
        let mut pause = WAIT_POLL_FIRST;
        let mut last_seen: Option<LockInfo> = None;
        loop {
            let holder = match self.lock(stack, operation) {
                Err(EngineError::State(StateError::Locked { holder, .. })) => *holder,
                other => return other,
            };
            let elapsed = start.elapsed();
            if elapsed >= wait {
                let waited = if wait.is_zero() {
                    String::new()
                } else {
                    format!(" after waiting {}", format_duration(wait))
                };
                return Err(EngineError::Refused(format!(
                    "stack {} is locked by {}{waited}; wait for it to finish{}",
                    self.key(stack),
                    describe(&holder),
                    if wait.is_zero() {
                        " (or pass --lock-wait 5m to wait for it)"
                    } else {
                        ""
                    }
                )));
            }
            if !last_seen
                .as_ref()
                .is_some_and(|seen| seen.same_holder(&holder))
            {
                waiting(&holder);
                last_seen = Some(holder);
            }
            tokio::time::sleep(pause.min(wait - elapsed)).await;
            pause = (pause * 2).min(WAIT_POLL_MAX);
        }
    }

    /// The stack's lock and what is known of its holder; `None` when free.
    pub fn lock_status(&self, stack: &str) -> Result<Option<(LockInfo, Holder)>, EngineError> {
        let holder = self.store.lock_holder(&self.key(stack))?;
        Ok(holder.map(|h| {
            let judged = judge(&h, &hostname());
            (h, judged)
        }))
    }

    /// Releases the stack's lock if `holder` still holds it (`false` when
    /// it changed since it was read). Refuses while the holder runs here.
    pub fn release_lock(&self, stack: &str, holder: &LockInfo) -> Result<bool, EngineError> {
        if judge(holder, &hostname()) == Holder::Running {
            return Err(EngineError::Refused(format!(
                "stack {} is locked by {}, which is still running; wait for it to finish or stop it first",
                self.key(stack),
                describe(holder)
            )));
        }
        Ok(self.store.release_lock(&self.key(stack), holder)?)
    }
}

/// [`Project::lock`] for any stack and environment of `store`.
pub(crate) fn lock_stack(
    store: &Arc<dyn StateStore>,
    key: StackKey,
    operation: &str,
) -> Result<LockGuard, EngineError> {
    let info = LockInfo {
        pid: std::process::id(),
        host: hostname(),
        started_at: crate::sys::now(),
        operation: operation.to_string(),
        lease: None,
    };
    let mut taken_over = None;
    loop {
        let holder = match store.lock(&key, &info) {
            Ok(()) => break,
            Err(StateError::Locked { holder, .. }) => *holder,
            Err(e) => return Err(e.into()),
        };
        match judge(&holder, &info.host) {
            Holder::Gone(reason) => {
                if store.take_over_lock(&key, &holder, &info)? {
                    taken_over = Some(Takeover {
                        stack: key.clone(),
                        previous: holder,
                        reason,
                    });
                    break;
                }
                // Someone else released or took it meanwhile: try again.
            }
            Holder::Running | Holder::Unknown(_) => {
                return Err(StateError::Locked {
                    key,
                    holder: Box::new(holder),
                }
                .into());
            }
        }
    }
    Ok(LockGuard {
        store: Arc::clone(store),
        key,
        info,
        taken_over,
    })
}
