//! Reading typed inputs out of a property map and assembling outputs.
//!
//! The engine validates declarations against the schema before a provider is
//! called, but the provider is also called directly (tests, other tools), so
//! every reader still checks the type and reports a clear
//! [`ProviderError::Invalid`] instead of guessing.

use std::time::Duration;

use skistack_engine::parse_duration;
use skistack_engine::{Map, ProviderError, TypeSchema, Value};

/// The value of `name`, treating an absent property and `null` alike.
fn present<'a>(inputs: &'a Map, name: &str) -> Option<&'a Value> {
    match inputs.get(name) {
        None => None,
        Some(v) if matches!(v.unwrap_secret().0, Value::Null) => None,
        Some(v) => Some(v),
    }
}

/// An optional string property.
pub(crate) fn opt_str<'a>(inputs: &'a Map, name: &str) -> Result<Option<&'a str>, ProviderError> {
    match present(inputs, name) {
        None => Ok(None),
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or_else(|| wrong_type(name, "a string", v)),
    }
}

/// A required string property.
pub(crate) fn req_str<'a>(inputs: &'a Map, name: &str) -> Result<&'a str, ProviderError> {
    opt_str(inputs, name)?
        .ok_or_else(|| ProviderError::Invalid(format!("property `{name}` is required")))
}

/// An integer property, `default` when absent.
pub(crate) fn int_or(inputs: &Map, name: &str, default: i64) -> Result<i64, ProviderError> {
    match present(inputs, name) {
        None => Ok(default),
        Some(v) => v.as_int().ok_or_else(|| wrong_type(name, "an integer", v)),
    }
}

/// A bool property, `default` when absent.
pub(crate) fn bool_or(inputs: &Map, name: &str, default: bool) -> Result<bool, ProviderError> {
    match present(inputs, name) {
        None => Ok(default),
        Some(v) => v.as_bool().ok_or_else(|| wrong_type(name, "a bool", v)),
    }
}

/// An optional duration property such as `"30s"`.
pub(crate) fn opt_duration(inputs: &Map, name: &str) -> Result<Option<Duration>, ProviderError> {
    match opt_str(inputs, name)? {
        None => Ok(None),
        Some(s) => parse_duration(s)
            .map(Some)
            .map_err(|e| ProviderError::Invalid(format!("property `{name}`: {e}"))),
    }
}

/// An optional table of strings (environment variables and the like), with
/// secrets revealed because the values are handed to a process.
pub(crate) fn string_map(inputs: &Map, name: &str) -> Result<Vec<(String, String)>, ProviderError> {
    let Some(v) = present(inputs, name) else {
        return Ok(Vec::new());
    };
    let table = v
        .as_map()
        .ok_or_else(|| wrong_type(name, "a table of strings", v))?;
    table
        .iter()
        .map(|(k, item)| match item.unwrap_secret().0 {
            // Numbers and bools are accepted because their string form is
            // unambiguous; lists and tables are not.
            Value::String(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => item
                .to_interpolated()
                .map(|s| (k.clone(), s))
                .ok_or_else(|| wrong_type(&format!("{name}.{k}"), "a string", item)),
            _ => Err(wrong_type(&format!("{name}.{k}"), "a string", item)),
        })
        .collect()
}

/// True when any of the named inputs is, or contains, a secret.
pub(crate) fn any_secret(inputs: &Map, names: &[&str]) -> bool {
    names
        .iter()
        .any(|n| inputs.get(*n).is_some_and(Value::contains_secret))
}

/// The outputs after an update that changes nothing computed: the new inputs
/// plus every attribute of the schema carried over from the old outputs.
pub(crate) fn keep_attributes(schema: &TypeSchema, new_inputs: &Map, old_outputs: &Map) -> Map {
    let mut out = new_inputs.clone();
    for a in &schema.attributes {
        if let Some(v) = old_outputs.get(&a.name) {
            out.insert(a.name.clone(), v.clone());
        }
    }
    out
}

/// A random id for resources that exist only in the state.
pub(crate) fn random_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

fn wrong_type(name: &str, expected: &str, got: &Value) -> ProviderError {
    ProviderError::Invalid(format!(
        "property `{name}` must be {expected}, not {}",
        got.kind()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Value)]) -> Map {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn null_counts_as_absent_and_wrong_types_are_invalid() {
        let m = map(&[("a", Value::Null), ("b", Value::Int(3))]);
        assert_eq!(opt_str(&m, "a").unwrap(), None);
        assert_eq!(int_or(&m, "a", 7).unwrap(), 7);
        assert_eq!(int_or(&m, "b", 7).unwrap(), 3);
        let err = opt_str(&m, "b").unwrap_err();
        assert!(
            matches!(err, ProviderError::Invalid(ref s) if s.contains("`b`") && s.contains("integer"))
        );
        assert!(req_str(&m, "missing").is_err());
    }

    #[test]
    fn string_map_reveals_secrets_and_rejects_lists() {
        let mut env = Map::new();
        env.insert("PW".into(), Value::secret("hunter2".into()));
        env.insert("N".into(), Value::Int(2));
        let m = map(&[("environment", Value::Map(env.clone()))]);
        let got = string_map(&m, "environment").unwrap();
        assert_eq!(
            got,
            vec![
                ("N".to_string(), "2".to_string()),
                ("PW".to_string(), "hunter2".to_string())
            ]
        );
        assert!(any_secret(&m, &["environment"]));

        env.insert("L".into(), Value::List(vec![]));
        let m = map(&[("environment", Value::Map(env))]);
        assert!(string_map(&m, "environment").is_err());
    }

    #[test]
    fn durations_are_parsed_with_the_property_name_in_errors() {
        let m = map(&[("d", "1m30s".into()), ("bad", "soon".into())]);
        assert_eq!(
            opt_duration(&m, "d").unwrap(),
            Some(Duration::from_secs(90))
        );
        let err = opt_duration(&m, "bad").unwrap_err().to_string();
        assert!(err.contains("`bad`"), "{err}");
    }

    #[test]
    fn random_ids_are_hex_and_differ() {
        let (a, b) = (random_id(), random_id());
        assert_eq!(a.len(), 16);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
