"""The filter registry (incidents/filters/spec.py): every declared filter has its sidebar
widget, URL key and CLI flag, each derived from the declaration and round-tripping the
declared example, and its rule selects the same rows as a pandas mask and as SQL (SQLite
here; PostGIS too where PostgreSQL is installed)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlencode

import click
import pandas as pd
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from incidents import model
from incidents.cli import cli
from incidents.filters import FILTERS, Filter, FilterSpec, NotInSql, filter_mask
from incidents.filters.options import filter_options
from incidents.store import open_store
from incidents.store.sqlfilter import POSTGRES, SQLITE, in_sql, register_functions, where_clause
from incidents.i18n import has_key
from ui.i18n import t
from ui.state import WIDGET_STATES, spec_to_widgets, widgets_to_spec

NAMES = [f.name for f in FILTERS]
# Fictional incidents on which every declared example keeps some rows and drops others.
ROWS = [
    # id, date, last day, country, admin1, admin2, location, type, sub-type, actor1, actor2,
    # fatalities, precision, notes, source, status, latitude, longitude
    ("a", "2024-12-07", None, "Mali", "Ségou", "San", "Kimparana", "Battles", "Armed clash",
     "Unidentified Armed Group (Mali)", "Military Forces of Mali", 3, 1,
     "Attack on the town repelled", "Radio", "ok", 12.84, -4.92),
    ("b", "2024-11-20", None, "Mali", "Mopti", "Djenné", "Djenné", "Violence against civilians",
     "Attack", "JNIM", "Civilians (Mali)", 5, 2, "Villagers killed at a market", "Radio",
     "needs_review", 13.9, -4.55),
    ("c", "2024-09-01", None, "Burkina Faso", "Sahel", "Soum", "Djibo", "Battles", "Armed clash",
     "Military Forces of Burkina Faso", "JNIM", 12, 3, "Convoy ambushed", "Wire", "ok",
     14.1, -1.63),
    ("d", "2023-12-01", None, "Niger", "Tillabéri", "Téra", "Téra", "Protests",
     "Peaceful protest", "Protesters (Niger)", None, 0, None, "March against insecurity", "Wire",
     "needs_review", None, None),
    ("e", "2024-12-06", None, "Mali", "San", "San", "San", "Strategic developments", "Arrests",
     "Military Forces of Mali", "Civilians (Mali)", None, 1, "Suspects detained", None, "ok",
     13.3, -4.9),
    ("f", "2024-11-01", "2024-11-25", "Mali", "Mopti", "Djenné", "Djenné", "Battles",
     "Armed clash", "Dozo militia", None, 1, 2, "Weeks of clashes", "Report", "rejected",
     14.49, -4.19),
]
COLUMNS = ["incident_id", "event_date", "event_date_end", "country", "admin1", "admin2",
           "location", "event_type", "sub_event_type", "actor1", "actor2", "fatalities",
           "geo_precision", "notes", "source", "status", "latitude", "longitude"]


def example(spec_filter: Filter) -> FilterSpec:
    return FilterSpec(**{spec_filter.name: spec_filter.example})


def records() -> pd.DataFrame:
    return model.conform(pd.DataFrame(ROWS, columns=COLUMNS))


@pytest.mark.parametrize("spec_filter", FILTERS, ids=NAMES)
def test_the_declaration_is_complete(spec_filter: Filter) -> None:
    widget = spec_filter.widget
    assert widget.kind in WIDGET_STATES
    for key in (spec_filter.label, widget.help, widget.heading, widget.caption,
                *widget.option_labels.values()):
        assert key is None or (has_key(key, "en") and has_key(key, "fr")), key
    assert spec_filter.flag.startswith("--") and spec_filter.help
    assert example(spec_filter) != FilterSpec(), "the example must constrain"


def test_names_flags_url_keys_and_widgets_are_unique() -> None:
    flags = [flag for f in FILTERS for flag in f.flags]
    assert len(set(flags)) == len(flags)
    assert len({f.url_key for f in FILTERS}) == len(FILTERS)
    shared = {f.widget.key for f in FILTERS if f.widget.kind != "date_range"}
    assert len(shared) == len(FILTERS) - 2  # start and end share the period's range picker


@pytest.mark.parametrize("spec_filter", FILTERS, ids=NAMES)
def test_url_key_round_trips(spec_filter: Filter) -> None:
    spec = example(spec_filter)
    params = spec.to_query_params()
    assert list(params) == [spec_filter.url_key]
    assert FilterSpec.from_query_params(params) == spec
    assert FilterSpec.from_query_string("?" + spec.to_query_string()) == spec


@pytest.mark.parametrize("spec_filter", FILTERS, ids=NAMES)
def test_widget_state_round_trips(spec_filter: Filter) -> None:
    spec = example(spec_filter)
    assert widgets_to_spec(spec_to_widgets(spec)) == spec


def test_every_example_at_once_round_trips_through_widgets_and_url() -> None:
    spec = FilterSpec(**{f.name: f.example for f in FILTERS})
    assert widgets_to_spec(spec_to_widgets(spec)) == spec
    assert FilterSpec.from_query_string(spec.to_query_string()) == spec


def sidebar_app(query: str) -> None:
    """The sidebar seeded from a link's query, on a frame of two incidents."""
    from urllib.parse import parse_qs

    import pandas as pd
    import streamlit as st

    from incidents import model
    from ui.sidebar import filter_widgets
    from ui.state import seed_from_url

    frame = model.conform(pd.DataFrame({
        "incident_id": ["a", "b"], "event_date": ["2024-12-07", "2024-11-20"],
        "country": ["Mali", "Niger"], "admin1": ["Ségou", "Tillabéri"],
        "admin2": ["San", "Téra"], "event_type": ["Battles", "Protests"],
    }))
    st.session_state["url_error"] = seed_from_url(st.session_state, parse_qs(query))
    st.session_state["drawn_spec"] = filter_widgets(frame, "en").to_query_string()


WIDGET_ELEMENTS = {
    "multiselect": "multiselect", "date_range": "date_input", "preset": "selectbox",
    "checkbox": "checkbox", "text": "text_input", "near": "text_input",
    "number": "number_input", "slider": "select_slider",
}


@pytest.mark.parametrize("spec_filter", FILTERS, ids=NAMES)
def test_the_sidebar_draws_the_widget_and_keeps_the_linked_value(spec_filter: Filter) -> None:
    spec = example(spec_filter)
    at = AppTest.from_function(sidebar_app, args=(spec.to_query_string(),), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["url_error"] is None
    assert at.session_state["drawn_spec"] == spec.to_query_string()
    widget = spec_filter.widget
    if widget.kind == "drawn":  # drawn on the map; the sidebar offers to clear it
        at.button(key="clear_drawn").click().run()
        assert at.session_state["drawn_spec"] == ""
        return
    element = getattr(at, WIDGET_ELEMENTS[widget.kind])(key=widget.key)
    if widget.kind != "date_range":
        assert element.label == t(spec_filter.label, "en")
    assert element.value == spec_to_widgets(spec)[widget.key] or (
        tuple(element.value) == spec_to_widgets(spec)[widget.key])


@pytest.mark.parametrize("query, kept", [
    ("start=1950-03-01", "start=1950-03-01"),  # before the picker's old 1989 floor
    ("end=2099-01-01", ""),  # after every acceptable incident date: no bound
])
def test_a_linked_period_beyond_the_picker_is_shown_without_an_error(query: str, kept: str) -> None:
    at = AppTest.from_function(sidebar_app, args=(query,), default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.session_state["drawn_spec"] == kept


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("spec_filter", FILTERS, ids=NAMES)
def test_the_report_names_every_filter(spec_filter: Filter, language: str) -> None:
    from incidents.report.content import describe_filters

    described = describe_filters(example(spec_filter), language)
    if spec_filter.name in ("start", "end"):  # the report states its period apart
        assert described == []
    else:
        assert len(described) == 1 and described[0] != spec_filter.example  # worded, not a code


def cli_arguments(spec: FilterSpec) -> list[str]:
    """The command-line options of ``spec``, written from the declarations."""
    arguments: list[str] = []
    for spec_filter in FILTERS:
        value = getattr(spec, spec_filter.name)
        if not spec_filter.kind.is_set(value):
            continue
        if spec_filter.kind.is_flag:
            arguments.append(spec_filter.flag)
            continue
        texts = spec_filter.kind.to_text(value)
        for text in [texts] if isinstance(texts, str) else texts:
            arguments += [spec_filter.flag, text]
    return arguments


@click.command()
@filter_options
def echo_spec(spec: FilterSpec) -> None:
    click.echo(spec.to_query_string())


@pytest.mark.parametrize("spec_filter", FILTERS, ids=NAMES)
def test_cli_flag_round_trips(spec_filter: Filter) -> None:
    spec = example(spec_filter)
    runner = CliRunner()
    for arguments in (cli_arguments(spec), ["--filter", spec.to_query_string()],
                      ["--filter", "?" + spec.to_query_string() + "&lang=fr&tab=table"]):
        result = runner.invoke(echo_spec, arguments)
        assert result.exit_code == 0, result.output
        assert FilterSpec.from_query_string(result.output.strip()) == spec


def test_an_option_overrides_the_linked_query_and_bad_values_name_their_flag() -> None:
    runner = CliRunner()
    result = runner.invoke(echo_spec, ["--filter", "countries=Mali&text=market",
                                       "--country", "Niger", "--min-fatalities", "2"])
    assert FilterSpec.from_query_string(result.output.strip()) == FilterSpec(
        countries=("Niger",), text="market", min_fatalities=2)
    bad_link = runner.invoke(echo_spec, ["--filter", "start=yesterday"])
    assert bad_link.exit_code == 2 and "--filter" in bad_link.output
    bad_option = runner.invoke(echo_spec, ["--near", "north"])
    assert bad_option.exit_code == 2 and "--near" in bad_option.output


@pytest.mark.parametrize("command", ["export", "report"])
def test_export_and_report_offer_every_filter(command: str) -> None:
    options = {option for parameter in cli.commands[command].params for option in parameter.opts}
    assert {"--filter", *(flag for f in FILTERS for flag in f.flags)} <= options


def test_export_writes_the_view_of_a_dashboard_link(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.sqlite")
    store.import_records(records(), source_name="fixture.csv")
    link = "http://localhost:8501/explore?" + urlencode(
        {"countries": "mali", "event_types": "Battles", "lang": "fr", "tab": "export"})
    out = tmp_path / "view.csv"
    result = CliRunner().invoke(cli, ["export", "--store", str(tmp_path / "store.sqlite"),
                                      "--format", "csv", "--filter", link.split("?", 1)[1],
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(pd.read_csv(out)["incident_id"]) == ["a", "f"]


# -- mask and SQL agree -----------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("registry") / "incidents.sqlite"
    store = open_store(path)
    store.import_records(records(), source_name="fixture.csv")
    conn = sqlite3.connect(path)
    register_functions(conn)
    yield store, conn
    conn.close()


def selected_by_sql(conn: sqlite3.Connection, spec: FilterSpec) -> set[str]:
    def distinct(column: str) -> list[str]:
        return [r[0] for r in conn.execute(
            f'SELECT DISTINCT "{column}" FROM incidents WHERE "{column}" IS NOT NULL')]

    def latest():
        value = conn.execute("SELECT MAX(event_date) FROM incidents").fetchone()[0]
        return pd.Timestamp(value).date() if value else None

    where, params = where_clause(spec, distinct=distinct, latest=latest, dialect=SQLITE)
    return {r[0] for r in conn.execute(f"SELECT incident_id FROM incidents WHERE {where}", params)}


def selected_by_mask(frame: pd.DataFrame, spec: FilterSpec) -> set[str]:
    return set(frame.loc[filter_mask(frame, spec).to_numpy(), "incident_id"].astype(str))


WIDENED = FilterSpec(admin1s=("segou",), include_successor_regions=True)


@pytest.mark.parametrize("spec_filter", FILTERS, ids=NAMES)
def test_mask_and_sqlite_sql_select_the_same_rows(sqlite_store, spec_filter: Filter) -> None:
    store, conn = sqlite_store
    spec = example(spec_filter) if spec_filter.name != "include_successor_regions" else WIDENED
    snapshot, loaded = store.load_map_snapshot(), store.load()
    expected = selected_by_mask(snapshot, spec)
    assert expected == selected_by_mask(loaded, spec)
    assert 0 < len(expected) < len(ROWS), "the example should keep some rows, not all"
    if not in_sql(spec, SQLITE):
        assert spec_filter.name in ("near", "polygon") and in_sql(spec, POSTGRES)
        with pytest.raises(NotInSql):
            selected_by_sql(conn, spec)
        return
    assert selected_by_sql(conn, spec) == expected


def test_successor_regions_widen_the_region() -> None:
    frame = records()
    assert selected_by_mask(frame, FilterSpec(admin1s=("segou",))) == {"a"}
    assert selected_by_mask(frame, WIDENED) == {"a", "e"}


def test_every_example_at_once_in_sqlite(sqlite_store) -> None:
    store, conn = sqlite_store
    spec = FilterSpec(countries=("Mali",), start="2024-11-20", text="town", min_fatalities=1)
    assert selected_by_sql(conn, spec) == selected_by_mask(store.load(), spec) == {"a"}


@pytest.fixture(scope="module")
def postgis_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    import pgserver

    from incidents.store.postgis import PostgisStore

    url = pgserver.fresh_database(request.getfixturevalue("postgis_server"), "registry")
    store = PostgisStore(url, snapshot_dir=tmp_path_factory.mktemp("snapshots"))
    store.import_records(records(), source_name="fixture.csv")
    return store


@pytest.mark.parametrize("spec_filter", FILTERS, ids=NAMES)
def test_mask_and_postgis_sql_select_the_same_rows(postgis_store, spec_filter: Filter) -> None:
    spec = example(spec_filter) if spec_filter.name != "include_successor_regions" else WIDENED
    expected = selected_by_mask(postgis_store.load_map_snapshot(), spec)
    selected = set(postgis_store.select(spec, ["incident_id"])["incident_id"])
    assert selected == expected and postgis_store.count_matching(spec) == len(expected)
