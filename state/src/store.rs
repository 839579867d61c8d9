//! [`SqliteStore`]: the engine's [`StateStore`] on a SQLite file.
//!
//! Every method is one short transaction touching only the rows concerned;
//! statements are prepared once per connection and cached.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use skistack_engine::{
    HistoryEntry, Intent, LockInfo, Map, OpId, OpKind, PendingOp, RecordOptions, Released,
    ResourceRecord, StackCopy, StackKey, StackState, StackSummary, StateError, StateStore, Value,
};

use crate::codec;
use crate::error::{Context, StoreError};
use crate::keys::{KeyRing, Need};
use crate::lock;
use crate::open;
use crate::secrets::KeyWrapper;

/// Distinct statements the store prepares; the cache holds them all.
const STATEMENT_CACHE: usize = 64;

/// A state store in one SQLite file, shareable between threads and between
/// processes (SQLite's locks and a busy timeout arbitrate).
pub struct SqliteStore {
    path: PathBuf,
    conn: Mutex<Connection>,
    keys: KeyRing,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteStore {
    /// Opens the state file at `path`, creating it (mode 0600) and its
    /// directory when missing, and creating or migrating its schema.
    /// `secrets` wraps the per-stack data keys that encrypt every secret.
    ///
    /// Fails with [`StateError::Unusable`], leaving the file untouched, when
    /// the path is a directory, a read-only file, not a SQLite database,
    /// another application's database, or written by a newer skistack.
    pub fn open(path: &Path, secrets: Arc<dyn KeyWrapper>) -> Result<SqliteStore, StateError> {
        let keys = KeyRing::new(secrets);
        let conn = open::open(path, &keys)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(SqliteStore {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
            keys,
        })
    }

    /// Re-wraps every stack's data key with `to` in one transaction (the
    /// secrets themselves are not re-encrypted); returns how many keys
    /// changed. Nothing changes when any key fails to unwrap.
    pub fn change_secrets_provider(&self, to: &dyn KeyWrapper) -> Result<usize, StateError> {
        let mut conn = self.conn();
        let run = |conn: &mut Connection| -> Result<usize, StoreError> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = self.keys.rewrap_all(&tx, to)?;
            tx.commit()?;
            Ok(n)
        };
        run(&mut conn).context(|| format!("changing the secrets provider to {}", to.url()))
    }

    /// The state file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs SQLite's `PRAGMA integrity_check`; true when the file is sound.
    pub fn integrity_check(&self) -> Result<bool, StateError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("PRAGMA integrity_check")
            .context(|| "checking the state file's integrity".into())?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .context(|| "checking the state file's integrity".into())?;
        Ok(lines == ["ok"])
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held cannot have left a transaction
        // open (rusqlite rolls back on drop), so the connection is sound.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl StateStore for SqliteStore {
    fn load(&self, key: &StackKey) -> Result<StackState, StateError> {
        let mut conn = self.conn();
        // One read transaction, so the three reads see the same moment.
        let tx = conn
            .transaction()
            .context(|| format!("loading the state of {key}"))?;
        let resources = read_resources(&tx, &self.keys, key)
            .context(|| format!("loading the resources of {key}"))?;
        let outputs = read_outputs(&tx, &self.keys, key)
            .context(|| format!("loading the outputs of {key}"))?;
        let pending = read_pending(&tx, &self.keys, key)
            .context(|| format!("loading the pending operations of {key}"))?;
        let released = read_released(&tx, key)
            .context(|| format!("loading the released resources of {key}"))?;
        tx.commit()
            .context(|| format!("loading the state of {key}"))?;
        Ok(StackState {
            resources,
            outputs,
            pending,
            released,
        })
    }

    fn outputs(&self, key: &StackKey) -> Result<Option<Map>, StateError> {
        read_outputs(&self.conn(), &self.keys, key)
            .context(|| format!("reading the outputs of {key}"))
    }

    fn list_stacks(&self) -> Result<Vec<StackSummary>, StateError> {
        let conn = self.conn();
        let run = || -> Result<Vec<StackSummary>, StoreError> {
            let mut stmt = conn.prepare_cached(
                "WITH keys AS (
                     SELECT stack, env FROM resources
                     UNION SELECT stack, env FROM stack_outputs
                     UNION SELECT stack, env FROM history
                     UNION SELECT stack, env FROM pending_ops
                 )
                 SELECT k.stack, k.env,
                        (SELECT count(*) FROM resources r WHERE r.stack = k.stack AND r.env = k.env),
                        EXISTS (SELECT 1 FROM stack_outputs o WHERE o.stack = k.stack AND o.env = k.env)
                 FROM keys k
                 ORDER BY k.stack, k.env",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(StackSummary {
                    key: StackKey {
                        stack: r.get(0)?,
                        env: r.get(1)?,
                    },
                    resource_count: r.get(2)?,
                    deployed: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        run().context(|| "listing stacks".into())
    }

    fn recorded_stacks(&self) -> Result<Vec<StackKey>, StateError> {
        recorded_keys(&self.conn()).context(|| "listing every stack recorded".into())
    }

    fn restore(&self, stacks: &[(StackKey, StackCopy)]) -> Result<(), StateError> {
        let mut conn = self.conn();
        // One transaction for every stack: a copy that fails writes nothing.
        let run = |conn: &mut Connection| -> Result<(), StoreError> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let held: BTreeSet<StackKey> = recorded_keys(&tx)?.into_iter().collect();
            for (key, copy) in stacks {
                if held.contains(key) {
                    return Err(StoreError::Occupied {
                        stack: key.to_string(),
                    });
                }
                restore_stack(&tx, &self.keys, key, copy)?;
            }
            Ok(tx.commit()?)
        };
        run(&mut conn).context(|| format!("copying {} stack(s) into the state", stacks.len()))
    }

    fn begin(&self, key: &StackKey, op: &Intent) -> Result<OpId, StateError> {
        let conn = self.conn();
        let run = || insert_pending(&conn, &self.keys, key, None, op);
        run().context(|| {
            format!(
                "recording the intent to {} {}",
                op.kind.as_str(),
                op.address
            )
        })
    }

    fn commit_resource(
        &self,
        key: &StackKey,
        op_id: Option<OpId>,
        record: &ResourceRecord,
    ) -> Result<(), StateError> {
        let mut conn = self.conn();
        let run = |conn: &mut Connection| -> Result<(), StoreError> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            upsert_resource(&tx, &self.keys, key, record)?;
            if let Some(op_id) = op_id {
                delete_pending(&tx, key, op_id)?;
            }
            Ok(tx.commit()?)
        };
        run(&mut conn).context(|| format!("recording resource {}", record.address))
    }

    fn commit_replacement(
        &self,
        key: &StackKey,
        op_id: OpId,
        record: &ResourceRecord,
        retired_name: &str,
    ) -> Result<(), StateError> {
        let mut conn = self.conn();
        let run = |conn: &mut Connection| -> Result<(), StoreError> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            retire(&tx, key, &record.address, retired_name, &record.options)?;
            upsert_resource(&tx, &self.keys, key, record)?;
            delete_pending(&tx, key, op_id)?;
            Ok(tx.commit()?)
        };
        run(&mut conn).context(|| {
            format!(
                "recording the replacement of {} (old one as {retired_name})",
                record.address
            )
        })
    }

    fn move_resources(
        &self,
        key: &StackKey,
        renames: &[(String, String)],
    ) -> Result<(), StateError> {
        let mut conn = self.conn();
        let run = |conn: &mut Connection| -> Result<(), StoreError> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            rename_all(&tx, key, renames)?;
            Ok(tx.commit()?)
        };
        run(&mut conn).context(|| format!("recording {} moved resource(s)", renames.len()))
    }

    fn commit_delete(&self, key: &StackKey, op_id: OpId, name: &str) -> Result<(), StateError> {
        let mut conn = self.conn();
        let run = |conn: &mut Connection| -> Result<(), StoreError> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            delete_resource(&tx, key, name)?;
            delete_pending(&tx, key, op_id)?;
            Ok(tx.commit()?)
        };
        run(&mut conn).context(|| format!("recording the deletion of {name}"))
    }

    fn abandon(&self, key: &StackKey, op_id: OpId) -> Result<(), StateError> {
        delete_pending(&self.conn(), key, op_id)
            .map(drop)
            .context(|| format!("clearing pending operation {op_id} of {key}"))
    }

    fn set_outputs(&self, key: &StackKey, outputs: Option<&Map>) -> Result<(), StateError> {
        let conn = self.conn();
        write_outputs(&conn, &self.keys, key, outputs)
            .context(|| format!("recording the outputs of {key}"))
    }

    fn applied_config(&self, key: &StackKey) -> Result<Option<Map>, StateError> {
        let conn = self.conn();
        let run = || -> Result<Option<Map>, StoreError> {
            let text: Option<String> = conn
                .prepare_cached("SELECT config FROM applied_config WHERE stack = ?1 AND env = ?2")?
                .query_row(params![key.stack, key.env], |r| r.get(0))
                .optional()?;
            let keys = || self.keys.sealer(&conn, key, Need::Read);
            text.map(|t| codec::map_from_text("config", &t, &keys))
                .transpose()
        };
        run().context(|| format!("reading the applied config of {key}"))
    }

    fn set_applied_config(&self, key: &StackKey, config: Option<&Map>) -> Result<(), StateError> {
        let conn = self.conn();
        write_applied_config(&conn, &self.keys, key, config)
            .context(|| format!("recording the applied config of {key}"))
    }

    fn forget(&self, key: &StackKey, name: &str) -> Result<bool, StateError> {
        let mut conn = self.conn();
        let run = |conn: &mut Connection| -> Result<bool, StoreError> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO released (stack, env, type, resource_id, name, released_at)
                 SELECT stack, env, type, provider_id, name, ?4 FROM resources
                 WHERE stack = ?1 AND env = ?2 AND name = ?3",
            )?
            .execute(params![key.stack, key.env, name, codec::now()])?;
            let forgotten = delete_resource(&tx, key, name)? > 0;
            tx.commit()?;
            Ok(forgotten)
        };
        run(&mut conn).context(|| format!("forgetting resource {name}"))
    }

    fn add_history(&self, key: &StackKey, entry: &HistoryEntry) -> Result<(), StateError> {
        let conn = self.conn();
        insert_history(&conn, key, entry).context(|| format!("recording the history of {key}"))
    }

    fn history(&self, key: &StackKey) -> Result<Vec<HistoryEntry>, StateError> {
        let conn = self.conn();
        let run = || -> Result<Vec<HistoryEntry>, StoreError> {
            let mut stmt = conn.prepare_cached(
                "SELECT kind, started_at, duration_ms, result, counts FROM history
                 WHERE stack = ?1 AND env = ?2 ORDER BY id",
            )?;
            let rows = stmt.query_and_then(params![key.stack, key.env], |r| {
                Ok::<_, StoreError>(HistoryEntry {
                    kind: r.get(0)?,
                    started_at: r.get(1)?,
                    duration_ms: r.get(2)?,
                    result: r.get(3)?,
                    counts: codec::counts_from_text("counts", &r.get::<_, String>(4)?)?,
                })
            })?;
            rows.collect()
        };
        run().context(|| format!("reading the history of {key}"))
    }

    fn lock(&self, key: &StackKey, info: &LockInfo) -> Result<(), StateError> {
        match lock::acquire(&mut self.conn(), key, info).context(|| format!("locking {key}"))? {
            None => Ok(()),
            Some(holder) => Err(StateError::Locked {
                key: key.clone(),
                holder: Box::new(holder),
            }),
        }
    }

    fn unlock(&self, key: &StackKey) -> Result<(), StateError> {
        lock::release_any(&self.conn(), key).context(|| format!("unlocking {key}"))
    }

    fn lock_holder(&self, key: &StackKey) -> Result<Option<LockInfo>, StateError> {
        lock::holder(&self.conn(), key).context(|| format!("reading the lock of {key}"))
    }

    fn take_over_lock(
        &self,
        key: &StackKey,
        stale: &LockInfo,
        info: &LockInfo,
    ) -> Result<bool, StateError> {
        lock::take_over(&self.conn(), key, stale, info)
            .context(|| format!("taking over the lock of {key}"))
    }

    fn release_lock(&self, key: &StackKey, holder: &LockInfo) -> Result<bool, StateError> {
        lock::release(&self.conn(), key, holder).context(|| format!("unlocking {key}"))
    }

    fn config(&self, key: &StackKey) -> Result<Map, StateError> {
        let conn = self.conn();
        let run = || -> Result<Map, StoreError> {
            let mut stmt = conn.prepare_cached(
                "SELECT key, value FROM config WHERE stack = ?1 AND env = ?2 ORDER BY key",
            )?;
            let rows = stmt.query_and_then(params![key.stack, key.env], |r| {
                let name: String = r.get(0)?;
                let value = codec::value_from_text("value", &r.get::<_, String>(1)?, &|| {
                    self.keys.sealer(&conn, key, Need::Read)
                })?;
                Ok::<_, StoreError>((name, value))
            })?;
            rows.collect()
        };
        run().context(|| format!("reading the config of {key}"))
    }

    fn set_config(&self, key: &StackKey, name: &str, value: &Value) -> Result<(), StateError> {
        let conn = self.conn();
        write_config(&conn, &self.keys, key, name, value)
            .context(|| format!("setting config {name} of {key}"))
    }

    fn secret_digest(&self, key: &StackKey, plain: &[u8]) -> Result<[u8; 32], StateError> {
        let conn = self.conn();
        let run = || -> Result<[u8; 32], StoreError> {
            Ok(self.keys.sealer(&conn, key, Need::Write)?.digest(plain))
        };
        run().context(|| format!("digesting a secret of {key}"))
    }

    fn remove_config(&self, key: &StackKey, name: &str) -> Result<bool, StateError> {
        let conn = self.conn();
        conn.prepare_cached("DELETE FROM config WHERE stack = ?1 AND env = ?2 AND key = ?3")
            .and_then(|mut stmt| stmt.execute(params![key.stack, key.env, name]))
            .map(|n| n > 0)
            .context(|| format!("removing config {name} of {key}"))
    }
}

/// Moves the record at `address` to `retired_name`, with the declared
/// `retain_on_delete` of its replacement: the step that removes it may run
/// in a later process (the run stopped first) from the record alone, and
/// must keep the resource when the declaration now says so. A record
/// already under `retired_name` is a resource still to delete: the primary
/// key makes the rename fail rather than lose it.
fn retire(
    tx: &Connection,
    key: &StackKey,
    address: &str,
    retired_name: &str,
    declared: &RecordOptions,
) -> Result<(), StoreError> {
    let old: Option<String> = tx
        .prepare_cached(
            "SELECT options FROM resources WHERE stack = ?1 AND env = ?2 AND name = ?3",
        )?
        .query_row(params![key.stack, key.env, address], |r| r.get(0))
        .optional()?;
    let Some(old) = old else {
        return Ok(());
    };
    let options = RecordOptions {
        retain_on_delete: declared.retain_on_delete,
        ..codec::options_from_text("options", &old)?
    };
    tx.prepare_cached(
        "UPDATE resources SET name = ?4, options = ?5 WHERE stack = ?1 AND env = ?2 AND name = ?3",
    )?
    .execute(params![
        key.stack,
        key.env,
        address,
        retired_name,
        codec::options_to_text(&options)
    ])?;
    Ok(())
}

/// The renames of [`StateStore::move_resources`] inside `tx`. Every record
/// first takes a name no address can have, then its new one, so moves that
/// swap or chain never meet on the primary key; a `to` still held by a
/// record that does not move fails on it, and the caller's transaction with
/// it.
fn rename_all(
    tx: &Connection,
    key: &StackKey,
    renames: &[(String, String)],
) -> rusqlite::Result<()> {
    const MOVING: &str = "~moving~";
    let mut rename = tx.prepare_cached(
        "UPDATE resources SET name = ?4 WHERE stack = ?1 AND env = ?2 AND name = ?3",
    )?;
    for (from, to) in renames {
        rename.execute(params![key.stack, key.env, from, format!("{MOVING}{to}")])?;
    }
    for (_, to) in renames {
        rename.execute(params![key.stack, key.env, format!("{MOVING}{to}"), to])?;
    }
    let renamed: BTreeMap<&str, &str> = renames
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    let rows: Vec<(String, String)> = tx
        .prepare_cached("SELECT name, dependencies FROM resources WHERE stack = ?1 AND env = ?2")?
        .query_map(params![key.stack, key.env], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = tx.prepare_cached(
        "UPDATE resources SET dependencies = ?4 WHERE stack = ?1 AND env = ?2 AND name = ?3",
    )?;
    for (name, text) in rows {
        // A column that does not decode is left as it is: loading reports it.
        let Ok(deps) = codec::names_from_text("dependencies", &text) else {
            continue;
        };
        if deps.iter().any(|d| renamed.contains_key(d.as_str())) {
            let deps: Vec<String> = (deps.iter())
                .map(|d| {
                    renamed
                        .get(d.as_str())
                        .map_or_else(|| d.clone(), |t| (*t).to_string())
                })
                .collect();
            update.execute(params![
                key.stack,
                key.env,
                name,
                codec::names_to_text(&deps)
            ])?;
        }
    }
    Ok(())
}

/// Every stack and environment with a row in any table but the lock's and
/// the data key's (neither is state a copy needs), sorted.
fn recorded_keys(conn: &Connection) -> rusqlite::Result<Vec<StackKey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT stack, env FROM resources
         UNION SELECT stack, env FROM stack_outputs
         UNION SELECT stack, env FROM history
         UNION SELECT stack, env FROM pending_ops
         UNION SELECT stack, env FROM config
         UNION SELECT stack, env FROM applied_config
         UNION SELECT stack, env FROM released
         ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(StackKey {
            stack: r.get(0)?,
            env: r.get(1)?,
        })
    })?;
    rows.collect()
}

/// Writes one copied stack inside the caller's transaction.
fn restore_stack(
    tx: &Connection,
    keys: &KeyRing,
    key: &StackKey,
    copy: &StackCopy,
) -> Result<(), StoreError> {
    for record in copy.state.resources.values() {
        upsert_resource(tx, keys, key, record)?;
    }
    for op in &copy.state.pending {
        // Ids are global in this file: one another stack's intent holds
        // cannot be given, and a new one would change the operation's
        // idempotency token.
        let holder: Option<(String, String)> = tx
            .prepare_cached("SELECT stack, env FROM pending_ops WHERE id = ?1")?
            .query_row(params![op.id.get()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((stack, env)) = holder {
            return Err(StoreError::OpIdTaken {
                id: op.id.get(),
                stack: key.to_string(),
                other: StackKey { stack, env }.to_string(),
            });
        }
        insert_pending(tx, keys, key, Some(op.id), &op.intent())?;
    }
    for released in &copy.state.released {
        // The name is not read back: a released resource is known by its id.
        tx.prepare_cached(
            "INSERT INTO released (stack, env, type, resource_id, name, released_at)
             VALUES (?1, ?2, ?3, ?4, '', ?5)",
        )?
        .execute(params![
            key.stack,
            key.env,
            released.type_token,
            released.id,
            codec::now()
        ])?;
    }
    write_outputs(tx, keys, key, copy.state.outputs.as_ref())?;
    write_applied_config(tx, keys, key, copy.applied_config.as_ref())?;
    for (name, value) in &copy.config {
        write_config(tx, keys, key, name, value)?;
    }
    for entry in &copy.history {
        insert_history(tx, key, entry)?;
    }
    Ok(())
}

/// Records an intent, under `id` when given (a copy), else under the next.
fn insert_pending(
    conn: &Connection,
    keys: &KeyRing,
    key: &StackKey,
    id: Option<OpId>,
    op: &Intent,
) -> Result<OpId, StoreError> {
    let inputs = codec::map_to_text(&op.inputs, &|| keys.sealer(conn, key, Need::Write))?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO pending_ops (id, stack, env, name, kind, type, resource_id, inputs, started_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let id = stmt.insert(params![
        id.map(OpId::get),
        key.stack,
        key.env,
        op.address,
        op.kind.as_str(),
        op.type_token,
        op.resource_id,
        inputs,
        op.started_at,
    ])?;
    Ok(OpId::new(id))
}

/// Replaces the stack's outputs; `None` deletes them.
fn write_outputs(
    conn: &Connection,
    keys: &KeyRing,
    key: &StackKey,
    outputs: Option<&Map>,
) -> Result<(), StoreError> {
    match outputs {
        Some(map) => {
            let text = codec::map_to_text(map, &|| keys.sealer(conn, key, Need::Write))?;
            conn.prepare_cached(
                "INSERT INTO stack_outputs (stack, env, outputs, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (stack, env) DO UPDATE SET
                     outputs = excluded.outputs, updated_at = excluded.updated_at",
            )?
            .execute(params![key.stack, key.env, text, codec::now()])?;
        }
        None => {
            conn.prepare_cached("DELETE FROM stack_outputs WHERE stack = ?1 AND env = ?2")?
                .execute(params![key.stack, key.env])?;
        }
    }
    Ok(())
}

/// Replaces the config the last up applied; `None` deletes it.
fn write_applied_config(
    conn: &Connection,
    keys: &KeyRing,
    key: &StackKey,
    config: Option<&Map>,
) -> Result<(), StoreError> {
    match config {
        Some(map) => {
            let text = codec::map_to_text(map, &|| keys.sealer(conn, key, Need::Write))?;
            conn.prepare_cached(
                "INSERT INTO applied_config (stack, env, config) VALUES (?1, ?2, ?3)
                 ON CONFLICT (stack, env) DO UPDATE SET config = excluded.config",
            )?
            .execute(params![key.stack, key.env, text])?;
        }
        None => {
            conn.prepare_cached("DELETE FROM applied_config WHERE stack = ?1 AND env = ?2")?
                .execute(params![key.stack, key.env])?;
        }
    }
    Ok(())
}

/// Sets one config value.
fn write_config(
    conn: &Connection,
    keys: &KeyRing,
    key: &StackKey,
    name: &str,
    value: &Value,
) -> Result<(), StoreError> {
    let text = codec::value_to_text(value, &|| keys.sealer(conn, key, Need::Write))?;
    conn.prepare_cached(
        "INSERT INTO config (stack, env, key, value) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (stack, env, key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key.stack, key.env, name, text])?;
    Ok(())
}

/// Appends a line of history.
fn insert_history(conn: &Connection, key: &StackKey, entry: &HistoryEntry) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO history (stack, env, kind, started_at, duration_ms, result, counts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        key.stack,
        key.env,
        entry.kind,
        entry.started_at,
        entry.duration_ms,
        entry.result,
        codec::counts_to_text(&entry.counts),
    ])?;
    Ok(())
}

/// Inserts or replaces a resource row.
fn upsert_resource(
    conn: &Connection,
    keys: &KeyRing,
    key: &StackKey,
    record: &ResourceRecord,
) -> Result<(), StoreError> {
    let sealer = || keys.sealer(conn, key, Need::Write);
    let inputs = codec::map_to_text(&record.inputs, &sealer)?;
    let outputs = codec::map_to_text(&record.outputs, &sealer)?;
    conn.prepare_cached(
        "INSERT INTO resources
             (stack, env, name, type, provider_id, inputs, outputs, dependencies, options, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (stack, env, name) DO UPDATE SET
             type = excluded.type,
             provider_id = excluded.provider_id,
             inputs = excluded.inputs,
             outputs = excluded.outputs,
             dependencies = excluded.dependencies,
             options = excluded.options,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        key.stack,
        key.env,
        record.address,
        record.type_token,
        record.id,
        inputs,
        outputs,
        codec::names_to_text(&record.dependencies),
        codec::options_to_text(&record.options),
        codec::now(),
    ])?;
    // A resource recorded again (an import of a forgotten one) is the
    // stack's again.
    conn.prepare_cached(
        "DELETE FROM released WHERE stack = ?1 AND env = ?2 AND type = ?3 AND resource_id = ?4",
    )?
    .execute(params![key.stack, key.env, record.type_token, record.id])?;
    Ok(())
}

fn read_released(conn: &Connection, key: &StackKey) -> rusqlite::Result<BTreeSet<Released>> {
    let mut stmt = conn
        .prepare_cached("SELECT type, resource_id FROM released WHERE stack = ?1 AND env = ?2")?;
    let rows = stmt.query_map(params![key.stack, key.env], |r| {
        Ok(Released {
            type_token: r.get(0)?,
            id: r.get(1)?,
        })
    })?;
    rows.collect()
}

fn read_resources(
    conn: &Connection,
    keys: &KeyRing,
    key: &StackKey,
) -> Result<BTreeMap<String, ResourceRecord>, StoreError> {
    let sealer = || keys.sealer(conn, key, Need::Read);
    let mut stmt = conn.prepare_cached(
        "SELECT name, type, provider_id, inputs, outputs, dependencies, options
         FROM resources WHERE stack = ?1 AND env = ?2",
    )?;
    let rows = stmt.query_and_then(params![key.stack, key.env], |r| {
        resource_from_row(r, &sealer)
    })?;
    rows.map(|r| r.map(|record| (record.address.clone(), record)))
        .collect()
}

fn resource_from_row(r: &Row<'_>, keys: codec::Keys<'_>) -> Result<ResourceRecord, StoreError> {
    Ok(ResourceRecord {
        address: r.get(0)?,
        type_token: r.get(1)?,
        id: r.get(2)?,
        inputs: codec::map_from_text("inputs", &r.get::<_, String>(3)?, keys)?,
        outputs: codec::map_from_text("outputs", &r.get::<_, String>(4)?, keys)?,
        dependencies: codec::names_from_text("dependencies", &r.get::<_, String>(5)?)?,
        options: codec::options_from_text("options", &r.get::<_, String>(6)?)?,
    })
}

fn read_outputs(
    conn: &Connection,
    keys: &KeyRing,
    key: &StackKey,
) -> Result<Option<Map>, StoreError> {
    let text: Option<String> = conn
        .prepare_cached("SELECT outputs FROM stack_outputs WHERE stack = ?1 AND env = ?2")?
        .query_row(params![key.stack, key.env], |r| r.get(0))
        .optional()?;
    let sealer = || keys.sealer(conn, key, Need::Read);
    text.map(|t| codec::map_from_text("outputs", &t, &sealer))
        .transpose()
}

fn read_pending(
    conn: &Connection,
    keys: &KeyRing,
    key: &StackKey,
) -> Result<Vec<PendingOp>, StoreError> {
    let sealer = || keys.sealer(conn, key, Need::Read);
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, kind, type, resource_id, inputs, started_at
         FROM pending_ops WHERE stack = ?1 AND env = ?2 ORDER BY id",
    )?;
    let rows = stmt.query_and_then(params![key.stack, key.env], |r| {
        let kind: String = r.get(2)?;
        Ok::<_, StoreError>(PendingOp {
            id: OpId::new(r.get(0)?),
            address: r.get(1)?,
            kind: OpKind::parse(&kind).ok_or(StoreError::OpKind(kind))?,
            type_token: r.get(3)?,
            resource_id: r.get(4)?,
            inputs: codec::map_from_text("inputs", &r.get::<_, String>(5)?, &sealer)?,
            started_at: r.get(6)?,
        })
    })?;
    rows.collect()
}

/// Clears an intent; the stack is part of the match so that an id can
/// never clear another stack's intent. Returns the rows deleted.
fn delete_pending(conn: &Connection, key: &StackKey, op_id: OpId) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM pending_ops WHERE id = ?1 AND stack = ?2 AND env = ?3")?
        .execute(params![op_id.get(), key.stack, key.env])
}

/// Removes a resource row; returns the rows deleted.
fn delete_resource(conn: &Connection, key: &StackKey, name: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM resources WHERE stack = ?1 AND env = ?2 AND name = ?3")?
        .execute(params![key.stack, key.env, name])
}

#[cfg(test)]
mod tests {
    use super::*;
    use skistack_engine::RecordOptions;

    #[test]
    fn a_full_disk_fails_the_commit_whole_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(crate::KeyFile::new(dir.path().join("state.key")));
        let store = SqliteStore::open(&dir.path().join("state.db"), secrets).unwrap();
        let key = StackKey::new("web", "default");
        let op = Intent {
            address: "big".into(),
            kind: OpKind::Create,
            type_token: "std:File".into(),
            resource_id: None,
            inputs: Map::new(),
            started_at: 0,
        };
        let id = store.begin(&key, &op).unwrap();
        // Capping the file at its current size makes SQLite answer exactly
        // as it does on a full disk.
        {
            let conn = store.conn();
            let pages: i64 = conn
                .query_row("PRAGMA page_count", [], |r| r.get(0))
                .unwrap();
            conn.pragma_update(None, "max_page_count", pages).unwrap();
        }
        let mut outputs = Map::new();
        outputs.insert("content".into(), Value::String("x".repeat(1 << 20)));
        let record = ResourceRecord {
            address: "big".into(),
            type_token: "std:File".into(),
            id: "big".into(),
            inputs: Map::new(),
            outputs,
            dependencies: Vec::new(),
            options: RecordOptions::default(),
        };
        let text = store
            .commit_resource(&key, Some(id), &record)
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("recording resource big: the disk is full"),
            "{text}"
        );
        // Nothing of the failed transaction remains: the intent is still there.
        let state = store.load(&key).unwrap();
        assert!(state.resources.is_empty());
        assert_eq!(state.pending.len(), 1);
    }
}
