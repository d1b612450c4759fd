"""Writing a file so that readers see the old version or the new one, never half of one.

Every writer of a file another process may read at the same time (a cache, a
region set, a gazetteer table, an export) goes through :func:`atomic_path`: the
content is written to a temporary file in the same directory, made readable by
all like an ordinary file (``mkstemp`` creates it owner-only), then renamed over
the target in one step; on any error the temporary file is removed and the
target is left as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o644


@contextmanager
def atomic_path(target: str | os.PathLike, mode: int = FILE_MODE) -> Iterator[Path]:
    """A temporary path to write to; it replaces ``target`` when the block succeeds.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "table.txt") as partial:
    ...     _ = partial.write_text("complete")
    >>> (folder / "table.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('complete', ['table.txt'])
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The writer's pid in the name lets a later writer tell a killed writer's leftover.
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                         dir=target.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_bytes_atomically(target: str | os.PathLike, data: bytes) -> None:
    """Replace ``target`` with ``data`` in one step (see :func:`atomic_path`)."""
    with atomic_path(target) as partial:
        partial.write_bytes(data)


def write_text_atomically(path: Path, text: str) -> bool:
    """Write ``text`` (UTF-8) so that ``path`` appears only once complete; False (and
    nothing left behind) when the directory cannot be written. For caches, where a
    failed write only means computing again."""
    try:
        with atomic_path(path) as partial:
            partial.write_text(text, encoding="utf-8")
    except OSError:
        return False
    return True
