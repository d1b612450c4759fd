"""Online geocoding fails safe against a hostile fake provider on 127.0.0.1.

Modes: 429 with Retry-After, 500, garbage, an empty reply, a reply cut off, a hang,
a trickle, answers without coordinates or at (0, 0), an oversized reply, and
redirects to another host. Every one falls back to the gazetteer, nothing bad is
cached, and timeouts are short so the file runs in seconds.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.exc import (
    ConfigurationError,
    GeocoderParseError,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderUnavailable,
)

from incidents.geocode import online as online_module
from incidents.geocode.build import write_index_from_csv
from incidents.geocode.online import (
    ChainGeocoder,
    OnlineCache,
    OnlineGeocoder,
    ProviderGate,
    get_geocoder,
    provider_endpoint,
    provider_url_options,
)

FIXTURES = Path(__file__).parent / "fixtures" / "geocode"
TIMEOUT = 1.0
ANSWER = {"place_id": 1, "osm_type": "node", "osm_id": 7, "lat": "12.84", "lon": "-4.92",
          "addresstype": "village", "name": "Kimparana", "display_name": "Kimparana, Mali",
          "address": {"country": "Mali", "country_code": "ml"}}


class Hostile(BaseHTTPRequestHandler):
    mode = "ok"
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).requests.append(self.path)
        mode = type(self).mode
        try:
            if mode == "hang":
                time.sleep(3 * TIMEOUT)
                return
            if mode == "trickle":
                self._head(200, length=10_000)
                for _ in range(200):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.05)
                return
            if mode == "cut":
                self._head(200, length=5000)
                self.wfile.write(b'[{"lat": "1')
                return
            if mode.startswith("redirect"):
                target = ("http://203.0.113.9/search" if mode == "redirect-away"
                          else "/search?" + urlparse(self.path).query + "&moved=1")
                if "moved=1" in self.path:
                    return self._json([ANSWER])
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            replies = {
                "ok": (200, json.dumps([ANSWER]).encode()),
                "429": (429, b"slow down"),
                "500": (500, b"oops"),
                "garbage": (200, b"<html>not json"),
                "nothing": (200, b""),
                "wrong-shape": (200, b'{"lat": 1}'),
                "no-coordinates": (200, json.dumps([{**ANSWER, "lat": None, "lon": None}]).encode()),
                "zero": (200, json.dumps([{**ANSWER, "lat": "0", "lon": "0"}]).encode()),
                "huge": (200, json.dumps([ANSWER] * 6000).encode()),
            }
            status, body = replies[mode]
            self._head(status, length=len(body))
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _head(self, status: int, *, length: int) -> None:
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "120")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def _json(self, value) -> None:
        body = json.dumps(value).encode()
        self._head(200, length=len(body))
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Hostile.mode, Hostile.requests = "ok", []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def gazetteer_dir(tmp_path):
    directory = tmp_path / "gazetteer"
    write_index_from_csv(directory, FIXTURES)
    return directory


def _url(server) -> str:
    return f"http://127.0.0.1:{server.server_port}"


def _online(server, gazetteer_dir) -> OnlineGeocoder:
    return OnlineGeocoder("nominatim", **provider_url_options(_url(server)), min_delay_seconds=0,
                          timeout=TIMEOUT, cache=OnlineCache(gazetteer_dir / "cache.sqlite"),
                          gazetteer_dir=gazetteer_dir)


def _chain(server, gazetteer_dir) -> ChainGeocoder:
    return get_geocoder("nominatim", provider_url=_url(server), min_delay_seconds=0,
                        timeout=TIMEOUT, gazetteer_dir=gazetteer_dir,
                        cache=OnlineCache(gazetteer_dir / "cache.sqlite"))


FAULTS = ["429", "500", "garbage", "nothing", "wrong-shape", "cut", "hang", "trickle",
          "no-coordinates", "zero", "huge", "redirect-away"]


@pytest.mark.parametrize("mode", FAULTS)
def test_every_fault_falls_back_offline_and_nothing_is_cached(server, gazetteer_dir, mode):
    Hostile.mode = mode
    chain = _chain(server, gazetteer_dir)
    started = time.monotonic()
    found = chain.geocode("Kimparana", country="Mali")
    assert time.monotonic() - started < 4 * TIMEOUT + 1
    assert found is not None and found.raw["method"] != "online"
    assert (found.latitude, found.longitude) != (0, 0)
    assert len(chain.errors) == 1
    cached = OnlineCache(gazetteer_dir / "cache.sqlite")
    with cached._connect() as db:
        assert db.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 0


@pytest.mark.parametrize("mode, error", [
    ("garbage", GeocoderParseError), ("no-coordinates", GeocoderParseError),
    ("zero", GeocoderParseError), ("huge", GeocoderServiceError),
    ("redirect-away", GeocoderServiceError),
])
def test_faults_are_geopy_errors(server, gazetteer_dir, mode, error):
    Hostile.mode = mode
    with pytest.raises(error):
        _online(server, gazetteer_dir).geocode("Kimparana")


def test_redirect_on_the_same_host_is_followed(server, gazetteer_dir):
    Hostile.mode = "redirect-here"
    found = _online(server, gazetteer_dir).geocode("Kimparana")
    assert found.raw["method"] == "online" and len(Hostile.requests) == 2


def test_retry_after_is_honoured_without_asking_again(server, gazetteer_dir):
    Hostile.mode = "429"
    online = _online(server, gazetteer_dir)
    with pytest.raises(GeocoderRateLimited):
        online.geocode("Kimparana")
    Hostile.mode = "ok"
    with pytest.raises(GeocoderRateLimited):
        online.geocode("Segou")
    assert len(Hostile.requests) == 1


def test_circuit_opens_after_repeated_failures(server, gazetteer_dir):
    Hostile.mode = "500"
    online = _online(server, gazetteer_dir)
    for query in ("a", "b", "c"):
        with pytest.raises(GeocoderServiceError):
            online.geocode(query)
    Hostile.mode = "ok"
    with pytest.raises(GeocoderUnavailable):
        online.geocode("d")
    assert len(Hostile.requests) == online_module.FAILURE_LIMIT


def test_one_pace_per_provider_across_instances(server, gazetteer_dir):
    first, second = _online(server, gazetteer_dir), _online(server, gazetteer_dir)
    assert first.gate is second.gate is ProviderGate.of(first.endpoint)
    first.min_delay_seconds = second.min_delay_seconds = 0.4
    started = time.monotonic()
    first.geocode("Kimparana")
    second.geocode("Segou")
    assert time.monotonic() - started >= 0.4


def test_endpoint_from_the_environment(server, gazetteer_dir, monkeypatch):
    monkeypatch.setenv("INCIDENTS_GEOCODER_URL", _url(server))
    chain = get_geocoder("nominatim", min_delay_seconds=0, timeout=TIMEOUT,
                         gazetteer_dir=gazetteer_dir,
                         cache=OnlineCache(gazetteer_dir / "cache.sqlite"))
    assert chain.geocode("Kimparana").raw["method"] == "online"
    assert len(Hostile.requests) == 1


def test_provider_url_must_be_http():
    with pytest.raises(ConfigurationError):
        provider_url_options("file:///etc/passwd")
    assert provider_url_options("https://geo.example.org/nominatim/") == {
        "scheme": "https", "domain": "geo.example.org/nominatim"}


def test_the_endpoint_shown_before_sending_is_the_one_asked(monkeypatch):
    monkeypatch.delenv("INCIDENTS_GEOCODER_URL", raising=False)
    assert provider_endpoint("nominatim") == "https://nominatim.openstreetmap.org"
    monkeypatch.setenv("INCIDENTS_GEOCODER_URL", "http://127.0.0.1:9/geo/")
    assert provider_endpoint("photon") == "http://127.0.0.1:9/geo"
    assert provider_endpoint("photon", "https://example.org") == "https://example.org"
    with pytest.raises(ConfigurationError):
        provider_endpoint("nominatim", "ftp://example.org")
