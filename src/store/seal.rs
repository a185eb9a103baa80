//! The keyed checkpoint: what lets `open` trust the state without walking the ledger (docs/adr/0007).
//!
//! A consent write stores, in the same transaction as its ledger row, the recorded head (`settings.ledger_head`,
//! `seq:hash`) and its MAC under the device key (`settings.ledger_head_mac`); on the first write and then once every
//! [`SEAL_EVERY`] rows it also stores the replayed [`ConsentState`] as JSON (`settings.state_snapshot`), the head it
//! was taken at (`settings.state_seal_head`) and the checkpoint's MAC (`settings.state_seal` = MAC of
//! `replay version ‖ "\n" ‖ seal_head ‖ "\n" ‖ snapshot`). The MACs come from [`DeviceKey`]: a key the file does not
//! contain. At open, a checkpoint whose MAC checks, a sealed head row whose hash recomputes, the rows after it
//! (at most about `SEAL_EVERY`) chaining from it to the recorded head, and a head MAC that checks let the store serve
//! the checkpoint with those rows replayed. Anything that does not check out sends open down the full path.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::ledger::{self, LedgerRow};
use super::state::{set_setting, ConsentState};
use super::storage;
use crate::error::CoreResult;
use crate::integrity::{tag, DeviceKey};

/// A new checkpoint is sealed when this many rows were written since the last one.
pub const SEAL_EVERY: i64 = 32;

/// Version of the replay rules the checkpoint's state was computed with. A checkpoint of another version does not
/// match, so open takes the full path (verify, replay with today's rules, seal again) instead of serving a state
/// replayed under other rules.
const REPLAY_VERSION: &str = "replay-v3";

/// Setting holding the JSON of the state as of the sealed head.
const SNAPSHOT_KEY: &str = "state_snapshot";
/// Setting holding the head (`seq:hash`) the snapshot was taken at.
const SEAL_HEAD_KEY: &str = "state_seal_head";
/// Setting holding the checkpoint's MAC.
const SEAL_KEY: &str = "state_seal";
/// Setting holding the MAC of the recorded head (`ledger_head`).
pub const HEAD_MAC_KEY: &str = "ledger_head_mac";

/// The checkpoint's MAC of a snapshot taken at `head` (`seq:hash`).
fn checkpoint_mac(key: &dyn DeviceKey, head: &str, snapshot: &str) -> CoreResult<String> {
    tag(key, "checkpoint", &format!("{REPLAY_VERSION}\n{head}\n{snapshot}"))
}

/// The MAC of a recorded head.
pub fn head_mac(key: &dyn DeviceKey, head: &str) -> CoreResult<String> {
    tag(key, "head", head)
}

/// Records `head` and its MAC, inside the caller's transaction.
pub fn write_head(tx: &Transaction<'_>, key: &dyn DeviceKey, head: &str) -> CoreResult<()> {
    let mac = head_mac(key, head)?;
    set_setting(tx, "ledger_head", head).map_err(|e| storage("head", e))?;
    set_setting(tx, HEAD_MAC_KEY, &mac).map_err(|e| storage("head", e))
}

/// Writes the checkpoint of `state`, taken at `head` (the row `state` ends with), inside the caller's transaction.
pub fn write(tx: &Transaction<'_>, key: &dyn DeviceKey, head: &str, state: &ConsentState) -> CoreResult<()> {
    let snapshot = serde_json::to_string(state).map_err(|e| storage("snapshot", e))?;
    let mac = checkpoint_mac(key, head, &snapshot)?;
    (|| {
        set_setting(tx, SNAPSHOT_KEY, &snapshot)?;
        set_setting(tx, SEAL_HEAD_KEY, head)?;
        set_setting(tx, SEAL_KEY, &mac)
    })()
    .map_err(|e| storage("checkpoint", e))
}

/// The sequence number of a head (`seq:hash`).
pub fn head_seq(head: &str) -> Option<i64> {
    head.split(':').next().and_then(|s| s.parse().ok())
}

/// The head the checkpoint was taken at (`seq:hash`), if there is one.
pub fn sealed_head(tx: &Transaction<'_>) -> CoreResult<Option<String>> {
    tx.prepare_cached("SELECT value FROM settings WHERE key = ?1")
        .and_then(|mut s| s.query_row([SEAL_HEAD_KEY], |r| r.get(0)).optional())
        .map_err(|e| storage("checkpoint", e))
}

/// After appending `row` (with `state` replayed up to it): seals a new checkpoint if there is none yet or
/// [`SEAL_EVERY`] rows were written since the last one. Inside the append's transaction.
pub fn write_if_due(tx: &Transaction<'_>, key: &dyn DeviceKey, row: &LedgerRow, state: &ConsentState) -> CoreResult<()> {
    let sealed_seq = sealed_head(tx)?.as_deref().and_then(head_seq);
    match sealed_seq {
        Some(seq) if seq <= row.seq && row.seq - seq < SEAL_EVERY => Ok(()),
        _ => write(tx, key, &ledger::head_of(row), state),
    }
}

/// Whether the file carries any MAC (it was keyed once): such a file must authenticate under the device key.
pub fn is_keyed(conn: &Connection) -> CoreResult<bool> {
    conn.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM settings WHERE key IN ('{HEAD_MAC_KEY}', '{SEAL_KEY}'))"),
        [],
        |r| r.get(0),
    )
    .map_err(|e| storage("read settings", e))
}

/// Whether the recorded head is `expected` and its MAC checks under the device key.
pub fn head_authenticates_as(conn: &Connection, key: &dyn DeviceKey, expected: &str) -> CoreResult<bool> {
    match recorded_head(conn)? {
        (Some(head), Some(mac)) if head == expected => Ok(head_mac(key, &head)? == mac),
        _ => Ok(false),
    }
}

/// Whether the recorded head's MAC checks under the device key.
pub fn head_authenticates(conn: &Connection, key: &dyn DeviceKey) -> CoreResult<bool> {
    match recorded_head(conn)? {
        (Some(head), Some(mac)) => Ok(head_mac(key, &head)? == mac),
        _ => Ok(false),
    }
}

/// The recorded head and its MAC, as stored.
fn recorded_head(conn: &Connection) -> CoreResult<(Option<String>, Option<String>)> {
    conn.query_row(
        &format!(
            "SELECT (SELECT value FROM settings WHERE key = 'ledger_head'), \
             (SELECT value FROM settings WHERE key = '{HEAD_MAC_KEY}')"
        ),
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .map_err(|e| storage("read settings", e))
}

/// The checkpoint brought up to the recorded head, and the hash of that head, if the schema is `schema_version` and
/// the checkpoint's MAC, the sealed head row, the rows after it, the recorded head and its MAC all agree; `None` sends
/// the caller down the full verification path (no checkpoint yet, an older file, or something does not match).
/// `Err` only when the key could not be used or SQLite failed: never a reason to set the file aside.
pub fn read_with_head(conn: &Connection, key: &dyn DeviceKey, schema_version: u32) -> CoreResult<Option<(ConsentState, String)>> {
    // A file SQLite cannot read is for the full path to classify (damage), never an error here.
    match conn.query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0)) {
        Ok(version) if version == schema_version => {}
        _ => return Ok(None),
    }
    // Open is latency-bound: one statement for the settings, one for the rows from the sealed head on.
    let settings = conn.query_row(
        &format!(
            "SELECT (SELECT value FROM settings WHERE key = 'ledger_head'), \
             (SELECT value FROM settings WHERE key = '{HEAD_MAC_KEY}'), \
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
                r.get::<_, Option<String>>(4)?,
            ))
        },
    );
    let Ok((Some(head), Some(head_tag), Some(sealed_head), Some(snapshot), Some(stored_seal))) = settings else {
        return Ok(None);
    };
    if checkpoint_mac(key, &sealed_head, &snapshot)? != stored_seal || head_mac(key, &head)? != head_tag {
        return Ok(None);
    }
    let Ok(mut state) = serde_json::from_str::<ConsentState>(&snapshot) else { return Ok(None) };
    let walk = (|| -> rusqlite::Result<Option<LedgerRow>> {
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
            if ledger::follows(last.seq, &last.hash, &row).is_err() {
                return Ok(None);
            }
            state.apply(&row);
            last = row;
        }
        Ok(Some(last))
    })();
    match walk {
        Ok(Some(last)) if ledger::head_of(&last) == head => Ok(Some((state, last.hash))),
        Ok(_) => Ok(None),
        // A read error here is for the full path to classify (damage or not).
        Err(_) => Ok(None),
    }
}
