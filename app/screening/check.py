"""The sanctions-screening hard stop: a party judged to be a listed entry means refusal; a
hit nobody has judged yet (or judged before the entry changed) blocks finalising.

It screens the application as the check sees it (the window's unsaved parties included)
against the lists in use today, and reads the remembered judgements, so it never relies on
a stored run being up to date.
"""

from __future__ import annotations

from app.hardstops import CheckContext, CheckResult, CheckStatus
from app.i18n import _
from app.screening.service import FALSE_POSITIVE, MATCH, role_label, screen_data

CHECK_NAME = "sanctions"


class ScreeningCheck:
    name = CHECK_NAME

    def run(self, context: CheckContext) -> list[CheckResult]:
        if context.uow is None:
            return [CheckResult(CHECK_NAME, "sanctions:unavailable", CheckStatus.NOT_AVAILABLE,
                                _("Sanctions-list screening"),
                                _("screening needs the database"))]
        screening = screen_data(context.uow, context.data, context.case_id)
        if not screening.available:
            return [CheckResult(CHECK_NAME, "sanctions:no-list", CheckStatus.NOT_AVAILABLE,
                                _("Sanctions-list screening"),
                                _("no sanctions list is imported or in use"))]
        scope = _("{n} parties screened against {lists} at threshold {t}").format(
            n=len(screening.parties), lists=screening.versions_text(), t=screening.threshold)
        out: list[CheckResult] = []
        for h in screening.hits:
            key = f"sanctions:{h.party.key}:{h.hit.list_id}:{h.hit.entry_key}"
            who = _("{role} {name}").format(role=role_label(h.party.role), name=h.party.name)
            listed = _("{entry} ({list}, entry {key}{ref})").format(
                entry=h.hit.entry_name, list=h.list_name, key=h.hit.entry_key,
                ref=f", {h.entry.reference}" if h.entry.reference else "")
            basis = ", ".join(h.entry.programmes)
            if h.state == MATCH:
                d = h.disposition
                out.append(CheckResult(
                    CHECK_NAME, key, CheckStatus.APPLIES,
                    _("{who} is listed: {listed}").format(who=who, listed=listed),
                    _("Judged a true match by {by} on {date}. {reason}").format(
                        by=d.decided_by if d else "", reason=d.reason if d else "",
                        date=d.decided_at.date().isoformat() if d else "").strip(),
                    basis=basis, authority=h.list_name))
            elif h.state != FALSE_POSITIVE:
                why = "; ".join(h.explanation.lines())
                title = (_("{who} may be {listed}: score {score}") if h.state == "open" else
                         _("{who} may be {listed}: the entry changed since it was judged, "
                           "judge it again (score {score})")).format(
                    who=who, listed=listed, score=h.hit.score)
                out.append(CheckResult(CHECK_NAME, key, CheckStatus.UNRESOLVED, title, why,
                                       basis=basis, authority=h.list_name))
        if not out:
            cleared = sum(1 for h in screening.hits if h.state == FALSE_POSITIVE)
            detail = scope + "." + (
                " " + _("{n} hits judged false positives.").format(n=cleared) if cleared
                else "")
            out.append(CheckResult(CHECK_NAME, "sanctions:clear", CheckStatus.CLEAR,
                                   _("No party is on a sanctions list in use"), detail))
        return out
