"""``isoc resilience …``."""

from __future__ import annotations

import typer

app = typer.Typer(help="Internet Resilience Index: compute and export scores.", no_args_is_help=True)
