"""Use cases of the case register: create, read, update, change status, import and export.

The UI and the CLI call these and nothing else, so every rule (validation, editable
statuses, transitions, references, change events) holds for both.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import casefile
from app.casedata import CaseData, GoodsData, PartyData
from app.changes import now_utc, record_change
from app.errors import ConcurrentEditError, NotFoundError, StatusTransitionError, ValidationError
from app.i18n import _
from app.reference import ReferenceData, reference
from app.status import EDITABLE, CaseStatus, check_transition
from app.uow import UnitOfWork
from app.users import Actor, Permission, require
from app.validation import validate_case
from app.vocab import PartyRole
from db.models import Case, ChangeEvent, GoodsLine, Party, ReferenceCounter, User

REFERENCE_PREFIX = "GR"
_REFERENCE = re.compile(r"^GR-(\d{4})-(\d{5,})$")


@dataclass(frozen=True)
class CaseRecord:
    """A stored case: its editable data plus what the register knows about it."""

    id: int
    reference: str
    status: CaseStatus
    data: CaseData
    row_version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    is_demo: bool


@dataclass(frozen=True)
class CaseSummary:
    """One row of the register: enough to find a case, cheap to load ten thousand of."""

    id: int
    reference: str
    status: CaseStatus
    licence_type: str
    exporter_name: str
    destination: str
    end_user: str
    control_entries: str
    value_text: str
    received_date: date | None
    deadline: date | None
    updated_at: datetime
    is_demo: bool
    applicant_reference: str = ""
    euc_number: str = ""


def format_reference(year: int, number: int) -> str:
    return f"{REFERENCE_PREFIX}-{year:04d}-{number:05d}"


def next_reference(uow: UnitOfWork, year: int) -> str:
    counter = uow.session.get(ReferenceCounter, year, with_for_update=True)
    if counter is None:
        counter = ReferenceCounter(year=year, last_value=0)
        uow.session.add(counter)
    counter.last_value += 1
    return format_reference(year, counter.last_value)


def add_working_days(start: date, days: int) -> date:
    """Monday to Friday; public holidays are the authority's to add to the deadline by hand."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def default_deadline(data: CaseData, ref: ReferenceData) -> date | None:
    licence = ref.licence_types.get(data.licence_type)
    if data.received_date is None or licence is None:
        return None
    return add_working_days(data.received_date, licence.target_working_days)


def _apply(case: Case, data: CaseData) -> None:
    case.licence_type = data.licence_type
    case.applicant_reference = data.applicant_reference
    case.exporter_name = data.exporter_name.strip()
    case.exporter_address = data.exporter_address
    case.exporter_country = data.exporter_country
    case.exporter_registration = data.exporter_registration
    case.destination = data.destination
    case.end_use = data.end_use
    case.euc_number = data.euc_number
    case.euc_date = data.euc_date
    case.euc_issuer = data.euc_issuer
    case.received_date = data.received_date
    case.deadline = data.deadline
    case.notes = data.notes

    existing_parties = {p.id: p for p in case.parties}
    parties = []
    for position, item in enumerate(data.parties):
        row = existing_parties.get(item.id) if item.id is not None else None
        row = row or Party()
        row.position = position
        row.role, row.name, row.address = item.role, item.name.strip(), item.address
        row.country, row.kind = item.country, item.kind
        row.birth_date = item.birth_date
        parties.append(row)
    case.parties = parties

    existing_goods = {g.id: g for g in case.goods}
    goods = []
    for position, line in enumerate(data.goods):
        row = existing_goods.get(line.id) if line.id is not None else None
        row = row or GoodsLine()
        row.position = position
        row.description, row.control_entry = line.description, line.control_entry.strip()
        row.att_category, row.quantity = line.att_category, str(line.quantity)
        row.unit, row.value, row.currency = line.unit, str(line.value), line.currency
        goods.append(row)
    case.goods = goods


def _data(case: Case) -> CaseData:
    return CaseData(
        licence_type=case.licence_type,
        applicant_reference=case.applicant_reference,
        exporter_name=case.exporter_name,
        exporter_address=case.exporter_address,
        exporter_country=case.exporter_country,
        exporter_registration=case.exporter_registration,
        destination=case.destination,
        end_use=case.end_use,
        euc_number=case.euc_number,
        euc_date=case.euc_date,
        euc_issuer=case.euc_issuer,
        received_date=case.received_date,
        deadline=case.deadline,
        notes=case.notes,
        parties=[PartyData(role=p.role, name=p.name, address=p.address, country=p.country,
                           kind=p.kind, birth_date=p.birth_date or "", id=p.id)
                 for p in case.parties],
        goods=[GoodsData(description=g.description, control_entry=g.control_entry,
                         att_category=g.att_category, quantity=Decimal(g.quantity),
                         unit=g.unit, value=Decimal(g.value), currency=g.currency, id=g.id)
               for g in case.goods],
    )


def _snapshot(case: Case) -> dict[str, Any]:
    doc = casefile.to_document(_data(case))
    doc["status"] = case.status
    return doc


def _record(case: Case) -> CaseRecord:
    return CaseRecord(
        id=case.id, reference=case.reference, status=CaseStatus(case.status), data=_data(case),
        row_version=case.row_version, created_at=case.created_at,
        created_by=case.created_by.username, updated_at=case.updated_at,
        updated_by=case.updated_by.username, is_demo=case.is_demo,
    )


def _validate(data: CaseData, status: CaseStatus, ref: ReferenceData) -> None:
    problems = validate_case(data, ref, complete=status != CaseStatus.DRAFT)
    if problems:
        raise ValidationError(problems)


def _load(uow: UnitOfWork, case_id: int) -> Case:
    case = uow.session.scalar(
        select(Case).where(Case.id == case_id)
        .options(selectinload(Case.parties), selectinload(Case.goods))
    )
    if case is None:
        raise NotFoundError(_("No case with id {id}.").format(id=case_id))
    return case


def find_case_id(uow: UnitOfWork, reference_text: str) -> int:
    case_id = uow.session.scalar(select(Case.id).where(Case.reference == reference_text.strip()))
    if case_id is None:
        raise NotFoundError(_("No case with reference {ref}.").format(ref=reference_text))
    return case_id


def create_case(uow: UnitOfWork, actor: Actor, data: CaseData, *,
                status: CaseStatus = CaseStatus.DRAFT, is_demo: bool = False,
                ref: ReferenceData | None = None, commit: bool = True) -> CaseRecord:
    require(actor, Permission.EDIT_CASES)
    ref = ref or reference()
    if status not in (CaseStatus.DRAFT, CaseStatus.RECEIVED):
        raise StatusTransitionError(_("A new case starts as a draft or as received."))
    if data.deadline is None:
        data = _with_deadline(data, ref)
    _validate(data, status, ref)
    now = now_utc()
    case = Case(reference=next_reference(uow, now.year), status=status.value, is_demo=is_demo,
                created_at=now, created_by_id=actor.id, updated_at=now, updated_by_id=actor.id)
    _apply(case, data)
    uow.session.add(case)
    uow.flush()
    record_change(uow.session, actor.id, "case.create", "case", case.reference, None,
                  _snapshot(case), at=now)
    if commit:
        uow.commit()
    uow.session.refresh(case, ["created_by", "updated_by"])
    return _record(case)


def _with_deadline(data: CaseData, ref: ReferenceData) -> CaseData:
    return replace(data, deadline=default_deadline(data, ref))


def get_case(uow: UnitOfWork, case_id: int) -> CaseRecord:
    return _record(_load(uow, case_id))


def update_case(uow: UnitOfWork, actor: Actor, case_id: int, data: CaseData,
                expected_version: int, ref: ReferenceData | None = None) -> CaseRecord:
    require(actor, Permission.EDIT_CASES)
    ref = ref or reference()
    case = _load(uow, case_id)
    status = CaseStatus(case.status)
    if case.row_version != expected_version:
        raise ConcurrentEditError(
            _("{ref} was changed by {user} at {when} after you opened it. Reopen the case to see "
              "their changes; your edits are kept as a draft.").format(
                ref=case.reference, user=case.updated_by.username,
                when=case.updated_at.strftime("%Y-%m-%d %H:%M UTC")))
    if status not in EDITABLE:
        raise StatusTransitionError(
            _("{ref} is {status}: its application can no longer be edited.").format(
                ref=case.reference, status=status.label.lower()))
    _validate(data, status, ref)
    before = _snapshot(case)
    _apply(case, data)
    after = _snapshot(case)
    if before == after:
        # Nothing to save: drop what _apply staged (rows for id-less items) and return the
        # stored case, so the caller keeps the real row ids.
        uow.session.rollback()
        return _record(_load(uow, case_id))
    case.updated_at = now_utc()
    case.updated_by_id = actor.id
    try:
        uow.flush()
    except StaleDataError as exc:
        raise ConcurrentEditError(
            _("{ref} was changed by someone else while you were saving. Reopen it.").format(
                ref=case.reference)) from exc
    record_change(uow.session, actor.id, "case.update", "case", case.reference, before, after)
    uow.commit()
    uow.session.refresh(case, ["updated_by"])
    return _record(case)


def change_status(uow: UnitOfWork, actor: Actor, case_id: int, target: CaseStatus,
                  reason: str = "", ref: ReferenceData | None = None, *,
                  commit: bool = True) -> CaseRecord:
    require(actor, Permission.EDIT_CASES)
    ref = ref or reference()
    case = _load(uow, case_id)
    current = CaseStatus(case.status)
    check_transition(current, target)
    if current == CaseStatus.DRAFT and target == CaseStatus.RECEIVED:
        problems = validate_case(_data(case), ref, complete=True)
        if problems:
            raise ValidationError(problems, context=_(
                "{ref} is not complete enough to register as received").format(
                    ref=case.reference))
        if case.deadline is None:
            case.deadline = default_deadline(_data(case), ref)
    if target in (CaseStatus.WITHDRAWN, CaseStatus.ON_HOLD) and not reason.strip():
        raise StatusTransitionError(_("Give a reason for putting the case {status}.").format(
            status=target.label.lower()))
    case.status = target.value
    case.updated_at = now_utc()
    case.updated_by_id = actor.id
    uow.flush()
    record_change(uow.session, actor.id, "case.status", "case", case.reference,
                  {"status": current.value}, {"status": target.value, "reason": reason})
    if commit:
        uow.commit()
    uow.session.refresh(case, ["updated_by"])
    return _record(case)


def _value_text(totals: dict[str, Decimal]) -> str:
    return " + ".join(f"{v:,.2f} {c}" for c, v in sorted(totals.items()))


def _history_ids(uow: UnitOfWork) -> set[int]:
    """Cases imported from a previous system: decided elsewhere, nothing left to work on."""
    from db.models import DecisionRow

    return set(uow.session.scalars(select(DecisionRow.case_id).where(
        DecisionRow.origin.like("import:%")).distinct()))


def list_cases(uow: UnitOfWork, *, include_history: bool = False) -> list[CaseSummary]:
    """Every case as a register row, in three queries whatever the number of cases.

    Decisions imported from a previous system (tens of thousands, decided elsewhere) stay
    out of the working register unless asked for: the audit view and the reports use them."""
    s = uow.session
    skip = set() if include_history else _history_ids(uow)
    end_users: dict[int, str] = {}
    for case_id, name in s.execute(
        select(Party.case_id, Party.name)
        .where(Party.role.in_([PartyRole.END_USER.value, PartyRole.ULTIMATE_END_USER.value]))
        .order_by(Party.case_id, Party.role, Party.position)
    ):
        end_users.setdefault(case_id, name)
    entries: dict[int, list[str]] = defaultdict(list)
    totals: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for case_id, entry, value, currency in s.execute(
        select(GoodsLine.case_id, GoodsLine.control_entry, GoodsLine.value, GoodsLine.currency)
        .order_by(GoodsLine.case_id, GoodsLine.position)
    ):
        if entry not in entries[case_id]:
            entries[case_id].append(entry)
        bucket = totals[case_id]
        bucket[currency] = bucket.get(currency, Decimal(0)) + Decimal(value)
    rows = s.execute(
        select(Case.id, Case.reference, Case.status, Case.licence_type, Case.exporter_name,
               Case.destination, Case.received_date, Case.deadline, Case.updated_at,
               Case.is_demo, Case.applicant_reference, Case.euc_number)
        .order_by(Case.id.desc())
    )
    rows = [r for r in rows if r.id not in skip]
    return [
        CaseSummary(
            id=r.id, reference=r.reference, status=CaseStatus(r.status),
            licence_type=r.licence_type, exporter_name=r.exporter_name,
            destination=r.destination, end_user=end_users.get(r.id, ""),
            control_entries=", ".join(entries.get(r.id, [])),
            value_text=_value_text(totals.get(r.id, {})), received_date=r.received_date,
            deadline=r.deadline, updated_at=r.updated_at, is_demo=r.is_demo,
            applicant_reference=r.applicant_reference, euc_number=r.euc_number,
        )
        for r in rows
    ]


def history(uow: UnitOfWork, case_id: int) -> list[tuple[datetime, str, str, dict | None]]:
    """The case's change events, newest first: when, who, action, what changed to."""
    case = _load(uow, case_id)
    rows = uow.session.execute(
        select(ChangeEvent.at, User.username, ChangeEvent.action, ChangeEvent.after)
        .join(User, User.id == ChangeEvent.actor_id, isouter=True)
        .where(ChangeEvent.entity == "case", ChangeEvent.entity_id == case.reference)
        .order_by(ChangeEvent.id.desc())
    )
    return [(r.at, r.username or "", r.action, r.after) for r in rows]


def import_case_file(uow: UnitOfWork, actor: Actor, path: Path,
                     ref: ReferenceData | None = None) -> CaseRecord:
    """A complete application from a case file, registered as received in one transaction."""
    require(actor, Permission.EDIT_CASES)
    data = casefile.read_file(path, ref)
    return create_case(uow, actor, data, status=CaseStatus.RECEIVED, ref=ref)


def export_document(uow: UnitOfWork, case_id: int) -> dict[str, Any]:
    record = get_case(uow, case_id)
    return casefile.to_document(record.data, {
        "reference": record.reference,
        "status": record.status.value,
        "created_at": record.created_at.isoformat(),
        "created_by": record.created_by,
        "updated_at": record.updated_at.isoformat(),
        "updated_by": record.updated_by,
        "demo": record.is_demo,
    })


def parse_reference(text: str) -> tuple[int, int] | None:
    match = _REFERENCE.match(text.strip())
    return (int(match[1]), int(match[2])) if match else None
