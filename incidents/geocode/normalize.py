"""Name normalisation shared by the gazetteer index and the queries against it.

Both sides go through the same function, so "Ségou", "SEGOU" and "Segou" meet on
one key. Admin names additionally lose the words that only say what kind of unit
they are ("Région de Ségou", "Cercle de San", "Tahoua Region", Niger's "ZR Arlit" for
zone rurale).
"""

from __future__ import annotations

import re

from unidecode import unidecode

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_'’`´.,;:/()\[\]\"]+")
_TOKEN_ALIASES = {"st": "saint", "ste": "sainte", "mt": "mont"}
_ADMIN_WORDS = {
    "region", "regions", "province", "prefecture", "cercle", "commune", "department",
    "departement", "district", "state", "etat", "wilaya", "wilayah", "governorate",
    "county", "municipality", "municipalite", "arrondissement", "canton", "circle",
    "rural", "urbaine", "urban", "zr", "of", "de", "du", "des", "d", "la", "le", "l",
}


def normalise_name(text: object) -> str:
    """Lower-case ASCII key of a place name: accents, hyphens and apostrophes fold away."""
    if text is None or not isinstance(text, str):
        return ""
    folded = unidecode(text).lower()
    tokens = [_TOKEN_ALIASES.get(tok, tok) for tok in _SEPARATORS.split(folded) if tok]
    return " ".join(tokens)


def normalise_admin(text: object) -> str:
    """Key of an admin unit name with its kind-words dropped ("cercle de San" -> "san").

    If dropping them would leave nothing (a unit really called "Centre", say),
    the plain normalised name is kept.
    """
    plain = normalise_name(text)
    kept = [tok for tok in plain.split() if tok not in _ADMIN_WORDS]
    return " ".join(kept) if kept else plain
