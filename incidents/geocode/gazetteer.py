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

from incidents import config
from incidents.geocode.build import PLACE_COLUMNS, STAMP_FILE, build_gazetteer, name_keys, with_place_defaults
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


class Gazetteer:
    """Read-only indexes over places (bundled GeoNames + user layers), countries and admin units."""

    def __init__(
        self, places: pd.DataFrame, names: pd.DataFrame, countries: pd.DataFrame, admins: pd.DataFrame
    ) -> None:
        self.places = places.reset_index(drop=True)
        self.place_id: list[str] = self.places["place_id"].tolist()
        self.name: list[str] = self.places["name"].tolist()
        self.latitude = self.places["latitude"].to_numpy(dtype="float64")
        self.longitude = self.places["longitude"].to_numpy(dtype="float64")
        self.country_code: list[str] = self.places["country_code"].tolist()
        self._country_array = self.places["country_code"].to_numpy(dtype=object)
        self.admin1: list[str | None] = _optional_text(self.places["admin1"])
        self.admin2: list[str | None] = _optional_text(self.places["admin2"])
        self.admin3: list[str | None] = _optional_text(self.places["admin3"])
        self.admin_codes: tuple[list[str | None], ...] = tuple(
            _optional_text(self.places[f"admin{level}_code"]) for level in (1, 2, 3)
        )
        self.feature: list[str] = self.places["feature"].fillna("").tolist()
        self.outside_admin1 = self.places["outside_admin1"].fillna(False).to_numpy(dtype=bool)
        self.population = self.places["population"].to_numpy(dtype="int64")
        self.layer: list[str] = self.places["layer"].tolist()
        self._index_names(names)
        self._index_countries(countries)
        self._index_admins(admins)
        self._fuzzy_buckets: dict[tuple[str | None, str | None], dict[int, list[str]]] = {}
        self._country_rows: dict[str, list[int]] = {}
        self._neighbour_km: dict[tuple[int, int], float] = {}
        self._lock = threading.Lock()

    def _index_names(self, names: pd.DataFrame) -> None:
        """Name keys sorted once; a lookup is two binary searches (no million-entry dict to build)."""
        if not names["key"].is_monotonic_increasing:
            names = names.sort_values("key", kind="stable")
        self._keys_sorted = names["key"].to_numpy(dtype=object)
        self._name_rows = names["row"].to_numpy(dtype="int64")
        self._name_primary = names["primary"].to_numpy(dtype=bool)
        self.alternate_name_count = int((~self._name_primary).sum())

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

    def _index_admins(self, admins: pd.DataFrame) -> None:
        # Keyed by (country code, level, admin key), and by (None, level, key) for any country.
        self._admins: dict[tuple[str | None, int, str], list[AdminUnit]] = {}
        level1 = admins[admins["level"] == 1]
        self.admin1_by_code: dict[str, str] = dict(zip(level1["geonames_code"], level1["name"]))
        if "admin2" not in admins.columns:
            admins = admins.assign(admin2=None)
        names = ("country_code", "level", "name", "admin1", "admin2", "geonames_code", "keys")
        columns = (admins[c].tolist() for c in names)
        for country_code, level, name, admin1, admin2, code, keys in zip(*columns):
            unit = AdminUnit(country_code, int(level), name, admin1,
                             admin2 if isinstance(admin2, str) else None, code if isinstance(code, str) else None)
            for key in keys.split("|"):
                for index_key in ((country_code, unit.level, key), (None, unit.level, key)):
                    bucket = self._admins.setdefault(index_key, [])
                    if unit not in bucket:
                        bucket.append(unit)

    def admin1_units(self, country_code: str) -> list[AdminUnit]:
        """Every admin-1 unit of a country (for matching an imported layer's spellings)."""
        units = {u for (code, level, _key), bucket in self._admins.items() if code == country_code and level == 1
                 for u in bucket}
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
        start = int(np.searchsorted(self._keys_sorted, key, side="left"))
        if start == len(self._keys_sorted) or self._keys_sorted[start] != key:
            return []
        end = int(np.searchsorted(self._keys_sorted, key, side="right"))
        return list(zip(self._name_rows[start:end].tolist(), self._name_primary[start:end].tolist()))

    def admin_units(self, country_code: str | None, level: int, text: str | None) -> list[AdminUnit]:
        """Admin units of a level whose name or alias matches ``text`` (any country if none given)."""
        key = admin_key(text)
        if not key:
            return []
        return list(self._admins.get((country_code or None, level, key), []))

    def fuzzy_keys(self, country_code: str | None, key: str, threshold: float) -> list[str]:
        """Name keys that could reach ``threshold`` (0-100) in a rapidfuzz ratio against ``key``.

        The ratio is at most 200*min(len)/(len1+len2), so keys of a too different length
        are skipped without loss. World-wide (no country) the search is also limited to keys
        sharing the first letter, trading rare first-letter typos for a usable speed.
        """
        if not key:
            return []
        scope = (country_code, None) if country_code else (None, key[0])
        buckets = self._length_buckets(scope)
        shortest = math.ceil(len(key) * threshold / (200 - threshold))
        longest = math.floor(len(key) * (200 - threshold) / threshold)
        return [k for length in range(shortest, longest + 1) for k in buckets.get(length, ())]

    def _length_buckets(self, scope: tuple[str | None, str | None]) -> dict[int, list[str]]:
        with self._lock:
            if scope not in self._fuzzy_buckets:
                country_code, first = scope
                if country_code:
                    in_country = self._country_array == country_code
                    keys = np.unique(self._keys_sorted[in_country[self._name_rows]]).tolist()
                else:
                    start = int(np.searchsorted(self._keys_sorted, first, side="left"))
                    end = int(np.searchsorted(self._keys_sorted, chr(ord(first) + 1), side="left"))
                    keys = np.unique(self._keys_sorted[start:end]).tolist()
                buckets: dict[int, list[str]] = {}
                for k in keys:
                    buckets.setdefault(len(k), []).append(k)
                self._fuzzy_buckets[scope] = buckets
            return self._fuzzy_buckets[scope]

    def neighbour_km(self, row: int, k: int) -> float:
        """Distance (km) from a place to its k-th nearest populated place in the same country (cached)."""
        with self._lock:
            cached = self._neighbour_km.get((row, k))
        if cached is not None:
            return cached
        rows = np.asarray(self.rows_in_country(self.country_code[row]), dtype=np.int64)
        lat, lon = np.radians(self.latitude[rows]), np.radians(self.longitude[rows])
        lat0, lon0 = math.radians(self.latitude[row]), math.radians(self.longitude[row])
        a = np.sin((lat - lat0) / 2) ** 2 + np.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
        km = np.sort(6371.0 * 2 * np.arcsin(np.sqrt(np.clip(a, 0, 1))))
        value = float(km[min(k, len(km) - 1)]) if len(km) else 0.0
        with self._lock:
            self._neighbour_km[(row, k)] = value
        return value

    def rows_in_country(self, country_code: str) -> list[int]:
        with self._lock:
            if country_code not in self._country_rows:
                self._country_rows[country_code] = np.flatnonzero(self._country_array == country_code).tolist()
            return self._country_rows[country_code]


def _optional_text(series: pd.Series) -> list[str | None]:
    return [v if isinstance(v, str) and v else None for v in series.tolist()]


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
    build_gazetteer(directory)
    places = pd.read_parquet(directory / "places.parquet")
    names = pd.read_parquet(directory / "names.parquet")
    layers = _read_layers(directory)
    if layers is not None:
        extra_names = name_keys(layers)
        extra_names["row"] = (extra_names["row"] + len(places)).astype("int32")
        places = pd.concat([places, layers.drop(columns="keys", errors="ignore")], ignore_index=True)
        names = pd.concat([names, extra_names], ignore_index=True)
    return Gazetteer(
        places, names, pd.read_parquet(directory / "countries.parquet"), pd.read_parquet(directory / "admins.parquet")
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
