"""Re-create and check the texts of the real-news benchmark (bench/realnews/).

The article texts are copyrighted, so the repository keeps only their addresses,
labels and a few short verbatim anchors (articles.json). The texts live in
bench/realnews/texts/ (git-ignored), one ``<id>.txt`` per article, holding the page
excerpt the ``search`` tool's ``pages`` corpus returns for the address (query with the
headline or the anchors; the excerpt starts at the page's beginning).

    .venv/bin/python bench/realnews/texts.py check            # every text present, anchors found
    .venv/bin/python bench/realnews/texts.py save ID < page.txt   # store one re-retrieved text
    .venv/bin/python bench/realnews/texts.py anchors FILE     # anchors for a new article's text
    .venv/bin/python bench/realnews/texts.py reserved         # no address is reserved for evaluation

``save`` refuses a text whose anchors do not all occur in it, so a different page (or a
different version of it) is never labelled with these labels.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles.json"
TEXTS = HERE / "texts"
RESERVED_NAME = "reserved-article-urls.sha1"
ANCHOR_WORDS = 6


def squash(text: str) -> str:
    """Whitespace collapsed and Unicode composed, so copies that differ only in layout compare equal."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def anchors_for(text: str) -> list[str]:
    """Three short verbatim runs of words: at the start, the middle and the end of the text."""
    words = squash(text).split(" ")
    if len(words) <= ANCHOR_WORDS:
        return [" ".join(words)]
    starts = sorted({0, max(0, len(words) // 2 - ANCHOR_WORDS // 2), len(words) - ANCHOR_WORDS})
    return [" ".join(words[i:i + ANCHOR_WORDS]) for i in starts]


def missing_anchors(article: dict, text: str) -> list[str]:
    flat = squash(text)
    return [anchor for anchor in article["anchors"] if anchor not in flat]


def load_articles() -> list[dict]:
    return json.loads(ARTICLES.read_text("utf-8"))["articles"]


def normalised_address(url: str) -> str:
    """The address form the reserved list hashes: lower case, no scheme, no 'www.', no trailing '/'."""
    address = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().lower())
    return re.sub(r"^www\.", "", address).rstrip("/")


def reserved_hashes() -> set[str] | None:
    for candidate in (HERE.parent.parent.parent / "shared" / RESERVED_NAME, Path("/work/shared") / RESERVED_NAME):
        if candidate.is_file():
            lines = candidate.read_text("utf-8").splitlines()
            return {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    return None


def check() -> int:
    problems = 0
    articles = load_articles()
    for article in articles:
        path = TEXTS / f"{article['id']}.txt"
        if not path.is_file():
            print(f"missing text: {article['id']} ({article['url']})")
            problems += 1
            continue
        missing = missing_anchors(article, path.read_text("utf-8"))
        if missing:
            print(f"anchors not found in {path.name}: {missing}")
            problems += 1
    print(f"{len(articles)} articles, {len(articles) - problems} texts present with all anchors")
    return 1 if problems else 0


def save(article_id: str) -> int:
    article = next((a for a in load_articles() if a["id"] == article_id), None)
    if article is None:
        print(f"no article {article_id!r} in {ARTICLES.name}")
        return 1
    text = sys.stdin.read()
    missing = missing_anchors(article, text)
    if missing:
        print(f"not saved: anchors not found {missing}")
        return 1
    TEXTS.mkdir(exist_ok=True)
    (TEXTS / f"{article_id}.txt").write_text(text, "utf-8")
    print(f"saved {article_id}")
    return 0


def reserved() -> int:
    hashes = reserved_hashes()
    if hashes is None:
        print(f"{RESERVED_NAME} not found; skipped")
        return 0
    used = [a["id"] for a in load_articles()
            if hashlib.sha1(normalised_address(a["url"]).encode("utf-8")).hexdigest() in hashes]
    print(f"reserved addresses used: {used or 'none'}")
    return 1 if used else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        return check()
    if argv[:1] == ["save"] and len(argv) == 2:
        return save(argv[1])
    if argv[:1] == ["anchors"] and len(argv) == 2:
        print(json.dumps(anchors_for(Path(argv[1]).read_text("utf-8")), ensure_ascii=False))
        return 0
    if argv[:1] == ["reserved"]:
        return reserved()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
