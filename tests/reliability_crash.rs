//! Crash loop: a child process writes consent events and acknowledges each only after the call returned; the
//! parent SIGKILLs it at random moments, reopens and checks that nothing acknowledged was lost, nothing is
//! half-written, the chain verifies, the file is intact and the state table equals the ledger replay.
//! 200 kills here; `stress/crash_loop.sh 1000` for the long run.
#![cfg(feature = "stress")]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use consentkit::store::ledger::{self, ChainCheck};
use consentkit::store::ConsentState;
use rusqlite::Connection;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Checks the database after a kill; returns the number of ledger rows.
fn check(db: &std::path::Path, acked: &BTreeMap<i64, (String, String)>) -> usize {
    let conn = Connection::open(db).unwrap();
    let has_schema: bool =
        conn.query_row("SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = 'ledger'", [], |r| r.get(0)).unwrap();
    if !has_schema {
        // Killed before the first open created the schema: nothing can have been acknowledged.
        assert!(acked.is_empty(), "acknowledged events but no ledger table");
        return 0;
    }
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    let rows = ledger::rows_after(&conn, 0).unwrap();
    match ledger::verify_with_head(&conn, |_| {}).unwrap() {
        ChainCheck::Intact { .. } => {}
        broken => panic!("chain broken after a kill: {broken:?}"),
    }
    for (seq, (kind, purpose)) in acked {
        let row = rows.iter().find(|r| r.seq == *seq).unwrap_or_else(|| panic!("acknowledged event {seq} lost"));
        assert_eq!(&row.kind, kind);
        if purpose != "-" {
            assert_eq!(&row.purpose, purpose);
        }
    }
    let replayed = ConsentState::replay(&rows);
    let mut stmt = conn.prepare("SELECT purpose, status, seq FROM purpose_state ORDER BY purpose").unwrap();
    let table: Vec<(String, String, i64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    let expected: Vec<(String, String, i64)> =
        replayed.purposes.iter().map(|(p, r)| (p.clone(), r.choice.as_str().to_string(), r.seq)).collect();
    assert_eq!(table, expected, "state table equals the ledger replay");
    rows.len()
}

#[test]
fn acknowledged_consent_survives_sigkill() {
    let kills: usize = std::env::var("CRASH_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let seed = std::env::var("CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_u64);
    let mut rng = Rng(seed | 1);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let mut acked: BTreeMap<i64, (String, String)> = BTreeMap::new();
    let mut rows = 0;
    for i in 0..kills {
        let mut child = Command::new(env!("CARGO_BIN_EXE_consentkit-stress"))
            .args(["loop", db.to_str().unwrap(), &(seed + i as u64).to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let parts: Vec<&str> = line.split_whitespace().collect();
                if parts.len() == 4 && parts[0] == "ack" {
                    got.push((parts[1].parse::<i64>().unwrap(), parts[2].to_string(), parts[3].to_string()));
                }
            }
            got
        });
        std::thread::sleep(Duration::from_micros(2_000 + rng.next() % 40_000));
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        let mut err = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        assert!(status.code().is_none() || status.success(), "child failed on its own (kill {i}): {status:?} {err}");
        for (seq, kind, purpose) in reader.join().unwrap() {
            acked.insert(seq, (kind, purpose));
        }
        rows = check(&db, &acked);
    }
    eprintln!("crash loop: {kills} kills survived, {} acknowledged events, {rows} ledger rows, 0 lost", acked.len());
    assert!(acked.len() > kills / 2, "the children made progress ({} acks)", acked.len());
}
