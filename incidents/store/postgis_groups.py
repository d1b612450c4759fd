"""The incidents of a PostGIS store counted per group: what a filter change reads.

Over ten million incidents, every figure of a filter change (the headline, the
extent, the map's hexagons, the choropleth, the timeline) scanned the selected rows
of ``incidents``, a wide table (notes, actors, sources), several times: 11 to 17
seconds. None of those figures needs the wide columns. ``incident_groups`` holds one
row per distinct combination of the columns they read or filter on (the day, the
place as stored: country, admin1, admin2, location, point, precision and H3 cell,
the event and sub-event types, the review status, merged or not) with how many
incidents share it, their fatalities and how many are synthetic. Every figure is
then the same query over fewer, much narrower rows, and **exactly** the answer over
``incidents``: each group keeps the very values a filter tests and a figure reads
(dates, names, points), so a condition selects a group exactly when it selects each
of its incidents; nothing is rounded to a week or a cell.

The groups are kept by the server, not by the program: statement triggers on
``incidents`` read the rows each statement inserted, deleted or changed (PostgreSQL's
transition tables) and add or subtract their counts, inside the writing transaction.
An import (COPY, INSERT ... ON CONFLICT), an edit, a merge, an unmerge, a write from
outside the program and a rolled-back import all leave ``incident_groups`` equal to
grouping ``incidents`` afresh (``tests/test_store_groups.py`` checks exactly that).

A filter whose condition reads a column the groups lack (an actor, words of the
text, a minimum of fatalities) is answered from ``incidents`` itself
(:func:`answerable`), as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from incidents.filters import FilterSpec
from incidents.filters.rules import InsidePolygon, PeriodBound, WithinDistance
from incidents.filters.spec import FILTERS

TABLE = "incident_groups"


def group_columns(cell: str) -> tuple[str, ...]:
    """The columns a group is told apart by (``cell``: the stored H3 cell column)."""
    return ("event_date", "event_date_end", "country", "admin1", "admin2", "location",
            "latitude", "longitude", "geo_precision", cell, "event_type", "sub_event_type",
            "status")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def migration(cell: str, column_types: dict[str, str]) -> tuple[str, ...]:
    """The statements that create ``incident_groups``, fill it from the stored rows and
    keep it by triggers; ``column_types`` gives each group column's SQL type."""
    keys = group_columns(cell)
    listed = ", ".join(_q(c) for c in keys)
    merged = "COALESCE(merged_into, '') <> ''"
    columns = ",\n  ".join(f"{_q(c)} {column_types[c]}" for c in keys)

    def grouped(source: str, sign: str) -> str:
        return (f"SELECT {listed}, {merged} AS merged, {sign}COUNT(*) AS n,"
                f" {sign}COALESCE(SUM(fatalities), 0) AS fatalities,"
                f" {sign}COUNT(*) FILTER (WHERE synthetic = 1) AS synthetic_n"
                f" FROM {source} GROUP BY {listed}, {merged}")

    def apply(*parts: str) -> str:
        # Inserted rows count +1, deleted ones -1; an update whose group did not change
        # sums to nothing and writes nothing.
        return (f"INSERT INTO {TABLE} AS g ({listed}, merged, n, fatalities, synthetic_n)"
                f" SELECT {listed}, merged, SUM(n), SUM(fatalities), SUM(synthetic_n)"
                f" FROM ({' UNION ALL '.join(parts)}) AS delta GROUP BY {listed}, merged"
                " HAVING SUM(n) <> 0 OR SUM(fatalities) <> 0 OR SUM(synthetic_n) <> 0"
                f" ON CONFLICT ({listed}, merged) DO UPDATE SET n = g.n + EXCLUDED.n,"
                " fatalities = g.fatalities + EXCLUDED.fatalities,"
                " synthetic_n = g.synthetic_n + EXCLUDED.synthetic_n")

    added, removed = grouped("new_rows", ""), grouped("old_rows", "-")
    return (
        f"""CREATE TABLE {TABLE} (
  {columns},
  merged BOOLEAN NOT NULL,
  n BIGINT NOT NULL,
  fatalities BIGINT NOT NULL,
  synthetic_n BIGINT NOT NULL,
  geom geometry(Point, 4326) GENERATED ALWAYS AS (
    CASE WHEN latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180
    THEN ST_SetSRID(ST_MakePoint(longitude, latitude), 4326) END) STORED
)""",
        f"CREATE UNIQUE INDEX {TABLE}_key ON {TABLE} ({listed}, merged) NULLS NOT DISTINCT",
        f"CREATE INDEX {TABLE}_date ON {TABLE} (event_date)",
        f"CREATE INDEX {TABLE}_geom ON {TABLE} USING GIST (geom)",
        # Groups whose last incident left, found without a scan and removed.
        f"CREATE INDEX {TABLE}_empty ON {TABLE} (n) WHERE n = 0",
        f"INSERT INTO {TABLE} ({listed}, merged, n, fatalities, synthetic_n)"
        f" {grouped('incidents', '')}",
        f"""CREATE FUNCTION {TABLE}_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE {TABLE};
  ELSIF TG_OP = 'INSERT' THEN
    {apply(added)};
  ELSIF TG_OP = 'DELETE' THEN
    {apply(removed)};
    DELETE FROM {TABLE} WHERE n = 0;
  ELSE
    {apply(added, removed)};
    DELETE FROM {TABLE} WHERE n = 0;
  END IF;
  RETURN NULL;
END $$""",
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON incidents REFERENCING NEW TABLE AS"
        f" new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_follow()",
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE ON incidents REFERENCING OLD TABLE AS"
        f" old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_follow()",
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON incidents REFERENCING OLD TABLE AS"
        f" old_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_follow()",
        f"CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON incidents"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_follow()",
        f"ANALYZE {TABLE}",
    )


def regrouped(cell: str) -> str:
    """A query giving what ``incident_groups`` must hold, grouped afresh from
    ``incidents`` (the tests compare the two)."""
    listed = ", ".join(_q(c) for c in group_columns(cell))
    merged = "COALESCE(merged_into, '') <> ''"
    return (f"SELECT {listed}, {merged} AS merged, COUNT(*) AS n,"
            " COALESCE(SUM(fatalities), 0) AS fatalities,"
            " COUNT(*) FILTER (WHERE synthetic = 1) AS synthetic_n"
            f" FROM incidents GROUP BY {listed}, {merged}")


def _rule_columns(rule: Any) -> set[str] | None:
    """The columns a filter's condition reads; None when not known (read ``incidents``)."""
    if isinstance(rule, PeriodBound):
        return {"event_date", "event_date_end"}
    if isinstance(rule, (InsidePolygon, WithinDistance)):
        return {"geom"}
    if isinstance(getattr(rule, "column", None), str):
        return {rule.column}
    columns = getattr(rule, "columns", None)
    return set(columns) if columns else None


def answerable(spec: FilterSpec, cell: str) -> bool:
    """Whether every filter ``spec`` sets reads only columns the groups keep."""
    kept = set(group_columns(cell)) | {"geom"}
    for spec_filter in FILTERS:
        if spec_filter.rule is None or not spec_filter.kind.is_set(getattr(spec, spec_filter.name)):
            continue
        columns = _rule_columns(spec_filter.rule)
        if columns is None or not columns <= kept:
            return False
    return True


@dataclass(frozen=True)
class Rows:
    """Where a query counts the selected incidents from: ``incidents`` itself (one row
    per incident) or ``incident_groups`` (one row per group of ``n`` incidents). Both
    have every column a figure reads under the same name; these give the aggregates
    that differ."""

    table: str

    @property
    def grouped(self) -> bool:
        return self.table == TABLE

    def count(self, condition: str | None = None) -> str:
        """How many incidents (meeting ``condition``), as a bigint, 0 when none."""
        if not self.grouped:
            return "COUNT(*)" if condition is None else f"COUNT(*) FILTER (WHERE {condition})"
        summed = "SUM(n)" if condition is None else f"SUM(n) FILTER (WHERE {condition})"
        return f"COALESCE({summed}, 0)::bigint"

    def fatalities(self) -> str:
        """The sum of known fatalities, 0 when none."""
        return "COALESCE(SUM(fatalities), 0)::bigint"

    def synthetic(self) -> str:
        return "COALESCE(SUM(synthetic_n), 0)::bigint" if self.grouped else \
            self.count("synthetic = 1")

    def live(self) -> str:
        """The condition leaving out incidents merged into another."""
        return "NOT merged" if self.grouped else "COALESCE(merged_into, '') = ''"


INCIDENTS = Rows("incidents")
GROUPS = Rows(TABLE)


def rows_for(spec: FilterSpec, cell: str, *, use_groups: bool = True) -> Rows:
    """The groups when they can answer ``spec`` (and ``use_groups``), else ``incidents``."""
    return GROUPS if use_groups and answerable(spec, cell) else INCIDENTS


__all__ = ["GROUPS", "INCIDENTS", "Rows", "TABLE", "answerable", "group_columns", "migration",
           "regrouped", "rows_for"]
