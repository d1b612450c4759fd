"""Synthetic incidents for demos, tests and benchmarks.

Every generated row is fictional: ``synthetic`` is True and the notes say so.
The places are real Sahel towns (so maps and the gazetteer have something to
work with) but the events, dates and counts are drawn at random. Generation is
fully vectorised: each column is built by indexing small lookup tables with
integer codes drawn by numpy, so a million rows take a few seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from incidents import model

DATE_RANGE = ("2021-01-01", "2025-12-31")

# (country, iso, country_code, admin1, admin2, location, latitude, longitude)
TOWNS: tuple[tuple[str, int, str, str, str, str, float, float], ...] = (
    ("Mali", 466, "ML", "Bamako", "Bamako", "Bamako", 12.65, -8.00),
    ("Mali", 466, "ML", "Mopti", "Mopti", "Mopti", 14.49, -4.20),
    ("Mali", 466, "ML", "Mopti", "Djenne", "Djenné", 13.91, -4.55),
    ("Mali", 466, "ML", "Mopti", "Bankass", "Bankass", 14.08, -3.52),
    ("Mali", 466, "ML", "Mopti", "Douentza", "Douentza", 15.00, -2.95),
    ("Mali", 466, "ML", "Mopti", "Bandiagara", "Bandiagara", 14.35, -3.61),
    ("Mali", 466, "ML", "Mopti", "Koro", "Koro", 14.07, -3.08),
    ("Mali", 466, "ML", "Mopti", "Tenenkou", "Ténenkou", 14.46, -4.92),
    ("Mali", 466, "ML", "Segou", "Segou", "Ségou", 13.43, -6.26),
    ("Mali", 466, "ML", "Segou", "San", "San", 13.30, -4.90),
    ("Mali", 466, "ML", "Segou", "Niono", "Niono", 14.25, -5.99),
    ("Mali", 466, "ML", "Segou", "Macina", "Macina", 13.96, -5.36),
    ("Mali", 466, "ML", "Segou", "Tominian", "Tominian", 13.29, -4.39),
    ("Mali", 466, "ML", "Gao", "Gao", "Gao", 16.27, -0.04),
    ("Mali", 466, "ML", "Gao", "Ansongo", "Ansongo", 15.66, 0.50),
    ("Mali", 466, "ML", "Menaka", "Menaka", "Ménaka", 15.92, 2.40),
    ("Mali", 466, "ML", "Timbuktu", "Timbuktu", "Tombouctou", 16.77, -3.01),
    ("Mali", 466, "ML", "Timbuktu", "Goundam", "Goundam", 16.41, -3.67),
    ("Mali", 466, "ML", "Kidal", "Kidal", "Kidal", 18.44, 1.41),
    ("Mali", 466, "ML", "Sikasso", "Sikasso", "Sikasso", 11.32, -5.67),
    ("Mali", 466, "ML", "Kayes", "Nioro", "Nioro du Sahel", 15.23, -9.59),
    ("Burkina Faso", 854, "BF", "Centre", "Kadiogo", "Ouagadougou", 12.37, -1.52),
    ("Burkina Faso", 854, "BF", "Sahel", "Soum", "Djibo", 14.10, -1.63),
    ("Burkina Faso", 854, "BF", "Sahel", "Seno", "Dori", 14.03, -0.03),
    ("Burkina Faso", 854, "BF", "Sahel", "Oudalan", "Gorom-Gorom", 14.44, -0.24),
    ("Burkina Faso", 854, "BF", "Sahel", "Soum", "Arbinda", 14.23, -0.87),
    ("Burkina Faso", 854, "BF", "Sahel", "Yagha", "Sebba", 13.44, 0.53),
    ("Burkina Faso", 854, "BF", "Centre-Nord", "Sanmatenga", "Kaya", 13.09, -1.08),
    ("Burkina Faso", 854, "BF", "Nord", "Yatenga", "Ouahigouya", 13.58, -2.42),
    ("Burkina Faso", 854, "BF", "Est", "Gourma", "Fada N'Gourma", 12.06, 0.36),
    ("Burkina Faso", 854, "BF", "Est", "Tapoa", "Diapaga", 12.07, 1.79),
    ("Burkina Faso", 854, "BF", "Boucle du Mouhoun", "Kossi", "Nouna", 12.73, -3.86),
    ("Burkina Faso", 854, "BF", "Hauts-Bassins", "Houet", "Bobo-Dioulasso", 11.18, -4.30),
    ("Niger", 562, "NE", "Niamey", "Niamey", "Niamey", 13.51, 2.11),
    ("Niger", 562, "NE", "Tillaberi", "Tillaberi", "Tillabéri", 14.21, 1.45),
    ("Niger", 562, "NE", "Tillaberi", "Ayorou", "Ayorou", 14.73, 0.92),
    ("Niger", 562, "NE", "Tillaberi", "Ouallam", "Ouallam", 14.32, 2.09),
    ("Niger", 562, "NE", "Tillaberi", "Tera", "Téra", 14.01, 0.75),
    ("Niger", 562, "NE", "Tahoua", "Tillia", "Tillia", 16.14, 4.79),
    ("Niger", 562, "NE", "Tahoua", "Tahoua", "Tahoua", 14.89, 5.27),
    ("Niger", 562, "NE", "Diffa", "Diffa", "Diffa", 13.32, 12.61),
    ("Niger", 562, "NE", "Agadez", "Agadez", "Agadez", 16.97, 7.99),
    ("Chad", 148, "TD", "Lac", "Mamdi", "Bol", 13.46, 14.71),
    ("Nigeria", 566, "NG", "Borno", "Maiduguri", "Maiduguri", 11.85, 13.16),
    ("Mauritania", 478, "MR", "Hodh ech Chargui", "Bassikounou", "Bassikounou", 15.87, -5.97),
    ("Benin", 204, "BJ", "Alibori", "Kandi", "Kandi", 11.13, 2.94),
)

COUNTRY_WEIGHTS = {
    "Mali": 0.38,
    "Burkina Faso": 0.30,
    "Niger": 0.20,
    "Chad": 0.03,
    "Nigeria": 0.04,
    "Mauritania": 0.02,
    "Benin": 0.03,
}

STATE_FORCES = {
    "Mali": "Military Forces of Mali (2021-)",
    "Burkina Faso": "Military Forces of Burkina Faso (2022-)",
    "Niger": "Military Forces of Niger (2023-)",
    "Chad": "Military Forces of Chad (2021-)",
    "Nigeria": "Military Forces of Nigeria (2023-)",
    "Mauritania": "Military Forces of Mauritania (2019-)",
    "Benin": "Military Forces of Benin (2016-)",
}

JNIM = "JNIM: Group for Support of Islam and Muslims"
ISS = "Islamic State Sahel Province"

# (event_type, sub_event_type, actor1, inter1, actor2, inter2, civilian_targeting,
#  mean fatalities, weight). "{state}", "{civ}", "{uag}", "{pro}", "{rio}" are
# replaced with the country's own actor names.
SCENARIOS: tuple[tuple[str, str, str, int, str, int, str, float, float], ...] = (
    ("Battles", "Armed clash", "{state}", 1, JNIM, 3, "", 6.0, 0.14),
    ("Battles", "Armed clash", "{state}", 1, ISS, 3, "", 8.0, 0.06),
    ("Battles", "Armed clash", "{uag}", 3, "{state}", 1, "", 4.0, 0.06),
    ("Battles", "Armed clash", JNIM, 3, ISS, 3, "", 10.0, 0.03),
    ("Battles", "Non-state actor overtakes territory", JNIM, 3, "", 0, "", 1.0, 0.01),
    ("Battles", "Government regains territory", "{state}", 1, "", 0, "", 1.0, 0.01),
    ("Violence against civilians", "Attack", JNIM, 3, "{civ}", 7, "Civilian targeting", 3.0, 0.10),
    ("Violence against civilians", "Attack", "{uag}", 3, "{civ}", 7, "Civilian targeting", 2.5, 0.08),
    ("Violence against civilians", "Attack", "{state}", 1, "{civ}", 7, "Civilian targeting", 4.0, 0.05),
    ("Violence against civilians", "Abduction/forced disappearance", "{uag}", 3, "{civ}", 7,
     "Civilian targeting", 0.0, 0.06),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", "{uag}", 3, "{state}", 1, "",
     2.0, 0.07),
    ("Explosions/Remote violence", "Air/drone strike", "{state}", 1, JNIM, 3, "", 7.0, 0.05),
    ("Strategic developments", "Looting/property destruction", "{uag}", 3, "{civ}", 7, "", 0.0,
     0.05),
    ("Strategic developments", "Arrests", "{state}", 1, "{civ}", 7, "", 0.0, 0.03),
    ("Strategic developments", "Disrupted weapons use", "{state}", 1, "{uag}", 3, "", 0.0, 0.02),
    ("Strategic developments", "Agreement", "{uag}", 3, "", 0, "", 0.0, 0.01),
    ("Protests", "Peaceful protest", "{pro}", 6, "", 0, "", 0.0, 0.10),
    ("Protests", "Protest with intervention", "{pro}", 6, "{state}", 1, "", 0.0, 0.02),
    ("Riots", "Violent demonstration", "{rio}", 5, "", 0, "", 0.2, 0.03),
    ("Riots", "Mob violence", "{rio}", 5, "{civ}", 7, "", 0.5, 0.02),
)

SOURCES = ("Synthetic wire", "Synthetic local radio", "Synthetic NGO report", "Synthetic press")
SOURCE_SCALES = ("National", "Subnational", "Other", "National-International")

# Share of rows at each ACLED precision code, and of rows left without coordinates.
GEO_PRECISION_WEIGHTS = (0.70, 0.22, 0.08)
TIME_PRECISION_WEIGHTS = (0.85, 0.10, 0.05)
UNPLACED_SHARE = 0.03
VILLAGES_PER_TOWN = 30
VILLAGE_LAYOUT_SEED = 2024


def _towns() -> pd.DataFrame:
    towns = pd.DataFrame(
        TOWNS,
        columns=[
            "country", "iso", "country_code", "admin1", "admin2", "location",
            "latitude", "longitude",
        ],
    )
    centres = towns.groupby(["country", "admin1"])[["latitude", "longitude"]].transform("mean")
    towns["admin1_lat"] = centres["latitude"]
    towns["admin1_lon"] = centres["longitude"]
    return towns


def _actor(template: str, country: str) -> str:
    return template.format(
        state=STATE_FORCES[country],
        civ=f"Civilians ({country})",
        uag=f"Unidentified Armed Group ({country})",
        pro=f"Protesters ({country})",
        rio=f"Rioters ({country})",
    )


def synthetic_incidents(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` fictional, canonical incidents; the same ``seed`` gives the same frame."""
    if n < 0:
        raise ValueError("n must be zero or more")
    rng = np.random.default_rng(seed)
    towns = _towns()
    countries = sorted(COUNTRY_WEIGHTS)

    town_weight = towns["country"].map(COUNTRY_WEIGHTS) / towns.groupby("country")[
        "country"
    ].transform("size")
    town = rng.choice(len(towns), size=n, p=(town_weight / town_weight.sum()).to_numpy())

    scenario_weight = np.array([s[-1] for s in SCENARIOS])
    scenario = rng.choice(len(SCENARIOS), size=n, p=scenario_weight / scenario_weight.sum())

    country_code = towns["country"].map({c: i for i, c in enumerate(countries)}).to_numpy()
    pair = scenario * len(countries) + country_code[town]
    actor1_table = np.array(
        [_actor(s[2], c) for s in SCENARIOS for c in countries], dtype=object
    )
    actor2_table = np.array(
        [_actor(s[4], c) for s in SCENARIOS for c in countries], dtype=object
    )

    def scenario_column(position: int) -> np.ndarray:
        return np.array([s[position] for s in SCENARIOS], dtype=object)[scenario]

    event_type = scenario_column(0)
    sub_event_type = scenario_column(1)
    inter1 = np.array([s[3] for s in SCENARIOS])[scenario]
    inter2 = np.array([s[5] for s in SCENARIOS])[scenario]
    mean_fatalities = np.array([s[7] for s in SCENARIOS])[scenario]
    # A gamma-Poisson mixture gives the long right tail real fatality counts show.
    fatalities = rng.poisson(rng.gamma(shape=0.6, scale=mean_fatalities / 0.6 + 1e-9))

    start, end = (np.datetime64(d, "D") for d in DATE_RANGE)
    days = rng.integers(0, int((end - start).astype(int)) + 1, size=n)
    event_date = (start + days).astype("datetime64[ns]")

    geo_precision = rng.choice([1, 2, 3], size=n, p=GEO_PRECISION_WEIGHTS)
    time_precision = rng.choice([1, 2, 3], size=n, p=TIME_PRECISION_WEIGHTS)
    unplaced = rng.random(n) < UNPLACED_SHARE
    # Precision 1 happens at one of a town's fictional villages ("Mopti village 7",
    # fixed places, the same for every seed); 2 at the town itself; 3 at the centre
    # of its admin-1 region. Unplaced rows keep the real town name, so the
    # gazetteer can place them.
    village = rng.integers(0, VILLAGES_PER_TOWN, size=n)
    site = town * VILLAGES_PER_TOWN + village
    offsets = np.random.default_rng(VILLAGE_LAYOUT_SEED).normal(
        0.0, 0.15, size=(2, len(towns) * VILLAGES_PER_TOWN)
    )
    at_village = (geo_precision == 1) & ~unplaced
    lat = np.select(
        [unplaced, geo_precision == 3, at_village],
        [np.nan, towns["admin1_lat"].to_numpy()[town],
         towns["latitude"].to_numpy()[town] + offsets[0][site]],
        towns["latitude"].to_numpy()[town],
    ).round(4)
    lon = np.select(
        [unplaced, geo_precision == 3, at_village],
        [np.nan, towns["admin1_lon"].to_numpy()[town],
         towns["longitude"].to_numpy()[town] + offsets[1][site]],
        towns["longitude"].to_numpy()[town],
    ).round(4)
    village_names = np.array(
        [f"{place} village {k + 1}" for place in towns["location"] for k in range(VILLAGES_PER_TOWN)],
        dtype=object,
    )
    location = np.where(
        at_village, village_names[site], towns["location"].to_numpy(dtype=object)[town]
    )
    note_table = np.array(
        [
            f"Synthetic example, not a real event: {s[1].lower()} reported near {place}."
            for s in SCENARIOS
            for place in towns["location"]
        ],
        dtype=object,
    )
    notes = note_table[scenario * len(towns) + town]

    frame = pd.DataFrame(
        {
            "event_id_cnty": f"SYN{seed}-" + pd.Series(np.arange(n)).astype(str).to_numpy(dtype=object),
            "event_date": event_date,
            "year": event_date.astype("datetime64[Y]").astype(int) + 1970,
            "time_precision": time_precision,
            "disorder_type": np.vectorize(model.disorder_type_of, otypes=[object])(
                np.array([s[0] for s in SCENARIOS], dtype=object)
            )[scenario],
            "event_type": event_type,
            "sub_event_type": sub_event_type,
            "actor1": actor1_table[pair],
            "inter1": inter1,
            "actor2": actor2_table[pair],
            "inter2": inter2,
            "interaction": _interactions(inter1, inter2),
            "civilian_targeting": scenario_column(6),
            "iso": towns["iso"].to_numpy()[town],
            "region": "Western Africa",
            "country": towns["country"].to_numpy(dtype=object)[town],
            "admin1": towns["admin1"].to_numpy(dtype=object)[town],
            "admin2": towns["admin2"].to_numpy(dtype=object)[town],
            "location": location,
            "latitude": lat,
            "longitude": lon,
            "geo_precision": np.where(unplaced, -1, geo_precision),
            "source": np.array(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), size=n)],
            "source_scale": np.array(SOURCE_SCALES, dtype=object)[
                rng.integers(0, len(SOURCE_SCALES), size=n)
            ],
            "notes": notes,
            "fatalities": fatalities,
            "tags": "synthetic",
            "country_code": towns["country_code"].to_numpy(dtype=object)[town],
            "language": "en",
            "geocode_method": np.where(
                unplaced, model.GeocodeMethod.NONE.value, model.GeocodeMethod.SOURCE.value
            ).astype(object),
            "status": model.Status.OK.value,
            "synthetic": True,
        }
    )
    frame = _blank(frame)
    return model.conform(frame)


def _interactions(inter1: np.ndarray, inter2: np.ndarray) -> np.ndarray:
    """ACLED interaction codes, vectorised: smaller inter code first, x0 when alone."""
    low = np.minimum(inter1, np.where(inter2 == 0, inter1, inter2))
    high = np.maximum(inter1, inter2)
    return np.where(inter2 == 0, inter1 * 10, low * 10 + high)


def _blank(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn the sentinels used while building (``""`` and ``-1``) into missing values.

    ``inter2`` stays 0 when there is no second actor, as in ACLED exports.
    """
    for column in ("actor2", "civilian_targeting"):
        frame[column] = frame[column].where(frame[column] != "", None)
    frame["geo_precision"] = pd.array(frame["geo_precision"], dtype="Int64")
    frame.loc[frame["geo_precision"] == -1, "geo_precision"] = pd.NA
    return frame
