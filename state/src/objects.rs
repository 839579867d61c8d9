//! The object store a shared state lives in (S3, or memory in tests), as
//! the state needs it: whole objects read and written by name, with the
//! two conditions that make writers safe without a server of ours.
//!
//! Why it is safe: every write the state makes is conditional, either on
//! the name being free (`If-None-Match: *`) or on the object being exactly
//! the one read (`If-Match: ETAG`), so no writer overwrites what another
//! wrote; the store answers [`Put::Conflict`] instead.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// An object as read: its bytes and the entity tag conditions refer to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub body: Vec<u8>,
    pub etag: String,
}

/// The condition a write is made under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Precondition {
    /// Only if no object has the name (`If-None-Match: *`).
    Absent,
    /// Only if the object is the one with this entity tag (`If-Match`).
    Matches(String),
}

/// What a conditional write did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Put {
    /// Written; the new object's entity tag.
    Written(String),
    /// Not written: the condition did not hold.
    Conflict,
}

/// A request the object store failed, in words a user can act on.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{action} {name}: {message}")]
pub struct ObjectError {
    /// `reading`, `writing`, `listing`, `deleting`.
    pub action: &'static str,
    /// The object's name (or prefix), as the store's URL shows it.
    pub name: String,
    pub message: String,
}

/// Objects by name under one location. Every call is one request (a list
/// may take several pages) and may be made from many threads at once.
pub trait ObjectStore: Send + Sync {
    /// The location, as a URL (`s3://bucket/prefix`), for messages.
    fn url(&self) -> String;
    /// The object `name`; `None` when there is none.
    fn get(&self, name: &str) -> Result<Option<Object>, ObjectError>;
    /// Writes `body` as `name` if `when` holds.
    fn put(&self, name: &str, body: Vec<u8>, when: Precondition) -> Result<Put, ObjectError>;
    /// The names that start with `prefix` and sort after `after` (when
    /// given), in order.
    fn list(&self, prefix: &str, after: Option<&str>) -> Result<Vec<String>, ObjectError>;
    /// Deletes `name`, only if it is the object `if_match` names (when
    /// given); `false` when that condition did not hold. Deleting a name
    /// that does not exist succeeds.
    fn delete(&self, name: &str, if_match: Option<&str>) -> Result<bool, ObjectError>;
}

/// Objects in memory: the state's tests, and benchmarks that measure the
/// state without a network. Entity tags count writes, so every write makes
/// a new one, as S3's do.
#[derive(Debug, Default)]
pub struct MemoryObjects {
    inner: Mutex<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    objects: BTreeMap<String, Object>,
    writes: u64,
    requests: u64,
    bytes_written: u64,
}

/// How many requests a [`MemoryObjects`] answered and what they wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    pub requests: u64,
    pub bytes_written: u64,
}

impl MemoryObjects {
    /// An empty store.
    pub fn new() -> MemoryObjects {
        MemoryObjects::default()
    }

    /// The requests answered so far.
    pub fn traffic(&self) -> Traffic {
        let m = self.memory();
        Traffic {
            requests: m.requests,
            bytes_written: m.bytes_written,
        }
    }

    /// Every object, by name (for tests that read what was stored).
    pub fn objects(&self) -> BTreeMap<String, Vec<u8>> {
        (self.memory().objects.iter())
            .map(|(k, o)| (k.clone(), o.body.clone()))
            .collect()
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        // Every change below is one insert or remove: a panic cannot leave
        // the map half changed.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ObjectStore for MemoryObjects {
    fn url(&self) -> String {
        "memory://".into()
    }

    fn get(&self, name: &str) -> Result<Option<Object>, ObjectError> {
        let mut m = self.memory();
        m.requests += 1;
        Ok(m.objects.get(name).cloned())
    }

    fn put(&self, name: &str, body: Vec<u8>, when: Precondition) -> Result<Put, ObjectError> {
        let mut m = self.memory();
        m.requests += 1;
        let holds = match (&when, m.objects.get(name)) {
            (Precondition::Absent, found) => found.is_none(),
            (Precondition::Matches(etag), Some(found)) => &found.etag == etag,
            (Precondition::Matches(_), None) => false,
        };
        if !holds {
            return Ok(Put::Conflict);
        }
        m.writes += 1;
        m.bytes_written += body.len() as u64;
        let etag = format!("\"{}\"", m.writes);
        m.objects.insert(
            name.to_string(),
            Object {
                body,
                etag: etag.clone(),
            },
        );
        Ok(Put::Written(etag))
    }

    fn list(&self, prefix: &str, after: Option<&str>) -> Result<Vec<String>, ObjectError> {
        let mut m = self.memory();
        m.requests += 1;
        Ok((m.objects.range(prefix.to_string()..))
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(prefix))
            .filter(|k| after.is_none_or(|a| k.as_str() > a))
            .cloned()
            .collect())
    }

    fn delete(&self, name: &str, if_match: Option<&str>) -> Result<bool, ObjectError> {
        let mut m = self.memory();
        m.requests += 1;
        if let Some(etag) = if_match
            && m.objects.get(name).is_none_or(|o| o.etag != etag)
        {
            return Ok(false);
        }
        m.objects.remove(name);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_writes_never_overwrite_another() {
        let m = MemoryObjects::new();
        let Put::Written(first) = m.put("a", b"1".to_vec(), Precondition::Absent).unwrap() else {
            panic!("the first write of a name is made");
        };
        assert_eq!(
            m.put("a", b"2".to_vec(), Precondition::Absent).unwrap(),
            Put::Conflict
        );
        let Put::Written(second) = m
            .put("a", b"3".to_vec(), Precondition::Matches(first.clone()))
            .unwrap()
        else {
            panic!("a write on the tag read is made");
        };
        assert_eq!(
            m.put("a", b"4".to_vec(), Precondition::Matches(first.clone()))
                .unwrap(),
            Put::Conflict
        );
        assert!(!m.delete("a", Some(&first)).unwrap());
        assert!(m.delete("a", Some(&second)).unwrap());
        assert_eq!(m.get("a").unwrap(), None);
    }

    #[test]
    fn listing_keeps_to_the_prefix_and_starts_after() {
        let m = MemoryObjects::new();
        for name in ["j/1", "j/2", "j/3", "k/1", "i/9"] {
            m.put(name, Vec::new(), Precondition::Absent).unwrap();
        }
        assert_eq!(m.list("j/", None).unwrap(), ["j/1", "j/2", "j/3"]);
        assert_eq!(m.list("j/", Some("j/1")).unwrap(), ["j/2", "j/3"]);
    }
}
