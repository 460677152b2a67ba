"""Automatic hard-stop checks run for every case: embargoes now, sanctions and denials later.

A check is anything with a ``name`` and a ``run(context)`` method; the registry holds the
checks the authority applies. Later issues (screening, denial register) add their checks
here; until then tests register doubles. The engine treats every result the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from app.casedata import CaseData
from app.i18n import N_, _
from app.uow import UnitOfWork


class CheckStatus(StrEnum):
    #: Nothing found.
    CLEAR = "clear"
    #: A hard stop applies: refusal is mandatory.
    APPLIES = "applies"
    #: Something may apply and the officer must say whether it does (e.g. a regional
    #: embargo, or one on a kind of end user the application does not make clear).
    REVIEW = "review"
    #: Open matches that must be resolved before the case can be finalised.
    UNRESOLVED = "unresolved"
    #: The check could not run (no list imported yet); shown, not blocking.
    NOT_AVAILABLE = "not_available"
    #: Approval is barred until the officer records a consultation (an earlier denial of an
    #: essentially identical transaction); a refusal or a referral is not.
    CONSULT = "consult"

    @property
    def label(self) -> str:
        return _(CHECK_STATUS_LABELS[self])


CHECK_STATUS_LABELS = {
    CheckStatus.CLEAR: N_("Clear"),
    CheckStatus.APPLIES: N_("Hard stop applies"),
    CheckStatus.REVIEW: N_("Needs the officer's review"),
    CheckStatus.UNRESOLVED: N_("Unresolved matches"),
    CheckStatus.NOT_AVAILABLE: N_("Not available"),
    CheckStatus.CONSULT: N_("Consultation required before approval"),
}


@dataclass(frozen=True)
class CheckResult:
    """One finding of one check. ``key`` is stable so an officer's review can refer to it."""

    check: str
    key: str
    status: CheckStatus
    title: str
    detail: str = ""
    basis: str = ""
    authority: str = ""

    def to_json(self) -> dict[str, str]:
        return {"check": self.check, "key": self.key, "status": self.status.value,
                "title": self.title, "detail": self.detail, "basis": self.basis,
                "authority": self.authority}

    @classmethod
    def from_json(cls, doc: dict[str, str]) -> CheckResult:
        return cls(doc["check"], doc["key"], CheckStatus(doc["status"]), doc["title"],
                   doc.get("detail", ""), doc.get("basis", ""), doc.get("authority", ""))


@dataclass(frozen=True)
class CheckContext:
    """What a check may look at: the application, its id, the date it is judged at and,
    for checks that read stored lists (screening, denials), the open unit of work."""

    data: CaseData
    as_of: date
    case_id: int | None = None
    uow: UnitOfWork | None = None


class HardStopCheck(Protocol):
    name: str

    def run(self, context: CheckContext) -> list[CheckResult]: ...


@dataclass
class CheckRegistry:
    checks: list[HardStopCheck] = field(default_factory=list)

    def register(self, check: HardStopCheck) -> None:
        self.checks = [c for c in self.checks if c.name != check.name] + [check]

    def unregister(self, name: str) -> None:
        self.checks = [c for c in self.checks if c.name != name]

    def run(self, context: CheckContext) -> list[CheckResult]:
        results: list[CheckResult] = []
        for check in self.checks:
            results.extend(check.run(context))
        return results


def default_registry() -> CheckRegistry:
    """The checks every case gets: embargoes, sanctions-list screening, earlier denials."""
    from app.denial_check import DenialCheck
    from app.embargoes import EmbargoCheck
    from app.screening.check import ScreeningCheck

    return CheckRegistry([EmbargoCheck(), ScreeningCheck(), DenialCheck()])


_REGISTRY: CheckRegistry | None = None


def registry() -> CheckRegistry:
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = default_registry()
    return _REGISTRY


def run_checks(data: CaseData, as_of: date, case_id: int | None = None,
               checks: CheckRegistry | None = None,
               uow: UnitOfWork | None = None) -> list[CheckResult]:
    return (checks or registry()).run(CheckContext(data, as_of, case_id, uow))


def summarise(results: Sequence[CheckResult]) -> CheckStatus:
    """The worst status among results, for a step's badge."""
    order = [CheckStatus.APPLIES, CheckStatus.UNRESOLVED, CheckStatus.REVIEW,
             CheckStatus.CONSULT, CheckStatus.NOT_AVAILABLE, CheckStatus.CLEAR]
    statuses = {r.status for r in results}
    return next((s for s in order if s in statuses), CheckStatus.CLEAR)


def by_check(results: Iterable[CheckResult]) -> dict[str, list[CheckResult]]:
    grouped: dict[str, list[CheckResult]] = {}
    for r in results:
        grouped.setdefault(r.check, []).append(r)
    return grouped
