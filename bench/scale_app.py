"""The Streamlit page bench/scale.py drives: a filter radio above one map drawn through st_folium.

Not meant to be run by hand. ``bench/scale.py`` copies it into a temporary app
directory (next to a link to ``static/``, which Streamlit serves at
``/app/static/``) and starts ``streamlit run`` with:

- ``SCALE_STORE``: the store to draw (``INCIDENTS_HOME`` a scratch state dir);
- ``SCALE_SPECS``: a JSON object ``{variant: FilterSpec fields}``; the radio
  offers these variants in this order, the first one selected on page load;
- ``SCALE_FIGURES``: a file this page appends one JSON line to per script run.

``?kind=ours`` draws the map as the dashboard's map section does: the
filtered set's extent as the view, ``build_map(snapshot, rows=filter_mask(...),
view=..., overlays_apart=True)``, and st_folium given the base map, the
overlays as ``feature_group_to_add`` and the view as ``center``/``zoom`` (a
filter change replaces the overlays inside the frame already there);
``?kind=baseline`` draws one FastMarkerCluster of every filtered point. ``?run=`` names the page load. Each line records the
kind, the variant, the page load and the how-manyth script run of that browser
session it was, the server seconds from the filter to st_folium having handed
its arguments to the frontend, and the size of those arguments (the script,
header and HTML strings plus the CSS/JS link lists).

Both kinds of map carry a one-line script setting ``window.__scale_variant``
in the map's frame: the baseline at the end of its map (st_folium mounts a
fresh frame for each new map script), ours in a feature group of its own,
which st_folium runs after putting in the new overlays. Either way the bench
can tell the map of the newly chosen filter from the one it replaces.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import folium
import streamlit as st
import streamlit_folium
from branca.element import MacroElement
from folium.plugins import FastMarkerCluster
from jinja2 import Template

sys.path.insert(0, os.environ["SCALE_PROJECT"])

from incidents.filters import FilterSpec, filter_mask  # noqa: E402
from incidents.maps.base import finish_map, make_base_map  # noqa: E402
from incidents.maps.build import build_map  # noqa: E402
from incidents.store import open_store  # noqa: E402
from ui.map_view import extent_view, view_centre  # noqa: E402

SPECS = {variant: FilterSpec(**fields)
         for variant, fields in json.loads(os.environ["SCALE_SPECS"]).items()}
RETURNED_OBJECTS = ["last_object_clicked", "bounds", "zoom"]
_sent: dict[str, int] = {}
_component = streamlit_folium._component_func


class VariantMark(MacroElement):
    """A script that records, after the map's own script ran, which filter the map shows."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "window.__scale_variant = {{ this.variant|tojson }};"
        "{% endmacro %}"
    )

    def __init__(self, variant: str) -> None:
        super().__init__()
        self._name = "VariantMark"
        self.variant = variant


def _measuring_component(**arguments: object) -> object:
    """st_folium's component call, counting the characters of what it ships."""
    _sent["arguments_bytes"] = sum(
        len(str(value).encode("utf-8")) for name, value in arguments.items()
        if name in ("script", "header", "html", "feature_group", "layer_control",
                    "css_links", "js_links")
    )
    return _component(**arguments)


streamlit_folium._component_func = _measuring_component


@st.cache_resource(show_spinner=False)
def snapshot() -> object:
    return open_store(Path(os.environ["SCALE_STORE"])).load_map_snapshot()


def baseline_map(frame: object, rows: object) -> folium.Map:
    fmap = make_base_map(language="en")
    placed = frame.loc[rows.to_numpy(), ["latitude", "longitude"]].dropna()
    FastMarkerCluster(placed.to_numpy().tolist()).add_to(fmap)
    finish_map(fmap)
    return fmap


kind = st.query_params.get("kind", "ours")
page_run = st.query_params.get("run", "")
variant = st.radio("Filter", list(SPECS), key="variant", horizontal=True)
script_runs = st.session_state["script_runs"] = st.session_state.get("script_runs", 0) + 1
frame = snapshot()
started = time.perf_counter()
rows = filter_mask(frame, SPECS[variant])
if kind == "ours":
    view = extent_view(frame, rows.to_numpy())
    result = build_map(frame, rows=rows, view=view, overlays_apart=True)
    mark = folium.FeatureGroup(control=False)
    mark.add_child(VariantMark(variant))
    centre = view_centre(view)
    streamlit_folium.st_folium(result.map, key="map", height=560, use_container_width=True,
                               returned_objects=RETURNED_OBJECTS,
                               feature_group_to_add=[*result.overlays, mark],
                               layer_control=result.layer_control,
                               center=centre[:2] if centre else None,
                               zoom=centre[2] if centre else None)
else:
    fmap = baseline_map(frame, rows)
    fmap.add_child(VariantMark(variant))
    streamlit_folium.st_folium(fmap, key="map", height=560, use_container_width=True,
                               returned_objects=RETURNED_OBJECTS)
server_s = time.perf_counter() - started
with open(os.environ["SCALE_FIGURES"], "a", encoding="utf-8") as figures:
    figures.write(json.dumps({"kind": kind, "variant": variant, "page": page_run,
                              "run": f"{page_run}:{variant}:{script_runs}",
                              "server_s": server_s, **_sent}) + "\n")
