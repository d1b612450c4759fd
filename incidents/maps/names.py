"""Element names worked out once per class name, not once per call.

branca names every element of a map ``<class name in snake case>_<id>``
(``Element.get_name``), converting the class name character by character in
Python each time. The templates ask for names hundreds of times per map (a
parent's name in each child's script, then again when streamlit-folium renames
the variables), which cost some 5 ms of each filter change at a million
incidents. :func:`install` keeps the conversion's answers: it depends on the
class name alone, so the names are exactly what they were.
"""

from __future__ import annotations

import functools

import branca.element
import branca.utilities

_installed = False


def install() -> None:
    """Make ``Element.get_name`` reuse the converted class names. Idempotent."""
    global _installed
    if not _installed:
        branca.element._camelify = functools.lru_cache(maxsize=512)(branca.utilities._camelify)
        _installed = True
