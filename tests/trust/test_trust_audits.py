"""Audits from stored scan files: run (dry by default), the latest row per domain, history,
re-scoring with other weights without any probe or write, refusals, penalties, imports of
organizations and the matching with organization members; the CLI."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from datetime import timedelta

import pyarrow.parquet as pq
import pytest
from test_trust_scoring import AT, exemplary
from typer.testing import CliRunner

from isoc.enablers.results import to_table
from isoc.site.cli import app
from isoc.trust import scoring, services
from isoc.trust.models import Audit, AuditedOrganization, AuditEvent, Scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(db):
    return {
        "good": services.create_organization("Good Bank", "https://www.good.example/", "Banking"),
        "weak": services.create_organization("Weak Shop", "weak.example", "Retail", country="fr"),
        "absent": services.create_organization("Absent Ltd", "absent.example", "Retail"),
    }


def weak_row(at=AT):
    return replace(exemplary("weak.example"), scanned_at=at, dnssec_secure=False, dmarc_policy="none",
                   dmarc_enforced=False, mta_sts_enforce=False, mta_sts_mode=None)


@pytest.fixture
def results(tmp_path, orgs):
    """Two files: an older row of weak.example that the later file's row replaces."""
    folder = tmp_path / "scan"
    folder.mkdir()
    old = replace(weak_row(AT - timedelta(days=3)), https_ok=False)
    pq.write_table(to_table([exemplary("good.example"), old, exemplary("other.example")]), folder / "s-00000.parquet")
    pq.write_table(to_table([weak_row()]), folder / "s-00001.parquet")
    return folder


def test_an_audit_pretends_unless_committed(results):
    report = services.run_audit(2026, results)
    assert not report.committed and not Audit.objects.exists() and not Scorecard.objects.exists()
    assert report.missing == ["absent.example"] and report.domains_in_files == 3


def test_a_committed_audit_keeps_files_weights_scores_and_history(results, orgs, staff):
    report = services.run_audit(2026, results, commit=True, actor=staff)
    audit = Audit.objects.get(year=2026)
    assert audit.weights == scoring.load_weights().points and audit.weights_source == "default"
    assert [f["path"].rsplit("/", 1)[-1] for f in audit.files] == ["s-00000.parquet", "s-00001.parquet"]
    assert all(len(f["sha256"]) == 64 for f in audit.files)
    good = Scorecard.objects.get(organization=orgs["good"])
    assert (good.consumer, good.site, good.privacy, good.total, good.honor_roll) == (105, 115, 100, 320, True)
    weak = Scorecard.objects.get(organization=orgs["weak"])
    # The later row counts (HTTPS answered): consumer 100 - dnssec 15 - dmarc_enforced 15
    # - dmarc_reject 10 - mta_sts 5 = 55 (< 60); site 115; privacy 100 → 270, not on the roll.
    assert (weak.consumer, weak.site, weak.privacy, weak.total, weak.honor_roll) == (55, 115, 100, 270, False)
    assert audit.organizations == 2 and audit.honor_roll == 1 and audit.missing == ["absent.example"]
    event = AuditEvent.objects.get(audit=audit)
    assert event.action == "run" and event.actor == staff and "2 scored" in event.note
    assert len(report.scored) == 2


def test_a_second_audit_of_the_same_year_is_refused_unless_replacing(results):
    services.run_audit(2026, results, commit=True)
    with pytest.raises(services.TrustError, match="exists"):
        services.run_audit(2026, results, commit=True)
    services.run_audit(2026, results, commit=True, replace=True)
    assert Scorecard.objects.count() == 2 and AuditEvent.objects.count() == 2


@pytest.mark.parametrize("problem, message", [("empty", "no .parquet"), ("missing", "not a folder"),
                                               ("garbage", "not a readable Parquet")])
def test_bad_result_folders_are_refused_and_store_nothing(tmp_path, orgs, problem, message):
    folder = tmp_path / "r"
    if problem != "missing":
        folder.mkdir()
    if problem == "garbage":
        (folder / "x.parquet").write_bytes(b"not parquet")
    with pytest.raises(services.TrustError, match=message):
        services.run_audit(2026, folder, commit=True)
    assert not Audit.objects.exists()


def _freeze(folder):
    """Make the scan files and their folder read-only, and note their bytes and times."""
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    for p in folder.iterdir():
        p.chmod(stat.S_IRUSR | stat.S_IRGRP)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return before


def test_rescore_with_other_weights_runs_no_probe_and_only_reads_the_files(results, orgs, tmp_path, monkeypatch):
    services.run_audit(2026, results, commit=True)
    before = _freeze(results)

    def no_probe(*args, **kwargs):
        raise AssertionError("a probe ran during a re-score")

    import isoc.enablers.probes_dns as probes_dns
    import isoc.enablers.probes_web as probes_web
    import isoc.enablers.scanner as scanner
    for module, name in ((scanner, "measure"), (scanner, "run_probes"), (scanner, "scan"), (scanner, "scan_domains")):
        monkeypatch.setattr(module, name, no_probe)
    for module in (probes_dns, probes_web):
        for name in dir(module):
            if name.startswith("probe") and callable(getattr(module, name)):
                monkeypatch.setattr(module, name, no_probe)
    sections = scoring.load_weights().as_sections()
    sections["consumer"]["dnssec"], sections["consumer"]["spf"] = 30, 0  # DNSSEC counts double, SPF nothing
    weights = scoring.validate_weights(sections, "new.toml")
    try:
        report = services.rescore(2026, weights)
    finally:
        results.chmod(0o755)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in results.iterdir()}
    assert after == before
    weak = Scorecard.objects.get(organization=orgs["weak"])
    # consumer: 55 - spf 15 (now 0) = 40; dnssec still failed → 40
    assert weak.consumer == 40 and weak.total == 255
    assert Audit.objects.get(year=2026).weights_source == "new.toml"
    assert [s.previous.total for s in report.scored if s.organization == orgs["weak"]] == [270]
    assert AuditEvent.objects.filter(action="rescore").count() == 1


def test_rescoring_with_the_same_weights_gives_the_same_scores(results):
    services.run_audit(2026, results, commit=True)
    first = list(Scorecard.objects.order_by("organization__name").values("total", "criteria", "categories"))
    services.rescore(2026, services.weights_in_force())
    assert list(Scorecard.objects.order_by("organization__name").values("total", "criteria", "categories")) == first


def test_rescore_refuses_a_changed_or_missing_file(results):
    services.run_audit(2026, results, commit=True)
    pq.write_table(to_table([exemplary("weak.example")]), results / "s-00001.parquet")
    with pytest.raises(services.TrustError, match="changed since the 2026 audit"):
        services.rescore(2026, services.weights_in_force())
    os.remove(results / "s-00001.parquet")
    with pytest.raises(services.TrustError, match="is gone"):
        services.rescore(2026, services.weights_in_force())
    with pytest.raises(services.TrustError, match="no audit for 2031"):
        services.rescore(2031, services.weights_in_force())


def test_a_penalty_recomputes_the_years_scorecard_from_its_stored_outcomes(results, orgs, staff):
    services.run_audit(2026, results, commit=True)
    services.record_adjustment(orgs["good"], 2026, "penalty", 50, reason="Breach of card data", source="Regulator",
                               category="consumer", actor=staff)
    card = Scorecard.objects.get(organization=orgs["good"])
    # consumer 105 - 50 = 55 < 60: off the Honor Roll although the total is 270
    assert (card.consumer, card.total, card.adjustments, card.honor_roll) == (55, 270, -50, False)
    assert Audit.objects.get(year=2026).honor_roll == 0
    with pytest.raises(services.TrustError):
        services.record_adjustment(orgs["good"], 2026, "penalty", 0, reason="x", source="y")
    with pytest.raises(services.TrustError):
        services.record_adjustment(orgs["good"], 2026, "fine", 5, reason="x", source="y")
    # A re-run of the audit keeps counting the recorded penalty.
    services.run_audit(2026, results, commit=True, replace=True)
    assert Scorecard.objects.get(organization=orgs["good"]).consumer == 55


def test_organizations_match_members_by_website_domain(db):
    from isoc.members.models import Organization, OrganizationTier

    tier = OrganizationTier.objects.order_by("rank").first()
    member = Organization.objects.create(legal_name="Acme", slug="acme", country="KE", tier=tier,
                                         website="https://www.acme.example/about")
    org = services.create_organization("ACME Corporation", "acme.example", "Retail")
    assert org.organization == member
    assert services.create_organization("Other", "other.example", "Retail").organization is None


def test_import_is_all_or_nothing_and_names_bad_lines(db):
    text = "name,domain,sector,country\nA Bank,a.example,Banking,KE\nB Shop,not a domain,Retail,\nC,c.example,,\n"
    report = services.import_organizations(text, source="orgs.csv", commit=True)
    assert report.errors == ["orgs.csv:3: domain 'not a domain' is not a domain name", "orgs.csv:4: sector is empty"]
    assert not AuditedOrganization.objects.exists()
    good = "name,domain,sector\nA Bank,https://a.example/,Banking\nB Shop,b.example,Retail\n"
    assert services.import_organizations(good).created == 2 and not AuditedOrganization.objects.exists()
    report = services.import_organizations(good, commit=True)
    assert (report.created, report.committed) == (2, True)
    assert set(AuditedOrganization.objects.values_list("primary_domain", flat=True)) == {"a.example", "b.example"}
    assert services.import_organizations(good, commit=True).updated == 2
    assert services.import_organizations("name,sector\nx,y\n").errors == [
        "CSV: missing column(s) domain (expected name, domain, sector, country)"]


def test_cli_audit_rescore_weights_and_import(results, tmp_path, orgs):
    runner = CliRunner()
    dry = runner.invoke(app, ["trust", "audit", "--year", "2026", "--results", str(results)])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and not Audit.objects.exists()
    done = runner.invoke(app, ["trust", "audit", "--year", "2026", "--results", str(results), "--commit"])
    assert done.exit_code == 0 and Scorecard.objects.count() == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[consumer]\nspf = 101\n")
    refused = runner.invoke(app, ["trust", "rescore", "--year", "2026", "--weights", str(bad)])
    assert refused.exit_code == 2 and "weights sum to 101" in refused.output
    checked = runner.invoke(app, ["trust", "weights", str(bad)])
    assert checked.exit_code == 2 and "missing section [site]" in checked.output
    good = tmp_path / "good.toml"
    good.write_text(scoring.DEFAULT_WEIGHTS_FILE.read_text().replace("spf = 15", "spf = 5").replace("dkim = 15", "dkim = 25"))
    assert runner.invoke(app, ["trust", "weights", str(good)]).exit_code == 0
    again = runner.invoke(app, ["trust", "rescore", "--year", "2026", "--weights", str(good)])
    assert again.exit_code == 0, again.output
    assert Audit.objects.get(year=2026).weights["dkim"] == 25
    csv_file = tmp_path / "orgs.csv"
    csv_file.write_text("name,domain,sector\nNew Org,new.example,Retail\n")
    assert runner.invoke(app, ["trust", "import-organizations", str(csv_file)]).exit_code == 0
    assert not AuditedOrganization.objects.filter(primary_domain="new.example").exists()
    assert runner.invoke(app, ["trust", "import-organizations", str(csv_file), "--commit"]).exit_code == 0
    assert AuditedOrganization.objects.filter(primary_domain="new.example").exists()
