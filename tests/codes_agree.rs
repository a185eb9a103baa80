//! The numeric decision codes are defined once, in Rust (`Reason`, `CODE_*`), and copied by hand into the Kotlin
//! and Swift facades (they switch on them without a foreign call). This test reads the facades' sources and fails
//! when a copy differs from the Rust definition — a wrong copy would turn one deny reason into another, or an
//! error code into "allowed".

use std::collections::BTreeMap;
use std::path::PathBuf;

use consentkit::ffi::{CODE_CLOSED, CODE_INTERNAL, CODE_INVALID_HANDLE};
use consentkit::gate::Reason;

fn read(rel: &str) -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// `PolicyNotAgreed`, `POLICY_NOT_AGREED`, `policyNotAgreed` → `policynotagreed`: one spelling to compare.
fn words(name: &str) -> String {
    name.chars().filter(|c| *c != '_').flat_map(char::to_lowercase).collect()
}

/// Rust's reasons by code, as words.
fn rust_reasons() -> BTreeMap<u8, String> {
    (1..=u8::MAX).filter_map(|c| Reason::from_code(c).map(|r| (c, words(&format!("{r:?}"))))).collect()
}

#[test]
fn kotlin_deny_reason_codes_are_the_cores() {
    let src = read("bindings/kotlin/src/main/kotlin/dev/consentkit/DenyReason.kt");
    let kotlin: BTreeMap<u8, String> = src
        .lines()
        .filter_map(|l| {
            let l = l.trim().trim_end_matches(',');
            let (name, rest) = l.split_once('(')?;
            let code: u8 = rest.strip_suffix(')')?.parse().ok()?;
            name.chars().all(|c| c.is_ascii_uppercase() || c == '_').then(|| (code, words(name)))
        })
        .collect();
    assert_eq!(kotlin, rust_reasons());
    let facade = read("bindings/kotlin/src/main/kotlin/dev/consentkit/ConsentKit.kt");
    assert!(facade.contains(&format!("CODE_INVALID_HANDLE = {CODE_INVALID_HANDLE}")));
    assert!(facade.contains(&format!("CODE_CLOSED = {CODE_CLOSED}")));
}

#[test]
fn swift_deny_reason_codes_are_the_cores() {
    let src = read("bindings/swift/Sources/ConsentKit/Decision.swift");
    let swift: BTreeMap<u8, String> = src
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("case ")?;
            let (code, name) = rest.split_once(": self = .")?;
            Some((code.parse().ok()?, words(name)))
        })
        .collect();
    assert_eq!(swift, rust_reasons());
    assert!(src.contains(&format!("invalidHandle: UInt8 = {CODE_INVALID_HANDLE}")));
    assert!(src.contains(&format!("closed: UInt8 = {CODE_CLOSED}")));
    // The internal-error code is outside every facade's known range: they treat it as an error, never as a reason.
    assert!(Reason::from_code(CODE_INTERNAL).is_none());
}
