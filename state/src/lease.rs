//! Stack locks in an object store: one object per stack and environment,
//! holding its holder and a heartbeat that the holder renews while it runs.
//!
//! Why it is safe: the lock is taken by creating the object with
//! `If-None-Match: *`, so of two runs exactly one creates it. Every later
//! write (a heartbeat, a takeover, a release) is conditional on the entity
//! tag last seen, so a run that lost its lock (its heartbeat lapsed and
//! another took it over) can neither renew nor release the new holder's
//! lock: its next heartbeat finds the tag changed, and from then on every
//! write of the stack by this process is refused (see `Leases::lost`).

use std::collections::HashMap;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use skistack_engine::{Lease, LockInfo, StackKey, StateError, unix_now};

use crate::error::{Context, StoreError};
use crate::object_store::stack_dir;
use crate::objects::{ObjectStore, Precondition, Put};

/// How often a lock is taken again after it vanished between a failed
/// create and the read of its holder.
const ACQUIRE_ATTEMPTS: usize = 5;

/// A lock object's body.
#[derive(Debug, Serialize, Deserialize)]
struct LockDoc {
    pid: u32,
    host: String,
    started_at: i64,
    operation: String,
    heartbeat_at: i64,
    lease_seconds: i64,
    #[serde(default)]
    beats: u64,
}

impl LockDoc {
    fn new(info: &LockInfo, lease: Duration, beats: u64) -> LockDoc {
        LockDoc {
            pid: info.pid,
            host: info.host.clone(),
            started_at: info.started_at,
            operation: info.operation.clone(),
            heartbeat_at: unix_now(),
            lease_seconds: i64::try_from(lease.as_secs()).unwrap_or(i64::MAX),
            beats,
        }
    }

    fn body(&self) -> Vec<u8> {
        // A struct of strings and numbers always serializes.
        serde_json::to_vec(self).unwrap_or_default()
    }

    fn info(self) -> LockInfo {
        LockInfo {
            pid: self.pid,
            host: self.host,
            started_at: self.started_at,
            operation: self.operation,
            lease: Some(Lease {
                heartbeat_at: self.heartbeat_at,
                seconds: self.lease_seconds,
                beats: self.beats,
            }),
        }
    }
}

/// A lock this process holds, and its heartbeat.
struct Held {
    info: LockInfo,
    stop: mpsc::Sender<()>,
    beat: JoinHandle<()>,
    /// Set by the heartbeat when it finds the lock taken from it.
    lost: Arc<Mutex<Option<String>>>,
}

/// The locks of one object store, and the heartbeats of those held here.
pub(crate) struct Leases {
    objects: Arc<dyn ObjectStore>,
    lease: Duration,
    held: Mutex<HashMap<StackKey, Held>>,
}

fn lock_name(key: &StackKey) -> String {
    format!("{}lock.json", stack_dir(key))
}

impl Leases {
    pub(crate) fn new(objects: Arc<dyn ObjectStore>, lease: Duration) -> Leases {
        Leases {
            objects,
            lease,
            held: Mutex::new(HashMap::new()),
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<StackKey, Held>> {
        // Each change is one insert or remove.
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether this process holds `key`'s lock (and has not lost it).
    pub(crate) fn holds(&self, key: &StackKey) -> bool {
        self.held().get(key).is_some_and(|h| lost(h).is_none())
    }

    /// Why this process may no longer write `key`: its lock was taken.
    pub(crate) fn lost(&self, key: &StackKey) -> Option<String> {
        self.held().get(key).and_then(lost)
    }

    /// The holder and the lock object's entity tag.
    fn read(&self, key: &StackKey) -> Result<Option<(LockInfo, String)>, StoreError> {
        let name = lock_name(key);
        let Some(object) = self.objects.get(&name)? else {
            return Ok(None);
        };
        let doc: LockDoc =
            serde_json::from_slice(&object.body).map_err(|source| StoreError::Object {
                name: name.clone(),
                source,
            })?;
        Ok(Some((doc.info(), object.etag)))
    }

    pub(crate) fn holder(&self, key: &StackKey) -> Result<Option<LockInfo>, StateError> {
        Ok(self
            .read(key)
            .context(|| format!("reading the lock of {key}"))?
            .map(|(info, _)| info))
    }

    pub(crate) fn acquire(&self, key: &StackKey, info: &LockInfo) -> Result<(), StateError> {
        let what = || format!("locking {key}");
        for _ in 0..ACQUIRE_ATTEMPTS {
            let body = LockDoc::new(info, self.lease, 0).body();
            match (self
                .objects
                .put(&lock_name(key), body, Precondition::Absent))
            .context(what)?
            {
                Put::Written(etag) => {
                    self.start(key, info, etag);
                    return Ok(());
                }
                Put::Conflict => {
                    if let Some((holder, _)) = self.read(key).context(what)? {
                        return Err(StateError::Locked {
                            key: key.clone(),
                            holder: Box::new(holder),
                        });
                    }
                    // Released between the two requests: try again.
                }
            }
        }
        Err(StateError::Backend(format!(
            "{}: the lock kept changing hands; try again",
            what()
        )))
    }

    pub(crate) fn take_over(
        &self,
        key: &StackKey,
        stale: &LockInfo,
        info: &LockInfo,
    ) -> Result<bool, StateError> {
        let what = || format!("taking over the lock of {key}");
        let Some((holder, etag)) = self.read(key).context(what)? else {
            return Ok(false);
        };
        if !holder.same_holder(stale) || holder.lease != stale.lease {
            return Ok(false);
        }
        let body = LockDoc::new(info, self.lease, 0).body();
        match (self
            .objects
            .put(&lock_name(key), body, Precondition::Matches(etag)))
        .context(what)?
        {
            Put::Written(etag) => {
                self.start(key, info, etag);
                Ok(true)
            }
            Put::Conflict => Ok(false),
        }
    }

    pub(crate) fn release(&self, key: &StackKey, holder: &LockInfo) -> Result<bool, StateError> {
        let what = || format!("unlocking {key}");
        let ours = self
            .held()
            .get(key)
            .is_some_and(|h| h.info.same_holder(holder));
        if ours {
            self.stop(key);
        }
        let Some((found, etag)) = self.read(key).context(what)? else {
            return Ok(false);
        };
        if !found.same_holder(holder) {
            return Ok(false);
        }
        self.objects
            .delete(&lock_name(key), Some(&etag))
            .context(what)
    }

    pub(crate) fn release_any(&self, key: &StackKey) -> Result<(), StateError> {
        self.stop(key);
        self.objects
            .delete(&lock_name(key), None)
            .map(drop)
            .context(|| format!("unlocking {key}"))
    }

    /// Starts renewing the lock just written with tag `etag`.
    fn start(&self, key: &StackKey, info: &LockInfo, etag: String) {
        let (stop, stopped) = mpsc::channel();
        let lost = Arc::new(Mutex::new(None));
        let beat = {
            let objects = Arc::clone(&self.objects);
            let (key, info, lease, lost) =
                (key.clone(), info.clone(), self.lease, Arc::clone(&lost));
            std::thread::spawn(move || {
                heartbeat(objects.as_ref(), &key, &info, lease, etag, &stopped, &lost);
            })
        };
        let old = self.held().insert(
            key.clone(),
            Held {
                info: info.clone(),
                stop,
                beat,
                lost,
            },
        );
        if let Some(old) = old {
            end(old);
        }
    }

    /// Stops the heartbeat of `key`'s lock, if this process holds it.
    fn stop(&self, key: &StackKey) {
        let held = self.held().remove(key);
        if let Some(held) = held {
            end(held);
        }
    }
}

impl Drop for Leases {
    fn drop(&mut self) {
        let held: Vec<Held> = self.held().drain().map(|(_, h)| h).collect();
        for h in held {
            end(h);
        }
    }
}

fn lost(held: &Held) -> Option<String> {
    held.lost
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

fn end(held: Held) {
    // The heartbeat ends at the message, or at once if it ended already.
    let _ = held.stop.send(());
    let _ = held.beat.join();
}

/// Renews the lock every third of its lease until told to stop or until
/// the lock is found taken. A renewal that fails (the network) is tried
/// again at the next beat: the lease allows two misses.
fn heartbeat(
    objects: &dyn ObjectStore,
    key: &StackKey,
    info: &LockInfo,
    lease: Duration,
    mut etag: String,
    stopped: &mpsc::Receiver<()>,
    lost: &Mutex<Option<String>>,
) {
    let every = (lease / 3).max(Duration::from_millis(100));
    let mut beats = 0;
    loop {
        match stopped.recv_timeout(every) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        beats += 1;
        let body = LockDoc::new(info, lease, beats).body();
        match objects.put(&lock_name(key), body, Precondition::Matches(etag.clone())) {
            Ok(Put::Written(new)) => etag = new,
            Ok(Put::Conflict) => {
                *lost.lock().unwrap_or_else(PoisonError::into_inner) = Some(format!(
                    "this run lost the lock of {key}: its heartbeat lapsed and another run took \
                     the lock over, so this run writes nothing more; run `skistack preview` to \
                     see where the stack stands"
                ));
                return;
            }
            Err(_) => {}
        }
    }
}
