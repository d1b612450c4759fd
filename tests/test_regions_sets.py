"""Loading analysts' boundary files: formats, repairs, reprojection, storage, CLI."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely.geometry import Polygon, box

from incidents.cli import cli
from incidents.regions import sets

KIMPARANA = (-4.9245, 12.84217)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def boundaries(crs: str | int = 4326) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "ADM1_FR": ["San", "Ségou", "Noeud"],
            "ADM1_PCODE": ["ML18", "ML04", "ML99"],
            "ADM2_FR": ["Tominian", "Bla", "Papillon"],
            "ADM2_PCODE": ["ML1801", "ML0401", "ML9901"],
        },
        # The third is a self-intersecting "bow-tie", as digitising errors produce.
        geometry=[box(-5.5, 12.5, -4.5, 13.5), box(-7.0, 13.5, -4.5, 15.0),
                  Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])],
        crs=4326,
    )
    return frame.to_crs(crs)


def write_zipped_shapefile(frame: gpd.GeoDataFrame, directory: Path) -> Path:
    shp_dir = directory / "shp"
    shp_dir.mkdir()
    frame.to_file(shp_dir / "adm.shp", driver="ESRI Shapefile")
    archive = directory / "adm.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for part in shp_dir.iterdir():
            handle.write(part, part.name)
    return archive


@pytest.fixture(params=["geojson", "zip", "gpkg"])
def boundary_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    frame = boundaries()
    if request.param == "zip":
        return write_zipped_shapefile(frame, tmp_path)
    path = tmp_path / f"adm.{request.param}"
    frame.to_file(path)
    return path


def test_each_format_loads_and_becomes_active(boundary_file: Path) -> None:
    report = sets.load_region_file(boundary_file, name="cod", admin1_field="ADM1_FR",
                                   admin1_code_field="ADM1_PCODE", country_code="ml")
    assert report.units == 3
    assert sets.active_region_set() == "cod"
    units = sets.region_units()
    assert list(units.columns) == [*sets.UNIT_COLUMNS, "geometry"]
    assert units["admin1"].tolist() == ["San", "Ségou", "Noeud"]
    assert set(units["country"]) == {"ML"}
    assert units.geometry.is_valid.all()


def test_bow_tie_is_repaired_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "adm.geojson"
    boundaries().to_file(path)
    report = sets.load_region_file(path, name="cod", admin1_field="ADM1_FR")
    assert report.repaired == 1
    bow = sets.region_units().set_index("admin1").geometry["Noeud"]
    assert bow.is_valid and bow.area == pytest.approx(0.5)


def test_projected_input_is_reprojected(tmp_path: Path) -> None:
    archive = write_zipped_shapefile(boundaries(3857), tmp_path)
    report = sets.load_region_file(archive, name="cod", admin1_field="ADM1_FR")
    assert report.reprojected_from == "EPSG:3857"
    san = sets.region_units().set_index("admin1").geometry["San"]
    assert san.bounds == pytest.approx((-5.5, 12.5, -4.5, 13.5), abs=1e-6)


def test_missing_crs_assumed_lonlat_with_warning(tmp_path: Path) -> None:
    frame = boundaries().set_crs(None, allow_override=True)
    report = sets.LoadReport(name="x", source="x")
    assert sets.to_wgs84(frame, report).crs.equals(sets.CRS)
    assert "assumed EPSG:4326" in report.warnings[0]


def test_missing_crs_with_metric_coordinates_is_refused() -> None:
    frame = boundaries(3857).set_crs(None, allow_override=True)
    with pytest.raises(sets.BoundaryError, match="no CRS"):
        sets.to_wgs84(frame, sets.LoadReport(name="x", source="x"))


def test_unknown_field_lists_the_real_ones(tmp_path: Path) -> None:
    path = tmp_path / "adm.geojson"
    boundaries().to_file(path)
    with pytest.raises(sets.BoundaryError, match="ADM1_FR, ADM1_PCODE"):
        sets.load_region_file(path, name="cod", admin1_field="NAME_1")


def test_several_layers_need_a_choice(tmp_path: Path) -> None:
    path = tmp_path / "adm.gpkg"
    boundaries().to_file(path, layer="adm1")
    boundaries().to_file(path, layer="adm2")
    with pytest.raises(sets.BoundaryError, match="--layer"):
        sets.load_region_file(path, name="cod", admin1_field="ADM1_FR")
    report = sets.load_region_file(path, name="cod", admin1_field="ADM1_FR", layer="adm2")
    assert report.units == 3


def test_not_a_boundary_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.geojson"
    path.write_text("this is not json", "utf-8")
    with pytest.raises(sets.BoundaryError):
        sets.load_region_file(path, name="cod", admin1_field="ADM1_FR")


@pytest.mark.parametrize("name", ["../escape", "", "natural-earth", "a b"])
def test_set_names_are_checked(tmp_path: Path, name: str) -> None:
    path = tmp_path / "adm.geojson"
    boundaries().to_file(path)
    with pytest.raises(sets.BoundaryError):
        sets.load_region_file(path, name=name, admin1_field="ADM1_FR")


def test_admin2_sets_dissolve_to_admin1(tmp_path: Path) -> None:
    frame = boundaries()
    extra = frame.iloc[[0]].copy()
    extra["ADM2_FR"] = "San"
    extra["geometry"] = [box(-4.5, 12.5, -4.0, 13.5)]
    path = tmp_path / "adm2.geojson"
    gpd.GeoDataFrame(gpd.pd.concat([frame, extra]), crs=4326).to_file(path)
    sets.load_region_file(path, name="cod2", admin1_field="ADM1_FR", admin2_field="ADM2_FR")
    assert len(sets.region_polygons("cod2", "admin2")) == 4
    admin1 = sets.region_polygons("cod2", "admin1").set_index("admin1")
    assert len(admin1) == 3
    assert admin1.geometry["San"].bounds == pytest.approx((-5.5, 12.5, -4.0, 13.5))
    sets.load_region_file(path, name="flat", admin1_field="ADM1_FR")
    with pytest.raises(sets.BoundaryError, match="no admin2"):
        sets.region_polygons("flat", "admin2")


def test_bundled_burkina_provinces_become_admin2_of_its_regions() -> None:
    units = sets.region_units(sets.BUILTIN_SET)
    burkina = units[units["country"] == "BF"]
    assert len(burkina) == 45 and burkina["admin2"].notna().all()
    assert burkina["admin1"].nunique() == 13
    assert set(burkina.loc[burkina["admin2"].isin(["Soum", "Oudalan", "Séno", "Yagha"]), "admin1"]) == {"Sahel"}
    regions = sets.region_polygons(sets.BUILTIN_SET, "admin1")
    assert (regions["country"] == "BF").sum() == 13
    assert len(sets.region_polygons(sets.BUILTIN_SET, "admin2")) == 45
    mali = units[units["country"] == "ML"]
    assert mali["admin2"].isna().all() and "Ségou" in set(mali["admin1"])


def test_use_and_list(tmp_path: Path) -> None:
    path = tmp_path / "adm.geojson"
    boundaries().to_file(path)
    sets.load_region_file(path, name="cod", admin1_field="ADM1_FR", activate=False)
    assert sets.active_region_set() == sets.BUILTIN_SET
    sets.use_region_set("cod")
    listed = {entry["name"]: entry["active"] for entry in sets.list_region_sets()}
    assert listed == {sets.BUILTIN_SET: False, "cod": True}
    with pytest.raises(sets.BoundaryError, match="no region set"):
        sets.use_region_set("other")


def test_cli_load_list_use_locate(tmp_path: Path) -> None:
    path = tmp_path / "adm.gpkg"
    boundaries().to_file(path)
    runner = CliRunner()
    lon, lat = KIMPARANA
    before = runner.invoke(cli, ["regions", "locate", str(lat), str(lon)])
    assert '"admin1": "Ségou"' in before.output
    loaded = runner.invoke(cli, ["regions", "load", str(path), "--name", "cod", "--admin1-field", "ADM1_FR",
                                 "--admin1-code-field", "ADM1_PCODE", "--country", "ML"])
    assert loaded.exit_code == 0, loaded.output
    assert "repaired 1" in loaded.output
    after = runner.invoke(cli, ["regions", "locate", str(lat), str(lon)])
    assert '"admin1": "San"' in after.output and '"admin1_code": "ML18"' in after.output
    listing = runner.invoke(cli, ["regions", "list"])
    assert "* cod" in listing.output
    bad = runner.invoke(cli, ["regions", "load", str(path), "--name", "x", "--admin1-field", "NOPE"])
    assert bad.exit_code == 2 and "no field NOPE" in bad.output
    assert runner.invoke(cli, ["regions", "use", "natural-earth"]).exit_code == 0
    assert sets.active_region_set() == sets.BUILTIN_SET


def test_shapefile_without_prj_loads_with_a_warning(tmp_path: Path) -> None:
    archive_dir = tmp_path / "noprj"
    archive_dir.mkdir()
    archive = write_zipped_shapefile(boundaries(), archive_dir)
    stripped = tmp_path / "noprj.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(stripped, "w") as target:
        for member in source.namelist():
            if not member.endswith(".prj"):
                target.writestr(member, source.read(member))
    report = sets.load_region_file(stripped, name="noprj", admin1_field="ADM1_FR")
    assert any("assumed EPSG:4326" in text for text in report.warnings)
    assert sets.region_units().crs.equals(sets.CRS)


def test_points_are_not_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"ADM1_FR": ["San"]}, geometry=gpd.points_from_xy([-4.9], [12.8]), crs=4326).to_file(path)
    with pytest.raises(sets.BoundaryError, match="no usable polygon"):
        sets.load_region_file(path, name="pts", admin1_field="ADM1_FR")
