//! One self-contained HTML page: inline CSS, no scripts, no external assets (a Content-Security-Policy forbids
//! them), readable on a phone (viewport meta; below 640 px each table row becomes a card with labelled fields),
//! light and dark.

use std::fmt::Write;

use super::{
    by_purpose, category_text, counts_note, data_type_text, frequency, last_collected, purpose_text, recipient_name,
    retention,
};
use crate::report::i18n::Lang;
use crate::report::lists::Lists;

/// Escapes text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A link only for http(s) URLs; anything else is shown as text.
fn link(url: &str, text: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        format!("<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>", esc(url), esc(text))
    } else {
        esc(text)
    }
}

const CSS: &str = r#"
:root{--fg:#1d2430;--muted:#5b6575;--bg:#fff;--card:#f5f7fa;--line:#d9dee6;--accent:#0b5fff;--warn:#a4480b;--warnbg:#fff1e6;--tag:#e8eef9}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#a3acba;--bg:#14171c;--card:#1d2128;--line:#333a45;--accent:#7aa7ff;--warn:#ffb27a;--warnbg:#3a2616;--tag:#243049}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Hiragino Sans GB","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.45rem;line-height:1.3;margin:.25rem 0 1rem}
h2{font-size:1.2rem;margin:2rem 0 .5rem;padding-bottom:.25rem;border-bottom:2px solid var(--line)}
a{color:var(--accent)}
code{font:.9em/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--tag);padding:.05em .35em;border-radius:4px;overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0 0 1rem;padding:.75rem 1rem;background:var(--card);border-radius:10px}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
p.note{color:var(--muted);font-size:.92rem;margin:.25rem 0 .75rem;overflow-wrap:anywhere}
.tag{display:inline-block;font-size:.8rem;line-height:1.4;padding:0 .45em;margin:.1rem .25rem .1rem 0;border-radius:999px;background:var(--tag);white-space:nowrap}
.tag.warn{background:var(--warnbg);color:var(--warn)}
table.list{width:100%;border-collapse:collapse;margin:.5rem 0 1rem}
table.list th,table.list td{text-align:left;vertical-align:top;padding:.5rem .6rem;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
table.list thead th{font-size:.85rem;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line)}
table.list tr.purpose th{background:var(--card);font-weight:400;padding-top:.75rem}
.pdesc{font-weight:600;margin-left:.25rem}
.meta{display:block;margin-top:.3rem}
.scen{display:block;color:var(--muted);font-size:.88rem;margin-top:.2rem}
.dtdesc{display:block;font-size:.9rem;color:var(--muted)}
td.num{font-variant-numeric:tabular-nums}
td.when{white-space:nowrap}
footer{color:var(--muted);font-size:.85rem;margin:2rem 0 1rem}
@media (max-width:640px){
main{padding:.75rem}
dl.facts{grid-template-columns:1fr;gap:0 0}
dl.facts dd{margin-bottom:.4rem}
table.list thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
table.list,table.list tbody,table.list tr,table.list th,table.list td{display:block;width:100%}
table.list tbody{margin-bottom:1rem;border:1px solid var(--line);border-radius:10px;overflow:hidden}
table.list tr{border-bottom:1px solid var(--line)}
table.list tr:last-child{border-bottom:0}
table.list td{display:grid;grid-template-columns:minmax(6.5em,38%) 1fr;gap:.5rem;border:0;padding:.3rem .75rem}
table.list td::before{content:attr(data-label);color:var(--muted);font-size:.85rem}
table.list tr.purpose th{border:0;padding:.6rem .75rem}
table.sharing tbody tr{padding:.25rem 0}
}
"#;

fn td(out: &mut String, label: &str, class: &str, content: &str) {
    let class = if class.is_empty() { String::new() } else { format!(" class=\"{class}\"") };
    // One child element: in the phone layout the cell is a two-column grid (label, value).
    let _ = write!(out, "<td data-label=\"{}\"{class}><div>{content}</div></td>", esc(label));
}

/// The collection list and the sharing list as one self-contained HTML page.
pub fn html(lists: &Lists, lang: Lang) -> String {
    let l = lang.labels();
    let counted = lists.counts.is_some();
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
         base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"generator\" content=\"ConsentKit {}\">\n<title>{} · {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        lang.tag(),
        env!("CARGO_PKG_VERSION"),
        esc(l.page_title),
        esc(&lists.app.name)
    );
    let _ = writeln!(out, "<header>\n<h1>{}<br>{}</h1>", esc(&lists.app.name), esc(l.page_title));
    out.push_str("<dl class=\"facts\">\n");
    let _ =
        writeln!(out, "<dt>{}</dt><dd>{} <code>{}</code></dd>", esc(l.app), esc(&lists.app.name), esc(&lists.app.id));
    if let Some(c) = category_text(lists, lang) {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(l.category), esc(&c));
    }
    let _ = writeln!(
        out,
        "<dt>{}</dt><dd>{} · {} {}</dd>",
        esc(l.policy),
        link(&lists.policy.url, &lists.policy.url),
        esc(l.version),
        esc(&lists.policy.version)
    );
    if let Some(f) = &lists.filing {
        let _ = writeln!(
            out,
            "<dt>{}</dt><dd>{} <span class=\"scen\">{}</span></dd>",
            esc(l.filing),
            link(&f.url, &f.number),
            link(&f.url, l.filing_check)
        );
    }
    out.push_str("</dl>\n</header>\n");

    // The collection list: one row group per purpose.
    let _ = writeln!(
        out,
        "<section id=\"collection\" aria-labelledby=\"collection-title\">\n<h2 id=\"collection-title\">{}</h2>",
        esc(l.collection_title)
    );
    let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(&counts_note(lists, lang)));
    let ncols = if counted { 4 } else { 2 };
    out.push_str("<table class=\"list collection\">\n<thead><tr>");
    let mut heads = vec![l.data_type, l.frequency];
    if counted {
        heads.extend([l.count, l.last_collected]);
    }
    for h in &heads {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
    }
    out.push_str("</tr></thead>\n");
    for group in by_purpose(&lists.collection) {
        let r = &group[0];
        let _ = write!(
            out,
            "<tbody id=\"purpose-{id}\" data-purpose=\"{id}\">\n<tr class=\"purpose\"><th colspan=\"{ncols}\" scope=\"rowgroup\">\
             <code>{id}</code><span class=\"pdesc\">{desc}</span><span class=\"meta\">",
            id = esc(&r.purpose),
            desc = esc(purpose_text(r, lang))
        );
        let colon = if lang == Lang::Zh { "：" } else { ": " };
        let _ = write!(out, "<span class=\"tag\">{}{colon}{}</span>", esc(l.basis), esc(lang.basis(&r.basis)));
        let _ = write!(out, "<span class=\"tag\">{}{colon}{}</span>", esc(l.retention), esc(&retention(r, lang)));
        let _ = write!(out, "<span class=\"tag\">{}{colon}{}</span>", esc(l.storage_region), esc(&r.storage_region));
        if r.cross_border {
            let _ = write!(out, "<span class=\"tag warn\">{}</span>", esc(l.cross_border));
        }
        if !r.separate_consent.is_empty() {
            let why: Vec<&str> = r.separate_consent.iter().map(|t| lang.trigger(*t)).collect();
            let _ = write!(
                out,
                "<span class=\"tag warn\">{}{colon}{}</span>",
                esc(l.separate_consent),
                esc(&why.join(lang.list_sep()))
            );
        }
        let scenarios = if r.scenarios.is_empty() {
            l.no_scenario.to_string()
        } else {
            r.scenarios.iter().map(|s| format!("<code>{}</code>", esc(s))).collect::<Vec<_>>().join(" ")
        };
        let _ = writeln!(out, "</span><span class=\"scen\">{}{colon}{scenarios}</span></th></tr>", esc(l.scenario));
        for r in group {
            out.push_str("<tr>");
            let mut dt = format!("<code>{}</code>", esc(&r.data_type));
            if r.sensitive {
                let _ = write!(dt, " <span class=\"tag warn\">{}</span>", esc(l.sensitive));
            }
            let _ = write!(dt, "<span class=\"dtdesc\">{}</span>", esc(data_type_text(r, lang)));
            td(&mut out, l.data_type, "", &dt);
            td(&mut out, l.frequency, "", &esc(&frequency(r, lang)));
            if counted {
                td(&mut out, l.count, "num", &r.count.unwrap_or(0).to_string());
                td(&mut out, l.last_collected, "when", &esc(&last_collected(r, lang)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n</section>\n");

    // The sharing list.
    let _ = writeln!(
        out,
        "<section id=\"sharing\" aria-labelledby=\"sharing-title\">\n<h2 id=\"sharing-title\">{}</h2>",
        esc(l.sharing_title)
    );
    if lists.sharing.is_empty() {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(l.no_third_parties));
    } else {
        out.push_str("<table class=\"list sharing\">\n<thead><tr>");
        let mut heads = vec![l.recipient, l.shared_purposes, l.shared_data_types, l.region, l.contact];
        if counted {
            heads.push(l.transfers);
        }
        for h in &heads {
            let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for s in &lists.sharing {
            let codes =
                |ids: &[String]| ids.iter().map(|i| format!("<code>{}</code>", esc(i))).collect::<Vec<_>>().join(" ");
            let _ = write!(out, "<tr id=\"recipient-{}\">", esc(&s.recipient));
            td(
                &mut out,
                l.recipient,
                "",
                &format!("{} <code>{}</code>", esc(recipient_name(s, lang)), esc(&s.recipient)),
            );
            td(&mut out, l.shared_purposes, "", &codes(&s.purposes));
            td(&mut out, l.shared_data_types, "", &codes(&s.data_types));
            td(&mut out, l.region, "", &esc(&s.region));
            let contact = match &s.contact {
                Some(c) if c.contains('@') && !c.contains(['<', '>', '"', ' ']) => {
                    format!("<a href=\"mailto:{}\">{}</a>", esc(c), esc(c))
                }
                Some(c) => esc(c),
                None => esc(l.none),
            };
            td(&mut out, l.contact, "", &contact);
            if counted {
                td(&mut out, l.transfers, "num", &s.count.unwrap_or(0).to_string());
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
    let _ = writeln!(
        out,
        "<footer>{} · {} {} · ConsentKit {}</footer>\n</main>\n</body>\n</html>",
        esc(l.generated_by),
        esc(l.rule_pack),
        esc(&lists.rule_pack),
        env!("CARGO_PKG_VERSION")
    );
    out
}
