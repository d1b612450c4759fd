"""End-to-end extraction on short articles written for these tests (and the seed, when present)."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from incidents.extract import candidates_frame, extract_incidents

SEED_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seed"
KIMPARANA = (12.842, -4.925)

PARAPHRASE = (
    "Samedi 7 décembre, un groupe d'individus armés circulant à moto et en tricycle a voulu prendre "
    "d'assaut la localité de Kimparana, dans la région de Ségou. Les militaires maliens sont intervenus "
    "et ont repoussé les assaillants. Selon l'armée, plusieurs d'entre eux ont été neutralisés et du "
    "matériel militaire a été récupéré.\n\n"
    "Depuis plusieurs années, des groupes liés à l'État islamique multiplient les attaques au Mali."
)


def _km(lat: float, lon: float, ref: tuple[float, float]) -> float:
    dlat = math.radians(lat - ref[0])
    dlon = math.radians(lon - ref[1]) * math.cos(math.radians(ref[0]))
    return 6371 * math.hypot(dlat, dlon)


@pytest.fixture(scope="module")
def geocoder(built_gazetteer: Path):
    from incidents.geocode import GazetteerGeocoder

    return GazetteerGeocoder(directory=str(built_gazetteer))


def _assert_kimparana_incident(candidates: list) -> None:
    assert len(candidates) == 1
    record = candidates[0].record
    assert record["event_date"] == date(2024, 12, 7)
    assert record["time_precision"] == 1
    assert _km(record["latitude"], record["longitude"], KIMPARANA) < 1.0
    assert record["geo_precision"] == 1
    assert record["admin1"] == "Ségou"
    assert record["country"] == "Mali"
    assert record["event_type"] == "Battles" and record["sub_event_type"] == "Armed clash"
    assert {record["actor1"], record["actor2"]} == {"Unidentified Armed Group (Mali)", "Military Forces of Mali (2021-)"}
    assert record["interaction"] == 13
    assert record["fatalities"] == 3
    notes = record["notes"].lower()
    assert "motorcycles" in notes
    assert "equipment" in notes


def test_seed_article_gives_one_kimparana_incident(geocoder) -> None:
    files = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []
    if not files:
        pytest.skip("seed article not present")
    text = files[0].read_text("utf-8")
    candidates = extract_incidents(text, "2024-12-08", geocoder=geocoder)
    _assert_kimparana_incident(candidates)
    assert "tricycles" in candidates[0].record["notes"]
    assert candidates[0].record["language"] == "fr"


def test_paraphrase_gives_the_same_incident(geocoder) -> None:
    candidates = extract_incidents(PARAPHRASE, date(2024, 12, 8), geocoder=geocoder)
    _assert_kimparana_incident(candidates)
    actors = candidates[0].record["actor1"], candidates[0].record["actor2"]
    assert "Islamic State Sahel Province" not in actors


def test_evidence_spans_point_at_the_words(geocoder) -> None:
    candidate = extract_incidents(PARAPHRASE, date(2024, 12, 8), geocoder=geocoder)[0]
    location = candidate.evidence["location"]
    assert any(PARAPHRASE[a:b] == "Kimparana" for a, b in location.spans)
    start, end = candidate.evidence["event_date"].spans[0]
    assert "7 décembre" in PARAPHRASE[start:end]
    fatal = [PARAPHRASE[a:b] for a, b in candidate.evidence["fatalities"].spans]
    assert "plusieurs" in fatal
    assert 0 < candidate.evidence["fatalities"].confidence < 1


def test_missing_year_without_publication_date_is_flagged_not_invented(geocoder) -> None:
    candidates = extract_incidents(PARAPHRASE, None, geocoder=geocoder)
    record = candidates[0].record
    assert record.get("event_date") is None
    assert record["status"] == "needs_review"
    assert "year" in record["status_reason"]
    assert candidates[0].evidence["event_date"].value == "--12-07"


def test_two_places_on_two_days_give_two_candidates(geocoder) -> None:
    text = (
        "Gunmen attacked the village of Dinangourou on 3 March 2024, killing five civilians. "
        "The next day, an improvised explosive device struck an army patrol near Boni, "
        "killing two soldiers and wounding four."
    )
    candidates = extract_incidents(text, "2024-03-06", geocoder=geocoder)
    assert len(candidates) == 2
    first, second = (c.record for c in candidates)
    assert first["event_date"] == date(2024, 3, 3) and second["event_date"] == date(2024, 3, 4)
    assert first["event_type"] == "Violence against civilians" and first["fatalities"] == 5
    assert second["sub_event_type"] == "Remote explosive/landmine/IED"
    assert second["fatalities"] == 2
    assert "4 reported wounded" in second["notes"]


def test_dateline_capital_is_not_the_incident_place(geocoder) -> None:
    text = (
        "BAMAKO (AFP) - Des hommes armés ont tué quatre civils lundi à Douentza, dans la région de Mopti, "
        "a-t-on appris auprès d'un élu local."
    )
    record = extract_incidents(text, "2024-05-08", geocoder=geocoder)[0].record
    assert record["location"] == "Douentza"
    assert record["event_date"] == date(2024, 5, 6)
    assert record["fatalities"] == 4


def test_spelling_variant_is_matched(geocoder) -> None:
    text = "Des jihadistes ont attaqué un poste de l'armée à Douenzta hier, faisant trois morts."
    record = extract_incidents(text, "2024-05-08", geocoder=geocoder)[0].record
    # location keeps the article's spelling; the gazetteer's is the matched name
    assert (record["location"], record["geocode_matched_name"]) == ("Douenzta", "Douentza")
    assert record["geocode_method"] == "fuzzy"


def test_unknown_village_falls_back_to_its_cercle(geocoder) -> None:
    text = (
        "Le 2 février 2024, des hommes armés ont incendié le village de Tiguila-Sogou, dans le cercle de "
        "Bankass, région de Mopti, tuant six villageois."
    )
    record = extract_incidents(text, None, geocoder=geocoder)[0].record
    assert record["geo_precision"] == 2
    assert record["geocode_method"] == "fallback"
    assert record["admin1"] == "Mopti"
    assert record["status"] == "needs_review"


def test_headline_region_yields_to_the_town_in_the_body(geocoder) -> None:
    text = (
        "Violences dans la région de Ségou\n"
        "Des hommes armés ont attaqué Niono mardi dernier, tuant deux gendarmes."
    )
    record = extract_incidents(text, "2024-06-07", geocoder=geocoder)[0].record
    assert record["location"] == "Niono"
    assert record["geo_precision"] == 1


def test_candidates_frame_is_canonical(geocoder) -> None:
    frame = candidates_frame(extract_incidents(PARAPHRASE, "2024-12-08", geocoder=geocoder))
    assert len(frame) == 1
    assert str(frame["event_date"].dtype) == "datetime64[ns]"
    assert frame.loc[0, "source_text"] == PARAPHRASE
    assert frame.loc[0, "language"] == "fr"


def test_text_without_incident_gives_no_candidate(geocoder) -> None:
    assert extract_incidents("", "2024-12-08", geocoder=geocoder) == []
    text = "Le gouvernement a présenté son budget pour l'année prochaine devant l'Assemblée nationale."
    assert extract_incidents(text, "2024-12-08", geocoder=geocoder) == []


def test_english_article_is_detected_and_coded(geocoder) -> None:
    text = "JNIM fighters ambushed Malian soldiers near Niono on 2 May 2024, killing eleven of them."
    candidate = extract_incidents(text, "2024-05-04", geocoder=geocoder)[0]
    record = candidate.record
    assert record["language"] == "en"
    assert record["actor1"] == "JNIM: Group for Support of Islam and Muslims"
    assert record["actor2"] == "Military Forces of Mali (2021-)"
    assert record["interaction"] == 12
    assert record["sub_event_type"] == "Armed clash"
    assert record["fatalities"] == 11 and not candidate.needs_review


def test_coordinated_places_in_one_sentence_give_one_candidate_each(geocoder) -> None:
    text = "Le 5 mars 2024, des jihadistes ont attaqué simultanément Koro et Bankass, tuant dix soldats."
    candidates = extract_incidents(text, None, geocoder=geocoder)
    assert [c.record["location"] for c in candidates] == ["Koro", "Bankass"]
    assert [c.record["fatalities"] for c in candidates] == [10, 0]
    assert "several places" in candidates[1].record["status_reason"]
    assert candidates[1].record["event_date"] == date(2024, 3, 5)


def test_a_road_between_two_towns_is_one_incident(geocoder) -> None:
    text = "Le 5 mars 2024, une embuscade a visé un convoi des FAMa entre Niono et Sokolo, tuant deux soldats."
    candidates = extract_incidents(text, None, geocoder=geocoder)
    assert [c.record["location"] for c in candidates] == ["Niono"]


def test_country_evidence_points_at_the_country_words(geocoder) -> None:
    candidate = extract_incidents(PARAPHRASE, "2024-12-08", geocoder=geocoder)[0]
    words = {PARAPHRASE[a:b] for a, b in candidate.evidence["country"].spans}
    assert words == {"maliens", "Mali"}
