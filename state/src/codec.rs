//! The JSON text stored in the state's columns, and back.
//!
//! Values go through [`Value::to_json`] so secrets stay tagged. Decoding is
//! strict: a column that does not hold what it should is reported rather
//! than silently read as empty, since the state drives deletions.

use std::collections::BTreeMap;

use serde_json::Value as Json;
use skistack_engine::RecordOptions;
use skistack_engine::{Map, Value};

use crate::error::StoreError;

/// A property map as column text.
pub(crate) fn map_to_text(map: &Map) -> String {
    Value::map_to_json(map).to_string()
}

/// A property map from column text; the text must hold a JSON object.
pub(crate) fn map_from_text(column: &'static str, text: &str) -> Result<Map, StoreError> {
    let json = parse(column, text)?;
    if !json.is_object() {
        return Err(StoreError::Shape {
            column,
            expected: "a JSON object",
        });
    }
    Ok(Value::map_from_json(&json))
}

/// A single value as column text.
pub(crate) fn value_to_text(value: &Value) -> String {
    value.to_json().to_string()
}

/// A single value from column text.
pub(crate) fn value_from_text(column: &'static str, text: &str) -> Result<Value, StoreError> {
    Ok(Value::from_json(&parse(column, text)?))
}

/// A resource's dependencies as a JSON list of addresses.
pub(crate) fn names_to_text(names: &[String]) -> String {
    Json::Array(names.iter().map(|n| Json::String(n.clone())).collect()).to_string()
}

/// A resource's dependencies from column text.
pub(crate) fn names_from_text(column: &'static str, text: &str) -> Result<Vec<String>, StoreError> {
    let shape = || StoreError::Shape {
        column,
        expected: "a list of names",
    };
    let Json::Array(items) = parse(column, text)? else {
        return Err(shape());
    };
    items
        .into_iter()
        .map(|item| match item {
            Json::String(s) => Ok(s),
            _ => Err(shape()),
        })
        .collect()
}

/// Record options as a JSON object of booleans.
pub(crate) fn options_to_text(options: &RecordOptions) -> String {
    serde_json::json!({
        "protect": options.protect,
        "retain_on_delete": options.retain_on_delete,
        "delete_before_replace": options.delete_before_replace,
    })
    .to_string()
}

/// Record options from column text; an absent flag is false.
pub(crate) fn options_from_text(
    column: &'static str,
    text: &str,
) -> Result<RecordOptions, StoreError> {
    let json = parse(column, text)?;
    let Json::Object(object) = json else {
        return Err(StoreError::Shape {
            column,
            expected: "a JSON object of flags",
        });
    };
    let flag = |name: &str| match object.get(name) {
        None | Some(Json::Null) => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(_) => Err(StoreError::Shape {
            column,
            expected: "true or false for each flag",
        }),
    };
    Ok(RecordOptions {
        protect: flag("protect")?,
        retain_on_delete: flag("retain_on_delete")?,
        delete_before_replace: flag("delete_before_replace")?,
    })
}

/// History step counts as a JSON object of numbers.
pub(crate) fn counts_to_text(counts: &BTreeMap<String, u64>) -> String {
    Json::Object(
        counts
            .iter()
            .map(|(k, v)| (k.clone(), Json::from(*v)))
            .collect(),
    )
    .to_string()
}

/// History step counts from column text.
pub(crate) fn counts_from_text(
    column: &'static str,
    text: &str,
) -> Result<BTreeMap<String, u64>, StoreError> {
    let shape = || StoreError::Shape {
        column,
        expected: "a JSON object of counts",
    };
    let Json::Object(object) = parse(column, text)? else {
        return Err(shape());
    };
    object
        .into_iter()
        .map(|(k, v)| v.as_u64().map(|n| (k, n)).ok_or_else(shape))
        .collect()
}

/// The current time in unix seconds: the engine's clock, so that the
/// times the state writes and the times the engine compares agree.
pub(crate) fn now() -> i64 {
    skistack_engine::unix_now()
}

fn parse(column: &'static str, text: &str) -> Result<Json, StoreError> {
    serde_json::from_str(text).map_err(|source| StoreError::Json { column, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_keep_secrets_and_nesting() {
        let mut inner = Map::new();
        inner.insert("port".into(), Value::Int(443));
        let mut map = Map::new();
        map.insert("password".into(), Value::secret("hunter2".into()));
        map.insert("listener".into(), Value::Map(inner));
        map.insert("ratio".into(), Value::Float(0.25));
        let text = map_to_text(&map);
        assert!(text.contains("$secret"), "{text}");
        assert_eq!(map_from_text("inputs", &text).unwrap(), map);
    }

    #[test]
    fn a_map_column_must_hold_an_object() {
        let err = map_from_text("inputs", "[1, 2]").unwrap_err();
        assert!(matches!(
            err,
            StoreError::Shape {
                column: "inputs",
                ..
            }
        ));
        let err = map_from_text("outputs", "{not json").unwrap_err();
        assert!(matches!(
            err,
            StoreError::Json {
                column: "outputs",
                ..
            }
        ));
    }

    #[test]
    fn options_round_trip_and_default_to_false() {
        let options = RecordOptions {
            protect: true,
            retain_on_delete: false,
            delete_before_replace: true,
        };
        assert_eq!(
            options_from_text("options", &options_to_text(&options)).unwrap(),
            options
        );
        assert_eq!(
            options_from_text("options", "{}").unwrap(),
            RecordOptions::default()
        );
        assert!(options_from_text("options", r#"{"protect": "yes"}"#).is_err());
    }

    #[test]
    fn names_and_counts_round_trip() {
        let names = vec![
            "vpc".to_string(),
            "subnet[0]".to_string(),
            r#"bucket["logs"]"#.to_string(),
        ];
        assert_eq!(
            names_from_text("dependencies", &names_to_text(&names)).unwrap(),
            names
        );
        assert!(names_from_text("dependencies", "[1]").is_err());

        let counts = BTreeMap::from([("create".to_string(), 3), ("same".to_string(), 12)]);
        assert_eq!(
            counts_from_text("counts", &counts_to_text(&counts)).unwrap(),
            counts
        );
        assert!(counts_from_text("counts", r#"{"create": -1}"#).is_err());
    }
}
