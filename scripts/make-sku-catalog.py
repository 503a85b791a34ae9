#!/usr/bin/env python3
"""Generates Sources/LicenseModel/Catalog/SKUCatalogData.swift from the shared catalog.

Usage: python3 scripts/make-sku-catalog.py [SHARED_CATALOG_DIR]
(default ../shared/catalog). The generated Swift file embeds the catalog as a JSON string so
that the installed binary needs no resource bundle and nothing reads ../shared at run time.

Clean-ups applied to Microsoft's CSV (see the catalog README for the quirks):
- String_Id and plan names: whitespace trimmed and runs of white space folded to one space;
- duplicated (SKU, plan) rows dropped;
- everything keyed on GUIDs; a plan GUID seen under several names takes its most common name
  (this drops typos such as "RMS_S_ENTERPRISE)"); every spelling seen is kept as an alias;
- friendly names: the most common spelling that is not shouting capitals or the plan name;
- MCOPSTN5 keeps both SKU GUIDs (look-up by part number then names both).
"""
import collections
import csv
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SOURCE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "catalog")
OUT = os.path.join(ROOT, "Sources", "LicenseModel", "Catalog", "SKUCatalogData.swift")

# specs/licensing.md §5.3: Office 365 E3 as Microsoft's 2018-2020 table listed it (16 plans).
E3_2018 = ["BPOS_S_TODO_2", "Deskless", "EXCHANGE_S_ENTERPRISE", "FLOW_O365_P2", "FORMS_PLAN_E3",
           "MCOSTANDARD", "OFFICESUBSCRIPTION", "POWERAPPS_O365_P2", "PROJECTWORKMANAGEMENT",
           "RMS_S_ENTERPRISE", "SHAREPOINTENTERPRISE", "SHAREPOINTWAC", "STREAM_O365_E3", "SWAY",
           "TEAMS1", "YAMMER_ENTERPRISE"]

# specs/licensing.md §3.3: plan -> (display name of the dependent, any one of these is needed).
DEPENDENCIES = [
    ("MCOMEETADV", ["MCOSTANDARD"]),
    ("SHAREPOINTWAC", ["SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE", "SHAREPOINTDESKLESS"]),
    ("SHAREPOINT_PROJECT", ["SHAREPOINTENTERPRISE"]),
    ("WORKPLACE_ANALYTICS_INSIGHTS_USER", ["EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"]),
    ("WORKPLACE_ANALYTICS_INSIGHTS_BACKEND", ["EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"]),
]


def fold(text):
    return re.sub(r"\s+", " ", text).strip()


def shouting(text):
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def main():
    path = os.path.join(SOURCE, "product-service-plans.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))

    plan_names = collections.defaultdict(collections.Counter)
    plan_friendly = collections.defaultdict(collections.Counter)
    sku_info = {}
    sku_plans = collections.defaultdict(list)
    for row in rows:
        sku_id = row["GUID"].strip().lower()
        plan_id = row["Service_Plan_Id"].strip().lower()
        plan_names[plan_id][fold(row["Service_Plan_Name"])] += 1
        plan_friendly[plan_id][fold(row["Service_Plans_Included_Friendly_Names"])] += 1
        sku_info.setdefault(sku_id, (fold(row["String_Id"]), fold(row["Product_Display_Name"])))
        if plan_id not in sku_plans[sku_id]:
            sku_plans[sku_id].append(plan_id)

    plans = []
    plan_index = {}
    for plan_id in sorted(plan_names):
        names = plan_names[plan_id]
        # Most common name; ties broken by the name without stray punctuation.
        name = sorted(names.items(), key=lambda kv: (-kv[1], not re.fullmatch(r"[\w.\-]+", kv[0]), kv[0]))[0][0]
        friendly_counts = plan_friendly[plan_id]
        candidates = sorted(friendly_counts.items(),
                            key=lambda kv: (shouting(kv[0]), kv[0] == name, -kv[1], kv[0]))
        friendly = candidates[0][0]
        aliases = sorted({n for n in names if n != name} | {f for f in friendly_counts if f != friendly})
        plan_index[plan_id] = len(plans)
        plans.append([plan_id, name, friendly, aliases])

    name_to_id = {}
    for plan_id, name, _, _ in plans:
        name_to_id.setdefault(name.lower(), plan_id)

    skus = []
    for sku_id in sorted(sku_info, key=lambda s: (sku_info[s][0].lower(), s)):
        part, product = sku_info[sku_id]
        skus.append([sku_id, part, product, [plan_index[p] for p in sku_plans[sku_id]]])

    with open(os.path.join(SOURCE, "mutually-exclusive-plans.json"), encoding="utf-8") as handle:
        exclusive = json.load(handle)
    exclusion_sets = []
    for entry in exclusive["sets"]:
        exclusion_sets.append({
            "service": entry["service"],
            "current": sorted(v.lower() for v in entry["plans"].values()),
            "historic2019": sorted(v.lower() for v in entry.get("historic_2019", {}).values()),
        })

    dependencies = []
    for dependent, needs in DEPENDENCIES:
        dependencies.append({"plan": name_to_id[dependent.lower()],
                             "requiresAnyOf": [name_to_id[n.lower()] for n in needs]})

    editions = [{"skuPartNumber": "ENTERPRISEPACK", "edition": "2018",
                 "plans": [name_to_id[n.lower()] for n in E3_2018]}]

    catalog = {"source": "product-service-plans.csv (Microsoft, saved 2025-12-30) + "
                         "mutually-exclusive-plans.json (doc 2025-10-29)",
               "plans": plans, "skus": skus, "exclusionSets": exclusion_sets,
               "dependencies": dependencies, "editions": editions}

    lines = ["// Generated by scripts/make-sku-catalog.py from ../shared/catalog. Do not edit.",
             "// One JSON document; SKUCatalog decodes it once, on first use.",
             "// swift-format-ignore-file",
             "",
             "let skuCatalogJSON = #\"\"\""]
    text = json.dumps(catalog, ensure_ascii=False, separators=(",", ":"))
    # One SKU or plan a line keeps diffs of the generated file readable.
    text = text.replace("],[", "],\n[")
    lines.append(text)
    lines.append("\"\"\"#")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    print(f"{len(plans)} plans, {len(skus)} SKUs, {len(exclusion_sets)} exclusion sets -> {OUT}")


if __name__ == "__main__":
    main()
