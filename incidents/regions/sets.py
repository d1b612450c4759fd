"""Region sets: the bundled Natural Earth admin-1 and the boundaries analysts load.

An analyst's organisation usually has its own boundaries (OCHA COD-AB, geoBoundaries,
GADM). :func:`load_region_file` reads one (GeoJSON, zipped Shapefile, GeoPackage),
maps the analyst's field names onto ours, repairs what it can, reprojects to
EPSG:4326 and stores it under ``<state dir>/regions/NAME.parquet``; the CLI
(``python -m incidents regions load``) and the dashboard both call it.

Every set is kept in one shape: ``country, admin1, admin1_code, admin2, admin2_code,
geometry``, one row per unit of its finest level (admin2 when mapped, else admin1).
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from incidents.atomic import atomic_path
from incidents.config import DATA_DIR, MAX_INPUT_BYTES, state_dir
from incidents.errors import IncidentsError
from incidents.model import CRS
from incidents.regions.boundaries import load_admin1

BUILTIN_SET = "natural-earth"
ADMIN1_GROUPS = DATA_DIR / "regions" / "admin1_groups.csv"
UNIT_COLUMNS: tuple[str, ...] = ("country", "admin1", "admin1_code", "admin2", "admin2_code")
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_POLYGONAL = ("Polygon", "MultiPolygon")


class BoundaryError(IncidentsError):
    """A boundary file could not be used; the message says what to change."""


@dataclass(frozen=True)
class FieldMapping:
    """Which of the file's fields hold each level's name and code.

    ``country_code`` is a constant ISO 3166 alpha-2 code for single-country files
    (COD-AB layers usually are); ``country_field`` reads it per feature instead.
    """

    admin1: str
    admin1_code: str | None = None
    admin2: str | None = None
    admin2_code: str | None = None
    country_field: str | None = None
    country_code: str | None = None


@dataclass
class LoadReport:
    name: str
    source: str
    units: int = 0
    levels: tuple[str, ...] = ("admin1",)
    repaired: int = 0
    dropped: list[str] = field(default_factory=list)
    reprojected_from: str | None = None
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.name}: {self.units} units ({', '.join(self.levels)}) from {self.source}"]
        if self.reprojected_from:
            out.append(f"reprojected from {self.reprojected_from} to {CRS}")
        if self.repaired:
            out.append(f"repaired {self.repaired} invalid geometries")
        out += [f"dropped: {reason}" for reason in self.dropped]
        out += [f"warning: {text}" for text in self.warnings]
        return out


def regions_dir() -> Path:
    path = state_dir() / "regions"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_set_name(name: str) -> str:
    if not _NAME_PATTERN.match(name or ""):
        raise BoundaryError(
            f"region set name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)"
        )
    return name


def read_boundary_file(path: Path | str, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read GeoJSON, a zipped Shapefile or a GeoPackage (one layer) with pyogrio."""
    import pyogrio  # 0.12 s to import: only when a boundary file is loaded

    path = Path(path)
    if not path.exists():
        raise BoundaryError(f"{path}: no such file")
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise BoundaryError(f"{path}: over the {MAX_INPUT_BYTES / 1e6:.0f} MB limit")
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises several GDAL-derived types
        raise BoundaryError(f"{path}: not a readable GeoJSON, zipped Shapefile or GeoPackage ({exc})") from exc
    names = [str(row[0]) for row in layers]
    if layer is None and len(names) > 1:
        raise BoundaryError(f"{path} has several layers ({', '.join(names)}): choose one with --layer")
    if layer is not None and layer not in names:
        raise BoundaryError(f"{path}: no layer {layer!r}; layers are {', '.join(names)}")
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:
        raise BoundaryError(f"{path}: could not be read ({exc})") from exc


def to_wgs84(frame: gpd.GeoDataFrame, report: LoadReport) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326. A layer without CRS is taken as lon/lat, with a warning,
    only when its coordinates fit lon/lat ranges; otherwise it is refused."""
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if len(frame) and not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise BoundaryError(
                "the layer declares no CRS and its coordinates are not longitude/latitude: "
                "save it with its CRS (e.g. a .prj beside the .shp)"
            )
        report.warnings.append("the layer declares no CRS; assumed EPSG:4326 (longitude/latitude)")
        return frame.set_crs(CRS)
    if not frame.crs.equals(CRS):
        report.reprojected_from = frame.crs.to_string()
        return frame.to_crs(CRS)
    return frame


def _polygonal_part(geometry: shapely.Geometry) -> shapely.Geometry | None:
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in _POLYGONAL and not p.is_empty]
    if not parts:
        return None
    return shapely.multipolygons(shapely.get_parts(parts)) if len(parts) > 1 else parts[0]


def repair_geometries(frame: gpd.GeoDataFrame, report: LoadReport) -> gpd.GeoDataFrame:
    """Make invalid polygons valid (shapely.make_valid) and drop what has no area left,
    saying which feature and why."""
    geometry = frame.geometry.array
    invalid = ~shapely.is_valid(geometry) & ~shapely.is_missing(geometry)
    fixed = geometry.copy()
    if invalid.any():
        fixed[invalid] = shapely.make_valid(geometry[invalid])
        report.repaired = int(invalid.sum())
    odd = ~shapely.is_missing(fixed)
    odd &= ~pd.Series(shapely.get_type_id(fixed)).isin([3, 6]).to_numpy()
    for position in odd.nonzero()[0]:
        fixed[position] = _polygonal_part(fixed[position])
    out = frame.set_geometry(gpd.GeoSeries(fixed, index=frame.index, crs=frame.crs))
    unusable = out.geometry.isna() | out.geometry.is_empty
    for position in unusable.to_numpy().nonzero()[0]:
        report.dropped.append(
            f"feature {position + 1} ({out['admin1'].iloc[position]}): no polygon area"
        )
    return out[~unusable.to_numpy()]


def standardise(raw: gpd.GeoDataFrame, mapping: FieldMapping) -> gpd.GeoDataFrame:
    """Rename the analyst's fields onto UNIT_COLUMNS (missing levels become NA)."""
    wanted = {
        "admin1": mapping.admin1,
        "admin1_code": mapping.admin1_code,
        "admin2": mapping.admin2,
        "admin2_code": mapping.admin2_code,
        "country": mapping.country_field,
    }
    missing = [f for f in wanted.values() if f and f not in raw.columns]
    if missing:
        fields = ", ".join(c for c in raw.columns if c != raw.geometry.name)
        raise BoundaryError(f"no field {', '.join(missing)} in the layer; its fields are: {fields}")
    out = gpd.GeoDataFrame(
        {
            column: (raw[source].astype("string").str.strip() if source else pd.NA)
            for column, source in wanted.items()
        },
        geometry=raw.geometry.values,
        crs=raw.crs,
    )
    if mapping.country_code:
        out["country"] = mapping.country_code.upper()
    for column in UNIT_COLUMNS:
        out[column] = out[column].astype("string")
    return out[list(UNIT_COLUMNS) + ["geometry"]]


def prepare_boundaries(
    path: Path | str, mapping: FieldMapping, *, name: str, layer: str | None = None
) -> tuple[gpd.GeoDataFrame, LoadReport]:
    """Read, map fields, reproject and repair; nothing is stored."""
    report = LoadReport(name=check_set_name(name), source=Path(path).name)
    raw = read_boundary_file(path, layer=layer)
    units = standardise(raw, mapping)
    units = to_wgs84(units, report)
    units = repair_geometries(units, report)
    nameless = units["admin1"].isna() | (units["admin1"] == "")
    for position in nameless.to_numpy().nonzero()[0]:
        report.dropped.append(f"feature {position + 1}: empty {mapping.admin1}")
    units = units[~nameless.to_numpy()].reset_index(drop=True)
    if units.empty:
        raise BoundaryError(f"{report.source}: no usable polygon with a name in {mapping.admin1}")
    report.units = len(units)
    report.levels = ("admin1", "admin2") if mapping.admin2 else ("admin1",)
    return units, report


def load_region_file(
    path: Path | str,
    *,
    name: str,
    admin1_field: str,
    admin1_code_field: str | None = None,
    admin2_field: str | None = None,
    admin2_code_field: str | None = None,
    country_field: str | None = None,
    country_code: str | None = None,
    layer: str | None = None,
    activate: bool = True,
) -> LoadReport:
    """Load a boundary file as region set ``name`` and (by default) make it active."""
    if name == BUILTIN_SET:
        raise BoundaryError(f"{BUILTIN_SET!r} is the bundled set; choose another name")
    mapping = FieldMapping(
        admin1_field, admin1_code_field, admin2_field, admin2_code_field, country_field, country_code
    )
    units, report = prepare_boundaries(path, mapping, name=name, layer=layer)
    directory = regions_dir()
    with atomic_path(directory / f"{name}.parquet") as partial:
        units.to_parquet(partial)
    meta = {
        "name": name,
        "mapping": asdict(mapping),
        "layer": layer,
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "report": report.lines(),
        **{k: v for k, v in asdict(report).items() if k in ("source", "units", "levels")},
    }
    (directory / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
    if activate:
        use_region_set(name)
    return report


def list_region_sets() -> list[dict]:
    """The bundled set then each loaded one: name, source, units, levels, active."""
    active = active_region_set()
    sets = [
        {"name": BUILTIN_SET, "source": "Natural Earth 4.1.0 admin-1 (bundled)",
         "units": len(load_admin1()), "levels": ["admin1"]}
    ]
    for meta_path in sorted(regions_dir().glob("*.json")):
        if meta_path.name == "active.json":
            continue
        meta = json.loads(meta_path.read_text("utf-8"))
        sets.append({k: meta.get(k) for k in ("name", "source", "units", "levels", "loaded_at")})
    for entry in sets:
        entry["active"] = entry["name"] == active
    return sets


def use_region_set(name: str) -> None:
    """Make ``name`` the active region set (kept in the state dir)."""
    if name != BUILTIN_SET and not (regions_dir() / f"{check_set_name(name)}.parquet").exists():
        known = ", ".join(s["name"] for s in list_region_sets())
        raise BoundaryError(f"no region set {name!r}; known: {known}")
    (regions_dir() / "active.json").write_text(json.dumps({"name": name}), "utf-8")


def active_region_set() -> str:
    pointer = regions_dir() / "active.json"
    if pointer.exists():
        name = json.loads(pointer.read_text("utf-8")).get("name")
        if name == BUILTIN_SET or (regions_dir() / f"{name}.parquet").exists():
            return name
    return BUILTIN_SET


@lru_cache(maxsize=4)
def _read_units(path: str, mtime: float) -> gpd.GeoDataFrame:
    return gpd.read_parquet(path)


@lru_cache(maxsize=1)
def _admin1_groups() -> pd.DataFrame:
    return pd.read_csv(ADMIN1_GROUPS, dtype="string", keep_default_na=False)


def _bundled_units() -> gpd.GeoDataFrame:
    """Natural Earth admin-1 in our shape. Where Natural Earth's units are one level
    below what analysts call admin-1 (Burkina Faso's 45 provinces), they become
    admin2 under their region, per ``data/regions/admin1_groups.csv``."""
    ne = load_admin1()
    units = pd.DataFrame(
        {
            "country": ne["iso_a2"].astype("string"),
            "admin1": ne["admin1"].astype("string"),
            "admin1_code": ne["fips"].astype("string"),
            "admin2": pd.Series(pd.NA, index=ne.index, dtype="string"),
            "admin2_code": pd.Series(pd.NA, index=ne.index, dtype="string"),
        }
    )
    groups = _admin1_groups()
    parent = units[["country", "admin1"]].merge(
        groups.rename(columns={"unit": "admin1", "admin1": "parent"}), on=["country", "admin1"], how="left"
    )["parent"].fillna("").to_numpy(dtype=object)
    grouped = parent != ""
    units.loc[grouped, "admin2"] = units.loc[grouped, "admin1"]
    units.loc[grouped, "admin2_code"] = units.loc[grouped, "admin1_code"]
    units.loc[grouped, "admin1"] = parent[grouped]
    units.loc[grouped, "admin1_code"] = pd.NA
    return gpd.GeoDataFrame(units, geometry=ne.geometry.values, crs=CRS)


def region_units(name: str | None = None) -> gpd.GeoDataFrame:
    """The units of a region set (the active one by default), finest level, as a copy."""
    name = name or active_region_set()
    if name == BUILTIN_SET:
        return _bundled_units()
    path = regions_dir() / f"{check_set_name(name)}.parquet"
    if not path.exists():
        raise BoundaryError(f"no region set {name!r}")
    return _read_units(str(path), path.stat().st_mtime).copy()


def has_admin2(units: gpd.GeoDataFrame) -> bool:
    return bool(units["admin2"].notna().any())


def region_polygons(name: str | None = None, level: str = "admin1") -> gpd.GeoDataFrame:
    """One row per region of ``level`` (admin2 units are dissolved up to admin1)."""
    units = region_units(name)
    if level == "admin2":
        if not has_admin2(units):
            raise BoundaryError(f"region set {name or active_region_set()!r} has no admin2 level")
        return units[units["admin2"].notna()].reset_index(drop=True)
    if not has_admin2(units):
        return units
    keys = units["country"].fillna("") + "\x1f" + units["admin1"].fillna("")
    shared = keys.duplicated(keep=False).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        merged = units[shared].dissolve(by=["country", "admin1"], dropna=False, as_index=False, aggfunc="first")
    merged["admin2"] = pd.NA
    merged["admin2_code"] = pd.NA
    alone = units[~shared].assign(admin2=pd.NA, admin2_code=pd.NA)
    columns = list(UNIT_COLUMNS) + ["geometry"]
    out = pd.concat([alone[columns], merged[columns]], ignore_index=True)
    for column in UNIT_COLUMNS:
        out[column] = out[column].astype("string")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS)
