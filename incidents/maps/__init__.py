"""folium map building, offline: local assets and tiles, escaping, one layer kind per module.

``base.make_base_map`` starts every map; ``base.finish_map`` adds the layer
control and localizes assets last; ``standalone.standalone_html`` writes a
self-contained HTML file.
"""

from incidents.maps.compiled_templates import install as _compile_templates_once
from incidents.maps.names import install as _name_elements_once
from incidents.maps.render_once import install as _render_macros_once

# Before any map is built: incident text must never be evaluated as a template.
_render_macros_once()
_name_elements_once()
_compile_templates_once()
