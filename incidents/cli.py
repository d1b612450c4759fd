"""The ``python -m incidents`` command group; each stage contributes commands from its ``commands.py``."""

from __future__ import annotations

import click

from incidents.geocode.commands import gazetteer_group, geocode_command


@click.group()
def cli() -> None:
    """Incident mapping for conflict analysts."""


cli.add_command(gazetteer_group)
cli.add_command(geocode_command)
