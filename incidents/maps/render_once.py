"""Map text is rendered once: incident text is never parsed as a Jinja template.

branca's ``MacroElement.render`` puts the text each macro produced (a layer's
header, html and script, with incident names, notes and actors already in it)
into a new ``Element``, whose constructor compiles that text as a Jinja
template, and renders it a second time. So incident text was *executed*: a
location named ``{{ 6*7 }}`` reached the map as ``42``, and a Jinja expression
can reach Python's ``os`` module from a CSV cell. The second pass also compiled
every layer's data as a template (about 0.06 s of each map at 1M incidents).

:func:`install` replaces that one method by one that keeps the produced text
as it is. It runs when ``incidents.maps`` is imported, so every element on our
maps (ours and folium's, including what streamlit-folium renders from them)
goes through it. The one folium feature that relied on the second pass, a
pattern object as a GeoJson style value (written as ``{{'name'}}``), is not
used by this project and would show that placeholder instead.
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, Figure, MacroElement

_PARTS = ("header", "html", "script")
_installed = False


class RenderedText(Element):
    """Text that is already final: rendering returns it unchanged."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RenderedText"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def render_macro_once(self: MacroElement, **kwargs: Any) -> None:
    """``MacroElement.render`` without rendering the macros' output a second time."""
    figure = self.get_root()
    if not isinstance(figure, Figure):
        raise TypeError("an element can only be rendered inside a Figure")
    module = self._template.module
    for part in _PARTS:
        macro = module.__dict__.get(part)
        if macro is not None:
            text = str(macro(self, kwargs))
            getattr(figure, part).add_child(RenderedText(text), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


def install() -> None:
    """Make every ``MacroElement`` (and subclass) render its macros once. Idempotent."""
    global _installed
    if not _installed:
        MacroElement.render = render_macro_once
        _installed = True
