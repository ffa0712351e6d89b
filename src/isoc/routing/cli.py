"""``isoc routing …``: work on MRT and VRP files directly, and revalidate stored routes.

- ``isoc routing dump FILE`` prints ``bgpdump -m`` lines (the same text, line for line);
- ``isoc routing validate FILE --vrps VRPS`` validates every route of an MRT file against a
  VRP file (RFC 6811), prints a summary table and writes every route's state to CSV/Parquet;
- ``isoc routing revalidate`` validates the imported route snapshots again against the
  latest imported VRPs (the only one of the three that uses the database).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="BGP and RPKI files: dump MRT like bgpdump, validate routes against VRPs.",
                  no_args_is_help=True)
console = Console(stderr=True)

_STATE_LABELS = ("valid", "invalid-as", "invalid-length", "not-found")


def _warn(warning) -> None:
    print(f"warning: {warning}", file=sys.stderr)


@app.command()
def dump(
    file: Annotated[Path, typer.Argument(help="An MRT file (plain, gzip or bzip2).", exists=True, dir_okay=False)],
) -> None:
    """Print every record as ``bgpdump -m`` would (RIB entries, announcements, withdrawals,
    state changes). Damaged input: every intact record, then a warning with the byte offset."""
    from isoc.routing.bgpdump_format import format_element
    from isoc.routing.mrt import iter_elements

    out = sys.stdout
    try:
        for element in iter_elements(file, on_warning=_warn):
            out.write(format_element(element))
            out.write("\n")
    except BrokenPipeError:  # `isoc routing dump x | head`
        sys.stderr.close()
        raise typer.Exit(0) from None


def _progress():
    from isoc.site.cli import progress_bar

    return progress_bar("Decoding", None)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="An MRT RIB or updates file.", exists=True, dir_okay=False)],
    vrps: Annotated[Path, typer.Option("--vrps", help="VRPs: rpki-client or Routinator JSON, or CSV.", exists=True, dir_okay=False)],
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write every route's state here (CSV).")] = None,
    parquet_out: Annotated[Path | None, typer.Option("--parquet", help="Write every route's state here (Parquet).")] = None,
) -> None:
    """Validate each distinct (prefix, origin AS) announced in FILE against VRPS (RFC 6811):
    valid, invalid (wrong origin AS, or longer than maxLength) or not found. Routes whose
    path ends in an AS_SET have no origin: invalid when covered by a VRP, else not found."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from isoc.routing import elements, rov, summary
    from isoc.routing import vrps as vrp_files

    try:
        vrpset = vrp_files.load_vrps(vrps)
    except (vrp_files.VRPError, ValueError, EOFError, OSError) as exc:
        console.print(f"[red]error:[/red] {vrps}: {exc}", highlight=False)
        raise typer.Exit(2) from exc
    index = rov.build_index(vrpset)
    sink = summary.Summarizer()
    with _progress() as advance:
        for batch in elements.read_batches(file, on_warning=_warn):
            sink.add(batch)
            advance(batch.num_rows)
    routes = sink.finish()
    table = routes.routes
    states = index.validate(table["prefix"].to_pylist(), table["origin_asn"].to_pylist())
    names = pa.array([_STATE_LABELS[s] for s in states.tolist()], type=pa.string())
    out = pa.table({"prefix": table["prefix"], "origin_asn": table["origin_asn"], "state": names,
                    "peers": table["peers"], "as_path": table["as_path"]})
    counts = Counter(names.to_pylist())
    total = out.num_rows
    report = Table(title=f"{total:,} routes in {file.name}", caption=f"against {len(vrpset):,} VRPs of {vrps.name}")
    report.add_column("state")
    report.add_column("routes", justify="right")
    report.add_column("share", justify="right")
    for label in _STATE_LABELS:
        n = counts.get(label, 0)
        report.add_row(label, f"{n:,}", f"{100 * n / total:.2f}%" if total else "–")
    Console().print(report)
    if csv_out:
        pacsv.write_csv(out, csv_out)
    if parquet_out:
        pq.write_table(out, parquet_out, compression="zstd")


@app.command()
def revalidate() -> None:
    """Validate every imported route snapshot again against the latest imported VRPs, and
    recompute the scores of the months they cover (after importing newer RPKI data)."""
    from isoc.site.cli import setup_django

    setup_django()
    from isoc.routing.services import revalidate as revalidate_routes

    try:
        done = revalidate_routes()
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    for snap in done:
        typer.echo(f"{snap.dataset.slug}: {snap.valid:,} valid, {snap.invalid_as:,} invalid-as, "
                   f"{snap.invalid_length:,} invalid-length, {snap.not_found:,} not-found")
