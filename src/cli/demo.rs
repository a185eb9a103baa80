//! `consentkit demo [--db <file>]`: a narrated walk through the ride-hailing example, on the public `ConsentKit`
//! API (the object Kotlin and Swift bind to) with a manual clock, so 48 hours pass in an instant. Each step shows
//! what the app asked and what ConsentKit answered. No network; the manifest is embedded.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::{emit, CmdResult, Failure};
use crate::ffi::{
    Actor, CollectOutcome, ConsentError, ConsentKit, Decision, OpenOptions, Prompt, PromptKind, PromptTrigger,
    PurposeText, ResolvedTier,
};
use crate::report::time::{iso_utc, short_utc};
use crate::report::{collection_list, sharing_list};
use crate::rules::RulePack;
use crate::store::inspect::Inspector;
use crate::store::ChainCheck;

/// The manifest the demo runs (the same file as `examples/ride_hailing.json`).
pub const RIDE_HAILING: &str = include_str!("../../examples/ride_hailing.json");

/// The EU build's manifest: the same app with a `frameworks` mapping (the same file as
/// `examples/ride_hailing_global.json`).
pub const RIDE_HAILING_GLOBAL: &str = include_str!("../../examples/ride_hailing_global.json");

/// 2026-11-26T09:00:00Z: where the demo's manual clock starts.
const START_MS: i64 = 1_795_683_600_000;
pub(super) const HOUR_MS: i64 = 3_600_000;

pub(super) struct Narration {
    step: u32,
}

impl Narration {
    pub(super) fn step(&mut self, title: &str) -> Result<(), Failure> {
        self.step += 1;
        emit(&format!("\n{}. {title}\n", self.step))
    }
    pub(super) fn ask(&self, call: &str, answer: &str) -> Result<(), Failure> {
        emit(&format!("   app asks    {call}\n   ConsentKit  {answer}\n"))
    }
    pub(super) fn say(&self, text: &str) -> Result<(), Failure> {
        emit(&format!("   ·           {text}\n"))
    }
}

fn fail(what: &str) -> impl Fn(ConsentError) -> Failure + '_ {
    move |e| Failure::usage(format!("demo: {what} failed: {e}"))
}

pub(super) fn decision(d: Decision) -> String {
    match d {
        Decision::Allowed => "Allowed".to_string(),
        Decision::Denied { reason } => format!("Denied({reason:?})"),
    }
}

fn collected(c: CollectOutcome) -> String {
    match c {
        CollectOutcome::Allowed => "Allowed (collected and counted)".to_string(),
        CollectOutcome::Denied { reason, retry_after_ms: Some(ms) } => {
            format!("Denied({reason:?}): retry after {:.1} s", ms as f64 / 1000.0)
        }
        CollectOutcome::Denied { reason, retry_after_ms: None } => format!("Denied({reason:?})"),
    }
}

pub(super) fn tier(t: &ResolvedTier) -> String {
    let mut s = match &t.tier {
        Some(id) if t.is_basic => format!("tier {id} (the basic tier)"),
        Some(id) => format!("tier {id}"),
        None => "no tier available".to_string(),
    };
    if !t.missing_purposes.is_empty() {
        let _ = write!(
            s,
            "; the richer tier needs {}; {}",
            t.missing_purposes.join(", "),
            if t.can_ask_now { "may ask now" } else { "may not ask now" }
        );
    }
    s
}

fn purpose_summary(p: &PurposeText) -> String {
    let types: Vec<String> =
        p.data_types.iter().map(|d| if d.sensitive { format!("{} (sensitive)", d.id) } else { d.id.clone() }).collect();
    let mut s = format!("\"{}\": {}", p.description, types.join(", "));
    if !p.recipients.is_empty() {
        let names: Vec<String> = p.recipients.iter().map(|r| format!("{} in {}", r.name, r.region)).collect();
        let _ = write!(s, "; shared with {}", names.join(", "));
    }
    let _ = write!(s, "; stored in {}", p.storage_region);
    if let Some(days) = p.retention_days {
        let _ = write!(s, " for {days} days");
    }
    if !p.separate_consent.is_empty() {
        let why: Vec<String> = p.separate_consent.iter().map(|r| snake(&format!("{r:?}"))).collect();
        let _ = write!(s, "; separate consent because: {}", why.join(", "));
    }
    s
}

/// `CrossBorder` → `cross_border`.
fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

pub(super) fn prompt(p: &Option<Prompt>) -> String {
    let Some(p) = p else { return "None: nothing to ask now".to_string() };
    match (&p.kind, &p.purpose) {
        (PromptKind::PolicyAgreement, _) => {
            let covers: Vec<&str> = p.covers.iter().map(|c| c.id.as_str()).collect();
            format!(
                "PolicyAgreement: privacy policy {} ({}); agreeing covers: {}",
                p.policy_version,
                p.policy_url,
                covers.join(", ")
            )
        }
        (kind @ (PromptKind::OsPermission | PromptKind::OpenSettings), Some(purpose)) => {
            let permission = p.permission.as_ref().map_or(String::new(), |r| r.id.clone());
            format!("{kind:?} {permission} for purpose {}; explanation: \"{}\"", purpose.id, purpose.description)
        }
        (kind, Some(purpose)) => {
            format!("{kind:?} for purpose {}\n               {}", purpose.id, purpose_summary(purpose))
        }
        (kind, None) => format!("{kind:?}"),
    }
}

fn fresh_database(db: Option<&Path>) -> Result<PathBuf, Failure> {
    if let Some(db) = db {
        if db.exists() {
            return Err(Failure::usage(format!(
                "{}: error: already exists; the demo writes a fresh database (remove it or pick another path)",
                db.display()
            )));
        }
        return Ok(db.to_path_buf());
    }
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("consentkit-demo-{}-{nanos:09}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::usage(format!("{}: error: cannot create: {e}", dir.display())))?;
    Ok(dir.join("consent.db"))
}

pub(super) fn run(db: Option<&Path>) -> CmdResult {
    let started = Instant::now();
    let path = fresh_database(db)?;
    let options = OpenOptions { manual_clock_start_ms: Some(START_MS), access_flush_every: None, integrity_dir: None };
    let kit = ConsentKit::open(path.display().to_string(), RIDE_HAILING.to_string(), options).map_err(fail("open"))?;
    let mut n = Narration { step: 0 };
    let result = narrate(&kit, &path, &mut n);
    let closed = kit.close().map_err(fail("close"));
    result?;
    closed?;
    super::demo_permissions::narrate(&mut n, &path.with_file_name("permissions.db"), START_MS)?;
    let shown = path.display();
    emit(&format!(
        "\nInspect the database afterwards:\n   consentkit ledger show {shown}\n   consentkit receipts {shown} --manifest examples/ride_hailing.json\n"
    ))?;
    emit(&format!("\nDone in {} ms, no network.\n", started.elapsed().as_millis()))?;
    Ok(0)
}

fn narrate(kit: &Arc<ConsentKit>, path: &Path, n: &mut Narration) -> Result<(), Failure> {
    let user = Actor::User;
    let s = String::from;
    let shown = path.display();
    emit(&format!(
        "ConsentKit demo: Example Ride (examples/ride_hailing.json, embedded)\n\
         database: {shown} (fresh)\n\
         clock:    manual, starting {} (the demo moves it; nothing waits)\n",
        iso_utc(START_MS)
    ))?;

    n.step("First launch: nothing is agreed yet, the app runs in browse mode")?;
    n.ask("nextPrompt(AppStart)", &prompt(&kit.next_prompt(PromptTrigger::AppStart).map_err(fail("next_prompt"))?))?;
    n.ask("resolve(\"booking\")", &tier(&kit.resolve("booking").map_err(fail("resolve"))?))?;
    n.ask(
        "decide(\"ride\", \"phone_number\")",
        &decision(kit.decide(s("ride"), s("phone_number")).map_err(fail("decide"))?),
    )?;
    n.say("before the policy is agreed nothing is collected; the user can still browse fares")?;

    n.step("The user agrees to the privacy policy")?;
    kit.agree_to_policy(s("2026-11-01"), user, s("first_launch_dialog")).map_err(fail("agree_to_policy"))?;
    n.ask(
        "agreeToPolicy(\"2026-11-01\", User, \"first_launch_dialog\")",
        "Ok (written to the ledger before returning)",
    )?;
    n.ask("resolve(\"booking\")", &tier(&kit.resolve("booking").map_err(fail("resolve"))?))?;
    n.ask("resolve(\"pickup\")", &tier(&kit.resolve("pickup").map_err(fail("resolve"))?))?;
    n.say("location is sensitive personal information: the policy agreement does not cover it")?;

    n.step("The user opens pickup and refuses location: pickup degrades to a typed address, the ride still books")?;
    let pickup = PromptTrigger::Feature { feature: s("pickup") };
    n.ask("nextPrompt(Feature(\"pickup\"))", &prompt(&kit.next_prompt(pickup.clone()).map_err(fail("next_prompt"))?))?;
    kit.refuse(s("live_location"), user, s("pickup_location_prompt")).map_err(fail("refuse"))?;
    n.ask("refuse(\"live_location\", User, \"pickup_location_prompt\")", "Ok (48 h re-prompt cooldown starts)")?;
    n.ask("resolve(\"pickup\")", &tier(&kit.resolve("pickup").map_err(fail("resolve"))?))?;
    n.ask(
        "collect(\"live_location\", \"location\")",
        &collected(kit.collect(s("live_location"), s("location"), None).map_err(fail("collect"))?),
    )?;
    for data_type in ["phone_number", "departure", "destination", "payment_info"] {
        let outcome = kit.collect(s("ride"), s(data_type), None).map_err(fail("collect"))?;
        n.ask(&format!("collect(\"ride\", \"{data_type}\")"), &collected(outcome))?;
    }
    n.say("the pickup is a typed address and the ride is booked: degraded, not denied")?;

    n.step("The refusal is not asked again within 48 hours")?;
    kit.advance_clock(47 * HOUR_MS).map_err(fail("advance_clock"))?;
    n.say(&format!("47 hours later ({})", short_utc(START_MS + 47 * HOUR_MS)))?;
    n.ask("nextPrompt(Feature(\"pickup\"))", &prompt(&kit.next_prompt(pickup.clone()).map_err(fail("next_prompt"))?))?;
    n.ask("resolve(\"pickup\")", &tier(&kit.resolve("pickup").map_err(fail("resolve"))?))?;
    kit.advance_clock(HOUR_MS).map_err(fail("advance_clock"))?;
    n.say(&format!("48 hours after the refusal ({})", short_utc(START_MS + 48 * HOUR_MS)))?;
    n.ask("nextPrompt(Feature(\"pickup\"))", &prompt(&kit.next_prompt(pickup).map_err(fail("next_prompt"))?))?;
    kit.grant(s("live_location"), user, s("pickup_location_prompt")).map_err(fail("grant"))?;
    n.ask("grant(\"live_location\", User, \"pickup_location_prompt\")", "Ok")?;
    n.ask("resolve(\"pickup\")", &tier(&kit.resolve("pickup").map_err(fail("resolve"))?))?;
    let mut allowed = 0;
    let mut last = None;
    for _ in 0..13 {
        let outcome = kit.collect(s("live_location"), s("location"), None).map_err(fail("collect"))?;
        if outcome == CollectOutcome::Allowed {
            allowed += 1;
        } else {
            last = Some(outcome);
        }
    }
    n.ask(
        "collect(\"live_location\", \"location\") x13 within a minute",
        &format!("{allowed} Allowed, then {}", last.map(collected).unwrap_or_default()),
    )?;
    n.say("the manifest limits location to 12 fixes per 60 s")?;

    n.step("The ads SDK is not initialised until ads are granted on their own")?;
    n.ask("mayInitialize(\"adnet\")", &kit.may_initialize(s("adnet")).map_err(fail("may_initialize"))?.to_string())?;
    n.ask("resolve(\"offers\")", &tier(&kit.resolve("offers").map_err(fail("resolve"))?))?;
    let offers = PromptTrigger::Feature { feature: s("offers") };
    n.ask("nextPrompt(Feature(\"offers\"))", &prompt(&kit.next_prompt(offers).map_err(fail("next_prompt"))?))?;
    kit.grant(s("ads"), user, s("offers_prompt")).map_err(fail("grant"))?;
    n.ask("grant(\"ads\", User, \"offers_prompt\")", "Ok")?;
    n.ask("mayInitialize(\"adnet\")", &kit.may_initialize(s("adnet")).map_err(fail("may_initialize"))?.to_string())?;
    n.ask("resolve(\"offers\")", &tier(&kit.resolve("offers").map_err(fail("resolve"))?))?;
    for data_type in ["device_id", "usage_history"] {
        let outcome = kit.collect(s("ads"), s(data_type), Some(s("adnet"))).map_err(fail("collect"))?;
        n.ask(&format!("collect(\"ads\", \"{data_type}\", recipient: \"adnet\")"), &collected(outcome))?;
    }

    n.step("The user withdraws ads consent in settings: effective before the call returns")?;
    kit.advance_clock(10 * 60_000).map_err(fail("advance_clock"))?;
    kit.withdraw(s("ads"), user, s("settings_privacy")).map_err(fail("withdraw"))?;
    n.ask("withdraw(\"ads\", User, \"settings_privacy\")", "Ok")?;
    n.ask("mayInitialize(\"adnet\")", &kit.may_initialize(s("adnet")).map_err(fail("may_initialize"))?.to_string())?;
    n.ask("mayTransfer(\"adnet\", \"ads\")", &kit.may_transfer(s("adnet"), s("ads")).map_err(fail("may_transfer"))?.to_string())?;
    n.ask("resolve(\"offers\")", &tier(&kit.resolve("offers").map_err(fail("resolve"))?))?;
    n.ask(
        "collect(\"ads\", \"device_id\", recipient: \"adnet\")",
        &collected(kit.collect(s("ads"), s("device_id"), Some(s("adnet"))).map_err(fail("collect"))?),
    )?;

    n.step("The collection list, with real counts from the access log")?;
    kit.flush().map_err(fail("flush"))?;
    n.ask("flush()", "Ok (pending access counts written)")?;
    let inspector = Inspector::open(path).map_err(|e| Failure::usage(format!("demo: {e}")))?;
    let totals = inspector.access_totals().map_err(|e| Failure::usage(format!("demo: {e}")))?;
    let manifest =
        crate::manifest::parse_manifest(RIDE_HAILING.as_bytes()).map_err(|e| Failure::usage(format!("demo: {e}")))?;
    let pack = RulePack::get(&manifest.rule_pack).ok_or_else(|| Failure::usage("demo: rule pack missing"))?;
    let mut table = format!("   {:<14} {:<14} {:>5}  {}\n", "purpose", "data type", "count", "last collected");
    for r in collection_list(&manifest, pack, Some(&totals)) {
        let last = r.last_collected_ms.filter(|&ms| ms > 0).map(short_utc).unwrap_or_else(|| "never".to_string());
        let _ = writeln!(table, "   {:<14} {:<14} {:>5}  {last}", r.purpose, r.data_type, r.count.unwrap_or(0));
    }
    for r in sharing_list(&manifest, Some(&totals)) {
        let _ = writeln!(
            table,
            "   shared with {} ({}, {}): {} transfer(s)",
            r.name,
            r.recipient,
            r.region,
            r.count.unwrap_or(0)
        );
    }
    emit(&table)?;
    n.say(&format!("full lists: consentkit lists examples/ride_hailing.json --db {shown} --format html --lang zh"))?;

    n.step("The ledger: every consent event, hash-chained")?;
    let rows = inspector.ledger().map_err(|e| Failure::usage(format!("demo: {e}")))?;
    for r in &rows {
        let what = if r.purpose.is_empty() { r.kind.clone() } else { format!("{} {}", r.kind, r.purpose) };
        emit(&format!("   #{:<3} {}  {:<26} {:<24} {}…\n", r.seq, iso_utc(r.at_ms), what, r.source, r.hash.chars().take(12).collect::<String>()))?;
    }
    let verdict = match inspector.verify_chain(|_| {}).map_err(|e| Failure::usage(format!("demo: {e}")))? {
        ChainCheck::Intact { rows } => format!("intact: {rows} rows verified"),
        ChainCheck::Broken { seq, reason } => {
            return Err(Failure::failed(format!("demo: ledger broken at row {seq}: {reason}")))
        }
    };
    n.ask("consentkit ledger verify", &verdict)?;

    n.step("The app filing number, shown in the app with a link to the MIIT filing system")?;
    let filing = match kit.filing().map_err(fail("filing"))? {
        Some(f) => format!("{} ({})", f.number, f.url),
        None => "no filing number".to_string(),
    };
    n.ask("filing()", &filing)?;

    eu_act(n, path)
}

/// The last act: the same user in the app's EU build (its manifest maps purposes onto IAB TCF vendors, GPP sections
/// and Google Consent Mode), on a database beside the first: what ad and analytics SDKs read after each choice.
fn eu_act(n: &mut Narration, path: &Path) -> Result<(), Failure> {
    let eu_path = path.with_file_name(format!(
        "{}-eu.db",
        path.file_stem().and_then(|s| s.to_str()).unwrap_or("consent")
    ));
    let _ = std::fs::remove_file(&eu_path);
    let options = OpenOptions { manual_clock_start_ms: Some(START_MS), access_flush_every: None, integrity_dir: None };
    let kit = ConsentKit::open(eu_path.display().to_string(), RIDE_HAILING_GLOBAL.to_string(), options)
        .map_err(fail("open the EU build"))?;
    let result = (|| {
        n.step("Same user, EU build: the same choices become IAB TCF / GPP strings and Google Consent Mode")?;
        n.say("examples/ride_hailing_global.json maps ads → TCF purposes 1-4, 7 for adnet (GVL 1042), analytics → 1, 8, 9")?;
        let user = Actor::User;
        kit.agree_to_policy("2026-11-01".into(), user, "welcome".into()).map_err(fail("agree"))?;
        kit.grant("ads".into(), user, "offers_prompt".into()).map_err(fail("grant ads"))?;
        show_signals(n, &kit)?;
        kit.withdraw("ads".into(), user, "settings".into()).map_err(fail("withdraw ads"))?;
        n.say("the user withdraws ads: every signal follows before the call returns")?;
        show_signals(n, &kit)
    })();
    let closed = kit.close().map_err(fail("close the EU build"));
    result?;
    closed
}

fn show_signals(n: &Narration, kit: &Arc<ConsentKit>) -> Result<(), Failure> {
    let s = kit.framework_signals(None).map_err(fail("frameworkSignals"))?;
    let tc = s.tc_string.clone().unwrap_or_default();
    let d = crate::ffi::decode_tc_string(tc.clone()).map_err(fail("decode"))?;
    n.ask("frameworkSignals().tcString", &tc)?;
    n.say(&format!(
        "TCF purposes consented {:?}, vendors consented {:?}, disclosed {:?}",
        d.purposes_consent, d.vendor_consents, d.disclosed_vendors
    ))?;
    let mut modes: Vec<_> = s.consent_mode.iter().map(|(k, v)| format!("{k}={}", if *v { "granted" } else { "denied" })).collect();
    modes.sort();
    n.say(&format!("Consent Mode: {}", modes.join(", ")))?;
    let key = |k: &str| s.preferences.iter().find(|p| p.key == k).and_then(|p| p.text_value.clone()).unwrap_or_default();
    n.say(&format!(
        "IABTCF_PurposeConsents={}  IABGPP_GppSID={}  ({} IABTCF_/IABGPP_ keys)",
        key("IABTCF_PurposeConsents"),
        key("IABGPP_GppSID"),
        s.preferences.len()
    ))
}
