"""Name normalisation shared by the gazetteer index and the queries against it.

Both sides go through the same function, so "Ségou", "SEGOU" and "Segou" meet on
one key. Admin names additionally lose the words that only say what kind of unit
they are ("Région de Ségou", "Cercle de San", "Tahoua Region", Niger's "ZR Arlit" for
zone rurale).
"""

from __future__ import annotations


from incidents.text import fold_admin_name, fold_name

# The gazetteer's keys are the project's name folding (incidents.text), so a name
# folds the same way for the index, the queries, the map and the regions.
normalise_name = fold_name
normalise_admin = fold_admin_name


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
