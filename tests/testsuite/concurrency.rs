//! Parallel steps and the per-stack lock. Parallelism is read from the
//! order of the progress lines (how many steps were in flight at once) and
//! lock holders are held at a gate, so no check depends on how fast the
//! machine is.

use skistack_test_support::cli::Project;
use skistack_test_support::{Gate, poll};

use crate::BIN;

#[test]
fn a_fan_out_of_sleeps_runs_in_parallel() {
    let p = Project::new(BIN);
    let mut text = String::from("[resources.root]\ntype = \"std:Data\"\ninput = \"go\"\n");
    for i in 0..50 {
        text.push_str(&format!(
            "\n[resources.nap{i}]\ntype = \"std:Sleep\"\ncreate_duration = \"200ms\"\ntriggers = \"${{root.output}}\"\n"
        ));
    }
    p.stack("fan", &text);
    let r = p.up("fan");
    r.contains("51 created");
    // In sequence one sleep would start only once the previous one ended;
    // in parallel (default 32 at once) many are in flight together. More
    // than the 2 of `--parallel 2` below tells the two apart.
    let most = r.max_steps_in_flight();
    assert!(
        most > 2,
        "at most {most} of 50 independent sleeps were in flight at once:\n{r}"
    );
    assert_eq!(p.recorded("fan", "default").len(), 51);

    // --parallel bounds it: never more than 2 steps in flight.
    let small: String = text
        .split("\n[resources.nap10]")
        .next()
        .unwrap_or_default()
        .to_string();
    p.stack("fan", &small);
    p.up("fan");
    p.run(&["destroy", "fan", "--yes"]).ok();
    let bounded = p.run(&["up", "fan", "--yes", "--parallel", "2"]);
    bounded.ok().contains("11 created");
    let most = bounded.max_steps_in_flight();
    assert!(
        (1..=2).contains(&most),
        "10 sleeps with --parallel 2 had {most} steps in flight at once:\n{bounded}"
    );
}

/// Waits until the state file shows a lock on `stack`; returns its pid.
fn wait_for_lock(p: &Project, stack: &str) -> u32 {
    poll::until("the first up to take the lock", || p.lock_holder(stack))
}

#[test]
fn a_second_up_of_a_locked_stack_fails_at_once_naming_the_holder() {
    let p = Project::new(BIN);
    let gate = Gate::new(p.root(), "slow");
    p.stack("slow", &gate.held_stack());
    // Create the state file first, so the two processes don't race to create it.
    p.run(&["validate"]).ok();
    p.run(&["config", "list", "slow"]).ok();

    let first = p.spawn(&["up", "slow", "--yes"]);
    let holder = wait_for_lock(&p, "slow");
    assert_eq!(holder, first.id(), "the lock names the first process");

    let second = p.run(&["up", "slow", "--yes"]);
    second.expect_code(1).contains(&format!("pid {holder}"));
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    if !host.trim().is_empty() {
        second.contains(host.trim());
    }
    // At once: it never waited for the lock, and ended while the first up,
    // held at the gate, still held it.
    second.lacks("waiting up to");
    assert_eq!(
        p.lock_holder("slow"),
        Some(holder),
        "the second up ended while the first still held the lock"
    );
    // A destroy is refused the same way.
    p.run(&["destroy", "slow", "--yes"])
        .expect_code(1)
        .contains(&format!("pid {holder}"))
        .lacks("waiting up to");

    gate.open();
    let out = first.wait_with_output().expect("wait for the first up");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        p.recorded("slow", "default"),
        ["after", "wait"],
        "the first up applied everything"
    );

    // The lock is released once the first up ends.
    let locks: i64 = p
        .db()
        .query_row("SELECT count(*) FROM locks", [], |r| r.get(0))
        .expect("count locks");
    assert_eq!(locks, 0);
    p.run(&["preview", "slow", "--expect-no-changes"]).ok();
    p.up("slow").contains("No changes.");
}

#[test]
fn other_stacks_are_not_blocked_by_a_lock() {
    let p = Project::new(BIN);
    let gate = Gate::new(p.root(), "slow");
    p.stack("slow", &gate.held_stack());
    p.stack("quick", "[resources.a]\ntype = \"std:Data\"\ninput = 1\n");
    p.run(&["config", "list", "slow"]).ok();
    let mut first = p.spawn(&["up", "slow", "--yes"]);
    let holder = wait_for_lock(&p, "slow");
    // The quick stack's up runs to the end while the slow one, held at the
    // gate, still holds its lock: it did not wait for it.
    p.up("quick").lacks("waiting up to");
    assert_eq!(p.recorded("quick", "default"), ["a"]);
    assert_eq!(
        p.lock_holder("slow"),
        Some(holder),
        "another stack's up ended while the slow stack was still locked"
    );
    gate.open();
    assert_eq!(first.wait().expect("wait for the first up").code(), Some(0));
}
