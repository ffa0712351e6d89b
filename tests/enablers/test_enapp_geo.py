"""The country of a domain: by ccTLD, and by hosting with real RIR delegation files."""

from __future__ import annotations

from pathlib import Path

import pytest

from isoc.enablers import geo


@pytest.mark.parametrize(("domain", "country"), [
    ("example.fr", "FR"), ("www.bbc.co.uk", "GB"), ("gov.uk.", "GB"), ("Example.DE", "DE"), ("nic.ac", "SH"),
    ("site.ke", "KE"), ("example.com", None), ("example.org", None), ("example.museum", None),
    ("europa.eu", None), ("old.su", None), ("example.test", None), ("example.xn--p1ai", None), ("nic.zz", None),
])
def test_country_by_cctld(domain, country):
    assert geo.country_by_cctld(domain) == country


def test_longest_route_wins_and_as_sets_are_ignored():
    table = geo.RouteTable.from_routes([("10.0.0.0/8", 1), ("10.1.0.0/16", 2), ("10.1.2.0/24", -1),
                                        ("2001:db8::/32", 3), ("not a prefix", 4)])
    assert len(table) == 3  # the AS_SET route and the unparseable prefix are left out
    assert table.lookup("10.1.2.3") == ("10.1.0.0/16", 2)
    assert table.lookup("10.9.9.9") == ("10.0.0.0/8", 1)
    assert table.lookup("2001:db8::1") == ("2001:db8::/32", 3)
    assert table.lookup("11.0.0.1") is None


def test_moas_keeps_the_lowest_origin_whatever_the_order():
    a = geo.RouteTable.from_routes([("192.0.2.0/24", 65002), ("192.0.2.0/24", 65001)])
    b = geo.RouteTable.from_routes([("192.0.2.0/24", 65001), ("192.0.2.0/24", 65002)])
    assert a.lookup("192.0.2.1") == b.lookup("192.0.2.1") == ("192.0.2.0/24", 65001)


def test_private_addresses_have_no_hosting_country():
    m = geo.HostingMap(routes=geo.RouteTable.from_routes([("10.0.0.0/8", 1)]), asn_countries={1: "FR"})
    assert m.locate("10.1.1.1").country is None
    assert m.locate("not an address").method == ""
    assert m.locate_domain([], []) is None


@pytest.fixture(scope="module")
def rir():
    folder = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "country" / "rir"
    if not folder.is_dir():
        pytest.skip(f"real test data folder {folder} (RIR delegation files) is absent")
    return geo.load_rir_directory(folder)


def test_real_afrinic_file_gives_countries_of_unrouted_addresses(rir):
    # No route is known: the address's own delegation (AFRINIC, 2023-03-23) decides.
    m = geo.HostingMap(delegations=rir)
    za = m.locate("41.0.0.1")  # afrinic|ZA|ipv4|41.0.0.0|2097152|20071126|allocated
    assert (za.country, za.method, za.asn) == ("ZA", "delegation", None)
    assert m.locate("41.72.200.1").country == "MU"  # afrinic|MU|ipv4|41.72.192.0|8192
    assert m.locate("2001:4270::1").country == "NG"  # afrinic|NG|ipv6|2001:4270::|32
    assert m.locate("41.57.113.5").country is None  # afrinic|ZZ|ipv4|41.57.113.0|256||reserved
    assert m.locate("8.8.8.8").country is None  # not AFRINIC space: no file here says


def test_a_route_gives_the_origin_and_the_registry_gives_its_country(rir):
    # 41.0.0.0/16 announced by AS 1228 (afrinic|ZA|asn|1228|1|19910301|allocated): the AS's
    # country from the delegation; an AS the routing app knows takes its country from there.
    routes = geo.RouteTable.from_routes([("41.72.192.0/19", 1228), ("41.0.0.0/16", 64500)])
    m = geo.HostingMap(routes=routes, delegations=rir, asn_countries={64500: "KE"})
    h = m.locate("41.72.200.1")
    assert (h.asn, h.country, h.method, h.prefix) == (1228, "ZA", "route", "41.72.192.0/19")
    assert m.locate("41.0.3.4").country == "KE"
    assert m.locate_domain(["41.72.200.1"], ["2001:4270::1"]).country == "ZA"  # first IPv4 first
    assert m.locate_domain([], ["2001:4270::1"]).country == "NG"


def test_a_folder_without_delegation_files_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no delegated"):
        geo.load_rir_directory(tmp_path)
