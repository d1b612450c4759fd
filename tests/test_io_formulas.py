"""CSV exports defuse spreadsheet formulas (OWASP: a leading ') and keep numbers as numbers."""

from __future__ import annotations

import csv
import io

import pandas as pd

from incidents import model
from incidents.io.formulas import defused_text
from incidents.io.writers import export_bytes

HOSTILE = ["=HYPERLINK(\"http://203.0.113.9\",\"x\")", "+1+1", "-2-2", "@SUM(A1)",
           "\tlead tab", "plain", "a=b"]


def _frame() -> pd.DataFrame:
    rows = [{"incident_id": f"f{i}", "event_date": "2024-12-07", "event_type": "Battles",
             "notes": text, "actor1": text, "fatalities": -0 if i else 3,
             "latitude": -4.5, "longitude": -3.25, "geo_precision": 1}
            for i, text in enumerate(HOSTILE)]
    return model.conform(pd.DataFrame(rows))


def _read_back(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_text_cells_that_start_like_formulas_get_a_quote() -> None:
    rows = _read_back(export_bytes(_frame(), "csv"))
    assert [r["notes"] for r in rows] == [defused_text(t) for t in HOSTILE]
    assert rows[0]["notes"].startswith("'=HYPERLINK") and rows[3]["actor1"] == "'@SUM(A1)"
    assert rows[5]["notes"] == "plain" and rows[6]["notes"] == "a=b"


def test_carriage_return_and_tab_starts_are_defused() -> None:
    # (Read back separately: a bare CR is written unquoted, as pandas writes it.)
    assert defused_text("\rcmd") == "'\rcmd" and defused_text("\tcmd") == "'\tcmd"


def test_numbers_stay_numbers() -> None:
    rows = _read_back(export_bytes(_frame(), "csv"))
    assert rows[0]["latitude"] == "-4.5" and rows[0]["longitude"] == "-3.25"
    assert rows[0]["fatalities"] == "3"


def test_pandas_fallback_path_defuses_too() -> None:
    frame = _frame()
    frame["listed"] = [["=1+1"]] + [None] * (len(frame) - 1)  # a kind the fast path refuses
    frame["extra"] = ["=cmd|' /C calc'!A0"] * len(frame)
    rows = _read_back(export_bytes(frame, "csv"))
    assert rows[1]["extra"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["notes"].startswith("'=")
