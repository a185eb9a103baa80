//! The consent contract against an adversary (docs/rules.md): a manifest edited between releases, a recipient that
//! serves two purposes, a clock that jumps, a second instance or writer on the same file. Each test is one hole of
//! issue 15 that the scenario format cannot express (the guardian, lapse and cooldown cases are scenarios, run in
//! Rust, Kotlin and Swift).

use std::path::Path;
use std::sync::Arc;

use consentkit::clock::{Clock, ManualClock};
use consentkit::engine::{Actor, Engine, EngineOptions};
use consentkit::gate::{IdKind, Reason};
use consentkit::manifest::Manifest;
use consentkit::prompt::{PromptKind, Trigger};
use consentkit::rules::SeparateConsentTrigger;
use consentkit::store::{ledger, ChainCheck, RecoveryReason};
use rusqlite::{params, Connection};
use serde_json::{json, Value};

/// A named change to a manifest.
type Edit = Box<dyn Fn(&mut Value)>;

const T0: i64 = 1_767_225_600_000;
const HOUR: i64 = 3_600_000;

fn ride() -> Value {
    serde_json::from_str(include_str!("../examples/ride_hailing.json")).unwrap()
}

/// The ride example with `ads` stored in CN by a CN recipient: no cross-border transfer to start with.
fn ride_domestic_ads() -> Value {
    let mut m = ride();
    m["purposes"][2]["storage_region"] = json!("CN");
    m["third_parties"][0]["region"] = json!("CN");
    m
}

fn open(path: &Path, m: &Value, clock: &Arc<ManualClock>) -> Arc<Engine> {
    let bytes = serde_json::to_vec(m).unwrap();
    Engine::open(path, &bytes, EngineOptions { clock: clock.clone(), flush_every: 64, device_key: None }).unwrap()
}

fn h(e: &Engine, purpose: &str) -> u32 {
    e.handle(IdKind::Purpose, purpose).unwrap()
}

fn decide(e: &Engine, purpose: &str, data_type: &str) -> Reason {
    e.decide(purpose, data_type).unwrap()
}

/// Agrees, grants `purpose`, closes, reopens with `edited`: the decision for it afterwards.
fn grant_then_ship(original: &Value, edited: &Value, purpose: &str, data_type: &str) -> (Reason, Arc<Engine>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let clock = Arc::new(ManualClock::new(T0));
    let e = open(&path, original, &clock);
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    e.grant(&[h(&e, purpose)], Actor::User, "t").unwrap();
    assert_eq!(decide(&e, purpose, data_type), Reason::Allowed);
    e.close().unwrap();
    let e = open(&path, edited, &clock);
    (decide(&e, purpose, data_type), e, dir)
}

#[test]
fn moving_a_recipient_abroad_lapses_the_grant_and_asks_for_cross_border_consent() {
    let before = ride_domestic_ads();
    let mut after = before.clone();
    after["third_parties"][0]["region"] = json!("US");
    let (reason, e, _dir) = grant_then_ship(&before, &after, "ads", "device_id");
    assert_eq!(reason, Reason::Lapsed);
    let prompt = e.next_prompt(&Trigger::AppStart).unwrap().expect("re-consent");
    assert_eq!(prompt.kind, PromptKind::ReConsent);
    let text = prompt.purpose.unwrap();
    assert_eq!(text.id, "ads");
    assert!(text.cross_border, "the recipient is abroad now");
    assert!(text.separate_consent.contains(&SeparateConsentTrigger::CrossBorder));
}

#[test]
fn every_change_to_what_the_user_was_shown_lapses_the_grant() {
    let before = ride_domestic_ads();
    let edits: Vec<(&str, Edit)> = vec![
        ("recipient renamed", Box::new(|m| m["third_parties"][0]["name"] = json!("Another Ads Ltd"))),
        ("description rewritten", Box::new(|m| m["purposes"][2]["description"] = json!("Sell your trips to brokers"))),
        ("retention", Box::new(|m| m["purposes"][2]["retention_days"] = json!(365))),
        ("data type made sensitive", Box::new(|m| m["data_types"]["usage_history"]["sensitive"] = json!(true))),
        ("data type described anew", Box::new(|m| m["data_types"]["device_id"]["description"] = json!("IMEI"))),
    ];
    for (what, edit) in edits {
        let mut after = before.clone();
        edit(&mut after);
        let (reason, ..) = grant_then_ship(&before, &after, "ads", "device_id");
        assert_eq!(reason, Reason::Lapsed, "{what}");
    }
    // Tracking added to a granted, non-tracking purpose.
    let mut plain = before.clone();
    plain["purposes"][2]["tracking"] = json!(false);
    let (reason, ..) = grant_then_ship(&plain, &before, "ads", "device_id");
    assert_eq!(reason, Reason::Lapsed, "tracking added");
    // An x- extension is outside what the user was shown.
    let mut ext = before.clone();
    ext["purposes"][2]["x-owner"] = json!("growth team");
    let (reason, ..) = grant_then_ship(&before, &ext, "ads", "device_id");
    assert_eq!(reason, Reason::Allowed, "x- extension");
}

#[test]
fn changing_a_necessary_purpose_without_a_policy_bump_lapses_the_agreement() {
    let before = ride();
    let mut after = before.clone();
    after["purposes"][0]["description"] = json!("Book a ride and profile your commute");
    let (reason, e, _dir) = grant_then_ship(&before, &after, "ads", "device_id");
    assert_eq!(reason, Reason::PolicyNotAgreed, "nothing is collected until the user agrees to the changed policy");
    assert_eq!(decide(&e, "ride", "destination"), Reason::PolicyNotAgreed);
    let prompt = e.next_prompt(&Trigger::AppStart).unwrap().expect("policy re-consent");
    assert_eq!(prompt.kind, PromptKind::ReConsent);
    assert!(prompt.purpose.is_none() && prompt.covers.iter().any(|c| c.id == "ride"));
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    assert_eq!(decide(&e, "ride", "destination"), Reason::Allowed);
    assert_eq!(decide(&e, "ads", "device_id"), Reason::Allowed, "an unchanged opt-in grant holds once agreed again");
    // Reordering the manifest changes nothing.
    let mut reordered = before.clone();
    reordered["purposes"].as_array_mut().unwrap().reverse();
    let (reason, ..) = grant_then_ship(&before, &reordered, "ads", "device_id");
    assert_eq!(reason, Reason::Allowed);
}

#[test]
fn a_transfer_is_allowed_per_purpose_and_an_sdk_starts_only_when_all_it_serves_is_allowed() {
    let mut m = ride();
    m["purposes"].as_array_mut().unwrap().push(json!({
        "id": "ad_measurement", "description": "Measure which ads you saw", "basis": "consent",
        "data_types": ["usage_history"], "recipients": ["adnet"], "storage_region": "SG", "retention_days": 30
    }));
    m["third_parties"][0]["init_requires"] = json!(["ads", "ad_measurement"]);
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let e = open(&dir.path().join("c.db"), &m, &clock);
    let adnet = e.handle(IdKind::ThirdParty, "adnet").unwrap();
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    e.grant(&[h(&e, "ads")], Actor::User, "t").unwrap();
    e.refuse(h(&e, "ad_measurement"), Actor::User, "t").unwrap();
    assert!(e.may_transfer(adnet, h(&e, "ads")).unwrap());
    assert!(!e.may_transfer(adnet, h(&e, "ad_measurement")).unwrap(), "refused purpose: no transfer for it");
    assert!(!e.may_transfer(adnet, h(&e, "ride")).unwrap(), "adnet is no recipient of ride");
    assert!(!e.may_initialize(adnet).unwrap(), "the SDK serves a refused purpose");
    e.grant(&[h(&e, "ad_measurement")], Actor::User, "t").unwrap();
    assert!(e.may_initialize(adnet).unwrap());
}

#[test]
fn an_sdk_whose_init_requires_misses_a_purpose_it_serves_is_refused_at_load() {
    let mut m = ride();
    m["third_parties"][0]["init_requires"] = json!([]);
    let err = Manifest::load(&serde_json::to_vec(&m).unwrap()).unwrap_err();
    assert!(format!("{err:?}").contains("CK026"), "{err:?}");
}

#[test]
fn cross_border_follows_the_recipient_as_well_as_the_storage_region() {
    let mut m = ride_domestic_ads();
    m["third_parties"][0]["region"] = json!("SG");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let e = open(&dir.path().join("c.db"), &m, &clock);
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    let offers = e.handle(IdKind::Feature, "offers").unwrap();
    let text = e.next_prompt(&Trigger::Feature(offers)).unwrap().unwrap().purpose.unwrap();
    assert_eq!((text.id.as_str(), text.storage_region.as_str(), text.cross_border), ("ads", "CN", true));
    let valid = Manifest::load(&serde_json::to_vec(&m).unwrap()).unwrap();
    let rows = consentkit::report::collection_list(&valid.manifest, valid.pack, None);
    assert!(rows.iter().filter(|r| r.purpose == "ads").all(|r| r.cross_border));
    assert!(rows.iter().filter(|r| r.purpose == "ride").all(|r| !r.cross_border));
}

/// Opens the ride example at `clock`, agrees and grants `live_location` (location: 12 per 60 s).
fn live_location(path: &Path, clock: &Arc<ManualClock>) -> (Arc<Engine>, u32, u32) {
    let e = open(path, &ride(), clock);
    if decide(&e, "live_location", "location") != Reason::Allowed {
        e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
        e.grant(&[h(&e, "live_location")], Actor::User, "t").unwrap();
    }
    let d = e.handle(IdKind::DataType, "location").unwrap();
    (e.clone(), h(&e, "live_location"), d)
}

#[test]
fn frequency_limits_hold_across_reopen_and_a_second_instance() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let clock = Arc::new(ManualClock::new(T0));
    let (e, p, d) = live_location(&path, &clock);
    for _ in 0..12 {
        assert_eq!(e.collect(p, d, None).unwrap(), Ok(()));
    }
    assert_eq!(e.collect(p, d, None).unwrap(), Err((Reason::FrequencyLimited, Some(60_000))));
    let (other, ..) = live_location(&path, &clock);
    assert_eq!(other.collect(p, d, None).unwrap(), Err((Reason::FrequencyLimited, Some(60_000))), "a second instance");
    e.close().unwrap();
    other.close().unwrap();
    clock.advance_ms(30_000);
    let (e, ..) = live_location(&path, &clock);
    assert_eq!(e.collect(p, d, None).unwrap(), Err((Reason::FrequencyLimited, Some(30_000))), "after reopen");
    clock.advance_ms(30_000);
    assert_eq!(e.collect(p, d, None).unwrap(), Ok(()));
}

#[test]
fn a_limit_keeps_bounded_state_whatever_its_max() {
    let mut m = ride();
    m["purposes"][1]["frequency"] = json!([{ "data_type": "location", "max": 4_000_000_000u32, "per_seconds": 3600 }]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let clock = Arc::new(ManualClock::new(T0));
    let e = open(&path, &m, &clock);
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    e.grant(&[h(&e, "live_location")], Actor::User, "t").unwrap();
    let (p, d) = (h(&e, "live_location"), e.handle(IdKind::DataType, "location").unwrap());
    for _ in 0..3000 {
        assert_eq!(e.collect(p, d, None).unwrap(), Ok(()));
        clock.advance_ms(1_700);
    }
    let conn = Connection::open(&path).unwrap();
    let (rows, total): (i64, i64) =
        conn.query_row("SELECT COUNT(*), SUM(count) FROM frequency_window", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert!(rows <= 17, "{rows} rows for one limit");
    assert!((2117..=3000).contains(&total), "the last hour's collections, to one slice: {total}");
}

#[test]
fn collections_made_with_the_clock_a_day_ahead_block_one_window_at_most_once_it_is_corrected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let clock = Arc::new(ManualClock::new(T0 + 24 * HOUR));
    let (e, p, d) = live_location(&path, &clock);
    for _ in 0..12 {
        assert_eq!(e.collect(p, d, None).unwrap(), Ok(()));
    }
    e.close().unwrap();
    clock.set_wall_ms(T0);
    let (e, p, d) = live_location(&path, &clock);
    match e.collect(p, d, None).unwrap() {
        Err((Reason::FrequencyLimited, Some(wait))) => assert!(wait <= 60_000, "blocked for {wait} ms"),
        other => panic!("expected the limit to hold, got {other:?}"),
    }
    clock.advance_ms(60_000);
    assert_eq!(e.collect(p, d, None).unwrap(), Ok(()));
}

fn offers_prompt(e: &Engine) -> Option<PromptKind> {
    let offers = e.handle(IdKind::Feature, "offers").unwrap();
    e.next_prompt(&Trigger::Feature(offers)).unwrap().map(|p| p.kind)
}

#[test]
fn a_refusal_stamped_a_day_ahead_holds_its_cooldown_for_48_hours_not_72() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let clock = Arc::new(ManualClock::new(T0 + 24 * HOUR));
    let e = open(&path, &ride(), &clock);
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    e.refuse(h(&e, "ads"), Actor::User, "t").unwrap();
    e.close().unwrap();
    clock.set_wall_ms(T0);
    let e = open(&path, &ride(), &clock);
    assert_eq!(offers_prompt(&e), None);
    clock.advance_ms(47 * HOUR);
    assert_eq!(offers_prompt(&e), None);
    clock.advance_ms(HOUR);
    assert_eq!(offers_prompt(&e), Some(PromptKind::JustInTime));
}

#[test]
fn setting_the_clock_while_the_app_runs_neither_shortens_nor_stretches_a_cooldown() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let e = open(&dir.path().join("c.db"), &ride(), &clock);
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    e.refuse(h(&e, "ads"), Actor::User, "t").unwrap();
    clock.set_wall_ms(T0 + 72 * HOUR);
    assert_eq!(offers_prompt(&e), None, "the clock set forward does not end the cooldown");
    clock.set_wall_ms(T0 - 24 * HOUR);
    clock.advance_ms(48 * HOUR);
    assert_eq!(offers_prompt(&e), Some(PromptKind::JustInTime), "48 hours passed, whatever the clock says");
}

#[test]
fn setting_the_clock_back_across_a_restart_does_not_reopen_a_cooldown_early() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let clock = Arc::new(ManualClock::new(T0));
    let e = open(&path, &ride(), &clock);
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    e.refuse(h(&e, "ads"), Actor::User, "t").unwrap();
    e.close().unwrap();
    clock.advance_ms(HOUR);
    clock.set_wall_ms(T0 - 24 * HOUR);
    let e = open(&path, &ride(), &clock);
    assert_eq!(offers_prompt(&e), None);
    clock.advance_ms(46 * HOUR);
    assert_eq!(offers_prompt(&e), None);
}

/// An engine whose user agreed to the policy, after which another (buggy or hostile) writer appended a row that
/// chains from the last one but whose hash is bogus.
fn agreed_then_bogus_row(dir: &Path) -> (Arc<Engine>, std::path::PathBuf) {
    let path = dir.join("c.db");
    let e = open(&path, &ride(), &Arc::new(ManualClock::new(T0)));
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    insert_bogus_grant(&path);
    (e, path)
}

fn insert_bogus_grant(path: &Path) {
    let conn = Connection::open(path).unwrap();
    let last = ledger::last_row(&conn).unwrap().unwrap();
    conn.execute(
        "INSERT INTO ledger (seq, at_ms, kind, purpose, actor, source, policy_version, definition_hash, detail, \
         prev_hash, hash) VALUES (?1, ?2, 'granted', 'ads', 'user', 'evil', '2026-11-01', '', ?3, ?4, ?5)",
        params![last.seq + 1, last.at_ms, "", last.hash, "f".repeat(64)],
    )
    .unwrap();
}

#[test]
fn a_row_another_writer_added_with_a_bogus_hash_is_damage_not_state() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = agreed_then_bogus_row(dir.path());
    e.refresh().unwrap();
    assert_ne!(decide(&e, "ads", "device_id"), Reason::Allowed, "the bogus grant is never served");
    let event = e.recovery().expect("set aside");
    assert!(matches!(event.reason, RecoveryReason::BrokenChain { seq: 2, .. }), "{event:?}");
    assert!(Path::new(&event.quarantined_path).exists());
}

#[test]
fn a_write_never_chains_onto_a_row_it_has_not_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (e, path) = agreed_then_bogus_row(dir.path());
    e.withdraw(h(&e, "live_location"), Actor::User, "t").unwrap();
    assert!(e.recovery().is_some(), "the damaged file was set aside first");
    assert_ne!(decide(&e, "ads", "device_id"), Reason::Allowed);
    e.close().unwrap();
    // The withdrawal went to the fresh database, on an intact chain.
    let conn = Connection::open(&path).unwrap();
    assert_eq!(ledger::verify_with_head(&conn, |_| {}).unwrap(), ChainCheck::Intact { rows: 1 });
    let row = ledger::last_row(&conn).unwrap().unwrap();
    assert_eq!((row.kind.as_str(), row.purpose.as_str()), ("withdrawn", "live_location"));
}

#[test]
fn a_grant_through_a_stale_instance_after_an_erasure_still_needs_confirming() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let clock = Arc::new(ManualClock::new(T0));
    let (a, b) = (open(&path, &ride(), &clock), open(&path, &ride(), &clock));
    a.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    b.refresh().unwrap();
    a.erase_all(Actor::User, "t").unwrap();
    // b has not seen the erasure: its snapshot says the policy holds; the write judges on the file's state.
    b.grant(&[h(&b, "ads")], Actor::User, "t").unwrap();
    b.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    assert_eq!(decide(&b, "ads", "device_id"), Reason::NotGranted);
}

#[test]
fn a_process_whose_clock_is_ahead_and_one_behind_share_one_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let ahead = Arc::new(ManualClock::new(T0 + 120_000));
    let behind = Arc::new(ManualClock::new(T0));
    let (a, p, d) = live_location(&path, &ahead);
    let (b, ..) = live_location(&path, &behind);
    for _ in 0..12 {
        assert_eq!(a.collect(p, d, None).unwrap(), Ok(()));
    }
    assert!(b.collect(p, d, None).unwrap().is_err(), "the collections stamped ahead count for the process behind");
    assert!(a.collect(p, d, None).unwrap().is_err(), "and still count for the process that made them");
    behind.advance_ms(59_000);
    ahead.advance_ms(59_000);
    assert!(b.collect(p, d, None).unwrap().is_err());
    assert!(a.collect(p, d, None).unwrap().is_err());
}

#[test]
fn two_limits_with_one_window_share_their_counts_and_the_stricter_applies() {
    let mut m = ride();
    m["purposes"][1]["frequency"] = json!([
        { "data_type": "location", "max": 100, "per_seconds": 60 },
        { "data_type": "location", "max": 12, "per_seconds": 60 }
    ]);
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let e = open(&dir.path().join("c.db"), &m, &clock);
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    e.grant(&[h(&e, "live_location")], Actor::User, "t").unwrap();
    let (p, d) = (h(&e, "live_location"), e.handle(IdKind::DataType, "location").unwrap());
    let allowed = (0..20).filter(|_| e.collect(p, d, None).unwrap().is_ok()).count();
    assert_eq!(allowed, 12);
}

#[test]
fn a_recovery_keeps_a_child_under_14() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let e = open(&path, &ride(), &Arc::new(ManualClock::new(T0)));
    e.set_age_bracket(consentkit::store::AgeBracket::Under14, Actor::User, "t").unwrap();
    insert_bogus_grant(&path);
    e.refresh().unwrap();
    assert!(e.recovery().is_some());
    assert_eq!(e.snapshot().age, consentkit::store::AgeBracket::Under14);
    assert!(matches!(e.agree_to_policy("2026-11-01", Actor::User, "t"), Err(consentkit::CoreError::GuardianRequired { .. })));
    e.close().unwrap();
    let e = open(&path, &ride(), &Arc::new(ManualClock::new(T0)));
    assert_eq!(e.snapshot().age, consentkit::store::AgeBracket::Under14, "recorded in the fresh file");
}

#[test]
fn a_prompt_trigger_with_an_unknown_handle_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(&dir.path().join("c.db"), &ride(), &Arc::new(ManualClock::new(T0)));
    assert!(matches!(e.next_prompt(&Trigger::Feature(999)), Err(consentkit::CoreError::InvalidArgument(_))));
    assert!(matches!(e.next_prompt(&Trigger::Settings(999)), Err(consentkit::CoreError::InvalidArgument(_))));
}
