"""Signing and checking documents: PAdES signatures on PDFs, detached CMS on other files.

pyHanko does the cryptographic work (signature dictionaries, byte ranges, CMS structures,
path validation, the difference analysis of incremental updates); this module decides what a
Golden Rule document must satisfy to be called intact, in plain words a reader understands.
Keys and certificates come in as ``cryptography`` objects so that callers never need to
know about asn1crypto.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asn1crypto import cms as asn1_cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation import generic_cms, validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

# pyHanko's stamp layout warns when its own scaling leaves a content box a rounding error
# (240.00000000000003 pt) wider than the field; the stamp is drawn correctly regardless.
logging.getLogger("pyhanko.pdf_utils.layout").setLevel(logging.ERROR)


@dataclass(frozen=True)
class SigningIdentity:
    """An unlocked key with its certificate and the chain up to the office CA."""

    key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    description: str
    mime_type: str = "application/json"


class DocumentError(Exception):
    """A document that cannot be read or signed, with a message for the user."""


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _pyhanko_signer(identity: SigningIdentity) -> signers.SimpleSigner:
    der = identity.key.private_bytes(serialization.Encoding.DER,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
    cert = _asn1_cert(identity.certificate)
    chain = [_asn1_cert(c) for c in identity.chain]
    return signers.SimpleSigner(signing_cert=cert,
                                signing_key=asn1_keys.PrivateKeyInfo.load(der),
                                cert_registry=SimpleCertificateStore.from_certs([cert, *chain]))


def _ascii_stamp(text: str) -> str:
    """pyHanko's built-in stamp font is a simple font; keep its text to Latin-1."""
    return text.encode("latin-1", "replace").decode("latin-1")


# --- PDF -------------------------------------------------------------------------------

def sign_pdf(data: bytes, identity: SigningIdentity, *, field_name: str, reason: str,
             stamp_text: str, page: int | None = None,
             box: tuple[float, float, float, float] | None = None,
             location: str = "", attachments: Sequence[Attachment] = ()) -> bytes:
    """Add one PAdES signature as an incremental update; earlier signatures stay intact.

    ``attachments`` go into the same update, so the signature covers them. Only the first
    signature may attach files: later additions to the file registry would read as
    tampering to a validator of the earlier signatures."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except (PdfError, ValueError, OSError) as exc:
        raise DocumentError(f"not a PDF that can be signed ({exc})") from None
    for item in attachments:
        ef = embed.EmbeddedFileObject.from_file_data(
            writer, data=item.data, mime_type=item.mime_type,
            params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=True))
        embed.embed_file(writer, embed.FileSpec(file_spec_string=item.name,
                                                file_name=item.name, embedded_data=ef,
                                                description=item.description))
    spec = None
    if box is not None and page is not None:
        spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=box)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256", reason=reason,
        location=location or None, subfilter=fields.SigSeedSubFilter.PADES)
    style = TextStampStyle(stamp_text=_ascii_stamp(stamp_text) + "\n%(ts)s",
                           timestamp_format="%Y-%m-%d %H:%M:%S UTC", border_width=1)
    pdf_signer = signers.PdfSigner(meta, signer=_pyhanko_signer(identity), stamp_style=style,
                                   new_field_spec=spec)
    try:
        out = pdf_signer.sign_pdf(writer)
    except (PdfError, SigningError, ValueError) as exc:
        raise DocumentError(f"the PDF could not be signed ({exc})") from None
    return out.getvalue()


@dataclass
class SignatureCheck:
    """One signature, checked: what a reader needs to decide whether to trust it."""

    field_name: str
    signer: str                  # common name
    username: str                # the certificate's UID, "" when none
    issuer: str
    certificate_sha256: str
    signed_at: datetime | None
    reason: str
    intact: bool                 # the signed bytes are unchanged
    valid: bool                  # the cryptographic signature verifies
    trusted: bool                # the certificate chains to a trusted office CA
    unchanged_after: bool        # nothing but further signatures was added after it
    whole_file: bool             # this signature covers every byte of the file
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.unchanged_after \
            and not self.problems


@dataclass
class PdfCheck:
    signatures: list[SignatureCheck]
    attachments: dict[str, bytes]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and not self.problems and all(
            s.ok for s in self.signatures)


def _name_part(cert: asn1_x509.Certificate, key: str) -> str:
    value = cert.subject.native.get(key, "")
    return str(value[0] if isinstance(value, list) else value)


def _trust_context(trust_roots: Sequence[x509.Certificate],
                   extra: Sequence[asn1_x509.Certificate] = ()) -> ValidationContext:
    return ValidationContext(trust_roots=[_asn1_cert(c) for c in trust_roots],
                             other_certs=list(extra), allow_fetching=False,
                             revocation_mode="soft-fail")


def _cert_sha256(cert: asn1_x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def _attachments(data: bytes) -> dict[str, bytes]:
    """The embedded files, read by pypdf (which walks name trees with kids)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return {name: contents[0] for name, contents in
                PdfReader(io.BytesIO(data), strict=False).attachments.items() if contents}
    except (PyPdfError, KeyError, ValueError, TypeError, AttributeError):
        return {}


def verify_pdf(data: bytes, trust_roots: Sequence[x509.Certificate]) -> PdfCheck:
    """Every signature of a PDF, checked; never raises on a bad file."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # a truncated or foreign file: pyHanko raises many kinds
        return PdfCheck([], {}, [f"This is not a readable PDF ({type(exc).__name__}: "
                                 f"{str(exc)[:200]})."])
    if not embedded:
        return PdfCheck([], _attachments(data), ["The PDF carries no digital signature."])
    checks: list[SignatureCheck] = []
    for index, sig in enumerate(embedded):
        checks.append(_check_pdf_signature(sig, trust_roots, last=index == len(embedded) - 1))
    problems: list[str] = []
    if not checks[-1].whole_file:
        problems.append("The file was changed after its last signature: bytes were added "
                        "that no signature covers.")
    return PdfCheck(checks, _attachments(data), problems)


def _check_pdf_signature(sig: Any, trust_roots: Sequence[x509.Certificate], *,
                         last: bool) -> SignatureCheck:
    cert = sig.signer_cert
    reason = str(sig.sig_object.get("/Reason", ""))
    result = SignatureCheck(
        field_name=str(sig.field_name), signer=_name_part(cert, "common_name"),
        username=_name_part(cert, "user_id"), issuer=cert.issuer.human_friendly,
        certificate_sha256=_cert_sha256(cert), signed_at=sig.self_reported_timestamp,
        reason=reason, intact=False, valid=False, trusted=False, unchanged_after=False,
        whole_file=False)
    try:
        status = validate_pdf_signature(sig, _trust_context(trust_roots))
    except (SignatureValidationError, PdfError, ValueError) as exc:
        result.problems.append(f"The signed content cannot be read any more, so it was "
                               f"changed after signing ({exc}).")
        return result
    result.intact, result.valid, result.trusted = status.intact, status.valid, status.trusted
    coverage = getattr(status.coverage, "name", str(status.coverage))
    result.whole_file = coverage == "ENTIRE_FILE"
    level = status.modification_level
    result.unchanged_after = result.whole_file or (
        status.docmdp_ok is not False and level is not None
        and level <= ModificationLevel.FORM_FILLING)
    if not result.intact:
        result.problems.append("The signed content was changed after signing.")
    elif not result.valid:
        result.problems.append("The signature does not verify against its certificate.")
    if result.intact and result.valid and not result.trusted:
        result.problems.append("The signing certificate does not chain to a trusted office "
                               "certificate authority.")
    if result.intact and not result.unchanged_after:
        result.problems.append("The document was modified after this signature in a way "
                               "that is not just a further signature.")
    return result


# --- detached CMS ----------------------------------------------------------------------

def sign_detached(data: bytes, identity: SigningIdentity,
                  existing: bytes | None = None) -> bytes:
    """A detached CMS SignedData (DER) over ``data``; with ``existing``, one more signer
    is added beside those already there, so a countersignature sits in the same file."""
    signer = _pyhanko_signer(identity)
    content_info = asyncio.run(signer.async_sign_general_data(
        data, "sha256", detached=True,
        signed_attr_settings=PdfCMSSignedAttributes(signing_time=datetime.now(UTC))))
    if existing is None:
        return content_info.dump()
    try:
        previous = asn1_cms.ContentInfo.load(existing)
        old = previous["content"]
        old_infos = list(old["signer_infos"])
    except (ValueError, TypeError, KeyError) as exc:
        raise DocumentError(f"the existing signature file cannot be read ({exc})") from None
    new = content_info["content"]
    certs = {c.chosen.dump(): c for c in old["certificates"]}
    for c in new["certificates"]:
        certs.setdefault(c.chosen.dump(), c)
    algorithms = {a.dump(): a for a in old["digest_algorithms"]}
    for a in new["digest_algorithms"]:
        algorithms.setdefault(a.dump(), a)
    merged = asn1_cms.SignedData({
        "version": old["version"], "digest_algorithms": list(algorithms.values()),
        "encap_content_info": old["encap_content_info"],
        "certificates": list(certs.values()),
        "signer_infos": [*old_infos, *new["signer_infos"]],
    })
    return asn1_cms.ContentInfo({"content_type": "signed_data", "content": merged}).dump()


@dataclass
class CmsCheck:
    signatures: list[SignatureCheck]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and not self.problems and all(
            s.ok for s in self.signatures)


def verify_detached(data: bytes, signature: bytes,
                    trust_roots: Sequence[x509.Certificate]) -> CmsCheck:
    """Each signer of a detached CMS signature over ``data``; never raises on bad input."""
    try:
        info = asn1_cms.ContentInfo.load(signature)
        if info["content_type"].native != "signed_data":
            raise ValueError("not a CMS SignedData")
        signed = info["content"]
        signer_infos = list(signed["signer_infos"])
        certificates = [c.chosen for c in signed["certificates"]]
    except Exception as exc:  # asn1crypto parses lazily and raises many kinds
        return CmsCheck([], [f"The signature file is not a CMS signature ({type(exc).__name__}:"
                             f" {str(exc)[:200]})."])
    if signer_infos and signed["encap_content_info"]["content"].native is not None:
        return CmsCheck([], ["The signature file embeds content: it is not a detached "
                             "signature."])
    checks = []
    for signer_info in signer_infos:
        single = asn1_cms.SignedData({
            "version": signed["version"], "digest_algorithms": signed["digest_algorithms"],
            "encap_content_info": signed["encap_content_info"],
            "certificates": signed["certificates"], "signer_infos": [signer_info]})
        checks.append(_check_cms_signer(data, single, certificates, trust_roots))
    if not checks:
        return CmsCheck([], ["The signature file holds no signer."])
    return CmsCheck(checks, [])


def _check_cms_signer(data: bytes, single: asn1_cms.SignedData,
                      certificates: list[asn1_x509.Certificate],
                      trust_roots: Sequence[x509.Certificate]) -> SignatureCheck:
    sid = single["signer_infos"][0]["sid"]
    cert = next((c for c in certificates if sid.name == "issuer_and_serial_number"
                 and c.issuer == sid.chosen["issuer"]
                 and c.serial_number == sid.chosen["serial_number"].native), None)
    if cert is None:
        cert = certificates[0] if certificates else None
    result = SignatureCheck(
        field_name="", signer=_name_part(cert, "common_name") if cert else "",
        username=_name_part(cert, "user_id") if cert else "",
        issuer=cert.issuer.human_friendly if cert else "",
        certificate_sha256=_cert_sha256(cert) if cert else "",
        signed_at=None, reason="", intact=False, valid=False, trusted=False,
        unchanged_after=True, whole_file=True)
    try:
        status = asyncio.run(generic_cms.async_validate_detached_cms(
            data, single, signer_validation_context=_trust_context(trust_roots)))
    except Exception as exc:  # malformed signer infos surface as assorted errors
        result.problems.append(f"The signature could not be validated: {exc}")
        return result
    result.intact, result.valid, result.trusted = status.intact, status.valid, status.trusted
    signed_at = generic_cms.extract_self_reported_ts(single["signer_infos"][0])
    result.signed_at = signed_at.astimezone(UTC) if signed_at else None
    if not result.intact:
        result.problems.append("The file is not the one that was signed: its content has "
                               "changed.")
    elif not result.valid:
        result.problems.append("The signature does not verify against its certificate.")
    if result.intact and result.valid and not result.trusted:
        result.problems.append("The signing certificate does not chain to a trusted office "
                               "certificate authority.")
    return result
