//! Google Play's Data safety answers, from the manifest, as an answer sheet laid out by the form's sections.
//!
//! Not the Play Console's CSV: its import format keys every answer by question and response ids (e.g. the rows of
//! the template the Console exports) that Google does not publish; the public documentation of the form
//! (<https://support.google.com/googleplay/android-developer/answer/10787469>) describes its sections, data types
//! and purposes by their labels only. A CSV built from guessed ids would be imported wrongly or not at all, so this
//! renders the answers by those labels, for a human to enter (docs/cli.md says the same).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::manifest::{Basis, Manifest};
use crate::rules::StoreDeclarations;

/// One data type of the form and how the app handles it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlayDataType {
    /// The form's section, e.g. "Personal info".
    pub section: String,
    /// The form's data type, e.g. "Phone number".
    pub data_type: String,
    /// The manifest's data types behind it.
    pub from: Vec<String>,
    /// Collected (sent off the device): always, since a purpose collects it.
    pub collected: bool,
    /// Shared: a purpose that collects it has a third-party recipient.
    pub shared: bool,
    /// Who receives it (third-party names).
    pub shared_with: Vec<String>,
    /// Users can choose: every purpose that collects it needs an opt-in; required when a necessary one collects it.
    pub optional: bool,
    /// Why it is collected (Play's purposes).
    pub collected_for: Vec<String>,
    /// Why it is shared (Play's purposes of the purposes with recipients).
    pub shared_for: Vec<String>,
    /// Purposes whose kind has no Play purpose: a human picks one.
    pub purposes_to_choose: Vec<String>,
}

/// The whole answer sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlayAnswers {
    /// The app.
    pub app: String,
    /// "Does your app collect or share any of the required user data types?"
    pub collects_or_shares: bool,
    /// "Is all of the user data collected by your app encrypted in transit?" (`app.encrypted_in_transit`; absent:
    /// not declared).
    pub encrypted_in_transit: Option<bool>,
    /// The deletion request URL (`app.deletion_url`).
    pub deletion_url: Option<String>,
    /// Data types in the form's order.
    pub data_types: Vec<PlayDataType>,
    /// The manifest's data types with no Play data type (app-declared types): a human places them.
    pub unmapped: Vec<String>,
    /// Where the table comes from.
    pub source: String,
}

impl PlayAnswers {
    /// The answers for `m`.
    pub fn of(m: &Manifest, table: &StoreDeclarations) -> PlayAnswers {
        let mut rows: Vec<PlayDataType> = Vec::new();
        let mut unmapped = BTreeSet::new();
        for p in &m.purposes {
            let kind = StoreDeclarations::purpose_kind(p);
            let play = table.purpose_mapping(kind).and_then(|k| k.play.clone());
            let shared_with: Vec<String> = p
                .recipients
                .iter()
                .map(|r| m.third_parties.iter().find(|t| &t.id == r).map_or(r.clone(), |t| t.name.clone()))
                .collect();
            for d in &p.data_types {
                let Some(v) = table.vocabulary.get(d) else {
                    unmapped.insert(d.clone());
                    continue;
                };
                let [section, label] = &v.play;
                let i = match rows.iter().position(|r| &r.section == section && &r.data_type == label) {
                    Some(i) => i,
                    None => {
                        rows.push(PlayDataType {
                            section: section.clone(),
                            data_type: label.clone(),
                            from: Vec::new(),
                            collected: true,
                            shared: false,
                            shared_with: Vec::new(),
                            optional: true,
                            collected_for: Vec::new(),
                            shared_for: Vec::new(),
                            purposes_to_choose: Vec::new(),
                        });
                        rows.len() - 1
                    }
                };
                let row = &mut rows[i];
                add(&mut row.from, d);
                row.optional &= p.basis == Basis::Consent;
                match &play {
                    Some(purpose) => {
                        add(&mut row.collected_for, purpose);
                        if !shared_with.is_empty() {
                            add(&mut row.shared_for, purpose);
                        }
                    }
                    None => add(&mut row.purposes_to_choose, &p.id),
                }
                if !shared_with.is_empty() {
                    row.shared = true;
                    shared_with.iter().for_each(|n| add(&mut row.shared_with, n));
                }
            }
        }
        let order: Vec<(&String, &String)> =
            table.play_data_types.iter().flat_map(|s| s.types.iter().map(move |t| (&s.section, t))).collect();
        rows.sort_by_key(|r| order.iter().position(|(s, t)| **s == r.section && **t == r.data_type));
        for r in &mut rows {
            r.from.sort();
            r.shared_with.sort();
            r.collected_for.sort();
            r.shared_for.sort();
        }
        PlayAnswers {
            app: m.app.name.clone(),
            collects_or_shares: !rows.is_empty() || !unmapped.is_empty(),
            encrypted_in_transit: m.app.encrypted_in_transit,
            deletion_url: m.app.deletion_url.clone(),
            data_types: rows,
            unmapped: unmapped.into_iter().collect(),
            source: table.sources.get("play_data_safety").cloned().unwrap_or_default(),
        }
    }

    /// The sheet as Markdown, one heading per section of the form.
    pub fn markdown(&self) -> String {
        let yes = |b: bool| if b { "Yes" } else { "No" };
        let mut s = format!("# Google Play Data safety answers: {}\n\n", self.app);
        s.push_str(&format!(
            "Generated by `consentkit export play-data-safety` from the manifest; enter them in Play Console > Policy > \
             App content > Data safety. Labels follow the form as documented at {}. Answers marked TODO are not in \
             the manifest.\n\n",
            self.source
        ));
        s.push_str("## 1. Data collection and security\n\n| question | answer |\n|---|---|\n");
        s.push_str(&format!(
            "| Does your app collect or share any of the required user data types? | {} |\n",
            yes(self.collects_or_shares)
        ));
        s.push_str(&format!(
            "| Is all of the user data collected by your app encrypted in transit? | {} |\n",
            self.encrypted_in_transit.map_or("TODO: set app.encrypted_in_transit".into(), |b| yes(b).to_string())
        ));
        s.push_str(&format!(
            "| Do you provide a way for users to request that their data is deleted? | {} |\n",
            self.deletion_url.as_deref().map_or("TODO: set app.deletion_url".into(), |u| format!("Yes: {u}"))
        ));
        s.push_str("| Which methods of account creation does your app support? | TODO: not in the manifest |\n\n");
        s.push_str("## 2. Data types\n\n");
        let mut section = "";
        for r in &self.data_types {
            if r.section != section {
                section = &r.section;
                s.push_str(&format!("- **{section}**\n"));
            }
            s.push_str(&format!("  - {} (from {})\n", r.data_type, r.from.join(", ")));
        }
        if self.data_types.is_empty() {
            s.push_str("None.\n");
        }
        for u in &self.unmapped {
            s.push_str(&format!("- TODO: `{u}` is declared by the app and has no Play data type: choose one\n"));
        }
        s.push_str("\n## 3. Data usage and handling\n\n");
        s.push_str("| data type | collected / shared | processed ephemerally? | required or optional | why collected | why shared |\n|---|---|---|---|---|---|\n");
        for r in &self.data_types {
            let mut why = r.collected_for.join(", ");
            if !r.purposes_to_choose.is_empty() {
                why.push_str(&format!("{}TODO: choose for {}", if why.is_empty() { "" } else { "; " }, r.purposes_to_choose.join(", ")));
            }
            s.push_str(&format!(
                "| {} / {} | {} | TODO: No unless only held in memory for the request | {} | {} | {} |\n",
                r.section,
                r.data_type,
                if r.shared { format!("Collected, shared with {}", r.shared_with.join(", ")) } else { "Collected".into() },
                if r.optional { "Optional (users can choose)" } else { "Required" },
                why,
                if r.shared { r.shared_for.join(", ") } else { "-".into() },
            ));
        }
        s
    }
}

fn add(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}
