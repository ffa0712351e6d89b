"""``isoc infra plan``: the community-network cost planner on the command line."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    """Add this part's commands to ``isoc infra``."""

    @app.command("plan")
    def plan(
        households: int = typer.Option(..., help="Households in the community."),
        area: str = typer.Option(..., help="Area to cover, in km²."),
        terrain: str = typer.Option(..., help="flat, hilly, mountainous or dense_forest."),
        backhaul: str = typer.Option(..., help="fibre, microwave, geo_satellite or leo_satellite."),
        take_up: str = typer.Option("0.6", help="Share of households that connect (0.05 to 1)."),
        as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
    ) -> None:
        """Estimate a community network's capital and monthly cost and the monthly cost per
        household (Internet Society estimates, USD; the assumptions are printed too)."""
        from isoc.infra import planner

        try:
            p = planner.plan(planner.community(households, area, terrain, backhaul, take_up))
        except planner.PlanError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
        data = planner.as_dict(p)
        if as_json:
            typer.echo(json.dumps(data, indent=2))
            return
        cur = data["currency"]
        typer.echo(f"{data['label']}")
        typer.echo(f"{p.connected_households} connected households, {p.nodes} nodes, "
                   f"{p.backhaul_units} backhaul links, {p.technicians} technicians")
        typer.echo("Capital cost:")
        for x in p.capital:
            typer.echo(f"  {x.key:<20} {x.quantity:>7} × {x.unit_cost:>10} = {x.amount:>12} {cur}")
        typer.echo(f"  {'total':<20} {p.capital_total:>35} {cur}")
        typer.echo("Operating cost per month:")
        for x in p.monthly:
            typer.echo(f"  {x.key:<20} {x.quantity:>7} × {x.unit_cost:>10} = {x.amount:>12} {cur}")
        typer.echo(f"  {'total':<20} {p.monthly_total:>35} {cur}")
        typer.echo(f"Amortised capital per month: {p.amortised_capital_monthly} {cur}")
        typer.echo(f"Monthly cost per connected household: {p.monthly_per_household} {cur}")
        typer.echo("Assumptions used:")
        for a in p.used:
            typer.echo(f"  {a.key} = {a.value}  ({a.note})")
