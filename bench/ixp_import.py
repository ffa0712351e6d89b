"""IXP import benchmark: parsing the PCH directory CSVs and the PeeringDB dump and
reconciling the two (``isoc.infra.pch``, ``peeringdb``, ``reconcile_ixps``: no database),
side by side in the same run with an anchor in pandas over the same files:
``read_csv`` of the three PCH files (", " separators), ``read_json`` of the three PeeringDB
files, merges that join subnets and members to exchanges and prefixes to LANs to IXPs,
and a merge of the two sources on equal prefixes then on country + lower-cased name.

The anchor does less than ours — it validates nothing (no address or prefix parsing, no
row named on error), matches only identical prefixes, not containment, and has no
ambiguity rule — so the ratio is the price of that work, not a like-for-like race.

    .venv/bin/python bench/ixp_import.py              # 5 rounds
    .venv/bin/python bench/ixp_import.py --rounds 11

Prints per-round seconds (CPU seconds of this process) for each side and the median of
ours ÷ pandas, and what each side found (IXPs, members, matched pairs).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd

from isoc.infra import pch, peeringdb, reconcile_ixps

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "country" / "ixp"
OUT = ROOT / "bench" / "out"


def ours(pch_dir: Path, pdb_dir: Path) -> dict:
    s_pch = pch.parse_dir(pch_dir, date(2017, 2, 8))
    s_pdb = peeringdb.parse_dir(pdb_dir)
    result = reconcile_ixps.reconcile([reconcile_ixps.Candidate.of(i.source_id, i) for i in s_pch.ixps],
                                      [reconcile_ixps.Candidate.of(i.source_id, i) for i in s_pdb.ixps])
    return {"pch_ixps": len(s_pch.ixps), "pdb_ixps": len(s_pdb.ixps), "members": len(s_pch.members or []),
            "matched": len(result.matches), "ambiguous": len(result.ambiguous)}


def _data(path: Path) -> pd.DataFrame:
    return pd.DataFrame(json.loads(path.read_bytes())["data"])


def anchor(pch_dir: Path, pdb_dir: Path) -> dict:
    kw = {"sep": ", ", "engine": "python", "dtype": str, "keep_default_na": False, "on_bad_lines": "skip"}
    ex = pd.read_csv(pch_dir / "ixp_exchange.csv", **kw)
    sub = pd.read_csv(pch_dir / "ixp_subnets.csv", **kw)
    mem = pd.read_csv(pch_dir / "ixp_membership.csv", **kw)
    ix, lan, pfx = _data(pdb_dir / "ix.json"), _data(pdb_dir / "ixlan.json"), _data(pdb_dir / "ixpfx.json")
    sub = sub[sub["subnet"] != ""]
    owners = sub.drop_duplicates("subnet", keep=False)[["subnet", "exchange_point_id"]]
    members = mem[mem["asn"] != ""].merge(owners, on="subnet")
    members = members.drop_duplicates(["exchange_point_id", "asn"])
    pch_ix = ex.merge(sub[["exchange_point_id", "short_name", "subnet"]], on="exchange_point_id", how="left")
    pdb = pfx.merge(lan[["id", "ix_id"]].rename(columns={"id": "ixlan_id"}), on="ixlan_id")
    pdb = pdb.merge(ix[["id", "name", "country", "city"]].rename(columns={"id": "ix_id"}), on="ix_id")
    by_prefix = pch_ix.merge(pdb, left_on="subnet", right_on="prefix")[["exchange_point_id", "ix_id"]].drop_duplicates()
    rest = ex[~ex["exchange_point_id"].isin(by_prefix["exchange_point_id"])].copy()
    rest["key"] = rest["long_name"].str.lower()
    ix2 = ix.assign(key=ix["name_long"].str.lower())
    by_name = rest.merge(ix2, on="key")[["exchange_point_id", "id"]].drop_duplicates()
    return {"pch_ixps": len(ex), "pdb_ixps": len(ix), "members": len(members),
            "matched": by_prefix["exchange_point_id"].nunique() + by_name["exchange_point_id"].nunique()}


def timed(fn, *args) -> tuple[float, dict]:
    start = time.process_time()
    found = fn(*args)
    return time.process_time() - start, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    pch_dir, pdb_dir = args.data / "pch-2017", args.data / "peeringdb-2016"
    if not (pch_dir / "ixp_exchange.csv").is_file():
        sys.exit(f"the PCH and PeeringDB files are not in {args.data}")
    timed(ours, pch_dir, pdb_dir)  # warm-up: imports, pycountry's tables
    timed(anchor, pch_dir, pdb_dir)
    rows = []
    for r in range(args.rounds):
        t_ours, f_ours = timed(ours, pch_dir, pdb_dir)
        t_anchor, f_anchor = timed(anchor, pch_dir, pdb_dir)
        rows.append((t_ours, t_anchor))
        print(f"round {r + 1}: ours {t_ours:.3f} s, pandas {t_anchor:.3f} s, ours ÷ pandas {t_ours / t_anchor:.2f}")
    ratio = statistics.median(o / a for o, a in rows)
    print(f"ours found   {f_ours}")
    print(f"pandas found {f_anchor}")
    print(f"median CPU seconds: ours {statistics.median(o for o, _ in rows):.3f}, "
          f"pandas {statistics.median(a for _, a in rows):.3f}; ratio ours ÷ pandas {ratio:.2f} "
          f"(range {min(o / a for o, a in rows):.2f}–{max(o / a for o, a in rows):.2f})")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ixp-import-results.json").write_text(json.dumps({
        "rounds": rows, "ratio": ratio, "ours": f_ours, "pandas": f_anchor, "python": platform.python_version(),
        "pandas_version": pd.__version__}, indent=2))


if __name__ == "__main__":
    main()
