"""The office CA and users' signing keys: issue, rotate, re-protect, import, and what is
never written down (passwords, private keys)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from app import keys, users
from app.errors import AuthenticationError, InputError, NotFoundError
from app.uow import UnitOfWork
from app.users import Actor
from app.vocab import Role
from db.models import Certificate, ChangeEvent
from tests.conftest import ADMIN_PASSWORD, CA_PASSWORD, OFFICER_PASSWORD

UowFactory = Callable[[], UnitOfWork]
PRODUCTION_NEW_KEY = keys._new_private_key  # captured before the test pool replaces it
PRODUCTION_ROUNDS = keys.PKCS12_ROUNDS


def test_production_keys_are_rsa_3072_with_strong_pkcs12() -> None:
    key = PRODUCTION_NEW_KEY()
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 3072
    assert (keys.RSA_BITS >= 3072 and keys.PKCS12_ROUNDS >= 100_000) or keys.PKCS12_ROUNDS == 1000


def test_first_administrator_gets_a_ca_and_a_key(uow: UowFactory, admin: Actor) -> None:
    with uow() as u:
        certs = keys.list_certificates(u)
        ca = x509.load_pem_x509_certificate(keys.ca_certificate_pem(u).encode())
        mine = keys.load_certificate(u.session, keys.user_certificate(u, admin.id).id)
    assert [c.kind for c in certs] == ["ca", "user"]
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert keys.issued_by(mine, [ca]) is ca
    assert mine.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == "admin"
    assert mine.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Ada Admin"
    usage = mine.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign


def test_signing_needs_the_users_password(uow: UowFactory, officer: Actor) -> None:
    with uow() as u, keys.unlocked(u.session, officer.id, OFFICER_PASSWORD) as signer:
        signature = signer.sign(b"decision")
        cert = signer.certificate
    assert keys.verify_with(cert, b"decision", signature)
    assert not keys.verify_with(cert, b"decisioN", signature)
    with uow() as u, pytest.raises(AuthenticationError, match="nothing was signed"), \
            keys.unlocked(u.session, officer.id, "wrong-password"):
        pass  # pragma: no cover
    with pytest.raises(RuntimeError):
        signer.sign(b"after the block")  # the key is dropped as soon as the signing ends


def test_rotation_retires_the_old_key_and_old_signatures_still_verify(
        uow: UowFactory, admin: Actor, officer: Actor) -> None:
    with uow() as u, keys.unlocked(u.session, officer.id, OFFICER_PASSWORD) as signer:
        old_id, signature = signer.certificate_id, signer.sign(b"old record")
    with uow() as u:
        new = keys.issue_user_key(u, admin, "olga", OFFICER_PASSWORD, CA_PASSWORD)
    assert new.id != old_id
    with uow() as u:
        old = u.session.get_one(Certificate, old_id)
        assert old.status == "retired" and old.retired_at is not None
        assert keys.verify_with(keys.load_certificate(u.session, old_id), b"old record",
                                signature)
        assert keys.user_certificate(u, officer.id).id == new.id
    with uow() as u, keys.unlocked(u.session, officer.id, OFFICER_PASSWORD) as signer:
        assert signer.certificate_id == new.id


def test_wrong_ca_passphrase_issues_nothing(uow: UowFactory, admin: Actor) -> None:
    with uow() as u, pytest.raises(AuthenticationError, match="CA passphrase"):
        users.create_user(u, admin, "bob", "Bob", Role.OFFICER, "bob-password-1",
                          ca_password="not-the-ca-passphrase")
    with uow() as u:
        assert [a.username for a, _ in users.list_users(u)] == ["admin"]


def test_own_password_change_reprotects_the_key(uow: UowFactory, officer: Actor) -> None:
    with uow() as u:
        users.change_password(u, officer, "olga", "brand-new-password",
                              old_password=OFFICER_PASSWORD)
    with uow() as u, keys.unlocked(u.session, officer.id, "brand-new-password") as signer:
        assert signer.sign(b"x")
    with uow() as u, pytest.raises(AuthenticationError), \
            keys.unlocked(u.session, officer.id, OFFICER_PASSWORD):
        pass  # pragma: no cover


def test_admin_reset_retires_the_key_and_can_issue_a_new_one(
        uow: UowFactory, admin: Actor, officer: Actor) -> None:
    with uow() as u:
        users.change_password(u, admin, "olga", "reset-password-1")
    with uow() as u, pytest.raises(NotFoundError, match="no signing key"), \
            keys.unlocked(u.session, officer.id, "reset-password-1"):
        pass  # pragma: no cover
    with uow() as u:
        users.change_password(u, admin, "olga", "reset-password-2", ca_password=CA_PASSWORD)
    with uow() as u, keys.unlocked(u.session, officer.id, "reset-password-2") as signer:
        assert signer.sign(b"x")


def _self_signed_ca(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
                    ca: bool = True) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ministère — CA d'export")])
    now = datetime.now(UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7)
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=900))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))


@pytest.fixture
def bare_admin(uow: UowFactory) -> Actor:
    with uow() as u:
        return users.create_first_administrator(u, "root", "Root Admin", ADMIN_PASSWORD)


def test_import_an_existing_ca_from_pkcs12(uow: UowFactory, bare_admin: Actor) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _self_signed_ca(key)
    p12 = pkcs12.serialize_key_and_certificates(
        b"ca", key, cert, None, serialization.BestAvailableEncryption(b"file-pass"))
    with uow() as u, pytest.raises(InputError, match="wrong password"):
        keys.import_ca(u, bare_admin, p12, CA_PASSWORD, file_password="nope")
    with uow() as u:
        info = keys.import_ca(u, bare_admin, p12, CA_PASSWORD, file_password="file-pass")
    assert info.kind == "ca" and "CA d'export" in info.common_name
    with uow() as u:
        issued = keys.issue_user_key(u, bare_admin, "root", ADMIN_PASSWORD, CA_PASSWORD)
        mine = keys.load_certificate(u.session, issued.id)
    assert keys.issued_by(mine, [cert]) is not None
    with uow() as u, pytest.raises(InputError, match="already has"):
        keys.import_ca(u, bare_admin, p12, CA_PASSWORD, file_password="file-pass")


def test_import_refuses_a_non_ca_or_a_foreign_key(uow: UowFactory, bare_admin: Actor) -> None:
    key = rsa.generate_private_key(65537, 2048)
    other = rsa.generate_private_key(65537, 2048)
    pem = lambda k: k.private_bytes(serialization.Encoding.PEM,  # noqa: E731
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    leaf = _self_signed_ca(key, ca=False).public_bytes(serialization.Encoding.PEM)
    ca = _self_signed_ca(key).public_bytes(serialization.Encoding.PEM)
    with uow() as u, pytest.raises(InputError, match="not a certificate authority"):
        keys.import_ca(u, bare_admin, leaf, CA_PASSWORD, key_data=pem(key))
    with uow() as u, pytest.raises(InputError, match="does not belong"):
        keys.import_ca(u, bare_admin, ca, CA_PASSWORD, key_data=pem(other))
    with uow() as u, pytest.raises(InputError, match="at least 12"):
        keys.import_ca(u, bare_admin, ca, "short", key_data=pem(key))
    with uow() as u:
        keys.import_ca(u, bare_admin, ca, CA_PASSWORD, key_data=pem(key))
        assert keys.has_ca(u)


def test_no_secret_is_ever_written_to_the_audit_trail(
        uow: UowFactory, admin: Actor, officer: Actor) -> None:
    with uow() as u:
        keys.issue_user_key(u, admin, "olga", OFFICER_PASSWORD, CA_PASSWORD)
        users.change_password(u, officer, "olga", "brand-new-password",
                              old_password=OFFICER_PASSWORD)
    with uow() as u:
        text = json.dumps([(e.before, e.after) for e in u.session.scalars(select(ChangeEvent))])
    for secret in (CA_PASSWORD, OFFICER_PASSWORD, ADMIN_PASSWORD, "brand-new-password",
                   "PRIVATE KEY"):
        assert secret not in text
    assert "keys.issue" in {e for e in _actions(uow)} and "keys.retire" in _actions(uow)


def _actions(uow: UowFactory) -> set[str]:
    with uow() as u:
        return set(u.session.scalars(select(ChangeEvent.action)))


def test_a_key_is_only_issued_under_the_accounts_own_password(
        uow: UowFactory, admin: Actor, officer: Actor) -> None:
    with uow() as u, pytest.raises(AuthenticationError, match="current password"):
        keys.issue_user_key(u, admin, "olga", "a-guess-by-the-admin", CA_PASSWORD)
    with uow() as u, keys.unlocked(u.session, officer.id, OFFICER_PASSWORD) as signer:
        assert signer.sign(b"still the old key")


def test_changing_your_password_checks_the_old_one(uow: UowFactory, officer: Actor) -> None:
    with uow() as u, pytest.raises(AuthenticationError, match="current password is wrong"):
        users.change_password(u, officer, "olga", "brand-new-password",
                              old_password="not-my-password")
    with uow() as u, keys.unlocked(u.session, officer.id, OFFICER_PASSWORD) as signer:
        assert signer.sign(b"key untouched")
