"""``python -m incidents report``: the situation report of the store's filtered incidents."""

from __future__ import annotations

from pathlib import Path

import click

from incidents.filters import FilterSpec
from incidents.filters.options import filter_options
from incidents.i18n import available_languages


@click.command("report")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The report file: .pdf or .png.")
@click.option("--lang", "language", type=click.Choice(available_languages()), default="en",
              show_default=True, help="Language of the report.")
@click.option("--store", "store_path", default=None,
              help="An SQLite store file or a postgresql:// URL (default: $INCIDENTS_STORE, "
                   "else the state dir's file).")
@filter_options
def report(output: Path, language: str, store_path: str | None, spec: FilterSpec) -> None:
    """Write a situation report (map, weekly charts, top lists, severe incidents, notes)."""
    from incidents.report import REPORT_FORMATS, report_content, write_report
    from incidents.store import open_store
    from incidents.store.review import without_merged

    if output.suffix.lower().lstrip(".") not in REPORT_FORMATS:
        raise click.BadParameter("the output must end in .pdf or .png", param_hint="-o")
    store = open_store(store_path)
    content = report_content(without_merged(store.load()), spec, language=language,
                             quarantined=len(store.load_quarantine()))
    write_report(content, output)
    click.echo(f"{output}: {content.total} incidents")


COMMANDS = [report]
