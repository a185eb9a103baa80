//! The demo's last act: the operating system's location permission folded into the gate, on
//! `examples/ride_hailing_permissions.json` (embedded) in a second database beside the first. The location
//! permission is denied, then granted approximate only, then precise; each step shows what the app asked, what
//! ConsentKit answered and what the user sees.

use std::path::Path;

use super::demo::{decision, prompt, tier, Narration, HOUR_MS};
use super::Failure;
use crate::ffi::{Actor, ConsentError, ConsentKit, OpenOptions, PermissionState, PromptTrigger};

/// The manifest of this act (the same file as `examples/ride_hailing_permissions.json`).
pub const RIDE_HAILING_PERMISSIONS: &str = include_str!("../../examples/ride_hailing_permissions.json");

fn fail(what: &str) -> impl Fn(ConsentError) -> Failure + '_ {
    move |e| Failure::usage(format!("demo: {what} failed: {e}"))
}

/// Runs the act on a fresh database at `db` with the manual clock at `start_ms`.
pub(super) fn narrate(n: &mut Narration, db: &Path, start_ms: i64) -> Result<(), Failure> {
    let options = OpenOptions { manual_clock_start_ms: Some(start_ms), access_flush_every: None, integrity_dir: None };
    let kit = ConsentKit::open(db.display().to_string(), RIDE_HAILING_PERMISSIONS.to_string(), options).map_err(fail("open"))?;
    let result = act(n, &kit);
    let closed = kit.close().map_err(fail("close"));
    result?;
    closed
}

fn act(n: &mut Narration, kit: &ConsentKit) -> Result<(), Failure> {
    let user = Actor::User;
    let s = String::from;
    let pickup = || PromptTrigger::Feature { feature: s("pickup") };
    let set = |state: PermissionState| kit.set_permission_state(s("location"), state, None).map_err(fail("setPermissionState"));
    let version = kit.status().map_err(fail("status"))?.policy_version;
    kit.agree_to_policy(version, user, s("first_launch_dialog")).map_err(fail("agreeToPolicy"))?;

    n.step("The OS layer (examples/ride_hailing_permissions.json): our consent first, then the system dialog")?;
    n.say("a second database, permissions.db, beside the first")?;
    set(PermissionState::NotDetermined)?;
    n.ask("setPermissionState(\"location\", NotDetermined)", "Ok (memory only: an OS fact, never in the ledger)")?;
    n.ask("nextPrompt(AppStart)", &prompt(&kit.next_prompt(PromptTrigger::AppStart).map_err(fail("nextPrompt"))?))?;
    n.say("no permission is requested at app start")?;
    n.ask("nextPrompt(Feature(\"pickup\"))", &prompt(&kit.next_prompt(pickup()).map_err(fail("nextPrompt"))?))?;
    kit.grant(s("area_location"), user, s("pickup_prompt")).map_err(fail("grant"))?;
    kit.grant(s("live_location"), user, s("pickup_prompt")).map_err(fail("grant"))?;
    n.ask("grant(\"area_location\") and grant(\"live_location\")", "Ok: our consent is given")?;
    let request = kit.next_prompt(pickup()).map_err(fail("nextPrompt"))?;
    n.ask("nextPrompt(Feature(\"pickup\"))", &prompt(&request))?;
    if let Some(p) = request.as_ref().and_then(|r| r.permission.as_ref()) {
        n.say(&format!("user sees  the system dialog ({}) under the banner \"{}\"", p.android.join(" / "), p.explanation))?;
    }

    n.step("The user denies location in the system dialog: pickup degrades to a typed address")?;
    set(PermissionState::Denied)?;
    n.ask("setPermissionState(\"location\", Denied)", "Ok")?;
    n.ask("decide(\"live_location\", \"location\")", &decision(kit.decide(s("live_location"), s("location")).map_err(fail("decide"))?))?;
    n.ask("blockingPermission(\"live_location\", \"location\")", &format!("{:?}", kit.blocking_permission(s("live_location"), s("location")).map_err(fail("blockingPermission"))?))?;
    n.ask("resolve(\"pickup\")", &tier(&kit.resolve("pickup").map_err(fail("resolve"))?))?;
    n.ask("nextPrompt(Feature(\"pickup\"))", &prompt(&kit.next_prompt(pickup()).map_err(fail("nextPrompt"))?))?;
    n.say("user sees  a field to type the pickup address; the system dialog is not shown again for 48 hours")?;

    n.step("48 hours later the user opens pickup and allows approximate location only")?;
    kit.advance_clock(48 * HOUR_MS).map_err(fail("advanceClock"))?;
    n.ask("nextPrompt(Feature(\"pickup\"))", &prompt(&kit.next_prompt(pickup()).map_err(fail("nextPrompt"))?))?;
    set(PermissionState::Limited)?;
    n.ask("setPermissionState(\"location\", Limited)", "Ok")?;
    n.ask("resolve(\"pickup\")", &tier(&kit.resolve("pickup").map_err(fail("resolve"))?))?;
    n.ask("decide(\"area_location\", \"approximate_location\")", &decision(kit.decide(s("area_location"), s("approximate_location")).map_err(fail("decide"))?))?;
    n.ask("decide(\"live_location\", \"location\")", &decision(kit.decide(s("live_location"), s("location")).map_err(fail("decide"))?))?;
    n.say("user sees  suggested pickup points in their district; no pin at the kerb")?;

    n.step("The user taps \"use precise location\" and allows it")?;
    let upgrade = kit.next_prompt(pickup()).map_err(fail("nextPrompt"))?;
    n.ask("nextPrompt(Feature(\"pickup\"))", &prompt(&upgrade))?;
    set(PermissionState::Granted)?;
    n.ask("setPermissionState(\"location\", Granted)", "Ok")?;
    n.ask("resolve(\"pickup\")", &tier(&kit.resolve("pickup").map_err(fail("resolve"))?))?;
    n.ask("decide(\"live_location\", \"location\")", &decision(kit.decide(s("live_location"), s("location")).map_err(fail("decide"))?))?;
    n.say("user sees  the live pin at the kerb; the ledger holds the consents, never the OS answers")?;
    Ok(())
}
