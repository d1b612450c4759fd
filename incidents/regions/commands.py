"""``python -m incidents regions ...``: load, list and choose boundary sets; look up points;
re-assign stored incidents to the active set."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np
import pandas as pd

from incidents.i18n import available_languages
from incidents.regions.assign import assign_regions, locate_units, region_changes, region_index
from incidents.regions.crosswalk import expand_admin1, rule_text
from incidents.regions.sets import active_region_set, list_region_sets, load_region_file, use_region_set


@click.group("regions")
def regions_group() -> None:
    """Admin boundaries: the bundled Natural Earth set or your organisation's own."""


@regions_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="Name to store the set under (letters, digits, . _ -).")
@click.option("--admin1-field", required=True, help="Field holding the admin-1 name, e.g. ADM1_FR.")
@click.option("--admin1-code-field", default=None, help="Field holding the admin-1 code, e.g. ADM1_PCODE.")
@click.option("--admin2-field", default=None, help="Field holding the admin-2 name, if the layer is admin-2.")
@click.option("--admin2-code-field", default=None, help="Field holding the admin-2 code.")
@click.option("--country-field", default=None, help="Field holding the ISO alpha-2 country code.")
@click.option("--country", "country_code", default=None, help="ISO alpha-2 code for a one-country layer.")
@click.option("--layer", default=None, help="Layer to read from a multi-layer GeoPackage.")
@click.option("--no-activate", is_flag=True, help="Store the set without making it the active one.")
def load_command(file: Path, name: str, admin1_field: str, admin1_code_field: str | None,
                 admin2_field: str | None, admin2_code_field: str | None, country_field: str | None,
                 country_code: str | None, layer: str | None, no_activate: bool) -> None:
    """Load boundaries from FILE (GeoJSON, zipped Shapefile or GeoPackage) as set NAME."""
    report = load_region_file(
        file, name=name, admin1_field=admin1_field, admin1_code_field=admin1_code_field,
        admin2_field=admin2_field, admin2_code_field=admin2_code_field,
        country_field=country_field, country_code=country_code, layer=layer, activate=not no_activate,
    )
    for line in report.lines():
        click.echo(line)
    if not no_activate:
        click.echo(f"active region set: {name}")


@regions_group.command("list")
def list_command() -> None:
    """List region sets; the active one is marked with '*'."""
    for entry in list_region_sets():
        mark = "*" if entry["active"] else " "
        levels = "+".join(entry.get("levels") or [])
        click.echo(f"{mark} {entry['name']}\t{entry['units']} units ({levels})\t{entry['source']}")


@regions_group.command("use")
@click.argument("name")
def use_command(name: str) -> None:
    """Make NAME the active region set."""
    use_region_set(name)
    click.echo(f"active region set: {name}")


@regions_group.command("locate", context_settings={"ignore_unknown_options": True})
@click.argument("latitude", type=float)
@click.argument("longitude", type=float)
@click.option("--tolerance-km", default=5.0, show_default=True, help="Snap distance outside every unit.")
def locate_command(latitude: float, longitude: float, tolerance_km: float) -> None:
    """Print the unit of the active set that a point falls in (JSON)."""
    units, index = region_index()
    unit, distance = locate_units(
        np.array([longitude]), np.array([latitude]), tolerance_km=tolerance_km, index=index
    )
    if unit[0] < 0:
        click.echo(json.dumps(None))
        return
    row = units.iloc[int(unit[0])]
    found = {k: (None if pd.isna(row[k]) else str(row[k]))
             for k in ("country", "admin1", "admin1_code", "admin2", "admin2_code")}
    found["distance_km"] = round(float(distance[0]), 3)
    click.echo(json.dumps(found, ensure_ascii=False))


@regions_group.command("expand")
@click.argument("names", nargs=-1, required=True)
@click.option("--successors", is_flag=True, help="Include regions later carved out of these.")
@click.option("--country", default=None, help="ISO alpha-2 code, when a name exists in several countries.")
@click.option("--language", type=click.Choice(available_languages()), default="en", show_default=True)
def expand_command(names: tuple[str, ...], successors: bool, country: str | None, language: str) -> None:
    """Say which region names a filter on NAMES matches, then list them."""
    click.echo(rule_text(names, country=country, include_successors=successors, language=language))
    for name in sorted(expand_admin1(names, country=country, include_successors=successors), key=str.casefold):
        click.echo(name)


@regions_group.command("assign")
@click.option("--store", "store_path", default=None,
              help="SQLite store file (default: the state dir's incidents.sqlite).")
@click.option("--tolerance-km", default=5.0, show_default=True, help="Snap distance outside every unit.")
@click.option("--apply", is_flag=True, help="Write the changes (recorded in each incident's history).")
def assign_command(store_path: str | None, tolerance_km: float, apply: bool) -> None:
    """Re-assign stored incidents' admin1/admin2 from the active set; a dry run unless --apply."""
    from incidents.store import open_store

    store = open_store(store_path)
    before = store.load()
    after = assign_regions(before, tolerance_km=tolerance_km)
    changes = region_changes(before, after)
    flagged = sum(1 for change in changes.values() if change.get("status") == "needs_review")
    if apply:
        user = f"regions:{active_region_set()}"
        for incident_id, change in changes.items():
            store.update(incident_id, change, user=user)
    click.echo(json.dumps({"region_set": active_region_set(), "incidents": len(before),
                           "changed": len(changes), "flagged_for_review": flagged, "applied": apply}))


COMMANDS = [regions_group]
