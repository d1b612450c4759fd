"""Text from users, files and URLs shown as text, never as Markdown.

Streamlit renders the body of ``st.error``/``st.warning``/``st.info``/``st.success``,
``st.caption``, ``st.subheader`` and widget labels as Markdown: a value like
``![p](http://203.0.113.9/s.png)`` would make the browser fetch from that host,
``[login](http://...)`` would show a live link, and a bare ``http://...`` is
turned into a link too. ``plain`` escapes every ASCII punctuation character with
a backslash (CommonMark allows that for all of them), which leaves nothing for the
Markdown parser, its link auto-detection, Streamlit's ``:color[...]`` directives or
math to act on, and drops control characters; an invisible word joiner after
``http``, ``www`` and ``@`` stops the bare-link detection that runs after escapes. Pass every value that carries
outside text through it before it goes into a message.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# GitHub-flavoured Markdown links bare ``http://``, ``www.`` and e-mail text after
# escapes are resolved, so escaping alone does not stop it: an invisible word
# joiner breaks each of those patterns without changing what the reader sees.
_AUTOLINK_STARTS = re.compile(r"(?i)(\b(?:https?|ftp|mailto|xmpp)(?=:)|\bwww(?=\.)|@)")
WORD_JOINER = "\u2060"


def plain(value: object, limit: int = 2_000) -> str:
    """``value`` as text that Markdown shows literally (cut to ``limit`` characters)."""
    text = _CONTROL.sub("", str(value))
    if len(text) > limit:
        text = text[:limit] + "…"
    text = _AUTOLINK_STARTS.sub(lambda m: m.group(1) + WORD_JOINER, text)
    return _PUNCTUATION.sub(r"\\\1", text).replace("\n", "  \n")
