//! Frequency windows on disk: how many collections of a (purpose, data type) fell in each slice of a limit's
//! window. Persisted so a limit holds across reopen, across instances and across processes on one file.
//!
//! Each window of `W` ms is cut into [`SLICES`] slices of `W / SLICES` ms (at least 1 ms); a collection counts in
//! the slice it falls in, with the slice's latest collection time, and a slice counts against the limit until that
//! latest collection is a whole window old. So the memory is bounded (at most `SLICES + 1` rows per limit, whatever
//! its `max`) and the answer errs on the safe side: a collection may be refused up to one slice (1/16 of the window)
//! longer than an exact sliding window would, never allowed sooner; a burst inside one slice is exact to the ms. Slices stamped in the future (a clock that was ahead when they were written, by another process
//! or before a restart) are moved to the current slice the first time they are seen: a corrected clock never
//! blocks for longer than one window from then.

use rusqlite::{params, Transaction};

/// Slices per window: the precision of a limit (1/16 of its window).
pub const SLICES: i64 = 16;

/// Counts one collection of `(purpose, data_type)` at `now_ms` if every limit `(max, window_ms)` leaves room, inside
/// the caller's transaction; otherwise counts nothing and returns how many ms until one would be allowed.
pub fn try_take(tx: &Transaction<'_>, purpose: &str, data_type: &str, limits: &[(u32, i64)], now_ms: i64) -> rusqlite::Result<Result<(), i64>> {
    let mut wait = 0i64;
    for &(max, window_ms) in limits {
        let slice = (window_ms / SLICES).max(1);
        let current = now_ms.div_euclid(slice) * slice;
        // Future slices (the clock moved back since they were written) become the current one, once.
        let future: i64 = tx
            .prepare_cached(
                "SELECT COALESCE(SUM(count), 0) FROM frequency_window WHERE purpose = ?1 AND data_type = ?2 \
                 AND window_ms = ?3 AND (slice_ms > ?4 OR last_ms > ?5)",
            )?
            .query_row(params![purpose, data_type, window_ms, current, now_ms], |r| r.get(0))?;
        if future > 0 {
            tx.prepare_cached(
                "DELETE FROM frequency_window WHERE purpose = ?1 AND data_type = ?2 AND window_ms = ?3 \
                 AND (slice_ms > ?4 OR last_ms > ?5)",
            )?
            .execute(params![purpose, data_type, window_ms, current, now_ms])?;
            add(tx, purpose, data_type, window_ms, current, future, now_ms)?;
        }
        // Slices whose latest collection is a whole window old no longer count.
        tx.prepare_cached(
            "DELETE FROM frequency_window WHERE purpose = ?1 AND data_type = ?2 AND window_ms = ?3 AND last_ms + ?3 <= ?4",
        )?
        .execute(params![purpose, data_type, window_ms, now_ms])?;
        let mut stmt = tx.prepare_cached(
            "SELECT last_ms, count FROM frequency_window WHERE purpose = ?1 AND data_type = ?2 AND window_ms = ?3 \
             ORDER BY slice_ms",
        )?;
        let slices: Vec<(i64, i64)> =
            stmt.query_map(params![purpose, data_type, window_ms], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        let mut in_window: i64 = slices.iter().map(|s| s.1).sum();
        if in_window >= i64::from(max) {
            // Oldest slices leave the window first: wait until enough of them have left.
            for (last, count) in &slices {
                in_window -= count;
                if in_window < i64::from(max) {
                    wait = wait.max(last + window_ms - now_ms);
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
