//! The per-stack data keys in the state file (`secret_keys`), wrapped by the
//! configured secrets provider, and the sealers made from them.
//!
//! Why it is safe: a key is always read back from the file before use, so a
//! key created inside a transaction that rolls back is never used for a
//! value that survives; only the (slow, possibly remote) unwrapping is
//! cached, by wrapped bytes, which cannot go stale. A row wrapped by another
//! provider is refused by name rather than tried, and nothing is written.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};
use skistack_engine::StackKey;

use crate::error::StoreError;
use crate::secrets::{DataKey, KeyWrapper, Sealer, SecretsError};

/// Whether a missing data key is created (writing) or an error (reading).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    Write,
    Read,
}

/// The secrets provider of a store and the keys it has unwrapped.
pub(crate) struct KeyRing {
    wrapper: Arc<dyn KeyWrapper>,
    unwrapped: Mutex<HashMap<Vec<u8>, DataKey>>,
}

impl KeyRing {
    pub(crate) fn new(wrapper: Arc<dyn KeyWrapper>) -> KeyRing {
        KeyRing {
            wrapper,
            unwrapped: Mutex::new(HashMap::new()),
        }
    }

    /// The sealer of `key`'s secrets; creates its data key when writing.
    pub(crate) fn sealer(
        &self,
        conn: &Connection,
        key: &StackKey,
        need: Need,
    ) -> Result<Arc<Sealer>, StoreError> {
        match read_row(conn, key)? {
            Some((provider, wrapped)) => self.open_wrapped(key, provider, &wrapped),
            None if need == Need::Read => Err(missing_key()),
            None => {
                let (wrapped, sealer) = self.new_key(key)?;
                conn.prepare_cached(
                    "INSERT INTO secret_keys (stack, env, provider, wrapped) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![key.stack, key.env, self.wrapper.url(), wrapped])?;
                Ok(sealer)
            }
        }
    }

    /// The URL of the provider this ring wraps new keys with.
    pub(crate) fn url(&self) -> String {
        self.wrapper.url()
    }

    /// The sealer of a data key recorded as wrapped by `provider`, which
    /// must be this ring's provider.
    pub(crate) fn open_wrapped(
        &self,
        key: &StackKey,
        provider: String,
        wrapped: &[u8],
    ) -> Result<Arc<Sealer>, StoreError> {
        self.check_provider(key, provider)?;
        let data_key = self.unwrap(key, wrapped)?;
        Ok(Arc::new(Sealer::new(key.clone(), data_key)))
    }

    /// A new data key for `key`: wrapped, for the store to record (under
    /// [`KeyRing::url`]), and as a sealer.
    pub(crate) fn new_key(&self, key: &StackKey) -> Result<(Vec<u8>, Arc<Sealer>), StoreError> {
        let data_key = DataKey::generate();
        let wrapped = self.wrapper.wrap(key, &data_key)?;
        Ok((wrapped, Arc::new(Sealer::new(key.clone(), data_key))))
    }

    /// `wrapped` (recorded as wrapped by `provider`) wrapped again by `to`.
    pub(crate) fn rewrap(
        &self,
        key: &StackKey,
        provider: String,
        wrapped: &[u8],
        to: &dyn KeyWrapper,
    ) -> Result<Vec<u8>, StoreError> {
        self.check_provider(key, provider)?;
        let data_key = self.unwrap(key, wrapped)?;
        Ok(to.wrap(key, &data_key)?)
    }

    fn check_provider(&self, key: &StackKey, recorded: String) -> Result<(), SecretsError> {
        let given = self.wrapper.url();
        if recorded == given {
            return Ok(());
        }
        Err(SecretsError::ProviderMismatch {
            key: key.clone(),
            recorded,
            given,
        })
    }

    fn unwrap(&self, key: &StackKey, wrapped: &[u8]) -> Result<DataKey, SecretsError> {
        let mut cache = self
            .unwrapped
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = cache.get(wrapped) {
            return Ok(found.clone());
        }
        let data_key = self.wrapper.unwrap(key, wrapped)?;
        cache.insert(wrapped.to_vec(), data_key.clone());
        Ok(data_key)
    }

    /// Re-wraps every stack's data key with `to`, in the caller's
    /// transaction; returns how many keys changed. The secrets themselves
    /// stay as they are: only the wrapping of their keys changes.
    pub(crate) fn rewrap_all(
        &self,
        conn: &Connection,
        to: &dyn KeyWrapper,
    ) -> Result<usize, StoreError> {
        let rows = {
            let mut stmt = conn.prepare("SELECT stack, env, provider, wrapped FROM secret_keys")?;
            stmt.query_map([], |r| {
                Ok((
                    StackKey {
                        stack: r.get(0)?,
                        env: r.get(1)?,
                    },
                    r.get::<_, String>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?
        };
        for (key, provider, wrapped) in &rows {
            let rewrapped = self.rewrap(key, provider.clone(), wrapped, to)?;
            conn.prepare_cached(
                "UPDATE secret_keys SET provider = ?3, wrapped = ?4 WHERE stack = ?1 AND env = ?2",
            )?
            .execute(params![key.stack, key.env, to.url(), rewrapped])?;
        }
        Ok(rows.len())
    }
}

/// What reading a secret finds when its stack has no data key.
pub(crate) fn missing_key() -> StoreError {
    StoreError::Shape {
        column: "secret_keys",
        expected: "a data key for a stack holding sealed secrets",
    }
}

fn read_row(conn: &Connection, key: &StackKey) -> rusqlite::Result<Option<(String, Vec<u8>)>> {
    conn.prepare_cached("SELECT provider, wrapped FROM secret_keys WHERE stack = ?1 AND env = ?2")?
        .query_row(params![key.stack, key.env], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}
