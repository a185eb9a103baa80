//! The app-store declarations end to end (issue 19): `export apple-privacy` parsed back with the plist parser,
//! `export play-data-safety`, `import apple-privacy` and the export → import round trip for every example,
//! `check-sdks` on SDK privacy manifests written in XML and binary plist, the mapping table's coverage, and the iOS
//! package's own PrivacyInfo.xcprivacy generated from the table.
#![cfg(feature = "cli")]

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use consentkit::declare::import::{draft, DraftOptions};
use consentkit::declare::play::PlayAnswers;
use consentkit::declare::plist_io;
use consentkit::declare::sdks::{check, find_manifests};
use consentkit::declare::AppleDeclaration;
use consentkit::manifest::{parse_manifest, Manifest, StorePurpose};
use consentkit::rules::{lint, RulePack, StoreDeclarations};
use plist::Value;
use serde_json::Value as Json;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ck<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_consentkit")).args(args).current_dir(root()).output().expect("run consentkit")
}

#[track_caller]
fn expect_code(o: &Output, want: i32) {
    assert_eq!(
        o.status.code(),
        Some(want),
        "exit code\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn table() -> &'static StoreDeclarations {
    StoreDeclarations::get().expect("the embedded table parses")
}

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    assert!(v.len() >= 5);
    v
}

fn load(path: &Path) -> Manifest {
    parse_manifest(&std::fs::read(path).unwrap()).unwrap()
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/sdks")
}

fn dict(v: &Value) -> &plist::Dictionary {
    v.as_dictionary().expect("a dictionary")
}

// ---------------------------------------------------------------------------------------------------------------
// the table

#[test]
fn every_vocabulary_type_maps_to_an_apple_category_and_a_play_data_type() {
    let t = table();
    for id in RulePack::IDS {
        let pack = RulePack::get(id).unwrap();
        for vocab in pack.data_types.keys() {
            let m = t.vocabulary.get(vocab).unwrap_or_else(|| panic!("{id}: {vocab} has no mapping"));
            assert!(t.is_apple_data_type(&m.apple), "{vocab}: {} is not Apple's", m.apple);
            assert!(
                t.play_data_types.iter().any(|s| s.section == m.play[0] && s.types.contains(&m.play[1])),
                "{vocab}: {:?} is not a Play data type",
                m.play
            );
        }
    }
    // Coverage (reported in docs/cli.md): 51 types, 41 to a named category, the rest to OtherDataTypes.
    let named = t.vocabulary.values().filter(|v| v.apple != "OtherDataTypes").count();
    assert_eq!((t.vocabulary.len(), named), (51, 41));
    for (apple, vocab) in &t.apple_import {
        assert!(t.is_apple_data_type(apple), "{apple}");
        assert!(t.vocabulary.contains_key(vocab), "import of {apple} uses {vocab}, not in the vocabulary");
    }
    // Apple's 35 documented categories (Describing data use in privacy manifests, 2026-11, with Surroundings and
    // Body) and its six purposes.
    assert_eq!(t.apple_data_types.iter().map(|g| g.types.len()).sum::<usize>(), 35);
    let purposes: BTreeSet<&str> = t.apple_purpose_import.keys().map(String::as_str).collect();
    let want = ["Analytics", "AppFunctionality", "DeveloperAdvertising", "Other", "ProductPersonalization", "ThirdPartyAdvertising"];
    assert_eq!(purposes, want.into_iter().collect());
    for kind in [
        StorePurpose::AppFunctionality,
        StorePurpose::Analytics,
        StorePurpose::Personalization,
        StorePurpose::DeveloperAdvertising,
        StorePurpose::ThirdPartyAdvertising,
        StorePurpose::DeveloperCommunications,
        StorePurpose::FraudPrevention,
        StorePurpose::AccountManagement,
        StorePurpose::Other,
    ] {
        let k = t.purpose_mapping(kind).unwrap_or_else(|| panic!("{kind:?} has no mapping"));
        assert!(purposes.contains(k.apple.as_str()), "{kind:?} -> {}", k.apple);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// export apple-privacy

#[test]
fn export_apple_privacy_is_a_plist_that_declares_every_collected_type() {
    for path in examples() {
        let o = ck(&["export", "apple-privacy", path.to_str().unwrap()]);
        expect_code(&o, 0);
        let again = ck(&["export", "apple-privacy", path.to_str().unwrap()]);
        assert_eq!(o.stdout, again.stdout, "stable output");
        let value = Value::from_reader_xml(Cursor::new(&o.stdout)).expect("an XML property list");
        let root = dict(&value);
        let m = load(&path);
        assert_eq!(root["NSPrivacyTracking"].as_boolean(), Some(m.purposes.iter().any(|p| p.tracking)), "{path:?}");
        let collected = root["NSPrivacyCollectedDataTypes"].as_array().unwrap();
        let declared: BTreeSet<String> = collected
            .iter()
            .map(|c| {
                let c = dict(c);
                for key in ["NSPrivacyCollectedDataTypeLinked", "NSPrivacyCollectedDataTypeTracking"] {
                    assert!(c[key].as_boolean().is_some(), "{key}");
                }
                assert!(!c["NSPrivacyCollectedDataTypePurposes"].as_array().unwrap().is_empty());
                c["NSPrivacyCollectedDataType"].as_string().unwrap().to_string()
            })
            .collect();
        let want: BTreeSet<String> = m
            .purposes
            .iter()
            .flat_map(|p| p.data_types.iter())
            .map(|d| format!("NSPrivacyCollectedDataType{}", table().apple_data_type(&m, d).unwrap()))
            .collect();
        assert_eq!(declared, want, "{path:?}");
        assert_eq!(declared.len(), collected.len(), "one entry per category");
    }
}

#[test]
fn ride_hailing_tracks_with_the_ad_sdk_domain_and_device_id() {
    let o = ck(&["export", "apple-privacy", "examples/ride_hailing.json"]);
    expect_code(&o, 0);
    let value = Value::from_reader_xml(Cursor::new(&o.stdout)).unwrap();
    let root = dict(&value);
    assert_eq!(root["NSPrivacyTracking"].as_boolean(), Some(true));
    let domains: Vec<&str> = root["NSPrivacyTrackingDomains"].as_array().unwrap().iter().map(|d| d.as_string().unwrap()).collect();
    assert_eq!(domains, ["track.adnet.example"]);
    let entry = |name: &str| {
        root["NSPrivacyCollectedDataTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(dict)
            .find(|c| c["NSPrivacyCollectedDataType"].as_string() == Some(name))
            .unwrap_or_else(|| panic!("{name} declared"))
            .clone()
    };
    let device = entry("NSPrivacyCollectedDataTypeDeviceID");
    assert_eq!(device["NSPrivacyCollectedDataTypeTracking"].as_boolean(), Some(true));
    assert_eq!(device["NSPrivacyCollectedDataTypeLinked"].as_boolean(), Some(true));
    let purposes = device["NSPrivacyCollectedDataTypePurposes"].as_array().unwrap();
    assert_eq!(purposes[0].as_string(), Some("NSPrivacyCollectedDataTypePurposeThirdPartyAdvertising"));
    let phone = entry("NSPrivacyCollectedDataTypePhoneNumber");
    assert_eq!(phone["NSPrivacyCollectedDataTypeTracking"].as_boolean(), Some(false));
    let purposes = phone["NSPrivacyCollectedDataTypePurposes"].as_array().unwrap();
    assert_eq!(purposes[0].as_string(), Some("NSPrivacyCollectedDataTypePurposeAppFunctionality"));
}

#[test]
fn export_refuses_a_type_without_apple_category_and_a_failing_manifest() {
    let o = ck(&["export", "apple-privacy", "examples/broken/CK028-data-type-without-apple-category.json"]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("CK028") && stderr(&o).contains("loyalty_points"), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "nothing half-declared on stdout");
    let o = ck(&["export", "apple-privacy", "examples/broken/CK003-necessary-beyond-category.json"]);
    expect_code(&o, 1);
    let o = ck(&["export", "play-data-safety", "examples/broken/CK003-necessary-beyond-category.json"]);
    expect_code(&o, 1);
    for args in [
        vec!["export", "apple-privacy", "no/such.json"],
        vec!["export", "play-data-safety", "no/such.json"],
        vec!["export", "apple-privacy"],
        vec!["export", "play-data-safety", "examples/news.json", "--format", "csv"],
        vec!["export", "google"],
    ] {
        expect_code(&ck(&args), 2);
    }
    for args in [vec!["export", "--help"], vec!["import", "apple-privacy", "--help"], vec!["check-sdks", "--help"]] {
        expect_code(&ck(&args), 0);
    }
}

#[test]
fn an_app_declared_type_uses_its_apple_data_type_and_linked_override() {
    let mut m = load(&fixtures().join("app.json"));
    let decl = AppleDeclaration::of(&m, table()).unwrap();
    let diag = decl.collected.iter().find(|c| c.apple == "OtherDiagnosticData").expect("declared through apple_data_type");
    assert!(!diag.linked, "linked_to_identity: false is honoured");
    let crash = decl.collected.iter().find(|c| c.apple == "CrashData").unwrap();
    assert!(!crash.linked);
    // Without the override, crash data collected alongside nothing identifying is still not linked; once a purpose
    // collects it with the account id, it is.
    m.data_types.remove("crash_diagnostics");
    m.purposes.iter_mut().find(|p| p.id == "crash_reports").unwrap().data_types.push("account_id".into());
    let decl = AppleDeclaration::of(&m, table()).unwrap();
    assert!(decl.collected.iter().find(|c| c.apple == "CrashData").unwrap().linked);
}

// ---------------------------------------------------------------------------------------------------------------
// import apple-privacy and the round trip

fn options(m: &Manifest) -> DraftOptions {
    DraftOptions {
        category: m.app.category.clone(),
        pack: m.rule_pack.clone(),
        region: m.app.region.clone(),
        app_id: m.app.id.clone(),
        name: m.app.name.clone(),
        source: "test".into(),
    }
}

#[test]
fn export_then_import_gives_the_same_data_types_and_tracking_for_every_example() {
    let t = table();
    let mut files = examples();
    files.push(fixtures().join("app.json"));
    for path in files {
        let m = load(&path);
        let exported = AppleDeclaration::of(&m, t).unwrap();
        for bytes in [plist_io::to_xml(&exported, t).into_bytes(), plist_io::to_binary(&exported, t)] {
            let read = plist_io::read(&bytes, t).unwrap();
            assert!(read.unknown_names.is_empty(), "{:?}", read.unknown_names);
            assert_eq!(read.declaration, exported, "{path:?}: the plist reads back as written");
            let draft = draft(&read.declaration, t, &options(&m));
            // The draft is a manifest (it parses as one), and re-exporting it declares the same.
            let text = serde_json::to_string_pretty(&draft).unwrap();
            let reparsed = parse_manifest(text.as_bytes()).unwrap_or_else(|e| panic!("{path:?}: {e}\n{text}"));
            let again = AppleDeclaration::of(&reparsed, t).unwrap();
            assert_eq!(again, exported, "{path:?}: round trip\n{text}");
        }
    }
}

#[test]
fn import_writes_a_draft_that_lint_guides() {
    let ads = "tests/fixtures/sdks/Pods/ExampleAdsSDK/Frameworks/ExampleAdsSDK.xcframework/ios-arm64/ExampleAdsSDK.framework/PrivacyInfo.xcprivacy";
    let o = ck(&["import", "apple-privacy", ads, "--category", "ride_hailing"]);
    expect_code(&o, 0);
    let v: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["app"]["category"], "ride_hailing");
    assert_eq!(v["app"]["region"], "CN", "the pack's home region");
    assert!(v["x-todo"].as_str().unwrap().starts_with("TODO"));
    // CoarseLocation comes back as the vocabulary's location, declared coarse.
    assert_eq!(v["data_types"]["location"]["apple_data_type"], "CoarseLocation");
    assert_eq!(v["data_types"]["location"]["sensitive"], true, "a sensitive vocabulary type stays sensitive");
    assert_eq!(v["data_types"]["device_id"]["linked_to_identity"], true);
    let purposes = v["purposes"].as_array().unwrap();
    let ids: Vec<&str> = purposes.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["analytics_tracking", "third_party_advertising_tracking"], "one purpose per Apple purpose and tracking flag");
    let tracking = &purposes[1];
    assert_eq!(tracking["tracking"], true);
    assert_eq!(tracking["basis"], "consent");
    assert_eq!(tracking["recipients"][0], "tracking_partner");
    let partner = &v["third_parties"][0];
    assert_eq!(partner["tracking_domains"], serde_json::json!(["mediation.adnet.example", "track.adnet.example"]));
    // The draft parses, and lint names what a human must decide.
    let m = parse_manifest(&o.stdout).unwrap();
    let codes: BTreeSet<String> = lint(&m).into_iter().map(|d| d.code).collect();
    for code in ["CK009", "CK011", "CK012", "CK014", "CK022", "CK023"] {
        assert!(codes.contains(code), "lint guides with {code}: {codes:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let draft_file = dir.path().join("draft.json");
    std::fs::write(&draft_file, &o.stdout).unwrap();
    expect_code(&ck(&["lint", draft_file.to_str().unwrap()]), 1);

    // A necessary purpose only for app functionality, with its own TODO on the basis.
    let chat = "tests/fixtures/sdks/Pods/ChatKit/ChatKit/Resources/PrivacyInfo.xcprivacy";
    let o = ck(&["import", "apple-privacy", chat, "--category", "ride_hailing", "--app-id", "com.example.x", "--name", "X"]);
    expect_code(&o, 0);
    let v: Json = serde_json::from_slice(&o.stdout).unwrap();
    let p = &v["purposes"][0];
    assert_eq!((p["id"].as_str(), p["basis"].as_str()), (Some("app_functionality"), Some("necessary")));
    assert!(p["x-todo-basis"].as_str().unwrap().contains("CK003"));
    assert_eq!(v["data_types"]["apple_emails_or_text_messages"]["apple_data_type"], "EmailsOrTextMessages");
    assert_eq!(v["app"]["id"], "com.example.x");
}

#[test]
fn import_refuses_what_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("PrivacyInfo.xcprivacy");
    std::fs::write(&bad, "<plist><dict><key>NSPrivacyTracking</key><string>yes</string></dict></plist>").unwrap();
    let o = ck(&["import", "apple-privacy", bad.to_str().unwrap(), "--category", "news"]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("NSPrivacyTracking is not a boolean"), "{}", stderr(&o));
    std::fs::write(&bad, "not a plist").unwrap();
    expect_code(&ck(&["import", "apple-privacy", bad.to_str().unwrap()]), 1);
    expect_code(&ck(&["import", "apple-privacy", "no/such.xcprivacy"]), 2);
    let chat = "tests/fixtures/sdks/Pods/ChatKit/ChatKit/Resources/PrivacyInfo.xcprivacy";
    let o = ck(&["import", "apple-privacy", chat, "--category", "space_travel"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("unknown category"));
    expect_code(&ck(&["import", "apple-privacy", chat, "--pack", "eu-gdpr"]), 2);
}

// ---------------------------------------------------------------------------------------------------------------
// export play-data-safety

#[test]
fn play_answers_follow_the_manifest() {
    let o = ck(&["export", "play-data-safety", "examples/ride_hailing.json", "--format", "json"]);
    expect_code(&o, 0);
    let v: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["collects_or_shares"], true);
    assert_eq!(v["encrypted_in_transit"], true);
    assert_eq!(v["deletion_url"], "https://ride.example.com/account/delete");
    let rows = v["data_types"].as_array().unwrap();
    let row = |label: &str| rows.iter().find(|r| r["data_type"] == label).unwrap_or_else(|| panic!("{label}"));
    let ids = row("Device or other IDs");
    assert_eq!(ids["shared"], true);
    assert_eq!(ids["shared_with"], serde_json::json!(["Example Ads SDK"]));
    assert_eq!(ids["optional"], true, "only a consent purpose collects it");
    assert_eq!(ids["shared_for"], serde_json::json!(["Advertising or marketing"]));
    let location = row("Precise location");
    assert_eq!(location["optional"], false, "a necessary purpose collects it");
    assert_eq!(location["shared"], false);
    assert_eq!(location["from"], serde_json::json!(["departure", "destination", "location", "trajectory"]));
    // The form's order: Location before Personal info before Device or other IDs.
    let sections: Vec<&str> = rows.iter().map(|r| r["section"].as_str().unwrap()).collect();
    assert_eq!(sections.first(), Some(&"Location"));
    assert_eq!(sections.last(), Some(&"Device or other IDs"));

    let o = ck(&["export", "play-data-safety", "examples/news.json"]);
    expect_code(&o, 0);
    let md = String::from_utf8(o.stdout).unwrap();
    for heading in ["## 1. Data collection and security", "## 2. Data types", "## 3. Data usage and handling"] {
        assert!(md.contains(heading), "{heading}");
    }
    assert!(md.contains("TODO: set app.encrypted_in_transit"), "an undeclared answer is left to a human");
}

#[test]
fn play_answers_leave_app_declared_types_to_a_human() {
    let m = load(&fixtures().join("app.json"));
    let answers = PlayAnswers::of(&m, table());
    assert_eq!(answers.unmapped, ["app_diagnostics", "chat_messages"]);
    assert!(answers.markdown().contains("TODO: `chat_messages`"));
}

// ---------------------------------------------------------------------------------------------------------------
// check-sdks

fn findings(args: &[&str]) -> (Output, Vec<(String, String)>) {
    let mut all = vec!["check-sdks"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    let o = ck(&all);
    let v: Json = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    let mut f: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["sdk"].as_str().unwrap().to_string()))
        .collect();
    f.sort();
    (o, f)
}

fn pair(code: &str, sdk: &str) -> (String, String) {
    (code.to_string(), sdk.to_string())
}

#[test]
fn check_sdks_reports_unconsented_collection_undeclared_domains_and_unknown_sdks() {
    let (o, f) = findings(&["tests/fixtures/sdks/app.json", "tests/fixtures/sdks/Pods", "tests/fixtures/sdks/SourcePackages"]);
    expect_code(&o, 1);
    assert_eq!(
        f,
        [
            pair("SDK002", "AnalyticsKit"),  // SearchHistory: the analytics purpose sends only usage
            pair("SDK002", "ExampleAdsSDK"), // CoarseLocation: the ads purpose sends no location
            pair("SDK004", "ExampleAdsSDK"), // mediation.adnet.example is not declared
            pair("SDK006", "PrettyButtons"), // collects nothing, matches nobody: a warning
            pair("SDK007", "AnalyticsKit"),  // NSPrivacyCollectedDataTypePurposeAnalytic is not Apple's
        ]
    );
    let v: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["errors"].as_u64(), v["warnings"].as_u64(), v["ok"].as_bool()), (Some(3), Some(2), Some(false)));
    let matched: Vec<(&str, &str)> = v["sdks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| Some((s["name"].as_str()?, s["recipient"].as_str()?)))
        .collect();
    assert_eq!(
        matched,
        [("AnalyticsKit", "statsco"), ("ChatKit", "chatco"), ("ExampleAdsSDK", "adnet"), ("crash-kit", "crashco")],
        "CocoaPods, xcframework, resource-bundle and SwiftPM layouts are matched by sdk_modules"
    );
    // Text output: compiler style, one summary line.
    let o = ck(&["check-sdks", "tests/fixtures/sdks/app.json", "tests/fixtures/sdks"]);
    expect_code(&o, 1);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("error[SDK004]: SDK \"ExampleAdsSDK\" tracks through mediation.adnet.example"), "{text}");
    assert!(text.ends_with("5 privacy manifest(s) of 5 SDK(s), 4 matched to a third party: 3 error(s), 2 warning(s)\n"), "{text}");
}

#[test]
fn check_sdks_passes_sdks_the_manifest_covers() {
    let (o, f) = findings(&[
        "tests/fixtures/sdks/app.json",
        "tests/fixtures/sdks/Pods/ChatKit",
        "tests/fixtures/sdks/SourcePackages",
        "tests/fixtures/sdks/Pods/PrettyButtons",
    ]);
    expect_code(&o, 0);
    assert_eq!(f, [pair("SDK006", "PrettyButtons")], "warnings alone exit 0");
}

/// A copy of the fixture manifest, edited.
fn edited(dir: &Path, edit: impl FnOnce(&mut Json)) -> PathBuf {
    let mut v: Json = serde_json::from_slice(&std::fs::read(fixtures().join("app.json")).unwrap()).unwrap();
    edit(&mut v);
    let path = dir.join("app.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    path
}

#[test]
fn check_sdks_reports_tracking_without_a_tracking_purpose_and_sdks_matching_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited(dir.path(), |v| {
        let ads = v["purposes"].as_array_mut().unwrap().iter_mut().find(|p| p["id"] == "ads").unwrap();
        ads["tracking"] = Json::Bool(false);
        let chat = v["third_parties"].as_array_mut().unwrap().iter_mut().find(|t| t["id"] == "chatco").unwrap();
        chat.as_object_mut().unwrap().remove("sdk_modules");
    });
    let m = path.to_str().unwrap();
    let (o, f) = findings(&[m, "tests/fixtures/sdks/Pods/ExampleAdsSDK", "tests/fixtures/sdks/Pods/ChatKit"]);
    expect_code(&o, 1);
    assert_eq!(
        f,
        [
            pair("SDK002", "ExampleAdsSDK"),
            pair("SDK003", "ExampleAdsSDK"), // tracks, but "ads" is no longer a tracking purpose
            pair("SDK004", "ExampleAdsSDK"),
            pair("SDK005", "ChatKit"), // collects messages, photos and a user id for nobody declared
        ]
    );
}

#[test]
fn check_sdks_reports_an_unreadable_manifest_and_refuses_bad_paths() {
    let dir = tempfile::tempdir().unwrap();
    let sdk = dir.path().join("Pods/Broken");
    std::fs::create_dir_all(&sdk).unwrap();
    std::fs::write(sdk.join("PrivacyInfo.xcprivacy"), "<plist><dict><key>NSPrivacyCollectedDataTypes</key><true/>").unwrap();
    let (o, f) = findings(&["tests/fixtures/sdks/app.json", dir.path().to_str().unwrap()]);
    expect_code(&o, 1);
    assert_eq!(f, [pair("SDK001", "Broken")]);
    expect_code(&ck(&["check-sdks", "tests/fixtures/sdks/app.json", "no/such/dir"]), 2);
    expect_code(&ck(&["check-sdks", "no/such.json", "tests/fixtures/sdks"]), 2);
    expect_code(&ck(&["check-sdks", "tests/fixtures/sdks/app.json"]), 2);
    expect_code(&ck(&["check-sdks", "examples/broken/CK003-necessary-beyond-category.json", "tests/fixtures/sdks"]), 1);
}

#[test]
fn sdk_fixtures_parse_in_both_encodings() {
    let files = find_manifests(&fixtures()).unwrap();
    assert_eq!(files.len(), 5);
    let mut binary = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        binary += usize::from(bytes.starts_with(b"bplist00"));
        plist_io::read(&bytes, table()).unwrap_or_else(|e| panic!("{f:?}: {e}"));
    }
    assert_eq!(binary, 2, "two fixtures are binary plists");
    let ads = files.iter().find(|f| f.to_str().unwrap().contains("ExampleAdsSDK")).unwrap();
    let read = plist_io::read(&std::fs::read(ads).unwrap(), table()).unwrap();
    assert!(read.declaration.tracking);
    assert_eq!(read.declaration.tracking_domains, ["mediation.adnet.example", "track.adnet.example"], "lower-cased, sorted");
    assert_eq!(read.declaration.accessed_apis.len(), 3, "required-reason entries are read");
    let chat = files.iter().find(|f| f.to_str().unwrap().contains("ChatKit")).unwrap();
    let read = plist_io::read(&std::fs::read(chat).unwrap(), table()).unwrap();
    let types: Vec<&str> = read.declaration.collected.iter().map(|c| c.apple.as_str()).collect();
    assert_eq!(types, ["EmailsOrTextMessages", "PhotosorVideos", "UserID"], "comments and a vendor dictionary are skipped");
    let m = load(&fixtures().join("app.json"));
    let report = check(&m, table(), &[(fixtures(), chat.clone())]);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

// ---------------------------------------------------------------------------------------------------------------
// the iOS package's own privacy manifest

#[test]
fn the_ios_package_privacy_manifest_is_generated_from_the_table() {
    let path = root().join("ios/Sources/ConsentKitPrivacy/PrivacyInfo.xcprivacy");
    let want = plist_io::to_xml(&AppleDeclaration::consentkit_sdk(table()), table());
    if std::env::var_os("CONSENTKIT_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap();
    assert_eq!(have, want, "regenerate with CONSENTKIT_BLESS=1 cargo test --features cli --test cli_declarations");
    let read = plist_io::read(have.as_bytes(), table()).unwrap();
    assert!(!read.declaration.tracking && read.declaration.collected.is_empty() && read.declaration.tracking_domains.is_empty());
    let apis: Vec<(&str, &str)> =
        read.declaration.accessed_apis.iter().map(|a| (a.category.as_str(), a.reasons[0].as_str())).collect();
    assert_eq!(
        apis,
        [("NSPrivacyAccessedAPICategoryFileTimestamp", "C617.1"), ("NSPrivacyAccessedAPICategoryDiskSpace", "E174.1")]
    );
}

#[test]
fn check_sdks_reports_an_xcframework_once_for_all_its_slices() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixtures().join(
        "Pods/ExampleAdsSDK/Frameworks/ExampleAdsSDK.xcframework/ios-arm64/ExampleAdsSDK.framework/PrivacyInfo.xcprivacy",
    );
    for slice in ["ios-arm64", "ios-arm64_x86_64-simulator"] {
        let to = dir.path().join(format!("Pods/ExampleAdsSDK/ExampleAdsSDK.xcframework/{slice}/ExampleAdsSDK.framework"));
        std::fs::create_dir_all(&to).unwrap();
        std::fs::copy(&src, to.join("PrivacyInfo.xcprivacy")).unwrap();
    }
    let (o, f) = findings(&["tests/fixtures/sdks/app.json", dir.path().to_str().unwrap()]);
    expect_code(&o, 1);
    assert_eq!(f, [pair("SDK002", "ExampleAdsSDK"), pair("SDK004", "ExampleAdsSDK")]);
    let v: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sdks"][0]["files"].as_array().unwrap().len(), 2, "one SDK with two privacy manifests");
}
