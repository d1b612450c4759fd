"""What `make run` starts: the dashboard (``dashboard.py``), warmed before it takes visitors.

``streamlit run serve.py`` finds the ``app`` below and serves ``dashboard.py``
through it. Its lifespan runs :func:`ui.warmup.warm` before the server
listens, so the first analyst to open the page does not wait for the imports
and for the store to load. ``streamlit run dashboard.py`` still works, only
with a slower first page.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def _warm_first(_app: st.App) -> AsyncIterator[None]:
    from ui.warmup import warm

    await asyncio.to_thread(warm)
    yield


app = st.App("dashboard.py", lifespan=_warm_first)
