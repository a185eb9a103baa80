//! Swift: one file with a `ConsentIds` namespace holding an enum per kind (`ConsentIds.Purpose.ride.id`,
//! `.handle`, `rawValue` = handle).

use std::fmt::Write;

use super::names::{check_unique, doc_line, is_identifier, lower_camel, not_leading_digit, swift_string};
use super::{enum_sections, CodegenError, Entry, Model, Options};

/// Keywords and the members every generated enum has: a case with such a name gets a trailing `_`.
const RESERVED: &[&str] = &[
    "associatedtype",
    "class",
    "deinit",
    "enum",
    "extension",
    "fileprivate",
    "func",
    "import",
    "init",
    "inout",
    "internal",
    "let",
    "open",
    "operator",
    "private",
    "precedencegroup",
    "protocol",
    "public",
    "rethrows",
    "static",
    "struct",
    "subscript",
    "typealias",
    "var",
    "break",
    "case",
    "catch",
    "continue",
    "default",
    "defer",
    "do",
    "else",
    "fallthrough",
    "for",
    "guard",
    "if",
    "in",
    "repeat",
    "return",
    "throw",
    "switch",
    "where",
    "while",
    "as",
    "is",
    "nil",
    "self",
    "super",
    "throws",
    "true",
    "false",
    "try",
    "await",
    "async",
    "actor",
    "some",
    "any",
    "consume",
    "borrowing",
    "consuming",
    "copy",
    "discard",
    "each",
    "macro",
    "package",
    "id",
    "handle",
    "index",
    "rawValue",
    "allCases",
    "hashValue",
    "hash",
    "description",
];

fn case_names(kind: &str, entries: &[Entry]) -> Result<Vec<String>, CodegenError> {
    let names: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            let n = not_leading_digit(lower_camel(&e.id));
            let n = if RESERVED.contains(&n.as_str()) { format!("{n}_") } else { n };
            (e.id.clone(), n)
        })
        .collect();
    check_unique(kind, "Swift", &names)?;
    Ok(names.into_iter().map(|(_, n)| n).collect())
}

fn enum_type(
    out: &mut String,
    name: &str,
    doc: &str,
    number: &str,
    kind: &str,
    entries: &[Entry],
) -> Result<(), CodegenError> {
    if entries.is_empty() {
        let _ = writeln!(out, "\n    // No {kind} declared: no `{name}` enum.");
        return Ok(());
    }
    let cases = case_names(kind, entries)?;
    let _ = writeln!(out, "\n    /// {}", doc_line(doc));
    let _ = writeln!(out, "    public enum {name}: UInt32, CaseIterable, Sendable {{");
    for (e, case) in entries.iter().zip(&cases) {
        if !e.doc.trim().is_empty() {
            let _ = writeln!(out, "        /// {}", doc_line(&e.doc));
        }
        let _ = writeln!(out, "        case {case} = {}", e.handle);
    }
    let _ =
        writeln!(out, "\n        /// The manifest id.\n        public var id: String {{\n            switch self {{");
    for (e, case) in entries.iter().zip(&cases) {
        let _ = writeln!(out, "            case .{case}: return \"{}\"", swift_string(&e.id));
    }
    let _ = writeln!(out, "            }}\n        }}");
    let _ = writeln!(
        out,
        "\n        /// The core's {number} (the raw value).\n        public var {number}: UInt32 {{ rawValue }}"
    );
    let _ = writeln!(
        out,
        "\n        /// The {kind} with this manifest id, or nil.\n        public init?(id: String) {{\n\
         \x20           guard let found = Self.allCases.first(where: {{ $0.id == id }}) else {{ return nil }}\n\
         \x20           self = found\n        }}\n    }}"
    );
    Ok(())
}

/// Makes the generated enums the facade's typed ids (`ConsentKit.PurposeID`, ...), so an app passes
/// `Ids.Purpose.ads` to `ConsentStore` calls where it would pass `"ads"`. Guarded by `canImport(ConsentKit)`: the
/// file still compiles on its own (e.g. in a module that only needs the constants).
fn facade_conformances(out: &mut String, namespace: &str, sections: &[super::EnumSection]) {
    let _ = writeln!(out, "\n#if canImport(ConsentKit)\nimport ConsentKit\n");
    for e in sections.iter().filter(|e| !e.entries.is_empty()) {
        let (protocol, member) = match e.kind {
            "purpose" => ("PurposeID", true),
            "data type" => ("DataTypeID", true),
            "feature" => ("FeatureID", true),
            "third party" => ("ThirdPartyID", true),
            _ => ("TierID", false),
        };
        if member {
            let _ = writeln!(
                out,
                "extension {namespace}.{}: ConsentKit.{protocol} {{\n    public var manifestID: String {{ id }}\n}}",
                e.name
            );
        } else {
            let _ = writeln!(out, "extension {namespace}.{}: ConsentKit.{protocol} {{}}", e.name);
        }
    }
    out.push_str("#endif\n");
}

/// Renders the Swift file.
pub fn render(model: &Model, options: &Options) -> Result<String, CodegenError> {
    if options.package.is_some() {
        return Err(CodegenError::InvalidName {
            what: "package",
            value: options.package.clone().unwrap_or_default(),
            why: "--package applies to Kotlin; Swift uses --prefix",
        });
    }
    let prefix = options.prefix.clone().unwrap_or_default();
    if !prefix.is_empty() && !is_identifier(&prefix) {
        return Err(CodegenError::InvalidName {
            what: "prefix",
            value: prefix,
            why: "must be an identifier ([A-Za-z_][A-Za-z0-9_]*)",
        });
    }
    let namespace = format!("{prefix}ConsentIds");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Generated by `consentkit codegen --lang swift` {} from {}. Do not edit: regenerate whenever the\n\
         // manifest changes (handlesFingerprint tells a stale file apart).\n// swiftlint:disable all\n",
        env!("CARGO_PKG_VERSION"),
        doc_line(&options.source_name)
    );
    let _ = writeln!(
        out,
        "/// Ids and handles of the ConsentKit manifest of {} (`{}`).\n///\n\
         /// Pass the cases to `ConsentStore` calls instead of id strings (`store.decide(Ids.Purpose.ads,\n\
         /// Ids.DataType.deviceId)`): they are ConsentKit's `PurposeID`, `DataTypeID`, `FeatureID`, `ThirdPartyID`\n\
         /// and `TierID` (the conformances at the end of this file). A handle is the integer the core assigns to an\n\
         /// id when it loads this manifest.\npublic enum {namespace} {{",
        doc_line(&model.app_name),
        doc_line(&model.app_id)
    );
    let consts = [
        ("SHA-256 of the manifest file these constants were generated from.", "manifestSHA256", &model.manifest_sha256),
        (
            "Fingerprint of the core's handle table for this manifest (docs/cli.md); compare with the running core's.",
            "handlesFingerprint",
            &model.handles_fingerprint,
        ),
        ("Application id.", "appId", &model.app_id),
        ("Privacy policy version.", "policyVersion", &model.policy_version),
        ("Rule pack.", "rulePack", &model.rule_pack),
    ];
    for (doc, name, value) in consts {
        let _ = writeln!(out, "    /// {doc}\n    public static let {name}: String = \"{}\"", swift_string(value));
    }
    let _ = writeln!(
        out,
        "    /// Number of data type handles (the width of the decision table).\n    public static let dataTypeCount: UInt32 = {}",
        model.data_type_count
    );
    let sections = enum_sections(model, "Swift")?;
    for e in &sections {
        enum_type(&mut out, &e.name, &e.doc, e.number, e.kind, &e.entries)?;
    }
    out.push_str("}\n");
    facade_conformances(&mut out, &namespace, &sections);
    Ok(out)
}
