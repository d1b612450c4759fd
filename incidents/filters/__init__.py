"""Filters: ``FilterSpec`` (plain values, URL-safe), its registry and vectorised masks.

``spec.py`` declares every filter once (a field of ``FilterSpec``); ``values.py`` the
kinds of values, ``rules.py`` how each kind of filter selects rows (mask and SQL),
``sql.py`` the WHERE clause, ``options.py`` the command-line options.
"""

from incidents.filters.rules import (
    ACTOR_COLUMNS, TEXT_COLUMNS, NotInSql, codes_and_uniques, folded_codes, one_of,
    reference_date,
)
from incidents.filters.spec import (
    FILTERS, FILTERS_BY_NAME, PRESET_DAYS, Filter, FilterSpec, Widget, apply_filters,
    filter_mask,
)

# Search folding lives in incidents.text; fold_text is its name here and for the
# modules that import it from filters.
from incidents.text import fold_search as fold_text

__all__ = [
    "ACTOR_COLUMNS",
    "FILTERS",
    "FILTERS_BY_NAME",
    "Filter",
    "FilterSpec",
    "NotInSql",
    "PRESET_DAYS",
    "TEXT_COLUMNS",
    "Widget",
    "apply_filters",
    "codes_and_uniques",
    "filter_mask",
    "fold_text",
    "folded_codes",
    "one_of",
    "reference_date",
]
