"""The fuzz's hostile workbooks read whole and in slices: the outcomes must be the same.

The fuzz's workbooks are small, so ``read_incidents`` reads them whole; here each is
read a second time cut into slices of a few cells (incidents/io/xlsxslices.py), and
the two outcomes compared: the same records and quarantine, or errors alike typed.
Sheet bombs are left out (200,000 rows in slices of a few cells would take long; the
reader's tests cover rows far apart).

    .venv/bin/python bench/xlsx_slices_equivalence.py [--seed 14] [--files 160]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fuzz  # noqa: E402

from incidents.errors import IncidentsError  # noqa: E402
from incidents.io import read_incidents, xlsxfile  # noqa: E402


def outcome(data: bytes, sliced: bool) -> tuple:
    xlsxfile.SLICED_ABOVE_ITEMS = 0 if sliced else 10**12
    xlsxfile.SLICE_CELLS = 20
    try:
        result = read_incidents(data, filename="hostile.xlsx")
    except IncidentsError as error:
        return ("typed error", type(error).__name__)
    except Exception as error:  # noqa: BLE001 - counted, not raised
        return ("untyped", repr(error)[:200])
    return ("read", result.counts["rows"], result.records.to_csv(), result.quarantine.to_csv())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--files", type=int, default=160)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    compared = differ = untyped = 0
    for i in range(options.files):
        hostile = fuzz.xlsx_hostile(rng, i)
        if hostile.kind == "xlsx-sheet-bomb":
            continue
        whole, sliced = outcome(hostile.data, False), outcome(hostile.data, True)
        compared += 1
        untyped += "untyped" in (whole[0], sliced[0])
        if whole != sliced:
            differ += 1
            print(f"  {hostile.kind} {hostile.name}: whole {whole[:2]}, sliced {sliced[:2]}")
    print(f"workbooks compared: {compared}; outcomes differing: {differ}; untyped errors: "
          f"{untyped}")


if __name__ == "__main__":
    main()
