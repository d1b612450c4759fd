"""Rebuild ``data/gazetteer/sahel_places.parquet`` from GeoNames dumps (CC BY 4.0).

    .venv/bin/python scripts/build_sahel_gazetteer.py [--real ../shared/real]

Reads the country dumps and GeoNames' admin-code tables from the real-material
folder (see ``data/SOURCES.md`` for which vintage of each), keeps populated
places and admin units of levels 1-3 with their Latin-script alternate names,
admin names and codes, flags entries lying outside their own admin-1 region, and
writes one zstd-compressed Parquet file. ``incidents gazetteer build`` merges it
into the index (it replaces the smaller cities500 rows of these countries).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from incidents.geocode.consistency import outside_stated_admin1  # noqa: E402
from incidents.geocode.geonames import places_from_dump, read_admin_codes, read_dump  # noqa: E402
from incidents.geocode.build import SAHEL_FILE  # noqa: E402

# Newest dump of each country in the material; Burkina Faso's 2025 dump replaces the 2014 one.
DUMPS = (
    "geonames_ml/ML.txt",
    "geonames_BF_2025-08/BF.txt",
    "geonames_bf_ne_2014/NE.txt",
    "geonames_SN_2023-10/SN.txt",
    "geonames_MR_2014-12/MR.txt",
    "geonames_GN_2014-12/GN.txt",
    "geonames_CI_2014-12/CI.txt",
    "geonames_BJ_2015-01/BJ.txt",
    "geonames_GH_2014-11/GH.txt",
    "geonames_TG_2014-11/TG.txt",
    "geonames_CM_2025-12/CM.txt",
)
ADMIN_CODES = ("geonames_admincodes_2025-11/admin1CodesASCII.txt", "geonames_admincodes_2025-11/admin2Codes.txt")


def find_real(explicit: str | None) -> Path:
    for candidate in (explicit, ROOT.parent / "shared" / "real", ROOT / ".." / "shared" / "real", "/work/shared/real"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    sys.exit("no real-material folder found; pass --real DIR")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=None)
    parser.add_argument("--output", default=str(SAHEL_FILE))
    args = parser.parse_args()
    real = find_real(args.real)
    codes: dict[str, str] = {}
    for table in ADMIN_CODES:
        codes.update(read_admin_codes(real / table))
    frames = []
    for dump in DUMPS:
        path = real / dump
        places = places_from_dump(read_dump(path), layer="geonames")
        wanted = {path.stem}
        frames.append(places[places["country_code"].isin(wanted)])
        print(f"{dump}: {len(frames[-1]):,} places and admin units")
    places = pd.concat(frames, ignore_index=True).drop_duplicates("place_id", keep="first")
    places["outside_admin1"] = outside_stated_admin1(places)
    print(f"outside their own admin-1 region (> 5 km): {int(places['outside_admin1'].sum()):,}")
    places["latitude"] = places["latitude"].astype("float32")
    places["longitude"] = places["longitude"].astype("float32")
    places["population"] = places["population"].astype("int32")
    places = places.drop(columns="layer")
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    places.to_parquet(output, index=False, compression="zstd", compression_level=19)
    print(f"wrote {output}: {len(places):,} rows, {output.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
