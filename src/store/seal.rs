//! The sealed state snapshot: what lets `open` skip the full ledger walk (ADR 0006).
//!
//! Every consent write stores, in the same transaction as the ledger row and the recorded head, the replayed
//! [`ConsentState`] as JSON (`settings.state_snapshot`) and a seal binding it to the head
//! (`settings.state_seal` = SHA-256 of `head ‖ "\n" ‖ snapshot`). At open, a seal that matches, a head that is the
//! last row, and a last row whose hash recomputes let the store serve that state at once; the full walk (quick_check,
//! every hash, replay compared with what was served) then runs as the integrity audit right after open. Anything
//! that does not check out sends open down the full path, as before.

use rusqlite::{Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use super::ledger::{self, LedgerRow};
use super::state::{set_setting, ConsentState};

/// Setting holding the JSON of the state as of the head.
const SNAPSHOT_KEY: &str = "state_snapshot";
/// Setting holding the seal of (head, snapshot).
const SEAL_KEY: &str = "state_seal";

/// The seal of a snapshot taken at `head` (`seq:hash`).
fn seal(head: &str, snapshot: &str) -> String {
    let mut h = Sha256::new();
    h.update(head.as_bytes());
    h.update(b"\n");
    h.update(snapshot.as_bytes());
    crate::manifest::hex(&h.finalize())
}

/// The recorded head of a row: `seq:hash`.
pub fn head_of(row: &LedgerRow) -> String {
    format!("{}:{}", row.seq, row.hash)
}

/// Writes the snapshot and its seal for `state` at `head`, inside the caller's transaction.
pub fn write(tx: &Transaction<'_>, head: &str, state: &ConsentState) -> rusqlite::Result<()> {
    let snapshot = serde_json::to_string(state).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    set_setting(tx, SNAPSHOT_KEY, &snapshot)?;
    set_setting(tx, SEAL_KEY, &seal(head, &snapshot))
}

/// The sealed state, if the schema is `schema_version` and the snapshot, its seal, the recorded head and the last ledger row all agree; `None` sends
/// the caller down the full verification path (no snapshot yet, an older file, or something does not match).
pub fn read(conn: &Connection, schema_version: u32) -> rusqlite::Result<Option<ConsentState>> {
    // Open is latency-bound: one statement for the last row and the three settings, prepared only when the schema
    // is the expected one (a file of another version may not have these tables).
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != schema_version {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {}, (SELECT value FROM settings WHERE key = 'ledger_head'), \
         (SELECT value FROM settings WHERE key = '{SNAPSHOT_KEY}'), (SELECT value FROM settings WHERE key = '{SEAL_KEY}') \
         FROM ledger ORDER BY seq DESC LIMIT 1",
        ledger::COLUMNS
    );
    let mut stmt = conn.prepare(&sql)?;
    let found = stmt
        .query_row([], |r| {
            Ok((ledger::read_row(r)?, r.get::<_, Option<String>>(11)?, r.get::<_, Option<String>>(12)?, r.get::<_, Option<String>>(13)?))
        })
        .optional()?;
    let Some((last, Some(head), Some(snapshot), Some(stored_seal))) = found else { return Ok(None) };
    if seal(&head, &snapshot) != stored_seal || head_of(&last) != head || ledger::row_hash(&last) != last.hash {
        return Ok(None);
    }
    let Ok(state) = serde_json::from_str::<ConsentState>(&snapshot) else { return Ok(None) };
    Ok((state.last_seq == last.seq).then_some(state))
}
