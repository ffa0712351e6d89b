"""The importers on the real PeeringDB (2016) and PCH (2017) files: counts, reconciliation
into one IXP with two sources, idempotence, provenance, and a malformed copy rejected with
its row named and nothing stored. Counts were computed once from the files and are
asserted here so that a change in parsing or matching shows."""

from __future__ import annotations

import shutil

import pytest
from tests.infra_ixps.conftest import PCH_AS_OF

from isoc.infra.models import Ixp, IxpPrefix, IxpSource, Membership, PeeringLan
from isoc.infra.services import ixps as services
from isoc.pulse.models import ImportRun

pytestmark = pytest.mark.django_db


def _counts() -> tuple:
    return (Ixp.objects.count(), IxpSource.objects.count(), PeeringLan.objects.count(), IxpPrefix.objects.count(),
            Membership.objects.count(), sorted(Membership.objects.values_list("pk", "last_seen", "left_on")),
            sorted(IxpSource.objects.values_list("pk", "ixp_id", "first_seen", "last_seen")))


def test_both_sources_reconciled_and_idempotent(client, peeringdb_dir, pch_dir):
    pdb = services.import_directory("peeringdb", peeringdb_dir)
    assert pdb.error is None and pdb.outcome == "applied"
    assert str(pdb.as_of) == "2016-10-19"  # meta.generated of ix.json
    assert (pdb.ixps_read, pdb.ixps_created, pdb.members_read) == (557, 556, None)
    assert any("XK" in n for n in pdb.notes)  # Kosovo has no ISO 3166-1 code in Pulse: reported, not stored
    assert IxpSource.objects.filter(source="peeringdb").count() == 556
    assert IxpPrefix.objects.count() == 793

    pch = services.import_directory("pch", pch_dir, as_of=PCH_AS_OF)
    assert pch.error is None and pch.outcome == "applied"
    assert (pch.ixps_read, pch.ixps_matched, pch.ixps_created, len(pch.ambiguous)) == (724, 306, 417, 32)
    assert any("XK" in n for n in pch.notes)  # Kosovo again
    assert sum(1 for m in pch.matches if m["rule"] == "prefix") == 214
    assert (pch.members_read, pch.joined, pch.left) == (2972, 2972, 0)
    assert Ixp.objects.count() == 556 + 417
    both = Ixp.objects.filter(sources__source="pch").filter(sources__source="peeringdb").distinct()
    assert both.count() == 306
    # A known pair: PCH's NAP CABASE Buenos Aires shares its IPv6 LAN with PeeringDB's 181.
    cabase = IxpSource.objects.get(source="pch", source_id="2")
    assert cabase.ixp.sources.get(source="peeringdb").source_id == "181"
    assert "2001:13c7:6001::/64" in cabase.match_reason
    # Provenance: every record names its dataset, source, run and licence.
    record = IxpSource.objects.select_related("dataset__source", "import_run").filter(source="pch").first()
    assert record.dataset.source.publisher == "Packet Clearing House" and record.import_run.outcome == "applied"
    assert record.dataset.retrieved_at is not None and record.dataset.source.licence

    # The page of the reconciled IXP shows both sources, why they were joined, and the members.
    page = client.get(cabase.ixp.get_absolute_url()).content.decode()
    assert "PeeringDB" in page and "PCH" in page and "2001:13c7:6001::/64" in page
    assert cabase.ixp.memberships.exists() and "AS" in page

    before = _counts()
    again_pdb = services.import_directory("peeringdb", peeringdb_dir)
    again_pch = services.import_directory("pch", pch_dir, as_of=PCH_AS_OF)
    assert (again_pdb.outcome, again_pch.outcome) == ("unchanged", "unchanged")
    assert again_pch.changes == 0 and _counts() == before


def test_malformed_membership_row_rejected_nothing_stored(pch_dir, tmp_path):
    copy = tmp_path / "pch"
    shutil.copytree(pch_dir, copy)
    lines = (copy / "ixp_membership.csv").read_text(encoding="utf-8").splitlines()
    lines[41] = "218.100.1.0/24, 218.100.1.999, , 4826, Broken Address"
    (copy / "ixp_membership.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = services.import_directory("pch", copy, as_of=PCH_AS_OF)
    assert result.error is not None
    assert result.error.row == 42 and result.error.field == "ip" and "ixp_membership.csv" in str(result.error)
    assert Ixp.objects.count() == 0 and Membership.objects.count() == 0
    run = ImportRun.objects.get(pk=result.run_id)
    assert run.outcome == "rejected" and run.report["error"]["row"] == 42
