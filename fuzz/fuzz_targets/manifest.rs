//! Manifest parsing + lint on arbitrary bytes: never panics; every failure is a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match consentkit::manifest::parse_manifest(data) {
        Ok(m) => {
            let _ = consentkit::rules::lint(&m);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    let _ = consentkit::Manifest::load(data);
});
