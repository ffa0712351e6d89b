"""``isoc infra import-peeringdb|import-pch|link-manrs``: counts reported, the PCH date
required, a malformed file named with its row (exit status 1, nothing stored)."""

from __future__ import annotations

import pytest
from tests.infra_ixps.test_ixps_parsers import write_pch, write_pdb
from typer.testing import CliRunner

from isoc.infra.models import Ixp, Membership
from isoc.site.cli import app

pytestmark = pytest.mark.django_db


def run(*args: str):
    result = CliRunner().invoke(app, ["infra", *args])
    result.text = " ".join(result.output.split())
    return result


def test_import_pch_and_peeringdb(tmp_path):
    result = run("import-pch", str(write_pch(tmp_path / "pch")), "--as-of", "2017-02-08")
    assert result.exit_code == 0, result.output
    assert "pch snapshot of 2017-02-08: applied" in result.text and "members read 1: joined 1, left 0" in result.text
    assert Ixp.objects.count() == 1 and Membership.objects.count() == 1
    result = run("import-peeringdb", str(write_pdb(tmp_path / "pdb")))
    assert result.exit_code == 0 and "IXPs read 1: new 1" in result.text
    assert "no member file" in result.text
    again = run("import-pch", str(tmp_path / "pch"), "--as-of", "2017-02-08")
    assert "unchanged" in again.text
    assert "linked 0 IXPs" in run("link-manrs").text


def test_pch_needs_a_valid_date(tmp_path):
    d = str(write_pch(tmp_path))
    assert run("import-pch", d).exit_code == 2  # --as-of is required
    bad = run("import-pch", d, "--as-of", "08/02/2017")
    assert bad.exit_code == 2 and "not a date" in bad.text


def test_malformed_file_named_nothing_stored(tmp_path):
    d = write_pch(tmp_path, mem=("196.223.9.0/24, 196.223.9.10, , 37119, Unitel", "196.223.9.0/24, nope, , 1, X"))
    result = run("import-pch", str(d), "--as-of", "2017-02-08")
    assert result.exit_code == 1
    assert "rejected, nothing stored" in result.text and "ixp_membership.csv, row 3" in result.text
    assert not Ixp.objects.exists()
