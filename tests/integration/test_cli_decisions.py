"""The decision, keys and audit commands of the CLI, in-process: a refusal is decided,
shown, countersigned and verified; the database is then tampered with through sqlite3 and
``audit verify`` names the row. Refused actions exit 2 naming the role they need."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from app import hardstops, users
from app.canonical import canonical_bytes
from app.casedata import CaseData
from app.database import open_database
from app.frameworks import catalogue
from app.hardstops import CheckRegistry
from app.roles import Permission, roles_with
from app.uow import UnitOfWork
from tests.integration.test_cli import ADMIN_PW, OFFICER_PW, Cli, Result
from tests.integration.test_cli_assessment import (
    ClearCheck,
    clean_findings,
    golden_rule,
    import_case,
    mandatory_findings,
    write_findings,
)

SUPERVISOR_PW = "supervisor-password-1"
CA_PW = "office-ca-passphrase-1"


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    folder = tmp_path / "authority-frameworks"
    folder.mkdir()
    monkeypatch.setenv("GOLDENRULE_FRAMEWORKS", str(folder))  # shipped frameworks only
    monkeypatch.setattr(hardstops, "_REGISTRY", CheckRegistry([ClearCheck()]))
    catalogue(reload=True)
    yield Cli(tmp_path / "cli.sqlite3", capsys, monkeypatch)
    catalogue(reload=True)


@pytest.fixture
def office(cli: Cli) -> Cli:
    """An office CA, an administrator, officer olga and supervisor sven, each with a key."""
    result = cli("init", "--full-name", "Ada Admin", stdin=f"{ADMIN_PW}\n{CA_PW}\n")
    assert result.code == 0, result.err
    for name, role, full, password in (("olga", "officer", "Olga Øfficer", OFFICER_PW),
                                       ("sven", "supervisor", "Sven Süpervisor",
                                        SUPERVISOR_PW)):
        result = cli.admin("user", "add", name, "--role", role, "--full-name", full,
                           stdin=f"{password}\n{CA_PW}\n")
        assert result.code == 0, result.err
    return cli


def olga(cli: Cli, *args: str, stdin: str = "") -> Result:
    return cli(*args, stdin=stdin, user="olga", password=OFFICER_PW)


def sven(cli: Cli, *args: str, stdin: str = "") -> Result:
    return cli(*args, stdin=stdin, user="sven", password=SUPERVISOR_PW)


def decided(cli: Cli, tmp_path: Path, data: CaseData, refuse: bool = True) -> str:
    """A case assessed and decided by olga: refused (awaiting countersignature) or approved."""
    reference = import_case(cli, tmp_path, data, name=f"case-{refuse}.json")
    findings = mandatory_findings() if refuse else clean_findings(golden_rule())
    path = write_findings(tmp_path / f"findings-{refuse}.json", findings)
    result = olga(cli, "case", "assess", reference, "--framework", "golden-rule",
                  "--findings", str(path))
    assert result.code == 0, result.err
    extra = ("--outcome", "refuse", "--criteria", "ihrl") if refuse else ("--outcome",
                                                                          "approve")
    rationale = "Substantial risk under IHRL.\n" if refuse else "No substantial risk.\n"
    result = olga(cli, "case", "decide", reference, *extra, "--rationale-file", "-",
                  stdin=f"{OFFICER_PW}\n{rationale}")
    assert result.code == 0, result.err
    return reference


def tamper(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db)
    for table in ("change_events", "decisions"):
        for verb in ("update", "delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    return conn


def test_decide_show_countersign_verify_then_tamper(office: Cli, tmp_path: Path,
                                                   sample_case_data: CaseData) -> None:
    ref = decided(office, tmp_path, sample_case_data)

    shown = olga(office, "decision", "show", ref)
    assert shown.code == 0, shown.err
    assert shown.out.startswith(f"{ref}/1  Decision: refuse  —  Olga Øfficer (olga), ")
    assert "Status: in_assessment → awaiting_countersignature" in shown.out
    assert "Criteria cited: ihrl" in shown.out
    assert "Signature valid: exactly as signed, with certificate UID=olga,CN=Olga Øfficer" \
        in shown.out

    as_json = olga(office, "decision", "show", f"{ref}/1", "--json")
    assert as_json.code == 0, as_json.err
    doc = json.loads(as_json.out)
    assert doc["reference"] == ref and len(doc["records"]) == 1
    record = doc["records"][0]
    assert record["ref"] == f"{ref}/1" and record["verification"]["intact"] is True
    assert record["verification"]["certificate"]["issued_by_office_ca"] is True
    raw = canonical_bytes(record["snapshot"])
    assert hashlib.sha256(raw).hexdigest() == record["snapshot_sha256"]
    assert raw.decode() in as_json.out  # the signed bytes, exactly as stored

    refused = olga(office, "decision", "countersign", ref, stdin=f"{OFFICER_PW}\n")
    assert refused.code == 1  # refused, not bad input: the same status as every refusal
    assert refused.err.startswith("error: olga (")
    assert refused.err.rstrip().endswith("may not countersign or return decisions: that needs "
                                         "the role of supervisor.")

    signed = sven(office, "decision", "countersign", ref, "--comment", "Agreed.",
                  stdin=f"{SUPERVISOR_PW}\n")
    assert signed.code == 0, signed.err
    assert signed.out.startswith(f"{ref}/2: countersignature signed by sven (SHA-256 ")
    assert signed.out.rstrip().endswith(f"{ref} is now refused.")
    both = json.loads(sven(office, "decision", "show", ref, "--json").out)
    assert [r["ref"] for r in both["records"]] == [f"{ref}/1", f"{ref}/2"]
    assert both["records"][1]["snapshot"]["decision"]["sha256"] == record["snapshot_sha256"]

    ok = sven(office, "audit", "verify")
    assert ok.code == 0, ok.out + ok.err
    assert ok.out.startswith("Intact: ") and "2 decision records checked" in ok.out

    conn = tamper(office.db)
    try:
        row = conn.execute("SELECT id FROM decisions WHERE sequence = 1").fetchone()[0]
        conn.execute("UPDATE decisions SET outcome = 'approve' WHERE id = ?", (row,))
        conn.commit()
    finally:
        conn.close()
    broken = sven(office, "audit", "verify")
    assert broken.code == 1
    lines = broken.out.splitlines()
    assert lines[0] == (f"[edited] Record {ref}/1 (row {row}): its outcome column says "
                        '"approve" but the signed snapshot says "refuse": the column was '
                        "edited after signing.")
    assert lines[-1].startswith("1 problem found (")
    doc = json.loads(sven(office, "audit", "verify", "--json").out)
    assert doc["ok"] is False
    assert [(p["kind"], p["target"], p["record"]) for p in doc["problems"]] == [
        ("edited", f"record {ref}/1 (row {row})", row)]
    shown = olga(office, "decision", "show", f"{ref}/1")
    assert shown.code == 1 and "[edited]" in shown.out and "outcome column" in shown.out


def test_a_deleted_event_fails_verify(office: Cli) -> None:
    conn = tamper(office.db)
    try:
        conn.execute("DELETE FROM change_events WHERE id = 3")
        conn.commit()
    finally:
        conn.close()
    result = office.admin("audit", "verify")
    assert result.code == 1
    assert "[deleted] 1 event between #2 and #4 was deleted (id 3 missing)." in result.out


def test_return_and_reassessments(office: Cli, tmp_path: Path,
                                  sample_case_data: CaseData) -> None:
    ref = decided(office, tmp_path, sample_case_data)
    result = sven(office, "decision", "return", ref, "--reason", "Cite the 2026 report.",
                  stdin=f"{SUPERVISOR_PW}\n")
    assert result.code == 0, result.err
    assert result.out.startswith(f"{ref}/2: returned to the officer signed by sven")
    assert result.out.rstrip().endswith("is now in assessment.")

    approved = decided(office, tmp_path, sample_case_data, refuse=False)
    wrong = olga(office, "decision", "confirm", approved, "--reason", "Once more, to be sure.",
                 stdin="not-the-password\n")
    assert wrong.code == 2 and "Wrong password" in wrong.err  # and nothing was signed
    steps = [("suspend", "suspended"), ("reinstate", "approved"), ("confirm", "approved"),
             ("revoke", "revoked")]
    for n, (action, status) in enumerate(steps, start=2):
        result = olga(office, "decision", action, approved, "--reason",
                      f"Reassessed ({action}) on new evidence.", stdin=f"{OFFICER_PW}\n")
        assert result.code == 0, (action, result.err)
        assert result.out.startswith(f"{approved}/{n}: ")
        assert result.out.rstrip().endswith(f"{approved} is now {status}.")
    assert sven(office, "audit", "verify").code == 0


@pytest.mark.parametrize(("who", "args", "permission"), [
    ("olga", ("decision", "return", "GR-2026-00001", "--reason", "Not convincing."),
     Permission.COUNTERSIGN),
    ("admin", ("decision", "revoke", "GR-2026-00001", "--reason", "Revoke it now."),
     Permission.REASSESS),
    ("olga", ("keys", "issue", "sven"), Permission.MANAGE_KEYS),
    ("sven", ("keys", "import-ca", "ca.p12"), Permission.MANAGE_KEYS),
    ("olga", ("keys", "init-ca"), Permission.MANAGE_KEYS),
])
def test_refusals_exit_1_naming_the_role(office: Cli, who: str, args: tuple[str, ...],
                                         permission: Permission) -> None:
    password = {"olga": OFFICER_PW, "sven": SUPERVISOR_PW, "admin": ADMIN_PW}[who]
    result = office(*args, stdin="", user=who, password=password)  # no password asked
    assert result.code == 1, result
    roles = " or ".join(r.label.lower() for r in roles_with(permission))
    assert result.err.rstrip().endswith(
        f"may not {permission.label}: that needs the role of {roles}.")
    assert result.out == ""


def test_export_ca_writes_a_pem_openssl_reads(office: Cli, tmp_path: Path) -> None:
    path = tmp_path / "office-ca.pem"
    result = olga(office, "keys", "export-ca", str(path))
    assert result.code == 0, result.err
    pem = path.read_bytes()
    cert = x509.load_pem_x509_certificate(pem)
    assert cert.fingerprint(hashes.SHA256()).hex() in result.out
    assert olga(office, "keys", "export-ca", "-").out.encode() == pem
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    done = subprocess.run([openssl, "x509", "-noout", "-subject", "-in", str(path)],
                          capture_output=True, text=True, check=True)
    assert "Golden Rule office CA" in done.stdout


def test_issue_rotates_and_old_records_still_verify(office: Cli, tmp_path: Path,
                                                    sample_case_data: CaseData) -> None:
    ref = decided(office, tmp_path, sample_case_data, refuse=False)
    before = json.loads(office.admin("keys", "list", "--json").out)
    old = next(c for c in before if c["username"] == "olga" and c["status"] == "active")

    wrong = office.admin("keys", "issue", "olga", stdin=f"not-her-password\n{CA_PW}\n")
    assert wrong.code == 2 and "not olga's current password" in wrong.err
    bad_ca = office.admin("keys", "issue", "olga", stdin=f"{OFFICER_PW}\nwrong-passphrase\n")
    assert bad_ca.code == 2 and "Wrong CA passphrase" in bad_ca.err

    result = office.admin("keys", "issue", "olga", stdin=f"{OFFICER_PW}\n{CA_PW}\n")
    assert result.code == 0, result.err
    assert result.out.startswith("Issued a signing key to olga: certificate #")
    assert f"The previous key (certificate #{old['id']}) is retired" in result.out
    after = json.loads(office.admin("keys", "list", "--json").out)
    mine = {c["id"]: c["status"] for c in after if c["username"] == "olga"}
    assert mine[old["id"]] == "retired" and list(mine.values()).count("active") == 1
    listing = office.admin("keys", "list").out
    assert f"{old['id']}\tuser\tolga\tOlga Øfficer\tretired\tuntil " in listing

    shown = olga(office, "decision", "show", f"{ref}/1")
    assert shown.code == 0 and "Signature valid" in shown.out
    assert sven(office, "audit", "verify").code == 0
    # The new key signs.
    result = olga(office, "decision", "suspend", ref, "--reason", "Reports of diversion.",
                  stdin=f"{OFFICER_PW}\n")
    assert result.code == 0, result.err
    assert sven(office, "audit", "verify").code == 0


def _ca(name: str = "Ministère — Office CA") -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=900))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


@pytest.fixture
def bare(cli: Cli) -> Cli:
    """A database whose administrator has no CA yet (as one upgraded from before keys)."""
    database = open_database(cli.db)
    try:
        with UnitOfWork(database.session_factory) as uow:
            users.create_first_administrator(uow, "admin", "Ada Admin", ADMIN_PW)
    finally:
        database.dispose()
    return cli


def test_import_ca_from_pkcs12(bare: Cli, tmp_path: Path) -> None:
    key, cert = _ca()
    path = tmp_path / "ca.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"ca", key, cert, None, serialization.BestAvailableEncryption(b"file-password")))
    wrong = bare.admin("keys", "import-ca", str(path), stdin=f"nope\n{CA_PW}\n")
    assert wrong.code == 2 and "could not be read" in wrong.err
    result = bare.admin("keys", "import-ca", str(path), stdin=f"file-password\n{CA_PW}\n")
    assert result.code == 0, result.err
    assert result.out.startswith("Imported the office CA 'Ministère — Office CA'")
    again = bare.admin("keys", "import-ca", str(path), stdin=f"file-password\n{CA_PW}\n")
    assert again.code == 2 and "already has an office certificate authority" in again.err
    issued = bare.admin("keys", "issue", "admin", stdin=f"{ADMIN_PW}\n{CA_PW}\n")
    assert issued.code == 0, issued.err
    pem = bare.admin("keys", "export-ca", "-").out
    assert x509.load_pem_x509_certificate(pem.encode()) == cert
    assert bare.admin("audit", "verify").code == 0


def test_import_ca_from_pem_and_key(bare: Cli, tmp_path: Path) -> None:
    key, cert = _ca("Plain PEM CA")
    cert_path, key_path = tmp_path / "ca.pem", tmp_path / "ca.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    result = bare.admin("keys", "import-ca", str(cert_path), "--key", str(key_path),
                        stdin=f"\n{CA_PW}\n")
    assert result.code == 0, result.err
    assert "'Plain PEM CA'" in result.out
    listing = bare.admin("keys", "list").out.splitlines()
    assert listing[0].split("\t")[:5] == ["1", "ca", "-", "Plain PEM CA", "active"]


def test_init_ca_creates_the_missing_ca(bare: Cli) -> None:
    short = bare.admin("keys", "init-ca", stdin="short\n")
    assert short.code == 2 and "at least 12 characters" in short.err
    result = bare.admin("keys", "init-ca", "--authority", "Autorité nationale",
                        stdin=f"{CA_PW}\n")
    assert result.code == 0, result.err
    assert result.out.startswith("Created the office CA 'Golden Rule office CA'")
    assert bare.admin("keys", "issue", "admin", stdin=f"{ADMIN_PW}\n{CA_PW}\n").code == 0
    assert bare.admin("audit", "verify").code == 0


def test_show_unknown_references(office: Cli) -> None:
    result = olga(office, "decision", "show", "GR-1999-00001")
    assert result.code == 2 and "GR-1999-00001" in result.err
    result = olga(office, "decision", "show", "GR-2026-00001/x")
    assert result.code == 2


def test_amend_replaces_the_conditions_with_a_new_signed_record(
        office: Cli, tmp_path: Path, sample_case_data: CaseData) -> None:
    ref = decided(office, tmp_path, sample_case_data, refuse=False)
    short = olga(office, "decision", "amend", ref, "--reason", "why", stdin=f"{OFFICER_PW}\n")
    assert short.code == 2 and "at least 10 characters" in short.err
    result = olga(office, "decision", "amend", ref, "--condition",
                  "Delivery verification certificate within 90 days",
                  "--reason", "Requested by the embassy after the first shipment.",
                  stdin=f"{OFFICER_PW}\n")
    assert result.code == 0, result.err
    assert "conditions amended" in result.out
    shown = json.loads(olga(office, "decision", "show", ref, "--json").out)
    last = shown["records"][-1]
    assert last["snapshot"]["conditions"]["after"] == [
        "Delivery verification certificate within 90 days"]
    assert last["verification"]["intact"] is True
