//! Schema versions and forward-only migrations, tracked with `PRAGMA user_version`.

use rusqlite::{Connection, Transaction};

/// The schema version this code writes. A database with a higher version is refused (quarantined), never rewritten.
pub const SCHEMA_VERSION: u32 = 3;

/// Version 1: ledger, state, refusals, settings, access log.
pub const V1: &str = r#"
CREATE TABLE ledger (
    seq             INTEGER PRIMARY KEY,
    at_ms           INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    purpose         TEXT    NOT NULL DEFAULT '',
    actor           TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    policy_version  TEXT    NOT NULL,
    definition_hash TEXT    NOT NULL DEFAULT '',
    detail          TEXT    NOT NULL DEFAULT '',
    prev_hash       TEXT    NOT NULL,
    hash            TEXT    NOT NULL
);
CREATE TABLE purpose_state (
    purpose         TEXT PRIMARY KEY,
    status          TEXT    NOT NULL,
    at_ms           INTEGER NOT NULL,
    actor           TEXT    NOT NULL,
    policy_version  TEXT    NOT NULL,
    definition_hash TEXT    NOT NULL,
    seq             INTEGER NOT NULL
);
CREATE TABLE refusals (
    purpose TEXT PRIMARY KEY,
    at_ms   INTEGER NOT NULL
);
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE access_log (
    bucket_ms INTEGER NOT NULL,
    purpose   TEXT    NOT NULL,
    data_type TEXT    NOT NULL,
    recipient TEXT    NOT NULL DEFAULT '',
    count     INTEGER NOT NULL,
    PRIMARY KEY (bucket_ms, purpose, data_type, recipient)
);
"#;

/// Version 2: last collection time per access-log row (for the collection list), and an index for per-purpose
/// ledger reads (receipts).
pub const V2: &str = r#"
ALTER TABLE access_log ADD COLUMN last_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ledger_purpose ON ledger(purpose, seq);
"#;

/// Version 3: frequency windows on disk (limits hold across reopen, instances and processes; see
/// [`super::frequency`]).
pub const V3: &str = r#"
CREATE TABLE frequency_window (
    purpose   TEXT    NOT NULL,
    data_type TEXT    NOT NULL,
    window_ms INTEGER NOT NULL,
    slice_ms  INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    last_ms   INTEGER NOT NULL,
    PRIMARY KEY (purpose, data_type, window_ms, slice_ms)
);
"#;

const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [V1, V2, V3];

/// The database's schema version.
pub fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Brings the schema from its current version up to [`SCHEMA_VERSION`], in one transaction.
pub fn migrate(tx: &Transaction<'_>, from: u32) -> rusqlite::Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
    }
    Ok(())
}
