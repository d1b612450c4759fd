"""How every real incident export in ``../shared/real/`` loads, file by file.

    .venv/bin/python bench/real_load.py [--real DIR] [--only SUBSTRING] [--reasons N]

For each file: data rows (records after the header, minus an HXL row, as the
folder's README counts them), incidents accepted, the share of data rows that
became incidents, rows quarantined with their most frequent reasons, the
needs_review share (after region assignment, as an ingest does), the duplicate
flags the store raises when the file is imported alone into an empty store,
and the seconds the whole read + regions + import took. No geocoding: the
files carry coordinates, and the geocoder is measured by its own bench.

Measured 2026-12-01 on 2 shared cores (14 files): every file 100.0 % of its data
rows as incidents, 0 quarantined; needs_review 0-0.8 % on the ACLED and UCDP
exports (the 2016 All Africa file: 55 of 6,831, 54 of them points clearly outside
the region their row names), 3.3 % on AWSD (48 year-only dates, region and
country disagreements), 0 % on GDELT; 0.9-5.9 s per file. The trimmed 8-column
workbook needs the mapping step (`--set event_type=...`), as a user would give it.

The folder is looked up at ``$INCIDENTS_REAL_DIR``, ``../shared/real`` from the
project root, then ``/work/shared/real``; the bench says so and exits when it
is missing. Nothing from the files is written anywhere but a temporary store.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from incidents.errors import IngestError  # noqa: E402
from incidents.io import read_incidents  # noqa: E402
from incidents.io.mapping import user_mapping  # noqa: E402
from incidents.pipeline import _assign_regions, is_authoritative  # noqa: E402
from incidents.store import open_store  # noqa: E402

# (path under the real folder, data rows as the folder's README counts them,
#  built-in mapping or None, whether the source is authoritative (needs_review < 5 %),
#  monadic: one row per actor, so fewer incidents than rows is expected)
FILES: tuple[tuple[str, int, bool, bool], ...] = (
    ("acled_bfa_1997_2020_export/1997-01-01-2020-12-10-Burkina_Faso.csv", 3010, True, False),
    ("acled_hdx_hxl_sahel_1997_2020/conflict_data_bfa.csv", 2730, True, False),
    ("acled_hdx_hxl_sahel_1997_2020/conflict_data_ner.csv", 1349, True, False),
    ("acled_bfa_2022_excel_subset/1900-01-01-2022-11-02-Burkina_Faso.csv", 254, True, False),
    ("acled_bfa_2022_excel_subset/conflict_bf.xlsx", 70, False, False),
    ("acled_all_africa_2016_xlsx/ACLED-All-Africa-File_20160101-to-20160528.xlsx", 6831, True, False),
    ("acled_all_africa_2016_xlsx/ACLED-All-Africa-File_20160101-to-20160528_csv.zip", 6831, True, False),
    ("acled_all_africa_2016_xlsx/ACLED All Africa File_20160101 to 20160528_csv.csv", 6831, True, False),
    ("ucdp_ged_bfa_2025_web_export/gedevents-2025-01-17.csv", 1504, True, False),
    ("ucdp_ged191_mmr_bgd/download.zip", 3194, True, False),
    ("ucdp_ged191_mmr_bgd/ged191.csv", 3194, True, False),
    ("ucdp_ged191_mmr_bgd/conflict_data_BGD.csv", 601, True, False),
    ("awsd_aid_worker_security_1997_2025/security_incidents.csv", 4337, True, False),
    ("gdelt_westafrica_conflict_1997/1997.csv", 12106, False, False),
)


def real_dir(given: str | None) -> Path | None:
    candidates = [given, os.environ.get("INCIDENTS_REAL_DIR"),
                  str(PROJECT.parent / "shared" / "real"), "/work/shared/real"]
    for candidate in candidates:
        if candidate and Path(candidate, "README.md").exists():
            return Path(candidate)
    return None


def reason_kind(reason: str) -> str:
    """A reason with its values blanked, so reasons of one kind count together."""
    first = reason.split("; ")[0]
    return re.sub(r"'[^']*'|\b\d[\d.:/\- ]*\b", "…", first)[:110]


# Files that need the analyst's mapping step, and the mapping they get here (as
# `ingest --set ...` would give it). The trimmed workbook kept 8 columns and no type.
MAPPINGS: dict[str, dict[str, str]] = {
    "conflict_bf.xlsx": {"event_type": "Violence against civilians"},
}


def measure(path: Path, data_rows: int, authoritative: bool, monadic: bool, top: int) -> None:
    started = time.perf_counter()
    constants = MAPPINGS.get(path.name)
    mapping = user_mapping({}, None, constants) if constants else None
    try:
        result = read_incidents(path, max_bytes=1 << 30, mapping=mapping)
    except IngestError as exc:
        print(f"\n{path.name}: REFUSED in {time.perf_counter() - started:.1f}s: {exc}")
        return
    records = result.records
    disagreements = 0
    if len(records):
        records, disagreements = _assign_regions(
            records, keep_source_admin=is_authoritative(result.counts.get("mapping")))
    with tempfile.TemporaryDirectory() as home:
        store = open_store(Path(home) / "bench.sqlite")
        summary = store.import_records(records, result.quarantine, source_name=path.name)
    seconds = time.perf_counter() - started
    accepted = len(records)
    review = int((records["status"] == "needs_review").sum()) if accepted else 0
    share = accepted / data_rows if data_rows else 0.0
    review_share = review / accepted if accepted else 0.0
    verdict = []
    if not monadic and share < 0.98:
        verdict.append("BELOW 98 %")
    if authoritative and review_share >= 0.05:
        verdict.append("needs_review >= 5 %")
    given = f" with --set {constants}" if constants else ""
    print(f"\n{path.parent.name}/{path.name}{given}  [{result.counts.get('mapping')}, "
          f"{result.counts.get('format')}, {result.counts.get('encoding') or '-'}]")
    print(f"  rows {data_rows:,} (reader saw {result.counts['rows']:,}) | incidents {accepted:,} "
          f"({share:.1%}) | quarantined {len(result.quarantine):,} | needs_review {review:,} "
          f"({review_share:.1%}; region disagreements {disagreements}) | duplicate flags "
          f"{summary.possible_duplicates:,} | {seconds:.1f}s"
          + (f"  <-- {', '.join(verdict)}" if verdict else ""))
    if len(result.quarantine):
        kinds = Counter(reason_kind(r) for r in result.quarantine["reason"])
        for kind, count in kinds.most_common(top):
            print(f"    quarantine {count:>6,}  {kind}")
    if review:
        reasons = records.loc[records["status"] == "needs_review", "status_reason"].fillna("")
        kinds = Counter(reason_kind(r) for r in reasons)
        for kind, count in kinds.most_common(top):
            print(f"    review     {count:>6,}  {kind}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", default=None, help="the real-files folder")
    parser.add_argument("--only", default=None, help="only files whose path contains this")
    parser.add_argument("--reasons", type=int, default=3, help="top reasons shown per file")
    args = parser.parse_args()
    folder = real_dir(args.real)
    if folder is None:
        print("skipped: no real-files folder (../shared/real, /work/shared/real or "
              "$INCIDENTS_REAL_DIR) with a README.md")
        return
    for relative, rows, authoritative, monadic in FILES:
        if args.only and args.only not in relative:
            continue
        path = folder / relative
        if not path.exists():
            print(f"\n{relative}: missing, skipped")
            continue
        measure(path, rows, authoritative, monadic, args.reasons)


if __name__ == "__main__":
    main()
