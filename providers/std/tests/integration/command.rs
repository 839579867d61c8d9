//! `std:Command` runs shell commands and records what they print.

use std::fs;

use crate::common::{ctx, map};
use skistack_engine::{ProviderError, ResourceType, Value};
use skistack_provider_std::Command;

fn out<'a>(outputs: &'a skistack_engine::Map, name: &str) -> &'a str {
    outputs.get(name).and_then(Value::as_str).unwrap()
}

#[tokio::test]
async fn captures_stdout_and_stderr_and_sees_its_identity() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = Command::new();
    let c = ctx("hello", Command::TOKEN, dir.path());
    let inputs = map(&[(
        "create",
        "echo \"$SKISTACK_STACK/$SKISTACK_ENV/$SKISTACK_RESOURCE\"; echo warn >&2; printf 'x\\n\\n'"
            .into(),
    )]);
    let created = cmd.create(&c, &inputs).await.unwrap();
    // Only one trailing newline is removed.
    assert_eq!(out(&created.outputs, "stdout"), "demo/dev/hello\nx\n");
    assert_eq!(out(&created.outputs, "stderr"), "warn");
    assert_eq!(created.outputs.get("create"), inputs.get("create"));
    assert!(!created.outputs["stdout"].contains_secret());

    let read = cmd
        .read(&c, &created.id, &inputs, &created.outputs)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.outputs, created.outputs);
}

#[tokio::test]
async fn failure_reports_exit_code_and_stderr_tail() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = Command::new();
    let c = ctx("bad", Command::TOKEN, dir.path());
    let inputs = map(&[(
        "create",
        "echo first >&2; echo 'disk is full' >&2; exit 3".into(),
    )]);
    let err = cmd.create(&c, &inputs).await.unwrap_err();
    let ProviderError::Failed(msg) = &err else {
        panic!("expected Failed, got {err:?}");
    };
    assert!(msg.contains("code 3"), "{msg}");
    assert!(msg.contains("disk is full"), "{msg}");
    assert!(msg.contains("first"), "{msg}");
}

#[tokio::test]
async fn delete_runs_with_the_recorded_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = Command::new();
    let c = ctx("made", Command::TOKEN, dir.path());
    let inputs = map(&[
        ("create", "echo token-123".into()),
        ("delete", "echo \"$SKISTACK_STDOUT\" > deleted.txt".into()),
    ]);
    let created = cmd.create(&c, &inputs).await.unwrap();
    cmd.delete(&c, &created.id, &inputs, &created.outputs)
        .await
        .unwrap();
    let written = fs::read_to_string(dir.path().join("deleted.txt")).unwrap();
    assert_eq!(written, "token-123\n");

    // Without a delete command, delete does nothing and succeeds.
    let plain = map(&[("create", "true".into())]);
    cmd.delete(&c, "id", &plain, &plain).await.unwrap();
}

#[tokio::test]
async fn a_failing_delete_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = Command::new();
    let c = ctx("x", Command::TOKEN, dir.path());
    let inputs = map(&[("create", "true".into()), ("delete", "exit 9".into())]);
    let err = cmd.delete(&c, "id", &inputs, &inputs).await.unwrap_err();
    assert!(err.to_string().contains("code 9"), "{err}");
}

#[tokio::test]
async fn honours_dir_and_environment() {
    let stack = tempfile::tempdir().unwrap();
    fs::create_dir(stack.path().join("sub")).unwrap();
    fs::write(stack.path().join("sub").join("marker"), "here").unwrap();
    let cmd = Command::new();
    let c = ctx("env", Command::TOKEN, stack.path());

    let mut env = skistack_engine::Map::new();
    env.insert("GREETING".into(), "hi there".into());
    let inputs = map(&[
        ("create", "cat marker; echo \" $GREETING\"".into()),
        ("dir", "sub".into()),
        ("environment", Value::Map(env)),
    ]);
    let created = cmd.create(&c, &inputs).await.unwrap();
    assert_eq!(out(&created.outputs, "stdout"), "here hi there");

    // Without `dir` the command runs in the stack's directory.
    let at_root = map(&[("create", "ls".into())]);
    let created = cmd.create(&c, &at_root).await.unwrap();
    assert_eq!(out(&created.outputs, "stdout"), "sub");

    // An absolute `dir` is used as is.
    let abs = map(&[
        ("create", "pwd -P".into()),
        ("dir", stack.path().join("sub").to_str().unwrap().into()),
    ]);
    let created = cmd.create(&c, &abs).await.unwrap();
    let expected = fs::canonicalize(stack.path().join("sub")).unwrap();
    assert_eq!(out(&created.outputs, "stdout"), expected.to_str().unwrap());
}

#[tokio::test]
async fn secret_environment_makes_output_secret() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = Command::new();
    let c = ctx("s", Command::TOKEN, dir.path());
    let mut env = skistack_engine::Map::new();
    env.insert("PW".into(), Value::secret("hunter2".into()));
    let inputs = map(&[
        ("create", "echo \"$PW\"".into()),
        ("environment", Value::Map(env)),
    ]);
    let created = cmd.create(&c, &inputs).await.unwrap();
    let (inner, secret) = created.outputs["stdout"].unwrap_secret();
    assert!(secret);
    assert_eq!(inner.as_str(), Some("hunter2"));
}

#[tokio::test]
async fn update_runs_the_update_command_or_just_records() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = Command::new();
    let c = ctx("u", Command::TOKEN, dir.path());
    let old = map(&[("create", "echo v1".into())]);
    let created = cmd.create(&c, &old).await.unwrap();

    // No update command: the outputs are kept, the new inputs recorded.
    let recorded = map(&[("create", "echo v1".into()), ("delete", "true".into())]);
    let kept = cmd
        .update(&c, &created.id, &old, &created.outputs, &recorded)
        .await
        .unwrap();
    assert_eq!(out(&kept, "stdout"), "v1");
    assert_eq!(kept.get("delete"), Some(&Value::from("true")));

    // With one: it runs, sees the previous stdout, and its output replaces it.
    let with_update = map(&[
        ("create", "echo v1".into()),
        ("update", "echo \"$SKISTACK_STDOUT->v2\"".into()),
    ]);
    let preview = cmd.preview(&with_update, Some(&kept));
    assert_eq!(preview.get("stdout"), Some(&Value::Unknown));
    let updated = cmd
        .update(&c, &created.id, &recorded, &kept, &with_update)
        .await
        .unwrap();
    assert_eq!(out(&updated, "stdout"), "v1->v2");

    // Without an update command the preview keeps the known output.
    let preview = cmd.preview(&recorded, Some(&kept));
    assert_eq!(preview.get("stdout"), Some(&Value::from("v1")));
}

#[tokio::test]
async fn dropping_the_future_kills_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = Command::new();
    let c = ctx("slow", Command::TOKEN, dir.path());
    // The child is the shell that would run `touch` after the sleep; the
    // marker appears only if it outlives the dropped future.
    let inputs = map(&[("create", "sleep 1; touch survived".into())]);
    let timed_out = tokio::time::timeout(
        std::time::Duration::from_millis(200),
        cmd.create(&c, &inputs),
    )
    .await;
    assert!(timed_out.is_err());
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(!dir.path().join("survived").exists());
}
