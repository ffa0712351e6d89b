"""``isoc elections …``: re-count published ballots, with no database."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Board of Trustees elections: re-count published ballots.", no_args_is_help=True)


@app.command()
def tally(
    ballots: Annotated[Path, typer.Argument(help="A published ballots file (ballots.json).", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result (every round) as JSON.")] = False,
) -> None:
    """Count a published ballots file exactly as the site does; prints who is elected."""
    from isoc.elections.tally import TallyError, tally_file

    try:
        result = tally_file(ballots)
    except TallyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        json.dump(result, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
        return
    typer.echo(f"{result['election']} ({result['method']})")
    for c in result["contests"]:
        typer.echo(f"{c['electorate']}: {c['seats']} seat(s), {c['ballots']} ballots, weight {c['weight']}, "
                   f"{c['invalid']} invalid")
        for cand, votes in sorted(c["counts"].items(), key=lambda kv: -float(kv[1])):
            mark = "  elected" if cand in c["elected"] else ""
            typer.echo(f"  {cand}: {votes}{mark}")
