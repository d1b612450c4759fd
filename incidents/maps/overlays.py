"""The layers that change with the filter, kept apart from the map they are drawn on.

st_folium gives every distinct map script its own frame: a map whose script
changed (another filter, another view) mounts a new frame, which loads Leaflet
and its plugins again, runs the whole script and fetches the tiles. Layers
handed to it as ``feature_group_to_add`` replace the previous ones inside the
frame already there instead, with the analyst's pan and zoom untouched. The
base map must then be the same from one filter to the next: tiles, outlines,
towns, controls, and an opening view that does not follow the data (st_folium
moves the map with its ``center`` and ``zoom`` arguments).

:class:`Overlays` is where ``build_map`` puts its changing layers. Kept apart,
each goes into a FeatureGroup named like the layer (the layer control lists
them, and an overlay the analyst ticked or unticked stays so from one filter to
the next); otherwise they go on the map itself, as a standalone page wants them.
"""

from __future__ import annotations

import folium
from branca.element import Element, MacroElement
from folium.template import Template

from incidents.maps.assets import DEFAULT_BASE_URL, OfflineMap, localize
from incidents.maps.base import finish_map, serve_outlines


class OverlayChoices(MacroElement):
    """On the base map: remembers which overlays the analyst ticked or unticked in the
    layer control, by name, for as long as the frame lives. New overlays with those
    names then come back as the analyst left them (see ``ShownAsChosen``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            map.__overlayChoices = {};
            map.getContainer().ownerDocument.addEventListener("change", function (event) {
                var input = event.target;
                if (input.type !== "checkbox" || !input.classList
                        || !input.classList.contains("leaflet-control-layers-selector")) {
                    return;
                }
                var label = input.closest("label");
                if (label) { map.__overlayChoices[label.textContent.trim()] = input.checked; }
            }, true);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "OverlayChoices"


class ShownAsChosen(MacroElement):
    """In an overlay group: once st_folium adds the group, takes it off again if the
    analyst unticked an overlay of that name, or if it starts unticked and the
    analyst never ticked it.

    That first add draws the group's layers only when the group stays: a hidden
    heat map drawn and taken off again cost every filter change its canvas work in
    the browser. Later adds (the analyst ticking it) are Leaflet's own."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (group, name, byDefault) {
            var shown = byDefault;
            group.onAdd = function (map) {
                delete group.onAdd;
                var choices = map.__overlayChoices || {};
                shown = Object.prototype.hasOwnProperty.call(choices, name)
                    ? choices[name] : byDefault;
                if (shown) { group.onAdd(map); }
            };
            group.once("add", function (event) {
                if (!shown) { event.target._map.removeLayer(event.target); }
            });
        })({{ this._parent.get_name() }}, {{ this.layer_name|tojson }}, {{ this.shown|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, layer_name: str, *, shown: bool) -> None:
        super().__init__()
        self._name = "ShownAsChosen"
        self.layer_name = layer_name
        self.shown = shown


class Overlays:
    """Where a map's changing layers go: FeatureGroups kept apart, or the map itself."""

    def __init__(self, fmap: folium.Map, *, apart: bool) -> None:
        self.map = fmap
        self.apart = apart
        self.groups: list[folium.FeatureGroup] = []
        if apart:
            OverlayChoices().add_to(fmap)

    def host(self, name: str | None = None, *, show: bool = True) -> Element:
        """The parent for a layer called ``name`` (None: not in the layer control)."""
        if not self.apart:
            return self.map
        # Never added by its own script: st_folium adds every group, then ShownAsChosen
        # decides, once, whether it stays.
        group = folium.FeatureGroup(name=name, control=name is not None, show=False)
        if name is not None:
            ShownAsChosen(name, shown=show).add_to(group)
        self.groups.append(group)
        return group

    def finish(self) -> folium.LayerControl | None:
        """Finish the map (see ``base.finish_map``). Kept apart, the layer control must
        come after the groups, so it is returned for st_folium's ``layer_control``,
        the map's scripts, the groups' included, load as one file, and its outlines
        are fetched from a served file rather than sent with every run (``serve_outlines``)."""
        if not self.apart:
            finish_map(self.map)
            return None
        base_url = getattr(self.map, "asset_base_url", DEFAULT_BASE_URL)
        localize(self.map, base_url)
        for group in self.groups:
            localize(group, base_url)
        if isinstance(self.map, OfflineMap):
            self.map.load_scripts_as_one(self.groups)
        serve_outlines(self.map)
        return folium.LayerControl(position="topright", collapsed=True)
