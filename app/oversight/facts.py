"""What the oversight reports count, read from the decision records in a few queries.

A *decision* counts when it took effect: the case's latest decision record, not returned
or still awaiting countersignature, for a case whose status is an outcome. Refusals and
approvals are dated by that record; revocations by the revocation record. Legacy records
imported from a previous system count like signed ones and say where they came from.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, NamedTuple

from sqlalchemy import Select, String, Text, select, type_coerce
from sqlalchemy.orm import Session

from db.models import Case, DecisionRow, GoodsLine, Party, Shipment, User

Outcome = Literal["issued", "refused"]

#: Case statuses that mean the decision took effect (an approval later suspended or
#: revoked was still issued).
EFFECTIVE = {"approved", "approved_with_conditions", "refused", "suspended", "revoked"}
APPROVALS = {"approve", "approve-with-conditions"}


def amount(text: str | None) -> Decimal | None:
    """An exact amount from its stored text; None when empty or not a number."""
    if not text:
        return None
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        try:
            return Decimal(str(text).strip())
        except InvalidOperation:
            return None


class LineFact(NamedTuple):
    control_entry: str          # "ML1.a", "5A002"
    description: str
    att_category: str           # "I".."VIII", "AMMO", "PARTS", "NONE" or ""
    quantity: Decimal | None
    unit: str
    value: Decimal | None
    currency: str

    @property
    def ml(self) -> str:
        """The Common Military List category ("ML1".."ML22"), "" for other entries."""
        return ml_category(self.control_entry)


class DecisionFact(NamedTuple):
    """One decision that took effect. A named tuple, not a dataclass: a report reads tens
    of thousands of them, and building frozen dataclasses cost more than the query."""

    record_id: int
    case_id: int
    reference: str
    decided_on: date
    received_on: date | None
    destination: str            # ISO alpha-2
    licence_type: str
    exporter_name: str
    end_user_name: str
    end_user_kind: str          # "government", "armed_forces", ... or ""
    outcome: Outcome
    with_conditions: bool
    framework_id: str
    criteria: tuple[str, ...]   # as cited, in the framework's own ids
    lines: tuple[LineFact, ...]
    countersigned_by: tuple[str, ...]   # roles of the countersigners
    origin: str                 # "signed", "pre-signing" or "import:<source>"
    revoked_on: date | None = None


class ShipmentFact(NamedTuple):
    case_id: int
    reference: str
    shipped_on: date
    destination: str
    control_entry: str
    att_category: str
    description: str
    quantity: Decimal | None
    value: Decimal | None
    currency: str

    @property
    def ml(self) -> str:
        return ml_category(self.control_entry)


_ML_CACHE: dict[str, str] = {}


def ml_category(control_entry: str) -> str:
    """"ML10.h" -> "ML10"; "" for an entry outside the Common Military List."""
    found = _ML_CACHE.get(control_entry)
    if found is not None:
        return found
    entry = control_entry.strip().upper()
    digits = ""
    if entry.startswith("ML"):
        for ch in entry[2:]:
            if not ch.isdigit():
                break
            digits += ch
    found = f"ML{int(digits)}" if digits and 1 <= int(digits) <= 22 else ""
    _ML_CACHE[control_entry] = found
    return found


@dataclass
class Facts:
    period_from: date
    period_to: date
    decisions: list[DecisionFact]       # took effect in the period
    revocations: list[DecisionFact]     # revoked in the period (decided whenever)
    shipments: list[ShipmentFact]       # shipped in the period


_DAYS: dict[str, date] = {}


def _day(value: object) -> date | None:
    """A date from what the driver returns: SQLite gives text, other backends dates."""
    if value.__class__ is str:
        found = _DAYS.get(value[:10])  # type: ignore[index]
        if found is None:
            text = str(value)
            found = _DAYS[text[:10]] = date(int(text[:4]), int(text[5:7]), int(text[8:10]))
        return found
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    return _day(str(value))


def _json_list(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    text = str(value)
    return tuple(str(v) for v in json.loads(text)) if text not in ("", "[]", "null") else ()


def _rows(session: Session, stmt: Select[Any]) -> list[tuple[Any, ...]]:
    """All rows through the driver's cursor, with values as stored: tens of thousands of
    SQLAlchemy rows with type processing cost more than the report itself."""
    connection = session.connection()
    compiled = stmt.compile(dialect=connection.dialect,
                            compile_kwargs={"literal_binds": True})
    if connection.dialect.name != "sqlite":
        return [tuple(r) for r in session.execute(stmt)]
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled))
        return cursor.fetchall()
    finally:
        cursor.close()


def load_facts(session: Session, start: date, end: date) -> Facts:
    """Every decision that took effect, every revocation and every shipment in
    [start, end], with what the tables need and nothing they do not."""
    d = DecisionRow
    records = _rows(session, select(
        d.case_id, d.id, d.kind, d.outcome, type_coerce(d.decided_at, String),
        d.framework_id, type_coerce(d.criteria_cited, Text), type_coerce(d.conditions, Text),
        d.origin, User.role)
        .join(User, User.id == d.decided_by_id)
        .join(Case, Case.id == d.case_id)
        .where(Case.status.in_(sorted(EFFECTIVE)))
        .order_by(d.case_id, d.sequence))
    by_case: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in records:
        by_case[row[0]].append(row)
    effective: dict[int, tuple[tuple[Any, ...], tuple[str, ...], date | None]] = {}
    for case_id, rows in by_case.items():
        at = max((i for i, r in enumerate(rows) if r[2] == "decision"), default=None)
        if at is None:
            continue
        later = rows[at + 1:]
        if any(r[2] == "return" for r in later):
            continue
        roles = tuple(r[9] for r in later if r[2] == "countersignature")
        revoked = next((_day(r[4]) for r in later if r[2] == "revocation"), None)
        effective[case_id] = (rows[at], roles, revoked)
    wanted = {cid for cid, (row, _roles, revoked) in effective.items()
              if start <= (_day(row[4]) or date.min) <= end
              or (revoked is not None and start <= revoked <= end)}
    status_in = Case.status.in_(sorted(EFFECTIVE))
    cases = {r[0]: r for r in _rows(session, select(
        Case.id, Case.reference, Case.received_date, Case.destination, Case.licence_type,
        Case.exporter_name).where(status_in)) if r[0] in wanted}
    lines: dict[int, list[LineFact]] = defaultdict(list)
    for cid, entry, desc, att, qty, unit, value, cur in _rows(session, select(
            GoodsLine.case_id, GoodsLine.control_entry, GoodsLine.description,
            GoodsLine.att_category, GoodsLine.quantity, GoodsLine.unit, GoodsLine.value,
            GoodsLine.currency).join(Case, Case.id == GoodsLine.case_id).where(status_in)
            .order_by(GoodsLine.case_id, GoodsLine.position)):
        if cid in wanted:
            lines[cid].append(LineFact(entry, desc, att, amount(qty), unit, amount(value), cur))
    end_users: dict[int, tuple[str, str]] = {}
    for cid, name, kind in _rows(session, select(Party.case_id, Party.name, Party.kind)
                                 .join(Case, Case.id == Party.case_id)
                                 .where(status_in, Party.role == "end_user")
                                 .order_by(Party.case_id, Party.position)):
        if cid in wanted:
            end_users.setdefault(cid, (name, kind))

    decided: list[DecisionFact] = []
    revoked_facts: list[DecisionFact] = []
    for cid in sorted(wanted):
        row, roles, revoked_on = effective[cid]
        case = cases[cid]
        name, kind = end_users.get(cid, ("", ""))
        decided_on = _day(row[4]) or date.min
        item = DecisionFact(
            row[1], cid, case[1], decided_on, _day(case[2]), case[3], case[4], case[5],
            name, kind, "issued" if row[3] in APPROVALS else "refused",
            bool(_json_list(row[7])), row[5], _json_list(row[6]), tuple(lines.get(cid, ())),
            roles, row[8], revoked_on)
        if start <= decided_on <= end:
            decided.append(item)
        if revoked_on is not None and start <= revoked_on <= end:
            revoked_facts.append(item)

    shipments = []
    ship_rows = _rows(session, select(
        Shipment.case_id, Case.reference, Shipment.shipped_on, Case.destination,
        Shipment.control_entry, Shipment.description, Shipment.quantity, Shipment.value,
        Shipment.currency).join(Case, Case.id == Shipment.case_id)
        .where(Shipment.shipped_on >= start, Shipment.shipped_on <= end)
        .order_by(Shipment.shipped_on, Shipment.id))
    att_by_entry: dict[tuple[int, str], str] = {}
    shipped_cases = {r[0] for r in ship_rows}
    if shipped_cases:
        for cid, entry, att in _rows(session, select(
                GoodsLine.case_id, GoodsLine.control_entry, GoodsLine.att_category)):
            if cid in shipped_cases:
                att_by_entry.setdefault((cid, entry), att)
    for cid, reference, shipped_on, destination, entry, desc, qty, value, cur in ship_rows:
        shipments.append(ShipmentFact(
            cid, reference, _day(shipped_on) or start, destination, entry,
            att_by_entry.get((cid, entry), ""), desc, amount(qty), amount(value), cur))
    return Facts(start, end, decided, revoked_facts, shipments)
