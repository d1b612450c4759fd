"""Each Jinja template text compiled once per process, and (for the server) kept on
disk between runs.

folium and branca build templates from text: every element class compiles its
template when its module is imported (about ninety, 0.5 s of one core while the
dashboard's warm-up imports the page's modules, which the first page waits for),
and some are built while a map renders (every ``GeoJsonTooltip`` and
``GeoJsonPopup`` compiles its style block, and the ``Element`` holding the result
compiles it again), so a filter change compiled the same few texts some eight
times. Jinja's own bytecode cache covers only templates read through a loader,
none of these.

:func:`install` (done by ``incidents.maps``) keeps the compiled code of the last
``KEPT`` texts per Jinja environment in memory. :func:`keep_on_disk` (done by
``serve.py`` before the warm-up imports folium) also keeps each code object,
marshalled, under ``derived/templates/`` in the project (``incidents.derived``),
named for everything that decides it: the text, the Jinja version, the
interpreter's bytecode version and the environment's syntax settings. Any other
text, version or setting makes a new name, so kept code is always the code Jinja
would compile, and each template still runs it in a namespace of its own.

Both are optimisations only: a file that cannot be read or written means
compiling as before. Large texts (above ``LARGEST_KEPT`` characters: one-off
output, not templates) are compiled each time, and files are written only while
the directory holds fewer than ``MAX_KEPT``, so templates built from changing
text cannot fill memory or the disk.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import marshal
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2.compiler import CodeGenerator

from incidents.atomic import write_bytes_atomically
from incidents.derived import DERIVED_DIR

KEPT = 512
LARGEST_KEPT = 20_000
TEMPLATE_DIR = DERIVED_DIR / "templates"
MAX_KEPT = 400
# The environment settings the generated code depends on (besides its class).
_SETTINGS = ("block_start_string", "block_end_string", "variable_start_string",
             "variable_end_string", "comment_start_string", "comment_end_string",
             "line_statement_prefix", "line_comment_prefix", "trim_blocks", "lstrip_blocks",
             "newline_sequence", "keep_trailing_newline", "optimized", "is_async",
             "autoescape")
# How templates were compiled before install() (Jinja's own, or a wrapper of it).
_compile: Callable[..., Any] = jinja2.Environment.compile
_installed = False
_on_disk = False


def compile_once(environment: jinja2.Environment, source: Any, name: str | None = None,
                 filename: str | None = None, raw: bool = False,
                 defer_init: bool = False) -> Any:
    """``jinja2.Environment.compile``, answered from kept code for a text seen before."""
    if raw or not isinstance(source, str) or len(source) > LARGEST_KEPT:
        return _compile(environment, source, name, filename, raw, defer_init)
    return _in_memory(environment, source, name, filename, defer_init)


@functools.lru_cache(maxsize=KEPT)
def _in_memory(environment: jinja2.Environment, source: str, name: str | None,
               filename: str | None, defer_init: bool) -> CodeType:
    key = _key(environment, source, name, filename, defer_init) if _on_disk else None
    if key is None:
        return _compile(environment, source, name, filename, False, defer_init)
    path = TEMPLATE_DIR / key
    try:
        code = marshal.loads(path.read_bytes())
        if isinstance(code, CodeType):
            return code
    except (OSError, ValueError, EOFError, TypeError):
        pass
    code = _compile(environment, source, name, filename, False, defer_init)
    _keep(path, code)
    return code


def _key(environment: jinja2.Environment, source: str, name: str | None,
         filename: str | None, defer_init: bool) -> str | None:
    """The file name for this compilation, or None when it is not to be kept (an
    environment whose generated code may depend on more than its settings)."""
    if (callable(environment.autoescape) or environment.finalize is not None
            or environment.extensions
            or environment.code_generator_class is not CodeGenerator):
        return None
    settings = [type(environment).__module__, type(environment).__qualname__,
                *(repr(getattr(environment, setting)) for setting in _SETTINGS)]
    parts = [jinja2.__version__, importlib.util.MAGIC_NUMBER.hex(), *settings, repr(name),
             repr(filename), repr(defer_init), source]
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:32] + ".marshal"


def _keep(path: Path, code: CodeType) -> None:
    try:
        TEMPLATE_DIR.mkdir(parents=True, exist_ok=True)
        if sum(1 for _ in TEMPLATE_DIR.iterdir()) < MAX_KEPT:
            write_bytes_atomically(path, marshal.dumps(code))
    except OSError:
        pass


def install() -> None:
    """Compile every Jinja text once per process, in front of the compilation installed
    before (Jinja's own, or a wrapper of it). Idempotent."""
    global _installed, _compile
    if not _installed:
        _compile = jinja2.Environment.compile
        jinja2.Environment.compile = compile_once
        _installed = True


def keep_on_disk() -> None:
    """Also read compiled code back from ``TEMPLATE_DIR`` (and write what is new): for a
    server, before folium's classes are imported."""
    global _on_disk
    install()
    _on_disk = True
