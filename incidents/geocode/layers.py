"""User layers that extend the bundled gazetteer: imported files and manual placements.

Each layer is one Parquet file under ``gazetteer_dir()/layers/`` with the same
columns as the bundled places; the loader merges them all. Importing the same
file again replaces its layer, so imports are idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from incidents import config
from incidents.errors import GeocodeError

from incidents.geocode.build import PLACE_COLUMNS, place_keys, with_place_defaults
from incidents.geocode.gazetteer import LAYERS_DIR, AdminUnit, admin_key, load_gazetteer
from incidents.geocode.geonames import places_from_dump, read_dump
from incidents.geocode.tables import places_from_table, read_table

MANUAL_LAYER = "manual"


def layers_dir(directory: Path | None = None) -> Path:
    path = Path(directory or config.gazetteer_dir()) / LAYERS_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def layer_name_for(path: Path) -> str:
    return "user-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem)


def write_layer(places: pd.DataFrame, layer: str, directory: Path | None = None) -> Path:
    """Atomically write (or replace) one layer file, with its name keys precomputed."""
    target = layers_dir(directory) / f"{layer}.parquet"
    tmp = target.with_suffix(".parquet.tmp")
    table = with_place_defaults(places)[list(PLACE_COLUMNS)].assign(
        keys=["|".join(place_keys(n, a)) for n, a in zip(places["name"], places["alternates"])]
    )
    table.to_parquet(tmp, index=False)
    tmp.replace(target)
    return target


def read_layer(layer: str, directory: Path | None = None) -> pd.DataFrame:
    path = layers_dir(directory) / f"{layer}.parquet"
    if not path.exists():
        return pd.DataFrame(columns=list(PLACE_COLUMNS))
    return with_place_defaults(pd.read_parquet(path))


def _country_code(country: object, directory: Path | None) -> str | None:
    if not isinstance(country, str) or not country.strip():
        return None
    code = load_gazetteer(directory).country_code_of(country)
    if code is None:
        raise GeocodeError(f"unknown country {country!r} (use ISO2, ISO3, English or French name)")
    return code


def _canonical_admin1(names: pd.Series, codes: pd.Series, directory: Path | None) -> list[str | None]:
    """An imported layer's region names spelled as the bundled index spells them.

    A name that is a known unit or alias keeps the unit's name; a close spelling of one
    (an OCHA list's "Koulikouro") takes it; anything else stays as written.
    """
    gazetteer = load_gazetteer(directory)
    out: dict[tuple[str, str], str | None] = {}
    for code, name in set(zip(codes.fillna(""), names.fillna(""))):
        if not name:
            out[(code, name)] = None
            continue
        units = gazetteer.admin_units(code or None, 1, name)
        if not units and code:
            keys: dict[str, AdminUnit] = {}
            for unit in gazetteer.admin1_units(code):
                keys.setdefault(admin_key(unit.name), unit)
            best = process.extractOne(admin_key(name), list(keys), scorer=fuzz.ratio, score_cutoff=85)
            units = [keys[best[0]]] if best else []
        out[(code, name)] = units[0].name if units else name
    return [out[(c, n)] for c, n in zip(codes.fillna(""), names.fillna(""))]


def parse_geonames(path: Path, directory: Path | None = None) -> pd.DataFrame:
    """Places, admin units and point-like features of a GeoNames dump (19 tab-separated columns)."""
    frame = read_dump(path)
    bundled = load_gazetteer(directory)
    places = places_from_dump(frame, layer_name_for(path), bundled.admin1_by_code)
    if places.empty:
        raise GeocodeError(f"{path.name}: no populated place or admin unit in this dump")
    return places


def parse_table(path: Path, directory: Path | None = None) -> pd.DataFrame:
    """An OCHA/COD settlements list or any CSV/XLSX with a name, latitude and longitude per row."""
    table, _dropped = places_from_table(read_table(path), path.name)
    layer = layer_name_for(path)
    gazetteer = load_gazetteer(directory)
    codes = [gazetteer.country_code_of(c) if c else None for c in table["country"]]
    if any(c is None for c, given in zip(codes, table["country"]) if given):
        unknown = sorted({g for c, g in zip(codes, table["country"]) if g and c is None})
        raise GeocodeError(f"{path.name}: unknown country {', '.join(map(repr, unknown[:5]))} "
                           "(use ISO2, ISO3, English or French name)")
    table["country_code"] = codes
    ids = table["code"].where(table["code"].notna() & ~table["code"].duplicated(keep=False), None)
    table["place_id"] = [f"{layer}:{c}" if c else f"{layer}:row{i}" for i, c in enumerate(ids)]
    table["admin1"] = _canonical_admin1(table["admin1"], table["country_code"], directory)
    table["layer"] = layer
    table["outside_admin1"] = False
    return with_place_defaults(table)[list(PLACE_COLUMNS)]


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".xlsx", ".xlsm"):
        return "table"
    return "geonames"


PARSERS: dict[str, Callable[[Path, Path | None], pd.DataFrame]] = {
    "geonames": parse_geonames, "table": parse_table, "csv": parse_table, "xlsx": parse_table,
}


def import_layer(path: Path | str, fmt: str | None = None, directory: Path | None = None) -> tuple[str, int]:
    """Import a GeoNames dump, an OCHA/COD settlements list or a CSV/XLSX of places as a user layer.

    Returns (layer name, places kept). Anything wrong with the file raises ``GeocodeError``
    with a message for the analyst, never another exception.
    """
    path = Path(path)
    if not path.exists():
        raise GeocodeError(f"no such file: {path}")
    fmt = fmt or _format_of(path)
    if fmt not in PARSERS:
        raise GeocodeError(f"unknown gazetteer format {fmt!r}; use one of geonames, csv, xlsx")
    try:
        places = PARSERS[fmt](path, directory)
    except GeocodeError:
        raise
    except Exception as error:  # a malformed file must end in a clear message, not a traceback
        raise GeocodeError(f"{path.name}: cannot be imported as {fmt} ({type(error).__name__}: {error})") from error
    places = places.assign(outside_admin1=_outside(places))
    layer = layer_name_for(path)
    write_layer(places, layer, directory)
    return layer, len(places)


def _outside(places: pd.DataFrame) -> pd.Series:
    from incidents.geocode.consistency import outside_stated_admin1

    try:
        return pd.Series(outside_stated_admin1(places), index=places.index)
    except Exception:  # the check is advice; a boundary problem must not block an import
        return places["outside_admin1"].fillna(False).astype(bool)


def save_manual_placement(
    name: str,
    latitude: float,
    longitude: float,
    country: str | None = None,
    admin1: str | None = None,
    admin2: str | None = None,
    *,
    directory: Path | None = None,
) -> str:
    """Remember where an analyst placed ``name`` by hand; later geocodes reuse it (method 'manual').

    Placing the same name in the same country and admin1 again replaces the earlier point.
    Returns the placement's gazetteer id.
    """
    if not name or not name.strip():
        raise GeocodeError("a manual placement needs a name")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise GeocodeError(f"coordinates out of range: {latitude}, {longitude}")
    code = _country_code(country, directory)
    current = read_layer(MANUAL_LAYER, directory)
    same = (current["name"].str.casefold() == name.strip().casefold()) & (
        current["country_code"].fillna("") == (code or "")
    ) & (current["admin1"].fillna("").str.casefold() == (admin1 or "").casefold())
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    place_id = f"manual:{stamp}"
    row = pd.DataFrame([{
        "place_id": place_id, "name": name.strip(), "latitude": float(latitude), "longitude": float(longitude),
        "country_code": code, "admin1": admin1 or None, "admin2": admin2 or None,
        "population": 0, "alternates": "", "layer": MANUAL_LAYER,
    }])
    kept = current[~same]
    updated = pd.concat([kept, row], ignore_index=True) if len(kept) else row
    write_layer(updated, MANUAL_LAYER, directory)
    return place_id
