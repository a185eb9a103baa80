//! The panic guard every export runs in: a panic inside the core becomes `ConsentError::Internal` (or, for the
//! scalar `decide_code`, the code `CODE_INTERNAL`), never an abort or a crash in the app. UniFFI would also catch
//! it, but as an untyped error that Swift turns into a crash for functions that do not throw.
//!
//! With the `test-hooks` feature (tests only; never in a mobile build) `arm_test_panic` makes the next guarded call
//! panic inside the core, so the Kotlin and Swift suites can prove each kind of call survives it.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::ConsentError;

/// Runs `f`, turning a panic into `ConsentError::Internal`.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, ConsentError>) -> Result<T, ConsentError> {
    match catch_unwind(AssertUnwindSafe(|| {
        test_hook();
        f()
    })) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            log::error!("ConsentKit internal error (caught at the boundary): {detail}");
            Err(ConsentError::Internal { detail })
        }
    }
}

/// Runs a scalar read, answering `on_panic` if it panics.
pub(crate) fn guard_scalar<T>(on_panic: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(|| {
        test_hook();
        f()
    }))
    .unwrap_or_else(|_| {
        log::error!("ConsentKit internal error in a scalar read (caught at the boundary)");
        on_panic
    })
}

#[cfg(feature = "test-hooks")]
static ARMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[cfg(feature = "test-hooks")]
fn test_hook() {
    if ARMED.swap(false, std::sync::atomic::Ordering::SeqCst) {
        panic!("test panic armed by arm_test_panic");
    }
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
fn test_hook() {}

/// Tests only (feature `test-hooks`): the next guarded call into the core panics inside it.
#[cfg(feature = "test-hooks")]
#[uniffi::export]
pub fn arm_test_panic() {
    ARMED.store(true, std::sync::atomic::Ordering::SeqCst);
}
