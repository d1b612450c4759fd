"""Give placed incidents the admin1/admin2 of the region unit their point falls in.

The record's own admin1 is evidence too. When the polygon says otherwise, both are
kept (record's in ``admin1_reported``, polygon's in ``admin1``) and the incident is
flagged ``needs_review`` with a reason, unless the crosswalk says the two names are
one region or one was carved out of the other (a record coded "Ségou" in what is
now "San" is not an error). admin2 from the polygons replaces the record's; a
different earlier value is kept in ``status_reason`` without a flag, since cercles
and communes are often mixed up at that level.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from incidents.model import Status
from incidents.regions.crosswalk import Crosswalk, load_crosswalk, region_keys, same_region
from incidents.regions.lookup import NO_UNIT, RegionIndex
from incidents.regions.sets import active_region_set, region_units, regions_dir

DEFAULT_TOLERANCE_KM = 5.0


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


def _disagreements(
    own: pd.Series, polygon: pd.Series, country: pd.Series, crosswalk: Crosswalk
) -> pd.Series:
    """For rows whose names differ: True unless the crosswalk makes them one region.
    The crosswalk is asked once per distinct (own, polygon, country)."""
    pairs = pd.DataFrame({"own": own, "polygon": polygon, "country": country})
    verdict = {
        (r.own, r.polygon, r.country): not same_region(
            r.own, r.polygon, country=None if pd.isna(r.country) else r.country, crosswalk=crosswalk
        )
        for r in pairs.drop_duplicates().itertuples()
    }
    flags = [verdict[(r.own, r.polygon, r.country)] for r in pairs.itertuples()]
    return pd.Series(np.array(flags, dtype=bool), index=pairs.index)


def _admin2_notes(previous: pd.Series, polygon_admin2: pd.Series) -> pd.Series:
    """'admin2 was X' where the record had another admin2 than its polygon."""
    changed = previous.notna() & (previous != "") & (region_keys(previous) != region_keys(polygon_admin2))
    return ("admin2 was " + previous[changed]).astype("string")


def assign_regions(
    records: pd.DataFrame,
    units: gpd.GeoDataFrame | None = None,
    *,
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
    crosswalk: Crosswalk | None = None,
) -> pd.DataFrame:
    """A copy of ``records`` with admin1/admin2 from ``units`` (default: active set).

    Works on canonical frames and GeoDataFrames alike (it reads latitude/longitude).
    Rows without coordinates, or farther than ``tolerance_km`` from every unit, keep
    their own values. Adds a ``region_distance_km`` column (0 inside, >0 snapped).
    """
    if units is None:
        units, index = region_index()
    else:
        index = RegionIndex(units.geometry.values)
    crosswalk = crosswalk or load_crosswalk()
    out = records.copy()
    unit, distance = locate_units(
        out["longitude"].to_numpy(dtype=float), out["latitude"].to_numpy(dtype=float),
        tolerance_km=tolerance_km, index=index,
    )
    out["region_distance_km"] = distance
    hit = unit != NO_UNIT
    if not hit.any():
        return out
    rows = np.nonzero(hit)[0]
    found = units.iloc[unit[hit]]
    polygon_admin1 = pd.Series(found["admin1"].to_numpy(), index=out.index[rows], dtype="string")
    polygon_country = pd.Series(found["country"].to_numpy(), index=out.index[rows], dtype="string")

    reported = out["admin1_reported"].astype("string") if "admin1_reported" in out else None
    own = out["admin1"].astype("string")
    if reported is not None:
        own = reported.where(reported.notna() & (reported != ""), own)
    own = own.loc[polygon_admin1.index]
    differs = own.notna() & (own != "") & (region_keys(own) != region_keys(polygon_admin1))
    disagree = _disagreements(own[differs], polygon_admin1[differs], polygon_country[differs], crosswalk)

    out["admin1_reported"] = out["admin1_reported"].astype("string") if "admin1_reported" in out else pd.NA
    out.loc[differs[differs].index, "admin1_reported"] = own[differs]
    out["admin1"] = out["admin1"].astype("string")
    out.loc[polygon_admin1.index, "admin1"] = polygon_admin1

    reason = pd.Series(pd.NA, index=out.index, dtype="string")
    flagged = disagree.index[disagree.to_numpy()]
    reason[flagged] = (
        "admin1 reported as " + own[flagged] + " but the point lies in " + polygon_admin1[flagged]
    )
    polygon_admin2 = pd.Series(found["admin2"].to_numpy(), index=out.index[rows], dtype="string")
    polygon_admin2 = polygon_admin2[polygon_admin2.notna()]
    if len(polygon_admin2):
        note = _admin2_notes(out["admin2"].astype("string").loc[polygon_admin2.index], polygon_admin2)
        reason[note.index] = _join_reason(reason[note.index], note)
        out["admin2"] = out["admin2"].astype("string")
        out.loc[polygon_admin2.index, "admin2"] = polygon_admin2

    status = out["status"].astype("string") if "status" in out else pd.Series(pd.NA, index=out.index, dtype="string")
    review = status.index.isin(flagged) & (status.fillna("") != Status.REJECTED.value)
    status[review] = Status.NEEDS_REVIEW.value
    out["status"] = status
    current = out["status_reason"] if "status_reason" in out else pd.Series(pd.NA, index=out.index)
    out["status_reason"] = _join_reason(current, reason)
    return out


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
