"""incidents.atomic: a file is replaced whole or not at all."""

from __future__ import annotations

import doctest
import stat
from pathlib import Path

import pytest

from incidents import atomic


def test_a_failed_write_leaves_the_old_file_and_no_leftover(tmp_path: Path) -> None:
    target = tmp_path / "table.parquet"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(target) as partial:
            partial.write_text("half of the new")
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["table.parquet"]


def test_the_new_file_is_readable_by_all(tmp_path: Path) -> None:
    atomic.write_bytes_atomically(tmp_path / "map.html", b"<html></html>")
    mode = stat.S_IMODE((tmp_path / "map.html").stat().st_mode)
    assert mode == atomic.FILE_MODE


def test_a_cache_write_into_an_unwritable_place_reports_false(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert atomic.write_text_atomically(blocker / "inside" / "cache.json", "{}") is False


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(atomic)
    assert tried > 0 and failures == 0
