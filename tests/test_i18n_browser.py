"""Every page and tab of the dashboard in French, in headless Chromium: no English word
of the interface may show.

A word counts as English when the English catalog uses it and the French catalog never
does (so "Incidents" or "Source", the same in both, do not count), and it is not a word
of the data on screen (incident notes, actor names and the uploaded file's cells stay
as written). Text is read from the page, from the map's frame and from the page's
accessible labels (aria-label, title, placeholder). Screenshots of each step go to
tests/artifacts/i18n_*.png.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from incidents.i18n import po_path
from incidents.store import open_store
from ui.data import seed_store_if_empty

pytestmark = pytest.mark.browser
PROJECT_DIR = Path(__file__).resolve().parent.parent

LOAD_TIMEOUT_MS = 120_000
# Words of four letters or more; an identifier such as geo_precision or actor1 (a column
# name a French reason may quote) is one token, never a word.
TOKEN = re.compile(r"[\w'’-]+")
WORD_SHAPE = re.compile(r"[A-Za-zÀ-ÿ]{4,}")


def words_of(text: str) -> set[str]:
    return {token.lower() for token in TOKEN.findall(text) if WORD_SHAPE.fullmatch(token)}
# English words of the catalog that French text may rightly hold: names of things.
NAMES = {"openstreetmap", "geojson", "mbtiles", "leaflet", "python", "excel", "gdal2tiles",
         "qgis", "mobac", "acled", "ucdp", "awsd", "gdelt", "spacy", "matplotlib", "streamlit",
         "pmtiles", "webp", "jpeg", "sahel", "english"}
# A file with rows the validation refuses, so the report shows reasons (kept as data:
# only the reasons' words are checked).
BAD_ROWS = (
    "event_date,event_type,country,location,latitude,longitude,fatalities\n"
    "2024-03-02,Battles,Mali,Gao,16.27,-0.04,2\n"
    "31/02/2024,Battles,Mali,Gao,16.27,-0.04,1\n"
    "2024-03-04,Battles,Mali,Gao,abc,-0.04,0\n"
    "2024-03-05,Riots,Mali,Gao,16.27,-0.04,-3\n"
)
ARTICLE = ("Bamako, le 12 mars 2024 - Des hommes armés ont attaqué le village de Dioura, "
           "dans la région de Mopti, tuant cinq civils.")


def _texts(language: str) -> list[str]:
    with po_path(language).open("rb") as handle:
        catalog = read_po(handle)
    texts = []
    for message in catalog:
        if message.id:
            texts.extend(message.string if isinstance(message.string, (tuple, list)) else [message.string])
    return texts


def _unfilled(text: str) -> str:
    """The template's own words, without its placeholders' names."""
    return re.sub(r"\{\w+\}", " ", text)


def english_only_words() -> set[str]:
    """Words of the English catalog that the French catalog never uses."""
    french = set().union(*(words_of(_unfilled(text)) for text in _texts("fr")))
    english = set().union(*(words_of(_unfilled(text)) for text in _texts("en")))
    return english - french - NAMES


def data_words(home: Path, *extra: str) -> set[str]:
    """Words of the incidents' text and of quarantined rows' original fields (not their reasons)."""
    store = open_store(home / "incidents.sqlite")
    frame = store.load()
    quarantine = store.load_quarantine()
    words = set()
    for column in ("original_json", "source_name"):
        for text in quarantine.get(column, []):
            words |= words_of(str(text))
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype).startswith("string"):
            for value in frame[column].dropna().astype(str).unique():
                words |= words_of(value)
    for text in extra:
        words |= words_of(text)
    return words


# Labels, and what a one-line input shows (a select box's chosen option is its value).
LABELS_JS = """() => Array.from(document.querySelectorAll('[aria-label],[title],[placeholder],input'))
  .filter(e => e.getClientRects().length)
  .map(e => [e.getAttribute('aria-label'), e.getAttribute('title'), e.getAttribute('placeholder'),
             e.tagName === 'INPUT' && e.type !== 'hidden' ? e.value : '']
       .filter(Boolean).join(' ')).join('\\n')"""
# Material icons are drawn from a ligature font: their text ("upload") is a glyph name.
VISIBLE_TEXT_JS = """() => {
  const skip = el => el.closest('[data-testid="stIconMaterial"], script, style, noscript');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement || skip(node.parentElement)) continue;
    parts.push(node.nodeValue);
  }
  return parts.join('\\n');
}"""


def screen_text(page) -> str:
    parts = []
    for frame in page.frames:
        try:
            parts.append(frame.evaluate(VISIBLE_TEXT_JS))
            parts.append(frame.evaluate(LABELS_JS))
        except Exception:  # noqa: BLE001 - a frame navigating away has nothing to read
            continue
    return "\n".join(parts)


@pytest.fixture(scope="module")
def french_walk(new_home, start_dashboard, chromium):
    home = new_home("i18n-home")
    seed_store_if_empty(open_store(home / "incidents.sqlite"))
    base_url = start_dashboard(home)
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield base_url, home, page
    context.close()


def _settle(page, milliseconds: int = 2500) -> None:
    page.wait_for_load_state("domcontentloaded")
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(milliseconds)


class Walk:
    """Screenshots and English words found, step by step (all steps run, then one assert)."""

    def __init__(self, page, home: Path, artifacts_dir: Path) -> None:
        self.page, self.artifacts_dir = page, artifacts_dir
        self.english = english_only_words()
        # Actor names (data/actors.json, ACLED-style English names) are names, as written.
        actors = json.loads((PROJECT_DIR / "data" / "actors.json").read_text(encoding="utf-8"))
        names = " ".join(actor["name"] for actor in actors["actors"])
        self.allowed = data_words(home, BAD_ROWS, ARTICLE, names)
        self.leaks: dict[str, list[str]] = {}

    def check(self, name: str) -> None:
        self.page.screenshot(path=str(self.artifacts_dir / f"i18n_{name}.png"), full_page=True)
        text = screen_text(self.page)
        (self.artifacts_dir / f"i18n_{name}.txt").write_text(text, encoding="utf-8")
        shown = words_of(text)
        leaked = sorted(shown & self.english - self.allowed)
        if leaked:
            self.leaks[name] = leaked


def test_french_pages_show_no_english(french_walk, artifacts_dir: Path, tmp_path: Path) -> None:
    base_url, home, page = french_walk
    walk = Walk(page, home, artifacts_dir)
    assert {"upload", "country", "period", "fatalities"} <= walk.english

    page.goto(f"{base_url}/?lang=fr", wait_until="domcontentloaded")
    page.frame_locator("iframe[title*='st_folium']").locator(".leaflet-container").wait_for(
        timeout=LOAD_TIMEOUT_MS)
    assert page.evaluate("document.documentElement.lang") == "fr"
    _settle(page, 4000)
    walk.check("map")

    for tab, drawn in (("Dans le temps", "stVegaLiteChart"), ("Tableau", "stDataFrame"),
                       ("Exporter", "stDownloadButton")):
        page.get_by_role("tab", name=tab).click()
        page.locator(f'[data-testid="{drawn}"]').first.wait_for(timeout=LOAD_TIMEOUT_MS)
        _settle(page)
        walk.check(f"tab_{tab.split()[-1].lower()}")

    page.get_by_role("tab", name="Tableau").click()
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=LOAD_TIMEOUT_MS)
    _settle(page)
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Ouvrir un incident")
    picker.click()
    page.get_by_role("option").first.click()
    page.locator('[data-testid="stDialog"]').wait_for(timeout=LOAD_TIMEOUT_MS)
    _settle(page)
    walk.check("record")
    page.keyboard.press("Escape")

    upload = tmp_path / "a_verifier.csv"
    upload.write_text(BAD_ROWS, encoding="utf-8")
    page.goto(f"{base_url}/upload?lang=fr", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Importer un fichier").wait_for(timeout=LOAD_TIMEOUT_MS)
    _settle(page)
    walk.check("upload")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_text("Rapport de validation").wait_for(timeout=LOAD_TIMEOUT_MS)
    _settle(page)
    walk.check("upload_report")

    page.goto(f"{base_url}/article?lang=fr", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Ajouter depuis un article").wait_for(timeout=LOAD_TIMEOUT_MS)
    _settle(page)
    page.locator('[data-testid="stTextArea"] textarea').first.fill(ARTICLE)
    page.get_by_role("button", name="Extraire les incidents").click()
    _settle(page, 4000)
    walk.check("article")
    page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 1e6)")
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts_dir / "i18n_article_end.png"))

    for path, heading in (("correct", "Corriger un lieu"), ("duplicates", "Doublons"),
                          ("quarantine", "Quarantaine"), ("admin", "Utilisateurs et audit")):
        page.goto(f"{base_url}/{path}?lang=fr", wait_until="domcontentloaded")
        page.get_by_role("heading", name=heading).first.wait_for(timeout=LOAD_TIMEOUT_MS)
        _settle(page)
        walk.check(path)
        page.screenshot(path=str(artifacts_dir / f"i18n_{path}.png"), full_page=True)
    assert not walk.leaks, f"English words on French pages: {walk.leaks}"
