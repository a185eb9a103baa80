//! Storing a verified batch (POST /v1/receipts), in one transaction per batch under the install's row lock: a
//! receiver killed mid-batch stores nothing of it, and the app's retry stores it whole.
//!
//! Per install the receipts are stored as an unbroken chain from sequence 1 (`installs.chained_seq`). A receipt
//! past a gap waits in `held_receipts` until the gap is filled; a receipt equal to the stored one for its sequence
//! is a duplicate (idempotent retry); one that differs, or does not chain to the receipt before it, is a fork: the
//! batch is refused (409) and the fork recorded in `forks` as evidence of a rollback or tampering on the device.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::StatusCode;
use deadpool_postgres::{Pool, Transaction};
use serde::Serialize;

use crate::error::ApiError;
use crate::verify::{verify_batch, Verified};
use crate::wire::{self, Batch};

/// What a stored batch did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ingested {
    /// The batch's install.
    pub install_id: String,
    /// Receipts of the batch (or held earlier) now stored in the chain.
    pub stored: usize,
    /// Receipts of the batch waiting behind a gap.
    pub held: usize,
    /// Receipts of the batch the receiver already had (stored or held).
    pub duplicates: usize,
    /// The install's chain is complete up to this sequence.
    pub chained_through: i64,
}

/// A receipt that disagrees with what is stored.
#[derive(Debug, Clone, Serialize)]
pub struct Fork {
    /// The sequence where the receipts disagree.
    pub sequence: i64,
    /// `different_receipt` (another receipt stored for this sequence) or `chain_break` (does not chain to the
    /// receipt before it).
    pub kind: &'static str,
    /// The stored receipt's hash (for `chain_break`: the hash it should have chained to).
    pub stored_hash: String,
    /// The offered receipt's hash.
    pub offered_hash: String,
}

const COLUMNS: &str = "install_id, seq, receipt_hash, previous_receipt_hash, at_ms, event, purpose_id, definition_hash, \
                       notice_version, actor, source, detail, ledger_hash, signature";

/// Inserts `rows` into `table` (`receipts` or `held_receipts`) in one statement.
async fn insert(tx: &Transaction<'_>, table: &str, install: &str, rows: &[&Verified]) -> Result<(), ApiError> {
    if rows.is_empty() {
        return Ok(());
    }
    let col = |f: fn(&Verified) -> String| rows.iter().map(|v| f(v)).collect::<Vec<String>>();
    let seq: Vec<i64> = rows.iter().map(|v| v.receipt.sequence).collect();
    let at: Vec<i64> = rows.iter().map(|v| v.receipt.timestamp_ms).collect();
    let sig: Vec<Vec<u8>> = rows.iter().map(|v| v.signature.clone()).collect();
    let sql = format!(
        "INSERT INTO {table} ({COLUMNS}) SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::bigint[], \
         $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bytea[])"
    );
    tx.execute(
        &sql,
        &[
            &install,
            &seq,
            &col(|v| v.receipt.receipt_hash.clone()),
            &col(|v| v.receipt.previous_receipt_hash.clone()),
            &at,
            &col(|v| v.receipt.event.clone()),
            &col(|v| v.receipt.purpose_id.clone()),
            &col(|v| v.receipt.purpose_definition_hash.clone()),
            &col(|v| v.receipt.notice_version.clone()),
            &col(|v| v.receipt.actor.clone()),
            &col(|v| v.receipt.source.clone()),
            &col(|v| v.receipt.detail.clone()),
            &col(|v| v.receipt.ledger_hash.clone()),
            &sig,
        ],
    )
    .await?;
    Ok(())
}

/// The install's row, locked for this transaction: (public key, chained seq, chained hash); registered with
/// `public` when the batch starts the chain (sequence 1), else `None`.
async fn lock_install(tx: &Transaction<'_>, install: &str, public: &[u8], first_seq: i64) -> Result<Option<(Vec<u8>, i64, String)>, ApiError> {
    let select = "SELECT public_key, chained_seq, chained_hash FROM installs WHERE install_id = $1 FOR UPDATE";
    if let Some(r) = tx.query_opt(select, &[&install]).await? {
        return Ok(Some((r.get(0), r.get(1), r.get(2))));
    }
    if first_seq != 1 {
        return Ok(None);
    }
    tx.execute(
        "INSERT INTO installs (install_id, public_key, chained_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        &[&install, &public, &wire::GENESIS],
    )
    .await?;
    let r = tx.query_one(select, &[&install]).await?;
    Ok(Some((r.get(0), r.get(1), r.get(2))))
}

/// Records forks as evidence (in their own transaction: the batch itself is refused).
async fn record_forks(pool: &Pool, install: &str, forks: &[Fork], batch: &Batch) -> Result<(), ApiError> {
    let client = pool.get().await?;
    for f in forks {
        let offered = batch.receipts.iter().find(|r| r.sequence == f.sequence).map(serde_json::to_value);
        let offered = offered.and_then(Result::ok).unwrap_or(serde_json::Value::Null);
        client
            .execute(
                "INSERT INTO forks (install_id, seq, kind, stored_hash, offered_hash, offered) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT DO NOTHING",
                &[&install, &f.sequence, &f.kind, &f.stored_hash, &f.offered_hash, &offered],
            )
            .await?;
    }
    Ok(())
}

fn fork_error(install: &str, forks: Vec<Fork>) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::CONFLICT,
        "fork",
        format!("install {install}: {} receipt(s) disagree with the stored chain; recorded as evidence", forks.len()),
    );
    e.extra = Some(serde_json::json!({ "forks": forks }));
    e
}

/// Verifies and stores `batch`. `stall`: a test hook that waits inside the transaction before it commits (the
/// "receiver killed mid-batch" test); `None` in service.
pub async fn ingest(pool: &Pool, batch: Batch, max: usize, stall: Option<Duration>) -> Result<Ingested, ApiError> {
    // Signature checks are CPU work: off the threads that serve connections.
    let (batch, checked) = tokio::task::spawn_blocking(move || {
        let checked = verify_batch(&batch, max);
        (batch, checked)
    })
    .await
    .map_err(|e| ApiError::db(format!("verification task: {e}")))?;
    let (public, verified) = checked?;
    let batch = &batch;
    let install = batch.install_id.as_str();
    let first_seq = verified[0].receipt.sequence;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let Some((known_key, mut chained_seq, mut chained_hash)) = lock_install(&tx, install, &public, first_seq).await? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_install",
            format!("install {install} is not known here; its first batch must start at sequence 1"),
        ));
    };
    if known_key != public {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "key_mismatch", format!("install {install} is bound to another public key")));
    }

    // What is stored already for the batch's sequences, and everything held for the install.
    let seqs: Vec<i64> = verified.iter().map(|v| v.receipt.sequence).collect();
    let stored: BTreeMap<i64, String> = tx
        .query("SELECT seq, receipt_hash FROM receipts WHERE install_id = $1 AND seq = ANY($2)", &[&install, &seqs])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let held: BTreeMap<i64, (String, String)> = tx
        .query("SELECT seq, receipt_hash, previous_receipt_hash FROM held_receipts WHERE install_id = $1", &[&install])
        .await?
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect();

    let mut forks = Vec::new();
    let mut duplicates = 0;
    let mut fresh: BTreeMap<i64, &Verified> = BTreeMap::new();
    for v in &verified {
        let r = &v.receipt;
        let known = stored.get(&r.sequence).or_else(|| held.get(&r.sequence).map(|(h, _)| h));
        match known {
            Some(h) if *h == r.receipt_hash => duplicates += 1,
            Some(h) => forks.push(Fork { sequence: r.sequence, kind: "different_receipt", stored_hash: h.clone(), offered_hash: r.receipt_hash.clone() }),
            None => {
                fresh.insert(r.sequence, v);
            }
        }
    }

    // Walk the chain forward from the stored end through fresh and held receipts.
    let mut chained_fresh = Vec::new();
    let mut moved_held = Vec::new();
    if forks.is_empty() {
        loop {
            let next = chained_seq + 1;
            let (hash, prev) = if let Some(v) = fresh.get(&next) {
                (v.receipt.receipt_hash.clone(), v.receipt.previous_receipt_hash.clone())
            } else if let Some((h, p)) = held.get(&next) {
                (h.clone(), p.clone())
            } else {
                break;
            };
            if prev != chained_hash {
                forks.push(Fork { sequence: next, kind: "chain_break", stored_hash: chained_hash.clone(), offered_hash: hash });
                break;
            }
            if let Some(v) = fresh.remove(&next) {
                chained_fresh.push(v);
            } else {
                moved_held.push(next);
            }
            chained_seq = next;
            chained_hash = hash;
        }
    }
    if !forks.is_empty() {
        drop(tx);
        record_forks(pool, install, &forks, batch).await?;
        return Err(fork_error(install, forks));
    }

    insert(&tx, "receipts", install, &chained_fresh).await?;
    if !moved_held.is_empty() {
        tx.execute(
            &format!("INSERT INTO receipts ({COLUMNS}, received_at) SELECT {COLUMNS}, received_at FROM held_receipts \
                      WHERE install_id = $1 AND seq = ANY($2)"),
            &[&install, &moved_held],
        )
        .await?;
        tx.execute("DELETE FROM held_receipts WHERE install_id = $1 AND seq = ANY($2)", &[&install, &moved_held]).await?;
    }
    let still_held: Vec<&Verified> = fresh.values().copied().collect();
    insert(&tx, "held_receipts", install, &still_held).await?;
    tx.execute(
        "UPDATE installs SET chained_seq = $2, chained_hash = $3 WHERE install_id = $1",
        &[&install, &chained_seq, &chained_hash],
    )
    .await?;
    if let Some(d) = stall {
        tokio::time::sleep(d).await;
    }
    tx.commit().await?;
    Ok(Ingested {
        install_id: install.to_string(),
        stored: chained_fresh.len() + moved_held.len(),
        held: still_held.len(),
        duplicates,
        chained_through: chained_seq,
    })
}
