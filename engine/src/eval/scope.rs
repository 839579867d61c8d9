//! Name resolution during evaluation: resources, data, config, count, each
//! and other stacks' outputs.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::base::{Address, InstanceKey, Map, Value, did_you_mean};
use crate::expr::{Scope, Step, walk_map};
use crate::stack::Stack;

/// The instances of every declaration, by declaration index, and the
/// outputs known for each instance address.
#[derive(Debug, Default, Clone)]
pub struct Values {
    pub instances: Vec<Vec<(InstanceKey, String)>>,
    pub outputs: HashMap<String, Map>,
    /// A declaration whose instances cannot be known before up (its count
    /// depends on unknown values).
    pub unknown_decls: Vec<bool>,
    /// Every address in `instances`, so that `for_each[key]` finds its
    /// instance without a scan.
    addresses: HashSet<String>,
}

impl Values {
    pub fn new(decls: usize) -> Values {
        Values {
            instances: vec![Vec::new(); decls],
            outputs: HashMap::new(),
            unknown_decls: vec![false; decls],
            addresses: HashSet::new(),
        }
    }

    /// Adds instance `key` (at `address`) of declaration `decl`.
    pub fn add_instance(&mut self, decl: usize, key: InstanceKey, address: String) {
        self.addresses.insert(address.clone());
        self.instances[decl].push((key, address));
    }

    /// Whether `address` is an instance added with [`Values::add_instance`].
    pub fn has_instance(&self, address: &str) -> bool {
        self.addresses.contains(address)
    }

    /// What [`Values::decl_value`] of `j` followed by `path` gives, reached
    /// without building that value; `None` where only the walk can tell.
    fn lookup(&self, stack: &Stack, j: usize, path: &[Step<'_>]) -> Option<Value> {
        if self.unknown_decls.get(j).copied().unwrap_or(false) {
            return Some(Value::Unknown);
        }
        let decl = &stack.decls[j];
        let list = self.instances.get(j)?;
        let (address, rest): (Option<Cow<'_, str>>, _) =
            match (MultiKind::of(decl), path.split_first()?) {
                (MultiKind::Single, _) => (list.first().map(|(_, a)| a.as_str().into()), path),
                (MultiKind::Count, (Step::Index(Value::Int(i)), rest)) => {
                    let (_, a) = list.get(usize::try_from(*i).ok()?)?;
                    (Some(a.as_str().into()), rest)
                }
                (MultiKind::ForEach, (Step::Index(Value::String(k)), rest)) => {
                    let a = Address::new(&decl.name, InstanceKey::Key(k.clone())).to_string();
                    (self.has_instance(&a).then_some(a.into()), rest)
                }
                _ => return None,
            };
        let Some(address) = address else {
            // No instance yet (Single) is unknown; a key that is not an
            // instance is an error the walk reports.
            return matches!(MultiKind::of(decl), MultiKind::Single).then_some(Value::Unknown);
        };
        match self.outputs.get(address.as_ref()) {
            Some(outputs) => walk_map(outputs, rest),
            None => Some(Value::Unknown),
        }
    }

    /// The value a reference to declaration `j` sees: a table for a single
    /// instance, a list for `count`, a table by key for `for_each`.
    pub fn decl_value(&self, j: usize, multi: MultiKind) -> Value {
        if self.unknown_decls.get(j).copied().unwrap_or(false) {
            return Value::Unknown;
        }
        let instance = |addr: &str| {
            self.outputs
                .get(addr)
                .cloned()
                .map_or(Value::Unknown, Value::Map)
        };
        let Some(list) = self.instances.get(j) else {
            return Value::Unknown;
        };
        match multi {
            MultiKind::Single => list.first().map_or(Value::Unknown, |(_, a)| instance(a)),
            MultiKind::Count => Value::List(list.iter().map(|(_, a)| instance(a)).collect()),
            MultiKind::ForEach => Value::Map(
                list.iter()
                    .map(|(k, a)| {
                        let key = match k {
                            InstanceKey::Key(k) => k.clone(),
                            InstanceKey::Index(i) => i.to_string(),
                            InstanceKey::Single => String::new(),
                        };
                        (key, instance(a))
                    })
                    .collect(),
            ),
        }
    }
}

/// Whether a declaration has one instance, a counted list or a keyed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultiKind {
    Single,
    Count,
    ForEach,
}

impl MultiKind {
    pub fn of(decl: &crate::stack::Decl) -> MultiKind {
        if decl.count.is_some() {
            MultiKind::Count
        } else if decl.for_each.is_some() {
            MultiKind::ForEach
        } else {
            MultiKind::Single
        }
    }
}

/// The scope of one evaluation.
pub struct EvalScope<'a> {
    pub stack: &'a Stack,
    pub config: &'a Map,
    pub values: &'a Values,
    /// Outputs of other stacks by name: a table, or Unknown when the stack is
    /// planned in the same run and not deployed yet.
    pub stacks: &'a Map,
    pub count_index: Option<i64>,
    pub each: Option<(String, Value)>,
    /// Set by the executor when it evaluates the inputs it applies.
    pub applying: bool,
}

impl Scope for EvalScope<'_> {
    fn root(&self, name: &str) -> Result<Value, (String, Option<String>)> {
        match name {
            "config" => Ok(Value::Map(self.config.clone())),
            "count" => match self.count_index {
                Some(i) => Ok(Value::Map(Map::from([(
                    "index".to_string(),
                    Value::Int(i),
                )]))),
                None => Err((
                    "`count` is only available in a resource that sets `count`".into(),
                    None,
                )),
            },
            "each" => match &self.each {
                Some((k, v)) => Ok(Value::Map(Map::from([
                    ("key".to_string(), Value::String(k.clone())),
                    ("value".to_string(), v.clone()),
                ]))),
                None => Err((
                    "`each` is only available in a resource that sets `for_each`".into(),
                    None,
                )),
            },
            "stacks" => Ok(Value::Map(self.stacks.clone())),
            other => match self.stack.decl_index(other) {
                Some(j) => Ok(self
                    .values
                    .decl_value(j, MultiKind::of(&self.stack.decls[j]))),
                None => {
                    let names = self.stack.decls.iter().map(|d| d.name.as_str());
                    let hint = did_you_mean(other, names).map(|s| format!("did you mean `{s}`?"));
                    Err((format!("unknown resource or data lookup `{other}`"), hint))
                }
            },
        }
    }

    fn lookup(&self, name: &str, path: &[Step<'_>]) -> Option<Value> {
        match name {
            "config" => walk_map(self.config, path),
            "stacks" => walk_map(self.stacks, path),
            "count" | "each" => None,
            other => self
                .values
                .lookup(self.stack, self.stack.decl_index(other)?, path),
        }
    }

    fn base_dir(&self) -> &Path {
        &self.stack.dir
    }

    fn applying(&self) -> bool {
        self.applying
    }
}
