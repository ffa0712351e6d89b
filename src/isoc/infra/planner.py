"""The community-network cost planner: a first budget for a community (households, area,
terrain class, backhaul option), with capital cost, operating cost per month and the
monthly cost per connected household, broken down and with the assumptions used.

The figures are the Internet Society's own estimates, kept in a versioned data file
(``planner_assumptions.yaml``) rather than in code, so that anyone can read (and argue
with) each one and its reason. No Django here: the page, the API, the CLI and the
benchmark all call ``plan``.

The model, all money in Decimal US dollars, each line rounded to the cent:

- connected households  C = ceil(households × take-up)
- nodes                 N = max(ceil(area ÷ coverage per node of the terrain), ceil(C ÷ households per node), 1)
- backhaul units        B = ceil(C × plan speed ÷ contention ratio ÷ one unit's capacity), at least 1
- technicians           T = ceil(N ÷ nodes per technician)
- capital: N × node equipment, N × installation × terrain factor, ceil(N × solar share) × solar kit,
  C × (household equipment + installation), the core, B × backhaul setup
- monthly operation: B × backhaul monthly, equipment capital × maintenance share ÷ 12,
  T × stipend, N × power
- monthly cost per household = (capital ÷ (amortisation years × 12) + monthly operation) ÷ C
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

ASSUMPTIONS_FILE = Path(__file__).resolve().parent / "planner_assumptions.yaml"
TERRAINS = ("flat", "hilly", "mountainous", "dense_forest")
BACKHAULS = ("fibre", "microwave", "geo_satellite", "leo_satellite")

# Limits of the model: beyond them it no longer describes a community network.
MAX_HOUSEHOLDS = 100_000  # a regional operator, not a community network
MIN_AREA_KM2 = Decimal("0.01")  # a hundred metres square: one building
MAX_AREA_KM2 = Decimal("5000")  # a large rural district; beyond, several networks
MIN_TAKE_UP, MAX_TAKE_UP = Decimal("0.05"), Decimal("1")
DEFAULT_TAKE_UP = Decimal("0.6")

CENT = Decimal("0.01")


class PlanError(ValueError):
    """An input the planner refuses: ``field`` names it, ``code`` says why (the shells
    word it in the reader's language from the code and ``params``)."""

    def __init__(self, field: str, code: str, message: str, **params: Any):
        super().__init__(message)
        self.field, self.code, self.message, self.params = field, code, message, params


class AssumptionsError(ValueError):
    """The assumptions file is missing a figure or has one that is not a positive number."""


@dataclass(frozen=True)
class Assumption:
    key: str  # dotted, e.g. "terrain.hilly.coverage_km2"
    value: Decimal
    note: str


@dataclass(frozen=True)
class Assumptions:
    version: str
    currency: str
    label: str
    terrain: dict[str, dict[str, Decimal]]
    backhaul: dict[str, dict[str, Decimal]]
    figures: dict[str, Decimal]  # "node.equipment", "operations.stipend_monthly", …
    notes: dict[str, str]  # the same dotted keys (and terrain/backhaul ones) → why

    def assumption(self, key: str) -> Assumption:
        value = self.figures.get(key)
        if value is None:
            group, name, fig = key.split(".")
            value = (self.terrain if group == "terrain" else self.backhaul)[name][fig]
        return Assumption(key, value, self.notes.get(key) or self.notes.get(key.rsplit(".", 1)[0], ""))

    @cached_property
    def general(self) -> tuple[Assumption, ...]:
        """The figures every plan uses (not those of one terrain or backhaul), made once."""
        return tuple(self.assumption(k) for k in self.figures)


_FLAT_FIGURES = {
    "node": ("equipment", "installation", "solar_kit", "solar_share", "max_households", "power_monthly"),
    "household": ("equipment", "installation"),
    "core": ("equipment",),
    "demand": ("plan_mbps", "contention_ratio"),
    "operations": ("maintenance_share", "amortisation_years", "stipend_monthly", "nodes_per_technician"),
}
_TERRAIN_FIGURES = ("coverage_km2", "installation_factor")
_BACKHAUL_FIGURES = ("setup", "monthly", "capacity_mbps")


def _number(raw: Any, where: str, *, allow_zero: bool = False) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise AssumptionsError(f"{where}: not a number ({raw!r})")
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise AssumptionsError(f"{where}: not a number ({raw!r})") from exc
    if not value.is_finite() or value < 0 or (value == 0 and not allow_zero):
        raise AssumptionsError(f"{where}: must be a positive number, not {raw!r}")
    return value


def parse_assumptions(data: Any, source: str = "assumptions") -> Assumptions:
    """Check and convert the file's content; every figure must be there and positive."""
    if not isinstance(data, dict):
        raise AssumptionsError(f"{source}: expected a mapping at the top")
    notes: dict[str, str] = {}
    figures: dict[str, Decimal] = {}
    for group, names in _FLAT_FIGURES.items():
        section = data.get(group)
        if not isinstance(section, dict):
            raise AssumptionsError(f"{source}: section {group!r} is missing")
        for name in names:
            if name not in section:
                raise AssumptionsError(f"{source}: {group}.{name} is missing")
            figures[f"{group}.{name}"] = _number(section[name], f"{source}: {group}.{name}",
                                                 allow_zero=name == "solar_share")
            notes[f"{group}.{name}"] = str(section.get(f"{name}_note", ""))
    if figures["node.solar_share"] > 1:
        raise AssumptionsError(f"{source}: node.solar_share is a share (0 to 1)")
    tables: dict[str, dict[str, dict[str, Decimal]]] = {}
    for group, keys, wanted in (("terrain", TERRAINS, _TERRAIN_FIGURES), ("backhaul", BACKHAULS, _BACKHAUL_FIGURES)):
        section = data.get(group)
        if not isinstance(section, dict):
            raise AssumptionsError(f"{source}: section {group!r} is missing")
        tables[group] = {}
        for key in keys:
            entry = section.get(key)
            if not isinstance(entry, dict):
                raise AssumptionsError(f"{source}: {group}.{key} is missing")
            tables[group][key] = {f: _number(entry.get(f), f"{source}: {group}.{key}.{f}") for f in wanted}
            notes[f"{group}.{key}"] = str(entry.get("note", ""))
    return Assumptions(version=str(data.get("version", "")), currency=str(data.get("currency", "USD")),
                       label=str(data.get("label", "")), terrain=tables["terrain"], backhaul=tables["backhaul"],
                       figures=figures, notes=notes)


@lru_cache(maxsize=4)
def load_assumptions(path: Path = ASSUMPTIONS_FILE) -> Assumptions:
    """The assumptions in ``path`` (the shipped file by default), read once."""
    return parse_assumptions(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


@dataclass(frozen=True)
class Community:
    households: int
    area_km2: Decimal
    terrain: str
    backhaul: str
    take_up: Decimal = DEFAULT_TAKE_UP


@dataclass(frozen=True)
class Line:
    key: str  # what it pays for, e.g. "nodes_equipment"; the shells word it
    quantity: int
    unit_cost: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Plan:
    community: Community
    connected_households: int
    nodes: int
    backhaul_units: int
    technicians: int
    capital: list[Line]
    capital_total: Decimal
    monthly: list[Line]
    monthly_total: Decimal
    amortised_capital_monthly: Decimal
    monthly_per_household: Decimal
    assumptions: Assumptions
    used: list[Assumption] = field(default_factory=list)


def _decimal(value: Any, field_name: str) -> Decimal:
    if isinstance(value, bool):
        raise PlanError(field_name, "not_a_number", f"{field_name}: not a number")
    try:
        out = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise PlanError(field_name, "not_a_number", f"{field_name}: not a number") from exc
    if not out.is_finite():
        raise PlanError(field_name, "not_a_number", f"{field_name}: not a number")
    return out


def community(households: Any, area_km2: Any, terrain: Any, backhaul: Any,
              take_up: Any = DEFAULT_TAKE_UP) -> Community:
    """A checked community; refuses what the model cannot describe with a ``PlanError``."""
    h = _decimal(households, "households")
    if h != h.to_integral_value():
        raise PlanError("households", "not_whole", "households: a whole number")
    if not 1 <= h <= MAX_HOUSEHOLDS:
        raise PlanError("households", "households_range",
                        f"households: between 1 and {MAX_HOUSEHOLDS}", low=1, high=MAX_HOUSEHOLDS)
    area = _decimal(area_km2, "area_km2")
    if not MIN_AREA_KM2 <= area <= MAX_AREA_KM2:
        raise PlanError("area_km2", "area_range", f"area_km2: between {MIN_AREA_KM2} and {MAX_AREA_KM2} km²",
                        low=MIN_AREA_KM2, high=MAX_AREA_KM2)
    if terrain not in TERRAINS:
        raise PlanError("terrain", "unknown_terrain", f"terrain: one of {', '.join(TERRAINS)}", choices=TERRAINS)
    if backhaul not in BACKHAULS:
        raise PlanError("backhaul", "unknown_backhaul", f"backhaul: one of {', '.join(BACKHAULS)}", choices=BACKHAULS)
    share = _decimal(take_up, "take_up")
    if not MIN_TAKE_UP <= share <= MAX_TAKE_UP:
        raise PlanError("take_up", "take_up_range", f"take_up: between {MIN_TAKE_UP} and {MAX_TAKE_UP}",
                        low=MIN_TAKE_UP, high=MAX_TAKE_UP)
    return Community(int(h), area, terrain, backhaul, share)


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _line(key: str, quantity: int, unit_cost: Decimal) -> Line:
    return Line(key, quantity, unit_cost, _cents(quantity * unit_cost))


def plan(c: Community, a: Assumptions | None = None) -> Plan:
    """The estimate for community ``c`` (checked with ``community``) under ``a``."""
    a = a or load_assumptions()
    f = a.figures
    terrain, backhaul = a.terrain[c.terrain], a.backhaul[c.backhaul]
    connected = max(_ceil(c.households * c.take_up), 1)
    nodes = max(_ceil(c.area_km2 / terrain["coverage_km2"]), _ceil(connected / f["node.max_households"]), 1)
    demand_mbps = connected * f["demand.plan_mbps"] / f["demand.contention_ratio"]
    units = max(_ceil(demand_mbps / backhaul["capacity_mbps"]), 1)
    technicians = max(_ceil(nodes / f["operations.nodes_per_technician"]), 1)
    solar_nodes = _ceil(nodes * f["node.solar_share"])

    capital = [
        _line("nodes_equipment", nodes, f["node.equipment"]),
        _line("nodes_installation", nodes, _cents(f["node.installation"] * terrain["installation_factor"])),
        _line("solar", solar_nodes, f["node.solar_kit"]),
        _line("households", connected, f["household.equipment"] + f["household.installation"]),
        _line("core", 1, f["core.equipment"]),
        _line("backhaul_setup", units, backhaul["setup"]),
    ]
    capital_total = sum((x.amount for x in capital), Decimal(0))
    equipment = sum((x.amount for x in capital if x.key in ("nodes_equipment", "solar", "core")), Decimal(0)) + \
        _cents(connected * f["household.equipment"])
    monthly = [
        _line("backhaul", units, backhaul["monthly"]),
        Line("maintenance", 1, _cents(equipment * f["operations.maintenance_share"] / 12),
             _cents(equipment * f["operations.maintenance_share"] / 12)),
        _line("staff", technicians, f["operations.stipend_monthly"]),
        _line("power", nodes, f["node.power_monthly"]),
    ]
    monthly_total = sum((x.amount for x in monthly), Decimal(0))
    amortised = _cents(capital_total / (f["operations.amortisation_years"] * 12))
    per_household = _cents((amortised + monthly_total) / connected)
    used = [a.assumption(k) for k in (
        f"terrain.{c.terrain}.coverage_km2", f"terrain.{c.terrain}.installation_factor",
        f"backhaul.{c.backhaul}.setup", f"backhaul.{c.backhaul}.monthly", f"backhaul.{c.backhaul}.capacity_mbps")]
    used.extend(a.general)
    return Plan(c, connected, nodes, units, technicians, capital, capital_total, monthly, monthly_total,
                amortised, per_household, a, used)


def as_dict(p: Plan) -> dict[str, Any]:
    """The plan as plain JSON-ready data (amounts as strings of cents, exact)."""
    def lines(rows: list[Line]) -> list[dict[str, Any]]:
        return [{"item": x.key, "quantity": x.quantity, "unit_cost": str(x.unit_cost), "amount": str(x.amount)}
                for x in rows]

    c = p.community
    return {
        "input": {"households": c.households, "area_km2": str(c.area_km2), "terrain": c.terrain,
                  "backhaul": c.backhaul, "take_up": str(c.take_up)},
        "currency": p.assumptions.currency, "assumptions_version": p.assumptions.version,
        "label": p.assumptions.label,
        "connected_households": p.connected_households, "nodes": p.nodes, "backhaul_units": p.backhaul_units,
        "technicians": p.technicians,
        "capital": lines(p.capital), "capital_total": str(p.capital_total),
        "monthly": lines(p.monthly), "monthly_total": str(p.monthly_total),
        "amortised_capital_monthly": str(p.amortised_capital_monthly),
        "monthly_per_household": str(p.monthly_per_household),
        "assumptions": [{"key": x.key, "value": str(x.value), "note": x.note} for x in p.used],
    }
