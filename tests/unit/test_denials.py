"""The denial register and the essentially-identical-transaction check: LITE CSV import (all
or nothing, re-import unchanged or updated), this authority's own refusals read from its
decisions, the three-year window, destination, fuzzy party names and control-list
categories, consultations, and the CONSULT status that bars approval only."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app import assessments, cases, decisions, denials, settings
from app.assessment import Outcome, evaluate
from app.casedata import CaseData, PartyData
from app.denial_check import DenialCheck
from app.denials import (
    CATCH_ALL,
    control_category,
    identical_transactions,
    import_denials_csv,
    in_window,
    lapses_on,
    record_consultation,
    shared_categories,
)
from app.errors import Cancelled, InputError, PermissionDeniedError, ValidationError
from app.hardstops import CheckContext, CheckRegistry, CheckStatus
from app.legacy_import import GENERIC_COLUMNS
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from db.models import Case, ChangeEvent, Denial, DenialConsultation
from tests.conftest import SUPERVISOR_PASSWORD
from tests.unit.test_assessments_service import clean, framework, mandatory
from tests.unit.test_decisions import refusal
from tests.unit.test_legacy_import import run as legacy_run
from tests.unit.test_legacy_import import write_csv

UowFactory = Callable[[], UnitOfWork]
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
VALID_FIXTURE = SHARED / "lite_denial_fixture_valid.csv"
INVALID_FIXTURE = SHARED / "lite_denial_fixture_invalid.csv"
LITE = ("reference", "regime_reg_ref", "name", "address", "notifying_government", "country",
        "denial_cle", "item_description", "end_use", "reason_for_refusal", "entity_type",
        "notified_on")
END_USER = "Gendarmerie nationale de Côte d'Ivoire"   # sample_case_data's end user
CONSIGNEE = "Société Ivoirienne de Logistique Défense"  # and its consignee
DAY = date(2025, 3, 1)
AS_OF = date(2026, 3, 2)


def lite_row(reference: str = "FR-2025-0001", *, name: str = END_USER,
             country: str = "Côte d'Ivoire", cle: str = "ML1.a", entity: str = "end_user",
             notifying: str = "France", notified_on: str = DAY.isoformat(),
             address: str = "Camp Gallieni, Abidjan", reason: str = "Criterion 2: risk of "
             "internal repression") -> list[str]:
    return [reference, "WA-ML-0001", name, address, notifying, country, cle,
            "Assault rifles 5.56 mm", "Public order units", reason, entity, notified_on]


def lite(tmp_path: Path, rows: Sequence[Sequence[str]], name: str = "denials.csv",
         header: Sequence[str] = LITE) -> Path:
    return write_csv(tmp_path / name, header, rows)


def load(uow: UowFactory, actor: Actor, path: Path, **kw: object) -> denials.DenialImportReport:
    with uow() as u:
        return import_denials_csv(u, actor, path, **kw)  # type: ignore[arg-type]


def stored(uow: UowFactory) -> dict[str, Denial]:
    with uow() as u:
        rows = list(u.session.scalars(select(Denial)))
        u.session.expunge_all()
    return {r.reference: r for r in rows}


def events(uow: UowFactory, action: str) -> list[ChangeEvent]:
    with uow() as u:
        rows = list(u.session.scalars(select(ChangeEvent).where(ChangeEvent.action == action)
                                      .order_by(ChangeEvent.id)))
        u.session.expunge_all()
    return rows


@pytest.fixture
def case_id(uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> int:
    with uow() as u:
        return cases.create_case(u, officer, sample_case_data, status=CaseStatus.RECEIVED).id


def matches(uow: UowFactory, case_id: int, as_of: date = AS_OF) -> list[denials.DenialMatch]:
    with uow() as u:
        return identical_transactions(u, case_id, as_of)


# --- import ---------------------------------------------------------------------------------

def test_import_resolves_countries_dates_and_logs_the_file(
        uow: UowFactory, officer: Actor, tmp_path: Path) -> None:
    path = lite(tmp_path, [
        lite_row("FR-2025-0001"),
        lite_row("DE-2025-0002", name="Acme 30/1 Ltd", country="CI", entity="Consignee",
                 notifying="Germany", notified_on=""),
        lite_row("NL-2025-0003", country="Atlantis", entity="third_party", notified_on=""),
    ])
    report = load(uow, officer, path, notified_on=date(2025, 6, 30))
    assert (report.rows, report.added, report.updated, report.unchanged) == (3, 3, 0, 0)
    [warning] = report.warnings
    assert "denials.csv line 4: country: 'Atlantis'" in warning
    assert "country_aliases.yaml" in warning
    rows = stored(uow)
    first, second, third = rows["FR-2025-0001"], rows["DE-2025-0002"], rows["NL-2025-0003"]
    assert (first.country, first.country_text, first.notified_on) == ("CI", "Côte d'Ivoire", DAY)
    assert (second.country, second.entity_type, second.name) == ("CI", "consignee",
                                                                 "Acme 30/1 Ltd")
    assert second.notified_on == date(2025, 6, 30)  # no date of its own: the argument
    assert (third.country, third.country_text) == ("", "Atlantis")
    assert first.reason.startswith("Criterion 2") and first.regime_reg_ref == "WA-ML-0001"
    assert first.file_name == "denials.csv" and first.imported_by_id == officer.id
    [event] = events(uow, "denial.import")
    assert event.after is not None
    assert event.after["sha256"] == report.sha256 and len(report.sha256) == 64
    assert (event.after["added"], event.after["updated"], event.after["unchanged"]) == (3, 0, 0)
    assert event.after["unresolved_countries"] == ["Atlantis"]


def test_a_row_without_a_date_takes_the_import_day_without_the_argument(
        uow: UowFactory, officer: Actor, tmp_path: Path) -> None:
    load(uow, officer, lite(tmp_path, [lite_row(notified_on="")]))
    assert stored(uow)["FR-2025-0001"].notified_on == date.today()


def test_the_shared_lite_fixture_fails_whole_on_its_empty_reference(
        uow: UowFactory, admin: Actor) -> None:
    if not VALID_FIXTURE.is_file():
        pytest.skip("../shared/data/lite_denial_fixture_valid.csv is not present")
    with pytest.raises(ValidationError) as err:
        load(uow, admin, VALID_FIXTURE)
    assert "Nothing was stored" in str(err.value)
    [problem] = err.value.problems
    assert problem.field.endswith("lite_denial_fixture_valid.csv line 4: reference")
    assert problem.message == "a value is required"
    assert stored(uow) == {} and events(uow, "denial.import") == []


def test_the_shared_lite_fixture_without_its_bad_row_imports(
        uow: UowFactory, admin: Actor, tmp_path: Path) -> None:
    if not VALID_FIXTURE.is_file():
        pytest.skip("../shared/data/lite_denial_fixture_valid.csv is not present")
    with VALID_FIXTURE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    fixed = write_csv(tmp_path / "fixed.csv", rows[0], [r for r in rows[1:] if r[0].strip()])
    report = load(uow, admin, fixed, notified_on=DAY)
    assert (report.added, report.rows) == (6, 6)
    assert report.warnings  # "Country Name" is no country
    rows_by_ref = stored(uow)
    assert {r.entity_type for r in rows_by_ref.values()} == {"end_user", "consignee",
                                                            "third_party"}
    assert rows_by_ref["DN4102/0001"].address == "30/1 ltd"
    assert rows_by_ref["DN4103/0001"].name == "c/o ltd"
    assert rows_by_ref["DN4000/0000"].notifying_government == "United Kingdom"
    assert rows_by_ref["DN2000/0000"].control_entry == "0A00100"


def test_the_older_lite_layout_is_refused_naming_the_missing_columns(
        uow: UowFactory, admin: Actor) -> None:
    if not INVALID_FIXTURE.is_file():
        pytest.skip("../shared/data/lite_denial_fixture_invalid.csv is not present")
    with pytest.raises(ValidationError) as err:
        load(uow, admin, INVALID_FIXTURE)
    text = str(err.value)
    assert "lite_denial_fixture_invalid.csv line 1: missing column(s): reference, " \
           "entity_type" in text
    assert "end_user_flag: unknown column" in text
    assert "older LITE layout" in text
    assert stored(uow) == {}


def test_one_bad_row_and_nothing_is_stored(uow: UowFactory, officer: Actor,
                                           tmp_path: Path) -> None:
    path = lite(tmp_path, [
        lite_row("A-1"),
        lite_row("A-2", entity="broker"),
        lite_row("A-3", notified_on="2025-02-30"),
        lite_row("A-1", name="Other"),
        lite_row("A-5", name="", cle=""),
        lite_row("A-6", notified_on=(date.today() + timedelta(days=1)).isoformat()),
    ])
    with pytest.raises(ValidationError) as err:
        load(uow, officer, path)
    fields = [(p.field.rsplit("denials.csv ", 1)[1], p.message) for p in err.value.problems]
    assert fields[0] == ("line 3: entity_type", "'broker' is not an entity type (end_user, "
                                                 "consignee, third_party)")
    assert fields[1] == ("line 4: notified_on", "'2025-02-30' is not a calendar date "
                                                 "(YYYY-MM-DD)")
    assert fields[2] == ("line 5: reference", "A-1 is already on line 2: a reference appears "
                                               "once per file")
    assert fields[3:5] == [("line 6: name", "a value is required"),
                           ("line 6: denial_cle", "a value is required")]
    assert fields[5][0] == "line 7: notified_on" and "in the future" in fields[5][1]
    assert stored(uow) == {}
    with uow() as u:
        assert u.session.scalar(select(func.count()).select_from(ChangeEvent).where(
            ChangeEvent.action.like("denial.%"))) == 0


@pytest.mark.parametrize(("header", "message"), [
    (LITE[:5] + LITE[6:], "line 1: missing column(s): country"),
    ((*LITE, "colour"), "line 1: colour: unknown column"),
    ((*LITE[:-1], "name"), "line 1: name: the column appears twice"),
])
def test_header_problems(uow: UowFactory, officer: Actor, tmp_path: Path,
                         header: tuple[str, ...], message: str) -> None:
    row = lite_row()
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(uow, officer, lite(tmp_path, [row[:len(header)]], header=header))


def test_empty_or_headless_files(uow: UowFactory, officer: Actor, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="is empty: it must start with a header row"):
        load(uow, officer, empty)
    with pytest.raises(InputError, match="has no denial rows"):
        load(uow, officer, lite(tmp_path, []))
    with pytest.raises(InputError, match="in the future"):
        load(uow, officer, lite(tmp_path, [lite_row()]),
             notified_on=date.today() + timedelta(days=1))


def test_reimport_counts_unchanged_and_updates_with_before_and_after(
        uow: UowFactory, officer: Actor, tmp_path: Path) -> None:
    rows = [lite_row("A-1"), lite_row("A-2", notified_on="", name="Zeta Arms")]
    load(uow, officer, lite(tmp_path, rows), notified_on=date(2025, 5, 5))
    again = load(uow, officer, lite(tmp_path, rows, name="again.csv"))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    # A row without a date keeps the stored date (the import day would move the window).
    assert stored(uow)["A-2"].notified_on == date(2025, 5, 5)

    changed = [lite_row("A-1", reason="Criterion 7: risk of diversion"), rows[1],
               lite_row("A-3")]
    report = load(uow, officer, lite(tmp_path, changed, name="third.csv"))
    assert (report.added, report.updated, report.unchanged) == (1, 1, 1)
    assert report.updated_references == ("A-1",) and report.added_references == ("A-3",)
    first = stored(uow)["A-1"]
    assert first.reason == "Criterion 7: risk of diversion" and first.file_name == "third.csv"
    [update] = events(uow, "denial.update")
    assert (update.entity, update.entity_id) == ("denial", "A-1")
    assert update.before == {"reason": "Criterion 2: risk of internal repression"}
    assert update.after == {"reason": "Criterion 7: risk of diversion", "file": "third.csv"}
    assert len(events(uow, "denial.import")) == 3


def test_progress_and_cancel(uow: UowFactory, officer: Actor, tmp_path: Path) -> None:
    path = lite(tmp_path, [lite_row(f"R-{n}") for n in range(450)])
    with pytest.raises(Cancelled):
        load(uow, officer, path, is_cancelled=lambda: True)
    assert stored(uow) == {}
    seen: list[tuple[int, int]] = []
    load(uow, officer, path, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (200, 900) and seen[-1] == (900, 900)
    assert len(stored(uow)) == 450


# --- the register and the match ------------------------------------------------------------

def test_a_notified_denial_of_an_identical_transaction_is_found_and_explained(
        uow: UowFactory, officer: Actor, tmp_path: Path, case_id: int) -> None:
    load(uow, officer, lite(tmp_path, [lite_row()]))
    [match] = matches(uow, case_id)
    assert match.key == "notified:FR-2025-0001"
    assert (match.party_role, match.party_name, match.score) == ("end_user", END_USER, 100)
    assert match.categories == ("ML1",)
    assert match.title == ("Denied by France on 2025-03-01 (FR-2025-0001): essentially "
                           "identical transaction")
    text = "\n".join(match.explanation)
    assert "Same destination: Côte d'Ivoire (CI)." in text
    assert f"The case's end user '{END_USER}' matches the denied end user" in text
    assert "Same control-list category: ML1 (the case: ML1.a; the denial: ML1.a)." in text
    assert "it counts until 2028-02-29" in text
    assert "reason: Criterion 2: risk of internal repression" in text
    assert match.consultation is None
    with uow() as u:
        [view] = denials.register(u)
    assert (view.source, view.notifying, view.destination) == ("notified", "France", "CI")


@pytest.mark.parametrize(("as_of", "found"), [
    (DAY, True),                                 # the day it was notified
    (DAY - timedelta(days=1), False),            # not yet notified: not an earlier denial
    (date(2028, 2, 29), True),                   # the last day of the three years
    (date(2028, 3, 1), False),                   # its third anniversary: lapsed
])
def test_the_three_year_window(uow: UowFactory, officer: Actor, tmp_path: Path,
                               case_id: int, as_of: date, found: bool) -> None:
    load(uow, officer, lite(tmp_path, [lite_row()]))
    assert bool(matches(uow, case_id, as_of)) is found
    with uow() as u:
        assert bool(denials.register(u, as_of)) is found


@given(day=st.dates(date(2000, 1, 1), date(2040, 12, 31)),
       offset=st.integers(-400, 4 * 366))
def test_window_property(day: date, offset: int) -> None:
    as_of = day + timedelta(days=offset)
    inside = in_window(day, as_of)
    assert inside == (day <= as_of < lapses_on(day))
    assert lapses_on(day).year == day.year + 3
    assert (lapses_on(day) - day).days in (365 * 3, 365 * 3 + 1)
    if 0 <= offset <= 365 * 3 - 1:
        assert inside
    if offset < 0 or offset >= 365 * 3 + 1:
        assert not inside


@pytest.mark.parametrize(("row", "found"), [
    ({"country": "Senegal"}, False),
    ({"country": "Atlantis"}, False),              # unresolved: matches no destination
    ({"entity": "third_party"}, False),            # a third party is no identical transaction
    ({"cle": "ML4.b"}, False),                     # another category
    ({"cle": "ML1.b"}, True),                      # ML1, another sub-entry
    ({"cle": "ml13"}, True),                       # the case's ML13.d
    ({"cle": "catch all"}, True),
    ({"name": "GENDARMERIE NATIONALE DE COTE D'IVOIRE"}, True),
    ({"name": "Côte d'Ivoire, Gendarmerie nationale de"}, True),   # word order
    ({"name": "Gendarmerie Nationale Cote dIvoire"}, True),         # spacing
    ({"name": "Societe Ivoirienne de Logistique Defense SARL", "entity": "consignee"}, True),
    ({"name": "SIVLD SA", "entity": "consignee"}, False),
    ({"name": "Gendarmerie nationale du Sénégal"}, False),
    ({"name": "Police nationale de Côte d'Ivoire"}, False),
])
def test_destination_party_and_category(uow: UowFactory, officer: Actor, tmp_path: Path,
                                        case_id: int, row: dict[str, str],
                                        found: bool) -> None:
    load(uow, officer, lite(tmp_path, [lite_row(**row)]))
    assert bool(matches(uow, case_id)) is found


def test_legal_forms_accents_and_the_consignee(uow: UowFactory, officer: Actor,
                                              tmp_path: Path, case_id: int) -> None:
    load(uow, officer, lite(tmp_path, [lite_row(
        name="SOCIETE IVOIRIENNE DE LOGISTIQUE DEFENSE S.A.R.L.", entity="end_user")]))
    [match] = matches(uow, case_id)
    assert (match.party_role, match.party_name, match.score) == ("consignee", CONSIGNEE, 100)
    assert "legal forms are set aside; set aside: s a r l" in "\n".join(match.explanation)
    assert "The case's consignee" in "\n".join(match.explanation)


def test_a_catch_all_denial_covers_every_category_and_says_so(
        uow: UowFactory, officer: Actor, tmp_path: Path, case_id: int) -> None:
    load(uow, officer, lite(tmp_path, [lite_row(cle="catch all")]))
    [match] = matches(uow, case_id)
    assert match.categories == ("ML1", "ML13", "ML3")
    assert "catch-all (end-use) control ('catch all')" in "\n".join(match.explanation)


@pytest.mark.parametrize(("entry", "category"), [
    ("ML4.a", "ML4"), ("ml10.h.1", "ML10"), ("ML04", "ML4"), ("0A001.a", "0A001"),
    ("0A00100", "0A001"), ("0A0050", "0A005"), ("5a002a1", "5A002"), ("PL5001.b", "PL5001"),
    ("catch all", CATCH_ALL), ("Catch-All", CATCH_ALL), ("End Use", CATCH_ALL),
    ("ABC123", "ABC123"), ("", None), ("  ", None),
])
def test_control_category(entry: str, category: str | None) -> None:
    assert control_category(entry) == category


@given(num=st.integers(1, 22), sub=st.sampled_from("abcdefghijklmnop"),
       item=st.integers(1, 12), upper=st.booleans())
def test_military_entries_fall_in_their_ml_category(num: int, sub: str, item: int,
                                                   upper: bool) -> None:
    for entry in (f"ML{num}", f"ML{num}.{sub}", f"ML{num}.{sub}.{item}"):
        text = entry.upper() if upper else entry.lower()
        assert control_category(text) == f"ML{num}"
        assert control_category(control_category(text) or "") == f"ML{num}"


@given(cat=st.integers(0, 9), letter=st.sampled_from("ABCDE"), num=st.integers(0, 999),
       tail=st.text("abcdefgh0123456789.", max_size=6))
def test_dual_use_entries_fall_in_their_first_five_characters(cat: int, letter: str, num: int,
                                                              tail: str) -> None:
    head = f"{cat}{letter}{num:03d}"
    assert control_category(head + tail) == head
    assert control_category((head + tail).lower()) == head


@given(st.lists(st.sampled_from(["ML1", "ML3", "ML13", "0A001", "5A002"]), min_size=1),
       st.lists(st.sampled_from(["ML1", "ML4", "0A001", CATCH_ALL]), min_size=1))
def test_shared_categories(case: list[str], denial: list[str]) -> None:
    shared = set(shared_categories(case, denial))
    if CATCH_ALL in denial:
        assert shared == set(case)
    else:
        assert shared == set(case) & set(denial)


def _own_refusal(uow: UowFactory, admin: Actor, tmp_path: Path, *, day: str = "2025-06-10",
                 destination: str = "CI", end_user: str = END_USER, entry: str = "ML1.a",
                 source: str = "old-siel") -> str:
    row = {c: "" for c in GENERIC_COLUMNS}
    row.update(reference="SIEL/2025/017", decision_date=day, destination=destination,
               licence_type="SIEL", outcome="refused", criteria="2;7", control_entry=entry,
               description="Fusils", quantity="10", value="1000", currency="EUR",
               end_user=end_user, end_user_kind="police_security")
    path = write_csv(tmp_path / f"{source}.csv", GENERIC_COLUMNS,
                     [[row[c] for c in GENERIC_COLUMNS]])
    report = legacy_run(uow, admin, [path], source=source)
    return report.first_reference


def test_an_own_refusal_from_the_legacy_history_is_a_denial(
        uow: UowFactory, admin: Actor, tmp_path: Path, case_id: int) -> None:
    ref = _own_refusal(uow, admin, tmp_path)
    with uow() as u:
        settings.set_value(u, admin, "authority.name", "Autorité nationale des exportations")
    [match] = matches(uow, case_id, date(2026, 6, 1))
    assert match.key == f"own:{ref}"
    assert match.title == (f"Refused by Autorité nationale des exportations on 2025-06-10 "
                           f"({ref}): essentially identical transaction")
    assert match.denial.criteria == ("2", "7")
    assert "reason: Criteria 2, 7: Refused in the previous system" in \
        "\n".join(match.explanation)
    with uow() as u:
        views = denials.register(u)
    assert [(v.key, v.source, v.party_role, v.date) for v in views] == [
        (f"own:{ref}", "own", "end_user", date(2025, 6, 10))]
    assert matches(uow, case_id, date(2028, 6, 10)) == []  # lapsed


def test_a_signed_refusal_counts_for_a_later_identical_case_not_for_itself(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int,
        sample_case_data: CaseData) -> None:
    record = refusal(uow, officer, case_id)
    today = date.today()
    assert matches(uow, case_id, today) == []  # awaiting countersignature: no refusal yet
    with uow() as u:
        decisions.countersign(u, supervisor, case_id, "Agreed.", password=SUPERVISOR_PASSWORD)
    with uow() as u:
        later = cases.create_case(u, officer, sample_case_data, status=CaseStatus.RECEIVED).id
    [match] = matches(uow, later, today)
    assert match.key == f"own:{record.case_reference}"
    assert match.denial.date == today  # the day the refusal took effect
    assert match.denial.notifying == "this authority"
    assert match.denial.criteria == ("ihrl",)
    assert {m.party_role for m in [match]} == {"end_user"}
    assert "consignee" in "\n".join(match.explanation)  # both parties matched
    assert matches(uow, case_id, today) == []  # its own refusal is no earlier denial


def test_a_demo_refusal_counts_only_for_demo_cases(
        uow: UowFactory, admin: Actor, officer: Actor, tmp_path: Path,
        sample_case_data: CaseData) -> None:
    _own_refusal(uow, admin, tmp_path)
    with uow() as u:
        u.session.execute(Case.__table__.update().values(is_demo=True))
        u.commit()
    with uow() as u:
        real = cases.create_case(u, officer, sample_case_data, status=CaseStatus.RECEIVED).id
        demo = cases.create_case(u, officer, sample_case_data, status=CaseStatus.RECEIVED,
                                 is_demo=True).id
    assert matches(uow, real, date(2026, 1, 1)) == []
    assert len(matches(uow, demo, date(2026, 1, 1))) == 1


# --- consultations and the check ------------------------------------------------------------

def consult(uow: UowFactory, actor: Actor, case_id: int, key: str = "notified:FR-2025-0001",
            on: date = date(2025, 11, 3), who: str = "France (SGDSN)",
            outcome: str = "France maintains the denial; new end-use assurances do not "
                           "change its view.") -> denials.ConsultationView:
    with uow() as u:
        return record_consultation(u, actor, case_id, key, who, on, outcome)


def check(uow: UowFactory, case_id: int, as_of: date = AS_OF) -> list:
    with uow() as u:
        data = cases.get_case(u, case_id).data
        return DenialCheck().run(CheckContext(data, as_of, case_id, u))


def test_the_check_asks_for_a_consultation_then_clears(
        uow: UowFactory, officer: Actor, tmp_path: Path, case_id: int) -> None:
    [clear] = check(uow, case_id)
    assert clear.status is CheckStatus.CLEAR and clear.key == "denial:none"
    assert clear.title == ("No earlier denial of an essentially identical transaction in the "
                           "last three years")
    assert "only this authority's own refusals were searched" in clear.detail

    load(uow, officer, lite(tmp_path, [lite_row()]))
    [result] = check(uow, case_id, date.today())
    assert result.status is CheckStatus.CONSULT
    assert result.key == "denial:notified:FR-2025-0001"
    assert result.title.startswith("Denied by France on 2025-03-01 (FR-2025-0001)")
    assert "Art 4(2)" in result.basis and result.authority == "France"
    assert "Same destination" in result.detail

    view = consult(uow, officer, case_id)
    assert view.recorded_by == "olga"
    [after] = check(uow, case_id, date.today())
    assert after.status is CheckStatus.CLEAR and after.key == result.key
    assert after.detail.startswith("Consulted France (SGDSN) on 2025-11-03 (olga): France "
                                   "maintains the denial")
    with uow() as u:
        [listed] = denials.consultations(u, case_id)
    assert listed.id == view.id
    [event] = events(uow, "denial.consult")
    assert event.after is not None
    assert (event.entity, event.after["denial_key"], event.after["consulted_on"]) == (
        "case", "notified:FR-2025-0001", "2025-11-03")


def test_the_check_without_a_stored_case(sample_case_data: CaseData) -> None:
    [result] = DenialCheck().run(CheckContext(sample_case_data, AS_OF))
    assert result.status is CheckStatus.NOT_AVAILABLE


@pytest.mark.parametrize(("kw", "message"), [
    ({"key": "notified:NOPE"}, "denial_key: 'notified:NOPE' is not an earlier denial"),
    ({"outcome": "  "}, "outcome: say what the consultation found"),
    ({"who": ""}, "consulted: say who was consulted"),
    ({"on": date.today() + timedelta(days=1)}, "consulted_on: "),
    ({"on": date(2025, 2, 1)}, "consulted_on: 2025-02-01 is before the denial (2025-03-01)"),
])
def test_a_consultation_is_checked(uow: UowFactory, officer: Actor, tmp_path: Path,
                                   case_id: int, kw: dict[str, object], message: str) -> None:
    load(uow, officer, lite(tmp_path, [lite_row()]))
    with pytest.raises(ValidationError, match="The consultation was not recorded") as err:
        consult(uow, officer, case_id, **kw)  # type: ignore[arg-type]
    assert message in str(err.value)
    with uow() as u:
        assert u.session.scalar(select(func.count()).select_from(DenialConsultation)) == 0


def test_an_administrator_may_import_but_not_consult(
        uow: UowFactory, admin: Actor, tmp_path: Path, case_id: int) -> None:
    load(uow, admin, lite(tmp_path, [lite_row()]))
    with pytest.raises(PermissionDeniedError, match="assess applications"):
        consult(uow, admin, case_id)


def test_consult_bars_approval_only(uow: UowFactory, officer: Actor, tmp_path: Path,
                                    case_id: int) -> None:
    load(uow, officer, lite(tmp_path, [lite_row()]))
    results = check(uow, case_id, date.today())
    approvals = {Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS}
    ev = evaluate(framework(), clean(), results)
    assert not ev.allowed & approvals and Outcome.REFER in ev.allowed
    assert any("Record the consultation before approving" in t for t in ev.consult)
    grounds = evaluate(framework(), mandatory(), results)
    assert Outcome.REFUSE in grounds.allowed and not grounds.allowed & approvals

    with uow() as u:  # through the service, as the window and the CLI evaluate a case
        ev, checked, _fw = assessments.evaluate_case(
            u, case_id, framework().id, date.today(), CheckRegistry([DenialCheck()]),
            data=clean())
    assert [r.status for r in checked] == [CheckStatus.CONSULT]
    assert Outcome.APPROVE not in ev.allowed

    consult(uow, officer, case_id)
    ev = evaluate(framework(), clean(), check(uow, case_id, date.today()))
    assert Outcome.APPROVE in ev.allowed


def test_parties_outside_the_compared_roles_do_not_match(
        uow: UowFactory, officer: Actor, tmp_path: Path, sample_case_data: CaseData) -> None:
    data = sample_case_data
    data.parties = [*data.parties, PartyData(role="broker", name="Zeta Brokers",
                                             country="CI", kind="commercial")]
    with uow() as u:
        cid = cases.create_case(u, officer, data, status=CaseStatus.RECEIVED).id
    load(uow, officer, lite(tmp_path, [lite_row(name="Zeta Brokers")]))
    assert matches(uow, cid) == []
