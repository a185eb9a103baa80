//! The OS permission layer through the public API, beyond the shared scenarios: a permission state is not consent
//! (no ledger row, no receipt, nothing on disk), it reaches every handle on the engine and its status, and bad
//! input is a typed error.

use std::sync::Arc;

use consentkit::ffi::*;

fn open(dir: &std::path::Path) -> Arc<ConsentKit> {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/ride_hailing_permissions.json")).unwrap();
    let opts = OpenOptions { manual_clock_start_ms: Some(1_767_225_600_000), access_flush_every: None, integrity_dir: None };
    ConsentKit::open(dir.join("consent.db").display().to_string(), manifest, opts).unwrap()
}

fn ledger_rows(kit: &ConsentKit) -> usize {
    kit.engine().with_store(|store, _| store.rows_after(0)).unwrap().len()
}

#[test]
fn a_permission_state_is_never_written_to_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open(dir.path());
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "t".into()).unwrap();
    kit.grant("live_location".into(), Actor::User, "t".into()).unwrap();
    let (rows, receipts) = (ledger_rows(&kit), kit.receipts_json().unwrap());
    let version = kit.status().unwrap().version;
    for state in [PermissionState::Denied, PermissionState::Limited, PermissionState::Granted] {
        kit.set_permission_state("location".into(), state, None).unwrap();
    }
    assert_eq!(ledger_rows(&kit), rows, "no ledger row for an OS state");
    assert_eq!(kit.receipts_json().unwrap(), receipts, "no receipt either");
    assert_eq!(kit.status().unwrap().version, version + 3, "each change is a new snapshot");
    // The same state again changes nothing (no new snapshot, no notification).
    kit.set_permission_state("location".into(), PermissionState::Granted, None).unwrap();
    assert_eq!(kit.status().unwrap().version, version + 3);
    kit.close().unwrap();

    // After a restart nothing was kept: the layer is off until the bridge reports again.
    let kit = open(dir.path());
    assert_eq!(kit.decide("live_location".into(), "location".into()).unwrap(), Decision::Allowed);
    kit.close().unwrap();
}

#[test]
fn every_handle_on_the_engine_and_the_decision_table_see_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let (app, widget) = (open(dir.path()), open(dir.path()));
    app.agree_to_policy("2026-11-01".into(), Actor::User, "t".into()).unwrap();
    app.grant("live_location".into(), Actor::User, "t".into()).unwrap();
    app.set_permission_state("location".into(), PermissionState::DeniedPermanently, None).unwrap();
    let denied = Decision::Denied { reason: DenyReason::OsPermissionDenied };
    assert_eq!(widget.decide("live_location".into(), "location".into()).unwrap(), denied);
    let p = widget.handle(HandleKind::Purpose, "live_location".into()).unwrap();
    let d = widget.handle(HandleKind::DataType, "location".into()).unwrap();
    assert_eq!(widget.decide_code(p, d), 10);
    let table = widget.decision_table().unwrap();
    assert_eq!(table.codes[(p * table.width + d) as usize], 10, "the facades' mirror carries the OS answer");
    let live = widget.status().unwrap().purposes.into_iter().find(|s| s.id == "live_location").unwrap();
    assert_eq!((live.allowed, live.reason), (false, Some(DenyReason::OsPermissionDenied)));
}

#[test]
fn bad_input_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open(dir.path());
    assert!(matches!(
        kit.set_permission_state("telepathy".into(), PermissionState::Granted, None),
        Err(ConsentError::UnknownId { .. })
    ));
    assert!(matches!(kit.blocking_permission("ride".into(), "telepathy".into()), Err(ConsentError::UnknownId { .. })));
    assert!(os_permission_table().iter().any(|p| p.id == "tracking" && p.android.iter().any(|a| a.install_time)));
    kit.close().unwrap();
    assert!(matches!(kit.set_permission_state("location".into(), PermissionState::Granted, None), Err(ConsentError::Closed)));
}
