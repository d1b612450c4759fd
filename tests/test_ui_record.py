"""The incident record shows what a translated source said: original type, date range, polygon names."""

from __future__ import annotations

import pandas as pd

from incidents.model import conform
from ui.record import record_rows


def test_record_shows_the_original_type_the_range_end_and_the_polygons_admin_names() -> None:
    row = conform(pd.DataFrame([{
        "incident_id": "ucdp-1", "event_date": "2023-01-28", "event_date_end": "2023-02-03",
        "event_type": "Explosions/Remote violence", "event_type_original": "Remote violence",
        "country": "Mali", "admin1": "Segou Region", "admin1_polygon": "Ségou",
        "admin2_polygon": "Macina",
    }])).iloc[0]
    shown = dict(record_rows(row, "en"))
    assert shown["Last possible date"] == "2023-02-03"
    assert shown["Type as the source wrote it"] == "Remote violence"
    assert shown["Admin units at the point (region set)"] == "Ségou / Macina"
    french = dict(record_rows(row, "fr"))
    assert french["Type tel que la source l'a écrit"] == "Remote violence"
