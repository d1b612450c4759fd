"""Maps for Jupyter and for a single HTML file: everything inline, nothing fetched.

A map built for the dashboard points its scripts at ``/app/static/vendor/``,
which only the Streamlit server serves: shown in Jupyter it stays blank. A
:class:`NotebookMap` is the same map whose notebook view (``_repr_html_``) and
``save()`` are the standalone page of ``incidents.maps.standalone``: scripts,
stylesheets, fonts and the base-map tiles of the area shown are embedded, so
the map draws in a notebook, in a mailed file or in a browser with no network.
"""

from __future__ import annotations

import html
import os
from collections.abc import Collection
from typing import IO, Any

import folium
import pandas as pd
from folium.map import FitBounds

from incidents.maps.assets import OfflineMap, OfflineAssetError, missing_files
from incidents.maps.build import LAYERS, build_map
from incidents.maps.standalone import standalone_html
from incidents.maps.tiles import TILES_DIR
from incidents.selection import Selection

# Height of the map in a notebook cell, as a share of its width (folium's default).
NOTEBOOK_RATIO = "60%"


class NotebookMap(OfflineMap):
    """An offline map whose notebook view and saved file are self-contained pages."""

    def _repr_html_(self, **kwargs: Any) -> str:
        page = self.standalone_page().decode("utf-8")
        return (
            f'<div style="width:100%;"><div style="position:relative;width:100%;height:0;'
            f'padding-bottom:{NOTEBOOK_RATIO};">'
            f'<iframe srcdoc="{html.escape(page, quote=True)}" style="position:absolute;'
            'width:100%;height:100%;left:0;top:0;border:none;" allowfullscreen></iframe>'
            "</div></div>"
        )

    def save(self, outfile: str | os.PathLike | IO[bytes], close_file: bool = True, **kwargs: Any) -> None:
        """Write the self-contained page to a path or a binary file."""
        page = self.standalone_page()
        if hasattr(outfile, "write"):
            outfile.write(page)
            if close_file:
                outfile.close()
            return
        from incidents.atomic import write_bytes_atomically

        write_bytes_atomically(outfile, page)

    def standalone_page(self) -> bytes:
        return standalone_html(self, bounds=self._tile_bounds())

    def _tile_bounds(self) -> list[list[float]] | None:
        """The fitted view widened by its own size on every side: a notebook cell is
        wider than the view is tall, and the margin keeps the tiles beside the
        incidents embedded (a missing tile draws blank)."""
        fitted = [child for child in self._children.values() if isinstance(child, FitBounds)]
        if not fitted:
            return None
        (south, west), (north, east) = fitted[-1].bounds
        height, width = max(north - south, 1.0), max(east - west, 1.0)
        return [[max(south - height, -85.0), max(west - width, -180.0)],
                [min(north + height, 85.0), min(east + width, 180.0)]]


def check_assets_installed() -> None:
    """Raise a clear error when the map scripts or tiles were never installed."""
    missing = missing_files()
    if missing or not TILES_DIR.is_dir():
        raise OfflineAssetError(
            "the offline map assets are not installed: run `incidents setup` once "
            "(`make setup` in a checkout)"
        )


def notebook_map(
    selection: pd.DataFrame | Selection,
    *,
    language: str = "en",
    layers: Collection[str] = LAYERS,
) -> folium.Map:
    """The incident map of ``selection`` (a frame, or a ``Selection`` over one), fitted to it."""
    check_assets_installed()
    if isinstance(selection, Selection):
        frame, rows = selection.frame, selection.rows
    else:
        frame, rows = selection, None
    fmap = build_map(frame, rows=rows, language=language, layers=layers).map
    # build_map makes an OfflineMap; only how it is shown and saved changes.
    fmap.__class__ = NotebookMap
    return fmap


def standalone_page(selection: pd.DataFrame | Selection, *, language: str = "en") -> bytes:
    """The self-contained HTML page of :func:`notebook_map`."""
    fmap = notebook_map(selection, language=language)
    return standalone_html(fmap)
