"""Hostile files through ``read_incidents``, one forked process per file, and kill -9
at ten points of an import.

Usage (from the project root):

    .venv/bin/python bench/fuzz.py [--seed N] [--kinds csv,json,...] [--skip-kill]

Generates at least 1,000 files of these kinds: CSV in several encodings and
delimiters, ragged rows, NUL bytes, huge fields and column counts, formula cells,
extreme dates and numbers, many tiny rows; XLSX bombs, corrupt zips, DTD/XXE,
far-away cells, over-long cells; deep or huge JSON, surrogates, huge integers;
GeoJSON with bad geometries and ``crs`` members; random bytes and truncations.
Each is read in a child forked from a warm parent (libraries loaded), with a
30 s limit. Prints:

- files: how many were read;
- untyped exceptions: anything but ``IncidentsError`` escaping the reader;
- hangs over 30 s: a child using over 30 s of CPU, or still running after 300 s;
- peak memory over the bound: the child's peak RSS above 10 x file size + 300 MB;
- silent losses: a result whose rows do not account for every data row written;
- wrong accepted values: an accepted row whose date, count or coordinates differ
  from what its cell says (the generator knows the meaning of every cell it wrote);
- unclear messages: an error without the file name, with control characters,
  over 600 characters, or the generic "could not be read (SomeError)" fallback.

Then an import of a 60,000-row CSV is killed with SIGKILL at ten points spread
over its duration: after each kill the store must hold either what it held before
or the whole import, and no temporary file may be left once the store is opened.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import gc
import io
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402  (loaded before forking, as the dashboard has it loaded)
import pandas as pd  # noqa: E402
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: E402

from incidents.errors import IncidentsError  # noqa: E402
from incidents.io import read_incidents  # noqa: E402
from incidents.io.dates import EARLIEST, latest_date  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
HANG_SECONDS = 30
# A hang is judged on the child's CPU time (user + system): on a machine shared by
# other jobs the wall clock also counts their load. A child still running after this
# many wall seconds is killed and counted as a hang whatever its CPU time.
WALL_LIMIT_SECONDS = 300
MB = 1024 * 1024
HEADER = ["event_id_cnty", "event_date", "event_type", "fatalities", "latitude", "longitude",
          "notes"]


@dataclass
class Hostile:
    """One generated file and what the generator knows about it."""

    kind: str
    name: str
    data: bytes
    rows: int | None = None  # data rows written (None: unknown, e.g. a damaged file)
    expected: dict[str, dict] = field(default_factory=dict)  # event id -> field -> value


# ---------------------------------------------------------------- cell oracles

def date_cell(rng: random.Random) -> tuple[str, object]:
    """A date cell and the date it means (None: must be quarantined; '?': unknown)."""
    choice = rng.random()
    if choice < 0.5:
        year = rng.choice([1, 1500, 1677, 1678, 1899, 1900, 1999, 2024, 2262, 2263, 3000,
                           9999, date.today().year, date.today().year + 1,
                           date.today().year + 2])
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        meant = date(year, month, day)
        meant = meant if EARLIEST <= meant <= latest_date() else None
        form = rng.choice(["%04d-%02d-%02d", "d/m/y", "d.m.y"])
        text = (form % (year, month, day) if form.startswith("%")
                else f"{day:02d}/{month:02d}/{year:04d}" if form == "d/m/y"
                else f"{day}.{month}.{year:04d}")
        return text, meant
    return rng.choice([
        ("31/12/9999", None), ("01/01/1500", None), ("0000-00-00", None),
        ("2023-02-29", None), ("29/02/2024", date(2024, 2, 29)), ("10000-01-01", None),
        ("-2024-01-01", None), ("2024-13-01", None), ("", None), ("NaT", None),
        ("2024-01-01T25:99", "?"), ("1e10", None), ("7 décembre 2024", date(2024, 12, 7)),
        ("\x00", None), ("٢٠٢٤-٠١-٠١", "?"),
    ])


def count_cell(rng: random.Random) -> tuple[str, object]:
    """A fatalities cell and the count it means (None: must be quarantined; 'NA': empty)."""
    return rng.choice([
        ("0", 0), ("7", 7), ("1000000", 1_000_000), ("1000001", None), ("1e20", None),
        ("1e308", None), (str(2**63), None), (str(2**63 - 1), None), ("9" * 4300, None),
        ("-1", None), ("-0", 0), ("1,000", None), ("1.000", None), ("1 000", 1000),
        ("1,000,000", 1_000_000), ("12.0", 12), ("12,5", None), ("inf", None), ("NaN", None),
        ("0x10", None), ("", "NA"), ("=1+1", None), ("١٢", "?"), ("²", None),
    ])


def coordinate_cell(rng: random.Random) -> tuple[str, object]:
    value = rng.choice([0.0, 14.5, -4.25, 90.0, 91.0, -90.0, 1e308, float("nan"), 5e-324])
    text = rng.choice([repr(value), "nan", "", "14,5", "1e400"]) if rng.random() < 0.2 else repr(value)
    if text in ("nan", "1e400") or text == repr(float("nan")):
        return text, None
    if text == "":
        return text, "NA"
    if text == "14,5":
        return text, 14.5
    number = float(text)
    return text, number if abs(number) <= 90 else None


def row_cells(rng: random.Random, number: int) -> tuple[list[str], dict]:
    day, meant_day = date_cell(rng)
    count, meant_count = count_cell(rng)
    latitude, meant_latitude = coordinate_cell(rng)
    note = rng.choice(["", "=HYPERLINK(\"http://203.0.113.9\")", "+cmd", "@SUM(A1)",
                       "<script>x</script>", "ok", "é\u202e\u200b", "a\x00b"])
    cells = [f"r{number}", day, "Battles", count, latitude, "-4.5", note]
    return cells, {"event_date": meant_day, "fatalities": meant_count, "latitude": meant_latitude}


def rows_file(rng: random.Random, count: int) -> tuple[list[list[str]], dict]:
    rows, expected = [], {}
    for number in range(count):
        cells, meant = row_cells(rng, number)
        rows.append(cells)
        expected[cells[0]] = meant
    return rows, expected


def to_csv(rows: list[list[str]], delimiter: str = ",", header: list[str] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")  # CR quoted too
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# ---------------------------------------------------------------- generators

def csv_encodings(rng: random.Random, i: int) -> Hostile:
    rows, expected = rows_file(rng, rng.randint(1, 40))
    text = to_csv(rows, rng.choice([",", ";", "\t"]))
    encoding = rng.choice(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252",
                           "latin-1"])
    data = text.encode(encoding, errors="replace")
    if encoding in ("cp1252", "latin-1"):
        expected = {}  # replaced characters may change what a cell says
    return Hostile("csv-encoding", f"enc{i}.csv", data, len(rows), expected)


def csv_ragged(rng: random.Random, i: int) -> Hostile:
    rows, _ = rows_file(rng, rng.randint(1, 30))
    for row in rows:
        cut = rng.choice([0, 0, 1, 3, -2])
        if cut > 0:
            del row[-cut:]
        elif cut < 0:
            row.extend(["extra"] * -cut)
    return Hostile("csv-ragged", f"ragged{i}.csv", to_csv(rows).encode(), len(rows))


def csv_nul(rng: random.Random, i: int) -> Hostile:
    rows, _ = rows_file(rng, rng.randint(1, 20))
    data = bytearray(to_csv(rows).encode())
    for _ in range(rng.randint(1, 10)):
        data.insert(rng.randrange(len(data) + 1), 0)
    return Hostile("csv-nul", f"nul{i}.csv", bytes(data))


def csv_huge(rng: random.Random, i: int) -> Hostile:
    if i % 2:
        columns = rng.choice([2_000, 10_000, 30_000])
        header = HEADER + [f"c{n}" for n in range(columns)]
        rows, expected = rows_file(rng, 5)
        rows = [r + ["x"] * columns for r in rows]
        return Hostile("csv-wide", f"wide{i}.csv", to_csv(rows, header=header).encode(), 5,
                       expected)
    rows, expected = rows_file(rng, 3)
    rows[1][6] = "y" * rng.choice([1, 5, 20]) * MB
    return Hostile("csv-huge-field", f"field{i}.csv", to_csv(rows).encode(), 3, expected)


def csv_formulas(rng: random.Random, i: int) -> Hostile:
    rows, expected = rows_file(rng, rng.randint(1, 20))
    for row in rows:
        row[6] = rng.choice(["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "=cmd|' /C calc'!A0"])
    return Hostile("csv-formula", f"formula{i}.csv", to_csv(rows).encode(), len(rows), expected)


def csv_values(rng: random.Random, i: int) -> Hostile:
    rows, expected = rows_file(rng, rng.randint(5, 60))
    return Hostile("csv-values", f"values{i}.csv", to_csv(rows).encode(), len(rows), expected)


def csv_tiny_rows(rng: random.Random, i: int) -> Hostile:
    count = rng.choice([50_000, 200_000])
    body = "".join(f"r{n},2024-01-{n % 28 + 1:02d},Battles\n" for n in range(count))
    data = ("event_id_cnty,event_date,event_type\n" + body).encode()
    return Hostile("csv-tiny-rows", f"tiny{i}.csv", data, count)


def _workbook(rows: list[list], header: list[str] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rezip(data: bytes, change: dict[str, object]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = [i.filename for i in source.infolist()]
        for name in names + [n for n in change if n not in names]:
            body = source.read(name) if name in names else b""
            replacement = change.get(name, body)
            body = replacement(body) if callable(replacement) else replacement
            target.writestr(name, body)
    return out.getvalue()


def xlsx_hostile(rng: random.Random, i: int) -> Hostile:
    rows, expected = rows_file(rng, rng.randint(1, 15))
    for row in rows:
        if row[3].startswith("="):  # openpyxl saves it as a formula with no cached value
            expected[row[0]]["fatalities"] = "NA"
    good = _workbook(rows)
    sheet = "xl/worksheets/sheet1.xml"
    variant = i % 10
    if variant == 0:
        return Hostile("xlsx-valid", f"ok{i}.xlsx", good, len(rows), expected)
    if variant == 1:
        bomb = b"<sst>" + b"<si><t>x</t></si>" * rng.choice([10**6, 5 * 10**6]) + b"</sst>"
        return Hostile("xlsx-shared-strings-bomb", f"sst{i}.xlsx",
                       _rezip(good, {"xl/sharedStrings.xml": bomb}))
    if variant == 2:
        cells = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n)
                         for n in range(2, rng.choice([200_000, 1_000_000])))
        return Hostile("xlsx-sheet-bomb", f"rows{i}.xlsx", _rezip(good, {
            sheet: lambda b: b.replace(b"</sheetData>", cells + b"</sheetData>")}))
    if variant == 3:
        return Hostile("xlsx-truncated", f"cut{i}.xlsx", good[: rng.randrange(len(good))])
    if variant == 4:
        damaged = bytearray(good)
        for _ in range(rng.randint(1, 20)):
            damaged[rng.randrange(len(damaged))] ^= 0xFF
        return Hostile("xlsx-bitflip", f"flip{i}.xlsx", bytes(damaged))
    if variant == 5:
        doctype = rng.choice([
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
            b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
            b'<!DOCTYPE x SYSTEM "http://203.0.113.9/x.dtd">',
        ])
        part = rng.choice([sheet, "xl/workbook.xml", "[Content_Types].xml"])
        return Hostile("xlsx-dtd", f"dtd{i}.xlsx", _rezip(good, {part: lambda b: doctype + b}))
    if variant == 6:
        far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        return Hostile("xlsx-far-cell", f"far{i}.xlsx", _rezip(good, {
            sheet: lambda b: b.replace(b"</sheetData>", far + b"</sheetData>")
            .replace(b'<dimension ref="', b'<dimension ref="A1:XFD1048576" x="')}),
            len(rows) + 1)
    if variant == 7:
        rows[0][6] = "z" * 40_000
        return Hostile("xlsx-long-cell", f"long{i}.xlsx", _workbook(rows), len(rows))
    if variant == 8:
        junk = rng.choice([b"", b"<x", b"\x00\xff", b"<worksheet><sheetData><row r='a'/>"])
        return Hostile("xlsx-bad-xml", f"xml{i}.xlsx", _rezip(good, {sheet: junk}))
    values = [[f"r{n}", rng.choice([1e308, -1e308, 2958466, -1, 0.5]), "Battles", 1, 14, -4, ""]
              for n in range(3)]
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in values:
        book.active.append(row)
        book.active.cell(row=book.active.max_row, column=2).number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    return Hostile("xlsx-date-serials", f"serial{i}.xlsx", buffer.getvalue())


def json_hostile(rng: random.Random, i: int) -> Hostile:
    variant = i % 8
    if variant == 0:
        depth = rng.choice([1_000, 100_000, 1_000_000])
        return Hostile("json-deep", f"deep{i}.json", b"[" * depth + b"]" * depth)
    if variant == 1:
        count = rng.choice([10_000, 300_000])
        records = [{"event_date": "2024-01-01", "event_type": "Battles"}] * count
        return Hostile("json-many", f"many{i}.json", json.dumps(records).encode(), count)
    if variant == 2:
        text = '[{"event_date": "2024-01-01", "event_type": "Battles", "notes": "\\ud800\\udfff\\udc00"}]'
        return Hostile("json-surrogates", f"sur{i}.json", text.encode(), 1)
    if variant == 3:
        text = ('[{"event_date": "2024-01-01", "event_type": "Battles", "fatalities": '
                + "9" * rng.choice([19, 4300, 100_000]) + "}]")
        return Hostile("json-big-int", f"int{i}.json", text.encode(), 1,
                       {})
    if variant == 4:
        text = rng.choice(['[{"fatalities": NaN, "event_date": "2024-01-01", "event_type": "Battles"}]',
                           '[{"latitude": Infinity, "event_date": "2024-01-01", "event_type": "Battles"}]',
                           '[1, "x", null, true, [], {}]', '"just a string"', "42", "{}",
                           '{"data": 5}', '{"data": [{}]}'])
        return Hostile("json-shapes", f"shape{i}.json", text.encode())
    rows, expected = rows_file(rng, rng.randint(1, 30))
    records = [dict(zip(HEADER, row)) for row in rows]
    return Hostile("json-values", f"values{i}.json", json.dumps(records).encode(), len(rows),
                   expected)


def geojson_hostile(rng: random.Random, i: int) -> Hostile:
    geometries = [
        None, {"type": "Point", "coordinates": [-4.5, 14.5]},
        {"type": "Point", "coordinates": ["a", "b"]}, {"type": "Point", "coordinates": [1]},
        {"type": "Point", "coordinates": []}, {"type": "Point"}, {"type": "Polygon",
                                                                  "coordinates": [[[0, 0]]]},
        {"type": "Point", "coordinates": [1e308, -1e308]}, "POINT(1 2)", 7,
        {"type": "GeometryCollection", "geometries": []},
        {"type": "Point", "coordinates": [[1, 2], [3, 4]]},
    ]
    crs = rng.choice([None, None, {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}},
                      {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                      {"type": "name", "properties": {"name": "EPSG:3857"}}, {"type": "link"},
                      "EPSG:4326", 12, {"type": "name", "properties": None}])
    count = rng.randint(1, 20)
    features = []
    for n in range(count):
        feature = {"type": "Feature", "geometry": rng.choice(geometries),
                   "properties": rng.choice([{"event_id_cnty": f"r{n}", "event_date": "2024-01-01",
                                              "event_type": "Battles"}, None, [], {}, "x"])}
        features.append(rng.choice([feature, feature, feature, None, "x", []]))
    document = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        document["crs"] = crs
    return Hostile("geojson", f"geo{i}.geojson", json.dumps(document).encode(), count)


def random_bytes(rng: random.Random, i: int) -> Hostile:
    rows, _ = rows_file(rng, 5)
    base = rng.choice([to_csv(rows).encode(), _workbook(rows), json.dumps(rows).encode()])
    if i % 2:
        data = base[: rng.randrange(len(base) + 1)]
    else:
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4000)))
    name = rng.choice(["x.csv", "x.json", "x.xlsx", "x.geojson", "x.gpkg", "noext"])
    return Hostile("random", f"r{i}-{name}", data)


GENERATORS = [  # (generator, how many files)
    (csv_encodings, 90), (csv_ragged, 60), (csv_nul, 60), (csv_huge, 12), (csv_formulas, 50),
    (csv_values, 150), (csv_tiny_rows, 2), (xlsx_hostile, 160), (json_hostile, 140),
    (geojson_hostile, 140), (random_bytes, 160),
]


# ---------------------------------------------------------------- checking

def check(hostile: Hostile, directory: Path) -> dict:
    """Read one file in a forked child; the parent times it and takes its peak RSS."""
    path = directory / hostile.name
    path.write_bytes(hostile.data)
    report = directory / (hostile.name + ".report")
    size = len(hostile.data)
    hostile.data = b""
    gc.collect()
    rss_at_fork = _resident_mb()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            outcome = _read_in_child(hostile, path)
        except BaseException:  # noqa: BLE001 - the child reports everything
            outcome = {"untyped": traceback.format_exc(limit=3)[-600:]}
        try:
            report.write_text(json.dumps(outcome, default=str))
        finally:
            os._exit(code)
    deadline = started + WALL_LIMIT_SECONDS
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, _, usage = os.wait4(pid, 0)
            return {"hang": True, "kind": hostile.kind, "name": hostile.name,
                    "cpu": usage.ru_utime + usage.ru_stime}
        time.sleep(0.01)
    outcome = json.loads(report.read_text()) if report.exists() else {"untyped": f"status {status}"}
    # The child starts with the parent's pages (the generator's garbage included): count
    # only what the read added, on top of a fresh process with the readers loaded.
    added = max(usage.ru_maxrss / 1024 - rss_at_fork, 0.0)
    outcome.update(kind=hostile.kind, name=hostile.name, seconds=time.monotonic() - started,
                   cpu=usage.ru_utime + usage.ru_stime, peak_mb=BASELINE_MB + added, size=size)
    path.unlink()
    report.unlink(missing_ok=True)
    return outcome


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def fresh_baseline_mb() -> float:
    """Peak RSS of a fresh process that has loaded every reader (what the bound's 300 MB covers)."""
    code = ("import resource, sys; sys.path.insert(0, %r); import openpyxl, pyogrio;"
            "from incidents.io import read_incidents; from incidents.io import geocheck;"
            "read_incidents(b'event_date,event_type,country,latitude,longitude\\n"
            "2024-01-01,Battles,Mali,14,-4\\n', filename='x.csv');"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)" % str(PROJECT))
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split()[-1])


BASELINE_MB = 0.0


def _read_in_child(hostile: Hostile, path: Path) -> dict:
    try:
        result = read_incidents(path)
    except IncidentsError as error:
        return {"error": str(error)}
    outcome: dict = {"rows": result.counts.get("rows"),
                     "accepted": len(result.records), "quarantined": len(result.quarantine)}
    losses = []
    if result.counts.get("rows") != len(result.records) + len(result.quarantine):
        losses.append("counts do not add up")
    if hostile.rows is not None and result.counts.get("rows") != hostile.rows:
        losses.append(f"{hostile.rows} rows written, {result.counts.get('rows')} counted")
    outcome["losses"] = losses
    outcome["wrong"] = _wrong_values(result.records, hostile.expected)
    return outcome


def _wrong_values(records: pd.DataFrame, expected: dict[str, dict]) -> list[str]:
    if not expected or "event_id_cnty" not in records.columns:
        return []
    wrong = []
    for row in records.itertuples(index=False):
        meant = expected.get(row.event_id_cnty)
        if meant is None:
            continue
        for column, value in meant.items():
            got = getattr(row, column)
            if value == "?":
                continue
            if value is None:
                wrong.append(f"{row.event_id_cnty}.{column}: accepted {got!r}, must be refused")
            elif value == "NA":
                if not pd.isna(got):
                    wrong.append(f"{row.event_id_cnty}.{column}: {got!r} for an empty cell")
            elif column == "event_date":
                if pd.isna(got) or got.date() != value:
                    wrong.append(f"{row.event_id_cnty}.{column}: {got!r} != {value}")
            elif got != value:
                wrong.append(f"{row.event_id_cnty}.{column}: {got!r} != {value!r}")
    return wrong[:5]


def unclear(message: str, name: str) -> str | None:
    if not message.startswith(name):
        return "does not name the file"
    if any(ord(c) < 32 and c not in "\n" for c in message):
        return "holds control characters"
    if len(message) > 600:
        return "over 600 characters"
    if "could not be read (" in message:
        return "generic fallback (an unforeseen failure)"
    return None


def fuzz(seed: int, kinds: set[str] | None) -> dict[str, list]:
    global BASELINE_MB
    BASELINE_MB = fresh_baseline_mb()
    # Warm the parent as the baseline process is warm (country shapes, lazy imports), so a
    # child's added memory is the read's own.
    read_incidents(b"event_date,event_type,country,latitude,longitude\n"
                   b"2024-01-01,Battles,Mali,14,-4\n", filename="warm.csv")
    print(f"baseline: a fresh process with the readers loaded peaks at {BASELINE_MB:.0f} MB")
    rng = random.Random(seed)
    findings: dict[str, list] = {k: [] for k in (
        "untyped exceptions", "hangs over 30 s", "peak memory over the bound", "silent losses",
        "wrong accepted values", "unclear messages")}
    files = wall_over = 0
    slowest: list[tuple[float, str]] = []
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        directory = Path(folder)
        for generator, count in GENERATORS:
            if kinds and generator.__name__ not in kinds:
                continue
            for i in range(count):
                hostile = generator(rng, i)
                outcome = check(hostile, directory)
                files += 1
                where = f"{outcome['kind']}:{outcome['name']}"
                if outcome.get("hang"):
                    findings["hangs over 30 s"].append(
                        f"{where}: killed after {WALL_LIMIT_SECONDS} s wall, {outcome['cpu']:.0f} s CPU")
                    continue
                if outcome["cpu"] > HANG_SECONDS:
                    findings["hangs over 30 s"].append(f"{where}: {outcome['cpu']:.0f} s CPU")
                if outcome["seconds"] > HANG_SECONDS:
                    wall_over += 1
                slowest.append((outcome["cpu"], where))
                if "untyped" in outcome:
                    findings["untyped exceptions"].append(f"{where}: {outcome['untyped']}")
                bound = 10 * outcome["size"] / MB + 300
                if outcome["peak_mb"] > bound:
                    findings["peak memory over the bound"].append(
                        f"{where}: {outcome['peak_mb']:.0f} MB > {bound:.0f} MB "
                        f"({outcome['size'] / MB:.1f} MB file)")
                if outcome.get("losses"):
                    findings["silent losses"].append(f"{where}: {outcome['losses']}")
                if outcome.get("wrong"):
                    findings["wrong accepted values"].append(f"{where}: {outcome['wrong']}")
                if "error" in outcome:
                    problem = unclear(outcome["error"], hostile.name)
                    if problem:
                        findings["unclear messages"].append(
                            f"{where}: {problem}: {outcome['error'][:200]!r}")
    print(f"files: {files}")
    for label, items in findings.items():
        print(f"{label}: {len(items)}")
    for label, items in findings.items():
        for item in items[:8]:
            print(f"  [{label}] {item}")
    slowest.sort(reverse=True)
    print("slowest (CPU): " + "; ".join(f"{w} {s:.1f} s" for s, w in slowest[:5]))
    print(f"files over 30 s of wall time (this machine's load included): {wall_over}")
    return findings


# ---------------------------------------------------------------- kill -9 during an import

def _store_state(home: Path) -> tuple[int, list[str]]:
    from incidents.store import IncidentStore

    store = IncidentStore(home / "incidents.sqlite")
    count = len(store.load())
    leftovers = sorted(p.name for p in home.glob("*.tmp")) + sorted(
        p.name for p in home.glob("*.part"))
    return count, leftovers


def kill_points(points: int = 10) -> int:
    """Kill ``incidents ingest`` at ``points`` moments; returns the number of bad outcomes."""
    rng = random.Random(11)
    body = "".join(f"k{n},2024-01-{n % 28 + 1:02d},Battles,{n % 5},14.{n % 97},-4.{n % 89},n\n"
                   for n in range(60_000))
    bad = 0
    with tempfile.TemporaryDirectory(prefix="fuzz-kill-") as folder:
        root = Path(folder)
        source = root / "import.csv"
        source.write_text(",".join(HEADER) + "\n" + body)
        first = root / "first.csv"
        first.write_text(",".join(HEADER) + "\nfirst,2024-01-01,Battles,1,14,-4,x\n")
        gazetteer = PROJECT / "var" / "gazetteer"
        env_base = {**os.environ, "PYTHONPATH": str(PROJECT)}

        def ingest(home: Path, path: Path) -> subprocess.Popen:
            return subprocess.Popen(
                [sys.executable, "-m", "incidents", "ingest", str(path)], cwd=PROJECT,
                env={**env_base, "INCIDENTS_HOME": str(home)},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def fresh_home(name: str) -> Path:
            home = root / name
            home.mkdir()
            if gazetteer.exists():
                shutil.copytree(gazetteer, home / "gazetteer")
            ingest(home, first).wait()
            return home

        timing = fresh_home("timing")
        started = time.monotonic()
        ingest(timing, source).wait()
        duration = time.monotonic() - started
        complete = _store_state(timing)[0]
        print(f"kill -9: a full import takes {duration:.1f} s and stores {complete} incidents")
        for point in range(points):
            home = fresh_home(f"kill{point}")
            before = _store_state(home)[0]
            delay = duration * (0.1 + 0.85 * point / max(points - 1, 1))
            process = ingest(home, source)
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
            after, leftovers = _store_state(home)
            verdict = "unchanged" if after == before else "complete" if after == complete else "BAD"
            if verdict == "BAD" or leftovers:
                bad += 1
            print(f"  killed at {delay:5.1f} s: {after} incidents ({verdict}), "
                  f"temporary files left: {leftovers or 'none'}")
    print(f"kill -9 points with a damaged store or a leftover file: {bad}")
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--kinds", default="", help="generator names, comma-separated")
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--findings", type=Path, help="write every finding (not only the first"
                        " eight of each kind) to this JSON file")
    options = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    kinds = {k.strip() for k in options.kinds.split(",") if k.strip()} or None
    findings = fuzz(options.seed, kinds)
    if options.findings:
        options.findings.write_text(json.dumps(findings, indent=1))
    if not options.skip_kill:
        kill_points()


if __name__ == "__main__":
    codecs.lookup("utf-8")
    main()
