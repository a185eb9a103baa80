//! The checked-in JSON Schema (schema/manifest-v1.schema.json) matches the Rust types.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test --features schema --test schema`.
#![cfg(feature = "schema")]

use std::path::PathBuf;

#[test]
fn checked_in_schema_matches_the_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/manifest-v1.schema.json");
    let generated = consentkit::manifest::manifest_json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).expect("schema/manifest-v1.schema.json is checked in");
    assert_eq!(checked_in, generated, "run UPDATE_SCHEMA=1 cargo test --features schema --test schema");
    let v: serde_json::Value = serde_json::from_str(&generated).unwrap();
    for field in ["schema", "app", "policy", "rule_pack", "purposes"] {
        assert!(v["required"].as_array().unwrap().iter().any(|r| r == field), "{field} is required");
    }
    assert_eq!(v["additionalProperties"], false);
    assert!(v["patternProperties"]["^x-"].is_object());
}
