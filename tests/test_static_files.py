"""serve.py's static files: an existing Streamlit asset or map picture answered at once
with Streamlit's headers; anything else (missing, unsafe, a range, a script under
/app/static/ that Streamlit compresses) left to Streamlit."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient
from streamlit import config, file_util

from tests.conftest import PROJECT_DIR
from ui.static_files import StaticFiles

STREAMLIT_JS = Path(file_util.get_static_dir()) / "static" / "js"
PASSED_ON = "left to Streamlit"


async def streamlit_stand_in(scope, receive, send) -> None:
    await PlainTextResponse(PASSED_ON, status_code=299)(scope, receive, send)


@pytest.fixture
def client():
    # As Streamlit's server registers it when it starts (streamlit.web.bootstrap).
    mimetypes.add_type("application/javascript", ".js")
    served = config.get_option("server.enableStaticServing")
    config.set_option("server.enableStaticServing", True)
    try:
        yield TestClient(StaticFiles(streamlit_stand_in))
    finally:
        config.set_option("server.enableStaticServing", served)


def a_file(folder: Path, suffix: str) -> Path:
    found = next((p for p in sorted(folder.rglob(f"*{suffix}")) if p.is_file()), None)
    if found is None:
        pytest.skip(f"no {suffix} file under {folder} (run `make setup`)")
    return found


def test_a_streamlit_script_is_answered_with_its_bytes_and_headers(client) -> None:
    script = a_file(STREAMLIT_JS, ".js")
    answer = client.get(f"/static/js/{script.name}")
    assert answer.status_code == 200
    assert answer.content == script.read_bytes()
    assert answer.headers["content-type"] == "application/javascript"
    assert answer.headers["cache-control"] == "public, immutable, max-age=31536000"
    assert answer.headers["content-length"] == str(script.stat().st_size)
    head = client.head(f"/static/js/{script.name}")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == answer.headers["etag"]
    again = client.get(f"/static/js/{script.name}",
                       headers={"if-none-match": answer.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_style_says_its_charset(client) -> None:
    style = a_file(STREAMLIT_JS.parent / "css", ".css")
    answer = client.get(f"/static/css/{style.name}")
    assert answer.headers["content-type"] == "text/css; charset=utf-8"


def test_a_map_picture_is_answered_as_streamlit_serves_app_static_files(client) -> None:
    picture = a_file(PROJECT_DIR / "static", ".png")
    relative = picture.relative_to(PROJECT_DIR / "static").as_posix()
    answer = client.get(f"/app/static/{relative}")
    assert answer.status_code == 200 and answer.content == picture.read_bytes()
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in answer.headers


@pytest.mark.parametrize("path", [
    "/static/js/no-such-chunk.js",  # Streamlit answers its page for unknown paths
    "/static/js",  # a directory
    "/static/../../../etc/passwd",
    "/static/js/../../../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static//etc/passwd",
    "/app/static/../serve.py",
    "/app/static/no-such-tile.png",
    "/index.html",
    "/",
])
def test_anything_else_is_left_to_streamlit(client, path: str) -> None:
    answer = client.get(path)
    assert (answer.status_code, answer.text) == (299, PASSED_ON)


def test_scripts_under_app_static_are_left_to_streamlit_which_compresses_them(client) -> None:
    script = a_file(PROJECT_DIR / "static" / "vendor", ".js")
    relative = script.relative_to(PROJECT_DIR / "static").as_posix()
    assert client.get(f"/app/static/{relative}").status_code == 299


def test_ranges_and_other_methods_are_left_to_streamlit(client) -> None:
    script = a_file(STREAMLIT_JS, ".js")
    assert client.get(f"/static/js/{script.name}", headers={"range": "bytes=0-9"}
                      ).status_code == 299
    assert client.post(f"/static/js/{script.name}").status_code == 299



def test_the_maps_outlines_are_answered_for_a_browser_to_keep(client) -> None:
    from incidents.maps.static_data import static_json_url

    url = static_json_url("outline", '{"type":"FeatureCollection","features":[]}')
    if url is None:
        pytest.skip("static/ cannot be written here")
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.json() == {"type": "FeatureCollection", "features": []}
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "public, immutable, max-age=31536000"
    assert answer.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("path", [
    "/app/static/mapdata/outline-00000000000000000000.json",  # not (or no longer) written
    "/app/static/mapdata/../../serve.py",
    "/app/static/mapdata/",
])
def test_anything_else_under_the_map_data_is_left_to_streamlit(client, path: str) -> None:
    answer = client.get(path)
    assert (answer.status_code, answer.text) == (299, PASSED_ON)
