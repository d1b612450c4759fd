"""Text folding, one named function per purpose.

"Région de Ségou" is folded differently on purpose, depending on what the key is for:

============================  ==================  ==========================================
function                      gives               used for
============================  ==================  ==========================================
:func:`fold_search`           region de segou     filters: free text, names picked in lists
:func:`fold_name`             region de segou     place and actor names (gazetteer keys)
:func:`fold_admin_name`       segou               admin units: "Cercle de San" meets "San"
:func:`fold_in_place`         region de segou     article text: one character per character,
                                                  so evidence spans stay valid offsets
:func:`fold_for_id`           region de segou     generated incident ids: frozen, versioned
============================  ==================  ==========================================

:func:`fold_search` may change whenever search should match better. Ids must not
follow it: a stored incident without an id of its own is known by the hash of its
folded fields (:func:`content_ids`), so a different folding would give every such
incident a new id on the next import. :func:`fold_for_id` is therefore a separate,
frozen copy (rule ``ID_RULE_VERSION``); ``tests/test_text.py`` pins ids computed
before it existed. A new rule is a new function and a new version, never an edit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import pandas as pd
from unidecode import unidecode

# -- search -----------------------------------------------------------------


def fold_search(values: pd.Series) -> pd.Series:
    """Lower-case, accent-free, whitespace-collapsed text (missing stays missing).

    Search folds as id rule 1 does today. To make search fold differently, replace
    this body; never edit :func:`fold_for_id`.

    >>> fold_search(pd.Series(["Région de  Ségou", None])).tolist()
    ['region de segou', <NA>]
    """
    return fold_for_id(values)


@lru_cache(maxsize=4096)
def fold_search_text(text: str) -> str:
    """:func:`fold_search` of one string (kept: each filter run folds the same few
    chosen values, each through a one-row Series)."""
    return str(fold_search(pd.Series([text])).iloc[0])


# -- names ------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_'’`´.,;:/()\[\]\"]+")
_TOKEN_ALIASES = {"st": "saint", "ste": "sainte", "mt": "mont"}
_ADMIN_WORDS = frozenset({
    "region", "regions", "province", "prefecture", "cercle", "commune", "department",
    "departement", "district", "state", "etat", "wilaya", "wilayah", "governorate",
    "county", "municipality", "municipalite", "arrondissement", "canton", "circle",
    "rural", "urbaine", "urban", "zr", "of", "de", "du", "des", "d", "la", "le", "l",
})


def fold_name(text: object) -> str:
    """Lower-case ASCII key of a place or actor name: accents, hyphens, apostrophes
    and punctuation fold away, ``St``/``Ste``/``Mt`` are spelled out.

    >>> fold_name("Région de Ségou"), fold_name("St-Louis"), fold_name("N’Djamena")
    ('region de segou', 'saint louis', 'n djamena')
    """
    if not isinstance(text, str):
        return ""
    tokens = _SEPARATORS.split(unidecode(text).lower())
    return " ".join(_TOKEN_ALIASES.get(token, token) for token in tokens if token)


def fold_admin_name(text: object) -> str:
    """:func:`fold_name` of an admin unit without the words saying what kind of unit
    it is; a unit really called "Centre" or "Est" keeps its name.

    >>> fold_admin_name("Région de Ségou"), fold_admin_name("Cercle de San"), fold_admin_name("Est")
    ('segou', 'san', 'est')
    """
    plain = fold_name(text)
    kept = [token for token in plain.split() if token not in _ADMIN_WORDS]
    return " ".join(kept) if kept else plain


# -- article text -----------------------------------------------------------

_APOSTROPHES = "\u2019\u2018\u02bc\u00b4`"
_DASHES = "\u2013\u2014\u2212"


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    if char in _DASHES:
        return "-"
    if char == "\u00a0":
        return " "
    stripped = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    lowered = stripped.lower()
    return lowered if len(lowered) == 1 else char.lower()[:1] or char


def fold_in_place(text: str) -> str:
    """Lower-case, accent-free copy of ``text`` with exactly one character per
    character, so a match in the copy is a span of the original.

    >>> fold_in_place("Région de Ségou – l’attaque")
    "region de segou - l'attaque"
    """
    return "".join(_fold_char(c) for c in text)


# -- ids (frozen) -----------------------------------------------------------

ID_RULE_VERSION = 1
# The fields hashed into a generated id, in order. "place" is the folded location,
# or "lat,lon" rounded to 4 decimals when there is no location name.
ID_FIELDS_V1 = ("event_date", "place", "event_type", "sub_event_type", "actor1", "actor2", "source")
ID_COORDINATE_DECIMALS_V1 = 4
ID_HEX_DIGITS_V1 = 16


def fold_for_id(values: pd.Series) -> pd.Series:
    """The folding of id rule 1: NFKD, combining accents (U+0300-U+036F) removed,
    casefolded, whitespace runs as one space, trimmed. Frozen: never edit. Only the
    distinct values are folded, then mapped back to the rows.

    >>> fold_for_id(pd.Series([" KIMPARANA ", "Région  de Ségou"])).tolist()
    ['kimparana', 'region de segou']
    """
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    folded = (
        pd.Series(uniques, dtype="string")
        .str.normalize("NFKD")
        .str.replace(r"[\u0300-\u036f]", "", regex=True)
        .str.casefold()
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
    )
    return pd.Series(folded.array.take(codes, allow_fill=True), index=values.index,
                     dtype="string", name=values.name)


def content_ids(records: pd.DataFrame) -> pd.Series:
    """``h`` + the first 16 hex digits of the SHA-1 of a record's :data:`ID_FIELDS_V1`,
    folded by :func:`fold_for_id` and joined by ``|``: the id of a record that came
    without one (id rule 1). Fields a geocoder fills are left out, so geocoding a
    file or not gives the same ids.
    """
    key = pd.Series("", index=records.index, dtype="string")
    decimals = ID_COORDINATE_DECIMALS_V1
    coordinates = (
        records["latitude"].round(decimals).astype("string") + ","
        + records["longitude"].round(decimals).astype("string")
    )
    for column in ID_FIELDS_V1:
        if column == "event_date":
            text = records[column].dt.strftime("%Y-%m-%d").astype("string")
        elif column == "place":
            text = fold_for_id(records["location"]).replace("", pd.NA).fillna(coordinates)
        else:
            text = fold_for_id(records[column])
        key = key + "|" + text.fillna("")
    return pd.Series(
        ["h" + hashlib.sha1(k.encode("utf-8")).hexdigest()[:ID_HEX_DIGITS_V1] for k in key],
        index=records.index,
        dtype="string",
    )
