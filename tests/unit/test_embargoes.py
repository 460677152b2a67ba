"""The dated arms-embargo table, its loader, and the embargo hard-stop check."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import embargoes
from app.casedata import CaseData, PartyData
from app.embargoes import (
    ANY_COUNTRY,
    EMBARGOES_PATH,
    Embargo,
    EmbargoCheck,
    EmbargoTable,
    Scope,
    Target,
    embargo_table,
    in_force,
    listed_regimes,
    load_embargoes,
)
from app.errors import ReferenceDataError
from app.hardstops import CheckContext, CheckResult, CheckStatus, default_registry, run_checks
from app.reference import reference

TODAY = date(2026, 2, 16)


@pytest.fixture(scope="module")
def table() -> EmbargoTable:
    return load_embargoes()


def case(destination: str, *parties: PartyData) -> CaseData:
    return CaseData(destination=destination, parties=list(parties))


def party(role: str, kind: str, country: str, name: str = "Party") -> PartyData:
    return PartyData(role=role, name=name, address="Somewhere", country=country, kind=kind)


def check(data: CaseData, day: date = TODAY) -> list[CheckResult]:
    return EmbargoCheck().run(CheckContext(data, day))


def by_key(results: list[CheckResult]) -> dict[str, CheckStatus]:
    return {r.key: r.status for r in results}


# -- the shipped table ---------------------------------------------------------------------


def test_shipped_table_loads(table: EmbargoTable) -> None:
    assert table.version and table.source
    assert table.as_of == date(2026, 2, 1)
    assert table.info.as_of == "2026-02-01"
    assert len(table.rows) >= 30
    assert embargo_table() is embargo_table()
    assert load_embargoes(EMBARGOES_PATH) == table


def test_every_row_is_complete(table: EmbargoTable) -> None:
    countries = reference().countries
    ids = [row.id for row in table.rows]
    assert len(ids) == len(set(ids))
    for row in table.rows:
        assert row.legal_basis.strip(), row.id
        assert isinstance(row.start, date), row.id
        assert row.end is None or row.end > row.start, row.id
        assert row.country == ANY_COUNTRY or row.country in countries, row.id
        if row.any_country:
            assert row.targets is Target.LISTED, row.id


def test_reference_rows_are_present(table: EmbargoTable) -> None:
    un = {r.country for r in table.rows if r.authority == "UN" and r.end is None}
    assert {"KP", "IR", "LY", "SS", "SD", "CF", "CD", "SO", "YE", "HT", "LB", "IQ"} <= un
    eu = {r.country for r in table.rows if r.authority == "EU"}
    assert {"RU", "BY", "SY", "IR", "MM", "VE", "ZW", "SS", "SD", "CN"} <= eu
    osce = {r.country for r in table.rows if r.authority == "OSCE"}
    assert osce == {"AM", "AZ"}
    lifted = {r.id: r.end for r in table.rows if r.country in {"ER", "CI", "LR"}}
    assert all(end is not None for end in lifted.values())
    assert {r.id for r in listed_regimes(table, TODAY)} == {"un-isil-al-qaida", "un-taliban"}


# -- in_force ------------------------------------------------------------------------------

dates = st.dates(min_value=date(1985, 1, 1), max_value=date(2040, 12, 31))


@given(dates, st.sampled_from(sorted({r.country for r in load_embargoes().rows} | {"FR"})))
def test_in_force_matches_start_and_end(day: date, country: str) -> None:
    table = embargo_table()
    found = in_force(table, country, day)
    for row in table.rows:
        expected = (row.country in (country, ANY_COUNTRY) and row.start <= day
                    and (row.end is None or day < row.end))
        assert (row in found) == expected, (row.id, day)


@given(dates, st.sampled_from(sorted({r.country for r in load_embargoes().rows} - {"*"})))
def test_check_reports_exactly_the_country_rows_in_force(day: date, country: str) -> None:
    rows = [r for r in in_force(embargo_table(), country, day) if not r.any_country]
    keys = set(by_key(check(case(country, party("end_user", "government", country)), day)))
    assert keys == ({f"embargo:{r.id}" for r in rows} or {"embargo:none"})


def test_start_day_is_in_force_and_end_day_is_not(table: EmbargoTable) -> None:
    eritrea = table.by_id("un-eritrea")
    assert eritrea is not None and eritrea.end is not None
    assert eritrea not in in_force(table, "ER", eritrea.start - timedelta(days=1))
    assert eritrea in in_force(table, "ER", eritrea.start)
    assert eritrea in in_force(table, "ER", eritrea.end - timedelta(days=1))
    assert eritrea not in in_force(table, "ER", eritrea.end)


# -- the check -----------------------------------------------------------------------------


def test_dprk_applies() -> None:
    results = check(case("KP"), date.today())
    assert by_key(results)["embargo:un-dprk"] is CheckStatus.APPLIES
    result = next(r for r in results if r.key == "embargo:un-dprk")
    assert result.check == "embargo"
    assert result.title == "UN arms embargo on North Korea"
    assert "1718" in result.basis
    assert result.authority == "UN"


def test_libya_applies() -> None:
    assert by_key(check(case("LY", party("end_user", "armed_forces", "LY")))) == {
        "embargo:un-libya": CheckStatus.APPLIES}


def test_russia_before_and_after_the_eu_embargo() -> None:
    assert by_key(check(case("RU"), date(2013, 1, 1))) == {"embargo:none": CheckStatus.CLEAR}
    assert by_key(check(case("RU"), date(2015, 1, 1))) == {
        "embargo:eu-russia": CheckStatus.APPLIES}


def test_eritrea_lifted() -> None:
    assert by_key(check(case("ER"), date(2012, 1, 1))) == {
        "embargo:un-eritrea": CheckStatus.APPLIES}
    results = check(case("ER"), date(2020, 1, 1))
    assert by_key(results) == {"embargo:none": CheckStatus.CLEAR}
    assert results[0].title == "No arms embargo in force on Eritrea at 2020-01-01"


def test_cote_divoire_sample_case(sample_case_data: CaseData) -> None:
    assert by_key(check(sample_case_data)) == {"embargo:none": CheckStatus.CLEAR}
    assert by_key(check(sample_case_data, date(2010, 6, 1))) == {
        "embargo:un-cote-divoire": CheckStatus.APPLIES}


def test_somalia_shapes() -> None:
    gov = party("end_user", "armed_forces", "SO", "Somali National Army")
    assert by_key(check(case("SO", gov), date(2010, 1, 1))) == {
        "embargo:un-somalia-1992": CheckStatus.APPLIES}
    assert by_key(check(case("SO", gov), date(2025, 1, 1))) == {
        "embargo:un-somalia": CheckStatus.REVIEW}
    militia = party("end_user", "other", "SO", "Local militia")
    assert by_key(check(case("SO", militia), date(2025, 1, 1))) == {
        "embargo:un-somalia": CheckStatus.APPLIES}
    company = party("end_user", "commercial", "SO", "Security company")
    assert by_key(check(case("SO", company), date(2025, 1, 1))) == {
        "embargo:un-somalia": CheckStatus.REVIEW}
    nobody = check(case("SO"), date(2025, 1, 1))
    assert by_key(nobody) == {"embargo:un-somalia": CheckStatus.REVIEW}
    assert "no end user" in nobody[0].detail


def test_government_end_user_review_asks_for_exemption_conditions() -> None:
    results = check(case("SO", party("end_user", "government", "SO", "Ministry")))
    assert results[0].status is CheckStatus.REVIEW
    assert "notification" in results[0].detail


def test_individual_ultimate_end_user_applies_for_non_state_embargo() -> None:
    data = case("LB", party("end_user", "armed_forces", "LB", "Lebanese Armed Forces"),
                party("ultimate_end_user", "individual", "LB", "A person"))
    assert by_key(check(data)) == {"embargo:un-lebanon": CheckStatus.APPLIES}


def test_sudan_darfur_review_and_eu_applies() -> None:
    results = check(case("SD", party("end_user", "government", "SD", "Ministry")))
    assert by_key(results) == {"embargo:un-sudan-darfur": CheckStatus.REVIEW,
                               "embargo:eu-sudan": CheckStatus.APPLIES}
    darfur = next(r for r in results if r.key == "embargo:un-sudan-darfur")
    assert "Darfur" in darfur.title and "Darfur" in darfur.detail
    assert darfur.authority == "UN"
    eu = next(r for r in results if r.key == "embargo:eu-sudan")
    assert eu.authority == "EU" and "2014/450" in eu.basis


def test_osce_regional_embargo_needs_review() -> None:
    assert by_key(check(case("AZ"))) == {"embargo:osce-azerbaijan": CheckStatus.REVIEW}


def test_party_in_embargoed_country_applies_when_destination_is_clean() -> None:
    data = case("FR", party("end_user", "armed_forces", "FR", "Armée de terre"),
                party("consignee", "commercial", "RU", "OOO Consignee"))
    results = check(data)
    assert by_key(results) == {"embargo:eu-russia": CheckStatus.APPLIES}
    assert "OOO Consignee" in results[0].detail


def test_broker_alone_in_embargoed_country_needs_review() -> None:
    data = case("FR", party("end_user", "armed_forces", "FR"),
                party("broker", "commercial", "BY", "Broker LLC"))
    assert by_key(check(data)) == {"embargo:eu-belarus": CheckStatus.REVIEW}


def test_france_is_clear_and_names_other_countries_checked() -> None:
    data = case("FR", party("end_user", "armed_forces", "FR"),
                party("freight_forwarder", "commercial", "DE"))
    results = check(data)
    assert by_key(results) == {"embargo:none": CheckStatus.CLEAR}
    assert results[0].title == "No arms embargo in force on France at 2026-02-16"
    assert "Germany" in results[0].detail


def test_listed_regimes_add_no_results() -> None:
    assert all("isil" not in r.key and "taliban" not in r.key for r in check(case("AF")))


def test_listed_country_row_needs_review() -> None:
    assert by_key(check(case("HT"), date(2023, 1, 1))) == {
        "embargo:un-haiti-2022": CheckStatus.REVIEW}


def test_government_target_rule() -> None:
    row = Embargo(id="national-xx", authority=embargoes.Authority.NATIONAL, country="FR",
                  region=None, targets=Target.GOVERNMENT, scope=Scope.ARMS, exemptions="",
                  legal_basis="Test", start=date(2000, 1, 1), end=None)
    test_table = EmbargoTable("t", date(2026, 1, 1), "test", (row,))
    checker = EmbargoCheck(test_table)

    def status(kind: str, role: str = "end_user") -> CheckStatus:
        data = case("FR", party(role, kind, "FR"))
        return checker.run(CheckContext(data, TODAY))[0].status

    assert status("police_security") is CheckStatus.APPLIES
    assert status("government", role="consignee") is CheckStatus.APPLIES
    assert status("commercial") is CheckStatus.REVIEW
    assert checker.run(CheckContext(case("FR"), date(1999, 1, 1)))[0].key == "embargo:none"


def test_no_destination_is_not_available() -> None:
    assert by_key(check(case(""))) == {"embargo:no-destination": CheckStatus.NOT_AVAILABLE}
    with_party = by_key(check(case("", party("consignee", "commercial", "RU"))))
    assert with_party == {"embargo:no-destination": CheckStatus.NOT_AVAILABLE,
                          "embargo:eu-russia": CheckStatus.APPLIES}


def test_unreadable_table_is_unresolved(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> EmbargoTable:
        raise ReferenceDataError("Embargo table x.yaml: broken")

    monkeypatch.setattr(embargoes, "embargo_table", broken)
    results = check(case("FR"))
    assert by_key(results) == {"embargo:table-error": CheckStatus.UNRESOLVED}
    assert "broken" in results[0].detail


def test_default_registry_runs_the_embargo_check() -> None:
    results = run_checks(case("KP"), TODAY, checks=default_registry())
    assert "embargo:un-dprk" in by_key(results)


# -- broken tables -------------------------------------------------------------------------

GOOD_ROW = """\
  - id: un-test
    authority: UN
    country: "LY"
    targets: whole_country
    scope: arms
    exemptions: ""
    legal_basis: "UNSC res. 1970 (2011)"
    start: 2011-02-26
    end: null
    notes: ""
"""
HEADER = 'version: "1"\nas_of: "2026-02-01"\nsource: "test"\nembargoes:\n'


def write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "embargoes.yaml"
    path.write_text(HEADER + textwrap.dedent(rows), encoding="utf-8")
    return path


def test_minimal_table_loads(tmp_path: Path) -> None:
    loaded = load_embargoes(write(tmp_path, GOOD_ROW))
    assert [r.id for r in loaded.rows] == ["un-test"]


@pytest.mark.parametrize(("old", "new", "field"), [
    ('country: "LY"', 'country: "XX"', "country"),
    ('country: "LY"', "country: NO", "country"),
    ("end: null", "end: 2010-01-01", "end"),
    ("end: null", "end: 2011-02-26", "end"),
    ("start: 2011-02-26", 'start: "26/02/2011"', "start"),
    ('    legal_basis: "UNSC res. 1970 (2011)"\n', "", "legal_basis"),
    ('legal_basis: "UNSC res. 1970 (2011)"', 'legal_basis: ""', "legal_basis"),
    ('country: "LY"', 'country: "*"', "country"),
    ("targets: whole_country", "targets: everyone", "targets"),
    ("scope: arms", "scope: everything", "scope"),
    ("authority: UN", "authority: NATO", "authority"),
    ('notes: ""', 'note: ""', "note"),
])
def test_broken_row_names_file_row_and_field(tmp_path: Path, old: str, new: str,
                                             field: str) -> None:
    assert old in GOOD_ROW
    path = write(tmp_path, GOOD_ROW.replace(old, new))
    with pytest.raises(ReferenceDataError) as info:
        load_embargoes(path)
    message = str(info.value)
    assert str(path) in message
    assert "un-test" in message
    assert f"'{field}'" in message


def test_duplicate_id(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ROW + GOOD_ROW.replace('"LY"', '"KP"'))
    with pytest.raises(ReferenceDataError) as info:
        load_embargoes(path)
    message = str(info.value)
    assert str(path) in message and "row 2 (un-test)" in message and "duplicate" in message


def test_impossible_yaml_date_is_a_reference_error(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ROW.replace("start: 2011-02-26", "start: 2011-02-30"))
    with pytest.raises(ReferenceDataError) as info:
        load_embargoes(path)
    assert str(path) in str(info.value)


def test_any_country_needs_listed_target(tmp_path: Path) -> None:
    listed = GOOD_ROW.replace('country: "LY"', 'country: "*"').replace(
        "targets: whole_country", "targets: listed")
    assert load_embargoes(write(tmp_path, listed)).rows[0].any_country


def test_bad_header(tmp_path: Path) -> None:
    path = tmp_path / "embargoes.yaml"
    path.write_text(HEADER.replace('"2026-02-01"', '"early 2026"') + GOOD_ROW,
                    encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="as_of"):
        load_embargoes(path)
    with pytest.raises(ReferenceDataError, match="missing"):
        load_embargoes(tmp_path / "absent.yaml")
