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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidents.filters import FilterSpec
from incidents.filters.rules import InsidePolygon, PeriodBound, WithinDistance
from incidents.filters.spec import FILTERS

TABLE = "incident_groups"


def group_columns(cell: str) -> tuple[str, ...]:
    """The columns a group is told apart by (``cell``: the stored H3 cell column)."""
    return ("event_date", "event_date_end", "country", "admin1", "admin2", "location",
            "latitude", "longitude", "geo_precision", cell, "event_type", "sub_event_type",
            "status")


def month_columns(cell: str) -> tuple[str, ...]:
    """The columns a month's group is told apart by, besides its month."""
    return ("country", "admin1", "admin2", "location", "latitude", "longitude",
            "geo_precision", cell, "event_type")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Level:
    """One table of incidents counted per group: its key columns, each with the
    expression over ``incidents`` that gives it, and which incidents it counts."""

    table: str
    keys: tuple[tuple[str, str], ...]
    counted: str = "TRUE"

    def grouped(self, source: str, sign: str = "") -> str:
        """The rows of ``source`` counted per group (negated with ``sign`` "-")."""
        expressions = ", ".join(e for _, e in self.keys) + f", {_MERGED}"
        named = ", ".join(f"{e} AS {_q(c)}" for c, e in self.keys)
        return (f"SELECT {named}, {_MERGED} AS merged, {sign}COUNT(*) AS n,"
                f" {sign}COALESCE(SUM(fatalities), 0) AS fatalities,"
                f" {sign}COUNT(*) FILTER (WHERE synthetic = 1) AS synthetic_n"
                f" FROM {source} WHERE {self.counted} GROUP BY {expressions}")

    def added(self, delta: str, *, regroup: bool = True) -> str:
        """Add ``delta`` (the day level's columns with counts to add, negative for
        incidents that left) to this level's groups, regrouped by its keys (not when
        ``delta`` holds one row per group of this level already)."""
        listed = ", ".join(_q(c) for c, _ in self.keys)
        expressions = ", ".join(e for _, e in self.keys)
        selected = (f" SELECT {expressions}, merged, SUM(n), SUM(fatalities), SUM(synthetic_n)"
                    f" FROM {delta} WHERE {self.counted} GROUP BY {expressions}, merged"
                    " HAVING SUM(n) <> 0 OR SUM(fatalities) <> 0 OR SUM(synthetic_n) <> 0"
                    ) if regroup else (
                    f" SELECT {listed}, merged, n, fatalities, synthetic_n FROM {delta}"
                    " WHERE n <> 0 OR fatalities <> 0 OR synthetic_n <> 0")
        return (f"INSERT INTO {self.table} AS g ({listed}, merged, n, fatalities, synthetic_n)"
                f"{selected}"
                f" ON CONFLICT ({listed}, merged) DO UPDATE SET n = g.n + EXCLUDED.n,"
                " fatalities = g.fatalities + EXCLUDED.fatalities,"
                " synthetic_n = g.synthetic_n + EXCLUDED.synthetic_n")

    def created(self, column_types: dict[str, str], dated: str) -> tuple[str, ...]:
        """The statements that create the table, with its indexes (``dated``: the date
        column indexed), and fill it from the stored incidents."""
        listed = ", ".join(_q(c) for c, _ in self.keys)
        columns = ",\n  ".join(f"{_q(c)} {column_types[c]}" for c, _ in self.keys)
        return (
            f"""CREATE TABLE {self.table} (
  {columns},
  merged BOOLEAN NOT NULL,
  n BIGINT NOT NULL,
  fatalities BIGINT NOT NULL,
  synthetic_n BIGINT NOT NULL,
  geom geometry(Point, 4326) GENERATED ALWAYS AS (
    CASE WHEN latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180
    THEN ST_SetSRID(ST_MakePoint(longitude, latitude), 4326) END) STORED
)""",
            f"CREATE UNIQUE INDEX {self.table}_key ON {self.table} ({listed}, merged)"
            " NULLS NOT DISTINCT",
            # No spatial index: a drawn area or a radius tests the few narrow rows
            # selected otherwise, and a GiST index made every import much slower.
            f"CREATE INDEX {self.table}_date ON {self.table} ({dated})",
            # Groups whose last incident left, found without a scan and removed.
            f"CREATE INDEX {self.table}_empty ON {self.table} (n) WHERE n = 0",
            f"INSERT INTO {self.table} ({listed}, merged, n, fatalities, synthetic_n)"
            f" {self.grouped('incidents')}",
            f"ANALYZE {self.table}",
        )


_MERGED = "COALESCE(merged_into, '') <> ''"
MONTHS = "incident_months"
LEVEL_TABLES = (TABLE, MONTHS)


def day_level(cell: str) -> Level:
    return Level(TABLE, tuple((c, _q(c)) for c in group_columns(cell)))


def month_level(cell: str) -> Level:
    """Dated incidents known to the day (no end date) counted per calendar month: a
    period's whole months are read here, its first and last days from the day level."""
    return Level(MONTHS, (("month", "date_trunc('month', event_date)::date"),
                          *((c, _q(c)) for c in month_columns(cell))),
                 "event_date IS NOT NULL AND event_date_end IS NULL")


def _follow(levels: tuple[Level, ...]) -> str:
    """The trigger function keeping every level from the rows a statement wrote: the
    rows are counted once, per group of the first (day) level, and every level adds
    those counts (inserted rows +1, deleted ones -1; an update that changed no group
    sums to nothing and writes nothing)."""
    day = levels[0]

    def apply(*parts: str) -> str:
        keys = ", ".join(_q(c) for c, _ in day.keys)
        delta = parts[0] if len(parts) == 1 else (
            f"SELECT {keys}, merged, SUM(n) AS n, SUM(fatalities) AS fatalities,"
            f" SUM(synthetic_n) AS synthetic_n FROM ({' UNION ALL '.join(parts)}) AS written"
            f" GROUP BY {keys}, merged")
        added = [level.added("delta", regroup=level is not day) for level in levels]
        steps = [f"{level.table}_added AS ({step})" for level, step in zip(levels, added)]
        return (f"WITH delta AS MATERIALIZED ({delta})"
                + "".join(f", {step}" for step in steps[:-1]) + f" {added[-1]}")

    def each(statement: Any) -> str:
        return "\n    ".join(f"{statement(level)};" for level in levels)

    return f"""CREATE OR REPLACE FUNCTION {TABLE}_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    {each(lambda level: f"TRUNCATE {level.table}")}
  ELSIF TG_OP = 'INSERT' THEN
    {apply(day.grouped("new_rows"))};
  ELSIF TG_OP = 'DELETE' THEN
    {apply(day.grouped("old_rows", "-"))};
    {each(lambda level: f"DELETE FROM {level.table} WHERE n = 0")}
  ELSE
    {apply(day.grouped("new_rows"), day.grouped("old_rows", "-"))};
    {each(lambda level: f"DELETE FROM {level.table} WHERE n = 0")}
  END IF;
  RETURN NULL;
END $$"""


def migration(cell: str, column_types: dict[str, str]) -> tuple[str, ...]:
    """The statements that create ``incident_groups``, fill it from the stored rows and
    keep it by triggers; ``column_types`` gives each group column's SQL type."""
    level = day_level(cell)
    return (
        *level.created(column_types, "event_date"),
        _follow((level,)),
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON incidents REFERENCING NEW TABLE AS"
        f" new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_follow()",
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE ON incidents REFERENCING OLD TABLE AS"
        f" old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_follow()",
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON incidents REFERENCING OLD TABLE AS"
        f" old_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_follow()",
        f"CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON incidents"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_follow()",
    )


def months_migration(cell: str, column_types: dict[str, str]) -> tuple[str, ...]:
    """The statements that add ``incident_months`` and keep it with the day level."""
    return (*month_level(cell).created({**column_types, "month": "DATE"}, "month"),
            # The day level's incidents dated by a range, read with the edge days.
            f"CREATE INDEX {TABLE}_ranged ON {TABLE} (event_date_end)"
            " WHERE event_date_end IS NOT NULL",
            _follow((day_level(cell), month_level(cell))))


TRIGGERS = tuple(f"{TABLE}_{operation}" for operation in ("insert", "update", "delete", "truncate"))


def paused(*, enable: bool) -> tuple[str, ...]:
    """Statements turning the triggers that keep the groups off or on again. A first
    import into an empty store pauses them, and :class:`FirstImportCounts` (or, failing
    it, :func:`refilled`) counts once at the end:
    the triggers would regroup every part's rows as it is written."""
    verb = "ENABLE" if enable else "DISABLE"
    return tuple(f"ALTER TABLE incidents {verb} TRIGGER {name}" for name in TRIGGERS)


def refilled(cell: str) -> tuple[str, ...]:
    """Statements counting every level afresh from the stored incidents."""
    levels = (day_level(cell), month_level(cell))
    return (f"TRUNCATE {', '.join(LEVEL_TABLES)}",
            *(f"INSERT INTO {level.table} ({', '.join(_q(c) for c, _ in level.keys)}, merged,"
              f" n, fatalities, synthetic_n) {level.grouped('incidents')}" for level in levels))


# Past this many rows, a first import stops counting its groups itself
# and the server counts them at the end (the memory they take stays bounded).
COUNTED_MAX_ROWS = 2_000_000
_SUMS = (("n", "sum"), ("fatalities", "sum"), ("synthetic_n", "sum"))


@dataclass
class FirstImportCounts:
    """The groups of a first import into an empty store, counted by the program from
    the rows it writes, part by part, and written with one COPY per level at the end.

    Grouping a million freshly written rows on the server took two statements of 3 to
    5 seconds each, one core busy and the other idle at the end of the import; here
    each chunk's key columns are kept as it is written and Arrow groups them once at
    the end, while the server builds the incidents' indexes. The counts are the server's:
    the same stored values (those the COPY of ``incidents`` was given), NULL a key
    value of its own as in GROUP BY, a negative zero folded into zero as the server
    compares them, missing fatalities summed as nothing. When a row of the import is
    written a second time (``abandon``), or the rows kept grow past
    ``COUNTED_MAX_ROWS``, the server counts afresh instead (``refilled``)."""

    cell: str
    parts: list[pa.Table] = field(default_factory=list)
    rows: int = 0
    exact: bool = True

    def add(self, written: pa.Table) -> None:
        """Keep the key columns and counts of ``written`` (stored columns, with the cell)."""
        if not self.exact:
            return
        keys = group_columns(self.cell)
        columns = {}
        for name in keys:
            values = written.column(name)
            if pa.types.is_floating(values.type):
                values = pc.add(values, 0.0)  # -0.0 + 0.0 is 0.0: one group, as on the server
            columns[name] = values
        merged_into = written.column("merged_into")
        columns["merged"] = pc.fill_null(pc.greater(pc.utf8_length(merged_into), 0), False)
        columns["n"] = pa.array(np.ones(len(written), dtype="int64"))
        columns["fatalities"] = pc.cast(written.column("fatalities"), pa.int64())
        columns["synthetic_n"] = pc.cast(pc.equal(written.column("synthetic"), 1), pa.int64())
        narrow = pa.table(columns)
        # The rows' buffers arrive from the reading process at any address; Arrow's
        # grouping wants them aligned (else it warns on every chunk): a copy is.
        narrow = narrow.take(pa.array(np.arange(len(narrow))))
        self.parts.append(narrow)
        self.rows += len(narrow)
        if self.rows > COUNTED_MAX_ROWS:
            self.abandon()

    def abandon(self) -> None:
        """Leave the counting to the server (``refilled``)."""
        self.exact = False
        self.parts = []

    def levels(self) -> tuple[tuple[Level, pa.Table], ...]:
        """Each level with its groups, in its table's column order (key columns,
        merged, n, fatalities, synthetic_n)."""
        if not self.parts:
            return ()
        keys = (*group_columns(self.cell), "merged")
        # Names as dictionary codes: Arrow groups fixed-width keys about three times
        # faster than text ones (2.3 s for a million rows' groups).
        written = pa.concat_tables(self.parts)
        self.parts = []
        day = _summed(pa.table({name: pc.dictionary_encode(column)
                                if pa.types.is_large_string(column.type) else column
                                for name, column in zip(written.column_names, written.columns)}),
                      keys)
        dated = pc.and_(pc.is_valid(day.column("event_date")),
                        pc.is_null(day.column("event_date_end")))
        months = day.filter(dated)
        days = months.column("event_date").to_numpy(zero_copy_only=False)
        first_days = days.astype("datetime64[M]").astype("datetime64[D]")
        months = months.append_column("month", pa.array(first_days, type=pa.date32()))
        month_keys = ("month", *month_columns(self.cell), "merged")
        return ((day_level(self.cell), _decoded(day)),
                (month_level(self.cell), _decoded(_summed(months, month_keys))))


def _decoded(table: pa.Table) -> pa.Table:
    """``table`` with its dictionary-coded columns as plain values again."""
    return pa.table({name: pc.cast(column, column.type.value_type)
                     if pa.types.is_dictionary(column.type) else column
                     for name, column in zip(table.column_names, table.columns)})


def _summed(table: pa.Table, keys: tuple[str, ...]) -> pa.Table:
    """``table``'s counts summed per distinct ``keys`` (nulls a key of their own),
    a group's missing fatalities as 0, columns in ``keys`` then counts order."""
    summed = table.group_by(list(keys), use_threads=False).aggregate(list(_SUMS))
    return pa.table({**{k: summed.column(k) for k in keys},
                     **{name: pc.fill_null(summed.column(f"{name}_{how}"), 0)
                        for name, how in _SUMS}})


def analysed() -> tuple[str, ...]:
    """Statements refreshing the planner's statistics of every level."""
    return tuple(f"ANALYZE {table}" for table in LEVEL_TABLES)


def regrouped(level: Level) -> str:
    """A query giving what ``level``'s table must hold, grouped afresh from
    ``incidents`` (the tests compare the two)."""
    return level.grouped("incidents")


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


def answerable(spec: FilterSpec, cell: str, *, months: bool = False) -> bool:
    """Whether every filter ``spec`` sets reads only columns the groups keep (with
    ``months``: the month level's, the period apart)."""
    kept = set(month_columns(cell) if months else group_columns(cell)) | {
        "geom", "event_date", "event_date_end"}
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


__all__ = ["GROUPS", "INCIDENTS", "MONTHS", "FirstImportCounts", "Level", "Rows", "TABLE",
           "answerable", "day_level", "group_columns", "migration", "month_columns", "month_level",
           "months_migration", "regrouped", "rows_for"]
