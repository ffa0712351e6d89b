"""The web part of the test fleet: nginx from Debian serving one test site per address,
an HTTP/3 server on aioquic, and servers that hang, all configured from one list of site
specifications (``SITES``) from which the tests also take the answers they expect.

Where the sites live: a network namespace (``ip netns``) joined to the test process by a
veth pair, every site on its own address ``10.202.K.N`` / ``fd00:202:0:K::N`` with the
standard ports 80/443; or, when namespaces are not allowed (not root, ``ip netns add``
fails, or ``ISOC_FLEET_LOOPBACK=1``), loopback addresses ``127.202.K.N`` with high ports
given to the scanner through ``ScanConfig.http_port``/``https_port``/``quic_port``, where
the one IPv6 site answers on ``::1``.

Small and self-contained on purpose: the shared fleet core (``fleet.netns``, ``fleet.ca``)
can later provide the network and the CA, and this module keep only the sites.
"""

from __future__ import annotations

import atexit
import datetime as dt
import fcntl
import json
import os
import random
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import trustme

from isoc.enablers.config import ScanConfig

SECURITY_HEADER_VALUES = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=()",
}
LEGACY = ("TLSv1", "TLSv1.1")


@dataclass(frozen=True)
class Site:
    """One test web site: how it is served, and so what every web probe must find.

    ``host`` is the site's number on the fleet network (its address ends in it).
    ``server``: "nginx", "hang" (accepts and completes TLS, then never answers) or "none"
    (nothing listens: connections are refused). ``http``: what port 80 does: "redirect" to
    HTTPS, serve the "page", or "none" (nothing listens). ``ipv6``: "serve" (an AAAA
    address nginx answers on), "dead" (an AAAA address where nothing listens) or None.
    """

    name: str
    host: int
    server: str = "nginx"
    protocols: tuple[str, ...] = ("TLSv1.2", "TLSv1.3")  # () = nothing listens on 443
    cert: str = "valid"  # "valid" | "expired" | "wrong_name"
    http: str = "redirect"
    hsts: str | None = None  # the header value sent
    #: what a correct reading of that header gives: (max-age, includeSubDomains, preload),
    #: None when the header is missing or invalid
    hsts_expected: tuple[int, bool, bool] | None = None
    alt_svc: str | None = None
    quic: bool = False  # an HTTP/3 server on UDP 443
    security_headers: tuple[str, ...] = ()
    cookies: tuple[str, ...] = ()
    page: str = "<!doctype html><title>test site</title><p>Hello.</p>"
    privacy_path: str | None = None  # where the page's privacy link points
    third_parties: tuple[str, ...] = ()
    ipv6: str | None = None
    gzip: bool = False  # the page is sent compressed

    @property
    def has_https(self) -> bool:
        return self.server == "hang" or (self.server == "nginx" and bool(self.protocols))

    @property
    def advertises_h3(self) -> bool:
        return bool(self.alt_svc and self.alt_svc.startswith("h3="))


MODERN_PAGE = """<!doctype html>
<html lang="en"><head><title>Modern</title>
<script src="https://static.modern.test/app.js"></script></head>
<body><img src="/logo.png" alt="Modern"><a href="/about">About us</a>
<footer><a href="/policies/data">Privacy &amp; cookies policy</a></footer></body></html>"""

TRACKED_PAGE = """<!doctype html>
<html><head><title>Shop</title><base href="/">
<script src="https://cdn.tracker.example/t.js"></script>
<script>var inline = "<img src='https://not.a.tag.example/x.gif'>";</script></head>
<body><iframe src="https://ads.other.test/frame"></iframe>
<img src="//pixel.metrics.example/p.gif"><img src="images/local.png">
<a href="https://www.tls12.test/shop">Shop</a> <a href="legal/privacy.html">Legal</a></body></html>"""

GERMAN_PAGE = """<!doctype html><html lang="de"><title>Nur HTTP</title>
<p><a href="/impressum">Impressum</a> · <a href="/ds">Datenschutz</a></p></html>"""

#: The site matrix. Every web probe is checked against every site; the expected answers
#: follow from these fields (``expected``), the nginx configuration too (``nginx_conf``).
SITES: tuple[Site, ...] = (
    Site("modern.test", 2, hsts="max-age=63072000; includeSubDomains; preload",
         hsts_expected=(63072000, True, True), alt_svc='h3=":443"; ma=86400', quic=True,
         security_headers=tuple(SECURITY_HEADER_VALUES), page=MODERN_PAGE,
         privacy_path="/policies/data", ipv6="serve"),
    Site("tls12.test", 3, protocols=("TLSv1.2",), hsts="max-age=31536000",
         hsts_expected=(31536000, False, False),
         security_headers=("X-Content-Type-Options", "Referrer-Policy"),
         cookies=("session=abc123; Path=/; Secure; HttpOnly", "_track=xyz; Path=/; Max-Age=31536000"),
         page=TRACKED_PAGE, privacy_path="/legal/privacy.html", gzip=True,
         third_parties=("ads.other.test", "cdn.tracker.example", "pixel.metrics.example")),
    Site("legacy.test", 4, protocols=("TLSv1", "TLSv1.1", "TLSv1.2"), http="page",
         cookies=("visitor=1; Path=/",)),
    Site("tls13.test", 5, protocols=("TLSv1.3",), hsts='max-age="600"', hsts_expected=(600, False, False),
         alt_svc='h3=":443"; ma=3600, h2=":443"', quic=False,
         security_headers=("Content-Security-Policy",)),
    Site("expired.test", 6, cert="expired", hsts="max-age=86400; includeSubDomains",
         hsts_expected=(86400, True, False)),
    Site("wrongname.test", 7, cert="wrong_name"),
    Site("hstsbad.test", 8, hsts="max-age=300; max-age=600", alt_svc='h2=":443"'),
    Site("hstsoff.test", 9, hsts="max-age=0", hsts_expected=(0, False, False), http="page", alt_svc="clear"),
    Site("httponly.test", 10, protocols=(), http="page", security_headers=("X-Frame-Options",),
         cookies=("lang=de; Path=/",), page=GERMAN_PAGE, privacy_path="/ds"),
    Site("hang.test", 11, server="hang"),
    Site("refused.test", 12, server="none"),
    Site("v6dead.test", 13, hsts="max-age=31536000; preload", hsts_expected=(31536000, False, True), ipv6="dead"),
)

#: The first address of hosts that no site uses: "dead" IPv6 addresses are these.
DEAD_HOST_OFFSET = 100


def site(name: str) -> Site:
    return next(s for s in SITES if s.name == name)


# --- What the probes must find ---------------------------------------------------------


def expected(spec: Site, fleet: WebFleet) -> dict:
    """The ``DomainResult`` web fields a correct probe reports for ``spec``, from the
    specification alone (``None``: unknown, as a timeout leaves it)."""
    nginx, hang = spec.server == "nginx", spec.server == "hang"
    tls = spec.has_https
    versions = set(spec.protocols) if nginx else ({"TLSv1.2", "TLSv1.3"} if hang else set())
    if not fleet.legacy_tls:
        versions -= set(LEGACY)
    # what a browser gets: HTTPS (any certificate) when offered, else the HTTP page
    https_answers = nginx and bool(versions & {"TLSv1.2", "TLSv1.3"})
    home = "https" if https_answers else ("http" if nginx and spec.http == "page" else None)
    cert_ok = spec.cert == "valid"
    values = {
        "ipv6_reachable": spec.ipv6 == "serve",
        "https_ok": True if https_answers else (None if hang else False),
        "http_redirects_to_https": {"redirect": True, "page": False}.get(spec.http) if nginx else None,
        "cert_valid": cert_ok if tls else None,
        "cert_name_matches": spec.cert != "wrong_name" if tls else None,
        "tls13": "TLSv1.3" in versions if tls else None,
        "tls12": "TLSv1.2" in versions if tls else None,
        "tls_legacy": bool(versions & set(LEGACY)) if tls else None,
        "tls_legacy_off": not (versions & set(LEGACY)) if tls else None,
        "hsts": None, "hsts_max_age": None, "hsts_include_subdomains": None, "hsts_preload": None,
        "alt_svc_h3": spec.advertises_h3 if https_answers else None,
        "http3": (spec.advertises_h3 and spec.quic) if https_answers else None,
        "security_headers": list(spec.security_headers) if home else [],
        "privacy_policy_url": (fleet.origin(home, spec.name) + spec.privacy_path) if home and spec.privacy_path else None,
        "third_party_hosts": list(spec.third_parties) if home else [],
        "cookies_before_consent": len(spec.cookies) if home else None,
    }
    if https_answers:
        values["hsts"] = bool(spec.hsts_expected and spec.hsts_expected[0] > 0 and cert_ok)
        if spec.hsts_expected:
            values["hsts_max_age"], values["hsts_include_subdomains"], values["hsts_preload"] = spec.hsts_expected
    return values


def legacy_tls_available() -> bool:
    """Whether this machine's OpenSSL still does a TLS 1.0 handshake at security level 0
    (nginx links the same library): an in-memory handshake, no socket."""
    ca = trustme.CA()
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("legacy.test").configure_cert(server)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname, client.verify_mode = False, ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            for context in (server, client):
                context.set_ciphers("DEFAULT:@SECLEVEL=0")
                context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1
        pipes = [ssl.MemoryBIO() for _ in range(4)]
        s = server.wrap_bio(pipes[0], pipes[1], server_side=True)
        c = client.wrap_bio(pipes[2], pipes[3], server_hostname="legacy.test")
        for _ in range(6):
            for end, out, peer in ((c, pipes[3], pipes[0]), (s, pipes[1], pipes[2])):
                try:
                    end.do_handshake()
                except ssl.SSLWantReadError:
                    pass
                peer.write(out.read())
        return c.version() == "TLSv1"
    except (ssl.SSLError, ValueError):
        return False


# --- Certificates ----------------------------------------------------------------------


class WebCA:
    """A throw-away CA (trustme) and the certificate files of each site."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ca = trustme.CA(organization_name="isoc test fleet CA")
        self.bundle = folder / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.bundle))

    def issue(self, spec: Site) -> tuple[Path, Path]:
        now = dt.datetime.now(dt.UTC)
        if spec.cert == "expired":
            cert = self.ca.issue_cert(spec.name, not_before=now - dt.timedelta(days=90),
                                      not_after=now - dt.timedelta(days=3))
        elif spec.cert == "wrong_name":
            cert = self.ca.issue_cert("other-name.test", "www.other-name.test")
        else:
            cert = self.ca.issue_cert(spec.name)
        chain, key = self.folder / f"{spec.name}.pem", self.folder / f"{spec.name}.key"
        with chain.open("wb") as file:
            for blob in cert.cert_chain_pems:
                file.write(blob.bytes())
        cert.private_key_pem.write_to_path(str(key))
        return chain, key


# --- The network -----------------------------------------------------------------------

NETNS_PREFIX = "isocweb"
_LOCK = "/tmp/isoc-fleet-web.lock"


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


@dataclass
class Network:
    """Where the sites live: ``mode`` "netns" (namespace ``name``, subnet index ``index``)
    or "loopback"; ``reason`` says which and why, for the test log."""

    mode: str
    index: int
    reason: str
    name: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)

    @classmethod
    def create(cls) -> Network:
        if os.environ.get("ISOC_FLEET_LOOPBACK") == "1":
            return cls._loopback("ISOC_FLEET_LOOPBACK=1")
        if os.geteuid() != 0 or not shutil.which("ip"):
            return cls._loopback("not root: network namespaces need root")
        _remove_stale()
        with open(_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            used = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True).stdout
            index = next(i for i in range(1, 250) if f" 10.202.{i}." not in used)
            network = cls("netns", index, "", f"{NETNS_PREFIX}-{os.getpid()}-{index}")
            try:
                network._build()
            except RuntimeError as exc:
                network.close()
                return cls._loopback(f"ip netns failed ({exc})")
        network.reason = (f"sites in network namespace {network.name} (10.202.{index}.0/24, "
                          f"fd00:202:0:{index:x}::/64) on ports 80/443")
        return network

    @classmethod
    def _loopback(cls, why: str) -> Network:
        index = os.getpid() % 200 + 1
        return cls("loopback", index, f"{why}: sites on loopback addresses 127.202.{index}.N with high "
                                      "ports; the IPv6 site on ::1, the dead AAAA an IPv4-mapped ::ffff:127.x")

    @property
    def host_if(self) -> str:
        return f"isw{self.index}h"

    def _build(self) -> None:
        _ip("netns", "add", self.name)
        _ip("link", "add", self.host_if, "type", "veth", "peer", "name", "eth0", "netns", self.name)
        _ip("addr", "add", f"10.202.{self.index}.1/24", "dev", self.host_if)
        _ip("addr", "add", f"fd00:202:0:{self.index:x}::1/64", "dev", self.host_if, "nodad")
        _ip("link", "set", self.host_if, "up")
        _ip("-n", self.name, "link", "set", "lo", "up")
        _ip("-n", self.name, "link", "set", "eth0", "up")

    def add_host(self, host: int) -> None:
        if self.mode == "netns":
            _ip("-n", self.name, "addr", "add", f"{self.address(host)}/24", "dev", "eth0")
            _ip("-n", self.name, "addr", "add", f"{self.address6(host)}/64", "dev", "eth0", "nodad")

    def address(self, host: int) -> str:
        return f"10.202.{self.index}.{host}" if self.mode == "netns" else f"127.202.{self.index}.{host}"

    def address6(self, host: int, dead: bool = False) -> str:
        if self.mode == "netns":
            return f"fd00:202:0:{self.index:x}::{host:x}"
        # Loopback has one IPv6 address; a dead one is an IPv4-mapped loopback address.
        return f"::ffff:{self.address(host)}" if dead else "::1"

    def popen(self, argv: list[str], **kwargs) -> subprocess.Popen:
        """Start a server in the network; it gets SIGTERM if the test process dies
        (killed with SIGKILL, no fixture teardown), and ``close`` stops it otherwise."""
        if self.mode == "netns":
            argv = ["ip", "netns", "exec", self.name, *argv]
        process = subprocess.Popen(argv, start_new_session=True, preexec_fn=_die_with_parent, **kwargs)
        self.processes.append(process)
        return process

    def close(self) -> None:
        for process in reversed(self.processes):
            _stop(process)
        self.processes.clear()
        if self.mode == "netns" and self.name:
            subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
            subprocess.run(["ip", "link", "del", self.host_if], capture_output=True)
            self.name = ""


FOLDER_PREFIX = "isoc-web-fleet-"


def _remove_stale_folders() -> None:
    """Delete the configuration folders of test sessions that died without teardown."""
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name.removeprefix(FOLDER_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the test process exits."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _remove_stale() -> None:
    """Delete this module's namespaces whose test session died (killed with SIGKILL),
    with any server still running in them."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for line in listed.splitlines():
        match = re.match(rf"^({NETNS_PREFIX}-(\d+)-(\d+))\b", line)
        if match and not Path(f"/proc/{match.group(2)}").exists():
            pids = subprocess.run(["ip", "netns", "pids", match.group(1)], capture_output=True, text=True).stdout
            for pid in pids.split():
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
            subprocess.run(["ip", "netns", "del", match.group(1)], capture_output=True)
            subprocess.run(["ip", "link", "del", f"isw{match.group(3)}h"], capture_output=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(timeout=5)


# --- nginx -----------------------------------------------------------------------------


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nginx_conf(fleet: WebFleet) -> str:
    """The nginx configuration of every nginx-served site, one server block per site and
    scheme, each listening on the site's own address(es)."""
    folder = fleet.folder
    lines = [
        "daemon off;", "master_process on;", "worker_processes 1;",
        *(["user root root;"] if os.geteuid() == 0 else []),
        f"pid {folder}/nginx.pid;", f"error_log {folder}/error.log warn;",
        "events { worker_connections 1024; }",
        "http {", "  access_log off;", "  server_tokens off;", "  keepalive_timeout 5;",
        "  types { text/html html; image/png png; }", "  default_type text/html;",
        *(f"  {kind}_temp_path {folder}/tmp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
    ]
    for spec in SITES:
        if spec.server != "nginx":
            continue
        root = folder / "sites" / spec.name
        root.mkdir(parents=True, exist_ok=True)
        (root / "index.html").write_text(spec.page)
        addresses = [fleet.network.address(spec.host)]
        if spec.ipv6 == "serve":
            addresses.append(f"[{fleet.network.address6(spec.host)}]")
        headers = [f"  add_header {name} {_quoted(SECURITY_HEADER_VALUES[name])} always;" for name in spec.security_headers]
        headers += [f"  add_header Set-Cookie {_quoted(cookie)} always;" for cookie in spec.cookies]
        if spec.protocols:
            chain, key = fleet.ca.issue(spec)
            lines += ["server {", *(f"  listen {a}:{fleet.ports['https']} ssl;" for a in addresses),
                      f"  server_name {spec.name};", f"  ssl_certificate {chain};", f"  ssl_certificate_key {key};",
                      f"  ssl_protocols {' '.join(spec.protocols)};",
                      # OpenSSL 3 offers TLS 1.0/1.1 only at security level 0
                      *(['  ssl_ciphers "DEFAULT:@SECLEVEL=0";'] if set(spec.protocols) & set(LEGACY) else []),
                      f"  root {root};", *headers, *(["  gzip on;", "  gzip_min_length 1;"] if spec.gzip else []),
                      *([f"  add_header Strict-Transport-Security {_quoted(spec.hsts)} always;"] if spec.hsts else []),
                      *([f"  add_header Alt-Svc {_quoted(spec.alt_svc)} always;"] if spec.alt_svc else []),
                      "}"]
        if spec.http != "none":
            body = ([f"  return 301 {fleet.origin('https', spec.name)}$request_uri;"] if spec.http == "redirect"
                    else [f"  root {root};", *headers])
            lines += ["server {", *(f"  listen {a}:{fleet.ports['http']};" for a in addresses),
                      f"  server_name {spec.name};", *body, "}"]
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- The fleet -------------------------------------------------------------------------


class WebFleet:
    """Start with ``start()``, stop with ``stop()`` (idempotent, also run at exit):
    the network, certificates, nginx and the aioquic/hanging servers for ``SITES``."""

    def __init__(self) -> None:
        _remove_stale_folders()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
        self.network: Network | None = None
        self.ca = WebCA(self.folder)
        self.legacy_tls = legacy_tls_available()
        self.ports = {"http": 80, "https": 443, "quic": 443}
        self._stopped = False

    # addresses and URLs
    @property
    def mode(self) -> str:
        assert self.network is not None
        return self.network.mode

    def addresses(self, spec: Site) -> tuple[str, ...]:
        assert self.network is not None
        found = [self.network.address(spec.host)]
        if spec.ipv6:
            host = spec.host + DEAD_HOST_OFFSET if spec.ipv6 == "dead" else spec.host
            found.append(self.network.address6(host, dead=spec.ipv6 == "dead"))
        return tuple(found)

    def origin(self, scheme: str, name: str) -> str:
        port = self.ports[scheme]
        return f"{scheme}://{name}" + ("" if port == {"http": 80, "https": 443}[scheme] else f":{port}")

    def config(self, **overrides) -> ScanConfig:
        """A scan configuration that reaches the sites (and only them)."""
        values = dict(hosts={s.name: self.addresses(s) for s in SITES}, ca_bundle=self.ca.bundle,
                      http_port=self.ports["http"], https_port=self.ports["https"],
                      quic_port=self.ports["quic"], timeout=1.0, retries=1)
        values.update(overrides)
        return ScanConfig(**values)

    # lifecycle
    def start(self) -> WebFleet:
        atexit.register(self.stop)
        self.network = Network.create()
        if self.network.mode == "loopback":
            base = random.randrange(20000, 60000, 4)
            self.ports = {"http": base, "https": base + 1, "quic": base + 1}
        for spec in SITES:
            self.network.add_host(spec.host)
            if spec.ipv6 == "dead":
                self.network.add_host(spec.host + DEAD_HOST_OFFSET)
        (self.folder / "tmp").mkdir()
        conf = self.folder / "nginx.conf"
        conf.write_text(nginx_conf(self))
        self._nginx = self.network.popen(["nginx", "-p", str(self.folder), "-e", str(self.folder / "error.log"),
                                          "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._start_helpers()
        self._wait_for_nginx()
        return self

    def _start_helpers(self) -> None:
        assert self.network is not None
        spec = {"quic": [], "hang": []}
        for s in SITES:
            if s.quic:
                chain, key = self.folder / f"{s.name}.pem", self.folder / f"{s.name}.key"
                spec["quic"] += [{"address": address, "port": self.ports["quic"], "cert": str(chain), "key": str(key)}
                                 for address in self.addresses(s)]
            if s.server == "hang":
                chain, key = self.ca.issue(s)
                address = self.network.address(s.host)
                spec["hang"] += [{"address": address, "port": self.ports["https"], "cert": str(chain), "key": str(key)},
                                 {"address": address, "port": self.ports["http"]}]
        path = self.folder / "servers.json"
        path.write_text(json.dumps(spec))
        helper = self.network.popen([sys.executable, str(Path(__file__).with_name("web_servers.py")), str(path)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = helper.stdout.readline() if helper.stdout else ""
        if line.strip() != "ready":
            raise RuntimeError(f"the aioquic/hang servers did not start: {helper.stderr.read() if helper.stderr else ''}")

    def _wait_for_nginx(self) -> None:
        target = (self.addresses(SITES[0])[0], self.ports["https"])
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._nginx.poll() is not None:
                log = (self.folder / "error.log").read_text() if (self.folder / "error.log").exists() else ""
                raise RuntimeError(f"nginx stopped: {self._nginx.stderr.read().decode() if self._nginx.stderr else ''}{log}")
            try:
                socket.create_connection(target, timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx does not answer on {target}")

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.network is not None:
            self.network.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> WebFleet:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
