"""Incident mapping core: ingest, geocode, store, filter, map and export incidents.

Nothing in this package imports Streamlit; ``dashboard.py`` is a thin shell over it
and ``incidents`` (or ``python -m incidents``) is its command line. For notebooks
and scripts::

    import incidents
    frame, quarantine = incidents.read(incidents.sample("sahel_sample.csv"))
    placed = incidents.geocode(frame)
    chosen = incidents.select(placed, countries=["Mali"])
    incidents.to_map(chosen)

The names below are imported on first use (``incidents.api`` and the stages it
calls), so ``import incidents`` stays cheap for the command line.

``geocode`` and ``extract`` are also the names of subpackages, and importing a
subpackage makes it an attribute of its parent. So that ``incidents.geocode(...)``
works either way, those two subpackages are made callable as they are attached:
calling one calls the ``incidents.api`` function of the same name, while
``incidents.geocode.geocode_frame`` and ``import incidents.geocode`` keep working.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from incidents.api import export, extract, geocode, open_store, read, sample, select, to_map
    from incidents.filters import FilterSpec
    from incidents.selection import Selection

_PUBLIC = {
    "read": "incidents.api",
    "geocode": "incidents.api",
    "open_store": "incidents.api",
    "select": "incidents.api",
    "extract": "incidents.api",
    "to_map": "incidents.api",
    "export": "incidents.api",
    "sample": "incidents.api",
    "FilterSpec": "incidents.filters",
    "Selection": "incidents.selection",
}
# API functions named like a subpackage: the subpackage becomes callable (see above).
_CALLABLE_SUBPACKAGES = ("geocode", "extract")
__all__ = ["__version__", *_PUBLIC]


class CallablePackage(ModuleType):
    """A subpackage that, called, runs the ``incidents.api`` function of its name."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__wrapped__(*args, **kwargs)

    @property
    def __wrapped__(self) -> Any:
        # inspect.signature() follows __wrapped__, so help and completion show the API's.
        return getattr(importlib.import_module("incidents.api"), self.__name__.rpartition(".")[2])


class _Package(ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _CALLABLE_SUBPACKAGES and type(value) is ModuleType:
            value.__class__ = CallablePackage
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in _CALLABLE_SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'incidents' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
