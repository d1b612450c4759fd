"""In the browser: a link naming a filter the sidebar used to drop (the review status) opens
with it shown in its widget, in French, beside a preset and a country, and the page counts
what they select. Screenshot: tests/artifacts/registry_sidebar_fr.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidents.filters import FilterSpec, apply_filters
from incidents.store import IncidentStore
from test_dashboard_browser import HEADLINE_INCIDENTS, LOAD_TIMEOUT_MS, map_frame
from test_dashboard_fixes_browser import dashboard  # noqa: F401  (the samples' dashboard)

pytestmark = pytest.mark.browser


def test_a_link_with_every_kind_of_filter_fills_the_french_sidebar(
        dashboard, chromium, artifacts_dir: Path) -> None:
    base_url, home = dashboard
    spec = FilterSpec(preset="last_365", statuses=("ok",), countries=("Mali",))
    expected = apply_filters(IncidentStore(home / "incidents.sqlite").load(), spec)
    context = chromium.new_context(viewport={"width": 1440, "height": 1800})
    page = context.new_page()
    try:
        page.goto(f"{base_url}/?{spec.to_query_string()}&lang=fr", wait_until="domcontentloaded")
        map_frame(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        preset = sidebar.get_by_role("combobox", name="Raccourci", exact=True)
        assert preset.input_value() == "12 derniers mois"
        status = sidebar.get_by_role("combobox", name="Statut", exact=True)
        status.scroll_into_view_if_needed()
        assert sidebar.get_by_text("Valide", exact=True).is_visible()
        page.wait_for_function(
            "([selector, count]) => document.querySelector(selector)?.innerText.trim() === count",
            arg=[HEADLINE_INCIDENTS, str(len(expected))], timeout=LOAD_TIMEOUT_MS)
        page.screenshot(path=str(artifacts_dir / "registry_sidebar_fr.png"), full_page=True)
        assert "statuses=ok" in page.url and "preset=last_365" in page.url
    finally:
        context.close()
