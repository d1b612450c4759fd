"""``FilterSpec`` compiled to a PostgreSQL WHERE clause, with the same meaning as
``incidents.filters.filter_mask``: the PostGIS store's name for
``incidents.filters.sql``, where each filter's condition comes from its declaration
(``incidents/filters/spec.py``) and rule (``incidents/filters/rules.py``).

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

from incidents.filters.rules import NotInSql, matching_values
from incidents.filters.sql import (
    POSTGRES, SQLITE, Dialect, Distinct, in_sql, register_functions, where_clause,
)

__all__ = ["Dialect", "Distinct", "NotInSql", "POSTGRES", "SQLITE", "in_sql", "matching_values",
           "register_functions", "where_clause"]
