"""folium map building, offline: local assets and tiles, escaping, one layer kind per module.

``base.make_base_map`` starts every map; ``base.finish_map`` adds the layer
control and localizes assets last; ``standalone.standalone_html`` writes a
self-contained HTML file.
"""
