"""Reading incident files into canonical records, and writing them back out.

``read_incidents`` reads CSV, XLSX, JSON, GeoJSON and GeoPackage (ACLED, UCDP
GED and our own columns) into an ``IngestResult``; ``incidents.io.writers``
exports to GeoJSON, CSV, GeoPackage and KML.
"""

from incidents.io.reader import IngestResult, read_incidents

__all__ = ["IngestResult", "read_incidents"]
