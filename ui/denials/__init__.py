"""The denial register and the consultations it asks for (EU Common Position 2008/944/CFSP,
Art 4; ``app/denials.py``).

``register_dialog`` lists every denial, notified or this authority's own, and imports
notifications; ``consult_dialog`` shows a case's essentially identical denials and records
the consultations that approval waits for. The check cards of an assessment name a denial by
its key (``denial_key_of``), which opens the consultation dialog on that denial.
"""

from __future__ import annotations

from app.denial_check import CHECK_NAME
from app.hardstops import CheckResult

#: Check-result keys of the denials check that name no denial (no match, no stored case).
_NOT_A_DENIAL = frozenset({"denial:none", "denial:register"})


def denial_key_of(result: CheckResult) -> str | None:
    """The register key (``notified:<ref>`` or ``own:<case ref>``) of a denials-check result
    that concerns one denial, else None: the card shows a consultation button only then."""
    if result.check != CHECK_NAME or result.key in _NOT_A_DENIAL:
        return None
    key = result.key.removeprefix("denial:")
    return key if key != result.key else None
