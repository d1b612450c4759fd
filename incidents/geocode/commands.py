"""Click commands of the geocoding stage; ``incidents/cli.py`` registers them.

``gazetteer`` is a group (build, import, info); ``geocode`` places one query.
"""

from __future__ import annotations

import inspect
import json
import time
from pathlib import Path

import click

from incidents.errors import GeocodeError
from incidents.geocode.build import build_gazetteer, is_built
from incidents.geocode.gazetteer import load_gazetteer
from incidents.geocode.layers import import_layer
from incidents.geocode.online import available_providers, get_geocoder

RESULT_FIELDS = ("name", "latitude", "longitude", "country", "admin1", "admin2", "admin3", "precision", "method",
                 "score")


@click.group("gazetteer")
def gazetteer_group() -> None:
    """Build and extend the offline gazetteer."""


@gazetteer_group.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if the index is up to date.")
@click.option("--quiet", is_flag=True, help="Print nothing on success.")
def build_command(force: bool, quiet: bool) -> None:
    """Build the gazetteer index from the installed GeoNames-derived packages and the bundled
    Sahel file (no download). `make setup` runs it, so the first import does not wait for it."""
    already = is_built() and not force
    started = time.perf_counter()
    counts = build_gazetteer(force=force)
    if not quiet:
        state = "up to date" if already else f"built in {time.perf_counter() - started:.1f}s"
        click.echo(f"gazetteer {state}: {counts['places']} places, {counts['alternate_names']} alternate names, "
                   f"{counts['countries']} countries")


@gazetteer_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["geonames", "csv", "xlsx"]), default=None,
              help="File format (default: from the extension: .csv/.tsv/.xlsx are tables, else geonames).")
def import_command(path: Path, fmt: str | None) -> None:
    """Add a GeoNames country dump, an OCHA/COD settlements list (XLSX/CSV with P-codes)
    or any CSV/XLSX with name, latitude and longitude (and optional admin1-3, country,
    alternate names) as a user layer."""
    try:
        layer, count = import_layer(path, fmt)
    except GeocodeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"imported {count} places into layer {layer}")


@gazetteer_group.command("info")
def info_command() -> None:
    """Show the size of the loaded gazetteer (bundled index plus user layers)."""
    started = time.perf_counter()
    gazetteer = load_gazetteer()
    loaded = time.perf_counter() - started
    layers = gazetteer.places["layer"].value_counts().to_dict()
    click.echo(f"{len(gazetteer)} places, {gazetteer.alternate_name_count} alternate names; layers: {layers}")
    outside = gazetteer.outside_admin1
    click.echo(f"{int(outside.sum())} entries lie outside their own admin-1 region (demoted when ranking)")
    if outside.any():
        sample = gazetteer.places.loc[outside, ["name", "country_code", "admin1", "latitude", "longitude"]].head(5)
        for row in sample.itertuples(index=False):
            click.echo(f"  e.g. {row.name} ({row.admin1}, {row.country_code}) at {row.latitude:.4f}, {row.longitude:.4f}")
    click.echo(f"loaded in {loaded:.2f}s")


@click.command("geocode")
@click.argument("query")
@click.option("--country", default=None, help="ISO2, ISO3, English or French country name.")
@click.option("--admin1", default=None, help="Region / admin-1 name, used to choose among homonyms.")
@click.option("--admin2", default=None, help="Cercle / province / admin-2 name.")
@click.option("--admin3", default=None, help="Commune / department / admin-3 name (the offline gazetteer uses it).")
@click.option("--provider", type=click.Choice(available_providers()), default="gazetteer",
              help="Online providers are opt-in and fall back to the gazetteer.")
@click.option("--provider-url", envvar="INCIDENTS_GEOCODER_URL", default=None,
              help="Where the online provider is asked (http(s)://host[/path]); "
                   "also $INCIDENTS_GEOCODER_URL.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def geocode_command(query: str, country: str | None, admin1: str | None, admin2: str | None,
                    admin3: str | None, provider: str, provider_url: str | None,
                    as_json: bool) -> None:
    """Place one location name, or a relative phrase ("Gao 50km W", "près de Mopti")."""
    options = {"provider_url": provider_url} if provider_url and provider != "gazetteer" else {}
    geocoder = get_geocoder(provider, **options)
    extra = {"admin3": admin3} if admin3 and "admin3" in inspect.signature(geocoder.geocode).parameters else {}
    found = geocoder.geocode(query, country=country, admin1=admin1, admin2=admin2, **extra)
    for error in getattr(geocoder, "errors", []):
        click.echo(f"note: {error}; fell back to the next geocoder", err=True)
    if found is None:
        context = ", ".join(v for v in (admin2, admin1, country) if v)
        raise click.ClickException(f"no match for {query!r}" + (f" in {context}" if context else ""))
    if as_json:
        click.echo(json.dumps(found.raw, ensure_ascii=False, indent=2))
        return
    for field in RESULT_FIELDS:
        click.echo(f"{field}: {found.raw.get(field) if found.raw.get(field) is not None else ''}")
    if found.raw.get("review"):
        click.echo(f"review: {found.raw['review']}")
    if found.raw.get("ambiguous"):
        others = [c["name"] + f" ({c.get('admin1') or '?'}, {c.get('country_code')})" for c in found.raw["candidates"][1:]]
        click.echo("ambiguous: also " + "; ".join(others))


COMMANDS = [gazetteer_group, geocode_command]
