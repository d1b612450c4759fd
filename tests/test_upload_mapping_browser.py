"""The upload page's column-mapping step in headless Chromium.

An analyst's own log (French headers, no type column) is uploaded; the page shows
the file's columns with suggestions, the analyst picks one event type for every
row and applies; the validation report then counts the rows. Screenshots go to
tests/artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

TIMEOUT_MS = 90_000
LOG = (
    "Date,Lieu,Morts,Résumé\n"
    "07/12/2024,Djibo,3,Des hommes armés ont attaqué le marché\n"
    "18/12/2024,Arbinda,0,Enlèvement d'un commerçant\n"
)


@pytest.fixture(scope="module")
def dashboard(new_home, start_dashboard) -> str:
    return start_dashboard(new_home("mapping-home"))


def test_mapping_step_suggests_columns_and_loads_the_file(dashboard, chromium, tmp_path: Path,
                                                          artifacts_dir: Path) -> None:
    path = tmp_path / "journal.csv"
    path.write_text(LOG, encoding="utf-8")
    context = chromium.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    try:
        page.goto(f"{dashboard}/upload", wait_until="domcontentloaded")
        page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached",
                               timeout=TIMEOUT_MS)
        page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))
        page.get_by_role("heading", name="Map the file's columns").wait_for(timeout=TIMEOUT_MS)
        page.get_by_text("Columns in the file: Date, Lieu, Morts, Résumé").wait_for(
            timeout=TIMEOUT_MS)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(artifacts_dir / "upload_mapping_step.png"), full_page=True)
        for field, column in (("event_date", "Date"), ("location", "Lieu"),
                              ("fatalities", "Morts"), ("notes", "Résumé")):
            box = page.get_by_role("combobox", name=f"{field} ← column")
            assert box.input_value(timeout=TIMEOUT_MS) == column

        page.get_by_role("combobox", name="No type column? One event type for every row").click()
        page.get_by_role("option", name="Violence against civilians").click()
        page.get_by_role("button", name="Apply this mapping").click()
        page.get_by_text("Validation report").wait_for(timeout=TIMEOUT_MS)
        page.locator('[data-testid="stMetric"]').filter(has_text="Accepted").first.wait_for(
            timeout=TIMEOUT_MS)
        metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
        assert any("Accepted" in m and "2" in m for m in metrics), metrics
        page.screenshot(path=str(artifacts_dir / "upload_mapping_applied.png"), full_page=True)
    finally:
        context.close()
