"""Duplicate review and quarantine discards in headless Chromium.

A store holds two sources that report the same two events (two flagged pairs)
and three quarantined rows. The headline's toggle counts each pair once; on the
Duplicates page the analyst keeps one pair as two events and merges the other
(undoes the merge and merges again); on the Quarantine page they discard the rows of
one reason. The store is then read back to check what was recorded. Screenshots
go to tests/artifacts/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from incidents import model
from incidents.store import open_store
from incidents.users import local_user

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000


def records(*rows: dict) -> pd.DataFrame:
    base = {"event_type": "Battles", "sub_event_type": "Armed clash", "country": "Mali",
            "actor1": "Unidentified Armed Group (Mali)", "geo_precision": 1}
    return model.conform(pd.DataFrame([{**base, **row} for row in rows]))


# With no users configured, decisions are recorded under this machine's login.
ANALYST = local_user().name


def fill_store(home: Path) -> Path:
    path = home / "incidents.sqlite"
    store = open_store(path)
    store.import_records(records(
        {"event_id_cnty": "MLI10", "event_date": "2024-05-01", "location": "Boni",
         "latitude": 15.05, "longitude": -1.98, "fatalities": 5, "source": "Wire A",
         "notes": "Gunmen attacked the market of Boni."},
        {"event_id_cnty": "MLI11", "event_date": "2024-06-01", "location": "Douentza",
         "latitude": 15.0, "longitude": -2.95, "fatalities": 1, "source": "Wire A",
         "notes": "Clash near Douentza."},
    ), source_name="acled.csv")
    quarantine = pd.DataFrame({
        "row_number": [3, 4, 6],
        "reason": ["event_type is empty", "event_type is empty",
                   "event_date: '31/02/2024' is not a date"],
        "event_date": ["2024-05-02", "2024-05-03", "31/02/2024"],
        "notes": ["[x](http://203.0.113.9/) =1+1", "", ""],
    })
    store.import_records(records(
        {"incident_id": "LOG-1", "event_date": "2024-05-01", "location": "Boni",
         "latitude": 15.05, "longitude": -1.98, "fatalities": 7, "source": "Radio B",
         "source_url": "https://radio.example/boni", "notes": "Attack on Boni market."},
        {"incident_id": "LOG-2", "event_date": "2024-06-01", "location": "Douentza",
         "latitude": 15.0, "longitude": -2.95, "fatalities": 1, "source": "Radio B",
         "notes": "**Fighting** near Douentza."},
    ), quarantine, source_name="log.csv")
    return path


@pytest.fixture(scope="module")
def dashboard(new_home, start_dashboard) -> tuple[str, Path]:
    home = new_home("review-home")
    path = fill_store(home)
    return start_dashboard(home), path


def test_keep_one_pair_merge_the_other_then_discard_rows(dashboard, chromium,
                                                         artifacts_dir: Path) -> None:
    url, path = dashboard
    context = chromium.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    try:
        page.goto(url, wait_until="domcontentloaded")
        incidents = page.locator('[data-figure="incidents"]')
        fatalities = page.locator('[data-figure="fatalities"]')
        expect(incidents).to_contain_text("4", timeout=TIMEOUT_MS)
        expect(fatalities).to_contain_text("14")
        page.get_by_text("Count possible duplicates once").click()
        expect(incidents).to_contain_text("2", timeout=TIMEOUT_MS)
        expect(fatalities).to_contain_text("8")  # the larger toll of each pair: 7 + 1
        page.screenshot(path=str(artifacts_dir / "headline_duplicates_once.png"))

        page.goto(f"{url}/duplicates", wait_until="domcontentloaded")
        page.get_by_text("2 groups of possible duplicates to review.").wait_for(
            timeout=TIMEOUT_MS)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifacts_dir / "duplicates_pair.png"), full_page=True)
        group = page.get_by_role("combobox", name="Group to review")
        expect(group).to_have_value("2024-06-01 · Douentza · MLI11 / LOG-2", timeout=TIMEOUT_MS)
        page.wait_for_timeout(500)
        page.get_by_role("button", name="Keep both (two events)").click()
        page.get_by_text("Kept as separate incidents: MLI11 / LOG-2.").wait_for(
            timeout=TIMEOUT_MS)
        page.get_by_text("1 group of possible duplicates to review.").wait_for(
            timeout=TIMEOUT_MS)

        page.wait_for_timeout(2000)
        page.screenshot(path=str(artifacts_dir / "duplicates_kept.png"), full_page=True)
        expect(group).to_have_value("2024-05-01 · Boni · MLI10 / LOG-1", timeout=TIMEOUT_MS)
        # MLI10, flagged against by LOG-1, is offered as the survivor; LOG-1 is chosen.
        page.locator('[data-testid="stRadio"] label').filter(has_text="LOG-1").click()
        page.wait_for_timeout(500)
        page.get_by_role("button", name="Merge into the chosen incident").click()
        page.get_by_text("1 incident merged into LOG-1.").wait_for(timeout=TIMEOUT_MS)
        page.get_by_text("No possible duplicates left to review.").wait_for(timeout=TIMEOUT_MS)
        page.screenshot(path=str(artifacts_dir / "duplicates_done.png"), full_page=True)

        # The merge can be undone (new edits), which puts the pair back for review ...
        page.get_by_text("Undo a merge").click()
        page.get_by_role("button", name="Undo its latest merge").wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(500)
        page.get_by_role("button", name="Undo its latest merge").click()
        page.get_by_text("Merge undone: LOG-1 / MLI10.").wait_for(timeout=TIMEOUT_MS)
        page.get_by_text("1 group of possible duplicates to review.").wait_for(
            timeout=TIMEOUT_MS)
        page.screenshot(path=str(artifacts_dir / "duplicates_undone.png"), full_page=True)
        # ... and merged again.
        page.wait_for_timeout(500)
        page.locator('[data-testid="stRadio"] label').filter(has_text="LOG-1").click()
        page.wait_for_timeout(500)
        page.get_by_role("button", name="Merge into the chosen incident").click()
        page.get_by_text("1 incident merged into LOG-1.").wait_for(timeout=TIMEOUT_MS)

        store = open_store(path)
        rows = store.load().set_index("incident_id")
        assert pd.isna(rows.loc["LOG-2", "possible_duplicate_of"])
        assert rows.loc["MLI10", "merged_into"] == "LOG-1"
        assert rows.loc["MLI10", "status"] == "merged"
        assert rows.loc["LOG-1", "source"] == "Radio B; Wire A"
        assert set(store.history("MLI10")["user"]) == {ANALYST}
        assert set(store.history("LOG-2")["user"]) == {ANALYST}

        page.goto(f"{url}/quarantine", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Discard rows").wait_for(timeout=TIMEOUT_MS)
        page.get_by_role("combobox", name="Reasons of the rows to discard").click()
        page.get_by_role("option", name="event_type is empty (2)").click()
        page.keyboard.press("Escape")
        page.get_by_label("Note (why they are discarded)").fill("blank lines of the log")
        page.wait_for_timeout(500)
        page.get_by_role("button", name="Discard 2 rows").click()
        page.get_by_text(f"2 rows discarded by {ANALYST}.").wait_for(timeout=TIMEOUT_MS)
        page.get_by_role("heading", name="Discarded rows").wait_for(timeout=TIMEOUT_MS)
        page.get_by_text("Import history").click()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifacts_dir / "quarantine_discarded.png"), full_page=True)
        links = page.locator("a[href*='203.0.113.9']").count()
        assert links == 0

        assert list(store.load_quarantine()["row_number"]) == [6]
        discard = store.discards().iloc[0]
        assert (discard["user"], discard["rows"], discard["note"]) == (
            ANALYST, 2, "blank lines of the log")
        assert json.loads(discard["reasons"]) == {"event_type is empty": 2}
        imported = store.imports().iloc[0]
        assert (imported["quarantined"], imported["discarded"]) == (3, 2)

        page.goto(url, wait_until="domcontentloaded")  # the merged incident counts once
        expect(incidents).to_contain_text("3", timeout=TIMEOUT_MS)
        expect(fatalities).to_contain_text("9")  # LOG-1 keeps its own 7, plus 1 + 1
    finally:
        context.close()
