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
    """True when every non-empty cell is a hashtag and at least half of the cells have one."""
    given = [c.strip() for c in cells if c and c.strip()]
    return bool(given) and len(given) * 2 >= len(cells) and all(HASHTAG.match(c) for c in given)


def drop_hxl_row(raw: RawTable) -> RawTable:
    """The table without its HXL row (the first data row, when it is one)."""
    if not len(raw.frame) or not is_hxl_row(raw.frame.iloc[0].astype(str).tolist()):
        return raw
    tags = {c: str(t).strip() for c, t in raw.frame.iloc[0].items() if str(t).strip()}
    frame = raw.frame.iloc[1:].reset_index(drop=True)
    row_numbers = np.asarray(raw.row_numbers)[1:]
    meta = {**raw.meta, "hxl_tags": len(tags)}
    return RawTable(frame=frame, row_numbers=row_numbers, rejected=raw.rejected, meta=meta)
