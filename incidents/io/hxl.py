"""HXL hashtag rows: the second line of many HDX files (``#event+code``, ``#geo+lat``).

The Humanitarian Exchange Language puts one hashtag per column in the row
under the header. That row describes the columns; it is neither an incident
nor a broken row, so it is taken out of the table before validation and
reported in the read's counts (``hxl_tags``).
"""

from __future__ import annotations

import re

import numpy as np

from incidents.io.source import RawTable

HASHTAG = re.compile(r"^#[a-z][a-z0-9_]*(\s*\+[a-z][a-z0-9_]*)*$", re.IGNORECASE)


def is_hxl_row(cells: list[str]) -> bool:
    """True when every non-empty cell is a hashtag, with at least two of them.

    HDX files often tag only some columns (a UCDP copy tags 15 of 43), so the
    share of tagged cells is no guide; a data row made only of hashtags is.
    """
    given = [c.strip() for c in cells if c and c.strip()]
    enough = len(given) >= min(2, len(cells))
    return bool(given) and enough and all(HASHTAG.match(c) for c in given)


def drop_hxl_row(raw: RawTable) -> RawTable:
    """The table without its HXL row (the first data row, when it is one)."""
    if not len(raw.frame) or not is_hxl_row(raw.frame.iloc[0].astype(str).tolist()):
        return raw
    tags = {c: str(t).strip() for c, t in raw.frame.iloc[0].items() if str(t).strip()}
    frame = raw.frame.iloc[1:].reset_index(drop=True)
    row_numbers = np.asarray(raw.row_numbers)[1:]
    meta = {**raw.meta, "hxl_tags": len(tags)}
    return RawTable(frame=frame, row_numbers=row_numbers, rejected=raw.rejected, meta=meta)
