"""The first-run demo: a few fictitious but realistic applications, clearly marked.

Dates in the demo file are relative to the day it is loaded, so the register always shows
live deadlines rather than long-expired ones.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from app import casefile, evidence, evidence_import
from app.cases import change_status, create_case
from app.drafts import lenient_data
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from db.models import Case

DEMO_FILE = Path(__file__).resolve().parent.parent / "resources" / "demo" / "cases.json"
DEMO_EVIDENCE = DEMO_FILE.with_name("evidence.json")


def has_demo(uow: UnitOfWork) -> bool:
    return bool(uow.session.scalar(select(func.count()).select_from(Case)
                                   .where(Case.is_demo.is_(True))))


def seed_demo(uow: UnitOfWork, actor: Actor, today: date | None = None) -> list[str]:
    """Load the demo cases (once); returns their references."""
    if has_demo(uow):
        return []
    today = today or date.today()
    spec = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    references = []
    for item in spec["cases"]:
        doc = item["case"]
        received = today - timedelta(days=item["received_days_ago"])
        doc = {**doc, "received_date": received.isoformat()}
        if doc.get("end_user_certificate") and item.get("euc_days_ago") is not None:
            euc_date = today - timedelta(days=item["euc_days_ago"])
            doc["end_user_certificate"] = {**doc["end_user_certificate"],
                                           "date": euc_date.isoformat()}
        target = CaseStatus(item["status"])
        if target == CaseStatus.DRAFT:
            record = create_case(uow, actor, lenient_data(doc), status=CaseStatus.DRAFT,
                                 is_demo=True, commit=False)
        else:
            data = casefile.from_document(doc, today=today)
            record = create_case(uow, actor, data, status=CaseStatus.RECEIVED, is_demo=True,
                                 commit=False)
            if target != CaseStatus.RECEIVED:
                change_status(uow, actor, record.id, target, item.get("status_reason", ""),
                              commit=False)
        references.append(record.reference)
    # Demo evidence in the documented import format, so the demo cases have something to cite.
    evidence.store_batch(uow, actor, evidence_import.read_json(DEMO_EVIDENCE), is_demo=True,
                         source="demo", commit=False)
    uow.commit()
    return references

