"""Signing in: a password checked under attempt limits, or an OpenID Connect identity
mapped to a user; every outcome written to the sign-in log.

* :class:`Gate` checks a name and password: during a cooling-off
  (:mod:`incidents.attempts`) it refuses without looking at the password, so a
  correct guess then teaches nothing; the refusal is the same whether or not the
  name exists.
* :func:`identity_user` maps the identity a provider vouched for (Streamlit's
  ``st.user``) to a user of the users file by its verified email; an unknown
  identity is refused, or let in as a viewer when ``$INCIDENTS_OIDC_UNKNOWN_ROLE``
  is ``viewer``. The role always comes from the users file, never the provider.
* :class:`SignInLog` appends one JSON line per event to ``signin-log.jsonl`` in
  the state directory (owner-only), shown on the admin page. The names in it are
  what was typed: data, never markup.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from incidents import config
from incidents.attempts import AttemptLimiter
from incidents.errors import IncidentsError
from incidents.users import User, UsersFile

LOG_FILE = "signin-log.jsonl"
SIGNIN_EVENTS = ("signed_in", "failed", "cooling_off_started", "refused_cooling_off",
                 "signed_out", "identity_signed_in", "identity_refused")
UNKNOWN_ROLE_ENV = "INCIDENTS_OIDC_UNKNOWN_ROLE"
# A typed name is cut to this length in the log (it is whatever a visitor typed).
_LOGGED_NAME_LENGTH = 100


class SignInLog:
    """The sign-in events, one JSON object a line: at (UTC, ISO), event, name, address."""

    def __init__(self, path: Path | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = path or config.state_dir() / LOG_FILE
        self._clock = clock

    def record(self, event: str, name: str, address: str | None = None) -> None:
        if event not in SIGNIN_EVENTS:
            raise ValueError(f"unknown sign-in event {event!r}")
        line = json.dumps({
            "at": datetime.fromtimestamp(self._clock(), UTC).isoformat(timespec="seconds"),
            "event": event, "name": name.strip()[:_LOGGED_NAME_LENGTH],
            "address": address or "local"}, ensure_ascii=False)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as out:
            out.write(line + "\n")

    def recent(self, limit: int = 200) -> list[dict[str, str]]:
        """The newest ``limit`` events, newest first (unreadable lines skipped)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        events = []
        for line in reversed(lines):
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
            if len(events) >= limit:
                break
        return events


@dataclass(frozen=True)
class Outcome:
    """A sign-in's result: the user, or None with the seconds of cooling-off left (0 for
    a plain wrong name or password)."""

    user: User | None
    wait_seconds: float = 0.0


class Gate:
    """Password sign-ins for ``users``, limited by ``limiter`` and logged in ``log``."""

    def __init__(self, users: UsersFile, limiter: AttemptLimiter, log: SignInLog) -> None:
        self.users = users
        self.limiter = limiter
        self.log = log

    def sign_in(self, name: str, password: str, address: str | None = None) -> Outcome:
        wait = self.limiter.wait_seconds(name, address)
        if wait > 0:
            self.log.record("refused_cooling_off", name, address)
            return Outcome(None, wait)
        user = self.users.authenticate(name, password)
        if user is not None:
            self.limiter.succeeded(name)
            self.log.record("signed_in", user.name, address)
            return Outcome(user)
        self.log.record("failed", name, address)
        if self.limiter.failed(name, address):
            self.log.record("cooling_off_started", name, address)
            return Outcome(None, self.limiter.wait_seconds(name, address))
        return Outcome(None)

    def signed_out(self, user: User, address: str | None = None) -> None:
        """End every token of ``user`` (see :mod:`incidents.sessions`) and log it."""
        self.users.end_sessions(user.name)
        self.log.record("signed_out", user.name, address)


def unknown_identity_role() -> str | None:
    """``$INCIDENTS_OIDC_UNKNOWN_ROLE``: ``viewer`` lets unknown identities in as viewers;
    unset refuses them. No other role may be given this way."""
    role = os.environ.get(UNKNOWN_ROLE_ENV, "").strip() or None
    if role not in (None, "viewer"):
        raise IncidentsError(f"{UNKNOWN_ROLE_ENV} may only be 'viewer' (or unset), not {role!r}")
    return role


def identity_user(users: UsersFile, identity: Mapping[str, Any],
                  unknown_role: str | None = None) -> User | None:
    """The user an OpenID Connect identity signs in as, or None (refused).

    The identity's ``email`` must be present and not marked unverified
    (``email_verified`` false); it picks the users-file user with that address
    (``users email NAME ADDRESS``) or that name, who must be active. Unknown
    addresses get ``unknown_role`` (viewer) under the address as their name, or are
    refused when it is None.
    """
    email = identity.get("email")
    if not isinstance(email, str) or "@" not in email or identity.get("email_verified") is False:
        return None
    user = users.by_email(email)
    if user is not None:
        return user if user.active else None
    if unknown_role is None:
        return None
    return User(email.strip(), unknown_role)
