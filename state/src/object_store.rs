//! [`ObjectStateStore`]: the engine's [`StateStore`] in an object store
//! (S3), shared by the machines of a team and its pipelines.
//!
//! Layout under the store's location:
//! - `skistack-state.json`: the marker that says the location holds a
//!   skistack state, and in which form;
//! - `stacks/STACK/ENV/journal/SEQ.json`: one object per change;
//! - `stacks/STACK/ENV/snapshot/SEQ.json`: the whole document as of entry
//!   SEQ, written by a compaction;
//! - `stacks/STACK/ENV/lock.json`: the stack's lock (see `lease.rs`).
//!
//! Why it is safe:
//! - Each change is one new journal object, written with `If-None-Match:
//!   *` under the next sequence number, before the call returns: an intent
//!   is durable before the provider call, and a step before its dependents
//!   start. Two writers can never both write one number; the loser stops
//!   and reloads rather than overwrite.
//! - Writes of independent steps run at once: the stack's mutex is held
//!   only to number and apply a change in memory, never across a request.
//!   A write that fails, or whose answer is lost, marks the copy in memory
//!   stale, and it is read again from the store once no write is in flight.
//! - A compaction writes the snapshot before it deletes the entries it
//!   holds, and only the holder of the stack's lock compacts, with no write
//!   in flight. A reader lists snapshots, then the journal after the newest,
//!   then the snapshots again, and starts over if a newer one appeared
//!   meanwhile, so it never misses entries a compaction removed.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use skistack_engine::{
    HistoryEntry, Intent, LockInfo, Map, OpId, OpKind, PendingOp, ResourceRecord, StackCopy,
    StackKey, StackState, StackSummary, StateError, StateStore, Value,
};

use crate::codec;
use crate::error::{Context, StoreError};
use crate::journal::{
    Entry, FORMAT, HistoryDoc, JournalObject, KeyDoc, PendingDoc, RecordDoc, SnapshotObject,
    StackDoc,
};
use crate::keys::{KeyRing, missing_key};
use crate::lease::Leases;
use crate::objects::{ObjectStore, Precondition, Put};
use crate::secrets::{KeyWrapper, Sealer};

/// The marker object's name.
const MARKER: &str = "skistack-state.json";

/// Journal entries after which a compaction is due mid-run, at the least;
/// more when the state is larger, so a compaction's cost (the whole
/// state) is spread over as many steps as the state has resources.
const COMPACT_AFTER: usize = 1024;

/// How often a read starts over because a compaction moved under it.
const READ_ATTEMPTS: usize = 5;

/// A state in an object store; shareable between threads, and between
/// machines through the store's conditional writes and leased locks.
pub struct ObjectStateStore {
    objects: Arc<dyn ObjectStore>,
    keys: KeyRing,
    stacks: Mutex<HashMap<StackKey, Arc<Mutex<Cached>>>>,
    leases: Leases,
}

impl std::fmt::Debug for ObjectStateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStateStore")
            .field("url", &self.objects.url())
            .finish()
    }
}

/// A journal object's sequence number and what it holds (its entries, or
/// its bytes to write).
type Numbered<T = Vec<Entry>> = (u64, T);

/// A change made to the copy: the journal object to write (none when the
/// change changes nothing) and the answer to give once it is written.
struct Prepared<T> {
    write: Option<Numbered<Vec<u8>>>,
    out: T,
}

/// This process's copy of one stack's document.
#[derive(Default)]
struct Cached {
    doc: StackDoc,
    /// Whether `doc` was read from the store (and is not stale).
    loaded: bool,
    /// The last journal entry `doc` includes.
    seq: u64,
    /// Entries since the snapshot `doc` started from.
    since_snapshot: usize,
    /// Writes of this process not yet answered.
    in_flight: usize,
}

/// The key wrapping, and the unwrapped sealer, a change needs for its
/// secrets: made on first use, so stacks without secrets never need one.
struct Batch<'a> {
    store: &'a ObjectStateStore,
    key: &'a StackKey,
    existing: Option<&'a KeyDoc>,
    sealer: OnceCell<Arc<Sealer>>,
    made: OnceCell<KeyDoc>,
}

impl<'a> Batch<'a> {
    /// A change to `key`'s document, whose data key is `existing` (if any).
    fn new(
        store: &'a ObjectStateStore,
        key: &'a StackKey,
        existing: Option<&'a KeyDoc>,
    ) -> Batch<'a> {
        Batch {
            store,
            key,
            existing,
            sealer: OnceCell::new(),
            made: OnceCell::new(),
        }
    }

    fn sealer(&self) -> Result<Arc<Sealer>, StoreError> {
        if let Some(s) = self.sealer.get() {
            return Ok(Arc::clone(s));
        }
        let sealer = match self.existing {
            Some(k) => self.store.open_key(self.key, k)?,
            None => {
                let (wrapped, sealer) = self.store.keys.new_key(self.key)?;
                let _ = self.made.set(KeyDoc {
                    provider: self.store.keys.url(),
                    wrapped: BASE64.encode(wrapped),
                });
                sealer
            }
        };
        Ok(Arc::clone(self.sealer.get_or_init(|| sealer)))
    }

    fn map(&self, map: &Map) -> Result<serde_json::Value, StoreError> {
        codec::map_to_sealed(map, &|| self.sealer())
    }
}

impl ObjectStateStore {
    /// Opens the state at `objects`' location, marking an empty location
    /// as a state. `lease` is how long this process's locks live without a
    /// heartbeat (it renews them three times as often).
    ///
    /// Fails, writing nothing, when the location holds objects that are
    /// not a skistack state, or a state in a form this build does not read.
    pub fn open(
        objects: Arc<dyn ObjectStore>,
        secrets: Arc<dyn KeyWrapper>,
        lease: Duration,
    ) -> Result<ObjectStateStore, StateError> {
        check_marker(objects.as_ref())?;
        Ok(ObjectStateStore {
            leases: Leases::new(Arc::clone(&objects), lease),
            objects,
            keys: KeyRing::new(secrets),
            stacks: Mutex::new(HashMap::new()),
        })
    }

    /// The location, as a URL.
    pub fn url(&self) -> String {
        self.objects.url()
    }

    /// Re-wraps every stack's data key with `to`; returns how many keys
    /// changed. Every key is unwrapped before any is written, so a key
    /// that fails to unwrap changes nothing.
    pub fn change_secrets_provider(&self, to: &dyn KeyWrapper) -> Result<usize, StateError> {
        let what = || format!("changing the secrets provider to {}", to.url());
        let keys = self.all_stacks().context(what)?;
        let mut rewrapped = Vec::new();
        for key in keys {
            let cell = self.cell(&key);
            let mut c = lock(&cell);
            self.refresh(&key, &mut c).context(what)?;
            if let Some(k) = &c.doc.data_key {
                let wrapped = decode_wrapped(k)?;
                let new = self
                    .keys
                    .rewrap(&key, k.provider.clone(), &wrapped, to)
                    .context(what)?;
                rewrapped.push((key.clone(), new));
            }
        }
        for (key, new) in &rewrapped {
            let entry = Entry::DataKey {
                key: KeyDoc {
                    provider: to.url(),
                    wrapped: BASE64.encode(new),
                },
            };
            self.write(key, what, |_, _| Ok((vec![entry], ())))?;
        }
        Ok(rewrapped.len())
    }

    /// Makes the next call read `key`'s document from the store: what was
    /// read before the lock was taken may have changed since.
    fn read_again(&self, key: &StackKey) {
        let cell = self.cell(key);
        let mut c = lock(&cell);
        if c.in_flight == 0 {
            c.loaded = false;
        }
    }

    fn cell(&self, key: &StackKey) -> Arc<Mutex<Cached>> {
        let mut stacks = self.stacks.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(stacks.entry(key.clone()).or_default())
    }

    fn open_key(&self, key: &StackKey, k: &KeyDoc) -> Result<Arc<Sealer>, StoreError> {
        let wrapped = BASE64.decode(&k.wrapped).map_err(|_| StoreError::Shape {
            column: "data_key",
            expected: "a wrapped key in base64",
        })?;
        self.keys.open_wrapped(key, k.provider.clone(), &wrapped)
    }

    /// The sealer for reading `doc`'s secrets.
    fn reader(&self, key: &StackKey, doc: &StackDoc) -> Result<Arc<Sealer>, StoreError> {
        match &doc.data_key {
            Some(k) => self.open_key(key, k),
            None => Err(missing_key()),
        }
    }

    /// Brings `c` up to the store: the newest snapshot when it is newer
    /// than `c`, then every entry after. Not while writes are in flight:
    /// the copy already holds them, and a listing might not yet.
    fn refresh(&self, key: &StackKey, c: &mut Cached) -> Result<(), StoreError> {
        if c.in_flight > 0 {
            if c.loaded {
                return Ok(());
            }
            return Err(StoreError::Busy);
        }
        let dir = stack_dir(key);
        for _ in 0..READ_ATTEMPTS {
            let snapshot = self.newest_snapshot(&dir)?;
            let mut doc = None;
            let mut base = c.seq;
            let mut since = c.since_snapshot;
            if !c.loaded || snapshot.is_some_and(|s| s > c.seq) {
                base = snapshot.unwrap_or(0);
                since = 0;
                match snapshot {
                    Some(seq) => match self.read_snapshot(&dir, seq)? {
                        Some(d) => doc = Some(d),
                        None => continue, // compacted again meanwhile
                    },
                    None => doc = Some(StackDoc::default()),
                }
            }
            let Some(entries) = self.read_journal(&dir, base)? else {
                continue;
            };
            if self.newest_snapshot(&dir)? != snapshot {
                continue;
            }
            if let Some(d) = doc {
                c.doc = d;
            }
            c.seq = base;
            for (seq, batch) in entries {
                for entry in batch {
                    // An entry the writer checked is replayed as it was
                    // applied; one that no longer fits was superseded.
                    if entry.check(&c.doc).is_ok() {
                        entry.apply(&mut c.doc);
                    }
                }
                c.seq = seq;
                since += 1;
            }
            c.since_snapshot = since;
            c.loaded = true;
            return Ok(());
        }
        Err(StoreError::Moving)
    }

    fn newest_snapshot(&self, dir: &str) -> Result<Option<u64>, StoreError> {
        let prefix = format!("{dir}snapshot/");
        let names = self.objects.list(&prefix, None)?;
        Ok(names.iter().filter_map(|n| seq_of(&prefix, n)).max())
    }

    fn read_snapshot(&self, dir: &str, seq: u64) -> Result<Option<StackDoc>, StoreError> {
        let name = snapshot_name(dir, seq);
        let Some(object) = self.objects.get(&name)? else {
            return Ok(None);
        };
        let snapshot: SnapshotObject = parse_object(&name, &object.body)?;
        check_format(&name, snapshot.format)?;
        Ok(Some(snapshot.doc))
    }

    /// The entries after `base`, in order; `None` when one vanished
    /// between the listing and its read (a compaction ran).
    fn read_journal(&self, dir: &str, base: u64) -> Result<Option<Vec<Numbered>>, StoreError> {
        let prefix = format!("{dir}journal/");
        let after = journal_name(dir, base);
        let names = self.objects.list(&prefix, Some(&after))?;
        let mut entries = Vec::with_capacity(names.len());
        for name in names {
            let Some(seq) = seq_of(&prefix, &name) else {
                continue;
            };
            let Some(object) = self.objects.get(&name)? else {
                return Ok(None);
            };
            let journal: JournalObject = parse_object(&name, &object.body)?;
            check_format(&name, journal.format)?;
            entries.push((seq, journal.entries));
        }
        Ok(Some(entries))
    }

    /// Reads `key`'s document (fresh unless this process holds the lock)
    /// and hands it to `read`.
    fn read<T>(
        &self,
        key: &StackKey,
        what: impl FnOnce() -> String,
        read: impl FnOnce(&StackDoc) -> Result<T, StoreError>,
    ) -> Result<T, StateError> {
        let cell = self.cell(key);
        let mut c = lock(&cell);
        let run = |c: &mut Cached| -> Result<T, StoreError> {
            if !c.loaded || !self.leases.holds(key) {
                self.refresh(key, c)?;
            }
            read(&c.doc)
        };
        run(&mut c).context(what)
    }

    /// Makes one change: `build` turns the request into entries (sealing
    /// secrets, making the stack's data key when it first needs one), they
    /// are checked and applied to the copy, and the journal object is
    /// written before this returns, without holding the stack's mutex.
    fn write<T>(
        &self,
        key: &StackKey,
        what: impl FnOnce() -> String,
        build: impl FnOnce(&StackDoc, &Batch<'_>) -> Result<(Vec<Entry>, T), StoreError>,
    ) -> Result<T, StateError> {
        let cell = self.cell(key);
        let prepared = {
            let mut c = lock(&cell);
            self.prepare(key, &mut c, build)
        };
        let Prepared { write, out } = match prepared {
            Ok(p) => p,
            Err(e) => return Err(e.in_context(&what())),
        };
        let Some((seq, body)) = write else {
            return Ok(out);
        };
        let name = journal_name(&stack_dir(key), seq);
        let answer = self.objects.put(&name, body, Precondition::Absent);
        let mut c = lock(&cell);
        c.in_flight -= 1;
        let result = match answer {
            Ok(Put::Written(_)) => Ok(out),
            Ok(Put::Conflict) => Err(StoreError::Overtaken { seq }),
            Err(e) => Err(StoreError::Objects(e)),
        };
        let result = match result {
            // What the copy holds may not be what the store holds.
            Err(e) => {
                c.loaded = false;
                Err(e)
            }
            Ok(out)
                if c.in_flight == 0
                    && self.leases.holds(key)
                    && c.since_snapshot >= COMPACT_AFTER.max(c.doc.resources.len()) =>
            {
                self.compact(key, &mut c).map(|()| out)
            }
            Ok(out) => Ok(out),
        };
        result.context(what)
    }

    /// Under the stack's mutex: reads the document if needed, builds the
    /// change, checks and applies it, and numbers it.
    fn prepare<T>(
        &self,
        key: &StackKey,
        c: &mut Cached,
        build: impl FnOnce(&StackDoc, &Batch<'_>) -> Result<(Vec<Entry>, T), StoreError>,
    ) -> Result<Prepared<T>, StoreError> {
        if let Some(lost) = self.leases.lost(key) {
            return Err(StoreError::LockLost(lost));
        }
        if !c.loaded {
            self.refresh(key, c)?;
        }
        let batch = Batch::new(self, key, c.doc.data_key.as_ref());
        let (mut entries, out) = build(&c.doc, &batch)?;
        if let Some(made) = batch.made.into_inner() {
            entries.insert(0, Entry::DataKey { key: made });
        }
        if entries.is_empty() {
            return Ok(Prepared { write: None, out });
        }
        for entry in &entries {
            entry.check(&c.doc)?;
        }
        let body = serde_json::to_vec(&JournalObject {
            format: FORMAT,
            entries: entries.clone(),
        })
        .map_err(StoreError::Encode)?;
        for entry in entries {
            entry.apply(&mut c.doc);
        }
        c.seq += 1;
        c.since_snapshot += 1;
        c.in_flight += 1;
        Ok(Prepared {
            write: Some((c.seq, body)),
            out,
        })
    }

    /// Writes the whole document as a snapshot, then deletes what it
    /// replaces. Only with no write in flight and the stack's lock held.
    fn compact(&self, key: &StackKey, c: &mut Cached) -> Result<(), StoreError> {
        if c.in_flight > 0 || !c.loaded || c.since_snapshot == 0 {
            return Ok(());
        }
        let dir = stack_dir(key);
        let body = serde_json::to_vec(&SnapshotObject {
            format: FORMAT,
            doc: c.doc.clone(),
        })
        .map_err(StoreError::Encode)?;
        let name = snapshot_name(&dir, c.seq);
        if self.objects.put(&name, body, Precondition::Absent)? == Put::Conflict {
            // Another compaction of the same entries: it holds the same.
            return Ok(());
        }
        c.since_snapshot = 0;
        let journal = format!("{dir}journal/");
        let upto = journal_name(&dir, c.seq);
        let mut stale: Vec<String> = (self.objects.list(&journal, None)?.into_iter())
            .filter(|n| *n <= upto)
            .collect();
        let snapshots = format!("{dir}snapshot/");
        stale.extend(
            (self.objects.list(&snapshots, None)?.into_iter())
                .filter(|n| n.as_str() < name.as_str()),
        );
        for old in stale {
            self.objects.delete(&old, None)?;
        }
        Ok(())
    }

    /// Writes a copied stack as its first snapshot, number 0: the journal
    /// that follows starts at 1, and intents keep their ids.
    fn restore_stack(&self, key: &StackKey, copy: &StackCopy) -> Result<(), StoreError> {
        let batch = Batch::new(self, key, None);
        let mut doc = StackDoc::default();
        for (address, record) in &copy.state.resources {
            doc.resources
                .insert(address.clone(), record_doc(&batch, record)?);
        }
        for op in &copy.state.pending {
            let id = op.id.get();
            doc.pending.insert(id, pending_doc(&batch, &op.intent())?);
            doc.next_op = doc.next_op.max(id + 1);
        }
        doc.outputs = copy
            .state
            .outputs
            .as_ref()
            .map(|m| batch.map(m))
            .transpose()?;
        doc.applied_config = (copy.applied_config.as_ref())
            .map(|m| batch.map(m))
            .transpose()?;
        for (name, value) in &copy.config {
            let sealed = codec::value_to_sealed(value, &|| batch.sealer())?;
            doc.config.insert(name.clone(), sealed);
        }
        doc.history = copy.history.iter().map(HistoryDoc::from).collect();
        doc.released = (copy.state.released.iter())
            .map(|r| (r.type_token.clone(), r.id.clone()))
            .collect();
        doc.data_key = batch.made.into_inner();
        let body = serde_json::to_vec(&SnapshotObject {
            format: FORMAT,
            doc,
        })
        .map_err(StoreError::Encode)?;
        let name = snapshot_name(&stack_dir(key), 0);
        if self.objects.put(&name, body, Precondition::Absent)? == Put::Conflict {
            return Err(StoreError::Occupied {
                stack: key.to_string(),
            });
        }
        self.read_again(key);
        Ok(())
    }

    /// Every stack and environment the location holds.
    fn all_stacks(&self) -> Result<Vec<StackKey>, StoreError> {
        let mut keys = Vec::new();
        for name in self.objects.list("stacks/", None)? {
            let mut parts = name.split('/').skip(1);
            let (Some(stack), Some(env)) = (parts.next(), parts.next()) else {
                continue;
            };
            let key = StackKey::new(&decode_name(stack), &decode_name(env));
            // The listing is sorted, so a stack's objects come together.
            if keys.last() != Some(&key) {
                keys.push(key);
            }
        }
        Ok(keys)
    }
}

fn lock(cell: &Mutex<Cached>) -> MutexGuard<'_, Cached> {
    // A panic while the mutex was held leaves at worst a copy that says
    // it is loaded with a change applied that was never written; the
    // writes that follow would then build on it. Marking it unloaded makes
    // the next call read the store again.
    cell.lock().unwrap_or_else(|poisoned| {
        let mut c = poisoned.into_inner();
        if c.in_flight == 0 {
            c.loaded = false;
        }
        c
    })
}

/// Refuses a location that holds something other than a skistack state,
/// or a state of a newer form; marks an empty location.
fn check_marker(objects: &dyn ObjectStore) -> Result<(), StateError> {
    let url = objects.url();
    let unusable = |message: String| StateError::Unusable {
        path: url.clone(),
        message,
    };
    let what = || format!("opening the state at {url}");
    loop {
        if let Some(found) = objects.get(MARKER).context(what)? {
            let format = serde_json::from_slice::<serde_json::Value>(&found.body)
                .ok()
                .and_then(|j| j.get("skistack_state").and_then(serde_json::Value::as_u64));
            return match format {
                Some(f) if f <= u64::from(FORMAT) => Ok(()),
                Some(f) => Err(unusable(format!(
                    "was written by a newer skistack (state form {f}; this one reads up to \
                     {FORMAT}); upgrade skistack"
                ))),
                None => Err(unusable(format!(
                    "{MARKER} there is not a skistack state marker; choose another location"
                ))),
            };
        }
        if let Some(other) = objects.list("", None).context(what)?.first() {
            return Err(unusable(format!(
                "holds objects that are not a skistack state (such as {other}); choose an empty \
                 bucket or prefix, or the location of a skistack state"
            )));
        }
        let body = format!("{{\"skistack_state\": {FORMAT}}}\n").into_bytes();
        if let Put::Written(_) = objects
            .put(MARKER, body, Precondition::Absent)
            .context(what)?
        {
            return Ok(());
        }
        // Another process marked it first: read what it wrote.
    }
}

fn check_format(name: &str, format: u32) -> Result<(), StoreError> {
    if format > FORMAT {
        return Err(StoreError::Newer {
            name: name.to_string(),
            format,
        });
    }
    Ok(())
}

fn parse_object<T: serde::de::DeserializeOwned>(name: &str, body: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(body).map_err(|source| StoreError::Object {
        name: name.to_string(),
        source,
    })
}

fn decode_wrapped(k: &KeyDoc) -> Result<Vec<u8>, StateError> {
    BASE64
        .decode(&k.wrapped)
        .map_err(|_| StateError::Backend("a stack's data key is not in base64".into()))
}

/// `stacks/STACK/ENV/`, each name escaped so that no name makes a `/`.
pub(crate) fn stack_dir(key: &StackKey) -> String {
    format!(
        "stacks/{}/{}/",
        encode_name(&key.stack),
        encode_name(&key.env)
    )
}

fn journal_name(dir: &str, seq: u64) -> String {
    format!("{dir}journal/{seq:020}.json")
}

fn snapshot_name(dir: &str, seq: u64) -> String {
    format!("{dir}snapshot/{seq:020}.json")
}

fn seq_of(prefix: &str, name: &str) -> Option<u64> {
    name.strip_prefix(prefix)?
        .strip_suffix(".json")?
        .parse()
        .ok()
}

/// Percent-escapes every byte but letters, digits, `-`, `_` and `.`.
fn encode_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode_name(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn record_doc(batch: &Batch<'_>, r: &ResourceRecord) -> Result<RecordDoc, StoreError> {
    Ok(RecordDoc {
        type_token: r.type_token.clone(),
        id: r.id.clone(),
        inputs: batch.map(&r.inputs)?,
        outputs: batch.map(&r.outputs)?,
        dependencies: r.dependencies.clone(),
        options: (&r.options).into(),
    })
}

fn record_of(
    address: &str,
    r: &RecordDoc,
    keys: codec::Keys<'_>,
) -> Result<ResourceRecord, StoreError> {
    Ok(ResourceRecord {
        address: address.to_string(),
        type_token: r.type_token.clone(),
        id: r.id.clone(),
        inputs: codec::map_from_sealed("inputs", r.inputs.clone(), keys)?,
        outputs: codec::map_from_sealed("outputs", r.outputs.clone(), keys)?,
        dependencies: r.dependencies.clone(),
        options: r.options.into(),
    })
}

fn pending_doc(batch: &Batch<'_>, op: &Intent) -> Result<PendingDoc, StoreError> {
    Ok(PendingDoc {
        address: op.address.clone(),
        kind: op.kind.as_str().to_string(),
        type_token: op.type_token.clone(),
        resource_id: op.resource_id.clone(),
        inputs: batch.map(&op.inputs)?,
        started_at: op.started_at,
    })
}

fn pending_of(id: i64, p: &PendingDoc, keys: codec::Keys<'_>) -> Result<PendingOp, StoreError> {
    Ok(PendingOp {
        id: OpId::new(id),
        address: p.address.clone(),
        kind: OpKind::parse(&p.kind).ok_or_else(|| StoreError::OpKind(p.kind.clone()))?,
        type_token: p.type_token.clone(),
        resource_id: p.resource_id.clone(),
        inputs: codec::map_from_sealed("inputs", p.inputs.clone(), keys)?,
        started_at: p.started_at,
    })
}

impl StateStore for ObjectStateStore {
    fn load(&self, key: &StackKey) -> Result<StackState, StateError> {
        self.read(
            key,
            || format!("loading the state of {key}"),
            |doc| {
                let keys = || self.reader(key, doc);
                let resources = (doc.resources.iter())
                    .map(|(a, r)| Ok((a.clone(), record_of(a, r, &keys)?)))
                    .collect::<Result<BTreeMap<_, _>, StoreError>>()?;
                let pending = (doc.pending.iter())
                    .map(|(id, p)| pending_of(*id, p, &keys))
                    .collect::<Result<Vec<_>, _>>()?;
                let outputs = (doc.outputs.clone())
                    .map(|o| codec::map_from_sealed("outputs", o, &keys))
                    .transpose()?;
                Ok(StackState {
                    resources,
                    outputs,
                    pending,
                    released: doc.released(),
                })
            },
        )
    }

    fn outputs(&self, key: &StackKey) -> Result<Option<Map>, StateError> {
        self.read(
            key,
            || format!("reading the outputs of {key}"),
            |doc| {
                (doc.outputs.clone())
                    .map(|o| codec::map_from_sealed("outputs", o, &|| self.reader(key, doc)))
                    .transpose()
            },
        )
    }

    fn list_stacks(&self) -> Result<Vec<StackSummary>, StateError> {
        let keys = self.all_stacks().context(|| "listing stacks".into())?;
        let mut out = Vec::new();
        for key in keys {
            let summary = self.read(
                &key,
                || format!("listing stack {key}"),
                |doc| {
                    Ok(doc.holds_anything().then(|| StackSummary {
                        key: key.clone(),
                        resource_count: doc.resources.len(),
                        deployed: doc.outputs.is_some(),
                    }))
                },
            )?;
            out.extend(summary);
        }
        Ok(out)
    }

    fn recorded_stacks(&self) -> Result<Vec<StackKey>, StateError> {
        let what = || "listing every stack recorded".to_string();
        let mut out = Vec::new();
        for key in self.all_stacks().context(what)? {
            if self.read(&key, what, |doc| Ok(doc.holds_records()))? {
                out.push(key);
            }
        }
        Ok(out)
    }

    fn restore(&self, stacks: &[(StackKey, StackCopy)]) -> Result<(), StateError> {
        let what = || format!("copying {} stack(s) into the state", stacks.len());
        let held = self.all_stacks().context(what)?;
        if let Some((key, _)) = stacks.iter().find(|(k, _)| held.contains(k)) {
            let occupied = StoreError::Occupied {
                stack: key.to_string(),
            };
            return Err(occupied.in_context(&what()));
        }
        for (key, copy) in stacks {
            self.restore_stack(key, copy)
                .context(|| format!("copying stack {key} into the state"))?;
        }
        Ok(())
    }

    fn begin(&self, key: &StackKey, op: &Intent) -> Result<OpId, StateError> {
        self.write(
            key,
            || {
                format!(
                    "recording the intent to {} {}",
                    op.kind.as_str(),
                    op.address
                )
            },
            |doc, batch| {
                let id = doc.next_op.max(1);
                let pending = pending_doc(batch, op)?;
                Ok((vec![Entry::Begin { id, op: pending }], OpId::new(id)))
            },
        )
    }

    fn commit_resource(
        &self,
        key: &StackKey,
        op_id: Option<OpId>,
        record: &ResourceRecord,
    ) -> Result<(), StateError> {
        self.write(
            key,
            || format!("recording resource {}", record.address),
            |_, batch| {
                let entry = Entry::Record {
                    op: op_id.map(OpId::get),
                    address: record.address.clone(),
                    record: record_doc(batch, record)?,
                };
                Ok((vec![entry], ()))
            },
        )
    }

    fn commit_replacement(
        &self,
        key: &StackKey,
        op_id: OpId,
        record: &ResourceRecord,
        retired_name: &str,
    ) -> Result<(), StateError> {
        self.write(
            key,
            || {
                format!(
                    "recording the replacement of {} (old one as {retired_name})",
                    record.address
                )
            },
            |_, batch| {
                let entry = Entry::Replace {
                    op: op_id.get(),
                    address: record.address.clone(),
                    record: record_doc(batch, record)?,
                    retired: retired_name.to_string(),
                };
                Ok((vec![entry], ()))
            },
        )
    }

    fn move_resources(
        &self,
        key: &StackKey,
        renames: &[(String, String)],
    ) -> Result<(), StateError> {
        self.write(
            key,
            || format!("recording {} moved resource(s)", renames.len()),
            |_, _| {
                let entry = Entry::Move {
                    renames: renames.to_vec(),
                };
                Ok((vec![entry], ()))
            },
        )
    }

    fn commit_delete(&self, key: &StackKey, op_id: OpId, name: &str) -> Result<(), StateError> {
        self.write(
            key,
            || format!("recording the deletion of {name}"),
            |_, _| {
                let entry = Entry::Delete {
                    op: op_id.get(),
                    address: name.to_string(),
                };
                Ok((vec![entry], ()))
            },
        )
    }

    fn abandon(&self, key: &StackKey, op_id: OpId) -> Result<(), StateError> {
        self.write(
            key,
            || format!("clearing pending operation {op_id} of {key}"),
            |_, _| Ok((vec![Entry::Abandon { op: op_id.get() }], ())),
        )
    }

    fn set_outputs(&self, key: &StackKey, outputs: Option<&Map>) -> Result<(), StateError> {
        self.write(
            key,
            || format!("recording the outputs of {key}"),
            |_, batch| {
                let outputs = outputs.map(|m| batch.map(m)).transpose()?;
                Ok((vec![Entry::Outputs { outputs }], ()))
            },
        )
    }

    fn applied_config(&self, key: &StackKey) -> Result<Option<Map>, StateError> {
        self.read(
            key,
            || format!("reading the applied config of {key}"),
            |doc| {
                (doc.applied_config.clone())
                    .map(|c| codec::map_from_sealed("config", c, &|| self.reader(key, doc)))
                    .transpose()
            },
        )
    }

    fn set_applied_config(&self, key: &StackKey, config: Option<&Map>) -> Result<(), StateError> {
        self.write(
            key,
            || format!("recording the applied config of {key}"),
            |_, batch| {
                let config = config.map(|m| batch.map(m)).transpose()?;
                Ok((vec![Entry::AppliedConfig { config }], ()))
            },
        )
    }

    fn forget(&self, key: &StackKey, name: &str) -> Result<bool, StateError> {
        self.write(
            key,
            || format!("forgetting resource {name}"),
            |doc, _| {
                if !doc.resources.contains_key(name) {
                    return Ok((Vec::new(), false));
                }
                let entry = Entry::Forget {
                    address: name.to_string(),
                };
                Ok((vec![entry], true))
            },
        )
    }

    fn add_history(&self, key: &StackKey, entry: &HistoryEntry) -> Result<(), StateError> {
        self.write(
            key,
            || format!("recording the history of {key}"),
            |_, _| {
                let entry = Entry::History {
                    entry: HistoryDoc::from(entry),
                };
                Ok((vec![entry], ()))
            },
        )
    }

    fn history(&self, key: &StackKey) -> Result<Vec<HistoryEntry>, StateError> {
        self.read(
            key,
            || format!("reading the history of {key}"),
            |doc| Ok(doc.history.iter().map(HistoryEntry::from).collect()),
        )
    }

    fn lock(&self, key: &StackKey, info: &LockInfo) -> Result<(), StateError> {
        self.leases.acquire(key, info)?;
        self.read_again(key);
        Ok(())
    }

    fn unlock(&self, key: &StackKey) -> Result<(), StateError> {
        self.leases.release_any(key)
    }

    fn lock_holder(&self, key: &StackKey) -> Result<Option<LockInfo>, StateError> {
        self.leases.holder(key)
    }

    fn take_over_lock(
        &self,
        key: &StackKey,
        stale: &LockInfo,
        info: &LockInfo,
    ) -> Result<bool, StateError> {
        let taken = self.leases.take_over(key, stale, info)?;
        if taken {
            self.read_again(key);
        }
        Ok(taken)
    }

    fn release_lock(&self, key: &StackKey, holder: &LockInfo) -> Result<bool, StateError> {
        if self.leases.holds(key) {
            // The run's entries become one snapshot, so the next reader
            // reads a handful of objects, not one per change.
            let cell = self.cell(key);
            let mut c = lock(&cell);
            self.compact(key, &mut c)
                .context(|| format!("compacting the state of {key}"))?;
        }
        self.leases.release(key, holder)
    }

    fn config(&self, key: &StackKey) -> Result<Map, StateError> {
        self.read(
            key,
            || format!("reading the config of {key}"),
            |doc| {
                let keys = || self.reader(key, doc);
                (doc.config.iter())
                    .map(|(k, v)| Ok((k.clone(), codec::value_from_sealed(v.clone(), &keys)?)))
                    .collect()
            },
        )
    }

    fn set_config(&self, key: &StackKey, name: &str, value: &Value) -> Result<(), StateError> {
        self.write(
            key,
            || format!("setting config {name} of {key}"),
            |_, batch| {
                let value = codec::value_to_sealed(value, &|| batch.sealer())?;
                let entry = Entry::SetConfig {
                    name: name.to_string(),
                    value,
                };
                Ok((vec![entry], ()))
            },
        )
    }

    fn remove_config(&self, key: &StackKey, name: &str) -> Result<bool, StateError> {
        self.write(
            key,
            || format!("removing config {name} of {key}"),
            |doc, _| {
                if !doc.config.contains_key(name) {
                    return Ok((Vec::new(), false));
                }
                let entry = Entry::RemoveConfig {
                    name: name.to_string(),
                };
                Ok((vec![entry], true))
            },
        )
    }

    fn secret_digest(&self, key: &StackKey, plain: &[u8]) -> Result<[u8; 32], StateError> {
        self.write(
            key,
            || format!("digesting a secret of {key}"),
            |_, batch| Ok((Vec::new(), batch.sealer()?.digest(plain))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_escape_every_byte_that_could_make_a_path() {
        let key = StackKey::new("a/b c", "prod%1");
        assert_eq!(stack_dir(&key), "stacks/a%2Fb%20c/prod%251/");
        assert_eq!(decode_name("a%2Fb%20c"), "a/b c");
        assert_eq!(decode_name("prod%251"), "prod%1");
        assert_eq!(decode_name("100%"), "100%");
    }
}
