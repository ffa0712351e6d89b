"""The test fleet, declared: its hosts, its DNS zones and its test domains, each with what
is configured and what a correct scanner must conclude about it.

The fleet's servers are built from these declarations (``fleet.dns`` writes the zones,
``fleet.smtp`` starts the mail servers, the web fleet its sites), and the tests and the
benchmark read the same declarations for their expectations: a probe result is checked
against the configuration that produced it, never against a second hand-written copy.

Addresses are not written here: a domain names *hosts* (roles such as ``"mx-tls"``), and
the running fleet maps each host to its IPv4 and IPv6 address (``Fleet.addresses``), which
depend on where the fleet runs (a namespace subnet, or loopback).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Test hosts: role → host number in the fleet's subnet (10.201.N.<host>, fd00:201:0:N::<host>).
HOSTS: dict[str, int] = {
    "ns": 2,  # NSD: authoritative for the root, test. and every test zone
    "resolver": 3,  # unbound: validating, our root key as its trust anchor
    "silent": 4,  # a DNS server that reads every question and never answers (UDP and TCP)
    "mx-tls": 10,  # SMTP offering STARTTLS with a certificate for its MX names
    "mx-plain": 11,  # SMTP without STARTTLS
    "mx-wrongname": 12,  # SMTP offering STARTTLS with a certificate for another name
    "mx-hang": 13,  # sends its 220 greeting, then never answers
    "refused": 14,  # the address answers, but nothing listens: every connection is refused
    "mta-sts": 20,  # HTTPS serving MTA-STS policies, certificate for every mta-sts.<domain>
    "mta-sts-wrongname": 21,  # the same, with a certificate for another name
    "web": 30,  # the test domains' web address: fleet.web.DEFAULT_SITE (nginx, aioquic) serves it
}
# Hosts 40 and up: the web sites of fleet.web.SITES (each site's name is also a role).

#: Every zone's name server, and the only NS name the root and test. zones use.
NS_NAME = "ns.test."


@dataclass(frozen=True)
class Zone:
    """A DNS zone and how it is signed.

    ``signing``: ``"signed"`` (DS in the parent: a chain of trust from the root),
    ``"island"`` (signed, no DS in the parent: validators treat it as insecure),
    ``"bogus"`` (signed with a DS, then records changed after signing: those fail),
    ``"badds"`` (signed, but the parent's DS names another key: everything fails),
    ``"unsigned"``, or ``"lame"`` (delegated to the silent server, which never answers).
    """

    name: str
    signing: str
    tampered: tuple[str, ...] = ()  # "bogus": owner names whose A record is changed after signing

    @property
    def dnssec(self) -> str:
        """What a validating resolver makes of names in this zone."""
        return {"signed": "secure", "island": "insecure", "bogus": "bogus", "badds": "bogus",
                "unsigned": "insecure", "lame": "indeterminate"}[self.signing]


@dataclass(frozen=True)
class Mx:
    preference: int
    name: str  # the MX host name (its A/AAAA records point at `host`)
    host: str | None  # a role in HOSTS; None: the MX name has no address record


@dataclass(frozen=True)
class DkimKey:
    """A DKIM key record at ``<selector>._domainkey.<domain>``: ``state`` ``"valid"`` (a
    real public key, ``key_type`` rsa or ed25519), ``"revoked"`` (empty ``p=``) or
    ``"malformed"`` (``p=`` is not a key)."""

    selector: str
    state: str = "valid"
    key_type: str = "rsa"


@dataclass(frozen=True)
class MtaSts:
    """An MTA-STS record (``_mta-sts`` TXT) and its policy at ``https://mta-sts.<domain>/``.

    ``policy_host``: the role serving ``mta-sts.<domain>`` (None: the name has no address),
    ``served``: whether that server has the policy (False: 404)."""

    mode: str = "enforce"
    policy_host: str | None = "mta-sts"
    served: bool = True
    txt: str = "v=STSv1; id=20260101T000000;"


@dataclass(frozen=True)
class Domain:
    """A test domain: what is configured, and (``expect``) what each check must say:
    ``True`` passed, ``False`` failed, ``None`` not measured (with an error or a reason)."""

    name: str
    zone: str
    note: str  # what the case is there for
    a: tuple[str, ...] = ("web",)  # roles
    aaaa: tuple[str, ...] = ("web",)
    #: the web site (``fleet.web``) that answers at those addresses, which says what the web
    #: probes find there: "web" is ``fleet.web.DEFAULT_SITE`` (everything right)
    web: str = "web"
    cname: str | None = None  # the name is a CNAME to this name instead
    caa: tuple[str, ...] = ()
    mx: tuple[Mx, ...] = ()
    null_mx: bool = False  # "MX 0 ." (RFC 7505): the domain accepts no mail
    txt: tuple[str, ...] = ()  # TXT at the name: SPF records and others
    dkim: tuple[DkimKey, ...] = ()
    dmarc: str | None = None  # TXT at _dmarc.<name>
    mta_sts: MtaSts | None = None
    expect: dict[str, bool | None] = field(default_factory=dict)
    expect_dnssec: str | None = None  # None: the zone's
    exists: bool = True  # False: the name is in no zone (NXDOMAIN)

    @property
    def spf(self) -> str | None:
        records = [t for t in self.txt if t.lower().startswith("v=spf1")]
        return records[0] if len(records) == 1 else None

    @property
    def mx_names(self) -> list[str]:
        return [m.name for m in sorted(self.mx, key=lambda m: (m.preference, m.name))]

    @property
    def dkim_valid(self) -> list[str]:
        return sorted(k.selector for k in self.dkim if k.state == "valid")


ZONES: tuple[Zone, ...] = (
    Zone(".", "signed"),
    Zone("test.", "signed"),
    Zone("secure.test.", "signed"),
    Zone("plain.test.", "unsigned"),
    Zone("soft.test.", "unsigned"),
    Zone("bogus.test.", "bogus", tampered=("bogus.test.",)),
    Zone("badds.test.", "badds"),
    Zone("island.test.", "island"),
    Zone("broken.test.", "unsigned"),
    Zone("refused.test.", "unsigned"),
    Zone("nomail.test.", "signed"),
    Zone("nullmx.test.", "unsigned"),
    Zone("multimx.test.", "unsigned"),
    Zone("stswrong.test.", "unsigned"),
    Zone("lame.test.", "lame"),
)

_GOOD_MX = (Mx(10, "mx.secure.test", "mx-tls"),)

DOMAINS: tuple[Domain, ...] = (
    Domain(
        "secure.test", "secure.test.", "everything right: signed zone, CAA, strict SPF, DKIM, DMARC reject, MTA-STS enforce, STARTTLS",
        caa=('0 issue "ca.test"', '0 iodef "mailto:security@secure.test"'),
        mx=_GOOD_MX,
        txt=("v=spf1 mx ip4:192.0.2.25 -all", "site-verification=abc123"),
        dkim=(DkimKey("s1", "valid", "rsa"), DkimKey("s2", "valid", "ed25519")),
        dmarc="v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@secure.test",
        mta_sts=MtaSts("enforce"),
        expect={"dnssec": True, "caa": True, "spf": True, "dkim": True, "dmarc": True, "mta_sts": True, "starttls": True},
    ),
    Domain(
        "www.secure.test", "secure.test.", "a CNAME to the apex; no DMARC record of its own (the organizational domain's sp= applies)",
        cname="secure.test",
        expect={"dnssec": True, "caa": True, "spf": True, "dkim": False, "dmarc": True, "mta_sts": False, "starttls": True},
    ),
    Domain(
        "plain.test", "plain.test.", "unsigned, IPv4 only, no CAA, SPF ?all, DMARC p=none, MX without STARTTLS",
        aaaa=(),
        mx=(Mx(10, "mx.plain.test", "mx-plain"),),
        txt=("v=spf1 a mx ?all",),
        dmarc="v=DMARC1; p=none",
        expect={"dnssec": False, "caa": False, "spf": False, "dkim": False, "dmarc": False, "mta_sts": False, "starttls": False},
    ),
    Domain(
        "soft.test", "soft.test.", "SPF ~all, revoked DKIM key, DMARC quarantine at pct=50, MTA-STS testing, STARTTLS certificate for the wrong name",
        caa=('0 issue "ca.test"',),
        mx=(Mx(10, "mx.soft.test", "mx-wrongname"),),
        txt=("v=spf1 ip4:192.0.2.0/24 ~all",),
        dkim=(DkimKey("s1", "revoked"),),
        dmarc="v=DMARC1; p=quarantine; pct=50",
        mta_sts=MtaSts("testing"),
        expect={"dnssec": False, "caa": True, "spf": True, "dkim": False, "dmarc": False, "mta_sts": False, "starttls": False},
    ),
    Domain(
        "bogus.test", "bogus.test.", "signed, but its A record was changed after signing: the validating resolver refuses it",
        mx=_GOOD_MX,
        txt=("v=spf1 -all",),
        dmarc="v=DMARC1; p=reject",
        expect={"dnssec": False, "caa": False, "spf": True, "dkim": False, "dmarc": True, "mta_sts": False, "starttls": True},
    ),
    Domain(
        "badds.test", "badds.test.", "signed, but the parent's DS names another key: every answer is bogus",
        mx=_GOOD_MX,
        txt=("v=spf1 -all",),
        dmarc="v=DMARC1; p=reject",
        expect={"dnssec": False, "caa": None, "spf": None, "dkim": None, "dmarc": None, "mta_sts": None, "starttls": None},
    ),
    Domain(
        "island.test", "island.test.", "signed, but no DS in test.: an island of security, insecure to validators",
        txt=("v=spf1 -all",),
        expect={"dnssec": False, "caa": False, "spf": True, "dkim": False, "dmarc": False, "mta_sts": None, "starttls": None},
    ),
    Domain(
        "broken.test", "broken.test.", "SPF syntax error, malformed DKIM key, invalid DMARC policy, MTA-STS policy host without address, MX that hangs after its greeting",
        mx=(Mx(10, "mx.broken.test", "mx-hang"),),
        txt=("v=spf1 ip4:192.0.2.1 foo:bar -all",),
        dkim=(DkimKey("s1", "malformed"),),
        dmarc="v=DMARC1; p=bogus",
        mta_sts=MtaSts("enforce", policy_host=None),
        expect={"dnssec": False, "caa": False, "spf": False, "dkim": False, "dmarc": False, "mta_sts": False, "starttls": None},
    ),
    Domain(
        "refused.test", "refused.test.", "two SPF records; its web site, MX and MTA-STS policy host refuse connections",
        a=("refused",), aaaa=("refused",), web="refused.test",
        mx=(Mx(10, "mx.refused.test", "refused"),),
        txt=("v=spf1 -all", "v=spf1 mx -all"),
        mta_sts=MtaSts("enforce", policy_host="refused"),
        expect={"dnssec": False, "caa": False, "spf": False, "dkim": False, "dmarc": False, "mta_sts": None, "starttls": None},
    ),
    Domain(
        "nomail.test", "nomail.test.", "signed, no MX: SPF -all and DMARC reject say it sends no mail",
        txt=("v=spf1 -all",),
        dmarc="v=DMARC1; p=reject",
        caa=('0 issue ";"',),
        expect={"dnssec": True, "caa": True, "spf": True, "dkim": False, "dmarc": True, "mta_sts": None, "starttls": None},
    ),
    Domain(
        "nullmx.test", "nullmx.test.", "a null MX (RFC 7505): accepts no mail",
        null_mx=True,
        txt=("v=spf1 -all",),
        dmarc="v=DMARC1; p=reject; pct=100",
        expect={"dnssec": False, "caa": False, "spf": True, "dkim": False, "dmarc": True, "mta_sts": None, "starttls": None},
    ),
    Domain(
        "multimx.test", "multimx.test.", "two MX: one with STARTTLS, one without; MTA-STS policy missing (404)",
        mx=(Mx(10, "mx.secure.test", "mx-tls"), Mx(20, "mx.plain.test", "mx-plain")),
        txt=("v=spf1 mx -all",),
        dkim=(DkimKey("s2", "valid", "ed25519"),),
        dmarc="v=DMARC1; p=quarantine",
        mta_sts=MtaSts("enforce", served=False),
        expect={"dnssec": False, "caa": False, "spf": True, "dkim": True, "dmarc": True, "mta_sts": False, "starttls": False},
    ),
    Domain(
        "stswrong.test", "stswrong.test.", "MTA-STS policy served with a certificate for another name",
        mx=_GOOD_MX,
        txt=("v=spf1 mx -all",),
        dmarc="v=DMARC1; p=reject",
        mta_sts=MtaSts("enforce", policy_host="mta-sts-wrongname"),
        expect={"dnssec": False, "caa": False, "spf": True, "dkim": False, "dmarc": True, "mta_sts": False, "starttls": True},
    ),
    Domain(
        "lame.test", "lame.test.", "delegated to a name server that never answers",
        expect={"dnssec": None, "caa": None, "spf": None, "dkim": None, "dmarc": None, "mta_sts": None, "starttls": None},
    ),
    Domain(
        "missing.test", "test.", "does not exist (NXDOMAIN, authenticated by the signed test. zone)",
        exists=False, a=(), aaaa=(),
        expect={"dnssec": None, "caa": None, "spf": None, "dkim": None, "dmarc": None, "mta_sts": None, "starttls": None},
    ),
)

#: The DKIM selectors a test scan asks for: every configured one and one that exists nowhere.
DKIM_SELECTORS = ("s1", "s2", "absent")

BY_NAME = {d.name: d for d in DOMAINS}


def zone_of(name: str, zones: tuple[Zone, ...] = ZONES) -> Zone:
    """The zone a name is in: the longest zone name it ends with."""
    fqdn = name.rstrip(".") + "."
    matches = [z for z in zones if z.name == "." or fqdn == z.name or fqdn.endswith("." + z.name)]
    return max(matches, key=lambda z: len(z.name))


def domain_dnssec(domain: Domain) -> str | None:
    if not domain.exists:
        return None
    return domain.expect_dnssec or zone_of(domain.name).dnssec


# --- the benchmark's domains: many names in one signed zone -------------------------------

BENCH_ZONE = Zone("bench.test.", "signed")
BENCH_MX = Mx(10, "mx.bench.test", "mx-tls")


def bench_domains(count: int, *, mta_sts_every: int = 10) -> list[Domain]:
    """``count`` well-configured domains ``d00000.bench.test`` …, as a large scan sees them:
    every one with addresses, CAA, MX, SPF, DKIM and DMARC; one in ``mta_sts_every``
    with MTA-STS (its policy host needs a name on the policy server's certificate)."""
    domains = []
    for i in range(count):
        domains.append(Domain(
            f"d{i:05d}.bench.test", BENCH_ZONE.name, "benchmark",
            caa=('0 issue "ca.test"',), mx=(BENCH_MX,), txt=("v=spf1 mx -all",),
            dkim=(DkimKey("s1", "valid", "ed25519"),), dmarc="v=DMARC1; p=reject",
            mta_sts=MtaSts("enforce") if mta_sts_every and i % mta_sts_every == 0 else None,
            expect={"dnssec": True, "caa": True, "spf": True, "dkim": True, "dmarc": True,
                    "mta_sts": bool(mta_sts_every and i % mta_sts_every == 0), "starttls": True},
        ))
    return domains
