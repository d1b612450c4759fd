"""Gazetteer tables analysts have: OCHA/COD settlement lists and any CSV or XLSX of places.

Columns are found by loose header names (case, spaces, hyphens and underscores
ignored), so an OCHA COD export (``featureNam``, ``admin1Name``, ``admin1Pcod`` ...),
a HDX settlements CSV (``name``, ``lat``, ``lon``, ``adm1_name``, ``adm1_pcode``)
and a plain ``name,latitude,longitude`` file all import. Text whose UTF-8 was
decoded as Windows-1252 somewhere on its way (``TÃ©nenkou``) is repaired.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from incidents.errors import GeocodeError

# canonical field -> accepted headers (compared through ``header_key``), best first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "featurenam", "featurename", "feature_name", "nom", "place", "place_name", "placename",
             "locality", "localite", "settlement", "settlement_name", "village", "location", "toponym"),
    "latitude": ("latitude", "lat", "y", "lat_dd", "latitude_dd", "point_y"),
    "longitude": ("longitude", "lon", "long", "lng", "x", "lon_dd", "longitude_dd", "point_x"),
    "alternates": ("alternate_names", "alternates", "alternatenames", "alt_names", "alt_name", "featurealt",
                   "featureref", "name_alt", "other_names", "asciiname", "ascii_name"),
    "country": ("country", "country_code", "iso", "iso2", "iso3", "admin0name", "admin0pcod", "admin0_pcode",
                "adm0_name", "adm0_en", "adm0_fr", "adm0_pcode", "pays"),
    "admin1": ("admin1", "admin1name", "admin1_name", "adm1_name", "adm1_en", "adm1_fr", "region", "state"),
    "admin2": ("admin2", "admin2name", "admin2_name", "adm2_name", "adm2_en", "adm2_fr", "cercle", "province",
               "departement", "department", "district"),
    "admin3": ("admin3", "admin3name", "admin3_name", "adm3_name", "adm3_en", "adm3_fr", "commune"),
    "admin1_code": ("admin1pcod", "admin1_pcode", "admin1pcode", "adm1_pcode", "adm1_code", "admin1_code"),
    "admin2_code": ("admin2pcod", "admin2_pcode", "admin2pcode", "adm2_pcode", "adm2_code", "admin2_code"),
    "admin3_code": ("admin3pcod", "admin3_pcode", "admin3pcode", "adm3_pcode", "adm3_code", "admin3_code"),
    "place_code": ("pcode", "p_code", "id", "fid", "code", "uid"),
    "population": ("population", "pop", "pop_total"),
    "seat": ("popplace_1", "popplacetype", "pop_place_type", "type", "seat", "capital"),
}
REQUIRED = ("name", "latitude", "longitude")
# What a seat column says -> GeoNames-style feature code, so seats rank like GeoNames' ones.
SEAT_FEATURES = (
    (re.compile(r"national|nationale|pays|country"), "PPLC"),
    (re.compile(r"admin\s*1|region|r[eé]gion"), "PPLA"),
    (re.compile(r"admin\s*2|cercle|province|d[eé]partement|prefecture"), "PPLA2"),
    (re.compile(r"admin\s*3|commune"), "PPLA3"),
)
_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")


def header_key(name: object) -> str:
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def repair_mojibake(text: object) -> object:
    """``TÃ©nenkou`` -> ``Ténenkou``: undo UTF-8 bytes read as Windows-1252 (or Latin-1)."""
    if not isinstance(text, str) or not _MOJIBAKE.search(text):
        return text
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (UTF-8, else Windows-1252; comma, semicolon or tab) or the first sheet of an XLSX, as text."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            # The engine named: with python-calamine installed, pandas warns that its
            # default engine will change; this table keeps the reader it was tested with.
            return pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False,
                                 engine="openpyxl")
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding,
                                   sep=None, engine="python")
            except UnicodeDecodeError:
                continue
    except Exception as error:  # any reader failure is the file's problem, reported plainly
        raise GeocodeError(f"{path.name}: cannot be read as a table ({type(error).__name__}: {error})") from error
    raise GeocodeError(f"{path.name}: not UTF-8 nor Windows-1252 text")


def map_columns(frame: pd.DataFrame, filename: str) -> dict[str, str]:
    """canonical field -> the file's column, for the fields the file has."""
    by_key = {header_key(c): c for c in frame.columns}
    found: dict[str, str] = {}
    used: set[str] = set()
    for field_name, headers in COLUMNS.items():
        for header in headers:
            column = by_key.get(header)
            if column is not None and column not in used:
                found[field_name] = column
                used.add(column)
                break
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        raise GeocodeError(f"{filename}: missing column(s) {', '.join(missing)} "
                           f"(found: {', '.join(map(str, frame.columns[:12]))})")
    return found


def seat_feature(value: object) -> str:
    text = str(value or "").strip().lower()
    for pattern, code in SEAT_FEATURES:
        if text and pattern.search(text):
            return code
    return "PPL"


def places_from_table(frame: pd.DataFrame, filename: str) -> tuple[pd.DataFrame, int]:
    """The table's places in gazetteer shape (country still as written) and how many rows were dropped."""
    columns = map_columns(frame, filename)

    def text(field_name: str) -> pd.Series:
        if field_name not in columns:
            return pd.Series([None] * len(frame), index=frame.index, dtype=object)
        values = frame[columns[field_name]].astype(str).str.strip().map(repair_mojibake)
        return values.where(values != "", None)

    lat = pd.to_numeric(text("latitude").str.replace(",", ".", regex=False), errors="coerce")
    lon = pd.to_numeric(text("longitude").str.replace(",", ".", regex=False), errors="coerce")
    name = text("name")
    good = lat.between(-90, 90) & lon.between(-180, 180) & name.notna() & ~((lat == 0) & (lon == 0))
    if not good.any():
        raise GeocodeError(f"{filename}: no row has a name and valid coordinates")
    alternates = text("alternates").fillna("").str.replace(r"\s*[;,|]\s*", "|", regex=True)
    alternates = [a if a != n else "" for a, n in zip(alternates, name)]
    out = pd.DataFrame({
        "code": text("place_code"),
        "name": name,
        "latitude": lat.round(6),
        "longitude": lon.round(6),
        "country": text("country"),
        "admin1": text("admin1"), "admin2": text("admin2"), "admin3": text("admin3"),
        "admin1_code": text("admin1_code"), "admin2_code": text("admin2_code"), "admin3_code": text("admin3_code"),
        "feature": text("seat").map(seat_feature),
        "population": pd.to_numeric(text("population"), errors="coerce").fillna(0).astype("int64"),
        "alternates": alternates,
    }, index=frame.index)
    return out[good].reset_index(drop=True), int((~good).sum())
