//! Input limits: manifests and ids beyond sane sizes get a typed error fast, with memory bounded.

use std::time::{Duration, Instant};

use consentkit::error::ManifestError;
use consentkit::manifest::parse_manifest;

fn base() -> serde_json::Value {
    serde_json::from_str(include_str!("../examples/news.json")).unwrap()
}

fn quick<T>(f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    // Generous bound for a debug build on a loaded 2-core machine; the point is "not pathological".
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    out
}

#[test]
fn ten_thousand_purposes_are_refused() {
    let mut v = base();
    let p = v["purposes"][0].clone();
    v["purposes"] = serde_json::Value::Array(
        (0..10_000).map(|i| { let mut q = p.clone(); q["id"] = format!("p{i}").into(); q }).collect(),
    );
    let text = v.to_string();
    match quick(|| parse_manifest(text.as_bytes())) {
        Err(ManifestError::LimitExceeded { path, .. }) => assert_eq!(path, "purposes"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_one_megabyte_description_is_refused() {
    let mut v = base();
    v["purposes"][1]["description"] = "說".repeat(350_000).into();
    let text = v.to_string();
    match quick(|| parse_manifest(text.as_bytes())) {
        Err(ManifestError::LimitExceeded { path, .. }) => assert_eq!(path, "purposes[1].description"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn deep_nesting_is_refused_without_stack_overflow() {
    for depth in [200usize, 100_000] {
        let text = format!("{{\"schema\":{}0{}}}", "[".repeat(depth), "]".repeat(depth));
        assert!(matches!(quick(|| parse_manifest(text.as_bytes())), Err(ManifestError::Syntax { .. })));
        let text = format!("{}{}", "{\"x-a\":".repeat(depth), "}".repeat(depth));
        assert!(matches!(quick(|| parse_manifest(text.as_bytes())), Err(ManifestError::Syntax { .. })));
    }
}

#[test]
fn a_huge_id_is_a_lint_error_not_a_crash() {
    let mut v = base();
    v["purposes"][0]["id"] = "p".repeat(10_000).into();
    v["features"][0]["tiers"][0]["requires"][0] = "p".repeat(10_000).into();
    let m = quick(|| parse_manifest(v.to_string().as_bytes())).unwrap();
    let diags = consentkit::rules::lint(&m);
    assert!(diags.iter().any(|d| d.code == "CK021"));
    assert!(diags.iter().all(|d| d.message.len() < 1000), "messages clip huge ids");
}

#[test]
fn fifty_megabytes_are_refused_before_parsing() {
    let big = vec![b'{'; 50 << 20];
    assert!(matches!(quick(|| parse_manifest(&big)), Err(ManifestError::TooLarge { .. })));
}
