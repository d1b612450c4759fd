"""Failed sign-in limiting: after too many failures in a window, a cooling-off time.

Failures are counted per user name (case and surrounding spaces ignored) and,
with a higher threshold, per client address: a name tried too often is refused
for ``cooling_off`` seconds from every address, and an address guessing many
names is refused for any name. A name that does not exist is counted exactly
like one that does, so the refusal says nothing about which names are real.
A success clears the name's failures (not the address's). The counts live in
the server's memory: a restart forgets them, which only an administrator of
the machine can cause.

The limits come from the environment (:meth:`Limits.from_env`):
``INCIDENTS_SIGNIN_FAILURES`` (5 per name), ``INCIDENTS_SIGNIN_ADDRESS_FAILURES``
(20 per address), ``INCIDENTS_SIGNIN_WINDOW_MINUTES`` (15) and
``INCIDENTS_SIGNIN_COOLING_MINUTES`` (15).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from incidents.errors import IncidentsError

# Past this many tracked keys, keys with no recent failure are dropped (a flood of
# made-up names cannot grow memory without bound).
_PRUNE_ABOVE = 10_000


@dataclass(frozen=True)
class Limits:
    failures: int = 5
    address_failures: int = 20
    window: float = 15 * 60.0
    cooling_off: float = 15 * 60.0

    @classmethod
    def from_env(cls) -> Limits:
        defaults = cls()
        return cls(
            failures=int(_number("INCIDENTS_SIGNIN_FAILURES", defaults.failures)),
            address_failures=int(_number("INCIDENTS_SIGNIN_ADDRESS_FAILURES",
                                         defaults.address_failures)),
            window=_number("INCIDENTS_SIGNIN_WINDOW_MINUTES", defaults.window / 60) * 60,
            cooling_off=_number("INCIDENTS_SIGNIN_COOLING_MINUTES",
                                defaults.cooling_off / 60) * 60,
        )


def _number(variable: str, default: float) -> float:
    raw = os.environ.get(variable)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise IncidentsError(f"{variable} must be a number, not {raw!r}") from error
    if value <= 0:
        raise IncidentsError(f"{variable} must be more than 0")
    return value


class AttemptLimiter:
    """Counts failed sign-ins; ``clock`` is monotonic seconds (a fake one in tests)."""

    def __init__(self, limits: Limits | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._cooling_until: dict[str, float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(name: str, address: str | None) -> list[str]:
        keys = ["name:" + name.strip().casefold()]
        if address:
            keys.append("address:" + address)
        return keys

    def _threshold(self, key: str) -> int:
        return self.limits.failures if key.startswith("name:") else self.limits.address_failures

    def wait_seconds(self, name: str, address: str | None = None) -> float:
        """Seconds before ``name`` (from ``address``) may be tried again; 0 when it may."""
        now = self._clock()
        with self._lock:
            return max([self._cooling_until.get(key, 0.0) - now
                        for key in self._keys(name, address)] + [0.0])

    def failed(self, name: str, address: str | None = None) -> bool:
        """Count a failure; True when it starts a cooling-off (for the name or address)."""
        now = self._clock()
        started = False
        with self._lock:
            if len(self._failures) > _PRUNE_ABOVE:
                self._prune(now)
            for key in self._keys(name, address):
                times = self._failures.setdefault(key, deque())
                times.append(now)
                while times and times[0] <= now - self.limits.window:
                    times.popleft()
                if len(times) >= self._threshold(key) and \
                        self._cooling_until.get(key, 0.0) <= now:
                    self._cooling_until[key] = now + self.limits.cooling_off
                    times.clear()
                    started = True
        return started

    def succeeded(self, name: str) -> None:
        with self._lock:
            key = self._keys(name, None)[0]
            self._failures.pop(key, None)
            self._cooling_until.pop(key, None)

    def _prune(self, now: float) -> None:
        for key in [key for key, times in self._failures.items()
                    if not times or times[-1] <= now - self.limits.window]:
            del self._failures[key]
        for key in [key for key, until in self._cooling_until.items() if until <= now]:
            del self._cooling_until[key]
