"""Signed rationale documents end to end: made when a decision is signed, countersigned by
incremental update, exported, bundled and checked, with pyHanko's verdict and, where they
are installed, pdfsig's and openssl's; any changed byte must break every check."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app import bundle, cases, decisions, documents, evidence, keys
from app.assessment import Citation, DecisionInput, Outcome
from app.casedata import CaseData
from app.document_check import check_bytes, check_file
from app.errors import AuthenticationError, NotFoundError
from app.evidence import Attachment, EvidenceData, NewEvidence
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from db.models import Case, ChangeEvent, DecisionRow, RationaleDocument
from reports.rationale_xlsx import read_identity
from reports.signing import SigningIdentity, sign_detached, sign_pdf
from tests.conftest import OFFICER_PASSWORD, SUPERVISOR_PASSWORD
from tests.unit.test_assessments_service import AS_OF, FW, assessed, mandatory, registry

UowFactory = Callable[[], UnitOfWork]


@pytest.fixture
def case_id(uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> int:
    with uow() as u:
        return cases.create_case(u, officer, sample_case_data, status=CaseStatus.RECEIVED).id


ORIGINAL = b"%PDF-1.4 the original report as downloaded by the officer"


def _evidence(uow: UowFactory, officer: Actor) -> tuple[int, str]:
    data = EvidenceData(
        title="Special police units fire on protesters", publisher="UN OHCHR",
        source_kind="un_inquiry_panel", published_on=AS_OF - timedelta(days=60), countries=["KE"],
        reliability="A", credibility="2", summary="Lethal force against peaceful protesters.",
        violations=["unlawful_killing"], actors=["Special Police Brigade"])
    with uow() as u:
        result = evidence.store_batch(u, officer, [NewEvidence(
            data, Attachment("ohchr-report.pdf", "application/pdf", ORIGINAL))])
        item = evidence.get_evidence(u, result.added[0])
    return item.id, item.content_sha256


def refused(uow: UowFactory, officer: Actor, cid: int) -> decisions.DecisionRecord:
    """A refusal citing one evidence item with its original file."""
    item_id, sha = _evidence(uow, officer)
    data = mandatory()
    data.findings["ihrl"].citations = [Citation(f"EV-{item_id:06d}", evidence_id=item_id,
                                                content_sha256=sha, grade="A2",
                                                note="Paragraphs 40-72")]
    assessed(uow, officer, cid, data)
    with uow() as u:
        return decisions.record_decision(
            u, officer, cid, FW,
            DecisionInput(Outcome.REFUSE, "Substantial risk under the IHRL criterion.", [],
                          ["ihrl"]), AS_OF, checks=registry(), password=OFFICER_PASSWORD)


def countersigned(uow: UowFactory, supervisor: Actor, cid: int) -> None:
    with uow() as u:
        decisions.countersign(u, supervisor, cid, "Agreed.", password=SUPERVISOR_PASSWORD)


def docs(uow: UowFactory, actor: Actor, ref: str) -> documents.Documents:
    with uow() as u:
        return documents.documents(u, actor, ref)


def check(uow: UowFactory, data: bytes, name: str = "f.pdf", signature: bytes | None = None):
    with uow() as u:
        return check_bytes(data, name, signature, u)


def ca_pem(uow: UowFactory, tmp_path: Path) -> Path:
    path = tmp_path / "office-ca.pem"
    with uow() as u:
        path.write_text(keys.ca_certificate_pem(u))
    return path


def flip(data: bytes, at: float = 0.5) -> bytes:
    out = bytearray(data)
    i = int(len(out) * at)
    out[i] ^= 0x01
    return bytes(out)


def pdfsig(path: Path) -> list[str]:
    """pdfsig's lines (its exit status says nothing about validity)."""
    run = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    return [line.strip() for line in (run.stdout + run.stderr).splitlines()]


needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None,
                                  reason="pdfsig (poppler-utils) is not installed")
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None,
                                   reason="openssl is not installed")


def openssl_verify(content: Path, signature: Path, ca: Path) -> int:
    return subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                           "-in", str(signature), "-content", str(content), "-CAfile", str(ca),
                           "-out", "/dev/null"], capture_output=True, check=False).returncode


# --- made at signing ---------------------------------------------------------------------

def test_a_signed_decision_has_a_signed_pdf_embedding_its_record_and_a_signed_workbook(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    record = refused(uow, officer, case_id)
    got = docs(uow, officer, record.case_reference)
    assert got.record_ref == record.ref and got.revision == 1
    with uow() as u:
        row = u.session.get_one(DecisionRow, record.id)
        snapshot = row.snapshot.encode()
        fingerprint = keys.fingerprint(keys.load_certificate(u.session, row.certificate_id))
    reader = PdfReader(io.BytesIO(got.pdf))
    attached = {name: data[0] for name, data in reader.attachments.items()}
    assert attached == {f"{record.case_reference}-1.decision.json": snapshot}
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert record.ref in text and "OFFICIAL-SENSITIVE" in text
    assert "Special police units fire on protesters" in text  # the cited evidence's title

    verdict = check(uow, got.pdf)
    assert verdict.ok, verdict.lines()
    assert verdict.matches_record is True and verdict.record_ref == record.ref
    [sig] = verdict.signatures
    assert (sig.signer, sig.username, sig.field_name) == ("Olga Øfficer", "olga", "Decision")
    assert sig.certificate_sha256 == fingerprint

    assert read_identity(got.xlsx) == (record.ref, record.snapshot_sha256)
    book = load_workbook(io.BytesIO(got.xlsx))
    assert "Evidence" in book.sheetnames
    workbook = check(uow, got.xlsx, "f.xlsx", got.p7s)
    assert workbook.ok and workbook.matches_record, workbook.lines()
    assert [s.username for s in workbook.signatures] == ["olga"]


def test_each_countersignature_is_an_incremental_signature_on_the_same_documents(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int,
        tmp_path: Path) -> None:
    record = refused(uow, officer, case_id)
    first = docs(uow, officer, record.case_reference)
    countersigned(uow, supervisor, case_id)
    second = docs(uow, officer, record.case_reference)
    assert second.revision == 2 and second.record_ref == record.ref
    assert second.pdf.startswith(first.pdf)  # an incremental update: the signed bytes stay
    assert second.xlsx == first.xlsx          # the workbook is the one the officer signed
    verdict = check(uow, second.pdf)
    assert verdict.ok, verdict.lines()
    assert [(s.field_name, s.username) for s in verdict.signatures] == [
        ("Decision", "olga"), ("Countersignature1", "sven")]
    assert [s.whole_file for s in verdict.signatures] == [False, True]
    workbook = check(uow, second.xlsx, "f.xlsx", second.p7s)
    assert workbook.ok, workbook.lines()
    assert sorted(s.username for s in workbook.signatures) == ["olga", "sven"]
    # "A record by ref": the countersignature record names the decision it countersigned.
    assert docs(uow, officer, f"{record.case_reference}/2").revision == 2
    assert docs(uow, officer, f"{record.case_reference}/1").revision == 2


def test_documents_are_made_in_the_decisions_transaction(
        uow: UowFactory, officer: Actor, case_id: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.rationale_pdf

    def broken(doc: object) -> object:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(reports.rationale_pdf, "render_rationale_pdf", broken)
    with pytest.raises(RuntimeError):
        refused(uow, officer, case_id)
    with uow() as u:
        assert u.session.scalars(select(DecisionRow)).all() == []
        assert u.session.scalars(select(RationaleDocument)).all() == []


def test_stored_documents_cannot_be_updated_or_deleted(
        uow: UowFactory, officer: Actor, case_id: int, database: object) -> None:
    refused(uow, officer, case_id)
    conn = sqlite3.connect(database.path)  # type: ignore[attr-defined]
    try:
        for sql in ("UPDATE rationale_documents SET data = x'00'",
                    "DELETE FROM rationale_documents"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
    finally:
        conn.close()


# --- tampering and bad files -------------------------------------------------------------

def test_any_changed_byte_breaks_the_pdf(uow: UowFactory, officer: Actor, supervisor: Actor,
                                         case_id: int) -> None:
    record = refused(uow, officer, case_id)
    countersigned(uow, supervisor, case_id)
    pdf = docs(uow, officer, record.ref).pdf
    for at in (0.02, 0.3, 0.5, 0.7, 0.9, 0.999):
        verdict = check(uow, flip(pdf, at))
        assert not verdict.ok, at
        assert verdict.headline.startswith("NOT VALID")


def test_an_unsigned_update_after_the_last_signature_is_caught(
        uow: UowFactory, officer: Actor, case_id: int, tmp_path: Path) -> None:
    """pdfsig still calls every signature valid here; pyHanko's verdict and ours do not."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    record = refused(uow, officer, case_id)
    pdf = docs(uow, officer, record.ref).pdf
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    info = writer.trailer["/Info"]
    info["/Title"] = generic.TextStringObject("Approved after all")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    verdict = check(uow, out.getvalue())
    assert not verdict.ok
    assert any("changed after its last signature" in d for d in verdict.details)


@needs_pdfsig
def test_pdfsig_reads_the_signatures_as_valid_and_a_flipped_byte_as_broken(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int,
        tmp_path: Path) -> None:
    record = refused(uow, officer, case_id)
    countersigned(uow, supervisor, case_id)
    path = tmp_path / "rationale.pdf"
    path.write_bytes(docs(uow, officer, record.ref).pdf)
    lines = pdfsig(path)
    assert lines.count("- Signature Validation: Signature is Valid.") == 2, lines
    assert "- Signer Certificate Common Name: Olga Øfficer" in lines
    assert "- Signer Certificate Common Name: Sven Süpervisor" in lines
    assert lines.count("- Total document signed") == 1
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(flip(path.read_bytes(), 0.3))
    lines = pdfsig(bad)
    assert "- Signature Validation: Signature is Valid." not in lines, lines


@needs_openssl
def test_openssl_verifies_the_workbook_with_the_office_ca_and_rejects_a_changed_byte(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int,
        tmp_path: Path) -> None:
    record = refused(uow, officer, case_id)
    countersigned(uow, supervisor, case_id)
    with uow() as u:
        written = documents.export_rationale(u, officer, record.case_reference,
                                             xlsx=tmp_path / "r.xlsx")
    assert [p.name for p in written] == ["r.xlsx", "r.xlsx.p7s"]
    ca = ca_pem(uow, tmp_path)
    assert openssl_verify(tmp_path / "r.xlsx", tmp_path / "r.xlsx.p7s", ca) == 0
    (tmp_path / "bad.xlsx").write_bytes(flip((tmp_path / "r.xlsx").read_bytes()))
    assert openssl_verify(tmp_path / "bad.xlsx", tmp_path / "r.xlsx.p7s", ca) != 0
    assert not check_file(tmp_path / "bad.xlsx", tmp_path / "r.xlsx.p7s").ok


def test_bad_files_get_a_verdict_not_a_traceback(uow: UowFactory, officer: Actor,
                                                 case_id: int) -> None:
    record = refused(uow, officer, case_id)
    got = docs(uow, officer, record.ref)
    cases = {
        "truncated PDF": (got.pdf[: len(got.pdf) // 2], None),
        "foreign text": (b"Dear Sir, please find attached", None),
        "empty": (b"", None),
        "workbook without its signature": (got.xlsx, None),
        "workbook with a foreign signature file": (got.xlsx, b"\x30\x03\x02\x01\x01"),
        "truncated workbook": (got.xlsx[:300], got.p7s),
        "zip that is not a bundle": (_zip({"a.txt": b"hello"}), None),
        "unsigned PDF": (_plain_pdf(), None),
    }
    for label, (data, signature) in cases.items():
        verdict = check(uow, data, "x", signature)
        assert not verdict.ok, label
        assert verdict.headline.startswith("NOT VALID"), (label, verdict.headline)


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def _plain_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, "Licence decision rationale")
    c.save()
    return out.getvalue()


def _stranger() -> SigningIdentity:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Olga Officer")])
    now = datetime.now(UTC) - timedelta(minutes=5)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return SigningIdentity(key, cert)


def test_a_document_signed_outside_the_office_is_not_trusted(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    """Same name, same content, but a key the office CA never certified."""
    record = refused(uow, officer, case_id)
    got = docs(uow, officer, record.ref)
    forged = sign_pdf(got.pdf, _stranger(), field_name="Forged", reason="x", stamp_text="x")
    verdict = check(uow, forged)
    assert not verdict.ok
    assert any("does not chain to a trusted office" in p for s in verdict.signatures
               for p in s.problems)
    p7s = sign_detached(got.xlsx, _stranger())
    assert not check(uow, got.xlsx, "f.xlsx", p7s).ok


# --- export and bundle ------------------------------------------------------------------

def test_export_writes_exact_bytes_and_logs_who_exported_what(
        uow: UowFactory, officer: Actor, case_id: int, tmp_path: Path) -> None:
    record = refused(uow, officer, case_id)
    with uow() as u:
        documents.export_rationale(u, officer, record.case_reference,
                                   pdf=tmp_path / "out" / "r.pdf", xlsx=tmp_path / "r.xlsx")
    got = docs(uow, officer, record.ref)
    assert (tmp_path / "out" / "r.pdf").read_bytes() == got.pdf
    assert (tmp_path / "r.xlsx.p7s").read_bytes() == got.p7s
    assert not list(tmp_path.rglob("*.part"))
    with uow() as u:
        event = u.session.scalars(select(ChangeEvent).where(
            ChangeEvent.action == "document.export")).one()
        u.session.expunge(event)
    assert event.actor_id == officer.id and event.entity_id == record.case_reference
    assert event.after["files"] == {"r.pdf": hashlib.sha256(got.pdf).hexdigest(),
                                    "r.xlsx": hashlib.sha256(got.xlsx).hexdigest(),
                                    "r.xlsx.p7s": hashlib.sha256(got.p7s).hexdigest()}


def test_a_case_without_a_signed_decision_has_nothing_to_export(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    with uow() as u, pytest.raises(NotFoundError, match=r"no decision yet|no signed decision"):
        documents.documents(u, officer, u.session.get_one(Case, case_id).reference)


def test_the_bundle_holds_everything_and_verifies_whole(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int,
        tmp_path: Path) -> None:
    record = refused(uow, officer, case_id)
    countersigned(uow, supervisor, case_id)
    out = tmp_path / "bundle.zip"
    with uow() as u:
        result = bundle.export_bundle(u, supervisor, record.case_reference, out,
                                      SUPERVISOR_PASSWORD)
    assert result.path == out and hashlib.sha256(out.read_bytes()).hexdigest() == result.sha256
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        stem = record.ref.replace("/", "-")
        assert {f"rationale/{stem}.pdf", f"rationale/{stem}.xlsx",
                f"rationale/{stem}.xlsx.p7s", f"records/{stem}.json",
                f"records/{record.case_reference}-2.json", "audit/events.json",
                "evidence/index.json", "certificates/office-ca.pem",
                "manifest.json.p7s"} <= names
        originals = [n for n in names if n.startswith("evidence/EV-")]
        assert len(originals) == 1 and z.read(originals[0]) == ORIGINAL
        events = json.loads(z.read("audit/events.json"))
        assert {"decision.decision", "decision.countersignature", "document.issue"} <= {
            e["action"] for e in events}
        assert set(manifest["files"]) == names - {"manifest.json", "manifest.json.p7s"}
        members = {n: z.read(n) for n in names}
    verdict = check(uow, out.read_bytes(), "bundle.zip")
    assert verdict.ok and verdict.kind == "bundle", verdict.lines()
    assert [s.username for s in verdict.signatures] == ["sven"]

    changed = dict(members)
    changed[originals[0]] = b"%PDF-1.4 a different report"
    bad = check(uow, _zip(changed), "b.zip")
    assert not bad.ok and any(originals[0] in d and "changed" in d for d in bad.details)
    missing = {k: v for k, v in members.items() if k != "audit/events.json"}
    assert any("missing" in d for d in check(uow, _zip(missing), "b.zip").details)
    extra = {**members, "evidence/planted.txt": b"x"}
    assert any("not in the manifest" in d for d in check(uow, _zip(extra), "b.zip").details)


def test_a_wrong_password_writes_no_bundle(uow: UowFactory, officer: Actor,
                                           case_id: int, tmp_path: Path) -> None:
    record = refused(uow, officer, case_id)
    with uow() as u, pytest.raises(AuthenticationError):
        bundle.export_bundle(u, officer, record.ref, tmp_path / "b.zip", "not-my-password")
    assert not (tmp_path / "b.zip").exists()
    with uow() as u:
        assert not u.session.scalars(select(ChangeEvent).where(
            ChangeEvent.action == "document.export")).all()


@needs_openssl
def test_the_bundle_manifest_verifies_with_openssl(
        uow: UowFactory, officer: Actor, case_id: int, tmp_path: Path) -> None:
    record = refused(uow, officer, case_id)
    with uow() as u:
        bundle.export_bundle(u, officer, record.ref, tmp_path / "b.zip", OFFICER_PASSWORD)
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(tmp_path / "b.zip") as z:
        z.extractall(folder)
    assert openssl_verify(folder / "manifest.json", folder / "manifest.json.p7s",
                          folder / "certificates" / "office-ca.pem") == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == meta["sha256"]


def test_pem_export_of_the_ca_is_what_verifies(uow: UowFactory, officer: Actor,
                                              case_id: int, tmp_path: Path) -> None:
    """Without the database, the CA file alone makes the signatures traceable."""
    record = refused(uow, officer, case_id)
    path = tmp_path / "r.pdf"
    path.write_bytes(docs(uow, officer, record.ref).pdf)
    assert not check_file(path).ok  # no database, no CA: integrity only
    ca = x509.load_pem_x509_certificate(ca_pem(uow, tmp_path).read_bytes())
    verdict = check_file(path, extra_roots=[ca])
    assert verdict.ok and verdict.matches_record is None, verdict.lines()
    assert ca.public_bytes(serialization.Encoding.PEM).startswith(b"-----BEGIN CERTIFICATE")


def test_a_stored_document_changed_in_the_database_is_named_and_never_exported(
        uow: UowFactory, officer: Actor, case_id: int, database: object,
        tmp_path: Path) -> None:
    from app import audit
    from app.errors import IntegrityError

    record = refused(uow, officer, case_id)
    with uow() as u:
        assert audit.verify_integrity(u, officer).ok
    forged = _plain_pdf()
    conn = sqlite3.connect(database.path)  # type: ignore[attr-defined]
    try:
        conn.execute("DROP TRIGGER rationale_documents_no_update")
        conn.execute("UPDATE rationale_documents SET data = ? WHERE kind = 'pdf'", (forged,))
        conn.commit()
        with uow() as u:
            report = audit.verify_integrity(u, officer)
        [problem] = report.failures
        assert problem.target == f"PDF revision 1 of {record.ref}"
        assert "changed after it was signed" in problem.message
        with uow() as u, pytest.raises(IntegrityError, match="not the one that was signed"):
            documents.export_rationale(u, officer, record.ref, pdf=tmp_path / "r.pdf")
        assert not (tmp_path / "r.pdf").exists()
        # Hash column forged too: the audit trail still knows the real hash.
        conn.execute("UPDATE rationale_documents SET sha256 = ? WHERE kind = 'pdf'",
                     (hashlib.sha256(forged).hexdigest(),))
        conn.commit()
        with uow() as u:
            [problem] = audit.verify_integrity(u, officer).failures
        assert "not one the audit trail records" in problem.message
    finally:
        conn.close()
