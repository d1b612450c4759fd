"""The dashboard on a PostGIS store asks the server for every figure (AppTest): the
headline, the table, the timeline and the exports are those of the filter, and no tab
loads the store into the process (its map snapshot is never built)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from incidents.filters import FilterSpec, filter_mask
from incidents.store import open_store
from incidents.synthetic import synthetic_incidents
from test_dashboard import DASHBOARD, metric, open_tab

pytest.importorskip("psycopg")


@pytest.fixture
def served_app(incidents_home: Path, postgis_url: str, monkeypatch: pytest.MonkeyPatch):
    store = open_store(postgis_url)
    records = synthetic_incidents(300, seed=3)
    store.import_records(records, source_name="synthetic.csv")
    monkeypatch.setenv("INCIDENTS_STORE", postgis_url)
    frame = store.load()
    snapshots = incidents_home / "snapshots"
    for path in snapshots.glob("*"):
        path.unlink()  # the import's snapshot: the dashboard must not need one
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at, frame, snapshots


def test_headline_and_table_follow_the_filter(served_app) -> None:
    at, frame, snapshots = served_app
    assert metric(at, "Incidents") == f"{len(frame):,}"
    at.multiselect(key="f_countries").set_value(["Mali"])
    at.run()
    assert not at.exception, at.exception
    mali = frame[filter_mask(frame, FilterSpec(countries=("Mali",))).to_numpy()]
    assert metric(at, "Incidents") == f"{len(mali):,}"
    at = open_tab(at, "table")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert len(table) == len(mali) and set(table["country"]) == {"Mali"}
    at = open_tab(at, "time")
    assert not at.exception, at.exception
    at = open_tab(at, "export")
    assert not at.exception, at.exception
    assert not list(snapshots.glob("*")), "the dashboard loaded the whole store"
