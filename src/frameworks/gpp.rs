//! The IAB Global Privacy Platform string: a header (type 3, version 1, the section ids as a Fibonacci range) and
//! the sections it lists, joined by `~`. ConsentKit writes the TCF EU v2 section (id 2, the TC string itself) and the
//! US national section (id 7); other sections are kept as text when reading, so importing a string loses nothing.

use super::bits::{BitReader, BitWriter};
use super::tcf::TcString;
use super::usnat::{UsNat, USNAT_SECTION_ID};
use super::FrameworkError;

/// The GPP header's type field.
pub const HEADER_TYPE: u64 = 3;
/// The GPP version written and read.
pub const GPP_VERSION: u64 = 1;
/// GPP section id of the TCF EU v2 section.
pub const TCF_EU_V2_SECTION_ID: u16 = 2;

/// One section of a GPP string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GppSection {
    /// Section 2: the TC string (boxed: it is far larger than the other sections).
    TcfEuV2(Box<TcString>),
    /// Section 7: the US national section.
    UsNat(UsNat),
    /// Any other section, kept as its text.
    Other {
        /// Its section id.
        id: u16,
        /// Its text, as found.
        text: String,
    },
}

impl GppSection {
    /// The section id the header lists for it.
    pub fn id(&self) -> u16 {
        match self {
            Self::TcfEuV2(_) => TCF_EU_V2_SECTION_ID,
            Self::UsNat(_) => USNAT_SECTION_ID,
            Self::Other { id, .. } => *id,
        }
    }

    /// The section's text.
    pub fn encode(&self) -> Result<String, FrameworkError> {
        match self {
            Self::TcfEuV2(tc) => tc.encode(),
            Self::UsNat(us) => us.encode(),
            Self::Other { text, .. } => Ok(text.clone()),
        }
    }
}

/// A GPP string: its sections in header order (ascending section id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GppString {
    /// The sections, sorted by id, each id once.
    pub sections: Vec<GppSection>,
}

impl GppString {
    /// The section ids, in order.
    pub fn section_ids(&self) -> Vec<u16> {
        self.sections.iter().map(GppSection::id).collect()
    }

    /// The TC string of section 2, if present.
    pub fn tcf_eu_v2(&self) -> Option<&TcString> {
        self.sections.iter().find_map(|s| match s {
            GppSection::TcfEuV2(tc) => Some(&**tc),
            _ => None,
        })
    }

    /// The `usnat` section, if present.
    pub fn usnat(&self) -> Option<&UsNat> {
        self.sections.iter().find_map(|s| match s {
            GppSection::UsNat(u) => Some(u),
            _ => None,
        })
    }

    /// The encoded header alone.
    pub fn encode_header(&self) -> Result<String, FrameworkError> {
        let ids = self.section_ids();
        if ids.windows(2).any(|w| w[0] >= w[1]) || ids.first() == Some(&0) {
            return Err(FrameworkError::Structure { detail: "GPP section ids must be ascending, unique and above 0".into() });
        }
        let mut w = BitWriter::new();
        w.int(HEADER_TYPE, 6);
        w.int(GPP_VERSION, 6);
        write_fibonacci_range(&mut w, &ids)?;
        Ok(w.to_base64url(6))
    }

    /// Header and sections joined by `~`.
    pub fn encode(&self) -> Result<String, FrameworkError> {
        let mut out = self.encode_header()?;
        for s in &self.sections {
            out.push('~');
            out.push_str(&s.encode()?);
        }
        Ok(out)
    }

    /// Reads a GPP string: the header's section ids must match the sections that follow, one for one.
    pub fn decode(text: &str) -> Result<Self, FrameworkError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FrameworkError::Empty);
        }
        let mut parts = text.split('~');
        let mut r = BitReader::from_base64url(parts.next().unwrap_or_default())?;
        let ty = r.int(6, "Type")?;
        if ty != HEADER_TYPE {
            return Err(FrameworkError::Structure { detail: format!("GPP header type is {ty}, not 3") });
        }
        let version = r.int(6, "Version")?;
        if version != GPP_VERSION {
            return Err(FrameworkError::UnsupportedVersion { what: "GPP", version });
        }
        let ids = read_fibonacci_range(&mut r)?;
        let bodies: Vec<&str> = parts.collect();
        if bodies.len() != ids.len() {
            return Err(FrameworkError::Structure {
                detail: format!("GPP header lists {} sections, the string has {}", ids.len(), bodies.len()),
            });
        }
        let sections = ids
            .into_iter()
            .zip(bodies)
            .map(|(id, body)| {
                Ok(match id {
                    TCF_EU_V2_SECTION_ID => GppSection::TcfEuV2(Box::new(TcString::decode(body)?)),
                    USNAT_SECTION_ID => GppSection::UsNat(UsNat::decode(body)?),
                    _ => GppSection::Other { id, text: body.to_string() },
                })
            })
            .collect::<Result<Vec<_>, FrameworkError>>()?;
        Ok(GppString { sections })
    }
}

/// Range(Fibonacci): NumEntries (12 bits), then per entry IsARange, the Fibonacci offset from the last id seen (0
/// at the start) and, for a range, the Fibonacci length (end − start).
fn write_fibonacci_range(w: &mut BitWriter, ids: &[u16]) -> Result<(), FrameworkError> {
    let mut runs: Vec<(u16, u16)> = Vec::new();
    for &id in ids {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == id => *last = id,
            _ => runs.push((id, id)),
        }
    }
    if runs.len() >= 1 << 12 {
        return Err(FrameworkError::OutOfRange { field: "SectionIds" });
    }
    w.int(runs.len() as u64, 12);
    let mut last = 0u16;
    for (a, b) in runs {
        w.bool(a != b);
        w.fibonacci(u64::from(a - last));
        if a != b {
            w.fibonacci(u64::from(b - a));
        }
        last = b;
    }
    Ok(())
}

fn read_fibonacci_range(r: &mut BitReader) -> Result<Vec<u16>, FrameworkError> {
    let n = r.int(12, "SectionIds")?;
    let mut ids = Vec::new();
    let mut last = 0u64;
    for _ in 0..n {
        let is_range = r.bool("SectionIds")?;
        let start = last + r.fibonacci("SectionIds")?;
        let end = if is_range { start + r.fibonacci("SectionIds")? } else { start };
        if end > u64::from(u16::MAX) {
            return Err(FrameworkError::OutOfRange { field: "SectionIds" });
        }
        ids.extend((start..=end).map(|i| i as u16));
        last = end;
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TC: &str = "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA";

    /// The GPP spec's header examples: `DBABM` (section 2), `DBACNY` (2 and 6), `DBABjw` (5 and 6).
    #[test]
    fn encodes_and_reads_the_spec_header_examples() {
        let tc = TcString::decode(TC).unwrap();
        let usp = |id| GppSection::Other { id, text: "1YNN".into() };
        let one = GppString { sections: vec![GppSection::TcfEuV2(Box::new(tc.clone()))] };
        assert_eq!(one.encode().unwrap(), format!("DBABM~{TC}"));
        let two = GppString { sections: vec![GppSection::TcfEuV2(Box::new(tc.clone())), usp(6)] };
        assert_eq!(two.encode().unwrap(), format!("DBACNY~{TC}~1YNN"));
        let ca = GppString { sections: vec![GppSection::Other { id: 5, text: TC.into() }, usp(6)] };
        assert_eq!(ca.encode_header().unwrap(), "DBABjw");
        for s in [format!("DBABM~{TC}"), format!("DBACNY~{TC}~1YNN"), format!("DBACNYA~{TC}~1YNN"), format!("DBABjw~{TC}~1YNN")] {
            let g = GppString::decode(&s).unwrap();
            assert_eq!(g.sections.len(), s.matches('~').count(), "{s}");
        }
        assert_eq!(GppString::decode(&format!("DBACNY~{TC}~1YNN")).unwrap(), two);
    }

    #[test]
    fn refuses_a_header_that_does_not_match_its_sections() {
        assert!(matches!(GppString::decode(&format!("DBACNY~{TC}")), Err(FrameworkError::Structure { .. })));
        assert!(matches!(GppString::decode("DBABM"), Err(FrameworkError::Structure { .. })));
        assert!(matches!(GppString::decode(&format!("CBABM~{TC}")), Err(FrameworkError::Structure { .. })));
        assert_eq!(GppString::decode(" "), Err(FrameworkError::Empty));
    }

    #[test]
    fn header_ranges_round_trip() {
        for ids in [vec![2u16, 7], vec![1, 2, 3, 4, 9, 10, 40], vec![7], vec![]] {
            let mut w = BitWriter::new();
            write_fibonacci_range(&mut w, &ids).unwrap();
            let mut r = BitReader::from_base64url(&w.to_base64url(6)).unwrap();
            assert_eq!(read_fibonacci_range(&mut r).unwrap(), ids);
        }
    }
}
