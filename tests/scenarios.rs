//! Runs every `tests/scenarios/*.json` through the public API (the same object Kotlin and Swift bind to).
//! The scenario format is documented in tests/scenarios/README.md; the Kotlin and Swift suites run the same files.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use consentkit::ffi::*;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    dir: tempfile::TempDir,
    manifest: String,
    kit: Option<Arc<ConsentKit>>,
    now: i64,
}

impl Run {
    fn open(&mut self) {
        let db = self.dir.path().join("consent.db");
        let opts = OpenOptions { manual_clock_start_ms: Some(self.now), access_flush_every: None, integrity_dir: None };
        self.kit = Some(ConsentKit::open(db.display().to_string(), self.manifest.clone(), opts).expect("open"));
    }
    fn kit(&self) -> &ConsentKit {
        self.kit.as_ref().unwrap()
    }
}

fn actor(step: &Value) -> Actor {
    match step["actor"].as_str().unwrap_or("user") {
        "guardian" => Actor::Guardian,
        _ => Actor::User,
    }
}

fn s(step: &Value, key: &str) -> String {
    step[key].as_str().unwrap_or_else(|| panic!("step needs \"{key}\": {step}")).to_string()
}

fn error_name(e: &ConsentError) -> &'static str {
    match e {
        ConsentError::InvalidManifest { .. } => "invalid_manifest",
        ConsentError::UnknownId { .. } => "unknown_id",
        ConsentError::InvalidArgument { .. } => "invalid_argument",
        ConsentError::SeparateConsentRequired { .. } => "separate_consent_required",
        ConsentError::GuardianRequired { .. } => "guardian_required",
        ConsentError::Storage { .. } => "storage",
        ConsentError::Closed => "closed",
        ConsentError::ClockNotManual => "clock_not_manual",
        ConsentError::Internal { .. } => "internal",
    }
}

fn reason_name(r: DenyReason) -> &'static str {
    match r {
        DenyReason::PolicyNotAgreed => "policy_not_agreed",
        DenyReason::NotGranted => "not_granted",
        DenyReason::Refused => "refused",
        DenyReason::Withdrawn => "withdrawn",
        DenyReason::Lapsed => "lapsed",
        DenyReason::GuardianRequired => "guardian_required",
        DenyReason::NotDeclared => "not_declared",
        DenyReason::FrequencyLimited => "frequency_limited",
        DenyReason::RecipientNotDeclared => "recipient_not_declared",
        DenyReason::OsPermissionDenied => "os_permission_denied",
        DenyReason::TrackingNotAuthorized => "tracking_not_authorized",
    }
}

fn permission_state(name: &str) -> PermissionState {
    match name {
        "not_determined" => PermissionState::NotDetermined,
        "granted" => PermissionState::Granted,
        "limited" => PermissionState::Limited,
        "denied" => PermissionState::Denied,
        "denied_permanently" => PermissionState::DeniedPermanently,
        "restricted" => PermissionState::Restricted,
        other => panic!("unknown permission state {other}"),
    }
}

fn prompt_kind_name(k: PromptKind) -> &'static str {
    match k {
        PromptKind::PolicyAgreement => "policy_agreement",
        PromptKind::JustInTime => "just_in_time",
        PromptKind::ReConsent => "re_consent",
        PromptKind::GuardianConsent => "guardian_consent",
        PromptKind::OsPermission => "os_permission",
        PromptKind::OpenSettings => "open_settings",
    }
}

/// Runs one step; returns the observed value (compared with `expect`) or the error name.
fn step(run: &mut Run, st: &Value) -> Result<Value, String> {
    let kit = || run.kit.as_ref().unwrap().clone();
    let op = s(st, "op");
    let err = |e: ConsentError| error_name(&e).to_string();
    let unit = |r: Result<(), ConsentError>| r.map(|_| Value::Null).map_err(err);
    match op.as_str() {
        "agree_policy" => {
            let version = st["version"].as_str().map(str::to_string).unwrap_or_else(|| kit().status().unwrap().policy_version);
            unit(kit().agree_to_policy(version, actor(st), "scenario".into()))
        }
        "decline_policy" => unit(kit().decline_policy("scenario".into())),
        "agree_children_rules" => unit(kit().agree_to_children_rules(s(st, "version"), actor(st), "scenario".into())),
        "erase_all" => unit(kit().erase_all(actor(st), "scenario".into())),
        "grant" => unit(kit().grant(s(st, "purpose"), actor(st), "scenario".into())),
        "grant_all" => {
            let ps = st["purposes"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
            unit(kit().grant_all(ps, actor(st), "scenario".into()))
        }
        "refuse" => unit(kit().refuse(s(st, "purpose"), actor(st), "scenario".into())),
        "withdraw" => unit(kit().withdraw(s(st, "purpose"), actor(st), "scenario".into())),
        "set_age" => {
            let b = match s(st, "bracket").as_str() {
                "under14" => AgeBracket::Under14,
                "teen" => AgeBracket::Teen,
                "adult" => AgeBracket::Adult,
                _ => AgeBracket::Unknown,
            };
            unit(kit().set_age_bracket(b, actor(st), "scenario".into()))
        }
        "advance" => {
            let ms = st["ms"].as_i64().unwrap_or(0) + st["seconds"].as_i64().unwrap_or(0) * 1000 + st["hours"].as_i64().unwrap_or(0) * 3_600_000;
            run.now += ms;
            unit(kit().advance_clock(ms))
        }
        "decide" => kit().decide(s(st, "purpose"), s(st, "data_type")).map_err(err).map(|d| match d {
            Decision::Allowed => Value::from("allowed"),
            Decision::Denied { reason } => Value::from(format!("denied:{}", reason_name(reason))),
        }),
        "collect" => {
            let recipient = st["recipient"].as_str().map(str::to_string);
            let times = st["times"].as_u64().unwrap_or(1);
            let mut last = Value::Null;
            for _ in 0..times {
                last = match kit().collect(s(st, "purpose"), s(st, "data_type"), recipient.clone()).map_err(err)? {
                    CollectOutcome::Allowed => serde_json::json!({"result": "allowed"}),
                    CollectOutcome::Denied { reason, retry_after_ms } => {
                        serde_json::json!({"result": format!("denied:{}", reason_name(reason)), "retry_after_ms": retry_after_ms})
                    }
                };
            }
            Ok(last)
        }
        "resolve" => kit().resolve(&s(st, "feature")).map_err(err).map(|t| {
            serde_json::json!({"tier": t.tier, "missing": t.missing_purposes, "can_ask_now": t.can_ask_now, "is_basic": t.is_basic})
        }),
        "may_transfer" => kit().may_transfer(s(st, "recipient"), s(st, "purpose")).map(Value::from).map_err(err),
        "may_initialize" => kit().may_initialize(s(st, "third_party")).map(Value::from).map_err(err),
        "next_prompt" => {
            let trigger = match &st["trigger"] {
                Value::String(t) if t == "app_start" => PromptTrigger::AppStart,
                Value::Object(o) if o.contains_key("feature") => PromptTrigger::Feature { feature: o["feature"].as_str().unwrap().into() },
                Value::Object(o) if o.contains_key("settings") => PromptTrigger::Settings { purpose: o["settings"].as_str().unwrap().into() },
                other => panic!("unknown trigger {other}"),
            };
            kit().next_prompt(trigger).map_err(err).map(|p| match p {
                None => Value::Null,
                Some(p) => serde_json::json!({
                    "kind": prompt_kind_name(p.kind),
                    "purpose": p.purpose.as_ref().map(|x| x.id.clone()),
                    "separate": p.purpose.as_ref().map(|x| !x.separate_consent.is_empty()),
                    "cross_border": p.purpose.as_ref().map(|x| x.cross_border),
                    "children_rules": p.children_rules.as_ref().map(|c| c.version.clone()),
                    "permission": p.permission.as_ref().map(|x| x.id.clone()),
                    "limited_enough": p.permission.as_ref().map(|x| x.limited_enough),
                    "explanation": p.permission.as_ref().map(|x| x.explanation.clone()),
                }),
            })
        }
        "status" => kit().status().map_err(err).map(|st| {
            serde_json::json!({
                "policy_agreed": st.policy_agreed,
                "allowed": st.purposes.iter().filter(|p| p.allowed).map(|p| p.id.clone()).collect::<Vec<_>>(),
                "recovered": st.recovery.is_some(),
            })
        }),
        "set_permission" => {
            let since = st["since_ms"].as_i64();
            unit(kit().set_permission_state(s(st, "permission"), permission_state(&s(st, "state")), since))
        }
        "blocking_permission" => {
            kit().blocking_permission(s(st, "purpose"), s(st, "data_type")).map(|p| p.map_or(Value::Null, Value::from)).map_err(err)
        }
        "flush" => unit(kit().flush()),
        "reopen" => {
            kit().close().map_err(err)?;
            if let Some(m) = st["manifest"].as_str() {
                run.manifest = fs::read_to_string(root().join(m)).unwrap();
            }
            run.kit = None;
            run.open();
            Ok(Value::Null)
        }
        other => panic!("unknown op {other}"),
    }
}

/// `expected` must be contained in `actual`: objects compare only the keys the scenario names.
fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|av| matches(v, av))),
        _ => expected == actual,
    }
}

fn run_file(path: &Path) -> usize {
    let sc: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let manifest = fs::read_to_string(root().join(sc["manifest"].as_str().unwrap())).unwrap();
    let mut run = Run { dir: tempfile::tempdir().unwrap(), manifest, kit: None, now: sc["start_ms"].as_i64().unwrap_or(1_767_225_600_000) };
    run.open();
    let steps = sc["steps"].as_array().unwrap();
    for (i, st) in steps.iter().enumerate() {
        let ctx = format!("{} step {i}: {st}", path.display());
        match (step(&mut run, st), st.get("expect_error")) {
            (Err(e), Some(want)) => assert_eq!(want.as_str().unwrap(), e, "{ctx}"),
            (Err(e), None) => panic!("{ctx}: unexpected error {e}"),
            (Ok(v), Some(want)) => panic!("{ctx}: expected error {want}, got {v}"),
            (Ok(v), None) => {
                if let Some(want) = st.get("expect") {
                    assert!(matches(want, &v), "{ctx}\n  expected {want}\n  got      {v}");
                }
            }
        }
    }
    let _ = run.kit().close();
    steps.len()
}

#[test]
fn every_scenario_passes() {
    let mut files: Vec<PathBuf> = fs::read_dir(root().join("tests/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 9, "expected the scenarios the core issue lists");
    let steps: usize = files.iter().map(|f| run_file(f)).sum();
    eprintln!("{} scenarios, {steps} steps", files.len());
}
