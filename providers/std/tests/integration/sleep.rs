//! `std:Sleep` waits on create and delete, not on update.
//!
//! That a sleep waits at least its duration is checked against a tokio
//! timer that starts just before it and fires 1 ms earlier: the sleep must
//! not finish first. That is an order of two timers of one runtime, which
//! holds however slow the machine is (a late poll sees both done and the
//! biased select looks at the earlier timer first).

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use crate::common::{ctx, map};
use skistack_engine::{ProviderError, ResourceType};
use skistack_provider_std::Sleep;

/// Runs `fut` to the end and asserts that it did not finish before a timer
/// of `at_least` minus 1 ms started just before it.
async fn finishes_after<T>(at_least: Duration, what: &str, fut: impl Future<Output = T>) -> T {
    let earlier = tokio::time::sleep(at_least - Duration::from_millis(1));
    tokio::pin!(earlier, fut);
    tokio::select! {
        biased;
        () = &mut earlier => {}
        _ = &mut fut => panic!("{what} finished before {at_least:?} had passed"),
    }
    fut.await
}

#[tokio::test]
async fn waits_at_least_the_durations() {
    let sleep = Sleep::new();
    let c = ctx("s", Sleep::TOKEN, Path::new(""));
    let inputs = map(&[
        ("create_duration", "150ms".into()),
        ("destroy_duration", "120ms".into()),
    ]);

    let created = finishes_after(
        Duration::from_millis(150),
        "the create",
        sleep.create(&c, &inputs),
    )
    .await
    .unwrap();
    assert_eq!(created.outputs, inputs);

    finishes_after(
        Duration::from_millis(120),
        "the delete",
        sleep.delete(&c, &created.id, &inputs, &created.outputs),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn update_records_the_new_durations() {
    let sleep = Sleep::new();
    let c = ctx("s", Sleep::TOKEN, Path::new(""));
    let old = map(&[("create_duration", "1ms".into())]);
    let new = map(&[("create_duration", "2ms".into())]);
    let out = sleep.update(&c, "id", &old, &old, &new).await.unwrap();
    assert_eq!(out, new);

    let bad = map(&[("destroy_duration", "ten seconds".into())]);
    let err = sleep.update(&c, "id", &old, &old, &bad).await.unwrap_err();
    assert!(matches!(err, ProviderError::Invalid(_)), "{err:?}");
}

#[tokio::test]
async fn rejects_bad_durations() {
    let sleep = Sleep::new();
    let c = ctx("s", Sleep::TOKEN, Path::new(""));
    for bad in [
        map(&[("create_duration", "5".into())]),
        map(&[("destroy_duration", "soon".into())]),
        map(&[("create_duration", skistack_engine::Value::Int(5))]),
    ] {
        let err = sleep.create(&c, &bad).await.unwrap_err();
        assert!(matches!(err, ProviderError::Invalid(_)), "{err:?}");
    }
}

#[tokio::test]
async fn no_durations_means_no_wait() {
    let sleep = Sleep::new();
    let c = ctx("s", Sleep::TOKEN, Path::new(""));
    let created = sleep.create(&c, &map(&[])).await.unwrap();
    sleep
        .delete(&c, &created.id, &map(&[]), &created.outputs)
        .await
        .unwrap();
}
