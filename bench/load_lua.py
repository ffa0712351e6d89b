"""wrk scenarios of the load benchmark: GETs (anonymous or signed in) and form POSTs
(login, event registration, ballot) with the CSRF cookie and token and a different person
per request, read by a Lua script from a file of (cookie, body) lines.

A form POST under production settings behind the TLS proxy needs what a browser sends:
the ``csrftoken`` cookie and the same secret in ``csrfmiddlewaretoken`` (Django accepts
the unmasked 32-character secret), and an ``Origin`` that is a trusted origin
(``ISOC_SITE_URL``, which ``web.site_env`` sets to ``https://127.0.0.1:<port>``)."""

from __future__ import annotations

import json
import secrets
import string
import subprocess
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import web

CSRF = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))

# Counts responses by status in each wrk thread; done() adds them up (wrk copies the
# threads' tables), so a redirect to an error page or a 409 is not taken for a success.
LUA = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
statuses = {}
response = function(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
%(request)s
done = function(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do all[tostring(k)] = (all[tostring(k)] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, string.format('"%%s": %%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, '
    .. '"socket_errors": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""

POST_REQUEST = """
local lines = {}
for line in io.lines("%(file)s") do table.insert(lines, line) end
local i = 0
request = function()
  i = i %% #lines + 1
  local tab = string.find(lines[i], "\\t", 1, true)
  return wrk.format("POST", "%(path)s", {
    ["Cookie"] = string.sub(lines[i], 1, tab - 1),
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = "%(origin)s", ["Referer"] = "%(origin)s%(path)s",
    ["X-Forwarded-Proto"] = "https", ["Accept-Encoding"] = "gzip",
  }, string.sub(lines[i], tab + 1))
end
"""


@dataclass
class Scenario:
    name: str
    path: str
    method: str = "GET"
    kind: str = ""  # for POSTs: login, register or ballot
    expect: str = ""  # text a GET's page must contain, so an error page is never timed
    cookies: str = ""  # "member": signed in


@dataclass
class Result:
    name: str
    path: str
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors and responses other than the expected status
    statuses: dict
    ratio: float = 0.0


EXPECTED = {"GET": "200", "login": "302", "register": "302", "ballot": "200"}


def post_lines(scenario: Scenario, plan: dict) -> list[str]:
    """One line per request, cycled: the cookie header, a tab, the form body."""
    token = f"csrftoken={CSRF}"
    form = {"csrfmiddlewaretoken": CSRF}
    if scenario.kind == "login":
        return [f"{token}\t" + urllib.parse.urlencode(form | {"login": email, "password": plan["password"]})
                for email in plan["logins"]]
    if scenario.kind == "register":
        return [f"sessionid={key}; {token}\t" + urllib.parse.urlencode(form) for key in plan["registrants"]]
    candidates = plan["candidates"]
    return [f"sessionid={key}; {token}\t"
            + urllib.parse.urlencode(form | {"roll": roll, "choice": candidates[n % len(candidates)]})
            for n, (key, roll) in enumerate(plan["voters"])]


def lua_script(scenario: Scenario, plan: dict, port: int, folder: Path) -> Path:
    script = folder / f"wrk-{scenario.kind or 'get'}.lua"
    request = ""
    if scenario.method == "POST":
        lines = folder / f"wrk-{scenario.kind}.txt"
        lines.write_text("\n".join(post_lines(scenario, plan)) + "\n")
        request = POST_REQUEST % {"file": lines, "path": scenario.path, "origin": f"https://127.0.0.1:{port}"}
    script.write_text(LUA % {"request": request})
    return script


def check(port: int, scenario: Scenario, member_cookie: str) -> None:
    """A GET answers 200 with its real content; POSTs are checked by their statuses."""
    if scenario.method != "GET":
        return
    status, body = web.fetch(port, scenario.path, member_cookie if scenario.cookies else "")
    if status != 200 or scenario.expect not in body:
        raise SystemExit(f"{scenario.name}: {scenario.path} answered {status} without {scenario.expect!r}; "
                         "not measuring a wrong page")


def run_wrk(args, port: int, scenario: Scenario, plan: dict, member_cookie: str, folder: Path) -> Result:
    url = f"http://127.0.0.1:{port}{scenario.path}"
    headers = web.headers(member_cookie if scenario.cookies else "")
    header_args = [a for k, v in headers.items() for a in ("-H", f"{k}: {v}")] if scenario.method == "GET" else []
    base = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "--timeout", "10s", *header_args]
    script = lua_script(scenario, plan, port, folder)
    # POSTs change data: no unmeasured warm-up for them (it would use up the seats).
    if args.warmup and scenario.method == "GET":
        subprocess.run([*base, "-d", f"{args.warmup}s", url], check=True, capture_output=True)
    out = subprocess.run([*base, "-d", f"{args.duration}s", "-s", str(script), url], check=True,
                         capture_output=True, text=True).stdout
    data = json.loads(next(x for x in out.splitlines() if x.startswith("WRK_JSON ")).removeprefix("WRK_JSON "))
    expected = EXPECTED[scenario.kind or "GET"]
    wrong = sum(n for status, n in data["statuses"].items() if status != expected)
    return Result(scenario.name, scenario.path, data["requests"] / (data["duration_us"] / 1e6),
                  data["p50_us"] / 1000, data["p95_us"] / 1000, data["p99_us"] / 1000, data["requests"],
                  data["socket_errors"] + wrong, data["statuses"])
