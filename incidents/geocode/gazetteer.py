"""The loaded gazetteer: dict and array indexes over the built Parquet files and user layers.

Lookups never scan a DataFrame: a normalised name maps to a slice of place rows,
and per-place attributes are plain lists indexed by row. The loaded object is
cached per process and reloaded when the built index or a layer file changes.
"""

from __future__ import annotations

import math
import threading
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import feather

from incidents import config
from incidents.geocode.build import (
    NAMES_FILE,
    PLACE_COLUMNS,
    PLACES_FILE,
    STAMP_FILE,
    build_gazetteer,
    name_keys,
    places_table,
    with_place_defaults,
)
from incidents.geocode.normalize import normalise_admin, normalise_name

LAYERS_DIR = "layers"


class AdminUnit(NamedTuple):
    country_code: str
    level: int
    name: str
    admin1: str | None
    admin2: str | None = None
    code: str | None = None


@lru_cache(maxsize=65536)
def admin_key(text: str | None) -> str:
    return normalise_admin(text) if text else ""


@lru_cache(maxsize=65536)
def context_key(text: str | None) -> str:
    """Admin key without spaces, so "N'Guigmi", "NGuigmi" and "Nguigmi" compare equal;
    codes ("ML.05", "ML05") fold the same way."""
    return admin_key(text).replace(" ", "") if text else ""


class _NameSegment(NamedTuple):
    """Name keys sorted once (a lookup is two binary searches), with their place rows."""

    keys: np.ndarray
    rows: np.ndarray
    primary: np.ndarray


def _segment(names: pd.DataFrame | pa.Table, offset: int = 0) -> _NameSegment:
    if isinstance(names, pd.DataFrame):
        names = names.sort_values("key", kind="stable")
        return _NameSegment(names["key"].to_numpy(dtype=object), names["row"].to_numpy(dtype="int64") + offset,
                            names["primary"].to_numpy(dtype=bool))
    return _NameSegment(names.column("key").to_numpy(zero_copy_only=False),
                        names.column("row").to_numpy().astype("int64") + offset,
                        names.column("primary").to_numpy(zero_copy_only=False).astype(bool))


def _text_column(table: pa.Table, name: str, fill: str | None = None) -> np.ndarray:
    column = table.column(name)
    if fill is not None:
        column = pc.fill_null(column, fill)
    return column.to_numpy(zero_copy_only=False)


class Gazetteer:
    """Read-only indexes over places (bundled GeoNames + user layers), countries and admin units.

    Per-place attributes are object arrays indexed by row (None when missing), taken from
    Arrow columns without building a DataFrame; ``places`` is the DataFrame, made on demand.
    """

    def __init__(
        self,
        places: pd.DataFrame | pa.Table,
        names: pd.DataFrame | pa.Table | list[_NameSegment],
        countries: pd.DataFrame,
        admins: pd.DataFrame,
    ) -> None:
        if isinstance(places, pd.DataFrame):
            places = places_table(places.reset_index(drop=True))
        self._table = places
        self.place_id = _text_column(places, "place_id")
        self.name = _text_column(places, "name")
        self.latitude = places.column("latitude").to_numpy().astype("float64")
        self.longitude = places.column("longitude").to_numpy().astype("float64")
        self.country_code = _text_column(places, "country_code")
        self._country_array = self.country_code
        self.admin1 = _text_column(places, "admin1")
        self.admin2 = _text_column(places, "admin2")
        self.admin3 = _text_column(places, "admin3")
        self.admin_codes = tuple(_text_column(places, f"admin{level}_code") for level in (1, 2, 3))
        self.feature = _text_column(places, "feature", "")
        self.outside_admin1 = _text_column(places, "outside_admin1").astype(bool)
        self.population = places.column("population").to_numpy().astype("int64")
        self.layer = _text_column(places, "layer", "")
        self._segments = names if isinstance(names, list) else [_segment(names)]
        self.alternate_name_count = int(sum((~seg.primary).sum() for seg in self._segments))
        self._index_countries(countries)
        self._admin_table = admins if "admin2" in admins.columns else admins.assign(admin2=None)
        level1 = admins[admins["level"] == 1]
        self.admin1_by_code: dict[str, str] = dict(zip(level1["geonames_code"], level1["name"]))
        self._admin_index: dict[str | None, dict[tuple[int, str], list[AdminUnit]]] = {}
        self._fuzzy_buckets: dict[tuple[str | None, str | None], dict[int, list[str]]] = {}
        self._country_rows: dict[str, list[int]] = {}
        self._neighbour_km: dict[tuple[int, int], float] = {}
        self._populated: dict[str, np.ndarray] = {}
        self._seats: dict[tuple[str, int], dict[str, list[int]]] = {}
        self._admin1_names: dict[str, list[str]] = {}
        self._country_key_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()
        self._places: pd.DataFrame | None = None

    @property
    def places(self) -> pd.DataFrame:
        """All places as a DataFrame (built on first use; lookups never need it)."""
        if self._places is None:
            self._places = self._table.to_pandas()
        return self._places

    def _index_countries(self, countries: pd.DataFrame) -> None:
        self.country_names: dict[str, str] = dict(zip(countries["code"], countries["name_en"]))
        self.country_names_fr: dict[str, str] = dict(zip(countries["code"], countries["name_fr"]))
        self.country_numeric: dict[str, int] = {
            code: int(num) for code, num in zip(countries["code"], countries["numeric"]) if pd.notna(num)
        }
        self._country_by_key: dict[str, str] = {}
        for row in countries.itertuples(index=False):
            aliases = row.aliases.split("|") if isinstance(row.aliases, str) else []
            for variant in (row.code, row.iso3, row.name_en, row.name_fr, *aliases):
                key = normalise_name(variant)
                if key:
                    self._country_by_key.setdefault(key, row.code)

    def _admins_of(self, country_code: str | None) -> dict[tuple[int, str], list[AdminUnit]]:
        """(level, key) -> units of one country (None: every country), indexed on first use."""
        with self._lock:
            index = self._admin_index.get(country_code)
            if index is not None:
                return index
            table = self._admin_table
            if country_code is not None:
                table = table[table["country_code"] == country_code]
            index = {}
            names = ("country_code", "level", "name", "admin1", "admin2", "geonames_code", "keys")
            for country, level, name, admin1, admin2, code, keys in zip(*(table[c].tolist() for c in names)):
                unit = AdminUnit(country, int(level), name, admin1 if isinstance(admin1, str) else None,
                                 admin2 if isinstance(admin2, str) else None, code if isinstance(code, str) else None)
                for key in keys.split("|"):
                    index.setdefault((unit.level, key), {})[unit] = None
            index = {k: list(v) for k, v in index.items()}
            self._admin_index[country_code] = index
            return index

    def admin1_units(self, country_code: str) -> list[AdminUnit]:
        """Every admin-1 unit of a country (for matching an imported layer's spellings)."""
        units = {u for (level, _key), bucket in self._admins_of(country_code).items() if level == 1 for u in bucket}
        return sorted(units, key=lambda u: u.name)

    def __len__(self) -> int:
        return len(self.place_id)

    def country_code_of(self, country: str | None) -> str | None:
        """ISO2 code for an ISO2/ISO3 code or an English/French name; None if unknown."""
        if not country:
            return None
        return self._country_by_key.get(normalise_name(country))

    def rows_named(self, key: str) -> list[tuple[int, bool]]:
        """(place row, matched its primary name) for every place carrying this name key."""
        out: list[tuple[int, bool]] = []
        for seg in self._segments:
            start = int(np.searchsorted(seg.keys, key, side="left"))
            if start == len(seg.keys) or seg.keys[start] != key:
                continue
            end = int(np.searchsorted(seg.keys, key, side="right"))
            out.extend(zip(seg.rows[start:end].tolist(), seg.primary[start:end].tolist()))
        return out

    def admin_units(self, country_code: str | None, level: int, text: str | None) -> list[AdminUnit]:
        """Admin units of a level whose name or alias matches ``text`` (any country if none given)."""
        key = admin_key(text)
        if not key:
            return []
        return list(self._admins_of(country_code or None).get((level, key), []))

    def fuzzy_keys(
        self, country_code: str | None, key: str, threshold: float, regions: list[str] | None = None
    ) -> list[str]:
        """Name keys that could reach ``threshold`` (0-100) in a rapidfuzz ratio against ``key``.

        The ratio is at most 200*min(len)/(len1+len2), so keys of a too different length
        are skipped without loss. With ``regions`` (admin-1 names as places carry them) only
        keys of places in those regions of the country are searched. World-wide (no country)
        the search is limited to keys sharing the first letter, trading rare first-letter
        typos for a usable speed.
        """
        if not key:
            return []
        if country_code and regions is not None:
            scopes = [(country_code, f"admin1:{name}") for name in regions]
        else:
            scopes = [(country_code, None) if country_code else (None, key[0])]
        shortest = math.ceil(len(key) * threshold / (200 - threshold))
        longest = math.floor(len(key) * (200 - threshold) / threshold)
        out: list[str] = []
        for scope in scopes:
            buckets = self._length_buckets(scope)
            out.extend(k for length in range(shortest, longest + 1) for k in buckets.get(length, ()))
        return out

    def admin1_names(self, country_code: str) -> list[str]:
        """The distinct admin-1 names that places of a country carry."""
        with self._lock:
            cached = self._admin1_names.get(country_code)
        if cached is None:
            rows = np.asarray(self.rows_in_country(country_code), dtype=np.int64)
            cached = sorted({v for v in self.admin1[rows].tolist() if v})
            with self._lock:
                self._admin1_names[country_code] = cached
        return cached

    def _country_keys(self, country_code: str) -> tuple[np.ndarray, np.ndarray]:
        """(name keys, admin-1 of their place) of every name of a country's places (cached)."""
        cached = self._country_key_cache.get(country_code)
        if cached is None:
            keys, regions = [], []
            for seg in self._segments:
                inside = self._country_array[seg.rows] == country_code
                keys.append(seg.keys[inside])
                regions.append(self.admin1[seg.rows[inside]])
            cached = (np.concatenate(keys), np.concatenate(regions))
            self._country_key_cache[country_code] = cached
        return cached

    def _length_buckets(self, scope: tuple[str | None, str | None]) -> dict[int, list[str]]:
        with self._lock:
            if scope not in self._fuzzy_buckets:
                country_code, first = scope
                keys: set[str] = set()
                if country_code:
                    country_keys, regions = self._country_keys(country_code)
                    if first:
                        country_keys = country_keys[regions == first.removeprefix("admin1:")]
                    keys.update(country_keys.tolist())
                else:
                    for seg in self._segments:
                        start = int(np.searchsorted(seg.keys, first, side="left"))
                        end = int(np.searchsorted(seg.keys, chr(ord(first) + 1), side="left"))
                        keys.update(seg.keys[start:end].tolist())
                buckets: dict[int, list[str]] = {}
                for k in sorted(keys):
                    buckets.setdefault(len(k), []).append(k)
                self._fuzzy_buckets[scope] = buckets
            return self._fuzzy_buckets[scope]

    def neighbour_km(self, row: int, k: int) -> float:
        """Distance (km) from a place to its k-th nearest populated place in the same country (cached)."""
        with self._lock:
            cached = self._neighbour_km.get((row, k))
        if cached is not None:
            return cached
        rows = self._populated_rows(self.country_code[row])
        lat, lon = np.radians(self.latitude[rows]), np.radians(self.longitude[rows])
        lat0, lon0 = math.radians(self.latitude[row]), math.radians(self.longitude[row])
        a = np.sin((lat - lat0) / 2) ** 2 + np.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
        km = 6371.0 * 2 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
        # Too few places in the country to tell sparse from dense: report no spacing.
        value = float(np.partition(km, k)[k]) if len(km) >= 10 * k else 0.0
        with self._lock:
            self._neighbour_km[(row, k)] = value
        return value

    def unit_seats(self, country_code: str, level: int, unit_name: str) -> list[int]:
        """Rows of the seats GeoNames marks for an admin unit: the capital or a PPLA..PPLA{level}
        whose own admin name at ``level`` is the unit's (Djibo for the province of Soum)."""
        with self._lock:
            index = self._seats.get((country_code, level))
        if index is None:
            codes = {"PPLC", "PPLA", "PPLA2", "PPLA3"} if level == 3 else \
                {"PPLC", "PPLA", "PPLA2"} if level == 2 else {"PPLC", "PPLA"}
            names = (self.admin1, self.admin2, self.admin3)[level - 1]
            index = {}
            for row in self.rows_in_country(country_code):
                if self.feature[row] in codes and names[row]:
                    index.setdefault(context_key(names[row]), []).append(row)
            with self._lock:
                self._seats[(country_code, level)] = index
        return index.get(context_key(unit_name), [])

    def _populated_rows(self, country_code: str) -> np.ndarray:
        """Rows of a country's populated places (GeoNames class P, or a layer's entries)."""
        with self._lock:
            cached = self._populated.get(country_code)
        if cached is None:
            rows = np.asarray(self.rows_in_country(country_code), dtype=np.int64)
            features = self.feature[rows]
            cached = rows[np.array([not f or f.startswith("PPL") for f in features.tolist()], dtype=bool)]
            with self._lock:
                self._populated[country_code] = cached
        return cached

    def rows_in_country(self, country_code: str) -> list[int]:
        with self._lock:
            if country_code not in self._country_rows:
                self._country_rows[country_code] = np.flatnonzero(self._country_array == country_code).tolist()
            return self._country_rows[country_code]


def layer_files(directory: Path) -> list[Path]:
    return sorted((directory / LAYERS_DIR).glob("*.parquet"))


def _read_layers(directory: Path) -> pd.DataFrame | None:
    frames = [pd.read_parquet(path) for path in layer_files(directory)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return None
    merged = with_place_defaults(pd.concat([with_place_defaults(f) for f in frames], ignore_index=True))
    return merged[[c for c in (*PLACE_COLUMNS, "keys") if c in merged.columns]]


def _load(directory: Path) -> Gazetteer:
    """Memory-map the built Arrow files, add the user layers as a second name segment."""
    build_gazetteer(directory)
    places = feather.read_table(directory / PLACES_FILE, memory_map=True)
    segments = [_segment(feather.read_table(directory / NAMES_FILE, memory_map=True))]
    layers = _read_layers(directory)
    if layers is not None:
        segments.append(_segment(name_keys(layers), offset=places.num_rows))
        places = pa.concat_tables([places, places_table(layers).cast(places.schema)])
    return Gazetteer(
        places, segments, pd.read_parquet(directory / "countries.parquet"), pd.read_parquet(directory / "admins.parquet")
    )


_cache: dict[Path, tuple[tuple[int, int], Gazetteer]] = {}
_cache_lock = threading.Lock()


def _version(directory: Path) -> tuple[int, int]:
    """Changes whenever the index is rebuilt or a layer file is written (writes rename into place)."""
    stamp = directory / STAMP_FILE
    layers = directory / LAYERS_DIR
    return (
        stamp.stat().st_mtime_ns if stamp.exists() else 0,
        layers.stat().st_mtime_ns if layers.exists() else 0,
    )


def load_gazetteer(directory: Path | None = None) -> Gazetteer:
    """The gazetteer for ``directory`` (default: the state dir's), built on first use and cached."""
    directory = Path(directory or config.gazetteer_dir())
    with _cache_lock:
        cached = _cache.get(directory)
        if cached is not None and cached[0] == _version(directory):
            return cached[1]
        gazetteer = _load(directory)
        _cache[directory] = (_version(directory), gazetteer)
        return gazetteer
