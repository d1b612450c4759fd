"""Time and peak memory of reading large workbooks through ``read_incidents``.

Sets the figures behind ``MAX_SHEET_ITEMS`` and the sliced reading's allowance in
incidents/io/xlsxfile.py: how many rows and cells a second the workbook reader gets
through, and its peak resident size (VmHWM) against the hostile-input bound of
10 x file size + 300 MB. Workbooks are written with openpyxl's write-only mode; each
is read in a fresh process with the sheet-size limits lifted, so the figures are the
reader's own: once with the whole sheet loaded by calamine, once cut into slices
(incidents/io/xlsxslices.py), side by side.

    .venv/bin/python bench/xlsx_speed.py [--shapes tiny:200000 bomb:200000 acled:100000]
        [--project /path/to/another/checkout] [--modes whole sliced]

``tiny`` rows hold an event date and type; ``bomb`` rows hold one id cell under a
7-column header (every row quarantined, as the fuzz's sheet bombs); ``acled`` rows
hold 31 columns shaped like an ACLED export (text, dates, numbers, coordinates);
``real`` rows repeat the 6,831 rows of ACLED's own 2016 workbook from
/work/shared/real (25 columns). ``--files`` reads existing workbooks as they are.
``--project`` reads with another checkout's code for comparison (its own reader:
the mode is then ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from read_memory import peak_mb  # noqa: E402

MB = 1024 * 1024
REAL_WORKBOOK = ("acled_all_africa_2016_xlsx/"
                 "ACLED-All-Africa-File_20160101-to-20160528.xlsx")
BOMB_HEADER = ["event_id_cnty", "event_date", "event_type", "fatalities", "latitude",
               "longitude", "notes"]
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source",
    "source_scale", "notes", "fatalities", "tags", "timestamp",
]


def child(path: str, project: str, mode: str) -> None:
    sys.path.insert(0, project)
    from incidents.io import read_incidents, xlsxfile

    xlsxfile.MAX_SHEET_ITEMS = xlsxfile.SHEET_ITEMS_FLOOR = 10**12
    xlsxfile.SLICED_ITEMS_FLOOR = xlsxfile.SHEET_ROWS_FLOOR = 10**12
    xlsxfile.SLICED_ABOVE_ITEMS = 0 if mode == "sliced" else 10**12
    from incidents.io.reader import MissingColumnsError, read_table

    started = time.perf_counter()
    try:
        result = read_incidents(Path(path))
        rows, accepted = result.counts["rows"], result.counts["accepted"]
    except MissingColumnsError:  # a real workbook that needs a mapping: its table only
        rows, accepted = len(read_table(Path(path)).frame), None
    seconds = time.perf_counter() - started
    print(json.dumps({"peak_mb": peak_mb(), "seconds": seconds, "rows": rows,
                      "accepted": accepted}))


def acled_row(n: int) -> list[object]:
    day = f"2015-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
    return [
        f"MLI{n}", day, 2015 + n % 10, 1, "Political violence", "Battles", "Armed clash",
        f"Unidentified Armed Group {n % 40}", "", "Rebel group", "Military Forces", "",
        "State forces", "Rebel group-State forces", "", 466, "Western Africa", "Mali",
        "Mopti", "Djenne", "", f"Place {n % 900}", 14.0 + (n % 500) / 1000,
        -4.0 - (n % 700) / 1000, 1, "Local source", "Subnational",
        f"On {day}, armed men attacked a post near Place {n % 900}; {n % 7} killed.",
        n % 7, "", 1_700_000_000 + n,
    ]


def _real_rows() -> tuple[list, list[list]]:
    """The header and rows of ACLED's own 2016 All-Africa workbook (not copied anywhere:
    repeated into a temporary workbook only)."""
    import openpyxl

    for root in (PROJECT.parent / "shared" / "real", Path("/work/shared/real")):
        path = root / REAL_WORKBOOK
        if path.exists():
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
            book.close()
            return rows[0], rows[1:]
    sys.exit(f"the real workbook {REAL_WORKBOOK} is missing: the 'real' shape needs it")


def write_workbook(path: Path, shape: str, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    if shape == "tiny":
        sheet.append(["event_date", "event_type"])
        for n in range(rows):
            sheet.append([f"2024-01-{n % 28 + 1:02d}", "Battles"])
    elif shape == "real":
        header, body = _real_rows()
        sheet.append(header)
        for n in range(rows):
            sheet.append(body[n % len(body)])
    elif shape == "bomb":
        sheet.append(BOMB_HEADER)
        for n in range(rows):
            sheet.append([n])
    else:
        sheet.append(ACLED_COLUMNS)
        for n in range(rows):
            sheet.append(acled_row(n))
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="*", default=["tiny:200000", "bomb:200000",
                                                         "acled:100000"])
    parser.add_argument("--project", default=str(PROJECT))
    parser.add_argument("--modes", nargs="+", default=["whole", "sliced"])
    parser.add_argument("--files", nargs="*", default=[], type=Path,
                        help="existing workbooks to read as well (e.g. under /work/shared/real)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="whole", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child, options.project, options.mode)
        return
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'shape':>14} {'mode':>6} {'items':>10} {'file MB':>8} {'seconds':>8} "
          f"{'items/s':>9} {'rows/s':>8} {'peak MB':>8} {'bound MB':>9}  within")
    for path in options.files:
        size_mb = path.stat().st_size / MB
        for mode in options.modes:
            figures = _read_in_child(path, options.project, mode)
            print(f"{path.name[:14]:>14} {mode:>6} {'':>10} {size_mb:>8.1f} "
                  f"{figures['seconds']:>8.1f} {'':>9} "
                  f"{figures['rows'] / figures['seconds']:>8,.0f} {figures['peak_mb']:>8.0f} "
                  f"{10 * size_mb + 300:>9.0f}  "
                  f"{'yes' if figures['peak_mb'] <= 10 * size_mb + 300 else 'NO'}")
    for spec in options.shapes:
        shape, rows = spec.split(":")[0], int(spec.split(":")[1])
        with tempfile.TemporaryDirectory(prefix="xlsx-speed-") as folder:
            path = Path(folder) / f"{shape}.xlsx"
            write_workbook(path, shape, rows)
            size_mb = path.stat().st_size / MB
            for mode in options.modes:
                figures = _read_in_child(path, options.project, mode)
                assert figures["rows"] == rows, figures
                width = {"tiny": 2, "bomb": 1, "real": 25}.get(shape, len(ACLED_COLUMNS))
                items = (rows + 1) * (width + 1)  # rows and cells, as MAX_SHEET_ITEMS counts
                bound = 10 * size_mb + 300
                seconds = figures["seconds"]
                print(f"{spec:>14} {mode:>6} {items:>10,} {size_mb:>8.1f} {seconds:>8.1f} "
                      f"{items / seconds:>9,.0f} {rows / seconds:>8,.0f} "
                      f"{figures['peak_mb']:>8.0f} {bound:>9.0f}  "
                      f"{'yes' if figures['peak_mb'] <= bound else 'NO'}")


def _read_in_child(path: Path, project: str, mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--project", project, "--mode", mode],
        capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
