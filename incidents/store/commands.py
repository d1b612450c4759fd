"""Store commands for ``python -m incidents``: ``verify``."""

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


COMMANDS = [verify_command]
