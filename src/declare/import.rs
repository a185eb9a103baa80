//! A draft ConsentKit manifest from an Apple privacy manifest (`consentkit import apple-privacy`): every collected
//! category becomes a data type (the vocabulary's where the table has one), every Apple purpose a purpose (one for
//! tracking, one not), with `x-todo` markers and deliberately empty fields where a human must decide what the rule
//! pack asks — descriptions, retention, the filing number, the basis of each purpose — so that `consentkit lint`
//! walks the author through them. Exporting the draft gives back the same categories, linkage, tracking flags and
//! purposes.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::apple::AppleDeclaration;
use crate::manifest::{
    App, Basis, DataTypeDecl, Manifest, Policy, Purpose, StorePurpose, ThirdParty, MANIFEST_SCHEMA_V1,
};
use crate::rules::{RulePack, StoreDeclarations};

/// What the draft cannot learn from a privacy manifest and takes from the command line.
#[derive(Debug, Clone)]
pub struct DraftOptions {
    /// `app.category` (a category id of the pack).
    pub category: Option<String>,
    /// The rule pack.
    pub pack: String,
    /// `app.region`; also every purpose's storage region until a human says otherwise.
    pub region: String,
    /// `app.id`.
    pub app_id: String,
    /// `app.name`.
    pub name: String,
    /// Where the privacy manifest came from (recorded in `x-imported-from`).
    pub source: String,
}

/// The id of the third party that receives data for tracking purposes and carries the tracking domains.
pub const TRACKING_PARTNER: &str = "tracking_partner";

fn todo(text: &str) -> Value {
    Value::String(format!("TODO: {text}"))
}

/// `PreciseLocation` → `apple_precise_location`: the id of a type declared for a category without a vocabulary type.
fn declared_id(apple: &str) -> String {
    let mut id = String::from("apple");
    for c in apple.chars() {
        if c.is_ascii_uppercase() {
            id.push('_');
        }
        id.push(c.to_ascii_lowercase());
    }
    id
}

fn kind_of(apple_purpose: &str, table: &StoreDeclarations) -> StorePurpose {
    table
        .apple_purpose_import
        .get(apple_purpose)
        .and_then(|k| serde_json::from_value(Value::String(k.clone())).ok())
        .unwrap_or(StorePurpose::Other)
}

/// The draft manifest for `decl`.
pub fn draft(decl: &AppleDeclaration, table: &StoreDeclarations, opts: &DraftOptions) -> Manifest {
    let pack = RulePack::get(&opts.pack);
    let ext = |pairs: &[(&str, Value)]| pairs.iter().map(|(k, v)| (format!("x-{k}"), v.clone())).collect();
    // Apple category → data type id, and the declarations the draft needs.
    let mut data_types: BTreeMap<String, DataTypeDecl> = BTreeMap::new();
    // (purpose kind, tracking) → data type ids, in Apple's order.
    let mut groups: BTreeMap<(StorePurpose, bool), Vec<String>> = BTreeMap::new();
    for c in &decl.collected {
        let vocab = table.apple_import.get(&c.apple).filter(|v| !data_types.contains_key(*v)).cloned();
        let id = vocab.clone().unwrap_or_else(|| declared_id(&c.apple));
        let sensitive = pack.and_then(|p| p.data_types.get(&id)).is_some_and(|v| v.sensitive);
        let overrides = table.vocabulary.get(&id).map_or(true, |v| v.apple != c.apple);
        data_types.insert(
            id.clone(),
            DataTypeDecl {
                sensitive: sensitive || c.apple == "SensitiveInfo",
                description: None,
                apple_data_type: overrides.then(|| c.apple.clone()),
                linked_to_identity: Some(c.linked),
                extensions: if vocab.is_some() {
                    BTreeMap::new()
                } else {
                    ext(&[("todo", todo(&format!("describe this {} data in words a user understands, or replace it with a vocabulary type (`consentkit rules`)", c.apple)))])
                },
            },
        );
        let kinds: Vec<StorePurpose> = if c.purposes.is_empty() {
            vec![StorePurpose::Other]
        } else {
            c.purposes.iter().map(|p| kind_of(p, table)).collect()
        };
        for k in kinds {
            let ids = groups.entry((k, c.tracking)).or_default();
            if !ids.contains(&id) {
                ids.push(id.clone());
            }
        }
    }
    if (decl.tracking || !decl.tracking_domains.is_empty()) && !groups.keys().any(|(_, t)| *t) {
        groups.insert((StorePurpose::Other, true), Vec::new());
    }
    let partner = !decl.tracking_domains.is_empty();
    let mut purposes = Vec::new();
    for ((kind, tracking), ids) in groups {
        let kind_id = crate::rules::store_purpose_id(kind);
        let basis = if kind == StorePurpose::AppFunctionality && !tracking { Basis::Necessary } else { Basis::Consent };
        let mut notes = vec![
            ("todo", todo("write the description users read (CK011) and retention_days (CK012); confirm storage_region")),
        ];
        if basis == Basis::Necessary {
            notes.push(("todo-basis", todo("necessary only if the category's necessary set allows each data type (CK003); otherwise basis consent and a richer tier")));
        }
        purposes.push(Purpose {
            id: if tracking { format!("{kind_id}_tracking") } else { kind_id },
            description: None,
            basis,
            tracking,
            data_types: ids,
            recipients: if tracking && partner { vec![TRACKING_PARTNER.to_string()] } else { Vec::new() },
            storage_region: opts.region.clone(),
            retention_days: None,
            frequency: Vec::new(),
            store_purpose: Some(kind),
            extensions: ext(&notes),
        });
    }
    let third_parties = if partner {
        vec![ThirdParty {
            id: TRACKING_PARTNER.to_string(),
            name: "TODO: the tracking partner's name".to_string(),
            region: String::new(),
            contact: None,
            init_requires: purposes.iter().filter(|p| p.tracking).map(|p| p.id.clone()).collect(),
            tracking_domains: decl.tracking_domains.clone(),
            sdk_modules: Vec::new(),
            extensions: ext(&[("todo", todo("name the partner, its region (CK014) and privacy contact; split it per SDK and add sdk_modules for `consentkit check-sdks`"))]),
        }]
    } else {
        Vec::new()
    };
    Manifest {
        schema: MANIFEST_SCHEMA_V1.to_string(),
        app: App {
            id: opts.app_id.clone(),
            name: opts.name.clone(),
            category: opts.category.clone(),
            region: opts.region.clone(),
            filing_number: None,
            age_gate: false,
            encrypted_in_transit: None,
            deletion_url: None,
            extensions: ext(&[("todo", todo("app id and name (CK023), the MIIT filing number for a CN app (CK009), age_gate or children_rules (CK027), encrypted_in_transit and deletion_url for Play"))]),
        },
        policy: Policy {
            version: String::new(),
            url: String::new(),
            extensions: ext(&[("todo", todo("the version and URL of the published privacy policy (CK022)"))]),
        },
        children_rules: None,
        rule_pack: opts.pack.clone(),
        data_types,
        purposes,
        third_parties,
        features: Vec::new(),
        frameworks: None,
        extensions: ext(&[
            ("imported-from", json!(opts.source)),
            ("todo", todo("add features with tiers, richest first, each ending with a basic tier; then run `consentkit lint` until it is clean")),
        ]),
    }
}
