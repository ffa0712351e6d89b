"""Load benchmark: the real stack on loopback (PostgreSQL, gunicorn with several worker
processes, wrk) with a million people and a year of shutdown signals loaded; public Pulse
pages and API, the member directory, login, event registration and ballot casting, each
as requests/s and p50/p95/p99 latency and as a ratio to a bare Django view measured in
the same run; then a check in the database that nothing was oversold or double-counted.

    .venv/bin/python bench/load.py                       # 1,000,000 people, 10 s per scenario
    .venv/bin/python bench/load.py --people 1000 --duration 1 --warmup 0   # a smoke run
    .venv/bin/python bench/load.py --help

PostgreSQL: a cluster this script makes and starts itself under ``bench/out/`` (kept, with
its data, for the next run of the same size), or ``--database-url``. As root the cluster
is run by the ``postgres`` user (``su postgres -c``), as ``.ci/run`` does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_checks  # noqa: E402
import load_lua  # noqa: E402
import web  # noqa: E402 - the wrk runner, server and machine helpers of the web benchmark

OUT = web.OUT
PGBIN = Path("/usr/lib/postgresql/15/bin")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--people", type=int, default=1_000_000, help="bulk people with memberships (default 1000000)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--seats", type=int, default=50, help="seats of the event whose last seats are fought over")
    p.add_argument("--duration", type=int, default=10, help="seconds of load per scenario (default 10)")
    p.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    p.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    p.add_argument("--wrk-threads", type=int, default=1)
    p.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    p.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    p.add_argument("--database-url", default="", help="use this database instead of starting a PostgreSQL cluster")
    p.add_argument("--sqlite", action="store_true", help="SQLite in the data folder instead of PostgreSQL (smoke runs)")
    p.add_argument("--data-dir", type=Path, default=None, help="default bench/out/load-<people>-<seed>")
    p.add_argument("--only", default="", help="comma-separated scenario names (bare is always measured)")
    p.add_argument("--no-page-cache", action="store_true", help="run the site with ISOC_PUBLIC_CACHE=0 (a before/after)")
    p.add_argument("--json", type=Path, default=OUT / "load-results.json")
    args = p.parse_args(argv)
    args.debug, args.source, args.rev = False, None, ""
    return args


# --- PostgreSQL -------------------------------------------------------------------------


def _as_postgres(command: str) -> list[str]:
    return ["su", "postgres", "-c", command] if os.geteuid() == 0 else ["sh", "-c", command]


def start_postgres(folder: Path) -> tuple[str, callable]:
    """Start (making it first if need be) a cluster in ``folder`` on a free loopback port;
    return its URL and a function that stops it."""
    if not (PGBIN / "initdb").exists():
        raise SystemExit(f"PostgreSQL is not installed ({PGBIN}); or pass --database-url / --sqlite")
    data = folder / "pgdata"
    fresh = not data.exists()
    if fresh:
        data.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
            shutil.chown(data, "postgres")
        subprocess.run(_as_postgres(f"{PGBIN}/initdb -D {data} -A trust -U postgres >/dev/null"), check=True)
    port = web.free_port()
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={data} "
               "-c max_connections=200 -c shared_buffers=512MB")
    subprocess.run(_as_postgres(f"{PGBIN}/pg_ctl -D {data} -l {data}/server.log -o '{options}' -w start >/dev/null"),
                   check=True)
    if fresh:
        subprocess.run(_as_postgres(f"{PGBIN}/createdb -h 127.0.0.1 -p {port} -U postgres isoc"), check=True)

    def stop() -> None:
        subprocess.run(_as_postgres(f"{PGBIN}/pg_ctl -D {data} -m fast stop >/dev/null"), check=False)

    return f"postgres://postgres@127.0.0.1:{port}/isoc", stop


# --- data -------------------------------------------------------------------------------


def prepare(args: argparse.Namespace, data_dir: Path) -> dict:
    """Migrate, the small demo (every app's pages have something to show), then the bulk
    people and signals (once per data folder), then a fresh plan (event, roll, sessions)."""
    marker = data_dir / "load-data.json"
    env = web.site_env(args, data_dir) | {"DJANGO_SETTINGS_MODULE": "isoc.site.settings"}
    isoc = [str(web.BIN / "isoc")]
    subprocess.run([*isoc, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    timings = json.loads(marker.read_text()) if marker.exists() else None
    if timings is None:
        started = time.monotonic()
        subprocess.run([*isoc, "demo", "--people", "2000", "--seed", str(args.seed)], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        demo_seconds = round(time.monotonic() - started, 1)
        subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.core.management import "
                        "call_command; call_command('collectstatic', '--noinput', verbosity=0)"], env=env, check=True)
    plan_file = data_dir / "load-plan.json"
    command = [sys.executable, str(Path(__file__).with_name("load_data.py")), "--people", str(args.people),
               "--seed", str(args.seed), "--seats", str(args.seats), "--out", str(plan_file),
               # each signs in and acts once per pass over the list; a third of the people at most each
               "--registrants", str(min(2000, args.people // 3)), "--voters", str(min(2000, args.people // 3))]
    if timings is not None:
        command.append("--skip-bulk")
    print("Loading data ..." if timings is None else "Reusing the bulk data; a fresh event, roll and sessions ...",
          flush=True)
    subprocess.run(command, env=env, check=True)
    made = json.loads(plan_file.read_text())
    if timings is None:
        timings = {k: v for k, v in made.items() if k != "plan"} | {"demo_seconds": demo_seconds}
        marker.write_text(json.dumps(timings))
    return {"timings": timings, "plan": made["plan"]}


# --- the site ---------------------------------------------------------------------------


def start_server(args: argparse.Namespace, data_dir: Path, port: int):
    """gunicorn as ``isoc serve`` runs it (gthread, production settings), started directly
    so that the static files collected once by ``prepare`` are not post-processed again
    on every start (a minute and a half on a busy two-CPU machine)."""
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 - open for the server's lifetime
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "isoc.site.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", "gthread"],
        env=web.site_env(args, data_dir, port) | ({"ISOC_PUBLIC_CACHE": "0"} if args.no_page_cache else {}), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}; see {data_dir / 'server.log'}")
        try:
            if web.fetch(port, "/healthz", "")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    web.stop_server(server)
    raise SystemExit("the server did not answer /healthz within 120 s")


# --- scenarios --------------------------------------------------------------------------


def scenarios(plan: dict) -> list[load_lua.Scenario]:
    S = load_lua.Scenario
    return [
        S("Pulse index", "/pulse/", expect="<main"),
        S("Pulse country page (IR)", "/pulse/countries/IR/", expect="<main"),
        S("shutdowns", "/pulse/shutdowns/", expect="<main"),
        S("routing", "/pulse/routing/", expect="<main"),
        S("enablers", "/pulse/enablers/", expect="<main"),
        S("GET /api/v1/pulse/countries", "/api/v1/pulse/countries", expect='"items"'),
        S("GET /api/v1/pulse/shutdowns/events", "/api/v1/pulse/shutdowns/events", expect='"items"'),
        S("GET /api/v1/organizations", "/api/v1/organizations", expect='"items"'),
        S("directory page 2 (member)", "/members/directory/?page=2", expect="<table>", cookies="member"),
        S("directory search (member)", "/members/directory/?q=Tamm", expect="<table>", cookies="member"),
        S("login (POST)", "/accounts/login/", method="POST", kind="login"),
        S("event registration (POST)", f"/events/{plan['event']}/register/", method="POST", kind="register"),
        S("ballot (POST)", f"/elections/{plan['election']}/ballot/", method="POST", kind="ballot"),
    ]


def run(args: argparse.Namespace) -> int:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk; .ci/run installs it)")
    args.commit, _ = web.export_rev("")
    data_dir = (args.data_dir or OUT / f"load-{args.people}-{args.seed}{'-sqlite' if args.sqlite else ''}").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    stop_db = None
    if not args.database_url and not args.sqlite:
        args.database_url, stop_db = start_postgres(data_dir)
    try:
        return measure(args, data_dir)
    finally:
        if stop_db:
            stop_db()


def measure(args: argparse.Namespace, data_dir: Path) -> int:
    prepared = prepare(args, data_dir)
    plan = prepared["plan"]
    info = web.machine() | versions()
    port = web.free_port()
    started = datetime.now(UTC)
    todo = scenarios(plan)
    wanted = {n.strip() for n in args.only.split(",") if n.strip()}
    todo = [s for s in todo if not wanted or s.name in wanted]
    member_cookie = plan["registrants"][-1]  # signed in, and never registers (the list is cycled from the start)
    # Every run starts with an empty page cache: pages cached by an earlier run would be
    # hits from the first request and flatter the figures.
    shutil.rmtree(data_dir / "cache", ignore_errors=True)
    server = start_server(args, data_dir, port)
    results = []
    try:
        bare = load_lua.Scenario("bare Django view", "/_bench/bare", expect="ok")
        for s in [bare, *todo]:
            load_lua.check(port, s, member_cookie)
        anchor_before = load_lua.run_wrk(args, port, bare, plan, member_cookie, data_dir)
        for s in todo:
            print(f"  {s.name} ...", flush=True)
            results.append(load_lua.run_wrk(args, port, s, plan, member_cookie, data_dir))
        anchor_after = load_lua.run_wrk(args, port, bare, plan, member_cookie, data_dir)
    finally:
        web.stop_server(server)
    anchor = (anchor_before.requests_per_second + anchor_after.requests_per_second) / 2
    results = [anchor_before, *results, anchor_after]
    for r in results:
        r.ratio = anchor / r.requests_per_second if r.requests_per_second else float("inf")
    checks = load_checks.run(web.site_env(args, data_dir) | {"DJANGO_SETTINGS_MODULE": "isoc.site.settings"}, plan)
    report(args, info, started, prepared["timings"], results, checks)
    ok = all(c["ok"] for c in checks) and all(r.errors == 0 for r in results)
    return 0 if ok else 1


def versions() -> dict[str, str]:
    def first_line(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False).stdout.splitlines()[0]
        except (OSError, IndexError):
            return "?"

    import django
    import gunicorn

    return {"django": django.get_version(), "gunicorn": gunicorn.__version__,
            "postgresql": first_line(str(PGBIN / "postgres"), "--version"), "wrk": " ".join(first_line("wrk", "-v").split()[:2])}


def table(results: list) -> str:
    rows = ["| scenario | req/s | p50 ms | p95 ms | p99 ms | requests | non-2xx/3xx or errors | bare ÷ scenario |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        rows.append(f"| {r.name} | {r.requests_per_second:,.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} "
                    f"| {r.requests:,} | {r.errors} | {r.ratio:.1f} |")
    return "\n".join(rows)


def report(args, info, started, timings, results, checks) -> None:
    database = "SQLite (WAL) in the data folder" if args.sqlite else args.database_url.split("@")[-1]
    summary = (
        f"commit {args.commit}\n"
        f"{started:%Y-%m-%d %H:%M} UTC; {info['nproc']} CPUs ({info['cpu']}), {info['ram']} RAM; Python "
        f"{info['python']}, Django {info['django']}, gunicorn {info['gunicorn']}, {info['postgresql']}, {info['wrk']}\n"
        f"load average before {info['load_before']}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
        f"data: {timings.get('people', args.people):,} bulk people written in {timings.get('people_seconds', '?')} s, "
        f"{timings.get('signals', '?')} signals ({timings.get('signal_points', 0):,} points, a year) in "
        f"{timings.get('signals_seconds', '?')} s, small demo in {timings.get('demo_seconds', '?')} s\n"
        f"database {database}; public page cache {'off' if args.no_page_cache else 'on'}; gunicorn gthread {args.workers} workers x {args.threads} threads; "
        f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s after {args.warmup}s warm-up; loopback\n"
        f"command: {' '.join([Path(sys.executable).name, *sys.argv])}\n")
    print("\n" + summary + "\n" + table(results) + "\n")
    print("After the run, in the database:")
    for c in checks:
        print(f"  [{'ok' if c['ok'] else 'FAILED'}] {c['check']}: {c['detail']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"summary": summary, "machine": info, "timings": timings,
                                     "results": [asdict(r) for r in results], "checks": checks}, indent=2))


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
