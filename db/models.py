"""SQLAlchemy 2 typed models: the stored shape of users, cases, parties, goods and drafts.

Money and quantities are kept as canonical decimal strings: SQLite has no exact decimal
type and a licence value must never drift by a rounding error.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReferenceCounter(Base):
    """Last number issued per year, so references stay gap-free and unique under concurrency."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status", "status"),
        Index("ix_cases_destination", "destination"),
        Index("ix_cases_received_date", "received_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(32))
    licence_type: Mapped[str] = mapped_column(String(32))
    applicant_reference: Mapped[str] = mapped_column(String(100), default="")
    exporter_name: Mapped[str] = mapped_column(String(300), default="")
    exporter_address: Mapped[str] = mapped_column(Text, default="")
    exporter_country: Mapped[str] = mapped_column(String(2), default="")
    exporter_registration: Mapped[str] = mapped_column(String(100), default="")
    destination: Mapped[str] = mapped_column(String(2), default="")
    end_use: Mapped[str] = mapped_column(Text, default="")
    euc_number: Mapped[str] = mapped_column(String(100), default="")
    euc_date: Mapped[date | None] = mapped_column(Date)
    euc_issuer: Mapped[str] = mapped_column(String(300), default="")
    received_date: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    parties: Mapped[list[Party]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Party.position"
    )
    goods: Mapped[list[GoodsLine]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="GoodsLine.position"
    )
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])

    __mapper_args__ = {"version_id_col": row_version}


class Party(Base):
    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(32))
    #: "YYYY", "YYYY-MM" or "YYYY-MM-DD" for an individual; empty when not known (or not a
    #: person). Sanctions screening weighs it against the listed dates of birth.
    birth_date: Mapped[str] = mapped_column(String(10), default="", server_default="")

    case: Mapped[Case] = relationship(back_populates="parties")


class GoodsLine(Base):
    __tablename__ = "goods_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    control_entry: Mapped[str] = mapped_column(String(64))
    att_category: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))

    case: Mapped[Case] = relationship(back_populates="goods")


class ChangeEvent(Base):
    """Who changed what and when, written in the same transaction as the change itself."""

    __tablename__ = "change_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    #: The hash of the event before this one ("" for the first), and this event's own hash
    #: over that and its content: editing, deleting or reordering an event breaks the chain.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Draft(Base):
    """Autosaved editor state, so a crash or a kill loses seconds of typing at most."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "draft_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    draft_key: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    base_version: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[datetime]


class FrameworkText(Base):
    """The exact framework file an assessment was made under, kept so it renders the same
    in ten years even after the authority updates or removes the file."""

    __tablename__ = "framework_texts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    framework_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    file_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime]


class Assessment(Base):
    """One case assessed under one framework; findings hang off it."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("case_id", "framework_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    framework_id: Mapped[str] = mapped_column(String(64))
    framework_sha256: Mapped[str] = mapped_column(ForeignKey("framework_texts.sha256"))
    check_reviews: Mapped[dict] = mapped_column(JSON, default=dict)
    current_step: Mapped[str] = mapped_column(String(64), default="checks")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    findings: Mapped[list[FindingRow]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="FindingRow.position")
    mitigations: Mapped[list[MitigationRow]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan",
        order_by="MitigationRow.position")
    framework_text: Mapped[FrameworkText] = relationship()

    __mapper_args__ = {"version_id_col": row_version}


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("assessment_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    criterion_id: Mapped[str] = mapped_column(String(32))
    level: Mapped[str | None] = mapped_column(String(64))
    residual_level: Mapped[str | None] = mapped_column(String(64))
    legal_test_met: Mapped[bool | None] = mapped_column(Boolean)
    rationale: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    answer_notes: Mapped[dict] = mapped_column(JSON, default=dict)
    mitigation_ids: Mapped[list] = mapped_column(JSON, default=list)

    assessment: Mapped[Assessment] = relationship(back_populates="findings")
    citations: Mapped[list[CitationRow]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", order_by="CitationRow.position")


class CitationRow(Base):
    """Evidence a finding relies on. ``evidence_id`` links to the evidence base once it exists;
    until then ``reference`` is a document reference typed by hand."""

    __tablename__ = "citations"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    reference: Mapped[str] = mapped_column(Text, default="")
    evidence_id: Mapped[int | None] = mapped_column(Integer, index=True)
    content_sha256: Mapped[str] = mapped_column(String(64), default="")
    grade: Mapped[str] = mapped_column(String(4), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    finding: Mapped[FindingRow] = relationship(back_populates="citations")


class MitigationRow(Base):
    __tablename__ = "mitigations"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    key: Mapped[str] = mapped_column(String(32))
    measure: Mapped[str] = mapped_column(Text, default="")
    verifier: Mapped[str] = mapped_column(String(300), default="")
    criteria: Mapped[list] = mapped_column(JSON, default=list)

    assessment: Mapped[Assessment] = relationship(back_populates="mitigations")


class PastIncident(Base):
    """The case's log of past possible violations, looked at before judging future risk."""

    __tablename__ = "past_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    occurred: Mapped[str] = mapped_column(String(10), default="")
    actor: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    investigated: Mapped[str] = mapped_column(String(16), default="unknown")


class DecisionRow(Base):
    """One signed record in a case's decision chain: the officer's decision, then each
    countersignature, return, suspension, revocation or reassessment as a new record that
    points at the one before. Never updated or deleted (SQLite triggers refuse both).

    ``snapshot`` is the canonical JSON that was signed; the other columns repeat what the
    lists and filters need and are checked against it by ``audit verify``."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("case_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(24), default="decision", index=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    framework_id: Mapped[str] = mapped_column(String(64))
    framework_version: Mapped[str] = mapped_column(String(40))
    framework_sha256: Mapped[str] = mapped_column(ForeignKey("framework_texts.sha256"))
    outcome: Mapped[str] = mapped_column(String(32), index=True)
    rationale: Mapped[str] = mapped_column(Text)
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    criteria_cited: Mapped[list] = mapped_column(JSON, default=list)
    as_of: Mapped[date] = mapped_column(Date)
    checks: Mapped[list] = mapped_column(JSON, default=list)
    evaluation: Mapped[dict] = mapped_column(JSON)
    findings: Mapped[dict] = mapped_column(JSON)
    status_before: Mapped[str] = mapped_column(String(32))
    status_after: Mapped[str] = mapped_column(String(32))
    countersignatures_required: Mapped[int] = mapped_column(Integer, default=0)
    decided_at: Mapped[datetime]
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: "signed", "pre-signing" (recorded before records were signed) or "import:<source>".
    origin: Mapped[str] = mapped_column(String(80), default="signed")
    snapshot: Mapped[str | None] = mapped_column(Text)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    decided_by: Mapped[User] = relationship()


class RationaleDocument(Base):
    """One revision of a decision's signed rationale: the PDF, the workbook, or the
    workbook's detached signature. Made when the decision is signed (the signer's key is
    unlocked only then); each countersignature adds a revision of the PDF and of the
    signature file. Never updated or deleted (SQLite triggers refuse both)."""

    __tablename__ = "rationale_documents"
    __table_args__ = (UniqueConstraint("decision_id", "kind", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The decision record the documents set out.
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    #: "pdf", "xlsx" or "xlsx.p7s".
    kind: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    #: The signed record (decision or countersignature) whose signature this revision adds.
    signed_record_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Shipment(Base):
    """An actual export made under a licence (date, quantity, value), so oversight reports
    can give actual transfers beside authorised ones. Recorded by hand or imported from
    CSV; corrections are new rows that reverse the old (negative quantity and value)."""

    __tablename__ = "shipments"
    __table_args__ = (Index("ix_shipments_shipped_on", "shipped_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    shipped_on: Mapped[date] = mapped_column(Date)
    control_entry: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Exact decimals as text, as goods lines keep them.
    quantity: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str] = mapped_column(Text, default="")
    #: "manual" or "import:<file name>".
    source: Mapped[str] = mapped_column(String(200), default="manual")
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Certificate(Base):
    """The office CA's certificate and each user's key pair and certificate.

    Keys are kept only as password-protected PKCS#12 (the user's password; the CA
    passphrase for the CA). A rotated key stays here, retired, so old signatures verify."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    serial: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(400))
    fingerprint_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_pem: Mapped[str] = mapped_column(Text)
    pkcs12: Mapped[bytes | None] = mapped_column(LargeBinary)
    not_before: Mapped[datetime]
    not_after: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    retired_at: Mapped[datetime | None]


class Setting(Base):
    """An authority-wide setting (declared in app/settings.py), changed only with an event."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict | list | str | int | bool | None] = mapped_column(JSON)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Blob(Base):
    """An original file, stored once by its SHA-256 and never altered."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime]


class EvidenceItem(Base):
    """An evidence item: what stays the same across its versions (identity, who added it)."""

    __tablename__ = "evidence_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_versions.id", use_alter=True), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}


class EvidenceVersion(Base):
    """One version of an item's content. Never updated: an edit adds a version, and a
    citation names the version the officer saw by ``content_sha256``."""

    __tablename__ = "evidence_versions"
    __table_args__ = (
        UniqueConstraint("item_id", "version_no"),
        Index("ix_evidence_versions_published_on", "published_on"),
        # Both hold the columns searches filter on, so a filter is tested in the index
        # without reading the version's row (2 KB and more): see db/search.py.
        # The list without search words, newest first, read in index order:
        Index("ix_evidence_versions_listing", "sort_date", "item_id", "events_from",
              "events_to", "published_on", "source_kind", "reliability", "credibility"),
        # Full-text hits, by item:
        Index("ix_evidence_versions_item_filters", "item_id", "source_kind", "reliability",
              "credibility", "events_from", "events_to", "published_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"))
    version_no: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str] = mapped_column(String(300), default="")
    source_kind: Mapped[str] = mapped_column(String(40))
    document_ref: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(Text, default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    events_from: Mapped[date | None] = mapped_column(Date)
    events_to: Mapped[date | None] = mapped_column(Date)
    countries: Mapped[list] = mapped_column(JSON, default=list)
    places: Mapped[str] = mapped_column(Text, default="")
    actors: Mapped[list] = mapped_column(JSON, default=list)
    violations: Mapped[list] = mapped_column(JSON, default=list)
    item_categories: Mapped[list] = mapped_column(JSON, default=list)
    reliability: Mapped[str] = mapped_column(String(1))
    credibility: Mapped[str] = mapped_column(String(1))
    summary: Mapped[str] = mapped_column(Text, default="")
    full_text: Mapped[str] = mapped_column(Text, default="")
    attachment_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    attachment_name: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The actors joined by " ; ", as the full-text index holds them (on SQLite the index
    #: reads its text from the current versions: db/search.py).
    actors_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The date lists are ordered by: publication, else the start of the events. Computed by
    #: the database (a virtual column), never written.
    sort_date: Mapped[date | None] = mapped_column(
        Date, Computed("coalesce(published_on, events_from)"))


class EvidenceTag(Base):
    """The current version's multi-valued fields, one row each, so filters use an index
    instead of scanning JSON: kind is country, violation, category or actor."""

    __tablename__ = "evidence_tags"
    __table_args__ = (Index("ix_evidence_tags_kind_value", "kind", "value", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(300))


# --- screening (issue 8) -----------------------------------------------------------------

class SanctionList(Base):
    """A list the authority screens against (UN, OFAC SDN, a national list...). Its contents
    live in versions; ``active`` says whether screening uses it."""

    __tablename__ = "sanction_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    source_format: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class ListVersion(Base):
    """One imported file of a list: a dated snapshot that is never changed afterwards. The
    newest version of an active list is the one screening uses."""

    __tablename__ = "list_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("sanction_lists.id"), index=True)
    published: Mapped[date | None] = mapped_column(Date)
    imported_at: Mapped[datetime]
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    entry_count: Mapped[int] = mapped_column(Integer)
    name_count: Mapped[int] = mapped_column(Integer, default=0)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("list_versions.id"))
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    amended: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list] = mapped_column(JSON, default=list)


class ListEntryRow(Base):
    """One entry of one list version, as parsed (``data`` is ListEntry.to_json())."""

    __tablename__ = "list_entries"
    __table_args__ = (UniqueConstraint("version_id", "entry_key",
                                       name="uq_list_entries_version_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("list_versions.id"), index=True)
    entry_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)


class ScreeningRun(Base):
    """One screening of a case's parties: which list versions, which threshold, what was
    found. Kept for the case's history and the decision record."""

    __tablename__ = "screening_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    run_at: Mapped[datetime]
    run_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: "manual", "list-update" or "decision".
    reason: Mapped[str] = mapped_column(String(32))
    threshold: Mapped[int] = mapped_column(Integer)
    normaliser: Mapped[str] = mapped_column(String(16))
    #: [{"list_id", "list", "version_id", "published", "file_sha256"}]
    versions: Mapped[list] = mapped_column(JSON)
    #: [{"key", "role", "name", "country"}]
    parties: Mapped[list] = mapped_column(JSON)
    hit_count: Mapped[int] = mapped_column(Integer, default=0)
    open_count: Mapped[int] = mapped_column(Integer, default=0)
    new_count: Mapped[int] = mapped_column(Integer, default=0)

    hits: Mapped[list[ScreeningHit]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ScreeningHit.id")


class ScreeningHit(Base):
    """A list entry that scored at or above the threshold against one party, with the
    explanation of the score."""

    __tablename__ = "screening_hits"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("screening_runs.id"), index=True)
    party_key: Mapped[str] = mapped_column(String(64), index=True)
    party_role: Mapped[str] = mapped_column(String(32))
    party_name: Mapped[str] = mapped_column(String(300))
    list_id: Mapped[int] = mapped_column(ForeignKey("sanction_lists.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("list_versions.id"))
    entry_key: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    entry_name: Mapped[str] = mapped_column(String(500))
    score: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[dict] = mapped_column(JSON)
    #: The disposition in force when the run was made: "open", "match", "false_positive";
    #: "new" marks an open hit the case's previous run did not have.
    status: Mapped[str] = mapped_column(String(16))
    is_new: Mapped[bool] = mapped_column(Boolean, default=False)

    run: Mapped[ScreeningRun] = relationship(back_populates="hits")


class ScreeningDisposition(Base):
    """An officer's judgement of one hit: the party (by its normalised name and country) is,
    or is not, the listed entry. Append-only: the newest row for a party and entry wins, and
    it holds only while the entry's content hash is unchanged."""

    __tablename__ = "screening_dispositions"
    __table_args__ = (Index("ix_screening_dispositions_lookup", "party_key", "list_id",
                            "entry_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_key: Mapped[str] = mapped_column(String(64))
    party_name: Mapped[str] = mapped_column(String(300))
    list_id: Mapped[int] = mapped_column(ForeignKey("sanction_lists.id"))
    entry_key: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    entry_name: Mapped[str] = mapped_column(String(500))
    #: "match" or "false_positive".
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    decided_at: Mapped[datetime]
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Denial(Base):
    """A denial notification of another authority (EU Common Position Art 4), as imported.
    The authority's own refusals are read from its decisions, not copied here."""

    __tablename__ = "denials"
    __table_args__ = (Index("ix_denials_country", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    regime_reg_ref: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(Text, default="")
    notifying_government: Mapped[str] = mapped_column(String(200))
    #: ISO alpha-2 of the destination, "" when the file's country could not be resolved
    #: (the text is kept in country_text).
    country: Mapped[str] = mapped_column(String(2), default="")
    country_text: Mapped[str] = mapped_column(String(200), default="")
    control_entry: Mapped[str] = mapped_column(String(64), default="")
    item_description: Mapped[str] = mapped_column(Text, default="")
    end_use: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    #: end_user, consignee or third_party.
    entity_type: Mapped[str] = mapped_column(String(32))
    notified_on: Mapped[date] = mapped_column(Date)
    imported_at: Mapped[datetime]
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(String(300), default="")


class DenialConsultation(Base):
    """The consultation an officer records before approving a transaction essentially
    identical to one another authority (or this one) denied."""

    __tablename__ = "denial_consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: "notified:<reference>" or "own:<case reference>".
    denial_key: Mapped[str] = mapped_column(String(100))
    consulted: Mapped[str] = mapped_column(String(200))
    consulted_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
