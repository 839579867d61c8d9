//! The JSON text stored in the state's columns, and back.
//!
//! Values go through [`Value::to_json`] so secrets stay tagged, and every
//! tagged secret is then sealed (`{"$sealed": ...}`, see `secrets.rs`) so
//! no column holds a secret in plaintext. Decoding is
//! strict: a column that does not hold what it should is reported rather
//! than silently read as empty, since the state drives deletions.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as Json;
use skistack_engine::RecordOptions;
use skistack_engine::{Map, Value};

use crate::error::StoreError;
use crate::secrets::Sealer;

/// The tag `Value::to_json` gives a secret.
const SECRET_TAG: &str = "$secret";

/// The tag of a sealed secret in a column.
const SEALED_TAG: &str = "$sealed";

/// Hands out the sealer of the stack a column belongs to. Called only when
/// a secret is met, so stacks without secrets never need a data key.
pub(crate) type Keys<'a> = &'a dyn Fn() -> Result<Arc<Sealer>, StoreError>;

/// A property map as column text, its secrets sealed.
pub(crate) fn map_to_text(map: &Map, keys: Keys<'_>) -> Result<String, StoreError> {
    Ok(map_to_sealed(map, keys)?.to_string())
}

/// A property map from column text; the text must hold a JSON object.
pub(crate) fn map_from_text(
    column: &'static str,
    text: &str,
    keys: Keys<'_>,
) -> Result<Map, StoreError> {
    map_from_sealed(column, parse(column, text)?, keys)
}

/// A single value as column text, its secrets sealed.
pub(crate) fn value_to_text(value: &Value, keys: Keys<'_>) -> Result<String, StoreError> {
    Ok(value_to_sealed(value, keys)?.to_string())
}

/// A single value from column text.
pub(crate) fn value_from_text(
    column: &'static str,
    text: &str,
    keys: Keys<'_>,
) -> Result<Value, StoreError> {
    value_from_sealed(parse(column, text)?, keys)
}

/// A property map as JSON, its secrets sealed (for stores that keep JSON
/// documents rather than columns of text).
pub(crate) fn map_to_sealed(map: &Map, keys: Keys<'_>) -> Result<Json, StoreError> {
    let json = Value::map_to_json(map);
    if !map.values().any(Value::contains_secret) {
        return Ok(json);
    }
    seal_json(json, keys)
}

/// A property map from JSON that [`map_to_sealed`] made.
pub(crate) fn map_from_sealed(
    column: &'static str,
    json: Json,
    keys: Keys<'_>,
) -> Result<Map, StoreError> {
    let json = open_json(json, keys)?;
    if !json.is_object() {
        return Err(StoreError::Shape {
            column,
            expected: "a JSON object",
        });
    }
    Ok(Value::map_from_json(&json))
}

/// A single value as JSON, its secrets sealed.
pub(crate) fn value_to_sealed(value: &Value, keys: Keys<'_>) -> Result<Json, StoreError> {
    let json = value.to_json();
    if !value.contains_secret() {
        return Ok(json);
    }
    seal_json(json, keys)
}

/// A single value from JSON that [`value_to_sealed`] made.
pub(crate) fn value_from_sealed(json: Json, keys: Keys<'_>) -> Result<Value, StoreError> {
    Ok(Value::from_json(&open_json(json, keys)?))
}

/// Column text with its plaintext secrets sealed (the migration of a file
/// written before secrets were encrypted); `None` when it holds none.
pub(crate) fn seal_text(
    column: &'static str,
    text: &str,
    keys: Keys<'_>,
) -> Result<Option<String>, StoreError> {
    if !text.contains(SECRET_TAG) {
        return Ok(None);
    }
    Ok(Some(seal_json(parse(column, text)?, keys)?.to_string()))
}

/// The JSON with every `{"$secret": x}` replaced by `{"$sealed": seal(x)}`.
fn seal_json(json: Json, keys: Keys<'_>) -> Result<Json, StoreError> {
    Ok(match json {
        Json::Object(mut o) if o.len() == 1 && o.contains_key(SECRET_TAG) => {
            let inner = o.remove(SECRET_TAG).unwrap_or(Json::Null);
            tagged(SEALED_TAG, keys()?.seal(&inner))
        }
        Json::Object(o) => Json::Object(
            o.into_iter()
                .map(|(k, v)| Ok((k, seal_json(v, keys)?)))
                .collect::<Result<_, StoreError>>()?,
        ),
        Json::Array(items) => Json::Array(
            items
                .into_iter()
                .map(|v| seal_json(v, keys))
                .collect::<Result<_, _>>()?,
        ),
        other => other,
    })
}

/// The JSON with every `{"$sealed": s}` opened back into `{"$secret": x}`.
/// A plaintext `{"$secret": x}` (a file not yet migrated) reads as it is.
fn open_json(json: Json, keys: Keys<'_>) -> Result<Json, StoreError> {
    Ok(match json {
        Json::Object(o) if o.len() == 1 && o.contains_key(SEALED_TAG) => {
            let sealed = &o[SEALED_TAG];
            tagged(SECRET_TAG, keys()?.open(sealed)?)
        }
        Json::Object(o) => Json::Object(
            o.into_iter()
                .map(|(k, v)| Ok((k, open_json(v, keys)?)))
                .collect::<Result<_, StoreError>>()?,
        ),
        Json::Array(items) => Json::Array(
            items
                .into_iter()
                .map(|v| open_json(v, keys))
                .collect::<Result<_, _>>()?,
        ),
        other => other,
    })
}

/// `{tag: inner}`.
fn tagged(tag: &str, inner: Json) -> Json {
    let mut o = serde_json::Map::new();
    o.insert(tag.to_string(), inner);
    Json::Object(o)
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

    use crate::secrets::DataKey;
    use skistack_engine::StackKey;

    fn sealer() -> Arc<Sealer> {
        Arc::new(Sealer::new(
            StackKey::new("web", "default"),
            DataKey::generate(),
        ))
    }

    #[test]
    fn maps_keep_secrets_and_nesting() {
        let mut inner = Map::new();
        inner.insert("port".into(), Value::Int(443));
        let mut map = Map::new();
        map.insert("password".into(), Value::secret("hunter2".into()));
        map.insert("listener".into(), Value::Map(inner));
        map.insert("ratio".into(), Value::Float(0.25));
        let sealer = sealer();
        let keys = || Ok(sealer.clone());
        let text = map_to_text(&map, &keys).unwrap();
        assert!(text.contains("$sealed"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert_eq!(map_from_text("inputs", &text, &keys).unwrap(), map);
    }

    #[test]
    fn a_map_column_must_hold_an_object() {
        let keys = || Ok(sealer());
        let err = map_from_text("inputs", "[1, 2]", &keys).unwrap_err();
        assert!(matches!(
            err,
            StoreError::Shape {
                column: "inputs",
                ..
            }
        ));
        let err = map_from_text("outputs", "{not json", &keys).unwrap_err();
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
