//! Reading an app's platform declarations for `consentkit check-app`: the permissions an AndroidManifest.xml
//! requests (`uses-permission`, `uses-permission-sdk-23`, `android:maxSdkVersion`, `tools:node="remove"`), the keys
//! of an Info.plist (XML or binary), and the localized `*.lproj/InfoPlist.strings` beside it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";
const TOOLS_NS: &str = "http://schemas.android.com/tools";

/// One `uses-permission` of an AndroidManifest.xml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsesPermission {
    /// `android:name`.
    pub name: String,
    /// `android:maxSdkVersion`, if any.
    pub max_sdk: Option<u32>,
    /// `uses-permission-sdk-23`: requested only on API 23+.
    pub sdk23: bool,
    /// `tools:node="remove"`: a merge rule taking the permission out of the final app (a library added it).
    pub removed: bool,
    /// 1-based line in the file.
    pub line: u32,
}

/// The permissions an AndroidManifest.xml requests.
pub fn android_permissions(text: &str) -> Result<Vec<UsesPermission>, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("not well-formed XML: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "manifest" {
        return Err(format!("the root element is <{}>, not <manifest>", root.tag_name().name()));
    }
    let mut out = Vec::new();
    for node in root.children().filter(|n| n.is_element()) {
        let tag = node.tag_name().name();
        if tag != "uses-permission" && tag != "uses-permission-sdk-23" {
            continue;
        }
        let Some(name) = node.attribute((ANDROID_NS, "name")) else { continue };
        out.push(UsesPermission {
            name: name.to_string(),
            max_sdk: node.attribute((ANDROID_NS, "maxSdkVersion")).and_then(|v| v.trim().parse().ok()),
            sdk23: tag == "uses-permission-sdk-23",
            removed: node.attribute((TOOLS_NS, "node")) == Some("remove"),
            line: doc.text_pos_at(node.range().start).row,
        });
    }
    Ok(out)
}

/// The top-level keys of an Info.plist with their string values (`None` for a value that is not a string).
pub fn info_plist_keys(path: &Path) -> Result<BTreeMap<String, Option<String>>, String> {
    let value = plist::Value::from_file(path).map_err(|e| format!("not a property list: {e}"))?;
    let dict = value.into_dictionary().ok_or("the top level is not a dictionary")?;
    Ok(dict.into_iter().map(|(k, v)| (k, v.into_string())).collect())
}

/// One localized strings file: its path and its keys and values.
pub type StringsFile = (PathBuf, BTreeMap<String, String>);

/// The localized `InfoPlist.strings` next to an Info.plist (`<dir>/<lang>.lproj/InfoPlist.strings`), by language
/// folder, each as its keys and values.
pub fn localized_strings(info_plist: &Path) -> Result<Vec<StringsFile>, String> {
    let dir = info_plist.parent().unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "lproj"))
        .map(|p| p.join("InfoPlist.strings"))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(&f).map_err(|e| format!("{}: cannot read: {e}", f.display()))?;
            Ok((f, parse_strings(&decode(&bytes))))
        })
        .collect()
}

/// UTF-8, or UTF-16 with a byte-order mark (older Xcode projects).
fn decode(bytes: &[u8]) -> String {
    let utf16 = |le: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        _ => String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).into_owned(),
    }
}

/// `"KEY" = "value";` pairs (unquoted keys too), skipping `/* */` and `//` comments.
fn parse_strings(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut chars = text.chars().peekable();
    let mut tokens: Vec<String> = Vec::new();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' => {
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => match chars.next() {
                            Some('n') => s.push('\n'),
                            Some(other) => s.push(other),
                            None => break,
                        },
                        '"' => break,
                        _ => s.push(c),
                    }
                }
                tokens.push(s);
            }
            '=' => tokens.push("=".into()),
            ';' => {
                if let [key, eq, value] = tokens.as_slice() {
                    if eq == "=" {
                        out.insert(key.clone(), value.clone());
                    }
                }
                tokens.clear();
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut s = String::from(c);
                while let Some(&n) = chars.peek() {
                    if !(n.is_alphanumeric() || n == '_' || n == '.') {
                        break;
                    }
                    s.push(n);
                    chars.next();
                }
                tokens.push(s);
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn android_merge_rules_max_sdk_and_sdk23_are_read() {
        let xml = r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android"
            xmlns:tools="http://schemas.android.com/tools" package="a.b">
          <uses-permission android:name="android.permission.READ_EXTERNAL_STORAGE" android:maxSdkVersion="32"/>
          <uses-permission-sdk-23 android:name="android.permission.ACCESS_FINE_LOCATION"/>
          <uses-permission android:name="com.google.android.gms.permission.AD_ID" tools:node="remove"/>
        </manifest>"#;
        let p = android_permissions(xml).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!((p[0].max_sdk, p[0].line), (Some(32), 3));
        assert!(p[1].sdk23 && !p[1].removed);
        assert!(p[2].removed);
        assert!(android_permissions("<application/>").is_err());
    }

    #[test]
    fn strings_files_are_parsed_with_comments_escapes_and_utf16() {
        let text = "/* Location */\n\"NSLocationWhenInUseUsageDescription\" = \"用于\\\"上车点\\\"\";\n// x\nNSCameraUsageDescription = \"Scan\";\n";
        let m = parse_strings(text);
        assert_eq!(m["NSLocationWhenInUseUsageDescription"], "用于\"上车点\"");
        assert_eq!(m["NSCameraUsageDescription"], "Scan");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("\"K\" = \"v\";".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(parse_strings(&decode(&utf16))["K"], "v");
    }
}
