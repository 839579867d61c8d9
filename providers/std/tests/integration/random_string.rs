//! `std:RandomString` generates a secret string of the asked shape once.

use std::path::Path;

use crate::common::{ctx, map};
use skistack_engine::{ProviderError, ResourceType, Value};
use skistack_provider_std::{DEFAULT_LENGTH, RandomString};

fn result(outputs: &skistack_engine::Map) -> String {
    let v = outputs.get("result").expect("result is set");
    let (inner, secret) = v.unwrap_secret();
    assert!(secret, "result must be secret");
    inner.as_str().expect("result is a string").to_string()
}

#[tokio::test]
async fn has_the_asked_length_and_is_secret() {
    let rs = RandomString::new();
    let c = ctx("pw", RandomString::TOKEN, Path::new(""));
    assert!(rs.schema().is_secret("result"));

    for len in [1, 7, 64, 1024] {
        let created = rs
            .create(&c, &map(&[("length", Value::Int(len))]))
            .await
            .unwrap();
        assert_eq!(result(&created.outputs).chars().count(), len as usize);
    }
    let created = rs.create(&c, &map(&[])).await.unwrap();
    assert_eq!(result(&created.outputs).len(), DEFAULT_LENGTH as usize);
}

#[tokio::test]
async fn rejects_lengths_out_of_range() {
    let rs = RandomString::new();
    let c = ctx("pw", RandomString::TOKEN, Path::new(""));
    for len in [0, -3, 1025] {
        let err = rs
            .create(&c, &map(&[("length", Value::Int(len))]))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ProviderError::Invalid(m) if m.contains("length")),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn honours_special_false_and_the_other_flags() {
    let rs = RandomString::new();
    let c = ctx("pw", RandomString::TOKEN, Path::new(""));
    let inputs = map(&[
        ("length", Value::Int(1000)),
        ("special", Value::Bool(false)),
    ]);
    let s = result(&rs.create(&c, &inputs).await.unwrap().outputs);
    assert!(s.chars().all(|ch| ch.is_ascii_alphanumeric()), "{s}");
    // 1000 draws from 62 characters miss a whole class only by astronomic luck.
    assert!(s.chars().any(|ch| ch.is_ascii_uppercase()));
    assert!(s.chars().any(|ch| ch.is_ascii_digit()));

    let digits = map(&[
        ("length", Value::Int(200)),
        ("special", Value::Bool(false)),
        ("upper", Value::Bool(false)),
        ("lower", Value::Bool(false)),
    ]);
    let s = result(&rs.create(&c, &digits).await.unwrap().outputs);
    assert!(s.chars().all(|ch| ch.is_ascii_digit()), "{s}");

    let with_special = map(&[("length", Value::Int(1000))]);
    let s = result(&rs.create(&c, &with_special).await.unwrap().outputs);
    assert!(s.chars().any(|ch| !ch.is_ascii_alphanumeric()), "{s}");
}

#[tokio::test]
async fn update_keeps_the_result_and_records_new_inputs() {
    let rs = RandomString::new();
    let c = ctx("pw", RandomString::TOKEN, Path::new(""));
    let inputs = map(&[("length", Value::Int(32))]);
    let created = rs.create(&c, &inputs).await.unwrap();
    let first = result(&created.outputs);

    let new_inputs = map(&[("length", Value::Int(32)), ("keepers", "v2".into())]);
    let updated = rs
        .update(&c, &created.id, &inputs, &created.outputs, &new_inputs)
        .await
        .unwrap();
    assert_eq!(result(&updated), first);
    assert_eq!(updated.get("keepers"), Some(&Value::from("v2")));

    let read = rs
        .read(&c, &created.id, &new_inputs, &updated)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(result(&read.outputs), first);

    // Two creates give two different strings.
    let other = rs.create(&c, &inputs).await.unwrap();
    assert_ne!(result(&other.outputs), first);
}

#[test]
fn properties_that_change_the_string_force_replacement() {
    let rs = RandomString::new();
    for name in [
        "length", "special", "upper", "numeric", "keepers", "triggers",
    ] {
        let p = rs.schema().find_property(name).unwrap();
        assert!(p.force_new, "{name}");
    }
}
