"""Property-based tests of the readers (Hypothesis): for any generated file,

- no exception other than the project's typed errors (``IncidentsError``);
- every data row ends in exactly one of records and quarantine;
- no accepted value differs from what its cell says (dates, counts, coordinates).

Cells are drawn with the value they mean (or ``None`` when they mean nothing
acceptable), so the check does not reuse the reader's own parsing.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.errors import IncidentsError
from incidents.io import read_incidents
from incidents.io.dates import EARLIEST, latest_date

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HOSTILE_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


def _in_range(day: date) -> bool:
    return EARLIEST <= day <= latest_date()


@st.composite
def date_cells(draw) -> tuple[str, date | None]:
    day = draw(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
    form = draw(st.sampled_from(["iso", "day-first", "dotted", "junk"]))
    if form == "junk":
        text = draw(HOSTILE_TEXT)
        return text, "unknown"
    text = {"iso": f"{day.year:04d}-{day.month:02d}-{day.day:02d}",
            "day-first": f"{day.day:02d}/{day.month:02d}/{day.year:04d}",
            "dotted": f"{day.day}.{day.month}.{day.year:04d}"}[form]
    return text, day if _in_range(day) else None


@st.composite
def count_cells(draw) -> tuple[str, int | None | str]:
    value = draw(st.integers(min_value=-10, max_value=10**25))
    form = draw(st.sampled_from(["plain", "spaced", "ambiguous", "exponent", "empty", "junk"]))
    if form == "empty":
        return "", "empty"
    if form == "junk":
        return draw(HOSTILE_TEXT), "unknown"
    if form == "exponent":
        return f"{value}e3", None
    if form == "ambiguous":
        return f"{value % 1000 or 1},{value % 1000:03d}", None
    text = f"{value:,}".replace(",", " ") if form == "spaced" else str(value)
    return text, value if 0 <= value <= 1_000_000 else None


@st.composite
def coordinate_cells(draw) -> tuple[str, float | None]:
    latitude = draw(st.floats(allow_nan=False, allow_infinity=False, width=64))
    return repr(latitude), latitude if abs(latitude) <= 90 else None


@st.composite
def csv_files(draw):
    rows = draw(st.lists(st.tuples(date_cells(), count_cells(), coordinate_cells()),
                         min_size=0, max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")  # so a bare CR is quoted
    writer.writerow(["event_id_cnty", "event_date", "event_type", "fatalities", "latitude",
                     "longitude"])
    for number, (day, count, latitude) in enumerate(rows):
        writer.writerow([f"r{number}", day[0], "Battles", count[0], latitude[0], "10"])
    return out.getvalue().encode(encoding), rows


def _check_accounting(result, expected_rows: int) -> None:
    assert result.counts["rows"] == expected_rows
    assert len(result.records) + len(result.quarantine) == expected_rows
    assert result.quarantine["row_number"].is_unique


@SETTINGS
@given(csv_files())
def test_generated_csv_rows_are_right_or_quarantined(generated) -> None:
    data, rows = generated
    try:
        result = read_incidents(data, filename="generated.csv")
    except IncidentsError:
        return
    _check_accounting(result, len(rows))
    accepted = result.records.set_index("event_id_cnty")
    quarantined = set(result.quarantine.get("event_id_cnty", pd.Series(dtype=str)))
    for number, (day, count, latitude) in enumerate(rows):
        key = f"r{number}"
        assert (key in accepted.index) != (key in quarantined), key
        if key not in accepted.index:
            continue
        record = accepted.loc[key]
        assert day[1] is not None, (day, record["event_date"])
        if isinstance(day[1], date):
            assert record["event_date"].date() == day[1]
        assert count[1] is not None, (count, record["fatalities"])
        if isinstance(count[1], int):
            assert record["fatalities"] == count[1]
        elif count[1] == "empty":
            assert pd.isna(record["fatalities"])
        assert latitude[1] is not None
        assert record["latitude"] == latitude[1]
    for number, (day, count, latitude) in enumerate(rows):
        if day[1] is None or count[1] is None or latitude[1] is None:
            assert f"r{number}" in quarantined


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(HOSTILE_TEXT, children, max_size=4),
    max_leaves=20,
)


@SETTINGS
@given(st.lists(st.dictionaries(
    st.sampled_from(["event_date", "event_type", "fatalities", "latitude", "longitude",
                     "notes", "Event_Date", "x"]),
    JSON_VALUES, max_size=6) | JSON_VALUES, max_size=8))
def test_generated_json_records_are_each_accounted_for(records) -> None:
    data = json.dumps(records, allow_nan=True).encode()
    try:
        result = read_incidents(data, filename="generated.json")
    except IncidentsError:
        return
    _check_accounting(result, len(records))


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.json", "x.geojson", "x.xlsx",
                                                   "x.gpkg", None]))
def test_arbitrary_bytes_raise_only_typed_errors(data: bytes, filename: str | None) -> None:
    try:
        result = read_incidents(data, filename=filename)
    except IncidentsError as error:
        assert str(error).strip()
        return
    assert result.counts["rows"] == result.counts["accepted"] + result.counts["quarantined"]


@SETTINGS
@given(st.lists(st.lists(HOSTILE_TEXT, max_size=8), max_size=10))
def test_ragged_csv_text_raises_only_typed_errors(table) -> None:
    text = "event_date,event_type,notes\n" + "\n".join(",".join(row) for row in table)
    try:
        result = read_incidents(text.encode("utf-8"), filename="ragged.csv")
    except IncidentsError:
        return
    assert result.counts["rows"] == len(result.records) + len(result.quarantine)


def test_today_plus_a_year_is_the_default_latest() -> None:
    assert latest_date() >= date.today() + timedelta(days=365)


pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
