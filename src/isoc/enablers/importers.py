"""Importers of third-party IPv6 adoption series (``isoc import apnic-ipv6 FILE``,
``isoc enablers import-ipv6 --source apnic|google FILE``), through the pulse import
framework: each file is a Dataset with its source and provenance, each run an ImportRun,
a malformed file is rejected whole. Parsing is in ``thirdparty`` (Django-free)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from isoc.enablers import thirdparty
from isoc.enablers.models import ThirdPartyAdoption
from isoc.pulse.importing import Importer, MalformedFile, Parsed, SourceInfo, register_importer
from isoc.pulse.opendata import Table, register_table


def _date_option(importer: Importer, path: Path) -> date | None:
    text = importer.options.get("date")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MalformedFile(path, None, "date", f"--date {text!r} is not a date (YYYY-MM-DD)") from None


class _Ipv6Importer(Importer):
    dataset_kind = "indicator"

    def apply(self, dataset, rows: list[thirdparty.Point]) -> int:
        dataset.enablers_adoption.all().delete()
        ThirdPartyAdoption.objects.bulk_create([
            ThirdPartyAdoption(dataset=dataset, technology="ipv6", country=p.country, date=p.date, percent=p.percent,
                               preferred=p.preferred, samples=p.samples) for p in rows], batch_size=2000)
        return len(rows)


@register_importer("apnic-ipv6")
class ApnicIpv6Importer(_Ipv6Importer):
    version = "1"
    source = SourceInfo(slug="apnic-labs", name="APNIC Labs IPv6 capability", publisher="APNIC Labs",
                        licence="As published by APNIC Labs (stats.labs.apnic.net); attribution required",
                        url="https://stats.labs.apnic.net/ipv6")
    description = "Share of users per economy able to use IPv6 (IPv6 capable) and preferring it, measured by APNIC Labs' ad-based measurement."

    def parse(self, path: Path) -> Parsed:
        return thirdparty.parse_apnic(path, default_date=_date_option(self, path), economy=self.options.get("economy"))


@register_importer("google-ipv6")
class GoogleIpv6Importer(_Ipv6Importer):
    version = "1"
    source = SourceInfo(slug="google-ipv6", name="Google IPv6 statistics", publisher="Google",
                        licence="As published by Google (google.com/ipv6/statistics.html)",
                        url="https://www.google.com/intl/en/ipv6/statistics.html")
    description = "Share of Google users per country reaching Google over IPv6."

    def parse(self, path: Path) -> Parsed:
        return thirdparty.parse_google(path, default_date=_date_option(self, path))


def _series_table(dataset) -> Table:
    rows = dataset.enablers_adoption.order_by("country", "date").values_list(
        "technology", "country", "date", "percent", "preferred", "samples")
    return Table(["technology", "country", "date", "percent", "preferred", "samples"], rows.iterator())


register_table("apnic-ipv6")(_series_table)
register_table("google-ipv6")(_series_table)


@register_table("enablers-scan")
def _scan_table(dataset) -> Table:
    from isoc.enablers.results import CHECKS

    names = [name for name, _column in CHECKS]
    scan = dataset.enablers_scan
    rows = scan.summaries.order_by("domain").values_list("domain", "scanned_at", "checks", "cctld_country",
                                                         "hosting_asn", "hosting_country")

    def lines():
        for domain, at, checks, cc, asn, hc in rows.iterator(chunk_size=2000):
            yield (domain, at, *(checks.get(n) for n in names), cc, asn, hc)

    return Table(["domain", "scanned_at", *names, "cctld_country", "hosting_asn", "hosting_country"], lines())
