//! The dynamic value type that flows through expressions, providers and the state.

use std::collections::BTreeMap;
use std::fmt;

/// A map of property or attribute names to values. Ordered, so that diffs,
/// previews and the state are deterministic.
pub type Map = BTreeMap<String, Value>;

/// A value of the stack language.
///
/// `Unknown` stands for a value that is only known after `up` (an attribute a
/// provider computes on create). `Secret` wraps a value that must never be
/// printed; it behaves like the wrapped value in expressions and taints the
/// results it flows into.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Value>),
    Map(Map),
    Unknown,
    Secret(Box<Value>),
}

/// Key under which secrets are tagged in the JSON form of a value.
const SECRET_KEY: &str = "$secret";

impl Value {
    /// A short name of the value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "table",
            Value::Unknown => "unknown",
            Value::Secret(inner) => inner.kind(),
        }
    }

    /// Marks a value secret (idempotent).
    pub fn secret(v: Value) -> Value {
        match v {
            Value::Secret(_) => v,
            other => Value::Secret(Box::new(other)),
        }
    }

    /// The value without its secret wrapper, and whether it had one.
    pub fn unwrap_secret(&self) -> (&Value, bool) {
        match self {
            Value::Secret(inner) => (inner.as_ref(), true),
            other => (other, false),
        }
    }

    /// The value with every secret wrapper removed, at any depth.
    pub fn reveal(&self) -> Value {
        match self {
            Value::Secret(inner) => inner.reveal(),
            Value::List(items) => Value::List(items.iter().map(Value::reveal).collect()),
            Value::Map(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), v.reveal())).collect()),
            other => other.clone(),
        }
    }

    /// True when the value, or anything inside it, is secret.
    pub fn contains_secret(&self) -> bool {
        match self {
            Value::Secret(_) => true,
            Value::List(items) => items.iter().any(Value::contains_secret),
            Value::Map(m) => m.values().any(Value::contains_secret),
            _ => false,
        }
    }

    /// True when the value, or anything inside it, is only known after up.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::Secret(inner) => inner.contains_unknown(),
            Value::List(items) => items.iter().any(Value::contains_unknown),
            Value::Map(m) => m.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    /// True when the value, or anything inside it, is the string `s`.
    pub fn holds_str(&self, s: &str) -> bool {
        match self {
            Value::String(v) => v == s,
            Value::Secret(inner) => inner.holds_str(s),
            Value::List(items) => items.iter().any(|v| v.holds_str(s)),
            Value::Map(m) => m.values().any(|v| v.holds_str(s)),
            _ => false,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.unwrap_secret().0 {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self.unwrap_secret().0 {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.unwrap_secret().0 {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self.unwrap_secret().0 {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self.unwrap_secret().0 {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value as it is spliced into a `"...${expr}..."` string.
    /// `None` for lists and tables, which have no string form there.
    pub fn to_interpolated(&self) -> Option<String> {
        match self.unwrap_secret().0 {
            Value::Null => Some(String::new()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(float_text(*f)),
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// The JSON form used in the state file and by `--json`. Secrets are kept
    /// (tagged), unknowns become null.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null | Value::Unknown => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::List(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Value::Secret(inner) => {
                let mut o = serde_json::Map::new();
                o.insert(SECRET_KEY.to_string(), inner.to_json());
                J::Object(o)
            }
        }
    }

    /// The JSON form for display: secrets become `"[secret]"` unless `reveal`.
    pub fn to_display_json(&self, reveal: bool) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Secret(inner) if reveal => inner.to_display_json(true),
            Value::Secret(_) => J::String("[secret]".into()),
            Value::Unknown => J::String("(known after up)".into()),
            Value::List(items) => {
                J::Array(items.iter().map(|v| v.to_display_json(reveal)).collect())
            }
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.to_display_json(reveal)))
                    .collect(),
            ),
            other => other.to_json(),
        }
    }

    /// Reads the JSON form written by [`Value::to_json`].
    pub fn from_json(j: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            J::Object(o) => {
                if o.len() == 1
                    && let Some(inner) = o.get(SECRET_KEY)
                {
                    return Value::secret(Value::from_json(inner));
                }
                Value::Map(
                    o.iter()
                        .map(|(k, v)| (k.clone(), Value::from_json(v)))
                        .collect(),
                )
            }
        }
    }

    /// Converts a JSON map into a property map.
    pub fn map_from_json(j: &serde_json::Value) -> Map {
        match Value::from_json(j) {
            Value::Map(m) => m,
            _ => Map::new(),
        }
    }

    /// Converts a property map into its JSON form.
    pub fn map_to_json(m: &Map) -> serde_json::Value {
        serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::List(v)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}

/// A float as Terraform writes it (Go's `big.Float.Text('f', -1)`): in
/// full, without an exponent, and infinities as `+Inf` / `-Inf`.
pub(crate) fn float_text(x: f64) -> String {
    match x {
        f64::INFINITY => "+Inf".to_string(),
        f64::NEG_INFINITY => "-Inf".to_string(),
        x => x.to_string(),
    }
}

/// Human form used by previews: strings quoted, secrets hidden, unknowns
/// spelled out.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{}", float_text(*x)),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Unknown => write!(f, "(known after up)"),
            Value::Secret(_) => write!(f, "[secret]"),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Value::Map(m) => {
                write!(f, "{{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                write!(f, "}}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_secrets() {
        let mut m = Map::new();
        m.insert("a".into(), Value::secret("pw".into()));
        m.insert(
            "b".into(),
            Value::List(vec![Value::Int(1), Value::Float(1.5)]),
        );
        let v = Value::Map(m);
        assert_eq!(Value::from_json(&v.to_json()), v);
        assert_eq!(v.to_string(), "{a = [secret], b = [1, 1.5]}");
    }

    #[test]
    fn unknown_and_secret_are_found_at_depth() {
        let v = Value::List(vec![Value::Int(1), Value::List(vec![Value::Unknown])]);
        assert!(v.contains_unknown());
        assert!(!v.contains_secret());
        assert_eq!(v.reveal(), v);
    }
}
