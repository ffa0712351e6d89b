"""Docs can't drift: every setting, CLI command and API endpoint is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command

from isoc.site.cli import app
from isoc.site.config import ENVIRONMENT

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_readme_opens_with_the_two_commands():
    head = README[:1500]
    assert "make run" in head and "make test" in head


@pytest.mark.parametrize("var", [v.name for v in ENVIRONMENT])
def test_every_environment_variable_is_documented(var):
    assert f"`{var}`" in README, f"{var} is read by isoc.site.config but not documented in README.md"


def _cli_commands(group, prefix="isoc"):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _cli_commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}"


@pytest.mark.parametrize("command", sorted(_cli_commands(get_command(app))))
def test_every_cli_command_is_documented(command):
    assert f"`{command}" in README, f"`{command}` is a CLI command missing from README.md"


def test_every_api_endpoint_is_documented(db):
    from isoc.site.api import api

    schema = api.get_openapi_schema()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if f"`{method.upper()} {path}`" not in README
    ]
    assert not missing, f"API endpoints missing from README.md: {missing}"


def test_documented_endpoints_exist(db):
    """The reverse: the README does not promise endpoints that are gone."""
    from isoc.site.api import api

    paths = {f"{m.upper()} {p}" for p, ops in api.get_openapi_schema()["paths"].items() for m in ops}
    documented = set(re.findall(r"`((?:GET|POST|PATCH|PUT|DELETE) /api/v1/[^`]*)`", README))
    assert documented <= paths, f"README documents endpoints that do not exist: {documented - paths}"
