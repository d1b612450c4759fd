"""Possible duplicates: blocking, a capped streaming pass, and a score per pair.

Two records can only be duplicates when they share an event type, a place and
a day give or take ``DUPLICATE_DAYS``. Those three make the *block*. A place is
either the coordinates rounded to ``COORDINATE_DECIMALS`` (about 1 km) or the
folded country + admin1 + location name, so a row has up to two place keys.

Memory is bounded by design, whatever the data: within a block only the first
``BLOCK_CAP`` rows (in store order: stored records, then the import's rows in
file order) are candidates, and the incoming rows are compared with them
``CHUNK_ROWS`` at a time. A file of 100,000 identical rows therefore costs at
most ``CHUNK_ROWS x 2 place keys x 3 days x BLOCK_CAP`` pairs at once, never
the square of the block size.

A candidate pair is then judged:

* **One source, distinct ids: never a duplicate.** Two rows that carry
  different ids of the same id family (ACLED/UCDP ``event_id_cnty``, or an explicit
  ``incident_id`` with the same prefix) are two events as far as their source
  is concerned: two attacks on one village on consecutive days stay two.
* **Kept apart by an analyst: never a duplicate** again (a reviewed pair); a
  pair already flagged the other way round is not flagged twice.
* **Otherwise a score** in [0, 1], a weighted mean of date closeness, distance,
  type agreement, fatalities, actors and text similarity; a pair at or above
  ``SCORE_THRESHOLD`` is a possible duplicate. The best-scoring earlier record
  wins, ties going to the earliest (so a stored record beats a row of the
  same import).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz

from incidents.filters import fold_text

DUPLICATE_DAYS = 1
COORDINATE_DECIMALS = 2
BLOCK_CAP = 16
CHUNK_ROWS = 20_000
SCORE_THRESHOLD = 0.6
WEIGHTS = {
    "date": 0.20, "distance": 0.25, "type": 0.15, "fatalities": 0.10, "actors": 0.15,
    "text": 0.15,
}
# Beyond this distance two points score nothing for place.
FAR_KM = 10.0
# What a pair scores on a component neither row has data for.
UNKNOWN = 0.5
FIELDS: tuple[str, ...] = (
    "incident_id", "event_id_cnty", "event_date", "event_type", "sub_event_type", "country",
    "admin1", "location", "latitude", "longitude", "fatalities", "actor1", "actor2", "notes",
    "possible_duplicate_of",
)
_CONTENT_ID = re.compile(r"^h[0-9a-f]{16}(-\d+)?$")
_ACLED_ID = re.compile(r"^[A-Z]{3}\d+$")
_ACLED_ASCII = "^[A-Z]{3}[0-9]+$"


def id_family(source_id: str | None) -> str | None:
    """The id family a source id belongs to (None for a row without one).

    ACLED ids (``MLI1234``) are one family whatever the country; all-digit ids
    (UCDP GED) another; any other id's family is its leading letters.
    """
    if source_id is None or source_id is pd.NA or not str(source_id).strip():
        return None
    text = str(source_id).strip()
    if _CONTENT_ID.match(text):
        return None
    if _ACLED_ID.match(text):
        return "acled"
    if text.isdigit():
        return "numeric"
    prefix = re.match(r"[A-Za-z_]*", text).group(0)
    return f"id:{prefix.lower()}"


def id_families(ids: pd.Series) -> pd.Series:
    """:func:`id_family` of every (stripped) id, vectorised: a million ids in about a
    second, where one call per distinct id took twenty."""
    ids = ids.astype("string")
    families = "id:" + ids.str.extract(r"^([A-Za-z_]*)", expand=False).str.lower()
    families = families.mask(ids.str.isdigit().fillna(False).astype(bool), "numeric")
    families = families.mask(ids.str.fullmatch(_ACLED_ID.pattern[1:-1]).fillna(False)
                             .astype(bool), "acled")
    families = families.mask(ids.str.fullmatch(_CONTENT_ID.pattern[1:-1]).fillna(False)
                             .astype(bool), pd.NA)
    return families.where(ids.notna() & (ids != "")).astype("string")


def _source_ids(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Codes of (source id, id family) of every row; -1 where a row has no source id."""
    ids = frame["event_id_cnty"].astype("string").str.strip().replace("", pd.NA)
    ids = ids.fillna(frame["incident_id"].astype("string").str.strip())
    families = id_families(ids)
    ids = ids.where(families.notna())
    return pd.factorize(ids)[0], pd.factorize(families)[0]


def _one_source_throughout(candidates: pd.DataFrame) -> bool:
    """Whether every candidate carries a distinct source id of one family: then every
    pair is "one source, distinct ids" and nothing can be flagged (an ACLED export
    into a store of ACLED rows), so no block needs building."""
    if _distinct_acled_ids(candidates["event_id_cnty"]):
        return True
    source_id, family = _source_ids(candidates)
    return bool(len(family)) and bool((family == 0).all()) and \
        len(np.unique(source_id)) == len(source_id)


def _distinct_acled_ids(source_ids: pd.Series) -> bool:
    """Whether every value is a distinct ACLED id as written (no space to strip): the
    common case of :func:`_one_source_throughout` answered by Arrow in a few
    milliseconds, where computing every id's family takes a third of a second per
    100,000 rows. ASCII letters and digits only, which Python's pattern accepts too;
    anything else is left to the full rule."""
    if not len(source_ids):
        return False
    values = pa.array(source_ids.astype("string").array, type=pa.large_string())
    matched = pc.match_substring_regex(values, _ACLED_ASCII)
    if matched.null_count or not pc.all(matched).as_py():
        return False
    return pc.count_distinct(values).as_py() == len(source_ids)


def _place_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Long frame (position, day, event_type, place) with up to two place keys per row."""
    day = frame["event_date"].to_numpy(dtype="datetime64[D]").astype("int64")
    base = pd.DataFrame(
        {"position": frame["position"].to_numpy(), "day": day,
         "event_type": fold_text(frame["event_type"]).to_numpy()}
    )
    lat = frame["latitude"].round(COORDINATE_DECIMALS)
    lon = frame["longitude"].round(COORDINATE_DECIMALS)
    coords = "c:" + lat.astype("string") + "," + lon.astype("string")
    names = "n:" + fold_text(frame["country"]).fillna("") + "|" + fold_text(
        frame["admin1"]).fillna("") + "|" + fold_text(frame["location"])
    keys = pd.concat(
        [base.assign(place=coords.to_numpy()), base.assign(place=names.to_numpy())],
        ignore_index=True,
    )
    keys = keys[keys["place"].notna() & keys["event_type"].notna()]
    # Codes instead of strings: the join below then works on integers only.
    keys["event_type"] = pd.factorize(keys["event_type"])[0]
    keys["place"] = pd.factorize(keys["place"])[0]
    return keys


def _block_heads(keys: pd.DataFrame) -> pd.DataFrame:
    """The first ``BLOCK_CAP`` rows (by position) of every (type, place, day) block."""
    ordered = keys.sort_values("position", kind="stable")
    return ordered.groupby(["event_type", "place", "day"], sort=False).head(BLOCK_CAP)


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of the folded values (-1 where missing): pairs compare codes."""
    return pd.factorize(fold_text(values))[0]


def _actor_codes(frame: pd.DataFrame) -> tuple[np.ndarray, list[frozenset[str]]]:
    """A code per row for its set of actors (-1 when it names none), and the sets."""
    first = fold_text(frame["actor1"]).fillna("")
    second = fold_text(frame["actor2"]).fillna("")
    sets = [frozenset(x for x in pair if x) for pair in zip(first.tolist(), second.tolist())]
    codes, uniques = pd.factorize(pd.Series(sets, dtype=object))
    empty = [i for i, actors in enumerate(uniques) if not actors]
    if empty:
        codes = np.where(codes == empty[0], -1, codes)
    return codes, list(uniques)


class _Columns:
    """The pair-scoring fields of every candidate, as arrays indexed by position.

    Text fields are kept as codes of their distinct values, so a pair's
    comparison is an integer test and the costly ones (actor sets, text
    similarity) are computed once per distinct pair of values, not per pair of rows.
    """

    def __init__(self, candidates: pd.DataFrame) -> None:
        self.day = candidates["event_date"].to_numpy(dtype="datetime64[D]").astype("int64")
        self.lat = np.radians(candidates["latitude"].to_numpy(dtype="float64", na_value=np.nan))
        self.lon = np.radians(candidates["longitude"].to_numpy(dtype="float64", na_value=np.nan))
        self.place = _codes(candidates["location"])
        self.sub_type = _codes(candidates["sub_event_type"])
        self.fatalities = candidates["fatalities"].to_numpy(dtype="float64", na_value=np.nan)
        self.actors, self.actor_sets = _actor_codes(candidates)
        folded = fold_text(candidates["notes"])
        self.text, texts = pd.factorize(folded)
        self.texts = list(texts)
        self.source_id, self.family = _source_ids(candidates)
        self.ids = candidates["incident_id"].to_numpy(dtype=object)
        self.pointer = candidates["possible_duplicate_of"].astype("string").fillna(
            "").to_numpy(dtype=object)


def _same(codes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (codes[a] >= 0) & (codes[a] == codes[b])


def _per_distinct_pair(codes: np.ndarray, a: np.ndarray, b: np.ndarray, score) -> np.ndarray:
    """``score(code_a, code_b)`` for every pair, computed once per distinct code pair;
    ``UNKNOWN`` where either side has no value."""
    x, y = codes[a], codes[b]
    known = (x >= 0) & (y >= 0)
    out = np.full(len(a), UNKNOWN)
    if known.any():
        width = int(codes.max()) + 1
        keys = x[known].astype("int64") * width + y[known]
        inverse, distinct = pd.factorize(keys)
        values = np.array([score(int(k // width), int(k % width)) for k in distinct],
                          dtype="float64")
        out[known] = values[inverse]
    return out


def _distance_score(columns: _Columns, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lat1, lat2 = columns.lat[a], columns.lat[b]
    dlat, dlon = lat2 - lat1, columns.lon[b] - columns.lon[a]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    km = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    by_distance = np.clip(1 - np.maximum(km - 1.0, 0) / (FAR_KM - 1.0), 0, 1)
    same_name = _same(columns.place, a, b)
    return np.where(np.isfinite(km), by_distance, np.where(same_name, 1.0, UNKNOWN))


def _fatalities_score(columns: _Columns, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    x, y = columns.fatalities[a], columns.fatalities[b]
    with np.errstate(invalid="ignore", divide="ignore"):
        closeness = 1 - np.abs(x - y) / np.maximum(np.maximum(x, y), 1)
    return np.where(np.isfinite(x) & np.isfinite(y), np.clip(closeness, 0, 1), UNKNOWN)


def _actors_score(columns: _Columns, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    sets = columns.actor_sets

    def overlap(p: int, q: int) -> float:
        return len(sets[p] & sets[q]) / len(sets[p] | sets[q])

    return _per_distinct_pair(columns.actors, a, b, overlap)


def _text_score(columns: _Columns, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    texts = columns.texts

    def similarity(p: int, q: int) -> float:
        return fuzz.token_set_ratio(texts[p], texts[q]) / 100

    return _per_distinct_pair(columns.text, a, b, similarity)


def pair_scores(columns: _Columns, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The duplicate score of each pair (``a[i]``, ``b[i]``) of candidate positions."""
    gap = np.abs(columns.day[a] - columns.day[b])
    date = np.clip(1 - gap / (DUPLICATE_DAYS + 1), 0, 1)
    # Blocks already share the event type; an agreeing sub-event type adds the rest.
    kind = np.where(_same(columns.sub_type, a, b), 1.0, 0.5)
    return (
        WEIGHTS["date"] * date
        + WEIGHTS["distance"] * _distance_score(columns, a, b)
        + WEIGHTS["type"] * kind
        + WEIGHTS["fatalities"] * _fatalities_score(columns, a, b)
        + WEIGHTS["actors"] * _actors_score(columns, a, b)
        + WEIGHTS["text"] * _text_score(columns, a, b)
    )


def _judge(pairs: pd.DataFrame, columns: _Columns) -> pd.DataFrame:
    """Pairs that are possible duplicates, with their score."""
    a = pairs["position"].to_numpy()
    b = pairs["position_other"].to_numpy()
    one_source = _same(columns.family, a, b) & ~_same(columns.source_id, a, b)
    # A stored record already flagged as a duplicate of this row: the pair is known
    # (re-importing the earlier file must not flag it again the other way round).
    one_source |= columns.pointer[b] == columns.ids[a]
    pairs = pairs[~one_source]
    if pairs.empty:
        return pairs.assign(score=pd.Series(dtype="float64"))
    scores = pair_scores(columns, pairs["position"].to_numpy(),
                         pairs["position_other"].to_numpy())
    return pairs.assign(score=scores)[scores >= SCORE_THRESHOLD]


def find_possible_duplicates(incoming: pd.DataFrame, existing: pd.DataFrame,
                             kept_apart: set[frozenset[str]] | None = None) -> pd.Series:
    """For each incoming row, the id of an earlier record it may duplicate (else NA).

    ``incoming`` rows are in import order; ``existing`` are stored records that
    are not part of this import (both need the columns in ``FIELDS``);
    ``kept_apart`` holds pairs of ids an analyst reviewed and kept as two events
    (``incidents.store.review``), never flagged again.
    """
    n_existing = len(existing)
    result = pd.Series(pd.NA, index=incoming.index, dtype="string")
    if incoming.empty:
        return result
    fields = list(FIELDS)
    candidates = pd.concat([existing[fields], incoming[fields]], ignore_index=True)
    if _one_source_throughout(candidates):
        return result
    candidates["position"] = np.arange(len(candidates))
    dated = candidates[candidates["event_date"].notna()]
    keys = _place_keys(dated)
    heads = _block_heads(keys)
    columns = _Columns(candidates)
    ids = candidates["incident_id"].to_numpy(dtype=object)
    incoming_keys = keys[keys["position"] >= n_existing]
    found: list[pd.DataFrame] = []
    first, last = n_existing, n_existing + len(incoming)
    for start in range(first, last, CHUNK_ROWS):
        chunk = incoming_keys[incoming_keys["position"].between(start, start + CHUNK_ROWS - 1)]
        if chunk.empty:
            continue
        pairs = pd.concat([
            chunk.merge(heads.assign(day=heads["day"] + offset),
                        on=["event_type", "place", "day"], suffixes=("", "_other"))
            for offset in range(-DUPLICATE_DAYS, DUPLICATE_DAYS + 1)
        ], ignore_index=True)[["position", "position_other"]]
        pairs = pairs[pairs["position_other"] < pairs["position"]].drop_duplicates()
        judged = _judge(pairs, columns)
        if kept_apart and not judged.empty:
            judged = judged[[frozenset((ids[x], ids[y])) not in kept_apart for x, y in zip(
                judged["position"].to_numpy(), judged["position_other"].to_numpy())]]
        if not judged.empty:
            best = judged.sort_values(["position", "score", "position_other"],
                                      ascending=[True, False, True], kind="stable")
            found.append(best.drop_duplicates("position"))
    if not found:
        return result
    chosen = pd.concat(found, ignore_index=True)
    positions = chosen["position"].to_numpy() - n_existing
    result.iloc[positions] = ids[chosen["position_other"].to_numpy()]
    return result
