"""Administrative boundaries, spatial joins and region crosswalks.

- ``boundaries``: the bundled Natural Earth admin-0/admin-1 GeoParquet files.
- ``sets``: region sets, bundled or loaded by the analyst (``load_region_file``,
  ``list_region_sets``, ``use_region_set``, ``region_units``, ``region_polygons``).
- ``lookup``: ``RegionIndex``, fast vectorised point-in-region lookup with snapping.
- ``assign``: ``assign_regions(records)`` fills admin1/admin2 from the active set and
  flags records whose own admin1 disagrees.
- ``crosswalk``: aliases and successor regions (``expand_admin1``, ``same_region``,
  ``rule_text``), from ``data/regions/crosswalk.csv``.
- ``spatial_filter``: the polygon and near-radius criteria of ``FilterSpec``.
- ``commands``: ``python -m incidents regions load|list|use|locate|expand|assign``.
"""
