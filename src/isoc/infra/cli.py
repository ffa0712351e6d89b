"""``isoc infra …``: IXP imports (``cli_ixps``) and community network tools (``cli_community``)."""

from __future__ import annotations

import typer

from isoc.infra import cli_community, cli_ixps

app = typer.Typer(help="IXPs and community networks: import directories, plan a network.", no_args_is_help=True)
cli_ixps.register(app)
cli_community.register(app)
