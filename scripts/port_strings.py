"""Add strings written in the old table format to the message catalogs.

Branches written before the catalogs added strings to ``ui/i18n.py``'s ``STRINGS``
(``key: (English, French)``). Give this script that file (or any Python file with such a
dict) and every key the catalogs lack is appended to ``incidents/locale/en`` and ``fr``;
keys already there are left alone unless ``--replace`` (it says which differ). Then
``make messages``.

    git show other-branch:ui/i18n.py > /tmp/old_i18n.py
    .venv/bin/python scripts/port_strings.py /tmp/old_i18n.py
    make messages

It reads the file's source (``ast.literal_eval``), never imports it. A dict of
``language: {key: text}`` (the old map and report tables) is read too; ``--prefix``
puts its keys under a catalog section (``--prefix legend``). A ``<key>_one`` entry
becomes the singular form of ``<key>``'s plural entry.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from incidents.i18n import DOMAIN, LOCALE_DIR, po_path  # noqa: E402

def read_table(path: Path, variable: str) -> dict[str, dict[str, str]]:
    """``{language: {key: text}}`` from the ``variable = {...}`` assignment of a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(target, ast.Name) and target.id == variable for target in targets):
            table = ast.literal_eval(node.value)
            break
    else:
        raise SystemExit(f"{path}: no assignment to {variable}")
    if all(isinstance(value, tuple) for value in table.values()):
        return {"en": {key: pair[0] for key, pair in table.items()},
                "fr": {key: pair[1] for key, pair in table.items()}}
    return table


def load(language: str, locale_dir: Path = LOCALE_DIR) -> Catalog:
    path = po_path(language, locale_dir)
    if path.exists():
        with path.open("rb") as handle:
            return read_po(handle, locale=language, domain=DOMAIN)
    # Babel fills the Plural-Forms header from the language's CLDR rule.
    return Catalog(locale=language, domain=DOMAIN, project="incidents", fuzzy=False)


def save(catalog: Catalog, language: str, locale_dir: Path = LOCALE_DIR) -> None:
    path = po_path(language, locale_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=False,
                 include_lineno=False, ignore_obsolete=True)


def add(table: dict[str, dict[str, str]], prefix: str = "", locale_dir: Path = LOCALE_DIR,
        replace: bool = False) -> list[str]:
    """Append the table's keys the catalogs lack (with ``replace``, also take the table's
    text where the catalog's differs); returns the keys added."""
    added: set[str] = set()
    for language, texts in table.items():
        catalog = load(language, locale_dir)
        changed = False
        for key, text in texts.items():
            if key.endswith("_one") and key[:-4] in texts:
                continue
            msgid = f"{prefix}.{key}" if prefix else key
            singular = texts.get(f"{key}_one")
            existing = catalog.get(msgid)
            if existing is not None:
                wanted = (singular, text) if singular is not None else (text,)
                have = existing.string if isinstance(existing.string, tuple) else (existing.string,)
                if have[:len(wanted)] != wanted and replace:
                    existing.string = wanted + have[len(wanted):] if singular is not None else text
                    changed = True
                    print(f"{language}: {msgid} differs from the catalog; took the table's")
                elif have[:len(wanted)] != wanted:
                    print(f"{language}: {msgid} differs from the catalog; kept the catalog's "
                          "(--replace takes the table's)")
                continue
            if singular is not None:
                # Forms past the second (French "many": a round million) read like "other".
                forms = (singular, *[text] * (catalog.num_plurals - 1))
                catalog.add((msgid, msgid), forms)
            else:
                catalog.add(msgid, text)
            added.add(msgid)
            changed = True
        if changed or not po_path(language, locale_dir).exists():
            save(catalog, language, locale_dir)
    return sorted(added)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="a Python file holding the table")
    parser.add_argument("--variable", default="STRINGS", help="the table's name (default STRINGS)")
    parser.add_argument("--prefix", default="", help="catalog section for its keys")
    parser.add_argument("--replace", action="store_true",
                        help="take the table's text where a key's text differs from the catalog's")
    options = parser.parse_args()
    added = add(read_table(options.file, options.variable), options.prefix, replace=options.replace)
    print(f"{len(added)} keys added" + (": " + ", ".join(added) if added else ""))


if __name__ == "__main__":
    main()
