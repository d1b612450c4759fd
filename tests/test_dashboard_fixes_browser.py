"""Browser tests, one per defect of issue 13's "Broken" list, each written so it fails
on the defect: articles overwriting saved incidents, export buttons, export names,
dark-mode contrast, a checkout without `make setup`, the choropleth's tooltip
against its filter, and an unplaced row's precision.

Screenshots go to tests/artifacts/ (prefix ``fix_``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd
import pytest

from incidents.filters import FilterSpec, apply_filters, reference_date
from incidents.store import IncidentStore
from incidents.users import local_user
from test_dashboard_browser import (HEADLINE_INCIDENTS, LOAD_TIMEOUT_MS, LOCAL_HOSTS, map_frame,
                                    markers)
from ui.data import seed_store_if_empty

pytestmark = pytest.mark.browser

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEGOU_DECEMBER = "?admin1s=Segou&start=2024-12-01&end=2024-12-31"
FIRST_ARTICLE = (
    "Le 7 décembre 2024, des hommes armés à moto ont attaqué la localité de Kimparana, région "
    "de Ségou. L'armée malienne a riposté et plusieurs assaillants ont été neutralisés."
)
SECOND_ARTICLE = (
    "Le 3 novembre 2024, des hommes armés ont attaqué le village de Djibo, province du Soum. "
    "Trois civils ont été tués."
)


@pytest.fixture(scope="module")
def dashboard(new_home, start_dashboard) -> tuple[str, Path]:
    home = new_home("fixes-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INCIDENTS_HOME", str(home))
        seed_store_if_empty(IncidentStore(home / "incidents.sqlite"))
    return start_dashboard(home), home


def _watched_page(chromium, **options):
    context = chromium.new_context(viewport={"width": 1440, "height": 900},
                                   accept_downloads=True, **options)
    page = context.new_page()
    page.requests_seen, page.errors_seen = [], []
    page.on("request", lambda request: page.requests_seen.append(request.url))
    page.on("pageerror", lambda error: page.errors_seen.append(str(error)))
    return context, page


def _check_offline_and_clean(page) -> None:
    foreign = [u for u in page.requests_seen
               if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).hostname not in LOCAL_HOSTS]
    assert foreign == [], f"requests left localhost: {foreign[:10]}"
    assert page.errors_seen == [], f"uncaught script errors: {page.errors_seen}"


@pytest.fixture
def page(chromium):
    context, page = _watched_page(chromium)
    yield page
    context.close()
    _check_offline_and_clean(page)


@pytest.fixture
def dark_page(chromium):
    context, page = _watched_page(chromium, color_scheme="dark")
    yield page
    context.close()
    _check_offline_and_clean(page)


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


# 1. Add from article -------------------------------------------------------------------

def _extract(page, text: str) -> None:
    page.get_by_label("Article text (French or English)").fill(text)
    page.get_by_role("button", name="Extract incidents").click()


def test_a_second_article_never_overwrites_the_first(dashboard, page, artifacts_dir) -> None:
    base_url, home = dashboard
    store = IncidentStore(home / "incidents.sqlite")
    before = set(store.load()["incident_id"])
    page.goto(f"{base_url}/article", wait_until="domcontentloaded")
    _extract(page, FIRST_ARTICLE)
    page.get_by_text("Kimparana", exact=False).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_role("button", name="Save as reviewed").first.click()
    page.get_by_text("Saved to the store").wait_for(timeout=LOAD_TIMEOUT_MS)
    first = store.load().set_index("incident_id")
    first_ids = sorted(set(first.index) - before)
    assert len(first_ids) == 1 and first.loc[first_ids[0], "source_text"] == FIRST_ARTICLE

    # Its publication day is not known here: the article's own date is then the event's
    # (with today as the publication day, a 2024 event would read as a recalled one).
    page.get_by_text("Publication date known").click()
    _extract(page, SECOND_ARTICLE)
    page.get_by_role("heading", name="Djibo", exact=False).first.wait_for(
        timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(1000)
    location = page.get_by_label("Location", exact=True).first.input_value()
    assert location.startswith("Djibo"), location  # the form holds the second article
    page.screenshot(path=str(artifacts_dir / "fix_article_second.png"), full_page=True)
    page.get_by_role("button", name="Save as reviewed").first.click()
    page.get_by_text("Saved to the store").wait_for(timeout=LOAD_TIMEOUT_MS)
    after = store.load().set_index("incident_id")
    second_ids = sorted(set(after.index) - before - set(first_ids))
    assert len(second_ids) == 1 and after.loc[second_ids[0], "source_text"] == SECOND_ARTICLE
    assert after.loc[first_ids[0], "source_text"] == FIRST_ARTICLE
    assert after.loc[first_ids[0], "location"] == first.loc[first_ids[0], "location"]

    fatalities = page.get_by_role("spinbutton", name="Fatalities", exact=True).first
    fatalities.fill("7")
    page.get_by_role("button", name="Save as reviewed").first.click()
    page.get_by_text("Already in the store").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.screenshot(path=str(artifacts_dir / "fix_article_edited.png"), full_page=True)
    assert store.load().set_index("incident_id").loc[second_ids[0], "fatalities"] == 7
    history = store.history(second_ids[0])
    assert "fatalities" in set(history["field"]) and set(history["user"]) == {local_user().name}
    assert store.history(first_ids[0]).empty
    _no_exception(page)


# 2 and 3. Every export button downloads a file that opens, named for the period -----------

def _download(page, label: str, folder: Path) -> Path:
    with page.expect_download(timeout=LOAD_TIMEOUT_MS) as info:
        page.get_by_role("button", name=label, exact=True).click()
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_every_export_button_gives_a_file_that_opens(dashboard, page, chromium, tmp_path,
                                                     artifacts_dir) -> None:
    base_url, home = dashboard
    expected = apply_filters(IncidentStore(home / "incidents.sqlite").load(),
                             FilterSpec.from_query_string(SEGOU_DECEMBER[1:]))
    ids = sorted(expected["incident_id"])
    page.goto(f"{base_url}/{SEGOU_DECEMBER}", wait_until="domcontentloaded")
    map_frame(page)
    page.get_by_role("tab", name="Export").click()
    base = "incidents_Segou_2024-12-01_2024-12-31"

    geojson = _download(page, "GeoJSON", tmp_path)
    assert geojson.name == f"{base}.geojson"
    features = json.loads(geojson.read_text("utf-8"))["features"]
    assert sorted(f["properties"]["incident_id"] for f in features) == ids

    csv = _download(page, "CSV", tmp_path)
    assert csv.name == f"{base}.csv"
    assert sorted(pd.read_csv(csv)["incident_id"]) == ids

    gpkg = _download(page, "GeoPackage", tmp_path)
    assert gpkg.name == f"{base}.gpkg"
    assert sorted(gpd.read_file(gpkg)["incident_id"]) == ids

    html = _download(page, "Standalone HTML map", tmp_path)
    assert html.name == f"{base}.html"
    viewer = chromium.new_page()
    viewer.goto(html.as_uri())
    viewer.wait_for_function("() => Object.values(window).some(v => v instanceof L.Map)",
                             timeout=LOAD_TIMEOUT_MS)
    viewer.wait_for_timeout(1000)
    shown = sorted(m["tooltip"].split(" · ")[0] for m in markers(viewer))
    viewer.screenshot(path=str(artifacts_dir / "fix_export_standalone.png"))
    viewer.close()
    assert shown == sorted(expected.loc[expected["geo_precision"] < 3, "incident_id"])
    _no_exception(page)


def test_a_preset_export_is_named_for_the_period_it_filtered(dashboard, page,
                                                             tmp_path) -> None:
    """Mali's latest incident (2025-01-15) is older than the store's (2025-03-16): "last
    12 months" ends on the store's, and so must the file name."""
    base_url, home = dashboard
    everything = IncidentStore(home / "incidents.sqlite").load()
    spec = FilterSpec(countries=("Mali",), preset="last_365")
    start, end = spec.date_bounds(reference_date(everything))
    mali = everything[everything["country"] == "Mali"]
    assert mali["event_date"].max().date() < end  # the case the defect got wrong
    page.goto(f"{base_url}/?{spec.to_query_string()}", wait_until="domcontentloaded")
    map_frame(page)
    page.get_by_role("tab", name="Export").click()
    path = _download(page, "CSV", tmp_path)
    assert path.name == f"incidents_Mali_{start:%Y-%m-%d}_{end:%Y-%m-%d}.csv"
    assert pd.read_csv(path)["event_date"].max() <= f"{end:%Y-%m-%d}"


# 4. Dark mode: every custom-styled element readable ---------------------------------------

CONTRAST_JS = """
(selectors) => {
  const parse = c => { const m = (c.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number);
                       return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = c => 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.a > 0.5) return c;
    }
    return parse(getComputedStyle(document.body).backgroundColor);
  };
  const found = [];
  for (const selector of selectors) {
    for (const root of document.querySelectorAll(selector)) {
      for (const el of [root, ...root.querySelectorAll('*')]) {
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own || !el.offsetParent) continue;
        const a = lum(parse(getComputedStyle(el).color)), b = lum(background(el));
        found.push({selector, text: el.textContent.trim().slice(0, 30),
                    ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
      }
    }
  }
  return found;
}
"""
MAP_STYLED = [".incidents-legend", ".leaflet-control-layers", ".leaflet-control-attribution",
              ".leaflet-control-scale", ".leaflet-popup-content-wrapper", ".leaflet-tooltip"]


def _readable(found: list[dict], at_least: int) -> None:
    assert len({f["selector"] for f in found}) >= at_least, found
    poor = [f for f in found if f["ratio"] < 4.5]
    assert poor == [], poor


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_map_controls_are_readable_in_both_themes(dashboard, chromium, scheme, artifacts_dir):
    base_url, _ = dashboard
    context, page = _watched_page(chromium, color_scheme=scheme)
    try:
        page.goto(f"{base_url}/?countries=Mali", wait_until="domcontentloaded")
        element, frame = map_frame(page)
        frame.hover(".leaflet-control-layers")  # unfold the layer list
        page.wait_for_timeout(500)
        frame.evaluate("""() => { const m = Object.values(window).find(v => v instanceof L.Map);
            let done = false; m.eachLayer(l => { if (!done && l instanceof L.CircleMarker
            && l.getTooltip()) { l.openTooltip(); done = true; } }); }""")
        page.wait_for_timeout(500)
        found = frame.evaluate(CONTRAST_JS, MAP_STYLED)
        element.screenshot(path=str(artifacts_dir / f"fix_map_{scheme}.png"))
        _readable(found, 4)
        page.screenshot(path=str(artifacts_dir / f"fix_page_{scheme}.png"))
        _readable(page.evaluate(CONTRAST_JS, ['.incidents-headline',
                                              '[data-testid="stSidebar"] label']), 2)
        page.goto(f"{base_url}/article", wait_until="domcontentloaded")
        _extract(page, FIRST_ARTICLE)
        page.locator(".article-evidence mark").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        page.wait_for_timeout(500)
        page.screenshot(path=str(artifacts_dir / f"fix_article_{scheme}.png"))
        _readable(page.evaluate(CONTRAST_JS, [".article-evidence"]), 1)
    finally:
        context.close()
    _check_offline_and_clean(page)


# 5. A checkout without `make setup` says what is missing ----------------------------------

def test_without_setup_the_page_names_what_is_missing(tmp_path, chromium,
                                                      artifacts_dir) -> None:
    """(The page's own script errors, Leaflet failing to load, are expected here.)"""
    from conftest import streamlit_server

    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("dashboard.py", "pyproject.toml", "incidents", "ui", "data", "derived", ".streamlit"):
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, checkout / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, checkout / name)
    home = tmp_path / "home"
    home.mkdir()
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    with streamlit_server("dashboard.py", cwd=checkout, env={"INCIDENTS_HOME": str(home)},
                          log_path=tmp_path / "server.log") as url:
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_text("The map's scripts are not installed").wait_for(timeout=LOAD_TIMEOUT_MS)
        page.get_by_text("The offline base map is not installed").wait_for(
            timeout=LOAD_TIMEOUT_MS)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(artifacts_dir / "fix_without_setup.png"))
        text = page.locator('[data-testid="stAlert"]').all_inner_texts()
        page.close()
        assert sum("make setup" in each for each in text) >= 2, text


# 6. The choropleth's tooltip gives the count its click filters to -------------------------

REGION_VALUE_JS = """(name) => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    let value = null;
    map.eachLayer(layer => {
        const p = layer.feature && layer.feature.properties;
        if (p && p.region_level === "admin1" && p.region === name) value = p.value;
    });
    return value;
}"""


def test_a_region_tooltip_count_is_its_filter_count(dashboard, page, artifacts_dir) -> None:
    """The bundled sample codes two incidents to Ménaka, inside Gao's outline."""
    from test_dashboard_browser import CLICK_REGION_JS

    base_url, _ = dashboard
    page.goto(f"{base_url}/?source=sample&countries=Mali", wait_until="domcontentloaded")
    map_frame(page)
    page.get_by_text("Colour regions by number of incidents").click()
    page.wait_for_timeout(1000)
    _, frame = map_frame(page)
    frame.wait_for_function(f"() => ({REGION_VALUE_JS})('Gao') !== null",
                            timeout=LOAD_TIMEOUT_MS)
    tooltip_count = frame.evaluate(REGION_VALUE_JS, "Gao")
    assert frame.evaluate(CLICK_REGION_JS, "Gao")
    page.wait_for_url(lambda url: "admin1s=Gao" in url, timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function(
        "([selector, n]) => document.querySelector(selector).innerText === String(n)",
        arg=[HEADLINE_INCIDENTS, tooltip_count], timeout=LOAD_TIMEOUT_MS)
    page.screenshot(path=str(artifacts_dir / "fix_choropleth_gao.png"))


# The one-click situation report ------------------------------------------------------------

def test_the_situation_report_downloads_and_renders(dashboard, page, tmp_path,
                                                    artifacts_dir) -> None:
    import subprocess

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    base_url, _ = dashboard
    page.goto(f"{base_url}/?lang=fr&countries=Mali", wait_until="domcontentloaded")
    map_frame(page)
    page.get_by_role("tab", name="Exporter").click()
    pdf = _download(page, "Rapport de situation (PDF)", tmp_path)
    assert pdf.name.startswith("report_Mali_") and pdf.suffix == ".pdf"
    out = artifacts_dir / "fix_report_page"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out)], check=True)
    pages = sorted(artifacts_dir.glob("fix_report_page*.png"))
    assert len(pages) == 2
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Rapport de situation" in text and "Filtres : Mali" in text
    png = _download(page, "Rapport de situation (PNG)", tmp_path)
    assert png.read_bytes().startswith(b"\x89PNG")
    _no_exception(page)
