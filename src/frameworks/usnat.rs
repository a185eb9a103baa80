//! The GPP US national section (`usnat`, section id 7) after IAB Privacy's "MSPA US National Technical
//! Specification": a core segment of two-bit fields and an optional GPC sub-section. Version 2 (October 2024: 16
//! sensitive-data categories, 3 known-child consents) is written; versions 1 (12 and 2) and 2 are read.

use super::bits::{BitReader, BitWriter};
use super::FrameworkError;

/// GPP section id of `usnat`.
pub const USNAT_SECTION_ID: u16 = 7;
/// The version written.
pub const USNAT_VERSION: u8 = 2;

/// Two-bit notice fields: 0 not applicable, 1 notice given, 2 notice not given.
pub mod notice {
    /// The business does not do this.
    pub const NOT_APPLICABLE: u8 = 0;
    /// Notice was provided.
    pub const PROVIDED: u8 = 1;
    /// Notice was not provided.
    pub const NOT_PROVIDED: u8 = 2;
}

/// Two-bit opt-out fields: 0 not applicable, 1 opted out, 2 did not opt out.
pub mod opt_out {
    /// No notice, or not applicable.
    pub const NOT_APPLICABLE: u8 = 0;
    /// The consumer opted out.
    pub const OPTED_OUT: u8 = 1;
    /// The consumer did not opt out.
    pub const DID_NOT_OPT_OUT: u8 = 2;
}

/// Two-bit consent fields (sensitive data, known child, personal data): 0 not applicable, 1 no consent, 2 consent.
pub mod consent {
    /// The business does not process this.
    pub const NOT_APPLICABLE: u8 = 0;
    /// No consent.
    pub const NO_CONSENT: u8 = 1;
    /// Consent.
    pub const CONSENT: u8 = 2;
}

/// The `usnat` section, field by field, in the spec's order. Every field is a two-bit code (see the modules
/// [`notice`], [`opt_out`], [`consent`]); MSPA fields use 1 yes, 2 no (0 not applicable where allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsNat {
    /// Section version (1 or 2): fixes the lengths of the two lists below.
    pub version: u8,
    /// SharingNotice.
    pub sharing_notice: u8,
    /// SaleOptOutNotice.
    pub sale_opt_out_notice: u8,
    /// SharingOptOutNotice.
    pub sharing_opt_out_notice: u8,
    /// TargetedAdvertisingOptOutNotice.
    pub targeted_advertising_opt_out_notice: u8,
    /// SensitiveDataProcessingOptOutNotice.
    pub sensitive_data_processing_opt_out_notice: u8,
    /// SensitiveDataLimitUseNotice.
    pub sensitive_data_limit_use_notice: u8,
    /// SaleOptOut.
    pub sale_opt_out: u8,
    /// SharingOptOut.
    pub sharing_opt_out: u8,
    /// TargetedAdvertisingOptOut.
    pub targeted_advertising_opt_out: u8,
    /// SensitiveDataProcessing: 12 entries (v1) or 16 (v2).
    pub sensitive_data_processing: Vec<u8>,
    /// KnownChildSensitiveDataConsents: 2 entries (v1) or 3 (v2).
    pub known_child_sensitive_data_consents: Vec<u8>,
    /// PersonalDataConsents.
    pub personal_data_consents: u8,
    /// MspaCoveredTransaction (1 yes, 2 no).
    pub mspa_covered_transaction: u8,
    /// MspaOptOutOptionMode.
    pub mspa_opt_out_option_mode: u8,
    /// MspaServiceProviderMode.
    pub mspa_service_provider_mode: u8,
    /// The GPC sub-section, when present: the Global Privacy Control signal.
    pub gpc: Option<bool>,
}

/// Lengths of the two lists for a section version.
fn list_lengths(version: u8) -> Result<(usize, usize), FrameworkError> {
    match version {
        1 => Ok((12, 2)),
        2 => Ok((16, 3)),
        v => Err(FrameworkError::UnsupportedVersion { what: "usnat section", version: v.into() }),
    }
}

impl UsNat {
    /// The scalar two-bit fields in string order, with their spec names (for encoding, decoding and in-app keys).
    pub fn scalar_fields(&self) -> [(&'static str, u8); 9] {
        [
            ("SharingNotice", self.sharing_notice),
            ("SaleOptOutNotice", self.sale_opt_out_notice),
            ("SharingOptOutNotice", self.sharing_opt_out_notice),
            ("TargetedAdvertisingOptOutNotice", self.targeted_advertising_opt_out_notice),
            ("SensitiveDataProcessingOptOutNotice", self.sensitive_data_processing_opt_out_notice),
            ("SensitiveDataLimitUseNotice", self.sensitive_data_limit_use_notice),
            ("SaleOptOut", self.sale_opt_out),
            ("SharingOptOut", self.sharing_opt_out),
            ("TargetedAdvertisingOptOut", self.targeted_advertising_opt_out),
        ]
    }

    /// The trailing MSPA and personal-data fields in string order, with their spec names.
    pub fn trailing_fields(&self) -> [(&'static str, u8); 4] {
        [
            ("PersonalDataConsents", self.personal_data_consents),
            ("MspaCoveredTransaction", self.mspa_covered_transaction),
            ("MspaOptOutOptionMode", self.mspa_opt_out_option_mode),
            ("MspaServiceProviderMode", self.mspa_service_provider_mode),
        ]
    }

    /// The section text: core segment, then `.` and the GPC sub-section when `gpc` is set.
    pub fn encode(&self) -> Result<String, FrameworkError> {
        let (sensitive, child) = list_lengths(self.version)?;
        if self.sensitive_data_processing.len() != sensitive {
            return Err(FrameworkError::OutOfRange { field: "SensitiveDataProcessing" });
        }
        if self.known_child_sensitive_data_consents.len() != child {
            return Err(FrameworkError::OutOfRange { field: "KnownChildSensitiveDataConsents" });
        }
        let two_bit = |field: &'static str, v: u8| if v <= 3 { Ok(u64::from(v)) } else { Err(FrameworkError::OutOfRange { field }) };
        let mut w = BitWriter::new();
        w.int(self.version.into(), 6);
        for (name, v) in self.scalar_fields() {
            w.int(two_bit(name, v)?, 2);
        }
        for &v in &self.sensitive_data_processing {
            w.int(two_bit("SensitiveDataProcessing", v)?, 2);
        }
        for &v in &self.known_child_sensitive_data_consents {
            w.int(two_bit("KnownChildSensitiveDataConsents", v)?, 2);
        }
        for (name, v) in self.trailing_fields() {
            w.int(two_bit(name, v)?, 2);
        }
        let mut out = w.to_base64url(6);
        if let Some(gpc) = self.gpc {
            let mut g = BitWriter::new();
            g.int(1, 2);
            g.bool(gpc);
            out.push('.');
            out.push_str(&g.to_base64url(6));
        }
        Ok(out)
    }

    /// Reads the section text (core segment and optional GPC sub-section).
    pub fn decode(text: &str) -> Result<Self, FrameworkError> {
        let mut parts = text.split('.');
        let core = parts.next().filter(|p| !p.is_empty()).ok_or(FrameworkError::Empty)?;
        let mut r = BitReader::from_base64url(core)?;
        let version = r.int(6, "Version")? as u8;
        let (sensitive, child) = list_lengths(version)?;
        let mut two = |field| r.int(2, field).map(|v| v as u8);
        let mut scalars = [0u8; 9];
        let names = ["SharingNotice", "SaleOptOutNotice", "SharingOptOutNotice", "TargetedAdvertisingOptOutNotice", "SensitiveDataProcessingOptOutNotice", "SensitiveDataLimitUseNotice", "SaleOptOut", "SharingOptOut", "TargetedAdvertisingOptOut"];
        for (slot, name) in scalars.iter_mut().zip(names) {
            *slot = two(name)?;
        }
        let sensitive_data_processing = (0..sensitive).map(|_| two("SensitiveDataProcessing")).collect::<Result<Vec<_>, _>>()?;
        let known_child_sensitive_data_consents = (0..child).map(|_| two("KnownChildSensitiveDataConsents")).collect::<Result<Vec<_>, _>>()?;
        let personal_data_consents = two("PersonalDataConsents")?;
        let mspa_covered_transaction = two("MspaCoveredTransaction")?;
        let mspa_opt_out_option_mode = two("MspaOptOutOptionMode")?;
        let mspa_service_provider_mode = two("MspaServiceProviderMode")?;
        let mut gpc = None;
        for sub in parts {
            let mut r = BitReader::from_base64url(sub)?;
            match r.int(2, "SubsectionType")? {
                1 if gpc.is_none() => gpc = Some(r.bool("Gpc")?),
                1 => return Err(FrameworkError::Structure { detail: "usnat GPC sub-section appears twice".into() }),
                t => return Err(FrameworkError::Structure { detail: format!("unknown usnat sub-section type {t}") }),
            }
        }
        Ok(UsNat {
            version,
            sharing_notice: scalars[0],
            sale_opt_out_notice: scalars[1],
            sharing_opt_out_notice: scalars[2],
            targeted_advertising_opt_out_notice: scalars[3],
            sensitive_data_processing_opt_out_notice: scalars[4],
            sensitive_data_limit_use_notice: scalars[5],
            sale_opt_out: scalars[6],
            sharing_opt_out: scalars[7],
            targeted_advertising_opt_out: scalars[8],
            sensitive_data_processing,
            known_child_sensitive_data_consents,
            personal_data_consents,
            mspa_covered_transaction,
            mspa_opt_out_option_mode,
            mspa_service_provider_mode,
            gpc,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(version: u8) -> UsNat {
        let (s, c) = list_lengths(version).unwrap();
        UsNat {
            version,
            sharing_notice: 1,
            sale_opt_out_notice: 1,
            sharing_opt_out_notice: 1,
            targeted_advertising_opt_out_notice: 1,
            sensitive_data_processing_opt_out_notice: 0,
            sensitive_data_limit_use_notice: 0,
            sale_opt_out: 2,
            sharing_opt_out: 2,
            targeted_advertising_opt_out: 1,
            sensitive_data_processing: (0..s).map(|i| (i % 3) as u8).collect(),
            known_child_sensitive_data_consents: vec![0; c],
            personal_data_consents: 0,
            mspa_covered_transaction: 2,
            mspa_opt_out_option_mode: 0,
            mspa_service_provider_mode: 0,
            gpc: Some(true),
        }
    }

    #[test]
    fn version_2_has_the_spec_bit_length() {
        // 6 + 9×2 + 16×2 + 3×2 + 4×2 = 70 bits → 12 characters (72 bits); the GPC sub-section is 3 bits → 1 char.
        let text = sample(2).encode().unwrap();
        let (core, gpc) = text.split_once('.').unwrap();
        assert_eq!(core.len(), 12);
        assert_eq!(gpc, "Y", "SubsectionType 01, Gpc 1 → 011000 = 24");
        assert_eq!(UsNat::decode(&text).unwrap(), sample(2));
    }

    #[test]
    fn reads_version_1_strings() {
        // 6 + 18 + 24 + 4 + 8 = 60 bits → 10 characters.
        let text = sample(1).encode().unwrap();
        assert_eq!(text.split('.').next().unwrap().len(), 10);
        assert_eq!(UsNat::decode(&text).unwrap(), sample(1));
    }

    #[test]
    fn refuses_wrong_lengths_and_versions() {
        let mut bad = sample(2);
        bad.sensitive_data_processing.pop();
        assert!(matches!(bad.encode(), Err(FrameworkError::OutOfRange { .. })));
        assert!(matches!(UsNat::decode("DAAA"), Err(FrameworkError::UnsupportedVersion { .. })));
        assert!(matches!(UsNat::decode("CAA"), Err(FrameworkError::Truncated { .. })));
    }
}
