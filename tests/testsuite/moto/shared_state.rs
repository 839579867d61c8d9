//! The state in S3 (moto's), through the binary: the std lifecycle on
//! `--state s3://...` with another machine sharing it, no secret in any
//! object, two runs racing for one stack (one fails naming the holder)
//! while another stack runs beside them, a run killed mid-up whose lock
//! lapses after its lease and whose interrupted step the next run
//! recovers, and locations that are not a skistack state refused.
//!
//! "Machines" are project directories of their own (their own stacks
//! copy, key file and working directory) sharing the bucket.

use std::time::Duration;

use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use skistack_test_support::{Gate, Project, poll};

use super::{Aws, moto};
use crate::BIN;
use crate::secrets::{STACK, TOKEN, deployed};

const BUCKET: &str = "ceros-ski-state";
const URL: &str = "s3://ceros-ski-state/team?region=us-east-1";
const PASSPHRASE: [(&str, &str); 1] = [("SKISTACK_PASSPHRASE", "correct horse battery")];
const WITH: [&str; 2] = ["--secrets-provider", "passphrase"];

async fn bucket(aws: &Aws, versioned: bool) {
    aws.s3
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("S3 CreateBucket");
    if versioned {
        aws.s3
            .put_bucket_versioning()
            .bucket(BUCKET)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .expect("S3 PutBucketVersioning");
    }
}

/// Every object of the bucket, every version of it, by key.
async fn every_object(aws: &Aws) -> Vec<(String, Vec<u8>)> {
    let versions = aws
        .s3
        .list_object_versions()
        .bucket(BUCKET)
        .send()
        .await
        .expect("S3 ListObjectVersions");
    let mut out = Vec::new();
    for v in versions.versions() {
        let key = v.key().expect("a key").to_string();
        let object = aws
            .s3
            .get_object()
            .bucket(BUCKET)
            .key(&key)
            .set_version_id(v.version_id().map(str::to_string))
            .send()
            .await
            .expect("S3 GetObject");
        let body = object.body.collect().await.expect("a body").into_bytes();
        out.push((key, body.to_vec()));
    }
    out
}

fn machine(endpoint: &str) -> Project {
    Project::aws(BIN, endpoint).with_state(URL)
}

/// `args` with the passphrase provider, on `p`.
fn run(p: &Project, args: &[&str]) -> skistack_test_support::Run {
    let mut all = WITH.to_vec();
    all.extend_from_slice(args);
    p.run_env(&all, &PASSPHRASE)
}

#[tokio::test]
async fn the_lifecycle_runs_on_a_state_in_s3_that_another_machine_shares() {
    let moto = moto();
    let aws = Aws::connect(&moto).await;
    bucket(&aws, true).await;
    let a = machine(&moto.endpoint);
    let password = deployed(&a, &WITH, &PASSPHRASE);
    for (key, body) in every_object(&aws).await {
        for secret in [TOKEN, password.as_str()] {
            assert!(
                !body.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in s3://{BUCKET}/{key}"
            );
        }
    }
    // The run ended with one snapshot, not a journal entry per step (the
    // entries it replaced are old versions now), and released its lock.
    let keys: Vec<String> = (aws.s3.list_objects_v2().bucket(BUCKET).send().await)
        .expect("S3 ListObjectsV2")
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect();
    assert!(
        keys.iter()
            .any(|k| k.starts_with("team/stacks/sec/default/snapshot/")),
        "{keys:?}"
    );
    assert!(
        !keys
            .iter()
            .any(|k| k.ends_with("lock.json") || k.contains("/journal/")),
        "{keys:?}"
    );

    let b = machine(&moto.endpoint);
    b.stack("sec", STACK);
    let shown = run(&b, &["outputs", "sec", "--json", "--show-secrets"])
        .ok()
        .json();
    assert_eq!(shown["password"], password.as_str());
    let plan = run(&b, &["preview", "sec", "--json"]).ok().json();
    for address in ["pw", "derived"] {
        assert_eq!(skistack_test_support::cli::action(&plan, address), "same");
    }
    run(&b, &["history", "sec"]).ok().contains("up");
    // Destroying every deployed stack lists the state's stacks.
    run(&b, &["destroy", "--yes"]).ok().contains("deleted pw");
    run(&a, &["outputs", "sec"]).contains("not deployed");
}

/// A stack held at `gate` while it runs, then one quick resource.
fn held(gate: &Gate) -> String {
    gate.held_stack()
}

/// Waits until the lock object of `stack` exists.
async fn wait_for_lock(aws: &Aws, stack: &str) {
    let key = format!("team/stacks/{stack}/default/lock.json");
    for _ in 0..600 {
        let found = aws.s3.head_object().bucket(BUCKET).key(&key).send().await;
        if found.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no lock object {key} appeared");
}

#[tokio::test]
async fn of_two_runs_on_one_stack_one_fails_naming_the_holder_while_other_stacks_run() {
    let moto = moto();
    let aws = Aws::connect(&moto).await;
    bucket(&aws, true).await;
    let a = machine(&moto.endpoint);
    let b = machine(&moto.endpoint);
    let gate = Gate::new(a.root(), "slow");
    a.stack("slow", &held(&gate));
    b.stack("slow", &held(&gate));
    b.stack("quick", "[resources.x]\ntype = \"std:Data\"\ninput = 1\n");
    let first = a.spawn(&["up", "slow", "--yes"]);
    let pid = first.id();
    wait_for_lock(&aws, "slow").await;

    b.run(&["up", "slow", "--yes"])
        .expect_code(1)
        .contains(&format!("stack slow is locked by pid {pid} on "))
        .contains("heartbeat")
        .lacks("took over");
    // Another stack of the same state does not wait for it.
    b.up("quick");
    gate.open();
    let out = first.wait_with_output().expect("wait for the first up");
    skistack_test_support::Run::from_output(&["up", "slow", "--yes"], out).ok();
    let listed = b.run(&["state", "list", "slow"]).ok().all();
    assert!(
        listed.contains("wait") && listed.contains("after"),
        "{listed}"
    );
    b.run(&["state", "list", "quick"]).ok().contains("x");
}

#[tokio::test]
async fn a_killed_run_leaves_a_lock_that_lapses_after_its_lease_and_is_recovered() {
    let moto = moto();
    let aws = Aws::connect(&moto).await;
    bucket(&aws, true).await;
    let p = machine(&moto.endpoint);
    let lease = [("SKISTACK_LOCK_LEASE", "3s")];
    p.stack(
        "slow",
        "[resources.first]\ntype = \"std:Data\"\ninput = 1\n\n\
         [resources.wait]\ntype = \"std:Sleep\"\ncreate_duration = \"60s\"\n\
         triggers = \"${first.output}\"\n",
    );
    let mut child = p
        .command(&["up", "slow", "--yes"])
        .envs(lease)
        .spawn()
        .expect("start up");
    wait_for_lock(&aws, "slow").await;
    // Killed once `first` is recorded and `wait` has begun.
    poll::until("the first step to be recorded", || {
        let listed = p.run(&["state", "list", "slow"]).all();
        listed.contains("first").then_some(())
    });
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGKILL);
    }
    child.wait().expect("reap the killed up");
    p.stack(
        "slow",
        "[resources.first]\ntype = \"std:Data\"\ninput = 1\n\n\
         [resources.wait]\ntype = \"std:Sleep\"\ncreate_duration = \"0s\"\n\
         triggers = \"${first.output}\"\n",
    );
    // While the lease runs, the lock holds.
    p.run_env(&["up", "slow", "--yes"], &lease)
        .expect_code(1)
        .contains("locked by");
    let second = poll::until("the killed run's lease to lapse", || {
        std::thread::sleep(Duration::from_millis(500));
        let r = p.run_env(&["up", "slow", "--yes"], &lease);
        r.all().contains("took over the lock").then_some(r)
    });
    second
        .ok()
        .contains("its heartbeat stopped")
        .contains("longer than its lease of 3 s");
    let listed = p.run(&["state", "list", "slow"]).ok().all();
    assert!(
        listed.contains("first") && listed.contains("wait"),
        "{listed}"
    );
    p.run(&["preview", "slow"])
        .ok()
        .contains("0 to create, 0 to update, 0 to replace, 0 to delete, 2 unchanged");
}

#[tokio::test]
async fn a_location_that_is_not_a_state_or_a_bucket_is_refused_untouched() {
    let moto = moto();
    let aws = Aws::connect(&moto).await;
    let p = Project::aws(BIN, &moto.endpoint).with_state("s3://ceros-ski-state/team");
    p.stack("quick", "[resources.x]\ntype = \"std:Data\"\ninput = 1\n");
    p.run(&["up", "quick", "--yes"])
        .expect_code(1)
        .contains("needs the bucket's region: add ?region=REGION");
    let p = machine(&moto.endpoint);
    p.stack("quick", "[resources.x]\ntype = \"std:Data\"\ninput = 1\n");
    p.run(&["up", "quick", "--yes"])
        .expect_code(1)
        .contains("the bucket does not exist");
    bucket(&aws, false).await;
    aws.s3
        .put_object()
        .bucket(BUCKET)
        .key("team/site/index.html")
        .body(b"<html/>".to_vec().into())
        .send()
        .await
        .expect("S3 PutObject");
    p.run(&["up", "quick", "--yes"])
        .expect_code(1)
        .contains("keeps no old versions")
        .contains("not a skistack state (such as site/index.html)");
    assert_eq!(every_object(&aws).await.len(), 1, "nothing was written");
    let elsewhere =
        Project::aws(BIN, &moto.endpoint).with_state("s3://ceros-ski-state/other?region=us-east-1");
    elsewhere.stack("quick", "[resources.x]\ntype = \"std:Data\"\ninput = 1\n");
    elsewhere.up("quick").contains("keeps no old versions");
}

#[tokio::test]
async fn state_migrate_copies_a_file_into_s3_and_back_verified_and_leaves_the_source() {
    let moto = moto();
    let aws = Aws::connect(&moto).await;
    bucket(&aws, true).await;
    let local = Project::aws(BIN, &moto.endpoint);
    let password = deployed(&local, &WITH, &PASSPHRASE);
    // What the source records, as its commands show it (the file's bytes
    // change: the migration takes and releases its stacks' locks).
    let recorded = |p: &Project| {
        [
            "state list sec",
            "outputs sec --json --show-secrets",
            "history sec",
        ]
        .map(|args| run(p, &args.split(' ').collect::<Vec<_>>()).ok().all())
    };
    let before = recorded(&local);

    run(&local, &["state", "migrate", "--to", URL])
        .ok()
        .contains("Copied 1 stack(s)")
        .contains("sec  2 resource(s), 0 pending, 1 config value(s), 1 run(s) of history")
        .contains("Verified");
    assert_eq!(recorded(&local), before, "the source is unchanged");
    for (key, body) in every_object(&aws).await {
        for secret in [TOKEN, password.as_str()] {
            assert!(
                !body.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in s3://{BUCKET}/{key}"
            );
        }
    }
    // Another machine on the copy sees the stack deployed, its secrets, its
    // config and its history, with nothing to change.
    let other = machine(&moto.endpoint);
    other.stack("sec", STACK);
    let shown = run(&other, &["outputs", "sec", "--json", "--show-secrets"])
        .ok()
        .json();
    assert_eq!(shown["password"], password.as_str());
    run(&other, &["preview", "sec"])
        .ok()
        .contains("0 to create, 0 to update, 0 to replace, 0 to delete");
    run(&other, &["history", "sec"]).ok().contains("up");

    // The copy holds state now: a second migration into it is refused.
    run(&local, &["state", "migrate", "--to", URL])
        .expect_code(1)
        .contains("the target already holds the state of sec");
    // Back into a file, under another secrets provider.
    let back = other.root().join("back.db");
    let back = back.to_str().expect("a UTF-8 path");
    let key = format!("file://{}", other.root().join("back.key").display());
    let mut args = vec!["state", "migrate", "--to", back];
    args.extend(["--to-secrets-provider", key.as_str()]);
    run(&other, &args).ok().contains("Copied 1 stack(s)");
    let third = Project::aws(BIN, &moto.endpoint).with_state(back);
    let shown = third
        .run(&[
            "--secrets-provider",
            &key,
            "outputs",
            "sec",
            "--json",
            "--show-secrets",
        ])
        .ok()
        .json();
    assert_eq!(shown["password"], password.as_str());
    // A state that does not exist is not created to be copied.
    let empty = Project::aws(BIN, &moto.endpoint);
    empty
        .run(&["state", "migrate", "--to", "copy.db"])
        .expect_code(1)
        .contains("there is no state at");
    assert!(!empty.state_path().exists());
}
