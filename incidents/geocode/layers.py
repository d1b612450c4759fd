"""User layers that extend the bundled gazetteer: imported files and manual placements.

Each layer is one Parquet file under ``gazetteer_dir()/layers/`` with the same
columns as the bundled places; the loader merges them all. Importing the same
file again replaces its layer, so imports are idempotent.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from incidents import config
from incidents.errors import GeocodeError
from incidents.geocode.build import PLACE_COLUMNS, place_keys
from incidents.geocode.gazetteer import LAYERS_DIR, load_gazetteer

MANUAL_LAYER = "manual"
# GeoNames feature classes kept from a country dump: P = populated places, A = admin units.
KEPT_FEATURE_CLASSES = {"P", "A"}
GEONAMES_COLUMNS = (
    "geonameid", "name", "asciiname", "alternatenames", "latitude", "longitude", "feature_class",
    "feature_code", "country_code", "cc2", "admin1_code", "admin2_code", "admin3_code", "admin4_code",
    "population", "elevation", "dem", "timezone", "modification_date",
)
CSV_REQUIRED = ("name", "latitude", "longitude")


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
    table = places[list(PLACE_COLUMNS)].assign(
        keys=["|".join(place_keys(n, a)) for n, a in zip(places["name"], places["alternates"])]
    )
    table.to_parquet(tmp, index=False)
    tmp.replace(target)
    return target


def read_layer(layer: str, directory: Path | None = None) -> pd.DataFrame:
    path = layers_dir(directory) / f"{layer}.parquet"
    if not path.exists():
        return pd.DataFrame(columns=list(PLACE_COLUMNS))
    return pd.read_parquet(path)


def _country_code(country: object, directory: Path | None) -> str | None:
    if not isinstance(country, str) or not country.strip():
        return None
    code = load_gazetteer(directory).country_code_of(country)
    if code is None:
        raise GeocodeError(f"unknown country {country!r} (use ISO2, ISO3, English or French name)")
    return code


def _geonames_admin_names(frame: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """Admin names defined inside the dump itself (ADM1/ADM2 features), keyed by their codes."""
    adm1 = frame[frame["feature_code"] == "ADM1"]
    adm2 = frame[frame["feature_code"] == "ADM2"]
    admin1 = dict(zip(adm1["country_code"] + "." + adm1["admin1_code"], adm1["name"]))
    admin2 = dict(zip(adm2["country_code"] + "." + adm2["admin1_code"] + "." + adm2["admin2_code"], adm2["name"]))
    return admin1, admin2


def parse_geonames(path: Path, directory: Path | None = None) -> pd.DataFrame:
    """Places and admin features of a GeoNames dump (19 tab-separated columns, no header)."""
    frame = pd.read_csv(
        path, sep="\t", header=None, names=list(GEONAMES_COLUMNS), dtype=str,
        keep_default_na=False, quoting=csv.QUOTE_NONE, encoding="utf-8",
    )
    if frame.empty:
        raise GeocodeError(f"{path.name}: no rows")
    frame = frame[frame["feature_class"].isin(KEPT_FEATURE_CLASSES)].copy()
    admin1_local, admin2_local = _geonames_admin_names(frame)
    bundled = load_gazetteer(directory)
    admin1_bundled = bundled.admin1_by_code
    code1 = frame["country_code"] + "." + frame["admin1_code"]
    code2 = code1 + "." + frame["admin2_code"]
    out = pd.DataFrame({
        "place_id": "geonames:" + frame["geonameid"],
        "name": frame["name"],
        "latitude": pd.to_numeric(frame["latitude"], errors="coerce"),
        "longitude": pd.to_numeric(frame["longitude"], errors="coerce"),
        "country_code": frame["country_code"],
        "admin1": [admin1_bundled.get(c) or admin1_local.get(c) for c in code1],
        "admin2": [admin2_local.get(c) for c in code2],
        "population": pd.to_numeric(frame["population"], errors="coerce").fillna(0).astype("int64"),
        "alternates": frame["alternatenames"].str.replace(",", "|", regex=False),
        "layer": layer_name_for(path),
    })
    return out.dropna(subset=["latitude", "longitude"]).reset_index(drop=True)


def _optional_column(frame: pd.DataFrame) -> Callable[[str], pd.Series]:
    """Accessor returning a column, or empty strings when the CSV does not have it."""
    def get(name: str) -> pd.Series:
        return frame[name] if name in frame.columns else pd.Series("", index=frame.index)
    return get


def parse_csv(path: Path, directory: Path | None = None) -> pd.DataFrame:
    """A plain CSV: name, latitude, longitude and optionally admin1, admin2, alternate_names, country."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in CSV_REQUIRED if c not in frame.columns]
    if missing:
        raise GeocodeError(f"{path.name}: missing column(s) {', '.join(missing)}")
    layer = layer_name_for(path)
    lat = pd.to_numeric(frame["latitude"], errors="coerce")
    lon = pd.to_numeric(frame["longitude"], errors="coerce")
    bad = lat.isna() | lon.isna() | ~lat.between(-90, 90) | ~lon.between(-180, 180) | (frame["name"].str.strip() == "")
    if bad.all():
        raise GeocodeError(f"{path.name}: no row has a name and valid coordinates")
    frame, lat, lon = frame[~bad], lat[~bad], lon[~bad]
    column = _optional_column(frame)
    alternates = column("alternate_names").str.replace(r"\s*[;,|]\s*", "|", regex=True)
    return pd.DataFrame({
        "place_id": [f"{layer}:{i}" for i in range(len(frame))],
        "name": frame["name"].str.strip(),
        "latitude": lat.astype("float64"),
        "longitude": lon.astype("float64"),
        "country_code": [_country_code(c, directory) for c in column("country")],
        "admin1": column("admin1").replace("", None),
        "admin2": column("admin2").replace("", None),
        "population": 0,
        "alternates": alternates,
        "layer": layer,
    }).reset_index(drop=True)


def import_layer(path: Path | str, fmt: str | None = None, directory: Path | None = None) -> tuple[str, int]:
    """Import a GeoNames dump or a CSV as a user layer; returns (layer name, places kept)."""
    path = Path(path)
    if not path.exists():
        raise GeocodeError(f"no such file: {path}")
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "geonames")
    parsers = {"geonames": parse_geonames, "csv": parse_csv}
    if fmt not in parsers:
        raise GeocodeError(f"unknown gazetteer format {fmt!r}; use one of {', '.join(parsers)}")
    places = parsers[fmt](path, directory)
    layer = layer_name_for(path)
    write_layer(places, layer, directory)
    return layer, len(places)


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
