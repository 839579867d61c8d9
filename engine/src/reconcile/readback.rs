//! The one way a provider's read is folded into a record, shared by
//! refresh, crash recovery and import, so the three can never disagree on
//! which values are secret or what the outputs show.
//!
//! - Inputs: the base inputs with the properties the provider read in their
//!   place, as far as [`Settle`] allows. In a type whose reads are complete
//!   (`TypeSchema::complete_reads`), a property the read leaves out is
//!   absent in the cloud (an internet gateway attached to nothing has no
//!   `vpc_id`): it is dropped, so the plan shows it as a change to make, and
//!   a half-made resource never reads as done. Only a property marked
//!   unreadable, or one of a type not yet audited, keeps its base value.
//!   Values known only after up are never recorded.
//! - Outputs: the base outputs with what the provider read on top, then the
//!   inputs mirrored (outputs show the inputs as the cloud has them, so the
//!   resources that use this one see what it really has).
//! - Secrets: a value read back is secret again where the base had it
//!   secret or the schema says so (providers return plain values).

use crate::base::{Map, TypeSchema, Value};
use crate::provider::ReadResult;

/// Which properties a read settles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settle {
    /// Every property the provider read (refresh, import: the cloud is the
    /// truth).
    Every,
    /// Only properties an update can change and the provider can read in
    /// the clear (recovery: properties that force a replacement are set by
    /// the create call itself and stay as sent; secrets stay as recorded).
    Updatable,
    /// None: the inputs stay as recorded (a duplicate kept only to delete).
    Nothing,
}

/// A record's inputs and outputs after a read.
#[derive(Clone, Debug, PartialEq)]
pub struct Folded {
    pub inputs: Map,
    pub outputs: Map,
}

/// Folds `read` into `inputs` and `outputs` (see the module comment).
pub fn fold_read(
    schema: &TypeSchema,
    inputs: &Map,
    outputs: &Map,
    read: &ReadResult,
    settle: Settle,
) -> Folded {
    let mut folded: Map = inputs
        .iter()
        .filter(|(_, v)| !v.contains_unknown())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Only declared properties are inputs; anything else a provider returns
    // belongs in the outputs.
    for p in &schema.properties {
        let settled = match settle {
            Settle::Every => true,
            Settle::Updatable => !p.force_new && !p.secret,
            Settle::Nothing => false,
        };
        if !settled {
            continue;
        }
        match read.inputs.get(&p.name) {
            Some(v) => {
                let v = keep_secret(inputs.get(&p.name), v.clone(), p.secret);
                folded.insert(p.name.clone(), v);
            }
            None if schema.absent_unless_read(p) => {
                folded.remove(&p.name);
            }
            None => {}
        }
    }
    // An attribute the provider does not return keeps its base value, as a
    // property does: resources that use it still need it.
    let mut out = outputs.clone();
    for (k, v) in &read.outputs {
        let v = keep_secret(outputs.get(k), v.clone(), schema.is_secret(k));
        out.insert(k.clone(), v);
    }
    for p in &schema.properties {
        match folded.get(&p.name) {
            Some(v) => {
                out.insert(p.name.clone(), v.clone());
            }
            // Absent in the cloud: the outputs, which mirror the inputs, must
            // not keep showing it to the resources that read this one.
            None if schema.absent_unless_read(p) && !read.outputs.contains_key(&p.name) => {
                out.remove(&p.name);
            }
            None => {}
        }
    }
    Folded {
        inputs: folded,
        outputs: out,
    }
}

/// A value read from the cloud, secret again where the base or the schema
/// had it secret.
fn keep_secret(old: Option<&Value>, new: Value, secret_by_schema: bool) -> Value {
    let was_secret = old.is_some_and(|v| matches!(v, Value::Secret(_)));
    if was_secret || secret_by_schema {
        Value::secret(new)
    } else {
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::{Attribute, Property, ValueType};

    fn map(pairs: &[(&str, Value)]) -> Map {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn read(inputs: &[(&str, Value)], outputs: &[(&str, Value)]) -> ReadResult {
        ReadResult {
            inputs: map(inputs),
            outputs: map(outputs),
        }
    }

    #[test]
    fn read_values_win_and_unreadable_ones_are_taken_as_declared() {
        let schema = TypeSchema::new("t:m:T", "").complete_reads().properties([
            Property::required("cidr", ValueType::String),
            Property::optional("key", ValueType::String)
                .secret()
                .unreadable(),
            Property::optional("vpc_id", ValueType::String),
            Property::optional("tags", ValueType::map(ValueType::String)),
            Property::optional("later", ValueType::String),
        ]);
        let declared = map(&[
            ("cidr", "10.0.0.0/16".into()),
            ("key", Value::secret("k".into())),
            ("vpc_id", "vpc-1".into()),
            ("later", Value::Unknown),
        ]);
        let r = read(
            &[
                ("cidr", "10.9.0.0/16".into()),
                ("tags", Value::Map(map(&[("Name", "x".into())]))),
                ("not_a_property", "y".into()),
            ],
            &[],
        );
        let got = fold_read(&schema, &declared, &declared, &r, Settle::Every).inputs;
        assert_eq!(got["cidr"], Value::from("10.9.0.0/16"));
        assert_eq!(got["key"], Value::secret("k".into()));
        assert!(got.contains_key("tags"));
        assert!(
            !got.contains_key("later"),
            "unknown values are not recorded"
        );
        assert!(!got.contains_key("not_a_property"));
        // A readable property the read leaves out is absent in the cloud (a
        // gateway attached to nothing): dropped, so the plan shows it.
        assert!(!got.contains_key("vpc_id"), "{got:?}");
        let f = fold_read(&schema, &declared, &declared, &r, Settle::Every);
        assert!(!f.outputs.contains_key("vpc_id"), "{:?}", f.outputs);
        // A type whose reads are not audited keeps what the read left out.
        let legacy = TypeSchema {
            complete_reads: false,
            ..schema.clone()
        };
        let kept = fold_read(&legacy, &declared, &declared, &r, Settle::Every);
        assert_eq!(kept.inputs["vpc_id"], Value::from("vpc-1"));
        assert_eq!(kept.outputs["vpc_id"], Value::from("vpc-1"));
    }

    #[test]
    fn only_updatable_properties_are_settled_from_a_read() {
        let schema = TypeSchema::new("t", "").complete_reads().properties([
            Property::required("cidr", ValueType::String).force_new(),
            Property::optional("dns", ValueType::Bool),
            Property::optional("password", ValueType::String).secret(),
            Property::optional("unread", ValueType::String).unreadable(),
            Property::optional("attached", ValueType::String),
        ]);
        let sent = map(&[
            ("cidr", Value::from("10.0.0.0/16")),
            ("dns", Value::Bool(true)),
            ("password", Value::secret("s".into())),
            ("unread", Value::from("kept")),
            ("attached", Value::from("vpc-1")),
        ]);
        let r = read(
            &[
                ("cidr", Value::from("10.0.0.0/16 ")),
                ("dns", Value::Bool(false)),
                ("password", Value::from("plain")),
                ("arn", Value::from("not a property")),
            ],
            &[],
        );
        let settled = fold_read(&schema, &sent, &Map::new(), &r, Settle::Updatable).inputs;
        assert_eq!(settled["cidr"], sent["cidr"], "force_new stays as sent");
        assert_eq!(settled["dns"], Value::Bool(false), "what the cloud has");
        assert_eq!(settled["password"], sent["password"]);
        assert_eq!(settled["unread"], sent["unread"]);
        assert!(
            !settled.contains_key("attached"),
            "the second call never landed"
        );
        assert!(!settled.contains_key("arn"));
        let kept = fold_read(&schema, &sent, &Map::new(), &r, Settle::Nothing).inputs;
        assert_eq!(kept, sent);
    }

    #[test]
    fn outputs_take_the_read_and_mirror_the_inputs_with_secrets_kept() {
        let schema = TypeSchema::new("t", "")
            .properties([Property::optional("size", ValueType::Int)])
            .attributes([
                Attribute::new("arn", ValueType::String),
                Attribute::new("token", ValueType::String).secret(),
            ]);
        let before = map(&[
            ("size", Value::Int(1)),
            ("arn", "a1".into()),
            ("old", "x".into()),
        ]);
        let r = read(
            &[("size", Value::Int(2))],
            &[
                ("arn", "a2".into()),
                ("token", "t".into()),
                ("size", Value::Int(9)),
            ],
        );
        let f = fold_read(&schema, &before, &before, &r, Settle::Every);
        assert_eq!(f.outputs["size"], Value::Int(2), "inputs are mirrored last");
        assert_eq!(f.outputs["arn"], Value::from("a2"));
        assert_eq!(f.outputs["token"], Value::secret("t".into()));
        assert_eq!(f.outputs["old"], Value::from("x"), "unread outputs stay");
    }
}
