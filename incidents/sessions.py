"""Sign-ins that survive a reload: signed, expiring session tokens.

After a password sign-in the dashboard issues a token naming the user and their
session counter (``UsersFile.session_version``), signed with HMAC by
``itsdangerous`` under a secret key and stamped with the time. The browser keeps
it in an HttpOnly cookie (set by ``serve.py``'s ``/session/start`` route, see
``ui.session_cookie``); a new tab or a reload sends it back and
:meth:`SessionTokens.verify` turns it into the user again, read from the users
file as they are now. A token is refused once it is older than the configured
lifetime, when the key has changed, when the user is disabled or removed, and
when their counter has moved on (a new password or role, or their signing out).
No password, hash or role is in the token: it only says who and which counter.

The key is 32 random bytes (``secrets``) in ``session.key`` in the state
directory, created at first use and readable by its owner only; deleting it
ends every session. ``$INCIDENTS_SESSION_HOURS`` sets the lifetime (12 hours by
default).

The browser is handed the token by a one-time code (:class:`Handoffs`): the page
only ever carries that code, which the ``/session/start`` route exchanges for
the cookie once, within a minute.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from incidents import config
from incidents.errors import IncidentsError
from incidents.users import User, UsersFile

COOKIE_NAME = "incidents_session"
KEY_FILE = "session.key"
LIFETIME_ENV = "INCIDENTS_SESSION_HOURS"
DEFAULT_LIFETIME_HOURS = 12.0
HANDOFF_SECONDS = 60.0
_SALT = "incidents.session"


def lifetime_seconds() -> int:
    """How long a sign-in lasts: ``$INCIDENTS_SESSION_HOURS`` (default 12) in seconds."""
    raw = os.environ.get(LIFETIME_ENV)
    try:
        hours = float(raw) if raw else DEFAULT_LIFETIME_HOURS
    except ValueError as error:
        raise IncidentsError(f"{LIFETIME_ENV} must be a number of hours, not {raw!r}") from error
    if hours <= 0:
        raise IncidentsError(f"{LIFETIME_ENV} must be more than 0")
    return int(hours * 3600)


def session_key(path: Path | None = None) -> bytes:
    """The signing key, created with ``secrets`` the first time (owner-only file)."""
    path = path or config.state_dir() / KEY_FILE
    if not path.exists():
        # Written whole under another name, then linked into place: two first uses at
        # once both end up with the one key that won, never a half-written file.
        handle, temporary = tempfile.mkstemp(prefix=KEY_FILE, dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(secrets.token_bytes(32))
            os.chmod(temporary, 0o600)
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    key = path.read_bytes()
    if len(key) < 32:
        raise IncidentsError(f"{path} is too short to be a session key; delete it")
    return key


class SessionTokens:
    """Issue and check session tokens for the users of ``users``.

    ``clock`` (seconds since the epoch) is for tests; ``key`` defaults to
    :func:`session_key` and ``lifetime`` to :func:`lifetime_seconds`.
    """

    def __init__(self, users: UsersFile | None = None, *, key: bytes | None = None,
                 lifetime: int | None = None, clock: Callable[[], float] = time.time) -> None:
        self.users = users or UsersFile()
        self.lifetime = lifetime if lifetime is not None else lifetime_seconds()
        signer = type("ClockedSigner", (TimestampSigner,),
                      {"get_timestamp": lambda _self: int(clock())})
        self._serializer = URLSafeTimedSerializer(key or session_key(), salt=_SALT,
                                                  signer=signer)

    def issue(self, user: User) -> str:
        """A token for ``user`` as the users file has them now."""
        version = self.users.session_version(user.name)
        if version is None:
            raise IncidentsError(f"no user named {user.name!r}")
        return str(self._serializer.dumps({"u": user.name, "v": version}))

    def verify(self, token: str) -> User | None:
        """The token's user, or None when it is forged, expired or no longer theirs."""
        checked = self.check(token)
        return None if checked is None else checked[0]

    def check(self, token: str) -> tuple[User, float] | None:
        """The token's user and when the token expires (seconds since the epoch), or None
        when it is forged, expired or no longer theirs."""
        try:
            claims, issued = self._serializer.loads(token, max_age=self.lifetime,
                                                    return_timestamp=True)
        except BadSignature:
            return None
        if not isinstance(claims, dict) or not isinstance(claims.get("u"), str):
            return None
        name = claims["u"]
        user = self.users.get(name)
        if user is None or not user.active or claims.get("v") != self.users.session_version(name):
            return None
        return user, issued.timestamp() + self.lifetime


class Handoffs:
    """One-time codes the page carries instead of the token itself: :meth:`take` gives
    a code's token once, within ``HANDOFF_SECONDS``. Kept in this process (the
    dashboard and its ``/session`` routes are one server)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._pending: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def put(self, token: str) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            self._pending = {key: value for key, value in self._pending.items()
                             if value[1] > now}
            self._pending[code] = (token, now + HANDOFF_SECONDS)
        return code

    def take(self, code: str) -> str | None:
        with self._lock:
            token, expires = self._pending.pop(code, (None, 0.0))
        return token if token is not None and expires > self._clock() else None


HANDOFFS = Handoffs()
