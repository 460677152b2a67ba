"""From a signed decision snapshot to what the rationale documents show.

Everything comes from the snapshot or from rows that never change once written (the
framework text by its hash, evidence versions by content hash, the chained audit events up
to the decision), so a document made today and one made in five years say the same.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessment import Outcome
from app.frameworks import Criterion, Framework, framework_from_text
from app.hardstops import CheckStatus
from app.i18n import _
from app.reference import reference
from app.vocab import PartyKind, PartyRole, Role
from db.models import Case, ChangeEvent, DecisionRow, EvidenceVersion, FrameworkText, User
from reports.rationale_model import (
    AnswerView,
    AuditEventView,
    CheckView,
    CitedEvidence,
    CriterionView,
    GoodsView,
    PartyView,
    RationaleInput,
    SignatureView,
)

ANSWER_LABELS = {"yes": "Yes", "no": "No", "unknown": "Unknown"}


def _label(enum: Any, value: str) -> str:
    try:
        return enum(value).label
    except ValueError:
        return value


def _country(code: str) -> str:
    if not code:
        return ""
    name = reference().country_name(code)
    return f"{name} ({code})" if name and name != code else code


def _framework(session: Session, sha256: str) -> Framework | None:
    stored = session.get(FrameworkText, sha256)
    if stored is None:
        return None
    try:
        return framework_from_text(stored.text, stored.file_name)
    except Exception:  # a record must still render when its framework no longer parses
        return None


def _evidence(session: Session, citations: list[dict[str, Any]]) -> dict[str, EvidenceVersion]:
    hashes = {c.get("content_sha256") for c in citations if c.get("content_sha256")}
    if not hashes:
        return {}
    rows = session.scalars(select(EvidenceVersion)
                           .where(EvidenceVersion.content_sha256.in_(hashes))).all()
    return {r.content_sha256: r for r in rows}


def _cited(citation: dict[str, Any], version: EvidenceVersion | None,
           criteria: tuple[str, ...]) -> CitedEvidence:
    reference_text = str(citation.get("reference") or "")
    if version is not None and citation.get("evidence_id"):
        reference_text = reference_text or f"EV-{version.item_id:06d}"
    return CitedEvidence(
        reference=reference_text, title=version.title if version else reference_text,
        grade=str(citation.get("grade") or (
            f"{version.reliability}{version.credibility}" if version else "")),
        content_sha256=str(citation.get("content_sha256") or ""),
        publisher=version.publisher if version else "",
        source_kind=version.source_kind.replace("_", " ") if version else "",
        published_on=version.published_on.isoformat() if version and version.published_on
        else "",
        note=str(citation.get("note") or ""), criteria=criteria,
        has_original=bool(version and version.attachment_sha256))


def _criterion_view(criterion: Criterion | None, cid: str, finding: dict[str, Any],
                    cited: list[CitedEvidence], mitigations: dict[str, str]) -> CriterionView:
    levels = {lv.id: lv.label for lv in criterion.levels} if criterion else {}
    questions = {q.id: q.text for q in criterion.questions} if criterion else {}
    met = finding.get("legal_test_met")
    level = finding.get("level") or ""
    if not level:
        met_text = _("Not assessed")
    elif met:
        met_text = _("Met: the criterion requires refusal") if criterion and \
            criterion.effect == "refuse" else _("Met")
    else:
        met_text = _("Not met")
    notes = finding.get("answer_notes") or {}
    answers = tuple(AnswerView(questions.get(qid, qid), ANSWER_LABELS.get(a, str(a)),
                               str(notes.get(qid) or ""))
                    for qid, a in (finding.get("answers") or {}).items())
    return CriterionView(
        id=cid, title=criterion.title if criterion else cid,
        citation=criterion.citation if criterion else "",
        legal_test=criterion.legal_test if criterion else "",
        level=levels.get(level, level), residual_level=levels.get(
            finding.get("residual_level") or "", finding.get("residual_level") or ""),
        legal_test_met=met if level else None, met_text=met_text,
        rationale=str(finding.get("rationale") or ""), answers=answers,
        citations=tuple(cited),
        mitigations=tuple(mitigations[m] for m in finding.get("mitigation_ids") or []
                          if m in mitigations))


def _parties(case: dict[str, Any]) -> tuple[PartyView, tuple[PartyView, ...]]:
    exporter = case.get("exporter") or {}
    exporter_view = PartyView(_("Exporter"), str(exporter.get("name") or ""),
                              _country(str(exporter.get("country") or "")),
                              address=str(exporter.get("address") or ""))
    parties = tuple(PartyView(_label(PartyRole, str(p.get("role") or "")),
                              str(p.get("name") or ""), _country(str(p.get("country") or "")),
                              _label(PartyKind, str(p.get("kind") or "")) if p.get("kind")
                              else "", str(p.get("address") or ""),
                              role_code=str(p.get("role") or ""))
                    for p in case.get("parties") or [])
    return exporter_view, parties


def _goods(case: dict[str, Any]) -> tuple[GoodsView, ...]:
    att = reference().att_categories
    out = []
    for g in case.get("goods") or []:
        cat = str(g.get("att_category") or "")
        out.append(GoodsView(str(g.get("control_entry") or ""), str(g.get("description") or ""),
                             str(g.get("quantity") or ""), str(g.get("unit") or ""),
                             str(g.get("value") or ""), str(g.get("currency") or ""),
                             att[cat].title if cat in att else cat))
    return tuple(out)


def _application(case: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    rows = [(_("Licence type"), str(case.get("licence_type") or "")),
            (_("Destination"), _country(str(case.get("destination") or ""))),
            (_("Received"), str(case.get("received_date") or "")),
            (_("Applicant's reference"), str(case.get("applicant_reference") or "")),
            (_("Deadline"), str(case.get("deadline") or "")),
            (_("Notes"), str(case.get("notes") or ""))]
    return tuple((k, v) for k, v in rows if v)


def _euc(case: dict[str, Any]) -> str:
    euc = case.get("end_user_certificate") or {}
    parts = [str(euc.get(k) or "") for k in ("number", "issuer", "date")]
    return ", ".join(p for p in parts if p)


def _screening(snapshot: dict[str, Any]) -> tuple[str, ...]:
    doc = snapshot.get("screening")
    if not doc:
        return ()
    lines = [f"{v['list']}, published {v.get('published') or 'undated'} "
             f"(version {v['version_id']}, file SHA-256 {v['file_sha256'][:16]}…)"
             for v in doc.get("lists", [])]
    lines.append(f"{doc.get('parties', 0)} parties screened at threshold "
                 f"{doc.get('threshold')} (normaliser {doc.get('normaliser')}).")
    hits = doc.get("hits") or []
    if not hits:
        lines.append("No party scored at or above the threshold.")
    for h in hits:
        state = {"match": "judged a TRUE MATCH", "false_positive": "judged a false positive",
                 "open": "not yet judged", "revisit": "entry changed since judged"}.get(
            h.get("state", ""), h.get("state", ""))
        reason = f": {h['reason']}" if h.get("reason") else ""
        by = f" by {h['judged_by']}" if h.get("judged_by") else ""
        lines.append(f"{h['party']} ({h['role']}) ~ {h['entry_name']} ({h['list']}, entry "
                     f"{h['entry_key']}{', ' + h['reference'] if h.get('reference') else ''}), "
                     f"score {h['score']}: {state}{by}{reason}")
    return tuple(lines)


def _checks(snapshot: dict[str, Any]) -> tuple[CheckView, ...]:
    out = []
    for c in snapshot.get("checks") or []:
        status = str(c.get("status") or "")
        try:
            label = CheckStatus(status).label
        except ValueError:
            label = status
        out.append(CheckView(str(c.get("title") or c.get("key") or ""), label,
                             status == CheckStatus.APPLIES.value, str(c.get("basis") or ""),
                             str(c.get("detail") or "")))
    return tuple(out)


def _incident(doc: dict[str, Any]) -> str:
    bits = [str(doc.get(k) or "") for k in ("occurred", "actor", "description")]
    text = ": ".join(b for b in (bits[0], " — ".join(b for b in bits[1:] if b)) if b)
    if doc.get("source"):
        text += f" ({_('source')}: {doc['source']})"
    return text


def _signature(snapshot: dict[str, Any], ref: str, kind: str) -> SignatureView:
    signer = snapshot.get("signer") or {}
    return SignatureView(kind=kind, record_ref=ref, name=str(signer.get("full_name") or ""),
                         role=_label(Role, str(signer.get("role") or "")),
                         username=str(signer.get("username") or ""),
                         signed_at=datetime.fromisoformat(str(snapshot.get("signed_at"))),
                         certificate_sha256=str(signer.get("certificate_sha256") or ""))


def _summary(event: ChangeEvent) -> str:
    after = event.after if isinstance(event.after, dict) else {}
    for key in ("summary", "reason", "status", "outcome", "title", "kind"):
        if after.get(key):
            return f"{key}: {str(after[key])[:160]}"
    return ", ".join(sorted(after))[:160]


def case_events(session: Session, reference: str, up_to: int | None) -> list[AuditEventView]:
    """The case's chained events (oldest first), up to and including event ``up_to``."""
    query = (select(ChangeEvent, User.username, User.full_name)
             .outerjoin(User, User.id == ChangeEvent.actor_id)
             .where(ChangeEvent.entity == "case", ChangeEvent.entity_id == reference)
             .order_by(ChangeEvent.id))
    if up_to is not None:
        query = query.where(ChangeEvent.id <= up_to)
    return [AuditEventView(e.id, e.at, f"{username} ({name})" if username else _("system"),
                           e.action, _summary(e), e.hash)
            for e, username, name in session.execute(query)]


def _citation_key(citation: dict[str, Any]) -> str:
    return str(citation.get("content_sha256") or citation.get("reference") or "")


def snapshot_of(row: DecisionRow) -> dict[str, Any]:
    return json.loads(row.snapshot or "{}")


def record_ref(session: Session, row: DecisionRow) -> str:
    case = session.get_one(Case, row.case_id)
    return f"{case.reference}/{row.sequence}"


def build_input(session: Session, row: DecisionRow, *, classification: str,
                up_to_event: int | None = None,
                countersignatures: list[DecisionRow] | None = None) -> RationaleInput:
    """The rationale of decision record ``row`` as its signer signed it."""
    snapshot = snapshot_of(row)
    case = snapshot.get("case") or {}
    ref = record_ref(session, row)
    framework = _framework(session, row.framework_sha256)
    criteria_by_id = {c.id: c for c in framework.criteria} if framework else {}
    assessment = snapshot.get("assessment") or {}
    findings: dict[str, Any] = assessment.get("findings") or {}
    mitigation_docs = assessment.get("mitigations") or []
    mitigations = {str(m.get("id")): f"{m.get('measure', '')}"
                   + (f" ({_('verified by')} {m['verifier']})" if m.get("verifier") else "")
                   for m in mitigation_docs}
    all_citations = [c for f in findings.values() for c in f.get("citations") or []]
    versions = _evidence(session, all_citations)
    order = list(criteria_by_id) + sorted(set(findings) - set(criteria_by_id))
    citers: dict[str, list[str]] = {}
    for cid in order:
        for c in (findings.get(cid) or {}).get("citations") or []:
            citers.setdefault(_citation_key(c), []).append(cid)
    criteria, evidence = [], {}
    for cid in order:
        if cid not in findings and cid not in criteria_by_id:
            continue
        finding = findings.get(cid) or {}
        cited = []
        for c in finding.get("citations") or []:
            key = _citation_key(c)
            item = _cited(c, versions.get(str(c.get("content_sha256") or "")),
                          tuple(dict.fromkeys(citers.get(key, []))))
            cited.append(item)
            evidence.setdefault(key, item)
        criteria.append(_criterion_view(criteria_by_id.get(cid), cid, finding, cited,
                                        mitigations))
    decision = snapshot.get("decision") or {}
    evaluation = snapshot.get("evaluation") or {}
    outcome = str(decision.get("outcome") or row.outcome)
    try:
        outcome_label = Outcome(outcome).label
    except ValueError:
        outcome_label = outcome
    titles = {c.id: c.title for c in criteria}
    exporter, parties = _parties(case)
    signatures = [_signature(snapshot, ref, _("Decision"))]
    for cs in countersignatures or []:
        signatures.append(_signature(snapshot_of(cs), record_ref(session, cs),
                                     _("Countersignature")))
    countersigning = snapshot.get("countersigning") or {}
    fw = snapshot.get("framework") or {}
    head = snapshot.get("audit_head") or {}
    return RationaleInput(
        record_ref=ref, case_ref=str(case.get("reference") or ref.split("/")[0]),
        classification=classification, authority=str(snapshot.get("authority") or ""),
        is_demo=bool(case.get("demo")),
        framework_title=str(fw.get("title") or row.framework_id),
        framework_id=str(fw.get("id") or row.framework_id),
        framework_version=str(fw.get("version") or row.framework_version),
        framework_sha256=str(fw.get("sha256") or row.framework_sha256),
        outcome=outcome, outcome_label=outcome_label,
        headline=str(evaluation.get("headline") or ""),
        decision_rationale=str(decision.get("rationale") or ""),
        criteria_cited=tuple(titles.get(c, c) for c in decision.get("criteria_cited") or []),
        conditions=tuple(str(c) for c in decision.get("conditions") or []),
        explanation=tuple(str(x) for x in evaluation.get("explanation") or []),
        as_of=str(decision.get("as_of") or ""),
        application=_application(case), exporter=exporter, parties=parties,
        goods=_goods(case), end_use=str(case.get("end_use") or ""),
        destination=_country(str(case.get("destination") or "")),
        end_user_certificate=_euc(case), checks=_checks(snapshot),
        screening=_screening(snapshot),
        criteria=tuple(criteria), mitigations=tuple(mitigations.values()),
        past_incidents=tuple(_incident(i) for i in snapshot.get("past_incidents") or []),
        evidence=tuple(evidence.values()), signatures=tuple(signatures),
        countersignatures_required=int(countersigning.get("required") or 0),
        countersigning_rules=tuple(str(r) for r in countersigning.get("rules") or []),
        audit_events=tuple(case_events(session, ref.split("/")[0], up_to_event)),
        audit_head=str(head.get("hash") or ""), snapshot_sha256=row.snapshot_sha256 or "",
        snapshot_bytes=(row.snapshot or "").encode("utf-8"),
        generated_at=datetime.fromisoformat(str(snapshot.get("signed_at"))))
