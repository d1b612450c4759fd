"""Streamlit's frontend files and the map's static files, answered in one step.

A first page loads about 120 files from the Python server: Streamlit's
frontend (60 scripts before anything shows, 40 more as the page's widgets
arrive), then the map's scripts and tiles. Streamlit answers each through
Starlette's ``FileResponse``, which checks, opens, reads and closes the file in
worker threads, four or more hand-offs of the interpreter's lock per file. While
the warm-up imports and loads the store (``ui.warmup``), every hand-off waits
for the lock, and the answers spread over one to two seconds that the warm-up
also loses.

:class:`StaticFiles` (added by ``serve.py``) answers a GET or HEAD for an
existing file under ``/static/`` (Streamlit's own, whose names carry their
content's hash) or a picture under ``/app/static/`` (``./static``: the bundled
tiles, the map controls' icons) by reading it on the event loop, with the headers Streamlit
sends for it. The map's constant data under ``/app/static/mapdata/`` (its region
outlines: ``incidents.maps.static_data``), named for its content too, is answered
the same way, with the headers that let a browser keep it for good. Anything else (a missing file, a directory, a path Streamlit's own
checks would refuse, a file over ``MAX_BYTES``, a request for a byte range) goes
to Streamlit unchanged.
"""

from __future__ import annotations

import hashlib
import os
from email.utils import formatdate
from pathlib import Path

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit import config, file_util
from streamlit.web.server.component_file_utils import build_safe_abspath, guess_content_type
from streamlit.web.server.starlette.starlette_server_config import (
    STATIC_ASSET_CACHE_MAX_AGE_SECONDS,
)

from incidents.maps.static_data import MAP_DATA_DIR_NAME

# Larger files (none among Streamlit's or the vendored ones) stream through Streamlit.
MAX_BYTES = 8 * 1024 * 1024
# Under /app/static/ only pictures (the tiles, the controls' icons): Streamlit
# compresses what it sends from there, which for the scripts and styles helps a
# dashboard shared on a network, and for a picture only costs time.
PICTURE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
MAP_DATA_TYPES = ("application/json",)
DASHBOARD_SCRIPT = Path(__file__).resolve().parent.parent / "dashboard.py"


def _roots() -> list[tuple[str, str, dict[str, str], tuple[str, ...]]]:
    """(URL prefix, directory, headers, types answered) for each file tree answered here."""
    base = "/" + (config.get_option("server.baseUrlPath") or "").strip("/")
    base = base.rstrip("/")
    roots = [(f"{base}/static/", os.path.join(file_util.get_static_dir(), "static"),
              {"cache-control": f"public, immutable, max-age={STATIC_ASSET_CACHE_MAX_AGE_SECONDS}"},
              ("",))]
    if config.get_option("server.enableStaticServing"):
        app_static = os.path.realpath(file_util.get_app_static_dir(str(DASHBOARD_SCRIPT)))
        as_streamlit = {"access-control-allow-origin": "*", "x-content-type-options": "nosniff"}
        # Before /app/static/, whose files are looked up under the same folder.
        roots.append((f"{base}/app/static/{MAP_DATA_DIR_NAME}/",
                      os.path.join(app_static, MAP_DATA_DIR_NAME),
                      {**as_streamlit, "cache-control": "public, immutable, max-age=31536000"},
                      MAP_DATA_TYPES))
        roots.append((f"{base}/app/static/", app_static, as_streamlit, PICTURE_TYPES))
    return roots


class StaticFiles:
    """ASGI middleware answering requests for existing static files itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.roots = _roots()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or Headers(scope=scope).get("range")):
            await self.app(scope, receive, send)
            return
        found = self._file(scope["path"])
        if found is None:
            await self.app(scope, receive, send)
            return
        path, extra, media_type = found
        try:
            with open(path, "rb") as file:
                stat = os.fstat(file.fileno())
                body = file.read() if stat.st_size <= MAX_BYTES else None
        except OSError:
            body = None
        if body is None:
            await self.app(scope, receive, send)
            return
        # The validators FileResponse would send, so a revalidation works as before.
        etag = '"' + hashlib.md5(f"{stat.st_mtime}-{stat.st_size}".encode(),
                                 usedforsecurity=False).hexdigest() + '"'
        if media_type.startswith("text/") and "charset" not in media_type:
            media_type += "; charset=utf-8"  # as Starlette's responses say it
        headers = {"content-type": media_type, "accept-ranges": "bytes",
                   "content-length": str(len(body)),
                   "last-modified": formatdate(stat.st_mtime, usegmt=True), "etag": etag,
                   **extra}
        status = 200
        if Headers(scope=scope).get("if-none-match") == etag:
            status, body = 304, b""
            del headers["content-length"]
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.encode("latin-1"), v.encode("latin-1"))
                                for k, v in headers.items()]})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})

    def _file(self, url_path: str) -> tuple[str, dict[str, str], str] | None:
        """The file ``url_path`` names under one of the roots, if it is one answered
        here, its headers and type (the same checks as Streamlit's: no traversal, no
        absolute or unsafe path, no link out)."""
        for prefix, root, extra, types in self.roots:
            if url_path.startswith(prefix):
                relative = url_path[len(prefix):]
                safe = build_safe_abspath(root, relative) if relative else None
                if safe is None or not os.path.isfile(safe):
                    return None
                media_type = guess_content_type(safe)
                if not media_type.startswith(types):
                    return None
                return safe, extra, media_type
        return None
