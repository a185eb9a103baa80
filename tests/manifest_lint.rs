//! The manifest model and lint against the example manifests: every example is clean, every broken example fires
//! exactly its code, definition hashes behave, and bad input gets a typed error with a path.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use consentkit::error::ManifestError;
use consentkit::manifest::{parse_manifest, Manifest};
use consentkit::rules::{definition_hash, lint, RulePack, Severity, CODES};

/// A named change to a manifest.
type Edit = Box<dyn Fn(&mut Manifest)>;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    v.sort();
    v
}

#[test]
fn every_example_is_lint_clean_and_loads() {
    let files = json_files(&root().join("examples"));
    assert!(files.len() >= 5, "expected at least five example manifests");
    for f in files {
        let bytes = fs::read(&f).unwrap();
        let m = parse_manifest(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let diags = lint(&m);
        assert!(diags.is_empty(), "{}: {diags:#?}", f.display());
        Manifest::load(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
}

#[test]
fn every_broken_example_fires_exactly_its_code() {
    let files = json_files(&root().join("examples/broken"));
    let mut covered = BTreeSet::new();
    for f in &files {
        let bytes = fs::read(f).unwrap();
        let m = parse_manifest(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let expected = m.extensions["x-expect"].as_str().unwrap().to_string();
        let codes: BTreeSet<String> = lint(&m).into_iter().map(|d| d.code).collect();
        assert_eq!(codes, BTreeSet::from([expected.clone()]), "{}", f.display());
        covered.insert(expected);
    }
    let all: BTreeSet<String> = CODES.iter().map(|(c, ..)| c.to_string()).collect();
    assert_eq!(covered, all, "every lint code needs a broken example");
}

#[test]
fn load_refuses_errors_and_returns_every_diagnostic() {
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(root().join("examples/news.json")).unwrap()).unwrap();
    v["app"]["filing_number"] = "nonsense".into();
    v["purposes"][0]["retention_days"] = serde_json::Value::Null;
    v["purposes"][1]["description"] = "".into();
    let err = Manifest::load(v.to_string().as_bytes()).unwrap_err();
    let ManifestError::Lint { diagnostics } = err else { panic!("expected lint error, got {err:?}") };
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["CK010", "CK012", "CK011"], "{diagnostics:#?}");
    assert!(diagnostics.iter().all(|d| !d.fix.is_empty() && !d.path.is_empty()));
    assert_eq!(diagnostics[1].path, "purposes[0].retention_days");
}

#[test]
fn warnings_do_not_block_loading() {
    let bytes = fs::read(root().join("examples/broken/CK020-basic-tier-needs-separate-consent.json")).unwrap();
    let valid = Manifest::load(&bytes).expect("warnings only");
    assert_eq!(valid.warnings.len(), 1);
    assert_eq!(valid.warnings[0].severity, Severity::Warning);
}

#[test]
fn definition_hash_ignores_field_order_and_whitespace_but_not_content() {
    let manifest = |purpose: &str| -> Manifest {
        let text = format!(
            r#"{{"schema":"consentkit/manifest/v1","app":{{"id":"a","name":"A","region":"CN"}},
               "policy":{{"version":"1","url":"https://x"}},"rule_pack":"none",
               "third_parties":[{{"id":"adnet","name":"Ads","region":"CN"}}],"purposes":[{purpose}]}}"#
        );
        consentkit::manifest::parse_manifest(text.as_bytes()).unwrap()
    };
    let a = r#"{"id":"ads","description":"x","basis":"consent","data_types":["device_id","usage_history"],
               "recipients":["adnet"],"storage_region":"SG","retention_days":90}"#;
    let b = r#"{ "retention_days" : 90, "storage_region":"SG", "recipients":["adnet"],
                 "data_types":["usage_history","device_id"], "basis":"consent","description":"x","id":"ads"}"#;
    let pack = RulePack::get("cn-2021").unwrap();
    let hash = |m: &Manifest| definition_hash(m, pack, &m.purposes[0]);
    let (ma, mb) = (manifest(a), manifest(b));
    assert_eq!(hash(&ma), hash(&mb));
    assert!(hash(&ma).starts_with("sha256:") && hash(&ma).len() == 7 + 64);
    // Each of these is something the user was shown or decides which consent is needed: each changes the hash.
    let edits: Vec<(&str, Edit)> = vec![
        ("data type added", Box::new(|m| m.purposes[0].data_types.push("location".into()))),
        ("storage region", Box::new(|m| m.purposes[0].storage_region = "CN".into())),
        ("retention", Box::new(|m| m.purposes[0].retention_days = Some(91))),
        ("recipient removed", Box::new(|m| m.purposes[0].recipients.clear())),
        ("description", Box::new(|m| m.purposes[0].description = Some("something else".into()))),
        ("tracking", Box::new(|m| m.purposes[0].tracking = true)),
        ("basis", Box::new(|m| m.purposes[0].basis = consentkit::manifest::Basis::Necessary)),
        ("recipient moved abroad", Box::new(|m| m.third_parties[0].region = "US".into())),
        ("recipient renamed", Box::new(|m| m.third_parties[0].name = "Other Ads Ltd".into())),
        ("recipient contact", Box::new(|m| m.third_parties[0].contact = Some("dpo@ads.example".into()))),
        (
            "data type made sensitive",
            Box::new(|m| {
                m.data_types.insert(
                    "usage_history".into(),
                    serde_json::from_str(r#"{"sensitive":true}"#).unwrap(),
                );
            }),
        ),
        (
            "data type described differently",
            Box::new(|m| {
                m.data_types.insert(
                    "device_id".into(),
                    serde_json::from_str(r#"{"description":"another identifier"}"#).unwrap(),
                );
            }),
        ),
    ];
    for (what, edit) in edits {
        let mut changed = ma.clone();
        edit(&mut changed);
        assert_ne!(hash(&ma), hash(&changed), "{what} must change the definition hash");
    }
    // Only x- extensions and frequency limits stay outside.
    let mut ext = ma.clone();
    ext.purposes[0].extensions.insert("x-team".into(), serde_json::json!("growth"));
    assert_eq!(hash(&ma), hash(&ext));
}

fn example_value() -> serde_json::Value {
    serde_json::from_slice(&fs::read(root().join("examples/ride_hailing.json")).unwrap()).unwrap()
}

#[test]
fn unknown_fields_are_rejected_with_paths_but_x_fields_are_accepted() {
    let mut v = example_value();
    v["purposes"][1]["frequncy"] = serde_json::json!([]);
    v["app"]["colour"] = "red".into();
    v["x-build"] = "42".into();
    v["purposes"][0]["x-owner"] = "team-a".into();
    match parse_manifest(v.to_string().as_bytes()) {
        Err(ManifestError::UnknownFields { paths }) => assert_eq!(paths, ["app.colour", "purposes[1].frequncy"]),
        other => panic!("expected unknown fields, got {other:?}"),
    }
    v["purposes"][1].as_object_mut().unwrap().remove("frequncy");
    v["app"].as_object_mut().unwrap().remove("colour");
    assert!(parse_manifest(v.to_string().as_bytes()).is_ok());
}

#[test]
fn wrong_types_report_the_json_path() {
    let mut v = example_value();
    v["purposes"][2]["basis"] = "maybe".into();
    match parse_manifest(v.to_string().as_bytes()) {
        Err(ManifestError::Syntax { path, .. }) => assert_eq!(path, "purposes[2].basis"),
        other => panic!("{other:?}"),
    }
    let mut v = example_value();
    v["purposes"][0]["retention_days"] = "a year".into();
    match parse_manifest(v.to_string().as_bytes()) {
        Err(ManifestError::Syntax { path, .. }) => assert_eq!(path, "purposes[0].retention_days"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_bytes_get_typed_errors() {
    assert!(matches!(parse_manifest(b"{\"schema\": "), Err(ManifestError::Syntax { .. })));
    assert!(matches!(parse_manifest(b""), Err(ManifestError::Syntax { .. })));
    let mut not_utf8 = fs::read(root().join("examples/news.json")).unwrap();
    let at = not_utf8.iter().position(|&b| b == b'E').unwrap();
    not_utf8[at] = 0xff;
    assert!(matches!(parse_manifest(&not_utf8), Err(ManifestError::Syntax { .. })));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(parse_manifest(deep.as_bytes()), Err(ManifestError::Syntax { .. })));
    let mut deep_ext = example_value();
    deep_ext["x-deep"] = serde_json::Value::Null;
    let text = deep_ext.to_string().replace("\"x-deep\":null", &format!("\"x-deep\":{}1{}", "[".repeat(5000), "]".repeat(5000)));
    assert!(matches!(parse_manifest(text.as_bytes()), Err(ManifestError::Syntax { .. })));
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let big = vec![b' '; 50 * 1024 * 1024];
    let started = std::time::Instant::now();
    assert!(matches!(parse_manifest(&big), Err(ManifestError::TooLarge { .. })));
    assert!(started.elapsed().as_secs() < 5);
    let mut v = example_value();
    v["purposes"][0]["description"] = "d".repeat(1024 * 1024).into();
    match parse_manifest(v.to_string().as_bytes()) {
        Err(ManifestError::LimitExceeded { path, .. }) => assert_eq!(path, "purposes[0].description"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn duplicate_ids_and_unknown_data_types_have_paths() {
    let mut v = example_value();
    v["purposes"][2]["id"] = "ride".into();
    v["purposes"][1]["data_types"][0] = "telepathy".into();
    let m = parse_manifest(v.to_string().as_bytes()).unwrap();
    let d: Vec<(String, String)> = lint(&m).into_iter().map(|d| (d.code, d.path)).collect();
    assert!(d.contains(&("CK013".into(), "purposes[2].id".into())), "{d:?}");
    assert!(d.contains(&("CK006".into(), "purposes[1].data_types[0]".into())), "{d:?}");
}

#[test]
fn every_code_is_documented() {
    let doc = fs::read_to_string(root().join("docs/lint.md")).unwrap();
    for (code, severity, _) in CODES {
        let sev = if *severity == Severity::Error { "error" } else { "warning" };
        assert!(doc.contains(&format!("| {code} | {sev} |")), "{code} missing from docs/lint.md");
    }
}

fn example(name: &str) -> serde_json::Value {
    serde_json::from_slice(&fs::read(root().join("examples").join(name)).unwrap()).unwrap()
}

/// `(code, path)` of every diagnostic of a manifest given as JSON.
fn findings(v: &serde_json::Value) -> Vec<(String, String)> {
    let m = parse_manifest(v.to_string().as_bytes()).unwrap();
    lint(&m).into_iter().map(|d| (d.code, d.path)).collect()
}

fn finding(code: &str, path: &str) -> (String, String) {
    (code.to_string(), path.to_string())
}

#[test]
fn regions_must_be_upper_case_iso_3166_alpha2_codes() {
    for bad in ["CHN", "China", "cn", " CN", "EU", "UK", "XX"] {
        let mut v = example_value();
        v["app"]["region"] = bad.into();
        assert!(findings(&v).contains(&finding("CK024", "app.region")), "app.region {bad:?}");
        // Before CK024, "CHN" skipped the CN filing check and the manifest loaded.
        assert!(matches!(Manifest::load(v.to_string().as_bytes()), Err(ManifestError::Lint { .. })), "{bad:?}");

        let mut v = example_value();
        v["purposes"][0]["storage_region"] = bad.into();
        assert!(findings(&v).contains(&finding("CK024", "purposes[0].storage_region")), "storage_region {bad:?}");

        let mut v = example_value();
        v["third_parties"][0]["region"] = bad.into();
        assert!(findings(&v).contains(&finding("CK024", "third_parties[0].region")), "third party region {bad:?}");
    }
    // An empty storage region is not a region either; empty app and third-party regions keep their own codes.
    let mut v = example_value();
    v["purposes"][1]["storage_region"] = "".into();
    assert!(findings(&v).contains(&finding("CK024", "purposes[1].storage_region")));
    let mut v = example_value();
    v["third_parties"][0]["region"] = "".into();
    assert!(findings(&v).iter().all(|(c, _)| c != "CK024"));
    // Any assigned code is accepted, whether or not a rule pack knows the region.
    for good in ["SG", "US", "HK", "DE", "AX"] {
        let mut v = example_value();
        v["purposes"][2]["storage_region"] = good.into();
        v["third_parties"][0]["region"] = good.into();
        assert!(findings(&v).is_empty(), "{good}: {:?}", findings(&v));
    }
}

#[test]
fn the_embedded_region_list_is_the_249_assigned_codes() {
    use consentkit::rules::{is_region_code, ISO_3166_ALPHA2};
    assert!(ISO_3166_ALPHA2.windows(2).all(|w| w[0] < w[1]), "sorted and distinct (binary search)");
    assert!(ISO_3166_ALPHA2.iter().all(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase())));
    for code in ["CN", "HK", "MO", "TW", "SG", "US", "GB", "ZW", "AD"] {
        assert!(is_region_code(code), "{code}");
    }
    for not in ["", "C", "cn", "CHN", "UK", "EU", "XK", "AN"] {
        assert!(!is_region_code(not), "{not:?}");
    }
}

#[test]
fn an_app_in_china_must_use_a_rule_pack_written_for_china() {
    let mut v = example("news.json");
    v["rule_pack"] = "none".into();
    let m = parse_manifest(v.to_string().as_bytes()).unwrap();
    let d = lint(&m);
    assert_eq!(d.iter().map(|d| (d.code.as_str(), d.path.as_str())).collect::<Vec<_>>(), [("CK025", "rule_pack")]);
    assert_eq!(d[0].severity, Severity::Error);
    assert!(d[0].fix.contains("\"cn-2021\""), "{}", d[0].fix);
    // The same app outside China may use the generic pack.
    v["app"]["region"] = "SG".into();
    assert!(findings(&v).is_empty(), "{:?}", findings(&v));
}

#[test]
fn an_sdk_may_not_be_initialised_before_every_purpose_that_feeds_it() {
    let mut v = example_value();
    v["third_parties"][0]["init_requires"] = serde_json::json!([]);
    let m = parse_manifest(v.to_string().as_bytes()).unwrap();
    let d = lint(&m);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].code.as_str(), d[0].path.as_str()), ("CK026", "third_parties[0].init_requires"));
    assert!(d[0].message.contains("\"ads\"") && d[0].fix.contains("\"ads\""), "{d:#?}");

    // A second purpose sharing with the SDK: only the one missing from init_requires is named.
    let mut v = example_value();
    let mut second = v["purposes"][2].clone();
    second["id"] = "ad_measurement".into();
    v["purposes"].as_array_mut().unwrap().push(second);
    let m = parse_manifest(v.to_string().as_bytes()).unwrap();
    let d: Vec<_> = lint(&m).into_iter().filter(|d| d.code == "CK026").collect();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].message.contains("\"ad_measurement\"") && !d[0].message.contains("\"ads\""), "{}", d[0].message);
    v["third_parties"][0]["init_requires"] = serde_json::json!(["ad_measurement", "ads"]);
    assert!(findings(&v).is_empty(), "{:?}", findings(&v));
}

#[test]
fn a_pack_with_a_guardian_age_warns_when_a_child_could_go_unnoticed() {
    let mut v = example("news.json");
    v.as_object_mut().unwrap().remove("children_rules");
    let valid = Manifest::load(v.to_string().as_bytes()).expect("a warning does not block loading");
    assert_eq!(valid.warnings.iter().map(|d| (d.code.as_str(), d.severity)).collect::<Vec<_>>(), [("CK027", Severity::Warning)]);
    // Either an age gate or children's rules answers it.
    v["app"]["age_gate"] = true.into();
    assert!(findings(&v).is_empty());
    let mut v = example("ride_hailing.json");
    assert_eq!(v["app"]["age_gate"], true);
    v["app"].as_object_mut().unwrap().remove("age_gate");
    assert_eq!(findings(&v), [finding("CK027", "children_rules")]);
    v["children_rules"] = serde_json::json!({ "version": "1", "url": "https://ride.example.com/children-privacy" });
    assert!(findings(&v).is_empty());
    // A pack without a guardian age has nothing to warn about.
    let mut v = example("news.json");
    v.as_object_mut().unwrap().remove("children_rules");
    v["rule_pack"] = "none".into();
    v["app"]["region"] = "SG".into();
    assert!(findings(&v).is_empty(), "{:?}", findings(&v));
}

#[test]
fn childrens_rules_must_name_their_version_and_url() {
    for field in ["version", "url"] {
        let mut v = example("news.json");
        v["children_rules"][field] = " ".into();
        assert_eq!(findings(&v), [finding("CK022", &format!("children_rules.{field}"))]);
        assert!(Manifest::load(v.to_string().as_bytes()).is_err());
    }
}

#[test]
fn a_filing_number_with_surrounding_whitespace_is_shown_trimmed_and_passes() {
    let mut v = example_value();
    v["app"]["filing_number"] = " \t沪ICP备12345678号-3A \n".into();
    let valid = Manifest::load(v.to_string().as_bytes()).expect("lint clean");
    assert!(valid.warnings.is_empty(), "{:#?}", valid.warnings);
    let shown = consentkit::report::filing(&valid.manifest, valid.pack).expect("a filing to show");
    assert_eq!(shown.number, "沪ICP备12345678号-3A");
    assert_eq!(shown.url, "https://beian.miit.gov.cn/");
    // Whitespace alone is no filing number: the CN app is told to add one.
    v["app"]["filing_number"] = "  ".into();
    assert_eq!(findings(&v), [finding("CK009", "app.filing_number")]);
}
