//! The manifest lint: every rule of DESIGN.md §2 as a diagnostic with a stable code, a severity, a JSON path and a
//! message that says how to fix it. The table of codes is documented in docs/lint.md.

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use super::declarations::StoreDeclarations;
use super::derive::{is_declared_type, separate_consent_triggers};
use super::pack::RulePack;
use super::region::is_region_code;
use crate::manifest::{Basis, Manifest, MANIFEST_SCHEMA_V1};

/// How bad a diagnostic is: errors make `Manifest::load` (and `ConsentKit.open`) refuse the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The manifest breaks a rule and is refused.
    Error,
    /// Allowed, but worth a look.
    Warning,
}

/// One finding of the lint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code (`CK001`...), never reused for another meaning.
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// JSON path of the offending value, e.g. `purposes[1].data_types[0]`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

/// The stable codes, their severity and a one-line summary (the source of docs/lint.md).
pub const CODES: &[(&str, Severity, &str)] = &[
    ("CK001", Severity::Error, "unknown rule pack"),
    ("CK002", Severity::Error, "missing or unknown app category"),
    ("CK003", Severity::Error, "necessary purpose collects data beyond the category's necessary set"),
    ("CK004", Severity::Error, "feature without a basic tier"),
    ("CK005", Severity::Error, "tier requires an undeclared purpose"),
    ("CK006", Severity::Error, "undeclared data type"),
    ("CK007", Severity::Error, "undeclared recipient"),
    ("CK008", Severity::Error, "tracking purpose marked necessary"),
    ("CK009", Severity::Error, "missing filing number"),
    ("CK010", Severity::Error, "malformed filing number"),
    ("CK011", Severity::Error, "purpose without description"),
    ("CK012", Severity::Error, "purpose without retention"),
    ("CK013", Severity::Error, "duplicate id"),
    ("CK014", Severity::Error, "third party without region"),
    ("CK015", Severity::Error, "third party that receives data for no declared purpose"),
    ("CK016", Severity::Error, "SDK initialisation requires an undeclared purpose"),
    ("CK017", Severity::Error, "sensitive vocabulary type declared non-sensitive"),
    ("CK018", Severity::Error, "unsupported manifest schema"),
    ("CK019", Severity::Error, "invalid frequency limit"),
    ("CK020", Severity::Warning, "basic tier needs a separately consented purpose"),
    ("CK021", Severity::Error, "malformed id"),
    ("CK022", Severity::Error, "policy or children's rules without version or url"),
    ("CK023", Severity::Error, "app without id, name or region"),
    ("CK024", Severity::Error, "region that is not an ISO 3166-1 alpha-2 code"),
    ("CK025", Severity::Error, "app region whose jurisdiction has a rule pack, under another pack"),
    ("CK026", Severity::Error, "SDK initialisation does not require every purpose that gives it data"),
    ("CK027", Severity::Warning, "guardian age but neither an age gate nor children's rules"),
    ("CK028", Severity::Warning, "collected data type with no Apple privacy-manifest category"),
    ("CK029", Severity::Error, "apple_data_type that is not one of Apple's categories"),
    ("CK030", Severity::Warning, "purpose needing an OS permission whose description does not explain it"),
    ("CK031", Severity::Error, "advertising id collected by a purpose that is not tracking"),
    ("CK040", Severity::Error, "TCF purpose mapped from a purpose whose recipients are not a vendor declaring it"),
    ("CK041", Severity::Error, "TCF vendor without a GVL id"),
    ("CK042", Severity::Error, "tracking purpose mapped to no Consent Mode ad signal"),
    ("CK043", Severity::Error, "frameworks mapping names an unknown purpose, vendor or IAB id"),
];

pub(super) struct Sink(Vec<Diagnostic>);

impl Sink {
    pub(super) fn push(&mut self, code: &str, path: impl Into<String>, message: impl Into<String>, fix: impl Into<String>) {
        let severity = CODES.iter().find(|(c, ..)| *c == code).map(|(_, s, _)| *s).unwrap_or(Severity::Error);
        self.0.push(Diagnostic {
            code: code.to_string(),
            severity,
            path: path.into(),
            message: message.into(),
            fix: fix.into(),
        });
    }
}

/// Longest id accepted.
pub const MAX_ID_LEN: usize = 64;

/// Whether an id is well formed: 1..=64 of `a-z 0-9 _ . -`, starting with a letter.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
}

/// Runs every rule; returns all diagnostics (errors and warnings), in manifest order.
pub fn lint(m: &Manifest) -> Vec<Diagnostic> {
    let mut out = Sink(Vec::new());
    if m.schema != MANIFEST_SCHEMA_V1 {
        out.push(
            "CK018",
            "schema",
            format!("schema is \"{}\"; this version of ConsentKit reads \"{MANIFEST_SCHEMA_V1}\"", m.schema),
            format!("set \"schema\": \"{MANIFEST_SCHEMA_V1}\""),
        );
    }
    lint_app_and_policy(m, &mut out);
    let Some(pack) = RulePack::get(&m.rule_pack) else {
        out.push(
            "CK001",
            "rule_pack",
            format!("unknown rule pack \"{}\"", m.rule_pack),
            format!("use one of: {}", RulePack::IDS.join(", ")),
        );
        return out.0;
    };
    lint_jurisdiction(m, pack, &mut out);
    lint_filing(m, pack, &mut out);
    lint_ids(m, &mut out);
    lint_data_types(m, pack, &mut out);
    lint_purposes(m, pack, &mut out);
    lint_third_parties(m, &mut out);
    lint_features(m, pack, &mut out);
    lint_children(m, pack, &mut out);
    lint_store_declarations(m, pack, &mut out);
    super::lint_os::check(m, &mut |code, path, message, fix| out.push(code, path, message, fix));
    super::lint_frameworks::lint_frameworks(m, &mut out);
    out.0
}

fn lint_app_and_policy(m: &Manifest, out: &mut Sink) {
    for (field, value) in [("id", &m.app.id), ("name", &m.app.name), ("region", &m.app.region)] {
        if value.trim().is_empty() {
            out.push("CK023", format!("app.{field}"), format!("app.{field} is empty"), format!("set app.{field}"));
        }
    }
    document_check("policy", "privacy policy", "the user", &m.policy.version, &m.policy.url, out);
    if let Some(c) = &m.children_rules {
        document_check("children_rules", "children's rules", "the guardian", &c.version, &c.url, out);
    }
    if !m.app.region.trim().is_empty() && !is_region_code(&m.app.region) {
        out.push("CK024", "app.region", not_a_region("app.region", &m.app.region), REGION_FIX);
    }
}

/// CK022 for a document the user (or guardian) agrees to: its consent must name the version and where it is.
fn document_check(at: &str, what: &str, who: &str, version: &str, url: &str, out: &mut Sink) {
    for (field, value) in [("version", version), ("url", url)] {
        if value.trim().is_empty() {
            out.push(
                "CK022",
                format!("{at}.{field}"),
                format!("{at}.{field} is empty: consent must name the {what} {who} agreed to"),
                format!("set {at}.{field} to the {field} of the published {what}"),
            );
        }
    }
}

const REGION_FIX: &str = "use the upper-case ISO 3166-1 alpha-2 code (e.g. CN, SG, US; not CHN, China or cn)";

fn not_a_region(at: &str, value: &str) -> String {
    format!("{at} \"{}\" is not an ISO 3166-1 alpha-2 code", value.chars().take(80).collect::<String>())
}

/// CK025: a region whose jurisdiction has an embedded pack (its `home_region`) must be linted under such a pack;
/// otherwise `rule_pack: "none"` would silently drop the region's rules (filing number, categories, guardian age).
fn lint_jurisdiction(m: &Manifest, pack: &RulePack, out: &mut Sink) {
    if pack.home_region.as_deref() == Some(m.app.region.as_str()) {
        return;
    }
    let packs: Vec<&str> = RulePack::for_region(&m.app.region).map(|p| p.id.as_str()).collect();
    if !packs.is_empty() {
        out.push(
            "CK025",
            "rule_pack",
            format!(
                "app.region is {} but rule pack \"{}\" is not written for {}: its rules would not be checked",
                m.app.region, pack.id, m.app.region
            ),
            format!("set \"rule_pack\" to {}", packs.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(" or ")),
        );
    }
}

fn lint_filing(m: &Manifest, pack: &RulePack, out: &mut Sink) {
    if let Some(filing) = &pack.filing {
        if m.app.region.eq_ignore_ascii_case(&filing.required_for_region) {
            match m.app.filing_number.as_deref().map(str::trim) {
                None | Some("") => out.push(
                    "CK009",
                    "app.filing_number",
                    format!("an app operating in {} must show its MIIT filing number", filing.required_for_region),
                    format!("add app.filing_number (e.g. 沪ICP备12345678号-3A), as listed at {}", filing.url),
                ),
                Some(n) if !filing.matches(n) => out.push(
                    "CK010",
                    "app.filing_number",
                    format!("\"{n}\" is not an app filing number"),
                    format!("use the form <province>ICP备<8-10 digits>号-<n>A, matching {}", filing.pattern),
                ),
                _ => {}
            }
        }
        match m.app.category.as_deref() {
            None => out.push(
                "CK002",
                "app.category",
                format!("rule pack {} needs the app's category to know its necessary personal information", pack.id),
                format!("set app.category to one of the pack's category ids (e.g. ride_hailing, news): {}", see_pack(pack)),
            ),
            Some(c) if pack.category(c).is_none() => out.push(
                "CK002",
                "app.category",
                format!("unknown category \"{c}\" in rule pack {}", pack.id),
                format!("use a category id of the pack: {}", see_pack(pack)),
            ),
            _ => {}
        }
    }
}

/// Where the pack's categories and vocabulary are listed.
fn see_pack(pack: &RulePack) -> String {
    format!("run `consentkit rules --pack {0}` or see docs/rule-packs/{0}.md", pack.id)
}

/// CK021 / CK013 for each `(path, id)`; paths are built only for a finding (open runs the lint).
fn dup_check<'a, P: FnOnce() -> String>(items: impl Iterator<Item = (P, &'a str)>, what: &str, out: &mut Sink) {
    let mut seen = HashSet::new();
    for (path, id) in items {
        let valid = is_valid_id(id);
        let first = seen.insert(id);
        if valid && first {
            continue;
        }
        let path = path();
        if !valid {
            out.push(
                "CK021",
                path.clone(),
                format!("{what} id \"{}\" is malformed", id.chars().take(80).collect::<String>()),
                format!("use 1-{MAX_ID_LEN} characters of a-z, 0-9, _ . -, starting with a letter"),
            );
        }
        if !first {
            out.push("CK013", path, format!("duplicate {what} id \"{id}\""), format!("give each {what} its own id"));
        }
    }
}

fn lint_ids(m: &Manifest, out: &mut Sink) {
    dup_check(m.purposes.iter().enumerate().map(|(i, p)| (move || format!("purposes[{i}].id"), p.id.as_str())), "purpose", out);
    dup_check(m.features.iter().enumerate().map(|(i, f)| (move || format!("features[{i}].id"), f.id.as_str())), "feature", out);
    dup_check(
        m.third_parties.iter().enumerate().map(|(i, t)| (move || format!("third_parties[{i}].id"), t.id.as_str())),
        "third party",
        out,
    );
    dup_check(m.data_types.keys().map(|k| (move || format!("data_types.{k}"), k.as_str())), "data type", out);
    for (i, f) in m.features.iter().enumerate() {
        dup_check(
            f.tiers.iter().enumerate().map(|(j, t)| (move || format!("features[{i}].tiers[{j}].id"), t.id.as_str())),
            "tier",
            out,
        );
    }
}

fn lint_data_types(m: &Manifest, pack: &RulePack, out: &mut Sink) {
    for (id, decl) in &m.data_types {
        if pack.data_types.get(id).is_some_and(|t| t.sensitive) && !decl.sensitive {
            out.push(
                "CK017",
                format!("data_types.{id}.sensitive"),
                format!("\"{id}\" is sensitive personal information in rule pack {}; an app cannot make it non-sensitive", pack.id),
                "remove \"sensitive\": false (or the whole declaration) for this type",
            );
        }
    }
}

fn lint_purposes(m: &Manifest, pack: &RulePack, out: &mut Sink) {
    let category = m.app.category.as_deref().and_then(|c| pack.category(c));
    for (i, p) in m.purposes.iter().enumerate() {
        let at = format!("purposes[{i}]");
        if p.description.as_deref().map_or(true, |d| d.trim().is_empty()) {
            out.push(
                "CK011",
                format!("{at}.description"),
                format!("purpose \"{}\" has no description: users must be told why", p.id),
                "add a description the user will read in the prompt and the collection list",
            );
        }
        if !is_region_code(&p.storage_region) {
            out.push("CK024", format!("{at}.storage_region"), not_a_region("storage_region", &p.storage_region), REGION_FIX);
        }
        if p.retention_days.is_none() {
            out.push(
                "CK012",
                format!("{at}.retention_days"),
                format!("purpose \"{}\" does not say how long data is kept", p.id),
                "add retention_days",
            );
        }
        if p.tracking && p.basis == Basis::Necessary {
            out.push(
                "CK008",
                format!("{at}.basis"),
                format!("purpose \"{}\" tracks users but is marked necessary; tracking always needs opt-in", p.id),
                "set \"basis\": \"consent\"",
            );
        }
        for (j, d) in p.data_types.iter().enumerate() {
            if !is_declared_type(m, pack, d) {
                out.push(
                    "CK006",
                    format!("{at}.data_types[{j}]"),
                    format!("data type \"{d}\" is neither in rule pack {} nor declared", pack.id),
                    format!("use a vocabulary id or declare \"{d}\" under data_types with a description"),
                );
            } else if p.basis == Basis::Necessary {
                if let Some(c) = category {
                    // A narrower form of a necessary type (approximate location of location) is necessary too.
                    let narrows = crate::rules::PlatformTable::get().guard(d).and_then(|g| g.narrows.as_ref());
                    if !c.necessary.contains(d) && !narrows.is_some_and(|n| c.necessary.contains(n)) {
                        out.push(
                            "CK003",
                            format!("{at}.data_types[{j}]"),
                            format!(
                                "\"{d}\" is not necessary personal information for {} ({}); necessary: [{}]",
                                c.name_en,
                                c.basic_function,
                                c.necessary.join(", ")
                            ),
                            format!("move \"{d}\" to a purpose with \"basis\": \"consent\" and a richer tier"),
                        );
                    }
                }
            }
        }
        for (j, r) in p.recipients.iter().enumerate() {
            if !m.third_parties.iter().any(|t| &t.id == r) {
                out.push(
                    "CK007",
                    format!("{at}.recipients[{j}]"),
                    format!("recipient \"{r}\" is not declared under third_parties"),
                    "declare it under third_parties with name, region and contact",
                );
            }
        }
        for (j, f) in p.frequency.iter().enumerate() {
            let path = format!("{at}.frequency[{j}]");
            if !p.data_types.contains(&f.data_type) {
                out.push(
                    "CK019",
                    format!("{path}.data_type"),
                    format!("frequency limit on \"{}\", which purpose \"{}\" does not collect", f.data_type, p.id),
                    "limit one of the purpose's data_types",
                );
            } else if f.max == 0 || f.per_seconds == 0 {
                out.push(
                    "CK019",
                    path,
                    "frequency limit with max or per_seconds of 0".to_string(),
                    "use max >= 1 and per_seconds >= 1 (or remove the limit)",
                );
            }
        }
    }
}

fn lint_third_parties(m: &Manifest, out: &mut Sink) {
    for (i, t) in m.third_parties.iter().enumerate() {
        if t.region.trim().is_empty() {
            out.push(
                "CK014",
                format!("third_parties[{i}].region"),
                format!("third party \"{}\" does not say where it processes data", t.id),
                "set region (ISO 3166-1 alpha-2); a region outside the app's is a cross-border transfer",
            );
        } else if !is_region_code(&t.region) {
            out.push("CK024", format!("third_parties[{i}].region"), not_a_region("region", &t.region), REGION_FIX);
        }
        let missing: Vec<&str> = m
            .purposes
            .iter()
            .filter(|p| p.recipients.contains(&t.id) && !t.init_requires.contains(&p.id))
            .map(|p| p.id.as_str())
            .collect();
        if !missing.is_empty() {
            let list = missing.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
            out.push(
                "CK026",
                format!("third_parties[{i}].init_requires"),
                format!(
                    "SDK \"{}\" receives data for {list} but may be initialised before {}: an SDK collects once it runs",
                    t.id,
                    if missing.len() == 1 { "it is granted" } else { "they are granted" }
                ),
                format!("add {list} to init_requires"),
            );
        }
        if !m.purposes.iter().any(|p| p.recipients.contains(&t.id)) {
            out.push(
                "CK015",
                format!("third_parties[{i}]"),
                format!("third party \"{}\" receives data for no declared purpose", t.id),
                "add it to the recipients of the purposes it serves (users must be told who receives what)",
            );
        }
        for (j, r) in t.init_requires.iter().enumerate() {
            if !m.purposes.iter().any(|p| &p.id == r) {
                out.push(
                    "CK016",
                    format!("third_parties[{i}].init_requires[{j}]"),
                    format!("SDK \"{}\" initialisation requires undeclared purpose \"{r}\"", t.id),
                    "declare the purpose or fix the id",
                );
            }
        }
    }
}

fn lint_features(m: &Manifest, pack: &RulePack, out: &mut Sink) {
    let declared: BTreeSet<&str> = m.purposes.iter().map(|p| p.id.as_str()).collect();
    for (i, f) in m.features.iter().enumerate() {
        for (j, t) in f.tiers.iter().enumerate() {
            for (k, r) in t.requires.iter().enumerate() {
                if !declared.contains(r.as_str()) {
                    out.push(
                        "CK005",
                        format!("features[{i}].tiers[{j}].requires[{k}]"),
                        format!("tier \"{}\" of feature \"{}\" requires undeclared purpose \"{r}\"", t.id, f.id),
                        "declare the purpose or fix the id",
                    );
                }
            }
        }
        let Some(basic) = f.tiers.last() else {
            out.push(
                "CK004",
                format!("features[{i}].tiers"),
                format!("feature \"{}\" has no tiers", f.id),
                "add tiers, richest first, ending with a basic tier that needs no opt-in",
            );
            continue;
        };
        let basic_at = format!("features[{i}].tiers[{}]", f.tiers.len() - 1);
        for (k, r) in basic.requires.iter().enumerate() {
            let Some(p) = m.purposes.iter().find(|p| &p.id == r) else { continue };
            if p.basis == Basis::Consent {
                out.push(
                    "CK004",
                    format!("{basic_at}.requires[{k}]"),
                    format!(
                        "feature \"{}\" has no basic tier: its last tier \"{}\" needs opt-in purpose \"{r}\", so refusing it locks the user out",
                        f.id, basic.id
                    ),
                    "add a last tier that requires only necessary purposes (or none)",
                );
            } else if !separate_consent_triggers(m, pack, p).is_empty() {
                out.push(
                    "CK020",
                    format!("{basic_at}.requires[{k}]"),
                    format!(
                        "basic tier \"{}\" of feature \"{}\" needs \"{r}\", which needs separate consent; refusing it leaves no tier",
                        basic.id, f.id
                    ),
                    "add a poorer last tier that works without it, if the basic function allows",
                );
            }
        }
    }
}

/// CK027: under a pack with a guardian age, an app that never learns the user's age and publishes no children's rules
/// cannot tell that a child is using it, nor ask a guardian to agree to rules written for children.
fn lint_children(m: &Manifest, pack: &RulePack, out: &mut Sink) {
    let Some(age) = pack.guardian_age else { return };
    if m.children_rules.is_none() && !m.app.age_gate {
        out.push(
            "CK027",
            "children_rules",
            format!(
                "rule pack {} needs a guardian's consent for users under {age}, but the app neither asks the user's age \
                 (app.age_gate) nor has children's rules (children_rules): a child could use it unnoticed, and without \
                 children's rules a child's necessary processing needs the guardian's grant purpose by purpose",
                pack.id
            ),
            "add children_rules {\"version\", \"url\"} (the 儿童个人信息保护规则 a guardian agrees to), and/or set \
             app.age_gate: true and report the age with setAgeBracket",
        );
    }
}

/// CK028 / CK029: every collected data type needs a category in Apple's privacy manifest (`consentkit export
/// apple-privacy` cannot declare it otherwise, and an undeclared collection is an App Store rejection); an
/// `apple_data_type` must be one of Apple's. CK028 names each type once, at its first collection.
fn lint_store_declarations(m: &Manifest, pack: &RulePack, out: &mut Sink) {
    let Some(table) = StoreDeclarations::get() else { return };
    for (id, decl) in &m.data_types {
        if let Some(apple) = decl.apple_data_type.as_deref().filter(|a| !table.is_apple_data_type(a)) {
            out.push(
                "CK029",
                format!("data_types.{id}.apple_data_type"),
                format!(
                    "\"{}\" is not one of Apple's collected-data categories",
                    apple.chars().take(80).collect::<String>()
                ),
                format!(
                    "use a category name without the {} prefix (e.g. CoarseLocation, OtherDataTypes); see docs/cli.md",
                    table.apple_data_type_prefix
                ),
            );
        }
    }
    let mut named = HashSet::new();
    for (i, p) in m.purposes.iter().enumerate() {
        for (j, d) in p.data_types.iter().enumerate() {
            if !is_declared_type(m, pack, d) || table.apple_data_type(m, d).is_some() || !named.insert(d.as_str()) {
                continue;
            }
            out.push(
                "CK028",
                format!("purposes[{i}].data_types[{j}]"),
                format!("data type \"{d}\" has no category in Apple's privacy manifest, so an export cannot declare it"),
                format!(
                    "set data_types.{d}.apple_data_type to one of Apple's categories (OtherDataTypes when none fits)"
                ),
            );
        }
    }
}
