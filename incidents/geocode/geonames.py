"""GeoNames country dumps and admin-code tables read into the gazetteer's place shape.

Used twice: by ``scripts/build_sahel_gazetteer.py`` (the bundled Sahel file) and
by ``gazetteer import`` of a country dump. Kept: populated places (class P), admin
units of levels 1 to 3, and named features where events are reported: point-like
ones (wells and water holes, localities, hills, sites such as mines, camps, markets,
notable trees) and long or wide ones (streams, wadis, dunes, islands, lakes, forests
and reserves), with their admin names and codes, so the ranking can compare a
candidate with the row's admin1/admin2/admin3. Sources place events "on the Komadougou
Yobe" or "in the wadi of ..." at the feature's GeoNames point, but that one point
stands for a long or wide feature, so such a match is never precision 1
(``SPRAWLING_FEATURES``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from incidents.errors import GeocodeError

GEONAMES_COLUMNS = (
    "geonameid", "name", "asciiname", "alternatenames", "latitude", "longitude", "feature_class",
    "feature_code", "country_code", "cc2", "admin1_code", "admin2_code", "admin3_code", "admin4_code",
    "population", "elevation", "dem", "timezone", "modification_date",
)
ADMIN_FEATURES = ("ADM1", "ADM2", "ADM3")
# Point-like features of other classes (GeoNames feature codes); the ranking puts them
# after populated places and admin units of the same name.
SITE_FEATURES = (
    "WLL", "WLLS", "WLLQ", "WTRH", "OAS", "OASQ", "PND", "PNDS", "PNDI", "SPNG",
    "LCTY", "HLL", "MT", "PK", "PASS", "BUTE", "MESA", "TREE",
)
# Long or wide features: kept, but their point is never a precise place.
SPRAWLING_FEATURES = (
    "STM", "STMI", "STMX", "WAD", "WADS", "DUNE", "ISL", "ISLS", "LK", "LKI", "LKS", "MRSH",
    "FRST", "RESF", "RESN", "PRK", "VAL", "PLAT", "MTS", "HLLS",
)
# Historical, destroyed or abandoned places: not where an event happens today.
DROPPED_PLACE_CODES = ("PPLH", "PPLQ", "PPLW", "PPLCH")


def is_latin(name: str) -> bool:
    """Keep names an analyst could type on a Latin keyboard; drop other scripts."""
    return all(ord(ch) < 0x250 or 0x1E00 <= ord(ch) <= 0x1EFF for ch in name)


def _alternates(name: str, ascii_name: str, listed: str) -> str:
    names = dict.fromkeys(a.strip() for a in [ascii_name, *listed.split(",")] if a and a.strip())
    names.pop(name, None)
    return "|".join(a for a in names if is_latin(a) and len(a) <= 80)


def read_dump(path: Path) -> pd.DataFrame:
    """The raw 19 columns of a dump as text; a file that is not one raises ``GeocodeError``."""
    try:
        frame = pd.read_csv(
            path, sep="\t", header=None, names=list(GEONAMES_COLUMNS), dtype=str,
            keep_default_na=False, quoting=csv.QUOTE_NONE, encoding="utf-8", on_bad_lines="error",
        )
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as error:
        raise GeocodeError(f"{path.name}: not a GeoNames dump (19 tab-separated columns, UTF-8): {error}") from error
    if frame.empty:
        raise GeocodeError(f"{path.name}: no rows")
    numeric = pd.to_numeric(frame["latitude"], errors="coerce").notna()
    if numeric.mean() < 0.9 or not frame["geonameid"].str.isdigit().all():
        raise GeocodeError(f"{path.name}: not a GeoNames dump (19 tab-separated columns, no header)")
    return frame


def read_admin_codes(path: Path) -> dict[str, str]:
    """``admin1CodesASCII.txt`` / ``admin2Codes.txt``: code (``ML.05``, ``ML.05.123``) -> name."""
    table = pd.read_csv(path, sep="\t", header=None, dtype=str, keep_default_na=False,
                        quoting=csv.QUOTE_NONE, encoding="utf-8", usecols=[0, 1])
    return dict(zip(table[0], table[1]))


def places_from_dump(
    frame: pd.DataFrame, layer: str, admin_names: dict[str, str] | None = None
) -> pd.DataFrame:
    """Populated places and ADM1-3 units of one dump, with admin names resolved from codes.

    ``admin_names`` (codes as in GeoNames' admin-code tables) comes first; the dump's own
    ADM features name the codes the table lacks (admin-3 codes are only named there).
    """
    places = frame["feature_class"].eq("P") & ~frame["feature_code"].isin(DROPPED_PLACE_CODES)
    admins = frame["feature_class"].eq("A") & frame["feature_code"].isin(ADMIN_FEATURES)
    sites = frame["feature_class"].isin(("H", "L", "S", "T", "V")) & (
        frame["feature_code"].isin(SITE_FEATURES + SPRAWLING_FEATURES) | frame["feature_class"].eq("S"))
    kept = frame[places | admins | sites]
    cc = kept["country_code"]
    code1 = cc + "." + kept["admin1_code"]
    code2 = code1 + "." + kept["admin2_code"]
    code3 = code2 + "." + kept["admin3_code"]
    names = dict(admin_names or {})
    for level, codes in ((1, code1), (2, code2), (3, code3)):
        own = kept["feature_code"] == f"ADM{level}"
        for code, name in zip(codes[own], kept["name"][own]):
            names.setdefault(code, name)
    # "00" is GeoNames' admin-1 code for a feature in no single region (a river, a border post).
    has1 = ~kept["admin1_code"].isin(("", "00"))
    has2, has3 = (kept[c] != "" for c in ("admin2_code", "admin3_code"))
    out = pd.DataFrame({
        "place_id": "geonames:" + kept["geonameid"],
        "name": kept["name"].str.strip(),
        "latitude": pd.to_numeric(kept["latitude"], errors="coerce").round(5),
        "longitude": pd.to_numeric(kept["longitude"], errors="coerce").round(5),
        "country_code": cc,
        "admin1": [names.get(c) if h else None for c, h in zip(code1, has1)],
        "admin2": [names.get(c) if h else None for c, h in zip(code2, has1 & has2)],
        "admin3": [names.get(c) if h else None for c, h in zip(code3, has1 & has2 & has3)],
        "admin1_code": code1.where(has1, None),
        "admin2_code": code2.where(has1 & has2, None),
        "admin3_code": code3.where(has1 & has2 & has3, None),
        "feature": kept["feature_code"],
        "population": pd.to_numeric(kept["population"], errors="coerce").fillna(0).astype("int64"),
        "alternates": [_alternates(n, a, alt) for n, a, alt in
                       zip(kept["name"], kept["asciiname"], kept["alternatenames"])],
        "layer": layer,
    })
    return out.dropna(subset=["latitude", "longitude"]).reset_index(drop=True)
