"""What a rationale document shows, resolved to display text.

The renderers (PDF and workbook) never read the database or the live tables: the app layer
builds one ``RationaleInput`` from a signed decision snapshot (``app/rationale.py``), so
both documents show exactly what was signed, with labels already translated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PartyView:
    role: str            # "End user", "Consignee", "Exporter", ...
    name: str
    country: str         # "Myanmar (MM)"
    kind: str = ""       # "Police or security force", ...
    address: str = ""
    role_code: str = ""  # "end_user", "consignee", ... (the label above is translated)


@dataclass(frozen=True)
class GoodsView:
    control_entry: str   # "ML3.a"
    description: str
    quantity: str        # exact decimal text, as signed
    unit: str
    value: str           # exact decimal text, as signed
    currency: str
    att_category: str = ""   # "Ammunition", "VII. Small arms", ...


@dataclass(frozen=True)
class CheckView:
    """One hard-stop check (embargo, prohibition, sanctions...) and its result."""

    title: str
    status: str          # "Applies", "Clear", "Needs review", ...
    blocking: bool       # True when it prohibits approval
    basis: str = ""
    detail: str = ""


@dataclass(frozen=True)
class CitedEvidence:
    """An evidence item as cited: the content hash names the exact version relied on."""

    reference: str           # "EV-000123" or the hand-typed document reference
    title: str
    grade: str               # "B2" (reliability + credibility) or "" when ungraded
    content_sha256: str
    publisher: str = ""
    source_kind: str = ""    # "NGO report", "UN document", ...
    published_on: str = ""   # ISO date or ""
    note: str = ""           # the officer's note on why it was cited
    criteria: tuple[str, ...] = ()   # criterion ids citing it
    has_original: bool = False       # an original file is stored (goes into the bundle)


@dataclass(frozen=True)
class AnswerView:
    question: str
    answer: str
    note: str = ""


@dataclass(frozen=True)
class CriterionView:
    id: str
    title: str
    citation: str            # legal source, e.g. "ATT Art 7(1)(b)(i)"
    legal_test: str          # the project's own summary of the test
    level: str               # label of the risk level found, "" when not assessed
    residual_level: str = ""     # after mitigation, "" when none
    legal_test_met: bool | None = None
    met_text: str = ""       # "Met: refusal required" / "Not met" ...
    rationale: str = ""
    answers: tuple[AnswerView, ...] = ()
    citations: tuple[CitedEvidence, ...] = ()
    mitigations: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignatureView:
    kind: str                # "Decision", "Countersignature"
    record_ref: str          # "GR-2026-00008/2"
    name: str
    role: str
    username: str
    signed_at: datetime
    certificate_sha256: str
    note: str = ""


@dataclass(frozen=True)
class AuditEventView:
    id: int
    at: datetime
    actor: str
    action: str              # "case.create", "decision.sign", ...
    summary: str
    hash: str


@dataclass
class RationaleInput:
    # Identity
    record_ref: str              # "GR-2026-00008/1"
    case_ref: str                # "GR-2026-00008"
    classification: str          # "OFFICIAL-SENSITIVE"
    authority: str               # issuing authority's name, may be ""
    is_demo: bool
    # Framework
    framework_title: str
    framework_id: str
    framework_version: str
    framework_sha256: str
    # Outcome
    outcome: str                 # "approve", "refuse", ...
    outcome_label: str           # "Refuse"
    headline: str                # the evaluation's one-line result
    decision_rationale: str      # the officer's reasons
    criteria_cited: tuple[str, ...]       # criterion titles invoked for a refusal
    conditions: tuple[str, ...]
    explanation: tuple[str, ...]          # the rule engine's explanation lines
    as_of: str                   # evidence as-of date (ISO)
    # Application
    application: tuple[tuple[str, str], ...]   # (label, value) pairs: licence type, dates, ...
    exporter: PartyView
    parties: tuple[PartyView, ...]
    goods: tuple[GoodsView, ...]
    end_use: str
    end_user_certificate: str    # "DEMO-MPF-EUC-0311, Ministry of Home Affairs, 2026-10-13"
    destination: str             # "Myanmar (MM)"
    # Assessment
    checks: tuple[CheckView, ...]
    criteria: tuple[CriterionView, ...]
    mitigations: tuple[str, ...]
    past_incidents: tuple[str, ...]
    evidence: tuple[CitedEvidence, ...]    # every distinct item cited, for the appendix
    # Signing
    signatures: tuple[SignatureView, ...]
    countersignatures_required: int
    countersigning_rules: tuple[str, ...]
    audit_events: tuple[AuditEventView, ...]
    audit_head: str              # chain head hash at signing
    snapshot_sha256: str
    snapshot_bytes: bytes = field(repr=False, default=b"")   # canonical JSON, for embedding
    generated_at: datetime | None = None
    #: What sanctions screening the decision rested on: lists and versions, threshold, each
    #: hit with its judgement; one sentence per line. Empty when no list was in use.
    screening: tuple[str, ...] = ()
