"""What a filter's value is: how it is normalised, written in a URL and typed on the
command line.

``FilterSpec`` keeps plain, hashable values (tuples, dates, ints, stripped text) so a
spec compares equal however it was built and can be a cache key. Each filter names one
of these kinds in its declaration (``incidents.filters.spec``); the URL round trip and
the CLI options are derived from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class ValueKind:
    """A single text value: empty means "no constraint" (``None``)."""

    default: Any = None
    # The command line takes the option several times (a list) / as a bare flag.
    repeatable = False
    is_flag = False
    metavar = "TEXT"

    def normalise(self, raw: Any, name: str) -> Any:
        """The stored form of ``raw`` (a Python value or its URL text); ValueError if malformed."""
        return raw.strip() or None if raw else None

    def is_set(self, value: Any) -> bool:
        return value not in (None, ()) and value is not False

    def to_text(self, value: Any) -> str | list[str]:
        """How the value is written in a URL query and on the command line."""
        return str(value)

    def from_texts(self, texts: Sequence[str]) -> Any:
        """The raw value of a URL parameter given ``texts`` (the last one wins)."""
        return texts[-1] if texts else None


@dataclass(frozen=True)
class Names(ValueKind):
    """Several names, any of which matches: a tuple, repeated in the URL and on the CLI."""

    default: Any = ()
    repeatable = True

    def normalise(self, raw: Any, name: str) -> tuple[str, ...]:
        values = (raw,) if isinstance(raw, str) else (raw or ())
        return tuple(v for v in values if v)

    def to_text(self, value: Any) -> list[str]:
        return list(value)

    def from_texts(self, texts: Sequence[str]) -> tuple[str, ...]:
        return tuple(texts)


@dataclass(frozen=True)
class Day(ValueKind):
    """A calendar day, ``YYYY-MM-DD`` in text."""

    metavar = "YYYY-MM-DD"

    def normalise(self, raw: Any, name: str) -> date | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, date):
            return raw
        return date.fromisoformat(str(raw))

    def to_text(self, value: Any) -> str:
        return value.isoformat()


@dataclass(frozen=True)
class Count(ValueKind):
    """A whole number."""

    metavar = "N"

    def normalise(self, raw: Any, name: str) -> int | None:
        return None if raw in (None, "") else int(raw)


@dataclass(frozen=True)
class Choice(ValueKind):
    """One of a fixed set of words."""

    choices: tuple[str, ...] = ()

    def normalise(self, raw: Any, name: str) -> str | None:
        value = super().normalise(raw, name)
        if value is not None and value not in self.choices:
            raise ValueError(f"unknown {name} {value!r}; use one of {', '.join(self.choices)}")
        return value


@dataclass(frozen=True)
class Flag(ValueKind):
    """On or off; off is "no constraint"."""

    default: Any = False
    is_flag = True

    def normalise(self, raw: Any, name: str) -> bool:
        if isinstance(raw, str):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return bool(raw)


@dataclass(frozen=True)
class Checked(ValueKind):
    """Text that ``check`` must accept (it raises ValueError otherwise), e.g. an area."""

    check: Callable[[str], object] = str
    metavar = "TEXT"

    def normalise(self, raw: Any, name: str) -> str | None:
        value = str(raw).strip() if raw is not None else ""
        if value:
            self.check(value)
        return value or None
