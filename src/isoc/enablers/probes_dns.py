"""DNS and email probes: what a domain's DNS and mail servers say about it.

Django-free and asynchronous. Every DNS question goes to ``ScanConfig.resolvers`` (a
validating resolver, for DNSSEC), with the configured timeout and retries;
``ScanConfig.hosts`` gives fixed addresses for names instead of DNS.

- ``probe_dns``: A and AAAA, DNSSEC status (secure / insecure / bogus / indeterminate,
  read from the validating resolver: the AD bit; a SERVFAIL that a checking-disabled retry
  answers is bogus), CAA (on the name or the nearest parent that has one).
- ``probe_email``: MX; SPF (the record, its ``all`` qualifier, validity by checkdmarc's
  parser); DKIM (a usable public key at one of the configured selectors, parsed with
  dkimpy); DMARC policy and pct (checkdmarc's parser; the organizational domain's record
  when the name has none); MTA-STS (the ``_mta-sts`` record and the policy fetched over
  HTTPS with httpx, certificates checked against the configured CA bundle); STARTTLS on
  each MX (aiosmtplib: EHLO, STARTTLS offered, a handshake with a certificate valid for
  the MX name).

Each check fills its ``DomainResult`` fields and ``why[check]``: one line an operator can
act on. A check the probe could not measure (timeout, refused connection, the resolver's
SERVFAIL) stays ``None`` with the reason in ``errors[check]``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import re
import ssl
from collections.abc import Awaitable
from dataclasses import dataclass, field

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdatatype
import dns.resolver

from isoc.enablers.config import ScanConfig
from isoc.enablers.results import DomainResult

EMAIL_CHECKS = ("spf", "dkim", "dmarc", "mta_sts", "starttls")
#: MX hosts tried for STARTTLS, in preference order (large domains list many equivalent ones).
MAX_MX_TRIED = 3
SCANNER_EHLO_NAME = "isoc-scanner.invalid"


# --- asking the resolver ---------------------------------------------------------------


class DnsFailure(Exception):
    """No usable answer: ``kind`` is ``"timeout"``, ``"refused"`` or ``"malformed"`` (the
    resolver sent bytes that are not a DNS message)."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind


@dataclass
class Answer:
    name: str
    rdtype: str
    rcode: str  # "NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", …
    authenticated: bool  # the resolver validated it (AD bit)
    records: list = field(default_factory=list)  # rdatas of the asked type (after any CNAME)
    signed: bool = False  # RRSIGs came with the answer

    @property
    def exists(self) -> bool:
        return self.rcode == "NOERROR"

    def texts(self) -> list[str]:
        """TXT records as text (their strings joined, RFC 7208 §3.3)."""
        return [b"".join(r.strings).decode("utf-8", "replace") for r in self.records]


def _system_servers() -> list[tuple[str, int]]:
    try:
        return [(str(ns), 53) for ns in dns.resolver.Resolver().nameservers]
    except dns.resolver.NoResolverConfiguration:
        return [("127.0.0.1", 53)]


class DnsClient:
    """Questions with DO (so RRSIGs and the AD bit come back) to the configured resolvers;
    timeouts and refusals are retried ``config.retries`` times, on the next resolver."""

    def __init__(self, config: ScanConfig):
        self.config = config
        self.servers = [(r.host, r.port) for r in config.resolvers] or _system_servers()

    async def query(self, name: str, rdtype: str, *, cd: bool = False, dnssec: bool = False) -> Answer:
        """One question. The AD bit comes back either way (RFC 6840 §5.7); ``dnssec`` (the
        DO bit) also brings the RRSIGs, for telling a signed zone without a DS from an
        unsigned one: only the address questions need that, and RRSIGs cost parsing."""
        message = dns.message.make_query(name, rdtype, use_edns=0, want_dnssec=dnssec or cd, payload=1232)
        message.flags |= dns.flags.AD
        if cd:
            message.flags |= dns.flags.CD
        failure = None
        for attempt in range(1 + max(0, self.config.retries)):
            host, port = self.servers[attempt % len(self.servers)]
            try:
                response, _ = await dns.asyncquery.udp_with_fallback(message, host, timeout=self.config.timeout, port=port)
            except dns.exception.Timeout:
                failure = DnsFailure("timeout", f"no answer from {_where(host, port)} within {self.config.timeout:g}s")
            except OSError as error:
                failure = DnsFailure("refused", f"{_where(host, port)}: {error.strerror or error}")
            except dns.exception.DNSException as error:
                # A reply that does not decode (dnspython's FormError, ShortHeader, …; see
                # fuzz/fuzz_dns.py): like no answer from this resolver, so try the next.
                failure = DnsFailure("malformed", f"{_where(host, port)} sent a malformed answer ({error})")
            else:
                return _answer(name, rdtype, response)
        raise failure

    def sync_resolver(self) -> dns.resolver.Resolver:
        """The same resolvers for checkdmarc's own lookups (SPF includes, DMARC report URIs)."""
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(h, p) for h, p in self.servers]
        resolver.timeout = self.config.timeout
        resolver.lifetime = self.config.timeout * (1 + max(0, self.config.retries))
        return resolver


def _where(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _answer(name: str, rdtype: str, response: dns.message.Message) -> Answer:
    wanted = dns.rdatatype.from_text(rdtype)
    records = [rdata for rrset in response.answer if rrset.rdtype == wanted for rdata in rrset]
    signed = any(rrset.rdtype == dns.rdatatype.RRSIG and rrset.covers == wanted for rrset in response.answer)
    return Answer(name, rdtype, dns.rcode.to_text(response.rcode()), bool(response.flags & dns.flags.AD),
                  records, signed)


async def _settle(awaitable: Awaitable):
    """The answer, or the DnsFailure that replaced it (so that gather never loses siblings)."""
    try:
        return await awaitable
    except DnsFailure as failure:
        return failure


def _fixed_addresses(config: ScanConfig, name: str) -> tuple[str, ...] | None:
    """``config.hosts``' addresses for ``name`` (any case, with or without the final dot)."""
    return config.hosts.get(name.rstrip(".").lower()) if config.hosts else None


async def _addresses(client: DnsClient, name: str, config: ScanConfig) -> tuple[list[str], list[str], str | None]:
    """IPv4 and IPv6 addresses of ``name`` (``config.hosts`` first) and, without any, why."""
    fixed = _fixed_addresses(config, name)
    if fixed is not None:
        return [a for a in fixed if ":" not in a], [a for a in fixed if ":" in a], None
    a, aaaa = await asyncio.gather(_settle(client.query(name, "A")), _settle(client.query(name, "AAAA")))
    v4 = [r.address for r in a.records] if isinstance(a, Answer) else []
    v6 = [r.address for r in aaaa.records] if isinstance(aaaa, Answer) else []
    problem = None
    if not (v4 or v6):
        problem = _no_answer_reason(a) if not isinstance(a, Answer) or not a.exists else "no A or AAAA record"
    return v4, v6, problem


#: For the other probes (the web probes' privacy policy on another host): a name's
#: addresses as the DNS probes find them.
lookup_addresses = _addresses


def _no_answer_reason(answer: Answer | DnsFailure) -> str:
    if isinstance(answer, DnsFailure):
        return f"DNS {answer.kind}: {answer}"
    if answer.rcode == "NXDOMAIN":
        return "the name does not exist (NXDOMAIN)"
    if answer.rcode == "SERVFAIL":
        return "the resolver answered SERVFAIL (a DNSSEC failure or unreachable name servers)"
    return f"the resolver answered {answer.rcode}"


# --- A, AAAA, DNSSEC, CAA ----------------------------------------------------------------


async def probe_dns(domain: str, result: DomainResult, config: ScanConfig, client: DnsClient | None = None) -> None:
    """Addresses, DNSSEC status and CAA of ``domain`` into ``result``."""
    client = client or DnsClient(config)
    a, aaaa = await asyncio.gather(_settle(client.query(domain, "A", dnssec=True)),
                                   _settle(client.query(domain, "AAAA", dnssec=True)))
    fixed = _fixed_addresses(config, domain)
    if fixed is not None:
        result.a = [x for x in fixed if ":" not in x]
        result.aaaa = [x for x in fixed if ":" in x]
    else:
        result.a = sorted(r.address for r in a.records) if isinstance(a, Answer) else []
        result.aaaa = sorted(r.address for r in aaaa.records) if isinstance(aaaa, Answer) else []
        result.dns_error = _dns_error(a, aaaa)
        if result.dns_error:
            result.errors["dns"] = _no_answer_reason(a if not _answered(a) else aaaa)
    if result.dns_error == "NXDOMAIN":
        for check in ("dnssec", "caa"):
            result.why[check] = f"{domain} does not exist (NXDOMAIN): nothing to check"
        return
    if result.dns_error in ("timeout", "refused", "malformed"):
        # The resolver did not answer for the domain's addresses: CAA would wait as long.
        _not_measured(result, "caa", f"DNS for {domain} did not answer ({result.dns_error})")
        await _probe_dnssec(client, domain, result, a, aaaa)
        return
    await asyncio.gather(_probe_dnssec(client, domain, result, a, aaaa), _probe_caa(client, domain, result))


def _answered(answer) -> bool:
    return isinstance(answer, Answer) and answer.rcode in ("NOERROR", "NXDOMAIN")


def _dns_error(a, aaaa) -> str | None:
    """The error that kept the domain's addresses from us, if any: NXDOMAIN, SERVFAIL,
    timeout, refused, malformed (an AAAA-only or A-only name is not an error)."""
    if _answered(a) and a.rcode == "NXDOMAIN":
        return "NXDOMAIN"
    for answer in (a, aaaa):
        if isinstance(answer, DnsFailure):
            return answer.kind
        if not _answered(answer):
            return answer.rcode
    return None


async def _dnssec_of(client: DnsClient, answer: Answer | DnsFailure) -> tuple[str, str]:
    """The DNSSEC state one answer shows, and why."""
    if isinstance(answer, DnsFailure):
        return "indeterminate", f"no answer to check ({answer.kind}: {answer})"
    if answer.rcode in ("NOERROR", "NXDOMAIN"):
        if answer.authenticated:
            return "secure", "the validating resolver authenticated the answers from the root's trust anchor down (AD bit set)"
        if answer.signed:
            return "insecure", ("the zone is signed, but no chain of trust reaches it (its parent publishes no DS record "
                                "for it): publish the zone's DS record at the registrar")
        return "insecure", "the zone is not signed: answers cannot be authenticated; sign it and publish its DS record at the registrar"
    if answer.rcode == "SERVFAIL":
        retry = await _settle(client.query(answer.name, answer.rdtype, cd=True, dnssec=True))
        if _answered(retry):
            return "bogus", ("DNSSEC validation fails: the validating resolver refuses the answer (SERVFAIL) that it gives "
                             "with checking disabled; re-sign the zone, or fix the DS record at the parent")
        return "indeterminate", "the resolver fails even with validation off (SERVFAIL): the name servers do not answer"
    return "indeterminate", f"the resolver answered {answer.rcode}"


_DNSSEC_ORDER = ("bogus", "indeterminate", "insecure", "secure")


async def _probe_dnssec(client: DnsClient, domain: str, result: DomainResult, a, aaaa) -> None:
    states = await asyncio.gather(_dnssec_of(client, a), _dnssec_of(client, aaaa))
    state, why = min(states, key=lambda s: _DNSSEC_ORDER.index(s[0]))
    result.dnssec = state
    result.dnssec_secure = None if state == "indeterminate" else state == "secure"
    result.why["dnssec"] = f"{state}: {why}"
    if state == "indeterminate":
        result.errors["dnssec"] = why


async def _probe_caa(client: DnsClient, domain: str, result: DomainResult) -> None:
    """CAA on the name or, as CAs look for it (RFC 8659 §3), the nearest parent with one."""
    name = domain
    while "." in name:
        try:
            answer = await client.query(name, "CAA")
        except DnsFailure as failure:
            return _not_measured(result, "caa", f"CAA at {name}: {failure.kind}: {failure}")
        if not _answered(answer):
            return _not_measured(result, "caa", f"CAA at {name}: {_no_answer_reason(answer)}")
        if answer.records:
            result.caa = True
            result.caa_records = sorted(r.to_text() for r in answer.records)
            where = "" if name == domain else f" (inherited from {name})"
            result.why["caa"] = f"CAA{where} limits who may issue certificates: {'; '.join(result.caa_records)}"
            return
        name = name.split(".", 1)[1]
    result.caa = False
    result.why["caa"] = ("no CAA record on the name or its parents: any CA may issue certificates for it; "
                         'publish CAA naming the CAs you use (e.g. 0 issue "letsencrypt.org")')


# --- email ------------------------------------------------------------------------------


#: STARTTLS outcomes of one scan by (MX name, port): most domains share a few
#: mail providers' MX hosts, and one handshake per host and scan says all there is to say.
MxCache = dict[tuple[str, int], "asyncio.Future[tuple[str, str]]"]


async def probe_email(domain: str, result: DomainResult, config: ScanConfig, client: DnsClient | None = None,
                      *, mx_cache: MxCache | None = None) -> None:
    """MX, SPF, DKIM, DMARC, MTA-STS and STARTTLS of ``domain`` into ``result``; with
    ``mx_cache`` (one dict per scan), each MX host is tried once per scan."""
    client = client or DnsClient(config)
    if result.dns_error in ("NXDOMAIN", "timeout", "refused", "malformed"):
        reason = (f"{domain} does not exist (NXDOMAIN)" if result.dns_error == "NXDOMAIN"
                  else f"not measured: DNS for {domain} did not answer ({result.dns_error})")
        for check in EMAIL_CHECKS:
            result.why[check] = reason
        return
    await asyncio.gather(
        _probe_spf(client, domain, result, config),
        _probe_dkim(client, domain, result, config),
        _probe_dmarc(client, domain, result, config),
        _probe_mail_servers(client, domain, result, config, mx_cache),
    )


def _not_measured(result: DomainResult, check: str, problem) -> None:
    detail = f"{problem.kind}: {problem}" if isinstance(problem, DnsFailure) else str(problem)
    result.errors[check] = detail
    result.why[check] = f"not measured: {detail}"


def _records_with_prefix(answer: Answer, prefix: str) -> list[str]:
    pattern = re.compile(rf"^{re.escape(prefix)}(\s|;|$)", re.IGNORECASE)
    return [t for t in answer.texts() if pattern.match(t)]


# SPF

_QUALIFIERS = {"pass": "+", "fail": "-", "softfail": "~", "neutral": "?"}
_ALL = re.compile(r"^([+\-~?]?)all$", re.IGNORECASE)


def _all_qualifier(record: str) -> str | None:
    for term in reversed(record.split()[1:]):
        if match := _ALL.match(term):
            return match.group(1) or "+"
    return None


async def _probe_spf(client: DnsClient, domain: str, result: DomainResult, config: ScanConfig) -> None:
    from checkdmarc.spf import SPFError, parse_spf_record

    try:
        answer = await client.query(domain, "TXT")
    except DnsFailure as failure:
        return _not_measured(result, "spf", failure)
    if not _answered(answer):
        return _not_measured(result, "spf", _no_answer_reason(answer))
    records = _records_with_prefix(answer, "v=spf1")
    if not records:
        result.spf_strict = False
        result.why["spf"] = "no SPF record: publish one TXT record such as \"v=spf1 mx -all\" listing the hosts that send your mail"
        return
    if len(records) > 1:
        result.spf_strict = False
        result.why["spf"] = f"{len(records)} SPF records: RFC 7208 allows exactly one (receivers treat this as an error); merge them"
        return
    record = result.spf = records[0]
    try:
        parsed = await asyncio.to_thread(parse_spf_record, record, domain, resolver=client.sync_resolver(),
                                         timeout=config.timeout, retries=config.retries)
    except SPFError as error:
        result.spf_strict = False
        result.why["spf"] = f"SPF record is invalid: {error}"
        return
    except dns.exception.DNSException as error:
        return _not_measured(result, "spf", f"looking up the SPF record's mechanisms: {error}")
    result.spf_all = _all_qualifier(record) or _QUALIFIERS.get(parsed["parsed"].get("all") or "", None)
    result.spf_strict = result.spf_all in ("-", "~")
    meaning = {"-": "mail from other hosts fails", "~": "mail from other hosts soft-fails",
               "?": "says nothing about other hosts (neutral)", "+": "lets any host on the Internet send as the domain",
               None: "has no \"all\" term, so other hosts are not refused"}[result.spf_all]
    advice = "" if result.spf_strict else ": end it with -all (or ~all)"
    result.why["spf"] = f"\"{record}\" {meaning}{advice}"


# DKIM


def _dkim_key_problem(text: str) -> tuple[str | None, str]:
    """(None, description) for a usable key record, or (problem, "")."""
    from dkim.crypto import UnparsableKeyError, parse_public_key
    from dkim.util import InvalidTagValueList, parse_tag_value

    try:
        tags = parse_tag_value(text.encode())
    except InvalidTagValueList as error:
        return f"not a DKIM tag list ({error})", ""
    if tags.get(b"v", b"DKIM1") != b"DKIM1":
        return f"v={tags[b'v'].decode(errors='replace')} is not DKIM1", ""
    key_type = tags.get(b"k", b"rsa").decode(errors="replace")
    p = re.sub(rb"\s", b"", tags.get(b"p", b""))
    if not p:
        return "the key is revoked (empty p=)", ""
    try:
        key = base64.b64decode(p, validate=True)
    except (binascii.Error, ValueError):
        return "p= is not base64", ""
    if key_type == "ed25519":
        return (None, "ed25519") if len(key) == 32 else (f"p= is not an ed25519 key ({len(key)} bytes, not 32)", "")
    if key_type != "rsa":
        return f"unknown key type k={key_type}", ""
    try:
        bits = parse_public_key(key)["modulus"].bit_length()
    except (UnparsableKeyError, AssertionError, IndexError, ValueError, TypeError):
        # dkimpy's ASN.1 reader checks the DER with assert statements and plain indexing:
        # a damaged key published by a domain must be a finding, not a crashed probe.
        return "p= is not an RSA public key", ""
    if bits < 1024:
        return f"RSA key of {bits} bits is too short (RFC 8301: at least 1024)", ""
    return None, f"rsa {bits} bits"


async def _probe_dkim(client: DnsClient, domain: str, result: DomainResult, config: ScanConfig) -> None:
    selectors = list(dict.fromkeys(config.dkim_selectors))
    if not selectors:
        result.why["dkim"] = "not measured: no DKIM selectors configured"
        return
    answers = await asyncio.gather(*(_settle(client.query(f"{s}._domainkey.{domain}", "TXT")) for s in selectors))
    valid, problems, failures = [], [], []
    for selector, answer in zip(selectors, answers, strict=True):
        if not _answered(answer):
            failures.append(f"{selector}: {_no_answer_reason(answer)}")
            continue
        for text in answer.texts():
            problem, description = _dkim_key_problem(text)
            if problem is None:
                valid.append((selector, description))
                break
            problems.append(f"{selector}: {problem}")
    result.dkim_selectors = [s for s, _ in valid]
    if valid:
        result.dkim = True
        result.why["dkim"] = "valid DKIM key at " + ", ".join(f"{s}._domainkey ({d})" for s, d in valid)
        return
    if failures and len(failures) == len(selectors):
        return _not_measured(result, "dkim", "; ".join(failures))
    result.dkim = False
    tried = ", ".join(selectors)
    if problems:
        result.why["dkim"] = f"no usable DKIM key: {'; '.join(problems)}; publish a valid public key (p=) at the selector you sign with"
    else:
        result.why["dkim"] = (f"no DKIM key at any selector tried ({tried}): sign your mail and publish the key at "
                              "<selector>._domainkey")
    if failures:
        result.errors["dkim"] = "; ".join(failures)


# DMARC


def _dmarc_tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            tags[key.strip().lower()] = value.strip()
    return tags


def _base_domain(domain: str) -> str:
    from checkdmarc.utils import get_base_domain

    try:
        return get_base_domain(domain)
    except Exception:  # the public suffix list cannot place it: treat the name as its own base
        return domain


async def _dmarc_record(client: DnsClient, name: str) -> tuple[list[str] | None, object]:
    try:
        answer = await client.query(f"_dmarc.{name}", "TXT")
    except DnsFailure as failure:
        return None, failure
    if not _answered(answer):
        return None, _no_answer_reason(answer)
    return _records_with_prefix(answer, "v=DMARC1"), None


async def _probe_dmarc(client: DnsClient, domain: str, result: DomainResult, config: ScanConfig) -> None:
    from checkdmarc.dmarc import DMARCError, parse_dmarc_record

    records, problem = await _dmarc_record(client, domain)
    if problem is not None:
        return _not_measured(result, "dmarc", problem)
    where, policy_tag = domain, "p"
    if not records:
        base = _base_domain(domain)
        if base != domain:
            records, problem = await _dmarc_record(client, base)
            if problem is not None:
                return _not_measured(result, "dmarc", problem)
            where, policy_tag = base, "sp"  # RFC 7489 §6.6.3: a subdomain follows sp=, else p=
    if not records:
        result.dmarc_enforced = False
        result.why["dmarc"] = f"no DMARC record at _dmarc.{domain}: publish \"v=DMARC1; p=reject\" (or quarantine) once SPF and DKIM pass"
        return
    if len(records) > 1:
        result.dmarc_enforced = False
        result.why["dmarc"] = f"{len(records)} DMARC records at _dmarc.{where}: receivers ignore them all; keep one"
        return
    record = records[0]
    try:
        await asyncio.to_thread(parse_dmarc_record, record, where, resolver=client.sync_resolver(),
                                timeout=config.timeout, retries=config.retries)
    except DMARCError as error:
        result.dmarc_enforced = False
        result.why["dmarc"] = f"DMARC record at _dmarc.{where} is invalid: {error}"
        return
    except dns.exception.DNSException as error:
        return _not_measured(result, "dmarc", f"checking the DMARC record: {error}")
    tags = _dmarc_tags(record)
    policy = (tags.get(policy_tag) or tags.get("p") or "").lower()
    try:
        pct = int(tags.get("pct", "100"))
    except ValueError:
        pct = 100  # checkdmarc accepted the record; RFC 9989 drops pct, so an odd value means "all"
    result.dmarc_policy, result.dmarc_pct = policy, pct
    result.dmarc_enforced = policy in ("quarantine", "reject") and pct == 100
    inherited = "" if where == domain else f" (the organizational domain {where}'s record)"
    if result.dmarc_enforced:
        result.why["dmarc"] = f"DMARC policy {policy} for all mail{inherited}"
    elif policy == "none":
        result.why["dmarc"] = f"DMARC policy none{inherited} only monitors: move to p=quarantine, then p=reject"
    else:
        result.why["dmarc"] = f"DMARC policy {policy} applies to only {pct}% of failing mail{inherited}: set pct=100 (or remove pct)"


# MX, STARTTLS, MTA-STS


@functools.lru_cache(maxsize=8)
def tls_client_context(ca_bundle: str | None) -> ssl.SSLContext:
    """A certificate-checking client context trusting ``ca_bundle`` (or the system store)."""
    return ssl.create_default_context(cafile=ca_bundle)


def _context(config: ScanConfig) -> ssl.SSLContext:
    return tls_client_context(str(config.ca_bundle) if config.ca_bundle else None)


async def _probe_mail_servers(client: DnsClient, domain: str, result: DomainResult, config: ScanConfig,
                              mx_cache: MxCache | None) -> None:
    try:
        answer = await client.query(domain, "MX")
    except DnsFailure as failure:
        for check in ("starttls", "mta_sts"):
            _not_measured(result, check, failure)
        return
    if not _answered(answer):
        for check in ("starttls", "mta_sts"):
            _not_measured(result, check, _no_answer_reason(answer))
        return
    mx = sorted(answer.records, key=lambda r: (r.preference, r.exchange.to_text()))
    names = [r.exchange.to_text(omit_final_dot=True).lower() for r in mx]
    null_mx = len(mx) == 1 and mx[0].exchange == dns.name.root
    result.mx = [] if null_mx else names
    if not result.mx:
        reason = ("a null MX (RFC 7505): the domain accepts no mail" if null_mx
                  else "no MX record: the domain receives no mail")
        result.why["starttls"] = result.why["mta_sts"] = f"does not apply: {reason}"
        return
    await asyncio.gather(_probe_starttls(client, result, config, mx_cache), _probe_mta_sts(client, domain, result, config))


async def _starttls_once(ip: str, mx_name: str, config: ScanConfig) -> tuple[str, str]:
    """("pass"|"fail"|"error", what happened) for one SMTP session to ``ip``."""
    import aiosmtplib

    smtp = aiosmtplib.SMTP(hostname=ip, port=config.smtp_port, timeout=config.timeout, start_tls=False,
                           local_hostname=SCANNER_EHLO_NAME, tls_context=_context(config))
    try:
        try:
            await smtp.connect()
        except aiosmtplib.SMTPConnectTimeoutError:
            return "error", f"{mx_name} ({ip}): no connection within {config.timeout:g}s"
        except aiosmtplib.SMTPConnectError as error:
            return "error", f"{mx_name} ({ip}): connection refused or failed ({error})"
        try:
            await smtp.ehlo()
        except aiosmtplib.SMTPTimeoutError:
            return "error", f"{mx_name} ({ip}): greeted, then no answer to EHLO within {config.timeout:g}s"
        if not smtp.supports_extension("starttls"):
            return "fail", f"{mx_name} does not offer STARTTLS: mail to it travels in clear text; enable STARTTLS"
        try:
            await smtp.starttls(server_hostname=mx_name, tls_context=_context(config))
        except ssl.SSLCertVerificationError as error:
            return "fail", f"{mx_name}: certificate not valid for the MX name ({error.verify_message}); install one for {mx_name}"
        except aiosmtplib.SMTPTimeoutError:
            return "error", f"{mx_name} ({ip}): TLS handshake did not finish within {config.timeout:g}s"
        except (aiosmtplib.SMTPException, ssl.SSLError, ConnectionError) as error:
            cause = error.__cause__ or error.__context__
            if isinstance(cause, ssl.SSLCertVerificationError):
                return "fail", f"{mx_name}: certificate not valid for the MX name ({cause.verify_message}); install one for {mx_name}"
            return "fail", f"{mx_name}: STARTTLS failed ({error})"
        return "pass", f"{mx_name} offers STARTTLS with a valid certificate"
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError) as error:
        return "error", f"{mx_name} ({ip}): {error}"
    except aiosmtplib.SMTPException as error:
        return "fail", f"{mx_name}: SMTP error ({error})"
    finally:
        smtp.close()


async def _starttls(client: DnsClient, mx_name: str, config: ScanConfig, mx_cache: MxCache | None) -> tuple[str, str]:
    if mx_cache is None:
        return await _starttls_of(client, mx_name, config)
    key = (mx_name, config.smtp_port)
    if key not in mx_cache:
        mx_cache[key] = asyncio.ensure_future(_starttls_of(client, mx_name, config))
    # shielded: a domain stopped by its deadline must not cancel the other domains' answer
    return await asyncio.shield(mx_cache[key])


async def _starttls_of(client: DnsClient, mx_name: str, config: ScanConfig) -> tuple[str, str]:
    v4, v6, problem = await _addresses(client, mx_name, config)
    if not (v4 or v6):
        if problem and ("timeout" in problem or "refused" in problem or "malformed" in problem):
            return "error", f"{mx_name}: {problem}"
        return "fail", f"MX {mx_name} has no address ({problem}): mail cannot be delivered to it"
    ip = (v4 or v6)[0]
    outcome = ("error", "")
    for _ in range(1 + max(0, config.retries)):
        outcome = await _starttls_once(ip, mx_name, config)
        if outcome[0] != "error":
            break
    return outcome


async def _probe_starttls(client: DnsClient, result: DomainResult, config: ScanConfig, mx_cache: MxCache | None) -> None:
    tried = result.mx[:MAX_MX_TRIED]
    outcomes = await asyncio.gather(*(_starttls(client, name, config, mx_cache) for name in tried))
    failed = [text for kind, text in outcomes if kind == "fail"]
    errors = [text for kind, text in outcomes if kind == "error"]
    passed = [text for kind, text in outcomes if kind == "pass"]
    if errors:
        result.errors["starttls"] = "; ".join(errors)
    if failed:
        result.smtp_starttls = False
        result.why["starttls"] = "; ".join(failed)
    elif passed:
        result.smtp_starttls = True
        result.why["starttls"] = "; ".join(passed) + (f" (not measured: {len(errors)} other MX)" if errors else "")
    else:
        result.why["starttls"] = "not measured: " + "; ".join(errors)


async def _probe_mta_sts(client: DnsClient, domain: str, result: DomainResult, config: ScanConfig) -> None:
    from checkdmarc.mta_sts import (
        MTASTSError,
        mx_in_mta_sts_patterns,
        parse_mta_sts_policy,
        parse_mta_sts_record,
    )

    try:
        answer = await client.query(f"_mta-sts.{domain}", "TXT")
    except DnsFailure as failure:
        return _not_measured(result, "mta_sts", failure)
    if not _answered(answer):
        return _not_measured(result, "mta_sts", _no_answer_reason(answer))
    records = _records_with_prefix(answer, "v=STSv1")
    if not records:
        result.mta_sts_enforce = False
        result.why["mta_sts"] = (f"no MTA-STS record at _mta-sts.{domain}: senders may deliver without TLS; publish a policy at "
                                 f"https://mta-sts.{domain}/.well-known/mta-sts.txt and the TXT record")
        return
    if len(records) > 1:
        result.mta_sts_enforce = False
        result.why["mta_sts"] = f"{len(records)} MTA-STS records at _mta-sts.{domain}: there must be exactly one"
        return
    try:
        parse_mta_sts_record(records[0])
    except MTASTSError as error:
        result.mta_sts_enforce = False
        result.why["mta_sts"] = f"MTA-STS record is invalid: {error}"
        return
    kind, text = await _fetch_mta_sts_policy(client, domain, config)
    if kind != "ok":
        if kind == "error":
            return _not_measured(result, "mta_sts", text)
        result.mta_sts_enforce = False
        result.why["mta_sts"] = text
        return
    try:
        policy = parse_mta_sts_policy(text)["policy"]
    except MTASTSError as error:
        result.mta_sts_enforce = False
        result.why["mta_sts"] = f"MTA-STS policy is invalid: {error}"
        return
    result.mta_sts_mode = policy["mode"]
    if policy["mode"] != "enforce":
        result.mta_sts_enforce = False
        result.why["mta_sts"] = f"MTA-STS policy mode is {policy['mode']}: senders still deliver without TLS; set mode: enforce"
        return
    uncovered = [mx for mx in result.mx if not mx_in_mta_sts_patterns(mx, policy.get("mx", []))]
    if uncovered:
        result.mta_sts_enforce = False
        result.why["mta_sts"] = f"MTA-STS enforce policy does not list MX {', '.join(uncovered)}: mail to them would fail; add them"
        return
    result.mta_sts_enforce = True
    result.why["mta_sts"] = f"MTA-STS policy enforce, covering every MX (max_age {policy['max_age']}s)"


async def _fetch_mta_sts_policy(client: DnsClient, domain: str, config: ScanConfig) -> tuple[str, str]:
    """("ok", policy text) or ("fail"|"error", why) for https://mta-sts.<domain>/.well-known/mta-sts.txt."""
    import httpx

    host = f"mta-sts.{domain}"
    v4, v6, problem = await _addresses(client, host, config)
    if not (v4 or v6):
        if problem and ("timeout" in problem or "refused" in problem or "malformed" in problem):
            return "error", f"{host}: {problem}"
        return "fail", f"the policy host {host} has no address ({problem}): the policy cannot be fetched"
    ip = (v4 or v6)[0]
    netloc = f"[{ip}]" if ":" in ip else ip
    port = config.https_port
    url = f"https://{netloc}:{port}/.well-known/mta-sts.txt"
    headers = {"Host": host if port == 443 else f"{host}:{port}", "User-Agent": config.user_agent}
    last = ("error", "")
    async with httpx.AsyncClient(verify=_context(config), timeout=config.timeout, follow_redirects=False) as http:
        for _ in range(1 + max(0, config.retries)):
            try:
                # Connect to the address we resolved, but check the certificate against the
                # policy host's name (SNI and hostname verification follow sni_hostname).
                response = await http.get(url, headers=headers, extensions={"sni_hostname": host})
            except httpx.TimeoutException:
                last = ("error", f"{host} ({ip}): no answer within {config.timeout:g}s")
                continue
            except httpx.ConnectError as error:
                cause = _ssl_cause(error)
                if isinstance(cause, ssl.SSLCertVerificationError):
                    return "fail", f"{host}: certificate not valid ({cause.verify_message}): senders will not use the policy"
                if cause is not None:
                    return "fail", f"{host}: TLS failed ({cause})"
                last = ("error", f"{host} ({ip}): connection refused or failed ({error})")
                continue
            except httpx.HTTPError as error:
                return "fail", f"{host}: {type(error).__name__}: {error}"
            if response.status_code != 200:
                return "fail", f"https://{host}/.well-known/mta-sts.txt answered {response.status_code}: publish the policy there"
            return "ok", response.text
    return last


def _ssl_cause(error: BaseException) -> BaseException | None:
    seen = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
