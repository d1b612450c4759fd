"""Gazetteer entries whose point lies outside the admin-1 region they state.

GeoNames has such entries (a village coded in one region but placed in the next,
often a copy error of the coordinates or of the code). They are kept, but the
ranking demotes them and ``gazetteer info`` lists how many there are. The check
uses the bundled Natural Earth regions with a margin, since those borders are
generalised by a kilometre or two.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from incidents.regions.crosswalk import load_crosswalk, region_key, same_region
from incidents.regions.sets import BUILTIN_SET, region_units

MARGIN_KM = 5.0
# When more of a country's places than this fall outside their region, the bundled
# polygons follow another division than the gazetteer's codes (Guinea's prefectures,
# Côte d'Ivoire's districts): the check says nothing there and flags nothing.
MAX_COUNTRY_SHARE = 0.05
_KM_PER_DEGREE = 111.0


def outside_stated_admin1(places: pd.DataFrame, margin_km: float = MARGIN_KM) -> np.ndarray:
    """True for each place farther than ``margin_km`` from every polygon of its own admin1.

    Places whose country or admin1 the bundled regions do not know are never flagged.
    """
    units = region_units(BUILTIN_SET)
    units = units[units["admin1"].notna()]
    crosswalk = load_crosswalk()
    flagged = np.zeros(len(places), dtype=bool)
    admin1 = places["admin1"].fillna("").astype(str).to_numpy()
    country = places["country_code"].fillna("").astype(str).to_numpy()
    points = shapely.points(places["longitude"].to_numpy(dtype=float), places["latitude"].to_numpy(dtype=float))
    for code in np.unique(country[admin1 != ""]):
        in_country = units[units["country"] == code]
        if in_country.empty:
            continue
        by_region = in_country.dissolve(by="admin1").geometry
        for stated in np.unique(admin1[(country == code) & (admin1 != "")]):
            shapes = [geom for name, geom in by_region.items()
                      if region_key(name) == region_key(stated)
                      or same_region(name, stated, country=code, crosswalk=crosswalk)]
            if not shapes:
                continue
            rows = np.flatnonzero((country == code) & (admin1 == stated))
            region = shapely.union_all(shapes)
            distance = shapely.distance(region, points[rows]) * _KM_PER_DEGREE
            flagged[rows] = distance > margin_km
        in_country = country == code
        if flagged[in_country].mean() > MAX_COUNTRY_SHARE:
            flagged[in_country] = False
    return flagged
