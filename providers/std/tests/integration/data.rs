//! `std:Data` mirrors its input, and the preview knows it.

use std::path::Path;

use crate::common::{ctx, map};
use skistack_engine::{ResourceType, Value};
use skistack_provider_std::Data;

#[tokio::test]
async fn output_mirrors_input_on_create_and_update() {
    let data = Data::new();
    let c = ctx("d", Data::TOKEN, Path::new(""));
    let input = Value::List(vec![Value::Int(1), "two".into()]);
    let inputs = map(&[("input", input.clone())]);

    let created = data.create(&c, &inputs).await.unwrap();
    assert_eq!(created.outputs.get("output"), Some(&input));
    assert!(!created.id.is_empty());

    let new_inputs = map(&[("input", "three".into())]);
    let updated = data
        .update(&c, &created.id, &inputs, &created.outputs, &new_inputs)
        .await
        .unwrap();
    assert_eq!(updated.get("output"), Some(&Value::from("three")));
    assert_eq!(updated.get("input"), Some(&Value::from("three")));

    let read = data
        .read(&c, &created.id, &new_inputs, &updated)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.outputs, updated);
    assert_eq!(read.inputs, new_inputs);

    data.delete(&c, &created.id, &new_inputs, &updated)
        .await
        .unwrap();
    // Deleting again succeeds: the value lived only in the state.
    data.delete(&c, &created.id, &new_inputs, &updated)
        .await
        .unwrap();
}

#[test]
fn preview_knows_output_before_up() {
    let data = Data::new();
    let inputs = map(&[("input", Value::Int(42))]);
    let created = data.preview(&inputs, None);
    assert_eq!(created.get("output"), Some(&Value::Int(42)));

    let prior = map(&[("input", Value::Int(1)), ("output", Value::Int(1))]);
    let updated = data.preview(&inputs, Some(&prior));
    assert_eq!(updated.get("output"), Some(&Value::Int(42)));

    let empty = data.preview(&map(&[]), None);
    assert_eq!(empty.get("output"), Some(&Value::Null));
}

#[tokio::test]
async fn each_create_gets_a_new_id() {
    let data = Data::new();
    let c = ctx("d", Data::TOKEN, Path::new(""));
    let a = data.create(&c, &map(&[])).await.unwrap();
    let b = data.create(&c, &map(&[])).await.unwrap();
    assert_ne!(a.id, b.id);
}
