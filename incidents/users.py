"""Who may do what: a users file with hashed passwords, and three roles.

With no users file the dashboard is single-user on localhost, as it always was.
Once users exist, the dashboard asks for a sign-in and the signed-in name is
what the edit history records, never a typed one.

* **viewer**: explore and export.
* **editor**: also upload, add from an article, correct, merge duplicates.
* **admin**: also manage users, see the audit log, revert an edit.

Passwords are stored as scrypt hashes (Python's ``hashlib``, i.e. OpenSSL) with a
random salt per user; the file is written atomically and readable by its owner
only. ``python -m incidents users add|remove|list`` manages it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from incidents import config
from incidents.errors import IncidentsError

USERS_ENV = "INCIDENTS_USERS"
ROLES: dict[str, frozenset[str]] = {
    "viewer": frozenset({"explore", "export"}),
    "editor": frozenset({"explore", "export", "upload", "add_article", "correct", "merge"}),
    "admin": frozenset({"explore", "export", "upload", "add_article", "correct", "merge",
                        "manage_users", "audit", "revert"}),
}
# scrypt cost: 2**14 x 8 x 1 takes about 50 ms and 16 MB, once per sign-in.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class NotAllowedError(IncidentsError):
    """The signed-in user's role does not allow this action."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, action: str) -> bool:
        return action in ROLES.get(self.role, frozenset())

    def require(self, action: str) -> None:
        """Raise :class:`NotAllowedError` unless this user may do ``action``."""
        if not self.can(action):
            raise NotAllowedError(f"{self.name} ({self.role}) may not {action.replace('_', ' ')}")


def users_path() -> Path:
    """``$INCIDENTS_USERS``, else ``users.json`` in the state directory."""
    return Path(os.environ.get(USERS_ENV) or config.state_dir() / "users.json")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    encode = base64.b64encode
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${encode(salt).decode()}$" \
        f"{encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                                  n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


class UsersFile:
    """The users file at ``path`` (``users_path()`` by default)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or users_path()

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise IncidentsError(f"cannot read users file {self.path}: {error}") from error
        return dict(data.get("users", {}))

    def _write(self, users: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=self.path.name, suffix=".tmp",
                                             dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"users": users}, out, indent=2, sort_keys=True)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def configured(self) -> bool:
        """Whether any user exists (then the dashboard requires a sign-in)."""
        return bool(self._read())

    def users(self) -> list[User]:
        return [User(name, entry["role"]) for name, entry in sorted(self._read().items())]

    def add(self, name: str, role: str, password: str) -> User:
        """Add a user, or change an existing one's role and password."""
        name = name.strip()
        if not name:
            raise IncidentsError("a user needs a name")
        if role not in ROLES:
            raise IncidentsError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if len(password) < 8:
            raise IncidentsError("a password needs at least 8 characters")
        users = self._read()
        users[name] = {"role": role, "password": hash_password(password)}
        self._write(users)
        return User(name, role)

    def remove(self, name: str) -> None:
        users = self._read()
        if name not in users:
            raise IncidentsError(f"no user named {name!r}")
        del users[name]
        self._write(users)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password is theirs, else None (same time either way)."""
        entry = self._read().get(name.strip())
        if entry is None:
            # Hash anyway, so a wrong name takes as long as a wrong password.
            check_password(password, hash_password("not a user"))
            return None
        if not check_password(password, entry["password"]):
            return None
        return User(name.strip(), entry["role"])
