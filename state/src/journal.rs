//! One stack's state in an object store: a document ([`StackDoc`]) and the
//! journal of changes made to it since it was last written whole
//! ([`Entry`]), each change the engine asks for being one entry.
//!
//! Why it is safe: an entry says what the change is, never the state after
//! it, so an entry costs what its change costs, whatever the size of the
//! state; and replaying the entries in their order on the document they
//! follow gives exactly the document the writer had. Every check that may
//! refuse a change ([`Entry::check`]) runs before anything is written, so
//! [`Entry::apply`] cannot fail halfway. Values are stored as the SQLite
//! store stores them, each secret sealed with the stack's data key.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use skistack_engine::{HistoryEntry, RecordOptions, Released};

/// The form of documents and journal objects this build writes; a newer
/// one is refused, not misread.
pub(crate) const FORMAT: u32 = 1;

/// Everything recorded for one stack in one environment.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct StackDoc {
    #[serde(default)]
    pub resources: BTreeMap<String, RecordDoc>,
    /// Intents by id.
    #[serde(default)]
    pub pending: BTreeMap<i64, PendingDoc>,
    /// The id the next intent gets: ids are never reused, as providers use
    /// them for idempotency tokens.
    #[serde(default)]
    pub next_op: i64,
    #[serde(default)]
    pub outputs: Option<Json>,
    #[serde(default)]
    pub applied_config: Option<Json>,
    #[serde(default)]
    pub config: BTreeMap<String, Json>,
    #[serde(default)]
    pub history: Vec<HistoryDoc>,
    /// `(type, id)` of resources let go of on purpose.
    #[serde(default)]
    pub released: BTreeSet<(String, String)>,
    #[serde(default)]
    pub data_key: Option<KeyDoc>,
}

impl StackDoc {
    /// Whether anything is recorded (what `list_stacks` lists).
    pub fn holds_anything(&self) -> bool {
        !self.resources.is_empty()
            || self.outputs.is_some()
            || !self.history.is_empty()
            || !self.pending.is_empty()
    }

    /// Whether anything at all is recorded, config included (what a copy
    /// of the state copies).
    pub fn holds_records(&self) -> bool {
        self.holds_anything()
            || !self.config.is_empty()
            || self.applied_config.is_some()
            || !self.released.is_empty()
    }

    /// The released resources as the engine sees them.
    pub fn released(&self) -> BTreeSet<Released> {
        (self.released.iter())
            .map(|(type_token, id)| Released {
                type_token: type_token.clone(),
                id: id.clone(),
            })
            .collect()
    }
}

/// A resource record; `inputs` and `outputs` hold sealed JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RecordDoc {
    #[serde(rename = "type")]
    pub type_token: String,
    pub id: String,
    pub inputs: Json,
    pub outputs: Json,
    #[serde(default)]
    pub dependencies: Vec<String>,
    #[serde(default)]
    pub options: OptionsDoc,
}

/// [`RecordOptions`] as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OptionsDoc {
    #[serde(default)]
    pub protect: bool,
    #[serde(default)]
    pub retain_on_delete: bool,
    #[serde(default)]
    pub delete_before_replace: bool,
}

impl From<&RecordOptions> for OptionsDoc {
    fn from(o: &RecordOptions) -> OptionsDoc {
        OptionsDoc {
            protect: o.protect,
            retain_on_delete: o.retain_on_delete,
            delete_before_replace: o.delete_before_replace,
        }
    }
}

impl From<OptionsDoc> for RecordOptions {
    fn from(o: OptionsDoc) -> RecordOptions {
        RecordOptions {
            protect: o.protect,
            retain_on_delete: o.retain_on_delete,
            delete_before_replace: o.delete_before_replace,
        }
    }
}

/// An intent; `inputs` holds sealed JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct PendingDoc {
    pub address: String,
    pub kind: String,
    #[serde(rename = "type")]
    pub type_token: String,
    pub resource_id: Option<String>,
    pub inputs: Json,
    pub started_at: i64,
}

/// A line of history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct HistoryDoc {
    pub kind: String,
    pub started_at: i64,
    pub duration_ms: i64,
    pub result: String,
    pub counts: BTreeMap<String, u64>,
}

impl From<&HistoryEntry> for HistoryDoc {
    fn from(e: &HistoryEntry) -> HistoryDoc {
        HistoryDoc {
            kind: e.kind.clone(),
            started_at: e.started_at,
            duration_ms: e.duration_ms,
            result: e.result.clone(),
            counts: e.counts.clone(),
        }
    }
}

impl From<&HistoryDoc> for HistoryEntry {
    fn from(e: &HistoryDoc) -> HistoryEntry {
        HistoryEntry {
            kind: e.kind.clone(),
            started_at: e.started_at,
            duration_ms: e.duration_ms,
            result: e.result.clone(),
            counts: e.counts.clone(),
        }
    }
}

/// The stack's data key, wrapped by `provider`; `wrapped` in base64.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KeyDoc {
    pub provider: String,
    pub wrapped: String,
}

/// One change, as the journal records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub(crate) enum Entry {
    /// An intent recorded before a provider call.
    Begin {
        id: i64,
        op: PendingDoc,
    },
    /// A resource recorded, clearing the intent `op` if given.
    Record {
        op: Option<i64>,
        address: String,
        record: RecordDoc,
    },
    /// A replacement: the old record moves to `retired`.
    Replace {
        op: i64,
        address: String,
        record: RecordDoc,
        retired: String,
    },
    /// Renamed records, `(from, to)`.
    Move {
        renames: Vec<(String, String)>,
    },
    /// A deleted resource.
    Delete {
        op: i64,
        address: String,
    },
    /// An intent whose call failed without effect.
    Abandon {
        op: i64,
    },
    Outputs {
        outputs: Option<Json>,
    },
    AppliedConfig {
        config: Option<Json>,
    },
    /// A resource dropped from the state and remembered as released.
    Forget {
        address: String,
    },
    History {
        entry: HistoryDoc,
    },
    SetConfig {
        name: String,
        value: Json,
    },
    RemoveConfig {
        name: String,
    },
    /// The stack's data key, made or wrapped again.
    DataKey {
        key: KeyDoc,
    },
}

/// Why a change cannot be made to the document as it is.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refusal {
    #[error("resource {to} is recorded already, so {from} cannot move there")]
    MoveTarget { from: String, to: String },
    #[error("{retired} is still recorded (a replaced resource still to delete)")]
    Retired { retired: String },
}

impl Entry {
    /// Refuses a change the document cannot take, changing nothing.
    pub fn check(&self, doc: &StackDoc) -> Result<(), Refusal> {
        match self {
            Entry::Move { renames } => {
                let moving: BTreeSet<&str> = renames.iter().map(|(f, _)| f.as_str()).collect();
                for (from, to) in renames {
                    if doc.resources.contains_key(to) && !moving.contains(to.as_str()) {
                        return Err(Refusal::MoveTarget {
                            from: from.clone(),
                            to: to.clone(),
                        });
                    }
                }
                Ok(())
            }
            Entry::Replace {
                address, retired, ..
            } if doc.resources.contains_key(address) && doc.resources.contains_key(retired) => {
                Err(Refusal::Retired {
                    retired: retired.clone(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Makes the change; [`Entry::check`] has passed.
    pub fn apply(self, doc: &mut StackDoc) {
        match self {
            Entry::Begin { id, op } => {
                doc.pending.insert(id, op);
                doc.next_op = doc.next_op.max(id + 1);
            }
            Entry::Record {
                op,
                address,
                record,
            } => {
                upsert(doc, address, record);
                if let Some(op) = op {
                    doc.pending.remove(&op);
                }
            }
            Entry::Replace {
                op,
                address,
                record,
                retired,
            } => {
                if let Some(mut old) = doc.resources.remove(&address) {
                    // The old resource is removed later from its record
                    // alone, as the declaration now says.
                    old.options.retain_on_delete = record.options.retain_on_delete;
                    doc.resources.insert(retired, old);
                }
                upsert(doc, address, record);
                doc.pending.remove(&op);
            }
            Entry::Move { renames } => rename_all(doc, &renames),
            Entry::Delete { op, address } => {
                doc.resources.remove(&address);
                doc.pending.remove(&op);
            }
            Entry::Abandon { op } => {
                doc.pending.remove(&op);
            }
            Entry::Outputs { outputs } => doc.outputs = outputs,
            Entry::AppliedConfig { config } => doc.applied_config = config,
            Entry::Forget { address } => {
                if let Some(old) = doc.resources.remove(&address) {
                    doc.released.insert((old.type_token, old.id));
                }
            }
            Entry::History { entry } => doc.history.push(entry),
            Entry::SetConfig { name, value } => {
                doc.config.insert(name, value);
            }
            Entry::RemoveConfig { name } => {
                doc.config.remove(&name);
            }
            Entry::DataKey { key } => doc.data_key = Some(key),
        }
    }
}

/// Records `record` at `address`; a resource recorded again (an import of
/// a forgotten one) is the stack's again.
fn upsert(doc: &mut StackDoc, address: String, record: RecordDoc) {
    doc.released
        .remove(&(record.type_token.clone(), record.id.clone()));
    doc.resources.insert(address, record);
}

/// Renames the records and every dependency on them. All records leave
/// their names before any takes a new one, so swaps and chains never meet.
fn rename_all(doc: &mut StackDoc, renames: &[(String, String)]) {
    let moved: Vec<(String, RecordDoc)> = (renames.iter())
        .filter_map(|(from, to)| doc.resources.remove(from).map(|r| (to.clone(), r)))
        .collect();
    doc.resources.extend(moved);
    let renamed: BTreeMap<&str, &str> = (renames.iter())
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    for record in doc.resources.values_mut() {
        for dep in &mut record.dependencies {
            if let Some(to) = renamed.get(dep.as_str()) {
                *dep = (*to).to_string();
            }
        }
    }
}

/// A journal object: the entries of one change, applied together.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct JournalObject {
    pub format: u32,
    pub entries: Vec<Entry>,
}

/// A whole document as written by a compaction.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SnapshotObject {
    pub format: u32,
    pub doc: StackDoc,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> RecordDoc {
        RecordDoc {
            type_token: "t".into(),
            id: id.into(),
            inputs: Json::Null,
            outputs: Json::Null,
            dependencies: vec!["a".into()],
            options: OptionsDoc::default(),
        }
    }

    fn with(names: &[&str]) -> StackDoc {
        let mut doc = StackDoc::default();
        for n in names {
            doc.resources.insert((*n).into(), record(n));
        }
        doc
    }

    #[test]
    fn moves_swap_and_carry_dependencies() {
        let mut doc = with(&["a", "b", "c"]);
        let swap = Entry::Move {
            renames: vec![("a".into(), "b".into()), ("b".into(), "a".into())],
        };
        swap.check(&doc).unwrap();
        swap.apply(&mut doc);
        assert_eq!(doc.resources["a"].id, "b");
        assert_eq!(doc.resources["b"].id, "a");
        assert_eq!(doc.resources["c"].dependencies, ["b"]);
        let onto = Entry::Move {
            renames: vec![("a".into(), "c".into())],
        };
        assert!(matches!(onto.check(&doc), Err(Refusal::MoveTarget { .. })));
    }

    #[test]
    fn a_replacement_keeps_the_old_record_under_its_retired_name() {
        let mut doc = with(&["a"]);
        doc.pending.insert(3, pending());
        let mut new = record("a2");
        new.options.retain_on_delete = true;
        let replace = Entry::Replace {
            op: 3,
            address: "a".into(),
            record: new,
            retired: "a~old".into(),
        };
        replace.check(&doc).unwrap();
        replace.clone().apply(&mut doc);
        assert_eq!(doc.resources["a"].id, "a2");
        assert_eq!(doc.resources["a~old"].id, "a");
        assert!(doc.resources["a~old"].options.retain_on_delete);
        assert!(doc.pending.is_empty());
        assert!(matches!(replace.check(&doc), Err(Refusal::Retired { .. })));
    }

    #[test]
    fn a_forgotten_resource_is_released_until_recorded_again() {
        let mut doc = with(&["a"]);
        Entry::Forget {
            address: "a".into(),
        }
        .apply(&mut doc);
        assert!(doc.released.contains(&("t".into(), "a".into())));
        Entry::Record {
            op: None,
            address: "b".into(),
            record: record("a"),
        }
        .apply(&mut doc);
        assert!(doc.released.is_empty());
    }

    fn pending() -> PendingDoc {
        PendingDoc {
            address: "a".into(),
            kind: "update".into(),
            type_token: "t".into(),
            resource_id: Some("a".into()),
            inputs: Json::Null,
            started_at: 0,
        }
    }

    #[test]
    fn entries_round_trip_through_json() {
        let entry = Entry::Begin {
            id: 7,
            op: pending(),
        };
        let text = serde_json::to_string(&entry).unwrap();
        assert!(text.starts_with("{\"do\":\"begin\""), "{text}");
        assert_eq!(serde_json::from_str::<Entry>(&text).unwrap(), entry);
    }
}
