"""The first page's widget scripts preloaded: found in Streamlit's own dependency lists,
added once to its HTML page only, anything else sent as it came."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.testclient import TestClient
from streamlit import file_util

from ui.chunk_preload import FIRST_PAGE_ELEMENTS, PreloadChunks, preload_links

STREAMLIT_PAGE = (Path(file_util.get_static_dir()) / "index.html").read_bytes()
STREAMLIT_JS = Path(file_util.get_static_dir()) / "static" / "js"
LINK = re.compile(r'<link rel="modulepreload" crossorigin href="\./static/js/([^"]+)">')


def linked(page: bytes) -> list[str]:
    return LINK.findall(page.decode())


def test_the_widget_scripts_and_what_they_need_are_linked() -> None:
    added = linked(preload_links(STREAMLIT_PAGE))
    entries = {name.rsplit(".", 2)[0] for name in added}
    assert set(FIRST_PAGE_ELEMENTS) <= entries
    assert len(added) == len(set(added)) > len(FIRST_PAGE_ELEMENTS)
    assert all((STREAMLIT_JS / name).is_file() for name in added)
    assert not set(added) & set(linked(STREAMLIT_PAGE)), "linked twice"
    # Only what the first page draws: not, say, the data editor or the chat input.
    assert not entries & {"DataFrame", "ChatInput", "FileUploader", "CameraInput"}


def test_a_page_without_streamlit_scripts_gets_nothing() -> None:
    assert preload_links(b'<html><head><script src="./static/js/nowhere.js"></script>'
                         b"</head></html>") == b""
    assert preload_links(b"<html><head></head></html>") == b""


def client(answer: Response) -> TestClient:
    async def streamlit_stand_in(scope, receive, send) -> None:
        await answer(scope, receive, send)

    return TestClient(PreloadChunks(streamlit_stand_in))


def test_the_links_go_into_streamlits_page_before_its_head_ends() -> None:
    answer = client(HTMLResponse(STREAMLIT_PAGE)).get("/")
    assert answer.status_code == 200
    body = answer.content
    assert int(answer.headers["content-length"]) == len(body)
    head, _ = body.split(b"</head>", 1)
    assert linked(head) == linked(STREAMLIT_PAGE) + linked(preload_links(STREAMLIT_PAGE))
    assert body.replace(preload_links(STREAMLIT_PAGE), b"") == STREAMLIT_PAGE


def test_other_answers_go_out_as_they_came() -> None:
    plain = client(PlainTextResponse("./static/js/index.js </head>")).get("/x")
    assert plain.text == "./static/js/index.js </head>"
    compressed = client(Response(STREAMLIT_PAGE, media_type="text/html",
                                 headers={"content-encoding": "identity"})).get("/")
    assert compressed.content == STREAMLIT_PAGE
    missing = client(HTMLResponse(STREAMLIT_PAGE, status_code=404)).get("/")
    assert missing.content == STREAMLIT_PAGE
    head = client(HTMLResponse(STREAMLIT_PAGE)).head("/")
    assert head.content == b""
