"""The article as HTML with every piece of evidence wrapped in ``<mark>``.

The article text is escaped piece by piece before any tag is added, so
whatever the article contains reaches the page as text, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable

from incidents.extract.candidate import Evidence
from incidents.maps.escape import escape_text


def highlight_html(text: str, evidence: dict[str, Evidence],
                   label: Callable[[str], str] = str) -> str:
    """Escaped ``text`` with ``<mark data-fields="...">`` around each evidence span.

    ``data-fields`` holds the canonical column names; the hover title, their ``label``s.
    """
    fields_at: dict[int, set[str]] = {}
    cuts = {0, len(text)}
    for name, item in evidence.items():
        for start, end in item.spans:
            start, end = max(0, start), min(len(text), end)
            if start >= end:
                continue
            cuts.update((start, end))
            for position in range(start, end):
                fields_at.setdefault(position, set()).add(name)
    ordered = sorted(cuts)
    pieces = []
    for start, end in zip(ordered, ordered[1:]):
        chunk = escape_text(text[start:end]).replace("\n", "<br>")
        fields = fields_at.get(start)
        if fields:
            names = escape_text(", ".join(sorted(fields)))
            title = escape_text(", ".join(label(name) for name in sorted(fields)))
            pieces.append(f'<mark data-fields="{names}" title="{title}">{chunk}</mark>')
        else:
            pieces.append(chunk)
    return "".join(pieces)
