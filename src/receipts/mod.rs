//! Signed consent receipts (docs/receipts.md): what lets a server prove, without trusting the app, what an install
//! consented to. A receipt is derived from a ledger row — the rows are already hash-chained and authenticated on the
//! device — and signed only when the app asks for the next batch ([`pending`]), never on the consent write path.
//! The app uploads the batch with its own HTTP client (the SDK makes no network call) and then acknowledges it
//! ([`acknowledge`]); until then the same receipts come back, so a lost upload is simply retried.
//!
//! Rooms: [`format`] (the wire format and the signed bytes), [`signer`] (the key pair); the delivery state's SQL is
//! `store::receipts_outbox`.

pub mod format;
pub mod signer;

use crate::engine::Engine;
use crate::error::{CoreError, CoreResult};
use crate::manifest::hex;
use crate::store::receipts_outbox::{self, Outbox};
pub use format::{Batch, Receipt};
pub use signer::{KeyFileSigner, ReceiptSigner};

/// Most receipts one batch carries (a larger `max` is capped): what the receiver accepts in one request.
pub const MAX_BATCH: u32 = 500;

/// The next batch of receipts to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingBatch {
    /// The batch (no receipts when everything was acknowledged).
    pub batch: Batch,
    /// The request body to upload: `batch` as JSON.
    pub json: String,
    /// The sequence to pass to [`acknowledge`] once the receiver stored the batch (the last receipt's; the
    /// acknowledged point when the batch is empty).
    pub up_to: i64,
}

/// A new random install id: a version-4 UUID from the operating system's randomness.
fn new_install_id() -> CoreResult<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| CoreError::Storage(format!("no randomness for an install id: {e}")))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    Ok(format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]))
}

/// The outbox row a database starts with: a new install id, nothing acknowledged.
fn fresh_outbox() -> CoreResult<Outbox> {
    Ok(Outbox { install_id: new_install_id()?, acked_seq: 0, acked_hash: format::GENESIS.to_string() })
}

fn outbox(engine: &Engine) -> CoreResult<Outbox> {
    let fresh = fresh_outbox()?;
    engine.with_store(|store, _| Ok(receipts_outbox::load_or_create(store.connection(), &fresh)?))
}

/// The install id this database's receipts carry (created on first use).
pub fn install_id(engine: &Engine) -> CoreResult<String> {
    Ok(outbox(engine)?.install_id)
}

/// The next at most `max` (1..=[`MAX_BATCH`]) receipts after the acknowledged point, signed by `signer`. Reads the
/// ledger under the engine's lock, signs outside it: consent writes are never held up by a slow key store.
pub fn pending(engine: &Engine, signer: &dyn ReceiptSigner, max: u32) -> CoreResult<PendingBatch> {
    if max == 0 {
        return Err(CoreError::InvalidArgument("max must be at least 1".into()));
    }
    let max = max.min(MAX_BATCH);
    let fresh = fresh_outbox()?;
    let (state, rows) = engine.with_store(|store, _| {
        let conn = store.connection();
        let state = receipts_outbox::load_or_create(conn, &fresh)?;
        let rows = receipts_outbox::rows_after(conn, state.acked_seq, max)?;
        Ok((state, rows))
    })?;
    let public = signer.public_key()?;
    let key = signer::verifying_key(&public)?;
    let mut previous = state.acked_hash.clone();
    let mut receipts = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut r = format::derive(&state.install_id, row, &previous);
        r.signature = hex(&signer::sign_checked(signer, &key, &format::signed_bytes(&state.install_id, &r))?);
        previous = r.receipt_hash.clone();
        receipts.push(r);
    }
    let up_to = receipts.last().map_or(state.acked_seq, |r| r.sequence);
    let batch = Batch {
        format: format::FORMAT.to_string(),
        install_id: state.install_id,
        algorithm: format::ALGORITHM.to_string(),
        public_key: hex(&public),
        receipts,
    };
    let json = serde_json::to_string(&batch).map_err(|e| CoreError::Storage(format!("encode receipts: {e}")))?;
    Ok(PendingBatch { batch, json, up_to })
}

/// Marks the receipts up to ledger sequence `up_to` as delivered: the next [`pending`] starts after it.
/// Idempotent: acknowledging a point at or before the current one changes nothing. A sequence beyond the ledger is
/// refused (`InvalidArgument`): nothing could have been delivered there.
pub fn acknowledge(engine: &Engine, up_to: i64) -> CoreResult<()> {
    if up_to < 0 {
        return Err(CoreError::InvalidArgument(format!("up_to {up_to} is negative")));
    }
    let fresh = fresh_outbox()?;
    engine.with_store(|store, _| {
        let conn = store.connection();
        let state = receipts_outbox::load_or_create(conn, &fresh)?;
        if up_to <= state.acked_seq {
            return Ok(());
        }
        let last = receipts_outbox::last_seq(conn)?;
        if up_to > last {
            return Err(CoreError::InvalidArgument(format!("up_to {up_to} is beyond the last consent record ({last})")));
        }
        // The receipt hash at `up_to`: the chain from the acknowledged point, re-derived (hashing only, no signing).
        let mut previous = state.acked_hash.clone();
        let mut after = state.acked_seq;
        while after < up_to {
            let rows = receipts_outbox::rows_after(conn, after, (up_to - after).min(i64::from(MAX_BATCH)) as u32)?;
            let Some(last_row) = rows.last() else { break };
            for row in &rows {
                previous = format::derive(&state.install_id, row, &previous).receipt_hash;
            }
            after = last_row.seq;
        }
        receipts_outbox::advance(conn, up_to, &previous)?;
        Ok(())
    })
}
