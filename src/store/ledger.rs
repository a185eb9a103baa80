//! The consent ledger: append-only, hash-chained record of every consent event.
//!
//! Each row's hash is SHA-256 over the canonical encoding of the row (see [`canonical_encoding`]) which includes the
//! previous row's hash; the first row chains to [`GENESIS_HASH`]. Editing, deleting, reordering or inserting a row
//! breaks the chain at that row (docs/adr/0003-ledger-hash-chain.md).

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::manifest::hex;

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Kinds of consent events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The user (or guardian) agreed to the privacy policy version.
    PolicyAgreed,
    /// The user declined the privacy policy.
    PolicyDeclined,
    /// A purpose was granted.
    Granted,
    /// A prompt for a purpose was refused (starts the cooldown).
    Refused,
    /// A grant was withdrawn.
    Withdrawn,
    /// The age bracket was set.
    AgeSet,
    /// All consent and access data was erased at the user's request.
    Erased,
    /// A guardian agreed to the app's children's personal-information rules (`detail` = their version,
    /// `definition_hash` = their coverage hash: the version and the necessary purposes it covers).
    ChildrenRulesAgreed,
}

impl EventKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::PolicyAgreed => "policy_agreed",
            EventKind::PolicyDeclined => "policy_declined",
            EventKind::Granted => "granted",
            EventKind::Refused => "refused",
            EventKind::Withdrawn => "withdrawn",
            EventKind::AgeSet => "age_set",
            EventKind::Erased => "erased",
            EventKind::ChildrenRulesAgreed => "children_rules_agreed",
        }
    }
    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "policy_agreed" => EventKind::PolicyAgreed,
            "policy_declined" => EventKind::PolicyDeclined,
            "granted" => EventKind::Granted,
            "refused" => EventKind::Refused,
            "withdrawn" => EventKind::Withdrawn,
            "age_set" => EventKind::AgeSet,
            "erased" => EventKind::Erased,
            "children_rules_agreed" => EventKind::ChildrenRulesAgreed,
            _ => return None,
        })
    }
}

/// An event before it is appended (no seq or hash yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// When, UTC ms.
    pub at_ms: i64,
    /// What happened.
    pub kind: EventKind,
    /// The purpose concerned ('' for policy/age events).
    pub purpose: String,
    /// `user` or `guardian`.
    pub actor: String,
    /// Which screen or prompt.
    pub source: String,
    /// The policy version in force.
    pub policy_version: String,
    /// The purpose definition hash shown to the user ('' when no purpose).
    pub definition_hash: String,
    /// Extra value (e.g. the age bracket).
    pub detail: String,
}

/// A stored ledger row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRow {
    /// Sequence number, 1-based, gap-free.
    pub seq: i64,
    /// When, UTC ms.
    pub at_ms: i64,
    /// Event kind as stored.
    pub kind: String,
    /// Purpose id or ''.
    pub purpose: String,
    /// `user` or `guardian`.
    pub actor: String,
    /// Screen or prompt.
    pub source: String,
    /// Policy version.
    pub policy_version: String,
    /// Purpose definition hash or ''.
    pub definition_hash: String,
    /// Extra value.
    pub detail: String,
    /// Hash of the previous row.
    pub prev_hash: String,
    /// Hash of this row.
    pub hash: String,
}

impl LedgerRow {
    /// The event kind, if it is one this code knows.
    pub fn event_kind(&self) -> Option<EventKind> {
        EventKind::parse(&self.kind)
    }
}

/// The bytes hashed for a row: the compact JSON array
/// `[seq, at_ms, kind, purpose, actor, source, policy_version, definition_hash, detail, prev_hash]`.
pub fn canonical_encoding(row: &LedgerRow) -> String {
    let mut buf = Vec::with_capacity(512);
    canonical_encoding_into(row, &mut buf);
    // Only JSON text written by serde_json: valid UTF-8.
    String::from_utf8(buf).unwrap_or_default()
}

/// [`canonical_encoding`] into a reused buffer (cleared first): the same bytes, written field by field with
/// serde_json's own string escaping instead of through a `serde_json::Value`.
pub fn canonical_encoding_into(row: &LedgerRow, buf: &mut Vec<u8>) {
    use std::io::Write;
    buf.clear();
    let _ = write!(buf, "[{},{}", row.seq, row.at_ms);
    for s in [&row.kind, &row.purpose, &row.actor, &row.source, &row.policy_version, &row.definition_hash, &row.detail, &row.prev_hash] {
        buf.push(b',');
        let _ = serde_json::to_writer(&mut *buf, s.as_str());
    }
    buf.push(b']');
}

/// SHA-256 of the canonical encoding, lowercase hex.
pub fn row_hash(row: &LedgerRow) -> String {
    hex(&Sha256::digest(canonical_encoding(row).as_bytes()))
}

/// Whether `row.hash` is the SHA-256 of its canonical encoding (no allocation beyond `buf`).
fn hash_matches(row: &LedgerRow, buf: &mut Vec<u8>) -> bool {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    canonical_encoding_into(row, buf);
    let digest = Sha256::digest(&buf[..]);
    let stored = row.hash.as_bytes();
    stored.len() == 64 && digest.iter().enumerate().all(|(i, b)| {
        stored[2 * i] == DIGITS[(b >> 4) as usize] && stored[2 * i + 1] == DIGITS[(b & 0xf) as usize]
    })
}

/// The columns of a [`LedgerRow`], in [`read_row`]'s order (a macro, so `SELECT` is built from the same text).
macro_rules! row_columns {
    () => {
        "seq, at_ms, kind, purpose, actor, source, policy_version, definition_hash, detail, prev_hash, hash"
    };
}

/// The columns of a [`LedgerRow`], in [`read_row`]'s order.
pub(crate) const COLUMNS: &str = row_columns!();

const SELECT: &str = concat!("SELECT ", row_columns!(), " FROM ledger");

/// A row selected with [`COLUMNS`] first.
pub(crate) fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LedgerRow> {
    Ok(LedgerRow {
        seq: r.get(0)?,
        at_ms: r.get(1)?,
        kind: r.get(2)?,
        purpose: r.get(3)?,
        actor: r.get(4)?,
        source: r.get(5)?,
        policy_version: r.get(6)?,
        definition_hash: r.get(7)?,
        detail: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

/// Appends an event inside the caller's transaction, chaining it to the last row on disk.
pub fn append(tx: &Transaction<'_>, e: &NewEvent) -> rusqlite::Result<LedgerRow> {
    let last: Option<(i64, String)> =
        tx.prepare_cached("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
    let (prev_seq, prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_string()));
    let mut row = LedgerRow {
        seq: prev_seq + 1,
        at_ms: e.at_ms,
        kind: e.kind.as_str().to_string(),
        purpose: e.purpose.clone(),
        actor: e.actor.clone(),
        source: e.source.clone(),
        policy_version: e.policy_version.clone(),
        definition_hash: e.definition_hash.clone(),
        detail: e.detail.clone(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = row_hash(&row);
    tx.prepare_cached(
        "INSERT INTO ledger (seq, at_ms, kind, purpose, actor, source, policy_version, definition_hash, detail, \
         prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
            row.seq,
            row.at_ms,
            row.kind,
            row.purpose,
            row.actor,
            row.source,
            row.policy_version,
            row.definition_hash,
            row.detail,
            row.prev_hash,
            row.hash
        ])?;
    Ok(row)
}

/// Why a row does not follow the verified row before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFollowing {
    /// Its seq is not the next one, or its `prev_hash` is not the previous row's hash.
    Link,
    /// Its kind is unknown or its hash does not recompute.
    Hash,
}

/// Whether `row` follows the verified row (`prev_seq`, `prev_hash`): the next seq, chained to it, a known kind and a
/// hash that recomputes. The one check for rows read after a verified point (the checkpoint walk at open, and the
/// catch-up with other writers' rows).
pub fn follows(prev_seq: i64, prev_hash: &str, row: &LedgerRow) -> Result<(), NotFollowing> {
    if row.seq != prev_seq + 1 || row.prev_hash != prev_hash {
        return Err(NotFollowing::Link);
    }
    if row.event_kind().is_none() || row_hash(row) != row.hash {
        return Err(NotFollowing::Hash);
    }
    Ok(())
}

/// The recorded head of a row, `seq:hash` (the `ledger_head` setting and the seal's head).
pub fn head_of(row: &LedgerRow) -> String {
    format!("{}:{}", row.seq, row.hash)
}

/// The last row, if any.
pub fn last_row(conn: &Connection) -> rusqlite::Result<Option<LedgerRow>> {
    conn.prepare_cached(&format!("{SELECT} ORDER BY seq DESC LIMIT 1"))?.query_row([], read_row).optional()
}

/// Rows with `seq > after`, in order.
pub fn rows_after(conn: &Connection, after: i64) -> rusqlite::Result<Vec<LedgerRow>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE seq > ?1 ORDER BY seq"))?;
    let rows = stmt.query_map([after], read_row)?.collect();
    rows
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every row verified.
    Intact {
        /// Number of rows.
        rows: u64,
    },
    /// The first row that does not verify, and why.
    Broken {
        /// Its seq (or the expected seq where a row is missing).
        seq: i64,
        /// What is wrong.
        reason: String,
    },
}

/// Walks the chain ([`verify`]) and then checks the head recorded in `settings.ledger_head` with every write,
/// which catches removed last rows. This is the one check the store (at open) and the inspector both run.
pub fn verify_with_head(conn: &Connection, progress: impl FnMut(u64)) -> rusqlite::Result<ChainCheck> {
    verify_with_head_rows(conn, progress, |_| {})
}

/// [`verify_with_head`], handing every verified row to `on_row` in order (open replays the state in the same pass
/// instead of reading the ledger twice).
pub fn verify_with_head_rows(
    conn: &Connection,
    progress: impl FnMut(u64),
    on_row: impl FnMut(&LedgerRow),
) -> rusqlite::Result<ChainCheck> {
    let check = verify_with(conn, progress, on_row)?;
    let ChainCheck::Intact { rows } = check else { return Ok(check) };
    let head: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = 'ledger_head'", [], |r| r.get(0)).optional()?;
    if let Some(head) = head {
        let last = last_row(conn)?.map_or_else(|| String::from("0:"), |row| head_of(&row));
        if head != last {
            return Ok(ChainCheck::Broken {
                seq: rows as i64 + 1,
                reason: format!("ledger ends at {last} but its recorded head is {head} (rows removed)"),
            });
        }
    }
    Ok(ChainCheck::Intact { rows })
}

/// Walks the whole chain in order; `progress` is called with the number of rows checked so far.
pub fn verify(conn: &Connection, progress: impl FnMut(u64)) -> rusqlite::Result<ChainCheck> {
    verify_with(conn, progress, |_| {})
}

/// [`verify`], handing every verified row to `on_row` in order (one pass for verification and replay).
pub fn verify_with(
    conn: &Connection,
    mut progress: impl FnMut(u64),
    mut on_row: impl FnMut(&LedgerRow),
) -> rusqlite::Result<ChainCheck> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS_HASH.to_string();
    let mut n = 0u64;
    let mut buf = Vec::with_capacity(512);
    while let Some(r) = rows.next()? {
        let row = read_row(r)?;
        let broken = |reason: &str| Ok(ChainCheck::Broken { seq: row.seq, reason: reason.to_string() });
        if row.seq != expected_seq {
            return Ok(ChainCheck::Broken {
                seq: expected_seq,
                reason: format!("row {expected_seq} is missing (found {} next)", row.seq),
            });
        }
        if row.prev_hash != prev {
            return broken("prev_hash does not match the previous row's hash (row inserted, deleted or reordered)");
        }
        if row.event_kind().is_none() {
            return broken("unknown event kind");
        }
        if !hash_matches(&row, &mut buf) {
            return broken("hash does not match the row's contents (row edited)");
        }
        on_row(&row);
        prev = row.hash;
        expected_seq += 1;
        n += 1;
        if n % 4096 == 0 {
            progress(n);
        }
    }
    progress(n);
    Ok(ChainCheck::Intact { rows: n })
}

#[cfg(test)]
mod encoding_tests {
    use super::*;

    #[test]
    fn field_by_field_encoding_matches_the_value_encoding() {
        let texts = ["", "plain", "quote\" backslash\\ slash/", "tab\t nl\n cr\r \u{1} \u{1f}", "汉字 é 🚗", "\u{7f}\u{2028}"];
        for (i, t) in texts.iter().enumerate() {
            let row = LedgerRow {
                seq: i as i64 + 1,
                at_ms: -5 + i as i64 * 1_780_000_000_000,
                kind: "granted".into(),
                purpose: t.to_string(),
                actor: "user".into(),
                source: t.to_string(),
                policy_version: "2026-11-01".into(),
                definition_hash: t.to_string(),
                detail: t.to_string(),
                prev_hash: GENESIS_HASH.into(),
                hash: String::new(),
            };
            let expected = serde_json::json!([row.seq, row.at_ms, row.kind, row.purpose, row.actor, row.source,
                row.policy_version, row.definition_hash, row.detail, row.prev_hash]).to_string();
            assert_eq!(canonical_encoding(&row), expected);
        }
    }
}
