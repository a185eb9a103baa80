//! `consentkit check-app`: the AndroidManifest.xml and Info.plist fixtures in tests/check_app/ are shaped like real
//! apps' (tools:node merge rules, maxSdkVersion, uses-permission-sdk-23, localized InfoPlist.strings); each
//! diagnostic code fires where the app's declarations and the consent manifest disagree, and a consistent app passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check_app(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_consentkit")).arg("check-app").args(args).current_dir(root()).output().unwrap()
}

const MANIFEST: &str = "examples/ride_hailing_permissions.json";
const ANDROID: &str = "tests/check_app/ride/AndroidManifest.xml";
const PLIST: &str = "tests/check_app/ride/ios/Info.plist";

fn codes(v: &Value) -> Vec<(String, String)> {
    v["diagnostics"].as_array().unwrap().iter().map(|d| (d["code"].as_str().unwrap().into(), d["path"].as_str().unwrap().into())).collect()
}

#[test]
fn the_ride_app_fixture_reports_each_mismatch() {
    let out = check_app(&[MANIFEST, "--android-manifest", ANDROID, "--info-plist", PLIST, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = codes(&v);
    // Over-scoped: the chat SDK's address-book permission; removed merges (tools:node="remove") are not counted.
    assert!(found.contains(&("CA001".into(), "line 16: android.permission.READ_CONTACTS".into())), "{found:?}");
    assert!(!found.iter().any(|(_, p)| p.contains("CAMERA") || p.contains("BACKGROUND")), "{found:?}");
    // Location through uses-permission-sdk-23, photos through maxSdkVersion 32 + selected photos, AD_ID: all justified.
    assert!(!found.iter().any(|(c, _)| c == "CA002" || c == "CA003"), "{found:?}");
    // iOS: ATT's usage description is missing for the tracking purpose; the microphone key justifies nothing;
    // the photo key is not localized in zh-Hans.
    assert!(found.contains(&("CA004".into(), "NSUserTrackingUsageDescription".into())), "{found:?}");
    assert!(found.contains(&("CA005".into(), "NSMicrophoneUsageDescription".into())), "{found:?}");
    assert!(found.contains(&("CA006".into(), "zh-Hans.lproj/InfoPlist.strings: NSPhotoLibraryUsageDescription".into())), "{found:?}");
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!((v["errors"].as_u64(), v["warnings"].as_u64(), v["ok"].as_bool()), (Some(2), Some(2), Some(false)));
    assert!(v["diagnostics"][0]["file"].as_str().unwrap().ends_with("AndroidManifest.xml"));

    let text = check_app(&[MANIFEST, "--android-manifest", ANDROID]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("error[CA001]") && text.contains("fix: remove it (add tools:node=\"remove\""), "{text}");
    assert!(text.ends_with("1 error(s), 0 warning(s)\n"), "{text}");
}

fn write(dir: &Path, rel: &str, text: &str) -> String {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_consistent_app_passes_and_missing_or_outdated_permissions_fail() {
    let dir = tempfile::tempdir().unwrap();
    let android = std::fs::read_to_string(root().join(ANDROID)).unwrap().replace(
        "<uses-permission android:name=\"android.permission.READ_CONTACTS\" />",
        "<uses-permission android:name=\"android.permission.READ_CONTACTS\" tools:node=\"remove\" />",
    );
    let android = write(dir.path(), "AndroidManifest.xml", &android);
    let plist = std::fs::read_to_string(root().join(PLIST)).unwrap().replace(
        "<key>NSMicrophoneUsageDescription</key>\n\t<string>Record a voice note for your driver.</string>",
        "<key>NSUserTrackingUsageDescription</key>\n\t<string>Measure which ads work, across other companies' apps.</string>",
    );
    let plist = write(dir.path(), "ios/Info.plist", &plist);
    let out = check_app(&[MANIFEST, "--android-manifest", &android, "--info-plist", &plist]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    // Location dropped from the app, photos only for old Android versions.
    let broken = std::fs::read_to_string(&android)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("LOCATION\"") && !l.contains("USER_SELECTED"))
        .collect::<Vec<_>>()
        .join("\n");
    let broken = write(dir.path(), "broken/AndroidManifest.xml", &broken);
    let v: Value = serde_json::from_slice(&check_app(&[MANIFEST, "--android-manifest", &broken, "--format", "json"]).stdout).unwrap();
    let found = codes(&v);
    assert_eq!(found, [("CA002".to_string(), "permission location".to_string()), ("CA003".into(), "permission photos".into())]);
    assert!(v["diagnostics"][0]["message"].as_str().unwrap().contains("live_location/location"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(check_app(&[MANIFEST]).status.code(), Some(2), "needs at least one platform file");
    assert_eq!(check_app(&[MANIFEST, "--android-manifest", "tests/check_app/missing.xml"]).status.code(), Some(2));
    assert_eq!(check_app(&[MANIFEST, "--android-manifest", MANIFEST]).status.code(), Some(2), "not XML");
    assert_eq!(check_app(&[MANIFEST, "--info-plist", ANDROID]).status.code(), Some(2), "not a plist");
}
