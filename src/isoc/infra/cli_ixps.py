"""``isoc infra import-peeringdb DIR`` and ``isoc infra import-pch DIR --as-of DATE``;
``isoc infra link-manrs``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer


def _report(summary) -> None:
    for line in summary.lines():
        typer.echo(line)
    for a in summary.ambiguous[:20]:
        typer.echo(f"  ambiguous: {a['source_id']} ↔ {', '.join(a['candidates'])}: {a['reason']}")
    for note in summary.notes[:20]:
        typer.echo(f"  left out: {note}")
    if len(summary.notes) > 20:
        typer.echo(f"  … and {len(summary.notes) - 20} more (all in import run {summary.run_id})")
    if summary.error is not None:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this part's commands to ``isoc infra``."""

    @app.command("import-peeringdb")
    def import_peeringdb(directory: Annotated[Path, typer.Argument(
            help="A PeeringDB API dump: ix.json, ixlan.json, ixpfx.json [, netixlan.json]")]):
        """Import IXPs, peering LANs, prefixes (and members when netixlan.json is there) from a PeeringDB dump; its date is meta.generated."""
        from isoc.site.cli import setup_django

        setup_django()
        from isoc.infra.services import ixps as services

        _report(services.import_directory("peeringdb", directory))

    @app.command("import-pch")
    def import_pch(directory: Annotated[Path, typer.Argument(
                       help="PCH export: ixp_exchange.csv, ixp_subnets.csv, ixp_membership.csv")],
                   as_of: Annotated[str, typer.Option(
                       "--as-of", help="The day the export describes (YYYY-MM-DD): PCH files carry no date")]):
        """Import IXPs, subnets and members from the PCH directory CSVs as a snapshot of --as-of."""
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            typer.echo(f"--as-of: not a date (YYYY-MM-DD): {as_of!r}", err=True)
            raise typer.Exit(2) from None
        from isoc.site.cli import setup_django

        setup_django()
        from isoc.infra.services import ixps as services

        _report(services.import_directory("pch", directory, as_of=day))

    @app.command("link-manrs")
    def link_manrs():
        """Link IXPs to MANRS IXP-programme participants with the same name or website (where exactly one matches)."""
        from isoc.site.cli import setup_django

        setup_django()
        from isoc.infra.services import ixps as services

        typer.echo(f"linked {services.link_manrs_automatically()} IXPs to MANRS participants")
