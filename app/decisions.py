"""Signed decision records: the decision, then countersignatures, returns and reassessments.

Each record freezes everything that decided it into one canonical JSON snapshot
(``app.canonical``), hashes it with SHA-256 and signs it with the signer's key. A record is
never edited: every later act on the case is a new signed record pointing at the one
before, so a case's records form a chain that ``app.audit.verify`` can check alone.

Each snapshot also names the audit chain's head at the moment of signing, so the signed
records anchor the audit trail: rewriting old events breaks a signature.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, cast, exists, func, or_, select

from app import cases, keys, settings
from app import documents as rationale_documents
from app.assessment import DecisionInput, Outcome, check_decision, evaluate
from app.assessments import (
    ASSESSABLE,
    OUTCOME_STATUS,
    discard_draft,
    frameworks,
    get_assessment,
    hard_stops,
    list_incidents,
)
from app.canonical import canonical_bytes, sha256_hex
from app.casefile import to_document
from app.changes import chain_head, now_utc, record_change
from app.embargoes import EmbargoCheck
from app.errors import (
    InputError,
    NotFoundError,
    PermissionDeniedError,
    StatusTransitionError,
)
from app.frameworks import FrameworkCatalogue
from app.hardstops import CheckRegistry, CheckResult, CheckStatus
from app.i18n import N_, _
from app.roles import Actor, Permission, require
from app.status import CaseStatus, check_transition
from app.uow import UnitOfWork
from app.vocab import Role
from db.models import Case, ChangeEvent, DecisionRow, GoodsLine, Party, User

SNAPSHOT_FORMAT = "goldenrule.decision-record/1"
MIN_REASON = 10


class RecordKind(StrEnum):
    DECISION = "decision"
    COUNTERSIGNATURE = "countersignature"
    RETURN = "return"
    CONFIRMATION = "confirmation"
    SUSPENSION = "suspension"
    REINSTATEMENT = "reinstatement"
    REVOCATION = "revocation"
    AMENDMENT = "amendment"

    @property
    def label(self) -> str:
        return _(KIND_LABELS[self])


KIND_LABELS = {
    RecordKind.DECISION: N_("Decision"),
    RecordKind.COUNTERSIGNATURE: N_("Countersignature"),
    RecordKind.RETURN: N_("Returned to the officer"),
    RecordKind.CONFIRMATION: N_("Reassessed: confirmed"),
    RecordKind.SUSPENSION: N_("Suspended"),
    RecordKind.REINSTATEMENT: N_("Reinstated"),
    RecordKind.REVOCATION: N_("Revoked"),
    RecordKind.AMENDMENT: N_("Conditions amended"),
}

#: Reassessment acts (ATT 7(7)) and the status each leads to (None: status unchanged).
REASSESSMENT: dict[RecordKind, CaseStatus | None] = {
    RecordKind.CONFIRMATION: None,
    RecordKind.SUSPENSION: CaseStatus.SUSPENDED,
    RecordKind.REVOCATION: CaseStatus.REVOKED,
    RecordKind.REINSTATEMENT: None,  # back to the status the decision gave
}

IN_FORCE = frozenset({CaseStatus.APPROVED, CaseStatus.APPROVED_WITH_CONDITIONS})


@dataclass(frozen=True)
class DecisionRecord:
    """One signed record as the lists and the audit view show it."""

    id: int
    case_id: int
    case_reference: str
    outcome: Outcome
    rationale: str
    conditions: list[str]
    criteria_cited: list[str]
    framework_id: str
    framework_version: str
    as_of: date
    decided_at: datetime
    decided_by: str
    status_after: CaseStatus
    evaluation: dict[str, Any]
    kind: RecordKind = RecordKind.DECISION
    sequence: int = 1
    previous_id: int | None = None
    decided_by_name: str = ""
    status_before: CaseStatus = CaseStatus.IN_ASSESSMENT
    countersignatures_required: int = 0
    origin: str = "signed"
    snapshot_sha256: str | None = None
    snapshot: dict[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.case_reference}/{self.sequence}"

    @property
    def signed(self) -> bool:
        return self.origin == "signed"


# --- reading ----------------------------------------------------------------------------

def _to_record(row: DecisionRow, reference: str, user: User) -> DecisionRecord:
    snapshot = json.loads(row.snapshot) if row.snapshot else {}
    return DecisionRecord(
        row.id, row.case_id, reference, Outcome(row.outcome), row.rationale,
        list(row.conditions), list(row.criteria_cited), row.framework_id,
        row.framework_version, row.as_of, row.decided_at, user.username,
        CaseStatus(row.status_after), dict(row.evaluation), RecordKind(row.kind), row.sequence,
        row.previous_id, user.full_name, CaseStatus(row.status_before),
        row.countersignatures_required, row.origin, row.snapshot_sha256, snapshot)


def _record(uow: UnitOfWork, row: DecisionRow) -> DecisionRecord:
    case = uow.session.get_one(Case, row.case_id)
    return _to_record(row, case.reference, uow.session.get_one(User, row.decided_by_id))


def list_decisions(uow: UnitOfWork, case_id: int) -> list[DecisionRecord]:
    """Every record of a case, oldest first: the case's history of decisions."""
    rows = uow.session.scalars(select(DecisionRow).where(DecisionRow.case_id == case_id)
                               .order_by(DecisionRow.sequence)).all()
    return [_record(uow, r) for r in rows]


def _rows(uow: UnitOfWork, case_id: int) -> list[DecisionRow]:
    return list(uow.session.scalars(select(DecisionRow).where(DecisionRow.case_id == case_id)
                                    .order_by(DecisionRow.sequence)))


def _head(uow: UnitOfWork, case_id: int) -> DecisionRow | None:
    rows = _rows(uow, case_id)
    return rows[-1] if rows else None


def _last_decision(uow: UnitOfWork, case_id: int) -> DecisionRow | None:
    rows = [r for r in _rows(uow, case_id) if r.kind == RecordKind.DECISION.value]
    return rows[-1] if rows else None


def parse_record_ref(uow: UnitOfWork, text: str) -> tuple[int, int | None]:
    """'GR-2026-00001' (the case) or 'GR-2026-00001/3' (its third record)."""
    ref, _sep, seq = text.strip().partition("/")
    case_id = cases.find_case_id(uow, ref)
    if not seq:
        return case_id, None
    if not seq.isdigit():
        raise InputError(_("'{text}' is not a record reference such as GR-2026-00001/2.")
                         .format(text=text))
    return case_id, int(seq)


def get_record(uow: UnitOfWork, text: str) -> DecisionRecord:
    """A record by reference; a bare case reference gives the case's latest record."""
    case_id, seq = parse_record_ref(uow, text)
    rows = _rows(uow, case_id)
    if not rows:
        raise NotFoundError(_("{ref} has no decision yet.").format(ref=text.strip()))
    if seq is None:
        return _record(uow, rows[-1])
    for row in rows:
        if row.sequence == seq:
            return _record(uow, row)
    raise NotFoundError(_("{ref} has no record {n}.").format(ref=text.split("/")[0], n=seq))


def snapshot_text(uow: UnitOfWork, record_id: int) -> str | None:
    """The signed bytes, exactly as stored (UTF-8 text of the canonical JSON)."""
    row = uow.session.get_one(DecisionRow, record_id)
    return row.snapshot


# --- countersigning rules ---------------------------------------------------------------

@dataclass(frozen=True)
class CountersignNeed:
    count: int
    rules: list[str]


def _categories(case_data: Any) -> set[str]:
    out = set()
    for g in case_data.goods:
        entry = (g.control_entry or "").upper()
        head = entry.split(".")[0]
        if head:
            out.add(head)
    return out


def flagged(uow: UnitOfWork, destination: str, results: list[CheckResult]) -> bool:
    if destination in settings.get(uow, "countersign.flagged_destinations"):
        return True
    return any(r.check == EmbargoCheck.name and r.status is not CheckStatus.CLEAR
               for r in results)


def countersign_need(uow: UnitOfWork, case_id: int, outcome: Outcome,
                     results: list[CheckResult]) -> CountersignNeed:
    """How many countersignatures this outcome needs, and which rules asked for them."""
    if outcome is Outcome.REFER:
        return CountersignNeed(0, [])
    record = cases.get_case(uow, case_id)
    destination = record.data.destination
    cats = _categories(record.data)
    count, names = 0, []
    for rule in settings.get(uow, "countersign.rules"):
        if outcome.value not in rule["outcomes"]:
            continue
        dest = rule.get("destinations", "any")
        if dest == "flagged" and not flagged(uow, destination, results):
            continue
        if isinstance(dest, list) and destination not in dest:
            continue
        wanted = {c.upper() for c in rule.get("categories", [])}
        if wanted and not wanted & cats:
            continue
        count = max(count, int(rule["count"]))
        names.append(rule["name"])
    return CountersignNeed(count, names)


# --- writing ----------------------------------------------------------------------------

def _signer_doc(actor: Actor, signer: keys.Signer) -> dict[str, Any]:
    return {"username": actor.username, "full_name": actor.full_name, "role": actor.role.value,
            "certificate_sha256": keys.fingerprint(signer.certificate)}


def _case_doc(uow: UnitOfWork, case_id: int) -> dict[str, Any]:
    record = cases.get_case(uow, case_id)
    return {**to_document(record.data), "reference": record.reference, "demo": record.is_demo}


def _sign_row(uow: UnitOfWork, actor: Actor, password: str, row: DecisionRow,
              build: Callable[[dict[str, Any]], dict[str, Any]],
              documents: Callable[[DecisionRow, keys.Signer], None] | None = None
              ) -> DecisionRow:
    """Complete ``row`` with its snapshot, hash and signature, add it and log the event.

    ``documents`` runs while the key is still unlocked, to sign the rationale documents."""
    session = uow.session
    prev = _head(uow, row.case_id)
    row.sequence = (prev.sequence + 1) if prev else 1
    row.previous_id = prev.id if prev else None
    head_id, head_hash = chain_head(session)
    with keys.unlocked(session, actor.id, password) as signer:
        common = {
            "format": SNAPSHOT_FORMAT,
            "kind": row.kind,
            "sequence": row.sequence,
            "previous": ({"sequence": prev.sequence, "sha256": prev.snapshot_sha256,
                          "kind": prev.kind} if prev else None),
            "signer": _signer_doc(actor, signer),
            "signed_at": row.decided_at,
            "authority": settings.get(uow, "authority.name"),
            "audit_head": {"event": head_id, "hash": head_hash},
            "status": {"before": row.status_before, "after": row.status_after},
        }
        data = canonical_bytes(build(common))
        row.snapshot = data.decode("utf-8")
        row.snapshot_sha256 = sha256_hex(data)
        row.signature = signer.sign(data)
        row.certificate_id = signer.certificate_id
        row.origin = "signed"
        session.add(row)
        session.flush()
        case = session.get_one(Case, row.case_id)
        record_change(session, actor.id, f"decision.{row.kind}", "case", case.reference, None,
                      {"record": row.id, "sequence": row.sequence, "kind": row.kind,
                       "outcome": row.outcome, "snapshot_sha256": row.snapshot_sha256,
                       "previous": row.previous_id, "status": row.status_after})
        if documents is not None:
            documents(row, signer)
    return row


def _set_status(uow: UnitOfWork, actor: Actor, case_id: int, current: CaseStatus,
                target: CaseStatus, reason: str) -> None:
    if target == current:
        return
    case = uow.session.get_one(Case, case_id)
    case.status = target.value
    case.updated_at = now_utc()
    case.updated_by_id = actor.id
    uow.flush()
    record_change(uow.session, actor.id, "case.status", "case", case.reference,
                  {"status": current.value},
                  {"status": target.value, "reason": reason.strip()[:500], "by_decision": True})


def record_decision(uow: UnitOfWork, actor: Actor, case_id: int, framework_id: str,
                    decision: DecisionInput, as_of: date | None = None,
                    checks: CheckRegistry | None = None,
                    cat: FrameworkCatalogue | None = None, *, password: str) -> DecisionRecord:
    """Sign the officer's outcome, or raise RuleViolation naming the rule that forbids it.

    One transaction: the signed record, the case's new status and their events. An
    outcome that needs countersigning leaves the case awaiting countersignature."""
    require(actor, Permission.ASSESS)
    cat = frameworks(cat)
    record = get_assessment(uow, case_id, framework_id, cat)
    if record is None:
        raise NotFoundError(_("This case has not been assessed under {id}: assess it first.")
                            .format(id=framework_id))
    case = cases.get_case(uow, case_id)
    if case.status not in ASSESSABLE:
        raise StatusTransitionError(_(
            "{ref} is {status}: a new decision on it is not possible here.").format(
                ref=case.reference, status=case.status.label.lower()))
    if case.status == CaseStatus.REFERRED:
        if actor.role is not Role.SUPERVISOR:
            raise PermissionDeniedError(_(
                "{ref} was referred to a supervisor: only a supervisor may decide it.").format(
                    ref=case.reference))
        if decision.outcome is Outcome.REFER:
            raise StatusTransitionError(_("{ref} is already referred to a supervisor.").format(
                ref=case.reference))
    as_of = as_of or date.today()
    results = hard_stops(uow, case_id, as_of, checks)
    evaluation = evaluate(record.framework, record.data, results)
    check_decision(evaluation, decision)
    need = countersign_need(uow, case_id, decision.outcome, results)
    target = (CaseStatus.AWAITING_COUNTERSIGNATURE if need.count
              else OUTCOME_STATUS[decision.outcome])
    check_transition(case.status, target, by_decision=True)
    conditions = [c.strip() for c in decision.conditions if c.strip()]
    cited = list(dict.fromkeys(c.strip() for c in decision.criteria_cited if c.strip()))
    incidents = [i.to_json() for i in list_incidents(uow, case_id)]
    from app.screening.service import decision_snapshot

    screened = decision_snapshot(uow, actor, case_id)
    row = DecisionRow(
        case_id=case_id, kind=RecordKind.DECISION.value, assessment_id=record.id,
        framework_id=record.framework.id, framework_version=record.framework.version,
        framework_sha256=record.framework.sha256, outcome=decision.outcome.value,
        rationale=decision.rationale.strip(), conditions=conditions, criteria_cited=cited,
        as_of=as_of, checks=[r.to_json() for r in results], evaluation=evaluation.to_json(),
        findings={"assessment": record.data.to_json(), "past_incidents": incidents},
        status_before=case.status.value, status_after=target.value,
        countersignatures_required=need.count, decided_at=now_utc(), decided_by_id=actor.id)

    def build(common: dict[str, Any]) -> dict[str, Any]:
        return {**common,
                "case": _case_doc(uow, case_id),
                "framework": {"id": record.framework.id, "version": record.framework.version,
                              "sha256": record.framework.sha256,
                              "title": record.framework.title},
                "assessment": row.findings["assessment"],
                "past_incidents": incidents,
                "checks": row.checks,
                "evaluation": row.evaluation,
                "decision": {"outcome": row.outcome, "rationale": row.rationale,
                             "conditions": conditions, "criteria_cited": cited,
                             "as_of": as_of},
                "countersigning": {"required": need.count, "rules": need.rules},
                **({"screening": screened} if screened is not None else {})}

    _sign_row(uow, actor, password, row, build,
              lambda signed, signer: rationale_documents.issue(uow, actor, signed, signer))
    _set_status(uow, actor, case_id, case.status, target, decision.rationale)
    discard_draft(uow, actor, case_id, framework_id, commit=False)
    uow.commit()
    return _record(uow, row)


def _follow_up(decision: DecisionRow, kind: RecordKind, actor: Actor, reason: str,
               before: CaseStatus, after: CaseStatus) -> DecisionRow:
    return DecisionRow(
        case_id=decision.case_id, kind=kind.value, assessment_id=decision.assessment_id,
        framework_id=decision.framework_id, framework_version=decision.framework_version,
        framework_sha256=decision.framework_sha256, outcome=decision.outcome,
        rationale=reason.strip(), conditions=list(decision.conditions),
        criteria_cited=list(decision.criteria_cited), as_of=now_utc().date(), checks=[],
        evaluation={}, findings={}, status_before=before.value, status_after=after.value,
        countersignatures_required=decision.countersignatures_required,
        decided_at=now_utc(), decided_by_id=actor.id)


def _decision_ref(decision: DecisionRow) -> dict[str, Any]:
    return {"sequence": decision.sequence, "sha256": decision.snapshot_sha256,
            "outcome": decision.outcome}


def _countersignatures(uow: UnitOfWork, decision: DecisionRow) -> list[DecisionRow]:
    return [r for r in _rows(uow, decision.case_id)
            if r.kind == RecordKind.COUNTERSIGNATURE.value and r.sequence > decision.sequence]


def took_part(uow: UnitOfWork, actor: Actor, case_id: int) -> bool:
    """Whether ``actor`` assessed this case: saved its assessment or signed its decision."""
    case = uow.session.get_one(Case, case_id)
    events = uow.session.scalars(
        select(ChangeEvent.action).where(ChangeEvent.entity == "case",
                                         ChangeEvent.entity_id == case.reference,
                                         ChangeEvent.actor_id == actor.id)).all()
    return any(a.startswith(("assessment.", "incidents.")) or a == "decision.decision"
               for a in events)


def _pending(uow: UnitOfWork, case_id: int) -> tuple[Case, DecisionRow]:
    case = uow.session.get_one(Case, case_id)
    decision = _last_decision(uow, case_id)
    if case.status != CaseStatus.AWAITING_COUNTERSIGNATURE.value or decision is None:
        raise StatusTransitionError(_("{ref} is not awaiting a countersignature.").format(
            ref=case.reference))
    return case, decision


def _check_reason(reason: str) -> str:
    if len(reason.strip()) < MIN_REASON:
        raise InputError(_("Give the reasons in at least {n} characters.").format(n=MIN_REASON))
    return reason.strip()


def countersign(uow: UnitOfWork, actor: Actor, case_id: int, comment: str = "", *,
                password: str) -> DecisionRecord:
    """Countersign the decision awaiting it; the last required one makes it take effect."""
    require(actor, Permission.COUNTERSIGN)
    case, decision = _pending(uow, case_id)
    if took_part(uow, actor, case_id):
        raise PermissionDeniedError(_(
            "You assessed or decided {ref}: another supervisor must countersign it.").format(
                ref=case.reference))
    done = _countersignatures(uow, decision)
    if any(r.decided_by_id == actor.id for r in done):
        raise PermissionDeniedError(_("You have already countersigned {ref}.").format(
            ref=case.reference))
    number = len(done) + 1
    complete = number >= decision.countersignatures_required
    current = CaseStatus(case.status)
    target = OUTCOME_STATUS[Outcome(decision.outcome)] if complete else current
    row = _follow_up(decision, RecordKind.COUNTERSIGNATURE, actor, comment, current, target)

    def build(common: dict[str, Any]) -> dict[str, Any]:
        return {**common, "case": {"reference": case.reference},
                "decision": _decision_ref(decision), "comment": comment.strip(),
                "countersignature": {"number": number,
                                     "of": decision.countersignatures_required}}

    _sign_row(uow, actor, password, row, build,
              lambda signed, signer: rationale_documents.countersign(
                  uow, actor, decision, signed, number, signer))
    if complete:
        _set_status(uow, actor, case_id, current, target,
                    _("Countersigned by {name}").format(name=actor.full_name))
    uow.commit()
    return _record(uow, row)


def return_decision(uow: UnitOfWork, actor: Actor, case_id: int, reason: str, *,
                    password: str) -> DecisionRecord:
    """A supervisor who disagrees sends the case back to the officer, with reasons."""
    require(actor, Permission.COUNTERSIGN)
    reason = _check_reason(reason)
    case, decision = _pending(uow, case_id)
    if took_part(uow, actor, case_id):
        raise PermissionDeniedError(_(
            "You assessed or decided {ref}: another supervisor must review it.").format(
                ref=case.reference))
    current = CaseStatus(case.status)
    target = CaseStatus.IN_ASSESSMENT
    row = _follow_up(decision, RecordKind.RETURN, actor, reason, current, target)

    def build(common: dict[str, Any]) -> dict[str, Any]:
        return {**common, "case": {"reference": case.reference},
                "decision": _decision_ref(decision), "reason": reason}

    _sign_row(uow, actor, password, row, build)
    _set_status(uow, actor, case_id, current, target, reason)
    uow.commit()
    return _record(uow, row)


def _licence(uow: UnitOfWork, case_id: int,
             refusal: str) -> tuple[Case, DecisionRow, CaseStatus]:
    """The case, its decision and status, if it is a licence in force or suspended; else
    ``refusal`` (with {ref} and {status}) as a StatusTransitionError."""
    case = uow.session.get_one(Case, case_id)
    decision = _last_decision(uow, case_id)
    current = CaseStatus(case.status)
    if decision is None or current not in IN_FORCE | {CaseStatus.SUSPENDED}:
        raise StatusTransitionError(refusal.format(ref=case.reference,
                                                   status=current.label.lower()))
    return case, decision, current


def reassess(uow: UnitOfWork, actor: Actor, case_id: int, kind: RecordKind, reason: str,
             evidence: list[dict[str, Any]] | None = None, *, password: str) -> DecisionRecord:
    """Record a reassessment of a licence in force (ATT 7(7)): confirm, suspend, reinstate
    or revoke, signed, with reasons and the new evidence that prompted it."""
    require(actor, Permission.REASSESS)
    if kind not in REASSESSMENT:
        raise InputError(_("'{kind}' is not a reassessment.").format(kind=kind.value))
    reason = _check_reason(reason)
    case, decision, current = _licence(uow, case_id, _(
        "{ref} is {status}: only a licence in force or suspended can be reassessed."))
    granted = OUTCOME_STATUS[Outcome(decision.outcome)]
    if kind is RecordKind.REINSTATEMENT:
        if current is not CaseStatus.SUSPENDED:
            raise StatusTransitionError(_("{ref} is not suspended.").format(ref=case.reference))
        target = granted
    elif kind is RecordKind.CONFIRMATION:
        target = current
    else:
        target = REASSESSMENT[kind] or current
        check_transition(current, target, by_decision=True)
    row = _follow_up(decision, kind, actor, reason, current, target)

    def build(common: dict[str, Any]) -> dict[str, Any]:
        return {**common, "case": {"reference": case.reference},
                "decision": _decision_ref(decision), "reason": reason,
                "evidence": evidence or []}

    _sign_row(uow, actor, password, row, build)
    _set_status(uow, actor, case_id, current, target, reason)
    uow.commit()
    return _record(uow, row)


def amend(uow: UnitOfWork, actor: Actor, case_id: int, conditions: list[str], reason: str, *,
          password: str) -> DecisionRecord:
    """Amend the conditions of a licence in force: a new signed record with the full new
    list of conditions; the outcome and the original decision stay as they were signed."""
    require(actor, Permission.REASSESS)
    reason = _check_reason(reason)
    case, decision, current = _licence(uow, case_id, _(
        "{ref} is {status}: only the conditions of a licence in force can be amended."))
    cleaned = [c.strip() for c in conditions if c.strip()]
    if current is CaseStatus.APPROVED_WITH_CONDITIONS and not cleaned:
        raise InputError(_("A licence approved with conditions keeps at least one condition; "
                           "to lift them all, reassess the case."))
    before = current_conditions(uow, case_id)
    row = _follow_up(decision, RecordKind.AMENDMENT, actor, reason, current, current)
    row.conditions = cleaned

    def build(common: dict[str, Any]) -> dict[str, Any]:
        return {**common, "case": {"reference": case.reference},
                "decision": _decision_ref(decision), "reason": reason,
                "conditions": {"before": before, "after": cleaned}}

    _sign_row(uow, actor, password, row, build)
    uow.commit()
    return _record(uow, row)


def current_conditions(uow: UnitOfWork, case_id: int) -> list[str]:
    """The conditions in force: the last amendment's, else the decision's."""
    for row in reversed(_rows(uow, case_id)):
        if row.kind in (RecordKind.AMENDMENT.value, RecordKind.DECISION.value):
            return list(row.conditions)
    return []


# --- queues, search and comparison for supervisors ----------------------------------------

@dataclass(frozen=True)
class QueueItem:
    case_id: int
    reference: str
    destination: str
    outcome: Outcome
    decided_by: str
    decided_at: datetime
    countersigned: int
    required: int
    can_act: bool
    why_not: str


def review_queue(uow: UnitOfWork, actor: Actor) -> list[QueueItem]:
    """Cases awaiting countersignature, oldest first, saying whether ``actor`` may act."""
    require(actor, Permission.VIEW_CASES)
    case_rows = uow.session.scalars(
        select(Case).where(Case.status == CaseStatus.AWAITING_COUNTERSIGNATURE.value)).all()
    out = []
    for case in case_rows:
        decision = _last_decision(uow, case.id)
        if decision is None:
            continue
        done = _countersignatures(uow, decision)
        why = ""
        if not actor.can(Permission.COUNTERSIGN):
            why = _("needs a supervisor")
        elif took_part(uow, actor, case.id):
            why = _("you assessed it")
        elif any(r.decided_by_id == actor.id for r in done):
            why = _("you countersigned it")
        officer = uow.session.get_one(User, decision.decided_by_id)
        out.append(QueueItem(case.id, case.reference, case.destination,
                             Outcome(decision.outcome), officer.full_name, decision.decided_at,
                             len(done), decision.countersignatures_required, not why, why))
    return sorted(out, key=lambda q: q.decided_at)


@dataclass(frozen=True)
class DecisionQuery:
    destination: str = ""
    end_user: str = ""
    outcome: str = ""
    criterion: str = ""
    framework: str = ""
    officer: str = ""
    category: str = ""
    date_from: date | None = None
    date_to: date | None = None
    include_follow_ups: bool = False
    limit: int = 500


@dataclass(frozen=True)
class DecisionListRow:
    id: int
    case_id: int
    ref: str
    kind: RecordKind
    outcome: Outcome
    destination: str
    end_user: str
    categories: str
    framework: str
    criteria: str
    officer: str
    decided_at: datetime
    status: CaseStatus
    origin: str


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _heads(entry: str) -> str:
    return entry.split(".")[0].upper()


def search_decisions(uow: UnitOfWork, actor: Actor, query: DecisionQuery) -> list[DecisionListRow]:
    """Past decisions for the audit view, newest first, filtered in SQL as the supervisor
    asks; only the page of results is then completed with end users and categories."""
    require(actor, Permission.AUDIT)
    session = uow.session
    stmt = (select(DecisionRow.id, DecisionRow.case_id, DecisionRow.sequence, DecisionRow.kind,
                   DecisionRow.outcome, DecisionRow.framework_id,
                   DecisionRow.framework_version, DecisionRow.criteria_cited,
                   DecisionRow.decided_at, DecisionRow.origin, Case.reference,
                   Case.destination, Case.status, User.full_name)
            .join(Case, Case.id == DecisionRow.case_id)
            .join(User, User.id == DecisionRow.decided_by_id))
    if not query.include_follow_ups:
        stmt = stmt.where(DecisionRow.kind == RecordKind.DECISION.value)
    if query.destination:
        stmt = stmt.where(Case.destination == query.destination.upper())
    if query.outcome:
        stmt = stmt.where(DecisionRow.outcome == query.outcome)
    if query.framework:
        stmt = stmt.where(DecisionRow.framework_id == query.framework)
    if query.officer:
        stmt = stmt.where(or_(User.username == query.officer, User.full_name == query.officer))
    if query.date_from:
        stmt = stmt.where(DecisionRow.as_of >= query.date_from)
    if query.date_to:
        stmt = stmt.where(DecisionRow.as_of <= query.date_to)
    if query.criterion:
        stmt = stmt.where(cast(DecisionRow.criteria_cited, String).like(
            _like(json.dumps(query.criterion.strip())), escape="\\"))
    if query.end_user.strip():
        stmt = stmt.where(exists().where(
            Party.case_id == Case.id, Party.role == "end_user",
            Party.name.ilike(_like(query.end_user.strip()), escape="\\")))
    if query.category.strip():
        head = query.category.strip().upper()
        stmt = stmt.where(exists().where(
            GoodsLine.case_id == Case.id,
            or_(func.upper(GoodsLine.control_entry) == head,
                func.upper(GoodsLine.control_entry).like(head + ".%"))))
    stmt = stmt.order_by(DecisionRow.decided_at.desc(), DecisionRow.id.desc()).limit(query.limit)
    rows = session.execute(stmt).all()
    case_ids = {r.case_id for r in rows}
    end_users: dict[int, str] = {}
    cats: dict[int, set[str]] = {}
    for chunk in _chunks(sorted(case_ids), 500):
        for case_id, name in session.execute(
                select(Party.case_id, Party.name).where(Party.case_id.in_(chunk),
                                                        Party.role == "end_user")
                .order_by(Party.position)):
            end_users.setdefault(case_id, name)
        for case_id, entry in session.execute(
                select(GoodsLine.case_id, GoodsLine.control_entry)
                .where(GoodsLine.case_id.in_(chunk))):
            if entry:
                cats.setdefault(case_id, set()).add(_heads(entry))
    return [DecisionListRow(
        r.id, r.case_id, f"{r.reference}/{r.sequence}", RecordKind(r.kind), Outcome(r.outcome),
        r.destination, end_users.get(r.case_id, ""), ", ".join(sorted(cats.get(r.case_id, ()))),
        f"{r.framework_id} {r.framework_version}", ", ".join(r.criteria_cited), r.full_name,
        r.decided_at, CaseStatus(r.status), r.origin) for r in rows]


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


@dataclass(frozen=True)
class Divergence:
    """An earlier decision on a comparable case that reached a different outcome."""

    basis: str
    row: DecisionListRow


def consistency(uow: UnitOfWork, actor: Actor, record_id: int,
                limit: int = 200) -> list[Divergence]:
    """Earlier decisions for the same destination, end user or item category whose outcome
    differs from this one's: where practice diverges."""
    require(actor, Permission.AUDIT)
    row = uow.session.get_one(DecisionRow, record_id)
    case = uow.session.get_one(Case, row.case_id)
    end_user = next((p.name for p in case.parties if p.role == "end_user"), "")
    cats = sorted({_heads(g.control_entry) for g in case.goods if g.control_entry})
    queries = [("destination", DecisionQuery(destination=case.destination, limit=limit))]
    if end_user:
        queries.append(("end_user", DecisionQuery(end_user=end_user, limit=limit)))
    queries += [("category", DecisionQuery(category=c, limit=limit)) for c in cats]
    found: dict[int, tuple[DecisionListRow, list[str]]] = {}
    for basis, q in queries:
        q = DecisionQuery(**{**q.__dict__, "date_to": row.as_of})
        for r in search_decisions(uow, actor, q):
            if r.case_id == row.case_id or r.outcome.value == row.outcome:
                continue
            if r.decided_at > row.decided_at:
                continue
            if basis == "end_user" and r.end_user.casefold() != end_user.casefold():
                continue
            label = {"destination": _("same destination"), "end_user": _("same end user")}.get(
                basis) or _("same category ({cats})").format(cats=q.category)
            found.setdefault(r.id, (r, []))[1].append(label)
    ordered = sorted(found.values(), key=lambda item: item[0].decided_at, reverse=True)
    return [Divergence("; ".join(bases), r) for r, bases in ordered]


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    after: Any


def diff_snapshots(before: Any, after: Any, path: str = "") -> list[Change]:
    """What differs between two records' snapshots, field by field."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[Change] = []
        for key in sorted(set(before) | set(after)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in before:
                out.append(Change(sub, None, after[key]))
            elif key not in after:
                out.append(Change(sub, before[key], None))
            else:
                out.extend(diff_snapshots(before[key], after[key], sub))
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            out.extend(diff_snapshots(b, a, f"{path}[{i}]"))
        return out
    return [] if before == after else [Change(path, before, after)]
