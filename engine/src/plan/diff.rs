//! Property diffs between what the state records and what is declared.

use crate::base::TypeSchema;
use crate::base::{Map, Value};

/// One property that changes.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyChange {
    pub name: String,
    /// `None` when the property was not set before.
    pub old: Option<Value>,
    /// `None` when the property is no longer set.
    pub new: Option<Value>,
    /// The change forces a replacement.
    pub forces_replace: bool,
}

/// The properties that differ between `old` and `new`. An unknown new value
/// counts as a change (it is only known after up).
pub fn diff_inputs(schema: &TypeSchema, old: &Map, new: &Map) -> Vec<PropertyChange> {
    let mut changes = Vec::new();
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for k in keys {
        let (o, n) = (old.get(k), new.get(k));
        let same = match (o, n) {
            (Some(a), Some(b)) => !b.contains_unknown() && a == b,
            (None, None) => true,
            // A property absent on one side and null on the other is the same.
            (None, Some(Value::Null)) | (Some(Value::Null), None) => true,
            _ => false,
        };
        if !same {
            let forces_replace = schema.find_property(k).is_some_and(|p| p.force_new);
            changes.push(PropertyChange {
                name: k.clone(),
                old: o.cloned(),
                new: n.cloned(),
                forces_replace,
            });
        }
    }
    changes
}

/// Keeps the recorded value of each property listed in `ignore_changes`.
pub fn apply_ignore_changes(ignore: &[(String, crate::base::Span)], old: &Map, new: &mut Map) {
    for (name, _) in ignore {
        match old.get(name) {
            Some(v) => {
                new.insert(name.clone(), v.clone());
            }
            None => {
                new.remove(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::{Property, ValueType};

    fn schema() -> TypeSchema {
        TypeSchema::new("t:m:T", "").properties([
            Property::required("name", ValueType::String).force_new(),
            Property::optional("size", ValueType::Int),
        ])
    }

    #[test]
    fn finds_changes_and_replacements() {
        let old = Map::from([("name".into(), "a".into()), ("size".into(), Value::Int(1))]);
        let mut new = old.clone();
        assert!(diff_inputs(&schema(), &old, &new).is_empty());
        new.insert("size".into(), Value::Int(2));
        let d = diff_inputs(&schema(), &old, &new);
        assert_eq!(d.len(), 1);
        assert!(!d[0].forces_replace);
        new.insert("name".into(), "b".into());
        let d = diff_inputs(&schema(), &old, &new);
        assert!(d.iter().any(|c| c.name == "name" && c.forces_replace));
    }

    #[test]
    fn unknown_is_a_change_and_null_is_absent() {
        let old = Map::from([("size".into(), Value::Int(1))]);
        let new = Map::from([
            ("size".into(), Value::Unknown),
            ("name".into(), Value::Null),
        ]);
        let d = diff_inputs(&schema(), &old, &new);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].name, "size");
    }

    #[test]
    fn ignore_changes_keeps_old_values() {
        let old = Map::from([("size".into(), Value::Int(1))]);
        let mut new = Map::from([("size".into(), Value::Int(5)), ("name".into(), "x".into())]);
        apply_ignore_changes(
            &[
                ("size".into(), Default::default()),
                ("name".into(), Default::default()),
            ],
            &old,
            &mut new,
        );
        assert_eq!(new, old);
    }
}
