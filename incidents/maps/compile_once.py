"""Each Jinja template text is compiled once per process, not once per map.

folium and branca build some templates while a map renders rather than once per
class: every ``GeoJsonTooltip`` and ``GeoJsonPopup`` compiles its style block
(and the ``Element`` holding the result compiles it again), every time it is
rendered. The dashboard's map is rendered by streamlit-folium on each script
run, several times over, so a filter change compiled the same few texts some
eight times (about 20 ms of its 0.1 s server time at a million incidents).

:func:`install` keeps the compiled code of the last ``KEPT`` texts per Jinja
environment. What a template does is fixed by its text and its environment, and
each template still runs that code in a namespace of its own, so a kept one
renders exactly as a fresh compile would. Large texts (above ``LARGEST_KEPT``
characters) are compiled each time: they are one-off output, not templates.
"""

from __future__ import annotations

import functools
from types import CodeType
from typing import Any

from jinja2 import Environment

KEPT = 512
LARGEST_KEPT = 20_000
_compile = Environment.compile
_installed = False


@functools.lru_cache(maxsize=KEPT)
def _compiled(environment: Environment, source: str, name: str | None, filename: str | None,
              defer_init: bool) -> CodeType:
    return _compile(environment, source, name, filename, defer_init=defer_init)


def compile_once(self: Environment, source: Any, name: str | None = None,
                 filename: str | None = None, raw: bool = False,
                 defer_init: bool = False) -> Any:
    """``Environment.compile``, answered from the kept code for a text seen before."""
    if raw or not isinstance(source, str) or len(source) > LARGEST_KEPT:
        return _compile(self, source, name, filename, raw=raw, defer_init=defer_init)
    return _compiled(self, source, name, filename, defer_init)


def install() -> None:
    """Make every Jinja environment compile a given text once. Idempotent."""
    global _installed
    if not _installed:
        Environment.compile = compile_once
        _installed = True
