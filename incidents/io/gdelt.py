"""GDELT event files as GDELT publishes them: tab-separated, with no header row.

GDELT 1.0 daily files have 58 columns (57 in the historical backfiles, which
lack SOURCEURL); GDELT 2.0 event files have 61 (an ADM2 code after each ADM1
code). Such a file's first line is an event, so its width and its first two
cells (a numeric id, an 8-digit date) identify it; the columns then get
GDELT's own names and the ``gdelt_events`` mapping reads them like a file with
a header.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from incidents.io.source import RawTable

_ACTOR = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
          "Religion2Code", "Type1Code", "Type2Code", "Type3Code")
_EVENT = ("IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
          "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone")


def _geo(prefix: str, adm2: bool) -> list[str]:
    fields = ["Type", "FullName", "CountryCode", "ADM1Code"] + (["ADM2Code"] if adm2 else [])
    return [f"{prefix}_{f}" for f in fields + ["Lat", "Long", "FeatureID"]]


def gdelt_columns(version: int, with_url: bool = True) -> list[str]:
    """GDELT's event column names: version 1 (57 or 58 columns) or 2 (61)."""
    adm2 = version == 2
    names = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
    names += [f"Actor1{a}" for a in _ACTOR] + [f"Actor2{a}" for a in _ACTOR] + list(_EVENT)
    for prefix in ("Actor1Geo", "Actor2Geo", "ActionGeo"):
        names += _geo(prefix, adm2)
    names += ["DATEADDED"] + (["SOURCEURL"] if with_url else [])
    return names


COLUMNS_BY_WIDTH = {57: gdelt_columns(1, False), 58: gdelt_columns(1), 61: gdelt_columns(2)}


def name_headerless_gdelt(raw: RawTable, first_line: list[str]) -> RawTable:
    """The table with GDELT's column names when its 'header' is really a GDELT event.

    ``first_line`` is the file's first line as cells (the parser's column names
    are mangled: empty cells renamed, repeated ones suffixed).
    """
    first = [c.strip() for c in first_line]
    if len(first) != len(raw.frame.columns):
        return raw
    names = COLUMNS_BY_WIDTH.get(len(first))
    if names is None or not first[0].isdigit() or not re.fullmatch(r"\d{8}", first[1]):
        return raw
    top = pd.DataFrame([first], columns=names, dtype=str)
    body = raw.frame.set_axis(names, axis=1)
    frame = pd.concat([top, body], ignore_index=True)
    row_numbers = np.concatenate([[1], np.asarray(raw.row_numbers) + 1])
    rejected = [(n + 1, reason, original) for n, reason, original in raw.rejected]
    return RawTable(frame=frame, row_numbers=row_numbers, rejected=rejected,
                    meta={**raw.meta, "header": "none (GDELT)"})
