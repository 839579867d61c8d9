//! Whether a process of this host is still running, read from `/proc`
//! (Linux). Lock holders are judged with it.

use std::path::Path;

/// Process times in `/proc` are in USER_HZ ticks, which Linux fixes at 100
/// on every architecture Rust targets (it is part of the kernel's ABI, not
/// the kernel's internal tick rate).
const USER_HZ: i64 = 100;

/// What `/proc` says about a process id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessState {
    /// A process with this id is running; when it started (unix seconds,
    /// to about a second) if `/proc` tells.
    Running { started_at: Option<i64> },
    /// No process has this id, or only a zombie (exited, not yet reaped).
    Exited,
    /// This system has no `/proc` to ask.
    Unknown,
}

/// Looks a process up in `/proc`.
pub fn inspect(pid: u32) -> ProcessState {
    inspect_in(Path::new("/proc"), pid)
}

fn inspect_in(proc_root: &Path, pid: u32) -> ProcessState {
    if !proc_root.join("self").exists() {
        return ProcessState::Unknown;
    }
    let stat = match std::fs::read_to_string(proc_root.join(pid.to_string()).join("stat")) {
        Ok(stat) => stat,
        // The process vanished (or never was); both mean it is not running.
        Err(_) if !proc_root.join(pid.to_string()).exists() => return ProcessState::Exited,
        // It exists but can't be read (hidepid): running, start unknown.
        Err(_) => return ProcessState::Running { started_at: None },
    };
    let Some(fields) = parse_stat(&stat) else {
        return ProcessState::Running { started_at: None };
    };
    if matches!(fields.state, 'Z' | 'X' | 'x') {
        return ProcessState::Exited;
    }
    let started_at = boot_time(proc_root).map(|boot| boot + fields.start_ticks / USER_HZ);
    ProcessState::Running { started_at }
}

/// The fields of `/proc/PID/stat` that matter here.
#[derive(Debug, PartialEq, Eq)]
struct StatFields {
    state: char,
    /// Start time in ticks since boot.
    start_ticks: i64,
}

/// Parses `/proc/PID/stat`. The command name (field 2) is in parentheses
/// and may itself hold spaces and parentheses, so fields are counted from
/// the last `)`.
fn parse_stat(stat: &str) -> Option<StatFields> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: field 3 (state) is at index 0, field 22 (starttime) at 19.
    let state = fields.first()?.chars().next()?;
    let start_ticks = fields.get(19)?.parse().ok()?;
    Some(StatFields { state, start_ticks })
}

/// When the system booted (unix seconds), from `/proc/stat`.
fn boot_time(proc_root: &Path) -> Option<i64> {
    let stat = std::fs::read_to_string(proc_root.join("stat")).ok()?;
    stat.lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_parse_even_with_odd_command_names() {
        let line = "4242 (sk (i) stack) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 98765 1000 10 0 0 0 0";
        assert_eq!(
            parse_stat(line),
            Some(StatFields {
                state: 'S',
                start_ticks: 98765
            })
        );
        assert_eq!(parse_stat("12 (short) R 1 2"), None);
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn this_process_runs_and_started_before_now() {
        if !Path::new("/proc/self").exists() {
            return; // Not Linux: nothing to check.
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        match inspect(std::process::id()) {
            ProcessState::Running {
                started_at: Some(t),
            } => assert!(t <= now + 1 && t > now - 24 * 3600, "{t} vs {now}"),
            other => panic!("this process: {other:?}"),
        }
    }

    #[test]
    fn a_reaped_child_and_a_zombie_have_exited() {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        // Until it is reaped the child is a zombie once it has exited.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while inspect(pid) != ProcessState::Exited {
            assert!(std::time::Instant::now() < deadline, "{:?}", inspect(pid));
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        child.wait().unwrap();
        assert_eq!(inspect(pid), ProcessState::Exited);
    }

    #[test]
    fn without_proc_nothing_is_known() {
        let dir = std::env::temp_dir().join("skistack-no-proc-here");
        assert_eq!(inspect_in(&dir, 1), ProcessState::Unknown);
    }
}
