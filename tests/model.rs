//! Model check: random operation sequences against the engine, compared after every step with a deliberately
//! simple reference model of the consent rules (policy agreement, opt-in, separate consent, refusal, withdrawal,
//! guardian under 14 and the children's rules, erasure, grants before agreement, reopen). The cargo-fuzz target
//! `ops` runs the same comparison for longer (fuzz/run.sh).

use std::collections::BTreeMap;
use std::sync::Arc;

use consentkit::clock::ManualClock;
use consentkit::engine::{Actor, Engine, EngineOptions};
use consentkit::gate::{IdKind, Reason};
use consentkit::store::AgeBracket;
use consentkit::CoreError;
use proptest::prelude::*;

const EXAMPLE: &str = include_str!("../examples/ride_hailing.json");
const CHILDREN_RULES: &str = "2026-11-01-children";

/// The ride-hailing example with a children's rules document (whatever the example itself declares).
fn manifest() -> Vec<u8> {
    let mut m: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    m["children_rules"] = serde_json::json!({ "version": CHILDREN_RULES, "url": "https://ride.example.com/children" });
    serde_json::to_vec(&m).unwrap()
}
/// (purpose, a data type it collects, needs opt-in, needs separate consent)
const PURPOSES: [(&str, &str, bool, bool); 3] =
    [("ride", "destination", false, false), ("live_location", "location", true, true), ("ads", "device_id", true, true)];
/// (feature, tiers richest first with their required purposes)
const FEATURES: [(&str, &[&[&str]]); 3] = [
    ("booking", &[&["ride"], &[]]),
    ("pickup", &[&["ride", "live_location"], &["ride"]]),
    ("offers", &[&["ads"], &[]]),
];

#[derive(Debug, Clone)]
enum Op {
    Agree(bool),
    AgreeChildren(bool),
    Decline,
    SetAge(bool, bool),
    Erase,
    Grant(usize, bool),
    GrantAll(Vec<usize>),
    Refuse(usize),
    Withdraw(usize),
    Advance(u8),
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<bool>().prop_map(Op::Agree),
        any::<bool>().prop_map(Op::AgreeChildren),
        Just(Op::Decline),
        (any::<bool>(), any::<bool>()).prop_map(|(u, g)| Op::SetAge(u, g)),
        Just(Op::Erase),
        (0..3usize, any::<bool>()).prop_map(|(p, g)| Op::Grant(p, g)),
        prop::collection::vec(0..3usize, 1..3).prop_map(Op::GrantAll),
        (0..3usize).prop_map(Op::Refuse),
        (0..3usize).prop_map(Op::Withdraw),
        (0..72u8).prop_map(Op::Advance),
        Just(Op::Reopen),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Choice {
    /// `confirmed`: given while the policy agreement held (a grant before it counts only once given again after).
    Granted { guardian: bool, confirmed: bool },
    Refused,
    Withdrawn,
}

#[derive(Default)]
struct Model {
    agreed_by_guardian: Option<bool>,
    children_rules_agreed: bool,
    under14: bool,
    choices: BTreeMap<usize, Choice>,
}

impl Model {
    fn actor(guardian: bool) -> Actor {
        if guardian { Actor::Guardian } else { Actor::User }
    }
    /// The expected result of an operation (Err = the expected error kind).
    fn apply(&mut self, op: &Op) -> Result<(), &'static str> {
        match op {
            Op::Agree(g) => {
                if self.under14 && !g {
                    return Err("guardian");
                }
                self.agreed_by_guardian = Some(*g);
            }
            Op::AgreeChildren(g) => {
                if !g {
                    return Err("guardian");
                }
                self.children_rules_agreed = true;
            }
            Op::Decline => self.agreed_by_guardian = None,
            Op::SetAge(u, g) => {
                // Only the guardian may move a child out of under 14.
                if self.under14 && !u && !g {
                    return Err("guardian");
                }
                self.under14 = *u;
            }
            Op::Erase => {
                // Everything goes except a child's bracket: erasing never lowers the protection.
                *self = Model { under14: self.under14, ..Model::default() };
            }
            Op::Grant(p, g) => {
                if self.under14 && !g {
                    return Err("guardian");
                }
                self.choices.insert(*p, Choice::Granted { guardian: *g, confirmed: self.agreed() });
            }
            Op::GrantAll(ps) => {
                // A bundle may hold no separate consent; for a child every purpose is one.
                if self.under14 || ps.iter().any(|&p| PURPOSES[p].3) {
                    return Err("separate");
                }
                if self.under14 {
                    return Err("guardian");
                }
                let confirmed = self.agreed();
                for &p in ps {
                    self.choices.insert(p, Choice::Granted { guardian: false, confirmed });
                }
            }
            Op::Refuse(p) => {
                self.choices.insert(*p, Choice::Refused);
            }
            Op::Withdraw(p) => {
                self.choices.insert(*p, Choice::Withdrawn);
            }
            Op::Advance(_) | Op::Reopen => {}
        }
        Ok(())
    }
    /// The policy agreement holds (a child's only from the guardian).
    fn agreed(&self) -> bool {
        match self.agreed_by_guardian {
            Some(g) => !self.under14 || g,
            None => false,
        }
    }
    fn decide(&self, p: usize) -> Reason {
        if !self.agreed() {
            return Reason::PolicyNotAgreed;
        }
        let opt_in = PURPOSES[p].2;
        // A child's necessary purposes ride on the guardian's agreement to the children's rules.
        let child_needs_guardian = self.under14 && (opt_in || !self.children_rules_agreed);
        let choice = self.choices.get(&p).filter(|c| !matches!(c, Choice::Granted { confirmed: false, .. }));
        match choice {
            Some(Choice::Refused) => Reason::Refused,
            Some(Choice::Withdrawn) => Reason::Withdrawn,
            Some(Choice::Granted { guardian, .. }) if !guardian && child_needs_guardian => Reason::GuardianRequired,
            Some(Choice::Granted { .. }) => Reason::Allowed,
            None if child_needs_guardian => Reason::GuardianRequired,
            None if opt_in => Reason::NotGranted,
            None => Reason::Allowed,
        }
    }
    fn tier(&self, f: usize) -> Option<u16> {
        let allowed = |id: &str| self.decide(PURPOSES.iter().position(|x| x.0 == id).unwrap()) == Reason::Allowed;
        FEATURES[f].1.iter().position(|reqs| reqs.iter().all(|r| allowed(r))).map(|t| t as u16)
    }
}

fn open(path: &std::path::Path, clock: &Arc<ManualClock>) -> Arc<Engine> {
    Engine::open(path, &manifest(), EngineOptions { clock: clock.clone(), flush_every: 64, device_key: None }).unwrap()
}

fn run(e: &mut Arc<Engine>, op: &Op, path: &std::path::Path, clock: &Arc<ManualClock>) -> Result<(), &'static str> {
    let h = |e: &Engine, p: usize| e.handle(IdKind::Purpose, PURPOSES[p].0).unwrap();
    let r = match op {
        Op::Agree(g) => e.agree_to_policy("2026-11-01", Model::actor(*g), "m"),
        Op::AgreeChildren(g) => e.agree_to_children_rules(CHILDREN_RULES, Model::actor(*g), "m"),
        Op::Decline => e.decline_policy(Actor::User, "m"),
        Op::SetAge(u, g) => {
            e.set_age_bracket(if *u { AgeBracket::Under14 } else { AgeBracket::Adult }, Model::actor(*g), "m")
        }
        Op::Erase => e.erase_all(Actor::User, "m"),
        Op::Grant(p, g) => e.grant(&[h(e, *p)], Model::actor(*g), "m"),
        Op::GrantAll(ps) => e.grant_all(&ps.iter().map(|&p| h(e, p)).collect::<Vec<_>>(), Actor::User, "m"),
        Op::Refuse(p) => e.refuse(h(e, *p), Actor::User, "m"),
        Op::Withdraw(p) => e.withdraw(h(e, *p), Actor::User, "m"),
        Op::Advance(hours) => e.advance_clock(i64::from(*hours) * 3_600_000),
        Op::Reopen => {
            e.close().unwrap();
            *e = open(path, clock);
            Ok(())
        }
    };
    r.map_err(|err| match err {
        CoreError::GuardianRequired { .. } => "guardian",
        CoreError::SeparateConsentRequired { .. } => "separate",
        other => panic!("unexpected error {other:?}"),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]
    #[test]
    fn engine_matches_the_reference_model(ops in prop::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let clock = Arc::new(ManualClock::new(1_767_225_600_000));
        let mut engine = open(&path, &clock);
        let mut model = Model::default();
        for (i, op) in ops.iter().enumerate() {
            let expected = model.apply(op);
            let actual = run(&mut engine, op, &path, &clock);
            prop_assert_eq!(expected, actual, "step {} {:?}", i, op);
            for (p, (id, dt, ..)) in PURPOSES.iter().enumerate() {
                prop_assert_eq!(engine.decide(id, dt).unwrap(), model.decide(p), "step {} {:?}: {}", i, op, id);
            }
            let snap = engine.snapshot();
            for (f, (id, _)) in FEATURES.iter().enumerate() {
                let fh = engine.handle(IdKind::Feature, id).unwrap() as usize;
                prop_assert_eq!(snap.resolutions[fh].tier, model.tier(f), "step {} {:?}: feature {}", i, op, id);
            }
        }
    }
}
