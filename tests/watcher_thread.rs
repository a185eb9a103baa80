//! The shared engine's watcher thread (src/watch.rs) lives exactly as long as the engine: started by open (on open's
//! second thread), gone after the last close, and never left behind by an open that fails. In a file of its own:
//! it counts this process's threads by name, which other tests running alongside would disturb.

use std::time::{Duration, Instant};

use consentkit::ffi::*;

const MANIFEST: &str = include_str!("../examples/ride_hailing.json");

fn watchers() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        // Linux keeps 15 bytes of a thread's name: "consentkit-watc".
        .filter(|name| "consentkit-watch".starts_with(name.trim()) && name.trim().len() >= 15)
        .count()
}

/// Waits up to 5 s for the count to become `n` (a thread exits shortly after it is told to).
fn settles_at(n: usize) -> bool {
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        if watchers() == n {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

fn options() -> OpenOptions {
    OpenOptions { manual_clock_start_ms: Some(1_767_225_600_000), access_flush_every: None, integrity_dir: None }
}

#[test]
fn one_watcher_per_open_engine_and_none_left_by_a_failed_open_or_after_the_last_close() {
    if !std::path::Path::new("/proc/self/task").exists() {
        return; // Thread names are read from Linux's /proc.
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db").display().to_string();
    assert_eq!(watchers(), 0);

    let kit = ConsentKit::open(db.clone(), MANIFEST.into(), options()).unwrap();
    assert!(settles_at(1), "an open engine has its watcher");
    let second = ConsentKit::open(db.clone(), MANIFEST.into(), options()).unwrap();
    assert!(settles_at(1), "a second handle on the same engine starts no other watcher");
    second.close().unwrap();
    kit.close().unwrap();
    assert!(settles_at(0), "the last close stops the watcher");

    // A refused manifest, and a database path that cannot be opened: the watcher started during the open goes.
    let refused = ConsentKit::open(db.clone(), "{\"not\": \"a manifest\"}".into(), options());
    assert!(refused.is_err());
    std::fs::write(dir.path().join("plain-file"), b"x").unwrap();
    let blocked = ConsentKit::open(dir.path().join("plain-file/c.db").display().to_string(), MANIFEST.into(), options());
    assert!(blocked.is_err());
    assert!(settles_at(0), "a failed open leaves no watcher behind");
}
