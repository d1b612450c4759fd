"""Opt-in online geocoding: geopy providers behind a registry, with cache, rate limit and chain.

Nothing here runs unless an analyst asks for a provider other than 'gazetteer'.
Every online answer is normalised to the same raw dict as the offline geocoder
(method 'online', precision read from the provider's answer), stored in an
on-disk SQLite cache so a repeated query costs no request, and a provider that
times out, is rate-limited (429) or fails (5xx) hands over to the next geocoder
of a ``ChainGeocoder`` (normally the offline gazetteer).

Failing safe: replies are read with a size cap and an overall deadline, redirects
stay on the provider's host, a malformed reply or an answer without real
coordinates is a ``GeocoderParseError`` (never stored, never cached), and one
``ProviderGate`` per endpoint per process paces requests, honours ``Retry-After``
and stops asking a provider that failed ``FAILURE_LIMIT`` times in a row.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from geopy.adapters import AdapterHTTPError, RequestsAdapter
from geopy.exc import (
    ConfigurationError,
    GeocoderParseError,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from incidents import config
from incidents.geocode.gazetteer import load_gazetteer
from incidents.geocode.gazetteer_geocoder import GazetteerGeocoder, split_query
from incidents.geocode.normalize import normalise_name
from incidents.model import GeocodeMethod, GeoPrecision

USER_AGENT = "incidents-sahel-dashboard/0.1 (offline-first conflict incident mapping)"
CACHE_FILE = "online_cache.sqlite"
# Where an online provider is asked, when not given in code (``--provider-url``).
PROVIDER_URL_VARIABLE = "INCIDENTS_GEOCODER_URL"
# A provider's reply is read up to this size and within its timeout, however slowly
# it trickles; more is refused (a geocoding answer is a few kilobytes).
MAX_REPLY_BYTES = 1 << 20
MAX_RESULTS = 10
# After this many failures in a row, a provider is not asked again for COOLDOWN seconds.
FAILURE_LIMIT = 3
COOLDOWN_SECONDS = 300.0
# A Retry-After longer than this is capped; waiting longer than MAX_WAIT_SECONDS for
# a turn falls back to the next geocoder instead of blocking the import.
MAX_RETRY_AFTER_SECONDS = 3600.0
MAX_WAIT_SECONDS = 5.0

# Nominatim addresstype -> ACLED precision. Towns and smaller are the place itself;
# communes, districts and counties are a containing unit; states and up are a region.
_NOMINATIM_PRECISION = {
    **dict.fromkeys(("city", "town", "village", "hamlet", "suburb", "quarter", "neighbourhood",
                     "isolated_dwelling", "locality", "farm", "road", "building", "amenity"), GeoPrecision.PLACE),
    **dict.fromkeys(("municipality", "city_district", "district", "county", "borough",
                     "state_district", "subdistrict"), GeoPrecision.NEARBY),
    **dict.fromkeys(("state", "province", "region", "country", "continent"), GeoPrecision.REGION),
}


def nominatim_precision(raw: Mapping[str, Any]) -> GeoPrecision:
    """Precision from Nominatim's addresstype, else from its place_rank (16+ is a settlement)."""
    known = _NOMINATIM_PRECISION.get(str(raw.get("addresstype") or raw.get("type") or ""))
    if known is not None:
        return known
    rank = int(raw.get("place_rank") or 0)
    if rank >= 16:
        return GeoPrecision.PLACE
    return GeoPrecision.NEARBY if rank >= 10 else GeoPrecision.REGION


def _nominatim_context(raw: Mapping[str, Any]) -> dict[str, Any]:
    address = raw.get("address") or {}
    return {
        "name": raw.get("name") or str(raw.get("display_name", "")).split(",")[0],
        "admin1": address.get("state") or address.get("region"),
        "admin2": address.get("county") or address.get("state_district"),
        "country": address.get("country"),
        "country_code": (address.get("country_code") or "").upper() or None,
        "precision": int(nominatim_precision(raw)),
        "gazetteer_id": f"osm:{raw.get('osm_type', '')}/{raw.get('osm_id', '')}",
    }


def _generic_context(raw: Any) -> dict[str, Any]:
    """Providers we do not parse: we cannot tell how exact they were, so do not claim a village."""
    return {"name": None, "admin1": None, "admin2": None, "country": None, "country_code": None,
            "precision": int(GeoPrecision.NEARBY), "gazetteer_id": None}


def _no_options(country_code: str | None) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Provider:
    """How to call one geopy service (extra request options) and read its answers."""

    service: str
    request_options: Callable[[str | None], dict[str, Any]] = _no_options
    parse: Callable[[Any], dict[str, Any]] = _generic_context
    min_delay_seconds: float = 1.0


PROVIDERS: dict[str, Provider] = {
    "nominatim": Provider(
        "nominatim",
        request_options=lambda code: {"addressdetails": True, **({"country_codes": code.lower()} if code else {})},
        parse=_nominatim_context,
        min_delay_seconds=1.0,
    ),
    "photon": Provider("photon", min_delay_seconds=1.0),
    "arcgis": Provider("arcgis", min_delay_seconds=0.5),
}


class BoundedAdapter(RequestsAdapter):
    """geopy's requests adapter, made safe against a hostile or broken provider.

    Redirects are followed only within the same scheme, host and port; the reply is
    read in pieces up to ``MAX_REPLY_BYTES`` and within the request's timeout as a
    whole (a server sending one byte a second never trips a read timeout on its
    own); and every failure is a geopy error, so a chain falls back.
    """

    max_redirects = 3

    def get_text(self, url, *, timeout, headers):
        return self._bounded(url, timeout=timeout, headers=headers).decode("utf-8", "replace")

    def get_json(self, url, *, timeout, headers):
        body = self._bounded(url, timeout=timeout, headers=headers)
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as error:
            raise GeocoderParseError(f"the provider's reply is not JSON ({error})") from error

    def _bounded(self, url: str, *, timeout: float, headers: dict) -> bytes:
        deadline = time.monotonic() + float(timeout or 10)
        for _ in range(self.max_redirects + 1):
            response = self._get(url, timeout=timeout, headers=headers)
            if response.is_redirect:
                target = urljoin(url, response.headers.get("location", ""))
                response.close()
                if _origin(target) != _origin(url):
                    raise GeocoderServiceError(
                        f"the provider redirected to another host ({urlsplit(target).netloc}); "
                        "refused"
                    )
                url = target
                continue
            body = self._read(response, deadline)
            if response.status_code >= 400:
                raise AdapterHTTPError(
                    f"Non-successful status code {response.status_code}",
                    status_code=response.status_code, headers=response.headers,
                    text=body[:2000].decode("utf-8", "replace"),
                )
            return body
        raise GeocoderServiceError("the provider redirected too many times")

    def _get(self, url: str, *, timeout: float, headers: dict) -> requests.Response:
        try:
            return self.session.get(url, timeout=timeout, headers=headers, stream=True,
                                    allow_redirects=False)
        except requests.Timeout as error:
            raise GeocoderTimedOut("the provider timed out") from error
        except requests.RequestException as error:
            raise GeocoderUnavailable(f"the provider could not be reached ({error})") from error

    @staticmethod
    def _read(response: requests.Response, deadline: float) -> bytes:
        body = bytearray()
        try:
            # read1 returns what has arrived (a blocking read would wait for a full piece).
            while piece := response.raw.read1(16384, decode_content=True):
                body += piece
                if len(body) > MAX_REPLY_BYTES:
                    raise GeocoderServiceError(
                        f"the provider's reply is over {MAX_REPLY_BYTES // 1024} KB; refused"
                    )
                if time.monotonic() > deadline:
                    raise GeocoderTimedOut("the provider's reply did not arrive in time")
        except GeopyError:
            raise
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            raise GeocoderTimedOut(f"the provider's reply broke off ({error})") from error
        finally:
            response.close()
        return bytes(body)


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


class ProviderGate:
    """One per provider endpoint per process: its pace, its Retry-After and its circuit.

    Every ``OnlineGeocoder`` for the same endpoint shares the gate, so two instances
    (two uploads, two threads) never ask faster than the provider's policy allows.
    """

    _gates: dict[str, ProviderGate] = {}
    _gates_lock = threading.Lock()

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.lock = threading.Lock()
        self.next_turn = 0.0
        self.failures = 0
        self.closed_until = 0.0

    @classmethod
    def of(cls, endpoint: str) -> ProviderGate:
        with cls._gates_lock:
            return cls._gates.setdefault(endpoint, cls(endpoint))

    def admit(self, min_delay: float) -> None:
        """Wait for this provider's next turn, or raise when it is paused."""
        with self.lock:
            now = time.monotonic()
            if now < self.closed_until:
                raise GeocoderUnavailable(
                    f"{self.endpoint} failed {FAILURE_LIMIT} times in a row; not asked again "
                    f"for {self.closed_until - now:.0f} s"
                )
            wait = max(0.0, self.next_turn - now)
            if wait > MAX_WAIT_SECONDS:
                raise GeocoderRateLimited(
                    f"{self.endpoint} asked to wait {wait:.0f} s", retry_after=math.ceil(wait)
                )
            self.next_turn = max(now, self.next_turn) + min_delay
        if wait:
            time.sleep(wait)

    def succeeded(self) -> None:
        with self.lock:
            self.failures = 0

    def failed(self, error: Exception) -> None:
        with self.lock:
            now = time.monotonic()
            retry_after = getattr(error, "retry_after", None)
            if isinstance(retry_after, (int, float)) and retry_after > 0:
                pause = min(float(retry_after), MAX_RETRY_AFTER_SECONDS)
                self.next_turn = max(self.next_turn, now + pause)
            self.failures += 1
            if self.failures >= FAILURE_LIMIT:
                self.closed_until = now + COOLDOWN_SECONDS
                self.failures = 0


def provider_url_options(url: str) -> dict[str, str]:
    """geopy's ``scheme``/``domain`` options for a provider URL (``https://host[:port][/path]``)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"a provider URL must be http(s)://host[/path], got {url!r}")
    return {"scheme": parts.scheme, "domain": parts.netloc + parts.path.rstrip("/")}


class OnlineCache:
    """Provider answers on disk, keyed by provider endpoint and normalised query (misses included)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or config.gazetteer_dir() / CACHE_FILE)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS answers (endpoint TEXT, query TEXT, raws TEXT, "
                       "PRIMARY KEY (endpoint, query))")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def get(self, endpoint: str, query: str) -> list[dict[str, Any]] | None:
        with self._lock, self._connect() as db:
            row = db.execute("SELECT raws FROM answers WHERE endpoint=? AND query=?", (endpoint, query)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, endpoint: str, query: str, raws: list[dict[str, Any]]) -> None:
        with self._lock, self._connect() as db:
            db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)", (endpoint, query, json.dumps(raws)))


class OnlineGeocoder(Geocoder):
    """A geopy provider made to honour our contract (context arguments, raw dict, cache, rate limit)."""

    def __init__(
        self,
        service: str,
        *,
        user_agent: str = USER_AGENT,
        timeout: float = 10.0,
        min_delay_seconds: float | None = None,
        cache: OnlineCache | None = None,
        gazetteer_dir: Path | None = None,
        **provider_options: Any,
    ) -> None:
        super().__init__(timeout=timeout, user_agent=user_agent)
        self.provider = PROVIDERS.get(service, Provider(service))
        provider_class = get_geocoder_for_service(self.provider.service)
        # No transport-level retries: a slow or failing service should hand over to the
        # next geocoder of the chain at once, not after three timeouts.
        provider_options.setdefault("adapter_factory", partial(BoundedAdapter, max_retries=0))
        self.client = provider_class(user_agent=user_agent, timeout=timeout, **provider_options)
        delay = self.provider.min_delay_seconds if min_delay_seconds is None else min_delay_seconds
        self.min_delay_seconds = delay
        self.cache = cache or OnlineCache()
        self.endpoint = f"{service}:{getattr(self.client, 'domain', '') or getattr(self.client, 'api', '')}"
        self.gate = ProviderGate.of(self.endpoint)
        self.gazetteer_dir = gazetteer_dir
        self.requests_made = 0

    def geocode(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        country: str | None = None,
        admin1: str | None = None,
        admin2: str | None = None,
    ) -> Location | list[Location] | None:
        """Ask the provider (or the cache); geopy errors propagate so a chain can fall back."""
        text, country, admin1, admin2 = split_query(query, country, admin1, admin2)
        if not text:
            return None
        code = load_gazetteer(self.gazetteer_dir).country_code_of(country) if country else None
        cache_key = "|".join(normalise_name(v) for v in (text, code or country, admin1, admin2))
        raws = self.cache.get(self.endpoint, cache_key)
        if raws is None:
            raws = self._ask(text, country, code, admin1, admin2, timeout)
            self.cache.put(self.endpoint, cache_key, raws)
        if not raws:
            return None
        locations = [Location(r["address"], (r["latitude"], r["longitude"]), r) for r in raws]
        return locations[0] if exactly_one else locations

    def _ask(
        self, text: str, country: str, code: str | None, admin1: str, admin2: str, timeout: Any
    ) -> list[dict[str, Any]]:
        country_name = load_gazetteer(self.gazetteer_dir).country_names.get(code, country) if code else country
        free_text = ", ".join(v for v in (text, admin2, admin1, country_name) if v)
        options = self.provider.request_options(code)
        if timeout is not DEFAULT_SENTINEL:
            options["timeout"] = timeout
        self.gate.admit(self.min_delay_seconds)
        self.requests_made += 1
        try:
            answer = self.client.geocode(free_text, exactly_one=False, **options)
            raws = [self._raw(location) for location in (answer or [])[:MAX_RESULTS]]
        except GeopyError as error:
            self.gate.failed(error)
            raise
        except Exception as error:  # a malformed reply the provider's parser tripped on
            self.gate.failed(error)
            raise GeocoderParseError(
                f"the provider's reply could not be read ({type(error).__name__}: {error})"
            ) from error
        self.gate.succeeded()
        return raws

    def _raw(self, location: Location) -> dict[str, Any]:
        """Our raw dict for one answer; a partial answer (no place, no real point) is refused."""
        if not isinstance(location, Location) or not isinstance(location.address, str):
            raise GeocoderParseError("the provider's answer has no place name")
        latitude, longitude = float(location.latitude), float(location.longitude)
        if not (math.isfinite(latitude) and math.isfinite(longitude)
                and abs(latitude) <= 90 and abs(longitude) <= 180):
            raise GeocoderParseError("the provider's answer has no usable coordinates")
        if latitude == 0 and longitude == 0 or not self._has_coordinates(location.raw):
            raise GeocoderParseError("the provider's answer has no coordinates (0, 0)")
        parsed = self.provider.parse(location.raw)
        return {
            **parsed,
            "name": parsed["name"] or location.address.split(",")[0],
            "address": location.address,
            "latitude": latitude,
            "longitude": longitude,
            "method": str(GeocodeMethod.ONLINE),
            "score": 1.0,
            "ambiguous": False,
            "provider": self.provider.service,
        }


    def _has_coordinates(self, raw: Any) -> bool:
        """Nominatim answers carry ``lat``/``lon``: without them geopy would invent (0, 0)."""
        if self.provider.service != "nominatim":
            return True
        return isinstance(raw, Mapping) and raw.get("lat") not in (None, "") and raw.get(
            "lon") not in (None, "")


class ChainGeocoder(Geocoder):
    """Try geocoders in order; a geopy error or an empty answer moves on to the next one."""

    def __init__(self, geocoders: Sequence[Geocoder]) -> None:
        super().__init__()
        self.geocoders = list(geocoders)
        self.errors: list[str] = []

    def geocode(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        country: str | None = None,
        admin1: str | None = None,
        admin2: str | None = None,
    ) -> Location | list[Location] | None:
        for geocoder in self.geocoders:
            try:
                found = geocoder.geocode(query, exactly_one=exactly_one, timeout=timeout,
                                         country=country, admin1=admin1, admin2=admin2)
            except GeopyError as error:
                self.errors.append(f"{type(geocoder).__name__}: {type(error).__name__}: {error}")
                continue
            if found:
                return found
        return None


def provider_endpoint(name: str, provider_url: str | None = None) -> str:
    """Where ``get_geocoder(name, provider_url=...)`` would send its queries, for telling the
    analyst before anything is sent: the URL given, else ``$INCIDENTS_GEOCODER_URL``, else
    the service's public address."""
    url = (provider_url or "").strip() or os.environ.get(PROVIDER_URL_VARIABLE, "").strip()
    if url:
        options = provider_url_options(url)
        return f"{options['scheme']}://{options['domain']}"
    parameter = inspect.signature(get_geocoder_for_service(name).__init__).parameters.get("domain")
    domain = parameter.default if parameter is not None else None
    return f"https://{domain}" if isinstance(domain, str) else f"{name} (its public service)"


def available_providers() -> list[str]:
    return ["gazetteer", *PROVIDERS]


def get_geocoder(name: str = "gazetteer", *, fallback: bool = True, **options: Any) -> Geocoder:
    """A geocoder by name. Online providers come wrapped in a chain ending with the gazetteer
    (unless ``fallback=False``), so a failing service never leaves a row unplaced for that reason.

    ``provider_url`` (else ``$INCIDENTS_GEOCODER_URL``) says where the provider is asked.
    """
    if name == "gazetteer":
        return GazetteerGeocoder(**options)
    url = options.pop("provider_url", None) or os.environ.get(PROVIDER_URL_VARIABLE)
    if url:
        options.update(provider_url_options(url))
    online = OnlineGeocoder(name, **options)
    if not fallback:
        return online
    return ChainGeocoder([online, GazetteerGeocoder(directory=options.get("gazetteer_dir"))])
