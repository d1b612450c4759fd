"""What `make run` starts: the dashboard (``dashboard.py``), warmed while it starts.

``streamlit run serve.py`` finds the ``app`` below and serves ``dashboard.py``
through it. Its lifespan starts :func:`ui.warmup.warm` in a thread as the
server starts listening: a browser opened at once loads Streamlit's frontend
while the imports and the store load, and the first page then finds them
done (it waits for the warm-up rather than doing the same work beside it).
``streamlit run dashboard.py`` still works, only with a slower first page.

Serving on ``0.0.0.0`` (``--server.address 0.0.0.0``) makes no outside request:
the address look-ups Streamlit would make are replaced below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import socket

import streamlit as st
from streamlit import net_util

from ui.warmup import warm_in_background


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


@asynccontextmanager
async def _warm_alongside(_app: st.App) -> AsyncIterator[None]:
    warm_in_background()
    yield


app = st.App("dashboard.py", lifespan=_warm_alongside)
