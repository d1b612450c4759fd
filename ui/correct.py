"""Manual correction: place an unplaced or roughly placed incident by hand.

The new point comes from a click on the map or from a gazetteer entry. It is
written with ``IncidentStore.update`` (so the edit history keeps who and the
old value) with geocode_method 'manual', and can also be remembered in the
gazetteer's manual layer so later imports of the same place reuse it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from incidents.errors import GeocodeError, StoreError
from incidents.geocode import save_manual_placement
from incidents.maps.build import build_map
from incidents.selection import Selection
from ui.data import get_geocoder, get_store, store_path
from ui.i18n import t
from ui.signin import current_user, require
from ui.plain import plain

CANDIDATES = 500
# What ranking the candidates reads; only the chosen candidates are copied whole.
RANK_COLUMNS = ("event_date", "latitude", "longitude", "geo_precision", "status")


def needs_placing(gdf: pd.DataFrame) -> pd.DataFrame:
    """Incidents without coordinates or placed coarser than the place itself, worst first."""
    unplaced = gdf["latitude"].isna() | gdf["longitude"].isna()
    rough = (gdf["geo_precision"].fillna(3) > 1) | (gdf["status"] == "needs_review")
    chosen = gdf[(unplaced | rough).fillna(True)].copy()
    chosen["_rank"] = unplaced[chosen.index].astype(int) * 10 + chosen["geo_precision"].fillna(3)
    return chosen.sort_values(["_rank", "event_date"], ascending=False).drop(columns="_rank")


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


def render_correct_page(selection: Selection, language: str) -> None:
    st.header(t("page_correct", language))
    st.caption(t("correct_intro", language))
    ranked = needs_placing(selection.columns(RANK_COLUMNS)).head(CANDIDATES)
    todo = selection.incidents_at(ranked.index)
    if todo.empty:
        st.success(t("correct_none", language))
        return
    labels = {
        i: f"{row.event_date:%Y-%m-%d} · {row.location or '?'} · {row.admin1 or ''} · "
           + t("correct_precision_of", language,
               precision=row.geo_precision if pd.notna(row.geo_precision) else "–")
           + f" · {row.incident_id}"
        for i, row in zip(todo.index, todo.itertuples())
    }
    index = st.selectbox(t("correct_pick", language), list(labels),
                         format_func=labels.__getitem__, key="correct_incident")
    row = todo.loc[index]
    signed_in = current_user()
    user = signed_in.name if signed_in else st.text_input(t("correct_user", language),
                                                          key="correct_user")

    st.caption(t("correct_click", language))
    result = build_map(todo.loc[[index]], view=None, language=language)
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
    if not user.strip():
        st.warning(t("correct_need_user", language))
        return
    if not require("correct", language):
        return
    name = matched or (str(row["location"]) if pd.notna(row["location"]) else None)
    try:
        changes = placement_changes(latitude, longitude, precision, name)
        # What this page showed: a field someone else saved since is refused, not overwritten.
        changed = get_store(str(store_path())).update(
            str(row["incident_id"]), changes, user=user,
            seen={field: row[field] for field in changes if field in row.index},
        )
        if remember and name:
            save_manual_placement(name, latitude, longitude,
                                  row["country"] if pd.notna(row["country"]) else None,
                                  row["admin1"] if pd.notna(row["admin1"]) else None,
                                  row["admin2"] if pd.notna(row["admin2"]) else None)
    except (StoreError, GeocodeError) as error:
        st.error(plain(error))
        return
    if changed:
        st.success(t("correct_saved", language, fields=", ".join(changed)))
    else:
        st.info(t("correct_unchanged", language))
