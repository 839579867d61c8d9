//! Saved plans: `preview STACK --out FILE` records what a plan was made
//! from and what it does; `up STACK --plan FILE` applies it only when the
//! plan it makes now is that plan, made from the same stack file, config
//! and state.
//!
//! Why it is safe: the saved plan holds digests, never values. A digest of
//! anything that holds a secret is keyed by the store
//! ([`StateStore::secret_digest`](crate::StateStore::secret_digest)), so the
//! file carries no plaintext and no plain hash to test guesses against.
//! Up re-plans under the stack's lock, after recovery, and compares digest
//! by digest before any provider call: what was reviewed is what runs, or
//! nothing runs and the refusal names what changed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::project::{Loaded, Project};
use crate::base::Value;
use crate::error::EngineError;
use crate::plan::Plan;
use crate::state::{StackKey, StackState};

/// The version of the saved-plan form this build writes and reads.
pub const SAVED_PLAN_FORMAT: u32 = 1;

/// At most this many differences are named in a refusal.
const NAMED_DIFFERENCES: usize = 8;

/// A plan as saved by `preview --out`: how it was asked for and the
/// digests of what it was made from and what it does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    /// [`SAVED_PLAN_FORMAT`] when written.
    pub format: u32,
    pub stack: String,
    pub env: String,
    /// The `--target`s of the preview, which up plans with again.
    pub targets: Vec<String>,
    /// Whether the preview planned against a refresh, as up then does.
    pub refresh: bool,
    /// What `plantimestamp()` gave, which up's plan gives again.
    pub plan_time: String,
    pub inputs: Fingerprint,
}

/// Digests (hex SHA-256, keyed where a secret is involved) by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Stack file path -> digest of its text.
    pub files: BTreeMap<String, String>,
    /// Config key -> digest of its value.
    pub config: BTreeMap<String, String>,
    /// Recorded address (and `(outputs)`, `(pending)`) -> digest.
    pub state: BTreeMap<String, String>,
    /// Planned address (and `output.NAME`, `moved FROM`) -> digest of the change.
    pub plan: BTreeMap<String, String>,
}

impl Project {
    /// The fingerprint of `plan`, made from `loaded` and `state`.
    pub(crate) fn fingerprint(
        &self,
        key: &StackKey,
        loaded: &Loaded,
        state: &StackState,
        plan: &Plan,
    ) -> Result<Fingerprint, EngineError> {
        let d = Digester { project: self, key };
        let file = &loaded.stack.file;
        let mut out = Fingerprint::default();
        out.files.insert(
            file.path.display().to_string(),
            hex(&Sha256::digest(file.text.as_bytes())),
        );
        for (name, value) in loaded.config.iter() {
            out.config.insert(name.clone(), d.value(value)?);
        }
        for (address, r) in &state.resources {
            let text = format!(
                "{}\0{}\0{:?}\0{:?}",
                r.type_token, r.id, r.dependencies, r.options
            );
            let parts = [
                Value::String(text),
                Value::Map(r.inputs.clone()),
                Value::Map(r.outputs.clone()),
            ];
            out.state
                .insert(address.clone(), d.value(&Value::List(parts.to_vec()))?);
        }
        if let Some(outputs) = &state.outputs {
            out.state
                .insert("(outputs)".into(), d.value(&Value::Map(outputs.clone()))?);
        }
        let pending: Vec<String> = state.pending.iter().map(|p| format!("{p:?}")).collect();
        if !pending.is_empty() {
            out.state
                .insert("(pending)".into(), d.text(&pending.join("\n")));
        }
        self.plan_digests(&d, plan, &mut out.plan)?;
        Ok(out)
    }

    fn plan_digests(
        &self,
        d: &Digester<'_>,
        plan: &Plan,
        out: &mut BTreeMap<String, String>,
    ) -> Result<(), EngineError> {
        for c in &plan.changes {
            let prior = c.prior().map_or(String::new(), |p| p.id.clone());
            let head = format!(
                "{:?}\0{}\0{prior}\0{:?}",
                c.action(),
                c.type_token,
                c.kept()
            );
            let parts = [Value::String(head), Value::Map(c.inputs().clone())];
            out.insert(c.address.clone(), d.value(&Value::List(parts.to_vec()))?);
        }
        for o in &plan.outputs {
            let parts = [
                o.old.clone().unwrap_or_default(),
                o.new.clone().unwrap_or_default(),
            ];
            out.insert(
                format!("output.{}", o.name),
                d.value(&Value::List(parts.to_vec()))?,
            );
        }
        for m in &plan.moves {
            out.insert(format!("moved {}", m.from), d.text(&m.to));
        }
        Ok(())
    }

    /// Refuses, naming what differs, unless `now` is the fingerprint saved.
    pub(crate) fn check_saved(
        &self,
        saved: &SavedPlan,
        now: &Fingerprint,
    ) -> Result<(), EngineError> {
        let was = &saved.inputs;
        let mut changed = Vec::new();
        differences("stack file", &was.files, &now.files, &mut changed);
        differences("config", &was.config, &now.config, &mut changed);
        differences("the state of", &was.state, &now.state, &mut changed);
        if changed.is_empty() {
            differences("the plan of", &was.plan, &now.plan, &mut changed);
        }
        if changed.is_empty() {
            return Ok(());
        }
        let n = changed.len();
        let mut named = changed[..n.min(NAMED_DIFFERENCES)].join("; ");
        if n > NAMED_DIFFERENCES {
            let _ = write!(named, "; and {} more", n - NAMED_DIFFERENCES);
        }
        Err(EngineError::Refused(format!(
            "the saved plan of {} no longer holds, so nothing was applied: {named}; run \
             `skistack preview {} --out FILE` again and review the new plan",
            saved.stack, saved.stack
        )))
    }
}

/// Refuses a saved plan made for another stack, environment or format, and
/// makes this process plan at the saved plan's time.
pub(crate) fn check_made_for(saved: &SavedPlan, key: &StackKey) -> Result<(), EngineError> {
    if saved.format != SAVED_PLAN_FORMAT {
        return Err(EngineError::Refused(format!(
            "the saved plan is of format {}, which this skistack does not read (it reads {}); \
             make it again with this version's `preview --out`",
            saved.format, SAVED_PLAN_FORMAT
        )));
    }
    if saved.stack != key.stack || saved.env != key.env {
        return Err(EngineError::Refused(format!(
            "the saved plan is for stack {} in environment {}, not {key}",
            saved.stack, saved.env
        )));
    }
    if !crate::expr::set_plan_time(&saved.plan_time) {
        return Err(EngineError::Refused(format!(
            "the saved plan's time `{}` cannot be this run's plantimestamp(); make the plan \
             again",
            saved.plan_time
        )));
    }
    Ok(())
}

/// Names each key whose digest differs, was added or went away.
fn differences(
    what: &str,
    was: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
    out: &mut Vec<String>,
) {
    for (name, digest) in was {
        match now.get(name) {
            Some(d) if d == digest => {}
            Some(_) => out.push(format!("{what} `{name}` changed")),
            None => out.push(format!("{what} `{name}` is gone")),
        }
    }
    for name in now.keys().filter(|n| !was.contains_key(*n)) {
        out.push(format!("{what} `{name}` is new"));
    }
}

/// Digests values, with every secret inside keyed by the store.
struct Digester<'a> {
    project: &'a Project,
    key: &'a StackKey,
}

impl Digester<'_> {
    fn text(&self, text: &str) -> String {
        hex(&Sha256::digest(text.as_bytes()))
    }

    fn value(&self, value: &Value) -> Result<String, EngineError> {
        let mut bytes = Vec::new();
        self.encode(value, &mut bytes)?;
        Ok(hex(&Sha256::digest(&bytes)))
    }

    /// A self-delimiting encoding of `value`; a secret is replaced by its
    /// keyed digest.
    fn encode(&self, value: &Value, out: &mut Vec<u8>) -> Result<(), EngineError> {
        match value {
            Value::Null => out.push(b'n'),
            Value::Unknown => out.push(b'u'),
            Value::Bool(b) => out.extend_from_slice(if *b { b"t" } else { b"f" }),
            Value::Int(i) => out.extend_from_slice(format!("i{i};").as_bytes()),
            Value::Float(f) => out.extend_from_slice(format!("d{};", f.to_bits()).as_bytes()),
            Value::String(s) => encode_str(s, out),
            Value::List(items) => {
                out.extend_from_slice(format!("l{};", items.len()).as_bytes());
                for item in items {
                    self.encode(item, out)?;
                }
            }
            Value::Map(map) => {
                out.extend_from_slice(format!("m{};", map.len()).as_bytes());
                for (k, v) in map {
                    encode_str(k, out);
                    self.encode(v, out)?;
                }
            }
            Value::Secret(inner) => {
                let mut plain = Vec::new();
                self.encode(inner, &mut plain)?;
                let keyed = self.project.store.secret_digest(self.key, &plain)?;
                out.push(b'k');
                out.extend_from_slice(&keyed);
            }
        }
        Ok(())
    }
}

fn encode_str(s: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(format!("s{};", s.len()).as_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
