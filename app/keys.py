"""The office certificate authority and each user's signing key (X.509, PKCS#12).

The CA's key is kept as PKCS#12 under the CA passphrase, which the administrators hold;
each user's key under that user's own password, so signing always needs it. A rotated
key is retired, not deleted: its certificate stays here and old signatures still verify.
Private keys and passwords are never logged and live only as long as one use case.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.changes import now_utc, record_change
from app.errors import AuthenticationError, InputError, NotFoundError
from app.i18n import _
from app.uow import UnitOfWork
from app.users import Actor, Permission, require
from db.models import Certificate, User

RSA_BITS = 3072
CA_YEARS = 20
USER_YEARS = 5
PKCS12_ROUNDS = 100_000
DEFAULT_CA_NAME = "Golden Rule office CA"

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class CertificateInfo:
    id: int
    kind: str
    username: str | None
    subject: str
    serial: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    status: str
    created_at: datetime

    @property
    def common_name(self) -> str:
        return subject_common_name(self.subject)


def subject_common_name(subject: str) -> str:
    for part in subject.split(","):
        if part.strip().startswith("CN="):
            return part.strip()[3:]
    return subject


def _new_private_key() -> rsa.RSAPrivateKey:
    """A fresh key pair. Tests replace this with a pool of pre-made keys."""
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def _encryption(password: str) -> serialization.KeySerializationEncryption:
    return (serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(PKCS12_ROUNDS)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(password.encode("utf-8")))


def _pkcs12(name: str, key: SigningKey, cert: x509.Certificate, password: str) -> bytes:
    return pkcs12.serialize_key_and_certificates(name.encode("utf-8"), key, cert, None,
                                                 _encryption(password))


def _open_pkcs12(p12: bytes, password: str,
                 wrong: str) -> tuple[SigningKey, x509.Certificate]:
    """The key and certificate that ``password`` unlocks; ``AuthenticationError(wrong)`` if it
    does not open the file."""
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(p12, password.encode("utf-8"))
    except ValueError:
        raise AuthenticationError(wrong) from None
    assert key is not None and cert is not None
    return key, cert  # type: ignore[return-value]


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _sign_algorithm(key: SigningKey) -> hashes.HashAlgorithm:
    return hashes.SHA256()


def _row(session: Session, kind: str, cert: x509.Certificate, p12: bytes | None,
         user_id: int | None, actor_id: int | None) -> Certificate:
    row = Certificate(kind=kind, user_id=user_id, serial=format(cert.serial_number, "x"),
                      subject=cert.subject.rfc4514_string(),
                      fingerprint_sha256=fingerprint(cert),
                      certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
                      pkcs12=p12, not_before=cert.not_valid_before_utc,
                      not_after=cert.not_valid_after_utc, status="active",
                      created_at=now_utc(), created_by_id=actor_id)
    session.add(row)
    session.flush()
    return row


def _info(session: Session, row: Certificate) -> CertificateInfo:
    username = None
    if row.user_id is not None:
        username = session.get_one(User, row.user_id).username
    return CertificateInfo(row.id, row.kind, username, row.subject, row.serial,
                           row.fingerprint_sha256, row.not_before, row.not_after, row.status,
                           row.created_at)


def _event(row: Certificate) -> dict[str, object]:
    # Public facts only: never the PKCS#12 or anything derived from the private key.
    return {"kind": row.kind, "subject": row.subject, "serial": row.serial,
            "fingerprint_sha256": row.fingerprint_sha256, "status": row.status,
            "not_after": row.not_after.isoformat()}


# --- the office CA ----------------------------------------------------------------------

def _active_ca(session: Session) -> Certificate | None:
    return session.scalars(select(Certificate).where(Certificate.kind == "ca",
                                                     Certificate.status == "active")
                           .order_by(Certificate.id.desc()).limit(1)).first()


def has_ca(uow: UnitOfWork) -> bool:
    return _active_ca(uow.session) is not None


def ca_certificate_pem(uow: UnitOfWork) -> str:
    row = _active_ca(uow.session)
    if row is None:
        raise NotFoundError(_("This database has no office certificate authority yet."))
    return row.certificate_pem


def all_ca_certificates(session: Session) -> list[x509.Certificate]:
    """Every CA certificate this office has used, active or retired."""
    rows = session.scalars(select(Certificate).where(Certificate.kind == "ca")).all()
    return [x509.load_pem_x509_certificate(r.certificate_pem.encode()) for r in rows]


def check_ca_password(password: str) -> None:
    if len(password) < 12:
        raise InputError(_("The CA passphrase must be at least 12 characters long."))


def create_ca(session: Session, actor_id: int | None, ca_password: str,
              name: str = DEFAULT_CA_NAME, organisation: str = "") -> CertificateInfo:
    """A new self-signed office CA. Called by ``init`` and the first-run dialog."""
    check_ca_password(ca_password)
    if _active_ca(session) is not None:
        raise InputError(_("This database already has an office certificate authority."))
    key = _new_private_key()
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    subject = x509.Name(attrs)
    now = datetime.now(UTC) - timedelta(minutes=5)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    row = _row(session, "ca", cert, _pkcs12(name, key, cert, ca_password), None, actor_id)
    record_change(session, actor_id, "keys.ca_create", "certificate", row.id, None, _event(row))
    return _info(session, row)


def import_ca(uow: UnitOfWork, actor: Actor, data: bytes, ca_password: str,
              key_data: bytes | None = None, file_password: str | None = None) -> CertificateInfo:
    """Adopt an existing CA: a PKCS#12 file, or a PEM certificate with its PEM key.

    The key is re-wrapped under ``ca_password``; the file's own password is not kept."""
    require(actor, Permission.MANAGE_KEYS)
    check_ca_password(ca_password)
    secret = file_password.encode("utf-8") if file_password else None
    try:
        if key_data is None:
            key, cert, _extra = pkcs12.load_key_and_certificates(data, secret)
        else:
            cert = x509.load_pem_x509_certificate(data)
            key = serialization.load_pem_private_key(key_data, secret)
    except (ValueError, TypeError) as exc:
        raise InputError(_("The CA file could not be read: wrong password or not a "
                           "certificate and key ({error}).").format(error=exc)) from None
    if cert is None or key is None:
        raise InputError(_("The CA file must hold both the certificate and its private key."))
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise InputError(_("Only RSA and elliptic-curve CA keys are supported."))
    if key.public_key().public_numbers() != cert.public_key().public_numbers():  # type: ignore[union-attr]
        raise InputError(_("The private key does not belong to the certificate."))
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise InputError(_("This certificate is not a certificate authority (its basic "
                           "constraints do not say CA)."))
    session = uow.session
    if _active_ca(session) is not None:
        raise InputError(_("This database already has an office certificate authority."))
    name = subject_common_name(cert.subject.rfc4514_string())
    row = _row(session, "ca", cert, _pkcs12(name, key, cert, ca_password), None, actor.id)
    record_change(session, actor.id, "keys.ca_import", "certificate", row.id, None, _event(row))
    uow.commit()
    return _info(session, row)


def _unlock_ca(session: Session, ca_password: str) -> tuple[SigningKey, x509.Certificate]:
    row = _active_ca(session)
    if row is None or row.pkcs12 is None:
        raise NotFoundError(_("This database has no office certificate authority: create or "
                              "import one first (goldenrule keys init-ca)."))
    return _open_pkcs12(row.pkcs12, ca_password, _("Wrong CA passphrase: no key was issued."))


# --- user keys --------------------------------------------------------------------------

def _active_user_cert(session: Session, user_id: int) -> Certificate | None:
    return session.scalars(select(Certificate).where(Certificate.kind == "user",
                                                     Certificate.user_id == user_id,
                                                     Certificate.status == "active")
                           .order_by(Certificate.id.desc()).limit(1)).first()


def issue_key(session: Session, actor_id: int | None, user: User, user_password: str,
              ca_password: str) -> CertificateInfo:
    """A new key pair and certificate for ``user``; any earlier key is retired, not lost."""
    ca_key, ca_cert = _unlock_ca(session, ca_password)
    key = _new_private_key()
    now = datetime.now(UTC) - timedelta(minutes=5)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user.full_name),
                         x509.NameAttribute(NameOID.USER_ID, user.username),
                         *[a for a in ca_cert.subject if a.oid == NameOID.ORGANIZATION_NAME]])
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value \
        if _has_ski(ca_cert) else None
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now)
               .not_valid_after(min(now + timedelta(days=365 * USER_YEARS),
                                    ca_cert.not_valid_after_utc))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False))
    if ski is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    del ca_key
    old = _active_user_cert(session, user.id)
    if old is not None:
        before = _event(old)
        old.status = "retired"
        old.retired_at = now_utc()
        # The old key stays locked under the password it had; only its certificate matters now.
        session.flush()
        record_change(session, actor_id, "keys.retire", "certificate", old.id, before,
                      _event(old))
    row = _row(session, "user", cert, _pkcs12(user.username, key, cert, user_password),
               user.id, actor_id)
    del key
    record_change(session, actor_id, "keys.issue", "certificate", row.id, None,
                  {**_event(row), "user": user.username})
    return _info(session, row)


def _has_ski(cert: x509.Certificate) -> bool:
    try:
        cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        return True
    except x509.ExtensionNotFound:
        return False


def issue_user_key(uow: UnitOfWork, actor: Actor, username: str, user_password: str,
                   ca_password: str) -> CertificateInfo:
    """Issue (or rotate) a user's key. The user's current password protects the new key."""
    from app.users import password_matches

    require(actor, Permission.MANAGE_KEYS)
    user = uow.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFoundError(_("No account named '{name}'.").format(name=username))
    if not password_matches(user, user_password):
        raise AuthenticationError(_(
            "That is not {name}'s current password: the new key would be locked under a "
            "password they do not know. Nothing was issued.").format(name=username))
    info = issue_key(uow.session, actor.id, user, user_password, ca_password)
    uow.commit()
    return info


def rewrap_user_key(session: Session, user_id: int, old_password: str,
                    new_password: str) -> bool:
    """Re-protect the active key under a new password; False if the old one cannot open it
    (the key is then retired and a new one must be issued)."""
    row = _active_user_cert(session, user_id)
    if row is None or row.pkcs12 is None:
        return False
    try:
        key, cert = _open_pkcs12(row.pkcs12, old_password, _("Wrong password."))
    except AuthenticationError:
        return False
    row.pkcs12 = _pkcs12(session.get_one(User, user_id).username, key, cert, new_password)
    del key
    session.flush()
    return True


def retire_user_key(session: Session, actor_id: int | None, user_id: int, reason: str) -> None:
    row = _active_user_cert(session, user_id)
    if row is None:
        return
    before = _event(row)
    row.status = "retired"
    row.retired_at = now_utc()
    session.flush()
    record_change(session, actor_id, "keys.retire", "certificate", row.id, before,
                  {**_event(row), "reason": reason})


def user_certificate(uow: UnitOfWork, user_id: int) -> CertificateInfo | None:
    row = _active_user_cert(uow.session, user_id)
    return _info(uow.session, row) if row else None


def list_certificates(uow: UnitOfWork) -> list[CertificateInfo]:
    rows = uow.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    return [_info(uow.session, r) for r in rows]


# --- signing and verifying --------------------------------------------------------------

@dataclass
class Signer:
    """An unlocked key for one signing; ``unlocked`` drops it as soon as the block ends."""

    certificate_id: int
    certificate: x509.Certificate
    _key: SigningKey | None

    def sign(self, data: bytes) -> bytes:
        if self._key is None:
            raise RuntimeError("signer used after it was closed")
        return sign_with(self._key, data)

    @property
    def key(self) -> SigningKey:
        if self._key is None:
            raise RuntimeError("signer used after it was closed")
        return self._key

    def close(self) -> None:
        self._key = None


def sign_with(key: SigningKey, data: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


@contextmanager
def unlocked(session: Session, user_id: int, password: str) -> Iterator[Signer]:
    row = _active_user_cert(session, user_id)
    if row is None or row.pkcs12 is None:
        raise NotFoundError(_("You have no signing key: an administrator must issue one "
                              "(Settings › Users › Issue key, or goldenrule keys issue)."))
    key, cert = _open_pkcs12(row.pkcs12, password, _("Wrong password: nothing was signed."))
    signer = Signer(row.id, cert, key)
    del key
    try:
        yield signer
    finally:
        signer.close()


def verify_with(cert: x509.Certificate, data: bytes, signature: bytes) -> bool:
    public = cert.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def issued_by(cert: x509.Certificate, cas: list[x509.Certificate]) -> x509.Certificate | None:
    """The office CA certificate that issued ``cert``, if any."""
    for ca in cas:
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return ca
    return None


def load_certificate(session: Session, certificate_id: int) -> x509.Certificate:
    row = session.get_one(Certificate, certificate_id)
    return x509.load_pem_x509_certificate(row.certificate_pem.encode())


def new_password_token() -> str:
    """A random passphrase suggestion for the CA (shown once, never stored)."""
    return secrets.token_urlsafe(18)
