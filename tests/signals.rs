//! SIGTERM during up: no new step starts, the step in flight finishes and is
//! recorded, the exit code is 130, and the next up converges.

mod common;

use std::time::{Duration, Instant};

use common::Project;

const STACK: &str = r#"
[resources.slow]
type = "std:Sleep"
create_duration = "1500ms"

[resources.after]
type = "std:Data"
input = "${slow.id}"
"#;

#[test]
fn sigterm_finishes_steps_in_flight_and_starts_no_new_ones() {
    let p = Project::new();
    p.stack("demo", STACK);
    let child = p.spawn(&["up", "demo", "--yes"]);
    let pid = child.id() as i32;
    // Wait until the slow step is in flight: its intent is in the state.
    let start = Instant::now();
    loop {
        let pending: i64 = if p.state_path().exists() {
            p.db()
                .query_row("SELECT count(*) FROM pending_ops", [], |r| r.get(0))
                .unwrap_or(0)
        } else {
            0
        };
        if pending > 0 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the sleep never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let out = child.wait_with_output().expect("wait for skistack");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupt"), "{stderr}");
    assert_eq!(
        p.recorded("demo", "default"),
        ["slow"],
        "the step in flight was recorded, the next never started"
    );
    let history = p.run(&["history", "demo"]);
    history.ok().contains("interrupted");
    p.up("demo");
    assert_eq!(p.recorded("demo", "default"), ["after", "slow"]);
}
