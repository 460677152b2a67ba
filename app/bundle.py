"""The case bundle: everything a court, an auditor or another authority needs to check a
decision without Golden Rule, in one ZIP.

A signed manifest lists every file with its SHA-256; the person exporting signs it with
their own key (a detached CMS signature, as on the workbook), so the bundle as a whole is
attested and any changed, missing or added file shows.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from app import documents as docs_mod
from app import keys
from app.canonical import canonical_bytes, plain
from app.changes import now_utc, record_change
from app.document_check import BUNDLE_FORMAT, MANIFEST, MANIFEST_SIGNATURE
from app.roles import Actor, Permission, require
from app.uow import UnitOfWork
from db.models import Blob, Case, Certificate, ChangeEvent, DecisionRow, EvidenceVersion, User
from reports.signing import sign_detached

README = """Golden Rule case bundle for {ref}

manifest.json      every file in this bundle with its SHA-256
manifest.json.p7s  detached CMS signature of manifest.json by {who}
rationale/         the signed PDF rationale, and the workbook with its .p7s signature
records/           every signed record of the case (canonical JSON), its raw signature
                   and the signer's certificate
evidence/          the original files of the cited evidence, and index.json
audit/events.json  the case's audit events, each chained to the one before by hash
certificates/      the office CA certificate(s)

Check it without Golden Rule:
  openssl cms -verify -binary -inform DER -in manifest.json.p7s -content manifest.json \\
      -CAfile certificates/office-ca.pem -out /dev/null
  sha256sum the files and compare with manifest.json
  pdfsig rationale/*.pdf
  openssl cms -verify -binary -inform DER -in rationale/{stem}.xlsx.p7s \\
      -content rationale/{stem}.xlsx -CAfile certificates/office-ca.pem -out /dev/null
or with Golden Rule: goldenrule verify THIS.zip
"""


@dataclass(frozen=True)
class BundleResult:
    path: Path
    files: int
    sha256: str


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "file"


def _pem(cert_pem: str) -> bytes:
    return cert_pem.encode("ascii")


def build_bundle(uow: UnitOfWork, actor: Actor, ref: str, password: str) -> tuple[str, bytes]:
    """The bundle's bytes for the decision ``ref`` names, signed by ``actor``."""
    require(actor, Permission.VIEW_CASES)
    session = uow.session
    documents = docs_mod.documents(uow, actor, ref)
    stem = documents.record_ref.replace("/", "-")
    files: dict[str, bytes] = {
        f"rationale/{stem}.pdf": documents.pdf,
        f"rationale/{stem}.xlsx": documents.xlsx,
        f"rationale/{stem}.xlsx.p7s": documents.p7s,
    }
    case = session.scalars(select(Case).where(Case.reference == documents.case_reference)).one()
    rows = session.scalars(select(DecisionRow).where(DecisionRow.case_id == case.id)
                           .order_by(DecisionRow.sequence)).all()
    cited: set[str] = set()
    for row in rows:
        name = f"records/{case.reference}-{row.sequence}"
        if row.snapshot is None:
            continue
        files[f"{name}.json"] = row.snapshot.encode("utf-8")
        if row.signature:
            files[f"{name}.sig"] = row.signature
        if row.certificate_id:
            cert = session.get_one(Certificate, row.certificate_id)
            files[f"{name}.cert.pem"] = _pem(cert.certificate_pem)
        snapshot = json.loads(row.snapshot)
        for finding in ((snapshot.get("assessment") or {}).get("findings") or {}).values():
            cited |= {c["content_sha256"] for c in finding.get("citations") or []
                      if c.get("content_sha256")}
    index = []
    if cited:
        versions = session.scalars(select(EvidenceVersion).where(
            EvidenceVersion.content_sha256.in_(cited)).order_by(EvidenceVersion.item_id)).all()
        for v in versions:
            entry = {"evidence": f"EV-{v.item_id:06d}", "version": v.version_no,
                     "content_sha256": v.content_sha256, "title": v.title,
                     "publisher": v.publisher, "url": v.url,
                     "published_on": v.published_on, "grade": v.reliability + v.credibility,
                     "original": None}
            if v.attachment_sha256:
                blob = session.get_one(Blob, v.attachment_sha256)
                path = (f"evidence/EV-{v.item_id:06d}-v{v.version_no}/"
                        f"{_safe(v.attachment_name or blob.sha256)}")
                files[path] = blob.data
                entry["original"] = path
            index.append(entry)
    files["evidence/index.json"] = json.dumps(plain(index), indent=2, ensure_ascii=False,
                                              sort_keys=True).encode("utf-8")
    events = session.execute(select(ChangeEvent, User.username)
                             .outerjoin(User, User.id == ChangeEvent.actor_id)
                             .where(ChangeEvent.entity == "case",
                                    ChangeEvent.entity_id == case.reference)
                             .order_by(ChangeEvent.id)).all()
    files["audit/events.json"] = json.dumps(plain([
        {"id": e.id, "at": e.at, "actor": username, "action": e.action, "entity": e.entity,
         "entity_id": e.entity_id, "before": e.before, "after": e.after,
         "prev_hash": e.prev_hash, "hash": e.hash} for e, username in events]),
        indent=1, ensure_ascii=False).encode("utf-8")
    cas = keys.all_ca_certificates(session)
    files["certificates/office-ca.pem"] = b"".join(
        c.public_bytes(serialization.Encoding.PEM) for c in cas)
    files["README.txt"] = README.format(ref=documents.record_ref, who=actor.full_name,
                                        stem=stem).encode("utf-8")
    manifest = canonical_bytes({
        "format": BUNDLE_FORMAT, "case": case.reference, "record": documents.record_ref,
        "pdf": f"rationale/{stem}.pdf", "workbook": f"rationale/{stem}.xlsx",
        "created_at": now_utc(), "created_by": {"username": actor.username,
                                                 "full_name": actor.full_name,
                                                 "role": actor.role.value},
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                  for name, data in sorted(files.items())}})
    with keys.unlocked(session, actor.id, password) as signer:
        signature = sign_detached(manifest, docs_mod.identity(session, signer))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest)
        archive.writestr(MANIFEST_SIGNATURE, signature)
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return documents.record_ref, out.getvalue()


def export_bundle(uow: UnitOfWork, actor: Actor, ref: str, path: Path, password: str
                  ) -> BundleResult:
    record, data = build_bundle(uow, actor, ref, password)
    docs_mod.write_atomically(path, data)
    digest = hashlib.sha256(data).hexdigest()
    case_ref = record.split("/")[0]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        count = len(archive.namelist())
    record_change(uow.session, actor.id, "document.export", "case", case_ref, None,
                  {"ref": record, "kind": "bundle", "files": {path.name: digest},
                   "members": count})
    uow.commit()
    return BundleResult(path, count, digest)


