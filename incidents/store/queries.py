"""What a dashboard asks of a PostGIS store, answered by the server.

Over ten million incidents no dashboard process may hold them all, so when the
store is a server every figure of a view is one SQL query built from the
``FilterSpec`` (``incidents.store.sqlfilter.where_clause``, through the store's
own ``_where``): the headline, the timeline's counts per period, the filter
choices, the extent to open the map on, and the map itself (the incidents in
view when few, else the H3 cells of the view, grouped from the cell id stored
with every row). Each answer is small: its size depends on the view, never on
how many incidents exist.

The embedded SQLite store keeps its in-memory path (a snapshot and a mask),
which is fastest at its scale; :func:`served_queries` is None for it. The
answers here equal the in-memory ones (``tests/test_store_queries.py``), with
one documented approximation: the headline tells places apart by their
(country, admin1, location) as stored, where the mask folds case and accents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from incidents import model
from incidents.filters import FilterSpec
from incidents.spatial_index import MAP_RESOLUTIONS, parent_cells
from incidents.store.postgis_groups import MONTHS, Rows, answerable, rows_for
from incidents.summary import Headline

# (south, west, north, east) in degrees.
Bounds = tuple[float, float, float, float]
PERIOD_UNITS = {"week": "week", "month": "month"}  # PostgreSQL's date_trunc weeks start Monday


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class ServedQueries:
    """The dashboard's questions about one ``FilterSpec``, put to a PostGIS store."""

    store: Any  # incidents.store.postgis.PostgisStore (not imported: psycopg is optional)
    # False: every figure from ``incidents`` itself, never from its groups (the tests
    # compare the two answers).
    use_groups: bool = True
    # (spec, generation) -> compiled WHERE: a view asks about one spec a dozen times.
    _wheres: dict[tuple[FilterSpec, int], tuple[Rows, str, list[Any]]] = field(
        default_factory=dict, repr=False, compare=False)

    def _where(self, spec: FilterSpec, *, each: bool = False) -> tuple[Rows, str, list[Any]]:
        """(rows to read, condition, parameters) of ``spec``: its incidents counted per
        group (``incidents.store.postgis_groups``) when the filter allows it, else the
        incidents themselves (always with ``each``, for a question about single rows)."""
        from incidents.store.postgis import _CELL

        key = (spec, self.store.generation())
        if key not in self._wheres:
            if len(self._wheres) > 32:
                self._wheres.clear()
            where, params = self.store._where(spec)
            self._wheres[key] = (rows_for(spec, _CELL, use_groups=self.use_groups), where, params)
        rows, where, params = self._wheres[key]
        if each:
            rows = rows_for(spec, _CELL, use_groups=False)
        # Incidents merged into another are not shown: the survivor carries their
        # sources (as ``review.without_merged`` does for the in-memory path).
        return rows, f"({where}) AND {rows.live()}", params

    def _query(self, spec: FilterSpec, select: Any, tail: str = "",
               params: Sequence[Any] = (), extra: str = "TRUE",
               select_params: Sequence[Any] = (), each: bool = False) -> pd.DataFrame:
        """``SELECT select FROM <rows> WHERE <spec> AND extra tail``; ``params`` fill
        ``extra`` and ``tail``, ``select_params`` the select list. ``select`` may be a
        function of the rows read (:class:`Rows`) when its aggregates differ."""
        rows, where, where_params = self._where(spec, each=each)
        listed = select(rows) if callable(select) else select
        sql = f"SELECT {listed} FROM {rows.table} WHERE {where} AND {extra} {tail}"
        with self.store._read() as conn:
            cursor = conn.execute(sql, [*select_params, *where_params, *params])
            return pd.DataFrame(cursor.fetchall(), columns=[d.name for d in cursor.description])

    def count(self, spec: FilterSpec) -> int:
        return int(self._query(spec, lambda rows: f"{rows.count()} AS n").iloc[0]["n"])

    def headline(self, spec: FilterSpec) -> Headline:
        """The figures above the map, as ``incidents.summary.headline_figures`` gives them."""
        return self.figures(spec)[0]

    def figures(self, spec: FilterSpec) -> tuple[Headline, Bounds | None, int]:
        """(headline, extent of the placed incidents, how many are not placed), in one
        pass over the selected rows: what a filter change needs before drawing the map."""
        # Grouped by place first (a hash aggregate the server can share between
        # workers), then summed: COUNT(DISTINCT place) sorted every selected row and
        # cost four times the rest of the headline.
        rows, where, params = self._where(spec)
        sql = (
            "SELECT COALESCE(SUM(n), 0) AS incidents, COALESCE(SUM(f), 0) AS fatalities,"
            " COUNT(*) FILTER (WHERE location IS NOT NULL) AS locations,"
            " SUM(p)::float8 / NULLIF(SUM(n), 0) AS precise, MIN(d0) AS first_date,"
            " MAX(d1) AS last_date, COALESCE(SUM(syn), 0) AS synthetic,"
            " COALESCE(SUM(u), 0) AS unplaced, MIN(s) AS s, MIN(w) AS w, MAX(nn) AS n,"
            f" MAX(e) AS e FROM (SELECT location, {rows.count()} AS n,"
            f" {rows.fatalities()} AS f, {rows.count('geo_precision = 1')} AS p,"
            " MIN(event_date) AS d0, MAX(event_date) AS d1,"
            f" {rows.synthetic()} AS syn, {rows.count('geom IS NULL')} AS u,"
            " MIN(latitude) FILTER (WHERE geom IS NOT NULL) AS s,"
            " MIN(longitude) FILTER (WHERE geom IS NOT NULL) AS w,"
            " MAX(latitude) FILTER (WHERE geom IS NOT NULL) AS nn,"
            " MAX(longitude) FILTER (WHERE geom IS NOT NULL) AS e"
            f" FROM {rows.table} WHERE {where} GROUP BY country, admin1, location) AS places")
        with self.store._read() as conn:
            cursor = conn.execute(sql, params)
            row = pd.Series(cursor.fetchone(), index=[d.name for d in cursor.description])
        count = int(row["incidents"])
        if count == 0:
            return Headline(0, 0, 0, None, None, None, 0), None, 0

        def day(value: Any) -> pd.Timestamp | None:
            return None if value is None or pd.isna(value) else pd.Timestamp(value)

        extent = None if row["s"] is None or pd.isna(row["s"]) else (
            float(row["s"]), float(row["w"]), float(row["n"]), float(row["e"]))
        return Headline(
            incidents=count, fatalities=int(row["fatalities"]), locations=int(row["locations"]),
            precise_share=float(row["precise"]), first_date=day(row["first_date"]),
            last_date=day(row["last_date"]), synthetic=int(row["synthetic"]),
        ), extent, int(row["unplaced"])

    def place_groups(self, spec: FilterSpec) -> pd.DataFrame:
        """The selected incidents counted per (country, admin1, location, H3 cell, event
        type, region-level or not, placed or not): one pass over the selected rows from
        which the headline, the extent (:func:`figures_of_places`) and the map of that
        extent (:func:`extent_groups`) all follow. As many rows as places and types,
        whatever the number of incidents.

        When the groups answer ``spec``, the period's whole calendar months are read
        from the month level and only its first and last days (and incidents dated by
        a range) from the day level. ``d0``/``d1`` are then exact only as the earliest
        and latest over all rows (what the headline reads)."""
        from incidents.store.postgis import _CELL

        rows, where, params = self._where(spec)
        keys = (f"country, admin1, location, COALESCE({_CELL}, 0) AS cell,"
                " COALESCE(event_type, '') AS event_type,"
                " COALESCE(geo_precision = 3, FALSE) AS region_level, geom IS NOT NULL AS placed")
        measures = (f"{rows.count()} AS n, {rows.fatalities()} AS f,"
                    f" {rows.count('geo_precision = 1')} AS p, {rows.synthetic()} AS syn,"
                    " MIN(latitude) AS s, MIN(longitude) AS w, MAX(latitude) AS nn,"
                    " MAX(longitude) AS e")
        months = self._whole_months(spec) if rows.grouped else None
        if months is None:
            sql = (f"SELECT {keys}, {measures}, MIN(event_date) AS d0, MAX(event_date) AS d1"
                   f" FROM {rows.table} WHERE {where} GROUP BY 1, 2, 3, 4, 5, 6, 7")
            with self.store._read() as conn:
                return self._frame(conn.execute(sql, params))
        (low, first, after, high), month_where, month_params = months
        # The day level's share, said as ranges of its date index: the days before the
        # first whole month and after the last, and the incidents dated by a range.
        days, day_params, in_months, month_bounds = ["event_date IS NULL",
                                                     "event_date_end IS NOT NULL"], [], [], []
        if first is not None:
            days.append("(event_date >= %s AND event_date < %s)")
            day_params.extend([low, first])
            in_months.append("month >= %s")
            month_bounds.append(first)
        if after is not None:
            days.append("(event_date >= %s AND event_date <= %s)")
            day_params.extend([after, high])
            in_months.append("month < %s")
            month_bounds.append(after)
        inside = " AND ".join(["event_date_end IS NULL", *(
            c.replace("month", "event_date") for c in in_months)])
        sql = (
            "SELECT country, admin1, location, cell, event_type, region_level, placed,"
            " SUM(n)::bigint AS n, SUM(f)::bigint AS f, SUM(p)::bigint AS p,"
            " SUM(syn)::bigint AS syn, MIN(s) AS s, MIN(w) AS w, MAX(nn) AS nn, MAX(e) AS e,"
            " MIN(d0) AS d0, MAX(d1) AS d1 FROM ("
            f"SELECT {keys}, {measures}, MIN(event_date) AS d0, MAX(event_date) AS d1"
            f" FROM {rows.table} WHERE {where} AND ({' OR '.join(days)})"
            " GROUP BY 1, 2, 3, 4, 5, 6, 7 UNION ALL"
            f" SELECT {keys}, {measures}, NULL::date AS d0, NULL::date AS d1"
            f" FROM {MONTHS} WHERE ({month_where}) AND {rows.live()}"
            f" AND {' AND '.join(in_months) or 'TRUE'} GROUP BY 1, 2, 3, 4, 5, 6, 7"
            ") AS parts GROUP BY 1, 2, 3, 4, 5, 6, 7")
        # The whole months' first and last days, from the day level's date index.
        ends = (f"SELECT MIN(event_date), MAX(event_date) FROM {rows.table}"
                f" WHERE {where} AND {inside}")
        with self.store._read() as conn:
            frame = self._frame(conn.execute(sql, [*params, *day_params, *month_params,
                                                   *month_bounds]))
            earliest, latest = conn.execute(ends, [*params, *month_bounds]).fetchone()
        if earliest is not None and len(frame):
            frame["d0"] = [earliest if d is None else min(d, earliest) for d in frame["d0"]]
            frame["d1"] = [latest if d is None else max(d, latest) for d in frame["d1"]]
        return frame

    def _whole_months(self, spec: FilterSpec) -> tuple[
            tuple[date | None, date | None, date | None, date | None], str, list[Any]] | None:
        """((first day, first whole month, the month after the last, last day),
        condition without the period, its parameters) when the month level can answer
        ``spec`` and its period holds at least one whole calendar month; else None."""
        from incidents.store.postgis import _CELL

        if not answerable(spec, _CELL, months=True):
            return None
        # The period as the filter resolves it (``PeriodBound``).
        reference = (self.store._latest() or date.today()) if spec.preset else date.today()
        low, high = spec.date_bounds(reference)
        first = None if low is None else low if low.day == 1 else \
            (low.replace(day=1) + timedelta(days=32)).replace(day=1)
        after = None if high is None else (high + timedelta(days=1)).replace(day=1)
        if first is not None and after is not None and first >= after:
            return None
        where, params = self.store._where(replace(spec, preset=None, start=None, end=None))
        return (low, first, after, high), where, params

    @staticmethod
    def _frame(cursor: Any) -> pd.DataFrame:
        return pd.DataFrame(cursor.fetchall(), columns=[d.name for d in cursor.description])

    def period_counts(self, spec: FilterSpec, interval: str) -> pd.DataFrame:
        """(period, event_type, count), as the timeline's ``counts_by_period``: weeks from
        Monday or months from the 1st, undated rows left out, a missing type as ""."""
        unit = PERIOD_UNITS[interval]
        frame = self._query(
            spec, lambda rows: f"date_trunc('{unit}', event_date)::date AS period,"
            f" COALESCE(event_type, '') AS event_type, {rows.count()} AS count",
            "GROUP BY 1, 2 ORDER BY 1, 2", extra="event_date IS NOT NULL")
        return pd.DataFrame({
            "period": pd.to_datetime(frame["period"]).astype("datetime64[ns]"),
            "event_type": frame["event_type"].astype("string"),
            "count": frame["count"].astype("int64"),
        }).sort_values(["period", "event_type"], ignore_index=True)

    def latest_date(self) -> date | None:
        return self.store._latest()

    def choices(self) -> pd.DataFrame:
        """One row per stored (country, admin1, admin2), with the latest date of the
        store on every row: what the sidebar needs to offer its choices and to count a
        preset back from, without the incidents (``filter_widgets`` takes it as its frame)."""
        with self.store._read() as conn:
            # Every stored incident is in one of the groups, merged or not.
            cursor = conn.execute(
                "SELECT DISTINCT country, admin1, admin2 FROM incident_groups")
            frame = pd.DataFrame(cursor.fetchall(), columns=["country", "admin1", "admin2"])
        latest = self.latest_date()
        frame = frame.astype("string")
        frame["event_date"] = pd.Timestamp(latest) if latest else pd.NaT
        frame["event_date"] = frame["event_date"].astype("datetime64[ns]")
        return frame

    def extent(self, spec: FilterSpec) -> Bounds | None:
        """(south, west, north, east) of the placed incidents ``spec`` selects."""
        row = self._query(spec, "MIN(latitude) AS s, MIN(longitude) AS w, MAX(latitude) AS n,"
                                " MAX(longitude) AS e", extra="geom IS NOT NULL").iloc[0]
        if row["s"] is None or pd.isna(row["s"]):
            return None
        return float(row["s"]), float(row["w"]), float(row["n"]), float(row["e"])

    def unplaced(self, spec: FilterSpec) -> int:
        return int(self._query(spec, lambda rows: f"{rows.count()} AS n",
                               extra="geom IS NULL").iloc[0]["n"])

    @staticmethod
    def _in_view(bounds: Bounds | None) -> tuple[str, list[Any]]:
        if bounds is None:
            return "geom IS NOT NULL", []
        south, west, north, east = bounds
        return ("geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
                " AND latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s",
                [west, south, east, north, south, north, west, east])

    def count_in_view(self, spec: FilterSpec, bounds: Bounds | None) -> int:
        """Placed incidents ``spec`` selects inside ``bounds`` (all placed ones for None)."""
        extra, params = self._in_view(bounds)
        return int(self._query(spec, lambda rows: f"{rows.count()} AS n", params=params,
                               extra=extra).iloc[0]["n"])

    def rows_in_view(self, spec: FilterSpec, bounds: Bounds | None,
                     columns: Sequence[str] | None = None,
                     limit: int | None = None) -> pd.DataFrame:
        """The placed incidents in view (canonical records of ``columns``), newest first."""
        names = list(columns) if columns else list(model.CANONICAL_COLUMNS)
        extra, params = self._in_view(bounds)
        tail = "ORDER BY event_date DESC NULLS LAST, incident_id COLLATE \"C\""
        if limit is not None:
            tail += " LIMIT %s"
            params = [*params, int(limit)]
        frame = self._query(spec, ", ".join(_q(c) for c in names), tail, params, extra,
                            each=True)
        return model.conform(frame)[names]

    def cells_in_view(self, spec: FilterSpec, bounds: Bounds | None, resolution: int,
                      max_cells: int | None = None) -> tuple[int, pd.DataFrame]:
        """(resolution, hexagons) of the placed incidents in view, not region-level ones
        (geo_precision 3): one row per cell with ``cell`` (uint64), ``count``,
        ``fatalities`` and ``top_event_type``, as ``incidents.maps.cells.aggregate_cells``
        gives them. Grouped by the server per (cell, event type); with ``max_cells``,
        merged into coarser parents (in memory, from those few groups) until at most
        that many remain."""
        from incidents.store.postgis import _CELL

        keep, add, extra, params = self._cells_in_view(resolution, bounds)
        groups = self._query(
            spec, lambda rows: f"({_CELL} & %s) | %s AS cell,"
            f" COALESCE(event_type, '') AS event_type, {rows.count()} AS count,"
            f" {rows.fatalities()} AS fatalities", "GROUP BY 1, 2",
            params=params, extra=f"{extra} AND {_CELL} IS NOT NULL"
            " AND geo_precision IS DISTINCT FROM 3", select_params=[keep, add])
        groups["cell"] = groups["cell"].astype("int64").astype("uint64") if len(groups) else \
            pd.Series(dtype="uint64")
        return _coarsened(groups, resolution, max_cells)

    def _cells_in_view(self, resolution: int,
                       bounds: Bounds | None) -> tuple[int, int, str, list[Any]]:
        """The bit masks that turn a stored cell id into its parent at ``resolution``,
        and the condition (with its parameters) keeping the incidents in ``bounds``."""
        from incidents.store.postgis import _parent_masks

        if resolution not in MAP_RESOLUTIONS:
            raise ValueError(f"no cells at resolution {resolution}")
        keep, add = _parent_masks(resolution)
        extra, params = self._in_view(bounds)
        return keep, add, extra, params

    def view_groups(self, spec: FilterSpec, bounds: Bounds | None,
                    resolution: int) -> pd.DataFrame:
        """The placed incidents in view counted per (cell at ``resolution``, event type,
        region-level or not), in one pass: the map's count in view, its event types
        and its hexagons (:func:`cells_of_groups`) all come from these few rows."""
        from incidents.store.postgis import _CELL

        keep, add, extra, params = self._cells_in_view(resolution, bounds)
        groups = self._query(
            spec, lambda rows: f"({_CELL} & %s) | %s AS cell,"
            " COALESCE(event_type, '') AS event_type,"
            " COALESCE(geo_precision = 3, FALSE) AS region_level,"
            f" {rows.count()} AS count, {rows.fatalities()} AS fatalities", "GROUP BY 1, 2, 3",
            params=params, extra=extra, select_params=[keep, add])
        groups["cell"] = groups["cell"].astype("Int64").fillna(0).astype("int64").astype(
            "uint64") if len(groups) else pd.Series(dtype="uint64")
        return groups

    def event_types_in_view(self, spec: FilterSpec, bounds: Bounds | None) -> list[str]:
        extra, params = self._in_view(bounds)
        frame = self._query(spec, "DISTINCT event_type", params=params,
                            extra=f"{extra} AND event_type IS NOT NULL")
        return sorted(str(v) for v in frame["event_type"])

    def needing_placement(self, spec: FilterSpec, limit: int) -> pd.DataFrame:
        """Selected incidents without a point or placed coarser than their place, the
        unplaced first, then the coarsest, newest first (the correction page's order)."""
        frame = self._query(
            spec, ", ".join(_q(c) for c in model.CANONICAL_COLUMNS),
            "ORDER BY (geom IS NULL) DESC, COALESCE(geo_precision, 3) DESC,"
            " event_date DESC NULLS LAST, incident_id COLLATE \"C\" LIMIT %s", [int(limit)],
            extra="(geom IS NULL OR COALESCE(geo_precision, 3) > 1"
                  " OR status = 'needs_review')", each=True)
        return model.conform(frame)

    def by_ids(self, ids: Sequence[str]) -> pd.DataFrame:
        """Canonical records of these incidents (whatever the filter), in the order given."""
        if not ids:
            return model.conform(pd.DataFrame(columns=list(model.CANONICAL_COLUMNS)))
        with self.store._read() as conn:
            cursor = conn.execute(
                f"SELECT {', '.join(_q(c) for c in model.CANONICAL_COLUMNS)} FROM incidents"
                " WHERE incident_id = ANY(%s)", (list(ids),))
            frame = pd.DataFrame(cursor.fetchall(), columns=[d.name for d in cursor.description])
        frame = model.conform(frame)
        order = {incident_id: i for i, incident_id in enumerate(ids)}
        return frame.sort_values("incident_id", key=lambda s: s.map(order),
                                 ignore_index=True)


@dataclass
class ServedSelection:
    """The incidents ``spec`` selects in a server store, asked for piece by piece: the
    dashboard's counterpart of ``incidents.selection.Selection`` when nothing is loaded.
    Figures asked twice in one run (the count, the headline) are asked once."""

    queries: ServedQueries
    spec: FilterSpec
    _answers: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def _once(self, name: str, ask: Any) -> Any:
        if name not in self._answers:
            self._answers[name] = ask()
        return self._answers[name]

    def __len__(self) -> int:
        # The headline counts the selection too: a page that shows it asks once.
        if "figures" in self._answers:
            return self._figures()[0].incidents
        return self._once("count", lambda: self.queries.count(self.spec))

    @property
    def empty(self) -> bool:
        return len(self) == 0

    def _places(self) -> pd.DataFrame:
        return self._once("places", lambda: self.queries.place_groups(self.spec))

    def _figures(self) -> tuple[Headline, Bounds | None, int]:
        return self._once("figures", lambda: figures_of_places(self._places()))

    def view_groups(self, bounds: Bounds | None, resolution: int) -> pd.DataFrame:
        """:meth:`ServedQueries.view_groups`; the view a filter change opens on, the
        selection's extent, is answered from the headline's pass without asking again."""
        if bounds is not None and bounds == self.extent():
            return extent_groups(self._places(), resolution)
        return self.queries.view_groups(self.spec, bounds, resolution)

    def headline(self) -> Headline:
        return self._figures()[0]

    def extent(self) -> Bounds | None:
        """(south, west, north, east) of the placed incidents selected."""
        return self._figures()[1]

    def reference_date(self) -> date:
        """The date presets count back from: the store's latest, or today when empty."""
        return self._once("latest", lambda: self.queries.latest_date() or date.today())

    def unplaced(self) -> int:
        return self._figures()[2]

    def newest(self, limit: int) -> pd.DataFrame:
        """Up to ``limit`` selected incidents, newest first (the table)."""
        return self.queries.store.select(self.spec, limit=limit)

    def incidents(self) -> Any:
        """Every selected incident as canonical records with geometry (an export)."""
        from incidents.snapshot import with_geometry

        return with_geometry(self.queries.store.select(self.spec))

    def week(self, start: pd.Timestamp) -> ServedSelection:
        return ServedSelection(self.queries, week_spec(self.spec, start, self.reference_date()))


def figures_of_places(places: pd.DataFrame) -> tuple[Headline, Bounds | None, int]:
    """:meth:`ServedQueries.figures` from :meth:`ServedQueries.place_groups`."""
    count = int(places["n"].sum()) if len(places) else 0
    if count == 0:
        return Headline(0, 0, 0, None, None, None, 0), None, 0
    named = places.loc[places["location"].notna(), ["country", "admin1", "location"]]
    placed = places[places["placed"].astype(bool)]
    extent = None if placed.empty else (
        float(placed["s"].min()), float(placed["w"].min()), float(placed["nn"].max()),
        float(placed["e"].max()))

    def day(values: pd.Series, first: bool) -> pd.Timestamp | None:
        dates = pd.to_datetime(values).dropna()
        return None if dates.empty else pd.Timestamp(dates.min() if first else dates.max())

    return Headline(
        incidents=count, fatalities=int(places["f"].sum()),
        locations=len(named.drop_duplicates()),
        precise_share=int(places["p"].sum()) / count,
        first_date=day(places["d0"], True), last_date=day(places["d1"], False),
        synthetic=int(places["syn"].sum()),
    ), extent, int(places.loc[~places["placed"].astype(bool), "n"].sum())


def extent_groups(places: pd.DataFrame, resolution: int) -> pd.DataFrame:
    """:meth:`ServedQueries.view_groups` over the selection's extent (every placed
    incident) from :meth:`ServedQueries.place_groups`."""
    if resolution not in MAP_RESOLUTIONS:
        raise ValueError(f"no cells at resolution {resolution}")
    placed = places[places["placed"].astype(bool)]
    cells = placed["cell"].to_numpy(dtype="int64").astype("uint64")
    frame = pd.DataFrame({
        "cell": parent_cells(cells, resolution),
        "event_type": placed["event_type"].to_numpy(dtype=object),
        "region_level": placed["region_level"].astype(bool).to_numpy(),
        "count": placed["n"].astype("int64").to_numpy(),
        "fatalities": placed["f"].astype("int64").to_numpy(),
    })
    return frame.groupby(["cell", "event_type", "region_level"], as_index=False, sort=True)[
        ["count", "fatalities"]].sum()


def cells_of_groups(groups: pd.DataFrame, resolution: int,
                    max_cells: int | None = None) -> tuple[int, pd.DataFrame]:
    """(resolution, hexagons) from :meth:`ServedQueries.view_groups`: the rows that are
    not region-level and have a cell, merged into coarser parents until at most
    ``max_cells`` remain (as ``cells_in_view``)."""
    groups = groups[~groups["region_level"].astype(bool) & (groups["cell"] != 0)].copy()
    return _coarsened(groups, resolution, max_cells)


def _coarsened(groups: pd.DataFrame, resolution: int,
               max_cells: int | None) -> tuple[int, pd.DataFrame]:
    """(resolution, hexagons) of ``groups`` (a ``cell`` column at ``resolution``), its
    cells merged into their parents until at most ``max_cells`` remain. ``groups`` is
    changed in place."""
    cells = _cells_frame(groups)
    while max_cells is not None and len(cells) > max_cells and \
            resolution > min(MAP_RESOLUTIONS):
        resolution -= 1
        groups["cell"] = parent_cells(groups["cell"].to_numpy(dtype="uint64"), resolution)
        cells = _cells_frame(groups)
    return resolution, cells


def _cells_frame(groups: pd.DataFrame) -> pd.DataFrame:
    """Per-(cell, type) groups summed per cell; the top type is the most frequent one
    (ties to the first name in order, a missing type only when no type is known)."""
    if groups.empty:
        return pd.DataFrame({"cell": pd.Series(dtype="uint64"), "count": pd.Series(dtype="int64"),
                             "fatalities": pd.Series(dtype="int64"),
                             "top_event_type": pd.Series(dtype="object")})
    by_type = groups.groupby(["cell", "event_type"], sort=True)["count"].sum().reset_index()
    named = by_type[by_type["event_type"] != ""]
    top = (named.sort_values(["cell", "count", "event_type"], ascending=[True, False, True],
                             kind="stable").drop_duplicates("cell").set_index("cell")
           ["event_type"])
    totals = groups.groupby("cell", sort=True).agg(count=("count", "sum"),
                                                    fatalities=("fatalities", "sum"))
    return pd.DataFrame({
        "cell": totals.index.to_numpy(dtype="uint64"),
        "count": totals["count"].to_numpy(dtype="int64"),
        "fatalities": totals["fatalities"].to_numpy(dtype="int64"),
        "top_event_type": top.reindex(totals.index).fillna("").to_numpy(dtype=object),
    })


def week_spec(spec: FilterSpec, start: pd.Timestamp, reference: date) -> FilterSpec:
    """``spec`` narrowed to the seven days from ``start`` (the map's playback); a preset
    is resolved against ``reference``, the store's latest date, as the filter does."""
    first = pd.Timestamp(start).date()
    low, high = spec.date_bounds(reference)
    begin = max(first, low) if low else first
    end = first + timedelta(days=6)
    end = min(end, high) if high else end
    return replace(spec, preset=None, start=begin, end=end)


def served_queries(store: Any) -> ServedQueries | None:
    """The server's answers for a store that can give them (PostGIS), else None."""
    from incidents.store import is_database_url

    if is_database_url(getattr(store, "url", None)):
        return ServedQueries(store)
    return None


__all__ = ["Bounds", "ServedQueries", "ServedSelection", "served_queries", "week_spec"]
