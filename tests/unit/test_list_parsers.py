"""Sanctions-list parsers on small files in the publishers' real formats (tests/data/screening):
UN XML, OFAC's legacy CSV set and XML, the BIS Denied Persons List and our generic CSV; and
the files they must refuse whole (truncated, XML bombs, wrong root, broken rows)."""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InputError
from app.screening.entries import STRONG, WEAK, Alias, ListEntry
from app.screening.parsers import (
    FORMATS,
    ListFormatError,
    bis_dpl,
    detect_format,
    ofac_csv,
    parse_file,
)
from app.screening.parsers._common import UNRESOLVED, Details, country_code, ofac_birth_date

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "screening"
BIRTH_FORM = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?|/\d{4})?$")


def by_key(path: Path, fmt: str | None = None) -> dict[str, ListEntry]:
    return {e.key: e for e in parse_file(path, fmt).entries}


def copy(tmp_path: Path, name: str, as_name: str | None = None) -> Path:
    return Path(shutil.copy(DATA / name, tmp_path / (as_name or name)))


# --- format detection ------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "fmt"), [
    ("un_small.xml", "un-xml"), ("sdn_small.csv", "ofac-sdn-csv"),
    ("ofac_small.xml", "ofac-xml"), ("dpl_small.txt", "bis-dpl"), ("generic.csv", "csv")])
def test_formats_are_detected_from_content(name: str, fmt: str) -> None:
    assert detect_format(DATA / name) == fmt
    assert fmt in FORMATS
    assert parse_file(DATA / name).source_format == fmt


def test_ofac_consolidated_csv_is_told_by_its_name(tmp_path: Path) -> None:
    prim = copy(tmp_path, "sdn_small.csv", "cons_prim.csv")
    assert detect_format(prim) == "ofac-cons-csv"
    assert parse_file(prim).title == "OFAC Consolidated (non-SDN) List"


def test_an_ofac_companion_file_is_refused_with_advice(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match=r"alias \(alt.csv\).*import the primary file"):
        detect_format(DATA / "alt_small.csv")


def test_unknown_and_empty_files_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("licence,country\nX,FR\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="not a list format Golden Rule knows"):
        parse_file(other)
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(ListFormatError, match="empty"):
        parse_file(empty)
    xml = tmp_path / "feed.xml"
    xml.write_text("<?xml version='1.0'?>\n<!-- a feed -->\n<rss><channel/></rss>",
                   encoding="utf-8")
    with pytest.raises(ListFormatError, match="root element <rss>"):
        parse_file(xml)
    with pytest.raises(InputError, match="Unknown list format 'eu-xml'"):
        parse_file(DATA / "generic.csv", "eu-xml")


# --- UN consolidated list XML ----------------------------------------------------------------

def test_un_xml_individuals_and_entities() -> None:
    parsed = parse_file(DATA / "un_small.xml")
    assert parsed.title == "UN Security Council Consolidated List"
    assert parsed.published == date(2026, 2, 27)
    assert [(e.key, e.kind) for e in parsed.entries] == [
        ("9000001", "individual"), ("9000002", "individual"), ("9000003", "entity")]
    ivan, ahmad, firm = parsed.entries
    assert ivan.name == "IVAN PETROVICH SIDOROV"
    assert ahmad.name == "AHMAD KHALIL AL NOORI"  # all four name parts
    assert firm.name == "NORTHERN STAR TRADING CORPORATION"
    assert (ivan.programmes, ivan.reference, ivan.listed_on) == (("DPRK",), "KPi.901",
                                                                 "2016-11-30")
    assert ahmad.listed_on == "2001-01-25"  # "2001-01-25-05:00" in the file
    assert ivan.remarks == "Arranges shipments of controlled goods."  # hard wrap joined


def test_un_xml_aliases_keep_their_quality() -> None:
    entries = by_key(DATA / "un_small.xml")
    assert entries["9000001"].aliases == (
        Alias("Ivan Sidorov", STRONG, "Good"), Alias("Vanya", WEAK, "Low"),
        Alias("Иван Петрович Сидоров", STRONG, "original script"))  # placeholder dropped
    assert entries["9000003"].aliases == (
        Alias("NSTC", STRONG, "a.k.a."), Alias("Polar Light Export Company", STRONG, "f.k.a."))


def test_un_xml_keeps_the_replacement_character_quirk_with_a_warning() -> None:
    parsed = parse_file(DATA / "un_small.xml")
    ahmad = parsed.entries[1]
    assert ahmad.aliases[-1] == Alias("أحمد خليل ال\ufffd\ufffd نوري", STRONG, "original script")
    assert any("9000002" in w and "U+FFFD" in w for w in parsed.warnings)


def test_un_xml_birth_dates_countries_and_details() -> None:
    ivan, ahmad, firm = parse_file(DATA / "un_small.xml").entries
    assert ivan.birth_dates == ("1970-05-01", "1971", "1968/1972")
    assert ahmad.birth_dates == ("1961",)  # the empty INDIVIDUAL_DATE_OF_BIRTH ignored
    assert ivan.countries == ("RU", "KP")
    assert ahmad.countries == ("IR",)  # "Iran (Islamic Republic of)"
    assert firm.countries == ("KP", "AE")  # from the addresses
    assert ivan.details[UNRESOLVED] == ["former Soviet Union"]
    assert ivan.details["Titles"] == ["Colonel"]
    assert ivan.details["Designations"] == ["Procurement officer",
                                            "Director of a trading company"]
    assert ivan.details["Documents"] == ["Passport 654321987 (Russian Federation)"]
    assert ivan.details["Places of birth"] == ["Vladivostok, Russian Federation"]
    assert ivan.details["Nationality as written"] == ["Russian Federation",
                                                      "Democratic People's Republic of Korea"]
    assert ivan.details["Last updated"] == ["2017-01-05", "2020-03-01"]
    assert firm.details["Addresses"] == [
        "Sungri Street, Pyongyang, Democratic People's Republic of Korea",
        "Dubai, United Arab Emirates (branch office)"]
    assert list(ivan.details)[-1] == UNRESOLVED


def test_truncated_xml_is_refused_naming_the_line(tmp_path: Path) -> None:
    text = (DATA / "un_small.xml").read_text(encoding="utf-8")
    cut = tmp_path / "un.xml"
    cut.write_text(text[:text.index("<ENTITIES>") + 40], encoding="utf-8")
    line = text[:text.index("<ENTITIES>") + 40].count("\n") + 1
    with pytest.raises(ListFormatError, match=rf"un.xml is not well-formed XML: .* line {line}"):
        parse_file(cut)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<DATAID>1</DATAID><FIRST_NAME>&lol4;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS>
</CONSOLIDATED_LIST>"""


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(BILLION_LAUGHS, encoding="utf-8")
    assert detect_format(bomb) == "un-xml"  # the DOCTYPE does not hide the root
    with pytest.raises(ListFormatError, match=r"bomb.xml declares a document type.*XML bomb"):
        parse_file(bomb)
    xxe = tmp_path / "xxe.xml"
    xxe.write_text('<?xml version="1.0"?><!DOCTYPE sdnList [<!ENTITY x SYSTEM '
                   '"file:///etc/passwd">]><sdnList><sdnEntry><uid>1</uid><lastName>&x;'
                   '</lastName></sdnEntry></sdnList>', encoding="utf-8")
    with pytest.raises(ListFormatError, match="refused"):
        parse_file(xxe)


def test_well_formed_xml_with_the_wrong_root_is_refused() -> None:
    with pytest.raises(ListFormatError, match=r"not the UN consolidated list.*<sdnList>"):
        parse_file(DATA / "ofac_small.xml", "un-xml")
    with pytest.raises(ListFormatError, match=r"not an OFAC list.*<CONSOLIDATED_LIST>"):
        parse_file(DATA / "un_small.xml", "ofac-xml")


def test_un_record_without_a_name_rejects_the_file(tmp_path: Path) -> None:
    text = (DATA / "un_small.xml").read_text(encoding="utf-8")
    bad = tmp_path / "un.xml"
    bad.write_text(text.replace("<FIRST_NAME>NORTHERN STAR TRADING CORPORATION</FIRST_NAME>",
                                "<FIRST_NAME/>"), encoding="utf-8")
    with pytest.raises(ListFormatError, match="ENTITY with DATAID 9000003 has no name"):
        parse_file(bad)
    bad.write_text(text.replace("<DATAID>9000002</DATAID>", ""), encoding="utf-8")
    with pytest.raises(ListFormatError, match="INDIVIDUAL number 2 has no DATAID"):
        parse_file(bad)


# --- OFAC legacy CSV ---------------------------------------------------------------------------

def test_ofac_csv_reads_crlf_eof_byte_nulls_and_programme_separator() -> None:
    raw = (DATA / "sdn_small.csv").read_bytes()
    assert raw.endswith(b"\r\n\x1a") and b"-0- " in raw and b"] [" in raw
    parsed = parse_file(DATA / "sdn_small.csv")
    assert parsed.source_format == "ofac-sdn-csv"
    assert parsed.title == "OFAC Specially Designated Nationals (SDN) List"
    assert parsed.published is None
    kinds = {e.key: e.kind for e in parsed.entries}
    assert kinds == {"306": "entity", "2686": "individual", "4243": "vessel",
                     "15431": "aircraft", "17014": "entity", "36001": "individual"}
    hasan = by_key(DATA / "sdn_small.csv")["2686"]
    assert hasan.name == "NASRALLAH, Hasan"
    assert hasan.programmes == ("SDGT", "SYRIA")
    assert hasan.details["Titles"] == ["Secretary General of Hizballah"]
    assert hasan.details["Linked to"] == ["HIZBALLAH"]


def test_ofac_csv_joins_aliases_addresses_and_comments() -> None:
    entries = by_key(DATA / "sdn_small.csv")
    bank = entries["306"]
    # alt.csv holds the strong aliases; a quoted a.k.a. in Remarks is OFAC's weak alias
    assert bank.aliases == (Alias("NATIONAL BANK OF CUBA", STRONG, "a.k.a."),
                            Alias("BNC", WEAK, "a.k.a. (weak)"))
    assert bank.countries == ("CU",)
    assert bank.details["Addresses"] == ["Avenida Salvador Allende 1, Havana, Cuba"]
    long = entries["17014"]
    assert [a.note for a in long.aliases] == ["f.k.a.", "n.k.a.", "a.k.a. (weak)"]
    # Remarks continue in the comments file, the space at the cut kept
    assert "; Website http://www.example-bank.ru; Executive Order" in long.remarks
    assert long.remarks.endswith("a.k.a. 'EXB'.")
    assert long.details[UNRESOLVED] == ["Atlantis"]
    assert entries["36001"].aliases == (Alias("VANYA", WEAK, "weak a.k.a."),)


def test_ofac_csv_takes_birth_dates_and_nationalities_out_of_remarks() -> None:
    entries = by_key(DATA / "sdn_small.csv")
    assert entries["2686"].birth_dates == ("1960-08-31", "1953")
    assert entries["2686"].countries == ("LB",)
    assert entries["2686"].details["Places of birth"] == ["Al Basuriyah, Lebanon"]
    assert entries["2686"].remarks.startswith("DOB 31 Aug 1960; alt. DOB 1953; POB")
    petrov = entries["36001"]
    assert petrov.birth_dates == ("1965", "1960/1962", "1963-03")
    assert petrov.countries == ("RU", "KP")  # citizen Russia; nationality Korea, North
    vessel = entries["4243"]
    assert vessel.countries == ("PA",)  # the flag
    assert vessel.details["Vessel type"] == ["General Cargo"]
    assert vessel.details["Gross registered tonnage"] == ["1865"]
    assert [a.name for a in vessel.aliases] == ["ANA I", "SAND SWAN"]


def test_ofac_companions_are_found_under_ofacs_own_names(tmp_path: Path) -> None:
    for src, dst in (("sdn_small.csv", "SDN.CSV"), ("add_small.csv", "ADD.CSV"),
                     ("alt_small.csv", "ALT.CSV"), ("sdn_comments_small.csv", "SDN_COMMENTS.CSV")):
        copy(tmp_path, src, dst)
    sdn = by_key(tmp_path / "SDN.CSV")
    assert len(sdn["2686"].aliases) == 2 and "Website http" in sdn["17014"].remarks
    cons = tmp_path / "cons"
    cons.mkdir()
    for src, dst in (("sdn_small.csv", "cons_prim.csv"), ("add_small.csv", "cons_add.csv"),
                     ("alt_small.csv", "cons_alt.csv"),
                     ("sdn_comments_small.csv", "cons_comments.csv")):
        copy(cons, src, dst)
    parsed = parse_file(cons / "cons_prim.csv")
    assert parsed.source_format == "ofac-cons-csv"
    assert len(by_key(cons / "cons_prim.csv")["306"].aliases) == 2
    assert not [w for w in parsed.warnings if "No OFAC" in w]


def test_missing_companions_are_warnings_and_related_overrides(tmp_path: Path) -> None:
    alone = copy(tmp_path, "sdn_small.csv", "sdn.csv")
    parsed = parse_file(alone)
    assert len([w for w in parsed.warnings if w.startswith("No OFAC")]) == 3
    bank = {e.key: e for e in parsed.entries}["306"]
    assert bank.aliases == (Alias("BNC", WEAK, "a.k.a. (weak)"),)  # from Remarks only
    parsed = parse_file(alone, related={"alt": DATA / "alt_small.csv"})
    assert len([w for w in parsed.warnings if w.startswith("No OFAC")]) == 2
    assert len({e.key: e for e in parsed.entries}["306"].aliases) == 2


def test_ofac_csv_orphan_companion_lines_are_a_warning() -> None:
    parsed = parse_file(DATA / "sdn_small.csv")
    assert any("add_small.csv" in w and "(1)" in w for w in parsed.warnings)


def _broken(tmp_path: Path, old: bytes, new: bytes, name: str = "sdn.csv") -> Path:
    raw = (DATA / "sdn_small.csv").read_bytes()
    assert old in raw
    path = tmp_path / name
    path.write_bytes(raw.replace(old, new))
    return path


def test_ofac_csv_line_with_wrong_field_count_names_the_line(tmp_path: Path) -> None:
    bad = _broken(tmp_path, b'"1865","Panama",-0- ,', b'"1865","Panama",')
    with pytest.raises(ListFormatError, match=r"sdn.csv line 3: 11 fields .* has 12"):
        parse_file(bad)


def test_ofac_csv_other_broken_lines(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="line 2: the first field 'X2686'"):
        parse_file(_broken(tmp_path, b"\n2686,", b"\nX2686,"), "ofac-sdn-csv")
    with pytest.raises(ListFormatError, match="line 2: entry number 306 was already used on "
                                              "line 1"):
        parse_file(_broken(tmp_path, b"\n2686,", b"\n306,"))
    with pytest.raises(ListFormatError, match="line 3: SDN_Type 'ship'"):
        parse_file(_broken(tmp_path, b'"vessel"', b'"ship"'))
    alt = tmp_path / "alt.csv"
    alt.write_bytes(b'306,100,"aka"\r\n\x1a')
    with pytest.raises(ListFormatError, match=r"alt.csv line 1: 3 fields .* has 5"):
        parse_file(DATA / "sdn_small.csv", related={"alt": alt})


# --- OFAC XML ----------------------------------------------------------------------------------

def test_ofac_xml_entries() -> None:
    parsed = parse_file(DATA / "ofac_small.xml")
    assert parsed.source_format == "ofac-xml"
    assert parsed.published == date(2025, 3, 28)
    assert parsed.warnings == ()
    entries = {e.key: e for e in parsed.entries}
    person = entries["9641"]
    assert person.kind == "individual"
    assert person.name == "AL-SHANTI, Jamileh Abdullah"  # OFAC's "LAST, First", as in CSV
    assert person.aliases == (Alias("EL-SHANTI, Jameela Abdallah", STRONG, "a.k.a."),
                              Alias("UMM ABDALLAH", WEAK, "a.k.a. (weak)"))
    assert person.birth_dates == ("1955", "1957-03-12")
    assert person.countries == ("PS", "TR")  # nationality Palestinian, citizenship Turkey
    assert person.details["Places of birth"] == ["Jabalia Camp"]
    bank = entries["17014"]
    assert (bank.kind, bank.name) == ("entity", "EXAMPLE AGRICULTURAL BANK OJSC")
    assert bank.programmes == ("UKRAINE-EO13662", "RUSSIA-EO14024")
    assert bank.details["Identifiers"] == ["SWIFT/BIC EXAGRUMM",
                                           "Registration Number 1027700342890 (Russia)"]
    assert bank.details["Addresses"] == ["3, Gagarinsky Pereulok, Moscow, 119034, Russia"]
    ship = entries["4243"]
    assert (ship.kind, ship.countries, ship.remarks) == ("vessel", ("PA",),
                                                         "Former names recorded by OFAC.")
    assert ship.details["Call sign"] == ["HOEB"]


def test_ofac_xml_record_count_mismatch_is_a_warning(tmp_path: Path) -> None:
    text = (DATA / "ofac_small.xml").read_text(encoding="utf-8")
    path = tmp_path / "sdn.xml"
    path.write_text(text.replace("<Record_Count>3<", "<Record_Count>4<"), encoding="utf-8")
    parsed = parse_file(path)
    assert len(parsed.entries) == 3
    assert any("states 4 records" in w and "holds 3" in w for w in parsed.warnings)


def test_ofac_xml_entry_without_uid_or_type_is_refused(tmp_path: Path) -> None:
    text = (DATA / "ofac_small.xml").read_text(encoding="utf-8")
    path = tmp_path / "sdn.xml"
    path.write_text(text.replace("<sdnType>Vessel</sdnType>", "<sdnType>Ship</sdnType>"),
                    encoding="utf-8")
    with pytest.raises(ListFormatError, match="uid 4243 has sdnType 'Ship'"):
        parse_file(path)
    path.write_text(text.replace("<uid>17014</uid>", ""), encoding="utf-8")
    with pytest.raises(ListFormatError, match="sdnEntry number 2 has no uid"):
        parse_file(path)


# --- BIS Denied Persons List -----------------------------------------------------------------

def test_dpl_rows_names_countries_and_keys() -> None:
    parsed = bis_dpl.parse(DATA / "dpl_small.txt", today=date(2026, 6, 1))
    assert parsed.title == "BIS Denied Persons List"
    names = [e.name for e in parsed.entries]
    assert names == ["I. ASH", "KNOKKE-HEIST SUPPORT CORPORATION", "AL-NASER AIRLINES",
                     "DAQING ZHOU", "DAQING ZHOU", "MANSOUR ZADEH"]
    assert {e.kind for e in parsed.entries} == {"entity"}
    ash = parsed.entries[0]
    assert ash.countries == ("US",) and ash.listed_on == "2003-06-19"
    assert re.fullmatch(r"[0-9a-f]{16}", ash.key)
    assert parsed.entries[3].countries == ("CN",)  # "PRC"
    keys = [e.key for e in parsed.entries]
    assert len(set(keys)) == 6 and keys[4] == keys[3] + "-2"
    assert keys == [e.key for e in parse_file(DATA / "dpl_small.txt").entries]


def test_dpl_bad_dates_are_warnings_and_expired_orders_are_kept() -> None:
    parsed = bis_dpl.parse(DATA / "dpl_small.txt", today=date(2026, 6, 1))
    text = "\n".join(parsed.warnings)
    assert "line 3: last_update 2922-09-01 is in the future" in text
    assert "line 7: last_update 3017-08-22 is in the future" in text
    assert "line 7: expiration_date '13/45/2026' is not a date" in text
    assert "line 6 repeats line 5" in text
    knokke = parsed.entries[1]
    assert knokke.details["Order status"] == ["expired on 2023-02-23; kept for reference"]
    assert "Order status" not in parsed.entries[0].details  # runs to 2056
    assert "Order status" not in parsed.entries[2].details  # no expiry date
    assert parsed.entries[0].details["Order expires"] == ["2056-06-29"]


def test_dpl_broken_row_names_the_line(tmp_path: Path) -> None:
    lines = (DATA / "dpl_small.txt").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit("\t", 1)[0]
    bad = tmp_path / "dpl.txt"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"dpl.txt line 3: 11 fields where the header has "
                                              r"12"):
        parse_file(bad)


# --- generic CSV -------------------------------------------------------------------------------

def test_generic_csv_entries() -> None:
    parsed = parse_file(DATA / "generic.csv")
    e1, i1, v1 = parsed.entries
    assert e1 == ListEntry(
        key="E-1", kind="entity", name="Abidjan Logistique Défense",
        aliases=(Alias("ALD"), Alias("Logistique Ouest", WEAK)), countries=("CI",),
        programmes=("CIV-ARMS",), reference="CIe.001", listed_on="2025-01-10",
        remarks="Supplies armed groups.",
        details={"Addresses": ["Zone 4, Abidjan", "Bouaké"],
                 "Source URL": ["https://example.org/e1"]})
    assert i1.kind == "individual"
    assert i1.aliases == (Alias("Иван Петрович Сидоров"), Alias("Vanya", WEAK))
    assert i1.birth_dates == ("1970-05-01", "1971", "1968/1972", "1969-03")
    assert i1.countries == ("RU", "KP")
    assert i1.details == {UNRESOLVED: ["Atlantis"]}
    assert i1.remarks == "Line one.\nLine two."
    assert v1.kind == "vessel"
    assert any("line 3" in w and "Atlantis" in w for w in parsed.warnings)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_generic_csv_missing_required_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", ["id", "name", "aliases"], [["1", "A", ""]])
    with pytest.raises(ListFormatError, match=r"list.csv line 1: missing required column\(s\): "
                                              r"kind"):
        parse_file(path)  # detected as the generic CSV all the same


def test_generic_csv_collects_every_problem_with_line_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", ["id", "name", "kind", "birth_dates",
                                             "countries", "listed_on"], [
        ["A-1", "Alpha", "entity", "", "FR", "2020-01-01"],
        ["A-1", "Alpha bis", "entity", "", "", ""],
        ["A-2", "Beta", "company", "", "", ""],
        ["A-3", "", "individual", "12/03/1970", "", ""],
        ["A-4", "Delta", "individual", "1970-02-30;1972/1960", "XX", "2023-13-01"],
        ["", "Echo", "", "", "", ""],
        ["A-6", "Foxtrot", "entity", "", "", "", "surplus"],
    ])
    with pytest.raises(ListFormatError) as info:
        parse_file(path)
    problems = info.value.problems
    assert str(info.value).startswith(f"Nothing was imported: {len(problems)} problems")
    assert problems == (
        "list.csv line 3: id: 'A-1' is already the id of line 2; each entry needs its own",
        "list.csv line 4: kind: 'company' is not one of individual, entity, vessel, aircraft",
        "list.csv line 5: name: a value is required",
        "list.csv line 5: birth_dates: '12/03/1970' is not YYYY, YYYY-MM, YYYY-MM-DD or "
        "YYYY/YYYY",
        "list.csv line 6: birth_dates: '1970-02-30' is not YYYY, YYYY-MM, YYYY-MM-DD or "
        "YYYY/YYYY",
        "list.csv line 6: birth_dates: '1972/1960' is not YYYY, YYYY-MM, YYYY-MM-DD or "
        "YYYY/YYYY",
        "list.csv line 6: countries: 'XX' is not an ISO 3166-1 country code",
        "list.csv line 6: listed_on: '2023-13-01' is not a calendar date (YYYY-MM-DD)",
        "list.csv line 7: id: a value is required",
        "list.csv line 7: kind: a value is required (individual, entity, vessel, aircraft)",
        "list.csv line 8: 7 values, but the header row has 6 columns",
    )


def test_generic_csv_stops_listing_after_fifty_problems(tmp_path: Path) -> None:
    rows = [[f"X-{n}", f"Name {n}", "person"] for n in range(80)]
    with pytest.raises(ListFormatError) as info:
        parse_file(write_csv(tmp_path / "list.csv", ["id", "name", "kind"], rows))
    assert len(info.value.problems) == 51
    assert info.value.problems[-1].startswith("… and ")


def test_generic_csv_must_have_entries(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="no entries"):
        parse_file(write_csv(tmp_path / "list.csv", ["id", "name", "kind"], []), "csv")
    non_utf8 = tmp_path / "latin.csv"
    non_utf8.write_bytes("id,name,kind\n1,Müller,individual\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        parse_file(non_utf8, "csv")


def test_the_documented_example_parses(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "formats" / "sanctions-list-csv.md").read_text(encoding="utf-8")
    example = text.split("```csv", 1)[1].split("```", 1)[0].lstrip("\n")
    path = tmp_path / "example.csv"
    path.write_text(example, encoding="utf-8")
    parsed = parse_file(path)
    assert [e.key for e in parsed.entries] == ["E-1", "I-1", "V-1"]
    assert parsed.warnings == ()


_WORD = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd"),
                              max_codepoint=0x4FF), min_size=1, max_size=8)
_NAME = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)


@st.composite
def _birth(draw: st.DrawFn) -> str:
    year = draw(st.integers(1900, 2010))
    form = draw(st.sampled_from(["y", "ym", "ymd", "range"]))
    if form == "y":
        return f"{year}"
    if form == "ym":
        return f"{year}-{draw(st.integers(1, 12)):02d}"
    if form == "ymd":
        return date(year, draw(st.integers(1, 12)), draw(st.integers(1, 28))).isoformat()
    return f"{year}/{year + draw(st.integers(1, 5))}"


_ENTRY = st.builds(
    ListEntry,
    key=st.from_regex(r"[A-Z]{1,3}-[0-9]{1,5}", fullmatch=True),
    kind=st.sampled_from(["individual", "entity", "vessel", "aircraft"]),
    name=_NAME,
    aliases=st.lists(st.builds(Alias, _NAME, st.sampled_from([STRONG, WEAK])), max_size=3,
                     unique_by=lambda a: a.name).map(tuple),
    birth_dates=st.lists(_birth(), max_size=3, unique=True).map(tuple),
    countries=st.lists(st.sampled_from(["FR", "RU", "KP", "IR", "CI", "US"]), max_size=3,
                       unique=True).map(tuple),
    programmes=st.lists(st.from_regex(r"[A-Z]{2,6}(-[A-Z0-9]{1,6})?", fullmatch=True),
                        max_size=2, unique=True).map(tuple),
    reference=st.one_of(st.just(""), st.from_regex(r"[A-Z]{2}[ie]\.[0-9]{3}", fullmatch=True)),
    listed_on=st.one_of(st.just(""), st.dates(date(1990, 1, 1), date(2025, 12, 31)).map(
        date.isoformat)),
    remarks=st.one_of(st.just(""), _NAME),
    details=st.one_of(st.just({}), st.lists(_NAME, min_size=1, max_size=2, unique=True).map(
        lambda xs: {"Addresses": xs})),
)


@given(st.lists(_ENTRY, min_size=1, max_size=5, unique_by=lambda e: e.key))
def test_generic_csv_round_trip(tmp_path_factory: pytest.TempPathFactory,
                                entries: list[ListEntry]) -> None:
    path = tmp_path_factory.mktemp("rt") / "list.csv"
    rows = [[e.key, e.name, e.kind,
             ";".join(("~" if a.quality == WEAK else "") + a.name for a in e.aliases),
             ";".join(e.birth_dates), ";".join(e.countries), ";".join(e.programmes),
             e.reference, e.listed_on, e.remarks, ";".join(e.details.get("Addresses", []))]
            for e in entries]
    write_csv(path, ["id", "name", "kind", "aliases", "birth_dates", "countries",
                     "programmes", "reference", "listed_on", "remarks", "addresses"], rows)
    assert list(parse_file(path, "csv").entries) == entries


# --- shared pieces -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "code"), [
    ("FR", "FR"), ("fr", "FR"), ("RUS", "RU"), ("Russia", "RU"), ("Russian Federation", "RU"),
    ("Democratic People's Republic of Korea", "KP"), ("Korea, North", "KP"),
    ("Iran (Islamic Republic of)", "IR"), ("Syrian Arab Republic", "SY"),
    ("United Kingdom of Great Britain and Northern Ireland", "GB"), ("State of Palestine", "PS"),
    ("Palestinian", "PS"), ("Region: Gaza", "PS"), ("Congo, Democratic Republic of the", "CD"),
    ("Democratic Republic of the Congo", "CD"), ("Cote d'Ivoire", "CI"), ("TÜRKIYE", "TR"),
    ("Turkey", "TR"), ("St. Kitts & Nevis", "KN"), ("Burma", "MM"), ("Mexico.", "MX"),
    ("PRC", "CN"), ("Virgin Islands, British", "VG"),
    ("former Soviet Union", None), ("Atlantis", None), ("-0-", None), ("", None),
])
def test_country_names_as_lists_write_them(text: str, code: str | None) -> None:
    assert country_code(text) == code


@pytest.mark.parametrize(("text", "value"), [
    ("12 Mar 1965", "1965-03-12"), ("1965", "1965"), ("circa 1965", "1965"),
    ("Mar 1965", "1965-03"), ("1960 to 1962", "1960/1962"), ("circa 1979-1982", "1979/1982"),
    ("01 Jan 1960 to 31 Dec 1962", "1960/1962"), ("Feb 1960 to Nov 1960", "1960"),
    ("circa 01 Jan 1970", "1970-01-01"), ("31 Feb 1965", None), ("1962 to 1960", None),
    ("unknown", None), ("", None),
])
def test_ofac_birth_dates(text: str, value: str | None) -> None:
    assert ofac_birth_date(text) == value


@given(st.text(max_size=200))
def test_ofac_birth_date_never_raises_and_gives_a_listed_form(text: str) -> None:
    value = ofac_birth_date(text)
    assert value is None or BIRTH_FORM.match(value)


@given(st.lists(st.one_of(
    st.text(max_size=40),
    st.builds("DOB {}".format, st.text(max_size=20)),
    st.builds("alt. DOB {} {} {}".format, st.integers(-5, 40), st.sampled_from(
        ["Jan", "Feb", "Xyz", "Mar"]), st.integers(0, 3000)),
    st.builds("nationality {}".format, st.text(max_size=20)),
    st.builds("a.k.a. '{}'".format, st.text(max_size=20)),
), max_size=6).map("; ".join))
def test_ofac_remarks_extraction_never_raises(remarks: str) -> None:
    details, aliases, births = Details(), list[Alias](), list[str]()
    ofac_csv._remarks_facts(remarks, details, aliases, births)
    assert all(BIRTH_FORM.match(b) for b in births)
    assert all(a.quality == WEAK and a.name for a in aliases)
