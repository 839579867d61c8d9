//! Import: adopts a resource that already exists in the cloud under a name
//! the stack file declares, so that skistack manages it from then on.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::plan::{PropertyChange, dependency_addresses, diff_inputs};
use crate::project::{EngineError, Loaded, Project};
use crate::provider::CallContext;
use crate::refresh::keep_secret;
use crate::schema::TypeSchema;
use crate::source::did_you_mean;
use crate::stack::DeclKind;
use crate::state::{RecordOptions, ResourceRecord};
use crate::value::Map;

/// What an import recorded.
#[derive(Debug, Clone)]
pub struct Imported {
    pub record: ResourceRecord,
    /// How the resource differs from its declaration: what the next up
    /// changes (old = the resource, new = the declaration).
    pub differences: Vec<PropertyChange>,
}

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

/// The name of the declaration an instance address belongs to:
/// `subnet` for `subnet[0]`.
fn decl_name(address: &str) -> &str {
    address.split('[').next().unwrap_or(address)
}

impl Project {
    /// Adopts the existing resource `id` as instance `address` of the loaded
    /// stack: reads it through its provider and records it, without
    /// changing it. Refuses when `address` is already recorded, is not
    /// declared, or the resource does not exist.
    pub async fn import(
        &self,
        loaded: &Loaded,
        address: &str,
        id: &str,
    ) -> Result<Imported, EngineError> {
        let stack = &loaded.stack;
        let key = self.key(&stack.name);
        let state = self.store.load(&key)?;
        if let Some(r) = state.resources.get(address) {
            return Err(EngineError::Refused(format!(
                "`{address}` is already in the state of stack {key} ({} {}); run `skistack state forget {} {address}` first to import another resource under that name",
                r.type_token, r.id, stack.name
            )));
        }
        let name = decl_name(address);
        let Some(decl_index) = stack.decl_index(name) else {
            let names = stack.decls.iter().map(|d| d.name.as_str());
            let hint = did_you_mean(name, names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(EngineError::Refused(format!(
                "stack `{}` declares no resource `{name}`{hint}; declare it in the stack file first",
                stack.name
            )));
        };
        let decl = &stack.decls[decl_index];
        if decl.kind != DeclKind::Resource {
            return Err(EngineError::Refused(format!(
                "`{name}` is a data lookup; only resources can be imported"
            )));
        }
        if let Some(r) = state
            .resources
            .values()
            .find(|r| r.type_token == decl.type_token && r.id == id)
        {
            return Err(EngineError::Refused(format!(
                "{} {id} is already managed by stack {key} as `{}`",
                r.type_token, r.name
            )));
        }
        // The plan of the one instance gives its declared inputs as far as
        // they are known now.
        let plan = self
            .plan(loaded, &state, &[address.to_string()], &BTreeSet::new())
            .await?;
        let Some(change) = plan.changes.iter().find(|c| c.address == address) else {
            let instances: Vec<&str> = plan.values.instances[decl_index]
                .iter()
                .map(|(_, a)| a.as_str())
                .collect();
            return Err(EngineError::Refused(format!(
                "stack `{}` has no instance `{address}`; `{name}` has: {}",
                stack.name,
                if instances.is_empty() {
                    "none".to_string()
                } else {
                    instances.join(", ")
                }
            )));
        };
        let rt = self.registry.resource(&decl.type_token).ok_or_else(|| {
            EngineError::Refused(format!("no provider offers type {}", decl.type_token))
        })?;
        let schema = rt.schema();
        // Values known only after up can't guide the read.
        let declared: Map = change
            .inputs
            .iter()
            .filter(|(_, v)| !v.contains_unknown())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let ctx = CallContext {
            stack: key.stack.clone(),
            env: key.env.clone(),
            resource: address.to_string(),
            type_token: decl.type_token.clone(),
            config: Arc::clone(&loaded.config),
            operation_id: format!("import-{address}"),
            stack_dir: stack.dir.clone(),
        };
        let read = rt
            .read(&ctx, id, &declared, &Map::new())
            .await
            .map_err(|e| EngineError::Refused(format!("reading {} {id}: {e}", decl.type_token)))?
            .ok_or_else(|| {
                EngineError::Refused(format!(
                    "there is no {} with id {id} (in the region and account of stack {key})",
                    decl.type_token
                ))
            })?;
        let inputs = imported_inputs(schema, &declared, read.inputs);
        let mut outputs = inputs.clone();
        for (k, v) in read.outputs {
            let v = keep_secret(inputs.get(&k), v, schema.is_secret(&k));
            outputs.insert(k, v);
        }
        // Mirror the recorded inputs, so resources that use this one see
        // what it has, not what the provider was told to expect.
        outputs.extend(inputs.iter().map(|(k, v)| (k.clone(), v.clone())));
        let o = &decl.options;
        let record = ResourceRecord {
            name: address.to_string(),
            type_token: decl.type_token.clone(),
            id: id.to_string(),
            inputs,
            outputs,
            dependencies: dependency_addresses(stack, &loaded.checked, &plan.values, decl_index),
            options: RecordOptions {
                protect: o.protect,
                retain_on_delete: o.retain_on_delete,
                delete_before_replace: o.delete_before_replace,
            },
        };
        let differences = diff_inputs(schema, &record.inputs, &change.inputs);
        // Op id 0 matches no intent: the import changed nothing in the cloud.
        self.store.commit_resource(&key, 0, &record)?;
        Ok(Imported {
            record,
            differences,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Property, ValueType};
    use crate::value::Value;

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
        assert_eq!(decl_name("subnet[0]"), "subnet");
        assert_eq!(decl_name("bucket[\"logs\"]"), "bucket");
        assert_eq!(decl_name("vpc"), "vpc");
    }
}
