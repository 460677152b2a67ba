"""Strategic export controls statistics in the UK's form: licences issued, refused and
revoked per destination (individual and open), the value of individual licences, refusal
criteria counts and processing times against the working-day targets.

Unlike the EU table these count every decision, military and dual-use alike, and values
stay in the currency the licences state (one column per currency), since the UK figures
are not converted.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from decimal import Decimal

from app.i18n import N_, _
from app.oversight.common import (
    Built,
    Context,
    country,
    criteria_chart,
    licence_kind,
    licence_notes,
    money,
    region_chart,
    trend_chart,
    working_days,
)
from app.oversight.facts import DecisionFact
from app.oversight.redaction import ValueCell
from reports.oversight_model import Cell, Column, Table

ALL = ""
KINDS = ("individual", "open")
WHAT = ("issued", "refused", "revoked")
WHERE = N_("the UK destinations table")


def _destinations(ctx: Context, cited_by: dict[int, list[str]]) -> tuple[Table, list[str]]:
    facts, labels = ctx.facts, ctx.labels
    counts: Counter[tuple[str, str, str]] = Counter()
    values: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    cases: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    criteria: defaultdict[str, Counter[str]] = defaultdict(Counter)
    no_value = 0
    for d in facts.decisions:
        kind = licence_kind(d.licence_type)[0]
        counts[(d.destination, kind, d.outcome)] += 1
        if d.outcome == "refused":
            for dest in (d.destination, ALL):
                criteria[dest].update(set(cited_by[d.record_id]))
        elif kind == "individual":
            for line in d.lines:
                if line.value is None:
                    no_value += 1
                    continue
                currency = line.currency.strip().upper()
                for key in ((d.destination, currency), (ALL, currency)):
                    values[key] += line.value
                    cases[key].add(d.case_id)
    for d in facts.revocations:
        counts[(d.destination, licence_kind(d.licence_type)[0], "revoked")] += 1
    dests = sorted({k[0] for k in counts}, key=lambda c: (country(c), c))
    currencies = sorted({k[1] for k in cases})
    cells = ctx.redactor.values(
        {(d, c): ValueCell(money(values[(d, c)]) if cases[(d, c)] else None,
                           len(cases[(d, c)])) for d in (*dests, ALL) for c in currencies},
        [((ALL, c), [(d, c) for d in dests]) for c in currencies], WHERE)

    def row(dest: str) -> tuple[Cell, ...]:
        tally: Counter[tuple[str, str]] = Counter()
        for (d, k, w), n in counts.items():
            if dest in (ALL, d):
                tally[(k, w)] += n
        return (country(dest) if dest else _("All destinations"), dest,
                *(tally[(k, w)] for k in KINDS for w in WHAT),
                *(cells[(dest, c)] for c in currencies),
                labels.counts_text(criteria[dest]))

    columns = [Column("destination", _("Destination")), Column("code", _("Code"))]
    for kind in KINDS:
        for what in WHAT:
            title = {("individual", "issued"): _("Individual licences issued"),
                     ("individual", "refused"): _("Individual licences refused"),
                     ("individual", "revoked"): _("Individual licences revoked"),
                     ("open", "issued"): _("Open licences issued"),
                     ("open", "refused"): _("Open licences refused"),
                     ("open", "revoked"): _("Open licences revoked")}[(kind, what)]
            columns.append(Column(f"{kind}_{what}", title, "int"))
    for c in currencies:
        columns.append(Column(f"value_{c.lower() or 'unstated'}", _(
            "Value of individual licences issued ({currency})").format(
                currency=c or _("currency not stated")), "money", c))
    columns.append(Column("criteria", _("Refusal criteria (refused licences)")))
    table = Table("uk-destinations", _("Licences issued, refused and revoked by destination"),
                  columns, [row(d) for d in dests], totals=row(ALL), notes=[
        _("Values are those of individual licences issued, in the currency the licences "
          "state, one column per currency, not converted.")])
    notes = []
    if no_value:
        notes.append(_("{n} lines of individual licences state no value and add nothing to "
                       "the values.").format(n=no_value))
    notes.append(_("The criteria column counts refused licences citing each criterion, "
                   "individual and open together."))
    return table, notes


def _criteria(ctx: Context, refused: list[DecisionFact],
              cited_by: dict[int, list[str]]) -> tuple[Table, Counter[str]]:
    licences: Counter[str] = Counter()
    citations: Counter[str] = Counter()
    none = 0
    for d in refused:
        cited = cited_by[d.record_id]
        citations.update(cited)
        licences.update(set(cited))
        none += not cited
    xwalk = ctx.crosswalk
    rows: list[tuple[Cell, ...]] = [
        (label, xwalk.titles.get(label, ""), licences[label], citations[label])
        for label in sorted(citations, key=xwalk.sort_key)]
    notes = [_("A refused licence citing several criteria counts once under each; a "
               "citation is one criterion as the decision cited it, so two criteria of a "
               "framework that fall under the same EU criterion are two citations.")]
    if none:
        notes.append(_("{n} refusals cite no criterion.").format(n=none))
    return Table("uk-criteria", _("Refusal criteria"), [
        Column("criterion", _("Criterion")), Column("title", _("Title")),
        Column("licences", _("Refused licences citing it"), "int"),
        Column("citations", _("Citations"), "int")], rows,
        totals=(_("All refusals"), "", len(refused), sum(citations.values())),
        notes=notes), licences


def _percentile(ordered: list[int], share: float) -> int:
    """Nearest-rank percentile: the smallest value with at least ``share`` of the values
    at or below it."""
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _processing(ctx: Context) -> tuple[Table, list[str]]:
    days: dict[str, list[int]] = {k: [] for k in KINDS}
    within: Counter[str] = Counter()
    targets: dict[str, set[int]] = {k: set() for k in KINDS}
    undated: Counter[str] = Counter()
    inverted: Counter[str] = Counter()
    for d in ctx.facts.decisions:
        kind, target = licence_kind(d.licence_type)
        targets[kind].add(target)
        if d.received_on is None:
            undated[kind] += 1
            continue
        if d.received_on > d.decided_on:
            inverted[kind] += 1
            continue
        n = working_days(d.received_on, d.decided_on)
        days[kind].append(n)
        within[kind] += n <= target
    rows: list[tuple[Cell, ...]] = []
    titles = {"individual": _("Individual licences"), "open": _("Open licences")}
    for kind in KINDS:
        ordered = sorted(days[kind])
        n = len(ordered)
        rows.append((
            titles[kind],
            ", ".join(str(t) for t in sorted(targets[kind])) or
            ("20" if kind == "individual" else "60"),
            n, _number(statistics.median(ordered)) if n else None,
            _percentile(ordered, 0.9) if n else None, within[kind],
            within[kind] / n if n else None, undated[kind] + inverted[kind]))
    table = Table("uk-processing", _("Processing times in working days"), [
        Column("licences", _("Licences")), Column("target", _("Target (working days)")),
        Column("counted", _("Decisions counted"), "int"),
        Column("median", _("Median working days"), "number"),
        Column("p90", _("90th percentile"), "number"),
        Column("within", _("Within target"), "int"),
        Column("share", _("Share within target"), "percent"),
        Column("excluded", _("Excluded (no usable received date)"), "int")], rows, notes=[
        _("Working days run from the day after the application was received to the day of "
          "the decision, Monday to Friday; public holidays are not taken out.")])
    notes = [_("Processing times cover the decisions issued and refused in the period that "
               "have a received date: working days (Monday to Friday, no public-holiday "
               "calendar) from receipt to decision, the median, the 90th percentile (nearest "
               "rank) and the share decided within the target of the licence type in the "
               "licence-type table (20 working days for individual licences, 60 for open "
               "ones by default).")]
    if undated or inverted:
        notes.append(_("Decisions left out of the processing times: {undated} without a "
                       "received date, {inverted} with a received date after the decision "
                       "date.").format(undated=sum(undated.values()),
                                       inverted=sum(inverted.values())))
    return table, notes


def _kinds_note(ctx: Context) -> str:
    seen: dict[str, set[str]] = {k: set() for k in KINDS}
    for d in (*ctx.facts.decisions, *ctx.facts.revocations):
        seen[licence_kind(d.licence_type)[0]].add(d.licence_type or "-")
    listed = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in seen.items() if v)
    return _("Licence types count as open licences when the licence-type table gives them the "
             "60-working-day target (or, for types it does not list, when their name says "
             "open), otherwise as individual licences. Types seen: {listed}.").format(
        listed=listed or "-")


def build_uk_stats(ctx: Context) -> Built:
    facts = ctx.facts
    refused = [d for d in facts.decisions if d.outcome == "refused"]
    issued = [d for d in facts.decisions if d.outcome == "issued"]
    cited_by = {d.record_id: ctx.labels.cited(d) for d in refused}
    destinations, value_notes = _destinations(ctx, cited_by)
    criteria, per_label = _criteria(ctx, refused, cited_by)
    processing, time_notes = _processing(ctx)
    method = [
        _("Counts every licence issued or refused in the period, military and dual-use "
          "alike, and every licence revoked in the period, whenever it was issued."),
        *licence_notes(facts.decisions),
        _kinds_note(ctx),
        _("Values are given for individual licences only, in the currency each licence "
          "states (one column per currency, not converted); open licences carry no "
          "meaningful value."),
        *value_notes, *time_notes, *ctx.labels.notes(),
        _("The UK publishes refusal criteria in its own numbering; these are in EU Common "
          "Position numbering, which an authority publishing under the UK criteria checks "
          "against its own."),
    ]
    charts = [region_chart(ctx, issued, refused, "uk"),
              criteria_chart(ctx, per_label, "uk"),
              trend_chart(ctx, issued, refused, "uk")]
    return Built(_("Strategic export controls: licensing statistics"),
                 [destinations, criteria, processing], charts, method,
                 counted=len(facts.decisions) + len(facts.revocations))
