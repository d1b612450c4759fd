"""Opt-in online geocoding: geopy providers behind a registry, with cache, rate limit and chain.

Nothing here runs unless an analyst asks for a provider other than 'gazetteer'.
Every online answer is normalised to the same raw dict as the offline geocoder
(method 'online', precision read from the provider's answer), stored in an
on-disk SQLite cache so a repeated query costs no request, and a provider that
times out, is rate-limited (429) or fails (5xx) hands over to the next geocoder
of a ``ChainGeocoder`` (normally the offline gazetteer).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from geopy.adapters import RequestsAdapter
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
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
        provider_options.setdefault("adapter_factory", partial(RequestsAdapter, max_retries=0))
        self.client = provider_class(user_agent=user_agent, timeout=timeout, **provider_options)
        delay = self.provider.min_delay_seconds if min_delay_seconds is None else min_delay_seconds
        self._call = RateLimiter(self.client.geocode, min_delay_seconds=delay, max_retries=0,
                                 swallow_exceptions=False)
        self.cache = cache or OnlineCache()
        self.endpoint = f"{service}:{getattr(self.client, 'domain', '') or getattr(self.client, 'api', '')}"
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
        self.requests_made += 1
        answer = self._call(free_text, exactly_one=False, **options)
        return [self._raw(location) for location in answer or []]

    def _raw(self, location: Location) -> dict[str, Any]:
        parsed = self.provider.parse(location.raw)
        return {
            **parsed,
            "name": parsed["name"] or location.address.split(",")[0],
            "address": location.address,
            "latitude": float(location.latitude),
            "longitude": float(location.longitude),
            "method": str(GeocodeMethod.ONLINE),
            "score": 1.0,
            "ambiguous": False,
            "provider": self.provider.service,
        }


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


def available_providers() -> list[str]:
    return ["gazetteer", *PROVIDERS]


def get_geocoder(name: str = "gazetteer", *, fallback: bool = True, **options: Any) -> Geocoder:
    """A geocoder by name. Online providers come wrapped in a chain ending with the gazetteer
    (unless ``fallback=False``), so a failing service never leaves a row unplaced for that reason."""
    if name == "gazetteer":
        return GazetteerGeocoder(**options)
    online = OnlineGeocoder(name, **options)
    if not fallback:
        return online
    return ChainGeocoder([online, GazetteerGeocoder(directory=options.get("gazetteer_dir"))])
