"""Checking a document someone hands you: a rationale PDF, a workbook with its ``.p7s``, or
a case bundle. One verdict in plain words, the signatures behind it, and, where the
database is at hand, whether the document is the one recorded for the decision.

Never raises on a bad file: a truncated, tampered or foreign file is a verdict too.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from sqlalchemy import select

from app import keys
from app.i18n import _
from app.oversight.service import REPORT_ATTACHMENT
from app.uow import UnitOfWork
from db.models import Case, ChangeEvent, DecisionRow, RationaleDocument
from reports.signing import SignatureCheck, verify_detached, verify_pdf

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.json.p7s"
BUNDLE_FORMAT = "goldenrule.case-bundle/1"


@dataclass
class Verdict:
    kind: str                        # "pdf", "workbook", "bundle", "unknown"
    ok: bool
    headline: str
    details: list[str] = field(default_factory=list)
    signatures: list[SignatureCheck] = field(default_factory=list)
    #: True/False when the database was consulted, None when it was not at hand.
    matches_record: bool | None = None
    record_ref: str = ""

    def lines(self) -> list[str]:
        out = [self.headline, *self.details]
        for s in self.signatures:
            when = s.signed_at.strftime("%Y-%m-%d %H:%M:%S UTC") if s.signed_at else "?"
            state = _("valid") if s.ok else _("NOT VALID")
            out.append(_("Signature {field}by {name} ({user}), {when}: {state}; issued by "
                         "{issuer}").format(field=f"{s.field_name} " if s.field_name else "",
                                            name=s.signer, user=s.username or "-", when=when,
                                            state=state, issuer=s.issuer))
            out += [f"  - {p}" for p in s.problems]
        return out


def trust_roots(uow: UnitOfWork | None, extra: Sequence[x509.Certificate] = ()
                ) -> list[x509.Certificate]:
    roots = list(extra)
    if uow is not None:
        roots += keys.all_ca_certificates(uow.session)
    return roots


def load_ca_file(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        from app.errors import InputError
        raise InputError(_("{path} is not a certificate file ({error}).").format(
            path=path, error=exc)) from None


def _no_trust_note(roots: list[x509.Certificate]) -> list[str]:
    if roots:
        return []
    return [_("No office certificate authority is known here: signatures can be checked "
              "for integrity but not traced to your office. Give the CA certificate with "
              "--ca FILE, or run where the Golden Rule database is.")]


# --- PDF --------------------------------------------------------------------------------

def check_pdf(data: bytes, uow: UnitOfWork | None, roots: list[x509.Certificate]) -> Verdict:
    result = verify_pdf(data, roots)
    verdict = Verdict("pdf", result.ok, "", signatures=result.signatures)
    verdict.details += result.problems + _no_trust_note(roots)
    snapshots = {n: b for n, b in result.attachments.items() if n.endswith(".decision.json")}
    if REPORT_ATTACHMENT in result.attachments:
        return _report_verdict(verdict, data, result.attachments[REPORT_ATTACHMENT], uow)
    if not snapshots and result.signatures:
        verdict.details.append(_("The PDF carries no embedded decision record."))
        verdict.ok = False
    if uow is not None and snapshots:
        snapshot = next(iter(snapshots.values()))
        verdict.matches_record, verdict.record_ref, note = _match_snapshot(
            uow, snapshot, result.signatures)
        verdict.details.append(note)
        verdict.ok = verdict.ok and bool(verdict.matches_record)
    if not result.signatures and not result.problems:
        verdict.details.append(_("The PDF carries no digital signature."))
    verdict.headline = (_("VALID: the PDF is exactly as signed, by {n} signature(s).").format(
        n=len(result.signatures)) if verdict.ok else
        _("NOT VALID: this PDF cannot be relied on as a signed Golden Rule rationale."))
    return verdict


def _recorded_export(uow: UnitOfWork, data: bytes) -> ChangeEvent | None:
    """The export event that recorded exactly these bytes, if any."""
    digest = hashlib.sha256(data).hexdigest()
    for event in uow.session.scalars(select(ChangeEvent).where(
            ChangeEvent.action.in_(("oversight.export", "document.export")))
            .order_by(ChangeEvent.id.desc())):
        files = (event.after or {}).get("files") if isinstance(event.after, dict) else None
        if isinstance(files, dict) and digest in files.values():
            return event
    return None


def _report_verdict(verdict: Verdict, data: bytes, identity: bytes,
                    uow: UnitOfWork | None) -> Verdict:
    """A signed oversight report: valid when its signatures are, and, with the database,
    when an export event recorded exactly this file."""
    verdict.kind = "report"
    try:
        about = json.loads(identity)
        what = _("{title}, {start} to {end}, redaction profile {r}").format(
            title=about.get("title"), start=about.get("from"), end=about.get("to"),
            r=about.get("redaction"))
    except (ValueError, AttributeError):
        what = _("an oversight report")
    verdict.details = [d for d in verdict.details if "decision record" not in d]
    verdict.details.insert(0, what)
    if uow is not None:
        event = _recorded_export(uow, data)
        verdict.matches_record = event is not None
        verdict.details.append(
            _("Matches the export recorded in the audit trail (event #{id}).").format(
                id=event.id) if event else
            _("No export of exactly this file is recorded in this database."))
        verdict.ok = verdict.ok and event is not None
    verdict.headline = (_("VALID: the report is exactly as signed, by {n} signature(s).")
                        .format(n=len(verdict.signatures)) if verdict.ok else
                        _("NOT VALID: this report cannot be relied on as a signed Golden Rule "
                          "export."))
    return verdict


def _match_snapshot(uow: UnitOfWork, snapshot: bytes, signatures: list[SignatureCheck]
                    ) -> tuple[bool, str, str]:
    """Whether an embedded snapshot is a recorded decision, signed by the same people."""
    digest = hashlib.sha256(snapshot).hexdigest()
    row = uow.session.scalars(select(DecisionRow).where(
        DecisionRow.snapshot_sha256 == digest)).first()
    if row is None or (row.snapshot or "").encode("utf-8") != snapshot:
        return False, "", _("The embedded decision record (SHA-256 {sha}) is not a record "
                            "in this database.").format(sha=digest)
    case = uow.session.get_one(Case, row.case_id)
    ref = f"{case.reference}/{row.sequence}"
    signed_by = {json.loads(r.snapshot or "{}").get("signer", {}).get("certificate_sha256")
                 for r in uow.session.scalars(select(DecisionRow).where(
                     DecisionRow.case_id == row.case_id, DecisionRow.sequence >= row.sequence))}
    strangers = [s.signer for s in signatures if s.certificate_sha256 not in signed_by]
    if strangers:
        return False, ref, _("The document embeds record {ref}, but {names} signed no record "
                             "of that case.").format(ref=ref, names=", ".join(strangers))
    return True, ref, _("Matches the recorded decision {ref}, and every signer signed a "
                        "record of that case.").format(ref=ref)


# --- workbook ---------------------------------------------------------------------------

def check_workbook(data: bytes, signature: bytes | None, uow: UnitOfWork | None,
                   roots: list[x509.Certificate]) -> Verdict:
    from reports.rationale_xlsx import read_identity

    verdict = Verdict("workbook", False, "")
    if signature is None:
        verdict.headline = _("NOT VALID: the workbook's signature file (.p7s) was not found; "
                             "give it with --signature FILE.p7s.")
        return verdict
    result = verify_detached(data, signature, roots)
    verdict.signatures = result.signatures
    verdict.ok = result.ok
    verdict.details += result.problems + _no_trust_note(roots)
    identity = read_identity(data)
    if identity is None:
        if uow is not None and result.ok:
            event = _recorded_export(uow, data)
            verdict.matches_record = event is not None
            verdict.details.append(
                _("Matches the export recorded in the audit trail (event #{id}).").format(
                    id=event.id) if event else
                _("The workbook names no decision, and no export of exactly this file is "
                  "recorded in this database."))
            verdict.ok = verdict.ok and event is not None
    elif uow is not None and result.ok:
        ref, digest = identity
        verdict.record_ref = ref
        stored = uow.session.scalars(select(RationaleDocument).where(
            RationaleDocument.kind == "xlsx",
            RationaleDocument.sha256 == hashlib.sha256(data).hexdigest())).first()
        row = uow.session.scalars(select(DecisionRow).where(
            DecisionRow.snapshot_sha256 == digest)).first()
        verdict.matches_record = stored is not None and row is not None
        verdict.details.append(
            _("Matches the workbook recorded for decision {ref}.").format(ref=ref)
            if verdict.matches_record else
            _("This workbook is not the one recorded for decision {ref}.").format(ref=ref))
        verdict.ok = verdict.ok and verdict.matches_record
    verdict.headline = (_("VALID: the workbook is exactly as signed, by {n} signature(s).")
                        .format(n=len(result.signatures)) if verdict.ok else
                        _("NOT VALID: this workbook cannot be relied on as a signed Golden Rule "
                          "rationale."))
    return verdict


# --- bundle -----------------------------------------------------------------------------

def check_bundle(data: bytes, uow: UnitOfWork | None, roots: list[x509.Certificate]
                 ) -> Verdict:
    verdict = Verdict("bundle", False, "")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        manifest_bytes = archive.read(MANIFEST)
        manifest_sig = archive.read(MANIFEST_SIGNATURE)
        manifest = json.loads(manifest_bytes)
        listed = manifest["files"]
        if manifest.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"format {manifest.get('format')!r}")
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        verdict.headline = _("NOT VALID: not a Golden Rule case bundle ({error}).").format(
            error=exc)
        return verdict
    signed = verify_detached(manifest_bytes, manifest_sig, roots)
    verdict.signatures = signed.signatures
    problems = list(signed.problems) + _no_trust_note(roots)
    for name, meta in sorted(listed.items()):
        if name not in names:
            problems.append(_("{name} is listed in the manifest but missing.").format(name=name))
            continue
        digest = hashlib.sha256(archive.read(name)).hexdigest()
        if digest != meta.get("sha256"):
            problems.append(_("{name} was changed: its SHA-256 is not the manifest's.")
                            .format(name=name))
    extra = names - set(listed) - {MANIFEST, MANIFEST_SIGNATURE}
    problems += [_("{name} is not in the manifest.").format(name=n) for n in sorted(extra)]
    verdict.record_ref = str(manifest.get("record") or "")
    inner_ok = True
    pdf_name, xlsx_name = manifest.get("pdf"), manifest.get("workbook")
    if pdf_name in names:
        inner = check_pdf(archive.read(pdf_name), uow, roots)
        inner_ok &= inner.ok
        problems += [f"{pdf_name}: {line}" for line in [inner.headline, *inner.details]
                     if not inner.ok]
        verdict.matches_record = inner.matches_record
    if xlsx_name in names and f"{xlsx_name}.p7s" in names:
        inner = check_workbook(archive.read(xlsx_name), archive.read(f"{xlsx_name}.p7s"),
                               uow, roots)
        inner_ok &= inner.ok
        problems += [f"{xlsx_name}: {line}" for line in [inner.headline, *inner.details]
                     if not inner.ok]
    verdict.details = problems
    verdict.ok = signed.ok and inner_ok and not [p for p in problems
                                                 if p not in _no_trust_note(roots)]
    verdict.headline = (_("VALID: the bundle for {ref} is complete and exactly as signed "
                          "({n} files).").format(ref=verdict.record_ref, n=len(listed))
                        if verdict.ok else _("NOT VALID: this bundle has been altered or is "
                                             "incomplete."))
    return verdict


# --- any file ---------------------------------------------------------------------------

def check_bytes(data: bytes, name: str, signature: bytes | None, uow: UnitOfWork | None,
                extra_roots: Sequence[x509.Certificate] = ()) -> Verdict:
    roots = trust_roots(uow, extra_roots)
    if data.startswith(PDF_MAGIC):
        return check_pdf(data, uow, roots)
    if data.startswith(ZIP_MAGIC):
        try:
            members = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            members = set()
        if MANIFEST in members:
            return check_bundle(data, uow, roots)
        if "xl/workbook.xml" in members:
            return check_workbook(data, signature, uow, roots)
        if not members:
            return Verdict("unknown", False, _("NOT VALID: {name} is a damaged ZIP file.")
                           .format(name=name))
    return Verdict("unknown", False, _(
        "NOT VALID: {name} is not a Golden Rule document (a rationale PDF, a rationale "
        "workbook or a case bundle).").format(name=name))


def check_file(path: Path, signature_path: Path | None = None, uow: UnitOfWork | None = None,
               extra_roots: Sequence[x509.Certificate] = ()) -> Verdict:
    """Check a file on disk; a workbook's ``.p7s`` is found beside it when not given."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Verdict("unknown", False, _("Cannot read {path}: {error}").format(
            path=path, error=exc.strerror or exc))
    signature = None
    candidate = signature_path or path.with_name(path.name + ".p7s")
    if candidate.exists():
        try:
            signature = candidate.read_bytes()
        except OSError:
            signature = None
    return check_bytes(data, path.name, signature, uow, extra_roots)
