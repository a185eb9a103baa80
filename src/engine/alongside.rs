//! Open's two halves at once: a job on a second thread while the caller's thread does its own half, without ever
//! waiting for the second thread to be scheduled.
//!
//! On a busy device (an app start competes with everything else starting) a new thread may not get a core for a
//! while. Whichever thread comes to the job first runs it: when the caller's half is done and the second thread has
//! not started the job yet, the caller runs it itself, so open is never slower than doing both halves one after the
//! other (plus the thread's start). The second thread, when it runs later, finds nothing to do.
//!
//! After the job (or after finding it taken) the second thread goes on with a last piece of work of its own: a
//! shared engine's watcher loop ([`crate::watch`]), so an open starts one thread, not two.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

/// Runs `job` on a second thread named `name` while `here` runs on this one, and returns both results; the second
/// thread then runs `then` (it is never joined). A panic in `job` resumes on this thread, as if it had run here.
/// With no thread to be had, `job` runs here after `here`, and `then` is dropped unrun.
pub(crate) fn alongside<R, H>(
    name: &str,
    job: impl FnOnce() -> R + Send + 'static,
    here: impl FnOnce() -> H,
    then: impl FnOnce() + Send + 'static,
) -> (R, H)
where
    R: Send + 'static,
{
    alongside_after(name, || (), job, here, then)
}

/// [`alongside`], the second thread first running `start` (tests hold it there to play a thread that gets no core).
fn alongside_after<R, H>(
    name: &str,
    start: impl FnOnce() + Send + 'static,
    job: impl FnOnce() -> R + Send + 'static,
    here: impl FnOnce() -> H,
    then: impl FnOnce() + Send + 'static,
) -> (R, H)
where
    R: Send + 'static,
{
    let slot = Arc::new(Mutex::new(Some(job)));
    let (tx, rx) = sync_channel(1);
    let theirs = slot.clone();
    // The thread's handle is not kept: it is never joined (it ends after `then`, on its own).
    let _ = std::thread::Builder::new().name(name.into()).spawn(move || {
        start();
        let job = theirs.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(job) = job {
            let _ = tx.send(catch_unwind(AssertUnwindSafe(job)));
        }
        drop(tx);
        then();
    });
    let ours = here();
    let job = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    let result = match job {
        Some(job) => job(),
        None => match rx.recv() {
            Ok(Ok(result)) => result,
            Ok(Err(panic)) => resume_unwind(panic),
            // The second thread took the job and ended without a result: only an abort does that.
            Err(_) => panic!("open's second thread ended without its result"),
        },
    };
    (result, ours)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::thread::{current, ThreadId};

    /// Runs a job that says which thread ran it.
    fn which(start: impl FnOnce() + Send + 'static) -> (ThreadId, ThreadId) {
        let (ran_on, here) = alongside_after("t", start, || current().id(), || current().id(), || ());
        (ran_on, here)
    }

    #[test]
    fn the_second_thread_runs_the_job_when_it_gets_to_it_first() {
        let (started_tx, started_rx) = channel();
        let (ran_on, here) = alongside_after(
            "t",
            move || started_tx.send(()).unwrap(),
            || current().id(),
            // This half waits until the second thread has started, so the job is still there for it.
            || {
                started_rx.recv().unwrap();
                std::thread::sleep(std::time::Duration::from_millis(20));
                current().id()
            },
            || (),
        );
        assert_ne!(ran_on, here, "run on the second thread");
    }

    #[test]
    fn this_thread_runs_the_job_when_the_second_has_not_started_it() {
        // The second thread is held until this test lets it go, after the call returned: it finds nothing to do.
        let (go_tx, go_rx) = channel::<()>();
        let (ran_on, here) = which(move || {
            let _ = go_rx.recv();
        });
        assert_eq!(ran_on, here, "run on the caller's thread, without waiting for the held one");
        drop(go_tx);
    }

    #[test]
    fn the_second_thread_goes_on_with_its_own_work_after_the_job_or_after_finding_it_taken() {
        for hold in [false, true] {
            let (go_tx, go_rx) = channel::<()>();
            let (then_tx, then_rx) = channel();
            let ((), ()) = alongside_after(
                "t",
                move || {
                    if hold {
                        let _ = go_rx.recv();
                    }
                },
                || (),
                || (),
                move || then_tx.send(current().id()).unwrap(),
            );
            drop(go_tx);
            let on = then_rx.recv_timeout(std::time::Duration::from_secs(5)).expect("then ran");
            assert_ne!(on, current().id(), "on the second thread (job {})", if hold { "taken by the caller" } else { "run there" });
        }
    }

    #[test]
    fn a_panic_in_the_job_resumes_on_the_calling_thread() {
        let caught = std::panic::catch_unwind(|| alongside("t", || -> u8 { panic!("boom") }, || (), || ()));
        assert!(caught.is_err());
    }
}
