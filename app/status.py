"""Case statuses and the transitions between them, enforced for the UI and the CLI alike.

Outcomes (approved, refused, ...) are reached only by a signed decision record, never by a
plain status change; the generic transition use case refuses them.
"""

from __future__ import annotations

from enum import StrEnum

from app.errors import StatusTransitionError
from app.i18n import N_, _


class CaseStatus(StrEnum):
    DRAFT = "draft"
    RECEIVED = "received"
    IN_ASSESSMENT = "in_assessment"
    ON_HOLD = "on_hold"
    REFERRED = "referred"
    AWAITING_COUNTERSIGNATURE = "awaiting_countersignature"
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return _(STATUS_LABELS[self])


STATUS_LABELS = {
    CaseStatus.DRAFT: N_("Draft"),
    CaseStatus.RECEIVED: N_("Received"),
    CaseStatus.IN_ASSESSMENT: N_("In assessment"),
    CaseStatus.ON_HOLD: N_("On hold"),
    CaseStatus.REFERRED: N_("Referred to supervisor"),
    CaseStatus.AWAITING_COUNTERSIGNATURE: N_("Awaiting countersignature"),
    CaseStatus.APPROVED: N_("Approved"),
    CaseStatus.APPROVED_WITH_CONDITIONS: N_("Approved with conditions"),
    CaseStatus.REFUSED: N_("Refused"),
    CaseStatus.WITHDRAWN: N_("Withdrawn"),
    CaseStatus.SUSPENDED: N_("Suspended"),
    CaseStatus.REVOKED: N_("Revoked"),
}

S = CaseStatus

#: Every allowed move. Moves marked as decision-only need a signed decision record.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.DRAFT: frozenset({S.RECEIVED, S.WITHDRAWN}),
    S.RECEIVED: frozenset({S.IN_ASSESSMENT, S.ON_HOLD, S.WITHDRAWN}),
    S.IN_ASSESSMENT: frozenset(
        {S.ON_HOLD, S.REFERRED, S.AWAITING_COUNTERSIGNATURE, S.APPROVED,
         S.APPROVED_WITH_CONDITIONS, S.REFUSED, S.WITHDRAWN}
    ),
    S.ON_HOLD: frozenset({S.IN_ASSESSMENT, S.RECEIVED, S.WITHDRAWN}),
    S.REFERRED: frozenset({S.IN_ASSESSMENT, S.AWAITING_COUNTERSIGNATURE, S.APPROVED,
                           S.APPROVED_WITH_CONDITIONS, S.REFUSED}),
    S.AWAITING_COUNTERSIGNATURE: frozenset(
        {S.IN_ASSESSMENT, S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REFUSED}
    ),
    S.APPROVED: frozenset({S.SUSPENDED, S.REVOKED}),
    S.APPROVED_WITH_CONDITIONS: frozenset({S.SUSPENDED, S.REVOKED}),
    S.SUSPENDED: frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REVOKED}),
    S.REFUSED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.REVOKED: frozenset(),
}

#: Statuses that only a signed decision record (decisions issue) may set.
DECISION_ONLY: frozenset[CaseStatus] = frozenset(
    {S.AWAITING_COUNTERSIGNATURE, S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REFUSED,
     S.SUSPENDED, S.REVOKED}
)

#: Statuses in which the application itself (parties, goods, particulars) may still change.
EDITABLE: frozenset[CaseStatus] = frozenset({S.DRAFT, S.RECEIVED, S.IN_ASSESSMENT, S.ON_HOLD})

#: Statuses that end the case's life for the register's "open cases" filter.
CLOSED: frozenset[CaseStatus] = frozenset(
    {S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REFUSED, S.WITHDRAWN, S.REVOKED}
)


def allowed_targets(current: CaseStatus, *, by_decision: bool = False) -> list[CaseStatus]:
    """Targets reachable from ``current``; without a decision record, outcomes are excluded."""
    targets = TRANSITIONS[current]
    if not by_decision:
        targets = targets - DECISION_ONLY
    return sorted(targets, key=list(CaseStatus).index)


def check_transition(current: CaseStatus, target: CaseStatus, *, by_decision: bool = False) -> None:
    if target == current:
        raise StatusTransitionError(
            _("The case is already {status}.").format(status=current.label.lower())
        )
    if target not in TRANSITIONS[current]:
        raise StatusTransitionError(
            _("A case cannot move from {current} to {target}.").format(
                current=current.label.lower(), target=target.label.lower()
            )
        )
    if target in DECISION_ONLY and not by_decision:
        raise StatusTransitionError(
            _("{target} is recorded by a signed decision, not by a status change.").format(
                target=target.label
            )
        )


def parse_status(text: str) -> CaseStatus:
    try:
        return CaseStatus(text)
    except ValueError:
        raise StatusTransitionError(
            _("Unknown status '{text}'. Known statuses: {known}.").format(
                text=text, known=", ".join(s.value for s in CaseStatus)
            )
        ) from None
