//! The embedded rule packs: complete, parsed once, facts as the rules state them.

use consentkit::rules::{RulePack, SeparateConsentTrigger};

#[test]
fn cn_2021_has_the_39_categories_and_its_constants() {
    let pack = RulePack::get("cn-2021").expect("embedded");
    assert_eq!(pack.categories.len(), 39);
    assert_eq!(pack.guardian_age, Some(14));
    assert_eq!(pack.reprompt_cooldown_hours, 48);
    assert_eq!(pack.cooldown_ms(), 48 * 3600 * 1000);
    let news = pack.category("news").unwrap();
    assert!(news.no_pi_needed && news.necessary.is_empty());
    let ride = pack.category("ride_hailing").unwrap();
    assert!(ride.necessary.iter().any(|d| d == "trajectory"));
    for c in &pack.categories {
        assert!(!c.verification.is_empty(), "{} must carry a verification mark", c.id);
        for d in &c.necessary {
            assert!(pack.data_types.contains_key(d), "{}: {d} missing from the vocabulary", c.id);
        }
    }
    assert!(pack.triggers(SeparateConsentTrigger::CrossBorder));
    assert!(pack.data_types["health_condition"].sensitive);
    assert!(!pack.data_types["phone_number"].sensitive);
    // The same instance every time: parsed once.
    assert!(std::ptr::eq(pack, RulePack::get("cn-2021").unwrap()));
}

#[test]
fn filing_number_format() {
    let f = RulePack::get("cn-2021").unwrap().filing.as_ref().unwrap();
    for ok in ["沪ICP备12345678号-3A", "陕ICP备2024026116号-1A", "粤ICP备2024012345号-12A"] {
        assert!(f.matches(ok), "{ok}");
    }
    for bad in ["", "ICP备12345678号-1A", "沪ICP备1234567号-1A", "沪ICP备12345678号-1", "沪ICP备12345678号-A", "X沪ICP备12345678号-1A", "沪ICP备12345678901号-1A"] {
        assert!(!f.matches(bad), "{bad}");
    }
    assert_eq!(f.url, "https://beian.miit.gov.cn/");
}

#[test]
fn none_pack_has_only_generic_rules() {
    let pack = RulePack::get("none").unwrap();
    assert!(pack.categories.is_empty() && pack.filing.is_none() && pack.guardian_age.is_none());
    assert!(!pack.triggers(SeparateConsentTrigger::CrossBorder));
    assert!(RulePack::get("cn-2099").is_none());
}

#[test]
fn the_packs_written_for_a_region_come_from_their_home_region() {
    // CK025 asks a CN app for one of these; the pack JSON's home_region decides, not the pack id.
    let cn: Vec<&str> = RulePack::for_region("CN").map(|p| p.id.as_str()).collect();
    assert_eq!(cn, ["cn-2021"]);
    assert_eq!(RulePack::for_region("SG").count(), 0);
    assert_eq!(RulePack::for_region("cn").count(), 0, "regions are upper-case codes (CK024)");
    assert_eq!(RulePack::get("none").unwrap().home_region, None);
}

#[test]
fn checked_in_rule_pack_docs_are_current() {
    // Regenerate with `UPDATE_DOCS=1 cargo test --test rule_packs`.
    for id in RulePack::IDS {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("docs/rule-packs/{id}.md"));
        let generated = consentkit::report::render::pack_markdown(RulePack::get(id).unwrap());
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} is checked in: {e}", path.display()));
        assert_eq!(checked_in, generated, "{} is stale: run UPDATE_DOCS=1 cargo test --test rule_packs", path.display());
    }
}

#[test]
fn the_pack_facts_name_every_category_type_and_verification_mark() {
    let pack = RulePack::get("cn-2021").unwrap();
    let md = consentkit::report::render::pack_markdown(pack);
    for c in &pack.categories {
        let row = md.lines().find(|l| l.starts_with(&format!("| {} | `{}` |", c.no, c.id))).unwrap_or_else(|| panic!("{}", c.id));
        assert!(row.contains(&c.name_zh) && row.contains(&c.name_en), "{row}");
        for d in &c.necessary {
            assert!(row.contains(d.as_str()), "{row}");
        }
    }
    for (id, t) in &pack.data_types {
        let row = md.lines().find(|l| l.starts_with(&format!("| `{id}` |"))).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(row.contains("| yes |"), t.sensitive, "{row}");
    }
    // What a developer must double-check stays visible.
    assert!(md.contains(&pack.reprompt_cooldown_verification) && md.contains("unconfirmed"));
    assert!(md.contains("| 48 h |") && md.contains("users under 14 need a guardian's consent"));
    assert!(md.contains("https://beian.miit.gov.cn/"));
    let no_pi = md.split("## Categories whose basic function needs no personal information").nth(1).unwrap();
    let no_pi = no_pi.split("## ").next().unwrap();
    assert_eq!(no_pi.matches("\n- ").count(), pack.categories.iter().filter(|c| c.no_pi_needed).count());
    assert!(no_pi.contains("`news`") && !no_pi.contains("`ride_hailing`"));

    let v: serde_json::Value = serde_json::from_str(&consentkit::report::render::pack_json(pack)).unwrap();
    assert_eq!(v["categories"].as_array().unwrap().len(), 39);
    assert!(v["no_pi_categories"].as_array().unwrap().iter().any(|c| c == "news"));
    assert_eq!(v["data_types"]["location"]["sensitive"], true);

    let none = consentkit::report::render::pack_markdown(RulePack::get("none").unwrap());
    assert!(none.contains("No filing rules.") && none.contains("| guardian age | none |"));
}
