#!/usr/bin/env python3
"""Writes examples/broken/CKnnn-*.json: one deliberately broken manifest per lint code, each carrying the code it
must trigger in "x-expect" (an x- field, so the manifest itself stays v1). Run after adding a lint code."""
import copy
import json
from pathlib import Path

BASE = {
    "schema": "consentkit/manifest/v1",
    "app": {"id": "com.example.broken", "name": "Broken Example", "category": "news", "region": "CN",
            "filing_number": "京ICP备12345678号-1A"},
    "policy": {"version": "1", "url": "https://example.com/privacy"},
    "rule_pack": "cn-2021",
    "purposes": [{"id": "feed", "description": "Personalise the feed", "basis": "consent",
                  "data_types": ["usage_history"], "recipients": [], "storage_region": "CN", "retention_days": 30}],
    "third_parties": [],
    "features": [{"id": "feed", "tiers": [{"id": "personalised", "requires": ["feed"]},
                                          {"id": "generic", "requires": []}]}],
}


def purpose(**kw):
    p = {"id": "extra", "description": "Extra", "basis": "consent", "data_types": [], "recipients": [],
         "storage_region": "CN", "retention_days": 30}
    p.update(kw)
    return p


def case(code, name, edit):
    m = copy.deepcopy(BASE)
    edit(m)
    m["x-expect"] = code
    return code, name, m


CASES = [
    case("CK001", "unknown-rule-pack", lambda m: m.update(rule_pack="cn-2099")),
    case("CK002", "unknown-category", lambda m: m["app"].update(category="fortune_telling")),
    case("CK003", "necessary-beyond-category", lambda m: m["purposes"].append(
        purpose(id="account", basis="necessary", data_types=["phone_number"]))),
    case("CK004", "no-basic-tier", lambda m: m["features"][0].update(tiers=[{"id": "personalised", "requires": ["feed"]}])),
    case("CK005", "tier-requires-undeclared", lambda m: m["features"][0]["tiers"][0].update(requires=["feed", "ghost"])),
    case("CK006", "undeclared-data-type", lambda m: m["purposes"][0].update(data_types=["usage_history", "shoe_size"])),
    case("CK007", "undeclared-recipient", lambda m: m["purposes"][0].update(recipients=["ghost_sdk"])),
    case("CK008", "tracking-necessary", lambda m: m["purposes"].append(purpose(id="track", basis="necessary", tracking=True))),
    case("CK009", "missing-filing-number", lambda m: m["app"].pop("filing_number")),
    case("CK010", "malformed-filing-number", lambda m: m["app"].update(filing_number="ICP 12345")),
    case("CK011", "purpose-without-description", lambda m: m["purposes"][0].pop("description")),
    case("CK012", "purpose-without-retention", lambda m: m["purposes"][0].pop("retention_days")),
    case("CK013", "duplicate-purpose-id", lambda m: m["purposes"].append(copy.deepcopy(m["purposes"][0]))),
    case("CK014", "third-party-without-region", lambda m: (
        m["purposes"][0].update(recipients=["partner"]),
        m["third_parties"].append({"id": "partner", "name": "Partner", "region": "", "contact": "p@example.com"}))),
    case("CK015", "third-party-without-purpose", lambda m: m["third_parties"].append(
        {"id": "partner", "name": "Partner", "region": "CN", "contact": "p@example.com"})),
    case("CK016", "init-requires-undeclared", lambda m: (
        m["purposes"][0].update(recipients=["partner"]),
        m["third_parties"].append({"id": "partner", "name": "Partner", "region": "CN", "init_requires": ["ghost"]}))),
    case("CK017", "sensitive-made-non-sensitive", lambda m: m.update(data_types={"health_condition": {"sensitive": False}})),
    case("CK018", "unsupported-schema", lambda m: m.update(schema="consentkit/manifest/v2")),
    case("CK019", "frequency-on-uncollected-type", lambda m: m["purposes"][0].update(
        frequency=[{"data_type": "location", "max": 1, "per_seconds": 60}])),
    case("CK020", "basic-tier-needs-separate-consent", lambda m: (
        m["app"].update(category="map_navigation"),
        m["purposes"].append(purpose(id="nav", basis="necessary", data_types=["location"])),
        m["features"].append({"id": "nav", "tiers": [{"id": "guided", "requires": ["nav"]}]}))),
    case("CK021", "malformed-id", lambda m: (
        m["purposes"][0].update(id="Feed!"), m["features"][0]["tiers"][0].update(requires=["Feed!"]))),
    case("CK022", "policy-without-version", lambda m: m["policy"].update(version="")),
    case("CK023", "app-without-name", lambda m: m["app"].update(name=" ")),
]

out = Path(__file__).resolve().parent.parent / "examples" / "broken"
out.mkdir(parents=True, exist_ok=True)
for code, name, m in CASES:
    (out / f"{code}-{name}.json").write_text(json.dumps(m, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
print(f"wrote {len(CASES)} files to {out}")
