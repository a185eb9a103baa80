//! The access log on disk: what was actually collected, as time-bucketed counts.

use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};

/// Width of an access-log time bucket: one hour.
pub const BUCKET_MS: i64 = 3_600_000;

/// One batch entry to add to the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessCount {
    /// Bucket start, UTC ms.
    pub bucket_ms: i64,
    /// Purpose id.
    pub purpose: String,
    /// Data type id.
    pub data_type: String,
    /// Third-party id, '' for the app itself.
    pub recipient: String,
    /// How many collections.
    pub count: u64,
    /// Last collection, UTC ms.
    pub last_ms: i64,
}

/// Adds counts (upsert) inside the caller's transaction.
pub fn add_counts(tx: &Transaction<'_>, counts: &[AccessCount]) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO access_log (bucket_ms, purpose, data_type, recipient, count, last_ms) VALUES (?1,?2,?3,?4,?5,?6) \
         ON CONFLICT(bucket_ms, purpose, data_type, recipient) DO UPDATE SET count = count + excluded.count, \
         last_ms = MAX(last_ms, excluded.last_ms)",
    )?;
    for c in counts {
        stmt.execute(params![c.bucket_ms, c.purpose, c.data_type, c.recipient, c.count as i64, c.last_ms])?;
    }
    Ok(())
}

/// Totals per (purpose, data type, recipient) over all buckets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTotal {
    /// Purpose id.
    pub purpose: String,
    /// Data type id.
    pub data_type: String,
    /// Third-party id, '' for the app itself.
    pub recipient: String,
    /// Total collections.
    pub count: u64,
    /// Last collection, UTC ms.
    pub last_ms: i64,
}

/// Totals of the whole log.
pub fn totals(conn: &Connection) -> rusqlite::Result<Vec<AccessTotal>> {
    let mut stmt = conn.prepare_cached(
        "SELECT purpose, data_type, recipient, SUM(count), MAX(last_ms) FROM access_log \
         GROUP BY purpose, data_type, recipient ORDER BY purpose, data_type, recipient",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(AccessTotal {
                purpose: r.get(0)?,
                data_type: r.get(1)?,
                recipient: r.get(2)?,
                count: r.get::<_, i64>(3)? as u64,
                last_ms: r.get(4)?,
            })
        })?
        .collect();
    rows
}
