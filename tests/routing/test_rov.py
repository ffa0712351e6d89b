"""RFC 6811 route origin validation: the rules, the real export, and the fast index against a naive loop."""

from __future__ import annotations

import ipaddress

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoc.routing.rov import NO_ORIGIN, ValidationState, build_index
from isoc.routing.vrps import from_records, load_vrps

V = ValidationState

VRPS = [
    ("192.0.2.0/24", 24, 64496),
    ("198.51.100.0/22", 24, 64497),  # maxLength room to /24
    ("198.51.100.0/22", 22, 64498),  # same prefix, another AS and maxLength
    ("198.51.0.0/16", 16, 64499),  # less specific cover of the above
    ("203.0.113.0/24", 24, 0),  # AS0: nobody may originate
    ("203.0.0.0/16", 24, 64500),  # ... unless this validates
    ("10.0.0.0/8", 32, 64501),  # up to host routes
    ("2001:db8::/32", 48, 64502),
    ("2001:db8:1::/48", 48, 0),
    ("2001:db8:ffff::1/128", 128, 64503),  # IPv6 host route, beyond /64
]


@pytest.fixture(scope="module")
def index():
    return build_index(from_records(VRPS))


@pytest.mark.parametrize(
    ("prefix", "origin", "state"),
    [
        ("192.0.2.0/24", 64496, V.VALID),
        ("192.0.2.0/25", 64496, V.INVALID_LENGTH),  # one bit past maxLength
        ("192.0.2.0/24", 64511, V.INVALID_AS),
        ("192.0.0.0/16", 64496, V.NOT_FOUND),  # VRP is more specific: does not cover
        ("198.51.100.0/24", 64497, V.VALID),  # maxLength boundary, inclusive
        ("198.51.100.0/25", 64497, V.INVALID_LENGTH),
        ("198.51.101.0/24", 64498, V.INVALID_LENGTH),  # its VRP has maxLength 22
        ("198.51.100.0/22", 64498, V.VALID),
        ("198.51.101.0/24", 64499, V.INVALID_LENGTH),  # the /16 cover allows only /16
        ("198.51.0.0/16", 64499, V.VALID),
        ("198.51.100.0/24", 64511, V.INVALID_AS),
        ("203.0.113.0/24", 0, V.INVALID_AS),  # AS0 VRP never matches, not even origin 0
        ("203.0.113.0/24", 64511, V.INVALID_AS),
        ("203.0.113.0/24", 64500, V.VALID),  # another VRP validates despite AS0
        ("203.0.113.128/25", 64500, V.INVALID_LENGTH),
        ("10.1.2.3/32", 64501, V.VALID),  # host route
        ("10.1.2.3/32", 64496, V.INVALID_AS),
        ("11.0.0.0/8", 64501, V.NOT_FOUND),
        ("0.0.0.0/0", 64501, V.NOT_FOUND),
        ("2001:db8::/32", 64502, V.VALID),
        ("2001:db8:5::/48", 64502, V.VALID),
        ("2001:db8:5::/49", 64502, V.INVALID_LENGTH),
        ("2001:db8:1::/48", 64502, V.VALID),  # AS0 /48 overridden by the /32's VRP
        ("2001:db8:1::/48", 64511, V.INVALID_AS),
        ("2001:db8:ffff::1/128", 64503, V.VALID),
        ("2001:db8:ffff::1/128", 64502, V.INVALID_LENGTH),  # /32 VRP with that AS allows /48 only
        ("2001:db8:ffff::2/128", 64503, V.INVALID_AS),  # the /128 VRP does not cover ::2
        ("2001:db9::/32", 64502, V.NOT_FOUND),
        ("::/0", 64502, V.NOT_FOUND),
        ("192.0.2.0/24", None, V.INVALID_AS),  # AS_SET origin: covered -> invalid
        ("192.0.3.0/24", NO_ORIGIN, V.NOT_FOUND),  # AS_SET origin, uncovered
        ("192.0.2.77/24", 64496, V.VALID),  # host bits masked, as a router does
    ],
)
def test_rfc6811_rules(index, prefix, origin, state):
    assert index.validate_one(prefix, origin) is state


def test_batch_keeps_input_order_across_families(index):
    prefixes = ["2001:db8::/32", "192.0.2.0/24", "11.0.0.0/8", "192.0.2.0/24", "2001:db8::/33"]
    origins = [64502, 64496, 1, 1, 64502]
    got = index.validate(prefixes, origins)
    assert got.tolist() == [V.VALID, V.VALID, V.NOT_FOUND, V.INVALID_AS, V.VALID]
    assert index.validate([], []).shape == (0,)


def test_empty_vrp_set_finds_nothing():
    assert build_index(from_records([])).validate_one("192.0.2.0/24", 1) is V.NOT_FOUND


def test_real_export(shared_data):
    """Spot checks on the 2025-07-20 rpki-client export (its first ROAs are AS13335 1.0.0.0/24
    maxLength 24 and AS18144 1.0.64.0/18 maxLength 18)."""
    idx = build_index(load_vrps(shared_data / "rpki/rpkilog/roa_test.rpkiclient2023_json"))
    assert idx.validate_one("1.0.0.0/24", 13335) is V.VALID
    assert idx.validate_one("1.0.0.0/25", 13335) is V.INVALID_LENGTH
    assert idx.validate_one("1.0.4.0/24", 38803) is V.VALID
    assert idx.validate_one("1.0.4.0/24", 13335) is V.INVALID_AS


# --- the fast index against a naive reference --------------------------------------------


def naive(vrps: list[tuple[str, int, int]], prefix: str, origin: int | None) -> ValidationState:
    """RFC 6811 straight from the text: loop over every VRP."""
    route = ipaddress.ip_network(prefix, strict=False)
    covered = asn_match = False
    for vprefix, max_length, asn in vrps:
        vnet = ipaddress.ip_network(vprefix)
        if vnet.version != route.version or not route.subnet_of(vnet):
            continue
        covered = True
        if asn != 0 and origin is not None and origin == asn:
            asn_match = True
            if route.prefixlen <= max_length:
                return V.VALID
    if not covered:
        return V.NOT_FOUND
    return V.INVALID_LENGTH if asn_match else V.INVALID_AS


# Small address spaces (few distinct top bits) so random VRPs and routes overlap often.
def _v4_net(draw, max_len: int = 32) -> ipaddress.IPv4Network:
    length = draw(st.integers(0, max_len))
    value = draw(st.sampled_from([0x0A000000, 0x0A800000, 0xC0000200])) | draw(st.integers(0, 0xFF)) << 8
    value |= draw(st.integers(0, 255))
    return ipaddress.ip_network((value, length), strict=False)


def _v6_net(draw, max_len: int = 128) -> ipaddress.IPv6Network:
    length = draw(st.integers(0, max_len))
    base = draw(st.sampled_from([0x20010DB8 << 96, (0x20010DB8 << 96) | (1 << 64), 0x2C0F << 112]))
    value = base | draw(st.integers(0, 3)) << 70 | draw(st.integers(0, 3)) << 62 | draw(st.integers(0, 3))
    return ipaddress.ip_network((value, length), strict=False)


@st.composite
def scenario(draw):
    asns = st.sampled_from([0, 1, 2, 3])
    vrps = []
    for _ in range(draw(st.integers(0, 12))):
        net = _v4_net(draw) if draw(st.booleans()) else _v6_net(draw)
        vrps.append((str(net), draw(st.integers(net.prefixlen, net.max_prefixlen)), draw(asns)))
    routes = []
    for _ in range(draw(st.integers(1, 30))):
        net = _v4_net(draw) if draw(st.booleans()) else _v6_net(draw)
        routes.append((str(net), draw(st.one_of(asns, st.none()))))
    return vrps, routes


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_index_agrees_with_naive_reference(case):
    vrps, routes = case
    idx = build_index(from_records(vrps))
    got = idx.validate([p for p, _ in routes], [o for _, o in routes])
    want = [naive(vrps, p, o) for p, o in routes]
    assert [ValidationState(int(s)) for s in got] == want
    assert [idx.validate_one(p, o) for p, o in routes] == want


def test_state_values_are_stable():
    """Stored arrays of states must keep meaning: the enum values are part of the format."""
    assert [int(s) for s in V] == [0, 1, 2, 3]
    assert np.uint8(V.NOT_FOUND) == 3
