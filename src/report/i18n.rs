//! The words of the transparency reports in Chinese and English. Texts that come from the manifest stay as the app
//! wrote them; a manifest may add Chinese texts under `x-description-zh` (purposes, data types) and `x-name-zh`
//! (third parties). Vocabulary descriptions of the rule pack carry the Chinese term in parentheses, which the
//! Chinese lists show.

/// The language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Parses `zh` / `en` (and `zh-CN`, `en-US`...).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The fixed words of the reports.
    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// "365 days".
    pub fn days(self, n: u32) -> String {
        match self {
            Lang::Zh => format!("{n} 天"),
            Lang::En if n == 1 => "1 day".to_string(),
            Lang::En => format!("{n} days"),
        }
    }

    /// "at most 12 per 60 s".
    pub fn frequency(self, max: u32, per_seconds: u32) -> String {
        match self {
            Lang::Zh => format!("每 {per_seconds} 秒最多 {max} 次"),
            Lang::En => format!("at most {max} per {per_seconds} s"),
        }
    }

    /// A parenthetical: `（敏感）` in Chinese, ` (sensitive)` in English.
    pub fn paren(self, s: &str) -> String {
        match self {
            Lang::Zh => format!("（{s}）"),
            Lang::En => format!(" ({s})"),
        }
    }

    /// A list separator: `、` in Chinese, `, ` in English.
    pub fn list_sep(self) -> &'static str {
        match self {
            Lang::Zh => "、",
            Lang::En => ", ",
        }
    }

    /// Why a separate consent is needed, in words.
    pub fn trigger(self, t: crate::rules::SeparateConsentTrigger) -> &'static str {
        use crate::rules::SeparateConsentTrigger::*;
        match (self, t) {
            (Lang::Zh, Sensitive) => "敏感个人信息",
            (Lang::Zh, ThirdParty) => "向第三方提供",
            (Lang::Zh, CrossBorder) => "向境外提供",
            (Lang::Zh, Tracking) => "跨应用追踪",
            (Lang::En, Sensitive) => "sensitive personal information",
            (Lang::En, ThirdParty) => "given to a third party",
            (Lang::En, CrossBorder) => "leaves the home region",
            (Lang::En, Tracking) => "tracking across apps",
        }
    }

    /// The lawful basis in words.
    pub fn basis(self, basis: &str) -> &'static str {
        let l = self.labels();
        if basis == "necessary" {
            l.basis_necessary
        } else {
            l.basis_consent
        }
    }

    /// A vocabulary description in this language: for Chinese, the first parenthesised run of Chinese text
    /// (`"Departure place (出发地)."` → `出发地`) when there is one.
    pub fn vocabulary_text(self, description: &str) -> String {
        if self == Lang::Zh {
            if let Some(zh) = chinese_parenthetical(description) {
                return zh;
            }
        }
        description.to_string()
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

fn chinese_parenthetical(s: &str) -> Option<String> {
    let mut rest = s;
    while let Some(open) = rest.find(['(', '（']) {
        let after = &rest[open + rest[open..].chars().next().map_or(1, char::len_utf8)..];
        let close = after.find([')', '）'])?;
        let inner = after[..close].trim();
        if inner.chars().any(is_cjk) {
            return Some(inner.to_string());
        }
        rest = &after[close..];
    }
    None
}

/// The fixed words of the reports in one language.
#[derive(Debug)]
pub struct Labels {
    /// Title of the collection list.
    pub collection_title: &'static str,
    /// Title of the sharing list.
    pub sharing_title: &'static str,
    /// Title of the page holding both.
    pub page_title: &'static str,
    /// "App".
    pub app: &'static str,
    /// "Privacy policy".
    pub policy: &'static str,
    /// "version".
    pub version: &'static str,
    /// "App filing number".
    pub filing: &'static str,
    /// Link text to the filing system.
    pub filing_check: &'static str,
    /// Column: purpose.
    pub purpose: &'static str,
    /// Column: lawful basis.
    pub basis: &'static str,
    /// Column: data type.
    pub data_type: &'static str,
    /// Column: scenario.
    pub scenario: &'static str,
    /// Column: frequency limit.
    pub frequency: &'static str,
    /// Column: retention.
    pub retention: &'static str,
    /// Column: storage region.
    pub storage_region: &'static str,
    /// Column: collections counted.
    pub count: &'static str,
    /// Column: last collection.
    pub last_collected: &'static str,
    /// Column: recipient.
    pub recipient: &'static str,
    /// Column: shared for purposes.
    pub shared_purposes: &'static str,
    /// Column: shared data types.
    pub shared_data_types: &'static str,
    /// Column: where the recipient processes data.
    pub region: &'static str,
    /// Column: privacy contact.
    pub contact: &'static str,
    /// Column: transfers counted.
    pub transfers: &'static str,
    /// Basis `necessary`.
    pub basis_necessary: &'static str,
    /// Basis `consent`.
    pub basis_consent: &'static str,
    /// Marker of a purpose asked on its own.
    pub separate_consent: &'static str,
    /// Marker of storage outside the home region.
    pub cross_border: &'static str,
    /// Marker of sensitive personal information.
    pub sensitive: &'static str,
    /// No limit / no value.
    pub none: &'static str,
    /// Not used by any feature tier.
    pub no_scenario: &'static str,
    /// The app shares with no third party.
    pub no_third_parties: &'static str,
    /// Never collected.
    pub never: &'static str,
    /// Where the counts come from (followed by the database file).
    pub counts_from: &'static str,
    /// Up to which time the counts go.
    pub counts_until: &'static str,
    /// Without a database.
    pub counts_absent: &'static str,
    /// Rule pack.
    pub rule_pack: &'static str,
    /// Category.
    pub category: &'static str,
    /// Footer.
    pub generated_by: &'static str,
}

static ZH: Labels = Labels {
    collection_title: "个人信息收集清单",
    sharing_title: "第三方信息共享清单",
    page_title: "个人信息收集与共享清单",
    app: "应用",
    policy: "隐私政策",
    version: "版本",
    filing: "App备案号",
    filing_check: "在工业和信息化部备案管理系统查询",
    purpose: "使用目的",
    basis: "处理依据",
    data_type: "个人信息类型",
    scenario: "使用场景（功能/档位）",
    frequency: "收集频次上限",
    retention: "保存期限",
    storage_region: "存储地域",
    count: "实际收集次数",
    last_collected: "最近收集时间",
    recipient: "第三方名称",
    shared_purposes: "共享目的",
    shared_data_types: "共享的个人信息",
    region: "处理地域",
    contact: "联系方式",
    transfers: "实际共享次数",
    basis_necessary: "基本业务功能所必需",
    basis_consent: "经您同意",
    separate_consent: "需单独同意",
    cross_border: "出境",
    sensitive: "敏感",
    none: "无",
    no_scenario: "—",
    no_third_parties: "本应用不向第三方共享个人信息。",
    never: "未收集",
    counts_from: "实际次数取自本机同意数据库",
    counts_until: "统计截至",
    counts_absent: "本清单列出声明的收集范围；实际次数需在设备上生成。",
    rule_pack: "规则包",
    category: "应用类别",
    generated_by: "由 ConsentKit 根据应用清单文件生成",
};

static EN: Labels = Labels {
    collection_title: "Personal information collection list",
    sharing_title: "Third-party sharing list",
    page_title: "Personal information collection and sharing",
    app: "App",
    policy: "Privacy policy",
    version: "version",
    filing: "App filing number",
    filing_check: "check it in the MIIT filing system",
    purpose: "Purpose",
    basis: "Basis",
    data_type: "Personal information",
    scenario: "Scenario (feature/tier)",
    frequency: "Frequency limit",
    retention: "Retention",
    storage_region: "Storage region",
    count: "Times collected",
    last_collected: "Last collected",
    recipient: "Recipient",
    shared_purposes: "Purposes",
    shared_data_types: "Personal information shared",
    region: "Processing region",
    contact: "Contact",
    transfers: "Times shared",
    basis_necessary: "necessary for the basic service",
    basis_consent: "with your consent",
    separate_consent: "asked separately",
    cross_border: "cross-border",
    sensitive: "sensitive",
    none: "none",
    no_scenario: "—",
    no_third_parties: "This app shares no personal information with third parties.",
    never: "never",
    counts_from: "Real figures from the consent database",
    counts_until: "counted up to",
    counts_absent: "This list shows what the app declares; real figures are produced on the device.",
    rule_pack: "Rule pack",
    category: "Category",
    generated_by: "Generated by ConsentKit from the app's manifest",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_terms_are_taken_from_vocabulary_descriptions() {
        assert_eq!(Lang::Zh.vocabulary_text("Departure place / origin of a trip (出发地)."), "出发地");
        assert_eq!(Lang::Zh.vocabulary_text("The user's (or passenger's) location (位置信息), e.g. GPS"), "位置信息");
        assert_eq!(Lang::Zh.vocabulary_text("trips taken"), "trips taken");
        assert_eq!(Lang::En.vocabulary_text("Departure (出发地)"), "Departure (出发地)");
    }

    #[test]
    fn parses_tags() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
