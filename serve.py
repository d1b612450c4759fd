"""What `make run` starts: the dashboard (``dashboard.py``), warmed while it starts.

``streamlit run serve.py`` finds the ``app`` below and serves ``dashboard.py``
through it. Its lifespan starts :func:`ui.warmup.warm` in a thread as the
server starts listening: a browser opened at once loads Streamlit's frontend
while the imports and the store load, and the first page then finds them
done (it waits for the warm-up rather than doing the same work beside it).
``streamlit run dashboard.py`` still works, only with a slower first page (and
without the analyst's imported basemaps, which this server serves at
``/basemaps/<name>/{z}/{x}/{y}`` from the state dir: ``incidents.maps.basemaps``;
nor a sign-in that survives a reload, whose cookie ``/session/start`` sets:
``ui.session_cookie``).

Serving on ``0.0.0.0`` (``--server.address 0.0.0.0``) makes no outside request:
the address look-ups Streamlit would make are replaced below.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from streamlit import net_util

from incidents.maps import compiled_templates
from incidents.maps.basemaps import URL_PREFIX, read_tile
from ui.chunk_preload import PreloadChunks
from ui.session_cookie import ROUTES as SESSION_ROUTES
from ui.static_files import StaticFiles
from ui.warmup import stop_helper, warm_in_background


def _no_external_ip() -> None:
    """Offline first: never ask checkip.amazonaws.com for this machine's public address."""
    return None


def _local_address() -> str | None:
    """This machine's LAN address from its own name (no UDP "connect" towards 8.8.8.8)."""
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return None


# Streamlit looks both up when serving on 0.0.0.0 (to print "Network/External URL")
# and when checking a request's origin; both stay on this machine.
net_util.get_external_ip = _no_external_ip
net_util.get_internal_ip = _local_address
# Before the warm-up imports folium: its templates are read back rather than compiled.
compiled_templates.keep_on_disk()


LOCAL_ADDRESSES = ("", "127.0.0.1", "localhost", "::1")


def warn_if_open_without_users() -> None:
    """Say so when the dashboard listens beyond this machine with no users configured:
    anyone who reaches it could then upload and correct."""
    from incidents.users import UsersFile

    address = st.get_option("server.address") or ""
    if address not in LOCAL_ADDRESSES and not UsersFile().configured():
        print(f"  WARNING: serving on {address} with no users configured: anyone who reaches"
              " it can upload and correct. Add users with"
              " `python -m incidents users add NAME --role admin`.", file=sys.stderr, flush=True)


@asynccontextmanager
async def _warm_alongside(_app: st.App) -> AsyncIterator[None]:
    warn_if_open_without_users()
    warm_in_background()
    try:
        yield
    finally:
        stop_helper()


async def _basemap_tile(request: Request) -> Response:
    """One tile of an imported basemap; 204 (drawn blank) where the file has none."""
    params = request.path_params
    found = await run_in_threadpool(read_tile, params["name"], params["z"], params["x"],
                                    params["y"])
    if found is None:
        return Response(status_code=204)
    data, mime = found
    return Response(data, media_type=mime, headers={"Cache-Control": "max-age=3600"})


app = st.App("dashboard.py", lifespan=_warm_alongside, routes=[
    Route(URL_PREFIX + "/{name}/{z:int}/{x:int}/{y:int}", _basemap_tile),
    *SESSION_ROUTES,
], middleware=[Middleware(StaticFiles), Middleware(PreloadChunks)])
