//! Import: adopts a resource that already exists in the cloud under a name
//! the stack file declares, so that skistack manages it from then on.

use super::refresh::keep_secret;
use crate::base::{Map, TypeSchema};

/// The inputs to record for an imported resource: each declared property as
/// the provider read it back, the declared value where the provider cannot
/// read it, and properties the resource has but the declaration leaves out.
pub fn imported_inputs(schema: &TypeSchema, declared: &Map, read: Map) -> Map {
    let mut inputs: Map = declared
        .iter()
        .filter(|(_, v)| !v.contains_unknown())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in read {
        let Some(p) = schema.find_property(&k) else {
            continue;
        };
        let v = keep_secret(declared.get(&k), v, p.secret);
        inputs.insert(k, v);
    }
    inputs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::Value;
    use crate::base::{Property, ValueType};

    #[test]
    fn read_values_win_and_unreadable_ones_are_taken_as_declared() {
        let schema = TypeSchema::new("t:m:T", "")
            .property(Property::required("cidr", ValueType::String))
            .property(Property::optional("key", ValueType::String).secret())
            .property(Property::optional(
                "tags",
                ValueType::map(ValueType::String),
            ))
            .property(Property::optional("later", ValueType::String));
        let declared = Map::from([
            ("cidr".into(), "10.0.0.0/16".into()),
            ("key".into(), Value::secret("k".into())),
            ("later".into(), Value::Unknown),
        ]);
        let read = Map::from([
            ("cidr".into(), "10.9.0.0/16".into()),
            (
                "tags".into(),
                Value::Map(Map::from([("Name".into(), "x".into())])),
            ),
            ("not_a_property".into(), "y".into()),
        ]);
        let got = imported_inputs(&schema, &declared, read);
        assert_eq!(got["cidr"], Value::from("10.9.0.0/16"));
        assert_eq!(got["key"], Value::secret("k".into()));
        assert!(got.contains_key("tags"));
        assert!(
            !got.contains_key("later"),
            "unknown values are not recorded"
        );
        assert!(!got.contains_key("not_a_property"));
    }

    #[test]
    fn an_address_names_its_declaration() {
        assert_eq!(crate::base::Address::decl_of("subnet[0]"), "subnet");
        assert_eq!(crate::base::Address::decl_of("bucket[\"logs\"]"), "bucket");
        assert_eq!(crate::base::Address::decl_of("vpc"), "vpc");
    }
}
