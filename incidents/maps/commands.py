"""``python -m incidents basemap import|list``: the analyst's own offline basemaps."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("basemap")
def basemap() -> None:
    """Import MBTiles or PMTiles basemaps (raster or vector) for village detail offline."""


@basemap.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="Name in the layer control (default: the file's).")
def import_command(file: Path, name: str | None) -> None:
    """Copy an MBTiles or PMTiles FILE into the state dir; the dashboard lists it as a base layer."""
    from incidents.maps.basemaps import import_basemap

    found = import_basemap(file, name)
    click.echo(f"{found.name}: {found.format} tiles, zoom {found.min_zoom}-{found.max_zoom}"
               f" ({found.path})")


@basemap.command("list")
def list_command() -> None:
    """The imported basemaps."""
    from incidents.maps.basemaps import list_basemaps

    for found in list_basemaps():
        click.echo(f"{found.name}\t{found.format}\tzoom {found.min_zoom}-{found.max_zoom}")


COMMANDS = [basemap]
