//! Ids of the manifest (features, tiers, purposes) as the engine hands them out: values that copy without touching
//! the allocator.
//!
//! `resolve(feature)` answers with a record that names the feature, its tier and the purposes missing for the next
//! richer tier. With `String` fields every answer made three to four heap allocations and as many frees: about 40 %
//! of the call (perf, bench `resolve_5_tiers`). A [`ManifestId`] keeps an id of up to [`INLINE_MAX`] bytes inside
//! itself (a clone is a 24-byte copy) and a longer one behind an `Arc` (a clone is a counter increment); a
//! [`ManifestIds`] list is built once per snapshot and shared. Across the FFI both are plain strings and lists of
//! strings (`ffi::ids` declares them as UniFFI custom types).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// The longest id kept inline (the rest of the 24 bytes is the length and the variant).
pub const INLINE_MAX: usize = 22;

/// A manifest id: an immutable string that is cheap to clone.
#[derive(Clone)]
pub struct ManifestId(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE_MAX] },
    Shared(Arc<str>),
}

impl ManifestId {
    /// The id `s`.
    pub fn new(s: &str) -> Self {
        if s.len() <= INLINE_MAX {
            let mut bytes = [0u8; INLINE_MAX];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            ManifestId(Repr::Inline { len: s.len() as u8, bytes })
        } else {
            ManifestId(Repr::Shared(Arc::from(s)))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // The bytes were copied whole from a `&str`, so they are UTF-8; the crate has no `unsafe` to skip the
            // check (a few nanoseconds on a short id, paid when the text is read, never when the id is copied).
            Repr::Inline { len, bytes } => std::str::from_utf8(&bytes[..*len as usize]).unwrap_or_default(),
            Repr::Shared(s) => s,
        }
    }
}

impl Deref for ManifestId {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for ManifestId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for ManifestId {
    fn from(s: &str) -> Self {
        ManifestId::new(s)
    }
}

impl From<String> for ManifestId {
    fn from(s: String) -> Self {
        ManifestId::new(&s)
    }
}

impl From<ManifestId> for String {
    fn from(id: ManifestId) -> Self {
        id.as_str().to_owned()
    }
}

impl PartialEq for ManifestId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ManifestId {}

impl PartialEq<str> for ManifestId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ManifestId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for ManifestId {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialOrd for ManifestId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ManifestId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// Hashes as the `str` it holds, so a map keyed by ids can be queried with a `&str`.
impl Hash for ManifestId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for ManifestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ManifestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ManifestId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A list of manifest ids built once per snapshot and shared: a clone is a counter increment, whatever its length.
/// (An inline form for short lists measured slower: its clone and drop branch on every id.)
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ManifestIds(Arc<[ManifestId]>);

impl ManifestIds {
    /// The list `ids`.
    pub fn new(ids: Vec<ManifestId>) -> Self {
        ManifestIds(ids.into())
    }

    /// The ids as a slice.
    pub fn as_slice(&self) -> &[ManifestId] {
        &self.0
    }

    /// The ids as owned strings (what crosses the FFI).
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(|id| id.as_str().to_owned()).collect()
    }
}

impl Default for ManifestIds {
    fn default() -> Self {
        ManifestIds::new(Vec::new())
    }
}

impl Deref for ManifestIds {
    type Target = [ManifestId];
    fn deref(&self) -> &[ManifestId] {
        self.as_slice()
    }
}

impl FromIterator<ManifestId> for ManifestIds {
    fn from_iter<I: IntoIterator<Item = ManifestId>>(iter: I) -> Self {
        ManifestIds::new(iter.into_iter().collect())
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for ManifestIds {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.as_str() == b.as_ref())
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for ManifestIds {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for ManifestIds {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl fmt::Debug for ManifestIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl serde::Serialize for ManifestIds {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn short_and_long_ids_read_back_as_given() {
        for s in ["", "trip", "exactly_twenty_two_ch_", "twenty_three_characters", "中文标识", &"x".repeat(300)] {
            let id = ManifestId::new(s);
            assert_eq!(id.as_str(), s);
            assert_eq!(id.clone(), s);
            assert_eq!(String::from(id.clone()), s);
            assert_eq!(format!("{id}"), s);
            assert_eq!(format!("{id:?}"), format!("{s:?}"));
        }
        assert_eq!(std::mem::size_of::<ManifestId>(), 24, "an id is the size of a String");
    }

    #[test]
    fn a_multibyte_id_at_the_inline_limit_stays_whole() {
        // 21 bytes of ASCII + a 3-byte character: 24 bytes, so it goes to the shared form, never cut mid-character.
        let s = format!("{}中", "a".repeat(21));
        assert_eq!(ManifestId::new(&s).as_str(), s);
        let s = format!("{}中", "a".repeat(19));
        assert_eq!(ManifestId::new(&s).as_str(), s);
    }

    #[test]
    fn ids_compare_and_hash_as_their_text_whatever_their_form() {
        let long = "a".repeat(40);
        let set: HashSet<ManifestId> = [ManifestId::new("ride"), ManifestId::new(&long)].into_iter().collect();
        assert!(set.contains("ride"));
        assert!(set.contains(long.as_str()));
        assert!(!set.contains("rid"));
        assert!(ManifestId::new("a") < ManifestId::new("b"));
        assert_ne!(ManifestId::new("ride"), ManifestId::new("ride "));
    }

    #[test]
    fn a_shared_list_compares_with_plain_lists() {
        let ids: ManifestIds = ["ride", "live_location"].into_iter().map(ManifestId::new).collect();
        assert_eq!(ids, ["ride", "live_location"]);
        assert_eq!(ids, vec!["ride".to_string(), "live_location".to_string()]);
        assert_ne!(ids, ["ride"]);
        assert_eq!(ids.to_strings(), ["ride", "live_location"]);
        assert!(ManifestIds::default().is_empty());
        for n in 0..6 {
            let names: Vec<String> = (0..n).map(|i| format!("purpose_{i}")).collect();
            let ids: ManifestIds = names.iter().map(|n| ManifestId::new(n)).collect();
            assert_eq!(ids, names);
            assert_eq!(ids.clone(), ids);
            assert_eq!(ids.to_strings(), names);
        }
        assert_eq!(serde_json::to_string(&ids).unwrap(), r#"["ride","live_location"]"#);
    }
}
