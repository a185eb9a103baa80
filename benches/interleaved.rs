//! Rows whose two sides must be measured interleaved, not one after the other, because the machine's disk and CPU
//! share drift over seconds (a shared 2-core VM):
//!
//! * `durable_grant`: `ConsentKit::grant` (ledger row + state mirror + chain head + hash, one `synchronous=FULL`
//!   transaction, then the snapshot swap) against one raw rusqlite `INSERT` of a ledger-sized row into a WAL,
//!   `synchronous=FULL` database in the same directory. Grant, insert, withdraw, insert... alternating which side goes
//!   first; each op timed alone; medians compared.
//! * `contention`: 8 threads calling `decide_handles` over the declared pairs for a fixed time, with and without one
//!   writer thread that grants and withdraws a purpose in a loop; rounds run the modes in all six orders (plus, as
//!   context, a writer doing durable raw SQLite inserts instead: what any fsync-bound writer costs the readers here);
//!   median throughputs compared.
//!
//! * `first_answer_100`, `first_answer_1k`, `first_answer_10k`: `ConsentKit::open` of an existing file with that
//!   many ledger rows and the 40-purpose manifest, then `next_prompt(AppStart)`, `resolve(feature)` and
//!   `decide(purpose, data_type)` (the first answers of an app start), against opening the same file with rusqlite and
//!   reading one row. Both cold: every open is preceded by the same cache flush (reading a buffer twice the size of the
//!   last-level cache, so no earlier iteration's code or data survives in any cache — a smaller sweep leaves a partly
//!   warm cache whose content depends on what ran just before), and every connection is closed before the next open
//!   (ConsentKit's only handle is closed, so the shared engine is released and the next open reads the file again).
//!   `verify_integrity()` (the explicit full check, ADR 0007) runs after each cold round outside the timed part, for
//!   its time; open alone and both sides without the flush are reported as context. Order alternates per round;
//!   medians compared.
//! * `first_write_10k`: the first durable `grant` after a cold open of the 10,000-row file (only the grant is timed,
//!   after open returned), against the `durable_grant` reference (one raw durable INSERT on an open connection).
//!
//! Not a criterion harness: writes `interleaved.json` into `$CK_BENCH_OUT` (default `target/tmp/bench-results`).
//! Without `--bench` (as `cargo test --benches` runs it) it does a few iterations and writes nothing.

mod common;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, OpenFlags, TransactionBehavior};
use serde_json::json;

use consentkit::ffi::{Actor, ConsentKit, IntegrityCheck, OpenOptions, PromptTrigger};
use consentkit::gate::Reason;
use consentkit::store::{ledger, state, ConsentState, EventKind, NewEvent};

const READERS: usize = 8;
/// A plain opt-in purpose that the typical state leaves ungranted: the writers toggle it.
const TOGGLED: &str = "purpose_03";

struct Stats {
    median_ns: f64,
    mean_ns: f64,
    p90_ns: f64,
    n: usize,
}

fn stats(mut v: Vec<f64>) -> Stats {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Stats { median_ns: v[n / 2], mean_ns: v.iter().sum::<f64>() / n as f64, p90_ns: v[(n * 9 / 10).min(n - 1)], n }
}

fn stats_json(s: &Stats) -> serde_json::Value {
    json!({ "median_ns": s.median_ns, "mean_ns": s.mean_ns, "p90_ns": s.p90_ns, "samples": s.n })
}

fn time(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_nanos() as f64
}

/// A WAL, `synchronous=FULL` database with a ledger-shaped table in `dir`: the raw SQLite side of the references.
fn raw_db(dir: &Path) -> Connection {
    raw_db_at(&dir.join("raw.db"))
}

/// [`raw_db`] at a given path.
fn raw_db_at(path: &Path) -> Connection {
    let raw = Connection::open(path).expect("raw db");
    raw.pragma_update(None, "journal_mode", "WAL").expect("wal");
    raw.pragma_update(None, "synchronous", "FULL").expect("sync");
    raw.execute_batch(
        "CREATE TABLE ledger (seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, kind TEXT NOT NULL, purpose TEXT NOT NULL,
         actor TEXT NOT NULL, source TEXT NOT NULL, policy_version TEXT NOT NULL, definition_hash TEXT NOT NULL,
         detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
    )
    .expect("table");
    raw
}

/// A 64-hex-digit hash for the raw rows.
const RAW_HASH: &str = "9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c";

/// One durable INSERT of a ledger-sized row (autocommit: one fsync).
fn raw_insert(raw: &Connection) {
    raw.execute(
        "INSERT INTO ledger (at_ms, kind, purpose, actor, source, policy_version, definition_hash, detail, \
         prev_hash, hash) VALUES (?1, 'granted', ?2, 'user', 'bench', '2026-11-01', ?3, '', ?3, ?3)",
        params![1_780_000_000_000i64, TOGGLED, RAW_HASH],
    )
    .expect("insert");
}

fn durable_grant(quick: bool) -> serde_json::Value {
    let dir = common::temp_dir();
    let kit = common::typical(dir.path(), &common::manifest_40());
    let raw = raw_db(dir.path());
    let insert = || raw_insert(&raw);
    let grant = |on: bool| {
        if on {
            kit.grant(TOGGLED.into(), Actor::User, "bench".into()).expect("grant");
        } else {
            kit.withdraw(TOGGLED.into(), Actor::User, "bench".into()).expect("withdraw");
        }
    };
    let (warm, rounds) = if quick { (1, 2) } else { (10, 150) };
    for _ in 0..warm {
        grant(true);
        grant(false);
        insert();
    }
    let (mut grants, mut withdraws, mut inserts) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..rounds {
        if r % 2 == 0 {
            grants.push(time(|| grant(true)));
            inserts.push(time(insert));
            withdraws.push(time(|| grant(false)));
            inserts.push(time(insert));
        } else {
            inserts.push(time(insert));
            grants.push(time(|| grant(true)));
            inserts.push(time(insert));
            withdraws.push(time(|| grant(false)));
        }
    }
    kit.close().expect("close");
    let (g, w, i) = (stats(grants), stats(withdraws), stats(inserts));
    // Smoke runs (debug build, a few ops) print nothing that could be read as a measurement.
    if !quick {
        println!(
        "durable_grant: grant median {:.0} us, withdraw median {:.0} us, raw insert median {:.0} us, ratio {:.2}",
        g.median_ns / 1e3,
        w.median_ns / 1e3,
        i.median_ns / 1e3,
        g.median_ns / i.median_ns
        );
        println!("durable_grant: load average {}", loadavg());
    }
    json!({
        "method": "grant/withdraw of one purpose alternating with a raw INSERT (WAL, synchronous=FULL) in the same directory; each op timed alone; order alternates per round",
        "grant": stats_json(&g), "withdraw": stats_json(&w), "raw_insert": stats_json(&i),
        "load_average": loadavg(),
    })
}

/// CPU time of the calling thread in seconds (utime + stime from /proc; 0 where unavailable), at 100 ticks/s.
fn thread_cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    // After the command name: state is field 3, utime field 14, stime field 15 (1-based, man 5 proc).
    let tick = |i: usize| fields.get(i - 3).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(14) + tick(15)) / 100.0
}

/// Who writes during a contention round.
#[derive(Clone, Copy, PartialEq)]
enum Writer {
    /// Nobody: the reference.
    None,
    /// One thread granting and withdrawing through ConsentKit.
    ConsentKit,
    /// One thread doing durable raw SQLite inserts (WAL, synchronous=FULL) in a loop, as fast as it can, into another
    /// file in the same directory: what any fsync-bound writer costs the readers on this machine (context).
    RawSqlite,
}

/// Total `decide_handles` calls per second across `READERS` threads during `window`, with the given writer.
/// Also returns the writes done and the CPU seconds the writer thread used.
fn contention_round(
    kit: &Arc<ConsentKit>,
    raw: &std::sync::Mutex<Connection>,
    seq: &Arc<Vec<(u32, u32)>>,
    window: Duration,
    writer: Writer,
) -> (f64, u64, f64) {
    let stop = AtomicBool::new(false);
    let total = AtomicU64::new(0);
    let writes = AtomicU64::new(0);
    let writer_cpu_us = AtomicU64::new(0);
    let start = Barrier::new(READERS + 1);
    let mask = common::SEQ - 1;
    let mut elapsed = Duration::ZERO;
    std::thread::scope(|s| {
        if writer != Writer::None {
            s.spawn(|| {
                let cpu0 = thread_cpu_s();
                let raw = raw.lock().expect("raw connection");
                let mut k = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    if writer == Writer::RawSqlite {
                        raw_insert(&raw);
                    } else if k % 2 == 0 {
                        kit.grant(TOGGLED.into(), Actor::User, "bench".into()).expect("grant");
                    } else {
                        kit.withdraw(TOGGLED.into(), Actor::User, "bench".into()).expect("withdraw");
                    }
                    k += 1;
                }
                writes.store(k, Ordering::Relaxed);
                writer_cpu_us.store(((thread_cpu_s() - cpu0) * 1e6) as u64, Ordering::Relaxed);
            });
        }
        for t in 0..READERS {
            let (stop, total, start) = (&stop, &total, &start);
            s.spawn(move || {
                let engine = kit.engine();
                let mut i = t * 509;
                let mut n = 0u64;
                start.wait();
                while !stop.load(Ordering::Relaxed) {
                    for _ in 0..1024 {
                        let (p, d) = seq[i & mask];
                        i = i.wrapping_add(1);
                        black_box(matches!(engine.decide_handles(black_box(p), black_box(d)), Ok(Reason::Allowed)));
                    }
                    n += 1024;
                }
                total.fetch_add(n, Ordering::Relaxed);
            });
        }
        start.wait();
        let t = Instant::now();
        std::thread::sleep(window);
        stop.store(true, Ordering::Relaxed);
        elapsed = t.elapsed();
    });
    (
        total.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64(),
        writes.load(Ordering::Relaxed),
        writer_cpu_us.load(Ordering::Relaxed) as f64 / 1e6 / elapsed.as_secs_f64(),
    )
}

fn contention(quick: bool) -> serde_json::Value {
    let dir = common::temp_dir();
    let kit = common::typical(dir.path(), &common::manifest_40());
    let pairs: Vec<(u32, u32)> = common::declared_pairs(&kit).into_iter().map(|(_, h)| h).collect();
    let seq = Arc::new(common::sequence(&pairs, 0xc0117e));
    let raw = std::sync::Mutex::new(raw_db(dir.path()));
    // Every order of the three modes equally often (each mode follows each other mode as often as it precedes it).
    let (window, rounds) = if quick { (Duration::from_millis(20), 1) } else { (Duration::from_millis(400), 12) };
    let (mut alone, mut with, mut writes, mut cpu) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut with_raw, mut raw_writes, mut raw_cpu) = (Vec::new(), Vec::new(), Vec::new());
    contention_round(&kit, &raw, &seq, window / 2, Writer::None); // warm-up
    for r in 0..rounds {
        use Writer::{ConsentKit as C, None as N, RawSqlite as R};
        let order = [[N, C, R], [C, R, N], [R, N, C], [N, R, C], [R, C, N], [C, N, R]][r % 6];
        for writer in order {
            let (ops, w, c) = contention_round(&kit, &raw, &seq, window, writer);
            let rate = w as f64 / window.as_secs_f64();
            match writer {
                Writer::None => alone.push(ops),
                Writer::ConsentKit => {
                    with.push(ops);
                    writes.push(rate);
                    cpu.push(c);
                }
                Writer::RawSqlite => {
                    with_raw.push(ops);
                    raw_writes.push(rate);
                    raw_cpu.push(c);
                }
            }
        }
    }
    kit.close().expect("close");
    let (a, w, ws, wc) = (stats(alone), stats(with), stats(writes), stats(cpu));
    let (wr, rws, rwc) = (stats(with_raw), stats(raw_writes), stats(raw_cpu));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    if !quick {
        println!(
        "contention: {READERS} readers alone {:.1} M decide/s, with a writer {:.1} M decide/s ({:.0} writes/s, writer \
         thread {:.0}% of a core), ratio {:.2}",
        a.median_ns / 1e6,
        w.median_ns / 1e6,
        ws.median_ns,
        wc.median_ns * 100.0,
        w.median_ns / a.median_ns
        );
        println!(
            "contention: with a raw SQLite writer instead {:.1} M decide/s ({:.0} inserts/s, writer thread {:.0}% of a \
             core), ratio {:.2}",
            wr.median_ns / 1e6,
            rws.median_ns,
            rwc.median_ns * 100.0,
            wr.median_ns / a.median_ns
        );
        println!("contention: load average {}", loadavg());
    }
    json!({
        "method": format!("{READERS} threads call decide_handles over the declared pairs for {} ms per round; rounds run no writer, one thread granting and withdrawing `{TOGGLED}` in a loop, and (context) one thread doing durable raw SQLite inserts in a loop, in all six orders; {rounds} rounds; medians (values are ops/s, not ns)", window.as_millis()),
        "readers": READERS,
        "alone_ops_per_s": stats_json(&a), "with_writer_ops_per_s": stats_json(&w), "writes_per_s": stats_json(&ws),
        "writer_cpu_cores": stats_json(&wc), "cores": cores,
        "with_raw_sqlite_writer_ops_per_s": stats_json(&wr), "raw_inserts_per_s": stats_json(&rws),
        "raw_writer_cpu_cores": stats_json(&rwc),
        "load_average": loadavg(),
    })
}

/// Writes `rows` ledger events into the (already created) database at `db`, like the engine would.
fn fill_ledger(db: &Path, kit: &ConsentKit, rows: usize) {
    let index = kit.engine().index();
    let policy = index.manifest.policy.version.clone();
    let mut conn = Connection::open(db).expect("open raw");
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).expect("begin");
    let mut st = ConsentState::default();
    let start_ms = 1_780_000_000_000i64;
    for n in 0..rows {
        let (kind, purpose) = if n == 0 {
            (EventKind::PolicyAgreed, None)
        } else {
            let p = 1 + (n * 7) % (index.purposes.len() - 1);
            // Roughly: grant, later withdraw, later grant again...
            let kind = if (n / index.purposes.len()) % 2 == 0 { EventKind::Granted } else { EventKind::Withdrawn };
            (kind, Some(p))
        };
        let e = NewEvent {
            at_ms: start_ms + n as i64 * 60_000,
            kind,
            purpose: purpose.map(|p| index.purposes[p].id.to_string()).unwrap_or_default(),
            actor: "user".into(),
            source: "settings_screen".into(),
            policy_version: policy.clone(),
            definition_hash: purpose.map(|p| index.purposes[p].definition_hash.clone()).unwrap_or_default(),
            detail: String::new(),
        };
        let row = ledger::append(&tx, &e).expect("append");
        st.apply(&row);
        if n + 1 == rows {
            state::write_mirror(&tx, &st).expect("mirror");
            state::set_setting(&tx, "ledger_head", &ledger::head_of(&row)).expect("head");
        }
    }
    tx.commit().expect("commit");
}

/// Bytes of the largest CPU cache (sysfs; 32 MiB when unknown).
fn last_level_cache_bytes() -> usize {
    let parse = |text: &str| {
        let t = text.trim();
        let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
        let n: usize = digits.parse().ok()?;
        Some(match unit { "K" => n << 10, "M" => n << 20, "G" => n << 30, _ => n })
    };
    (0..8)
        .filter_map(|i| std::fs::read_to_string(format!("/sys/devices/system/cpu/cpu0/cache/index{i}/size")).ok())
        .filter_map(|t| parse(&t))
        .max()
        .unwrap_or(32 << 20)
}

/// Evicts every cache line an earlier iteration left: reads one byte per 64-byte line of a buffer twice the size of
/// the last-level cache (reads, so the caches are left holding clean lines: no write-back lands in the timed part).
struct CacheFlush(Vec<u8>);

impl CacheFlush {
    fn new(bytes: usize) -> Self {
        // Written once here, so every page is backed by its own memory (not the shared zero page).
        CacheFlush(vec![1u8; bytes])
    }
    fn run(&self) {
        let sum = self.0.iter().step_by(64).fold(0u64, |acc, &b| acc.wrapping_add(u64::from(black_box(b))));
        black_box(sum);
    }
}

/// The pair the first-answer rows ask `decide` about (declared by `common::manifest_40`).
const FIRST_DECIDE: (&str, &str) = ("purpose_02", "photos");

fn options() -> OpenOptions {
    OpenOptions { manual_clock_start_ms: None, access_flush_every: None, integrity_dir: None }
}

/// A database `dir/name` with `rows` ledger rows, filled as the engine writes them (`fill_ledger`), then opened once
/// through `ConsentKit::open` — which verifies the unkeyed file in full and seals its checkpoint under the key file
/// beside it (ADR 0007), as any keyed file has one — and closed. Also checks that the last close releases the shared
/// engine, so that every later `ConsentKit::open` after a full close really reads the file again.
fn filled_db(dir: &Path, name: &str, manifest: &str, rows: usize) -> PathBuf {
    let db = dir.join(name);
    let kit = common::open(&db, manifest);
    fill_ledger(&db, &kit, rows);
    kit.close().expect("close");
    drop(kit);
    let check = common::open(&db, manifest);
    assert!(check.engine().recovery().is_none(), "the filled ledger verifies");
    assert_eq!(check.engine().with_store(|_, s| Ok(s.last_seq)).expect("state") as usize, rows);
    assert!(check.decide(FIRST_DECIDE.0.into(), FIRST_DECIDE.1.into()).is_ok(), "the decided pair is declared");
    let first: *const consentkit::engine::Engine = check.engine();
    check.close().expect("close");
    let again = common::open(&db, manifest);
    assert!(!std::ptr::eq(first, again.engine()), "after the last close, open reads the file again (a new engine)");
    again.close().expect("close");
    drop((check, again));
    db
}

/// Per-round samples (ns) of one `first_answer_*` series.
#[derive(Default)]
struct AnswerSamples {
    /// `ConsentKit::open` returned.
    open: Vec<f64>,
    /// Open + `next_prompt(AppStart)` + `resolve(feature)` + `decide(p, d)`: the row.
    answer: Vec<f64>,
    /// `verify_integrity()`'s own `took_ms` (outside the timed part; cold series only).
    verify: Vec<f64>,
    reference: Vec<f64>,
}

/// `first_answer_<label>`: from `ConsentKit::open` of a file with `rows` ledger rows to the first answers an app
/// start needs (the AppStart prompt, a feature's tier, one decision), against opening the same file with rusqlite
/// and reading one row. Both cold (cache flush before each open; every connection and the shared engine fully
/// closed before the next open); order alternates per round; medians compared. `verify_integrity()` runs after
/// each of ConsentKit's cold rounds, outside the timed part, for its time (context).
fn first_answer(quick: bool, rows: usize, flush: &CacheFlush) -> serde_json::Value {
    let rows = if quick { rows.min(300) } else { rows };
    let dir = common::temp_dir();
    let manifest = common::manifest_40();
    let db = filled_db(dir.path(), "consent.db", &manifest, rows);
    let path = db.display().to_string();
    let ours = |cold: bool, s: &mut AnswerSamples| {
        if cold {
            flush.run();
        }
        let started = Instant::now();
        let kit = ConsentKit::open(black_box(path.clone()), black_box(manifest.clone()), options()).expect("open");
        let opened = started.elapsed();
        let prompt = kit.next_prompt(black_box(PromptTrigger::AppStart)).expect("next_prompt");
        let tier = kit.resolve(black_box(common::FIVE_TIER_FEATURE)).expect("resolve");
        let decision = kit.decide(black_box(FIRST_DECIDE.0.to_string()), black_box(FIRST_DECIDE.1.to_string())).expect("decide");
        s.answer.push(started.elapsed().as_nanos() as f64);
        s.open.push(opened.as_nanos() as f64);
        black_box((prompt, tier, decision));
        if cold {
            match kit.verify_integrity().expect("verify") {
                IntegrityCheck::Passed { took_ms, .. } => s.verify.push(took_ms * 1e6),
                other => panic!("the full verification passes, got {other:?}"),
            }
        }
        // The only handle: its close releases the engine, so the next open reads the file again.
        kit.close().expect("close");
    };
    let reference = |cold: bool, s: &mut AnswerSamples| {
        if cold {
            flush.run();
        }
        let started = Instant::now();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(black_box(&db), flags).expect("open");
        let hash: String = conn
            .query_row("SELECT hash FROM ledger WHERE seq = ?1", [black_box(rows as i64 / 2)], |r| r.get(0))
            .expect("row");
        s.reference.push(started.elapsed().as_nanos() as f64);
        black_box(hash);
        drop(conn);
    };
    let (warm_up, rounds) = if quick { (1, 2) } else { (5, 150) };
    let run = |cold: bool| {
        let mut s = AnswerSamples::default();
        for _ in 0..warm_up {
            ours(cold, &mut AnswerSamples::default());
            reference(cold, &mut AnswerSamples::default());
        }
        for r in 0..rounds {
            if r % 2 == 0 {
                ours(cold, &mut s);
                reference(cold, &mut s);
            } else {
                reference(cold, &mut s);
                ours(cold, &mut s);
            }
        }
        s
    };
    let cold = run(true);
    // Context: the same without the flush (CPU caches as the previous iteration left them).
    let warm = run(false);
    let (a, o, f, v) = (stats(cold.answer), stats(cold.open), stats(cold.reference), stats(cold.verify));
    let (wa, wf) = (stats(warm.answer), stats(warm.reference));
    let label = if rows >= 10_000 { "10k".to_string() } else if rows >= 1000 { "1k".to_string() } else { rows.to_string() };
    if !quick {
        println!(
            "first_answer_{label}: open + prompt + resolve + decide median {:.3} ms (open alone {:.3}), reference median \
             {:.3} ms, ratio {:.2} (means {:.2}); verify_integrity() {:.1} ms; without the flush {:.3} vs {:.3} ms = {:.2} \
             [load {}]",
            a.median_ns / 1e6,
            o.median_ns / 1e6,
            f.median_ns / 1e6,
            a.median_ns / f.median_ns,
            a.mean_ns / f.mean_ns,
            v.median_ns / 1e6,
            wa.median_ns / 1e6,
            wf.median_ns / 1e6,
            wa.median_ns / wf.median_ns,
            loadavg()
        );
    }
    json!({
        "method": format!("{rows} ledger rows, 40-purpose manifest; ConsentKit::open + next_prompt(AppStart) + resolve(\"{}\") + decide(\"{}\", \"{}\") against a rusqlite open of the same file + one row read; each open preceded by a {} MiB cache flush (reads over 2x the last-level cache) and each connection (the shared engine) closed before the next; order alternates per round; {rounds} rounds; then {rounds} more rounds without the flush, as context", common::FIVE_TIER_FEATURE, FIRST_DECIDE.0, FIRST_DECIDE.1, flush.0.len() >> 20),
        "rows": rows, "flush_bytes": flush.0.len(),
        "first_answer": stats_json(&a), "open": stats_json(&o), "reference": stats_json(&f),
        "verify_integrity": stats_json(&v),
        "warm_first_answer": stats_json(&wa), "warm_reference": stats_json(&wf),
        "load_average": loadavg(),
    })
}

/// `first_write_10k`: the first durable `grant` after a cold open of a 10,000-row file (only the grant is timed,
/// after open returned; then, untimed, a withdrawal resets the purpose and the instance is closed), against one raw
/// durable INSERT on a connection kept open (the `durable_grant` reference). As context, a raw first INSERT right
/// after a cold rusqlite open of another file. Order alternates per round; medians compared.
fn first_write_10k(quick: bool, flush: &CacheFlush) -> serde_json::Value {
    let rows = if quick { 300 } else { 10_000 };
    let dir = common::temp_dir();
    let manifest = common::manifest_40();
    let db = filled_db(dir.path(), "consent.db", &manifest, rows);
    let path = db.display().to_string();
    let raw = raw_db_at(&dir.path().join("raw.db"));
    let cold_raw = dir.path().join("raw_cold.db");
    drop(raw_db_at(&cold_raw));
    let (mut opens, mut grants, mut inserts, mut cold_inserts) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut ours = |record: bool| {
        flush.run();
        let started = Instant::now();
        let kit = ConsentKit::open(black_box(path.clone()), black_box(manifest.clone()), options()).expect("open");
        let opened = started.elapsed().as_nanos() as f64;
        let g = time(|| kit.grant(black_box(TOGGLED.into()), Actor::User, "bench".into()).expect("grant"));
        kit.withdraw(TOGGLED.into(), Actor::User, "bench".into()).expect("withdraw");
        kit.close().expect("close");
        if record {
            opens.push(opened);
            grants.push(g);
        }
    };
    let mut reference = |record: bool| {
        let i = time(|| raw_insert(&raw));
        if record {
            inserts.push(i);
        }
    };
    let mut cold_reference = |record: bool| {
        flush.run();
        let conn = Connection::open(&cold_raw).expect("open raw");
        conn.pragma_update(None, "synchronous", "FULL").expect("sync");
        let i = time(|| raw_insert(&conn));
        drop(conn);
        if record {
            cold_inserts.push(i);
        }
    };
    let (warm_up, rounds) = if quick { (1, 2) } else { (5, 150) };
    for _ in 0..warm_up {
        ours(false);
        reference(false);
        cold_reference(false);
    }
    for r in 0..rounds {
        match r % 3 {
            0 => {
                ours(true);
                reference(true);
                cold_reference(true);
            }
            1 => {
                reference(true);
                cold_reference(true);
                ours(true);
            }
            _ => {
                cold_reference(true);
                ours(true);
                reference(true);
            }
        }
    }
    let (o, g, i, ci) = (stats(opens), stats(grants), stats(inserts), stats(cold_inserts));
    if !quick {
        println!(
            "first_write_10k: first grant after a cold open median {:.0} us (mean {:.0}), raw insert median {:.0} us \
             (mean {:.0}), ratio {:.2}; the open before it {:.3} ms; raw first insert after a cold open {:.0} us [load {}]",
            g.median_ns / 1e3,
            g.mean_ns / 1e3,
            i.median_ns / 1e3,
            i.mean_ns / 1e3,
            g.median_ns / i.median_ns,
            o.median_ns / 1e6,
            ci.median_ns / 1e3,
            loadavg()
        );
    }
    json!({
        "method": format!("{rows} ledger rows at the start (two more per round: the timed grant, an untimed withdrawal), 40-purpose manifest; per round: a {} MiB cache flush, ConsentKit::open (untimed), the first grant (timed), withdrawal and close (untimed); one raw INSERT (WAL, synchronous=FULL) on a connection kept open in the same directory (the durable_grant reference); and, as context, a cache flush, a rusqlite open of another file and its first INSERT (timed); the three in rotating order; {rounds} rounds; medians", flush.0.len() >> 20),
        "rows": rows, "flush_bytes": flush.0.len(),
        "grant": stats_json(&g), "raw_insert": stats_json(&i), "open_before": stats_json(&o),
        "raw_first_insert_after_cold_open": stats_json(&ci),
        "load_average": loadavg(),
    })
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`), as text.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let quick = !bench;
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_deref().map_or(true, |f| name.contains(f));
    let mut out = serde_json::Map::new();
    if wanted("durable_grant") {
        out.insert("durable_grant".into(), durable_grant(quick));
    }
    if wanted("contention") {
        out.insert("contention".into(), contention(quick));
    }
    let sizes = [("first_answer_100", 100), ("first_answer_1k", 1_000), ("first_answer_10k", 10_000)];
    if sizes.iter().any(|(name, _)| wanted(name)) || wanted("first_write_10k") {
        let flush = CacheFlush::new(if quick { 1 << 20 } else { 2 * last_level_cache_bytes() });
        for (name, rows) in sizes {
            if wanted(name) {
                out.insert(name.into(), first_answer(quick, rows, &flush));
            }
        }
        if wanted("first_write_10k") {
            out.insert("first_write_10k".into(), first_write_10k(quick, &flush));
        }
    }
    if bench {
        let dir = std::env::var_os("CK_BENCH_OUT")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-results"));
        std::fs::create_dir_all(&dir).expect("results dir");
        let path = dir.join("interleaved.json");
        std::fs::write(&path, serde_json::to_string_pretty(&out).expect("json")).expect("write results");
        println!("wrote {}", path.display());
    } else {
        println!("interleaved: smoke run ok ({} parts)", out.len());
    }
}
