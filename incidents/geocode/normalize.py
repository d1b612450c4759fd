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


# Generic words of named features, English and French forms of one word together.
_FEATURE_WORDS = (
    ("plateau",), ("island", "ile", "isle"), ("forest", "foret"), ("lake", "lac"),
    ("river", "fleuve", "riviere"), ("mount", "mont", "mountain", "montagne"), ("park", "parc"),
    ("reserve",), ("valley", "vallee"), ("wadi", "oued"), ("pond", "mare"),
)
_FRENCH_LINKS = ("", "de ", "du ", "de la ", "des ", "d ", "l ")


def feature_word_variants(key: str) -> list[str]:
    """Other word orders of a normalised feature name: "djado plateau" -> "plateau du djado", ...

    Sources write a feature's generic word after the name in English and before it in
    French; GeoNames keeps one of the forms. Empty when the key has no generic word at
    either end.
    """
    tokens = key.split()
    if len(tokens) < 2:
        return []
    for group in _FEATURE_WORDS:
        if tokens[0] in group:
            core = tokens[1:]
            while core and core[0] in {"de", "du", "des", "la", "le", "d", "l"}:
                core = core[1:]
        elif tokens[-1] in group:
            core = tokens[:-1]
        else:
            continue
        if not core:
            return []
        name = " ".join(core)
        variants = [f"{word} {link}{name}" for word in group for link in _FRENCH_LINKS]
        variants += [f"{name} {word}" for word in group]
        return [v for v in dict.fromkeys(variants) if v != key]
    return []
