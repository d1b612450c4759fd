"""Give placed incidents the admin1/admin2 of the region unit their point falls in.

Rules, in order:

* **Never across the row's own country.** A row that names its country (by
  ``country_code`` or ``country``) only takes a unit of that country: a point
  in Niger a few km from Nigeria is matched to Niger's nearest unit within the
  tolerance, never to Nigeria's.
* **An authoritative source keeps its names.** With ``keep_source_admin`` (an
  ACLED or UCDP export) a row's own admin1/admin2 stay as they are; the
  polygon's are recorded in ``admin1_polygon``/``admin2_polygon``. Only a mere
  spelling of the same name ("Segou", "Sahel region") takes the set's spelling,
  the source's being kept in ``admin1_reported``. Otherwise the
  polygon's admin1 replaces the record's, which is kept in ``admin1_reported``.
* **Only real disagreements are flagged.** Two names are one region when their
  keys match once admin-type words are set aside ("Chittagong Division" is
  "Chittagong"), when they are transliterations of one name ("Oromia"/"Oromiya",
  :func:`spelling_skeleton`), or when
  the crosswalk makes them aliases or one was carved out of the other. A name
  is flagged ``needs_review`` only when it names another unit of the same
  country and the point lies farther than ``border_km`` from that unit, so a
  point on a simplified border is not a disagreement. A name the region set
  does not know (an older division such as "Darfur") is noted, not flagged.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import re

from incidents.io.geocheck import country_iso2
from incidents.model import Status
from incidents.regions.crosswalk import Crosswalk, load_crosswalk, region_key, region_keys, same_region
from incidents.regions.lookup import NO_UNIT, RegionIndex
from incidents.regions.sets import active_region_set, region_units, regions_dir

DEFAULT_TOLERANCE_KM = 5.0
# How far a point may lie outside the unit its record names before that is a
# disagreement: Natural Earth's and most shared admin borders are simplified.
BORDER_KM = 10.0


def spelling_skeleton(key: str) -> str:
    """A region key without vowels, y, h, w and doubled letters.

    Transliterations of one name differ in exactly those ("Oromia"/"Oromiya",
    "Kordofan"/"Kordufan", "Paktia"/"Paktya"), while different regions keep
    different consonants ("Paktia"/"Paktika").
    """
    consonants = re.sub(r"[aeiouyhw\s]", "", key)
    return re.sub(r"(.)\1+", r"\1", consonants)


def same_spelling(a_key: str, b_key: str) -> bool:
    skeleton = spelling_skeleton(a_key)
    return len(skeleton) >= 3 and skeleton == spelling_skeleton(b_key)
@lru_cache(maxsize=2)
def _cached_index(name: str, stamp: float) -> tuple[gpd.GeoDataFrame, RegionIndex]:
    units = region_units(name)
    return units, RegionIndex(units.geometry.values)


def region_index(name: str | None = None) -> tuple[gpd.GeoDataFrame, RegionIndex]:
    """Units and lookup index of a region set (the active one by default), cached."""
    name = name or active_region_set()
    path = regions_dir() / f"{name}.parquet"
    return _cached_index(name, path.stat().st_mtime if path.exists() else 0.0)


def locate_units(
    lon: np.ndarray, lat: np.ndarray, units: gpd.GeoDataFrame | None = None, *,
    tolerance_km: float = DEFAULT_TOLERANCE_KM, index: RegionIndex | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Unit position per point (NO_UNIT if none) and snap distance in km (0 inside, NaN none)."""
    if index is None:
        index = RegionIndex(units.geometry.values) if units is not None else region_index()[1]
    unit = index.locate(lon, lat)
    distance = np.where(unit != NO_UNIT, 0.0, np.nan)
    outside = np.nonzero(unit == NO_UNIT)[0]
    if len(outside) and tolerance_km > 0:
        snapped, km = index.snap(np.asarray(lon)[outside], np.asarray(lat)[outside], tolerance_km)
        unit[outside] = snapped
        distance[outside] = km
    return unit, distance


def _join_reason(existing: pd.Series, extra: pd.Series) -> pd.Series:
    """Append ``extra`` to each reason, once: re-running the assignment adds nothing."""
    out = existing.astype("string").copy()
    extra = extra.astype("string")
    rows = extra.index[extra.notna()]
    out.loc[rows] = [
        x if pd.isna(e) or e == "" else (e if x in e else f"{e}; {x}")
        for e, x in zip(out.loc[rows], extra.loc[rows])
    ]
    return out


def _admin2_notes(previous: pd.Series, polygon_admin2: pd.Series) -> pd.Series:
    """'admin2 was X' where the record had another admin2 than its polygon."""
    changed = previous.notna() & (previous != "") & (region_keys(previous) != region_keys(polygon_admin2))
    return ("admin2 was " + previous[changed]).astype("string")


def _country_units(units: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """{country code: positions of its units, ascending}, grouped in one sort (not one
    comparison of every unit per country)."""
    codes = units["country"].astype("string").fillna("").str.upper().to_numpy(dtype=object)
    numbers, names = pd.factorize(codes)
    order = np.argsort(numbers, kind="stable")
    bounds = np.searchsorted(numbers[order], np.arange(len(names) + 1))
    return {code: order[bounds[at]:bounds[at + 1]] for at, code in enumerate(names) if code}


def _within_country(
    lon: np.ndarray, lat: np.ndarray, iso2: np.ndarray, units: gpd.GeoDataFrame,
    unit: np.ndarray, distance: np.ndarray, tolerance_km: float,
) -> None:
    """Re-place, in place, rows whose unit lies in another country than the row names."""
    unit_country = units["country"].astype("string").fillna("").str.upper().to_numpy(dtype=object)
    found_country = np.where(unit != NO_UNIT, unit_country[np.maximum(unit, 0)], "")
    wrong = (iso2 != "") & (found_country != iso2)
    if not wrong.any():
        return
    by_country = _country_units(units)
    for code in pd.unique(iso2[wrong]):
        rows = np.flatnonzero(wrong & (iso2 == code))
        members = by_country.get(code)
        unit[rows], distance[rows] = NO_UNIT, np.nan
        if members is None or not len(members):
            continue
        index = RegionIndex(units.geometry.values[members], cell_degrees=1.0)
        local = index.locate(lon[rows], lat[rows])
        inside = local != NO_UNIT
        unit[rows[inside]] = members[local[inside]]
        distance[rows[inside]] = 0.0
        outside = rows[~inside]
        if len(outside) and tolerance_km > 0:
            snapped, km = index.snap(lon[outside], lat[outside], tolerance_km)
            near = snapped != NO_UNIT
            unit[outside[near]] = members[snapped[near]]
            distance[outside[near]] = km[near]


def same_name(own: str, polygon: str, country: str | None, crosswalk: Crosswalk) -> bool:
    """One region under two names: same key, close spelling, or crosswalked."""
    own_key, polygon_key = region_key(own), region_key(polygon)
    if own_key == polygon_key or same_spelling(own_key, polygon_key):
        return True
    return same_region(own, polygon, country=country, crosswalk=crosswalk)


def _named_units(
    own: str, country: str, units: gpd.GeoDataFrame, by_country: dict[str, np.ndarray],
    crosswalk: Crosswalk,
) -> RegionIndex | None:
    """An index of the units of ``country`` that ``own`` names; None when none does."""
    members = by_country.get(country, np.array([], dtype=int))
    names = units["admin1"].astype("string").fillna("").to_numpy(dtype=object)[members]
    own_key = region_key(own)
    aliases = {region_key(n) for n in crosswalk.group_names(crosswalk.group(country, own))} if country else set()
    named = [
        m for m, name in zip(members, names)
        if name and (region_key(name) in aliases | {own_key}
                     or same_spelling(own_key, region_key(name)))
    ]
    return RegionIndex(units.geometry.values[np.asarray(named)], cell_degrees=1.0) if named else None


def _distances_km(index: RegionIndex, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """How far each point lies from the units of ``index`` (0 inside, inf when none is found)."""
    km = np.zeros(len(lon))
    outside = index.locate(lon, lat) == NO_UNIT
    if outside.any():
        _, snapped = index.snap(lon[outside], lat[outside], 10_000.0)
        km[outside] = np.where(np.isfinite(snapped), snapped, np.inf)
    return km


def _judge(
    own: pd.Series, polygon: pd.Series, country: pd.Series, lon: np.ndarray, lat: np.ndarray,
    units: gpd.GeoDataFrame, crosswalk: Crosswalk, border_km: float,
) -> tuple[pd.Series, pd.Series]:
    """Per differing row: flag (a real disagreement) and a reason (flag or note).

    Names are compared once per distinct (own, polygon, country), and the points
    that name one region of one country are measured against it together.
    """
    by_country = _country_units(units)
    keys = list(zip(own.tolist(), polygon.tolist(), country.tolist()))
    verdicts = {key: same_name(key[0], key[1], key[2] or None, crosswalk) for key in set(keys)}
    named_rows: dict[tuple[str, str], list[int]] = {}
    for position, (o, p, c) in enumerate(keys):
        if not verdicts[(o, p, c)]:
            named_rows.setdefault((o, c), []).append(position)
    named: dict[tuple[str, str], RegionIndex | None] = {}
    km = np.full(len(keys), np.nan)
    for (o, c), positions in named_rows.items():
        named[(o, c)] = index = _named_units(o, c, units, by_country, crosswalk)
        if index is not None:
            at = np.asarray(positions)
            km[at] = _distances_km(index, lon[at], lat[at])
    flags, reasons = [], []
    for position, (o, p, c) in enumerate(keys):
        if verdicts[(o, p, c)] or (named[(o, c)] is not None and km[position] <= border_km):
            flags.append(False)
            reasons.append(None)
        elif named[(o, c)] is None:
            flags.append(False)
            reasons.append(f"admin1 {o} is not a region of the active set; the point lies in {p}")
        else:
            flags.append(True)
            reasons.append(f"admin1 reported as {o} but the point lies in {p},"
                           f" {km[position]:.0f} km from {o}")
    return (pd.Series(flags, index=own.index, dtype=bool),
            pd.Series(reasons, index=own.index, dtype="string"))


# Every column assign_regions reads; a row's result depends on these values only.
REGION_INPUTS = ("longitude", "latitude", "country", "country_code", "admin1", "admin2",
                 "admin1_reported", "admin1_polygon", "admin2_polygon", "status", "status_reason")
# Work on the distinct rows when they are at most this share of all rows.
DISTINCT_SHARE = 0.5


def assign_regions(
    records: pd.DataFrame,
    units: gpd.GeoDataFrame | None = None,
    *,
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
    crosswalk: Crosswalk | None = None,
    keep_source_admin: bool = False,
    border_km: float = BORDER_KM,
) -> pd.DataFrame:
    """A copy of ``records`` with admin1/admin2 from ``units`` (default: active set).

    Works on canonical frames and GeoDataFrames alike (it reads latitude/longitude).
    Rows without coordinates, or farther than ``tolerance_km`` from every unit of
    their country, keep their own values. Adds a ``region_distance_km`` column
    (0 inside, >0 snapped). See the module docstring for ``keep_source_admin``.

    A row's result depends only on its own values of ``REGION_INPUTS``, and a file
    repeats them (every event at one place): each distinct combination is assigned
    once and the answers are given to every row that has it.
    """
    options = dict(units=units, tolerance_km=tolerance_km, crosswalk=crosswalk,
                   keep_source_admin=keep_source_admin, border_km=border_km)
    inputs = [c for c in REGION_INPUTS if c in records.columns]
    if len(records) < 2 or "longitude" not in inputs or "latitude" not in inputs:
        return _assign_rows(records, **options)
    codes = records.groupby(inputs, dropna=False, sort=False).ngroup().to_numpy()
    if codes.max() + 1 > DISTINCT_SHARE * len(records):
        return _assign_rows(records, **options)
    # With sort=False the groups are numbered in order of first appearance.
    first = pd.Series(codes).drop_duplicates().index.to_numpy()
    assigned = _assign_rows(pd.DataFrame(records[inputs]).iloc[first], **options)
    out = records.copy()
    for column in assigned.columns:
        if column in REGION_OUTPUTS or column not in records.columns:
            values = assigned[column].iloc[codes]
            values.index = records.index
            out[column] = values
    return out


# The columns assign_regions sets (every other column of the copy is the input's).
REGION_OUTPUTS = frozenset({"admin1", "admin2", "admin1_polygon", "admin2_polygon",
                            "admin1_reported", "status", "status_reason",
                            "region_distance_km"})


def _assign_rows(
    records: pd.DataFrame,
    units: gpd.GeoDataFrame | None = None,
    *,
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
    crosswalk: Crosswalk | None = None,
    keep_source_admin: bool = False,
    border_km: float = BORDER_KM,
) -> pd.DataFrame:
    """:func:`assign_regions` of every row, one by one."""
    if units is None:
        units, index = region_index()
    else:
        index = RegionIndex(units.geometry.values)
    crosswalk = crosswalk or load_crosswalk()
    out = records.copy()
    lon = out["longitude"].to_numpy(dtype=float)
    lat = out["latitude"].to_numpy(dtype=float)
    unit, distance = locate_units(lon, lat, tolerance_km=tolerance_km, index=index)
    iso2 = country_iso2(_column(out, "country"), _column(out, "country_code"))
    _within_country(lon, lat, iso2, units, unit, distance, tolerance_km)
    out["region_distance_km"] = distance
    for column in ("admin1_polygon", "admin2_polygon", "admin1_reported"):
        out[column] = out[column].astype("string") if column in out else pd.Series(pd.NA, index=out.index, dtype="string")
    hit = unit != NO_UNIT
    if not hit.any():
        return out
    rows = np.nonzero(hit)[0]
    found = units.iloc[unit[hit]]
    labels = out.index[rows]
    polygon_admin1 = pd.Series(found["admin1"].to_numpy(), index=labels, dtype="string")
    polygon_country = pd.Series(found["country"].to_numpy(), index=labels, dtype="string").fillna("").str.upper()
    polygon_admin2 = pd.Series(found["admin2"].to_numpy(), index=labels, dtype="string")
    out.loc[labels, "admin1_polygon"] = polygon_admin1
    out.loc[labels, "admin2_polygon"] = polygon_admin2

    reported = out["admin1_reported"]
    own = out["admin1"].astype("string")
    own = reported.where(reported.notna() & (reported != ""), own).loc[labels]
    differs = own.notna() & (own != "") & (region_keys(own) != region_keys(polygon_admin1))
    flag, note = _judge(
        own[differs], polygon_admin1[differs], polygon_country[differs],
        lon[rows][differs.to_numpy()], lat[rows][differs.to_numpy()], units, crosswalk, border_km,
    )
    reason = pd.Series(pd.NA, index=out.index, dtype="string")
    reason[note.index] = note
    flagged = flag.index[flag.to_numpy()]

    out["admin1"] = out["admin1"].astype("string")
    out["admin2"] = out["admin2"].astype("string")
    if keep_source_admin:
        empty1 = out.loc[labels, "admin1"].isna() | (out.loc[labels, "admin1"] == "")
        out.loc[labels[empty1.to_numpy()], "admin1"] = polygon_admin1[empty1]
        # The same name spelt another way ("Segou", "Sahel region") takes the set's
        # spelling, so one region is one filter entry; the source's stays in admin1_reported.
        spelt = own.notna() & (own != "") & (own != polygon_admin1) & ~differs
        out.loc[spelt[spelt].index, "admin1_reported"] = own[spelt]
        out.loc[spelt[spelt].index, "admin1"] = polygon_admin1[spelt]
        empty2 = out.loc[labels, "admin2"].isna() | (out.loc[labels, "admin2"] == "")
        out.loc[labels[empty2.to_numpy()], "admin2"] = polygon_admin2[empty2]
    else:
        out.loc[differs[differs].index, "admin1_reported"] = own[differs]
        out.loc[labels, "admin1"] = polygon_admin1
        known2 = polygon_admin2[polygon_admin2.notna()]
        if len(known2):
            previous = out["admin2"].loc[known2.index]
            admin2_note = _admin2_notes(previous, known2)
            reason[admin2_note.index] = _join_reason(reason[admin2_note.index], admin2_note)
            out.loc[known2.index, "admin2"] = known2

    status = out["status"].astype("string") if "status" in out else pd.Series(pd.NA, index=out.index, dtype="string")
    review = status.index.isin(flagged) & (status.fillna("") != Status.REJECTED.value)
    status[review] = Status.NEEDS_REVIEW.value
    out["status"] = status
    current = out["status_reason"] if "status_reason" in out else pd.Series(pd.NA, index=out.index)
    out["status_reason"] = _join_reason(current, reason)
    return out


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype("string").fillna("")
    return pd.Series("", index=frame.index, dtype="string")


REGION_FIELDS: tuple[str, ...] = ("admin1", "admin2", "admin1_reported", "status", "status_reason")


def region_changes(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, dict[str, object]]:
    """``{incident_id: {field: new value}}`` for the region fields assignment changed,
    in the shape ``IncidentStore.update`` takes (so each change lands in the edit history)."""
    changes: dict[str, dict[str, object]] = {}
    for field in REGION_FIELDS:
        old = before[field].astype("string").fillna("")
        new = after[field].astype("string").fillna("")
        for incident_id, value in after.loc[(old != new).to_numpy(), ["incident_id", field]].itertuples(
            index=False
        ):
            changes.setdefault(str(incident_id), {})[field] = None if pd.isna(value) else str(value)
    return changes
