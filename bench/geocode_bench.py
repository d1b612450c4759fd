"""Print figures for the offline geocoder: gazetteer size, load time and throughput.

    .venv/bin/python bench/geocode_bench.py [--seed 7] [--fuzzy 500]

Wall and CPU time are both printed because the machine may be shared.
Uses the gazetteer in the state dir ($INCIDENTS_HOME or var/), building it first if
needed. Queries are drawn from the gazetteer itself, so every figure is for queries
that do resolve; fuzzy queries are names with one letter doubled.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents import config  # noqa: E402
from incidents.geocode.batch import geocode_frame  # noqa: E402
from incidents.geocode.build import build_gazetteer  # noqa: E402
from incidents.geocode.gazetteer import _load, load_gazetteer  # noqa: E402
from incidents.geocode.gazetteer_geocoder import GazetteerGeocoder  # noqa: E402
from incidents.model import conform  # noqa: E402


def timed(label: str, count: int, function) -> float:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = function()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rate = f", {count / elapsed:,.0f}/s wall, {count / max(cpu, 1e-9):,.0f}/s CPU" if count else ""
    print(f"{label}: {elapsed:.2f}s wall, {cpu:.2f}s CPU{rate}")
    return result


def distinct_queries(gazetteer, rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
    """(name, country code, admin1, place id) for ``count`` distinct places; a third by an alternate name."""
    rows = rng.sample(range(len(gazetteer)), count)
    queries = []
    for i, row in enumerate(rows):
        alternates = [a for a in (gazetteer.places["alternates"].iat[row] or "").split("|") if a]
        name = rng.choice(alternates) if alternates and i % 3 == 0 else gazetteer.name[row]
        queries.append((name, gazetteer.country_code[row], gazetteer.admin1[row] or "", gazetteer.place_id[row]))
    return queries


def report_hits(found: list, wanted: list[str]) -> None:
    """How many answers are the very place the query was drawn from (homonyms make this < 100%)."""
    same = sum(1 for f, w in zip(found, wanted) if f is not None and f.raw["gazetteer_id"] == w)
    print(f"  same place as sampled: {same / len(wanted):.1%}, none: {sum(f is None for f in found)}")


def misspelled(name: str, rng: random.Random) -> str:
    position = rng.randrange(1, len(name)) if len(name) > 1 else 0
    return name[:position] + name[position - 1] + name[position:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fuzzy", type=int, default=500, help="number of misspelled queries")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    directory = config.gazetteer_dir()

    counts = timed("build (no-op when up to date)", 0, lambda: build_gazetteer(directory))
    print(f"gazetteer: {counts['places']:,} places, {counts['alternate_names']:,} alternate names, "
          f"{counts['countries']} countries, {counts['admin_units']:,} admin units")
    timed("load (Parquet -> indexes)", 0, lambda: _load(directory))
    gazetteer = load_gazetteer(directory)

    queries = distinct_queries(gazetteer, rng, 10_000)
    with_country = GazetteerGeocoder(directory=directory)
    found = timed("10k distinct queries, name + country", 10_000,
                  lambda: [with_country.geocode(q, country=c) for q, c, _a, _w in queries])
    report_hits(found, [w for *_rest, w in queries])
    with_admin = GazetteerGeocoder(directory=directory)
    found = timed("10k distinct queries, name + country + admin1", 10_000,
                  lambda: [with_admin.geocode(q, country=c, admin1=a) for q, c, a, _w in queries])
    report_hits(found, [w for *_rest, w in queries])
    bare = GazetteerGeocoder(directory=directory)
    timed("10k distinct queries, name only", 10_000, lambda: [bare.geocode(q) for q, _c, _a, _w in queries])

    typos = [(misspelled(q, rng), c) for q, c, _a, _w in queries[: args.fuzzy]]
    fuzzy = GazetteerGeocoder(directory=directory)
    found = timed(f"{args.fuzzy} misspelled queries with country (fuzzy)", args.fuzzy,
                  lambda: [fuzzy.geocode(q, country=c) for q, c in typos])
    report_hits(found, [w for *_rest, w in queries[: args.fuzzy]])
    no_country = GazetteerGeocoder(directory=directory)
    timed("50 misspelled queries without country (fuzzy over the world)", 50,
          lambda: [no_country.geocode(q) for q, _c in typos[:50]])

    pool = queries[:2_000]
    picks = [pool[rng.randrange(len(pool))] for _ in range(100_000)]
    records = conform(pd.DataFrame({
        "event_date": "2024-01-01", "event_type": "Battles",
        "location": [q for q, *_rest in picks],
        "country": [gazetteer.country_names.get(c, c) for _q, c, _a, _w in picks],
        "admin1": [a for _q, _c, a, _w in picks],
    }))
    frame_geocoder = GazetteerGeocoder(directory=directory)
    out = timed("geocode_frame, 100k rows / 2k distinct queries", 100_000,
                lambda: geocode_frame(records, frame_geocoder))
    print(f"  placed {int(out['latitude'].notna().sum()):,} rows; methods "
          f"{out['geocode_method'].value_counts().to_dict()}")


if __name__ == "__main__":
    main()
