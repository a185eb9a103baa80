#!/usr/bin/env python3
"""Builds the embedded rule packs (src/rules/packs/*.json) from the researched facts.

The facts live outside the repository (../shared/rules/); this script is run by a maintainer when they change, and
its output is checked in, so the crate never reads ../shared at build or run time. Usage:
    python3 tools/import_rules.py ../shared/rules/cn-necessary-pi-2021.json
"""
import json
import sys
from pathlib import Path

# Data types the 2021 provisions never name but real apps declare all the time. Generic vocabulary, shared by packs.
GENERIC_TYPES = {
    "device_id": ("Device identifier (Android ID, IDFV, OAID) or advertising identifier (IDFA/GAID).", False),
    "advertising_id": ("Advertising identifier (IDFA / GAID / OAID).", False),
    "usage_history": ("What the user did in the app: screens viewed, items opened, trips taken.", False),
    "search_history": ("Search queries typed in the app.", False),
    "email": ("E-mail address.", False),
    "nickname": ("Display name / nickname chosen by the user.", False),
    "avatar": ("Profile picture.", False),
    "photos": ("Photos or videos from the device album.", False),
    "camera": ("Images captured with the camera while the feature runs.", False),
    "microphone": ("Audio captured with the microphone while the feature runs.", False),
    "address_book": ("The device's address book (phone contacts), not an in-app contact list.", False),
    "crash_diagnostics": ("Crash reports and diagnostics without personal content.", False),
    "purchase_history": ("Orders placed and items bought.", False),
    "biometrics": ("Biometric data: face, fingerprint, voiceprint, gait.", True),
    "face_image": ("An image of the user's face used to recognise them.", True),
    "religious_belief": ("Religious belief.", True),
    "specific_identity": ("A specific identity (e.g. disability status) whose disclosure harms the person.", True),
}

# Sensitive personal information under PIPL Art. 28 (whereabouts, identity documents, financial accounts, health).
CN_SENSITIVE = {
    "location": "PIPL Art. 28 whereabouts (行踪轨迹); GB/T 35273 treats precise location as sensitive (M)",
    "trajectory": "PIPL Art. 28 whereabouts (行踪轨迹) (C)",
    "id_number": "PIPL Art. 28 specific identity; GB/T 35273 identity documents (M)",
    "id_copy": "PIPL Art. 28 specific identity; identity document image (M)",
    "bank_card": "PIPL Art. 28 financial account (C)",
    "bank_reserved_phone": "tied to a financial account (M)",
    "financial_account": "PIPL Art. 28 financial account (C)",
    "payee_info": "contains a bank card number: financial account (M)",
    "health_condition": "PIPL Art. 28 medical and health (C)",
    "appointment_info": "hospital and department reveal health (M)",
    "driving_licence": "identity document (M)",
}


def vocabulary(described, sensitive_notes):
    out = {}
    for tid, desc in described.items():
        entry = {"description": desc, "sensitive": tid in sensitive_notes}
        if tid in sensitive_notes:
            entry["sensitive_basis"] = sensitive_notes[tid]
        out[tid] = entry
    for tid, (desc, sensitive) in GENERIC_TYPES.items():
        out.setdefault(tid, {"description": desc, "sensitive": sensitive})
        if sensitive:
            out[tid]["sensitive_basis"] = "PIPL Art. 28 (C)"
    return out


def main(src):
    facts = json.loads(Path(src).read_text(encoding="utf-8"))
    cats = []
    for c in facts["categories"]:
        cats.append({
            "id": c["id"], "no": c["no"], "name_zh": c["name_zh"], "name_en": c["name_en"],
            "basic_function": c["basic_function"], "basic_function_zh": c["basic_function_zh"],
            "necessary": c["necessary"], "no_pi_needed": c["no_pi_needed"],
            "verification": c["verification"],
        })
    src_meta = facts["source"]
    cn = {
        "id": "cn-2021",
        "version": "2021.1.0",
        "title": src_meta["title_en"],
        "source": {"document_number": src_meta["document_number"], "effective_date": src_meta["effective_date"],
                   "official_url": src_meta["official_url"]},
        "home_region": "CN",
        "guardian_age": 14,
        "reprompt_cooldown_hours": 48,
        "reprompt_cooldown_verification": "unconfirmed origin (compliance-testing practice, T/TAF 078.4 likely); practice confirmed",
        "separate_consent_triggers": ["sensitive", "third_party", "cross_border", "tracking"],
        "filing": {
            "required_for_region": "CN",
            "provinces": "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼",
            "pattern": "^(京|津|沪|渝|冀|豫|云|辽|黑|湘|皖|鲁|新|苏|浙|赣|鄂|桂|甘|晋|蒙|陕|吉|闽|贵|粤|青|藏|川|宁|琼)ICP备\\d{8,10}号-\\d+A$",
            "min_digits": 8, "max_digits": 10, "suffix": "A",
            "url": "https://beian.miit.gov.cn/",
            "verification": "format confirmed from shipped apps; meaning of the A suffix unconfirmed",
        },
        "data_types": vocabulary(facts["data_types"], CN_SENSITIVE),
        "categories": cats,
    }
    none = {
        "id": "none",
        "version": "1.0.0",
        "title": "Generic rules only: structure, declared ids, degrade-never-deny, separate consent for sensitive data and tracking",
        "home_region": None,
        "guardian_age": None,
        "reprompt_cooldown_hours": 48,
        "reprompt_cooldown_verification": "good practice, not a legal rule",
        "separate_consent_triggers": ["sensitive", "tracking"],
        "filing": None,
        "data_types": vocabulary({k: v for k, v in facts["data_types"].items()}, {}),
        "categories": [],
    }
    for tid in ("biometrics", "face_image", "religious_belief", "specific_identity", "health_condition", "trajectory"):
        none["data_types"][tid]["sensitive"] = True
    out = Path(__file__).resolve().parent.parent / "src" / "rules" / "packs"
    for pack in (cn, none):
        (out / f"{pack['id']}.json").write_text(json.dumps(pack, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", out / f"{pack['id']}.json")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/rules/cn-necessary-pi-2021.json")
