"""The map's words (French/English) and its legend, drawn as plain HTML.

The legend is our own HTML rather than a branca colormap: streamlit-folium
adds d3 from a CDN whenever a colormap is on the map, and the map must work
offline.

It sits bottom-right, above the attribution: Mali's incidents fill the
lower-left of a Sahel map. It is a ``<details>`` element the analyst can fold
away; it opens unfolded only on maps large enough that it hides little
(``LEGEND_OPEN_MIN_PX``), since a first-time reader needs the colours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from branca.element import MacroElement, Template

from incidents import i18n, model
from incidents.maps import style
from incidents.maps.escape import escape_text

# The legend starts unfolded only on a map at least this wide and this tall: the
# dashboard's map (560 px tall) opens with it, the 420-px correction map without.
LEGEND_OPEN_MIN_PX = (600, 450)
_SUMMARY_STYLE = "cursor:pointer;font-weight:bold;"

def words(language: str) -> Mapping[str, str]:
    """The map vocabulary in ``language`` (the ``legend.`` section of the message catalogs)."""
    return i18n.section("legend", language)


def precision_words(precision: object, language: str) -> str:
    """ACLED geo_precision in words, e.g. 2 -> 'nearby place'."""
    try:
        code = int(precision)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return words(language)["precision_unknown"]
    return words(language).get(f"precision_{code}", words(language)["precision_unknown"])


def _swatch(css: str) -> str:
    box = "display:inline-block;width:12px;height:12px;margin-right:5px;"
    return f'<span style="{box}{css}"></span>'


def legend_html(language: str, mode: str, event_types: Sequence[str] | None = None) -> str:
    """Legend body for a map in ``mode`` ('points' or 'cells').

    ``event_types`` restricts the colour list to the types on the map; by
    default every ACLED type is listed.
    """
    w = words(language)
    shown = list(event_types) if event_types is not None else model.event_types()
    rows: list[str] = []
    if mode == "cells":
        rows.append(f"<i>{escape_text(w['cells'])}</i>")
        upper = list(style.CELL_BREAKS[1:]) + [None]
        for low, high, colour in zip(style.CELL_BREAKS, upper, style.CELL_RAMP):
            span = f"{low}–{high - 1}" if high is not None else f"≥ {low}"
            swatch = _swatch(f"background:{colour};border:1px solid {style.CELL_OUTLINE}")
            rows.append(swatch + span)
        rows.append(f"<small>{escape_text(w['cells_note'])}</small>")
    else:
        rows.append(f"<i>{escape_text(w['event_types'])}</i>")
        for event_type in shown:
            colour = style.event_colour(event_type)
            rows.append(
                _swatch(f"background:{colour};border-radius:50%")
                + escape_text(model.label(event_type, language))
            )
        rows.append(f"<small>{escape_text(w['radius_note'])}</small>")
    rows.append(f"<i>{escape_text(w['precision'])}</i>")
    rows.append(_swatch("background:#555;border-radius:50%") + escape_text(w["precision_1"]))
    rows.append(_swatch("border:2px solid #555;border-radius:50%") + escape_text(w["precision_2"]))
    rows.append(
        _swatch("border:2px dashed #555;background:rgba(85,85,85,.15)")
        + escape_text(w["precision_3"])
    )
    summary = (
        f'<summary style="{_SUMMARY_STYLE}" title="{escape_text(w["legend_toggle"])}">'
        f"{escape_text(w['legend'])}</summary>"
    )
    return f'<details class="incidents-legend-details">{summary}{"<br>".join(rows)}</details>'


class Legend(MacroElement):
    """A Leaflet control in the bottom-right corner holding ``body`` (already escaped HTML).

    Built in the element's script, not its html macro, because streamlit-folium
    only forwards each element's script to the browser. Clicks and scrolls on
    it stay out of the map, so folding it neither pans nor selects anything.
    The fold state is chosen once the map has a size (st_folium's frame starts
    at zero height and grows, firing Leaflet's resize). Added to a layer rather
    than to the map, it comes and goes with that layer (see
    ``incidents.maps.overlays``).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position | tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div", "incidents-legend");
            div.style.cssText = "background:rgba(255,255,255,.92);color:#222;padding:4px 9px;"
                + "border-radius:4px;font:12px/1.5 sans-serif;max-width:260px;"
                + "max-height:60vh;overflow:auto;box-shadow:0 1px 4px rgba(0,0,0,.3);";
            div.innerHTML = {{ this.body | tojson }};
            var details = div.querySelector("details");
            function unfoldIfRoomy() {
                var size = map.getSize();
                if (!details || size.y === 0) return false;
                details.open = size.x >= {{ this.open_min[0] }} && size.y >= {{ this.open_min[1] }};
                map.off("resize", unfoldIfRoomy);
                return true;
            }
            if (!unfoldIfRoomy()) map.on("resize", unfoldIfRoomy);
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        (function (legend, parent) {
            if (parent instanceof L.Map) { legend.addTo(parent); return; }
            parent.on("add", function () { legend.addTo(parent._map); });
            parent.on("remove", function () { legend.remove(); });
            if (parent._map) { legend.addTo(parent._map); }
        })({{ this.get_name() }}, {{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, body: str, *, position: str = "bottomright",
                 open_min: tuple[int, int] = LEGEND_OPEN_MIN_PX) -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body
        self.position = position
        self.open_min = (int(open_min[0]), int(open_min[1]))
