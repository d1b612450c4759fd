"""Real-world layouts load as they are: one small invented file per rule.

Every value here is made up for the test; the layouts (headers, quirks) are
those of ACLED, UCDP GED, HDX, AWSD and GDELT files as their publishers write them.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from incidents.errors import IngestError
from incidents.filters import FilterSpec, filter_mask
from incidents.io import read_incidents
from incidents.io.reader import MissingColumnsError

ACLED_2020 = (
    "data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,event_type,"
    "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
    "notes,fatalities,timestamp,iso3"
)


def acled_row(event_id: str, event_date: str, event_type: str = "Battles",
              sub: str = "Armed clash") -> str:
    return (f"1,854,{event_id},1,{event_date},2020,1,{event_type},{sub},Militia A,,3,"
            "Military Forces of Burkina Faso,,1,13,Western Africa,Burkina Faso,Sahel,Soum,"
            "Djibo,Djibo,14.1,-1.63,1,Local paper,National,Clash near the market,2,1600000000,BFA")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_hxl_hashtag_row_is_neither_an_incident_nor_quarantined() -> None:
    tags = ",".join(["#x"] * 3 + ["#event+code", "#date", "", "", "#event+type"] + [""] * 23)
    text = "\n".join([ACLED_2020, tags, acled_row("BFA1", "2020-01-05"),
                      acled_row("BFA2", "2020-01-06")]) + "\n"
    result = read_incidents(text.encode(), filename="conflict_data_bfa.csv")
    assert result.counts["rows"] == 2 and result.counts["accepted"] == 2
    assert result.counts["quarantined"] == 0 and result.counts["hxl_tags"] == 6


def test_a_zipped_csv_opens_as_what_it_holds() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export.csv", ACLED_2020 + "\n" + acled_row("BFA1", "2020-01-05") + "\n")
    result = read_incidents(buffer.getvalue(), filename="export_csv.zip")
    assert result.counts["accepted"] == 1


def test_a_zip_of_several_files_is_refused_with_its_contents() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", "x\n")
        archive.writestr("b.csv", "y\n")
    with pytest.raises(IngestError, match="holds 2 incident files"):
        read_incidents(buffer.getvalue(), filename="two.zip")


def test_spreadsheet_resaved_two_digit_year_dates() -> None:
    text = "\n".join([ACLED_2020, acled_row("BFA1", "6-Oct-18"), acled_row("BFA2", "16-Feb-21"),
                      acled_row("BFA3", "22 February 2019")]) + "\n"
    records = read_incidents(text.encode(), filename="a.csv").records
    assert records["event_date"].dt.date.tolist() == [date(2018, 10, 6), date(2021, 2, 16),
                                                      date(2019, 2, 22)]


LEGACY_HEADER = (
    "GWNO,EVENT_ID_CNTY,EVENT_ID_NO_CNTY,EVENT_DATE,YEAR,TIME_PRECISION,EVENT_TYPE,ACTOR1,"
    "ALLY_ACTOR_1,INTER1,ACTOR2,ALLY_ACTOR_2,INTER2,INTERACTION,COUNTRY,ADMIN1,ADMIN2,ADMIN3,"
    "LOCATION,LATITUDE,LONGITUDE,GEO_PRECISION,SOURCE,NOTES,FATALITIES,,,,,,,"
)


def legacy_row(event_id: str, event_date: str, event_type: str, inter1: str = "2",
               inter2: str = "1", notes: str = "Fighting reported", fatalities: str = "0") -> str:
    return (f"432,{event_id},1,{event_date},2016,1,{event_type},Rebels X,Allies Y,{inter1},"
            f"Soldiers Z,,{inter2},12,Mali,Mopti,Djenné,Djenné,Djenné,13.9,-4.55,1,Press,"
            f"\"{notes}\",{fatalities},,,,,,,")


def test_legacy_uppercase_cp1252_day_first_with_empty_trailing_columns() -> None:
    text = "\r\n".join([LEGACY_HEADER,
                        legacy_row("MLI1", "13/01/2016", "Battle-No change of territory"),
                        legacy_row("MLI2", "02/03/2016", "Battle-No change of territory")])
    result = read_incidents(text.encode("cp1252"), filename="all_africa.csv")
    records = result.records
    assert result.counts["encoding"] == "cp1252" and result.counts["accepted"] == 2
    assert records["event_date"].dt.date.tolist() == [date(2016, 1, 13), date(2016, 3, 2)]
    assert records.loc[0, "assoc_actor_1"] == "Allies Y"
    assert records.loc[0, "admin2"] == "Djenné"
    assert not [c for c in records.columns if not c.strip() or c.startswith("Unnamed")]


@pytest.mark.parametrize(
    ("old", "inter1", "inter2", "notes", "fatalities", "event_type", "sub"),
    [
        ("Battle-No change of territory", "2", "1", "x", "0", "Battles", "Armed clash"),
        ("Battle-Government regains territory", "1", "2", "x", "0", "Battles",
         "Government regains territory"),
        ("Battle-Non-state actor overtakes territory", "2", "1", "x", "0", "Battles",
         "Non-state actor overtakes territory"),
        ("Remote violence", "2", "1", "An IED hit a patrol", "0", "Explosions/Remote violence",
         "Remote explosive/landmine/IED"),
        ("Remote violence", "2", "1", "Mortar shells fell on the camp", "0",
         "Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ("Remote violence", "2", "1", "Unclear incident", "0", "Explosions/Remote violence", None),
        ("Riots/Protests", "6", "0", "Traders marched", "0", "Protests", "Peaceful protest"),
        ("Riots/Protests", "1", "6", "Police dispersed marchers", "0", "Protests",
         "Protest with intervention"),
        ("Riots/Protests", "1", "6", "Police fired on marchers", "2", "Protests",
         "Excessive force against protesters"),
        ("Riots/Protests", "5", "1", "Youths burned tyres", "0", "Riots", None),
        ("Violence against civilians", "2", "7", "Gunmen abducted a chief", "0",
         "Violence against civilians", "Abduction/forced disappearance"),
        ("Violence against civilians", "2", "7", "Gunmen killed two herders", "2",
         "Violence against civilians", "Attack"),
        ("Strategic development", "1", "0", "Police arrested three men", "0",
         "Strategic developments", "Arrests"),
        ("Strategic development", "1", "0", "A meeting took place", "0",
         "Strategic developments", None),
        ("Non-violent transfer of territory", "2", "0", "x", "0", "Strategic developments",
         "Non-violent transfer of territory"),
        ("Headquarters or base established", "2", "0", "x", "0", "Strategic developments",
         "Headquarters or base established"),
    ],
)
def test_pre_2019_types_follow_the_2019_codebook(
    old: str, inter1: str, inter2: str, notes: str, fatalities: str, event_type: str,
    sub: str | None,
) -> None:
    text = LEGACY_HEADER + "\n" + legacy_row("MLI1", "13/01/2016", old, inter1, inter2, notes,
                                             fatalities)
    result = read_incidents(text.encode(), filename="old.csv")
    record = result.records.iloc[0]
    assert result.counts["accepted"] == 1
    assert record["event_type"] == event_type
    assert (None if pd.isna(record["sub_event_type"]) else record["sub_event_type"]) == sub
    assert record["event_type_original"] == old


def test_excel_serial_dates_in_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "trimmed.xlsx"
    pd.DataFrame({"event_date": [43831, 43832], "event_type": ["Battles", "Riots"],
                  "latitude": [12.3, 12.4], "longitude": [-1.5, -1.6]}).to_excel(
        path, sheet_name="all", index=False)
    records = read_incidents(path, sheet="all").records
    assert records["event_date"].dt.date.tolist() == [date(2020, 1, 1), date(2020, 1, 2)]


def test_a_leading_pandas_index_column_is_harmless(tmp_path: Path) -> None:
    text = ",event_date,event_type\n0,2024-01-02,Battles\n1,2024-01-03,Riots\n"
    result = read_incidents(text.encode(), filename="saved_by_pandas.csv")
    assert result.counts["accepted"] == 2 and result.counts["quarantined"] == 0


UCDP_WEB = (
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,"
    "conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,"
    "side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,"
    "source_date,source_headline,source_original,where_prec,where_coordinates,"
    "where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,country_id,"
    "region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,"
    "deaths_unknown,best_est,high_est,low_est"
)


def ucdp_web_row(event_id: str, start: str, end: str, best: str = "3") -> str:
    return (f"{event_id},REL-{event_id},2023,True,Clear,1,1,1,Country: Group,2,2,Gov - Group,3,3,"
            "Government of Burkina Faso,4,4,Group,1,\"Paper,2023-01-01,Headline\",Paper,2023-01-01,"
            "Headline,,1,Djibo town,\"Djibo, Soum\",Sahel region,Soum province,14.1,-1.63,"
            f"POINT (-1.63 14.1),1,Burkina Faso,439,Africa,1,4,{start},{end},0,0,{best},0,{best},"
            f"{int(best) + 2},{best},")


def test_ucdp_website_export_trailing_commas_estimates_and_month_first_ranges() -> None:
    text = "\n".join([UCDP_WEB,
                      ucdp_web_row("9001", "10/06/2023 00:00:00", "10/06/2023 00:00:00"),
                      ucdp_web_row("9002", "01/28/2023 00:00:00", "02/03/2023 00:00:00", "5")])
    result = read_incidents(text.encode(), filename="gedevents-2025-01-17.csv")
    records = result.records.set_index("event_id_cnty")
    assert result.counts["mapping"] == "ucdp_ged" and result.counts["accepted"] == 2
    assert records.loc["UCDP-9001", "event_date"].date() == date(2023, 10, 6)
    assert pd.isna(records.loc["UCDP-9001", "event_date_end"])
    assert records.loc["UCDP-9002", "event_date_end"].date() == date(2023, 2, 3)
    assert records.loc["UCDP-9002", "fatalities"] == 5
    assert records.loc["UCDP-9002", "fatalities_high"] == 7
    assert records.loc["UCDP-9001", "admin1"] == "Sahel region"
    assert (records["status"] == "ok").all()


def test_period_filter_keeps_a_range_that_overlaps_it() -> None:
    text = "\n".join([UCDP_WEB,
                      ucdp_web_row("9002", "01/28/2023 00:00:00", "02/03/2023 00:00:00")])
    records = read_incidents(text.encode(), filename="gedevents.csv").records
    inside = FilterSpec(start=date(2023, 2, 1), end=date(2023, 2, 28))
    after = FilterSpec(start=date(2023, 2, 4), end=date(2023, 2, 28))
    assert filter_mask(records, inside).tolist() == [True]
    assert filter_mask(records, after).tolist() == [False]


def test_day_month_order_is_decided_per_column_not_per_cell() -> None:
    # 13/01 can only be day-first, so 02/03 in the same column is 2 March, not 3 February.
    header = "event_date,event_type\n"
    result = read_incidents((header + "13/01/2024,Battles\n02/03/2024,Battles\n").encode(),
                            filename="a.csv")
    assert result.records["event_date"].dt.date.tolist() == [date(2024, 1, 13), date(2024, 3, 2)]
    result = read_incidents((header + "01/13/2024,Battles\n02/03/2024,Battles\n").encode(),
                            filename="b.csv")
    assert result.records["event_date"].dt.date.tolist() == [date(2024, 1, 13), date(2024, 2, 3)]


def test_hdx_ucdp_copy_with_float_codes_and_hxl_row() -> None:
    header = ("id,year,active_year,type_of_violence,conflict_new_id,side_a,side_b,where_prec,"
              "adm_1,latitude,longitude,country,iso3,date_prec,date_start,date_end,low,best,high")
    tags = ",#date+year,,,,#group+name+first,#group+name+second,,#adm1+name,#geo+lat,#geo+lon,,,,,"
    row = "71,2013.0,0.0,2.0,4591.0,A,B,1.0,Dhaka Division,23.7,90.4,Bangladesh,BGD,1.0,2013-12-14,2013-12-14,1.0,2.0,3.0"
    result = read_incidents("\n".join([header, tags + ",,", row]).encode(), filename="conflict.csv")
    record = result.records.iloc[0]
    assert result.counts["accepted"] == 1 and result.counts["hxl_tags"] == 6
    assert record["event_type"] == "Battles" and record["geo_precision"] == 1
    assert record["fatalities"] == 2


def test_actor_based_export_folds_into_one_incident_per_event() -> None:
    rows = [acled_row("BFA7", "2020-01-05"),
            acled_row("BFA7", "2020-01-05").replace("Militia A,,3,Military Forces of Burkina Faso,,1",
                                                    "Military Forces of Burkina Faso,,1,,,"),
            acled_row("BFA8", "2020-01-06")]
    result = read_incidents("\n".join([ACLED_2020.replace(",actor2,assoc_actor_2,inter2", ",a2,aa2,i2"),
                                       *rows]).encode(), filename="monadic.csv")
    records = result.records.set_index("event_id_cnty")
    assert len(records) == 2 and result.counts["folded_actor_rows"] == 1
    assert result.counts["rows"] == 3
    assert records.loc["BFA7", "actor1"] == "Militia A"
    assert records.loc["BFA7", "actor2"] == "Military Forces of Burkina Faso"
    assert records.loc["BFA7", "inter2"] == 1
    assert records.loc["BFA7", "fatalities"] == 2


AWSD = ('"Incident ID",Year,Month,Day,"Country Code",Country,Region,District,City,UN,INGO,ICRC,'
        '"NRCS and IFRC",NNGO,Other,"Nationals killed","Nationals wounded","Nationals kidnapped",'
        '"Total nationals","Internationals killed","Internationals wounded",'
        '"Internationals kidnapped","Total internationals","Total killed","Total wounded",'
        '"Total kidnapped","Total affected","Gender Male","Gender Female","Gender Unknown",'
        '"Means of attack","Attack context",Location,Latitude,Longitude,Motive,"Actor type",'
        '"Actor name",Details,Verified,Source')


def awsd_row(incident: str, year: str, month: str, day: str, means: str) -> str:
    return (f"{incident},{year},{month},{day},ML,Mali,Mopti,Bandiagara,Bandiagara,0,1,0,0,0,0,1,0,0,"
            f"1,0,0,0,0,1,0,0,1,1,0,0,{means},Ambush,Road,14.35,-3.61,Unknown,Unknown,Unknown,"
            "\"A driver was stopped\non the road\",Archived,Media")


def test_awsd_loads_through_its_builtin_mapping() -> None:
    text = "\n".join([AWSD, awsd_row("901", "2020", "3", "14", "Kidnapping"),
                      awsd_row("902", "2019", "7", "", "Roadside IED"),
                      awsd_row("903", "2018", "", "", "Unknown")])
    result = read_incidents(text.encode(), filename="security_incidents.csv")
    records = result.records.set_index("event_id_cnty")
    assert result.counts["mapping"] == "awsd" and result.counts["accepted"] == 3
    assert records.loc["AWSD-901", "event_date"].date() == date(2020, 3, 14)
    assert records.loc["AWSD-901", "sub_event_type"] == "Abduction/forced disappearance"
    assert records.loc["AWSD-902", "event_type"] == "Explosions/Remote violence"
    assert records.loc["AWSD-902", "time_precision"] == 3
    assert records.loc["AWSD-902", "status"] == "ok"
    assert records.loc["AWSD-903", "status"] == "needs_review"
    assert records.loc["AWSD-901", "admin1"] == "Mopti"


GDELT = ("GLOBALEVENTID,SQLDATE,MonthYear,Year,FractionDate,Actor1Code,Actor1Name,EventCode,"
         "EventBaseCode,EventRootCode,ActionGeo_Type,ActionGeo_FullName,ActionGeo_CountryCode,"
         "ActionGeo_Lat,ActionGeo_Long,SOURCEURL")


def test_gdelt_events_load_through_their_builtin_mapping() -> None:
    text = "\n".join([GDELT,
                      "1,19970105,199701,1997,1997.01,NA,NA,190,190,19,4,\"Gao, Mali\",ML,16.27,-0.04,NA",
                      "2,19970106,199701,1997,1997.01,MLI,MALI,1831,183,18,4,\"Gao, Mali\",ML,16.27,-0.04,NA",
                      "3,19970107,199701,1997,1997.01,MLI,MALI,173,173,17,4,\"Gao, Mali\",ML,16.27,-0.04,NA"])
    records = read_incidents(text.encode(), filename="1997.csv").records.set_index("event_id_cnty")
    assert records["event_type"].tolist() == ["Battles", "Explosions/Remote violence",
                                              "Strategic developments"]
    assert records.loc["GDELT-2", "sub_event_type"] == "Suicide bomb"
    assert records.loc["GDELT-3", "sub_event_type"] == "Arrests"
    actor = records.loc["GDELT-1", "actor1"]
    assert pd.isna(actor) or actor == ""  # GDELT's NA is no actor
    assert records.loc["GDELT-1", "event_date"].date() == date(1997, 1, 5)


def test_missing_columns_name_the_header_for_a_mapping_step() -> None:
    with pytest.raises(MissingColumnsError) as error:
        read_incidents(b"Date,Type\n2024-01-02,Attaque\n", filename="log.csv")
    assert error.value.missing == ["event_date", "event_type"]
    assert error.value.columns == ["Date", "Type"]
    assert "--map" in str(error.value)


def test_a_short_row_is_quarantined_with_its_field_count() -> None:
    text = ("event_date,event_type,location,fatalities\n2024-01-01,Battles,Djibo,1\n"
            "2024-01-02,Battles\n2024-01-03,Riots,Gao,0\n")
    result = read_incidents(text.encode(), filename="cut.csv")
    assert result.counts["accepted"] == 2 and result.counts["rows"] == 3
    assert result.quarantine.loc[0, "row_number"] == 2
    assert result.quarantine.loc[0, "reason"] == "row has 2 fields, header has 4"


def test_a_long_row_says_how_many_fields_it_has() -> None:
    text = "event_date,event_type\n2024-01-01,Battles\n2024-01-02,Battles,extra\n"
    result = read_incidents(text.encode(), filename="long.csv")
    assert result.quarantine.loc[0, "reason"] == "row has 3 fields, header has 2"


@pytest.mark.parametrize("width", [57, 58, 61])
def test_gdelt_files_without_a_header_are_named_by_their_width(width: int) -> None:
    from incidents.io.gdelt import COLUMNS_BY_WIDTH

    names = COLUMNS_BY_WIDTH[width]
    values = {"GLOBALEVENTID": "", "SQLDATE": "", "EventCode": "193", "EventBaseCode": "193",
              "EventRootCode": "19", "ActionGeo_Lat": "16.27", "ActionGeo_Long": "-0.04",
              "ActionGeo_FullName": "Gao, Mali"}

    def line(event_id: str, day: str) -> str:
        row = {**values, "GLOBALEVENTID": event_id, "SQLDATE": day}
        return "\t".join(row.get(n, "") for n in names)

    text = "\n".join([line("11", "20150301"), line("12", "20150302")]) + "\n"
    result = read_incidents(text.encode(), filename="20150302.export.CSV")
    assert result.counts["accepted"] == 2 and result.counts["mapping"] == "gdelt_events"
    assert result.records["event_type"].tolist() == ["Battles", "Battles"]
    assert result.records["sub_event_type"].tolist() == ["Armed clash", "Armed clash"]


def test_a_current_violence_against_civilians_row_is_not_read_as_pre_2019() -> None:
    text = "\n".join([ACLED_2020, acled_row("BFA1", "2020-01-05", "Violence against civilians",
                                            "Sexual violence")])
    record = read_incidents(text.encode(), filename="a.csv").records.iloc[0]
    assert record["sub_event_type"] == "Sexual violence"
    assert pd.isna(record["event_type_original"]) or record["event_type_original"] == ""


def test_notes_words_match_word_starts_only() -> None:
    # "undermine" and "violence" must not read as a landmine or as rape.
    rows = [legacy_row("MLI1", "13/01/2016", "Remote violence", notes="Talks to undermine peace"),
            legacy_row("MLI2", "13/01/2016", "Violence against civilians", "2", "7",
                       notes="Violence in the market; two traders shot")]
    records = read_incidents((LEGACY_HEADER + "\n" + "\n".join(rows)).encode(),
                             filename="old.csv").records
    assert pd.isna(records.loc[0, "sub_event_type"])
    assert records.loc[1, "sub_event_type"] == "Attack"
