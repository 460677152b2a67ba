"""The EU annual report table (COARM; Common Position Art 8): per destination, rows (a) to
(e) across ML1..ML22 and a total, in EUR, with an all-destinations block.

Only Common Military List lines count: the EU report covers military technology and
equipment, so a decision or shipment with no ML line is left out (and the count said).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable
from decimal import Decimal

from app.i18n import N_, _
from app.oversight.common import (
    Built,
    Context,
    country,
    criteria_chart,
    licence_notes,
    region_chart,
    trend_chart,
    whole,
)
from app.oversight.facts import DecisionFact
from app.oversight.redaction import ValueCell
from reports.oversight_model import Cell, Column, Table

ML = tuple(f"ML{i}" for i in range(1, 23))
TOTAL = "Total"
COLUMNS = (*ML, TOTAL)
ALL = ""                              # destination key of the all-destinations block
WHERE = N_("the EU table")


def _ml_lines(decision: DecisionFact) -> dict[str, list]:
    out: dict[str, list] = {}
    for line in decision.lines:
        ml = line.ml
        if ml:
            out.setdefault(ml, []).append(line)
    return out


def _equations(dests: list[str]) -> list[tuple[Hashable, list[Hashable]]]:
    """Row totals (ML columns sum to Total) and column totals (destinations sum to the
    all-destinations block) of one value row."""
    rows = [((d, TOTAL), [(d, ml) for ml in ML]) for d in (*dests, ALL)]
    cols = [((ALL, c), [(d, c) for d in dests]) for c in COLUMNS]
    return rows + cols


def build_coarm(ctx: Context) -> Built:
    eur, labels, facts = ctx.to_eur, ctx.labels, ctx.facts
    issued_n: Counter[tuple[str, str]] = Counter()       # (a)
    value: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)   # (b)
    actual: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)  # (c)
    actual_cases: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    refused_n: Counter[tuple[str, str]] = Counter()      # (d)
    criteria: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)   # (e)
    issued: list[DecisionFact] = []
    refused: list[DecisionFact] = []
    no_value = left_out = 0
    for d in facts.decisions:
        by_ml = _ml_lines(d)
        if not by_ml:
            left_out += 1
            continue
        dest, year = d.destination, d.decided_on.year
        keys = [(k, ml) for ml in by_ml for k in (dest, ALL)] + [(dest, TOTAL), (ALL, TOTAL)]
        if d.outcome == "issued":
            issued.append(d)
            for key in keys:
                issued_n[key] += 1
            for ml, lines in by_ml.items():
                for line in lines:
                    if line.value is None:
                        no_value += 1
                        continue
                    converted = eur.convert(line.value, line.currency, year)
                    if converted is not None:
                        for key in ((dest, ml), (ALL, ml), (dest, TOTAL), (ALL, TOTAL)):
                            value[key] += converted
        else:
            refused.append(d)
            cited = labels.of(d)
            for key in keys:
                refused_n[key] += 1
                criteria[key].update(cited)
    shipped = 0
    for s in facts.shipments:
        ml = s.ml
        if not ml:
            continue
        shipped += 1
        keys = ((s.destination, ml), (ALL, ml), (s.destination, TOTAL), (ALL, TOTAL))
        for key in keys:
            actual_cases[key].add(s.case_id)
        if s.value is None:
            no_value += 1
            continue
        converted = eur.convert(s.value, s.currency, s.shipped_on.year)
        if converted is not None:
            for key in keys:
                actual[key] += converted

    dests = sorted({k[0] for k in (*issued_n, *refused_n, *actual_cases)} - {ALL},
                   key=lambda c: (country(c), c))
    equations = _equations(dests)
    cells = [(d, c) for d in (*dests, ALL) for c in COLUMNS]
    value_cells = ctx.redactor.values(
        {k: ValueCell(whole(value[k]) if issued_n[k] else None, issued_n[k]) for k in cells},
        equations, WHERE)
    actual_cells = ctx.redactor.values(
        {k: ValueCell(whole(actual[k]) if actual_cases[k] else None, len(actual_cases[k]))
         for k in cells}, equations, WHERE)

    def row(dest: str, label: str, cell: dict | Counter, zero: Cell) -> tuple[Cell, ...]:
        out: list[Cell] = []
        for c in COLUMNS:
            v = cell.get((dest, c))
            if isinstance(v, int | str) and not v:
                v = None                  # blank, as in the published tables
            out.append(zero if c == TOTAL and v is None else v)
        name = country(dest) if dest else _("All destinations")
        return (name, dest, label, *out)

    rows: list[tuple[Cell, ...]] = []
    zero_eur = Decimal(0)
    texts = {k: labels.counts_text(v) for k, v in criteria.items()}
    for dest in (*dests, ALL):
        rows += [
            row(dest, _("(a) Number of licences issued"), issued_n, 0),
            row(dest, _("(b) Value of licences issued (EUR)"), value_cells, zero_eur),
            row(dest, _("(c) Actual exports (EUR)"), actual_cells, zero_eur),
            row(dest, _("(d) Number of licences refused"), refused_n, 0),
            row(dest, _("(e) Criteria invoked for refusals"), texts, ""),
        ]
    columns = [Column("destination", _("Destination")), Column("code", _("Code")),
               Column("row", _("Row")),
               *(Column(ml.lower(), ml, "number") for ml in ML),
               Column("total", _("Total"), "number")]
    table = Table("coarm", _("EU annual report on arms exports: exports by destination and "
                             "Military List category"), columns, rows, notes=[
        _("Rows (a), (b) and (d) count licences and refusals with at least one line in the "
          "category; a licence with lines in several categories counts in each, so the "
          "categories can add up to more than the Total. Values are in EUR, rounded to the "
          "euro from the exact sums, so a total can differ from the sum of its rounded "
          "parts by a few euros."),
        _("The last block, All destinations, totals every destination."),
    ])
    method = [
        _("Basis: row (a), (b), (d) and (e) count licences issued and refused in the period "
          "(authorised); row (c) counts shipments recorded in the period (actual exports), "
          "whatever period their licence was issued in."),
        *licence_notes(issued + refused),
        _("Only lines with a Common Military List entry (ML1 to ML22) count, as the EU "
          "report covers military technology and equipment; {n} decisions with no such "
          "line (dual-use or national entries only) are left out.").format(n=left_out),
        _("Revocations are not part of the EU table; the UK statistics profile counts "
          "them."),
        _("Decisions counted: {d} ({i} licences issued, {r} refused); shipments counted in "
          "row (c): {s}.").format(d=len(issued) + len(refused), i=len(issued), r=len(refused),
                                  s=shipped),
    ]
    if no_value:
        method.append(_("{n} licence lines or shipments state no value and add nothing to "
                        "the values in rows (b) and (c).").format(n=no_value))
    method += eur.notes() + labels.notes()
    counts = criteria.get((ALL, TOTAL), Counter())
    charts = [region_chart(ctx, issued, refused, "coarm"),
              criteria_chart(ctx, counts, "coarm"),
              trend_chart(ctx, issued, refused, "coarm")]
    return Built(_("EU annual report on arms exports (COARM), Common Position Art 8"),
                 [table], charts, method, counted=len(issued) + len(refused))
