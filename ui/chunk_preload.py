"""The first page's widget scripts asked for with the page, not one kind at a time.

Streamlit's frontend loads the script of each kind of element (a select box, a
date input, the map's component...) only when the first such element arrives,
with the smaller scripts it needs: about forty files in twelve rounds, one after
the other as the page's elements come in, each round a request to the Python
server that the drawing of the page waits for. At a million incidents they come
after the warm-up (``ui.warmup``), while the browser has been idle for a second
or more.

:class:`PreloadChunks` (added by ``serve.py``) adds a ``modulepreload`` link for
each of those files to the HTML page Streamlit sends, so the browser fetches them
while the page is still waiting for the server. The files are found from the
names of the element kinds (``FIRST_PAGE_ELEMENTS``) in the dependency lists of
Streamlit's own scripts, as its frontend would find them: a name it no longer
has is left out, and a page whose scripts cannot be read goes out as it came.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit import file_util

# The kinds of elements the explore page draws first (the sidebar's filters, the
# tabs' text, the spinner, the map's component), by the names of their scripts.
FIRST_PAGE_ELEMENTS = ("Html", "Spinner", "Button", "Radio", "Selectbox", "Multiselect",
                       "DateInput", "NumberInput", "Slider", "Checkbox", "TextInput",
                       "ComponentInstance", "rehype-raw")
_SCRIPT = re.compile(r'(?:src|href)="\./static/js/([^"]+\.js)"')
_FILES = re.compile(r"__vite__mapDeps=\(i,m=__vite__mapDeps,d=\(m\.f\|\|\(m\.f=\[([^\]]*)\]")
_LAZY = re.compile(r"import\(`\./([^`]+\.js)`\),__vite__mapDeps\(\[([0-9,]*)\]\)")
_END_OF_HEAD = b"</head>"


def _js_dir() -> str:
    return os.path.join(file_util.get_static_dir(), "static", "js")


def _lazy_dependencies(text: str) -> dict[str, list[str]]:
    """For each script ``text`` imports when first needed: it and the files it needs."""
    listed = _FILES.search(text) if "__vite__mapDeps" in text else None
    if listed is None:
        return {}
    files = [name.strip().strip('"').removeprefix("./") for name in listed.group(1).split(",")]
    return {script: [script, *(files[int(i)] for i in indexes.split(",") if i)]
            for script, indexes in _LAZY.findall(text)}


@lru_cache(maxsize=4)
def preload_links(page: bytes) -> bytes:
    """The links to add to Streamlit's ``page`` (b"" when none): every file the
    ``FIRST_PAGE_ELEMENTS`` need that the page does not already ask for."""
    named = set(_SCRIPT.findall(page.decode("utf-8", "replace")))
    lazy: dict[str, list[str]] = {}
    for script in sorted(named):
        try:
            with open(os.path.join(_js_dir(), script), encoding="utf-8") as file:
                lazy.update(_lazy_dependencies(file.read()))
        except (OSError, ValueError):
            return b""
    wanted: dict[str, None] = {}
    for script, needs in lazy.items():
        if script.rsplit(".", 2)[0] in FIRST_PAGE_ELEMENTS:
            wanted.update(dict.fromkeys(name for name in needs if name not in named))
    return "".join(f'<link rel="modulepreload" crossorigin href="./static/js/{name}">\n'
                   for name in wanted
                   if os.path.isfile(os.path.join(_js_dir(), name))).encode()


class PreloadChunks:
    """ASGI middleware adding :func:`preload_links` to the HTML page Streamlit sends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start: list[Message] = []
        body: list[bytes] = []

        async def held(message: Message) -> None:
            if message["type"] == "http.response.start" and not start:
                headers = Headers(raw=message["headers"])
                if (message["status"] == 200 and "content-encoding" not in headers
                        and headers.get("content-type", "").startswith("text/html")):
                    start.append(message)
                    return
            elif start and message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                await _send_page(send, start[0], b"".join(body))
                return
            await send(message)

        await self.app(scope, receive, held)


async def _send_page(send: Send, start: Message, page: bytes) -> None:
    links = preload_links(page) if _END_OF_HEAD in page else b""
    if links:
        page = page.replace(_END_OF_HEAD, links + _END_OF_HEAD, 1)
        headers = MutableHeaders(raw=list(start["headers"]))
        headers["content-length"] = str(len(page))
        start = {**start, "headers": headers.raw}
    await send(start)
    await send({"type": "http.response.body", "body": page})
