//! Reading typed inputs from a property map. The engine has validated the
//! types against the schema already, so these checks are defensive; a
//! missing required value is an `Invalid` error naming the property.

use skistack_engine::{Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType};

fn present<'a>(inputs: &'a Map, key: &str) -> Option<&'a Value> {
    match inputs.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => Some(v),
    }
}

fn wrong_type(key: &str, want: &str, v: &Value) -> ProviderError {
    ProviderError::Invalid(format!("property `{key}` must be {want}, not {}", v.kind()))
}

/// The value of `key` as `read` takes it (`want` says what it must be);
/// absent or null is `None`, any other kind an error.
fn opt_as<'a, T>(
    inputs: &'a Map,
    key: &str,
    want: &str,
    read: impl FnOnce(&'a Value) -> Option<T>,
) -> Result<Option<T>, ProviderError> {
    present(inputs, key)
        .map(|v| read(v).ok_or_else(|| wrong_type(key, want, v)))
        .transpose()
}

fn missing(key: &str) -> ProviderError {
    ProviderError::Invalid(format!("property `{key}` is required"))
}

/// A required string.
pub fn str_of<'a>(inputs: &'a Map, key: &str) -> Result<&'a str, ProviderError> {
    opt_str(inputs, key)?.ok_or_else(|| missing(key))
}

/// An optional string; an empty string counts as absent.
pub fn opt_str<'a>(inputs: &'a Map, key: &str) -> Result<Option<&'a str>, ProviderError> {
    match present(inputs, key) {
        None => Ok(None),
        Some(v) => match v.as_str() {
            Some("") => Ok(None),
            Some(s) => Ok(Some(s)),
            None => Err(wrong_type(key, "a string", v)),
        },
    }
}

/// A required integer.
pub fn int_of(inputs: &Map, key: &str) -> Result<i64, ProviderError> {
    opt_int(inputs, key)?.ok_or_else(|| missing(key))
}

/// An optional integer.
pub fn opt_int(inputs: &Map, key: &str) -> Result<Option<i64>, ProviderError> {
    opt_as(inputs, key, "an integer", Value::as_int)
}

/// An integer that must fit an `i32` (most AWS numeric fields).
pub fn opt_i32(inputs: &Map, key: &str) -> Result<Option<i32>, ProviderError> {
    opt_int(inputs, key)?
        .map(|i| {
            i32::try_from(i).map_err(|_| {
                ProviderError::Invalid(format!("property `{key}` is out of range: {i}"))
            })
        })
        .transpose()
}

/// A required bool.
pub fn bool_of(inputs: &Map, key: &str) -> Result<bool, ProviderError> {
    opt_bool(inputs, key)?.ok_or_else(|| missing(key))
}

/// An optional bool.
pub fn opt_bool(inputs: &Map, key: &str) -> Result<Option<bool>, ProviderError> {
    opt_as(inputs, key, "a bool", Value::as_bool)
}

/// A list of strings; absent means empty.
pub fn list_of_str(inputs: &Map, key: &str) -> Result<Vec<String>, ProviderError> {
    match present(inputs, key) {
        None => Ok(Vec::new()),
        Some(v) => {
            let items = v
                .as_list()
                .ok_or_else(|| wrong_type(key, "a list of strings", v))?;
            items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| wrong_type(key, "a list of strings", v))
                })
                .collect()
        }
    }
}

/// An optional table (a nested block).
pub fn opt_map<'a>(inputs: &'a Map, key: &str) -> Result<Option<&'a Map>, ProviderError> {
    opt_as(inputs, key, "a table", Value::as_map)
}

/// An optional list of tables (a repeated nested block); absent means empty.
pub fn list_of_maps<'a>(inputs: &'a Map, key: &str) -> Result<Vec<&'a Map>, ProviderError> {
    match present(inputs, key) {
        None => Ok(Vec::new()),
        Some(v) => {
            let items = v
                .as_list()
                .ok_or_else(|| wrong_type(key, "a list of tables", v))?;
            items
                .iter()
                .map(|i| {
                    i.as_map()
                        .ok_or_else(|| wrong_type(key, "a list of tables", v))
                })
                .collect()
        }
    }
}

/// True when the property differs between two input maps (absent and null
/// count as equal).
pub fn changed(old: &Map, new: &Map, key: &str) -> bool {
    present(old, key) != present(new, key)
}

/// A list of strings as a value.
pub fn str_list<I, S>(items: I) -> Value
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Value::List(items.into_iter().map(|s| Value::String(s.into())).collect())
}

/// Inserting into a property map without spelling out the conversions.
pub trait Put {
    /// Inserts `v` under `key`.
    fn put(&mut self, key: &str, v: impl Into<Value>);
}

impl Put for Map {
    fn put(&mut self, key: &str, v: impl Into<Value>) {
        self.insert(key.to_string(), v.into());
    }
}

/// Inserts `v` under `key` when it is `Some`.
pub fn put_opt(map: &mut Map, key: &str, v: Option<impl Into<Value>>) {
    if let Some(v) = v {
        map.insert(key.to_string(), v.into());
    }
}

/// Outputs after an in-place update: the new inputs plus the computed
/// attributes the previous outputs held (an update changes none of them
/// unless the caller overwrites them).
pub fn updated_outputs(
    schema: &skistack_engine::TypeSchema,
    new_inputs: &Map,
    old_outputs: &Map,
) -> Map {
    let mut out = new_inputs.clone();
    for a in &schema.attributes {
        if let Some(v) = old_outputs.get(&a.name) {
            out.insert(a.name.clone(), v.clone());
        }
    }
    out
}

/// Outputs of a type whose one attribute is its ARN: `inputs` with `arn`.
pub fn with_arn(inputs: &Map, arn: &str) -> Map {
    let mut out = inputs.clone();
    out.insert("arn".into(), arn.into());
    out
}

/// Outputs of a create or read: `inputs` with `attributes` added.
pub fn with_attributes(inputs: &Map, attributes: Map) -> Map {
    let mut out = inputs.clone();
    out.extend(attributes);
    out
}

/// The result of a read: the inputs `read` back from AWS, and as outputs
/// `inputs` with those and `attributes` added.
pub fn read_result(inputs: &Map, read: Map, attributes: Map) -> ReadResult {
    ReadResult {
        outputs: with_attributes(&with_attributes(inputs, read.clone()), attributes),
        inputs: read,
    }
}

/// A list read back from AWS, for drift detection of a list whose order
/// AWS does not keep (subnets, security groups): the declared list when it
/// holds the same items, else AWS's.
pub fn read_back_set(
    declared: &Map,
    key: &str,
    actual: Vec<String>,
) -> Result<Value, ProviderError> {
    let want = list_of_str(declared, key)?;
    let a: std::collections::BTreeSet<&String> = want.iter().collect();
    let b: std::collections::BTreeSet<&String> = actual.iter().collect();
    Ok(if a == b {
        str_list(want)
    } else {
        str_list(actual)
    })
}

/// A nested table read back from AWS, trimmed for drift detection: keys the
/// declaration has are kept, and so are keys whose value differs from the
/// schema's default for them (a change made outside the stack); the rest are
/// AWS's own defaults, not drift. The engine fills in defaults of top-level
/// properties only, so nested ones are compared against `fields` here.
/// Nested tables are trimmed the same way, a level down.
pub fn read_back_object(fields: &[Property], declared: Option<&Map>, actual: Map) -> Map {
    actual
        .into_iter()
        .filter_map(|(k, v)| {
            let field = fields.iter().find(|p| p.name == k);
            let declared_value = declared
                .and_then(|d| d.get(&k))
                .filter(|v| !matches!(v, Value::Null));
            let keep = declared_value.is_some()
                || field
                    .and_then(|f| f.default.as_ref())
                    .is_some_and(|d| *d != v);
            if !keep {
                return None;
            }
            let v =
                match (field.map(|f| &f.ty), v) {
                    (Some(ValueType::Object(inner)), Value::Map(m)) => Value::Map(
                        read_back_object(inner, declared_value.and_then(Value::as_map), m),
                    ),
                    (_, v) => v,
                };
            Some((k, v))
        })
        .collect()
}

/// The fields of an object-typed property (or of the items of a list of
/// objects); empty when the property is not one.
pub fn object_fields<'a>(schema: &'a TypeSchema, name: &str) -> &'a [Property] {
    match schema.find_property(name).map(|p| &p.ty) {
        Some(ValueType::Object(fields)) => fields,
        Some(ValueType::List(of)) => match of.as_ref() {
            ValueType::Object(fields) => fields,
            _ => &[],
        },
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> Map {
        let mut m = Map::new();
        m.insert("name".into(), "web".into());
        m.insert("empty".into(), "".into());
        m.insert("count".into(), Value::Int(3));
        m.insert("big".into(), Value::Int(1 << 40));
        m.insert("on".into(), Value::Bool(true));
        m.insert("null".into(), Value::Null);
        m.insert("ids".into(), str_list(["a", "b"]));
        m.insert("pw".into(), Value::secret("s3cret".into()));
        m
    }

    #[test]
    fn typed_reads() {
        let m = inputs();
        assert_eq!(str_of(&m, "name").ok(), Some("web"));
        assert_eq!(str_of(&m, "pw").ok(), Some("s3cret"));
        assert_eq!(opt_str(&m, "empty").ok(), Some(None));
        assert_eq!(int_of(&m, "count").ok(), Some(3));
        assert!(opt_i32(&m, "big").is_err());
        assert_eq!(bool_of(&m, "on").ok(), Some(true));
        assert_eq!(opt_bool(&m, "null").ok(), Some(None));
        assert_eq!(
            list_of_str(&m, "ids").ok(),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(list_of_str(&m, "nothing").ok(), Some(vec![]));
    }

    #[test]
    fn missing_and_mistyped_are_invalid() {
        let m = inputs();
        let e = str_of(&m, "absent").expect_err("missing");
        assert!(
            matches!(e, ProviderError::Invalid(ref s) if s.contains("`absent` is required")),
            "{e}"
        );
        let e = int_of(&m, "name").expect_err("wrong type");
        assert!(
            matches!(e, ProviderError::Invalid(ref s) if s.contains("must be an integer, not string")),
            "{e}"
        );
        assert!(str_of(&m, "null").is_err());
    }

    #[test]
    fn changed_treats_null_as_absent() {
        let m = inputs();
        let mut n = m.clone();
        n.remove("null");
        assert!(!changed(&m, &n, "null"));
        n.insert("count".into(), Value::Int(4));
        assert!(changed(&m, &n, "count"));
    }

    #[test]
    fn nested_read_backs_leave_out_aws_defaults() {
        let fields = vec![
            Property::optional("id", ValueType::String),
            Property::optional("name", ValueType::String),
            Property::optional("version", ValueType::String).default("$Latest"),
        ];
        let actual: Map = [("id", "lt-1"), ("name", "hosts"), ("version", "$Latest")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::from(v)))
            .collect();
        let mut declared = Map::new();
        declared.insert("id".into(), "lt-1".into());
        // The undeclared name and the default version are not drift...
        let read = read_back_object(&fields, Some(&declared), actual.clone());
        assert_eq!(read, declared);
        // ...a version changed outside the stack is.
        let mut changed_outside = actual;
        changed_outside.insert("version".into(), "3".into());
        let read = read_back_object(&fields, Some(&declared), changed_outside);
        assert_eq!(read.get("version"), Some(&Value::from("3")));
        assert!(!read.contains_key("name"));
    }

    #[test]
    fn sets_read_back_in_declared_order() {
        let mut declared = Map::new();
        declared.insert("subnets".into(), str_list(["a", "b"]));
        let same = read_back_set(&declared, "subnets", vec!["b".into(), "a".into()]).ok();
        assert_eq!(same, Some(str_list(["a", "b"])));
        let other = read_back_set(&declared, "subnets", vec!["c".into()]).ok();
        assert_eq!(other, Some(str_list(["c"])));
    }
}
