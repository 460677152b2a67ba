"""The exports table of the ATT annual report (Art 13(3)): one row per category and
importing state, with the number of items, the value, a description and comments.

Art 13(3) covers the eight categories of Art 2(1); ammunition (Art 3) and parts and
components (Art 4) go in a separate, voluntary table so the required one stays as the
Treaty defines it. The report counts either authorised exports (licences issued) or actual
ones (shipments), and says which; with nothing to count it is a nil report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from app.i18n import N_, _
from app.oversight.common import Built, Context, country, licence_notes, whole
from app.oversight.redaction import ValueCell
from app.reference import reference
from reports.oversight_model import Cell, Column, Table

REQUIRED = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
VOLUNTARY = ("AMMO", "PARTS")
WHERE = N_("the ATT exports table")
SHOWN_DESCRIPTIONS = 5


@dataclass
class _Row:
    quantity: Decimal = Decimal(0)
    quantities: int = 0
    no_quantity: int = 0
    value: Decimal = Decimal(0)
    values: int = 0
    no_value: int = 0
    unconverted: int = 0
    cases: set[int] = field(default_factory=set)
    shipments: int = 0
    descriptions: dict[str, bool] = field(default_factory=dict)


def _plural(n: int, one: str, many: str) -> str:
    return (one if n == 1 else many).format(n=n)


def _items(row: _Row) -> Cell:
    if not row.quantities:
        return None
    q = row.quantity.normalize()
    return int(q) if q == q.to_integral_value() else q


def _comments(row: _Row, basis: str) -> str:
    if basis == "actual":
        parts = [_plural(row.shipments, _("1 shipment"), _("{n} shipments")) + " "
                 + _plural(len(row.cases), _("under 1 licence"), _("under {n} licences"))]
    else:
        parts = [_plural(len(row.cases), _("1 licence"), _("{n} licences"))]
    if row.no_quantity:
        parts.append(_plural(row.no_quantity, _("quantity not stated on 1 line"),
                             _("quantity not stated on {n} lines")))
    if row.no_value:
        parts.append(_plural(row.no_value, _("value not stated on 1 line"),
                             _("value not stated on {n} lines")))
    if row.unconverted:
        parts.append(_plural(row.unconverted, _("1 value left out: no exchange rate"),
                             _("{n} values left out: no exchange rate")))
    return "; ".join(parts)


def _description(ctx: Context, row: _Row) -> Cell:
    shown = [t for t, ok in row.descriptions.items() if ok]
    text = "; ".join(shown[:SHOWN_DESCRIPTIONS])
    if len(shown) > SHOWN_DESCRIPTIONS:
        text += " " + _("(and {n} more)").format(n=len(shown) - SHOWN_DESCRIPTIONS)
    return ctx.redactor.field("goods_description", text, WHERE)


def _category(cat: str, titles: dict) -> str:
    if cat not in titles:
        return cat
    return titles[cat].title if cat in VOLUNTARY else f"{cat}. {titles[cat].title}"


def build_att(ctx: Context) -> Built:
    facts, redactor = ctx.facts, ctx.redactor
    names = {d.case_id: (d.exporter_name, d.end_user_name)
             for d in (*facts.revocations, *facts.decisions)}
    if redactor.hides_names and not redactor.withholds("goods_description"):
        redactor.known_names((n[0] for n in names.values()), (n[1] for n in names.values()))
    rows: dict[tuple[str, str], _Row] = {}
    outside = 0
    hide_descriptions = redactor.withholds("goods_description")

    def add(category: str, dest: str, case_id: int, quantity: Decimal | None,
            value: Decimal | None, currency: str, year: int, description: str) -> None:
        nonlocal outside
        cat = category.strip().upper()
        if cat not in REQUIRED and cat not in VOLUNTARY:
            outside += 1
            return
        row = rows.setdefault((cat, dest), _Row())
        row.cases.add(case_id)
        if quantity is None:
            row.no_quantity += 1
        else:
            row.quantity += quantity
            row.quantities += 1
        if value is None:
            row.no_value += 1
        else:
            converted = ctx.to_report.convert(value, currency, year)
            if converted is None:
                row.unconverted += 1
            else:
                row.value += converted
                row.values += 1
        text = "" if hide_descriptions else " ".join(description.split())
        if text and row.descriptions.get(text, True):
            ok = redactor.description(text, names.get(case_id), WHERE) is not None
            row.descriptions[text] = ok and row.descriptions.get(text, True)

    issued = [d for d in facts.decisions if d.outcome == "issued"]
    if ctx.basis == "actual":
        for s in facts.shipments:
            add(s.att_category, s.destination, s.case_id, s.quantity, s.value, s.currency,
                s.shipped_on.year, s.description)
            if (key := (s.att_category.strip().upper(), s.destination)) in rows:
                rows[key].shipments += 1
    else:
        for d in issued:
            for line in d.lines:
                add(line.att_category, d.destination, d.case_id, line.quantity, line.value,
                    line.currency, d.decided_on.year, line.description)

    keys = sorted(rows, key=lambda k: ((REQUIRED + VOLUNTARY).index(k[0]), country(k[1]), k[1]))
    values = redactor.values(
        {k: ValueCell(whole(rows[k].value) if rows[k].values else None, len(rows[k].cases))
         for k in keys}, [], WHERE)
    titles = reference().att_categories
    columns = [Column("category", _("Category")), Column("state", _("Importing state")),
               Column("code", _("Code")), Column("items", _("Number of items"), "number"),
               Column("value", _("Value"), "money", ctx.currency),
               Column("description", _("Description of item")),
               Column("comments", _("Comments on the transfer"))]

    def table_rows(categories: tuple[str, ...]) -> list[tuple[Cell, ...]]:
        return [(_category(cat, titles), country(dest), dest,
                 _items(rows[(cat, dest)]), values[(cat, dest)],
                 _description(ctx, rows[(cat, dest)]), _comments(rows[(cat, dest)], ctx.basis))
                for cat, dest in keys if cat in categories]

    required = table_rows(REQUIRED)
    basis = _("authorised") if ctx.basis == "authorised" else _("actual")
    tables = [
        Table("att-exports", _("Exports of conventional arms (ATT Art 2(1) categories), "
                               "{basis}").format(basis=basis), columns, required,
              notes=[_("Number of items adds the quantities stated, in their own units.")]),
        Table("att-exports-ammo-parts", _("Exports of ammunition (Art 3) and of parts and "
                                          "components (Art 4), {basis}: voluntary").format(
            basis=basis), columns, table_rows(VOLUNTARY)),
    ]
    if ctx.basis == "actual":
        method = [_("Basis: actual exports, the shipments recorded in the period (ATT Art "
                    "13(3) lets a state report authorised or actual exports). A shipment "
                    "counts in the period it left, whenever its licence was issued.")]
    else:
        method = [_("Basis: authorised exports, the licences issued in the period (ATT Art "
                    "13(3) lets a state report authorised or actual exports)."),
                  *licence_notes(issued)]
    method += [
        _("The exports table covers the eight categories of ATT Art 2(1). Ammunition "
          "(Art 3) and parts and components (Art 4) are shown in a separate table, which "
          "Art 13(3) does not require; {n} lines outside the ATT scope (no ATT category) "
          "are left out.").format(n=outside),
        _("The imports table of the ATT report is not produced: the licensing records "
          "hold exports only."),
        _("Value is in {currency}, rounded to the whole unit; the description lists up to "
          "{n} distinct goods descriptions per row.").format(
            currency=ctx.currency, n=SHOWN_DESCRIPTIONS),
        *ctx.to_report.notes(),
    ]
    nil = not required
    if nil:
        method.insert(0, _("Nil report: no {basis} export in the ATT Art 2(1) categories "
                           "in the period.").format(basis=basis))
    if redactor.statements():
        method.append(_("Data withheld (ATT Art 13(3)): yes; commercially sensitive data "
                        "is withheld as the redaction statements of this report say."))
    else:
        method.append(_("Data withheld (ATT Art 13(3)): none; no commercially sensitive or "
                        "national security data is withheld from this report."))
    counted = (sum(r.shipments for r in rows.values()) if ctx.basis == "actual"
               else len({c for r in rows.values() for c in r.cases}))
    return Built(_("Arms Trade Treaty annual report (Art 13): exports"), tables, [], method,
                 counted=counted, nil=nil)
