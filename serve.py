"""What `make run` starts: the dashboard (``dashboard.py``), warmed while it starts.

``streamlit run serve.py`` finds the ``app`` below and serves ``dashboard.py``
through it. Its lifespan starts :func:`ui.warmup.warm` in a thread as the
server starts listening: a browser opened at once loads Streamlit's frontend
while the imports and the store load, and the first page then finds them
done (it waits for the warm-up rather than doing the same work beside it).
``streamlit run dashboard.py`` still works, only with a slower first page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

from ui.warmup import warm_in_background


@asynccontextmanager
async def _warm_alongside(_app: st.App) -> AsyncIterator[None]:
    warm_in_background()
    yield


app = st.App("dashboard.py", lifespan=_warm_alongside)
