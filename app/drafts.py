"""Autosaved editor drafts: the editor's unsaved state, kept per user and per case.

A draft is a case file document (the same encoding as import/export) plus the row version
it was based on, so a restored draft can tell whether the case moved on meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, select

from app import casefile
from app.casedata import CaseData, GoodsData, PartyData
from app.changes import now_utc
from app.uow import UnitOfWork
from app.users import Actor
from db.models import Draft


@dataclass(frozen=True)
class StoredDraft:
    key: str
    case_id: int | None
    base_version: int | None
    data: CaseData
    saved_at: datetime


def draft_key(case_id: int | None) -> str:
    return f"case:{case_id}" if case_id is not None else "case:new"


def _payload(data: CaseData) -> dict[str, Any]:
    doc = casefile.to_document(data)
    # Row ids keep party and goods identity when the draft is restored and saved.
    for item, party in zip(doc["parties"], data.parties, strict=True):
        item["_id"] = party.id
    for item, line in zip(doc["goods"], data.goods, strict=True):
        item["_id"] = line.id
    return doc


def lenient_data(payload: dict[str, Any]) -> CaseData:
    """Lenient reading: a draft may be incomplete or even invalid; the editor shows why."""
    def d(text: str | None) -> date | None:
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return None

    def dec(text: Any) -> Decimal:
        try:
            return Decimal(str(text))
        except InvalidOperation:
            return Decimal(0)

    exporter = payload.get("exporter") or {}
    euc = payload.get("end_user_certificate") or {}
    return CaseData(
        licence_type=payload.get("licence_type", ""),
        applicant_reference=payload.get("applicant_reference", ""),
        exporter_name=exporter.get("name", ""),
        exporter_address=exporter.get("address", ""),
        exporter_country=exporter.get("country", ""),
        exporter_registration=exporter.get("registration_number", ""),
        destination=payload.get("destination", ""),
        end_use=payload.get("end_use", ""),
        euc_number=euc.get("number", ""),
        euc_date=d(euc.get("date")),
        euc_issuer=euc.get("issuer", ""),
        received_date=d(payload.get("received_date")),
        deadline=d(payload.get("deadline")),
        notes=payload.get("notes", ""),
        parties=[PartyData(role=p.get("role", ""), name=p.get("name", ""),
                           address=p.get("address", ""), country=p.get("country", ""),
                           kind=p.get("kind", ""), birth_date=p.get("birth_date", ""),
                           id=p.get("_id"))
                 for p in payload.get("parties", [])],
        goods=[GoodsData(description=g.get("description", ""),
                         control_entry=g.get("control_entry", ""),
                         att_category=g.get("att_category", ""), quantity=dec(g.get("quantity")),
                         unit=g.get("unit", ""), value=dec(g.get("value")),
                         currency=g.get("currency", ""), id=g.get("_id"))
               for g in payload.get("goods", [])],
    )


def save_draft(uow: UnitOfWork, actor: Actor, case_id: int | None, base_version: int | None,
               data: CaseData) -> None:
    key = draft_key(case_id)
    row = uow.session.scalar(select(Draft).where(Draft.user_id == actor.id,
                                                 Draft.draft_key == key))
    if row is None:
        row = Draft(user_id=actor.id, draft_key=key)
        uow.session.add(row)
    row.case_id = case_id
    row.base_version = base_version
    row.payload = _payload(data)
    row.saved_at = now_utc()
    uow.commit()


def load_draft(uow: UnitOfWork, actor: Actor, case_id: int | None) -> StoredDraft | None:
    row = uow.session.scalar(select(Draft).where(Draft.user_id == actor.id,
                                                 Draft.draft_key == draft_key(case_id)))
    if row is None:
        return None
    return StoredDraft(row.draft_key, row.case_id, row.base_version, lenient_data(row.payload),
                       row.saved_at)


def discard_draft(uow: UnitOfWork, actor: Actor, case_id: int | None) -> None:
    uow.session.execute(delete(Draft).where(Draft.user_id == actor.id,
                                            Draft.draft_key == draft_key(case_id)))
    uow.commit()


def list_drafts(uow: UnitOfWork, actor: Actor) -> list[StoredDraft]:
    rows = uow.session.scalars(select(Draft).where(Draft.user_id == actor.id,
                                                   Draft.draft_key.like("case:%"))
                               .order_by(Draft.saved_at.desc())).all()
    return [StoredDraft(r.draft_key, r.case_id, r.base_version, lenient_data(r.payload), r.saved_at)
            for r in rows]
