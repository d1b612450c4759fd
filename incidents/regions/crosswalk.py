"""Which admin-1 names mean the same region, and which regions were carved out of which.

The facts live in ``data/regions/crosswalk.csv`` (and, if an analyst adds one,
``<state dir>/regions/crosswalk.csv``), one row per fact:

``country,name,relation,target,since,source``

* ``alias``: ``name`` is another name of ``target`` (language, spelling, old label).
* ``split_from``: ``name`` was created, in year ``since``, from part of ``target``.

Spelling noise (accents, case, hyphens, "Region"/"Région de" wrappers) is absorbed by
:func:`region_key`, so only genuinely different names need an ``alias`` row.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from unidecode import unidecode

from incidents.config import DATA_DIR, state_dir
from incidents.i18n import translate

BUNDLED_CROSSWALK = DATA_DIR / "regions" / "crosswalk.csv"
RELATIONS = ("alias", "split_from")

# Admin-type words never make two names differ: "Chittagong Division" is "Chittagong".
_ADMIN_WORDS = (
    "region|province|district|prefecture|departement|department|state|division|cercle"
    "|commune|wilaya|governorate|county|municipality|circonscription"
)
_WRAPPERS = re.compile(
    rf"^({_ADMIN_WORDS})s?\s+(de la|de l|du|des|de|d|of)\s+"
    rf"|\s+({_ADMIN_WORDS})$"
)


def region_key(name: object) -> str:
    """A spelling-insensitive key: 'Région de Ségou', 'SEGOU', 'Segou Region' → 'segou'."""
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return ""
    text = unidecode(str(name)).casefold()
    text = re.sub(r"[-'`’_.,/]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return _WRAPPERS.sub("", text).strip()


@dataclass(frozen=True)
class Split:
    successor: str
    predecessor: str
    since: str
    source: str


@dataclass
class Crosswalk:
    """Alias groups and lineage of admin-1 regions, keyed by (country, region_key)."""

    names: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    canonical: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    splits: list[Split] = field(default_factory=list)
    countries: dict[str, str] = field(default_factory=dict)

    def _root(self, country: str, key: str) -> tuple[str, str]:
        node = (country, key)
        while node in self.canonical and self.canonical[node] != node:
            node = self.canonical[node]
        return node

    def add_alias(self, country: str, name: str, target: str) -> None:
        a = self._root(country, region_key(name))
        b = self._root(country, region_key(target))
        self.canonical.setdefault(b, b)
        if a != b:
            self.canonical[a] = b
            self.names.setdefault(b, set()).update(self.names.pop(a, set()))
        self.names.setdefault(b, set()).update({name, target})
        self.countries[region_key(name)] = country
        self.countries[region_key(target)] = country

    def add_split(self, country: str, successor: str, predecessor: str, since: str, source: str) -> None:
        for name in (successor, predecessor):
            root = self._root(country, region_key(name))
            self.canonical.setdefault(root, root)
            self.names.setdefault(root, set()).add(name)
            self.countries[region_key(name)] = country
        self.splits.append(Split(successor, predecessor, since, source))

    def group(self, country: str, name: str) -> tuple[str, str]:
        return self._root(country, region_key(name))

    def group_names(self, group: tuple[str, str]) -> set[str]:
        return set(self.names.get(group, set()))

    def display_name(self, group: tuple[str, str]) -> str:
        """The name the crosswalk uses as target (the official one), else any of the group."""
        names = self.group_names(group)
        preferred = [n for n in names if region_key(n) == group[1]]
        return sorted(preferred or names or {group[1]})[0]

    def successors(self, country: str, group: tuple[str, str]) -> list[tuple[tuple[str, str], Split]]:
        """Regions carved out of ``group``, transitively, with the split that made each."""
        found: list[tuple[tuple[str, str], Split]] = []
        frontier = [group]
        while frontier:
            current = frontier.pop()
            for split in self.splits:
                child = self.group(country, split.successor)
                if self.group(country, split.predecessor) == current and all(child != g for g, _ in found):
                    found.append((child, split))
                    frontier.append(child)
        return found

    def countries_of(self, name: str, country: str | None) -> list[str]:
        if country:
            return [country.upper()]
        known = self.countries.get(region_key(name))
        return [known] if known else [""]


def read_crosswalk_rows(path: Path) -> list[dict[str, str]]:
    """Rows of one crosswalk CSV; rows with an unknown relation raise ValueError."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]
    for number, row in enumerate(rows, start=2):
        if row.get("relation") not in RELATIONS or not row.get("name") or not row.get("target"):
            raise ValueError(f"{path}:{number}: need name, target and relation in {RELATIONS}")
    return rows


def crosswalk_paths() -> list[Path]:
    """The bundled crosswalk, then the analyst's own if present (both are read)."""
    own = state_dir() / "regions" / "crosswalk.csv"
    return [BUNDLED_CROSSWALK] + ([own] if own.exists() else [])


def build_crosswalk(paths: Iterable[Path]) -> Crosswalk:
    crosswalk = Crosswalk()
    for path in paths:
        for row in read_crosswalk_rows(Path(path)):
            country = row.get("country", "").upper()
            if row["relation"] == "alias":
                crosswalk.add_alias(country, row["name"], row["target"])
            else:
                crosswalk.add_split(
                    country, row["name"], row["target"], row.get("since", ""), row.get("source", "")
                )
    return crosswalk


@lru_cache(maxsize=1)
def _cached_crosswalk(paths: tuple[Path, ...], mtimes: tuple[float, ...]) -> Crosswalk:
    return build_crosswalk(paths)


def load_crosswalk() -> Crosswalk:
    """The bundled crosswalk merged with the analyst's; re-read when either file changes."""
    paths = tuple(crosswalk_paths())
    return _cached_crosswalk(paths, tuple(p.stat().st_mtime for p in paths))


def expand_admin1(
    names: Iterable[str],
    *,
    country: str | None = None,
    include_successors: bool = False,
    crosswalk: Crosswalk | None = None,
) -> set[str]:
    """Every name under which incidents in ``names`` may be coded.

    Always adds the aliases of each name; with ``include_successors``, also the
    regions later carved out of it (and their aliases), so "Ségou" finds "San".
    Compare the result with :func:`region_key` (or use :func:`admin1_mask`).
    """
    crosswalk = crosswalk or load_crosswalk()
    out: set[str] = set()
    for name in names:
        if not name or not str(name).strip():
            continue
        out.add(str(name))
        for code in crosswalk.countries_of(name, country):
            group = crosswalk.group(code, name)
            out |= crosswalk.group_names(group)
            if include_successors:
                for child, _ in crosswalk.successors(code, group):
                    out |= crosswalk.group_names(child)
    return out


def same_region(a: str, b: str, *, country: str | None = None, crosswalk: Crosswalk | None = None) -> bool:
    """True when a and b name one region, or one was carved out of the other.

    A record coded "Ségou" whose point lies in "San" (carved out in 2023) is not
    a disagreement: it was simply coded before, or without, the reform.
    """
    if region_key(a) == region_key(b):
        return True
    crosswalk = crosswalk or load_crosswalk()
    for code in set(crosswalk.countries_of(a, country) + crosswalk.countries_of(b, country)):
        ga, gb = crosswalk.group(code, a), crosswalk.group(code, b)
        if ga == gb:
            return True
        if any(g == gb for g, _ in crosswalk.successors(code, ga)):
            return True
        if any(g == ga for g, _ in crosswalk.successors(code, gb)):
            return True
    return False


def region_keys(values: pd.Series) -> pd.Series:
    """:func:`region_key` of every value, computed once per distinct value."""
    codes, uniques = pd.factorize(pd.Series(values, dtype="object"), use_na_sentinel=True)
    keys = np.array([region_key(u) for u in uniques] + [""], dtype=object)
    return pd.Series(keys[codes], index=getattr(values, "index", None), dtype="object")


def admin1_mask(
    values: pd.Series,
    names: Iterable[str],
    *,
    country: str | None = None,
    include_successors: bool = False,
) -> np.ndarray:
    """Vectorised: which ``values`` are one of ``names`` (spelling-insensitive, crosswalked)."""
    wanted = {region_key(n) for n in expand_admin1(names, country=country, include_successors=include_successors)}
    wanted.discard("")
    return region_keys(values).isin(wanted).to_numpy(dtype=bool)


def rule_text(
    names: Iterable[str],
    *,
    country: str | None = None,
    include_successors: bool = False,
    language: str = "en",
) -> str:
    """One sentence for the interface saying exactly which region names a filter matches."""
    crosswalk = load_crosswalk()
    parts: list[str] = []
    for name in names:
        codes = crosswalk.countries_of(name, country)
        group = crosswalk.group(codes[0], name)
        aliases = sorted(crosswalk.group_names(group) - {name}, key=str.casefold)
        text = name
        if aliases:
            text = translate("crosswalk.also", language, name=name, aliases=", ".join(aliases))
        if include_successors:
            children = crosswalk.successors(codes[0], group)
            for child, split in children:
                text = translate("crosswalk.successor", language, text=text, child=crosswalk.display_name(child),
                                 predecessor=split.predecessor, since=split.since)
        parts.append(text)
    if not parts:
        return translate("crosswalk.all", language)
    return translate("crosswalk.matched", language, names="; ".join(parts))


def lineage_table(country: str | None = None) -> pd.DataFrame:
    """The splits as a table (successor, predecessor, since, source) for the interface."""
    crosswalk = load_crosswalk()
    rows = [asdict(s) for s in crosswalk.splits]
    frame = pd.DataFrame(rows, columns=["successor", "predecessor", "since", "source"])
    if country:
        keep = [crosswalk.countries.get(region_key(s)) == country.upper() for s in frame["successor"]]
        frame = frame[np.asarray(keep, dtype=bool)]
    return frame.reset_index(drop=True)
