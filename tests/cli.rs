//! The `consentkit` binary, end to end: every subcommand and exit code (0 ok, 1 lint errors / broken ledger,
//! 2 usage or I/O error). Runs the built binary; the headless-browser and compiler checks are in tests/cli/test.sh.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use consentkit::ffi::{ConsentKit, HandleTable, OpenOptions};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ck<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_consentkit")).args(args).current_dir(root()).output().expect("run consentkit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited with a code")
}

#[track_caller]
fn expect_code(o: &Output, want: i32) {
    assert_eq!(code(o), want, "exit code\n--- stdout\n{}\n--- stderr\n{}", stdout(o), stderr(o));
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", stdout(o)))
}

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    assert!(v.len() >= 5, "the example manifests are there");
    v
}

fn manifest(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn ids(v: &Value, list: &str) -> Vec<String> {
    v[list].as_array().map(|a| a.iter().map(|x| x["id"].as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

/// A database written by `consentkit demo` (policy agreed, location refused then granted, ads granted then
/// withdrawn: 5 ledger rows, access counts flushed).
fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("consent.db");
    let o = ck(&["demo".as_ref(), "--db".as_ref(), db.as_os_str()]);
    expect_code(&o, 0);
    assert!(db.is_file());
    db
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ---------------------------------------------------------------------------------------------------------------
// help and usage

/// Every file in `dir` with a digest of its bytes (sorted by name), except SQLite's shared-memory index (`-shm`),
/// which every reader of a WAL database writes: what a read-only command must leave exactly as it was.
fn files_and_bytes(dir: &Path) -> Vec<(String, u64)> {
    use std::hash::{Hash, Hasher};
    let mut files: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.to_string_lossy().ends_with("-shm"))
        .map(|p| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(&p).unwrap().hash(&mut h);
            (p.file_name().unwrap().to_string_lossy().into_owned(), h.finish())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["lint", "--help"],
        vec!["lists", "--help"],
        vec!["ledger", "--help"],
        vec!["ledger", "verify", "--help"],
        vec!["ledger", "show", "--help"],
        vec!["receipts", "--help"],
        vec!["schema", "--help"],
        vec!["codegen", "--help"],
        vec!["demo", "--help"],
        vec!["help", "lists"],
    ] {
        let o = ck(&args);
        expect_code(&o, 0);
        assert!(stdout(&o).contains("Usage: consentkit"), "{args:?}: {}", stdout(&o));
    }
    let top = stdout(&ck(&["--help"]));
    for sub in ["lint", "lists", "ledger", "receipts", "schema", "codegen", "demo"] {
        assert!(top.contains(sub), "--help lists {sub}");
    }
    assert!(top.contains("Exit codes: 0 ok; 1 lint errors"), "{top}");
    assert!(stdout(&ck(&["ledger", "verify", "--help"])).contains("Exit codes"));
    let version = ck(&["--version"]);
    expect_code(&version, 0);
    assert!(stdout(&version).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["lint"],
        vec!["lint", "examples/ride_hailing.json", "--format", "yaml"],
        vec!["lists", "examples/ride_hailing.json", "--format", "pdf"],
        vec!["lists", "examples/ride_hailing.json", "--lang", "fr"],
        vec!["ledger"],
        vec!["ledger", "verify"],
        vec!["codegen", "examples/ride_hailing.json"],
        vec!["codegen", "examples/ride_hailing.json", "--lang", "java"],
        vec!["codegen", "examples/ride_hailing.json", "--lang", "kotlin", "--package", "com.example.in"],
        vec!["codegen", "examples/ride_hailing.json", "--lang", "kotlin", "--package", "com..x"],
        vec!["codegen", "examples/ride_hailing.json", "--lang", "swift", "--package", "com.x"],
        vec!["codegen", "examples/ride_hailing.json", "--lang", "swift", "--prefix", "9bad"],
    ] {
        let o = ck(&args);
        expect_code(&o, 2);
        assert!(!stderr(&o).is_empty(), "{args:?} explains itself on stderr");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// lint

#[test]
fn lint_accepts_every_example() {
    for path in examples() {
        let o = ck(&["lint", s(&path)]);
        expect_code(&o, 0);
        assert!(stdout(&o).contains(": 0 error(s)"), "{}", stdout(&o));
        let o = ck(&["lint", "--format", "json", s(&path)]);
        expect_code(&o, 0);
        let v = json(&o);
        assert_eq!(v["ok"], true);
        assert_eq!(v["errors"], 0);
    }
}

#[test]
fn lint_names_the_code_of_each_broken_example_and_exits_1() {
    let dir = root().join("examples/broken");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let code_name = &name[..5];
        // Warnings (CK020) are reported but do not fail.
        let severity = consentkit::rules::CODES.iter().find(|(c, ..)| *c == code_name).map(|(_, sev, _)| *sev).unwrap();
        let want = if severity == consentkit::rules::Severity::Error { 1 } else { 0 };
        let o = ck(&["lint", s(&path)]);
        expect_code(&o, want);
        let text = stdout(&o);
        assert!(text.contains(&format!("[{code_name}]: ")), "{name}: {text}");
        assert!(text.contains("    fix: "), "{name} gives a fix-it: {text}");
        if code_name == "CK003" {
            // Compiler style: file:json.path: error[CODE]: message
            let line = text.lines().find(|l| l.contains("error[CK003]")).unwrap();
            assert!(line.starts_with(&format!("{}:purposes[", path.display())), "{line}");
        }
        let o = ck(&["lint", "--format", "json", s(&path)]);
        expect_code(&o, want);
        let v = json(&o);
        assert_eq!(v["ok"], want == 0);
        assert!(
            v["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == code_name && d["fix"].is_string()),
            "{name}"
        );
        n += 1;
    }
    assert!(n >= 23, "one broken example per code");
}

#[test]
fn lint_reports_parse_errors_with_exit_1_and_io_errors_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, br#"{"schema": "consentkit/manifest/v1", "app": 3}"#).unwrap();
    let o = ck(&["lint", s(&bad)]);
    expect_code(&o, 1);
    assert!(stdout(&o).contains("error[parse]"), "{}", stdout(&o));
    assert!(stdout(&o).contains(":app: "), "the JSON path is named: {}", stdout(&o));
    let o = ck(&["lint", "--format", "json", s(&bad)]);
    expect_code(&o, 1);
    assert_eq!(json(&o)["diagnostics"][0]["code"], "parse");

    let o = ck(&["lint", "no/such/manifest.json"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
    let o = ck(&["lint", s(dir.path())]);
    expect_code(&o, 2);
}

// ---------------------------------------------------------------------------------------------------------------
// schema

#[test]
fn schema_prints_the_checked_in_schema() {
    let o = ck(&["schema"]);
    expect_code(&o, 0);
    let v = json(&o);
    assert_eq!(v["$id"], "https://consentkit.dev/schema/manifest-v1.json");
    let checked_in = std::fs::read_to_string(root().join("schema/manifest-v1.schema.json")).unwrap();
    assert_eq!(stdout(&o), checked_in);
}

// ---------------------------------------------------------------------------------------------------------------
// lists

#[test]
fn lists_render_every_example_in_every_format_and_language() {
    for path in examples() {
        let m = manifest(&path);
        let purposes = ids(&m, "purposes");
        let third_parties = ids(&m, "third_parties");
        for lang in ["en", "zh"] {
            for format in ["md", "html"] {
                let o = ck(&["lists", s(&path), "--format", format, "--lang", lang]);
                expect_code(&o, 0);
                let text = stdout(&o);
                for p in &purposes {
                    assert!(
                        text.contains(&format!("`{p}`")) || text.contains(&format!("<code>{p}</code>")),
                        "{p} in {format}/{lang}"
                    );
                }
                for t in &third_parties {
                    assert!(text.contains(t.as_str()), "{t} in {format}/{lang}");
                }
                if let Some(number) = m["app"]["filing_number"].as_str() {
                    assert!(
                        text.contains(number) && text.contains("https://beian.miit.gov.cn/"),
                        "filing in {format}/{lang}"
                    );
                }
            }
        }
        let o = ck(&["lists", s(&path), "--format", "json"]);
        expect_code(&o, 0);
        let v = json(&o);
        let rows: usize =
            m["purposes"].as_array().unwrap().iter().map(|p| p["data_types"].as_array().unwrap().len()).sum();
        assert_eq!(v["collection"].as_array().unwrap().len(), rows);
        assert_eq!(v["sharing"].as_array().unwrap().len(), third_parties.len());
        assert!(v["counts"].is_null());
    }
}

#[test]
fn lists_html_is_one_self_contained_phone_readable_page() {
    for lang in ["en", "zh"] {
        let o = ck(&["lists", "examples/ride_hailing.json", "--format", "html", "--lang", lang]);
        expect_code(&o, 0);
        let page = stdout(&o);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains(&format!("<html lang=\"{}\">", if lang == "zh" { "zh-CN" } else { "en" })));
        assert!(page.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
        assert!(page.contains("<style>") && page.contains("@media (max-width:640px)"));
        assert!(page.contains("Content-Security-Policy"));
        for external in ["<script", "<link", "<img", "<iframe", "src=", "@import", "url("] {
            assert!(!page.contains(external), "{external} in the {lang} page");
        }
        assert!(page.trim_end().ends_with("</html>"));
    }
    let zh = stdout(&ck(&["lists", "examples/ride_hailing.json", "--format", "html", "--lang", "zh"]));
    for words in ["个人信息收集清单", "第三方信息共享清单", "App备案号", "需单独同意", "出境"]
    {
        assert!(zh.contains(words), "{words}");
    }
    let en = stdout(&ck(&["lists", "examples/ride_hailing.json", "--format", "html"]));
    assert!(en.contains("Personal information collection list") && en.contains("Third-party sharing list"));
}

#[test]
fn lists_with_a_database_show_real_counts_and_last_collection_times() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let before = files_and_bytes(dir.path());
    let o = ck(&["lists", "examples/ride_hailing.json", "--db", s(&db), "--format", "json"]);
    expect_code(&o, 0);
    let v = json(&o);
    let row = |p: &str, d: &str| {
        v["collection"].as_array().unwrap().iter().find(|r| r["purpose"] == p && r["data_type"] == d).unwrap().clone()
    };
    assert_eq!(row("live_location", "location")["count"], 12, "12 fixes allowed by the frequency limit");
    assert_eq!(row("ride", "departure")["count"], 1);
    assert_eq!(row("live_location", "trajectory")["count"], 0);
    assert!(row("ride", "departure")["last_collected_ms"].as_i64().unwrap() > 0);
    assert!(row("live_location", "trajectory")["last_collected_ms"].is_null());
    assert_eq!(v["sharing"][0]["count"], 2);
    assert_eq!(v["counts"]["database"], s(&db));

    let md = stdout(&ck(&["lists", "examples/ride_hailing.json", "--db", s(&db), "--lang", "zh"]));
    assert!(md.contains("实际收集次数") && md.contains("| 12 |") && md.contains("2026-11-28 09:00 UTC"), "{md}");
    let html = stdout(&ck(&["lists", "examples/ride_hailing.json", "--db", s(&db), "--format", "html"]));
    assert!(html.contains("Times collected") && html.contains("<div>12</div>"));
    assert_eq!(files_and_bytes(dir.path()), before, "reading writes nothing (no file created or changed)");
}

#[test]
fn lists_show_chinese_texts_the_manifest_adds_under_x_fields() {
    let mut m = manifest(&root().join("examples/ride_hailing.json"));
    m["purposes"][0]["x-description-zh"] = "预约行程：为您匹配司机、完成行程并收款".into();
    m["data_types"]["usage_history"]["x-description-zh"] = "行程与浏览记录".into();
    m["third_parties"][0]["x-name-zh"] = "示例广告 SDK".into();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ride_zh.json");
    std::fs::write(&path, serde_json::to_vec(&m).unwrap()).unwrap();
    for format in ["md", "html"] {
        let zh = stdout(&ck(&["lists", s(&path), "--format", format, "--lang", "zh"]));
        for text in ["预约行程：为您匹配司机、完成行程并收款", "行程与浏览记录", "示例广告 SDK", "出发地"] {
            assert!(zh.contains(text), "{format}: {text}");
        }
        let en = stdout(&ck(&["lists", s(&path), "--format", format, "--lang", "en"]));
        assert!(!en.contains("预约行程") && en.contains("Book a ride"), "{format}: English keeps the manifest's text");
    }
    let v = json(&ck(&["lists", s(&path), "--format", "json"]));
    assert_eq!(v["collection"][0]["description_zh"], "预约行程：为您匹配司机、完成行程并收款");
    assert_eq!(v["sharing"][0]["name_zh"], "示例广告 SDK");
}

#[test]
fn lists_refuse_a_broken_manifest_with_1_and_a_missing_database_with_2() {
    let o = ck(&["lists", "examples/broken/CK003-necessary-beyond-category.json"]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("error[CK003]"), "{}", stderr(&o));
    let o = ck(&["lists", "examples/ride_hailing.json", "--db", "no/such.db"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("no such file"), "{}", stderr(&o));
    let o = ck(&["lists", "no/such.json"]);
    expect_code(&o, 2);
}

// ---------------------------------------------------------------------------------------------------------------
// demo

#[test]
fn demo_walks_the_ride_hailing_story_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let o = ck(&["demo".as_ref(), "--db".as_ref(), dir.path().join("demo.db").as_os_str()]);
    let took = started.elapsed();
    expect_code(&o, 0);
    let text = stdout(&o);
    for expected in [
        "PolicyAgreement",
        "tier browse_fares",
        "Denied(PolicyNotAgreed)",
        "tier typed_address (the basic tier)",
        "collect(\"ride\", \"departure\")",
        "Denied(Refused)",
        "47 hours later",
        "None: nothing to ask now",
        "48 hours after the refusal",
        "JustInTime for purpose live_location",
        "tier live_location",
        "Denied(FrequencyLimited)",
        "mayInitialize(\"adnet\")",
        "tier personalised",
        "Denied(Withdrawn)",
        "flush()",
        "live_location  location          12",
        "intact: 5 rows verified",
        "沪ICP备12345678号-3A (https://beian.miit.gov.cn/)",
        // The OS layer act: denied, then approximate, then precise.
        "OsPermission location for purpose area_location",
        "Denied(OsPermissionDenied)",
        "tier area_pickup; the richer tier needs live_location",
        "tier precise_pickup",
        "Same user, EU build",
        "TCF purposes consented [2, 3, 4, 7], vendors consented [1042], disclosed [1042, 1043]",
        "ad_storage=granted",
        "TCF purposes consented [], vendors consented [], disclosed [1042, 1043]",
        "ad_storage=denied",
        "IABTCF_PurposeConsents=00000000000  IABGPP_GppSID=2",
    ] {
        assert!(text.contains(expected), "demo output lacks {expected:?}:\n{text}");
    }
    assert!(text.contains(&dir.path().join("demo.db").display().to_string()), "the database path is printed");
    // Well under a second in practice; the bound leaves room for a loaded CI machine and a debug build.
    assert!(took < Duration::from_secs(5), "demo took {took:?}");
}

#[test]
fn demo_without_db_uses_a_fresh_temporary_database_and_prints_its_path() {
    let o = ck(&["demo"]);
    expect_code(&o, 0);
    let text = stdout(&o);
    let line = text.lines().find(|l| l.starts_with("database: ")).unwrap();
    let path = PathBuf::from(line.trim_start_matches("database: ").trim_end_matches(" (fresh)"));
    assert!(path.is_file(), "{}", path.display());
    let o = ck(&["ledger", "verify", s(&path)]);
    expect_code(&o, 0);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn demo_refuses_an_existing_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let o = ck(&["demo", "--db", s(&db)]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("already exists"));
}

// ---------------------------------------------------------------------------------------------------------------
// ledger

fn tamper(db: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn ledger_verify_passes_an_intact_database_without_touching_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let before = std::fs::read(&db).unwrap();
    let listing = || {
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    };
    let files_before = listing();
    assert!(files_before.contains(&"consent.db".to_string()));
    let o = ck(&["ledger", "verify", s(&db)]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains("ledger intact: 5 row(s) verified"), "{}", stdout(&o));
    let o = ck(&["ledger", "verify", "--format", "json", s(&db)]);
    expect_code(&o, 0);
    let v = json(&o);
    assert_eq!(v["intact"], true);
    assert_eq!(v["rows_verified"], 5);
    assert_eq!(v["integrity"], "ok");
    assert_eq!(std::fs::read(&db).unwrap(), before, "verify never writes");
    assert_eq!(listing(), files_before, "no -wal/-shm or quarantine files appear");
}

#[test]
fn ledger_verify_names_an_edited_row_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    tamper(&db, "UPDATE ledger SET source = 'forged' WHERE seq = 3");
    let before = files_and_bytes(dir.path());
    let o = ck(&["ledger", "verify", s(&db)]);
    expect_code(&o, 1);
    let text = stdout(&o);
    assert!(text.contains("BROKEN at row 3"), "{text}");
    assert!(text.contains("row edited"), "{text}");
    let v = json(&ck(&["ledger", "verify", "--format", "json", s(&db)]));
    assert_eq!(v["intact"], false);
    assert_eq!(v["broken_at"], 3);
    assert_eq!(v["rows_verified"], 2);
    // Never quarantined or repaired by the tool: the record stays where it is (beside its key and head files).
    assert!(db.is_file());
    assert_eq!(files_and_bytes(dir.path()), before, "verify writes nothing: no quarantine, no log, no repair");
}

#[test]
fn ledger_verify_catches_deleted_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    tamper(&db, "DELETE FROM ledger WHERE seq = 2");
    let o = ck(&["ledger", "verify", s(&db)]);
    expect_code(&o, 1);
    assert!(stdout(&o).contains("BROKEN at row 2"), "{}", stdout(&o));

    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    tamper(&db, "DELETE FROM ledger WHERE seq = 5");
    let o = ck(&["ledger", "verify", s(&db)]);
    expect_code(&o, 1);
    assert!(stdout(&o).contains("BROKEN at row 5") && stdout(&o).contains("rows removed"), "{}", stdout(&o));
}

#[test]
fn ledger_text_output_never_passes_terminal_escapes_from_a_tampered_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    tamper(&db, "UPDATE ledger SET source = 'x' || char(27) || '[2J' || char(7) WHERE seq = 2");
    let show = ck(&["ledger", "show", s(&db)]);
    expect_code(&show, 0);
    assert!(!show.stdout.iter().any(|&b| b == 0x1b || b == 0x07), "{}", stdout(&show));
    assert!(stdout(&show).contains("x\u{fffd}[2J\u{fffd}"));
    let verify = ck(&["ledger", "verify", s(&db)]);
    expect_code(&verify, 1);
    assert!(!verify.stdout.contains(&0x1b));
}

#[test]
fn ledger_commands_exit_2_on_files_that_are_not_consent_databases() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "this is not a database, just some text that is long enough to have a header").unwrap();
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    for args in [["ledger", "verify"], ["ledger", "show"]] {
        let o = ck(&[args[0], args[1], "no/such.db"]);
        expect_code(&o, 2);
        assert!(stderr(&o).contains("no such file"));
        let o = ck(&[args[0], args[1], s(&text)]);
        expect_code(&o, 2);
        assert!(stderr(&o).contains("not a readable SQLite database"), "{}", stderr(&o));
        let o = ck(&[args[0], args[1], s(&other)]);
        expect_code(&o, 2);
        assert!(stderr(&o).contains("not a ConsentKit database"), "{}", stderr(&o));
    }
    let o = ck(&["receipts", s(&other)]);
    expect_code(&o, 2);
}

#[test]
fn ledger_show_prints_every_event_and_the_replayed_state() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let o = ck(&["ledger", "show", s(&db)]);
    expect_code(&o, 0);
    let text = stdout(&o);
    for expected in [
        "policy_agreed",
        "refused",
        "granted",
        "withdrawn",
        "pickup_location_prompt",
        "ads: withdrawn",
        "live_location: granted",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let o = ck(&["ledger", "show", "--format", "json", s(&db)]);
    expect_code(&o, 0);
    let v = json(&o);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["policy_agreed", "refused", "granted", "granted", "withdrawn"]);
    assert_eq!(rows[0]["at"], "2026-11-26T09:00:00Z");
    assert_eq!(rows[1]["prev_hash"], rows[0]["hash"]);
    assert_eq!(v["state"]["purposes"]["ads"]["choice"], "withdrawn");
    assert_eq!(v["state"]["policy_agreed"]["version"], "2026-11-01");
}

#[test]
fn ledger_show_reads_a_database_the_app_has_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("open.db");
    let m = std::fs::read_to_string(root().join("examples/ride_hailing.json")).unwrap();
    let kit = ConsentKit::open(s(&db).to_string(), m, OpenOptions::default()).unwrap();
    kit.agree_to_policy("2026-11-01".into(), consentkit::ffi::Actor::User, "test".into()).unwrap();
    kit.grant("ads".into(), consentkit::ffi::Actor::User, "test".into()).unwrap();
    let o = ck(&["ledger", "show", "--format", "json", s(&db)]);
    expect_code(&o, 0);
    assert_eq!(json(&o)["rows"].as_array().unwrap().len(), 2);
    expect_code(&ck(&["ledger", "verify", s(&db)]), 0);
    // The app keeps working and writing after the tool has read.
    kit.withdraw("ads".into(), consentkit::ffi::Actor::User, "test".into()).unwrap();
    kit.close().unwrap();
    assert_eq!(json(&ck(&["ledger", "show", "--format", "json", s(&db)]))["rows"].as_array().unwrap().len(), 3);
}

// ---------------------------------------------------------------------------------------------------------------
// receipts

#[test]
fn receipts_give_one_27560_style_record_per_consent() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let ledger = json(&ck(&["ledger", "show", "--format", "json", s(&db)]));
    let o = ck(&["receipts", s(&db), "--manifest", "examples/ride_hailing.json"]);
    expect_code(&o, 0);
    let v = json(&o);
    assert_eq!(v["schema"], "consentkit/receipts/v1");
    assert_eq!(v["ledger"]["intact"], true);
    assert_eq!(v["controller"]["id"], "com.example.ride");
    assert_eq!(v["controller"]["name"], "Example Ride");
    let receipts = v["receipts"].as_array().unwrap();
    let events: Vec<(&str, &str)> =
        receipts.iter().map(|r| (r["event"].as_str().unwrap(), r["state"].as_str().unwrap())).collect();
    assert_eq!(events, [("policy_agreed", "given"), ("granted", "given"), ("granted", "withdrawn")]);
    let mut seen = std::collections::HashSet::new();
    for r in receipts {
        let id = r["receipt_id"].as_str().unwrap();
        assert!(id.starts_with("urn:uuid:") && id.len() == 45, "{id}");
        assert!(seen.insert(id.to_string()), "receipt ids are unique");
        let seq = r["ledger"]["seq"].as_i64().unwrap();
        assert_eq!(
            r["ledger"]["hash"],
            ledger["rows"][(seq - 1) as usize]["hash"],
            "the receipt carries the ledger hash"
        );
        assert_eq!(r["controller"]["id"], "com.example.ride");
        assert_eq!(r["notice"]["url"], "https://ride.example.com/privacy");
        assert_eq!(r["notice"]["version"], "2026-11-01");
        assert_eq!(r["actor"], "user");
        assert!(r["timestamp"].as_str().unwrap().ends_with('Z'));
        assert!(r["source"].is_string() && r["method"].is_string());
        for p in r["purposes"].as_array().unwrap() {
            assert!(p["data_types"].as_array().is_some_and(|d| !d.is_empty()));
            assert!(p["storage_region"].is_string() && p["retention_days"].is_u64());
        }
    }
    let ads = &receipts[2];
    assert_eq!(ads["method"], "separate_consent");
    assert_eq!(ads["purposes"][0]["recipients"][0]["id"], "adnet");
    assert_eq!(ads["purposes"][0]["recipients"][0]["region"], "SG");
    assert_eq!(ads["purposes"][0]["matches_manifest"], true);
    assert!(ads["state_changed_at"].as_str().unwrap().contains("ledger row 5"));
    assert_eq!(receipts[0]["purposes"][0]["id"], "ride", "the policy agreement covers the necessary purpose");

    // Without the manifest: the ledger facts only; ids stay the same.
    let bare = json(&ck(&["receipts", s(&db)]));
    assert!(bare["controller"].is_null());
    assert_eq!(bare["receipts"][1]["receipt_id"], receipts[1]["receipt_id"]);
    assert_eq!(bare["receipts"][1]["purposes"][0]["definition_hash"], receipts[1]["purposes"][0]["definition_hash"]);
}

#[test]
fn receipts_flag_a_broken_ledger_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    tamper(&db, "UPDATE ledger SET actor = 'guardian' WHERE seq = 4");
    let o = ck(&["receipts", s(&db)]);
    expect_code(&o, 1);
    let v = json(&o);
    assert_eq!(v["ledger"]["intact"], false);
    assert_eq!(v["ledger"]["broken_at"], 4);
    assert!(stderr(&o).contains("broken at row 4"));
    let o = ck(&["receipts", s(&db), "--manifest", "examples/broken/CK008-tracking-necessary.json"]);
    expect_code(&o, 1);
    let o = ck(&["receipts", "no/such.db"]);
    expect_code(&o, 2);
}

// ---------------------------------------------------------------------------------------------------------------
// codegen

fn handles_of(path: &Path) -> HandleTable {
    let dir = tempfile::tempdir().unwrap();
    let m = std::fs::read_to_string(path).unwrap();
    let kit = ConsentKit::open(s(&dir.path().join("h.db")).to_string(), m, OpenOptions::default()).unwrap();
    let table = kit.handles().unwrap();
    kit.close().unwrap();
    table
}

/// Brackets balance outside string literals.
fn balanced(code: &str) -> bool {
    let mut stack = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") || line.starts_with("/**") || line.starts_with('*') {
            continue;
        }
        for c in line.chars() {
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            let opener = match c {
                '"' => {
                    in_string = true;
                    continue;
                }
                '{' | '(' | '[' => {
                    stack.push(c);
                    continue;
                }
                '}' => '{',
                ')' => '(',
                ']' => '[',
                _ => continue,
            };
            if stack.pop() != Some(opener) {
                return false;
            }
        }
    }
    stack.is_empty() && !in_string
}

/// The enums of a generated file: enum name → [(manifest id, handle)] in declaration order.
fn generated_enums(code: &str, lang: &str) -> std::collections::BTreeMap<String, Vec<(String, u32)>> {
    let mut enums: std::collections::BTreeMap<String, Vec<(String, u32)>> = Default::default();
    let mut current = String::new();
    let mut swift_raw: std::collections::HashMap<String, u32> = Default::default();
    for line in code.lines().map(str::trim) {
        let header = if lang == "kotlin" { "public enum class " } else { "public enum " };
        if let Some(rest) = line.strip_prefix(header) {
            current = rest.split(['(', ':', ' ']).next().unwrap().to_string();
            swift_raw.clear();
            continue;
        }
        if current.is_empty() || line.starts_with("//") || line.starts_with("/*") || line.starts_with('*') {
            continue;
        }
        if lang == "kotlin" {
            // NAME("id", 3), or NAME("id", 3);
            if let Some((_, rest)) = line.split_once("(\"") {
                if let Some((id, rest)) = rest.split_once("\", ") {
                    let n: u32 = rest.trim_end_matches([',', ';', ')']).parse().unwrap();
                    enums.entry(current.clone()).or_default().push((id.to_string(), n));
                }
            }
        } else if let Some(rest) = line.strip_prefix("case .") {
            // case .name: return "id"
            let (name, id) = rest.split_once(": return \"").unwrap();
            let handle = swift_raw[name];
            enums.entry(current.clone()).or_default().push((id.trim_end_matches('"').to_string(), handle));
        } else if let Some(rest) = line.strip_prefix("case ") {
            // case name = 3
            let (name, n) = rest.split_once(" = ").unwrap();
            swift_raw.insert(name.to_string(), n.parse().unwrap());
        }
    }
    enums
}

#[test]
fn codegen_emits_every_id_with_the_cores_handle() {
    let mut manifests = examples();
    manifests.push(root().join("tests/cli/fixtures/awkward_ids.json"));
    for path in manifests {
        let m = manifest(&path);
        let table = handles_of(&path);
        let fingerprint = consentkit::codegen::fingerprint_of(
            &table.purposes,
            &table.data_types,
            &table.features,
            &table.tiers,
            &table.third_parties,
        );
        let mut used: Vec<String> = m["purposes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["data_types"].as_array().unwrap().iter().map(|d| d.as_str().unwrap().to_string()))
            .collect();
        if let Some(declared) = m["data_types"].as_object() {
            used.extend(declared.keys().cloned());
        }
        let numbered = |ids: &[String]| -> Vec<(String, u32)> {
            ids.iter().enumerate().map(|(i, id)| (id.clone(), i as u32)).collect()
        };
        let sha = {
            use sha2::Digest;
            consentkit::manifest::hex(&sha2::Sha256::digest(std::fs::read(&path).unwrap()))
        };
        for lang in ["kotlin", "swift"] {
            let o = ck(&["codegen", s(&path), "--lang", lang]);
            expect_code(&o, 0);
            let code = stdout(&o);
            let at = format!("{lang} for {}", path.display());
            assert!(balanced(&code), "{at}: brackets balance");
            assert!(code.contains(&fingerprint), "{at}: the handles fingerprint is the core's");
            assert!(code.contains(&sha), "{at}: manifest SHA-256");
            let enums = generated_enums(&code, lang);
            assert_eq!(enums["Purpose"], numbered(&table.purposes), "{at}: purposes");
            assert_eq!(enums["Feature"], numbered(&table.features), "{at}: features");
            let want_types: Vec<(String, u32)> =
                numbered(&table.data_types).into_iter().filter(|(id, _)| used.contains(id)).collect();
            assert_eq!(enums["DataType"], want_types, "{at}: data types (used or declared only, core handles)");
            if table.third_parties.is_empty() {
                assert!(!enums.contains_key("ThirdParty"));
            } else {
                assert_eq!(enums["ThirdParty"], numbered(&table.third_parties), "{at}: third parties");
            }
            for tiers in &table.tiers {
                let want = numbered(tiers);
                assert!(
                    enums.iter().any(|(name, entries)| name.ends_with("Tier") && *entries == want),
                    "{at}: a Tier enum with {want:?}"
                );
            }
            assert_eq!(enums.len(), 3 + table.features.len() + usize::from(!table.third_parties.is_empty()), "{at}");
        }
    }
}

#[test]
fn codegen_kotlin_and_swift_shapes() {
    let kt = stdout(&ck(&["codegen", "examples/ride_hailing.json", "--lang", "kotlin"]));
    assert!(kt.contains("package com.example.ride.consent\n"), "{kt}");
    assert!(kt.contains("public object ConsentIds {"));
    assert!(kt.contains(
        "public enum class Purpose(public override val id: String, public val handle: Int) : dev.consentkit.PurposeId {"
    ));
    assert!(kt.contains("LIVE_LOCATION(\"live_location\", 1),"));
    assert!(kt.contains(
        "public enum class PickupTier(public override val id: String, public val index: Int) : dev.consentkit.TierId {"
    ));
    assert!(kt.contains("TYPED_ADDRESS(\"typed_address\", 1);"));
    assert!(kt.contains("public const val POLICY_VERSION: String = \"2026-11-01\""));
    let kt = stdout(&ck(&[
        "codegen",
        "examples/ride_hailing.json",
        "--lang",
        "kotlin",
        "--package",
        "dev.app.ids",
        "--prefix",
        "Ride",
    ]));
    assert!(kt.contains("package dev.app.ids\n") && kt.contains("public object RideConsentIds {"));

    let sw = stdout(&ck(&["codegen", "examples/ride_hailing.json", "--lang", "swift", "--prefix", "Ride"]));
    assert!(sw.contains("public enum RideConsentIds {"));
    assert!(sw.contains("public enum Purpose: UInt32, CaseIterable, Sendable {"));
    assert!(sw.contains("case liveLocation = 1\n"));
    assert!(sw.contains("case .liveLocation: return \"live_location\""));
    assert!(sw.contains("public enum PickupTier: UInt32, CaseIterable, Sendable {"));
    assert!(sw.contains("public static let policyVersion: String = \"2026-11-01\""));
    // No duplicate case names within an enum.
    for block in sw.split("public enum ").skip(2) {
        let cases: Vec<&str> =
            block.lines().filter_map(|l| l.trim().strip_prefix("case ").filter(|c| !c.starts_with('.'))).collect();
        let mut unique = cases.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), cases.len(), "{block}");
    }
}

#[test]
fn codegen_refuses_a_broken_manifest_and_ids_that_clash() {
    let o = ck(&["codegen", "examples/broken/CK005-tier-requires-undeclared.json", "--lang", "kotlin"]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("CK005"));
    // Two valid ids that become one identifier.
    let mut m = manifest(&root().join("examples/ride_hailing.json"));
    m["features"][0]["id"] = "pick.up".into();
    m["features"][1]["id"] = "pick_up".into();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clash.json");
    std::fs::write(&path, serde_json::to_vec(&m).unwrap()).unwrap();
    expect_code(&ck(&["lint", s(&path)]), 0);
    let o = ck(&["codegen", s(&path), "--lang", "swift"]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("\"pick.up\" and \"pick_up\""), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------------------------
// rules

#[test]
fn rules_prints_the_checked_in_pack_facts_and_lint_points_at_them() {
    for pack in ["cn-2021", "none"] {
        let o = ck(&["rules", "--pack", pack]);
        expect_code(&o, 0);
        let doc = std::fs::read_to_string(root().join(format!("docs/rule-packs/{pack}.md"))).unwrap();
        assert_eq!(stdout(&o), doc, "{pack}");
        let o = ck(&["rules", "--pack", pack, "--format", "json"]);
        expect_code(&o, 0);
        assert_eq!(json(&o)["id"], pack);
    }
    // cn-2021 is the default pack.
    assert_eq!(stdout(&ck(&["rules"])), stdout(&ck(&["rules", "--pack", "cn-2021", "--format", "md"])));
    let o = ck(&["rules", "--help"]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains("Usage: consentkit rules"));
    assert!(stdout(&ck(&["--help"])).contains("rules"));
    expect_code(&ck(&["rules", "--pack", "cn-2099"]), 2);
    expect_code(&ck(&["rules", "--format", "html"]), 2);

    // CK002's fix-it names a command and a file that exist.
    let o = ck(&["lint", "--format", "json", "examples/broken/CK002-unknown-category.json"]);
    let fix = json(&o)["diagnostics"][0]["fix"].as_str().unwrap().to_string();
    assert!(fix.contains("`consentkit rules --pack cn-2021`") && fix.contains("docs/rule-packs/cn-2021.md"), "{fix}");
    assert!(root().join("docs/rule-packs/cn-2021.md").is_file());
}
