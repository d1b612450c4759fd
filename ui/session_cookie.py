"""The session cookie: set and cleared by two server routes, asked for by the page.

``serve.py`` mounts :data:`ROUTES`. After a sign-in the page runs a one-line
script (:func:`hand_to_browser`) that posts a one-time code
(``incidents.sessions.HANDOFFS``) to ``/session/start``; the route answers with
the session token as a cookie that is:

* **HttpOnly**: set by the server, so no script on the page can read it (the
  page never sees the token, only the code, which is spent once used);
* **SameSite=Strict**: never sent on a request started by another site;
* **Secure** when the dashboard is served over https (or
  ``$INCIDENTS_COOKIE_SECURE=1`` behind a TLS proxy that does not say so);
* limited to the sign-in lifetime (``Max-Age``), and checked on every new
  connection by ``incidents.sessions.SessionTokens.verify`` anyway.

``/session/end`` clears it. Both routes refuse a request whose ``Origin`` is
another site. Run as ``streamlit run dashboard.py`` (without ``serve.py``) the
routes do not exist: the sign-in then lasts as long as the tab, as before.
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from incidents.sessions import COOKIE_NAME, HANDOFFS, lifetime_seconds

SESSION_PATH = "/session/start"
SIGNOUT_PATH = "/session/end"
SECURE_ENV = "INCIDENTS_COOKIE_SECURE"
_CODE_LIMIT = 256  # bytes: a hand-off code is 43


def _same_site(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc == request.headers.get("host")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or os.environ.get(SECURE_ENV) == "1"


async def _short_body(request: Request) -> str:
    """The request's body when it is no longer than a code; "" otherwise (never read
    past that, whatever the client sends)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _CODE_LIMIT:
            return ""
    return body.decode("ascii", "replace").strip()


async def _set_session(request: Request) -> Response:
    if not _same_site(request):
        return Response(status_code=403)
    token = HANDOFFS.take(await _short_body(request))
    if token is None:
        return Response(status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(COOKIE_NAME, token, max_age=lifetime_seconds(), path="/",
                        httponly=True, samesite="strict", secure=_secure(request))
    return response


async def _sign_out(request: Request) -> Response:
    if not _same_site(request):
        return Response(status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict",
                           secure=_secure(request))
    return response


ROUTES = [Route(SESSION_PATH, _set_session, methods=["POST"]),
          Route(SIGNOUT_PATH, _sign_out, methods=["POST"])]


def _post(path: str, body: str = "") -> None:
    """Have the browser post ``body`` to ``path`` once (the script's only inputs are
    this module's paths and a code made by ``secrets``, never user text)."""
    st.html(f"<script>fetch({json.dumps(path)}, {{method: 'POST', body: {json.dumps(body)},"
            " credentials: 'same-origin'}).catch(() => {});</script>",
            unsafe_allow_javascript=True)


def hand_to_browser(code: str) -> None:
    """Ask the browser to exchange ``code`` for the session cookie."""
    _post(SESSION_PATH, code)


def clear_in_browser() -> None:
    _post(SIGNOUT_PATH)
