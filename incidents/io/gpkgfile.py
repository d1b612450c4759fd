"""GeoPackage layers (our own export, or an analyst's GIS layer of points).

GDAL needs to see the bytes as a file, which pyogrio arranges in memory. The
layer named ``incidents`` is read when there is one, else the first layer.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import shapely

from incidents.errors import IngestError
from incidents.io.source import RawTable, cell_text

LAYER = "incidents"


def read_gpkg_table(data: bytes, layer: str | None = None) -> RawTable:
    import pyogrio  # 0.12 s to import: only when a GeoPackage is read

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*non conformant file extension")
            layers = [str(row[0]) for row in pyogrio.list_layers(io.BytesIO(data))]
            chosen = layer or (LAYER if LAYER in layers else layers[0])
            gdf = pyogrio.read_dataframe(io.BytesIO(data), layer=chosen)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, IndexError) as exc:
        raise IngestError(f"not a readable GeoPackage layer: {exc}") from exc
    geometry = gdf.geometry.array if "geometry" in gdf.columns else None
    frame = pd.DataFrame(
        {
            str(c): gdf[c].astype(object).map(cell_text).astype(str)
            for c in gdf.columns
            if c != "geometry"
        },
        index=range(len(gdf)),
    )
    row_numbers = np.arange(1, len(frame) + 1)
    rejected: list[tuple[int, str, dict[str, str]]] = []
    if geometry is not None:
        geoms = np.asarray(geometry, dtype=object)
        missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        points = shapely.get_type_id(geoms) == 0
        bad = ~missing & ~points
        x = np.where(points & ~missing, shapely.get_x(geoms), np.nan)
        y = np.where(points & ~missing, shapely.get_y(geoms), np.nan)
        frame["longitude"] = [cell_text(float(v)) for v in x]
        frame["latitude"] = [cell_text(float(v)) for v in y]
        for i in np.flatnonzero(bad):
            reason = f"geometry is a {geoms[i].geom_type}, only Point (or empty) is supported"
            rejected.append((int(row_numbers[i]), reason, frame.iloc[i].to_dict()))
        frame = frame[~bad].reset_index(drop=True)
        row_numbers = row_numbers[~bad]
    meta = {"format": "gpkg", "layer": chosen}
    return RawTable(frame=frame, row_numbers=row_numbers, rejected=rejected, meta=meta)
