"""The web part of the test fleet: nginx from Debian serving one test site per address,
an HTTP/3 server on aioquic, and servers that hang, all configured from one list of site
specifications (``SITES``) from which the tests also take the answers they expect.

The sites live on the fleet's network (``fleet.netns``: a namespace with the standard
ports 80/443, or loopback addresses ``127.201.N.H`` with high ports where namespaces are
not allowed, the one serving IPv6 address then being ``::1``), and their certificates come
from the fleet's CA (``fleet.ca``), so one CA bundle is trusted for everything: the
``fleet.core.Fleet`` starts this web part beside its DNS and mail servers, and its zones
point every test domain at a site here:

- each site of ``SITES`` is also a DNS name (``dns_domains``) in the signed ``test.`` zone,
  its A/AAAA records the site's addresses;
- the DNS and email test domains of ``fleet.spec`` (``secure.test`` …) point at the fleet's
  ``web`` host, served here by ``DEFAULT_SITE`` under all their names (with their names on
  its certificate), unless they name another site (``spec.Domain.web``).

So ``scanner.scan`` over fleet names measures DNS, email and web against our own servers,
and ``expected_web`` says what each web column must be.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import trustme

from fleet import spec as dns_spec
from fleet.ca import TestCA
from fleet.netns import Network
from isoc.enablers.config import ScanConfig
from isoc.enablers.results import PRIVACY_ELEMENTS

SECURITY_HEADER_VALUES = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=()",
}
LEGACY = ("TLSv1", "TLSv1.1")
#: The names on the certificate of a site whose certificate is "for the wrong name".
WRONG_NAMES = ("other-name.test", "www.other-name.test")


@dataclass(frozen=True)
class Site:
    """One test web site: how it is served, and so what every web probe must find.

    ``host`` is the site's number on the fleet network (its address ends in it; numbers
    from 40 up, beside the DNS and mail hosts of ``fleet.spec.HOSTS``).
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
    policy: str | None = None  # the page served there (None: nothing, the link answers 404)
    #: the expected elements (``results.PRIVACY_ELEMENTS``) that ``policy`` states, as its
    #: author meant them: the probe's reading is checked against this
    policy_elements: tuple[str, ...] = ()
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

COMPLETE_POLICY = """<!doctype html>
<html lang="en"><head><title>Privacy and cookies policy</title><style>h2 { font-size: 1em }</style></head>
<body><h1>Privacy and cookies policy</h1>
<p>Last updated: 1 March 2026.</p>
<h2>What we collect</h2><p>We collect personal data you give us: your name, email address and the pages you visit.</p>
<h2>How we use it</h2><p>We use your data for the purposes of running the site and answering your questions.</p>
<h2>Who we share it with</h2><p>We do not sell your data. We share it only with our hosting provider, under contract.</p>
<h2>How long we keep it</h2><p>We retain personal data for 12 months, then delete it.</p>
<h2>Your rights</h2><p>You have the right to access, correct or delete your data, and to object to its processing.</p>
<h2>Cookies</h2><p>We set one session cookie and no tracking cookies.</p>
<h2>Contact</h2><p>Write to our data protection officer at privacy@example.test.</p>
<h2>Changes to this policy</h2><p>We announce changes to this policy on this page a month before they take effect.</p>
</body></html>"""

#: Says what is collected, why, and whom to ask; nothing about sharing, retention, rights,
#: cookies or changes. The script's words are not the page's text.
INCOMPLETE_POLICY = """<!doctype html>
<html lang="en"><head><title>Privacy</title>
<script>var cookies = "share retain opt-out";</script></head>
<body><h1>Privacy notice</h1><p>We collect your email address when you order.</p>
<p>We use it to send your order.</p><p>Questions? Contact us at shop@tls12.test.</p></body></html>"""

DEFAULT_PAGE = """<!doctype html>
<html lang="en"><head><title>Fleet domain</title></head>
<body><p>A test domain of the isoc fleet.</p><footer><a href="/privacy">Privacy policy</a></footer></body></html>"""

#: The site matrix. Every web probe is checked against every site; the expected answers
#: follow from these fields (``expected``), the nginx configuration too (``nginx_conf``).
SITES: tuple[Site, ...] = (
    Site("modern.test", 40, hsts="max-age=63072000; includeSubDomains; preload",
         hsts_expected=(63072000, True, True), alt_svc='h3=":443"; ma=86400', quic=True,
         security_headers=tuple(SECURITY_HEADER_VALUES), page=MODERN_PAGE,
         privacy_path="/policies/data", policy=COMPLETE_POLICY, policy_elements=PRIVACY_ELEMENTS, ipv6="serve"),
    Site("tls12.test", 41, protocols=("TLSv1.2",), hsts="max-age=31536000",
         hsts_expected=(31536000, False, False),
         security_headers=("X-Content-Type-Options", "Referrer-Policy"),
         cookies=("session=abc123; Path=/; Secure; HttpOnly", "_track=xyz; Path=/; Max-Age=31536000"),
         page=TRACKED_PAGE, privacy_path="/legal/privacy.html", policy=INCOMPLETE_POLICY,
         policy_elements=("data_collected", "purpose", "contact"), gzip=True,
         third_parties=("ads.other.test", "cdn.tracker.example", "pixel.metrics.example")),
    Site("legacy.test", 42, protocols=("TLSv1", "TLSv1.1", "TLSv1.2"), http="page",
         cookies=("visitor=1; Path=/",)),
    Site("tls13.test", 43, protocols=("TLSv1.3",), hsts='max-age="600"', hsts_expected=(600, False, False),
         alt_svc='h3=":443"; ma=3600, h2=":443"', quic=False,
         security_headers=("Content-Security-Policy",)),
    Site("expired.test", 44, cert="expired", hsts="max-age=86400; includeSubDomains",
         hsts_expected=(86400, True, False)),
    Site("wrongname.test", 45, cert="wrong_name"),
    Site("hstsbad.test", 46, hsts="max-age=300; max-age=600", alt_svc='h2=":443"'),
    Site("hstsoff.test", 47, hsts="max-age=0", hsts_expected=(0, False, False), http="page", alt_svc="clear"),
    # links its policy, which is not there (404): a broken privacy policy link
    Site("httponly.test", 48, protocols=(), http="page", security_headers=("X-Frame-Options",),
         cookies=("lang=de; Path=/",), page=GERMAN_PAGE, privacy_path="/ds"),
    Site("hang.test", 49, server="hang"),
    Site("refused.test", 50, server="none"),
    Site("v6dead.test", 51, hsts="max-age=31536000; preload", hsts_expected=(31536000, False, True), ipv6="dead"),
)

#: The fleet's ``web`` host (``fleet.spec.HOSTS["web"]``), where the DNS and email test
#: domains point: everything right, so that their web columns are known too. Served under
#: every name that points there (``server_name`` is not needed: it is nginx's default
#: server on its address), with those names on its certificate.
DEFAULT_SITE = Site("web", dns_spec.HOSTS["web"], hsts="max-age=31536000; includeSubDomains",
                    hsts_expected=(31536000, True, False), alt_svc='h3=":443"; ma=86400', quic=True,
                    security_headers=tuple(SECURITY_HEADER_VALUES), page=DEFAULT_PAGE, privacy_path="/privacy",
                    policy=COMPLETE_POLICY, policy_elements=PRIVACY_ELEMENTS, ipv6="serve")

#: The first address of hosts that no site uses: "dead" IPv6 addresses are these.
DEAD_HOST_OFFSET = 100


def site(name: str) -> Site:
    return next(s for s in (*SITES, DEFAULT_SITE) if s.name == name)


def dns_domains(sites: tuple[Site, ...] = SITES, taken: set[str] = frozenset()) -> list[dns_spec.Domain]:
    """Each site as a DNS name of the fleet (in the signed ``test.`` zone, no mail), its
    addresses those of the site (the fleet maps the role named after the site to them)."""
    expect = {"dnssec": True, "caa": False, "spf": False, "dkim": False, "dmarc": False, "mta_sts": None,
              "starttls": None}
    return [dns_spec.Domain(s.name, "test.", f"web site {s.name}", a=(s.name,), aaaa=(s.name,) if s.ipv6 else (),
                            web=s.name, expect=expect)
            for s in sites if s.name not in taken]


# --- What the probes must find ---------------------------------------------------------


#: The web fields of a result that no web probe touched (a domain without addresses).
UNMEASURED = {"ipv6_reachable": None, "https_ok": None, "http_redirects_to_https": None, "cert_valid": None,
              "cert_error": None, "cert_name_matches": None, "tls13": None, "tls12": None, "tls_legacy": None,
              "tls_legacy_off": None, "hsts": None, "hsts_max_age": None, "hsts_include_subdomains": None,
              "hsts_preload": None, "alt_svc_h3": None, "http3": None, "security_headers": [],
              "privacy_policy_url": None, "privacy_policy_reachable": None, "privacy_policy_elements": [],
              "third_party_hosts": [], "cookies_before_consent": None}


def expected(spec: Site, fleet: WebFleet, name: str | None = None, *, aaaa: bool = True) -> dict:
    """The ``DomainResult`` web fields a correct probe reports for ``spec``, from the
    specification alone (``None``: unknown, as a timeout leaves it). ``name``: the domain
    measured, when it is another name served by the site (``DEFAULT_SITE``); ``aaaa``:
    whether the domain has an IPv6 address (a DNS name of the site may have none)."""
    name = name or spec.name
    nginx, hang = spec.server == "nginx", spec.server == "hang"
    tls = spec.has_https
    versions = set(spec.protocols) if nginx else ({"TLSv1.2", "TLSv1.3"} if hang else set())
    if not fleet.legacy_tls:
        versions -= set(LEGACY)
    # what a browser gets: HTTPS (any certificate) when offered, else the HTTP page
    https_answers = nginx and bool(versions & {"TLSv1.2", "TLSv1.3"})
    home = "https" if https_answers else ("http" if nginx and spec.http == "page" else None)
    cert_ok = spec.cert == "valid"
    cert_error = None
    if tls and spec.cert == "expired":
        cert_error = f"certificate expired on {fleet.certs[spec.name].not_after:%Y-%m-%d}"
    elif tls and spec.cert == "wrong_name":
        cert_error = f"certificate is for {', '.join(WRONG_NAMES)}, not {name}"
    policy_linked = bool(home and spec.privacy_path)
    reachable = (spec.policy is not None) if policy_linked else (False if home else None)
    values = {
        "ipv6_reachable": spec.ipv6 == "serve" and aaaa,
        "https_ok": True if https_answers else (None if hang else False),
        "http_redirects_to_https": {"redirect": True, "page": False}.get(spec.http) if nginx else None,
        "cert_valid": cert_ok if tls else None,
        "cert_error": cert_error,
        "cert_name_matches": spec.cert != "wrong_name" if tls else None,
        "tls13": "TLSv1.3" in versions if tls else None,
        "tls12": "TLSv1.2" in versions if tls else None,
        "tls_legacy": bool(versions & set(LEGACY)) if tls else None,
        "tls_legacy_off": not (versions & set(LEGACY)) if tls else None,
        "hsts": None, "hsts_max_age": None, "hsts_include_subdomains": None, "hsts_preload": None,
        "alt_svc_h3": spec.advertises_h3 if https_answers else None,
        "http3": (spec.advertises_h3 and spec.quic) if https_answers else None,
        "security_headers": list(spec.security_headers) if home else [],
        "privacy_policy_url": (fleet.origin(home, name) + spec.privacy_path) if policy_linked else None,
        "privacy_policy_reachable": reachable,
        "privacy_policy_elements": list(spec.policy_elements) if reachable else [],
        "third_party_hosts": list(spec.third_parties) if home else [],
        "cookies_before_consent": len(spec.cookies) if home else None,
    }
    if https_answers:
        values["hsts"] = bool(spec.hsts_expected and spec.hsts_expected[0] > 0 and cert_ok)
        if spec.hsts_expected:
            values["hsts_max_age"], values["hsts_include_subdomains"], values["hsts_preload"] = spec.hsts_expected
    assert values.keys() == UNMEASURED.keys()
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


# --- nginx -----------------------------------------------------------------------------


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nginx_conf(fleet: WebFleet) -> str:
    """The nginx configuration of every nginx-served site, one server block per site and
    scheme, each listening on the site's own address(es) (or, for a fleet at a distance,
    on the loopback port its relay forwards to)."""
    folder = fleet.folder
    lines = [
        "daemon off;", "master_process on;", "worker_processes 1;",
        *(["user root root;"] if os.geteuid() == 0 else []),
        f"pid {folder}/nginx.pid;", f"error_log {folder}/error.log warn;",
        "events { worker_connections 4096; }", "worker_rlimit_nofile 16384;",
        "http {", "  access_log off;", "  server_tokens off;", "  keepalive_timeout 5;",
        "  types { text/html html; text/plain txt; image/png png; }", "  default_type text/html;",
        "  server_names_hash_bucket_size 128;",
        *(f"  {kind}_temp_path {folder}/tmp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
    ]
    for spec in fleet.served:
        if spec.server != "nginx":
            continue
        root = folder / "sites" / spec.name
        root.mkdir(parents=True, exist_ok=True)
        (root / "index.html").write_text(spec.page)
        if spec.policy is not None and spec.privacy_path:
            policy = root / spec.privacy_path.lstrip("/")
            policy.parent.mkdir(parents=True, exist_ok=True)
            policy.write_text(spec.policy)
        names = " ".join(fleet.names(spec))
        headers = [f"  add_header {name} {_quoted(SECURITY_HEADER_VALUES[name])} always;" for name in spec.security_headers]
        headers += [f"  add_header Set-Cookie {_quoted(cookie)} always;" for cookie in spec.cookies]
        if spec.protocols:
            cert = fleet.certs[spec.name]
            lines += ["server {", *(f"  listen {a} ssl{fleet.backlog(a)};" for a in fleet.listen(spec, "https")),
                      f"  server_name {names};", f"  ssl_certificate {cert.cert};", f"  ssl_certificate_key {cert.key};",
                      f"  ssl_protocols {' '.join(spec.protocols)};",
                      # OpenSSL 3 offers TLS 1.0/1.1 only at security level 0
                      *(['  ssl_ciphers "DEFAULT:@SECLEVEL=0";'] if set(spec.protocols) & set(LEGACY) else []),
                      f"  root {root};", *headers, *(["  gzip on;", "  gzip_min_length 1;"] if spec.gzip else []),
                      *([f"  add_header Strict-Transport-Security {_quoted(spec.hsts)} always;"] if spec.hsts else []),
                      *([f"  add_header Alt-Svc {_quoted(spec.alt_svc)} always;"] if spec.alt_svc else []),
                      "}"]
        if spec.http != "none":
            body = ([f"  return 301 {fleet.origin('https', '$host')}$request_uri;"] if spec.http == "redirect"
                    else [f"  root {root};", *headers])
            lines += ["server {", *(f"  listen {a}{fleet.backlog(a)};" for a in fleet.listen(spec, "http")),
                      f"  server_name {names};", *body, "}"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def certificate_names(names: list[str], wildcard_above: int = 20) -> list[str]:
    """The names a certificate for ``names`` lists: each name, except that the names of a
    parent with more than ``wildcard_above`` children become one ``*.parent`` (the
    benchmark's 2,000 domains: a certificate of 2,000 names would be sent in every
    handshake)."""
    children: dict[str, list[str]] = {}
    for name in names:
        children.setdefault(name.split(".", 1)[1] if "." in name else "", []).append(name)
    listed = []
    for parent, group in children.items():
        listed += [f"*.{parent}"] if parent and len(group) > wildcard_above else group
    return sorted(dict.fromkeys(listed))


# --- The fleet -------------------------------------------------------------------------


class WebFleet:
    """The web sites of the fleet on ``network`` with certificates from ``ca``: ``sites``
    (default ``SITES``), and ``DEFAULT_SITE`` under ``default_names`` when there are any.
    Built by ``fleet.core.Fleet`` (``fleet.web``), which gives the network its hosts
    (``hosts``), puts the sites' addresses in its zones (``roles``) and the relays of a
    fleet at a distance in its servers process (``relays``), then calls ``start``. The
    network's ``close`` stops every server started here."""

    def __init__(self, network: Network, ca: TestCA, folder: Path, *, sites: tuple[Site, ...] = SITES,
                 default_names: tuple[str, ...] = (), delay: float = 0.0) -> None:
        self.network, self.ca, self.folder = network, ca, Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sites = tuple(sites)
        self.default_names = tuple(default_names)
        self.served = self.sites + ((DEFAULT_SITE,) if self.default_names else ())
        self.legacy_tls = legacy_tls_available()
        ports = network.ports
        self.ports = {"http": ports.http, "https": ports.https, "quic": ports.https}
        self.delay = delay  # one way, seconds: servers behind relays (the benchmark)
        self.certs = {}
        self._backends: dict[tuple[str, str, int], tuple[str, int]] = {}  # (proto, address, port) → loopback port

    # --- addresses and URLs -------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self.network.mode

    def hosts(self) -> list[int]:
        """The host numbers the sites need on the network (dead IPv6 ones included)."""
        found = []
        for spec in self.served:
            found.append(spec.host)
            if spec.ipv6 == "dead":
                found.append(spec.host + DEAD_HOST_OFFSET)
        return found

    def address6(self, spec: Site) -> str:
        if spec.ipv6 != "dead":
            return self.network.address6(spec.host)
        if self.mode == "netns":
            return self.network.address6(spec.host + DEAD_HOST_OFFSET)
        # loopback has one IPv6 address: a dead one is an IPv4-mapped address nothing listens on
        return f"::ffff:{self.network.address(spec.host + DEAD_HOST_OFFSET)}"

    def addresses(self, spec: Site) -> tuple[str, ...]:
        found = [self.network.address(spec.host)]
        if spec.ipv6:
            found.append(self.address6(spec))
        return tuple(found)

    def roles(self) -> dict[str, tuple[str, str]]:
        """Role → (IPv4, IPv6) for the fleet's zones: each site's name stands for its host."""
        return {spec.name: (self.network.address(spec.host), self.address6(spec)) for spec in self.sites}

    def names(self, spec: Site) -> list[str]:
        """The names a site answers to, and its certificate lists."""
        if spec is DEFAULT_SITE:
            return certificate_names(list(self.default_names))
        return [spec.name]

    def listen(self, spec: Site, scheme: str) -> list[str]:
        """nginx ``listen`` addresses of a site for ``scheme``."""
        addresses = [self.network.address(spec.host)]
        if spec.ipv6 == "serve":
            addresses.append(self.network.address6(spec.host))
        return [self._bind("tcp", address, self.ports[scheme]) for address in addresses]

    def backlog(self, listen: str) -> str:
        """A deep accept queue (once per address and port: nginx refuses it twice): a scan
        opens thousands of connections at once."""
        seen = self.__dict__.setdefault("_backlogged", set())
        if listen in seen:
            return ""
        seen.add(listen)
        return " backlog=4096"

    def _bind(self, proto: str, address: str, port: int) -> str:
        """Where a server for ``address:port`` listens: there, or (at a distance) on a
        loopback port that a relay on ``address:port`` forwards to."""
        if not self.delay:
            return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        key = (proto, address, port)
        if key not in self._backends:
            self._backends[key] = ("127.0.0.1", 20000 + len(self._backends))
        host, backend = self._backends[key]
        return f"{host}:{backend}"

    def relays(self) -> list[dict]:
        """The relays of a fleet at a distance, for ``fleet.servers`` (after ``start``'s
        configuration is written: the backends are known then)."""
        return [{"kind": f"{proto}-relay", "hosts": [address], "port": port, "target": list(target)}
                for (proto, address, port), target in self._backends.items()]

    def origin(self, scheme: str, name: str) -> str:
        port = self.ports[scheme]
        return f"{scheme}://{name}" + ("" if port == {"http": 80, "https": 443}[scheme] else f":{port}")

    def config(self, **overrides) -> ScanConfig:
        """A scan configuration that reaches the sites (and only them) by fixed addresses."""
        values = dict(hosts={s.name: self.addresses(s) for s in self.sites}, ca_bundle=self.ca.ca_pem,
                      http_port=self.ports["http"], https_port=self.ports["https"],
                      quic_port=self.ports["quic"], timeout=1.0, retries=1)
        values.update(overrides)
        return ScanConfig(**values)

    # --- lifecycle ----------------------------------------------------------------------

    def configure(self) -> None:
        """Certificates and configuration files (before ``start``; fixes the relays)."""
        for spec in self.served:
            if spec.server == "none":
                continue
            if spec.cert == "expired":
                self.certs[spec.name] = self.ca.issue(spec.name, expired=True, stem=f"site-{spec.name}")
            elif spec.cert == "wrong_name":
                self.certs[spec.name] = self.ca.issue(*WRONG_NAMES, stem=f"site-{spec.name}")
            else:
                self.certs[spec.name] = self.ca.issue(*self.names(spec), stem=f"site-{spec.name}")
        (self.folder / "tmp").mkdir(exist_ok=True)
        (self.folder / "nginx.conf").write_text(nginx_conf(self))
        helpers = {"quic": [], "hang": []}
        bound = set()
        for spec in self.served:
            cert = self.certs.get(spec.name)
            if spec.quic:
                for address in self.addresses(spec):
                    where = self._bind("udp", address, self.ports["quic"])
                    if where in bound:  # loopback: one ::1 for every IPv6 site (QUIC is checked without a name)
                        continue
                    bound.add(where)
                    host, _, port = where.rpartition(":")
                    helpers["quic"].append({"address": host.strip("[]"), "port": int(port),
                                            "cert": str(cert.cert), "key": str(cert.key)})
            if spec.server == "hang":
                for scheme in ("https", "http"):
                    host, _, port = self._bind("tcp", self.network.address(spec.host), self.ports[scheme]).rpartition(":")
                    helpers["hang"].append({"address": host.strip("[]"), "port": int(port),
                                            **({"cert": str(cert.cert), "key": str(cert.key)} if scheme == "https" else {})})
        (self.folder / "servers.json").write_text(json.dumps(helpers))

    def start(self) -> None:
        """nginx and the aioquic/hanging servers (the network has the hosts by now)."""
        conf = self.folder / "nginx.conf"
        self._nginx = self.network.popen(["nginx", "-p", str(self.folder), "-e", str(self.folder / "error.log"),
                                          "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        helper = self.network.popen([sys.executable, str(Path(__file__).with_name("web_servers.py")),
                                     str(self.folder / "servers.json")],
                                    stdout=subprocess.PIPE, stderr=open(self.folder / "web_servers.log", "w"), text=True)
        line = helper.stdout.readline() if helper.stdout else ""
        if line.strip() != "ready":
            raise RuntimeError(f"the aioquic/hang servers did not start: {(self.folder / 'web_servers.log').read_text()[-2000:]}")
        self._wait_for_nginx()

    def _wait_for_nginx(self) -> None:
        first = next((s for s in self.served if s.server == "nginx" and s.protocols), None)
        if first is None:
            return
        target = (self.network.address(first.host), self.ports["https"])
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
