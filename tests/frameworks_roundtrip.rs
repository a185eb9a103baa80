//! Property test of the TC, usnat and GPP codecs: random states → encode → decode gives the state back, over
//! thousands of states that mix dense and sparse vendor sets (so both the bit-field and the range encoding are
//! chosen), publisher restrictions, publisher TC segments and GPC sub-sections. A fixed-seed xorshift generator keeps
//! every run the same; a failure prints the seed's case number.

use std::collections::BTreeSet;

use consentkit::frameworks::gpp::{GppSection, GppString};
use consentkit::frameworks::tcf::{PublisherRestriction, PublisherTc, RestrictionType, TcCore, TcString};
use consentkit::frameworks::usnat::UsNat;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn letters(&mut self) -> [u8; 2] {
        [b'A' + self.below(26) as u8, b'A' + self.below(26) as u8]
    }
    fn small_set(&mut self, max: u64) -> BTreeSet<u8> {
        (1..=max).filter(|_| self.chance(40)).map(|i| i as u8).collect()
    }
    /// Vendor ids: empty, sparse over a wide range, dense runs, or a mix.
    fn vendors(&mut self) -> BTreeSet<u16> {
        let mut out = BTreeSet::new();
        match self.below(4) {
            0 => {}
            1 => {
                for _ in 0..self.below(20) {
                    out.insert(1 + self.below(3000) as u16);
                }
            }
            2 => {
                let start = 1 + self.below(1000) as u16;
                out.extend(start..start + self.below(400) as u16);
            }
            _ => {
                let max = 1 + self.below(1200);
                out.extend((1..=max).filter(|_| self.chance(50)).map(|i| i as u16));
            }
        }
        out
    }
}

fn random_tc(rng: &mut Rng) -> TcString {
    let day = rng.below(20_000) * 864_000;
    let restrictions = (0..rng.below(4))
        .map(|_| PublisherRestriction {
            purpose_id: 1 + rng.below(24) as u8,
            restriction_type: [RestrictionType::NotAllowed, RestrictionType::RequireConsent, RestrictionType::RequireLegitimateInterest]
                [rng.below(3) as usize],
            vendors: rng.vendors(),
        })
        .collect();
    let core = TcCore {
        created_ds: day,
        last_updated_ds: day,
        cmp_id: rng.below(4096) as u16,
        cmp_version: rng.below(4096) as u16,
        consent_screen: rng.below(64) as u8,
        consent_language: rng.letters(),
        vendor_list_version: rng.below(4096) as u16,
        tcf_policy_version: 4 + rng.below(2) as u8,
        is_service_specific: true,
        use_non_standard_texts: rng.chance(50),
        special_feature_opt_ins: rng.small_set(12),
        purposes_consent: rng.small_set(24),
        purposes_li_transparency: rng.small_set(24),
        purpose_one_treatment: rng.chance(20),
        publisher_cc: rng.letters(),
        vendor_consents: rng.vendors(),
        vendor_legitimate_interests: rng.vendors(),
        publisher_restrictions: restrictions,
    };
    let publisher = rng.chance(50).then(|| {
        let n = rng.below(64);
        PublisherTc {
            purposes_consent: rng.small_set(24),
            purposes_li_transparency: rng.small_set(24),
            num_custom_purposes: n as u8,
            custom_purposes_consent: rng.small_set(n),
            custom_purposes_li_transparency: rng.small_set(n),
        }
    });
    TcString { core, disclosed_vendors: rng.chance(80).then(|| rng.vendors()), allowed_vendors: None, publisher }
}

fn random_usnat(rng: &mut Rng) -> UsNat {
    let version = 1 + rng.below(2) as u8;
    let (s, c) = if version == 1 { (12, 2) } else { (16, 3) };
    let mut two = || rng.below(3) as u8;
    UsNat {
        version,
        sharing_notice: two(),
        sale_opt_out_notice: two(),
        sharing_opt_out_notice: two(),
        targeted_advertising_opt_out_notice: two(),
        sensitive_data_processing_opt_out_notice: two(),
        sensitive_data_limit_use_notice: two(),
        sale_opt_out: two(),
        sharing_opt_out: two(),
        targeted_advertising_opt_out: two(),
        sensitive_data_processing: (0..s).map(|_| two()).collect(),
        known_child_sensitive_data_consents: (0..c).map(|_| two()).collect(),
        personal_data_consents: two(),
        mspa_covered_transaction: 1 + rng.below(2) as u8,
        mspa_opt_out_option_mode: rng.below(3) as u8,
        mspa_service_provider_mode: rng.below(3) as u8,
        gpc: match rng.below(3) {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        },
    }
}

fn is_range_encoded(text: &str, bit: usize) -> bool {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let six = ALPHABET.find(text.as_bytes()[bit / 6] as char).unwrap();
    (six >> (5 - bit % 6)) & 1 == 1
}

#[test]
fn tc_strings_round_trip_over_2000_random_states() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut ranges, mut fields) = (0, 0);
    for case in 0..2000 {
        let tc = random_tc(&mut rng);
        let text = tc.encode().unwrap_or_else(|e| panic!("case {case}: {e}"));
        assert!(!text.contains('='), "no padding");
        assert_eq!(TcString::decode(&text).unwrap_or_else(|e| panic!("case {case}: {e} in {text}")), tc, "case {case}");
        // Both vendor encodings are exercised: IsRangeEncoding of the vendor consents is bit 229 of the core
        // (213 bits of fixed fields, then MaxVendorId's 16).
        if is_range_encoded(&text, 229) {
            ranges += 1
        } else {
            fields += 1
        }
    }
    assert!(ranges > 100 && fields > 100, "ranges {ranges}, fields {fields}");
}

#[test]
fn gpp_strings_round_trip_over_1500_random_states() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for case in 0..1500 {
        let mut sections = Vec::new();
        if rng.chance(70) {
            sections.push(GppSection::TcfEuV2(Box::new(random_tc(&mut rng))));
        }
        if rng.chance(30) {
            sections.push(GppSection::Other { id: 6, text: "1YNN".into() });
        }
        if rng.chance(70) {
            sections.push(GppSection::UsNat(random_usnat(&mut rng)));
        }
        let gpp = GppString { sections };
        let text = gpp.encode().unwrap_or_else(|e| panic!("case {case}: {e}"));
        assert_eq!(GppString::decode(&text).unwrap_or_else(|e| panic!("case {case}: {e} in {text}")), gpp, "case {case}");
    }
}

#[test]
fn corrupted_tc_strings_give_a_value_or_a_typed_error_never_a_panic() {
    // Flip, cut or replace characters of valid strings: decoding returns Ok or a typed error, never a panic.
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for _ in 0..1000 {
        let text = random_tc(&mut rng).encode().unwrap();
        let mut bytes = text.into_bytes();
        let i = rng.below(bytes.len() as u64) as usize;
        match rng.below(3) {
            0 => bytes.truncate(i),
            1 => bytes[i] = b"AZaz09-_.*"[rng.below(10) as usize],
            _ => bytes.insert(i, b'.'),
        }
        let _ = TcString::decode(&String::from_utf8(bytes).unwrap());
    }
}
