"""What every oversight report shares: the inputs bundle, criteria labels, working days,
money rounding, charts and the method notes about what a licence is.

Pure functions over ``Facts``: no database, no Qt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from app.i18n import _
from app.oversight.crosswalk import Crosswalk
from app.oversight.facts import DecisionFact, Facts
from app.oversight.rates import Converter
from app.oversight.redaction import Redactor
from app.oversight.regions import Regions
from app.reference import reference
from reports.oversight_model import Chart, Table

Basis = Literal["authorised", "actual"]
CENT = Decimal("0.01")
UNIT = Decimal(1)
_ONE_DAY = timedelta(days=1)


@dataclass
class Context:
    """The inputs of one report build."""

    facts: Facts
    basis: Basis
    currency: str                    # the report currency (ATT values, register bands)
    redactor: Redactor
    crosswalk: Crosswalk
    regions: Regions
    to_report: Converter             # into ``currency``
    to_eur: Converter                # into EUR, for COARM
    labels: Labeler = field(init=False)

    def __post_init__(self) -> None:
        self.labels = Labeler(self.crosswalk)


@dataclass
class Built:
    """One profile's part of the report, before the header is put on."""

    title: str
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    method: list[str] = field(default_factory=list)
    counted: int = 0
    nil: bool = False


class Labeler:
    """EU labels of a decision's cited criteria, through the crosswalk; a criterion with no
    entry keeps its own id ("framework:criterion") and is counted for the method notes."""

    def __init__(self, crosswalk: Crosswalk) -> None:
        self.crosswalk = crosswalk
        self._cache: dict[tuple[str, str], str | None] = {}
        self.unmapped: Counter[str] = Counter()

    def cited(self, decision: DecisionFact) -> list[str]:
        """One label per citation (two criteria under the same label give it twice)."""
        out = []
        for criterion in decision.criteria:
            key = (decision.framework_id, criterion)
            if key not in self._cache:
                self._cache[key] = self.crosswalk.label(*key)
            label = self._cache[key]
            if label is None:
                label = f"{decision.framework_id}:{criterion}"
                self.unmapped[label] += 1
            out.append(label)
        return out

    def of(self, decision: DecisionFact) -> tuple[str, ...]:
        """Each label once, in Common Position order."""
        if not decision.criteria:
            return ()
        return tuple(sorted(set(self.cited(decision)), key=self.crosswalk.sort_key))

    def counts_text(self, counts: Counter[str]) -> str:
        """"1 (2), 2a (1), 7 (3)": refused licences per label, in Common Position order."""
        return ", ".join(f"{label} ({counts[label]})"
                         for label in sorted(counts, key=self.crosswalk.sort_key))

    def notes(self) -> list[str]:
        notes = [_("Refusal criteria are given in the numbering of the EU Common Position "
                   "(Art 2, Criteria One to Eight), translated from each framework's own "
                   "criteria by the criteria crosswalk (version {v}), the authority's "
                   "mapping; decisions imported from a previous system keep the EU labels "
                   "they were recorded with.").format(v=self.crosswalk.version or "-")]
        if self.unmapped:
            listed = ", ".join(f"{k} ({n})" for k, n in sorted(self.unmapped.items()))
            notes.append(_("Some cited criteria have no entry in the crosswalk and are shown "
                           "as cited, as framework:criterion: {listed}.").format(listed=listed))
        return notes


def country(code: str) -> str:
    return reference().country_name(code)


def money(amount: Decimal) -> Decimal:
    """An amount as stated, to the cent."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def whole(amount: Decimal) -> Decimal:
    """A converted amount, to the whole unit, as the annual reports publish them."""
    return amount.quantize(UNIT, rounding=ROUND_HALF_UP)


def _weekdays_before(day: date) -> int:
    """Weekdays from Monday 0001-01-01 (ordinal 1) up to, not including, ``day``."""
    weeks, rest = divmod(day.toordinal() - 1, 7)
    return weeks * 5 + min(rest, 5)


def working_days(received: date, decided: date) -> int:
    """Weekdays after ``received`` up to and including ``decided`` (the day an application
    arrives is day 0); no public-holiday calendar."""
    return _weekdays_before(decided + _ONE_DAY) - _weekdays_before(received + _ONE_DAY)


def licence_kind(licence_type: str) -> tuple[str, int]:
    """("individual" | "open", target working days) from the licence-type table: a type
    with the 60-day target is an open licence. Types the table does not know (legacy
    imports) are open when their id says so ("OIEL", "OGEL", "open ...")."""
    known = reference().licence_types.get(licence_type)
    if known is not None:
        target = known.target_working_days
        return ("open" if target >= 60 else "individual", target)
    folded = licence_type.strip().casefold()
    if folded.startswith(("oiel", "ogel", "open")) or " open" in folded:
        return ("open", 60)
    return ("individual", 20)


def origin_text(origin: str) -> str:
    if origin == "signed":
        return _("signed")
    if origin == "pre-signing":
        return _("recorded before signing")
    if origin.startswith("import:"):
        return _("imported from {source}").format(source=origin.removeprefix("import:"))
    return origin


def is_import(decision: DecisionFact) -> bool:
    return decision.origin.startswith("import:")


def licence_notes(decisions: Iterable[DecisionFact]) -> list[str]:
    """What counts as a licence or a refusal, and how imported records are counted."""
    decisions = list(decisions)
    notes = [_("A licence or a refusal is a decision that took effect in the period: the "
               "case's latest decision record, neither returned nor awaiting "
               "countersignature, dated by that record. An approval later suspended or "
               "revoked still counts as issued; a revocation counts in the period it was "
               "made.")]
    imported = Counter(d.origin.removeprefix("import:") for d in decisions if is_import(d))
    if imported:
        sources = ", ".join(f"{s} ({n})" for s, n in sorted(imported.items()))
        notes.append(_("Decisions imported from a previous system: {n} of the {total} "
                       "counted ({sources}). They count like decisions made here, and their "
                       "criteria are as that system recorded them.").format(
            n=sum(imported.values()), total=len(decisions), sources=sources))
    unsigned = sum(1 for d in decisions if d.origin == "pre-signing")
    if unsigned:
        notes.append(_("Decisions recorded before decisions were signed: {n}; they count "
                       "like signed ones.").format(n=unsigned))
    return notes


def region_chart(ctx: Context, issued: Iterable[DecisionFact],
                 refused: Iterable[DecisionFact], what: str) -> Chart:
    counts: dict[str, list[float]] = {}
    for index, decisions in enumerate((issued, refused)):
        for d in decisions:
            counts.setdefault(ctx.regions.region(d.destination), [0.0, 0.0])[index] += 1
    unknown = _("No region")
    names = sorted(counts, key=lambda n: (n == unknown, n))
    return Chart(f"{what}-regions", _("Licences issued and refused by region (UN M49)"), "bar",
                 names, [(_("Issued"), [counts[n][0] for n in names]),
                         (_("Refused"), [counts[n][1] for n in names])],
                 y_title=_("Licences"))


def criteria_chart(ctx: Context, counts: Counter[str], what: str) -> Chart:
    labels = sorted(counts, key=ctx.crosswalk.sort_key)
    return Chart(f"{what}-criteria", _("Refusals by criterion (EU Common Position numbering)"),
                 "bar", labels, [(_("Refused licences citing it"),
                                  [float(counts[k]) for k in labels])],
                 y_title=_("Refused licences"))


def trend_chart(ctx: Context, issued: Iterable[DecisionFact],
                refused: Iterable[DecisionFact], what: str) -> Chart:
    years = list(range(ctx.facts.period_from.year, ctx.facts.period_to.year + 1))
    series = []
    for name, decisions in ((_("Issued"), issued), (_("Refused"), refused)):
        per_year = Counter(d.decided_on.year for d in decisions)
        series.append((name, [float(per_year[y]) for y in years]))
    return Chart(f"{what}-trend", _("Licences issued and refused per year"), "line",
                 [str(y) for y in years], series, y_title=_("Licences"))

