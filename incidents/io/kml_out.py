"""KML writer: one Placemark per placed incident, with every column as ExtendedData.

KML has no way to draw a place that is not known, so rows without coordinates
are skipped and counted (the export summary reports them). All text is XML
escaped, and characters XML 1.0 forbids (control characters) are dropped.
Each chunk's ExtendedData is built column-wise with vectorised string
operations; only the final assembly of each Placemark is a Python loop.
"""

from __future__ import annotations

from typing import TextIO
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from incidents.io.exportframe import iso_dates

CHUNK_ROWS = 20_000
FORBIDDEN_IN_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


def _escaped(values: pd.Series) -> pd.Series:
    """Cell text ready for an XML element ("" where the cell is empty)."""
    text = values.astype(str).where(values.notna(), "")
    return (
        text.str.replace(FORBIDDEN_IN_XML, "", regex=True)
        .str.replace("&", "&amp;", regex=False)
        .str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False)
    )


def _extended_data(chunk: pd.DataFrame) -> list[str]:
    parts = pd.Series("", index=chunk.index, dtype=object)
    for column in chunk.columns:
        text = _escaped(chunk[column])
        opening = f"<Data name={quoteattr(str(column))}><value>"
        parts = parts + (opening + text + "</value></Data>").where(text != "", "")
    return parts.tolist()


def _titles(chunk: pd.DataFrame) -> list[str]:
    """Placemark names: location and date (the frame carries every canonical column)."""
    return (_escaped(chunk["location"]) + " " + _escaped(chunk["event_date"])).str.strip().tolist()


def write_kml(
    frame: pd.DataFrame, latitude: np.ndarray, longitude: np.ndarray, stream: TextIO
) -> tuple[int, int]:
    """Write a KML document; returns (placemarks written, rows skipped for lack of a point)."""
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write('<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n')
    stream.write("<name>Incidents</name>\n")
    placed = ~np.isnan(latitude) & ~np.isnan(longitude)
    for start in range(0, len(frame), CHUNK_ROWS):
        stop = start + CHUNK_ROWS
        keep = placed[start:stop]
        chunk = iso_dates(frame.iloc[start:stop][keep])
        if not len(chunk):
            continue
        marks = zip(
            _titles(chunk),
            _extended_data(chunk),
            longitude[start:stop][keep].tolist(),
            latitude[start:stop][keep].tolist(),
        )
        stream.write(
            "".join(
                f"<Placemark><name>{title}</name><ExtendedData>{data}</ExtendedData>"
                f"<Point><coordinates>{lon},{lat}</coordinates></Point></Placemark>\n"
                for title, data, lon, lat in marks
            )
        )
    stream.write("</Document></kml>\n")
    written = int(placed.sum())
    return written, len(frame) - written
