"""Use cases of the guided assessment: open, save, evaluate, log past incidents, decide.

The window and the CLI call these and nothing else. Every save writes a change event in the
same transaction; the decision is refused here, not in the UI, when the rules forbid it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import cases
from app.assessment import (
    AssessmentData,
    CheckReview,
    Citation,
    Evaluation,
    Finding,
    Mitigation,
    Outcome,
    evaluate,
)
from app.changes import now_utc, record_change
from app.errors import (
    ConcurrentEditError,
    FieldProblem,
    NotFoundError,
    ReferenceDataError,
    StatusTransitionError,
    ValidationError,
)
from app.frameworks import Framework, FrameworkCatalogue, catalogue, framework_from_text
from app.hardstops import CheckRegistry, CheckResult, run_checks
from app.i18n import _
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor, Permission, require
from db.models import (
    Assessment,
    CitationRow,
    Draft,
    FindingRow,
    FrameworkText,
    MitigationRow,
    PastIncident,
    User,
)

INVESTIGATED = ("yes", "no", "ongoing", "unknown")
_OCCURRED = re.compile(r"[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?")


def _valid_occurred(text: str) -> bool:
    """YYYY, YYYY-MM or a real calendar day YYYY-MM-DD (ASCII digits, nothing around it)."""
    if not _OCCURRED.fullmatch(text):
        return False
    if len(text) == 10:
        try:
            date.fromisoformat(text)
        except ValueError:
            return False
    return True

#: Statuses in which an assessment may be worked on.
ASSESSABLE = frozenset({CaseStatus.RECEIVED, CaseStatus.IN_ASSESSMENT, CaseStatus.REFERRED,
                        CaseStatus.ON_HOLD})

OUTCOME_STATUS = {
    Outcome.APPROVE: CaseStatus.APPROVED,
    Outcome.APPROVE_WITH_CONDITIONS: CaseStatus.APPROVED_WITH_CONDITIONS,
    Outcome.REFUSE: CaseStatus.REFUSED,
    Outcome.REFER: CaseStatus.REFERRED,
}


@dataclass
class IncidentData:
    occurred: str = ""
    actor: str = ""
    description: str = ""
    items: str = ""
    source: str = ""
    investigated: str = "unknown"
    id: int | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"occurred": self.occurred, "actor": self.actor, "description": self.description,
                "items": self.items, "source": self.source, "investigated": self.investigated}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> IncidentData:
        return cls(str(doc.get("occurred") or ""), str(doc.get("actor") or ""),
                   str(doc.get("description") or ""), str(doc.get("items") or ""),
                   str(doc.get("source") or ""), str(doc.get("investigated") or "unknown"),
                   doc.get("_id"))


@dataclass(frozen=True)
class AssessmentRecord:
    id: int
    case_id: int
    framework: Framework
    data: AssessmentData
    row_version: int
    updated_at: datetime
    updated_by: str
    framework_changed: bool = False


# --- frameworks ------------------------------------------------------------------------

def frameworks(cat: FrameworkCatalogue | None = None) -> FrameworkCatalogue:
    return cat or catalogue()


def _store_framework_text(uow: UnitOfWork, fw: Framework) -> None:
    if uow.session.get(FrameworkText, fw.sha256) is None:
        uow.session.add(FrameworkText(sha256=fw.sha256, framework_id=fw.id, version=fw.version,
                                      title=fw.title, file_name=fw.path.name, text=fw.text,
                                      stored_at=now_utc()))
        uow.flush()


# --- hard stops ------------------------------------------------------------------------

def hard_stops(uow: UnitOfWork, case_id: int, as_of: date | None = None,
               checks: CheckRegistry | None = None) -> list[CheckResult]:
    record = cases.get_case(uow, case_id)
    return run_checks(record.data, as_of or date.today(), case_id, checks, uow)


# --- assessments -----------------------------------------------------------------------

def _row(uow: UnitOfWork, case_id: int, framework_id: str) -> Assessment | None:
    return uow.session.scalar(
        select(Assessment).where(Assessment.case_id == case_id,
                                 Assessment.framework_id == framework_id)
        .options(selectinload(Assessment.findings).selectinload(FindingRow.citations),
                 selectinload(Assessment.mitigations),
                 selectinload(Assessment.framework_text)))


def _data(row: Assessment) -> AssessmentData:
    return AssessmentData(
        framework_id=row.framework_id,
        findings={f.criterion_id: Finding(
            f.criterion_id, f.level, f.residual_level, f.legal_test_met, f.rationale,
            [Citation(c.reference, c.evidence_id, c.content_sha256, c.grade, c.note)
             for c in f.citations],
            dict(f.answers or {}), dict(f.answer_notes or {}), list(f.mitigation_ids or []))
            for f in row.findings},
        mitigations=[Mitigation(m.key, m.measure, m.verifier, list(m.criteria or []))
                     for m in row.mitigations],
        reviews={k: CheckReview(bool(v.get("applies")), str(v.get("reason") or ""))
                 for k, v in (row.check_reviews or {}).items()},
        current_step=row.current_step,
    )


def _record(uow: UnitOfWork, row: Assessment, cat: FrameworkCatalogue) -> AssessmentRecord:
    stored = framework_from_text(row.framework_text.text, row.framework_text.file_name)
    try:
        current = cat.get(row.framework_id)
        changed = current.sha256 != row.framework_sha256
    except ReferenceDataError:
        changed = True  # the file was removed; the stored text still renders
    updated_by = uow.session.get_one(User, row.updated_by_id)
    return AssessmentRecord(row.id, row.case_id, stored, _data(row), row.row_version,
                            row.updated_at, updated_by.username, changed)


def get_assessment(uow: UnitOfWork, case_id: int, framework_id: str,
                   cat: FrameworkCatalogue | None = None) -> AssessmentRecord | None:
    row = _row(uow, case_id, framework_id)
    return _record(uow, row, frameworks(cat)) if row else None


def list_assessments(uow: UnitOfWork, case_id: int) -> list[tuple[str, datetime]]:
    rows = uow.session.execute(select(Assessment.framework_id, Assessment.updated_at)
                               .where(Assessment.case_id == case_id)
                               .order_by(Assessment.updated_at.desc())).all()
    return [(r[0], r[1]) for r in rows]


def open_assessment(uow: UnitOfWork, actor: Actor, case_id: int, framework_id: str,
                    cat: FrameworkCatalogue | None = None) -> AssessmentRecord:
    """The case's assessment under a framework, started if need be.

    Starting one stores the framework's exact text and moves a received case into
    assessment, both in one transaction with their change events.
    """
    cat = frameworks(cat)
    row = _row(uow, case_id, framework_id)
    if row is not None:
        return _record(uow, row, cat)
    require(actor, Permission.ASSESS)
    fw = cat.get(framework_id)
    case = cases.get_case(uow, case_id)
    if case.status not in ASSESSABLE:
        raise StatusTransitionError(_("{ref} is {status}: it cannot be assessed now.").format(
            ref=case.reference, status=case.status.label.lower()))
    _store_framework_text(uow, fw)
    now = now_utc()
    row = Assessment(case_id=case_id, framework_id=fw.id, framework_sha256=fw.sha256,
                     check_reviews={}, current_step="checks", created_at=now,
                     created_by_id=actor.id, updated_at=now, updated_by_id=actor.id)
    uow.session.add(row)
    uow.flush()
    record_change(uow.session, actor.id, "assessment.start", "case", case.reference, None,
                  {"framework": fw.id, "version": fw.version, "sha256": fw.sha256})
    if case.status == CaseStatus.RECEIVED and not fw.is_historical:
        # A historical framework is for reference: viewing under it does not start the work.
        cases.change_status(uow, actor, case_id, CaseStatus.IN_ASSESSMENT, commit=False)
    uow.commit()
    row = _row(uow, case_id, framework_id)
    assert row is not None
    return _record(uow, row, cat)


def check_findings(fw: Framework, data: AssessmentData) -> list[FieldProblem]:
    """Structural problems (unknown ids and levels): these are refused, not left as gaps."""
    problems: list[FieldProblem] = []
    ids = set(fw.criterion_ids)
    mitigation_ids = {m.id for m in data.mitigations}
    for cid, f in data.findings.items():
        path = f"findings.{cid}"
        if cid not in ids:
            problems.append(FieldProblem(path, _(
                "{framework} has no criterion '{id}' (it has: {ids}).").format(
                    framework=fw.id, id=cid, ids=", ".join(fw.criterion_ids))))
            continue
        c = fw.criterion(cid)
        for key in ("level", "residual_level"):
            value = getattr(f, key)
            if value is not None and value not in c.level_ids:
                problems.append(FieldProblem(f"{path}.{key}", _(
                    "'{value}' is not a level of this criterion's scale ({levels}).").format(
                        value=value, levels=", ".join(c.level_ids))))
        qids = {q.id for q in c.questions}
        for qid, answer in f.answers.items():
            if qid not in qids:
                problems.append(FieldProblem(f"{path}.answers.{qid}", _(
                    "no such question (questions: {ids}).").format(ids=", ".join(sorted(qids)))))
            elif answer not in ("yes", "no", "unknown"):
                problems.append(FieldProblem(f"{path}.answers.{qid}", _(
                    "answer yes, no or unknown, not '{a}'.").format(a=answer)))
        for mid in f.mitigation_ids:
            if mid not in mitigation_ids:
                problems.append(FieldProblem(f"{path}.mitigation_ids", _(
                    "no mitigation measure has the id '{id}'.").format(id=mid)))
    seen: set[str] = set()
    for index, m in enumerate(data.mitigations):
        if not m.id.strip():
            problems.append(FieldProblem(f"mitigations[{index}].id", _("an id is required.")))
        elif m.id in seen:
            problems.append(FieldProblem(f"mitigations[{index}].id", _(
                "the id '{id}' is used twice.").format(id=m.id)))
        seen.add(m.id)
    if data.current_step not in {"checks", "mitigation", "incidents", "summary", *ids}:
        data.current_step = "checks"
    return problems


def _assessment_json(row: Assessment) -> dict[str, Any]:
    return _data(row).to_json()


def save_assessment(uow: UnitOfWork, actor: Actor, case_id: int, data: AssessmentData,
                    expected_version: int, cat: FrameworkCatalogue | None = None,
                    *, commit: bool = True) -> AssessmentRecord:
    require(actor, Permission.ASSESS)
    cat = frameworks(cat)
    row = _row(uow, case_id, data.framework_id)
    if row is None:
        raise NotFoundError(_("This case has no assessment under {id}.").format(
            id=data.framework_id))
    case = cases.get_case(uow, case_id)
    if case.status not in ASSESSABLE:
        raise StatusTransitionError(_("{ref} is {status}: its assessment can no longer change.")
                                    .format(ref=case.reference, status=case.status.label.lower()))
    if row.row_version != expected_version:
        raise ConcurrentEditError(_(
            "The assessment of {ref} was saved by someone else after you opened it. Reopen it; "
            "your work is kept as a draft.").format(ref=case.reference))
    fw = framework_from_text(row.framework_text.text, row.framework_text.file_name)
    problems = check_findings(fw, data)
    if problems:
        raise ValidationError(problems, context=_("The findings do not fit {id}").format(
            id=fw.id))
    before = _assessment_json(row)
    after = data.to_json()
    if before == after:
        if commit:
            uow.commit()
        return _record(uow, row, cat)
    uow.session.execute(delete(FindingRow).where(FindingRow.assessment_id == row.id))
    uow.session.execute(delete(MitigationRow).where(MitigationRow.assessment_id == row.id))
    uow.session.expire(row, ["findings", "mitigations"])
    order = {cid: i for i, cid in enumerate(fw.criterion_ids)}
    for cid, f in sorted(data.findings.items(), key=lambda kv: order.get(kv[0], 999)):
        if not f.touched and not f.residual_level and not f.mitigation_ids:
            continue
        frow = FindingRow(assessment_id=row.id, position=order.get(cid, 999), criterion_id=cid,
                          level=f.level, residual_level=f.residual_level,
                          legal_test_met=f.legal_test_met, rationale=f.rationale,
                          answers=dict(f.answers), answer_notes=dict(f.answer_notes),
                          mitigation_ids=list(f.mitigation_ids))
        frow.citations = [CitationRow(position=i, reference=c.reference,
                                      evidence_id=c.evidence_id,
                                      content_sha256=c.content_sha256, grade=c.grade,
                                      note=c.note) for i, c in enumerate(f.citations)]
        uow.session.add(frow)
    for i, m in enumerate(data.mitigations):
        uow.session.add(MitigationRow(assessment_id=row.id, position=i, key=m.id,
                                      measure=m.measure, verifier=m.verifier,
                                      criteria=list(m.criteria)))
    row.check_reviews = {k: r.to_json() for k, r in data.reviews.items()}
    row.current_step = data.current_step
    row.updated_at = now_utc()
    row.updated_by_id = actor.id
    try:
        uow.flush()
    except StaleDataError as exc:
        raise ConcurrentEditError(_("The assessment was saved by someone else meanwhile. "
                                    "Reopen it.")) from exc
    record_change(uow.session, actor.id, "assessment.update", "case", case.reference,
                  before, after)
    if commit:
        uow.commit()
    uow.session.expire_all()
    fresh = _row(uow, case_id, data.framework_id)
    assert fresh is not None
    return _record(uow, fresh, cat)


def evaluate_case(uow: UnitOfWork, case_id: int, framework_id: str,
                  as_of: date | None = None, checks: CheckRegistry | None = None,
                  data: AssessmentData | None = None,
                  cat: FrameworkCatalogue | None = None
                  ) -> tuple[Evaluation, list[CheckResult], Framework]:
    """The rules' view of the stored assessment (or of ``data``, the window's unsaved state)."""
    record = get_assessment(uow, case_id, framework_id, cat)
    fw = record.framework if record else frameworks(cat).get(framework_id)
    if data is None:
        data = record.data if record else AssessmentData(framework_id)
    results = hard_stops(uow, case_id, as_of, checks)
    return evaluate(fw, data, results), results, fw


# --- past incidents --------------------------------------------------------------------

def check_incidents(incidents: list[IncidentData]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for i, inc in enumerate(incidents):
        path = f"past_incidents[{i}]"
        if not inc.description.strip():
            problems.append(FieldProblem(f"{path}.description", _("say what happened.")))
        if inc.occurred and not _valid_occurred(inc.occurred):
            problems.append(FieldProblem(f"{path}.occurred", _(
                "write the date as YYYY, YYYY-MM or YYYY-MM-DD, not '{v}'.").format(
                    v=inc.occurred)))
        if inc.investigated not in INVESTIGATED:
            problems.append(FieldProblem(f"{path}.investigated", _(
                "one of {values}, not '{v}'.").format(values=", ".join(INVESTIGATED),
                                                       v=inc.investigated)))
    return problems


def list_incidents(uow: UnitOfWork, case_id: int) -> list[IncidentData]:
    rows = uow.session.scalars(select(PastIncident).where(PastIncident.case_id == case_id)
                               .order_by(PastIncident.position)).all()
    return [IncidentData(r.occurred, r.actor, r.description, r.items, r.source, r.investigated,
                         r.id) for r in rows]


def save_incidents(uow: UnitOfWork, actor: Actor, case_id: int, incidents: list[IncidentData],
                   *, commit: bool = True) -> list[IncidentData]:
    require(actor, Permission.ASSESS)
    case = cases.get_case(uow, case_id)
    problems = check_incidents(incidents)
    if problems:
        raise ValidationError(problems, context=_("The past-incidents log"))
    before = [i.to_json() for i in list_incidents(uow, case_id)]
    after = [i.to_json() for i in incidents]
    if before == after:
        if commit:
            uow.commit()  # whatever the caller staged with commit=False still lands
        return list_incidents(uow, case_id)
    uow.session.execute(delete(PastIncident).where(PastIncident.case_id == case_id))
    for pos, inc in enumerate(incidents):
        uow.session.add(PastIncident(case_id=case_id, position=pos, occurred=inc.occurred,
                                     actor=inc.actor, description=inc.description,
                                     items=inc.items, source=inc.source,
                                     investigated=inc.investigated))
    uow.flush()
    record_change(uow.session, actor.id, "incidents.update", "case", case.reference,
                  {"past_incidents": before}, {"past_incidents": after})
    if commit:
        uow.commit()
    return list_incidents(uow, case_id)


# --- drafts ----------------------------------------------------------------------------

def draft_key(case_id: int, framework_id: str) -> str:
    return f"assessment:{case_id}:{framework_id}"


@dataclass(frozen=True)
class AssessmentDraft:
    data: AssessmentData
    incidents: list[IncidentData]
    base_version: int | None
    saved_at: datetime


def save_draft(uow: UnitOfWork, actor: Actor, case_id: int, base_version: int | None,
               data: AssessmentData, incidents: list[IncidentData]) -> None:
    """Autosave: cheap, no change event, never validated (a draft may be half-typed)."""
    key = draft_key(case_id, data.framework_id)
    row = uow.session.scalar(select(Draft).where(Draft.user_id == actor.id,
                                                 Draft.draft_key == key))
    if row is None:
        row = Draft(user_id=actor.id, draft_key=key)
        uow.session.add(row)
    row.case_id = case_id
    row.base_version = base_version
    row.payload = {"assessment": data.to_json(),
                   "past_incidents": [dict(i.to_json(), _id=i.id) for i in incidents]}
    row.saved_at = now_utc()
    uow.commit()


def load_draft(uow: UnitOfWork, actor: Actor, case_id: int,
               framework_id: str) -> AssessmentDraft | None:
    row = uow.session.scalar(select(Draft).where(
        Draft.user_id == actor.id, Draft.draft_key == draft_key(case_id, framework_id)))
    if row is None:
        return None
    payload = row.payload or {}
    return AssessmentDraft(AssessmentData.from_json(payload.get("assessment") or {}),
                           [IncidentData.from_json(i) for i in payload.get("past_incidents", [])],
                           row.base_version, row.saved_at)


def discard_draft(uow: UnitOfWork, actor: Actor, case_id: int, framework_id: str,
                  *, commit: bool = True) -> None:
    uow.session.execute(delete(Draft).where(Draft.user_id == actor.id,
                                            Draft.draft_key == draft_key(case_id, framework_id)))
    if commit:
        uow.commit()


def list_drafts(uow: UnitOfWork, actor: Actor) -> list[tuple[int, str, datetime]]:
    rows = uow.session.scalars(select(Draft).where(Draft.user_id == actor.id,
                                                   Draft.draft_key.like("assessment:%"))
                               .order_by(Draft.saved_at.desc())).all()
    out = []
    for r in rows:
        _prefix, case_id, framework_id = r.draft_key.split(":", 2)
        out.append((int(case_id), framework_id, r.saved_at))
    return out
