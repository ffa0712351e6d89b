"""Demo incidents for ``make run`` and the page tests: generated VERIS records (never
real ones), each checked by the same validator as imported files, stored with
``is_demo`` in the "Demo incidents (generated)" dataset, victims named "Demo
organization N". ``isoc demo --reset`` removes them first."""

from __future__ import annotations

import json
import random
from datetime import date

from isoc.incidents import services, veris

SIZE = 120
YEARS = 6  # incident years: the last six before this one

#: (action category, variety, vector, weight): a spread like the VCDB's.
ACTIONS = (
    ("hacking", "Use of stolen creds", "Web application", 5),
    ("hacking", "Exploit vuln", "Web application", 4),
    ("hacking", "Brute force", "Desktop sharing", 1),
    ("malware", "Ransomware", "Email attachment", 4),
    ("malware", "RAM scraper", "Direct install", 1),
    ("social", "Phishing", "Email", 5),
    ("social", "Pretexting", "Phone", 1),
    ("error", "Misconfiguration", "Carelessness", 3),
    ("error", "Misdelivery", "Carelessness", 3),
    ("error", "Loss", "Carelessness", 2),
    ("misuse", "Privilege abuse", "LAN access", 3),
    ("physical", "Theft", "Victim work area", 2),
    ("environmental", "Power failure", None, 1),
)
INDUSTRIES = ("622110", "611310", "923140", "522110", "541511", "517311", "445110", "221122", "336411", "921110")
COUNTRIES = ("US", "GB", "FR", "DE", "BR", "KE", "IN", "EE", "ES", "CA")
UNITS = (("Days", 3, 20), ("Weeks", 1, 8), ("Months", 1, 10), ("Years", 1, 3), ("Unknown", None, None))


def _record(n: int, rng: random.Random, this_year: int) -> dict:
    category, variety, vector, _w = rng.choices(ACTIONS, weights=[a[3] for a in ACTIONS])[0]
    action: dict = {category: {"variety": [variety]}}
    if vector:
        action[category]["vector"] = [vector]
    actor_kind = {"error": "internal", "misuse": "internal"}.get(category, "external")
    motive = "NA" if category == "error" else rng.choice(("Financial", "Espionage", "Grudge"))
    unit, low, high = rng.choice(UNITS)
    timeline: dict = {"incident": {"year": this_year - 1 - rng.randrange(YEARS), "month": rng.randint(1, 12)}}
    if category != "environmental":
        timeline["discovery"] = {"unit": unit, **({"value": rng.randint(low, high)} if low else {})}
    disclosed = rng.random() < 0.7
    return {
        "schema_version": "1.4.0",
        "incident_id": f"demo-{n:04d}",
        "source_id": "isoc-demo",
        "reference": "generated demo data",
        "summary": f"Demo incident {n}: generated, not a real event.",
        "security_incident": "Confirmed",
        "action": action,
        "actor": {actor_kind: {"variety": ["Unknown"], "motive": [motive]}},
        "asset": {"assets": [{"variety": rng.choice(("S - Database", "S - Web application", "U - Laptop", "P - End-user"))}],
                  "cloud": ["Unknown"]},
        "attribute": {"confidentiality": {"data_disclosure": "Yes" if disclosed else "Potentially",
                                          "data_total": rng.randint(10, 500_000),
                                          "data": [{"variety": rng.choice(("Personal", "Medical", "Credentials", "Payment"))}]}},
        "timeline": timeline,
        "discovery_method": {"external": {"variety": [rng.choice(("Customer", "Law enforcement", "Actor disclosure"))]}},
        "victim": {"victim_id": f"Demo organization {n}", "industry": rng.choice(INDUSTRIES),
                   "country": [rng.choice(COUNTRIES)], "employee_count": rng.choice(("1 to 10", "101 to 1000", "Large")),
                   "government": ["NA"]},
    }


def generate(*, seed: int = 2026, reset: bool = False, size: int = SIZE, today: date | None = None) -> dict:
    """Store ``size`` demo incidents (none if demo incidents exist, unless ``reset``)."""
    if reset:
        services.remove_demo()
    elif services.Incident.objects.filter(is_demo=True).exists():
        return {"incidents": 0}
    rng = random.Random(seed)
    this_year = (today or date.today()).year
    dataset = services.vcdb_dataset(services.DEMO_DATASET_SLUG, is_demo=True)
    for n in range(1, size + 1):
        record = veris.read_record(json.dumps(_record(n, rng, this_year)))
        services.store_record(record, dataset, origin="isoc demo", is_demo=True)
    return {"incidents": size}
