//! The sealed state snapshot: what lets `open` skip the full ledger walk (ADR 0006).
//!
//! A consent write stores, in the same transaction as its ledger row and the recorded head, the replayed
//! [`ConsentState`] as JSON (`settings.state_snapshot`), the head it was taken at (`settings.state_seal_head`,
//! `seq:hash`) and a seal binding the two (`settings.state_seal` = SHA-256 of
//! `replay version ‖ "\n" ‖ seal_head ‖ "\n" ‖ snapshot`) — on the first write and then once every [`SEAL_EVERY`]
//! rows, so a write usually adds no snapshot pages to its fsync.
//! At open, a seal that matches, a sealed head row whose hash recomputes, and the rows after it (at most about
//! `SEAL_EVERY`) chaining from it to the recorded head let the store serve the snapshot with those rows replayed;
//! the full walk (quick_check, every hash, replay compared with what was served) then runs as the integrity audit
//! right after open. Anything that does not check out sends open down the full path, as before.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use super::ledger::{self, LedgerRow};
use super::state::{set_setting, ConsentState};

/// A new snapshot is sealed when this many rows were written since the last one.
pub const SEAL_EVERY: i64 = 32;

/// Setting holding the JSON of the state as of the sealed head.
const SNAPSHOT_KEY: &str = "state_snapshot";
/// Setting holding the head (`seq:hash`) the snapshot was taken at.
const SEAL_HEAD_KEY: &str = "state_seal_head";
/// Setting holding the seal of (sealed head, snapshot).
const SEAL_KEY: &str = "state_seal";

/// Version of the replay rules the sealed state was computed with. A seal of another version does not match, so
/// open takes the full path (verify, replay with today's rules, seal again) instead of serving a state replayed under
/// other rules — and the audit never mistakes such a state for damage.
const REPLAY_VERSION: &str = "replay-v2";

/// The seal of a snapshot taken at `head` (`seq:hash`).
fn seal(head: &str, snapshot: &str) -> String {
    let mut h = Sha256::new();
    h.update(REPLAY_VERSION.as_bytes());
    h.update(b"\n");
    h.update(head.as_bytes());
    h.update(b"\n");
    h.update(snapshot.as_bytes());
    crate::manifest::hex(&h.finalize())
}

/// Writes the snapshot of `state` and its seal, taken at `head` (the row `state` ends with), inside the caller's
/// transaction.
pub fn write(tx: &Transaction<'_>, head: &str, state: &ConsentState) -> rusqlite::Result<()> {
    let snapshot = serde_json::to_string(state).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    set_setting(tx, SNAPSHOT_KEY, &snapshot)?;
    set_setting(tx, SEAL_HEAD_KEY, head)?;
    set_setting(tx, SEAL_KEY, &seal(head, &snapshot))
}

/// After appending `row` (with `state` replayed up to it): seals a new snapshot if there is none yet or
/// [`SEAL_EVERY`] rows were written since the last one. Inside the append's transaction.
pub fn write_if_due(tx: &Transaction<'_>, row: &LedgerRow, state: &ConsentState) -> rusqlite::Result<()> {
    let sealed: Option<String> =
        tx.prepare_cached("SELECT value FROM settings WHERE key = ?1")?.query_row([SEAL_HEAD_KEY], |r| r.get(0)).optional()?;
    let sealed_seq = sealed.as_deref().and_then(|h| h.split(':').next()).and_then(|s| s.parse::<i64>().ok());
    match sealed_seq {
        Some(seq) if seq <= row.seq && row.seq - seq < SEAL_EVERY => Ok(()),
        _ => write(tx, &ledger::head_of(row), state),
    }
}

/// The sealed state brought up to the recorded head, if the schema is `schema_version` and snapshot, seal, sealed
/// head row, the rows after it and the recorded head all agree; `None` sends the caller down the full verification
/// path (no snapshot yet, an older file, or something does not match).
pub fn read(conn: &Connection, schema_version: u32) -> rusqlite::Result<Option<ConsentState>> {
    Ok(read_with_head(conn, schema_version)?.map(|(state, _)| state))
}

/// [`read`], also returning the hash of the last row it verified (the head the store then chains onto).
pub fn read_with_head(conn: &Connection, schema_version: u32) -> rusqlite::Result<Option<(ConsentState, String)>> {
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != schema_version {
        return Ok(None);
    }
    // Open is latency-bound: one statement for the settings, one for the rows from the sealed head on.
    let (head, sealed_head, snapshot, stored_seal) = conn.query_row(
        &format!(
            "SELECT (SELECT value FROM settings WHERE key = 'ledger_head'), \
             (SELECT value FROM settings WHERE key = '{SEAL_HEAD_KEY}'), \
             (SELECT value FROM settings WHERE key = '{SNAPSHOT_KEY}'), (SELECT value FROM settings WHERE key = '{SEAL_KEY}')"
        ),
        [],
        |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        },
    )?;
    let (Some(head), Some(sealed_head), Some(snapshot), Some(stored_seal)) = (head, sealed_head, snapshot, stored_seal)
    else {
        return Ok(None);
    };
    if seal(&sealed_head, &snapshot) != stored_seal {
        return Ok(None);
    }
    let Ok(mut state) = serde_json::from_str::<ConsentState>(&snapshot) else { return Ok(None) };
    let mut stmt = conn.prepare(&format!("SELECT {} FROM ledger WHERE seq >= ?1 ORDER BY seq", ledger::COLUMNS))?;
    let mut rows = stmt.query(params![state.last_seq])?;
    // The sealed head row itself (its hash recomputes, and it is what the seal names), then a gap-free chain.
    let Some(first) = rows.next()? else { return Ok(None) };
    let first = ledger::read_row(first)?;
    if first.seq != state.last_seq || ledger::head_of(&first) != sealed_head || ledger::row_hash(&first) != first.hash {
        return Ok(None);
    }
    let mut last = first;
    while let Some(r) = rows.next()? {
        let row = ledger::read_row(r)?;
        if row.seq != last.seq + 1 || row.prev_hash != last.hash || row.event_kind().is_none() || ledger::row_hash(&row) != row.hash {
            return Ok(None);
        }
        state.apply(&row);
        last = row;
    }
    Ok((ledger::head_of(&last) == head).then_some((state, last.hash)))
}
