//! Stack locks: one row per locked stack and environment in the `locks`
//! table. Every change is conditional on what the caller saw, so that two
//! processes racing for a lock (or for a stale one) never both win.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use skistack_engine::{LockInfo, StackKey};

use crate::error::StoreError;

/// Takes the lock; `Some(holder)` when another holds it. The insert and the
/// read of the holder share one write transaction, so the holder returned
/// is the one that made the insert fail.
pub(crate) fn acquire(
    conn: &mut Connection,
    key: &StackKey,
    info: &LockInfo,
) -> Result<Option<LockInfo>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let inserted = tx
        .prepare_cached(
            "INSERT INTO locks (stack, env, pid, host, started_at, operation)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (stack, env) DO NOTHING",
        )?
        .execute(params![
            key.stack,
            key.env,
            info.pid,
            info.host,
            info.started_at,
            info.operation
        ])?;
    let holder = if inserted == 1 {
        None
    } else {
        holder(&tx, key)?
    };
    tx.commit()?;
    Ok(holder)
}

/// The current holder, if any.
pub(crate) fn holder(conn: &Connection, key: &StackKey) -> Result<Option<LockInfo>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT pid, host, started_at, operation FROM locks WHERE stack = ?1 AND env = ?2",
        )?
        .query_row(params![key.stack, key.env], |r| {
            Ok(LockInfo {
                pid: r.get(0)?,
                host: r.get(1)?,
                started_at: r.get(2)?,
                operation: r.get(3)?,
                lease: None,
            })
        })
        .optional()?)
}

/// Replaces the row of `stale` with `info`; false when `stale` is no longer
/// the holder. One UPDATE is atomic, so of two processes taking over the
/// same stale lock exactly one matches it.
pub(crate) fn take_over(
    conn: &Connection,
    key: &StackKey,
    stale: &LockInfo,
    info: &LockInfo,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE locks SET pid = ?7, host = ?8, started_at = ?9, operation = ?10
             WHERE stack = ?1 AND env = ?2 AND pid = ?3 AND host = ?4
               AND started_at = ?5 AND operation = ?6",
        )?
        .execute(params![
            key.stack,
            key.env,
            stale.pid,
            stale.host,
            stale.started_at,
            stale.operation,
            info.pid,
            info.host,
            info.started_at,
            info.operation,
        ])?;
    Ok(changed == 1)
}

/// Deletes the lock if `holder` still holds it.
pub(crate) fn release(
    conn: &Connection,
    key: &StackKey,
    holder: &LockInfo,
) -> Result<bool, StoreError> {
    let deleted = conn
        .prepare_cached(
            "DELETE FROM locks WHERE stack = ?1 AND env = ?2 AND pid = ?3 AND host = ?4
               AND started_at = ?5 AND operation = ?6",
        )?
        .execute(params![
            key.stack,
            key.env,
            holder.pid,
            holder.host,
            holder.started_at,
            holder.operation
        ])?;
    Ok(deleted == 1)
}

/// Deletes the lock whoever holds it.
pub(crate) fn release_any(conn: &Connection, key: &StackKey) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM locks WHERE stack = ?1 AND env = ?2")?
        .execute(params![key.stack, key.env])?;
    Ok(())
}
