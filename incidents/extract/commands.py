"""``python -m incidents extract FILE...``: news articles to candidate incidents."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from tqdm import tqdm

from incidents.extract.dates import Publication, parse_publication
from incidents.extract.pipeline import extract_incidents
from incidents.extract.save import save_candidates


@click.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--published", default=None, metavar="YYYY-MM-DD|YYYY-MM",
              help="Publication date of the articles (a day, or only the month), for relative dates and "
                   "missing years.")
@click.option("--url", default=None, help="Source URL recorded as provenance (single file only).")
@click.option("--json", "as_json", is_flag=True, help="Print the candidates as a JSON list.")
@click.option("--save", is_flag=True, help="Import the candidates into the store.")
@click.option("--store", "store_path", default=None,
              help="SQLite store file (default: the state dir's incidents.sqlite).")
def extract_command(files: tuple[Path, ...], published: str | None, url: str | None, as_json: bool, save: bool,
                    store_path: str | None) -> None:
    """Extract candidate incidents from article text files (French or English)."""
    try:
        published_day: Publication | None = parse_publication(published)
    except ValueError:
        raise click.BadParameter(f"{published!r} is not YYYY-MM-DD or YYYY-MM", param_hint="--published") from None
    everything = []
    for path in tqdm(files, desc="articles", unit="article", file=sys.stderr,
                     disable=len(files) < 2):
        text = path.read_text("utf-8")
        candidates = extract_incidents(text, published_day, url if len(files) == 1 else None)
        for candidate in candidates:
            candidate.record.setdefault("source", path.name)
        everything.extend(candidates)
        if save and candidates:
            save_candidates(candidates, store_path, source_name=f"article:{path.name}")
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in everything], ensure_ascii=False, indent=2, default=str))
    else:
        for candidate in everything:
            r = candidate.record
            flag = " (needs review)" if candidate.needs_review else ""
            click.echo(f"{r.get('event_date') or '????-??-??'}  {r.get('location') or '?'}  "
                       f"{r.get('sub_event_type') or '?'}  fatalities={r.get('fatalities')}{flag}")
    if save:
        click.echo(f"saved {len(everything)} candidate(s)", err=True)
