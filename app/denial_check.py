"""The denial hard-stop check: earlier denials of an essentially identical transaction.

For each denial in the register (another authority's notification, or this authority's own
refusal) that concerns a transaction essentially identical to the application and is less
than three years old (``app.denials``), the check gives:

* ``CONSULT`` while no consultation is recorded for it: approval is barred until the
  officer records whom they consulted and what came of it; a refusal or a referral is not;
* ``CLEAR`` once the consultation is recorded, with its summary in the detail.

No match gives one ``CLEAR``. Without a stored case (no unit of work, no case id) the check
cannot read the register: one ``NOT_AVAILABLE``.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app import denials
from app.hardstops import CheckContext, CheckResult, CheckStatus
from app.i18n import _
from db.models import Denial

CHECK_NAME = "denials"


def basis() -> str:
    return _("EU Common Position 2008/944/CFSP, Art 4(2): consult the state that denied an "
             "essentially identical transaction before approving")


class DenialCheck:
    name = CHECK_NAME

    def run(self, context: CheckContext) -> list[CheckResult]:
        if context.uow is None or context.case_id is None:
            return [CheckResult(
                self.name, "denial:register", CheckStatus.NOT_AVAILABLE,
                _("Denial register"),
                _("the denial register is searched only for a stored case"), basis())]
        uow = context.uow
        found = denials.matches_for(uow, context.data, context.case_id, context.as_of)
        if not found:
            notified = uow.session.scalar(select(func.count()).select_from(Denial)) or 0
            detail = "" if notified else _(
                "No denial notification of another authority has been imported yet: only "
                "this authority's own refusals were searched.")
            return [CheckResult(
                self.name, "denial:none", CheckStatus.CLEAR,
                _("No earlier denial of an essentially identical transaction in the last "
                  "three years"), detail, basis())]
        results = []
        for match in found:
            explanation = "\n".join(match.explanation)
            if match.consultation is None:
                results.append(CheckResult(
                    self.name, f"denial:{match.key}", CheckStatus.CONSULT, match.title,
                    explanation, basis(), match.denial.notifying))
            else:
                results.append(CheckResult(
                    self.name, f"denial:{match.key}", CheckStatus.CLEAR,
                    _("{title}: consultation recorded").format(title=match.title),
                    f"{match.consultation.summary}\n{explanation}", basis(),
                    match.denial.notifying))
        return results
