//! The plan for one instance, as a type per action: a create carries its
//! declaration and inputs, an update or replace also the record it changes,
//! a removal only the record. What an action does not have cannot be read,
//! so the executor never checks at run time that an update has a record.

use super::diff::PropertyChange;
use crate::base::{InstanceKey, Map, TypeSchema};
use crate::stack::DeclKind;
use crate::state::ResourceRecord;

/// What happens to one instance, for counting and display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
    /// Dropped from the state without deleting (`retain_on_delete`).
    Forget,
    /// A data lookup, read during up because its inputs are not known yet.
    Read,
    Same,
}

impl Action {
    /// The action's name in previews, summaries and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::Forget => "forget",
            Action::Read => "read",
            Action::Same => "same",
        }
    }
}

/// Where a declared instance comes from: its declaration and instance key.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    /// The declaration's index in the stack.
    pub decl: usize,
    pub key: InstanceKey,
    /// The inputs as far as known now.
    pub inputs: Map,
}

/// What a change does, with what that needs.
#[derive(Debug, Clone)]
pub enum ChangeOp {
    /// A resource that does not exist yet.
    Create(Declared),
    /// A data lookup whose inputs are known only during up.
    Read(Declared),
    /// A recorded resource changed in place (or only its recorded options).
    Update {
        at: Declared,
        prior: ResourceRecord,
        diff: Vec<PropertyChange>,
    },
    /// A recorded resource replaced by a new one.
    Replace {
        at: Declared,
        prior: ResourceRecord,
        diff: Vec<PropertyChange>,
        /// Delete the old resource before creating the new one.
        delete_first: bool,
        /// Keep the old resource in the cloud and only drop it from the
        /// state (`retain_on_delete`), where it would be deleted.
        retain_old: bool,
    },
    /// Nothing to do: a resource as recorded, or a lookup read at plan time.
    Same {
        at: Declared,
        prior: Option<ResourceRecord>,
    },
    /// A recorded resource that is no longer declared, deleted.
    Delete(ResourceRecord),
    /// A recorded resource that is no longer declared, dropped from the
    /// state without deleting it.
    Forget(ResourceRecord, Kept),
}

/// Why a resource that is no longer declared stays in the cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Its `retain_on_delete` option.
    RetainOnDelete,
    /// A `[[removed]]` entry with `destroy = false`.
    Removed,
}

/// The plan for one instance.
#[derive(Debug, Clone)]
pub struct Change {
    pub address: String,
    pub type_token: String,
    pub kind: DeclKind,
    pub op: ChangeOp,
}

/// The inputs of a change without a declaration.
static NO_INPUTS: Map = Map::new();

impl Change {
    /// The removal of a recorded resource that is no longer declared:
    /// deleted, or forgotten when something says to keep it.
    pub fn removal(record: &ResourceRecord, kept: Option<Kept>) -> Change {
        Change {
            address: record.address.clone(),
            type_token: record.type_token.clone(),
            kind: DeclKind::Resource,
            op: match kept {
                Some(why) => ChangeOp::Forget(record.clone(), why),
                None => ChangeOp::Delete(record.clone()),
            },
        }
    }

    /// Why a forgotten resource stays in the cloud; `None` for any other
    /// change.
    pub fn kept(&self) -> Option<Kept> {
        match &self.op {
            ChangeOp::Forget(_, why) => Some(*why),
            _ => None,
        }
    }

    /// The action, for counting and display.
    pub fn action(&self) -> Action {
        match &self.op {
            ChangeOp::Create(_) => Action::Create,
            ChangeOp::Read(_) => Action::Read,
            ChangeOp::Update { .. } => Action::Update,
            ChangeOp::Replace { .. } => Action::Replace,
            ChangeOp::Same { .. } => Action::Same,
            ChangeOp::Delete(_) => Action::Delete,
            ChangeOp::Forget(..) => Action::Forget,
        }
    }

    /// The declaration and key, `None` for a resource no longer declared.
    pub fn declared(&self) -> Option<&Declared> {
        match &self.op {
            ChangeOp::Create(at) | ChangeOp::Read(at) => Some(at),
            ChangeOp::Update { at, .. }
            | ChangeOp::Replace { at, .. }
            | ChangeOp::Same { at, .. } => Some(at),
            ChangeOp::Delete(_) | ChangeOp::Forget(..) => None,
        }
    }

    /// The declaration's index, `None` for a resource no longer declared.
    pub fn decl(&self) -> Option<usize> {
        self.declared().map(|d| d.decl)
    }

    /// The inputs as far as known now (none for a removal).
    pub fn inputs(&self) -> &Map {
        self.declared().map_or(&NO_INPUTS, |d| &d.inputs)
    }

    /// The record the change starts from, if any.
    pub fn prior(&self) -> Option<&ResourceRecord> {
        match &self.op {
            ChangeOp::Update { prior, .. }
            | ChangeOp::Replace { prior, .. }
            | ChangeOp::Delete(prior)
            | ChangeOp::Forget(prior, _) => Some(prior),
            ChangeOp::Same { prior, .. } => prior.as_ref(),
            ChangeOp::Create(_) | ChangeOp::Read(_) => None,
        }
    }

    /// The properties that change (updates and replacements).
    pub fn diff(&self) -> &[PropertyChange] {
        match &self.op {
            ChangeOp::Update { diff, .. } | ChangeOp::Replace { diff, .. } => diff,
            _ => &[],
        }
    }

    /// Makes a replacement delete the old resource first (see
    /// [`Change::delete_before_replace`]); other changes stay as they are.
    pub(crate) fn delete_first(&mut self) {
        if let ChangeOp::Replace { delete_first, .. } = &mut self.op {
            *delete_first = true;
        }
    }

    /// Turns an update whose old inputs still hold one of `references` (the
    /// ids and ARNs of resources deleted before they are replaced) in a
    /// property the cloud enforces ([`crate::base::Property::holds`]) into a replacement
    /// that deletes first: the cloud refuses to delete what is still held,
    /// and the update could only point at the new resource once it exists.
    /// Those properties are shown as forcing it.
    pub(crate) fn replaced_if_holding(
        mut self,
        references: &[String],
        schema: &TypeSchema,
        retain_old: bool,
    ) -> Change {
        let ChangeOp::Update { diff, .. } = &mut self.op else {
            return self;
        };
        let mut holds = false;
        for change in diff.iter_mut() {
            if schema.find_property(&change.name).is_some_and(|p| p.holds)
                && change
                    .old
                    .as_ref()
                    .is_some_and(|old| references.iter().any(|r| old.holds_str(r)))
            {
                change.forces_replace = true;
                holds = true;
            }
        }
        if !holds {
            return self;
        }
        if let ChangeOp::Update { at, prior, diff } = self.op {
            self.op = ChangeOp::Replace {
                at,
                prior,
                diff,
                delete_first: true,
                retain_old,
            };
        }
        self
    }

    /// True for a replacement that deletes the old resource first.
    pub fn delete_before_replace(&self) -> bool {
        matches!(
            self.op,
            ChangeOp::Replace {
                delete_first: true,
                ..
            }
        )
    }

    /// True for a replacement that keeps the old resource in the cloud
    /// (`retain_on_delete`): its delete step only drops it from the state.
    pub fn retains_superseded(&self) -> bool {
        matches!(
            self.op,
            ChangeOp::Replace {
                retain_old: true,
                ..
            }
        )
    }

    /// Names of the properties that force the replacement.
    pub fn replace_reasons(&self) -> Vec<&str> {
        self.diff()
            .iter()
            .filter(|c| c.forces_replace)
            .map(|c| c.name.as_str())
            .collect()
    }
}
