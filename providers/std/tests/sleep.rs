//! `std:Sleep` waits on create and delete, not on update.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{ctx, map};
use skistack_engine::{ProviderError, ResourceType};
use skistack_provider_std::Sleep;

#[tokio::test]
async fn waits_at_least_the_durations() {
    let sleep = Sleep::new();
    let c = ctx("s", Sleep::TOKEN, Path::new(""));
    let inputs = map(&[
        ("create_duration", "150ms".into()),
        ("destroy_duration", "120ms".into()),
    ]);

    let start = Instant::now();
    let created = sleep.create(&c, &inputs).await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(150));
    assert_eq!(created.outputs, inputs);

    let start = Instant::now();
    sleep
        .delete(&c, &created.id, &inputs, &created.outputs)
        .await
        .unwrap();
    assert!(start.elapsed() >= Duration::from_millis(120));
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
