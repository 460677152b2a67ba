"""The list parsers on the real published files in ../shared/data (see its README.md, sections
1-3): counts, known records, the publishers' quirks, cross-format consistency, and speed."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.screening.entries import STRONG, WEAK, Alias, ListEntry, ParsedList
from app.screening.parsers import detect_format, parse_file

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
UN_2026 = DATA / "un_sc_consolidated_2026-02-27.xml"
UN_2025 = DATA / "un_sc_consolidated_2025-04-19.xml"
SDN_CSV = DATA / "ofac_sdn_2024-05-03.csv"
CONS_CSV = DATA / "ofac_non_sdn_cons_prim.csv"
CONS_XML = DATA / "ofac_non_sdn_consolidated_2025-03-28.xml"
DPL = DATA / "us_bis_denied_persons_list.txt"

#: Seconds each parse took, printed at the end of the module (pytest -s) for the record.
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module", autouse=True)
def _real_data() -> Any:
    if not UN_2026.is_file():
        pytest.skip("../shared/data not present: real list files unavailable")
    yield
    for name, seconds in TIMINGS.items():
        print(f"\n  parse {name}: {seconds:.2f} s")


def timed(path: Path) -> ParsedList:
    start = time.perf_counter()
    parsed = parse_file(path)
    TIMINGS[path.name] = time.perf_counter() - start
    return parsed


_cache: dict[Path, ParsedList] = {}


def parsed(path: Path) -> ParsedList:
    if path not in _cache:
        _cache[path] = timed(path)
    return _cache[path]


def entries(path: Path) -> dict[str, ListEntry]:
    return {e.key: e for e in parsed(path).entries}


def kinds(path: Path) -> Counter[str]:
    return Counter(e.kind for e in parsed(path).entries)


# --- UN ----------------------------------------------------------------------------------------

def test_un_2026_counts_and_known_records() -> None:
    assert detect_format(UN_2026) == "un-xml"
    assert kinds(UN_2026) == {"individual": 730, "entity": 273}
    un = entries(UN_2026)
    assert len(un) == 1003
    published = parsed(UN_2026).published
    assert published is not None and published.isoformat() == "2026-02-27"
    assert un["6908043"].name == "ABOUD ROGO MOHAMMED"
    assert (un["6908555"].name, un["6908555"].reference) == ("RI WON HO", "KPi.033")
    assert un["6908555"].countries == ("KP",)
    fdlr = un["6908027"]
    assert fdlr.kind == "entity"
    assert fdlr.name == "FORCES DEMOCRATIQUES DE LIBERATION DU RWANDA (FDLR)"
    assert len(fdlr.details["Addresses"]) == 2
    swalleh = un["6909290"]
    assert swalleh.details["Addresses"] == ["Luzira Prison, Luzira, Kampala, Uganda"]
    assert "UG" in swalleh.countries


def test_un_programmes_and_alias_qualities() -> None:
    programmes = Counter(p for e in parsed(UN_2026).entries for p in e.programmes)
    assert programmes == {"Al-Qaida": 341, "DPRK": 155, "Taliban": 140, "Iran": 121,
                          "Iraq": 75, "DRC": 53, "Libya": 30, "Somalia": 24, "CAR": 15,
                          "Haiti": 11, "Yemen": 11, "GB": 10, "Sudan": 9, "SouthSudan": 8}
    notes = Counter((a.quality, a.note) for e in parsed(UN_2026).entries for a in e.aliases)
    assert notes[(WEAK, "Low")] == 615
    assert notes[(STRONG, "f.k.a.")] == 19
    assert notes[(STRONG, "a.k.a.")] == 594
    assert notes[(STRONG, "Good")] == 1524
    # placeholders (<QUALITY/><ALIAS_NAME/>) are gone: no alias without a name
    assert all(a.name for e in parsed(UN_2026).entries for a in e.aliases)


def test_un_replacement_character_record_parses() -> None:
    odd = [e for e in parsed(UN_2026).entries
           if any("\ufffd" in a.name for a in e.aliases)]
    assert [e.key for e in odd] == ["111076"]
    assert Alias("محمد الل\ufffd\ufffd مطيع", STRONG, "original script") in odd[0].aliases
    assert any("111076" in w for w in parsed(UN_2026).warnings)


def test_un_birth_date_variants_are_all_read() -> None:
    births = [b for e in parsed(UN_2026).entries for b in e.birth_dates]
    assert any(len(b) == 10 for b in births)
    assert any(len(b) == 4 for b in births)
    assert sum("/" in b for b in births) == 31  # FROM_YEAR/TO_YEAR pairs


def test_un_countries_resolve() -> None:
    unresolved = Counter(v for e in parsed(UN_2026).entries
                         for v in e.details.get("Country (unresolved)", ()))
    assert unresolved == {"former Soviet Union": 1}


def test_un_2025_and_the_diff_to_2026() -> None:
    assert kinds(UN_2025) == {"individual": 684, "entity": 193}
    old, new = set(entries(UN_2025)), set(entries(UN_2026))
    added, gone = new - old, old - new
    assert (len(added), len(gone)) == (136, 10)
    assert Counter(entries(UN_2026)[k].programmes[0] for k in added) == {
        "Iran": 121, "Haiti": 10, "Sudan": 4, "Al-Qaida": 1}
    assert Counter(entries(UN_2025)[k].programmes[0] for k in gone) == {
        "Haiti": 6, "Al-Qaida": 3, "Iraq": 1}


# --- OFAC --------------------------------------------------------------------------------------

def test_ofac_sdn_csv_counts_kinds_and_known_entries() -> None:
    assert detect_format(SDN_CSV) == "ofac-sdn-csv"
    assert kinds(SDN_CSV) == {"entity": 6884, "individual": 6854, "vessel": 851,
                              "aircraft": 376}
    sdn = entries(SDN_CSV)
    assert len(sdn) == 14965
    assert max(int(k) for k in sdn) == 48907
    assert sdn["306"].name == "BANCO NACIONAL DE CUBA"
    assert sdn["306"].aliases == (Alias("BNC", WEAK, "a.k.a. (weak)"),)
    assert sdn["4632"].name == "BANK MARKAZI JOMHOURI ISLAMI IRAN"
    hasan = sdn["2686"]
    assert (hasan.name, hasan.kind) == ("NASRALLAH, Hasan", "individual")
    assert hasan.programmes == ("SDGT", "SYRIA")
    assert hasan.birth_dates == ("1960-08-31", "1953-08-31", "1955-08-31", "1958-08-31")
    programmes = Counter(p for e in sdn.values() for p in e.programmes)
    assert programmes["RUSSIA-EO14024"] == 4439
    assert programmes["NPWMD"] == 943
    # the file comes without add/alt/comments: said, not silently ignored
    assert sum(w.startswith("No OFAC") for w in parsed(SDN_CSV).warnings) == 3


def test_ofac_sdn_csv_remarks_give_birth_dates_and_countries() -> None:
    sdn = parsed(SDN_CSV).entries
    individuals = [e for e in sdn if e.kind == "individual"]
    assert sum(bool(e.birth_dates) for e in individuals) > 6000
    assert sum(bool(e.countries) for e in individuals) > 4500
    unresolved = Counter(v for e in sdn for v in e.details.get("Country (unresolved)", ()))
    assert sum(unresolved.values()) <= 5, unresolved


def test_ofac_sdn_csv_parses_in_a_few_seconds() -> None:
    start = time.perf_counter()
    parse_file(SDN_CSV)
    seconds = time.perf_counter() - start
    assert seconds < 5, f"the SDN list took {seconds:.1f} s"


def test_ofac_consolidated_csv_set_joins_on_ent_num() -> None:
    assert detect_format(CONS_CSV) == "ofac-cons-csv"
    cons = entries(CONS_CSV)
    assert len(cons) == 442
    assert not [w for w in parsed(CONS_CSV).warnings if w.startswith("No OFAC")]
    haniya = cons["9639"]
    assert haniya.name == "HANIYA, Ismail Abdul Salah"
    assert Alias("HANIYYA, Ismaeel", STRONG, "a.k.a.") in haniya.aliases
    assert haniya.birth_dates == ("1962",)
    assert cons["34736"].aliases[-1] == Alias("RZHD", WEAK, "a.k.a. (weak)")
    assert Alias("RUSSIAN RAILWAYS", STRONG, "a.k.a.") in cons["34736"].aliases
    assert cons["50476"].countries[:1] == ("HT",)
    assert "Miami, FL, United States" in cons["50476"].details["Addresses"]
    # Remarks cut at 1000 characters continue in cons_comments.csv
    assert "Registration Number 1027700342890 (Russia)" in cons["17014"].remarks
    programmes = {p for e in cons.values() for p in e.programmes}
    assert {"UKRAINE-EO13662", "RUSSIA-EO14024", "NS-PLC", "CMIC-EO13959",
            "IRAN-CON-ARMS-EO"} <= programmes
    aliases = Counter(a.quality for e in cons.values() for a in e.aliases)
    assert aliases[STRONG] > 1000


def test_ofac_xml_and_its_record_count() -> None:
    assert detect_format(CONS_XML) == "ofac-xml"
    xml = parsed(CONS_XML)
    assert len(xml.entries) == 443
    assert xml.warnings == ()  # Record_Count 443 agrees
    assert xml.published is not None and xml.published.isoformat() == "2025-03-28"
    assert xml.title == "OFAC Consolidated (non-SDN) List"
    qualities = Counter(a.quality for e in xml.entries for a in e.aliases)
    assert qualities == {STRONG: 1066, WEAK: 70}


def test_ofac_csv_and_xml_agree() -> None:
    csv_, xml = entries(CONS_CSV), entries(CONS_XML)
    assert set(csv_) == set(xml) - {"26182"}

    def same(field: str) -> int:
        return sum(getattr(csv_[k], field) == getattr(xml[k], field) for k in csv_)
    assert same("kind") == 442
    assert same("countries") == 442
    assert same("name") >= 440
    weak_csv = {(k, a.name) for k, e in csv_.items() for a in e.aliases if a.quality == WEAK}
    weak_xml = {(k, a.name) for k, e in xml.items() for a in e.aliases if a.quality == WEAK}
    assert len(weak_csv & weak_xml) >= 65


# --- BIS ---------------------------------------------------------------------------------------

def test_bis_denied_persons_list() -> None:
    assert detect_format(DPL) == "bis-dpl"
    dpl = parsed(DPL)
    assert len(dpl.entries) == 581
    assert len({e.key for e in dpl.entries}) == 581
    text = "\n".join(dpl.warnings)
    assert "2922-09-01" in text and "3017-08-22" in text
    assert dpl.entries[0].name == "I. ASH"  # " I. ASH" in the file
    countries = Counter(c for e in dpl.entries for c in e.countries)
    assert (countries["US"], countries["AE"], countries["GB"], countries["IR"]) == (
        162, 21, 18, 16)
    assert any("Order status" in e.details for e in dpl.entries)  # expired orders kept
    assert any(e.details.get("Order expires") == ["2056-06-29"] for e in dpl.entries)
