//! `consentkit diff OLD NEW` on the built binary: what lapses for users who consented under OLD when NEW ships.
//! The manifests in tests/diff/ are copies of examples/news.json and examples/ride_hailing.json, each edited in one
//! way (the file name says how). Exit 0 nothing lapses, 1 something lapses or NEW fails the lint, 2 usage or I/O
//! error or OLD not a valid manifest.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_consentkit")).args(args).current_dir(root()).output().expect("run consentkit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn expect_code(o: &Output, want: i32) {
    assert_eq!(o.status.code(), Some(want), "exit code\n--- stdout\n{}\n--- stderr\n{}", stdout(o), stderr(o));
}

/// `diff tests/diff/<old> tests/diff/<new>` as text, checked for `code`; returns the text.
#[track_caller]
fn diff_text(old: &str, new: &str, code: i32) -> String {
    let o = ck(&["diff", &format!("tests/diff/{old}"), &format!("tests/diff/{new}")]);
    expect_code(&o, code);
    stdout(&o)
}

/// The same as JSON.
#[track_caller]
fn diff_json(old: &str, new: &str, code: i32) -> Value {
    let o = ck(&["diff", &format!("tests/diff/{old}"), &format!("tests/diff/{new}"), "--format", "json"]);
    expect_code(&o, code);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", stdout(&o)))
}

#[track_caller]
fn purpose<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["purposes"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap_or_else(|| panic!("purpose {id} in {v}"))
}

fn changed_fields(p: &Value) -> Vec<&str> {
    p["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect()
}

fn statuses(v: &Value) -> Vec<(String, String)> {
    v["purposes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_string(), p["status"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn identical_manifests_nothing_lapses() {
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let p = path.to_str().unwrap();
        let o = ck(&["diff", p, p]);
        expect_code(&o, 0);
        assert!(stdout(&o).contains("nothing lapses"), "{p}: {}", stdout(&o));
        let o = ck(&["diff", p, p, "--format", "json"]);
        expect_code(&o, 0);
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["lapses"], false, "{p}");
        assert!(v["purposes"].as_array().unwrap().iter().all(|p| p["status"] == "unchanged"), "{p}: {v}");
        assert_eq!(v["prompts"], serde_json::json!([]), "{p}");
        assert_eq!(v["degraded_features"], serde_json::json!([]), "{p}");
    }
}

#[test]
fn recipient_moved_abroad_lapses_with_recipients_change_and_cross_border_reason() {
    let v = diff_json("news.json", "news-recipient-abroad.json", 1);
    let push = purpose(&v, "push");
    assert_eq!(push["status"], "lapses");
    assert_eq!(push["needs_opt_in"], true);
    assert_eq!(changed_fields(push), ["recipients", "separate_consent"]);
    let recipients = &push["changes"][0];
    assert_eq!(recipients["old"][0]["region"], "CN");
    assert_eq!(recipients["new"][0]["region"], "US");
    let separate = &push["changes"][1];
    assert_eq!(separate["old"], serde_json::json!(["third_party"]));
    assert!(separate["new"].as_array().unwrap().contains(&"cross_border".into()), "{separate}");
    assert!(push["reasons"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().contains("cross_border")), "{push}");
    // Only push lapses; the others are untouched and the policy holds.
    assert_eq!(purpose(&v, "personalised_feed")["status"], "unchanged");
    assert_eq!(purpose(&v, "commenting")["status"], "unchanged");
    assert_eq!(v["policy"]["lapses"], false);
    let prompts = v["prompts"].as_array().unwrap();
    assert_eq!(prompts.len(), 1, "{prompts:?}");
    assert_eq!((prompts[0]["kind"].as_str(), prompts[0]["purpose"].as_str()), (Some("re_consent"), Some("push")));
    assert_eq!(prompts[0]["when"], "app_start");
    let alerts = &v["degraded_features"][0];
    assert_eq!((alerts["feature"].as_str(), alerts["to_tier"].as_u64()), (Some("alerts"), Some(1)));
    assert_eq!(alerts["waiting_for"], serde_json::json!(["push"]));

    let text = diff_text("news.json", "news-recipient-abroad.json", 1);
    assert!(text.contains("push               LAPSES"), "{text}");
    assert!(text.contains(r#""region":"CN"}] -> [{"#), "the recipients field, old -> new: {text}");
    assert!(text.contains("new separate-consent reason: cross_border"), "{text}");
    assert!(text.contains("re_consent for push: at app start"), "{text}");
    assert!(text.contains("alerts: push (tier 0) -> in_app (tier 1), waiting for push"), "{text}");
    assert!(text.contains("result: lapses when NEW ships: purpose push (exit 1)"), "{text}");
}

#[test]
fn tracking_added_lapses() {
    let v = diff_json("news.json", "news-tracking.json", 1);
    let feed = purpose(&v, "personalised_feed");
    assert_eq!(feed["status"], "lapses");
    assert_eq!(changed_fields(feed), ["separate_consent", "tracking"]);
    assert_eq!(feed["changes"][1]["old"], false);
    assert_eq!(feed["changes"][1]["new"], true);
    let text = diff_text("news.json", "news-tracking.json", 1);
    assert!(text.contains("tracking: false -> true"), "{text}");
    assert!(text.contains("new separate-consent reason: tracking"), "{text}");
}

#[test]
fn data_type_made_sensitive_lapses() {
    let v = diff_json("news.json", "news-sensitive.json", 1);
    let feed = purpose(&v, "personalised_feed");
    assert_eq!(feed["status"], "lapses");
    assert_eq!(changed_fields(feed), ["data_types", "separate_consent"]);
    let usage = |side: &str| {
        feed["changes"][0][side].as_array().unwrap().iter().find(|d| d["id"] == "usage_history").unwrap()["sensitive"]
            .clone()
    };
    assert_eq!((usage("old"), usage("new")), (false.into(), true.into()));
    assert_eq!(feed["changes"][1]["new"], serde_json::json!(["sensitive"]));
    // push shares no data type with it.
    assert_eq!(purpose(&v, "push")["status"], "unchanged");
}

#[test]
fn description_rewritten_lapses() {
    let v = diff_json("news.json", "news-description.json", 1);
    let commenting = purpose(&v, "commenting");
    assert_eq!(commenting["status"], "lapses");
    assert_eq!(changed_fields(commenting), ["description"]);
    assert_eq!(commenting["changes"][0]["old"], "Let you post comments under your verified account");
    let text = diff_text("news.json", "news-description.json", 1);
    assert!(
        text.contains(
            r#"description: "Let you post comments under your verified account" -> "Let you post comments and reply"#
        ),
        "{text}"
    );
    assert!(text.contains("comments: post (tier 0) -> read_only (tier 1), waiting for commenting"), "{text}");
}

#[test]
fn policy_version_bump_lapses_the_policy_and_every_covered_purpose() {
    let v = diff_json("ride.json", "ride-policy-bump.json", 1);
    assert_eq!(v["policy"]["lapses"], true);
    assert_eq!(
        v["policy"]["reasons"],
        serde_json::json!([{ "reason": "version_changed", "old": "2026-11-01", "new": "2026-12-01" }])
    );
    assert_eq!(v["policy"]["covers"], serde_json::json!(["ride"]));
    // ride needs no opt-in: it rests on the policy agreement and lapses with it; the opt-in purposes hold.
    assert_eq!(
        statuses(&v),
        [
            ("ride".into(), "lapses".into()),
            ("live_location".into(), "unchanged".into()),
            ("ads".into(), "unchanged".into())
        ]
    );
    assert_eq!(purpose(&v, "ride")["changes"], serde_json::json!([]));
    let prompts = v["prompts"].as_array().unwrap();
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0]["kind"], "re_consent");
    assert_eq!(prompts[0]["purpose"], Value::Null);
    let degraded: Vec<(&str, Option<u64>)> = v["degraded_features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["feature"].as_str().unwrap(), f["to_tier"].as_u64()))
        .collect();
    // pickup's basic tier needs ride too: nothing until the user agrees again.
    // Until users agree again every purpose is denied, so even the unchanged `ads` grant waits for the agreement.
    assert_eq!(degraded, [("booking", Some(1)), ("pickup", None), ("offers", Some(1))]);

    let text = diff_text("ride.json", "ride-policy-bump.json", 1);
    assert!(text.contains("policy agreement: LAPSES\n    version 2026-11-01 -> 2026-12-01\n"), "{text}");
    assert!(text.contains("denied until users agree again: ride"), "{text}");
    assert!(text.contains("re_consent for the privacy policy: at app start"), "{text}");
    assert!(text.contains("pickup: live_location (tier 0) -> no tier at all, waiting for ride"), "{text}");
}

#[test]
fn added_opt_in_purpose_is_no_lapse_but_a_just_in_time_prompt() {
    let v = diff_json("news.json", "news-added-purpose.json", 0);
    assert_eq!(v["lapses"], false);
    let local = purpose(&v, "local_news");
    assert_eq!((local["status"].as_str(), local["needs_opt_in"].as_bool()), (Some("added"), Some(true)));
    assert_eq!(v["policy"]["lapses"], false);
    let prompts = v["prompts"].as_array().unwrap();
    assert_eq!(prompts.len(), 1, "{prompts:?}");
    assert_eq!(prompts[0]["kind"], "just_in_time");
    assert_eq!(prompts[0]["purpose"], "local_news");
    assert_eq!(prompts[0]["features"], serde_json::json!(["feed"]));
    // The new richest feed tier waits for it; the tier users had stays.
    let feed = &v["degraded_features"][0];
    assert_eq!((feed["from_tier_id"].as_str(), feed["to_tier_id"].as_str()), (Some("local"), Some("personalised")));
    let text = diff_text("news.json", "news-added-purpose.json", 0);
    assert!(text.contains("just_in_time for local_news: when they open feed"), "{text}");
    assert!(text.contains("nothing lapses"), "{text}");
}

#[test]
fn removed_purpose_lapses_nothing() {
    let v = diff_json("news-added-purpose.json", "news.json", 0);
    assert_eq!(purpose(&v, "local_news")["status"], "removed");
    assert_eq!(v["prompts"], serde_json::json!([]));
}

#[test]
fn children_rules_version_bump_asks_guardians_again() {
    let v = diff_json("ride-children.json", "ride-children-bump.json", 1);
    assert_eq!(v["policy"]["lapses"], false);
    assert_eq!(v["children_rules"]["lapses"], true);
    assert_eq!(
        v["children_rules"]["reasons"][0],
        serde_json::json!({ "reason": "version_changed", "old": "1", "new": "2" })
    );
    assert_eq!(v["prompts"][0]["kind"], "guardian_consent");
    // Adults are not affected.
    assert!(v["purposes"].as_array().unwrap().iter().all(|p| p["status"] == "unchanged"), "{v}");
    assert_eq!(v["degraded_features"], serde_json::json!([]));
    // Declaring children's rules for the first time: guardians never agreed to them.
    let v = diff_json("ride.json", "ride-children.json", 1);
    assert_eq!(v["children_rules"]["reasons"][0]["reason"], "added");
    // Dropping them lapses nothing.
    let v = diff_json("ride-children.json", "ride.json", 0);
    assert_eq!(v["children_rules"]["reasons"][0]["reason"], "removed");
}

#[test]
fn json_output_has_every_field() {
    let v = diff_json("ride.json", "ride-policy-bump.json", 1);
    for key in ["purposes", "policy", "children_rules", "prompts", "degraded_features", "lapses", "old", "new"] {
        assert!(v.get(key).is_some(), "{key} in {v}");
    }
    for p in v["purposes"].as_array().unwrap() {
        for key in ["id", "status", "needs_opt_in", "changes"] {
            assert!(p.get(key).is_some(), "{key} in {p}");
        }
    }
    for a in [&v["policy"], &v["children_rules"]] {
        assert!(a["lapses"].is_boolean() && a["reasons"].is_array(), "{a}");
    }
    for f in v["degraded_features"].as_array().unwrap() {
        for key in ["feature", "from_tier", "to_tier", "waiting_for"] {
            assert!(f.get(key).is_some(), "{key} in {f}");
        }
    }
    let changed = diff_json("news.json", "news-description.json", 1);
    let c = &purpose(&changed, "commenting")["changes"][0];
    assert!(c["field"].is_string() && c.get("old").is_some() && c.get("new").is_some(), "{c}");
}

#[test]
fn missing_or_invalid_files() {
    // A missing file, either side: exit 2.
    for args in [["tests/diff/none.json", "tests/diff/news.json"], ["tests/diff/news.json", "tests/diff/none.json"]] {
        let o = ck(&["diff", args[0], args[1]]);
        expect_code(&o, 2);
        assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
    // OLD that ConsentKit would refuse: no user consented under it, exit 2.
    let broken = "examples/broken/CK003-necessary-beyond-category.json";
    let o = ck(&["diff", broken, "tests/diff/news.json"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("error[CK003]"), "{}", stderr(&o));
    // NEW that fails the lint: the release fails, exit 1 with the diagnostics.
    let o = ck(&["diff", "tests/diff/news.json", broken]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("error[CK003]"), "{}", stderr(&o));
    // Usage errors.
    for args in [
        vec!["diff"],
        vec!["diff", "tests/diff/news.json"],
        vec!["diff", "tests/diff/news.json", "tests/diff/news.json", "--format", "yaml"],
    ] {
        expect_code(&ck(&args), 2);
    }
    let help = ck(&["diff", "--help"]);
    expect_code(&help, 0);
    assert!(stdout(&help).contains("Exit codes: 0 nothing lapses; 1 something lapses"), "{}", stdout(&help));
}
