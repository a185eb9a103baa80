//! The exported surface: typed errors for bad input, no panic across the boundary, observers that fail, closed
//! instances, the scalar hot-path codes and the decision mirror.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use consentkit::ffi::*;

const MANIFEST: &str = include_str!("../examples/ride_hailing.json");

fn open_kit(dir: &tempfile::TempDir) -> Arc<ConsentKit> {
    let opts = OpenOptions { manual_clock_start_ms: Some(1_767_225_600_000), access_flush_every: None, integrity_dir: None };
    ConsentKit::open(dir.path().join("c.db").display().to_string(), MANIFEST.into(), opts).unwrap()
}

#[test]
fn a_manifest_with_lint_errors_is_refused_with_every_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let bad = MANIFEST.replace("\"retention_days\": 90", "\"retention_days\": null").replace("沪ICP备12345678号-3A", "nope");
    match ConsentKit::open(dir.path().join("c.db").display().to_string(), bad, OpenOptions::default()) {
        Err(ConsentError::InvalidManifest { diagnostics, .. }) => {
            let codes: Vec<_> = diagnostics.iter().map(|d| d.code.as_str()).collect();
            assert_eq!(codes, ["CK010", "CK012"]);
        }
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("opened"),
    }
    for junk in ["", "{", "[]", "null", "\u{0}"] {
        assert!(matches!(
            ConsentKit::open(dir.path().join("d.db").display().to_string(), junk.into(), OpenOptions::default()),
            Err(ConsentError::InvalidManifest { .. })
        ));
    }
}

#[test]
fn bad_ids_and_arguments_are_typed_errors_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    let huge = "p".repeat(1 << 20);
    for id in ["", "nope", "\u{0}", huge.as_str(), "ride\n", "RIDE"] {
        assert!(matches!(kit.decide(id.into(), "location".into()), Err(ConsentError::UnknownId { .. })), "{id:.10}");
        assert!(matches!(kit.grant(id.into(), Actor::User, "s".into()), Err(ConsentError::UnknownId { .. })));
        assert!(matches!(kit.resolve(id), Err(ConsentError::UnknownId { .. })));
    }
    assert!(matches!(kit.agree_to_policy("1999".into(), Actor::User, "s".into()), Err(ConsentError::InvalidArgument { .. })));
    assert!(matches!(kit.grant("ads".into(), Actor::User, huge.clone()), Err(ConsentError::InvalidArgument { .. })));
    assert!(matches!(kit.grant_all(vec![], Actor::User, "s".into()), Err(ConsentError::InvalidArgument { .. })));
    assert!(matches!(kit.advance_clock(-1), Err(ConsentError::InvalidArgument { .. })));
    assert_eq!(kit.decide_code(u32::MAX, 0), CODE_INVALID_HANDLE);
    assert_eq!(kit.decide_code(0, u32::MAX), CODE_INVALID_HANDLE);
    assert!(matches!(kit.collect_code(0, 0, 77), Err(ConsentError::InvalidArgument { .. })));
    assert!(matches!(kit.record_access(vec![AccessEntry { purpose: 9, data_type: 0, recipient: u32::MAX, count: 1 }]), Err(ConsentError::InvalidArgument { .. })));
}

#[test]
fn system_clock_refuses_to_move() {
    let dir = tempfile::tempdir().unwrap();
    let kit = ConsentKit::open(dir.path().join("c.db").display().to_string(), MANIFEST.into(), OpenOptions::default()).unwrap();
    assert!(matches!(kit.advance_clock(1), Err(ConsentError::ClockNotManual)));
}

#[test]
fn now_ms_reads_the_manual_clock_and_follows_advance_clock() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    assert_eq!(kit.now_ms().unwrap(), 1_767_225_600_000);
    kit.advance_clock(48 * 3_600_000).unwrap();
    assert_eq!(kit.now_ms().unwrap(), 1_767_225_600_000 + 48 * 3_600_000);
    kit.close().unwrap();
    assert!(matches!(kit.now_ms(), Err(ConsentError::Closed)));
}

#[test]
fn closed_instance_answers_closed() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    kit.close().unwrap();
    kit.close().unwrap();
    assert!(matches!(kit.decide("ride".into(), "destination".into()), Err(ConsentError::Closed)));
    assert!(matches!(kit.grant("ads".into(), Actor::User, "s".into()), Err(ConsentError::Closed)));
    assert!(matches!(kit.status(), Err(ConsentError::Closed)));
    assert_eq!(kit.decide_code(0, 0), CODE_CLOSED);
}

struct Recorder {
    versions: Mutex<Vec<u64>>,
    fail: bool,
}

impl ConsentObserver for Recorder {
    fn on_change(&self, status: ConsentStatus) -> Result<(), ObserverError> {
        self.versions.lock().unwrap().push(status.version);
        if self.fail {
            Err(ObserverError::Failed { detail: "boom".into() })
        } else {
            Ok(())
        }
    }
    fn on_recovery(&self, _: RecoveryInfo) -> Result<(), ObserverError> {
        Ok(())
    }
}

struct Panicker(AtomicUsize);

impl ConsentObserver for Panicker {
    fn on_change(&self, _: ConsentStatus) -> Result<(), ObserverError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("observer bug")
    }
    fn on_recovery(&self, _: RecoveryInfo) -> Result<(), ObserverError> {
        panic!("observer bug")
    }
}

#[test]
fn observers_get_the_current_state_then_changes_and_cannot_break_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    let good = Arc::new(Recorder { versions: Mutex::new(vec![]), fail: false });
    let failing = Arc::new(Recorder { versions: Mutex::new(vec![]), fail: true });
    let panicking = Arc::new(Panicker(AtomicUsize::new(0)));
    kit.add_observer(failing.clone()).unwrap();
    kit.add_observer(panicking.clone()).unwrap();
    let id = kit.add_observer(good.clone()).unwrap();
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "s".into()).unwrap();
    kit.grant("ads".into(), Actor::User, "s".into()).unwrap();
    assert_eq!(*good.versions.lock().unwrap(), [1, 2, 3]);
    assert_eq!(*failing.versions.lock().unwrap(), [1, 2, 3]);
    assert_eq!(panicking.0.load(Ordering::SeqCst), 3);
    assert_eq!(kit.decide("ads".into(), "device_id".into()).unwrap(), Decision::Allowed);
    kit.remove_observer(id).unwrap();
    kit.withdraw("ads".into(), Actor::User, "s".into()).unwrap();
    assert_eq!(good.versions.lock().unwrap().len(), 3);
}

#[test]
fn handles_codes_and_the_mirror_agree_with_string_calls() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "s".into()).unwrap();
    kit.refuse("live_location".into(), Actor::User, "s".into()).unwrap();
    let handles = kit.handles().unwrap();
    let table = kit.decision_table().unwrap();
    assert_eq!(table.width as usize, handles.data_types.len());
    for (pi, p) in handles.purposes.iter().enumerate() {
        for (di, d) in handles.data_types.iter().enumerate() {
            let code = kit.decide_code(pi as u32, di as u32);
            assert_eq!(code, table.codes[pi * handles.data_types.len() + di]);
            let expected = match kit.decide(p.clone(), d.clone()).unwrap() {
                Decision::Allowed => 0,
                Decision::Denied { .. } => 1,
            };
            assert_eq!(expected, u8::from(code != 0), "{p}/{d}");
        }
    }
    for (fi, f) in handles.features.iter().enumerate() {
        let t = kit.resolve(f).unwrap();
        assert_eq!(t.tier_index.map_or(-1, |i| i as i32), table.feature_tier[fi]);
        assert_eq!(t.can_ask_now, table.feature_can_ask[fi]);
    }
    assert_eq!(table.next_change_ms, Some(1_767_225_600_000 + 48 * 3_600_000));
    let loc = handles.data_types.iter().position(|d| d == "location").unwrap() as u32;
    let live = handles.purposes.iter().position(|p| p == "live_location").unwrap() as usize;
    assert_eq!(table.limited[live * table.width as usize + loc as usize], 1);
    assert_eq!(kit.handle(HandleKind::Purpose, "live_location".into()).unwrap() as usize, live);
}

#[test]
fn collect_code_reports_frequency_limits_with_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "s".into()).unwrap();
    kit.grant("live_location".into(), Actor::User, "s".into()).unwrap();
    let p = kit.handle(HandleKind::Purpose, "live_location".into()).unwrap();
    let d = kit.handle(HandleKind::DataType, "location".into()).unwrap();
    for _ in 0..12 {
        assert_eq!(kit.collect_code(p, d, u32::MAX).unwrap(), 0);
    }
    let r = kit.collect_code(p, d, u32::MAX).unwrap();
    assert_eq!(r as u8, 8);
    assert_eq!(r >> 8, 60_000);
}

#[test]
fn prompts_carry_the_texts_to_render() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    let policy = kit.next_prompt(PromptTrigger::AppStart).unwrap().unwrap();
    assert_eq!(policy.kind, PromptKind::PolicyAgreement);
    assert_eq!(policy.policy_url, "https://ride.example.com/privacy");
    assert!(policy.covers.iter().any(|p| p.id == "ride"));
    assert!(!policy.covers.iter().any(|p| p.id == "ads"), "opt-in purposes are never covered by the policy");
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "s".into()).unwrap();
    let ads = kit.next_prompt(PromptTrigger::Feature { feature: "offers".into() }).unwrap().unwrap();
    let text = ads.purpose.unwrap();
    assert_eq!(text.recipients[0].name, "Example Ads SDK");
    assert!(text.cross_border);
    assert_eq!(text.retention_days, Some(90));
    assert!(text.separate_consent.contains(&SeparateConsentReason::Tracking));
    assert!(text.separate_consent.contains(&SeparateConsentReason::CrossBorder));
    assert!(text.separate_consent.contains(&SeparateConsentReason::ThirdParty));
    assert_eq!(kit.filing().unwrap().unwrap().url, "https://beian.miit.gov.cn/");
}

#[cfg(feature = "bindgen")]
#[test]
fn uniffi_bindgen_generates_kotlin_and_swift() {
    let bindgen = std::path::PathBuf::from(env!("CARGO_BIN_EXE_uniffi-bindgen"));
    let lib = bindgen.parent().unwrap().join(format!("{}consentkit{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX));
    if !lib.exists() {
        // `cargo test` builds the rlib only; build the cdylib the bindings are generated from.
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let ok = std::process::Command::new(cargo).args(["build", "--lib"]).current_dir(env!("CARGO_MANIFEST_DIR")).status().unwrap();
        assert!(ok.success());
    }
    assert!(lib.exists(), "{} was built", lib.display());
    let out = tempfile::tempdir().unwrap();
    for lang in ["kotlin", "swift"] {
        let status = std::process::Command::new(&bindgen)
            .args(["generate", "--library"])
            .arg(&lib)
            .args(["--language", lang, "--no-format", "--out-dir"])
            .arg(out.path())
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "{lang}");
    }
    let kt = std::fs::read_to_string(out.path().join("dev/consentkit/internal/consentkit.kt")).unwrap();
    assert!(kt.contains("fun `decideCode`") && kt.contains("class DecisionTable"));
    let swift = std::fs::read_to_string(out.path().join("consentkit.swift")).unwrap();
    assert!(swift.contains("func decideCode(") && swift.contains("public protocol ConsentObserverProtocol") || swift.contains("ConsentObserver"));
    assert!(out.path().join("consentkitFFI.h").exists() && out.path().join("consentkitFFI.modulemap").exists());
}

#[test]
fn transparency_lists_receipts_and_export_reflect_real_use() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "s".into()).unwrap();
    kit.grant("ads".into(), Actor::User, "offers_prompt".into()).unwrap();
    for _ in 0..3 {
        assert_eq!(kit.collect("ads".into(), "device_id".into(), Some("adnet".into())).unwrap(), CollectOutcome::Allowed);
    }
    let lists: serde_json::Value = serde_json::from_str(&kit.transparency_lists_json().unwrap()).unwrap();
    let row = lists["collection"].as_array().unwrap().iter().find(|r| r["purpose"] == "ads" && r["data_type"] == "device_id").unwrap();
    assert_eq!(row["count"], 3, "counts come from the access log, flushed first");
    let adnet = lists["sharing"].as_array().unwrap().iter().find(|r| r["recipient"] == "adnet").unwrap();
    assert_eq!(adnet["count"], 3);
    let receipts: serde_json::Value = serde_json::from_str(&kit.receipts_json().unwrap()).unwrap();
    let text = receipts.to_string();
    assert!(text.contains("offers_prompt") && text.contains("Example Ads SDK"), "{text}");
    let export: serde_json::Value = serde_json::from_str(&kit.export_all_json().unwrap()).unwrap();
    assert_eq!(export["ledger"].as_array().unwrap().len(), 2);
    assert_eq!(export["schema"], "consentkit/export/v1");
}

