"""Recording scans: idempotent, bad files refused whole, adoption figures as counted by hand."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from enapp_helpers import result, write

from isoc.enablers import adoption, geo, services
from isoc.enablers.models import AdoptionFigure, DomainSummary, Scan, ScanFile
from isoc.pulse.models import ImportRun

pytestmark = pytest.mark.django_db

# Hosting: 192.0.2.0/25 routed by AS 64500 (a KE network), 192.0.2.128/25 by AS 64501
# (unknown country), 198.51.100.0/24 nobody announces.
HOSTING = geo.HostingMap(routes=geo.RouteTable.from_routes([("192.0.2.0/25", 64500), ("192.0.2.128/25", 64501)]),
                         asn_countries={64500: "KE"})


def small_scan(tmp_path):
    """Five domains, hand-counted below."""
    return write(tmp_path / "scan-test-00000.parquet", [
        result("one.example.fr", passed=["ipv6", "https", "hsts"], failed=["dnssec"], a=["192.0.2.10"]),
        result("two.example.fr", passed=["https"], failed=["ipv6", "hsts"], a=["192.0.2.200"],
               why={"hsts": "no Strict-Transport-Security header"}),
        result("three.example.ke", passed=["ipv6"], failed=["https"], a=["192.0.2.11"]),
        result("four.example.com", failed=["ipv6", "https"], a=["198.51.100.7"]),
        result("five.example.co.uk", a=[], errors={"dns": "NXDOMAIN"}),  # nothing measured
    ])


def figure(tech, method="global", country=""):
    return AdoptionFigure.objects.get(technology=tech, method=method, country=country)


def test_record_stores_the_scan_summaries_and_hand_counted_figures(tmp_path):
    rec = services.record_scan(small_scan(tmp_path), hosting=HOSTING)
    assert rec.created and rec.domains == 5
    scan = Scan.objects.get()
    assert scan.identifier == "scan-test" and scan.resolver == "127.0.0.1:53" and scan.domains == 5
    assert scan.dataset.title == "isoc measurement, scan scan-test" and not scan.is_demo
    one = DomainSummary.objects.get(domain="one.example.fr")
    assert one.checks["ipv6"] is True and one.checks["dnssec"] is False and one.checks["http3"] is None
    assert (one.cctld_country, one.hosting_asn, one.hosting_country, one.hosting_method) == ("FR", 64500, "KE", "route")
    two = DomainSummary.objects.get(domain="two.example.fr")
    assert two.why["hsts"] == "no Strict-Transport-Security header"
    assert (two.hosting_asn, two.hosting_country) == (64501, "")  # routed, but the AS's country is unknown
    assert DomainSummary.objects.get(domain="five.example.co.uk").cctld_country == "GB"
    assert DomainSummary.objects.get(domain="four.example.com").cctld_country == ""
    # IPv6: measured on 4 (one, two, three, four), passed by 2 (one, three); five not measured.
    ipv6 = figure("ipv6")
    assert (ipv6.adopted, ipv6.measured, ipv6.not_measured, ipv6.percent) == (2, 4, 1, 50.0)
    # HTTPS: one, two pass; three, four fail → 2/4. HSTS: one passes, two fails → 1/2, 3 not measured.
    assert (figure("https").adopted, figure("https").measured) == (2, 4)
    assert (figure("hsts").adopted, figure("hsts").measured, figure("hsts").not_measured) == (1, 2, 3)
    # By ccTLD: FR has one and two: IPv6 1/2, HTTPS 2/2; KE: three: IPv6 1/1, HTTPS 0/1.
    assert (figure("ipv6", "cctld", "FR").adopted, figure("ipv6", "cctld", "FR").measured) == (1, 2)
    assert (figure("https", "cctld", "FR").adopted, figure("https", "cctld", "FR").measured) == (2, 2)
    assert (figure("https", "cctld", "KE").adopted, figure("https", "cctld", "KE").measured) == (0, 1)
    # By hosting: KE hosts one and three (AS 64500): IPv6 2/2, HTTPS 1/2.
    assert (figure("ipv6", "hosting", "KE").adopted, figure("ipv6", "hosting", "KE").measured) == (2, 2)
    assert (figure("https", "hosting", "KE").adopted, figure("https", "hosting", "KE").measured) == (1, 2)
    assert not AdoptionFigure.objects.filter(method="hosting", country="FR").exists()
    assert figure("ipv6").provenance == "isoc measurement, scan scan-test, 4 domains"
    assert ImportRun.objects.get().outcome == "applied"


def test_recording_the_same_file_again_changes_nothing(tmp_path):
    path = small_scan(tmp_path)
    services.record_scan(path, hosting=HOSTING)
    before = list(DomainSummary.objects.values_list("pk", "domain", "checks"))
    figures = list(AdoptionFigure.objects.values_list("pk", "adopted", "measured"))
    again = services.record_scan(path, hosting=HOSTING)
    assert not again.created
    assert list(DomainSummary.objects.values_list("pk", "domain", "checks")) == before
    assert list(AdoptionFigure.objects.values_list("pk", "adopted", "measured")) == figures
    assert Scan.objects.count() == 1 and ScanFile.objects.count() == 1
    assert list(ImportRun.objects.order_by("pk").values_list("outcome", flat=True)) == ["applied", "unchanged"]


def test_a_second_file_of_the_same_scan_adds_its_domains(tmp_path):
    services.record_scan(small_scan(tmp_path), hosting=HOSTING)
    services.record_scan(write(tmp_path / "scan-test-00001.parquet", [result("six.example.fr", passed=["ipv6"])]),
                         hosting=HOSTING)
    scan = Scan.objects.get()
    assert scan.domains == 6 and scan.files.count() == 2
    assert (figure("ipv6").adopted, figure("ipv6").measured) == (3, 5)


def test_a_domain_recorded_twice_in_one_scan_is_refused(tmp_path):
    services.record_scan(small_scan(tmp_path), hosting=HOSTING)
    with pytest.raises(services.ScanError, match="already has results for one.example.fr"):
        services.record_scan(write(tmp_path / "scan-test-00001.parquet", [result("one.example.fr")]), hosting=HOSTING)
    assert DomainSummary.objects.count() == 5 and ScanFile.objects.count() == 1


def _bad_files(tmp_path):
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"PAR1 this is not parquet")
    foreign = tmp_path / "foreign.parquet"
    pq.write_table(pa.table({"domain": ["a.example"], "rank": [1]}), foreign)
    empty = write(tmp_path / "empty.parquet", [])
    two_scans = write(tmp_path / "two.parquet", [result("a.example.fr", "scan-a"), result("b.example.fr", "scan-b")])
    no_domain = write(tmp_path / "nodomain.parquet", [result("ok.example.fr"), result("")])
    twice = write(tmp_path / "twice.parquet", [result("a.example.fr"), result("A.example.fr.")])
    return [(garbage, "not a readable Parquet file"), (foreign, "missing column"), (empty, "no rows"),
            (two_scans, "several scans"), (no_domain, "row 2: no domain"), (twice, "appears twice"),
            (tmp_path / "absent.parquet", "no such file")]


def test_bad_files_give_a_clear_error_and_store_nothing(tmp_path):
    for path, message in _bad_files(tmp_path):
        with pytest.raises(services.ScanError, match=message) as info:
            services.record_scan(path, hosting=HOSTING)
        assert path.name in str(info.value)
    assert not Scan.objects.exists() and not DomainSummary.objects.exists() and not AdoptionFigure.objects.exists()
    assert set(ImportRun.objects.values_list("outcome", flat=True)) == {"rejected"}


def test_a_file_with_a_wrong_column_type_is_refused(tmp_path):
    table = pq.read_table(small_scan(tmp_path))
    table = table.set_column(table.column_names.index("https_ok"), "https_ok", pa.array(["yes"] * 5))
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    with pytest.raises(services.ScanError, match="https_ok"):
        services.record_scan(path, hosting=HOSTING)
    assert not Scan.objects.exists()


def test_relocate_uses_newer_routing_data(tmp_path):
    services.record_scan(small_scan(tmp_path), hosting=HOSTING)
    newer = geo.HostingMap(routes=geo.RouteTable.from_routes([("192.0.2.0/24", 64502), ("198.51.100.0/24", 64502)]),
                           asn_countries={64502: "BR"})
    changed = services.relocate(Scan.objects.get(), newer)
    assert changed == 4  # every domain with an address
    assert set(DomainSummary.objects.exclude(hosting_country="").values_list("hosting_country", flat=True)) == {"BR"}
    assert figure("ipv6", "hosting", "BR").measured == 4
    assert not AdoptionFigure.objects.filter(method="hosting", country="KE").exists()


def test_pooled_region_share():
    assert adoption.pooled([(1, 2), (3, 4)]) == (4, 6)


def test_remove_demo_leaves_real_scans(tmp_path):
    services.record_scan(small_scan(tmp_path), hosting=HOSTING)
    services.record_scan(write(tmp_path / "d.parquet", [result("d.example.fr", "demo-x")]), is_demo=True, hosting=HOSTING)
    assert services.remove_demo() == 1
    assert list(Scan.objects.values_list("identifier", flat=True)) == ["scan-test"]
