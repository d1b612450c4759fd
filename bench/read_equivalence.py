"""This checkout's reader against another checkout's (main), file by file: same records,
same quarantine, same counts, same messages; and the CPU each side spends.

Usage (from the project root):

    .venv/bin/python bench/read_equivalence.py [--base /tmp/mainbase-read-speed]
        [--fuzz] [--synthetic-rows 200000] [--keep DIR]

The corpus, built in a temporary folder (nothing of it is kept in the repository):

- every incident file under the shared real folder (``$INCIDENTS_REAL`` or
  ``../shared/real``, else ``/work/shared/real``): ACLED, UCDP, AWSD, GDELT exports
  of several vintages, workbooks, zips, GeoJSON;
- variants of each real CSV, written here: LF and CRLF line ends, a BOM, Windows-1252,
  UTF-16, semicolon and tab delimiters, every value quoted, blank and whitespace-only
  lines, a trailing delimiter on every line, old Mac CR line ends, a repeated header
  name, a stray quote inside a value, a NUL byte;
- a synthetic ACLED-like export (``bench/store_scale.write_acled_like_csv``) cut into the
  parts an import reads (``incidents.io.stream.csv_parts``);
- with ``--fuzz``, the hostile files of ``bench/fuzz.py`` (same seed).

Each side reads every file in a fresh process of its own checkout (fresh state dir);
the frames are compared column by column (names, dtypes, Arrow types, values), the
quarantine likewise, the counts as dicts, and errors by type and text. Prints the
number of differing files (must be 0), the CPU seconds of each side per corpus group,
and, for the synthetic parts, CPU per 100,000 rows split by stage (cProfile shares of
a separate profiled pass, applied to the unprofiled CPU).
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import os
import pickle
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
STAGES = {  # label -> (module file, function name), as both checkouts name them
    "parse (read_table)": ("reader.py", "read_table"),
    "mapping": ("mapping.py", "apply_mapping"),
    "actor fold": ("monadic.py", "fold_monadic"),
    "validate": ("reader.py", "_validate_in_chunks"),
    "id clashes": ("reader.py", "_quarantine_id_clashes"),
    "quarantine + counts": ("reader.py", "_result"),
}
READ_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json", ".geojson", ".gpkg", ".zip")


def real_folder() -> Path | None:
    for candidate in (os.environ.get("INCIDENTS_REAL"), PROJECT.parent / "shared" / "real",
                      Path("/work/shared/real")):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


# ---------------------------------------------------------------- corpus

def real_files(real: Path) -> list[Path]:
    return sorted(
        p for p in real.rglob("*")
        if p.is_file() and p.suffix.lower() in READ_SUFFIXES and not p.parent.name.startswith("geonames")
    )


def _decoded(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _written(rows: list[list[str]], **options) -> str:
    out = io.StringIO()
    csv.writer(out, **options).writerows(rows)
    return out.getvalue()


def variants(path: Path) -> dict[str, bytes]:
    """The same table written the ways other tools write it."""
    text = _decoded(path.read_bytes())
    rows = _rows(text)
    lf = _written(rows, lineterminator="\n")
    lines = lf.split("\n")
    spaced = "\n".join(line if i % 97 != 5 else line + "\n\n   \n\t" for i, line in enumerate(lines))
    header = rows[0][:]
    if len(header) > 2:
        header[2] = header[1]
    stray = [row[:] for row in rows]
    for row in stray[1::50]:
        if row:
            row[-1] = f'{row[-1]} 5" gun'
    return {
        "lf": lf.encode(),
        "crlf": _written(rows, lineterminator="\r\n").encode(),
        "bom": codecs.BOM_UTF8 + lf.encode(),
        "cp1252": lf.encode("cp1252", errors="replace"),
        "utf16": lf.encode("utf-16"),
        "semicolon": _written(rows, delimiter=";", lineterminator="\n").encode(),
        "tab": _written(rows, delimiter="\t", lineterminator="\n").encode(),
        "quoted": _written(rows, quoting=csv.QUOTE_ALL, lineterminator="\r\n").encode(),
        "blank-lines": spaced.encode(),
        "trailing-comma": "\n".join(line + "," if line else line for line in lines).encode(),
        "cr": _written(rows, lineterminator="\r").encode(),
        "repeated-name": _written([header] + rows[1:], lineterminator="\n").encode(),
        "stray-quote": "\n".join(
            ",".join(stray_row) for stray_row in stray).encode(),
        "nul": lf[: len(lf) // 2].encode() + b"\x00" + lf[len(lf) // 2:].encode(),
    }


def synthetic_parts(folder: Path, rows: int) -> list[Path]:
    sys.path.insert(0, str(PROJECT / "bench"))
    sys.path.insert(0, str(PROJECT))
    from incidents.io.stream import csv_parts
    from store_scale import write_acled_like_csv

    whole = folder / "synthetic-whole.csv"
    write_acled_like_csv(whole, rows)
    paths = []
    for number, (data, _) in enumerate(csv_parts(whole)):
        path = folder / f"synthetic-part-{number}.csv"
        path.write_bytes(data)
        paths.append(path)
    whole.unlink()
    return paths


def fuzz_files(folder: Path, seed: int) -> list[Path]:
    sys.path.insert(0, str(PROJECT / "bench"))
    import fuzz

    rng = random.Random(seed)
    paths = []
    for generator, count in fuzz.GENERATORS:
        for i in range(count):
            hostile = generator(rng, i)
            path = folder / f"fuzz-{hostile.name}"
            path.write_bytes(hostile.data)
            paths.append(path)
    return paths


def build_corpus(folder: Path, synthetic_rows: int, with_fuzz: bool) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {"real": [], "variants": [], "synthetic": [], "fuzz": []}
    real = real_folder()
    if real is None:
        print("the shared real folder is missing: real files and their variants skipped")
    else:
        groups["real"] = real_files(real)
        for path in groups["real"]:
            if path.suffix.lower() != ".csv":
                continue
            for label, data in variants(path).items():
                target = folder / f"variant-{label}-{path.name}"
                target.write_bytes(data)
                groups["variants"].append(target)
    if synthetic_rows:
        groups["synthetic"] = synthetic_parts(folder, synthetic_rows)
    if with_fuzz:
        groups["fuzz"] = fuzz_files(folder, seed=14)
    return groups


# ---------------------------------------------------------------- one side (child process)

def worker(code: Path, listing: Path, out: Path, profile_group: str) -> None:
    """Read every listed file with the checkout ``code``; pickle each outcome."""
    sys.path.insert(0, str(code))
    import cProfile
    import pstats

    import incidents
    from incidents.errors import IncidentsError
    from incidents.io import read_incidents

    assert Path(incidents.__file__).resolve().is_relative_to(code.resolve()), incidents.__file__
    read_incidents(b"event_date,event_type,country,latitude,longitude\n"
                   b"2024-01-01,Battles,Mali,14,-4\n", filename="warm.csv")
    entries = [line.split("\t") for line in listing.read_text().splitlines()]
    cpu: dict[str, float] = {}
    rows: dict[str, int] = {}
    for number, (group, name) in enumerate(entries):
        started = time.process_time()
        try:
            result = read_incidents(Path(name))
            outcome = ("ok", result.records, result.quarantine, result.counts)
            rows[group] = rows.get(group, 0) + result.counts.get("rows", 0)
        except IncidentsError as error:
            outcome = ("error", type(error).__name__, str(error),
                       getattr(error, "row", None), getattr(error, "column", None))
        except Exception as error:  # noqa: BLE001 - an untyped failure is an outcome too
            outcome = ("untyped", type(error).__name__, str(error))
        cpu[group] = cpu.get(group, 0.0) + time.process_time() - started
        with (out / f"{number}.pkl").open("wb") as handle:
            pickle.dump(outcome, handle, protocol=pickle.HIGHEST_PROTOCOL)
        del outcome
    stages: dict[str, float] = {}
    profiled = [name for group, name in entries if group == profile_group]
    if profiled:
        profiler = cProfile.Profile()
        profiler.enable()
        for name in profiled:
            read_incidents(Path(name))
        profiler.disable()
        stats = pstats.Stats(profiler).stats
        total = sum(tt for (_, _, _), (_, _, tt, _, _) in stats.items())
        for label, (filename, function) in STAGES.items():
            stages[label] = sum(
                ct for (file, _, func), (_, _, _, ct, _) in stats.items()
                if func == function and file.endswith(f"incidents/io/{filename}")
            ) / total
    with (out / "cpu.pkl").open("wb") as handle:
        pickle.dump({"cpu": cpu, "rows": rows, "stages": stages}, handle)


def run_side(code: Path, listing: Path, out: Path, profile_group: str) -> dict:
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="read-eq-home-") as home:
        env = {**os.environ, "PYTHONPATH": str(code), "INCIDENTS_HOME": home}
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", str(code),
                        str(listing), str(out), profile_group], cwd=code, env=env, check=True)
    with (out / "cpu.pkl").open("rb") as handle:
        return pickle.load(handle)


# ---------------------------------------------------------------- comparing

def frame_differences(mine, base, what: str) -> list[str]:
    import pandas as pd

    if list(mine.columns) != list(base.columns):
        return [f"{what} columns differ: {list(mine.columns)[:8]} vs {list(base.columns)[:8]}"]
    if not mine.index.equals(base.index):
        return [f"{what} index differs"]
    found = []
    for column in mine.columns:
        a, b = mine[column], base[column]
        if str(a.dtype) != str(b.dtype) or type(a.dtype) is not type(b.dtype):
            found.append(f"{what}.{column} dtype {a.dtype!r} vs {b.dtype!r}")
            continue
        arrow_a = getattr(a.array, "_pa_array", None)
        arrow_b = getattr(b.array, "_pa_array", None)
        if (arrow_a is None) != (arrow_b is None) or (
                arrow_a is not None and arrow_a.type != arrow_b.type):
            found.append(f"{what}.{column} storage {type(a.array).__name__} "
                         f"{getattr(arrow_a, 'type', '')} vs {type(b.array).__name__} "
                         f"{getattr(arrow_b, 'type', '')}")
            continue
        try:
            pd.testing.assert_series_equal(a, b, check_exact=True, check_names=True)
        except AssertionError as error:
            found.append(f"{what}.{column} values: {str(error)[:300]}")
    return found


# GDAL names the in-memory copy of a GeoPackage it could not open after a random id,
# which a message quotes: two reads of one file by one checkout differ there too.
_RANDOM_NAME = re.compile(r"/vsimem/pyogrio_[0-9a-f]+")


def differences(mine: tuple, base: tuple) -> list[str]:
    if mine[0] != base[0]:
        return [f"outcome {mine[0]} {mine[1:3]!r:.300} vs {base[0]} {base[1:3]!r:.300}"]
    if mine[0] != "ok":
        mine, base = (tuple(_RANDOM_NAME.sub("/vsimem/pyogrio_*", part)
                            if isinstance(part, str) else part for part in outcome)
                      for outcome in (mine, base))
        return [] if mine == base else [f"error {mine!r:.300} vs {base!r:.300}"]
    found = frame_differences(mine[1], base[1], "records")
    found += frame_differences(mine[2], base[2], "quarantine")
    if mine[3] != base[3]:
        found.append(f"counts {mine[3]} vs {base[3]}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/mainbase-read-speed"),
                        help="the checkout to compare against (a worktree of main)")
    parser.add_argument("--fuzz", action="store_true", help="add bench/fuzz.py's hostile files")
    parser.add_argument("--synthetic-rows", type=int, default=200_000)
    parser.add_argument("--only", default="", help="corpus groups to read, comma-separated")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        code, listing, out, profile_group = args.worker
        worker(Path(code), Path(listing), Path(out), profile_group)
        return
    if not (args.base / "incidents").is_dir():
        sys.exit(f"{args.base} is not a checkout: make one with "
                 f"git worktree add --detach {args.base} main")
    with tempfile.TemporaryDirectory(prefix="read-eq-") as folder:
        folder_path = Path(folder)
        groups = build_corpus(folder_path, args.synthetic_rows, args.fuzz)
        wanted = set(filter(None, args.only.split(",")))
        entries = [(group, path) for group, paths in groups.items() for path in paths
                   if not wanted or group in wanted]
        listing = folder_path / "listing.tsv"
        listing.write_text("".join(f"{group}\t{path}\n" for group, path in entries))
        print(f"load average before: {os.getloadavg()[0]:.2f}; files: "
              + ", ".join(f"{g} {len(p)}" for g, p in groups.items()))
        sides = {}
        for label, code in (("this", PROJECT), ("base", args.base)):
            sides[label] = run_side(code, listing, folder_path / label, "synthetic")
        differing = 0
        for number, (group, path) in enumerate(entries):
            outcomes = []
            for label in ("this", "base"):
                with (folder_path / label / f"{number}.pkl").open("rb") as handle:
                    outcomes.append(pickle.load(handle))
            found = differences(*outcomes)
            if found:
                differing += 1
                print(f"DIFFERS {group} {path.name}: " + "; ".join(found[:3]))
        print(f"\nfiles compared: {len(entries)}; files with differences: {differing}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        print(f"{'group':<12}{'rows':>10}{'this CPU s':>12}{'base CPU s':>12}")
        for group in groups:
            if group in sides["this"]["cpu"]:
                print(f"{group:<12}{sides['base']['rows'].get(group, 0):>10,}"
                      f"{sides['this']['cpu'][group]:>12.2f}{sides['base']['cpu'][group]:>12.2f}")
        synthetic_rows = sides["base"]["rows"].get("synthetic", 0)
        if synthetic_rows:
            print("\nsynthetic parts, CPU s per 100,000 rows by stage "
                  "(cProfile share x unprofiled CPU):")
            print(f"{'stage':<22}{'this':>8}{'base':>8}")
            per = {label: side["cpu"]["synthetic"] / synthetic_rows * 1e5
                   for label, side in sides.items()}
            for stage in STAGES:
                print(f"{stage:<22}" + "".join(
                    f"{sides[label]['stages'].get(stage, 0) * per[label]:>8.3f}"
                    for label in ("this", "base")))
            print(f"{'total':<22}{per['this']:>8.3f}{per['base']:>8.3f}")


if __name__ == "__main__":
    main()
