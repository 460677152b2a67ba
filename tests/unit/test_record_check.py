"""Checking one signed decision record on its own: signed and intact, changed behind the
application's back (text, signature or list columns), signed by a key the office CA did not
certify, never signed, and the framework text it was decided under."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import select, text

from app import cases, decisions, record_check
from app.casedata import CaseData
from app.errors import NotFoundError
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from db.models import Certificate, DecisionRow
from tests.conftest import SUPERVISOR_PASSWORD
from tests.unit.test_assessments_service import FW, assessed, clean
from tests.unit.test_decisions import decide, refusal

UowFactory = Callable[[], UnitOfWork]


@pytest.fixture
def case_id(uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> int:
    with uow() as u:
        return cases.create_case(u, officer, sample_case_data, status=CaseStatus.RECEIVED).id


@pytest.fixture
def approved(uow: UowFactory, officer: Actor, case_id: int) -> decisions.DecisionRecord:
    assessed(uow, officer, case_id, clean())
    return decide(uow, officer, case_id)


@pytest.fixture
def tamper(uow: UowFactory) -> Iterator[Callable[[str, dict[str, object]], None]]:
    """Change a decision row as someone with the database file could: around the triggers
    that make the table append-only."""

    def change(where: str, values: dict[str, object]) -> None:
        with uow() as u:
            u.session.execute(text("DROP TRIGGER IF EXISTS decisions_no_update"))
            sets = ", ".join(f"{k} = :{k}" for k in values)
            u.session.execute(text(f"UPDATE decisions SET {sets} WHERE {where}"), values)
            u.commit()

    yield change


def check(uow: UowFactory, record_id: int) -> record_check.RecordCheck:
    with uow() as u:
        return record_check.check_record(u, record_id)


def test_a_signed_record_is_intact_and_certified_by_the_office_ca(
        uow: UowFactory, approved: decisions.DecisionRecord) -> None:
    result = check(uow, approved.id)
    assert result.signed and result.intact and result.ca_ok and result.ok
    assert result.signer == "Olga Øfficer"
    assert "CN=Olga Øfficer" in result.certificate_subject
    assert "Signature valid" in result.message and "Olga Øfficer" in result.message


def test_follow_up_records_verify_too(uow: UowFactory, officer: Actor, supervisor: Actor,
                                      case_id: int) -> None:
    refusal(uow, officer, case_id)
    with uow() as u:
        cs = decisions.countersign(u, supervisor, case_id, "Agreed, ça va.",
                                   password=SUPERVISOR_PASSWORD)
    result = check(uow, cs.id)
    assert result.ok and result.signer == "Sven Süpervisor"


def test_a_changed_text_no_longer_verifies(
        uow: UowFactory, approved: decisions.DecisionRecord, tamper) -> None:
    with uow() as u:
        original = decisions.snapshot_text(u, approved.id)
    assert original is not None
    forged = original.replace("No substantial risk", "No real risk")
    tamper(f"id = {approved.id}", {"snapshot": forged})
    result = check(uow, approved.id)
    assert result.signed and not result.intact and not result.ok
    assert "hash" in result.message and "signature" in result.message
    assert result.ca_ok  # the certificate itself is still the office's


def test_a_changed_list_column_is_caught(
        uow: UowFactory, approved: decisions.DecisionRecord, tamper) -> None:
    tamper(f"id = {approved.id}", {"outcome": "refuse"})
    result = check(uow, approved.id)
    assert not result.intact
    assert "outcome" in result.message and "signature" not in result.message


def test_a_replaced_signature_is_caught(
        uow: UowFactory, approved: decisions.DecisionRecord, tamper) -> None:
    tamper(f"id = {approved.id}", {"signature": b"\x00" * 256})
    result = check(uow, approved.id)
    assert not result.intact and "signature does not match" in result.message


def test_a_certificate_from_another_ca_is_flagged(
        uow: UowFactory, approved: decisions.DecisionRecord) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Some other CA")])
    now = datetime.now(UTC)
    other = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
             .sign(key, hashes.SHA256()))
    with uow() as u:  # the office's CA certificate swapped for a stranger's
        for row in u.session.scalars(select(Certificate).where(Certificate.kind == "ca")):
            row.certificate_pem = other.public_bytes(serialization.Encoding.PEM).decode()
        u.commit()
    result = check(uow, approved.id)
    assert result.signed and result.intact and not result.ca_ok and not result.ok
    assert "not issued by this office" in result.message


def test_a_record_without_signature_says_so(
        uow: UowFactory, approved: decisions.DecisionRecord) -> None:
    with uow() as u:
        signed = u.session.get_one(DecisionRow, approved.id)
        row = DecisionRow(
            case_id=signed.case_id, sequence=2, kind="decision", previous_id=signed.id,
            assessment_id=signed.assessment_id, framework_id=signed.framework_id,
            framework_version=signed.framework_version,
            framework_sha256=signed.framework_sha256, outcome="approve",
            rationale="Recorded before signing existed.", conditions=[], criteria_cited=[],
            as_of=signed.as_of, checks=[], evaluation={}, findings={},
            status_before="in_assessment", status_after="approved",
            decided_at=signed.decided_at, decided_by_id=signed.decided_by_id,
            origin="pre-signing")
        u.session.add(row)
        u.commit()
        row_id = row.id
    result = check(uow, row_id)
    assert not result.signed and not result.intact and not result.ok
    assert "pre-signing" in result.message


def test_an_unknown_record_is_not_found(uow: UowFactory, admin: Actor) -> None:
    with uow() as u, pytest.raises(NotFoundError):
        record_check.check_record(u, 999)


def test_the_framework_is_the_text_the_record_names(
        uow: UowFactory, approved: decisions.DecisionRecord) -> None:
    with uow() as u:
        framework = record_check.record_framework(u, approved.id)
    assert framework is not None and framework.id == FW
    assert framework.sha256 == approved.snapshot["framework"]["sha256"]
    assert framework.criterion("ihrl").title
