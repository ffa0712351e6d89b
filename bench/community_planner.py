"""Community networks: planning N communities with the planner's core
(``isoc.infra.planner.plan``, Decimal money, one community at a time) against the same
formulas vectorised with NumPy in integer cents (the anchor), which must agree to the cent
on every line, total and per-household figure.

Communities are drawn at random (households 1–100,000, area 0.01–5,000 km² in hundredths,
every terrain and backhaul, take-up 5–100 %). Both plan already-checked communities (the
input checks of ``planner.community`` are not timed). Needs no database.
``python bench/community_planner.py --communities 10000 --rounds 5``.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from isoc.infra import planner  # noqa: E402


def communities(n: int, seed: int = 8) -> list[planner.Community]:
    rng = random.Random(seed)
    return [planner.community(rng.randint(1, planner.MAX_HOUSEHOLDS), Decimal(rng.randint(1, 500_000)) / 100,
                              rng.choice(planner.TERRAINS), rng.choice(planner.BACKHAULS),
                              Decimal(rng.randint(5, 100)) / 100) for _ in range(n)]


def with_core(rows: list[planner.Community]) -> list[planner.Plan]:
    a = planner.load_assumptions()
    return [planner.plan(c, a) for c in rows]


def _int(value: Decimal, scale: int) -> int:
    """A figure in integer units of 1/scale (refuses a figure the integer anchor cannot hold exactly)."""
    scaled = value * scale
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} is not a whole number of 1/{scale}")
    return int(scaled)


def _ceil_div(a: np.ndarray, b) -> np.ndarray:
    return -(-a // b)


def _half_up_div(a: np.ndarray, b) -> np.ndarray:
    """a ÷ b rounded half up, for non-negative integers (the core's ROUND_HALF_UP)."""
    return (2 * a + b) // (2 * b)


def columns(rows: list[planner.Community]) -> dict[str, np.ndarray]:
    t_index = {t: i for i, t in enumerate(planner.TERRAINS)}
    b_index = {b: i for i, b in enumerate(planner.BACKHAULS)}
    return {
        "households": np.array([c.households for c in rows], dtype=np.int64),
        "area_centi": np.array([_int(c.area_km2, 100) for c in rows], dtype=np.int64),
        "terrain": np.array([t_index[c.terrain] for c in rows], dtype=np.int64),
        "backhaul": np.array([b_index[c.backhaul] for c in rows], dtype=np.int64),
        "take_up_pct": np.array([_int(c.take_up, 100) for c in rows], dtype=np.int64),
    }


def with_numpy(col: dict[str, np.ndarray], a: planner.Assumptions) -> dict[str, np.ndarray]:
    """The planner's formulas over whole columns, every amount in integer cents."""
    f = a.figures
    cents = lambda x: _int(x, 100)  # noqa: E731
    coverage = np.array([_int(a.terrain[t]["coverage_km2"], 100) for t in planner.TERRAINS])[col["terrain"]]
    install = np.array([cents(f["node.installation"] * a.terrain[t]["installation_factor"])
                        for t in planner.TERRAINS])[col["terrain"]]
    setup = np.array([cents(a.backhaul[b]["setup"]) for b in planner.BACKHAULS])[col["backhaul"]]
    monthly = np.array([cents(a.backhaul[b]["monthly"]) for b in planner.BACKHAULS])[col["backhaul"]]
    capacity = np.array([_int(a.backhaul[b]["capacity_mbps"], 1) for b in planner.BACKHAULS])[col["backhaul"]]

    connected = np.maximum(_ceil_div(col["households"] * col["take_up_pct"], 100), 1)
    nodes = np.maximum(np.maximum(_ceil_div(col["area_centi"], coverage),
                                  _ceil_div(connected, _int(f["node.max_households"], 1))), 1)
    units = np.maximum(_ceil_div(connected * _int(f["demand.plan_mbps"], 1),
                                 _int(f["demand.contention_ratio"], 1) * capacity), 1)
    technicians = np.maximum(_ceil_div(nodes, _int(f["operations.nodes_per_technician"], 1)), 1)
    solar_nodes = _ceil_div(nodes * _int(f["node.solar_share"], 1000), 1000)

    node_equipment = nodes * cents(f["node.equipment"])
    solar = solar_nodes * cents(f["node.solar_kit"])
    core = cents(f["core.equipment"])
    capital = (node_equipment + nodes * install + solar
               + connected * cents(f["household.equipment"] + f["household.installation"]) + core + units * setup)
    equipment = node_equipment + solar + core + connected * cents(f["household.equipment"])
    maintenance = _half_up_div(equipment * _int(f["operations.maintenance_share"], 1000), 1000 * 12)
    opex = (units * monthly + maintenance + technicians * cents(f["operations.stipend_monthly"])
            + nodes * cents(f["node.power_monthly"]))
    amortised = _half_up_div(capital, _int(f["operations.amortisation_years"], 1) * 12)
    per_household = _half_up_div(amortised + opex, connected)
    return {"connected": connected, "nodes": nodes, "units": units, "capital": capital, "maintenance": maintenance,
            "opex": opex, "amortised": amortised, "per_household": per_household}


def agree(core: list[planner.Plan], theirs: dict[str, np.ndarray]) -> None:
    """Raise at the first community where the two differ (by a cent or by a count)."""
    for i, p in enumerate(core):
        ours = {"connected": p.connected_households, "nodes": p.nodes, "units": p.backhaul_units,
                "capital": int(p.capital_total * 100), "maintenance": int(p.monthly[1].amount * 100),
                "opex": int(p.monthly_total * 100), "amortised": int(p.amortised_capital_monthly * 100),
                "per_household": int(p.monthly_per_household * 100)}
        for key, value in ours.items():
            if value != int(theirs[key][i]):
                raise AssertionError(f"community {i} ({p.community}): {key} {value} vs {int(theirs[key][i])}")


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = communities(args.communities)
    a = planner.load_assumptions()
    ratios, core_times, numpy_times = [], [], []
    for _ in range(args.rounds):
        t_core, core = timed(with_core, rows)
        t_numpy, theirs = timed(lambda r: with_numpy(columns(r), a), rows)  # building the columns is counted
        agree(core, theirs)
        core_times.append(t_core)
        numpy_times.append(t_numpy)
        ratios.append(t_core / t_numpy)
    print(f"python {platform.python_version()}, numpy {np.__version__}, assumptions {a.version}")
    print(f"{len(rows):,} communities; core and NumPy agree to the cent on every figure")
    print(f"core (Decimal, one at a time): median {statistics.median(core_times) * 1000:.1f} ms "
          f"({len(rows) / statistics.median(core_times):,.0f} plans/s)")
    print(f"numpy (integer cents):         median {statistics.median(numpy_times) * 1000:.1f} ms "
          f"({len(rows) / statistics.median(numpy_times):,.0f} plans/s)")
    print(f"ratio core time / numpy time: median {statistics.median(ratios):.2f} "
          f"(rounds {min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
