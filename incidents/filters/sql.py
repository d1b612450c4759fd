"""``FilterSpec`` compiled to an SQL WHERE clause with the meaning of ``filter_mask``.

Every filter's rule (``incidents.filters.rules``) writes its own condition; this module
gives it the dialect's words. Two dialects:

- ``POSTGRES`` (psycopg, the PostGIS store): ``%s`` parameters, ``= ANY(list)``,
  ``lower(unaccent())`` folding, PostGIS for the polygon and the radius.
- ``SQLITE`` (the standard library's ``sqlite3``, e.g. the SQLite store's file): ``?``
  parameters, folding by Python's own ``fold_search`` registered as the SQL function
  ``incidents_fold`` (``register_functions``), dates as ISO text; no spatial functions,
  so a spec with a polygon or a radius raises ``NotInSql`` there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from incidents.filters.rules import NotInSql
from incidents.filters.spec import FILTERS, FilterSpec
from incidents.text import fold_search_text

Distinct = Callable[[str], Sequence[str]]
Latest = Callable[[], "date | None"]


@dataclass(frozen=True)
class Dialect:
    name: str
    placeholder: str
    fold: str  # folds the column named by {column}
    like_escape: str  # what follows "LIKE <param>" so a backslash escapes % and _
    spatial: bool
    iso_dates: bool  # dates go in as "YYYY-MM-DD" text


POSTGRES = Dialect("postgresql", "%s", 'lower(unaccent("{column}"))', "", spatial=True,
                   iso_dates=False)
SQLITE = Dialect("sqlite", "?", 'incidents_fold("{column}")', " ESCAPE '\\'", spatial=False,
                 iso_dates=True)


@dataclass
class SqlQuery:
    """One WHERE clause being written: the dialect, the store's answers a rule may need
    (a column's distinct values, the latest event date), and the parameters so far."""

    dialect: Dialect
    distinct: Distinct
    latest: Latest
    params: list[Any] = field(default_factory=list)

    def param(self, value: Any) -> str:
        self.params.append(value)
        return self.dialect.placeholder

    def day(self, value: date) -> str:
        return self.param(value.isoformat() if self.dialect.iso_dates else value)

    def one_of(self, column: str, values: Sequence[str]) -> str:
        if self.dialect.name == "postgresql":
            return f'"{column}" = ANY({self.param(list(values))})'
        return f'"{column}" IN ({", ".join(self.param(v) for v in values)})'

    def like(self, column: str, pattern: str) -> str:
        folded = self.dialect.fold.format(column=column)
        return f"{folded} LIKE {self.param(pattern)}{self.dialect.like_escape}"

    def require_spatial(self, what: str) -> None:
        if not self.dialect.spatial:
            raise NotInSql(f"the {what} filter needs spatial SQL, which {self.dialect.name} lacks")


def where_clause(spec: FilterSpec, *, distinct: Distinct, latest: Latest,
                 dialect: Dialect = POSTGRES) -> tuple[str, list[Any]]:
    """(SQL condition, parameters) selecting the rows ``spec`` selects.

    ``distinct(column)`` gives a column's distinct stored values (names are matched
    among them), ``latest()`` the latest event date (presets count back from it).
    Raises ``NotInSql`` when a filter cannot be said in ``dialect``.
    """
    query = SqlQuery(dialect, distinct, latest)
    conditions = []
    for spec_filter in FILTERS:
        if spec_filter.rule is None:
            continue
        condition = spec_filter.rule.sql(query, spec, getattr(spec, spec_filter.name))
        if condition is not None:
            conditions.append(condition)
    return (" AND ".join(conditions) or "TRUE"), query.params


def in_sql(spec: FilterSpec, dialect: Dialect) -> bool:
    """Whether ``dialect`` can say every filter ``spec`` sets."""
    try:
        where_clause(spec, distinct=lambda column: [], latest=lambda: None, dialect=dialect)
    except NotInSql:
        return False
    return True


def register_functions(conn: sqlite3.Connection) -> None:
    """Give an SQLite connection the functions ``SQLITE`` conditions call."""
    conn.create_function("incidents_fold", 1, _fold_or_null, deterministic=True)


@lru_cache(maxsize=65536)
def _fold_or_null(value: object) -> str | None:
    return None if value is None else fold_search_text(str(value))
