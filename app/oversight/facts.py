"""What the oversight reports count, read from the decision records in a few queries.

A *decision* counts when it took effect: the case's latest decision record, not returned
or still awaiting countersignature, for a case whose status is an outcome. Refusals and
approvals are dated by that record; revocations by the revocation record. Legacy records
imported from a previous system count like signed ones and say where they came from.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, DecisionRow, GoodsLine, Party, Shipment, User

Outcome = Literal["issued", "refused"]

#: Case statuses that mean the decision took effect (an approval later suspended or
#: revoked was still issued).
EFFECTIVE = {"approved", "approved_with_conditions", "refused", "suspended", "revoked"}
APPROVALS = {"approve", "approve-with-conditions"}


def amount(text: str | None) -> Decimal | None:
    if text is None or not str(text).strip():
        return None
    try:
        return Decimal(str(text).strip())
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class LineFact:
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
        entry = self.control_entry.strip().upper()
        if not entry.startswith("ML"):
            return ""
        digits = ""
        for ch in entry[2:]:
            if not ch.isdigit():
                break
            digits += ch
        return f"ML{int(digits)}" if digits and 1 <= int(digits) <= 22 else ""


@dataclass(frozen=True)
class DecisionFact:
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


@dataclass(frozen=True)
class ShipmentFact:
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
        return LineFact(self.control_entry, "", "", None, "", None, "").ml


@dataclass
class Facts:
    period_from: date
    period_to: date
    decisions: list[DecisionFact]       # took effect in the period
    revocations: list[DecisionFact]     # revoked in the period (decided whenever)
    shipments: list[ShipmentFact]       # shipped in the period


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time.min, UTC), datetime.combine(end, time.max, UTC))


def _chunks(values: list[int], size: int = 900) -> list[list[int]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def _lines(session: Session, case_ids: list[int]) -> dict[int, list[LineFact]]:
    out: dict[int, list[LineFact]] = defaultdict(list)
    for chunk in _chunks(case_ids):
        rows = session.execute(select(
            GoodsLine.case_id, GoodsLine.control_entry, GoodsLine.description,
            GoodsLine.att_category, GoodsLine.quantity, GoodsLine.unit, GoodsLine.value,
            GoodsLine.currency).where(GoodsLine.case_id.in_(chunk))
            .order_by(GoodsLine.case_id, GoodsLine.position))
        for cid, entry, desc, att, qty, unit, value, cur in rows:
            out[cid].append(LineFact(entry, desc, att, amount(qty), unit, amount(value), cur))
    return out


def _end_users(session: Session, case_ids: list[int]) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(case_ids):
        rows = session.execute(select(Party.case_id, Party.name, Party.kind)
                               .where(Party.case_id.in_(chunk), Party.role == "end_user")
                               .order_by(Party.case_id, Party.position))
        for cid, name, kind in rows:
            out.setdefault(cid, (name, kind))
    return out


def load_facts(session: Session, start: date, end: date) -> Facts:
    """Every decision that took effect, every revocation and every shipment in
    [start, end], with what the tables need and nothing they do not."""
    lo, hi = _bounds(start, end)
    records = session.execute(
        select(DecisionRow.id, DecisionRow.case_id, DecisionRow.sequence, DecisionRow.kind,
               DecisionRow.outcome, DecisionRow.decided_at, DecisionRow.framework_id,
               DecisionRow.criteria_cited, DecisionRow.conditions, DecisionRow.origin,
               User.role)
        .join(User, User.id == DecisionRow.decided_by_id)
        .order_by(DecisionRow.case_id, DecisionRow.sequence)).all()
    by_case: dict[int, list] = defaultdict(list)
    for row in records:
        by_case[row.case_id].append(row)
    cases = {c.id: c for c in session.execute(select(
        Case.id, Case.reference, Case.status, Case.received_date, Case.destination,
        Case.licence_type, Case.exporter_name)).all()}
    effective: list[tuple] = []   # (decision row, countersigner roles, revoked_on)
    for case_id, rows in by_case.items():
        case = cases.get(case_id)
        if case is None or case.status not in EFFECTIVE:
            continue
        decision_at = max((i for i, r in enumerate(rows) if r.kind == "decision"),
                          default=None)
        if decision_at is None:
            continue
        decision = rows[decision_at]
        later = rows[decision_at + 1:]
        if any(r.kind == "return" for r in later):
            continue
        roles = tuple(r.role for r in later if r.kind == "countersignature")
        revoked = next((r.decided_at.date() for r in later if r.kind == "revocation"), None)
        effective.append((decision, roles, revoked))
    in_period = [e for e in effective if lo <= e[0].decided_at <= hi]
    revoked = [e for e in effective if e[2] is not None and start <= e[2] <= end]
    needed = sorted({e[0].case_id for e in in_period + revoked})
    lines = _lines(session, needed)
    end_users = _end_users(session, needed)

    def fact(entry: tuple) -> DecisionFact:
        row, roles, revoked_on = entry
        case = cases[row.case_id]
        name, kind = end_users.get(row.case_id, ("", ""))
        return DecisionFact(
            record_id=row.id, case_id=row.case_id, reference=case.reference,
            decided_on=row.decided_at.date(), received_on=case.received_date,
            destination=case.destination, licence_type=case.licence_type,
            exporter_name=case.exporter_name, end_user_name=name, end_user_kind=kind,
            outcome="issued" if row.outcome in APPROVALS else "refused",
            with_conditions=bool(row.conditions), framework_id=row.framework_id,
            criteria=tuple(row.criteria_cited or ()), lines=tuple(lines.get(row.case_id, ())),
            countersigned_by=roles, origin=row.origin, revoked_on=revoked_on)

    shipments = []
    rows = session.execute(
        select(Shipment, Case.reference, Case.destination)
        .join(Case, Case.id == Shipment.case_id)
        .where(Shipment.shipped_on >= start, Shipment.shipped_on <= end)
        .order_by(Shipment.shipped_on, Shipment.id)).all()
    att_by_entry: dict[tuple[int, str], str] = {}
    for chunk in _chunks(sorted({r[0].case_id for r in rows})):
        for cid, entry, att in session.execute(select(
                GoodsLine.case_id, GoodsLine.control_entry, GoodsLine.att_category).where(
                GoodsLine.case_id.in_(chunk))):
            att_by_entry.setdefault((cid, entry), att)
    for ship, reference, destination in rows:
        shipments.append(ShipmentFact(
            ship.case_id, reference, ship.shipped_on, destination, ship.control_entry,
            att_by_entry.get((ship.case_id, ship.control_entry), ""), ship.description,
            amount(ship.quantity), amount(ship.value), ship.currency))
    return Facts(start, end, [fact(e) for e in in_period], [fact(e) for e in revoked],
                 shipments)
