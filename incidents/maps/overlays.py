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
them); otherwise they go on the map itself, as a standalone page wants them.
"""

from __future__ import annotations

import folium
from branca.element import Element, MacroElement
from folium.template import Template

from incidents.maps.assets import DEFAULT_BASE_URL, localize
from incidents.maps.base import finish_map


class HiddenAtFirst(MacroElement):
    """Takes its group off the map the first time it is added: an overlay that starts
    unticked in the layer control (st_folium adds every group it is given)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.once("add", function (event) {
            event.target._map.removeLayer(event.target);
        });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "HiddenAtFirst"


class Overlays:
    """Where a map's changing layers go: FeatureGroups kept apart, or the map itself."""

    def __init__(self, fmap: folium.Map, *, apart: bool) -> None:
        self.map = fmap
        self.apart = apart
        self.groups: list[folium.FeatureGroup] = []

    def host(self, name: str | None = None, *, show: bool = True) -> Element:
        """The parent for a layer called ``name`` (None: not in the layer control)."""
        if not self.apart:
            return self.map
        group = folium.FeatureGroup(name=name, control=name is not None, show=show)
        if not show:
            HiddenAtFirst().add_to(group)
        self.groups.append(group)
        return group

    def finish(self) -> folium.LayerControl | None:
        """Finish the map (see ``base.finish_map``). Kept apart, the layer control must
        come after the groups, so it is returned for st_folium's ``layer_control``."""
        if not self.apart:
            finish_map(self.map)
            return None
        base_url = getattr(self.map, "asset_base_url", DEFAULT_BASE_URL)
        localize(self.map, base_url)
        for group in self.groups:
            localize(group, base_url)
        return folium.LayerControl(position="topright", collapsed=True)
