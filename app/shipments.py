"""Actual exports made under a licence, so oversight can set what left beside what was
authorised (docs/formats/shipments.md).

A shipment is recorded by hand or imported from CSV (all or nothing, every error naming
file, line and field), only against a licence that took effect (approved, approved with
conditions, suspended or revoked), for a control entry on the licence, and dated while the
licence was in force: a revoked licence's shipments left before its revocation. A recorded
shipment is never edited or deleted: a correction is a new row with a negative quantity
(and a negative or zero value) whose note says what it corrects, and corrections may not
take an entry's shipped totals below zero. Each shipment is logged by a ``shipment.record``
event.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.canonical import sha256_hex
from app.changes import now_utc, record_change
from app.csv_text import read_utf8
from app.errors import Cancelled, FieldProblem, InputError, NotFoundError, ValidationError
from app.i18n import _
from app.reference import reference
from app.roles import Actor, Permission, require
from app.status import CaseStatus
from app.uow import UnitOfWork
from db.models import Case, DecisionRow, GoodsLine, Shipment, User

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]

#: Statuses of a licence that took effect; "suspended" and "revoked" keep the shipments
#: made while it was in force.
SHIPPABLE = frozenset({CaseStatus.APPROVED, CaseStatus.APPROVED_WITH_CONDITIONS,
                       CaseStatus.SUSPENDED, CaseStatus.REVOKED})
IN_FORCE = frozenset({CaseStatus.APPROVED.value, CaseStatus.APPROVED_WITH_CONDITIONS.value})
CSV_COLUMNS = ("reference", "shipped_on", "control_entry", "quantity", "value", "currency",
               "description", "note")
CSV_REQUIRED = ("reference", "shipped_on", "control_entry", "quantity", "value", "currency")
MAX_PROBLEMS = 50
MAX_DESCRIPTION = 1000
MAX_NOTE = 2000


@dataclass(frozen=True)
class NewShipment:
    """A shipment as given, before checking; ``where`` prefixes the field names of its
    problems ('shipments.csv line 4: ')."""

    case_ref: str
    shipped_on: date | None
    control_entry: str
    quantity: Decimal | None
    value: Decimal | None
    currency: str
    description: str = ""
    note: str = ""
    where: str = ""


@dataclass(frozen=True)
class ShipmentRecord:
    id: int
    case_reference: str
    shipped_on: date
    control_entry: str
    description: str
    quantity: Decimal
    value: Decimal
    currency: str
    note: str
    source: str
    recorded_at: datetime
    recorded_by: str

    @property
    def correction(self) -> bool:
        return self.quantity < 0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "reference": self.case_reference,
                "shipped_on": self.shipped_on.isoformat(), "control_entry": self.control_entry,
                "description": self.description, "quantity": str(self.quantity),
                "value": str(self.value), "currency": self.currency, "note": self.note,
                "source": self.source, "recorded_at": self.recorded_at.isoformat(),
                "recorded_by": self.recorded_by}


@dataclass(frozen=True)
class EntryTotal:
    """What a licence authorised for one control entry, and what was shipped under it."""

    control_entry: str
    licensed_quantity: Decimal
    unit: str
    shipped_quantity: Decimal
    shipped_value: dict[str, Decimal]

    @property
    def over(self) -> bool:
        return self.shipped_quantity > self.licensed_quantity


@dataclass(frozen=True)
class ShipmentImportReport:
    file: str
    sha256: str
    shipments: list[ShipmentRecord]
    cases: list[str] = field(default_factory=list)


# --- checking -----------------------------------------------------------------------------

@dataclass
class _Licence:
    id: int
    reference: str
    status: CaseStatus
    entries: dict[str, str]  # casefolded -> as on the licence
    periods: list[tuple[date, date | None]]  # in force from, to (inclusive; None: still)


def _periods(rows: list[tuple[str, datetime]]) -> list[tuple[date, date | None]]:
    """When the licence was in force, from its records' statuses in sequence order: a
    suspension pauses it, a reinstatement resumes it, a revocation ends it."""
    periods: list[tuple[date, date | None]] = []
    start: date | None = None
    for status_after, decided_at in rows:
        day = decided_at.date()
        if status_after in IN_FORCE and start is None:
            start = day
        elif status_after not in IN_FORCE and start is not None:
            periods.append((start, day))
            start = None
    if start is not None:
        periods.append((start, None))
    return periods


class _Checker:
    """Checks shipments against their licences, loading each licence once, and keeps the
    running totals so that a batch's corrections see the rows before them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.ref = reference()
        self.today = date.today()
        self.licences: dict[str, _Licence | None] = {}
        self.quantity: dict[tuple[int, str], Decimal] = {}
        self.value: dict[tuple[int, str, str], Decimal] = {}

    def licence(self, case_ref: str) -> _Licence | None:
        if case_ref in self.licences:
            return self.licences[case_ref]
        s = self.session
        case = s.execute(select(Case.id, Case.status).where(Case.reference == case_ref)).first()
        found = None
        if case is not None:
            entries = {e.strip().casefold(): e.strip() for e in s.scalars(
                select(GoodsLine.control_entry).where(GoodsLine.case_id == case.id))}
            rows = s.execute(select(DecisionRow.status_after, DecisionRow.decided_at)
                             .where(DecisionRow.case_id == case.id)
                             .order_by(DecisionRow.sequence)).all()
            found = _Licence(case.id, case_ref, CaseStatus(case.status), entries,
                             _periods([(r[0], r[1]) for r in rows]))
            for entry, qty, value, currency in s.execute(
                    select(Shipment.control_entry, Shipment.quantity, Shipment.value,
                           Shipment.currency).where(Shipment.case_id == case.id)):
                self._add(case.id, entry, Decimal(qty), Decimal(value), currency)
        self.licences[case_ref] = found
        return found

    def _add(self, case_id: int, entry: str, quantity: Decimal, value: Decimal,
             currency: str) -> None:
        key = (case_id, entry.casefold())
        self.quantity[key] = self.quantity.get(key, Decimal(0)) + quantity
        vkey = (case_id, entry.casefold(), currency)
        self.value[vkey] = self.value.get(vkey, Decimal(0)) + value

    def check(self, item: NewShipment) -> tuple[list[FieldProblem], dict[str, Any] | None]:
        """Problems, or the row to insert (and its totals counted in)."""
        problems: list[FieldProblem] = []

        def add(name: str, message: str) -> None:
            problems.append(FieldProblem(f"{item.where}{name}", message))

        case_ref = item.case_ref.strip()
        licence = self.licence(case_ref) if case_ref else None
        if not case_ref:
            add("reference", _("the licence's case reference is required"))
        elif licence is None:
            add("reference", _("there is no case {ref}").format(ref=case_ref))
        elif licence.status not in SHIPPABLE:
            add("reference", _("{ref} is {status}: shipments are recorded only against a "
                               "licence that was issued (approved, approved with conditions, "
                               "suspended or revoked)").format(
                ref=case_ref, status=licence.status.label.lower()))
            licence = None
        entry = item.control_entry.strip()
        if licence is not None:
            on_licence = licence.entries.get(entry.casefold())
            if on_licence is None:
                add("control_entry", _("{entry} is not on licence {ref} (its entries: "
                                       "{known})").format(
                    entry=entry or "''", ref=case_ref,
                    known=", ".join(sorted(licence.entries.values())) or _("none")))
            entry = on_licence or entry
        shipped_on = item.shipped_on
        if shipped_on is not None and shipped_on > self.today:
            add("shipped_on", _("{d} is in the future").format(d=shipped_on.isoformat()))
        elif shipped_on is not None and licence is not None and licence.periods and not any(
                start <= shipped_on and (end is None or shipped_on <= end)
                for start, end in licence.periods):
            add("shipped_on", self._not_in_force(licence, shipped_on))
        quantity, value = item.quantity, item.value
        currency = item.currency.strip().upper()
        if quantity is not None and quantity == 0:
            add("quantity", _("cannot be zero"))
        if quantity is not None and value is not None and quantity != 0 \
                and value != 0 and (value < 0) != (quantity < 0):
            add("value", _("must have the sign of the quantity (negative only in a "
                           "correction)"))
        if currency not in self.ref.currencies:
            add("currency", _("'{v}' is not an accepted currency").format(v=item.currency))
        if quantity is not None and quantity < 0 and not item.note.strip():
            add("note", _("a correction (negative quantity) must say in its note which "
                          "shipment it corrects and why"))
        if len(item.description) > MAX_DESCRIPTION:
            add("description", _("at most {n} characters").format(n=MAX_DESCRIPTION))
        if len(item.note) > MAX_NOTE:
            add("note", _("at most {n} characters").format(n=MAX_NOTE))
        if problems or licence is None or shipped_on is None or quantity is None \
                or value is None:
            return problems, None
        key = (licence.id, entry.casefold())
        if self.quantity.get(key, Decimal(0)) + quantity < 0:
            add("quantity", _("the correction takes the quantity shipped under {entry} below "
                              "zero (shipped so far: {n})").format(
                entry=entry, n=self.quantity.get(key, Decimal(0))))
        elif self.value.get((*key, currency), Decimal(0)) + value < 0:
            add("value", _("the correction takes the value shipped under {entry} below zero "
                           "(shipped so far: {n} {cur})").format(
                entry=entry, n=self.value.get((*key, currency), Decimal(0)), cur=currency))
        if problems:
            return problems, None
        self._add(licence.id, entry, quantity, value, currency)
        return [], {"case_id": licence.id, "shipped_on": shipped_on, "control_entry": entry,
                    "description": " ".join(item.description.split()),
                    "quantity": str(quantity), "value": str(value), "currency": currency,
                    "note": item.note.strip()}

    @staticmethod
    def _not_in_force(licence: _Licence, day: date) -> str:
        spans = ", ".join(
            _("{a} to {b}").format(a=a.isoformat(), b=b.isoformat()) if b is not None
            else _("{a} onwards").format(a=a.isoformat()) for a, b in licence.periods)
        return _("{d} is outside the time licence {ref} was in force ({spans})").format(
            d=day.isoformat(), ref=licence.reference, spans=spans)


def _decimal(text: str | Decimal | int | None, where: str, name: str,
             problems: list[FieldProblem]) -> Decimal | None:
    """A plain decimal such as '120' or '-12.50': at most 15 digits before the point and 6
    after, as goods lines keep them."""
    if isinstance(text, Decimal | int):
        value = Decimal(text)
        raw = str(text)
    else:
        raw = (text or "").strip()
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal("NaN")
    exponent = value.as_tuple().exponent
    if not raw or not value.is_finite() or "e" in raw.lower() or not isinstance(exponent, int):
        problems.append(FieldProblem(f"{where}{name}", _("'{v}' is not a decimal number")
                                     .format(v=raw)))
        return None
    if exponent < -6 or abs(value) >= Decimal("1e15"):
        problems.append(FieldProblem(f"{where}{name}", _(
            "at most 15 digits before the decimal point and 6 after")))
        return None
    return value


def _parse_date(text: str | date | None, where: str, problems: list[FieldProblem]
                ) -> date | None:
    if isinstance(text, date):
        return text
    raw = (text or "").strip()
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
    except ValueError:
        pass
    problems.append(FieldProblem(f"{where}shipped_on", _(
        "'{v}' is not a calendar date (YYYY-MM-DD)").format(v=raw) if raw
        else _("the shipping date is required")))
    return None


# --- storing ------------------------------------------------------------------------------

def _store(uow: UnitOfWork, actor: Actor, rows: list[dict[str, Any]], refs: list[str],
           source: str) -> list[int]:
    s = uow.session
    now = now_utc()
    for row in rows:
        row.update(source=source[:200], recorded_at=now, recorded_by_id=actor.id)
    ids = list(s.scalars(insert(Shipment.__table__).returning(
        Shipment.__table__.c.id, sort_by_parameter_order=True), rows))
    for shipment_id, row, ref in zip(ids, rows, refs, strict=True):
        record_change(s, actor.id, "shipment.record", "case", ref, None, {
            "shipment": shipment_id, "shipped_on": row["shipped_on"],
            "control_entry": row["control_entry"], "quantity": row["quantity"],
            "value": row["value"], "currency": row["currency"],
            "description": row["description"], "note": row["note"], "source": source},
            at=now)
    return ids


def record_shipment(uow: UnitOfWork, actor: Actor, case_ref: str, shipped_on: date | str,
                    control_entry: str, quantity: Decimal | str, value: Decimal | str,
                    currency: str, description: str = "", note: str = "") -> ShipmentRecord:
    """Record one shipment by hand; a negative quantity is a correction and needs a note."""
    require(actor, Permission.EDIT_CASES)
    problems: list[FieldProblem] = []
    item = NewShipment(case_ref, _parse_date(shipped_on, "", problems), control_entry,
                       _decimal(quantity, "", "quantity", problems),
                       _decimal(value, "", "value", problems), currency, description, note)
    found, row = _Checker(uow.session).check(item)
    problems.extend(found)
    if problems or row is None:
        raise ValidationError(problems, context=_("The shipment was not recorded"))
    ids = _store(uow, actor, [row], [item.case_ref.strip()], "manual")
    uow.commit()
    return _records(uow.session, [ids[0]])[0]


def _read_csv(path: Path) -> tuple[str, bytes, list[tuple[int, dict[str, str]]]]:
    label, raw, text = read_utf8(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[FieldProblem] = []
    start = 1
    try:
        for cells in reader:
            if header is None:
                header = ["_".join(c.strip().lower().replace("-", " ").split()) for c in cells]
                _check_header(label, header, problems)
            elif any(c.strip() for c in cells):
                where = _("{file} line {line}").format(file=label, line=start)
                if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                    problems.append(FieldProblem(where, _(
                        "more values than the header row has columns ({n})").format(
                            n=len(header))))
                values = dict.fromkeys(header, "")
                values.update(zip(header, cells, strict=False))
                rows.append((start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(_("Nothing was stored: {file} line {line}: not readable as CSV: "
                           "{msg}").format(file=label, line=start, msg=exc)) from exc
    if header is None:
        raise InputError(_("Nothing was stored: {path} is empty: it must start with a header "
                           "row").format(path=label))
    if problems:
        raise ValidationError(problems[:MAX_PROBLEMS], context=_("Nothing was stored"))
    return label, raw, rows


def _check_header(label: str, header: list[str], problems: list[FieldProblem]) -> None:
    where = _("{file} line {line}").format(file=label, line=1)
    for n, name in enumerate(header):
        if name and name not in CSV_COLUMNS:
            problems.append(FieldProblem(f"{where}: {name}", _(
                "unknown column (the columns are: {known})").format(
                    known=", ".join(CSV_COLUMNS))))
        elif name and name in header[:n]:
            problems.append(FieldProblem(f"{where}: {name}", _("the column appears twice")))
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        problems.append(FieldProblem(where, _("missing column(s): {names}").format(
            names=", ".join(missing))))


def import_shipments_csv(uow: UnitOfWork, actor: Actor, path: Path,
                         progress: Progress | None = None,
                         cancelled: IsCancelled | None = None) -> ShipmentImportReport:
    """Every row of a shipments CSV, checked first and stored in one transaction: any bad
    row and nothing is stored. ``progress(done, total)`` counts rows checked, then stored."""
    require(actor, Permission.EDIT_CASES)
    label, raw, rows = _read_csv(path)
    if not rows:
        raise InputError(_("Nothing was stored: {path} has no shipment rows.").format(
            path=label))
    checker = _Checker(uow.session)
    problems: list[FieldProblem] = []
    checked: list[dict[str, Any]] = []
    refs: list[str] = []
    total = len(rows)
    for n, (line, values) in enumerate(rows, start=1):
        where = _("{file} line {line}").format(file=label, line=line) + ": "
        found: list[FieldProblem] = []
        item = NewShipment(
            values["reference"], _parse_date(values["shipped_on"], where, found),
            values["control_entry"], _decimal(values["quantity"], where, "quantity", found),
            _decimal(values["value"], where, "value", found), values["currency"],
            values.get("description", ""), values.get("note", ""), where)
        more, row = checker.check(item)
        found.extend(more)
        problems.extend(found)
        if row is not None and not found:
            checked.append(row)
            refs.append(item.case_ref.strip())
        if len(problems) > MAX_PROBLEMS:
            break
        if n % 500 == 0:
            if cancelled is not None and cancelled():
                raise Cancelled()
            if progress is not None:
                progress(n, total * 2)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(FieldProblem("", _("… and more problems")))
        raise ValidationError(shown, context=_("Nothing was stored"))
    if cancelled is not None and cancelled():
        raise Cancelled()
    ids = _store(uow, actor, checked, refs, f"import:{path.name}")
    sha = sha256_hex(raw)
    record_change(uow.session, actor.id, "shipment.import", "shipments", path.name[:64], None,
                  {"file": path.name, "sha256": sha, "shipments": len(ids),
                   "first": ids[0], "last": ids[-1]})
    if progress is not None:
        progress(total * 2, total * 2)
    if cancelled is not None and cancelled():
        raise Cancelled()
    uow.commit()
    return ShipmentImportReport(label, sha, _records(uow.session, ids),
                                sorted(set(refs)))


# --- reading ------------------------------------------------------------------------------

def _records(session: Session, ids: list[int] | None = None,
             case_id: int | None = None) -> list[ShipmentRecord]:
    stmt = (select(Shipment, Case.reference, User.username)
            .join(Case, Case.id == Shipment.case_id)
            .join(User, User.id == Shipment.recorded_by_id)
            .order_by(Shipment.shipped_on, Shipment.id))
    if ids is not None:
        stmt = stmt.where(Shipment.id.in_(ids))
    if case_id is not None:
        stmt = stmt.where(Shipment.case_id == case_id)
    return [ShipmentRecord(s.id, ref, s.shipped_on, s.control_entry, s.description,
                           Decimal(s.quantity), Decimal(s.value), s.currency, s.note, s.source,
                           s.recorded_at, username)
            for s, ref, username in session.execute(stmt)]


def _case_id(uow: UnitOfWork, case_ref: str) -> int:
    case_id = uow.session.scalar(select(Case.id).where(Case.reference == case_ref.strip()))
    if case_id is None:
        raise NotFoundError(_("No case with reference {ref}.").format(ref=case_ref))
    return case_id


def list_shipments(uow: UnitOfWork, case_ref: str) -> list[ShipmentRecord]:
    """The shipments of a licence, by date, corrections included."""
    return _records(uow.session, case_id=_case_id(uow, case_ref))


def shipped_totals(uow: UnitOfWork, case_ref: str) -> list[EntryTotal]:
    """Per control entry on the licence: the quantity licensed and what was shipped."""
    case_id = _case_id(uow, case_ref)
    licensed: dict[str, tuple[str, Decimal, str]] = {}
    for entry, qty, unit in uow.session.execute(
            select(GoodsLine.control_entry, GoodsLine.quantity, GoodsLine.unit)
            .where(GoodsLine.case_id == case_id).order_by(GoodsLine.position)):
        name, total, first_unit = licensed.get(entry.casefold(), (entry, Decimal(0), unit))
        licensed[entry.casefold()] = (name, total + Decimal(qty), first_unit)
    shipped: dict[str, Decimal] = defaultdict(Decimal)
    values: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for record in _records(uow.session, case_id=case_id):
        key = record.control_entry.casefold()
        shipped[key] += record.quantity
        values[key][record.currency] += record.value
    return [EntryTotal(name, qty, unit, shipped.get(key, Decimal(0)), dict(values.get(key, {})))
            for key, (name, qty, unit) in licensed.items()]
