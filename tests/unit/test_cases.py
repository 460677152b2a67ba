"""Use cases of the case register, on a real SQLite database per test."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app import casefile, cases, decisions, demo, drafts, users
from app.casedata import CaseData, GoodsData, PartyData
from app.errors import (
    ConcurrentEditError,
    NotFoundError,
    PermissionDeniedError,
    StatusTransitionError,
    ValidationError,
)
from app.reference import reference
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from db.models import Case, ChangeEvent, GoodsLine, Party, ReferenceCounter
from tests.conftest import CA_PASSWORD
from tests.unit.test_validation import valid_cases

UowFactory = Callable[[], UnitOfWork]
S = CaseStatus


def create(uow: UowFactory, actor: Actor, data: CaseData,
           status: CaseStatus = S.RECEIVED, **kwargs: Any) -> cases.CaseRecord:
    with uow() as u:
        return cases.create_case(u, actor, data, status=status, **kwargs)


def get(uow: UowFactory, case_id: int) -> cases.CaseRecord:
    with uow() as u:
        return cases.get_case(u, case_id)


def events(uow: UowFactory, entity_id: str | None = None) -> list[ChangeEvent]:
    with uow() as u:
        query = select(ChangeEvent).where(ChangeEvent.entity == "case").order_by(ChangeEvent.id)
        if entity_id is not None:
            query = query.where(ChangeEvent.entity_id == entity_id)
        rows = list(u.session.scalars(query))
        u.session.expunge_all()
        return rows


def count(uow: UowFactory, model: type) -> int:
    with uow() as u:
        return u.session.scalar(select(func.count()).select_from(model)) or 0


def table_state(uow: UowFactory) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the case tables, to compare before and after a failed operation."""
    state = {}
    with uow() as u:
        for model in (Case, Party, GoodsLine, ChangeEvent, ReferenceCounter):
            table = model.__table__
            rows = u.session.execute(select(table).order_by(*table.primary_key.columns))
            state[table.name] = [tuple(r) for r in rows]
    return state


def assert_utc(moment: datetime) -> None:
    assert moment.tzinfo is not None
    assert moment.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=5)


# -- who may register and edit ---------------------------------------------------------------


def test_administrator_may_not_register_or_edit_cases(
        uow: UowFactory, admin: Actor, officer: Actor, sample_case_data: CaseData,
        tmp_path: Path) -> None:
    """Separation of duties: an administrator reads the register but does not change it."""
    with pytest.raises(PermissionDeniedError) as info:
        create(uow, admin, sample_case_data)
    message = str(info.value)
    assert message.startswith("admin (administrator) may not register and edit applications")
    assert "needs the role of licensing officer or supervisor" in message
    assert count(uow, Case) == 0 and count(uow, ReferenceCounter) == 0 and events(uow) == []
    record = create(uow, officer, sample_case_data)
    before = table_state(uow)
    data = copy.deepcopy(record.data)
    data.notes = "Edited by the administrator."
    path = tmp_path / "dossier.json"
    path.write_text(casefile.dumps(casefile.to_document(sample_case_data)), encoding="utf-8")
    for attempt in (
            lambda u: cases.update_case(u, admin, record.id, data, record.row_version),
            lambda u: cases.change_status(u, admin, record.id, S.WITHDRAWN, "Retiré"),
            lambda u: cases.import_case_file(u, admin, path)):
        with uow() as u, pytest.raises(PermissionDeniedError,
                                       match="licensing officer or supervisor"):
            attempt(u)
    assert table_state(uow) == before
    with uow() as u:  # reading stays open to the administrator
        assert [r.reference for r in cases.list_cases(u)] == [record.reference]
        assert cases.get_case(u, record.id) == record


# -- creation and references -----------------------------------------------------------------


def test_create_and_read_back(uow: UowFactory, officer: Actor,
                              sample_case_data: CaseData) -> None:
    record = create(uow, officer, sample_case_data)
    assert record.status is S.RECEIVED
    assert record.created_by == record.updated_by == "olga"
    assert record.row_version == 1 and not record.is_demo
    assert_utc(record.created_at)
    assert_utc(record.updated_at)
    stored = get(uow, record.id)
    expected = dataclasses.replace(sample_case_data,
                                   deadline=cases.default_deadline(sample_case_data, reference()))
    assert stored.data == expected
    assert stored.data.parties[0].name == "Gendarmerie nationale de Côte d'Ivoire"
    assert [g.value for g in stored.data.goods] == [g.value for g in sample_case_data.goods]
    assert all(p.id is not None for p in stored.data.parties)
    assert all(g.id is not None for g in stored.data.goods)
    assert stored == record


def test_references_are_sequential_per_year(uow: UowFactory, officer: Actor,
                                            sample_case_data: CaseData) -> None:
    year = datetime.now(UTC).year
    refs = [create(uow, officer, sample_case_data, status=status).reference
            for status in (S.RECEIVED, S.DRAFT, S.RECEIVED)]
    assert refs == [f"GR-{year}-{n:05d}" for n in (1, 2, 3)]
    assert [cases.parse_reference(r) for r in refs] == [(year, 1), (year, 2), (year, 3)]
    with uow() as u:
        assert [cases.find_case_id(u, r) for r in refs] == sorted(
            cases.find_case_id(u, r) for r in refs)
        assert u.session.get(ReferenceCounter, year).last_value == 3


def test_reference_counter_continues_from_stored_value(uow: UowFactory, officer: Actor,
                                                       sample_case_data: CaseData) -> None:
    year = datetime.now(UTC).year
    with uow() as u:
        u.session.add(ReferenceCounter(year=year, last_value=99999))
        u.commit()
    record = create(uow, officer, sample_case_data)
    assert record.reference == f"GR-{year}-100000"
    assert cases.parse_reference(record.reference) == (year, 100000)


@pytest.mark.parametrize("text", ["GR-2026-1", "gr-2026-00001", "GR-26-00001", "XX-2026-00001",
                                  ""])
def test_parse_reference_rejects(text: str) -> None:
    assert cases.parse_reference(text) is None


def test_format_reference() -> None:
    assert cases.format_reference(2026, 7) == "GR-2026-00007"
    assert cases.parse_reference(" GR-2026-00007 ") == (2026, 7)


def test_failed_create_uses_no_reference(uow: UowFactory, officer: Actor,
                                         sample_case_data: CaseData) -> None:
    bad = dataclasses.replace(sample_case_data, destination="XX")
    with pytest.raises(ValidationError):
        create(uow, officer, bad)
    with uow() as u:
        cases.create_case(u, officer, sample_case_data, commit=False)
        # leaving without commit rolls the case and the counter back
    assert count(uow, Case) == 0 and events(uow) == []
    record = create(uow, officer, sample_case_data)
    assert record.reference.endswith("-00001")


def test_new_case_starts_as_draft_or_received(uow: UowFactory, officer: Actor,
                                              sample_case_data: CaseData) -> None:
    for status in set(S) - {S.DRAFT, S.RECEIVED}:
        with pytest.raises(StatusTransitionError):
            create(uow, officer, sample_case_data, status=status)
    assert count(uow, Case) == 0


def test_received_case_must_be_complete_but_a_draft_need_not(uow: UowFactory,
                                                             officer: Actor) -> None:
    partial = CaseData(exporter_name="Åkerlund & Rausing AB", destination="NO")
    with pytest.raises(ValidationError) as info:
        create(uow, officer, partial, status=S.RECEIVED)
    assert {"end_use", "received_date", "parties", "goods"} <= {
        p.field for p in info.value.problems}
    record = create(uow, officer, partial, status=S.DRAFT)
    assert record.status is S.DRAFT
    assert record.data.deadline is None  # no received date, no deadline
    assert get(uow, record.id).data.destination == "NO"


def test_invalid_values_refused_even_for_a_draft(uow: UowFactory, officer: Actor) -> None:
    data = CaseData(goods=[GoodsData(description="Gewehre", control_entry="ML1.z",
                                     att_category="VIII", quantity=Decimal(1))])
    with pytest.raises(ValidationError) as info:
        create(uow, officer, data, status=S.DRAFT)
    assert [p.field for p in info.value.problems] == ["goods[0].control_entry"]


@settings(max_examples=25)
@given(data=valid_cases())
def test_stored_case_reads_back_exactly(uow: UowFactory, officer: Actor, data: CaseData) -> None:
    """Whatever valid application is stored comes back the same (names trimmed of spaces)."""
    record = create(uow, officer, data)
    expected = copy.deepcopy(data)
    expected.exporter_name = expected.exporter_name.strip()
    for party in expected.parties:
        party.name = party.name.strip()
    if expected.deadline is None:
        expected.deadline = cases.default_deadline(expected, reference())
    stored = get(uow, record.id).data
    assert stored == expected
    assert [(str(g.quantity), str(g.value)) for g in stored.goods] == [
        (str(g.quantity), str(g.value)) for g in expected.goods]


# -- deadlines -------------------------------------------------------------------------------


@pytest.mark.parametrize(("licence", "received", "deadline"), [
    ("SIEL", date(2026, 2, 2), date(2026, 3, 2)),      # Monday + 4 weeks
    ("SIEL", date(2026, 2, 6), date(2026, 3, 6)),      # Friday + 4 weeks
    ("SIEL", date(2026, 2, 7), date(2026, 3, 6)),      # Saturday: counts from Monday
    ("SIEL", date(2026, 2, 8), date(2026, 3, 6)),      # Sunday likewise
    ("OIEL", date(2026, 2, 2), date(2026, 4, 27)),     # 60 working days = 12 weeks
    ("SIEL", date(2024, 2, 12), date(2024, 3, 11)),    # across 29 February
    ("SIEL", date(2025, 12, 15), date(2026, 1, 12)),   # across the new year
])
def test_default_deadline_counts_working_days(licence: str, received: date,
                                              deadline: date) -> None:
    data = CaseData(licence_type=licence, received_date=received)
    assert cases.default_deadline(data, reference()) == deadline
    assert deadline.weekday() < 5


def test_default_deadline_needs_date_and_known_licence() -> None:
    assert cases.default_deadline(CaseData(received_date=None), reference()) is None
    assert cases.default_deadline(CaseData(licence_type="NOPE", received_date=date(2026, 1, 5)),
                                  reference()) is None


def test_create_sets_default_deadline_but_keeps_a_given_one(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    assert sample_case_data.received_date == date(2026, 2, 2)
    record = create(uow, officer, sample_case_data)
    assert record.data.deadline == date(2026, 3, 2)
    assert sample_case_data.deadline is None  # the caller's data is not modified
    given_deadline = dataclasses.replace(sample_case_data, deadline=date(2026, 2, 20))
    assert create(uow, officer, given_deadline).data.deadline == date(2026, 2, 20)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
       st.integers(min_value=1, max_value=300))
def test_add_working_days_properties(start: date, days: int) -> None:
    result = cases.add_working_days(start, days)
    assert result > start
    assert result.weekday() < 5
    between = [start + timedelta(n) for n in range(1, (result - start).days)]
    assert sum(d.weekday() < 5 for d in between) == days - 1
    # At most two weekend days per five working days, plus a starting weekend.
    assert (result - start).days <= days + 2 * (days // 5) + 4


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_add_zero_working_days_is_the_same_day(start: date) -> None:
    assert cases.add_working_days(start, 0) == start


# -- updates ---------------------------------------------------------------------------------


def test_update_keeps_row_ids_of_unchanged_rows(uow: UowFactory, officer: Actor,
                                                sample_case_data: CaseData) -> None:
    record = create(uow, officer, sample_case_data)
    data = copy.deepcopy(record.data)
    party_ids = [p.id for p in data.parties]
    goods_ids = [g.id for g in data.goods]
    data.end_use = "Maintien de l'ordre, unités mobiles."
    data.goods[1].quantity = Decimal("120000")
    del data.parties[1]  # remove the consignee
    data.parties.append(PartyData(role="broker", name="Ærø Trading ApS", country="DK",
                                  kind="commercial"))
    data.goods.insert(0, GoodsData(description="Lunettes de visée", control_entry="ML15.d",
                                   att_category="NONE", quantity=Decimal("10"), unit="pcs",
                                   value=Decimal("1000"), currency="EUR"))
    with uow() as u:
        updated = cases.update_case(u, officer, record.id, data, record.row_version)
    assert updated.row_version == record.row_version + 1
    stored = get(uow, record.id)
    assert stored.data == data
    assert [p.id for p in stored.data.parties][:2] == [party_ids[0], party_ids[2]]
    assert stored.data.parties[2].id not in party_ids
    assert [g.id for g in stored.data.goods][1:] == goods_ids
    assert stored.data.goods[0].id not in goods_ids
    with uow() as u:  # the removed party's row is gone, not orphaned
        assert u.session.get(Party, party_ids[1]) is None
        assert u.session.scalar(select(func.count()).select_from(Party)) == 3


def test_update_writes_before_and_after(uow: UowFactory, supervisor: Actor, officer: Actor,
                                        sample_case_data: CaseData) -> None:
    record = create(uow, supervisor, sample_case_data)
    data = copy.deepcopy(record.data)
    data.notes = "Ajout : visite de vérification prévue."
    with uow() as u:
        updated = cases.update_case(u, officer, record.id, data, record.row_version)
    assert updated.updated_by == "olga" and updated.created_by == "sven"
    assert updated.updated_at >= record.updated_at
    event = events(uow, record.reference)[-1]
    assert event.action == "case.update" and event.actor_id == officer.id
    assert event.before["notes"] == sample_case_data.notes
    assert event.after["notes"] == data.notes
    assert event.after["status"] == "received"
    assert_utc(event.at)


def test_date_of_birth_is_stored_changed_and_recorded(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    sample_case_data.parties.append(PartyData(role="broker", name="Ivan Petrov", country="CY",
                                              kind="individual", birth_date="1965"))
    record = create(uow, officer, sample_case_data)
    assert [p.birth_date for p in record.data.parties] == ["", "", "", "1965"]
    with uow() as u:
        row = u.session.get(Party, record.data.parties[3].id)
        assert row is not None and row.birth_date == "1965"
    created = events(uow, record.reference)[-1]
    assert created.after["parties"][3]["birth_date"] == "1965"
    assert "birth_date" not in created.after["parties"][0]  # none known: none written

    data = copy.deepcopy(record.data)
    data.parties[3].birth_date = "1965-03-12"
    with uow() as u:
        updated = cases.update_case(u, officer, record.id, data, record.row_version)
    assert updated.row_version == record.row_version + 1
    stored = get(uow, record.id)
    assert stored.data.parties[3].birth_date == "1965-03-12"
    assert stored.data.parties[3].id == record.data.parties[3].id
    event = events(uow, record.reference)[-1]
    assert event.before["parties"][3]["birth_date"] == "1965"
    assert event.after["parties"][3]["birth_date"] == "1965-03-12"
    with uow() as u:
        doc = cases.export_document(u, record.id)
    assert doc["parties"][3]["birth_date"] == "1965-03-12"
    assert casefile.from_document(json.loads(casefile.dumps(doc))) == stored.data


def test_date_of_birth_survives_an_autosaved_draft(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    sample_case_data.parties.append(PartyData(role="broker", name="Ivan Petrov", country="CY",
                                              kind="individual", birth_date="1965-13"))
    with uow() as u:  # a draft may hold what validation refuses; the editor shows why
        drafts.save_draft(u, officer, None, None, sample_case_data)
    with uow() as u:
        stored = drafts.load_draft(u, officer, None)
    assert stored is not None and stored.data == sample_case_data
    assert stored.data.parties[3].birth_date == "1965-13"


def test_date_of_birth_on_an_organisation_is_refused(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    sample_case_data.parties[1].birth_date = "1970"
    before = table_state(uow)
    for status in (S.DRAFT, S.RECEIVED):
        with pytest.raises(ValidationError) as info:
            create(uow, officer, sample_case_data, status=status)
        assert [(p.field, p.message) for p in info.value.problems] == [
            ("parties[1].birth_date", "only an individual has a date of birth")]
    assert table_state(uow) == before


def test_update_without_changes_writes_nothing(uow: UowFactory, officer: Actor,
                                               sample_case_data: CaseData) -> None:
    record = create(uow, officer, sample_case_data)
    with uow() as u:
        same = cases.update_case(u, officer, record.id, copy.deepcopy(record.data),
                                 record.row_version)
    assert same.row_version == record.row_version
    assert len(events(uow, record.reference)) == 1
    assert get(uow, record.id) == record


def test_unchanged_save_without_row_ids_keeps_the_stored_rows(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    """Saving the same values without row ids (as from a file) changes and returns nothing new."""
    record = create(uow, officer, sample_case_data)
    before = table_state(uow)
    data = copy.deepcopy(record.data)
    for item in [*data.parties, *data.goods]:
        item.id = None
    with uow() as u:
        same = cases.update_case(u, officer, record.id, data, record.row_version)
    assert same == record
    assert [p.id for p in same.data.parties] == [p.id for p in record.data.parties]
    assert [g.id for g in same.data.goods] == [g.id for g in record.data.goods]
    assert table_state(uow) == before


def test_changed_save_without_row_ids_replaces_the_rows(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    record = create(uow, officer, sample_case_data)
    data = copy.deepcopy(record.data)
    for item in [*data.parties, *data.goods]:
        item.id = None
    data.notes = "changed"
    with uow() as u:
        updated = cases.update_case(u, officer, record.id, data, record.row_version)
    assert updated.data == data
    old_ids = {p.id for p in record.data.parties}
    assert not old_ids & {p.id for p in updated.data.parties}
    assert count(uow, Party) == len(data.parties)
    assert count(uow, GoodsLine) == len(data.goods)


def test_stale_version_is_refused(uow: UowFactory, supervisor: Actor, officer: Actor,
                                  sample_case_data: CaseData) -> None:
    record = create(uow, supervisor, sample_case_data)
    mine = copy.deepcopy(record.data)
    theirs = copy.deepcopy(record.data)
    theirs.notes = "Olga was here first."
    with uow() as u:
        cases.update_case(u, officer, record.id, theirs, record.row_version)
    before = table_state(uow)
    mine.end_use = "Something else entirely."
    with uow() as u, pytest.raises(ConcurrentEditError) as info:
        cases.update_case(u, supervisor, record.id, mine, record.row_version)
    assert record.reference in str(info.value) and "olga" in str(info.value)
    assert table_state(uow) == before
    assert get(uow, record.id).data.notes == "Olga was here first."


def test_edit_refused_when_not_editable(uow: UowFactory, officer: Actor,
                                        sample_case_data: CaseData) -> None:
    record = create(uow, officer, sample_case_data)
    with uow() as u:
        closed = cases.change_status(u, officer, record.id, S.WITHDRAWN, "Retiré par l'exportateur")
    before = table_state(uow)
    data = copy.deepcopy(closed.data)
    data.notes = "late edit"
    with uow() as u, pytest.raises(StatusTransitionError) as info:
        cases.update_case(u, officer, record.id, data, closed.row_version)
    assert "withdrawn" in str(info.value) and record.reference in str(info.value)
    assert table_state(uow) == before


def test_failed_update_leaves_database_unchanged(uow: UowFactory, officer: Actor,
                                                 sample_case_data: CaseData) -> None:
    record = create(uow, officer, sample_case_data)
    before = table_state(uow)
    data = copy.deepcopy(record.data)
    data.notes = "changed"
    data.parties.pop()
    data.goods[2].control_entry = "ML23"
    with uow() as u, pytest.raises(ValidationError) as info:
        cases.update_case(u, officer, record.id, data, record.row_version)
    assert [p.field for p in info.value.problems] == ["goods[2].control_entry"]
    assert table_state(uow) == before


def test_failure_after_flush_rolls_back_everything(uow: UowFactory, officer: Actor,
                                                   sample_case_data: CaseData,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The case, its rows and its event are one transaction: a late failure undoes all."""
    record = create(uow, officer, sample_case_data)
    before = table_state(uow)
    data = copy.deepcopy(record.data)
    data.parties.pop()
    data.goods[0].quantity = Decimal(7)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(cases, "record_change", boom)
    with uow() as u, pytest.raises(RuntimeError):
        cases.update_case(u, officer, record.id, data, record.row_version)
    assert table_state(uow) == before


def test_update_of_unknown_case(uow: UowFactory, officer: Actor,
                                sample_case_data: CaseData) -> None:
    with uow() as u, pytest.raises(NotFoundError):
        cases.update_case(u, officer, 4242, sample_case_data, 1)
    with uow() as u, pytest.raises(NotFoundError, match="GR-2026-99999"):
        cases.find_case_id(u, "GR-2026-99999")


def test_received_case_cannot_be_made_incomplete(uow: UowFactory, officer: Actor,
                                                 sample_case_data: CaseData) -> None:
    record = create(uow, officer, sample_case_data)
    data = copy.deepcopy(record.data)
    data.goods = []
    with uow() as u, pytest.raises(ValidationError) as info:
        cases.update_case(u, officer, record.id, data, record.row_version)
    assert [p.field for p in info.value.problems] == ["goods"]


# -- status ----------------------------------------------------------------------------------


def test_draft_to_received_requires_completeness(uow: UowFactory, officer: Actor,
                                                 sample_case_data: CaseData) -> None:
    partial = dataclasses.replace(sample_case_data, end_use="", goods=[])
    record = create(uow, officer, partial, status=S.DRAFT)
    before = table_state(uow)
    with uow() as u, pytest.raises(ValidationError) as info:
        cases.change_status(u, officer, record.id, S.RECEIVED)
    assert {p.field for p in info.value.problems} == {"end_use", "goods"}
    assert record.reference in str(info.value)
    assert table_state(uow) == before
    data = copy.deepcopy(get(uow, record.id).data)
    data.end_use = sample_case_data.end_use
    data.goods = copy.deepcopy(sample_case_data.goods)
    with uow() as u:
        version = cases.update_case(u, officer, record.id, data, record.row_version).row_version
    with uow() as u:
        received = cases.change_status(u, officer, record.id, S.RECEIVED)
    assert received.status is S.RECEIVED
    assert received.row_version == version + 1


@pytest.mark.parametrize("target", [S.ON_HOLD, S.WITHDRAWN])
def test_hold_and_withdraw_need_a_reason(uow: UowFactory, officer: Actor,
                                         sample_case_data: CaseData, target: CaseStatus) -> None:
    record = create(uow, officer, sample_case_data)
    for reason in ("", "   \n"):
        with uow() as u, pytest.raises(StatusTransitionError, match="reason"):
            cases.change_status(u, officer, record.id, target, reason)
    assert get(uow, record.id).status is S.RECEIVED
    with uow() as u:
        moved = cases.change_status(u, officer, record.id, target, "Pièces manquantes")
    assert moved.status is target
    event = events(uow, record.reference)[-1]
    assert event.action == "case.status"
    assert event.before == {"status": "received"}
    assert event.after == {"status": target.value, "reason": "Pièces manquantes"}


@pytest.mark.parametrize("target", [S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REFUSED,
                                    S.AWAITING_COUNTERSIGNATURE])
def test_decision_only_statuses_are_refused(uow: UowFactory, officer: Actor,
                                            sample_case_data: CaseData,
                                            target: CaseStatus) -> None:
    record = create(uow, officer, sample_case_data)
    with uow() as u:
        cases.change_status(u, officer, record.id, S.IN_ASSESSMENT)
    before = table_state(uow)
    with uow() as u, pytest.raises(StatusTransitionError, match="signed decision"):
        cases.change_status(u, officer, record.id, target, "looks fine")
    assert table_state(uow) == before


def test_forbidden_move_is_refused(uow: UowFactory, officer: Actor,
                                   sample_case_data: CaseData) -> None:
    record = create(uow, officer, sample_case_data, status=S.DRAFT)
    with uow() as u, pytest.raises(StatusTransitionError):
        cases.change_status(u, officer, record.id, S.IN_ASSESSMENT)
    with uow() as u, pytest.raises(StatusTransitionError, match="already"):
        cases.change_status(u, officer, record.id, S.DRAFT)


def test_full_life_writes_one_event_per_change(uow: UowFactory, supervisor: Actor,
                                               officer: Actor,
                                               sample_case_data: CaseData) -> None:
    record = create(uow, officer, sample_case_data, status=S.DRAFT)
    steps = [(officer, S.RECEIVED, ""), (officer, S.IN_ASSESSMENT, ""),
             (supervisor, S.ON_HOLD, "Question à l'exportateur"),
             (officer, S.IN_ASSESSMENT, ""), (supervisor, S.WITHDRAWN, "Abandon")]
    for actor, target, reason in steps:
        with uow() as u:
            cases.change_status(u, actor, record.id, target, reason)
    rows = events(uow, record.reference)
    assert [e.action for e in rows] == ["case.create"] + ["case.status"] * len(steps)
    assert [e.actor_id for e in rows] == [officer.id] + [a.id for a, _, _ in steps]
    assert [e.after["status"] for e in rows] == ["draft"] + [t.value for _, t, _ in steps]
    for event in rows:
        assert_utc(event.at)
    assert rows == sorted(rows, key=lambda e: e.at)
    with uow() as u:
        history = cases.history(u, record.id)
    assert [h[2] for h in history] == [e.action for e in reversed(rows)]
    assert [h[1] for h in history] == ["sven", "olga", "sven", "olga", "olga", "olga"]
    assert history[0][3] == {"status": "withdrawn", "reason": "Abandon"}
    assert history[-1][3]["exporter"]["name"] == "Société Générale d'Armement"
    assert_utc(history[0][0])


def test_history_only_covers_its_case(uow: UowFactory, officer: Actor,
                                      sample_case_data: CaseData) -> None:
    first = create(uow, officer, sample_case_data)
    second = create(uow, officer, sample_case_data)
    with uow() as u:
        cases.change_status(u, officer, second.id, S.IN_ASSESSMENT)
    with uow() as u:
        assert [h[2] for h in cases.history(u, first.id)] == ["case.create"]
        assert [h[2] for h in cases.history(u, second.id)] == ["case.status", "case.create"]
        with pytest.raises(NotFoundError):
            cases.history(u, 999)


def test_create_event_holds_the_whole_case(uow: UowFactory, officer: Actor,
                                           sample_case_data: CaseData) -> None:
    record = create(uow, officer, sample_case_data)
    [event] = events(uow)
    assert event.entity_id == record.reference and event.actor_id == officer.id
    assert event.before is None
    snapshot = dict(event.after)
    assert snapshot.pop("status") == "received"
    assert casefile.from_document(snapshot) == record.data
    assert_utc(event.at)


# -- the register ----------------------------------------------------------------------------


def _expected_value_text(data: CaseData) -> str:
    totals: dict[str, Decimal] = {}
    for line in data.goods:
        totals[line.currency] = totals.get(line.currency, Decimal(0)) + line.value
    return " + ".join(f"{totals[c]:,.2f} {c}" for c in sorted(totals))


def test_list_cases(uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    first = create(uow, officer, sample_case_data)
    other = copy.deepcopy(sample_case_data)
    other.destination = "NO"
    other.parties = [PartyData(role="consignee", name="Kongsberg Lager", country="NO",
                               kind="commercial"),
                     PartyData(role="ultimate_end_user", name="Forsvaret", country="NO",
                               kind="armed_forces")]
    other.goods = [GoodsData(description="Rounds", control_entry="ML3.a", att_category="AMMO",
                             quantity=Decimal(10), unit="rounds", value=Decimal("0.10"),
                             currency="NOK"),
                   GoodsData(description="More rounds", control_entry="ML3.a",
                             att_category="AMMO", quantity=Decimal(10), unit="rounds",
                             value=Decimal("1234567.904"), currency="NOK")]
    second = create(uow, officer, other, status=S.DRAFT)
    empty = create(uow, officer, CaseData(), status=S.DRAFT)
    with uow() as u:
        rows = cases.list_cases(u)
    assert [r.reference for r in rows] == [empty.reference, second.reference, first.reference]
    by_ref = {r.reference: r for r in rows}

    row = by_ref[first.reference]
    assert row.end_user == "Gendarmerie nationale de Côte d'Ivoire"
    assert row.control_entries == "ML1.a, ML3.a, ML13.d"
    assert row.value_text == _expected_value_text(sample_case_data)
    assert row.value_text == "450,500.50 EUR + 95,000.25 USD"
    assert row.destination == "CI" and row.status is S.RECEIVED and row.licence_type == "SIEL"
    assert row.exporter_name == "Société Générale d'Armement"
    assert row.received_date == date(2026, 2, 2) and row.deadline == date(2026, 3, 2)
    assert not row.is_demo
    assert_utc(row.updated_at)

    row = by_ref[second.reference]
    assert row.end_user == "Forsvaret"  # the ultimate end user when there is no end user
    assert row.control_entries == "ML3.a"  # listed once
    assert row.value_text == _expected_value_text(other) == "1,234,568.00 NOK"

    row = by_ref[empty.reference]
    assert (row.end_user, row.control_entries, row.value_text) == ("", "", "")
    assert row.received_date is None and row.deadline is None


def test_export_document(uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    record = create(uow, officer, sample_case_data)
    with uow() as u:
        doc = cases.export_document(u, record.id)
    assert doc["record"]["reference"] == record.reference
    assert doc["record"]["status"] == "received"
    assert doc["record"]["created_by"] == "olga" and doc["record"]["demo"] is False
    assert datetime.fromisoformat(doc["record"]["created_at"]).utcoffset() == timedelta(0)
    assert casefile.from_document(json.loads(casefile.dumps(doc))) == record.data


def test_import_case_file(tmp_path: Path, uow: UowFactory, officer: Actor,
                          sample_case_data: CaseData) -> None:
    path = tmp_path / "dossier.json"
    path.write_text(casefile.dumps(casefile.to_document(sample_case_data)), encoding="utf-8")
    with uow() as u:
        record = cases.import_case_file(u, officer, path)
    assert record.status is S.RECEIVED
    assert get(uow, record.id).data.exporter_name == "Société Générale d'Armement"
    doc = casefile.to_document(sample_case_data)
    doc["destination"] = "XX"
    path.write_text(json.dumps(doc), encoding="utf-8")
    before = table_state(uow)
    with uow() as u, pytest.raises(ValidationError) as info:
        cases.import_case_file(u, officer, path)
    assert [p.field for p in info.value.problems] == ["destination"]
    assert table_state(uow) == before


# -- demo ------------------------------------------------------------------------------------


def _demo_spec() -> dict[str, Any]:
    return json.loads(demo.DEMO_FILE.read_text(encoding="utf-8"))


def test_seed_demo(uow: UowFactory, admin: Actor) -> None:
    spec = _demo_spec()
    with uow() as u:
        refs = demo.seed_demo(u, admin)
    assert len(refs) == len(spec["cases"]) >= 6
    with uow() as u:
        every = {r.reference: r for r in cases.list_cases(u, include_history=True)}
        working = {r.reference for r in cases.list_cases(u)}
        assert demo.has_demo(u)
    assert all(r.is_demo for r in every.values())
    # Besides the applications, last year's history, imported as a previous system's.
    history = {ref for ref in every if ref.startswith("DEMO-H-")}
    assert len(history) == 24
    rows = {ref: r for ref, r in every.items() if ref not in history}
    assert set(rows) == set(refs) == working  # the register leaves imported history out
    assert [rows[r].status.value for r in refs] == [item["status"] for item in spec["cases"]]
    for ref, item in zip(refs, spec["cases"], strict=True):
        assert rows[ref].received_date == date.today() - timedelta(item["received_days_ago"])
        assert rows[ref].exporter_name == item["case"]["exporter"]["name"]
        assert rows[ref].exporter_name.startswith("[DEMO]")
    on_hold = next(r for r, i in zip(refs, spec["cases"], strict=True)
                   if i["status"] == "on_hold")
    with uow() as u:
        assert cases.history(u, cases.find_case_id(u, on_hold))[0][3]["reason"]
        # The demo officer registered the cases, not the administrator who loaded them.
        assert {cases.get_case(u, cases.find_case_id(u, r)).created_by for r in refs} == {
            demo.DEMO_OFFICER[0]}
        names = {a.username: a.role for a, _active in users.list_users(u)}
    assert {n: names[n] for n, _full, _role in demo.DEMO_ACCOUNTS} == {
        n: role for n, _full, role in demo.DEMO_ACCOUNTS}


def test_seed_demo_with_the_ca_passphrase_signs_the_demo_decisions(
        uow: UowFactory, admin: Actor) -> None:
    spec = _demo_spec()
    decided = {i: item["decision"] for i, item in enumerate(spec["cases"])
               if item.get("decision")}
    assert decided  # the demo shows signed decisions
    with uow() as u:
        refs = demo.seed_demo(u, admin, ca_password=CA_PASSWORD)
    with uow() as u:
        for i, ref in enumerate(refs):
            case_id = cases.find_case_id(u, ref)
            records = decisions.list_decisions(u, case_id)
            if i not in decided:
                assert records == []
                assert cases.get_case(u, case_id).status.value == spec["cases"][i]["status"]
                continue
            first = records[0]
            assert first.signed and first.decided_by == demo.DEMO_OFFICER[0]
            assert first.outcome.value == decided[i]["outcome"]
            if decided[i].get("countersigned_by"):
                assert [r.decided_by for r in records[1:]] == [decided[i]["countersigned_by"]]
            assert cases.get_case(u, case_id).status is {
                "approve": S.APPROVED, "refuse": S.REFUSED}[decided[i]["outcome"]]


def test_seed_demo_needs_an_administrator(uow: UowFactory, officer: Actor) -> None:
    before = table_state(uow)
    with uow() as u, pytest.raises(PermissionDeniedError) as info:
        demo.seed_demo(u, officer)
    assert "may not manage accounts" in str(info.value)
    assert "administrator" in str(info.value).split("needs the role of")[1]
    assert table_state(uow) == before


def test_seed_demo_is_idempotent(uow: UowFactory, admin: Actor, officer: Actor,
                                 sample_case_data: CaseData) -> None:
    create(uow, officer, sample_case_data)
    n = len(_demo_spec()["cases"])
    with uow() as u:
        assert len(demo.seed_demo(u, admin)) == n
    before = table_state(uow)
    with uow() as u:
        assert demo.seed_demo(u, admin) == []
    assert table_state(uow) == before
    assert count(uow, Case) == n + 1 + 24  # and last year's history, imported


def test_seed_demo_is_all_or_nothing(uow: UowFactory, admin: Actor, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _demo_spec()
    spec["cases"][-1]["case"]["goods"][0]["control_entry"] = "ML99"
    broken = tmp_path / "cases.json"
    broken.write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setattr(demo, "DEMO_FILE", broken)
    before = table_state(uow)
    with uow() as u, pytest.raises(ValidationError):
        demo.seed_demo(u, admin)
    assert table_state(uow) == before
    with uow() as u:
        assert not demo.has_demo(u)


def test_registering_a_draft_sets_the_default_deadline(uow: UowFactory, officer: Actor,
                                                       sample_case_data: CaseData) -> None:
    draft = dataclasses.replace(sample_case_data, received_date=None, deadline=None)
    with uow() as u:
        record = cases.create_case(u, officer, draft)
        assert record.data.deadline is None
        received = date.today() - timedelta(days=3)
        cases.update_case(u, officer, record.id,
                          dataclasses.replace(draft, received_date=received), 1)
        moved = cases.change_status(u, officer, record.id, CaseStatus.RECEIVED)
    assert moved.data.deadline == cases.add_working_days(received, 20)
