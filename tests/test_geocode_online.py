"""Online providers against a local fake Nominatim on 127.0.0.1: cache, rate limit, fallback."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.exc import GeocoderQuotaExceeded, GeocoderServiceError, GeocoderTimedOut

from incidents.geocode.build import write_index_from_csv
from incidents.geocode.online import ChainGeocoder, OnlineCache, OnlineGeocoder, get_geocoder, nominatim_precision

FIXTURES = Path(__file__).parent / "fixtures" / "geocode"

DIOURA = {
    "place_id": 1, "osm_type": "node", "osm_id": 42, "lat": "14.83", "lon": "-5.25",
    "class": "place", "type": "village", "addresstype": "village", "place_rank": 19, "name": "Dioura",
    "display_name": "Dioura, Tenenkou, Mopti, Mali",
    "address": {"village": "Dioura", "county": "Tenenkou", "state": "Mopti", "country": "Mali",
                "country_code": "ml"},
}


class FakeNominatim(BaseHTTPRequestHandler):
    mode = "ok"
    requests: list[dict] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        query = parse_qs(urlparse(self.path).query)
        type(self).requests.append({"path": urlparse(self.path).path, **{k: v[0] for k, v in query.items()},
                                    "user_agent": self.headers.get("User-Agent")})
        if self.mode == "slow":
            time.sleep(1.0)
        status = {"429": 429, "500": 500}.get(self.mode, 200)
        body = json.dumps([DIOURA] if "Dioura" in query.get("q", [""])[0] else []).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out first, which is what the slow mode is for

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    FakeNominatim.mode = "ok"
    FakeNominatim.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def gazetteer_dir(tmp_path):
    directory = tmp_path / "gazetteer"
    write_index_from_csv(directory, FIXTURES)
    return directory


def _online(server, gazetteer_dir, **options):
    return OnlineGeocoder(
        "nominatim", domain=f"127.0.0.1:{server.server_port}", scheme="http", min_delay_seconds=0,
        cache=OnlineCache(gazetteer_dir / "online_cache.sqlite"), gazetteer_dir=gazetteer_dir, **options,
    )


def test_answer_is_normalised_to_the_contract(server, gazetteer_dir):
    found = _online(server, gazetteer_dir).geocode("Dioura", country="Mali", admin1="Mopti")
    raw = found.raw
    assert (found.latitude, found.longitude) == (14.83, -5.25)
    assert raw["method"] == "online"
    assert raw["precision"] == 1
    assert (raw["admin1"], raw["admin2"], raw["country_code"]) == ("Mopti", "Tenenkou", "ML")
    assert raw["gazetteer_id"] == "osm:node/42"
    sent = FakeNominatim.requests[0]
    assert sent["countrycodes"] == "ml"
    assert sent["q"] == "Dioura, Mopti, Mali"
    assert sent["user_agent"].startswith("incidents-sahel-dashboard")


def test_country_code_is_sent_as_a_name_and_a_filter(server, gazetteer_dir):
    _online(server, gazetteer_dir).geocode("Dioura", country="MLI")
    assert FakeNominatim.requests[0]["q"] == "Dioura, Mali"
    assert FakeNominatim.requests[0]["countrycodes"] == "ml"


def test_second_run_makes_zero_requests(server, gazetteer_dir):
    first = _online(server, gazetteer_dir)
    first.geocode("Dioura", country="Mali")
    first.geocode("Nowhere", country="Mali")
    assert len(FakeNominatim.requests) == 2
    second = _online(server, gazetteer_dir)
    assert second.geocode("DIOURA", country="ML").raw["name"] == "Dioura"
    assert second.geocode("Nowhere", country="Mali") is None
    assert len(FakeNominatim.requests) == 2
    assert second.requests_made == 0


@pytest.mark.parametrize(("mode", "error"), [("429", GeocoderQuotaExceeded), ("500", GeocoderServiceError)])
def test_service_errors_propagate_and_are_not_cached(server, gazetteer_dir, mode, error):
    FakeNominatim.mode = mode
    online = _online(server, gazetteer_dir)
    with pytest.raises(error):
        online.geocode("Dioura", country="Mali")
    FakeNominatim.mode = "ok"
    assert online.geocode("Dioura", country="Mali").raw["method"] == "online"


@pytest.mark.parametrize("mode", ["429", "500", "slow"])
def test_chain_falls_back_to_the_gazetteer(server, gazetteer_dir, mode):
    FakeNominatim.mode = mode
    chain = get_geocoder("nominatim", domain=f"127.0.0.1:{server.server_port}", scheme="http",
                         min_delay_seconds=0, timeout=0.3, gazetteer_dir=gazetteer_dir,
                         cache=OnlineCache(gazetteer_dir / "online_cache.sqlite"))
    assert isinstance(chain, ChainGeocoder)
    found = chain.geocode("Kimparana", country="Mali")
    assert found.raw["method"] == "alternate"
    assert len(chain.errors) == 1


def test_timeout_raises_timed_out(server, gazetteer_dir):
    FakeNominatim.mode = "slow"
    with pytest.raises(GeocoderTimedOut):
        _online(server, gazetteer_dir, timeout=0.3).geocode("Dioura")


def test_rate_limiter_spaces_requests(server, gazetteer_dir):
    online = _online(server, gazetteer_dir)
    online.min_delay_seconds = 0.3
    started = time.monotonic()
    online.geocode("Dioura A")
    online.geocode("Dioura B")
    assert time.monotonic() - started >= 0.3


def test_nominatim_default_rate_is_one_per_second(gazetteer_dir):
    online = OnlineGeocoder("nominatim", cache=OnlineCache(gazetteer_dir / "c.sqlite"), gazetteer_dir=gazetteer_dir)
    assert online.min_delay_seconds == 1.0


@pytest.mark.parametrize(
    ("raw", "precision"),
    [
        ({"addresstype": "village"}, 1),
        ({"addresstype": "town"}, 1),
        ({"addresstype": "municipality"}, 2),
        ({"addresstype": "county"}, 2),
        ({"addresstype": "state"}, 3),
        ({"place_rank": 18}, 1),
        ({"place_rank": 12}, 2),
        ({"place_rank": 8}, 3),
    ],
)
def test_precision_from_nominatim_answer(raw, precision):
    assert nominatim_precision(raw) == precision


def test_gazetteer_is_the_default_and_needs_no_network(gazetteer_dir):
    geocoder = get_geocoder(directory=gazetteer_dir)
    assert geocoder.geocode("Mopti").raw["method"] == "exact"


CONTRACT_KEYS = {"name", "latitude", "longitude", "country", "country_code", "admin1", "admin2",
                 "precision", "method", "score", "gazetteer_id", "ambiguous"}


@pytest.mark.parametrize("kind", ["gazetteer", "online", "chain"])
def test_every_geocoder_honours_the_contract(server, gazetteer_dir, kind):
    options = {"domain": f"127.0.0.1:{server.server_port}", "scheme": "http", "min_delay_seconds": 0,
               "cache": OnlineCache(gazetteer_dir / "online_cache.sqlite"), "gazetteer_dir": gazetteer_dir}
    geocoder = {
        "gazetteer": lambda: get_geocoder("gazetteer", directory=gazetteer_dir),
        "online": lambda: get_geocoder("nominatim", fallback=False, **options),
        "chain": lambda: get_geocoder("nominatim", **options),
    }[kind]()
    query = "Dioura" if kind != "gazetteer" else "Mopti"
    found = geocoder.geocode(query, exactly_one=True, timeout=5, country="Mali", admin1="Mopti", admin2=None)
    assert CONTRACT_KEYS <= set(found.raw)
    assert (found.latitude, found.longitude) == (found.raw["latitude"], found.raw["longitude"])
    listed = geocoder.geocode({"query": query, "country": "Mali"}, exactly_one=False)
    assert isinstance(listed, list) and listed
    assert geocoder.geocode("Qqqqqq Zzzzzz", country="Mali") is None
