//! Stack locks through the binary: a lock left by a killed process is taken
//! over with a warning, a live holder fails a second run at once (or is
//! waited for with --lock-wait), `skistack unlock` releases stale locks
//! only, and disjoint stacks never wait for each other. Live holders are
//! held at a gate for as long as a test needs them, so no check depends on
//! how fast the machine is. (That `--lock-wait 500ms` waits that long is a
//! timing claim: `scripts/bench-timing` measures it.)

use std::process::Child;

use skistack_test_support::cli::Project;
use skistack_test_support::{Gate, poll};

use crate::BIN;

/// A stack whose up takes `secs` seconds.
fn slow_stack(secs: u32) -> String {
    format!(
        "[resources.wait]\ntype = \"std:Sleep\"\ncreate_duration = \"{secs}s\"\n\n\
         [resources.after]\ntype = \"std:Data\"\ninput = \"${{wait.id}}\"\n"
    )
}

/// This machine's host name as skistack records it.
fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// A project with the state file already created, so that processes
/// started together don't race to create it.
fn project_with(stack: &str, text: &str) -> Project {
    let p = Project::new(BIN);
    p.stack(stack, text);
    p.run(&["config", "list", stack]).ok();
    p
}

/// Waits until `stack`'s lock names `pid`.
fn wait_for_lock(p: &Project, stack: &str, pid: u32) {
    poll::until(
        &format!("process {pid} to take the lock of {stack}"),
        || (p.lock_holder(stack) == Some(pid)).then_some(()),
    );
}

/// Writes a lock row as another process would have left it.
fn plant_lock(p: &Project, stack: &str, pid: u32, host: &str, started_at: i64) {
    let db = rusqlite::Connection::open(p.state_path()).expect("open the state file");
    db.execute(
        "INSERT INTO locks (stack, env, pid, host, started_at, operation) VALUES (?1, 'default', ?2, ?3, ?4, 'up')",
        rusqlite::params![stack, pid, host, started_at],
    )
    .expect("plant a lock");
}

fn locks(p: &Project) -> i64 {
    p.db()
        .query_row("SELECT count(*) FROM locks", [], |r| r.get(0))
        .expect("count locks")
}

fn kill9(child: &Child) {
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGKILL);
    }
}

/// Waits for `child` and asserts it succeeded.
fn succeeded(child: Child) {
    let out = child.wait_with_output().expect("wait for skistack");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_lock_left_by_a_killed_up_is_taken_over_with_a_warning() {
    let p = project_with("slow", &slow_stack(30));
    let mut first = p.spawn(&["up", "slow", "--yes"]);
    let pid = first.id();
    wait_for_lock(&p, "slow", pid);
    kill9(&first);
    // Not reaped yet: the killed process is a zombie, which is just as gone.
    std::thread::sleep(std::time::Duration::from_millis(200));

    p.stack("slow", &slow_stack(0));
    let second = p.up("slow");
    second
        .contains(&format!(
            "warning: took over the lock of stack slow left by pid {pid} on {}",
            host()
        ))
        .contains(&format!("process {pid} no longer exists"))
        // Taken over at once, not waited for.
        .lacks("waiting up to");
    assert_eq!(p.recorded("slow", "default"), ["after", "wait"]);
    assert_eq!(locks(&p), 0, "the lock is released after the run");
    first.wait().expect("reap the killed up");
    p.up("slow").lacks("warning");
}

#[test]
fn a_live_holder_fails_a_second_up_at_once_naming_pid_host_and_start() {
    let p = Project::new(BIN);
    let gate = Gate::new(p.root(), "slow");
    p.stack("slow", &gate.held_stack());
    p.run(&["config", "list", "slow"]).ok();
    let first = p.spawn(&["up", "slow", "--yes"]);
    let pid = first.id();
    wait_for_lock(&p, "slow", pid);
    let second = p.run(&["up", "slow", "--yes"]);
    second
        .expect_code(1)
        .contains(&format!(
            "stack slow is locked by pid {pid} on {} (up, since ",
            host()
        ))
        .contains(" UTC)")
        .contains("--lock-wait")
        .lacks("took over")
        // At once: no wait, and the holder, held at the gate, still holds it.
        .lacks("waiting up to");
    assert_eq!(p.lock_holder("slow"), Some(pid));
    gate.open();
    succeeded(first);
}

#[test]
fn lock_wait_waits_for_the_holder_and_then_runs() {
    let p = Project::new(BIN);
    let gate = Gate::new(p.root(), "slow");
    p.stack("slow", &gate.held_stack());
    p.run(&["config", "list", "slow"]).ok();
    let first = p.spawn(&["up", "slow", "--yes"]);
    let pid = first.id();
    wait_for_lock(&p, "slow", pid);

    // Too short a wait gives up, saying how long it waited.
    let impatient = p.run(&["up", "slow", "--yes", "--lock-wait", "500ms"]);
    impatient
        .expect_code(1)
        .contains(&format!("locked by pid {pid}"))
        .contains("after waiting 500ms")
        // It did wait (the zero-wait refusal prints no such line) while the
        // holder, held at the gate, kept the lock.
        .contains(&format!(
            "waiting up to 500ms for the lock of stack slow, held by pid {pid}"
        ));
    assert_eq!(p.lock_holder("slow"), Some(pid));

    // A longer wait sees the holder finish: the gate opens only once this
    // run says it is waiting.
    let mut patient = p.start(&["up", "slow", "--yes", "--lock-wait", "45s"]);
    patient.wait_for_stderr("waiting up to 45s");
    gate.open();
    let patient = patient.finish();
    patient
        .ok()
        .contains(&format!(
            "waiting up to 45s for the lock of stack slow, held by pid {pid}"
        ))
        .contains("No changes.");
    let first_done = first.wait_with_output().expect("wait for the first up");
    assert_eq!(first_done.status.code(), Some(0));
    // The environment variable does the same for every command.
    let destroy = p
        .command(&["destroy", "slow", "--yes"])
        .env("SKISTACK_LOCK_WAIT", "5s")
        .output()
        .expect("run destroy");
    assert_eq!(destroy.status.code(), Some(0));
    assert!(p.recorded("slow", "default").is_empty());
}

#[test]
fn unlock_releases_stale_locks_and_refuses_a_live_one() {
    let p = Project::new(BIN);
    let gate = Gate::new(p.root(), "slow");
    p.stack("slow", &gate.held_stack());
    p.run(&["config", "list", "slow"]).ok();
    p.run(&["unlock", "slow"])
        .ok()
        .contains("Stack slow is not locked.");

    // A lock from another host: nothing here can tell if it still runs.
    plant_lock(&p, "slow", 4242, "build-7", 1_700_000_000);
    p.run(&["up", "slow", "--yes"])
        .expect_code(1)
        .contains("locked by pid 4242 on build-7 (up, since 2023-11-14 22:13:20 UTC)");
    p.run(&["unlock", "slow"])
        .expect_code(1)
        .contains("skistack can only check processes of this host")
        .contains("pass --yes");
    assert_eq!(locks(&p), 1, "refused without confirmation");
    p.run(&["unlock", "slow", "--yes"])
        .ok()
        .contains("Released the lock of stack slow.");
    assert_eq!(locks(&p), 0);

    // A lock of this host whose process is gone.
    let mut gone = std::process::Command::new("true")
        .spawn()
        .expect("run true");
    let gone_pid = gone.id();
    gone.wait().expect("reap true");
    plant_lock(&p, "slow", gone_pid, &host(), 1_700_000_000);
    p.run(&["unlock", "slow", "--yes"])
        .ok()
        .contains(&format!("process {gone_pid} no longer exists"));
    assert_eq!(locks(&p), 0);

    // A live holder is not unlocked.
    let first = p.spawn(&["up", "slow", "--yes"]);
    wait_for_lock(&p, "slow", first.id());
    p.run(&["unlock", "slow", "--yes"])
        .expect_code(1)
        .contains("which is still running on this host");
    assert_eq!(locks(&p), 1);
    gate.open();
    succeeded(first);
}

#[test]
fn a_lock_whose_pid_was_reused_is_taken_over() {
    let p = project_with("quick", "[resources.a]\ntype = \"std:Data\"\ninput = 1\n");
    // This test process is alive, but it started long after 2023: it can't
    // be the process that took a lock then.
    plant_lock(&p, "quick", std::process::id(), &host(), 1_700_000_000);
    p.up("quick")
        .contains("warning: took over the lock of stack quick")
        .contains("the pid was reused");
}

#[test]
fn disjoint_stacks_run_at_the_same_time() {
    // A rendezvous: each up opens its own gate, then waits at the other's.
    // Both can succeed only if both ran at the same time; one after the
    // other, the first would wait in vain and fail.
    let p = Project::new(BIN);
    let (gate_one, gate_two) = (Gate::new(p.root(), "one"), Gate::new(p.root(), "two"));
    let meeting = |mine: &Gate, theirs: &Gate| {
        format!(
            "[resources.wait]\ntype = \"std:Command\"\ncreate = \"{}; {}\"\n\n\
             [resources.after]\ntype = \"std:Data\"\ninput = \"${{wait.id}}\"\n",
            mine.open_script(),
            theirs.wait_script()
        )
    };
    p.stack("one", &meeting(&gate_one, &gate_two));
    p.stack("two", &meeting(&gate_two, &gate_one));
    p.run(&["config", "list", "one"]).ok();
    let one = p.spawn(&["up", "one", "--yes"]);
    let two = p.spawn(&["up", "two", "--yes"]);
    succeeded(one);
    succeeded(two);
    assert_eq!(p.recorded("one", "default"), ["after", "wait"]);
    assert_eq!(p.recorded("two", "default"), ["after", "wait"]);
}
