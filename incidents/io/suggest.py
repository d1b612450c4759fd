"""Suggested column mappings for a table whose header the built-in mappings miss.

The mapping step (dashboard upload, ``ingest --map``) shows the file's columns
with a guess for each canonical column an analyst usually has: a column whose
name, folded (case, accents, spaces), is the canonical name or one of the
common English or French words for it.
"""

from __future__ import annotations

from incidents.io.codes import fold

# Canonical columns offered in the mapping step, most needed first, with the
# header words (folded) that suggest each.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "event_date": ("event date", "date", "jour", "date de l'incident", "date incident", "day",
                   "incident date", "sqldate", "date_start", "date debut"),
    "event_type": ("event type", "type", "type d'incident", "type d'evenement", "categorie",
                   "category", "incident type", "nature"),
    "sub_event_type": ("sub event type", "sous-type", "sous type", "subtype"),
    "location": ("location", "lieu", "localite", "village", "place", "town", "ville", "city",
                 "commune", "site"),
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "long", "lng", "x"),
    "country": ("country", "pays"),
    "admin1": ("admin1", "region", "province", "state", "etat"),
    "admin2": ("admin2", "cercle", "district", "departement", "prefecture", "county"),
    "fatalities": ("fatalities", "morts", "deces", "tues", "killed", "deaths", "victimes",
                   "nombre de morts", "total killed"),
    "actor1": ("actor1", "actor", "acteur", "auteur", "perpetrator", "auteurs", "attacker"),
    "actor2": ("actor2", "cible", "target", "victim", "victime"),
    "notes": ("notes", "description", "details", "resume", "summary", "commentaire",
              "comments", "narrative"),
    "source": ("source", "sources", "origine"),
    "source_url": ("url", "link", "lien", "source url"),
}


def _key(name: str) -> str:
    return fold(str(name).replace("_", " ").replace("-", " "))


def suggest_mapping(columns: list[str]) -> dict[str, str | None]:
    """For each offered canonical column, the file column that looks like it (or None).

    A file column is suggested for one canonical column at most, the first that
    claims it in ``SYNONYMS`` order.
    """
    keys = {c: _key(c) for c in columns}
    used: set[str] = set()
    result: dict[str, str | None] = {}
    for target, words in SYNONYMS.items():
        wanted = {_key(target), *(_key(w) for w in words)}
        match = next((c for c in columns if c not in used and keys[c] in wanted), None)
        if match is not None:
            used.add(match)
        result[target] = match
    return result
