//! Markdown rendering (GitHub-flavoured tables).

use std::fmt::Write;

use super::{
    by_purpose, category_text, counts_note, data_type_text, frequency, last_collected, purpose_text, recipient_name,
    retention,
};
use crate::report::i18n::Lang;
use crate::report::lists::Lists;

/// Text for a table cell: markup and pipes escaped, on one line.
pub(super) fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn row(out: &mut String, cells: &[String]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

fn header(out: &mut String, cells: &[&str]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(cells.len()));
}

/// The collection list and the sharing list as Markdown.
pub fn markdown(lists: &Lists, lang: Lang) -> String {
    let l = lang.labels();
    let colon = if lang == Lang::Zh { "：" } else { ": " };
    let mut out = String::new();
    let _ = writeln!(out, "# {} — {}\n", l.page_title, cell(&lists.app.name));
    let mut app = format!("{}{}", cell(&lists.app.name), lang.paren(&format!("`{}`", cell(&lists.app.id))));
    if let Some(c) = category_text(lists, lang) {
        let _ = write!(app, "{}{}{colon}{}", if lang == Lang::Zh { "；" } else { "; " }, l.category, cell(&c));
    }
    let _ = writeln!(out, "- {}{colon}{app}", l.app);
    let version = format!("{} {}", l.version, cell(&lists.policy.version));
    let _ = writeln!(out, "- {}{colon}<{}>{}", l.policy, cell(&lists.policy.url), lang.paren(&version));
    if let Some(f) = &lists.filing {
        let _ = writeln!(
            out,
            "- {}{colon}{}{}",
            l.filing,
            cell(&f.number),
            lang.paren(&format!("[{}]({})", l.filing_check, f.url))
        );
    }
    let _ = writeln!(out, "- {}\n", cell(&counts_note(lists, lang)));

    let counted = lists.counts.is_some();
    let _ = writeln!(out, "## {}\n", l.collection_title);
    let mut cols = vec![l.purpose, l.basis, l.data_type, l.scenario, l.frequency, l.retention, l.storage_region];
    if counted {
        cols.extend([l.count, l.last_collected]);
    }
    header(&mut out, &cols);
    for group in by_purpose(&lists.collection) {
        for r in group {
            let mut dt = format!("`{}` {}", r.data_type, cell(data_type_text(r, lang)));
            if r.sensitive {
                dt.push_str(&lang.paren(l.sensitive));
            }
            let mut region = cell(&r.storage_region);
            if r.cross_border {
                region.push_str(&lang.paren(l.cross_border));
            }
            let mut basis = lang.basis(&r.basis).to_string();
            if !r.separate_consent.is_empty() {
                let why: Vec<&str> = r.separate_consent.iter().map(|t| lang.trigger(*t)).collect();
                basis.push_str(&lang.paren(&format!("{}{colon}{}", l.separate_consent, why.join(lang.list_sep()))));
            }
            let scenarios = if r.scenarios.is_empty() { l.no_scenario.to_string() } else { r.scenarios.join(", ") };
            let mut cells = vec![
                format!("`{}` {}", r.purpose, cell(purpose_text(r, lang))),
                basis,
                dt,
                cell(&scenarios),
                frequency(r, lang),
                retention(r, lang),
                region,
            ];
            if counted {
                cells.push(r.count.unwrap_or(0).to_string());
                cells.push(last_collected(r, lang));
            }
            row(&mut out, &cells);
        }
    }

    let _ = writeln!(out, "\n## {}\n", l.sharing_title);
    if lists.sharing.is_empty() {
        let _ = writeln!(out, "{}", l.no_third_parties);
    } else {
        let mut cols = vec![l.recipient, l.shared_purposes, l.shared_data_types, l.region, l.contact];
        if counted {
            cols.push(l.transfers);
        }
        header(&mut out, &cols);
        for s in &lists.sharing {
            let mut cells = vec![
                format!("{}{}", cell(recipient_name(s, lang)), lang.paren(&format!("`{}`", s.recipient))),
                s.purposes.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "),
                s.data_types.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", "),
                cell(&s.region),
                cell(s.contact.as_deref().unwrap_or(l.none)),
            ];
            if counted {
                cells.push(s.count.unwrap_or(0).to_string());
            }
            row(&mut out, &cells);
        }
    }
    let pack = format!("{} {}", l.rule_pack, cell(&lists.rule_pack));
    let _ = writeln!(out, "\n{}{}{}", l.generated_by, lang.paren(&pack), if lang == Lang::Zh { "。" } else { "." });
    out
}
