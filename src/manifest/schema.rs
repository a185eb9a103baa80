//! JSON Schema of manifest v1, generated from the Rust types (checked in under `schema/`).

use schemars::schema_for;
use serde_json::{json, Value};

use super::model::Manifest;

/// The manifest JSON Schema as pretty JSON text. Every object refuses unknown fields except `x-*` extensions.
pub fn manifest_json_schema() -> String {
    let schema = schema_for!(Manifest);
    let mut value = serde_json::to_value(&schema).unwrap_or(Value::Null);
    close_objects(&mut value);
    if let Value::Object(map) = &mut value {
        map.insert("$id".into(), json!("https://consentkit.dev/schema/manifest-v1.json"));
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Adds `additionalProperties: false` and `patternProperties: {"^x-": {}}` to every object schema with properties.
fn close_objects(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.contains_key("properties") {
                map.insert("additionalProperties".into(), json!(false));
                map.insert("patternProperties".into(), json!({ "^x-": {} }));
            }
            for child in map.values_mut() {
                close_objects(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}
