"""Store commands for ``python -m incidents``: ``verify`` and ``users``."""

from __future__ import annotations

import click


@click.command("verify")
@click.option("--store", "store_path", default=None,
              help="SQLite store file or postgresql:// URL (default: $INCIDENTS_STORE, else"
              " incidents.sqlite in $INCIDENTS_HOME, else var/).")
def verify_command(store_path: str | None) -> None:
    """Check the edit history's hash chain and look for writes made outside the program.

    Exits 1 when the history is broken or the store was written to directly.
    """
    from incidents.store import open_store

    report = open_store(store_path).verify()
    for message in report.messages():
        click.echo(message)
    if not report.ok:
        raise SystemExit(1)


@click.group("users")
def users_group() -> None:
    """Who may sign in to the dashboard, and with which role (viewer, editor, admin)."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), required=True)
@click.password_option("--password", prompt=True, help="asked for when not given")
def users_add(name: str, role: str, password: str) -> None:
    """Add a user (or change an existing one's role and password)."""
    from incidents.users import UsersFile

    users = UsersFile()
    user = users.add(name, role, password)
    click.echo(f"{user.name}: {user.role} (in {users.path})")


@users_group.command("remove")
@click.argument("name")
def users_remove(name: str) -> None:
    """Remove a user."""
    from incidents.users import UsersFile

    UsersFile().remove(name)
    click.echo(f"{name} removed")


@users_group.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["viewer", "editor", "admin"]))
def users_role(name: str, role: str) -> None:
    """Give an existing user another role."""
    from incidents.users import UsersFile

    user = UsersFile().set_role(name, role)
    click.echo(f"{user.name}: {user.role}")


@users_group.command("disable")
@click.argument("name")
def users_disable(name: str) -> None:
    """Stop a user signing in (their edits stay in the history under their name)."""
    from incidents.users import UsersFile

    UsersFile().set_active(name, False)
    click.echo(f"{name} disabled")


@users_group.command("enable")
@click.argument("name")
def users_enable(name: str) -> None:
    """Let a disabled user sign in again."""
    from incidents.users import UsersFile

    UsersFile().set_active(name, True)
    click.echo(f"{name} enabled")


@users_group.command("email")
@click.argument("name")
@click.argument("address", required=False)
def users_email(name: str, address: str | None) -> None:
    """Sign NAME in through OpenID Connect when the provider vouches for ADDRESS
    (no ADDRESS: remove it)."""
    from incidents.users import UsersFile

    UsersFile().set_email(name, address)
    click.echo(f"{name}: {address or 'no address'}")


@users_group.command("list")
def users_list() -> None:
    """List users and their roles (never their passwords)."""
    from incidents.users import UsersFile

    users = UsersFile().users()
    if not users:
        click.echo("no users: the dashboard is single-user on this machine")
    for user in users:
        click.echo(f"{user.name}\t{user.role}" + ("" if user.active else "\tdisabled"))


COMMANDS = [verify_command, users_group]
