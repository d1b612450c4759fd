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
    assert "correct horse" not in text and "$argon2id$" in text
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


def test_an_admin_changes_roles_and_disables_users_and_nobody_else_may(users) -> None:
    admin = users.add("ali", "admin", "a long password")
    users.add("awa", "editor", "a long password")
    assert users.set_role("awa", "viewer", by=admin) == User("awa", "viewer")
    with pytest.raises(NotAllowedError, match="may not manage users"):
        users.set_role("ali", "viewer", by=User("awa", "editor"))
    users.set_active("awa", False, by=admin)
    assert users.get("awa") == User("awa", "viewer", active=False)
    assert users.authenticate("awa", "a long password") is None
    assert not users.get("awa").can("explore")
    users.set_active("awa", True, by=admin)
    assert users.authenticate("awa", "a long password") == User("awa", "viewer")


def test_the_last_active_admin_cannot_be_demoted_disabled_or_removed(users) -> None:
    admin = users.add("ali", "admin", "a long password")
    users.add("awa", "editor", "a long password")
    for change in (lambda: users.set_role("ali", "editor", by=admin),
                   lambda: users.set_active("ali", False, by=admin),
                   lambda: users.remove("ali", by=admin)):
        with pytest.raises(IncidentsError, match="only active admin"):
            change()
    users.add("binta", "admin", "a long password")
    users.set_role("ali", "editor", by=admin)
    assert users.get("ali").role == "editor"
    for name in ("awa", "ali", "binta"):  # the last user of all: back to single-user mode
        users.remove(name)
    assert not users.configured()


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_sign_in(users) -> None:
    from argon2 import PasswordHasher

    users.add("awa", "editor", "a long password")
    stored = json.loads(users.path.read_text())
    stored["users"]["awa"]["password"] = PasswordHasher(time_cost=1).hash("a long password")
    users.path.write_text(json.dumps(stored))
    assert users.authenticate("awa", "a long password") == User("awa", "editor")
    upgraded = json.loads(users.path.read_text())["users"]["awa"]["password"]
    assert ",t=1," not in upgraded and users.authenticate("awa", "a long password")


def test_role_disable_and_enable_commands(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("INCIDENTS_USERS", str(tmp_path / "users.json"))
    UsersFile(tmp_path / "users.json").add("ali", "admin", "a long password")
    UsersFile(tmp_path / "users.json").add("awa", "viewer", "a long password")
    runner = CliRunner()
    assert runner.invoke(cli, ["users", "role", "awa", "editor"]).output == "awa: editor\n"
    assert runner.invoke(cli, ["users", "disable", "awa"]).exit_code == 0
    assert "awa\teditor\tdisabled" in runner.invoke(cli, ["users", "list"]).output
    refused = runner.invoke(cli, ["users", "disable", "ali"])
    assert refused.exit_code != 0 and "only active admin" in refused.output
    assert runner.invoke(cli, ["users", "enable", "awa"]).exit_code == 0


def test_email_command_maps_an_identity_to_a_user(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("INCIDENTS_USERS", str(tmp_path / "users.json"))
    users = UsersFile(tmp_path / "users.json")
    users.add("awa", "editor", "a long password")
    runner = CliRunner()
    assert runner.invoke(cli, ["users", "email", "awa", "awa@example.org"]).exit_code == 0
    assert users.by_email("AWA@example.org").name == "awa"
    refused = runner.invoke(cli, ["users", "email", "awa", "awa"])
    assert refused.exit_code != 0 and "not an email address" in refused.output
    assert runner.invoke(cli, ["users", "email", "awa"]).exit_code == 0
    assert users.by_email("awa@example.org") is None
