"""``palmap import network``: a walking network from an OpenStreetMap extract
(:mod:`mapping.io.network`, :mod:`mapping.network`), stored for access measured along streets
and paths. Registered in ``palmap import`` by :mod:`app.cli_data`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli_common import announce_wait, cli_actor, handle_errors
from app.db import get_engine, import_limits, write_wait


@click.command("network")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Build and report the graph; write nothing.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE (.json, or .csv as key,value rows).",
)
@with_appcontext
@handle_errors
def import_network(file: Path, dry_run: bool, report_path: Path | None) -> None:
    """A walking network from an OpenStreetMap extract (.osm or .osm.pbf): footways, paths and
    streets (no motorways, no foot=no, no private ways), split at shared nodes. It replaces the
    stored network; access is then measured along it (palmap analyse access --distance)."""
    from mapping.db import audit, store
    from mapping.db.network import save_network
    from mapping.io.network import read_network

    network, report = read_network(file, limits=import_limits())
    for line in report.lines_text():
        click.echo(line, err=line.startswith("Warning"))
    if report_path is not None:
        _write_report(report_path, report.as_dict())
        click.echo(f"Report written to {report_path}.", err=True)
    if dry_run:
        click.echo("Dry run: nothing written.")
        return
    engine = get_engine()
    with store.write_transaction(
        engine, what="import network", wait=write_wait(announce_wait)
    ) as conn:
        saved = save_network(conn, network)
        counts = {"nodes": network.nodes, "edges": network.edges, "unchanged": saved.unchanged}
        change = audit.Change("walking_network", f"cli:{file.name}", None, None, counts)
        audit.record(conn, [change], actor=cli_actor(), how="cli")
    if saved.unchanged:
        click.echo("The stored network is the same graph: unchanged.")
    else:
        click.echo(f"Network stored: {network.nodes} nodes, {network.edges} edges.")


def _write_report(path: Path, report: dict) -> None:
    if path.suffix.lower() == ".csv":
        rows = ["key,value"]
        for key, value in report.items():
            text = value if isinstance(value, int | float) else json.dumps(value)
            rows.append(f'{key},"{str(text).replace(chr(34), chr(34) * 2)}"')
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    else:
        path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
