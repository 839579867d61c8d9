//! `import`: adopts a resource that already exists in the cloud under a
//! name the stack file declares, so that skistack manages it from then on.
//! It reads and records; it never changes the resource.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::project::{Loaded, Project};
use crate::base::{Address, Map, did_you_mean};
use crate::error::EngineError;
use crate::eval::dependency_addresses;
use crate::plan::{PropertyChange, diff_inputs};
use crate::provider::{CallContext, CallPurpose};
use crate::reconcile::{Folded, Settle, fold_read};
use crate::stack::DeclKind;
use crate::state::ResourceRecord;

/// What an import recorded.
#[derive(Debug, Clone)]
pub struct Imported {
    pub record: ResourceRecord,
    /// How the resource differs from its declaration: what the next up
    /// changes (old = the resource, new = the declaration).
    pub differences: Vec<PropertyChange>,
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
        let name = &Address::decl_of(address);
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
                r.type_token, r.address
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
            .inputs()
            .iter()
            .filter(|(_, v)| !v.contains_unknown())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let ctx = CallContext::new(
            &key,
            address,
            &decl.type_token,
            Arc::clone(&loaded.config),
            stack.dir.clone(),
            CallPurpose::Read,
        );
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
        // Each declared property as the provider read it back, the declared
        // value where it cannot read it, and properties the resource has but
        // the declaration leaves out.
        let Folded { inputs, outputs } =
            fold_read(schema, &declared, &declared, &read, Settle::Every);
        let o = &decl.options;
        let record = ResourceRecord {
            address: address.to_string(),
            type_token: decl.type_token.clone(),
            id: id.to_string(),
            inputs,
            outputs,
            dependencies: match change.declared() {
                Some(at) => {
                    dependency_addresses(stack, &loaded.checked, &plan.values, at.decl, &at.key)
                }
                None => Vec::new(),
            },
            options: o.recorded(),
        };
        let differences = diff_inputs(schema, &record.inputs, change.inputs());
        self.store.commit_resource(&key, None, &record)?;
        Ok(Imported {
            record,
            differences,
        })
    }
}
