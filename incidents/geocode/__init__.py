"""Offline-first geocoding: the bundled gazetteer, user layers, opt-in online providers, batch.

Public entry points::

    GazetteerGeocoder().geocode("Kimparana", country="Mali", admin1="Ségou")
    GazetteerGeocoder().geocode("30 km au nord de Douentza", country="Mali")   # offset, precision 2
    get_geocoder("nominatim", domain=..., scheme=...)   # chain: online, then the gazetteer
    geocode_frame(records)                              # fill location columns of a frame
    save_manual_placement("Kimparana", 12.84, -4.92, "ML", "Ségou")
    import_layer("localites.xlsx")                      # GeoNames dump, OCHA/COD list or CSV/XLSX as a layer
    build_gazetteer()                                   # once; `python -m incidents gazetteer build`
"""

from incidents.geocode.batch import geocode_frame
from incidents.geocode.build import build_gazetteer
from incidents.geocode.gazetteer import Gazetteer, load_gazetteer
from incidents.geocode.gazetteer_geocoder import GazetteerGeocoder
from incidents.geocode.layers import import_layer, save_manual_placement
from incidents.geocode.online import ChainGeocoder, OnlineCache, OnlineGeocoder, available_providers, get_geocoder

__all__ = [
    "ChainGeocoder",
    "Gazetteer",
    "GazetteerGeocoder",
    "OnlineCache",
    "OnlineGeocoder",
    "available_providers",
    "build_gazetteer",
    "geocode_frame",
    "get_geocoder",
    "import_layer",
    "load_gazetteer",
    "save_manual_placement",
]
