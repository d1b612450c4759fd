"""The situation report: its figures on a small fixture, and the PDF and PNG it writes
(the PDF opened and rendered to PNG with poppler's pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from incidents import model
from incidents.filters import FilterSpec
from incidents.report import report_bytes, report_content, write_report
from incidents.report.content import describe_filters

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def fixture_incidents() -> pd.DataFrame:
    """March 2024 (the period) and February 2024 (the previous one) in Mopti and Ségou."""
    rows = []
    for day, place, admin1, lat, lon, deaths, kind, precision in [
        ("2024-03-04", "Mopti", "Mopti", 14.49, -4.19, 12, "Battles", 1),
        ("2024-03-05", "Djenne", "Mopti", 13.91, -4.55, 3, "Violence against civilians", 2),
        ("2024-03-12", "Mopti", "Mopti", 14.50, -4.20, 0, "Protests", 1),
        ("2024-03-20", "San", "Segou", 13.30, -4.90, 30, "Battles", 1),
        ("2024-03-28", "", "Segou", 13.45, -6.26, 1, "Explosions/Remote violence", 3),
        ("2024-03-29", "Nowhere", "", None, None, 2, "Battles", None),
        ("2024-02-10", "Mopti", "Mopti", 14.49, -4.19, 5, "Battles", 1),
        ("2024-02-15", "San", "Segou", 13.30, -4.90, 1, "Riots", 1),
    ]:
        rows.append({"event_date": day, "location": place, "admin1": admin1, "country": "Mali",
                     "latitude": lat, "longitude": lon, "fatalities": deaths,
                     "event_type": kind, "geo_precision": precision,
                     "actor1": "JNIM" if kind == "Battles" else "Civilians (Mali)",
                     "notes": f"Fixture incident at {place or admin1}; costs $5 and 50%.",
                     "source": "Fixture source", "synthetic": place == "San"})
    return model.conform(pd.DataFrame(rows))


MARCH_MALI = FilterSpec(countries=("Mali",), start=date(2024, 3, 1), end=date(2024, 3, 31))


def test_figures_compare_with_the_previous_period_of_the_same_length() -> None:
    content = report_content(fixture_incidents(), MARCH_MALI, language="en", quarantined=4)
    assert content.total == 6
    assert (content.previous_start, content.previous_end) == (date(2024, 1, 30),
                                                              date(2024, 2, 29))
    places = {item.name: (item.count, item.previous) for item in content.top_places}
    assert places["Mopti"] == (2, 1)
    assert places["San (Segou)"] == (1, 1)
    regions = {item.name: (item.count, item.previous) for item in content.top_regions}
    assert regions["Mopti, Mali"] == (3, 1) and regions["Segou, Mali"] == (2, 1)
    assert list(content.severe["fatalities"][:3]) == [30, 12, 3]
    assert content.precision_mix == {"1": 3, "2": 1, "3": 1, "unknown": 1}
    assert content.unplaced == 1 and content.synthetic == 1 and content.quarantined == 4
    assert int(content.weekly.to_numpy().sum()) == 6
    assert int(content.weekly_fatalities.to_numpy().sum()) == 48


def test_filters_are_said_in_the_report_language() -> None:
    spec = FilterSpec(countries=("Mali",), preset="last_90", min_fatalities=5)
    assert describe_filters(spec, "fr") == ["Mali", "90 derniers jours", "au moins 5 morts"]


def _rendered_pages(pdf: Path, out: Path) -> list[Path]:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out)], check=True)
    return sorted(out.parent.glob(out.name + "*.png"))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_pdf_opens_and_renders_both_pages(tmp_path: Path, language: str) -> None:
    content = report_content(fixture_incidents(), MARCH_MALI, language=language)
    pdf = write_report(content, tmp_path / "brief.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    pages = _rendered_pages(pdf, ARTIFACTS / f"report_{language}")
    assert len(pages) == 2 and all(page.stat().st_size > 10_000 for page in pages)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        title = "Situation report" if language == "en" else "Rapport de situation"
        assert title in text and "$5" in text


def test_the_png_is_one_image_of_both_pages(tmp_path: Path) -> None:
    from PIL import Image

    data = report_bytes(report_content(fixture_incidents(), MARCH_MALI), "png")
    path = tmp_path / "brief.png"
    path.write_bytes(data)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.height > 1.9 * image.width


def test_an_empty_selection_still_makes_a_report(tmp_path: Path) -> None:
    content = report_content(fixture_incidents(), FilterSpec(countries=("Chad",)))
    assert content.total == 0
    assert write_report(content, tmp_path / "empty.pdf").stat().st_size > 1000


def test_the_report_command(incidents_home: Path, tmp_path: Path) -> None:
    from incidents.cli import cli
    from incidents.store import IncidentStore

    IncidentStore().import_records(fixture_incidents(), source_name="fixture.csv")
    out = tmp_path / "brief.pdf"
    result = CliRunner().invoke(cli, ["report", "--filter",
                                      "countries=Mali&start=2024-03-01&end=2024-03-31",
                                      "-o", str(out), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert "6 incidents" in result.output and out.read_bytes().startswith(b"%PDF")
    bad = CliRunner().invoke(cli, ["report", "--filter", "start=notadate", "-o", str(out)])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_identical_symbols_are_drawn_once_as_opaque_as_their_stacked_copies() -> None:
    from incidents.report.static_map import _rgba, stacked

    symbols = pd.DataFrame({
        "x": [1.0, 2.0, 1.0, 1.0], "y": [5.0, 5.0, 5.0, 5.0],
        "size": [9.0, 9.0, 9.0, 16.0], "colour": ["#ff0000"] * 4,
    })
    distinct = stacked(symbols)
    # Three symbols; the twice-drawn one stands where its last copy was (third), above the
    # second symbol, as when every copy was drawn.
    assert list(zip(distinct["x"], distinct["size"], distinct["count"])) == [
        (2.0, 9.0, 1), (1.0, 9.0, 2), (1.0, 16.0, 1)]
    alpha = _rgba(distinct, 0.25)[:, 3]
    assert alpha == pytest.approx([0.25, 1 - 0.75 ** 2, 0.25])


def test_a_dense_map_is_one_image_in_the_pdf(tmp_path: Path) -> None:
    from incidents.report import static_map

    copies = 2 * static_map.RASTER_ABOVE // len(fixture_incidents())  # not all are placed
    many = pd.concat([fixture_incidents()] * copies, ignore_index=True)
    many["incident_id"] = many["event_id_cnty"] = [f"dense-{i}" for i in range(len(many))]
    many["latitude"] += [i * 1e-4 for i in range(len(many))]
    pdf = report_bytes(report_content(many, FilterSpec()), "pdf")
    assert b"/Subtype /Image" in pdf
    few = report_bytes(report_content(fixture_incidents(), FilterSpec()), "pdf")
    assert b"/Subtype /Image" not in few  # a light map stays vector
