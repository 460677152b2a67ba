"""Checking one signed decision record on its own, for the record viewer.

``check_record`` answers the questions a reader of one record asks: was it signed, is the
stored text exactly what was signed (hash and signature), by whom, and does the signing
certificate come from this office's CA. The whole database is checked by ``app.audit``;
this looks at a single row, fast enough to run each time a record is opened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from app import keys
from app.canonical import sha256_hex
from app.errors import GoldenRuleError, NotFoundError
from app.frameworks import Framework, framework_from_text
from app.i18n import _
from app.uow import UnitOfWork
from db.models import Certificate, DecisionRow, FrameworkText, User


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


def _column_mismatches(row: DecisionRow, snapshot: dict[str, Any]) -> list[str]:
    """The list columns that disagree with the signed text (lists and filters use them)."""
    wrong = []
    if snapshot.get("kind") != row.kind:
        wrong.append("kind")
    if snapshot.get("sequence") != row.sequence:
        wrong.append("sequence")
    outcome = (snapshot.get("decision") or {}).get("outcome")
    if outcome != row.outcome:
        wrong.append("outcome")
    if (snapshot.get("status") or {}).get("after") != row.status_after:
        wrong.append("status")
    return wrong


def check_record(uow: UnitOfWork, record_id: int) -> RecordCheck:
    """Whether record ``record_id`` is signed and still exactly as signed."""
    session = uow.session
    row = _row(uow, record_id)
    user = session.get(User, row.decided_by_id)
    signer = user.full_name if user is not None else ""
    if row.origin != "signed" or not row.snapshot or not row.signature \
            or row.certificate_id is None:
        return RecordCheck(False, False, signer, "", False, _(
            "This record was not signed (origin: {origin}): there is no signature to check.")
            .format(origin=row.origin))
    data = row.snapshot.encode("utf-8")
    cert_row = session.get(Certificate, row.certificate_id)
    if cert_row is None:
        return RecordCheck(True, False, signer, "", False, _(
            "The certificate that signed this record is missing from the database."))
    cert = x509.load_pem_x509_certificate(cert_row.certificate_pem.encode())
    subject = cert.subject.rfc4514_string()
    ca_ok = keys.issued_by(cert, keys.all_ca_certificates(session)) is not None
    try:
        snapshot = json.loads(data)
    except ValueError:
        snapshot = None
    problems = []
    if sha256_hex(data) != row.snapshot_sha256:
        problems.append(_("the stored hash does not match the record's text"))
    if not keys.verify_with(cert, data, row.signature):
        problems.append(_("the signature does not match the record's text"))
    if not isinstance(snapshot, dict):
        problems.append(_("the signed text is not a JSON record"))
    else:
        named = (snapshot.get("signer") or {}).get("certificate_sha256")
        if named != keys.fingerprint(cert):
            problems.append(_("the record names a different certificate from the one that "
                              "signed it"))
        wrong = _column_mismatches(row, snapshot)
        if wrong:
            problems.append(_("the stored columns ({fields}) disagree with the signed text")
                            .format(fields=", ".join(wrong)))
    if problems:
        return RecordCheck(True, False, signer, subject, ca_ok, _(
            "Not intact: {problems}. The record was changed after it was signed.").format(
                problems="; ".join(problems)))
    if not ca_ok:
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
