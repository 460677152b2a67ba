"""The first-run demo: a few fictitious but realistic applications, clearly marked.

Dates in the demo file are relative to the day it is loaded, so the register always shows
live deadlines rather than long-expired ones.
"""

from __future__ import annotations

import csv
import json
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app import casefile, evidence, evidence_import, keys, users
from app.cases import change_status, create_case
from app.drafts import lenient_data
from app.roles import Actor, Permission, require
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.vocab import Role
from db.models import Case, User

DEMO_FILE = Path(__file__).resolve().parent.parent / "resources" / "demo" / "cases.json"
DEMO_EVIDENCE = DEMO_FILE.with_name("evidence.json")
#: Last year's decisions (written for 2025 and moved to the year before the load date),
#: imported as legacy records, and shipments made under some of them.
DEMO_HISTORY = DEMO_FILE.with_name("history.csv")
DEMO_SHIPMENTS = DEMO_FILE.with_name("shipments.csv")
DEMO_HISTORY_YEAR = 2025
DEMO_HISTORY_SOURCE = "demo-history"

#: The demo accounts' password, printed by ``init --demo`` and shown in the first-run
#: dialog. Demo accounts exist to try the tool; disable them before real use.
DEMO_PASSWORD = "demo-password-1"
DEMO_OFFICER = ("demo.officer", "Dana Demo (officer)", Role.OFFICER)
DEMO_SUPERVISOR = ("demo.supervisor", "Sam Demo (supervisor)", Role.SUPERVISOR)
DEMO_SUPERVISOR2 = ("demo.supervisor2", "Kim Demo (second supervisor)", Role.SUPERVISOR)
DEMO_ACCOUNTS = (DEMO_OFFICER, DEMO_SUPERVISOR, DEMO_SUPERVISOR2)


def _demo_account(uow: UnitOfWork, actor: Actor, spec: tuple[str, str, Role],
                  ca_password: str | None) -> Actor:
    username, full_name, role = spec
    user = uow.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = users.create_account(uow, actor.id, username, full_name, role, DEMO_PASSWORD)
        if ca_password is not None:
            keys.issue_key(uow.session, actor.id, user, DEMO_PASSWORD, ca_password)
    return Actor(user.id, user.username, user.full_name, Role(user.role))


def has_demo(uow: UnitOfWork) -> bool:
    return bool(uow.session.scalar(select(func.count()).select_from(Case)
                                   .where(Case.is_demo.is_(True))))


def seed_demo(uow: UnitOfWork, admin: Actor, today: date | None = None, *,
              ca_password: str | None = None) -> list[str]:
    """Load the demo accounts, cases and evidence (once); returns the case references.

    The cases are registered by the demo officer; with the CA passphrase, the demo
    accounts get signing keys so they can sign decisions."""
    require(admin, Permission.MANAGE_USERS)
    if has_demo(uow):
        return []
    actor = _demo_account(uow, admin, DEMO_OFFICER, ca_password)
    for spec in (DEMO_SUPERVISOR, DEMO_SUPERVISOR2):
        _demo_account(uow, admin, spec, ca_password)
    today = today or date.today()
    spec = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    references = []
    to_decide: list[tuple[int, dict[str, Any]]] = []
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
        if item.get("decision"):
            to_decide.append((record.id, item["decision"]))
    # Demo evidence in the documented import format, so the demo cases have something to cite.
    evidence.store_batch(uow, actor, evidence_import.read_json(DEMO_EVIDENCE), is_demo=True,
                         source="demo", commit=False)
    uow.commit()
    if ca_password is not None:
        for case_id, spec_decision in to_decide:
            _sign_demo_decision(uow, actor, case_id, spec_decision, today)
    _demo_history(uow, admin, actor, today)
    return references


def _last_year(text: str, today: date) -> str:
    """A 2025 date of the demo history files moved to the previous calendar year."""
    if not text:
        return text
    day = date.fromisoformat(text)
    year = today.year - 1 + (day.year - DEMO_HISTORY_YEAR)
    return (day.replace(year=year) if not (day.month == 2 and day.day == 29)
            else day.replace(year=year, day=28)).isoformat()


def _shifted_csv(source: Path, target: Path, columns: tuple[str, ...], today: date) -> Path:
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _last_year(v, today) if k in columns else v
                             for k, v in row.items()})
    return target


def _demo_history(uow: UnitOfWork, admin: Actor, officer: Actor, today: date) -> None:
    """Last year's licences, imported as a previous system's records through the documented
    legacy format, and their shipments: the oversight reports have a year to report on."""
    from app import legacy_import, shipments

    with tempfile.TemporaryDirectory() as folder:
        history = _shifted_csv(DEMO_HISTORY, Path(folder) / "demo-history.csv",
                               ("decision_date", "received_date", "revoked_date"), today)
        legacy_import.import_legacy(uow, admin, [history], "generic", DEMO_HISTORY_SOURCE,
                                    prefix="DEMO", is_demo=True)
        shipped = _shifted_csv(DEMO_SHIPMENTS, Path(folder) / "demo-shipments.csv",
                               ("shipped_on",), today)
        shipments.import_shipments_csv(uow, officer, shipped)


def _sign_demo_decision(uow: UnitOfWork, officer: Actor, case_id: int, spec: dict[str, Any],
                        today: date) -> None:
    """Assess and sign a demo decision the way an officer would, then countersign it."""
    from app import assessments, decisions
    from app.assessment import AssessmentData, DecisionInput, Finding, Outcome

    record = assessments.open_assessment(uow, officer, case_id, spec["framework"])
    fw = record.framework
    data = AssessmentData(fw.id, {c.id: Finding(c.id, c.lowest, legal_test_met=(
        False if c.is_binding else None), rationale=spec["finding"]) for c in fw.criteria})
    data.current_step = "summary"
    assessments.save_assessment(uow, officer, case_id, data, record.row_version)
    as_of = today - timedelta(days=int(spec.get("days_ago", 0)))
    decision = DecisionInput(Outcome(spec["outcome"]), spec["rationale"],
                             list(spec.get("conditions", [])),
                             list(spec.get("criteria_cited", [])))
    decisions.record_decision(uow, officer, case_id, fw.id, decision, as_of,
                              password=DEMO_PASSWORD)
    signer = spec.get("countersigned_by")
    if signer:
        user = uow.session.scalars(select(User).where(User.username == signer)).one()
        supervisor = Actor(user.id, user.username, user.full_name, Role(user.role))
        decisions.countersign(uow, supervisor, case_id,
                              "[DEMO] Agreed: the embargo leaves no discretion.",
                              password=DEMO_PASSWORD)

