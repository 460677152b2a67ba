"""Checking one signed decision record on its own, for the record viewer.

``check_record`` answers the questions a reader of one record asks: was it signed, is the
stored text exactly what was signed (hash and signature), by whom, and does the signing
certificate come from this office's CA. The whole database is checked by ``app.audit``;
this looks at a single row, fast enough to run each time a record is opened.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import audit
from app.errors import GoldenRuleError, NotFoundError
from app.frameworks import Framework, framework_from_text
from app.i18n import _
from app.uow import UnitOfWork
from db.models import DecisionRow, FrameworkText, User


@dataclass(frozen=True)
class RecordCheck:
    """What the viewer shows about a record's signature."""

    signed: bool
    intact: bool
    signer: str
    certificate_subject: str
    ca_ok: bool
    message: str

    @property
    def ok(self) -> bool:
        """Signed, unchanged since, and by a key this office certified."""
        return self.signed and self.intact and self.ca_ok


def _row(uow: UnitOfWork, record_id: int) -> DecisionRow:
    row = uow.session.get(DecisionRow, record_id)
    if row is None:
        raise NotFoundError(_("There is no decision record {id}.").format(id=record_id))
    return row


def check_record(uow: UnitOfWork, record_id: int) -> RecordCheck:
    """Whether record ``record_id`` is signed and still exactly as signed: the same checks
    ``audit verify`` makes of each record, phrased for the reader of one record."""
    row = _row(uow, record_id)
    user = uow.session.get(User, row.decided_by_id)
    signer = user.full_name if user is not None else ""
    status = audit.record_status(uow.session, record_id)
    subject = status.certificate_subject
    if not status.signed:
        return RecordCheck(False, False, signer, "", False, _(
            "This record was not signed (origin: {origin}): there is no signature to check.")
            .format(origin=row.origin))
    failures = [p for p in status.problems
                if not p.informational and p.kind is not audit.Kind.CERTIFICATE]
    if failures:
        return RecordCheck(True, False, signer, subject, status.issued_by_office_ca, _(
            "Not intact: {problems} The record was changed after it was signed.").format(
                problems=" ".join(p.message for p in failures)))
    if not status.issued_by_office_ca:
        return RecordCheck(True, True, signer, subject, False, _(
            "The signature matches the record, but the signing certificate was not issued by "
            "this office's certificate authority."))
    return RecordCheck(True, True, signer, subject, True, _(
        "Signature valid: the record is exactly as {name} signed it, with a key certified by "
        "the office's certificate authority.").format(name=signer))


def record_framework(uow: UnitOfWork, record_id: int) -> Framework | None:
    """The exact framework text the record was decided under (for criterion titles and
    level labels), or None when it is not stored or no longer parses."""
    row = _row(uow, record_id)
    if row.framework_sha256 in _FRAMEWORKS:
        return _FRAMEWORKS[row.framework_sha256]
    stored = uow.session.get(FrameworkText, row.framework_sha256)
    if stored is None:
        return None
    try:
        framework: Framework | None = framework_from_text(stored.text, stored.file_name)
    except GoldenRuleError:  # a record must still open when its framework no longer parses
        framework = None
    _FRAMEWORKS[row.framework_sha256] = framework
    return framework


#: Parsed framework texts by SHA-256: a text never changes under its hash.
_FRAMEWORKS: dict[str, Framework | None] = {}
