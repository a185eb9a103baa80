//! The receipts outbox: delivery state of the signed receipts (docs/receipts.md), kept apart from the consent
//! write path. One row: this database's random install id, the last ledger sequence the app acknowledged as
//! delivered, and the receipt hash at that sequence (what the next receipt chains to).
//!
//! The table is created on first use, not by a schema migration: it holds nothing the gate reads, a database that
//! never sends receipts never has it, and an older ConsentKit opening the file ignores it. It lives in the database
//! on purpose: a database set aside after damage takes its outbox with it, so the fresh one starts a new receipt
//! chain under a new install id instead of forking the old one.

use rusqlite::{params, Connection, OptionalExtension};

use super::ledger::{read_row, LedgerRow, COLUMNS};

const CREATE: &str = "CREATE TABLE IF NOT EXISTS receipt_outbox (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    install_id  TEXT    NOT NULL,
    acked_seq   INTEGER NOT NULL,
    acked_hash  TEXT    NOT NULL
)";

/// The delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbox {
    /// The install id every receipt of this database carries (random, never a hardware or advertising id).
    pub install_id: String,
    /// Receipts up to this ledger sequence were acknowledged as delivered (0: none).
    pub acked_seq: i64,
    /// The receipt hash at `acked_seq` (the genesis hash when 0).
    pub acked_hash: String,
}

/// The outbox row, if the app ever asked for receipts.
pub fn load(conn: &Connection) -> rusqlite::Result<Option<Outbox>> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'receipt_outbox')",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(None);
    }
    conn.query_row("SELECT install_id, acked_seq, acked_hash FROM receipt_outbox WHERE id = 1", [], |r| {
        Ok(Outbox { install_id: r.get(0)?, acked_seq: r.get(1)?, acked_hash: r.get(2)? })
    })
    .optional()
}

/// The outbox row, created with `fresh` if there is none (another writer's row wins a race: it is re-read).
pub fn load_or_create(conn: &Connection, fresh: &Outbox) -> rusqlite::Result<Outbox> {
    conn.execute(CREATE, [])?;
    conn.execute(
        "INSERT OR IGNORE INTO receipt_outbox (id, install_id, acked_seq, acked_hash) VALUES (1, ?1, ?2, ?3)",
        params![fresh.install_id, fresh.acked_seq, fresh.acked_hash],
    )?;
    Ok(load(conn)?.unwrap_or_else(|| fresh.clone()))
}

/// Moves the acknowledged point forward to (`seq`, `hash`); never backward (an older acknowledgement arriving late
/// changes nothing). Returns whether it moved.
pub fn advance(conn: &Connection, seq: i64, hash: &str) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE receipt_outbox SET acked_seq = ?1, acked_hash = ?2 WHERE id = 1 AND acked_seq < ?1",
        params![seq, hash],
    )?;
    Ok(n > 0)
}

/// At most `limit` ledger rows with `seq > after`, in order.
pub fn rows_after(conn: &Connection, after: i64, limit: u32) -> rusqlite::Result<Vec<LedgerRow>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM ledger WHERE seq > ?1 ORDER BY seq LIMIT ?2"))?;
    let rows = stmt.query_map(params![after, limit], read_row)?.collect();
    rows
}

/// The last ledger sequence (0 for an empty ledger).
pub fn last_seq(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM ledger", [], |r| r.get(0))
}
