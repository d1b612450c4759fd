"""Who may do what: a users file with hashed passwords, and three roles.

With no users file the dashboard is single-user on this machine, as it always
was: the one person at the keyboard may do everything and the edit history
records their login name (:func:`local_user`). Once users exist, the dashboard
asks for a sign-in and the signed-in name is what the edit history records,
never a typed one.

* **viewer**: explore and export.
* **editor**: also upload, add from an article, correct, merge duplicates.
* **admin**: also manage users, see the audit log, revert an edit.

Passwords are stored as Argon2id hashes made by ``argon2-cffi`` (a random salt
per user, the parameters in the hash itself, so a hash made with older
parameters is upgraded at the next sign-in). The file is written atomically and
readable by its owner only. ``python -m incidents users add|role|disable|enable|
remove|list`` manages it from the machine; an admin can do the same in the
dashboard, where every change names who made it (``by=``) and is refused to
anyone else.

Each user also has a session counter (``sessions``) that the signed session
tokens of :mod:`incidents.sessions` carry: changing a user's password or role,
disabling them, or their signing out moves it on, which ends every sign-in
token issued before. An optional ``email`` maps an OpenID Connect identity to
the user (:mod:`incidents.oidc`).
"""

from __future__ import annotations

import functools
import getpass
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from incidents import config
from incidents.errors import IncidentsError

USERS_ENV = "INCIDENTS_USERS"
ROLES: dict[str, frozenset[str]] = {
    "viewer": frozenset({"explore", "export"}),
    "editor": frozenset({"explore", "export", "upload", "add_article", "correct", "merge"}),
    "admin": frozenset({"explore", "export", "upload", "add_article", "correct", "merge",
                        "manage_users", "audit", "revert"}),
}
MIN_PASSWORD_LENGTH = 8
_HASHER = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


class NotAllowedError(IncidentsError):
    """The signed-in user's role does not allow this action."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    active: bool = True

    def can(self, action: str) -> bool:
        return self.active and action in ROLES.get(self.role, frozenset())

    def require(self, action: str) -> None:
        """Raise :class:`NotAllowedError` unless this user may do ``action``."""
        if not self.can(action):
            raise NotAllowedError(f"{self.name} ({self.role}) may not {action.replace('_', ' ')}")


def local_user() -> User:
    """The one user of a dashboard with no users configured: this machine's login, admin."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = "local"
    return User(name, "admin")


def users_path() -> Path:
    """``$INCIDENTS_USERS``, else ``users.json`` in the state directory."""
    return Path(os.environ.get(USERS_ENV) or config.state_dir() / "users.json")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (PHC string: parameters, salt and digest)."""
    return _HASHER.hash(password)


@functools.cache
def decoy_hash() -> str:
    """What a password is checked against when the name is unknown, so that a wrong
    name takes as long as a wrong password. Made on first use (or by the dashboard's
    warm-up), not at import: hashing costs 0.2-0.3 s of CPU, and ``serve.py`` imports
    this module before the server listens."""
    return _HASHER.hash("not a user")


def check_password(password: str, stored: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class UsersFile:
    """The users file at ``path`` (``users_path()`` by default).

    Methods that change it take ``by``: the dashboard passes the signed-in
    user, who must be allowed to ``manage_users``; the command line passes
    nothing (whoever may write the file owns it).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or users_path()

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise IncidentsError(f"cannot read users file {self.path}: {error}") from error
        return dict(data.get("users", {}))

    def _write(self, users: dict[str, dict[str, Any]]) -> None:
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

    @staticmethod
    def _user(name: str, entry: dict[str, Any]) -> User:
        return User(name, entry["role"], not entry.get("disabled", False))

    def configured(self) -> bool:
        """Whether any user exists (then the dashboard requires a sign-in)."""
        return bool(self._read())

    def users(self) -> list[User]:
        """Every user, disabled ones included, by name."""
        return [self._user(name, entry) for name, entry in sorted(self._read().items())]

    def get(self, name: str) -> User | None:
        """The user as the file has them now (None once removed)."""
        entry = self._read().get(name)
        return None if entry is None else self._user(name, entry)

    def add(self, name: str, role: str, password: str, *, by: User | None = None) -> User:
        """Add a user, or change an existing one's role and password (enabling them)."""
        _check_manager(by)
        name = name.strip()
        if not name:
            raise IncidentsError("a user needs a name")
        _check_role(role)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise IncidentsError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        users = self._read()
        if name in users and role != "admin":
            self._keep_an_admin(users, name)
        entry = {"role": role, "password": hash_password(password),
                 "sessions": int(users.get(name, {}).get("sessions", 0)) + 1}
        if users.get(name, {}).get("email"):
            entry["email"] = users[name]["email"]
        users[name] = entry
        self._write(users)
        return User(name, role)

    def set_role(self, name: str, role: str, *, by: User | None = None) -> User:
        """Give an existing user another role."""
        _check_manager(by)
        _check_role(role)
        users = self._existing(name)
        if role != "admin":
            self._keep_an_admin(users, name)
        users[name]["role"] = role
        _end_sessions(users[name])
        self._write(users)
        return self._user(name, users[name])

    def set_active(self, name: str, active: bool, *, by: User | None = None) -> User:
        """Disable a user (they can no longer sign in; a session they have open ends at its
        next page) or enable them again. Their edits stay in the history under their name."""
        _check_manager(by)
        users = self._existing(name)
        if not active:
            self._keep_an_admin(users, name)
        users[name].pop("disabled", None)
        if not active:
            users[name]["disabled"] = True
        _end_sessions(users[name])
        self._write(users)
        return self._user(name, users[name])

    def set_email(self, name: str, email: str | None, *, by: User | None = None) -> User:
        """The address an OpenID Connect identity must show to sign in as ``name`` (None
        removes it). An address belongs to one user only."""
        _check_manager(by)
        users = self._existing(name)
        users[name].pop("email", None)
        if email:
            email = email.strip()
            if "@" not in email:
                raise IncidentsError(f"{email!r} is not an email address")
            taken = self._name_for_email(users, email)
            if taken not in (None, name):
                raise IncidentsError(f"{email} is already {taken}'s address")
            users[name]["email"] = email
        _end_sessions(users[name])
        self._write(users)
        return self._user(name, users[name])

    def by_email(self, email: str) -> User | None:
        """The user whose address is ``email`` (case ignored), else the one named so;
        disabled or not; None when there is neither."""
        users = self._read()
        name = self._name_for_email(users, email)
        return None if name is None else self._user(name, users[name])

    @staticmethod
    def _name_for_email(users: dict[str, dict[str, Any]], email: str) -> str | None:
        wanted = email.strip().casefold()
        return next((name for name, entry in users.items()
                     if str(entry.get("email", "")).casefold() == wanted), None) or next(
            (name for name in users if name.casefold() == wanted), None)

    def emails(self) -> dict[str, str]:
        """Each user's OpenID Connect address, for those who have one."""
        return {name: entry["email"] for name, entry in self._read().items()
                if entry.get("email")}

    def session_version(self, name: str) -> int | None:
        """The user's session counter (None when there is no such user)."""
        entry = self._read().get(name)
        return None if entry is None else int(entry.get("sessions", 0))

    def end_sessions(self, name: str) -> None:
        """End every sign-in token of ``name`` (their signing out; a no-op for an unknown name)."""
        users = self._read()
        if name in users:
            _end_sessions(users[name])
            self._write(users)

    def remove(self, name: str, *, by: User | None = None) -> None:
        _check_manager(by)
        users = self._existing(name)
        if len(users) > 1:  # removing the last user goes back to single-user mode
            self._keep_an_admin(users, name)
        del users[name]
        self._write(users)

    def _existing(self, name: str) -> dict[str, dict[str, Any]]:
        users = self._read()
        if name not in users:
            raise IncidentsError(f"no user named {name!r}")
        return users

    @staticmethod
    def _keep_an_admin(users: dict[str, dict[str, Any]], leaving: str) -> None:
        """Refuse a change that would leave no active admin (nobody could manage users)."""
        admins = [name for name, entry in users.items()
                  if entry["role"] == "admin" and not entry.get("disabled")]
        if admins == [leaving]:
            raise IncidentsError(f"{leaving} is the only active admin: make another admin first")

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password is theirs and they are active, else None (about the
        same time either way)."""
        users = self._read()
        entry = users.get(name.strip())
        if entry is None:
            check_password(password, decoy_hash())
            return None
        if not check_password(password, entry["password"]) or entry.get("disabled"):
            return None
        if _HASHER.check_needs_rehash(entry["password"]):
            entry["password"] = hash_password(password)
            self._write(users)
        return self._user(name.strip(), entry)


def _end_sessions(entry: dict[str, Any]) -> None:
    entry["sessions"] = int(entry.get("sessions", 0)) + 1


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise IncidentsError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")


def _check_manager(by: User | None) -> None:
    if by is not None:
        by.require("manage_users")
