//! The same consent decision — may data type D be collected for purpose P? — in ConsentKit, cedar-policy and
//! casbin-rs, on the same 40-purpose manifest, the same typical state and the same key walk (every declared pair,
//! allowed and denied, in one fixed pseudo-random order).
//!
//! Equivalent policy sets, built from ConsentKit's own decisions and checked pair by pair before timing:
//! * cedar-policy: one `permit(principal == Purpose::"p", action == Action::"collect", resource) when
//!   { [DataType::"a", ...].contains(resource) };` per allowed purpose, listing its declared data types; no entities; requests built before timing (the peer's
//!   most favourable case), `Authorizer::is_authorized` timed.
//! * casbin-rs: the classic ACL model (`r.sub == p.sub && r.obj == p.obj && r.act == p.act`), one policy line per
//!   allowed (purpose, data type) pair, in-memory adapter, `Enforcer::enforce((purpose, data_type, "collect"))` timed.
//! * ConsentKit: `Engine::decide(&str, &str)` (strings, like the peers) and `decide_handles` (the hot path).
//!
//! Every side ends in the same `bool` (allowed or not), through `black_box`.

#[path = "../../../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::str::FromStr;
use std::time::Duration;

use casbin::prelude::*;
use cedar_policy::{Authorizer, Context, Decision, Entities, EntityUid, PolicySet, Request};
use criterion::{criterion_group, criterion_main, Criterion};

use consentkit::gate::Reason;

const CASBIN_MODEL: &str = r#"
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && r.obj == p.obj && r.act == p.act
"#;

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(30)
}

fn uid(kind: &str, id: &str) -> EntityUid {
    EntityUid::from_str(&format!("{kind}::\"{id}\"")).expect("entity uid")
}

fn peers(c: &mut Criterion) {
    let dir = common::temp_dir();
    let manifest = common::manifest_40();
    let kit = common::typical(dir.path(), &manifest);
    let engine = kit.engine();
    let pairs = common::declared_pairs(&kit);
    let allowed = |p: &str, d: &str| engine.decide(p, d).expect("decide") == Reason::Allowed;

    // cedar: one permit per allowed purpose, over its declared data types.
    let mut cedar_src = String::new();
    for info in &engine.index().purposes {
        let types: Vec<String> = info
            .data_types
            .iter()
            .map(|&d| &engine.index().data_types[d as usize])
            .filter(|d| allowed(&info.id, d))
            .map(|d| format!("DataType::\"{d}\""))
            .collect();
        if !types.is_empty() {
            cedar_src.push_str(&format!(
                "permit(principal == Purpose::\"{}\", action == Action::\"collect\", resource) when {{ [{}].contains(resource) }};\n",
                info.id,
                types.join(", ")
            ));
        }
    }
    let policies = PolicySet::from_str(&cedar_src).expect("cedar policies");
    let entities = Entities::empty();
    let authorizer = Authorizer::new();
    let collect = uid("Action", "collect");

    // casbin: one ACL line per allowed pair.
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let enforcer = rt.block_on(async {
        let model = DefaultModel::from_str(CASBIN_MODEL).await.expect("casbin model");
        let mut e = Enforcer::new(model, MemoryAdapter::default()).await.expect("enforcer");
        let rules: Vec<Vec<String>> = pairs
            .iter()
            .filter(|((p, d), _)| allowed(p, d))
            .map(|((p, d), _)| vec![p.clone(), d.clone(), "collect".to_string()])
            .collect();
        e.add_policies(rules).await.expect("casbin policies");
        e
    });

    // The three agree on every pair.
    let request = |p: &str, d: &str| {
        Request::new(uid("Purpose", p), collect.clone(), uid("DataType", d), Context::empty(), None).expect("request")
    };
    for ((p, d), _) in &pairs {
        let expected = allowed(p, d);
        let cedar = authorizer.is_authorized(&request(p, d), &policies, &entities).decision() == Decision::Allow;
        let casbin = enforcer.enforce((p.as_str(), d.as_str(), "collect")).expect("enforce");
        assert_eq!((cedar, casbin), (expected, expected), "peers disagree on ({p}, {d})");
    }

    let seq = common::sequence(&pairs, 0x5eed);
    let mask = common::SEQ - 1;
    let ids: Vec<(String, String)> = seq.iter().map(|(ids, _)| ids.clone()).collect();
    let handles: Vec<(u32, u32)> = seq.iter().map(|(_, h)| *h).collect();
    let requests: Vec<Request> = ids.iter().map(|(p, d)| request(p, d)).collect();

    let mut g = c.benchmark_group("peers");
    g.bench_function("consentkit_decide_string", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (p, d) = &ids[i & mask];
            i = i.wrapping_add(1);
            black_box(matches!(engine.decide(black_box(p), black_box(d)), Ok(Reason::Allowed)))
        })
    });
    g.bench_function("consentkit_decide_handles", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (p, d) = handles[i & mask];
            i = i.wrapping_add(1);
            black_box(matches!(engine.decide_handles(black_box(p), black_box(d)), Ok(Reason::Allowed)))
        })
    });
    g.bench_function("cedar_is_authorized", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let r = &requests[i & mask];
            i = i.wrapping_add(1);
            black_box(authorizer.is_authorized(black_box(r), &policies, &entities).decision() == Decision::Allow)
        })
    });
    g.bench_function("casbin_enforce", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (p, d) = &ids[i & mask];
            i = i.wrapping_add(1);
            black_box(enforcer.enforce((black_box(p.as_str()), black_box(d.as_str()), "collect")).unwrap_or(false))
        })
    });
    g.finish();
    kit.close().expect("close");
}

criterion_group! { name = benches; config = config(); targets = peers }
criterion_main!(benches);
