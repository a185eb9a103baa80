//! Renderings of the transparency document: Markdown (for a repository or a store listing), one self-contained
//! HTML file (for a web view or the app's website: inline CSS, no scripts, no external assets, readable on a phone)
//! and JSON (for other tools). Also the facts of a rule pack, for app developers (`consentkit rules`).

mod html;
mod markdown;
mod pack;

pub use html::html;
pub use markdown::markdown;
pub use pack::{pack_json, pack_markdown};

use super::i18n::Lang;
use super::lists::Lists;
use super::time::short_utc;
use super::{CollectionRow, SharingRow};

/// The document as pretty JSON (language-independent: both Chinese and English texts are fields).
pub fn json(lists: &Lists) -> String {
    let mut s = serde_json::to_string_pretty(lists).unwrap_or_default();
    s.push('\n');
    s
}

/// The purpose description in `lang`.
fn purpose_text(r: &CollectionRow, lang: Lang) -> &str {
    match (lang, &r.description_zh) {
        (Lang::Zh, Some(zh)) => zh,
        _ => &r.description,
    }
}

/// The data type description in `lang`.
fn data_type_text(r: &CollectionRow, lang: Lang) -> &str {
    match (lang, &r.data_type_description_zh) {
        (Lang::Zh, Some(zh)) => zh,
        _ => &r.data_type_description,
    }
}

/// The recipient's name in `lang`.
fn recipient_name(r: &SharingRow, lang: Lang) -> &str {
    match (lang, &r.name_zh) {
        (Lang::Zh, Some(zh)) => zh,
        _ => &r.name,
    }
}

/// The app category in `lang`: "网络约车 (ride_hailing)".
fn category_text(lists: &Lists, lang: Lang) -> Option<String> {
    let id = lists.app.category.as_deref()?;
    let name = match lang {
        Lang::Zh => lists.app.category_name_zh.as_deref(),
        Lang::En => lists.app.category_name_en.as_deref(),
    };
    Some(match name {
        Some(n) => format!("{n}{}", lang.paren(id)),
        None => id.to_string(),
    })
}

/// Rows grouped by purpose, in manifest order.
fn by_purpose(rows: &[CollectionRow]) -> Vec<&[CollectionRow]> {
    let mut groups = Vec::new();
    let mut start = 0;
    for i in 1..=rows.len() {
        if i == rows.len() || rows[i].purpose != rows[start].purpose {
            groups.push(&rows[start..i]);
            start = i;
        }
    }
    groups
}

/// Retention in words.
fn retention(r: &CollectionRow, lang: Lang) -> String {
    r.retention_days.map_or_else(|| lang.labels().none.to_string(), |d| lang.days(d))
}

/// Frequency limit in words.
fn frequency(r: &CollectionRow, lang: Lang) -> String {
    r.frequency.map_or_else(|| lang.labels().none.to_string(), |f| lang.frequency(f.max, f.per_seconds))
}

/// Last collection in words.
fn last_collected(r: &CollectionRow, lang: Lang) -> String {
    match r.last_collected_ms {
        Some(ms) if ms > 0 => short_utc(ms),
        _ if r.count.unwrap_or(0) > 0 => lang.labels().none.to_string(),
        _ => lang.labels().never.to_string(),
    }
}

/// The sentence saying where the figures come from.
fn counts_note(lists: &Lists, lang: Lang) -> String {
    let l = lang.labels();
    match &lists.counts {
        None => l.counts_absent.to_string(),
        Some(c) => {
            let sep = if lang == Lang::Zh { "：" } else { ": " };
            let until = c.up_to_ms.map(|ms| {
                if lang == Lang::Zh {
                    format!("，{}{}", l.counts_until, short_utc(ms))
                } else {
                    format!(", {} {}", l.counts_until, short_utc(ms))
                }
            });
            format!("{}{sep}{}{}", l.counts_from, c.database, until.unwrap_or_default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_manifest;
    use crate::rules::RulePack;
    use crate::store::AccessTotal;

    const RIDE: &str = include_str!("../../../examples/ride_hailing.json");

    fn lists(with_counts: bool) -> Lists {
        let m = parse_manifest(RIDE.as_bytes()).unwrap();
        let pack = RulePack::get(&m.rule_pack).unwrap();
        let totals = vec![
            AccessTotal {
                purpose: "ride".into(),
                data_type: "departure".into(),
                recipient: String::new(),
                count: 3,
                last_ms: 1_795_683_600_000,
            },
            AccessTotal {
                purpose: "ads".into(),
                data_type: "device_id".into(),
                recipient: "adnet".into(),
                count: 2,
                last_ms: 1_795_683_660_000,
            },
        ];
        Lists::build(&m, pack, with_counts.then_some(("consent.db", totals.as_slice())))
    }

    #[test]
    fn html_is_self_contained_and_names_every_purpose() {
        for lang in [Lang::Zh, Lang::En] {
            let page = html(&lists(true), lang);
            assert!(page.starts_with("<!DOCTYPE html>"));
            assert!(page.contains("name=\"viewport\""));
            assert!(page.contains(&format!("<html lang=\"{}\">", lang.tag())));
            for id in ["ride", "live_location", "ads"] {
                assert!(page.contains(&format!("<code>{id}</code>")), "{id} missing");
            }
            for external in ["<script", "<link", "src=", "@import", "url("] {
                assert!(!page.contains(external), "{external} in the page");
            }
            assert!(page.contains("https://beian.miit.gov.cn/"));
        }
        assert!(html(&lists(true), Lang::Zh).contains("个人信息收集清单"));
        assert!(html(&lists(true), Lang::Zh).contains("出发地"));
    }

    #[test]
    fn markdown_has_both_lists_and_counts() {
        let md = markdown(&lists(true), Lang::En);
        assert!(md.contains("## Personal information collection list"));
        assert!(md.contains("## Third-party sharing list"));
        assert!(md.contains("| `departure`"));
        assert!(md.contains("| 3 |"));
        assert!(md.contains("privacy@adnet.example"));
        let plain = markdown(&lists(false), Lang::Zh);
        assert!(!plain.contains("实际收集次数"));
    }

    #[test]
    fn escapes_markup_from_the_manifest() {
        let mut l = lists(false);
        l.collection[0].description = "<b>bold</b> & | pipe".into();
        let page = html(&l, Lang::En);
        assert!(page.contains("&lt;b&gt;bold&lt;/b&gt; &amp; | pipe"));
        let md = markdown(&l, Lang::En);
        assert!(md.contains("&lt;b&gt;bold&lt;/b&gt; &amp; \\| pipe"));
    }
}
