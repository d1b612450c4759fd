"""Offline geocoding measured on real ACLED rows whose own coordinates are the truth.

    .venv/bin/python bench/geocode_real.py [--real DIR] [--layer FILE ...] [--misses N]

For each ACLED export of Burkina Faso and Niger under ``../shared/real/`` (or
``$INCIDENTS_REAL_DIR``, or ``/work/shared/real``), the coordinates are blanked
and the rows geocoded with their own context (country, admin1, admin2, admin3)
through ``geocode_frame``, as ``ingest`` does. Each file is reported on its own
(the two Burkina Faso files share many events; the 2016 All Africa file adds its
Mali, Burkina Faso and Niger rows, the only Malian rows with ACLED's points). Figures: share within 5/25/50 km
of ACLED's point, median km, confident errors (precision 1 and more than 25 km
off), the precision and method mix, rows/s and the gazetteer's load time.

``--layer FILE`` imports a gazetteer file (e.g. the OCHA settlements workbook)
into a temporary state dir first, so the figures after an import can be compared
with the default install's. Wall and CPU time are both printed: the machine may be
shared. Nothing here tunes anything; it only measures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents import config  # noqa: E402
from incidents.geocode.batch import geocode_frame  # noqa: E402
from incidents.geocode.build import build_gazetteer  # noqa: E402
from incidents.geocode.gazetteer import _load, load_gazetteer  # noqa: E402
from incidents.geocode.gazetteer_geocoder import GazetteerGeocoder  # noqa: E402
from incidents.geocode.layers import import_layer  # noqa: E402
from incidents.model import conform  # noqa: E402

FILES = (
    ("BFA export 1997-2020", "acled_bfa_1997_2020_export/1997-01-01-2020-12-10-Burkina_Faso.csv"),
    ("BFA HDX 1997-2020", "acled_hdx_hxl_sahel_1997_2020/conflict_data_bfa.csv"),
    ("NER HDX 1997-2020", "acled_hdx_hxl_sahel_1997_2020/conflict_data_ner.csv"),
    ("MLI+BFA+NER All Africa 2016", "acled_all_africa_2016_xlsx/ACLED All Africa File_20160101 to 20160528_csv.csv"),
)
SAHEL = ("Mali", "Burkina Faso", "Niger")
CONTEXT = ("country", "admin1", "admin2", "admin3", "location")


def real_dir(explicit: str | None) -> Path | None:
    candidates = [explicit, os.environ.get("INCIDENTS_REAL_DIR"),
                  str(Path(__file__).resolve().parent.parent.parent / "shared" / "real"), "/work/shared/real"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def read_truth(path: Path) -> pd.DataFrame:
    """The context columns and ACLED's point; an HXL hashtag row (``#geo+lat``) is dropped."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except UnicodeDecodeError:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp1252")
    raw.columns = [c.strip().lower() for c in raw.columns]
    raw = raw[~raw["latitude"].str.startswith("#")]
    raw = raw[raw["country"].isin(SAHEL)]
    frame = raw[list(CONTEXT)].copy()
    frame["true_lat"] = pd.to_numeric(raw["latitude"], errors="coerce")
    frame["true_lon"] = pd.to_numeric(raw["longitude"], errors="coerce")
    frame["acled_precision"] = pd.to_numeric(raw["geo_precision"], errors="coerce")
    return frame[frame["true_lat"].notna()].reset_index(drop=True)


def km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def share(mask: np.ndarray) -> str:
    return f"{mask.mean():.1%}"


def measure(label: str, truth: pd.DataFrame, directory: Path, misses: int) -> dict[str, float]:
    records = conform(truth[list(CONTEXT)].assign(latitude=np.nan, longitude=np.nan))
    geocoder = GazetteerGeocoder(directory=directory)
    started, cpu_started = time.perf_counter(), time.process_time()
    placed = geocode_frame(records, geocoder=geocoder)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    lat = placed["latitude"].to_numpy(dtype="float64")
    lon = placed["longitude"].to_numpy(dtype="float64")
    distance = km(lat, lon, truth["true_lat"].to_numpy(), truth["true_lon"].to_numpy())
    distance = np.where(np.isnan(distance), np.inf, distance)
    precision = placed["geo_precision"].astype("Float64").fillna(0).to_numpy()
    confident_errors = (precision == 1) & (distance > 25)
    print(f"\n== {label}: {len(truth):,} rows, {truth['location'].nunique():,} distinct locations")
    print(f"within 5 km {share(distance <= 5)}, 25 km {share(distance <= 25)}, 50 km {share(distance <= 50)}; "
          f"median {np.median(distance):.1f} km; unplaced {int(np.isinf(distance).sum())}")
    print(f"confident errors (precision 1, > 25 km): {int(confident_errors.sum())} = {share(confident_errors)}")
    print("precision mix: " + ", ".join(f"{int(p) if p else 'none'}: {n}" for p, n in
                                        sorted(pd.Series(precision).value_counts().items())))
    print("method mix: " + ", ".join(f"{m}: {n}" for m, n in placed["geocode_method"].value_counts().items()))
    print(f"review flags: {int((placed['status'] == 'needs_review').sum())}")
    print(f"geocoded in {wall:.2f}s wall, {cpu:.2f}s CPU: {len(truth) / wall:,.0f} rows/s wall")
    if misses:
        table = truth.assign(km=distance.round(1), got=placed["geocode_matched_name"],
                             prec=placed["geo_precision"], method=placed["geocode_method"])
        worst = table[(table["km"] > 25)].drop_duplicates(["location", "admin1", "admin2"])
        print(worst.sort_values("km", ascending=False).head(misses)[
            ["location", "admin1", "admin2", "admin3", "acled_precision", "got", "prec", "method", "km"]
        ].to_string())
    return {"n": len(truth), "within5": float((distance <= 5).mean()), "within50": float((distance <= 50).mean()),
            "confident": float(confident_errors.mean())}


def throughput(truth: pd.DataFrame, directory: Path, repeat: int) -> None:
    """Rows/s on a larger realistic file: the real rows repeated (repeated names, as in real exports)."""
    big = pd.concat([truth[list(CONTEXT)]] * repeat, ignore_index=True)
    records = conform(big.assign(latitude=np.nan, longitude=np.nan))
    geocoder = GazetteerGeocoder(directory=directory)
    started, cpu_started = time.perf_counter(), time.process_time()
    geocode_frame(records, geocoder=geocoder)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"\nthroughput on {len(big):,} rows (the files repeated {repeat}x, fresh geocoder): "
          f"{len(big) / wall:,.0f} rows/s wall, {len(big) / max(cpu, 1e-9):,.0f} rows/s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=None, help="folder holding the real files (default ../shared/real)")
    parser.add_argument("--layer", action="append", default=[], help="gazetteer file to import first")
    parser.add_argument("--misses", type=int, default=0, help="print this many of the worst misses per file")
    parser.add_argument("--repeat", type=int, default=20, help="copies of the rows for the throughput figure")
    args = parser.parse_args()
    real = real_dir(args.real)
    if real is None:
        print("skipped: no real material (set INCIDENTS_REAL_DIR or put it at ../shared/real)")
        return
    directory = config.gazetteer_dir()
    scratch = None
    started = time.perf_counter()
    build_gazetteer(directory)
    print(f"gazetteer build check: {time.perf_counter() - started:.2f}s (a no-op when built at setup)")
    if args.layer:
        scratch = Path(tempfile.mkdtemp(prefix="geocode-real-"))
        shutil.copytree(directory, scratch / "gazetteer", ignore=shutil.ignore_patterns("layers"))
        directory = scratch / "gazetteer"
        for layer in args.layer:
            name, count = import_layer(Path(layer), directory=directory)
            print(f"imported {count:,} places from {layer} as layer {name}")
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        _load(directory)
        print(f"gazetteer load: {time.perf_counter() - started:.2f}s wall, "
              f"{time.process_time() - cpu_started:.2f}s CPU")
        gazetteer = load_gazetteer(directory)
        print(f"gazetteer: {len(gazetteer):,} places, {gazetteer.alternate_name_count:,} alternate names")
        seed = GazetteerGeocoder(directory=directory).geocode("Kimparana", country="Mali", admin1="Ségou")
        seed_km = km(np.array([seed.latitude]), np.array([seed.longitude]), np.array([12.84217]), np.array([-4.9245]))
        print(f"seed Kimparana: {seed.raw['name']}, {seed.raw['admin1']}, precision {seed.raw['precision']}, "
              f"{seed_km[0]:.2f} km from GeoNames' Kinmparana")
        truths = []
        for label, relative in FILES:
            path = real / relative
            if not path.exists():
                print(f"\n== {label}: skipped, {path} is missing")
                continue
            truth = read_truth(path)
            truths.append(truth)
            measure(label, truth, directory, args.misses)
        if truths and args.repeat:
            throughput(pd.concat(truths, ignore_index=True), directory, args.repeat)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
