"""The signed rationale documents of a decision: made when it is signed, kept, exported.

The officer's key is unlocked only while they sign, so the PDF and the workbook are made and
signed in that same transaction (``issue``), and each countersignature adds its signature to
them there and then (``countersign``): an incremental update of the PDF, one more signer in
the workbook's detached CMS file. Exporting later needs no key: it writes out the stored
bytes, exactly as signed, and logs who exported what.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import keys, settings
from app.changes import chain_head, now_utc, record_change
from app.errors import InputError, IntegrityError, NotFoundError
from app.i18n import _
from app.rationale import build_input, record_ref
from app.roles import Actor, Permission, require
from app.uow import UnitOfWork
from db.models import Case, ChangeEvent, DecisionRow, RationaleDocument
from reports.signing import Attachment, SigningIdentity, sign_detached, sign_pdf

if TYPE_CHECKING:
    from reports.rationale_model import RationaleInput

log = logging.getLogger(__name__)

PDF, XLSX, P7S = "pdf", "xlsx", "xlsx.p7s"
#: The PDF's signature fields: the deciding officer's, then one per countersignature.
DECISION_FIELD = "Decision"


def countersignature_field(number: int) -> str:
    return f"Countersignature{number}"


def snapshot_file_name(ref: str) -> str:
    """The name of the embedded snapshot: GR-2026-00008/1 -> GR-2026-00008-1.decision.json."""
    return ref.replace("/", "-") + ".decision.json"


def identity(session: Session, signer: keys.Signer) -> SigningIdentity:
    ca = keys.issued_by(signer.certificate, keys.all_ca_certificates(session))
    return SigningIdentity(signer.key, signer.certificate, (ca,) if ca else ())


def _store(session: Session, actor: Actor, decision: DecisionRow, kind: str, revision: int,
           signed_record: DecisionRow, data: bytes) -> RationaleDocument:
    row = RationaleDocument(decision_id=decision.id, kind=kind, revision=revision,
                            signed_record_id=signed_record.id,
                            sha256=hashlib.sha256(data).hexdigest(), size=len(data), data=data,
                            created_at=now_utc(), created_by_id=actor.id)
    session.add(row)
    return row


def render(session: Session, decision: DecisionRow, classification: str,
           up_to_event: int | None) -> tuple[RationaleInput, bytes, bytes, list]:
    """Both documents of ``decision``, unsigned, and the PDF's signature boxes."""
    from reports.rationale_pdf import render_rationale_pdf
    from reports.rationale_xlsx import render_rationale_xlsx

    doc = build_input(session, decision, classification=classification,
                      up_to_event=up_to_event)
    pdf = render_rationale_pdf(doc)
    return doc, pdf.data, render_rationale_xlsx(doc), list(pdf.signature_boxes)


def issue(uow: UnitOfWork, actor: Actor, decision: DecisionRow, signer: keys.Signer) -> None:
    """Make and sign the PDF and workbook of a just-signed decision (same transaction)."""
    session = uow.session
    head_id, _hash = chain_head(session)
    doc, pdf, xlsx, boxes = render(session, decision,
                                   str(settings.get(uow, "documents.classification")), head_id)
    who = identity(session, signer)
    pdf = _add_countersignature_fields(pdf, boxes, decision.countersignatures_required)
    first = boxes[0] if boxes else None
    signed_pdf = sign_pdf(
        pdf, who, field_name=DECISION_FIELD,
        reason=_("Decision {ref}: {outcome}. Signed record SHA-256 {sha}").format(
            ref=doc.record_ref, outcome=doc.outcome_label, sha=doc.snapshot_sha256),
        stamp_text=_("Decision {ref}: {outcome}\nSigned by {name} ({role})").format(
            ref=doc.record_ref, outcome=doc.outcome_label, name=actor.full_name,
            role=actor.role.label),
        page=first.page if first else None, box=_whole_points(first.box) if first else None,
        location=doc.authority,
        attachments=[Attachment(snapshot_file_name(doc.record_ref), doc.snapshot_bytes,
                                _("The signed decision record (canonical JSON); its SHA-256 "
                                  "is {sha}").format(sha=doc.snapshot_sha256))])
    p7s = sign_detached(xlsx, who)
    stored = [_store(session, actor, decision, kind, 1, decision, data)
              for kind, data in ((PDF, signed_pdf), (XLSX, xlsx), (P7S, p7s))]
    session.flush()
    record_change(session, actor.id, "document.issue", "case", doc.case_ref, None,
                  {"record": decision.id, "ref": doc.record_ref, "revision": 1,
                   "files": {d.kind: d.sha256 for d in stored}})


def _add_countersignature_fields(pdf: bytes, boxes: list, count: int) -> bytes:
    """Empty, visible fields for the countersignatures this decision needs."""
    if count <= 0 or len(boxes) < 2:
        return pdf
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for number, slot in enumerate(boxes[1:1 + count], start=1):
        fields.append_signature_field(writer, fields.SigFieldSpec(
            sig_field_name=countersignature_field(number), on_page=slot.page,
            box=_whole_points(slot.box)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _whole_points(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """Rounded, so a stamp never measures a hair wider than its field."""
    x1, y1, x2, y2 = (round(v) for v in box)
    return x1, y1, x2, y2


def latest(session: Session, decision_id: int) -> dict[str, RationaleDocument]:
    """The newest revision of each stored document of a decision."""
    newest = (select(RationaleDocument.kind, func.max(RationaleDocument.revision))
              .where(RationaleDocument.decision_id == decision_id)
              .group_by(RationaleDocument.kind))
    out = {}
    for kind, revision in session.execute(newest).all():
        out[kind] = session.scalars(select(RationaleDocument).where(
            RationaleDocument.decision_id == decision_id, RationaleDocument.kind == kind,
            RationaleDocument.revision == revision)).one()
    return out


def countersign(uow: UnitOfWork, actor: Actor, decision: DecisionRow,
                countersignature: DecisionRow, number: int, signer: keys.Signer) -> None:
    """Add a countersignature to the decision's PDF and to its workbook's signature file."""
    session = uow.session
    docs = latest(session, decision.id)
    if PDF not in docs or P7S not in docs or XLSX not in docs:
        # Decided before signed documents existed: there is nothing to add a signature to.
        return
    ref = record_ref(session, countersignature)
    who = identity(session, signer)
    pdf = sign_pdf(
        docs[PDF].data, who, field_name=countersignature_field(number),
        reason=_("Countersignature {n} of {decision}: record {ref}, SHA-256 {sha}").format(
            n=number, decision=record_ref(session, decision), ref=ref,
            sha=countersignature.snapshot_sha256),
        stamp_text=_("Countersignature {n} ({ref})\nSigned by {name} ({role})").format(
            n=number, ref=ref, name=actor.full_name, role=actor.role.label))
    p7s = sign_detached(docs[XLSX].data, who, existing=docs[P7S].data)
    stored = [_store(session, actor, decision, PDF, docs[PDF].revision + 1, countersignature,
                     pdf),
              _store(session, actor, decision, P7S, docs[P7S].revision + 1, countersignature,
                     p7s)]
    session.flush()
    case = session.get_one(Case, decision.case_id)
    record_change(session, actor.id, "document.countersign", "case", case.reference, None,
                  {"record": decision.id, "countersignature": countersignature.id,
                   "files": {d.kind: d.sha256 for d in stored}})


# --- export -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Documents:
    record_ref: str
    case_reference: str
    decision_id: int
    pdf: bytes
    xlsx: bytes
    p7s: bytes
    revision: int


def _decision_row(uow: UnitOfWork, ref: str) -> DecisionRow:
    """The decision record ``ref`` names: a case (its latest decision), a decision record,
    or a later record of it (a countersignature names the decision it countersigned)."""
    from app.decisions import RecordKind, parse_record_ref

    case_id, seq = parse_record_ref(uow, ref)
    rows = list(uow.session.scalars(select(DecisionRow).where(DecisionRow.case_id == case_id)
                                    .order_by(DecisionRow.sequence)))
    if seq is not None:
        rows = [r for r in rows if r.sequence <= seq]
        if not rows or rows[-1].sequence != seq:
            raise NotFoundError(_("{ref} has no record {n}.").format(ref=ref.split("/")[0],
                                                                      n=seq))
    decisions = [r for r in rows if r.kind == RecordKind.DECISION.value]
    if not decisions:
        raise NotFoundError(_("{ref} has no signed decision yet.").format(ref=ref.strip()))
    return decisions[-1]


def documents(uow: UnitOfWork, actor: Actor, ref: str) -> Documents:
    require(actor, Permission.VIEW_CASES)
    row = _decision_row(uow, ref)
    docs = latest(uow.session, row.id)
    decision_ref = record_ref(uow.session, row)
    if not docs:
        raise NotFoundError(_(
            "{ref} was signed before Golden Rule made signed rationale documents, so there "
            "are none to export. Its signed record is shown by: goldenrule decision show "
            "{ref}").format(ref=decision_ref))
    case = uow.session.get_one(Case, row.case_id)
    _check_stored(uow.session, case.reference, decision_ref, list(docs.values()))
    return Documents(decision_ref, case.reference, row.id, docs[PDF].data, docs[XLSX].data,
                     docs[P7S].data, docs[PDF].revision)


def _check_stored(session: Session, case_ref: str, ref: str,
                  stored: list[RationaleDocument]) -> None:
    """Refuse to hand out a stored document that is not the one that was signed."""
    recorded: set[str] = set()
    for after in session.scalars(select(ChangeEvent.after).where(
            ChangeEvent.entity == "case", ChangeEvent.entity_id == case_ref,
            ChangeEvent.action.in_(("document.issue", "document.countersign")))):
        files = (after or {}).get("files") if isinstance(after, dict) else None
        recorded |= {str(v) for v in (files or {}).values()}
    for doc in stored:
        if hashlib.sha256(doc.data).hexdigest() != doc.sha256 or doc.sha256 not in recorded:
            raise IntegrityError(_(
                "The stored {kind} of {ref} is not the one that was signed: it was changed in "
                "the database. Nothing was exported; run Verify integrity (goldenrule audit "
                "verify) for details.").format(kind=doc.kind.upper(), ref=ref))


def write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file, so an interrupted export never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def signature_path(xlsx_path: Path) -> Path:
    return xlsx_path.with_name(xlsx_path.name + ".p7s")


def export_rationale(uow: UnitOfWork, actor: Actor, ref: str, *, pdf: Path | None = None,
                     xlsx: Path | None = None) -> list[Path]:
    """Write the signed PDF and/or the workbook with its ``.p7s``; an audit event says who
    exported which bytes."""
    if pdf is None and xlsx is None:
        raise InputError(_("Say where to write the rationale: a PDF, a workbook or both."))
    docs = documents(uow, actor, ref)
    files: dict[str, str] = {}
    written: list[Path] = []
    if pdf is not None:
        write_atomically(pdf, docs.pdf)
        files[pdf.name] = hashlib.sha256(docs.pdf).hexdigest()
        written.append(pdf)
    if xlsx is not None:
        write_atomically(xlsx, docs.xlsx)
        write_atomically(signature_path(xlsx), docs.p7s)
        files[xlsx.name] = hashlib.sha256(docs.xlsx).hexdigest()
        files[signature_path(xlsx).name] = hashlib.sha256(docs.p7s).hexdigest()
        written += [xlsx, signature_path(xlsx)]
    record_change(uow.session, actor.id, "document.export", "case", docs.case_reference, None,
                  {"record": docs.decision_id, "ref": docs.record_ref, "kind": "rationale",
                   "revision": docs.revision, "files": files})
    uow.commit()
    return written
