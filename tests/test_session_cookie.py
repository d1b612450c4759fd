"""The /session routes serve.py mounts: the cookie's flags, the one-time code, the
origin check (Starlette's test client, no browser)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from incidents.sessions import COOKIE_NAME, HANDOFFS
from ui.session_cookie import ROUTES, SESSION_PATH, SIGNOUT_PATH


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=ROUTES))


def same_site(base: str = "http://testserver") -> dict[str, str]:
    return {"Origin": base}


def test_a_code_is_exchanged_once_for_an_httponly_strict_cookie(client) -> None:
    code = HANDOFFS.put("the.token")
    answer = client.post(SESSION_PATH, content=code, headers=same_site())
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=the.token;")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/", "max-age=43200"} <= flags
    assert "secure" not in flags
    assert client.post(SESSION_PATH, content=code, headers=same_site()).status_code == 403


def test_over_https_the_cookie_is_secure() -> None:
    client = TestClient(Starlette(routes=ROUTES), base_url="https://dashboard.example.org")
    answer = client.post(SESSION_PATH, content=HANDOFFS.put("t"),
                         headers=same_site("https://dashboard.example.org"))
    assert "secure" in {part.strip().lower() for part in answer.headers["set-cookie"].split(";")}


@pytest.mark.parametrize("headers", [{}, {"Origin": "http://evil.example"}],
                         ids=["no origin", "another site"])
def test_a_request_from_elsewhere_is_refused(client, headers) -> None:
    code = HANDOFFS.put("t")
    assert client.post(SESSION_PATH, content=code, headers=headers).status_code == 403
    assert client.post(SIGNOUT_PATH, headers=headers).status_code == 403
    assert client.post(SESSION_PATH, content=code, headers=same_site()).status_code == 204


def test_a_made_up_or_oversized_code_is_refused(client) -> None:
    assert client.post(SESSION_PATH, content="made up", headers=same_site()).status_code == 403
    assert client.post(SESSION_PATH, content="x" * 100_000,
                       headers=same_site()).status_code == 403
    assert client.get(SESSION_PATH).status_code == 405


def test_signing_out_clears_the_cookie(client) -> None:
    answer = client.post(SIGNOUT_PATH, headers=same_site())
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith(f"{COOKIE_NAME}=") and "max-age=0" in cookie
    assert "httponly" in cookie and "samesite=strict" in cookie
