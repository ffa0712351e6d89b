"""Web benchmark: the member directory and the organizations API against a bare Django
view, measured with ``wrk`` on loopback in one run, with 100,000 demo people.

    .venv/bin/python bench/web.py            # defaults: 100,000 people, 10 s per endpoint
    .venv/bin/python bench/web.py --help

It makes (and reuses) its own data folder under ``bench/out/``, generates the demo data
there once, starts ``isoc serve`` (gunicorn, gthread) with production settings
(``ISOC_DEBUG=0``, TLS assumed terminated by a proxy: ``X-Forwarded-Proto: https``),
checks that every endpoint answers 200 with the expected content, then loads each one
with ``wrk`` and prints requests/s, latency percentiles and the ratio
bare req/s ÷ endpoint req/s (how many bare requests one endpoint request costs). The
bare view is measured first and last in each round; the ratio uses the mean of the two.
Several rounds (default 3) are run and medians reported, because on a shared machine
the load changes while the benchmark runs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the virtualenv running this script
OUT = ROOT / "bench" / "out"

# wrk calls done() once at the end; latencies are in microseconds. Printed as one JSON
# line so the script can read it among wrk's own output.
WRK_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"max_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, '
    .. '"status_errors": %d, "timeouts": %d, "bytes": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout, summary.bytes))
end
"""


@dataclass
class Endpoint:
    name: str
    path: str
    signed_in: bool
    expect: str  # text the response must contain, so a redirect or error page is not timed


@dataclass
class Result:
    name: str
    path: str
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int
    ratio: float = 0.0  # bare req/s of the same round ÷ this req/s


@dataclass
class Summary:
    """One endpoint over all rounds: medians, totals, and the spread of the ratio."""

    name: str
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int
    ratio: float
    ratio_min: float
    ratio_max: float

    @classmethod
    def of(cls, results: list[Result]) -> Summary:
        med = statistics.median
        ratios = [r.ratio for r in results]
        return cls(results[0].name, med(r.requests_per_second for r in results), med(r.p50_ms for r in results),
                   med(r.p95_ms for r in results), med(r.p99_ms for r in results), sum(r.requests for r in results),
                   sum(r.errors for r in results), med(ratios), min(ratios), max(ratios))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000, help="demo people (default 100000)")
    parser.add_argument("--organizations", type=int, default=200, help="demo organizations (default 200)")
    parser.add_argument("--seed", type=int, default=2026, help="demo seed (default 2026)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint (default 10)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of (bare, endpoints, bare); medians are reported (default 3)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default 1: leave the CPUs to the server)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--debug", action="store_true", help="run the site with ISOC_DEBUG=1 instead of production settings")
    parser.add_argument("--database-url", default="", help="DATABASE_URL (default: SQLite in the data folder)")
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default bench/out/web-<people>-<seed>)")
    parser.add_argument("--rev", default="", help="measure this git commit (exported to bench/out/) instead of the working tree")
    parser.add_argument("--only", default="", help="comma-separated endpoint names to measure (bare is always measured)")
    return parser.parse_args(argv)


def site_env(args: argparse.Namespace, data_dir: Path, port: int = 0) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISOC_") and k != "DATABASE_URL"}
    env.update(ISOC_DATA_DIR=str(data_dir), ISOC_BENCH="1", ISOC_DEBUG="1" if args.debug else "0",
               ISOC_ALLOWED_HOSTS="127.0.0.1,localhost", ISOC_SECURE_PROXY="1",
               ISOC_SITE_URL=f"https://127.0.0.1:{port}" if port else "https://127.0.0.1")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.source:
        # Ahead of the editable install, so the exported commit's code is what runs.
        env["PYTHONPATH"] = str(args.source)
    return env


def export_rev(rev: str) -> tuple[str, Path | None]:
    """Export commit ``rev``'s ``src`` to bench/out/src-<sha> (once); returns the full sha
    and the folder. Without ``rev``: the working tree as it is, and its HEAD."""
    sha = subprocess.run(["git", "rev-parse", rev or "HEAD"], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout.strip()
    if not rev:
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, check=True, capture_output=True,
                               text=True).stdout.strip()
        return sha + (" + uncommitted changes" if dirty else ""), None
    folder = OUT / f"src-{sha[:12]}"
    if not folder.exists():
        folder.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha, "src"], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return sha, folder / "src"


def isoc(args: argparse.Namespace, data_dir: Path, *command: str) -> None:
    subprocess.run([str(BIN / "isoc"), *command], env=site_env(args, data_dir), check=True)


def prepare_data(args: argparse.Namespace, data_dir: Path) -> None:
    """Migrate and generate the demo data, unless the folder already holds this size and
    seed (generating 100,000 people takes about a minute)."""
    marker = data_dir / "bench-demo.json"
    wanted = {"people": args.people, "organizations": args.organizations, "seed": args.seed,
              "database_url": args.database_url}
    data_dir.mkdir(parents=True, exist_ok=True)
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        print(f"Reusing demo data in {data_dir} ({args.people:,} people, seed {args.seed})", flush=True)
        isoc(args, data_dir, "migrate")  # cheap when nothing changed; picks up new migrations
        return
    marker.unlink(missing_ok=True)
    print(f"Generating {args.people:,} demo people in {data_dir} (once) ...", flush=True)
    isoc(args, data_dir, "migrate")
    isoc(args, data_dir, "demo", "--people", str(args.people), "--organizations", str(args.organizations),
         "--seed", str(args.seed), "--reset")
    marker.write_text(json.dumps(wanted))


MEMBER_SESSION = """
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from isoc.members import queries
person = queries.active_members().filter(is_demo=True, is_staff=False).order_by("pk").first()
session = SessionStore()
session[SESSION_KEY] = str(person.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = person.get_session_auth_hash()
session.save()
print(session.session_key)
"""


def member_session(args: argparse.Namespace, data_dir: Path) -> str:
    """A signed-in session of an active demo member, made as login() would make it."""
    env = site_env(args, data_dir) | {"DJANGO_SETTINGS_MODULE": "isoc.site.settings"}
    out = subprocess.run([sys.executable, "-c", MEMBER_SESSION], env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args: argparse.Namespace, data_dir: Path, port: int) -> subprocess.Popen:
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 - open for the server's lifetime
    server = subprocess.Popen(
        [str(BIN / "isoc"), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(args.workers), "--threads", str(args.threads)],
        env=site_env(args, data_dir, port), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}; see {data_dir / 'server.log'}")
        try:
            status, _body = fetch(port, "/healthz", "")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("the server did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # gunicorn's master and its workers, started by us
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(port: int, path: str, cookie: str) -> tuple[int, str]:
    """GET ``path`` as wrk will (same headers), without following redirects."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers(cookie))
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            return response.status, body.decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def headers(cookie: str) -> dict[str, str]:
    # As a browser behind the TLS proxy: compressed responses, the proxy's header.
    h = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
    if cookie:
        h["Cookie"] = f"sessionid={cookie}"
    return h


def check(port: int, endpoint: Endpoint, cookie: str) -> None:
    status, body = fetch(port, endpoint.path, cookie if endpoint.signed_in else "")
    if status != 200 or endpoint.expect not in body:
        raise SystemExit(f"{endpoint.name}: {endpoint.path} answered {status} without {endpoint.expect!r}; "
                         "not measuring a wrong page")


def run_wrk(args: argparse.Namespace, port: int, endpoint: Endpoint, cookie: str, lua: Path) -> Result:
    url = f"http://127.0.0.1:{port}{endpoint.path}"
    header_args = [a for k, v in headers(cookie if endpoint.signed_in else "").items() for a in ("-H", f"{k}: {v}")]
    base = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "--timeout", "10s", *header_args]
    if args.warmup:
        subprocess.run([*base, "-d", f"{args.warmup}s", url], check=True, capture_output=True)
    out = subprocess.run([*base, "-d", f"{args.duration}s", "-s", str(lua), url], check=True,
                         capture_output=True, text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    errors = sum(data[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return Result(endpoint.name, endpoint.path, data["requests"] / (data["duration_us"] / 1e6),
                  data["p50_us"] / 1000, data["p95_us"] / 1000, data["p99_us"] / 1000, data["requests"], errors)


def endpoints(args: argparse.Namespace) -> list[Endpoint]:
    found = [
        Endpoint("directory (member)", "/members/directory/", True, "<table>"),
        Endpoint("directory ?country=DE (member)", "/members/directory/?country=DE", True, "<table>"),
        Endpoint("directory (anonymous)", "/members/directory/", False, "members listed"),
        Endpoint("GET /api/v1/organizations", "/api/v1/organizations", False, '"items"'),
    ]
    wanted = {n.strip() for n in args.only.split(",") if n.strip()}
    return [e for e in found if not wanted or e.name in wanted]


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
            "python": platform.python_version(), "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def table(summaries: list[Summary]) -> str:
    rows = ["| endpoint | req/s | p50 ms | p95 ms | p99 ms | requests | errors | bare ÷ endpoint | (range) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in summaries:
        rows.append(f"| {s.name} | {s.requests_per_second:,.0f} | {s.p50_ms:.1f} | {s.p95_ms:.1f} | {s.p99_ms:.1f} "
                    f"| {s.requests:,} | {s.errors} | {s.ratio:.1f} | {s.ratio_min:.1f}–{s.ratio_max:.1f} |")
    return "\n".join(rows)


def measure_round(args: argparse.Namespace, port: int, todo: list[Endpoint], cookie: str, lua: Path) -> list[Result]:
    """Bare, every endpoint, bare again; ratios against the mean of the two bare rates,
    so that a change in the machine's load during the round shows in both."""
    bare = Endpoint("bare Django view", "/_bench/bare", False, "ok")
    results = [run_wrk(args, port, bare, cookie, lua)]
    results += [run_wrk(args, port, e, cookie, lua) for e in todo]
    results.append(run_wrk(args, port, bare, cookie, lua))
    anchor = (results[0].requests_per_second + results[-1].requests_per_second) / 2
    for r in results:
        r.ratio = anchor / r.requests_per_second if r.requests_per_second else float("inf")
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table and write it with the settings to bench/out/."""
    args = parse_args(argv)
    args.commit, args.source = export_rev(args.rev)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk; .ci/run installs it)")
    data_dir = (args.data_dir or OUT / f"web-{args.people}-{args.seed}").resolve()
    prepare_data(args, data_dir)
    cookie = member_session(args, data_dir)
    lua = data_dir / "report.lua"
    lua.write_text(WRK_LUA)
    port = free_port()
    info = machine()
    started = datetime.now(UTC)
    server = start_server(args, data_dir, port)
    todo = endpoints(args)
    rounds: list[list[Result]] = []
    try:
        for endpoint in [Endpoint("bare Django view", "/_bench/bare", False, "ok"), *todo]:
            check(port, endpoint, cookie)
        for n in range(args.rounds):
            print(f"round {n + 1} of {args.rounds} ...", flush=True)
            rounds.append(measure_round(args, port, todo, cookie, lua))
    finally:
        stop_server(server)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    by_name: dict[str, list[Result]] = {}
    for result in (r for one in rounds for r in one):
        by_name.setdefault(result.name, []).append(result)
    summaries = [Summary.of(results) for results in by_name.values()]
    mode = "ISOC_DEBUG=1" if args.debug else "ISOC_DEBUG=0 (production settings; X-Forwarded-Proto: https)"
    database = args.database_url.split("@")[-1] if args.database_url else "SQLite (WAL) in the data folder"
    summary = (f"commit {args.commit}\n"
               f"{started:%Y-%m-%d %H:%M} UTC; {info['nproc']} CPUs ({info['cpu']}), {info['ram']} RAM, "
               f"Python {info['python']}; load average (1, 5, 15 min) before {info['load_before']}, after {load_after}\n"
               f"{args.people:,} demo people (seed {args.seed}); {database}; {mode}; gunicorn gthread "
               f"{args.workers} workers x {args.threads} threads; wrk -t{args.wrk_threads} -c{args.connections} "
               f"-d{args.duration}s after {args.warmup}s warm-up; loopback; {args.rounds} rounds, medians shown\n")
    print("\n" + summary + "\n" + table(summaries) + "\n")
    print("bare ÷ endpoint: per round, the mean of that round's two bare rates ÷ the endpoint's rate; "
          "the median and range over rounds.")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "web-results.json").write_text(json.dumps(
        {"summary": summary, "args": {k: str(v) for k, v in vars(args).items()}, "machine": info,
         "summaries": [asdict(s) for s in summaries], "rounds": [[asdict(r) for r in one] for one in rounds]},
        indent=2))
    return 0 if all(s.errors == 0 for s in summaries) else 1


if __name__ == "__main__":
    sys.exit(main())
