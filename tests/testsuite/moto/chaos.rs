//! The short versions of `scripts/chaos`: four trials with a fixed seed, each
//! killing `up` or `destroy` of the ceros-ski stacks with SIGKILL at a
//! random moment against moto, then checking that the next up leaves every
//! logical resource exactly once, nothing untracked, and a sound state; and
//! the window sweep over the calls issue 9 names.

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

/// The short version of `scripts/chaos --windows`: the windows issue 9
/// names, each a kill while that one request is held, the request then
/// landing at once, late (just before the next run repeats it, or within
/// the landing window for a create) and, for a create without a token,
/// after the next run made the resource again.
#[test]
fn kills_while_chosen_requests_are_held_converge_exactly() {
    let moto = moto();
    let only = "CreateVpc,CreateSubnet,AttachInternetGateway,AuthorizeSecurityGroupIngress,\
                AddRoleToInstanceProfile,DetachInternetGateway,RemoveRoleFromInstanceProfile";
    let out = Command::new("python3")
        .arg(repo_root().join("scripts/chaos"))
        .args(["--windows", "--scenario", "up,destroy", "--only", only])
        .args(["--endpoint", &moto.endpoint])
        .args(["--bin", env!("CARGO_BIN_EXE_skistack")])
        .output()
        .expect("run scripts/chaos --windows");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report = format!("--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert!(
        out.status.success(),
        "scripts/chaos --windows failed:\n{report}"
    );
    // Every window was reached, in both scenarios, with each verdict.
    for line in [
        "CreateVpc #1 land",
        "CreateVpc #1 late",
        "CreateVpc #1 after",
        "AttachInternetGateway #1 late",
        "AuthorizeSecurityGroupIngress #1 late",
        "AddRoleToInstanceProfile #1 late",
        "DetachInternetGateway #1 late",
        "RemoveRoleFromInstanceProfile #1 late",
        "windows tried: 16 (not reached: 0;",
        "divergences found: 0",
        "duplicates found: 0",
        "orphans found: 0",
        "missing from the cloud: 0",
        "failed windows: 0",
    ] {
        assert!(stdout.contains(line), "expected {line:?}:\n{report}");
    }
}
