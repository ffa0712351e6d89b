"""The web probes: what a domain's web site offers over IPv6, HTTPS, TLS and HTTP/3, and
what its home page shows a visitor (security headers, privacy policy, third parties,
cookies).

Django-free and asynchronous. ``probe_web`` fills the web fields of a ``DomainResult``
from the addresses the scanner already has (``result.a``/``result.aaaa``, or
``ScanConfig.hosts``): every connection goes to one of those addresses while the TLS
server name, the certificate check and the ``Host`` header use the domain, so a test
fleet (or a site known by address) is measured exactly as a browser would see it.

Independent probes of one domain run at once, each under ``config.timeout`` per try and
``config.retries`` extra tries after a timeout or refusal; only HTTP/3 waits for the
HTTPS answer (it needs its Alt-Svc), the privacy policy for the home page, and HTTP over
IPv6 for HTTPS over IPv6. So a domain that hangs costs about ``timeout × (retries + 1)``,
never more than twice that, and never stalls other domains.

Every check writes ``result.why[check]``, one line an operator can act on. Network
failures (timeouts, refusals, resets) also go to ``result.errors[check]``. A check is
``None`` when a failure leaves it unknown (a timeout), ``False`` when the answer is "no"
(connection refused on 443 means no HTTPS; nothing answering on a site's AAAA address
means it is not reachable over IPv6; no QUIC answer behind an h3 advertisement means no
HTTP/3).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import httpx
from aioquic.asyncio import QuicConnectionProtocol
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.connection import QuicConnection
from aioquic.quic.events import ConnectionTerminated, HandshakeCompleted
from cryptography import x509

from .config import ScanConfig
from .probes_dns import DnsClient, lookup_addresses
from .results import DomainResult
from .web_parsing import (
    PRIVACY_ELEMENT_LABELS,
    AltService,
    name_matches,
    parse_alt_svc,
    parse_hsts,
    policy_fetch_problem,
    policy_text,
    privacy_elements,
    read_page,
)

T = TypeVar("T")

#: The response headers the Online Trust Audit looks for, in the order they are listed.
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                    "Referrer-Policy", "Permissions-Policy")
#: Same-site redirects followed to reach the home page (``/`` → ``/en/``).
MAX_REDIRECTS = 5
#: Home pages and privacy policies are read up to this size: enough for the links and
#: embeds of any real home page and the text of any real policy.
MAX_PAGE_BYTES = 1 << 20
#: The content types read as pages: HTML for home pages, HTML or plain text for policies.
HOME_TYPES = ("html",)
POLICY_TYPES = ("html", "text/plain")
#: AAAA addresses tried at once for IPv6 reachability (a site has one or two).
MAX_IPV6_ADDRESSES = 4
#: Browsers' preload lists ask for a max-age of at least a year.
PRELOAD_MIN_AGE = 31536000

#: The TLS versions asked for one by one, with how a reason names them.
TLS_VERSIONS = {
    "tls13": (ssl.TLSVersion.TLSv1_3, "TLS 1.3"),
    "tls12": (ssl.TLSVersion.TLSv1_2, "TLS 1.2"),
    "tls11": (ssl.TLSVersion.TLSv1_1, "TLS 1.1"),
    "tls10": (ssl.TLSVersion.TLSv1, "TLS 1.0"),
}

#: The web fields of ``DomainResult`` with their ``why`` keys, for a domain that has no address.
_WEB_CHECKS = ("ipv6", "https", "https_redirect", "certificate", "tls13", "tls12", "tls_legacy_off",
               "hsts", "alt_svc", "http3", "security_headers", "privacy_policy", "third_parties",
               "cookies")


class ProbeFailed(Exception):
    """A probe got no answer: every try timed out, was refused, reset or unreachable."""

    def __init__(self, reason: str, refused: bool = False, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.refused = refused
        self.timed_out = timed_out


async def probe_web(domain: str, result: DomainResult, config: ScanConfig) -> None:
    """Measure ``domain``'s web site and fill the web fields of ``result``."""
    site = _Site.of(domain, result, config)
    if site.primary is None:
        for check in _WEB_CHECKS:
            result.why.setdefault(check, "no A or AAAA address: nothing to connect to")
        return
    async with site:
        https, http, cert, ipv6, *versions = await asyncio.gather(
            _outcome(site.fetch_home("https")),
            _outcome(site.fetch_home("http")),
            _outcome(site.certificate()),
            site.ipv6_reachability(),
            *(_outcome(site.handshake(version)) for version, _ in TLS_VERSIONS.values()),
        )
        _record_https(site, result, https)
        _record_redirect(site, result, http)
        _record_certificate(site, result, cert)
        _record_ipv6(result, ipv6)
        _record_versions(result, dict(zip(TLS_VERSIONS, versions, strict=True)))
        _record_hsts(site, result, https, cert)
        home = _record_page(site, result, https, http)
        # independent of each other: the QUIC handshake and the policy fetch run at once
        await asyncio.gather(_record_http3(site, result, https), _record_privacy_policy(site, result, home))


# --- Where to connect ------------------------------------------------------------------


@dataclass
class _Response:
    url: str  # as the browser sees it: https://domain/path
    status: int
    headers: httpx.Headers
    location: str | None  # the absolute redirect target of a 3xx


@dataclass
class _Answer:
    """The answers to one page request, following same-origin redirects."""

    first: _Response
    final: _Response
    cookies: int  # Set-Cookie headers along the way
    body: str | None  # the final answer's HTML, if it is HTML
    verified: bool  # the certificate was valid (HTTPS only)
    address: str


@dataclass
class _Certificate:
    valid: bool
    error: str | None
    issuer: str
    not_before: datetime
    not_after: datetime
    names: list[str]
    name_matches: bool


@dataclass
class _Site:
    domain: str
    config: ScanConfig
    ipv4: list[str]
    ipv6: list[str]
    _clients: dict[bool, httpx.AsyncClient] = field(default_factory=dict)

    @classmethod
    def of(cls, domain: str, result: DomainResult, config: ScanConfig) -> _Site:
        addresses = list(result.a) + list(result.aaaa)
        if not addresses:
            addresses = list(config.hosts.get(domain, ()))
        ipv4 = [a for a in addresses if ipaddress.ip_address(a).version == 4]
        ipv6 = [a for a in addresses if ipaddress.ip_address(a).version == 6]
        return cls(_ascii_name(domain), config, ipv4, ipv6)

    @property
    def primary(self) -> str | None:
        """The address every probe but the IPv6 one uses: the first IPv4 one, as most
        clients still prefer, else the first IPv6 one."""
        return (self.ipv4 or self.ipv6 or [None])[0]

    async def __aenter__(self) -> _Site:
        return self

    async def __aexit__(self, *exc) -> None:
        for client in self._clients.values():
            await client.aclose()

    # URLs as a browser writes them, and the port each scheme is measured on
    def port(self, scheme: str) -> int:
        return self.config.https_port if scheme == "https" else self.config.http_port

    def origin(self, scheme: str) -> str:
        port = self.port(scheme)
        default = 443 if scheme == "https" else 80
        return f"{scheme}://{self.domain}" + (f":{port}" if port != default else "")

    def client(self, verify: bool) -> httpx.AsyncClient:
        if verify not in self._clients:
            self._clients[verify] = httpx.AsyncClient(
                verify=_tls_context(self.config.ca_bundle, verify), trust_env=False,
                timeout=httpx.Timeout(self.config.timeout), follow_redirects=False,
                headers={"User-Agent": self.config.user_agent})
        return self._clients[verify]

    async def retried(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """``attempt()`` under the per-try timeout, tried again after a timeout or a
        refusal; raises ProbeFailed with the last reason when no try got an answer."""
        tries = self.config.retries + 1
        failure = None
        for _ in range(tries):
            try:
                async with asyncio.timeout(self.config.timeout):
                    return await attempt()
            except Exception as exc:  # noqa: BLE001 - sorted into answers and failures below
                failure = _network_failure(exc, self.config.timeout)
                if failure is None:
                    raise
        assert failure is not None
        suffix = f" ({tries} tries)" if tries > 1 else ""
        raise ProbeFailed(failure.reason + suffix, failure.refused, failure.timed_out)

    # --- HTTP ---------------------------------------------------------------------------

    async def fetch_home(self, scheme: str, address: str | None = None) -> _Answer:
        """GET ``scheme://domain/`` on ``address``, following same-origin redirects.

        Over HTTPS the certificate is checked against the domain name; a certificate that
        fails is noted (``verified=False``) and the page fetched again without the check,
        so that its headers and content are still measured.
        """
        address = address or self.primary
        assert address is not None

        async def attempt() -> _Answer:
            if scheme == "http":
                return await self._follow(self.client(True), scheme, address, True)
            try:
                return await self._follow(self.client(True), scheme, address, True)
            except httpx.ConnectError as exc:
                if _find(exc, ssl.SSLCertVerificationError) is None:
                    raise
            return await self._follow(self.client(False), scheme, address, False)

        return await self.retried(attempt)

    async def _follow(self, client: httpx.AsyncClient, scheme: str, address: str, verified: bool) -> _Answer:
        url = self.origin(scheme) + "/"
        responses: list[_Response] = []
        cookies = 0
        body = None
        for hop in range(MAX_REDIRECTS + 1):
            response, body, set_cookies = await self._get(client, url, address)
            responses.append(response)
            cookies += set_cookies
            target = response.location
            if target is None or hop == MAX_REDIRECTS or not target.startswith(self.origin(scheme) + "/"):
                break
            url = target
        return _Answer(responses[0], responses[-1], cookies, body, verified, address)

    async def _get(self, client: httpx.AsyncClient, url: str, address: str,
                   readable: tuple[str, ...] = HOME_TYPES) -> tuple[_Response, str | None, int]:
        """One GET of ``url`` sent to ``address``: the TLS server name (SNI), the
        certificate check and the Host header all say the URL's host (httpx's
        ``sni_hostname`` extension), only the TCP connection goes to the address. A URL
        without a port goes to the configured one (a fleet on high ports answers for the
        usual ones). The body is read when its content type is one of ``readable``."""
        parts = urlsplit(url)
        host = f"[{address}]" if ":" in address else address
        wire_url = parts._replace(netloc=f"{host}:{parts.port or self.port(parts.scheme)}").geturl()
        async with client.stream("GET", wire_url, headers={"Host": parts.netloc},
                                 extensions={"sni_hostname": parts.hostname or self.domain}) as response:
            location = response.headers.get("location") if response.is_redirect else None
            body = None
            content_type = response.headers.get("content-type", "text/html")
            if any(kind in content_type.lower() for kind in readable) and not response.is_redirect:
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():  # decompressed, if it was
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_PAGE_BYTES:
                        break
                raw = b"".join(chunks)[:MAX_PAGE_BYTES]
                body = raw.decode(response.charset_encoding or "utf-8", errors="replace")
            return (_Response(url, response.status_code, response.headers,
                              urljoin(url, location) if location else None),
                    body, len(response.headers.get_list("set-cookie")))

    async def fetch_policy(self, url: str) -> _Answer:
        """GET a privacy policy at ``url`` (on the site, or on any HTTPS site), following
        redirects that ``policy_fetch_problem`` allows. Another host's address comes from
        ``config.hosts`` or the configured resolvers, like the domain's own. A certificate
        that fails is noted and the policy read anyway, as the home page is."""

        async def attempt() -> _Answer:
            target, responses, body, verified = url, [], None, True
            for _ in range(MAX_REDIRECTS + 1):
                problem = policy_fetch_problem(target, self.domain)
                if problem:
                    raise PolicyNotFetched(problem)
                address = await self.address_of(urlsplit(target).hostname or "")
                try:
                    response, body, _ = await self._get(self.client(True), target, address, POLICY_TYPES)
                except httpx.ConnectError as exc:
                    if _find(exc, ssl.SSLCertVerificationError) is None:
                        raise
                    verified = False
                    response, body, _ = await self._get(self.client(False), target, address, POLICY_TYPES)
                responses.append(response)
                if response.location is None:
                    break
                target = response.location
            return _Answer(responses[0], responses[-1], 0, body, verified, address)

        return await self.retried(attempt)

    async def address_of(self, host: str) -> str:
        """The address a page on ``host`` is fetched from: the measured one for the domain
        itself, else the first that ``config.hosts`` or DNS gives."""
        host = _ascii_name(host)
        if host == self.domain and self.primary:
            return self.primary
        v4, v6, problem = await lookup_addresses(DnsClient(self.config), host, self.config)
        if not (v4 or v6):
            raise PolicyNotFetched(f"{host} has no address ({problem})")
        return (v4 or v6)[0]

    async def ipv6_reachability(self) -> tuple[bool, str, str | None]:
        """Whether an HTTP(S) request to one of the AAAA addresses gets any answer: the
        value, the reason, and the network error seen (if any). Each address is asked over
        HTTPS, and over HTTP only when HTTPS gets no answer (half the requests of a scan's
        usual case, at the cost of a second timeout where both hang)."""
        if not self.ipv6:
            return False, "no AAAA address: the site cannot be reached over IPv6", None
        addresses = self.ipv6[:MAX_IPV6_ADDRESSES]
        outcomes = await asyncio.gather(*(self._ask_over_ipv6(address) for address in addresses))
        failures = []
        for address, (https, http) in zip(addresses, outcomes, strict=True):
            for outcome in (https, http):
                if isinstance(outcome, _Answer):
                    return True, f"{outcome.first.url} answers {outcome.first.status} over IPv6 at {address}", None
            failures.append(f"[{address}] port {self.config.https_port}: {_reason(https)}, "
                            f"port {self.config.http_port}: {_reason(http)}")
        reason = "; ".join(failures)
        return False, f"no HTTP(S) answer over IPv6 at {reason}", reason

    async def _ask_over_ipv6(self, address: str) -> tuple[_Answer | Exception, _Answer | Exception | None]:
        https = await _outcome(self.fetch_home("https", address))
        if isinstance(https, _Answer):
            return https, None
        return https, await _outcome(self.fetch_home("http", address))

    # --- TLS ----------------------------------------------------------------------------

    async def handshake(self, version: ssl.TLSVersion) -> str:
        """A TLS handshake offering only ``version``; returns the version agreed. An
        ``ssl.SSLError`` is the server's refusal (an answer, not retried)."""
        context = _version_context(version)

        async def attempt() -> str:
            try:
                return (await self._tls_connect(context))[0]
            except ConnectionResetError as exc:
                # The TCP connection was accepted and dropped at the ClientHello: the way
                # some servers (and Python's asyncio) turn a version down.
                raise HandshakeRefused("the server reset the connection at the ClientHello") from exc

        return await self.retried(attempt)

    async def certificate(self) -> _Certificate:
        """Validate the certificate against the CA bundle and the domain name, then read
        it (from a second, unchecked handshake when the check failed)."""

        async def attempt() -> _Certificate:
            try:
                _, der = await self._tls_connect(_tls_context(self.config.ca_bundle, True))
                return _read_certificate(der, self.domain, None)
            except ssl.SSLCertVerificationError as exc:
                _, der = await self._tls_connect(_tls_context(self.config.ca_bundle, False))
                return _read_certificate(der, self.domain, exc)

        return await self.retried(attempt)

    async def _tls_connect(self, context: ssl.SSLContext) -> tuple[str, bytes]:
        assert self.primary is not None
        _, writer = await asyncio.open_connection(
            self.primary, self.config.https_port, ssl=context, server_hostname=self.domain,
            ssl_handshake_timeout=self.config.timeout)
        try:
            ssl_object = writer.get_extra_info("ssl_object")
            return ssl_object.version(), ssl_object.getpeercert(binary_form=True)
        finally:
            writer.transport.abort()  # no close_notify exchange: a hanging server would stall it

    # --- HTTP/3 -------------------------------------------------------------------------

    async def quic(self, address: str, port: int) -> tuple[str, int | None]:
        """A QUIC handshake offering ALPN h3, then an HTTP/3 GET of ``/``: returns the
        protocol agreed and the status (None if the handshake worked but no answer came
        within half the timeout)."""

        async def attempt() -> tuple[str, int | None]:
            configuration = QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN,
                                              server_name=self.domain,
                                              # the certificate has its own check; this one
                                              # asks only whether HTTP/3 is spoken
                                              verify_mode=ssl.CERT_NONE)
            async with _quic_session(address, port, configuration) as client:
                alpn = await client.handshake
                if alpn is None:
                    raise HandshakeRefused(f"QUIC handshake failed: {client.failure}")
                client.get(self.origin("https").split("://", 1)[1], self.config.user_agent)
                try:
                    async with asyncio.timeout(self.config.timeout / 2):
                        status = await client.status
                except TimeoutError:
                    status = None
                return alpn, status

        return await self.retried(attempt)


class HandshakeRefused(Exception):
    """The server turned a handshake down (an answer: not retried)."""


class PolicyNotFetched(Exception):
    """A privacy policy link the scanner does not follow, or whose host has no address."""


class _H3Client(QuicConnectionProtocol):
    """A QUIC client that records the handshake's outcome and the status of one GET in
    futures that only ever get results (never exceptions nobody reads)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._http = H3Connection(self._quic)
        loop = asyncio.get_running_loop()
        self.handshake: asyncio.Future[str | None] = loop.create_future()  # the ALPN agreed
        self.status: asyncio.Future[int | None] = loop.create_future()
        self.failure = ""

    def get(self, authority: str, user_agent: str) -> None:
        stream_id = self._quic.get_next_available_stream_id()
        self._http.send_headers(stream_id, [
            (b":method", b"GET"), (b":scheme", b"https"), (b":authority", authority.encode()),
            (b":path", b"/"), (b"user-agent", user_agent.encode())], end_stream=True)
        self.transmit()

    def quic_event_received(self, event) -> None:
        if isinstance(event, HandshakeCompleted):
            _settle(self.handshake, event.alpn_protocol or "")
        elif isinstance(event, ConnectionTerminated):
            self.failure = event.reason_phrase or f"QUIC error {event.error_code:#x}"
            _settle(self.handshake, None)
            _settle(self.status, None)
        for h3_event in self._http.handle_event(event):
            if isinstance(h3_event, HeadersReceived):
                status = dict(h3_event.headers).get(b":status", b"")
                _settle(self.status, int(status) if status.isdigit() else None)


def _settle(future: asyncio.Future, value: object) -> None:
    if not future.done():
        future.set_result(value)


@asynccontextmanager
async def _quic_session(address: str, port: int, configuration: QuicConfiguration) -> AsyncIterator[_H3Client]:
    """aioquic's ``connect()`` without its wait for the closing handshake on leaving: a
    probe that timed out must give up at once, not after QUIC's draining period."""
    loop = asyncio.get_running_loop()
    if ipaddress.ip_address(address).version == 4:
        address = f"::ffff:{address}"  # one dual-stack socket, as aioquic does
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(("::", 0, 0, 0))
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: _H3Client(QuicConnection(configuration=configuration)), sock=sock)
    except BaseException:
        sock.close()
        raise
    try:
        protocol.connect((address, port, 0, 0))
        yield protocol
    finally:
        protocol.close()  # tell the server (one CONNECTION_CLOSE datagram), then leave
        transport.close()


# --- Recording what the probes found ---------------------------------------------------


def _record_https(site: _Site, result: DomainResult, https: _Answer | ProbeFailed | Exception) -> None:
    url = site.origin("https") + "/"
    if isinstance(https, _Answer):
        result.https_ok = True
        note = "" if https.verified else ", but its certificate is not valid (see the certificate check)"
        result.why["https"] = f"{url} answers {https.first.status}{note}"
    elif isinstance(https, ProbeFailed):
        result.errors["https"] = https.reason
        if https.refused:
            result.https_ok = False
            result.why["https"] = f"nothing listens for HTTPS on port {site.port('https')}: {https.reason}"
        else:
            result.why["https"] = f"no answer from {url}: {https.reason}"
    else:
        result.https_ok = False
        result.why["https"] = f"{url} fails: {_describe(https)}"


def _record_redirect(site: _Site, result: DomainResult, http: _Answer | ProbeFailed | Exception) -> None:
    url = site.origin("http") + "/"
    if isinstance(http, ProbeFailed):
        result.errors["https_redirect"] = http.reason
        result.why["https_redirect"] = (f"no HTTP service on port {site.port('http')} ({http.reason}): nothing to redirect"
                                        if http.refused else f"no answer from {url}: {http.reason}")
        return
    if not isinstance(http, _Answer):
        result.why["https_redirect"] = f"{url} fails: {_describe(http)}"
        return
    target = http.final.location
    result.http_redirects_to_https = bool(target and target.lower().startswith("https://"))
    if result.http_redirects_to_https:
        result.why["https_redirect"] = f"{url} redirects to {target}"
    elif target:
        result.why["https_redirect"] = f"{url} redirects to {target}, which is not HTTPS"
    else:
        result.why["https_redirect"] = f"{url} answers {http.final.status} without redirecting to HTTPS"


def _record_certificate(site: _Site, result: DomainResult, cert: _Certificate | ProbeFailed | Exception) -> None:
    if isinstance(cert, _Certificate):
        result.cert_valid = cert.valid
        result.cert_error = cert.error
        result.cert_issuer = cert.issuer
        result.cert_not_after = cert.not_after
        result.cert_name_matches = cert.name_matches
        result.why["certificate"] = cert.error or (
            f"valid until {cert.not_after:%Y-%m-%d}, issued by {cert.issuer}, for {', '.join(cert.names[:4])}")
    elif isinstance(cert, ProbeFailed):
        result.errors["certificate"] = cert.reason
        result.why["certificate"] = f"no TLS handshake on port {site.port('https')}: {cert.reason}"
    elif isinstance(cert, ValueError):  # cryptography could not parse what the server sent
        result.why["certificate"] = f"the certificate cannot be read: {cert}"
    else:
        result.why["certificate"] = f"no TLS handshake on port {site.port('https')}: {_describe(cert)}"


def _record_ipv6(result: DomainResult, ipv6: tuple[bool, str, str | None]) -> None:
    result.ipv6_reachable, result.why["ipv6"], error = ipv6
    if error:
        result.errors["ipv6"] = error


def _record_versions(result: DomainResult, outcomes: dict[str, str | ProbeFailed | Exception]) -> None:
    accepted: dict[str, bool | None] = {}
    problems: dict[str, str] = {}  # why a version was not measured
    for key, outcome in outcomes.items():
        if isinstance(outcome, str):
            accepted[key] = True
        elif isinstance(outcome, ProbeFailed):
            accepted[key], problems[key] = None, outcome.reason
        elif isinstance(outcome, ssl.SSLError) and outcome.reason == "NO_PROTOCOLS_AVAILABLE":
            # our side cannot offer it: say so rather than guess
            accepted[key], problems[key] = None, "this machine's OpenSSL refuses to offer it"
        else:
            accepted[key] = False
    for key in ("tls13", "tls12"):
        label = TLS_VERSIONS[key][1]
        setattr(result, key, accepted[key])
        if accepted[key] is None:
            result.errors[key] = problems[key]
            result.why[key] = f"{label} not measured: {problems[key]}"
        else:
            result.why[key] = f"{label} accepted" if accepted[key] else f"{label} refused: {_describe(outcomes[key])}"
    legacy = ("tls10", "tls11")
    on = [TLS_VERSIONS[k][1] for k in legacy if accepted[k]]
    if on:
        result.tls_legacy, result.tls_legacy_off = True, False
        result.why["tls_legacy_off"] = f"{' and '.join(on)} accepted: turn off the TLS versions before 1.2"
    elif any(accepted[k] is None for k in legacy):
        unknown = "; ".join(f"{TLS_VERSIONS[k][1]}: {problems[k]}" for k in legacy if k in problems)
        result.errors["tls_legacy_off"] = unknown
        result.why["tls_legacy_off"] = f"not measured: {unknown}"
    else:
        result.tls_legacy, result.tls_legacy_off = False, True
        result.why["tls_legacy_off"] = "TLS 1.0 and TLS 1.1 refused"


def _record_hsts(site: _Site, result: DomainResult, https: _Answer | ProbeFailed | Exception, cert) -> None:
    if not isinstance(https, _Answer):
        result.why["hsts"] = "no HTTPS answer to read Strict-Transport-Security from"
        return
    url = https.first.url
    values = https.first.headers.get_list("strict-transport-security")
    if not values:
        result.hsts = False
        result.why["hsts"] = f"no Strict-Transport-Security header on {url}"
        return
    policy, problem = parse_hsts(values[0])  # RFC 6797 8.1: only the first one counts
    if policy is None:
        result.hsts = False
        result.why["hsts"] = f"invalid Strict-Transport-Security header on {url} ({problem}): browsers ignore it"
        return
    result.hsts_max_age = policy.max_age
    result.hsts_include_subdomains = policy.include_subdomains
    result.hsts_preload = policy.preload
    flags = "".join(f"; {name}" for name, on in (("includeSubDomains", policy.include_subdomains),
                                                 ("preload", policy.preload)) if on)
    described = f"max-age={policy.max_age}{flags}"
    if policy.max_age == 0:
        result.hsts = False
        result.why["hsts"] = f"{described} on {url} tells browsers to forget HSTS"
    elif not https.verified:
        result.hsts = False
        problem = cert.error if isinstance(cert, _Certificate) and cert.error else "the certificate is not valid"
        result.why["hsts"] = f"{described} is sent, but browsers ignore it while {problem} (RFC 6797 8.1)"
    else:
        result.hsts = True
        days = policy.max_age // 86400
        hint = (f"; preload lists ask for max-age of at least {PRELOAD_MIN_AGE}"
                if policy.max_age < PRELOAD_MIN_AGE else "")
        result.why["hsts"] = f"{described} ({days} days) on {url}{hint}"


def _record_page(site: _Site, result: DomainResult, https, http) -> str | None:
    """Security headers, privacy policy link, third parties and cookies of the home page:
    the HTTPS one, or the HTTP one of a site without HTTPS. Returns the home page's URL
    when one was read."""
    home = https if isinstance(https, _Answer) else None
    if home is None and isinstance(http, _Answer) and not (http.final.location or "").startswith("https://"):
        home = http
    if home is None:
        for check in ("security_headers", "privacy_policy", "third_parties", "cookies"):
            result.why[check] = "no home page answer to read"
        return None
    url = home.final.url
    headers = home.final.headers
    result.security_headers = [name for name in SECURITY_HEADERS if name in headers]
    missing = [name for name in SECURITY_HEADERS if name not in headers]
    result.why["security_headers"] = (f"missing on {url}: {', '.join(missing)}" if missing
                                      else f"all of {', '.join(SECURITY_HEADERS)} on {url}")
    result.cookies_before_consent = home.cookies
    result.why["cookies"] = (f"{home.cookies} Set-Cookie header(s) on the first visit to {url}, before any consent"
                             if home.cookies else f"no cookie set on the first visit to {url}")
    if home.body is None:
        result.why["privacy_policy"] = result.why["third_parties"] = f"{url} answers {home.final.status} without an HTML page"
        return None
    facts = read_page(home.body, url, site.domain)
    result.privacy_policy_url = facts.privacy_policy_url
    if facts.privacy_policy_url is None:
        # the home page was read and links no policy: the visitor finds none
        result.privacy_policy_reachable = False
        result.why["privacy_policy"] = f"no link on {url} whose text or address says privacy"
    result.third_party_hosts = facts.third_party_hosts
    result.why["third_parties"] = (f"{url} loads scripts, frames or images from {', '.join(facts.third_party_hosts)}"
                                   if facts.third_party_hosts else f"{url} loads nothing from other sites")
    return url


async def _record_privacy_policy(site: _Site, result: DomainResult, home: str | None) -> None:
    """Fetch the privacy policy the home page links, and find which expected elements
    (``results.PRIVACY_ELEMENTS``) its text states."""
    url = result.privacy_policy_url
    if url is None or home is None:
        return
    linked = f"the privacy policy linked from {home} ({url})"
    try:
        answer = await site.fetch_policy(url)
    except PolicyNotFetched as problem:
        result.why["privacy_policy"] = f"{linked} is not fetched: {problem}"
        return
    except ProbeFailed as failure:
        result.errors["privacy_policy"] = failure.reason
        if failure.refused:
            result.privacy_policy_reachable = False
        result.why["privacy_policy"] = f"{linked} cannot be fetched: {failure.reason}"
        return
    except Exception as exc:  # noqa: BLE001 - a TLS or HTTP refusal is the answer "not reachable"
        result.privacy_policy_reachable = False
        result.why["privacy_policy"] = f"{linked} cannot be fetched: {_describe(exc)}"
        return
    final = answer.final
    where = final.url if final.url == url else f"{url} (redirected to {final.url})"
    if final.status != 200:
        result.privacy_policy_reachable = False
        result.why["privacy_policy"] = (f"the privacy policy link on {home} is broken: {where} answers {final.status}; "
                                        "publish the policy there or fix the link")
        return
    content_type = final.headers.get("content-type", "text/html")
    text = policy_text(answer.body, content_type) if answer.body is not None else ""
    if not text:
        result.privacy_policy_reachable = False
        result.why["privacy_policy"] = (f"{where} answers 200 but with no readable text "
                                        f"({content_type.split(';')[0] or 'no content type'}): publish it as a web page")
        return
    result.privacy_policy_reachable = True
    result.privacy_policy_elements = privacy_elements(text)
    note = "" if answer.verified else " (over a connection whose certificate is not valid)"
    missing = [name for name in PRIVACY_ELEMENT_LABELS if name not in result.privacy_policy_elements]
    if missing:
        said = "; ".join(f"{name} ({PRIVACY_ELEMENT_LABELS[name]})" for name in missing)
        result.why["privacy_policy"] = f"{where} answers 200{note}, but does not say: {said}"
    else:
        result.why["privacy_policy"] = f"{where} answers 200{note} and states all {len(PRIVACY_ELEMENT_LABELS)} expected elements"


async def _record_http3(site: _Site, result: DomainResult, https) -> None:
    if not isinstance(https, _Answer):
        result.why["alt_svc"] = result.why["http3"] = "no HTTPS answer to read Alt-Svc from"
        return
    url = https.first.url
    services, problem = parse_alt_svc(", ".join(https.first.headers.get_list("alt-svc")))
    h3 = [service for service in services if service.protocol == "h3"]
    result.alt_svc_h3 = bool(h3)
    if not h3:
        result.http3 = False
        reason = (f"invalid Alt-Svc header on {url} ({problem})" if problem
                  else f"no Alt-Svc header advertising h3 on {url}")
        result.why["alt_svc"] = result.why["http3"] = reason
        return
    service: AltService = h3[0]
    result.why["alt_svc"] = f"{url} advertises h3 on UDP port {service.port}"
    if service.host and service.host != site.domain:
        result.why["http3"] = f"h3 is advertised on another host ({service.host}): not measured"
        return
    # The usual port stands for the configured one, so a fleet on high ports can answer.
    port = site.config.quic_port if service.port == 443 else service.port
    try:
        alpn, status = await site.quic(https.address, port)
    except ProbeFailed as failure:
        result.http3 = False
        result.errors["http3"] = failure.reason
        result.why["http3"] = f"Alt-Svc advertises h3 but no QUIC handshake on UDP port {port}: {failure.reason}"
        return
    except Exception as exc:  # noqa: BLE001 - a QUIC or TLS refusal is the answer "no HTTP/3"
        result.http3 = False
        result.why["http3"] = f"QUIC handshake on UDP port {port} failed: {_describe(exc)}"
        return
    result.http3 = alpn == "h3"
    answered = f", GET / answers {status}" if status else ", but GET / got no answer"
    result.why["http3"] = (f"QUIC handshake with ALPN h3 on UDP port {port}{answered}" if result.http3
                           else f"QUIC handshake on UDP port {port} agreed on {alpn or 'no protocol'}, not h3")


# --- Helpers ---------------------------------------------------------------------------


async def _outcome(awaitable: Awaitable[T]) -> T | Exception:
    """The probe's value, or the exception that ended it (so one probe's failure never
    cancels the others)."""
    try:
        return await awaitable
    except Exception as exc:  # noqa: BLE001 - recorded by the caller
        return exc


def _ascii_name(domain: str) -> str:
    """The name as it goes into SNI and the Host header: lower case, no final dot, an
    internationalized name in its A-label form (``bücher.example`` → ``xn--bcher-kva.example``)."""
    name = domain.strip().rstrip(".").lower()
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _network_failure(exc: BaseException, timeout: float) -> ProbeFailed | None:
    """The failure ``exc`` stands for when it means "no answer" (and a retry may help);
    None when it is an answer (a TLS alert, a certificate error, an HTTP error)."""
    if isinstance(exc, HandshakeRefused):
        return None
    if isinstance(exc, TimeoutError | httpx.TimeoutException) or _find(exc, TimeoutError):
        return ProbeFailed(f"no answer within {timeout:g} s", timed_out=True)
    if _find(exc, ssl.SSLError):
        return None
    if _find(exc, ConnectionRefusedError):
        return ProbeFailed("connection refused", refused=True)
    if _find(exc, ConnectionResetError):
        return ProbeFailed("connection reset")
    if isinstance(exc, httpx.RemoteProtocolError):
        return ProbeFailed(f"connection closed without an answer ({exc})")
    if isinstance(exc, httpx.ConnectError | OSError):
        return ProbeFailed(f"cannot connect: {_describe(exc)}")
    return None


def _describe(exc: object) -> str:
    if isinstance(exc, ProbeFailed):
        return exc.reason
    if isinstance(exc, BaseException):
        tls = _find(exc, ssl.SSLError)
        if isinstance(tls, ssl.SSLCertVerificationError):
            return f"certificate not valid: {tls.verify_message}"
        if isinstance(tls, ssl.SSLError):
            return f"TLS handshake failed ({(tls.reason or str(tls)).replace('_', ' ').lower()})"
        return str(exc) or type(exc).__name__
    return str(exc)


def _reason(outcome: object) -> str:
    return "answered" if isinstance(outcome, _Answer) else _describe(outcome)


@lru_cache(maxsize=8)
def _tls_context(ca_bundle, verify: bool) -> ssl.SSLContext:
    """The client context of page fetches and the certificate check (cached: loading a
    CA store costs more than a handshake)."""
    if verify:
        return ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@lru_cache(maxsize=8)
def _version_context(version: ssl.TLSVersion) -> ssl.SSLContext:
    """A context that offers exactly one TLS version. Security level 0 lets OpenSSL 3
    offer TLS 1.0/1.1 at all: we ask whether the server accepts them, not trust them."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLSv1 and TLSv1_1 are, deliberately
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = version
        context.maximum_version = version
    return context


class UnreadableCertificate(ValueError):
    """The server sent a certificate that cryptography cannot read (reported as such)."""


#: What cryptography raises for a certificate it cannot read: most damage is a ValueError,
#: but an unknown version, a repeated extension or an unknown name type are their own types,
#: and a name attribute of the wrong ASN.1 type is a TypeError.
_CERTIFICATE_DAMAGE = (ValueError, TypeError, x509.InvalidVersion, x509.DuplicateExtension,
                       x509.UnsupportedGeneralNameType)


def _read_certificate(der: bytes, domain: str, failure: ssl.SSLCertVerificationError | None) -> _Certificate:
    """The facts of the server's certificate; UnreadableCertificate if it does not parse."""
    try:
        cert = x509.load_der_x509_certificate(der)
        try:
            names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            names = []
        issuer = _name(cert.issuer)
        not_after = cert.not_valid_after_utc
    except _CERTIFICATE_DAMAGE as exc:
        raise UnreadableCertificate(f"{type(exc).__name__}: {exc}") from exc
    matches = name_matches(names, domain)
    error = None
    if failure is not None:
        error = _certificate_error(failure, issuer, cert.not_valid_before_utc, not_after, names, domain)
    return _Certificate(failure is None, error, issuer, cert.not_valid_before_utc, not_after, names, matches)


def _name(name: x509.Name) -> str:
    """An issuer as people name it: its organization and common name, else the full DN."""
    parts = []
    for oid in (x509.NameOID.ORGANIZATION_NAME, x509.NameOID.COMMON_NAME):
        parts += [str(attribute.value) for attribute in name.get_attributes_for_oid(oid)]
    return ", ".join(dict.fromkeys(parts)) or name.rfc4514_string()


#: OpenSSL's X509_V_ERR_* codes the reasons below are written for.
_EXPIRED, _NOT_YET_VALID, _SELF_SIGNED, _SELF_SIGNED_IN_CHAIN, _NO_ISSUER, _NO_ISSUER_LEAF, _HOSTNAME = 10, 9, 18, 19, 20, 21, 62


def _certificate_error(failure: ssl.SSLCertVerificationError, issuer: str, not_before: datetime,
                       not_after: datetime, names: list[str], domain: str) -> str:
    code = failure.verify_code
    if code == _EXPIRED:
        return f"certificate expired on {not_after:%Y-%m-%d}"
    if code == _NOT_YET_VALID:
        return f"certificate is not valid before {not_before:%Y-%m-%d}"
    if code == _HOSTNAME or not name_matches(names, domain):
        listed = ", ".join(names[:4]) or "no DNS name"
        return f"certificate is for {listed}, not {domain}"
    if code == _SELF_SIGNED:
        return "certificate is self-signed"
    if code in (_SELF_SIGNED_IN_CHAIN, _NO_ISSUER, _NO_ISSUER_LEAF):
        return (f"certificate issued by {issuer} does not chain to a trusted root "
                "(an unknown CA, or the server does not send its intermediate certificate)")
    return f"certificate not valid: {failure.verify_message}"
