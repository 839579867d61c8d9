//! SIGTERM during up: no new step starts, the step in flight finishes and is
//! recorded, the exit code is 130, and the next up converges. The step in
//! flight is held at a gate until the run has taken the signal in, so the
//! order of events never depends on the machine's speed.

use skistack_test_support::cli::Project;
use skistack_test_support::{Gate, poll};

use crate::BIN;

/// `slow`, held at the gate, then `after`, which depends on it.
fn stack(gate: &Gate) -> String {
    format!(
        r#"
[resources.slow]
type = "std:Command"
create = "{}"

[resources.after]
type = "std:Data"
input = "${{slow.id}}"
"#,
        gate.wait_script()
    )
}

#[test]
fn sigterm_finishes_steps_in_flight_and_starts_no_new_ones() {
    let p = Project::new(BIN);
    let gate = Gate::new(p.root(), "slow");
    p.stack("demo", &stack(&gate));
    let mut child = p.start(&["up", "demo", "--yes"]);
    let pid = child.id() as i32;
    // Wait until the slow step is in flight: its intent is in the state.
    poll::until("the slow step to start", || {
        let pending: i64 = if p.state_path().exists() {
            p.db()
                .query_row("SELECT count(*) FROM pending_ops", [], |r| r.get(0))
                .unwrap_or(0)
        } else {
            0
        };
        (pending > 0).then_some(())
    });
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    // Let the step finish once the run has said it starts nothing new.
    child.wait_for_stderr("interrupt: no new steps will start");
    gate.open();
    let out = child.finish();
    assert_eq!(out.code, Some(130), "{out}");
    assert!(out.stderr.contains("interrupt"), "{out}");
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
