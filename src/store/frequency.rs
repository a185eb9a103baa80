//! Frequency windows on disk: how many collections of a (purpose, data type) fell in each slice of a limit's
//! window. Persisted so a limit holds across reopen, across instances and across processes on one file.
//!
//! Each window of `W` ms is cut into [`SLICES`] slices of `W / SLICES` ms (at least 1 ms); a collection counts in
//! the slice it falls in, with the slice's latest collection time, and a slice counts against the limit until that
//! latest collection is a whole window old. So the state is bounded (at most `SLICES + 2` rows per limit, whatever
//! its `max`) and the answer errs on the safe side: a collection may be refused up to one slice (1/16 of the window)
//! longer than an exact sliding window would, never allowed sooner; a burst inside one slice is exact to the ms.
//!
//! A slice whose latest collection lies in the future of the reader's time line (written with a clock that was ahead:
//! before a restart, or by another process whose time line is ahead) counts for this reader as if collected when it
//! first saw it (`seen`, kept by the caller in memory): a corrected clock blocks for one window from then, not for the
//! size of the jump. Nothing on disk is rewritten for it, so a process whose time line is ahead keeps counting the
//! slice on its own line: no process is ever allowed sooner because another one's clock differs.

use std::collections::HashMap;

use rusqlite::{params, Transaction};

/// Slices per window: the precision of a limit (1/16 of its window).
pub const SLICES: i64 = 16;

/// When a future slice was first seen by this store, by (purpose, data type, window ms, slice start).
pub type FutureSeen = HashMap<(String, String, i64, i64), i64>;

/// Counts one collection of `(purpose, data_type)` at `now_ms` if every limit `(max, window_ms)` leaves room, inside
/// the caller's transaction; otherwise counts nothing and returns how many ms until one would be allowed.
pub fn try_take(
    tx: &Transaction<'_>,
    seen: &mut FutureSeen,
    purpose: &str,
    data_type: &str,
    limits: &[(u32, i64)],
    now_ms: i64,
) -> rusqlite::Result<Result<(), i64>> {
    let mut wait = 0i64;
    for &(max, window_ms) in limits {
        // Slices whose latest collection is a whole window old (on this time line) no longer count for anyone
        // whose time line is at or past this one.
        tx.prepare_cached(
            "DELETE FROM frequency_window WHERE purpose = ?1 AND data_type = ?2 AND window_ms = ?3 AND last_ms + ?3 <= ?4",
        )?
        .execute(params![purpose, data_type, window_ms, now_ms])?;
        let mut stmt = tx.prepare_cached(
            "SELECT slice_ms, last_ms, count FROM frequency_window WHERE purpose = ?1 AND data_type = ?2 \
             AND window_ms = ?3 ORDER BY slice_ms",
        )?;
        let rows: Vec<(i64, i64, i64)> = stmt
            .query_map(params![purpose, data_type, window_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        // What this store remembers of slices that are gone goes too (bounded by the rows on disk).
        seen.retain(|k, _| (k.0.as_str(), k.1.as_str(), k.2) != (purpose, data_type, window_ms) || rows.iter().any(|r| r.0 == k.3));
        // (when it leaves the window on this time line, count), oldest first; future slices as first seen.
        let mut slices: Vec<(i64, i64)> = Vec::with_capacity(rows.len());
        for (slice_ms, last_ms, count) in rows {
            let last = if last_ms > now_ms {
                *seen.entry((purpose.to_string(), data_type.to_string(), window_ms, slice_ms)).or_insert(now_ms)
            } else {
                last_ms
            };
            if last + window_ms > now_ms {
                slices.push((last + window_ms, count));
            }
        }
        slices.sort_unstable();
        let mut in_window: i64 = slices.iter().map(|s| s.1).sum();
        if in_window >= i64::from(max) {
            // Oldest slices leave the window first: wait until enough of them have left.
            for (leaves_at, count) in &slices {
                in_window -= count;
                if in_window < i64::from(max) {
                    wait = wait.max(leaves_at - now_ms);
                    break;
                }
            }
        }
    }
    if wait > 0 {
        return Ok(Err(wait));
    }
    for &(_, window_ms) in limits {
        let slice = (window_ms / SLICES).max(1);
        add(tx, purpose, data_type, window_ms, now_ms.div_euclid(slice) * slice, 1, now_ms)?;
    }
    Ok(Ok(()))
}

fn add(tx: &Transaction<'_>, purpose: &str, data_type: &str, window_ms: i64, slice_ms: i64, count: i64, at_ms: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO frequency_window (purpose, data_type, window_ms, slice_ms, count, last_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(purpose, data_type, window_ms, slice_ms) \
         DO UPDATE SET count = count + excluded.count, last_ms = MAX(last_ms, excluded.last_ms)",
    )?
    .execute(params![purpose, data_type, window_ms, slice_ms, count, at_ms])?;
    Ok(())
}
