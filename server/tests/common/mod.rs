//! What the receiver's tests share: the test database (from server/test.sh), a receiver process started on a free
//! port and killed on drop, and receipts signed by hand for the cases a well-behaved device never produces.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use consentkit_receiver::client::Client;
use consentkit_receiver::wire::{self, Batch, Receipt};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};

/// The test database's URL; the tests need a real PostgreSQL and say how to get one.
pub fn database_url() -> String {
    std::env::var("CK_TEST_DATABASE_URL")
        .expect("CK_TEST_DATABASE_URL is not set: run server/test.sh, which starts a throwaway PostgreSQL")
}

/// A receiver process (the real binary), killed on drop.
pub struct Receiver {
    pub child: Child,
    pub addr: String,
}

impl Receiver {
    /// Starts the receiver on a free port; `stall_ms` > 0 arms the mid-batch stall hook.
    pub fn start(stall_ms: u64) -> Receiver {
        let mut child = Command::new(env!("CARGO_BIN_EXE_consentkit-receiver"))
            .env("CK_DATABASE_URL", database_url())
            .env("CK_LISTEN", "127.0.0.1:0")
            .env("CK_POOL", "8")
            .env("CK_RECEIVER_STALL_MS", stall_ms.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the receiver");
        let out = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(out).lines();
        let addr = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(a) = line.strip_prefix("listening on ") {
                        break a.to_string();
                    }
                }
                _ => {
                    let _ = child.kill();
                    panic!("the receiver exited before listening");
                }
            }
        };
        Receiver { child, addr }
    }

    pub async fn client(&self) -> Client {
        Client::connect(&self.addr).await.expect("connect")
    }

    /// SIGKILL: no graceful anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A fresh random-looking install id, unique per call.
pub fn install_id(tag: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{tag}-{nanos:x}-{}", N.fetch_add(1, Ordering::Relaxed))
}

/// A hand-made device: a key pair and an install id.
pub struct FakeDevice {
    pub key: SigningKey,
    pub install_id: String,
}

impl FakeDevice {
    pub fn new(tag: &str, seed: u8) -> FakeDevice {
        FakeDevice { key: SigningKey::from_slice(&[seed.max(1); 32]).unwrap(), install_id: install_id(tag) }
    }

    /// A signed receipt.
    pub fn receipt(&self, seq: i64, at_ms: i64, event: &str, purpose: &str, version: &str, previous: &str) -> Receipt {
        let mut r = Receipt {
            sequence: seq,
            event: event.into(),
            timestamp: String::new(),
            timestamp_ms: at_ms,
            purpose_id: purpose.into(),
            purpose_definition_hash: if purpose.is_empty() { String::new() } else { "ab".repeat(32) },
            notice_version: version.into(),
            actor: "user".into(),
            source: "test".into(),
            detail: String::new(),
            ledger_hash: format!("{seq:064x}"),
            previous_receipt_hash: previous.into(),
            receipt_hash: String::new(),
            signature: String::new(),
        };
        self.sign(&mut r);
        r
    }

    /// Recomputes the hash and signature after an edit.
    pub fn sign(&self, r: &mut Receipt) {
        let bytes = wire::signed_bytes(&self.install_id, r);
        r.receipt_hash = wire::hash_hex(&bytes);
        let sig: Signature = self.key.sign(&bytes);
        r.signature = wire::to_hex(sig.to_der().as_bytes());
    }

    /// A chain of `events` (event, purpose, version), sequences from 1, one second apart from `start_ms`.
    pub fn chain(&self, events: &[(&str, &str, &str)], start_ms: i64) -> Vec<Receipt> {
        let mut previous = wire::GENESIS.to_string();
        let mut out = Vec::new();
        for (i, (event, purpose, version)) in events.iter().enumerate() {
            let r = self.receipt(i as i64 + 1, start_ms + 1000 * i as i64, event, purpose, version, &previous);
            previous = r.receipt_hash.clone();
            out.push(r);
        }
        out
    }

    pub fn batch(&self, receipts: &[Receipt]) -> String {
        serde_json::to_string(&Batch {
            format: wire::FORMAT.into(),
            install_id: self.install_id.clone(),
            algorithm: wire::ALGORITHM.into(),
            public_key: wire::to_hex(self.key.verifying_key().to_encoded_point(false).as_bytes()),
            receipts: receipts.to_vec(),
        })
        .unwrap()
    }
}

/// Rows stored for an install in `table`.
pub async fn count(table: &str, install: &str) -> i64 {
    let (client, conn) = tokio_postgres::connect(&database_url(), tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client.query_one(&format!("SELECT count(*) FROM {table} WHERE install_id = $1"), &[&install]).await.unwrap().get(0)
}
