//! Random mutations of the example manifests: parsing and lint never panic, and every failure is typed.

use std::fs;
use std::path::PathBuf;

use consentkit::manifest::{parse_manifest, Manifest};
use consentkit::rules::lint;
use proptest::prelude::*;

fn examples() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut v: Vec<PathBuf> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    v.sort();
    v.into_iter().map(|p| fs::read(p).unwrap()).collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), prop::collection::vec(prop::sample::select(b"{}[]\",:0123456789-xabcnulltrue ".to_vec()), 1..20))
            .prop_map(|(i, s)| Mutation::Insert(i, s)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        if bytes.is_empty() {
            break;
        }
        let len = bytes.len();
        match m {
            Mutation::Flip(i, b) => bytes[i % len] = *b,
            Mutation::Delete(i, n) => {
                let start = i % len;
                let end = (start + n).min(len);
                bytes.drain(start..end);
            }
            Mutation::Insert(i, s) => {
                let at = i % len;
                bytes.splice(at..at, s.iter().copied());
            }
            Mutation::Truncate(i) => bytes.truncate(i % len),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]
    #[test]
    fn mutated_manifests_never_panic(which in 0usize..5, muts in prop::collection::vec(mutation(), 1..6)) {
        let all = examples();
        let bytes = apply(all[which % all.len()].clone(), &muts);
        match parse_manifest(&bytes) {
            Ok(m) => { let _ = lint(&m); }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let _ = Manifest::load(&bytes);
    }
}
