"""incidents.derived: results kept on disk are reused only for the same inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidents import derived


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(derived, "DERIVED_DIR", tmp_path / "derived")
    return []


def counted(calls: list[str], value: object):
    def compute() -> object:
        calls.append("computed")
        return value
    return compute


def test_a_result_is_computed_once_then_read_back(calls) -> None:
    first = derived.kept_on_disk("towns", ["ML", 1], counted(calls, [["Ségou", 13.4, -6.3, 1]]))
    again = derived.kept_on_disk("towns", ["ML", 1], counted(calls, "not used"))
    assert first == again == [["Ségou", 13.4, -6.3, 1]]
    assert calls == ["computed"]


def test_other_inputs_are_another_result(calls) -> None:
    derived.kept_on_disk("outline", ["ML", "stamp-1"], counted(calls, "old"))
    assert derived.kept_on_disk("outline", ["ML", "stamp-2"], counted(calls, "new")) == "new"
    assert derived.kept_on_disk("towns", ["ML", "stamp-1"], counted(calls, "towns")) == "towns"
    assert len(calls) == 3


def test_a_damaged_file_is_computed_again(calls) -> None:
    derived.kept_on_disk("outline", ["ML"], counted(calls, "first"))
    (saved,) = derived.DERIVED_DIR.glob("outline-*.json")
    saved.write_text('{"cut sh', encoding="utf-8")
    assert derived.kept_on_disk("outline", ["ML"], counted(calls, "second")) == "second"
    assert derived.kept_on_disk("outline", ["ML"], counted(calls, "third")) == "second"


def test_a_directory_that_cannot_be_written_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setattr(derived, "DERIVED_DIR", blocker / "derived")
    calls: list[str] = []
    assert derived.kept_on_disk("towns", ["NE"], counted(calls, [1])) == [1]
    assert derived.kept_on_disk("towns", ["NE"], counted(calls, [1])) == [1]
    assert calls == ["computed", "computed"]


def test_the_base_map_outlines_are_the_same_read_back(calls, monkeypatch) -> None:
    from incidents.maps import base

    computed = base._outline_geojson("admin1", ("ML",))
    base.outline_geojson.cache_clear()
    first = base.outline_geojson("admin1", ("ML",))
    base.outline_geojson.cache_clear()
    monkeypatch.setattr(base, "_outline_geojson", lambda *args: pytest.fail("derived again"))
    assert base.outline_geojson("admin1", ("ML",)) == first == computed
    base.outline_geojson.cache_clear()
