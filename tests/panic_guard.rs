//! A panic inside the core never crosses the FFI boundary: each kind of call returns a typed `Internal` error (the
//! scalar `decide_code` answers 252) and the instance keeps working. Its own test binary: the armed panic is global
//! to the process, so no other test may run beside it.
#![cfg(feature = "test-hooks")]

use consentkit::ffi::*;

fn open_kit(dir: &tempfile::TempDir) -> std::sync::Arc<ConsentKit> {
    let opts = OpenOptions { manual_clock_start_ms: Some(1_767_225_600_000), access_flush_every: None, integrity_dir: None };
    ConsentKit::open(dir.path().join("c.db").display().to_string(), include_str!("../examples/ride_hailing.json").into(), opts).unwrap()
}

/// A panic inside the core, in each kind of call, comes back as a typed `Internal` error (or, for the scalar
/// `decide_code`, the code 252) and the instance keeps working: nothing crosses the boundary.
#[test]
fn a_panic_inside_the_core_is_a_typed_error_in_every_kind_of_call() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    let internal = |r: Result<(), ConsentError>| assert!(matches!(r, Err(ConsentError::Internal { .. })), "{r:?}");
    arm_test_panic();
    internal(kit.agree_to_policy("2026-11-01".into(), Actor::User, "s".into()));
    arm_test_panic();
    internal(kit.status().map(|_| ()));
    arm_test_panic();
    internal(kit.next_prompt(PromptTrigger::AppStart).map(|_| ()));
    arm_test_panic();
    internal(kit.handles().map(|_| ()));
    arm_test_panic();
    internal(kit.collect_code(0, 0, u32::MAX).map(|_| ()));
    arm_test_panic();
    internal(kit.filing().map(|_| ()));
    arm_test_panic();
    assert_eq!(kit.decide_code(0, 0), CODE_INTERNAL);
    // Nothing was written by the call that panicked, and the instance still works.
    assert!(!kit.status().unwrap().policy_agreed);
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "s".into()).unwrap();
    assert!(kit.status().unwrap().policy_agreed);
}
