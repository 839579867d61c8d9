//! Facts about the machine the engine runs on: the clock, the host name,
//! other processes (for stale locks) and the failpoints that crash tests
//! set. Kept apart so that the layers above read them in one way only.

pub mod failpoint;
mod process;

pub use process::{ProcessState, inspect as inspect_process};

/// Seconds since the Unix epoch; 0 if the clock is before it (records then
/// sort first, which is harmless).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// This machine's host name, for lock records.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_string())
}
