"""KML writer: one Placemark per placed incident, with every column as ExtendedData.

KML has no way to draw a place that is not known, so rows without coordinates
are skipped and counted (the export summary reports them). All text goes
through XML escaping, attribute values included.
"""

from __future__ import annotations

from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from incidents.io.exportframe import iso_dates

CHUNK_ROWS = 20_000


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def write_kml(
    frame: pd.DataFrame, latitude: np.ndarray, longitude: np.ndarray, stream: TextIO
) -> tuple[int, int]:
    """Write a KML document; returns (placemarks written, rows skipped for lack of a point)."""
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write('<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n')
    stream.write("<name>Incidents</name>\n")
    names = [quoteattr(str(c)) for c in frame.columns]
    written = skipped = 0
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = iso_dates(frame.iloc[start : start + CHUNK_ROWS])
        lats = latitude[start : start + CHUNK_ROWS].tolist()
        lons = longitude[start : start + CHUNK_ROWS].tolist()
        for row, lat, lon in zip(chunk.itertuples(index=False, name=None), lats, lons):
            if lat != lat or lon != lon:
                skipped += 1
                continue
            values = dict(zip(frame.columns, row))
            title = " ".join(
                t for t in (_text(values.get("location")), _text(values.get("event_date"))) if t
            )
            data = "".join(
                f"<Data name={name}><value>{escape(_text(value))}</value></Data>"
                for name, value in zip(names, row)
                if _text(value)
            )
            stream.write(
                f"<Placemark><name>{escape(title)}</name>"
                f"<ExtendedData>{data}</ExtendedData>"
                f"<Point><coordinates>{lon},{lat}</coordinates></Point></Placemark>\n"
            )
            written += 1
    stream.write("</Document></kml>\n")
    return written, skipped
