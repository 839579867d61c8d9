//! Parallel steps and the per-stack lock.

mod common;

use std::time::{Duration, Instant};

use common::Project;

#[test]
fn a_fan_out_of_sleeps_runs_in_parallel() {
    let p = Project::new();
    let mut text = String::from("[resources.root]\ntype = \"std:Data\"\ninput = \"go\"\n");
    for i in 0..50 {
        text.push_str(&format!(
            "\n[resources.nap{i}]\ntype = \"std:Sleep\"\ncreate_duration = \"200ms\"\ntriggers = \"${{root.output}}\"\n"
        ));
    }
    p.stack("fan", &text);
    let r = p.up("fan");
    r.contains("51 created");
    // In sequence this takes 50 × 200 ms = 10 s; in parallel (default 32 at
    // once) about 2 × 200 ms plus start-up. The bound checks parallelism,
    // not speed, so it leaves room for a slow machine.
    assert!(
        r.elapsed < Duration::from_secs(5),
        "50 sleeps of 200 ms took {:?}",
        r.elapsed
    );
    assert_eq!(p.recorded("fan", "default").len(), 51);

    // --parallel bounds it: 2 at once takes at least 25 × 200 ms = 5 s. Use
    // a smaller fan-out to keep the test fast: 10 sleeps, 2 at once, ≥ 1 s.
    let small: String = text
        .split("\n[resources.nap10]")
        .next()
        .unwrap_or_default()
        .to_string();
    p.stack("fan", &small);
    p.up("fan");
    p.run(&["destroy", "fan", "--yes"]).ok();
    let start = Instant::now();
    p.run(&["up", "fan", "--yes", "--parallel", "2"])
        .ok()
        .contains("11 created");
    let bounded = start.elapsed();
    assert!(
        bounded >= Duration::from_millis(1000),
        "10 sleeps of 200 ms, 2 at once, took only {bounded:?}"
    );
}

/// Waits until the state file shows a lock on `stack`; returns its pid.
fn wait_for_lock(p: &Project, stack: &str) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if p.state_path().exists() {
            let held = p
                .db()
                .query_row("SELECT pid FROM locks WHERE stack = ?1", [stack], |r| {
                    r.get::<_, u32>(0)
                });
            if let Ok(pid) = held {
                return pid;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the first up never took the lock");
}

#[test]
fn a_second_up_of_a_locked_stack_fails_at_once_naming_the_holder() {
    let p = Project::new();
    p.stack(
        "slow",
        "[resources.wait]\ntype = \"std:Sleep\"\ncreate_duration = \"3s\"\n\n[resources.after]\ntype = \"std:Data\"\ninput = \"${wait.id}\"\n",
    );
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
    assert!(
        second.elapsed < Duration::from_secs(2),
        "the second up waited {:?} instead of failing at once",
        second.elapsed
    );
    // A destroy is refused the same way.
    p.run(&["destroy", "slow", "--yes"])
        .expect_code(1)
        .contains(&format!("pid {holder}"));

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
    let p = Project::new();
    p.stack(
        "slow",
        "[resources.wait]\ntype = \"std:Sleep\"\ncreate_duration = \"3s\"\n",
    );
    p.stack("quick", "[resources.a]\ntype = \"std:Data\"\ninput = 1\n");
    p.run(&["config", "list", "slow"]).ok();
    let mut first = p.spawn(&["up", "slow", "--yes"]);
    wait_for_lock(&p, "slow");
    let quick = p.up("quick");
    assert!(
        quick.elapsed < Duration::from_secs(2),
        "another stack waited {:?}",
        quick.elapsed
    );
    assert_eq!(first.wait().expect("wait for the first up").code(), Some(0));
}
