"""incidents.users: hashed passwords, roles, and the users commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidents.cli import cli
from incidents.errors import IncidentsError
from incidents.users import NotAllowedError, User, UsersFile


@pytest.fixture
def users(tmp_path: Path) -> UsersFile:
    return UsersFile(tmp_path / "users.json")


def test_no_file_means_no_sign_in(users) -> None:
    assert not users.configured() and users.users() == []


def test_passwords_are_stored_hashed_and_checked(users) -> None:
    users.add("awa", "editor", "correct horse")
    text = users.path.read_text()
    assert "correct horse" not in text and "scrypt$" in text
    assert users.path.stat().st_mode & 0o777 == 0o600
    assert users.authenticate("awa", "correct horse") == User("awa", "editor")
    assert users.authenticate("awa", "wrong horse!") is None
    assert users.authenticate("nobody", "correct horse") is None


def test_two_users_with_one_password_get_different_hashes(users) -> None:
    users.add("awa", "viewer", "same password")
    users.add("binta", "viewer", "same password")
    stored = json.loads(users.path.read_text())["users"]
    assert stored["awa"]["password"] != stored["binta"]["password"]


def test_roles_allow_what_the_issue_lists() -> None:
    viewer, editor, admin = User("v", "viewer"), User("e", "editor"), User("a", "admin")
    assert viewer.can("export") and not viewer.can("upload") and not viewer.can("correct")
    assert editor.can("correct") and editor.can("merge") and not editor.can("manage_users")
    assert admin.can("revert") and admin.can("audit")
    with pytest.raises(NotAllowedError, match="v \\(viewer\\) may not correct"):
        viewer.require("correct")


def test_bad_roles_names_and_short_passwords_are_refused(users) -> None:
    with pytest.raises(IncidentsError, match="unknown role"):
        users.add("awa", "owner", "long enough")
    with pytest.raises(IncidentsError, match="8 characters"):
        users.add("awa", "viewer", "short")
    with pytest.raises(IncidentsError, match="needs a name"):
        users.add("  ", "viewer", "long enough")


def test_users_commands(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("INCIDENTS_USERS", str(tmp_path / "users.json"))
    runner = CliRunner()
    added = runner.invoke(cli, ["users", "add", "awa", "--role", "admin"],
                          input="a long password\na long password\n")
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["users", "list"])
    assert listed.output.strip() == "awa\tadmin" and "password" not in listed.output
    assert runner.invoke(cli, ["users", "remove", "awa"]).exit_code == 0
    assert "no users" in runner.invoke(cli, ["users", "list"]).output
