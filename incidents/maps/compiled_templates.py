"""folium's Jinja templates compiled once, kept on disk between runs.

Every folium element class compiles its Jinja template when its module is
imported: about ninety templates (``folium``, ``folium.plugins``), 0.5 s of one
core while the dashboard's warm-up imports the page's modules, which the first
page waits for. ``serve.py`` installs this before the warm-up starts.

Jinja turns a template's text into Python source and then into a code object;
only that last result is kept here, marshalled, under ``derived/templates/`` in
the project (``incidents.derived``), named for everything that decides it: the
template's text, the Jinja version, the interpreter's bytecode version and the
environment's syntax settings. Any other text, version or setting makes a new
name, so a kept code object is always the one Jinja would compile.

Like ``incidents.derived``, the cache is an optimisation only: a file that cannot
be read or written means compiling as before. Only templates compiled while the
directory holds fewer than ``MAX_KEPT`` files are written, so templates built
from changing text (a legend's HTML) cannot fill the disk.
"""

from __future__ import annotations

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


def kept_compile(environment: jinja2.Environment, source: Any, name: str | None = None,
                 filename: str | None = None, raw: bool = False,
                 defer_init: bool = False) -> Any:
    """``jinja2.Environment.compile``, reading the code object from disk when a run
    before compiled the same text in the same kind of environment."""
    key = (None if raw or not isinstance(source, str)
           else _key(environment, source, name, filename, defer_init))
    if key is None:
        return _compile(environment, source, name, filename, raw, defer_init)
    path = TEMPLATE_DIR / key
    try:
        code = marshal.loads(path.read_bytes())
        if isinstance(code, CodeType):
            return code
    except (OSError, ValueError, EOFError, TypeError):
        pass
    code = _compile(environment, source, name, filename, raw, defer_init)
    _keep(path, code)
    return code


def _keep(path: Path, code: CodeType) -> None:
    try:
        TEMPLATE_DIR.mkdir(parents=True, exist_ok=True)
        if sum(1 for _ in TEMPLATE_DIR.iterdir()) < MAX_KEPT:
            write_bytes_atomically(path, marshal.dumps(code))
    except OSError:
        pass


def install() -> None:
    """Compile Jinja templates through :func:`kept_compile`, which falls back on the
    compilation installed before (Jinja's own, or one keeping code in memory).
    Idempotent; covers the templates of folium classes imported after it."""
    global _installed, _compile
    if not _installed:
        _compile = jinja2.Environment.compile
        jinja2.Environment.compile = kept_compile
        _installed = True
