"""``FilterSpec`` compiled to a PostgreSQL WHERE clause, with the same meaning as
``incidents.filters.filter_mask``.

Matching a list of names (countries, regions, types, statuses) ignores case and
accents, as the mask does: the column's distinct stored values are folded with
the very same ``fold_text`` and the matching raw values go into the query as
``col = ANY(...)``, so the answer is exactly the mask's and the query can use an
index. Free text (actor, text) is matched with ``unaccent`` + ``lower`` and
``LIKE``, which agrees with Python's folding on the Latin and French text of the
data (it is documented as the one approximation). Period, fatalities and
precision are plain comparisons; the polygon and the radius use PostGIS on the
stored point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd

from incidents.filters import ACTOR_COLUMNS, TEXT_COLUMNS, FilterSpec, fold_text

Distinct = Callable[[str], Sequence[str]]


def _fold(values: Sequence[str]) -> pd.Series:
    return fold_text(pd.Series(list(values), dtype="string"))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching_values(distinct: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """The stored values that fold like one of ``wanted``."""
    targets = set(_fold(wanted).dropna())
    stored = pd.Series(list(distinct), dtype="string")
    return stored[_fold(stored).isin(targets).fillna(False).to_numpy(dtype=bool)].tolist()


def _folded_sql(column: str) -> str:
    return f"lower(unaccent(\"{column}\"))"


def where_clause(spec: FilterSpec, *, distinct: Distinct,
                 latest: Callable[[], date | None]) -> tuple[str, list[Any]]:
    """(SQL condition, parameters) selecting the rows ``spec`` selects."""
    conditions: list[str] = []
    params: list[Any] = []
    reference = (latest() or date.today()) if spec.preset else date.today()
    start, end = spec.date_bounds(reference)
    if start is not None:
        conditions.append("event_date >= %s")
        params.append(start)
    if end is not None:
        conditions.append("event_date < %s")
        params.append(end + timedelta(days=1))
    admin1s: tuple[str, ...] = spec.admin1s
    if admin1s:
        from incidents.regions.crosswalk import expand_admin1

        admin1s = tuple(expand_admin1(admin1s, include_successors=spec.include_successor_regions))
    for column, wanted in (
        ("country", spec.countries), ("admin1", admin1s), ("admin2", spec.admin2s),
        ("event_type", spec.event_types), ("sub_event_type", spec.sub_event_types),
        ("status", spec.statuses),
    ):
        if wanted:
            conditions.append(f'"{column}" = ANY(%s)')
            params.append(matching_values(distinct(column), wanted))
    if spec.actor:
        needle = "%" + _escape_like(str(_fold([spec.actor]).iloc[0])) + "%"
        conditions.append(
            "(" + " OR ".join(f"{_folded_sql(c)} LIKE %s" for c in ACTOR_COLUMNS) + ")")
        params.extend([needle] * len(ACTOR_COLUMNS))
    if spec.min_fatalities is not None:
        conditions.append("fatalities >= %s")
        params.append(spec.min_fatalities)
    if spec.max_geo_precision is not None:
        conditions.append("geo_precision <= %s")
        params.append(spec.max_geo_precision)
    if spec.text:
        for term in str(_fold([spec.text]).iloc[0]).split(" "):
            needle = "%" + _escape_like(term) + "%"
            conditions.append(
                "(" + " OR ".join(f"{_folded_sql(c)} LIKE %s" for c in TEXT_COLUMNS) + ")")
            params.extend([needle] * len(TEXT_COLUMNS))
    if spec.polygon:
        from incidents.regions.spatial_filter import parse_polygon

        conditions.append("ST_Intersects(geom, ST_GeomFromText(%s, 4326))")
        params.append(parse_polygon(spec.polygon).wkt)
    if spec.near:
        from incidents.regions.spatial_filter import parse_near

        lat, lon, km = parse_near(spec.near)
        # Great-circle distance on the sphere, as the mask's haversine computes it.
        conditions.append(
            "geom IS NOT NULL AND ST_DistanceSphere(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
            " <= %s")
        params.extend([lon, lat, km * 1000.0])
    return (" AND ".join(conditions) or "TRUE"), params
