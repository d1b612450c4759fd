"""Manual correction: place an unplaced or roughly placed incident by hand.

The new point comes from a click on the map or from a gazetteer entry. It is
written with ``IncidentStore.update`` (so the edit history keeps who and the
old value) with geocode_method 'manual', and can also be remembered in the
gazetteer's manual layer so later imports of the same place reuse it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from incidents.errors import GeocodeError, StoreError
from incidents.store import EditConflictError
from incidents.users import NotAllowedError
from incidents.geocode import save_manual_placement
from incidents.maps.build import build_map
from incidents.selection import Selection
from incidents.store.queries import ServedSelection
from ui.data import get_geocoder, get_store, store_path
from ui.i18n import t
from ui.signin import require, signed_in_store
from ui.plain import plain

CANDIDATES = 500
SHOWN_KEY = "correct_shown"
# What ranking the candidates reads; only the chosen candidates are copied whole.
RANK_COLUMNS = ("event_date", "latitude", "longitude", "geo_precision", "status")


def needs_placing(gdf: pd.DataFrame) -> pd.DataFrame:
    """Incidents without coordinates or placed coarser than the place itself, worst first."""
    unplaced = gdf["latitude"].isna() | gdf["longitude"].isna()
    rough = (gdf["geo_precision"].fillna(3) > 1) | (gdf["status"] == "needs_review")
    chosen = gdf[(unplaced | rough).fillna(True)].copy()
    chosen["_rank"] = unplaced[chosen.index].astype(int) * 10 + chosen["geo_precision"].fillna(3)
    return chosen.sort_values(["_rank", "event_date"], ascending=False).drop(columns="_rank")


PLACEMENT_FIELDS = ("latitude", "longitude", "geo_precision", "geocode_method",
                    "geocode_score", "geocode_matched_name", "status", "status_reason")


def placement_changes(latitude: float, longitude: float, precision: int,
                      matched_name: str | None) -> dict[str, object]:
    """The fields a manual placement writes."""
    return {
        "latitude": round(float(latitude), 6),
        "longitude": round(float(longitude), 6),
        "geo_precision": int(precision),
        "geocode_method": "manual",
        "geocode_score": 1.0,
        "geocode_matched_name": matched_name,
        "status": "ok",
        "status_reason": None,
    }


def _gazetteer_point(row: pd.Series, language: str) -> tuple[float, float, str] | None:
    query = st.text_input(t("correct_search", language), value=str(row["location"] or ""),
                          key="correct_query")
    if not query.strip():
        return None
    try:
        found = get_geocoder().geocode(query, exactly_one=False,
                                       country=row["country"] if pd.notna(row["country"]) else None)
    except GeocodeError:
        found = None
    if not found:
        return None
    options = {
        i: f"{loc.raw.get('name')} — {loc.raw.get('admin1') or ''} {loc.raw.get('admin2') or ''}"
           f" ({loc.latitude:.3f}, {loc.longitude:.3f})"
        for i, loc in enumerate(found[:20])
    }
    pick = st.selectbox(t("correct_candidate", language), [None, *options],
                        format_func=lambda i: "—" if i is None else options[i], key="correct_pick_place")
    if pick is None:
        return None
    location = found[pick]
    return location.latitude, location.longitude, str(location.raw.get("name"))


def _candidates(selection: Selection | ServedSelection, shown_id: str | None) -> pd.DataFrame:
    """The incidents to pick from, by incident id; the one being placed stays offered
    even once someone else placed it, so a save is refused rather than landing on
    another incident. A server store ranks them in SQL."""
    if isinstance(selection, ServedSelection):
        todo = selection.queries.needing_placement(selection.spec, CANDIDATES)
        if shown_id is not None and shown_id not in set(todo["incident_id"]):
            todo = pd.concat([selection.queries.by_ids([shown_id]), todo], ignore_index=True)
    else:
        ranked = needs_placing(selection.columns(RANK_COLUMNS)).head(CANDIDATES)
        todo = selection.incidents_at(ranked.index)
        if shown_id is not None and shown_id not in set(todo["incident_id"]):
            frame = selection.frame
            labels = frame.index[(frame["incident_id"] == shown_id).to_numpy()]
            if len(labels):
                todo = pd.concat([Selection.everything(frame).incidents_at(labels), todo])
    return todo.set_index(todo["incident_id"].astype(str), drop=False)


def shown_values(incident_id: str, row: pd.Series) -> dict[str, Any]:
    """What the page showed of the incident when the analyst opened it.

    Kept in the session until a save (a refused one keeps the incident on the page
    and takes its current values at the next run): a save compares these with
    the stored values, so another analyst's change in between is refused and shown,
    not overwritten. Reading them at save time would be too late, since the click's
    own rerun already loads the other analyst's values.
    """
    shown = st.session_state.get(SHOWN_KEY)
    if shown is None or shown["incident_id"] != incident_id or shown["values"] is None:
        shown = {"incident_id": incident_id,
                 "values": {field: row[field] for field in PLACEMENT_FIELDS}}
        st.session_state[SHOWN_KEY] = shown
    return shown["values"]


def conflict_text(error: EditConflictError, language: str) -> str:
    """The refusal, with the other analyst's change: one clause per save (who, when),
    listing the fields it changed from → to."""
    saves: dict[tuple[str, str], list[str]] = {}
    for c in error.changes:
        saves.setdefault((str(c["user"]), str(c["edited_at"])), []).append(
            f"{c['field']} {c['old_value']} → {c['new_value']}")
    changes = "; ".join(f"{user} ({at}): {', '.join(fields)}"
                        for (user, at), fields in saves.items())
    return t("correct_conflict", language, id=error.incident_id, changes=changes)


def render_history(incident_id: str, language: str) -> None:
    """Who changed this incident, when, and what (the store's edit history)."""
    history = get_store(str(store_path())).history(incident_id)
    if history.empty:
        return
    with st.expander(t("correct_history", language, count=len(history))):
        shown = history[["edited_at", "user", "field", "old_value", "new_value"]]
        st.dataframe(shown.astype(str), hide_index=True, key="correct_history_table")


def render_correct_page(selection: Selection | ServedSelection, language: str) -> None:
    st.header(t("page_correct", language))
    st.caption(t("correct_intro", language))
    previous = st.session_state.get(SHOWN_KEY)
    todo = _candidates(selection, previous["incident_id"] if previous else None)
    if todo.empty:
        st.success(t("correct_none", language))
        return
    labels = {
        row.incident_id: f"{row.event_date:%Y-%m-%d} · {row.location or '?'} · "
        f"{row.admin1 or ''} · "
        + t("correct_precision_of", language,
            precision=row.geo_precision if pd.notna(row.geo_precision) else "–")
        + f" · {row.incident_id}"
        for row in todo.itertuples()
    }
    incident_id = st.selectbox(t("correct_pick", language), list(labels),
                               format_func=labels.__getitem__, key="correct_incident")
    row = todo.loc[incident_id]
    seen = shown_values(incident_id, row)
    store = signed_in_store(get_store(str(store_path())))
    st.caption(t("correct_as", language, name=plain(store.user.name)))
    render_history(incident_id, language)

    st.caption(t("correct_click", language))
    # The map shows the point as it was when opened: redrawn with another analyst's
    # point in the meantime, it would forget this analyst's click before the save.
    shown = todo.loc[[incident_id]].copy()
    for field, value in seen.items():
        shown[field] = pd.Series([value], index=shown.index, dtype=shown[field].dtype)
    result = build_map(shown, view=None, language=language)
    clicked = (st_folium(result.map, key="correct_map", height=420, use_container_width=True,
                         returned_objects=["last_clicked"]) or {}).get("last_clicked")
    point = _gazetteer_point(row, language)
    if clicked:
        point = (clicked["lat"], clicked["lng"], None)
    if point is None:
        return
    latitude, longitude, matched = point
    st.write(t("correct_point", language, lat=latitude, lon=longitude))
    precision = st.radio(t("correct_precision", language), [1, 2, 3], horizontal=True,
                         key="correct_precision")
    remember = st.checkbox(t("correct_remember", language), key="correct_remember")
    if not st.button(t("correct_save", language), type="primary", key="correct_save"):
        return
    if not require("correct", language):
        return
    name = matched or (str(row["location"]) if pd.notna(row["location"]) else None)
    try:
        changes = placement_changes(latitude, longitude, precision, name)
        changed = store.update(incident_id, changes, seen=seen)
        if remember and name:
            save_manual_placement(name, latitude, longitude,
                                  row["country"] if pd.notna(row["country"]) else None,
                                  row["admin1"] if pd.notna(row["admin1"]) else None,
                                  row["admin2"] if pd.notna(row["admin2"]) else None)
    except EditConflictError as error:
        # Keep the incident on the page, with the values stored now from the next run on.
        st.session_state[SHOWN_KEY] = {"incident_id": incident_id, "values": None}
        st.error(plain(conflict_text(error, language)))
        return
    except (StoreError, GeocodeError, NotAllowedError) as error:
        st.error(plain(error))
        return
    st.session_state.pop(SHOWN_KEY, None)
    if changed:
        st.success(t("correct_saved", language, fields=", ".join(changed)))
    else:
        st.info(t("correct_unchanged", language))
