"""The library face (``incidents.api``, re-exported from ``incidents``): its doctests,
run against a temporary state dir, and what the examples do not show."""

from __future__ import annotations

import doctest
import inspect
import io
import subprocess
import sys

import pytest

import incidents
from incidents import api


@pytest.mark.parametrize("module", [api], ids=lambda m: m.__name__)
def test_docstring_examples_run(module, incidents_home) -> None:
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert tried > 0
    assert failures == 0


def test_the_public_names_are_the_api_functions() -> None:
    for name in ("read", "open_store", "select", "to_map", "export", "sample"):
        assert getattr(incidents, name) is getattr(api, name)


def test_geocode_and_extract_are_both_subpackages_and_api_functions() -> None:
    import incidents.extract
    import incidents.geocode
    from incidents.geocode import geocode_frame

    for name in ("geocode", "extract"):
        package = getattr(incidents, name)
        assert package.__name__ == f"incidents.{name}"
        assert callable(package)
        assert inspect.signature(package) == inspect.signature(getattr(api, name))
    assert incidents.geocode.geocode_frame is geocode_frame
    assert incidents.geocode("Bamako", country="Mali")["precision"].tolist() == [1]
    from incidents.filters import FilterSpec

    assert incidents.FilterSpec is FilterSpec
    assert set(incidents.__all__) <= set(dir(incidents))
    with pytest.raises(AttributeError):
        incidents.no_such_thing  # noqa: B018


def test_importing_the_package_loads_no_heavy_module() -> None:
    code = "import sys, incidents; print(sorted({'pandas', 'geopandas', 'folium', 'spacy'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_select_takes_a_spec_or_keywords_not_both() -> None:
    frame, _ = incidents.read(incidents.sample())
    spec = incidents.FilterSpec(countries=("Mali",))
    assert len(incidents.select(frame, spec)) == len(incidents.select(frame, countries=["Mali"]))
    with pytest.raises(TypeError):
        incidents.select(frame, spec, countries=["Niger"])


def test_geocode_a_frame_places_rows_without_coordinates(incidents_home) -> None:
    frame, _ = incidents.read(io.BytesIO(
        b"event_date,event_type,country,admin1,location\n"
        b"2024-12-07,Violence against civilians,Mali,Segou,Kimparana\n"
    ), filename="one.csv")
    assert frame.geometry.isna().all()
    placed = incidents.geocode(frame)
    assert placed.crs.to_epsg() == 4326
    assert placed.geometry.notna().all() and not placed.geometry.is_empty.any()
    assert placed["geocode_method"].iloc[0] != "none"


def test_export_writes_a_standalone_map(tmp_path) -> None:
    frame, _ = incidents.read(incidents.sample())
    summary = incidents.export(frame, "html", tmp_path / "map.html")
    page = (tmp_path / "map.html").read_text("utf-8")
    assert summary.rows_written == frame["latitude"].notna().sum()
    assert "<script src=" not in page and 'href="/app/static' not in page
    with pytest.raises(ValueError):
        incidents.export(frame, "pdf", tmp_path / "map.pdf")


def test_an_unknown_sample_names_the_known_ones() -> None:
    with pytest.raises(FileNotFoundError, match="sahel_sample.csv"):
        incidents.sample("nope.csv")
