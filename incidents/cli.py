"""The ``python -m incidents`` command group.

The pipeline commands (ingest, export, demo, load-samples) live here. Each
other stage contributes its own commands from ``incidents/<stage>/commands.py``:
either a ``COMMANDS`` list, or else every top-level click command of that
module that is not already a subcommand of one of its groups.

Expected failures (a bad file, a store or export problem) print one line on
stderr and exit with status 2, like click's usage errors; only bugs show a
traceback. Heavy modules (pandas, geopandas, the store) are imported inside
the commands, so ``--help`` and the other stages' commands start quickly.
"""

from __future__ import annotations

import importlib
import json
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from incidents.config import MAX_INPUT_BYTES
from incidents.errors import IncidentsError

if TYPE_CHECKING:
    from incidents.store import IncidentStore

EXPECTED_ERROR_EXIT = 2
STAGE_COMMAND_MODULES = (
    "incidents.geocode.commands",
    "incidents.regions.commands",
    "incidents.extract.commands",
    "incidents.maps.commands",
    "incidents.report.commands",
)
EXPORT_FORMATS = ("geojson", "csv", "gpkg", "kml")  # incidents.io.writers.FORMATS
MAX_INPUT_MIB = MAX_INPUT_BYTES // (1024 * 1024)
DEMO_FORMATS = {".csv": "csv", ".geojson": "geojson", ".json": "geojson"}


class IncidentsGroup(click.Group):
    """A click group that turns the package's own errors into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (IncidentsError, OSError) as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(EXPECTED_ERROR_EXIT)


@click.group(cls=IncidentsGroup)
def cli() -> None:
    """Incident mapping for conflict analysts."""


def _store_option(function: Any) -> Any:
    return click.option(
        "--store",
        "store_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="SQLite store file (default: incidents.sqlite in $INCIDENTS_HOME, else var/).",
    )(function)


def _open_store(store_path: Path | None) -> IncidentStore:
    from incidents.store import IncidentStore

    return IncidentStore(store_path)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@cli.command("ingest")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_store_option
@click.option("--no-geocode", is_flag=True, help="Store rows without coordinates unplaced.")
@click.option("--max-mb", type=click.IntRange(min=1), default=MAX_INPUT_MIB, show_default=True,
              help="Refuse a bigger file. The default matches the dashboard's upload limit; "
                   "a full ACLED export of a million events is about 500 MB.")
def ingest_command(file: Path, store_path: Path | None, no_geocode: bool, max_mb: int) -> None:
    """Read FILE, place rows lacking coordinates offline, store it; print a JSON summary."""
    from incidents.pipeline import ingest_file

    summary = ingest_file(file, store=_open_store(store_path), geocode=not no_geocode,
                          max_bytes=max_mb * 1024 * 1024)
    _echo_json(summary)


@cli.command("load-samples")
@_store_option
@click.option("--no-geocode", is_flag=True, help="Store rows without coordinates unplaced.")
def load_samples_command(store_path: Path | None, no_geocode: bool) -> None:
    """Ingest the bundled sample files (seed incident, Sahel examples, bad rows)."""
    from incidents.pipeline import load_samples

    _echo_json(load_samples(_open_store(store_path), geocode=not no_geocode))


@cli.command("export")
@_store_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("--country", "countries", multiple=True, help="Repeatable; accents/case ignored.")
@click.option("--region", "admin1s", multiple=True, help="Admin-1 region; repeatable.")
@click.option("--type", "event_types", multiple=True, help="ACLED event type; repeatable.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="YYYY-MM-DD, inclusive.")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="YYYY-MM-DD, inclusive.")
@click.option("--actor", default=None, help="Substring of any actor name.")
@click.option("--text", default=None, help="Words that must all appear in notes, place, actors or source.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(
    store_path: Path | None,
    fmt: str,
    countries: tuple[str, ...],
    admin1s: tuple[str, ...],
    event_types: tuple[str, ...],
    start: Any,
    end: Any,
    actor: str | None,
    text: str | None,
    output: Path,
) -> None:
    """Write the stored incidents that match the filters to OUTPUT."""
    from incidents.filters import FilterSpec, apply_filters
    from incidents.io.writers import export

    spec = FilterSpec(
        start=_day(start), end=_day(end), countries=countries, admin1s=admin1s,
        event_types=event_types, actor=actor, text=text,
    )
    selected = apply_filters(_open_store(store_path).load(), spec)
    summary = export(selected, fmt, output)
    skipped = f" ({summary.rows_skipped} without coordinates skipped)" if summary.rows_skipped else ""
    click.echo(f"wrote {summary.rows_written} incidents to {output}{skipped}", err=True)


@cli.command("demo")
@click.option("--n", "count", type=click.IntRange(min=0), default=1000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Ends in .csv, .geojson or .json.")
def demo_command(count: int, seed: int, output: Path) -> None:
    """Write COUNT synthetic (fictional) Sahel incidents to OUTPUT."""
    from incidents.frame import to_geodataframe
    from incidents.io.writers import export
    from incidents.synthetic import synthetic_incidents

    fmt = DEMO_FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise click.BadParameter(
            f"{output.name}: use a .csv, .geojson or .json file name", param_hint="-o"
        )
    summary = export(to_geodataframe(synthetic_incidents(count, seed=seed)), fmt, output)
    click.echo(f"wrote {summary.rows_written} synthetic incidents to {output}", err=True)


def _day(value: Any) -> date | None:
    return value.date() if value is not None else None


def _stage_commands(module: ModuleType) -> list[click.Command]:
    listed = getattr(module, "COMMANDS", None)
    if listed is not None:
        return list(listed)
    found = [v for v in vars(module).values() if isinstance(v, click.Command)]
    nested = {
        id(sub) for group in found if isinstance(group, click.Group)
        for sub in group.commands.values()
    }
    return [command for command in found if id(command) not in nested]


def register_stage_commands(group: click.Group) -> None:
    """Add the commands of every stage whose ``commands`` module exists."""
    for name in STAGE_COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is not None and name.startswith(error.name):
                continue
            raise
        for command in _stage_commands(module):
            if command.name not in group.commands:
                group.add_command(command)


register_stage_commands(cli)


def main() -> None:
    cli(prog_name="python -m incidents")
