//! Waiting for something that must eventually happen (a lock taken, a step
//! in flight), by polling. The time limit only keeps a broken build from
//! hanging the suite: it is far above anything a run needs, and no test
//! uses it to measure speed.

use std::time::{Duration, Instant};

/// How long [`until`] polls before it gives up.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// How often [`until`] checks.
const INTERVAL: Duration = Duration::from_millis(20);

/// Calls `check` until it returns a value, and returns it; panics naming
/// `what` if that has not happened within [`PATIENCE`].
#[track_caller]
pub fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check() {
            return value;
        }
        if Instant::now() > deadline {
            panic!("gave up after {PATIENCE:?} waiting for {what}");
        }
        std::thread::sleep(INTERVAL);
    }
}
