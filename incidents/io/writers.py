"""Exporting incidents: ``export(gdf, fmt, destination)`` and ``export_bytes(gdf, fmt)``.

Formats and what happens to incidents without coordinates:

- ``geojson``: RFC 7946, streamed chunk by chunk; unplaced rows are
  features with ``"geometry": null``.
- ``csv``: ACLED's columns in ACLED's order, then ours, then any extras;
  dates as ``yyyy-mm-dd``; unplaced rows have empty latitude/longitude;
  streamed chunk by chunk.
- ``gpkg``: layer ``incidents`` via pyogrio; unplaced rows keep an empty geometry.
- ``kml``: unplaced rows are skipped and counted in the summary.

Every format except KML gives back the same incidents through ``read_incidents``.
The dashboard's map snapshot (categorical filter columns, H3 cell ids) exports
exactly as the frame ``IncidentStore.load`` returns (see ``export_frame``).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, TextIO, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from incidents import model
from incidents.errors import ExportError
from incidents.io.csv_out import write_csv
from incidents.io.exportframe import export_frame
from incidents.io.geojson_out import write_geojson
from incidents.io.kml_out import write_kml

FORMATS = ("geojson", "csv", "gpkg", "kml")
MEDIA_TYPES = {
    "geojson": "application/geo+json",
    "csv": "text/csv",
    "gpkg": "application/geopackage+sqlite3",
    "kml": "application/vnd.google-earth.kml+xml",
}
GPKG_LAYER = "incidents"

Destination = Union[str, os.PathLike, IO[bytes]]


@dataclass(frozen=True)
class ExportSummary:
    fmt: str
    rows_written: int
    rows_skipped: int


def export(gdf: pd.DataFrame, fmt: str, destination: Destination) -> ExportSummary:
    """Write incidents (a GeoDataFrame or a canonical DataFrame) to a path or binary stream."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    frame, latitude, longitude = export_frame(gdf)
    if fmt == "gpkg":
        return _export_gpkg(frame, latitude, longitude, destination)
    try:
        if fmt == "kml":
            with _text_stream(destination) as stream:
                written, skipped = write_kml(frame, latitude, longitude, stream)
        else:
            with _binary_stream(destination) as binary:
                if fmt == "geojson":
                    written, skipped = write_geojson(frame, latitude, longitude, binary), 0
                else:
                    written, skipped = write_csv(frame, binary), 0
    except OSError as exc:
        raise ExportError(f"could not write the {fmt} export: {exc}") from exc
    return ExportSummary(fmt=fmt, rows_written=written, rows_skipped=skipped)


def export_bytes(gdf: pd.DataFrame, fmt: str) -> bytes:
    """The export as bytes, for a download button."""
    buffer = io.BytesIO()
    export(gdf, fmt, buffer)
    return buffer.getvalue()


@contextmanager
def _binary_stream(destination: Destination) -> Iterator[BinaryIO]:
    """A binary stream over a path, or the caller's binary stream (left open)."""
    if isinstance(destination, (str, os.PathLike)):
        with open(destination, "wb") as stream:
            yield stream
        return
    yield destination


@contextmanager
def _text_stream(destination: Destination) -> Iterator[TextIO]:
    """A UTF-8 text stream over a path, or over a caller's binary stream (left open)."""
    if isinstance(destination, (str, os.PathLike)):
        with open(destination, "w", encoding="utf-8", newline="") as stream:
            yield stream
        return
    wrapper = io.TextIOWrapper(destination, encoding="utf-8", newline="")
    try:
        yield wrapper
    finally:
        wrapper.flush()
        wrapper.detach()


def _export_gpkg(
    frame: pd.DataFrame, latitude: np.ndarray, longitude: np.ndarray, destination: Destination
) -> ExportSummary:
    import pyogrio  # 0.12 s to import: only when a GeoPackage is written

    placed = ~np.isnan(latitude)
    points = np.full(len(frame), None, dtype=object)
    points[placed] = shapely.points(longitude[placed], latitude[placed])
    geometry = gpd.GeoSeries(points, index=frame.index, crs=model.CRS)
    layer = gpd.GeoDataFrame(frame, geometry=geometry)
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "incidents.gpkg"
        target = destination if isinstance(destination, (str, os.PathLike)) else path
        try:
            if Path(target).exists():
                Path(target).unlink()
            pyogrio.write_dataframe(layer, target, layer=GPKG_LAYER, driver="GPKG")
        except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.FieldError) as exc:
            raise ExportError(f"could not write the GeoPackage: {exc}") from exc
        if target is path:
            with open(path, "rb") as produced:
                shutil.copyfileobj(produced, destination)
    return ExportSummary(fmt="gpkg", rows_written=len(frame), rows_skipped=0)
