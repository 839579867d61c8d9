//! The short version of `scripts/chaos`: four trials with a fixed seed, each
//! killing `up` or `destroy` of the ceros-ski stacks with SIGKILL at a
//! random moment against moto, then checking that the next up leaves every
//! logical resource exactly once, nothing untracked, and a sound state.

use std::process::Command;

use skistack_test_support::repo_root;

use super::moto;

#[test]
fn killed_runs_converge_with_no_duplicates_and_no_orphans() {
    let moto = moto();
    let out = Command::new("python3")
        .arg(repo_root().join("scripts/chaos"))
        .args(["--trials", "4", "--seed", "5", "--destroy-share", "0.5"])
        .args(["--endpoint", &moto.endpoint])
        .args(["--bin", env!("CARGO_BIN_EXE_skistack")])
        .output()
        .expect("run scripts/chaos");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report = format!("--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert!(out.status.success(), "scripts/chaos failed:\n{report}");
    assert!(stdout.contains("trials: 4 "), "{report}");
    for line in [
        "duplicates found: 0",
        "orphans found: 0",
        "missing from the cloud: 0",
        "failed checks: 0",
    ] {
        assert!(stdout.contains(line), "expected {line:?}:\n{report}");
    }
    // The trials did interrupt something: at least one run was killed.
    assert!(
        !stdout.contains("(kills during up: 0, during destroy: 0,"),
        "{report}"
    );
}
