"""The decision register: one row per decision that took effect in the period, for
oversight bodies that ask what was decided, for whom and why, case by case."""

from __future__ import annotations

from decimal import Decimal

from app.i18n import N_, _
from app.oversight.common import Built, Context, country, licence_notes, money, origin_text
from app.oversight.facts import DecisionFact
from reports.oversight_model import Cell, Column, Table

WHERE = N_("the register")


def _items(d: DecisionFact) -> str:
    parts = [line.ml or line.control_entry.strip() for line in d.lines]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(k for k in dict.fromkeys(parts) if k)


def _exact(d: DecisionFact) -> tuple[Cell, str]:
    """The decision's value as stated and its currency; with lines in several currencies,
    text such as "1000.00 GBP + 200.00 USD"."""
    lines = d.lines
    if len(lines) == 1:
        line = lines[0]
        if line.value is None:
            return None, ""
        return money(line.value), line.currency.strip().upper()
    sums: dict[str, Decimal] = {}
    for line in lines:
        if line.value is not None:
            currency = line.currency.strip().upper()
            sums[currency] = sums.get(currency, Decimal(0)) + line.value
    if not sums:
        return None, ""
    if len(sums) == 1:
        (currency, amount), = sums.items()
        return money(amount), currency
    return " + ".join(f"{money(v)} {c}" for c, v in sorted(sums.items())), _("mixed")


def _converted(ctx: Context, d: DecisionFact) -> tuple[bool, Decimal | None]:
    """(has a value, the value in the report currency or None when a line cannot be
    converted)."""
    total: Decimal | None = Decimal(0)
    seen = False
    year = d.decided_on.year
    for line in d.lines:
        if line.value is None:
            continue
        seen = True
        amount = ctx.to_report.convert(line.value, line.currency, year)
        if amount is None:
            return True, None
        total += amount
    return seen, total


def _outcomes() -> dict[tuple[str, bool], str]:
    return {("refused", False): _("refused"), ("refused", True): _("refused"),
            ("issued", False): _("issued"), ("issued", True): _("issued with conditions")}


def _outcome(d: DecisionFact, texts: dict[tuple[str, bool], str]) -> str:
    text = texts[(d.outcome, d.with_conditions)]
    if d.revoked_on is not None:
        text += "; " + _("revoked {date}").format(date=d.revoked_on.isoformat())
    return text


def build_register(ctx: Context) -> Built:
    redactor, labels = ctx.redactor, ctx.labels
    exact = redactor.exact_values
    rows: list[tuple[Cell, ...]] = []
    outcomes = _outcomes()
    names: dict[str, str] = {}
    kinds: dict[str, str] = {}
    origins: dict[str, str] = {}
    for d in sorted(ctx.facts.decisions, key=lambda d: (d.decided_on, d.reference)):
        cells: list[Cell] = [
            redactor.field("reference", d.reference, WHERE), d.decided_on, d.received_on,
            names.get(d.destination) or names.setdefault(d.destination, country(d.destination)),
            d.destination, kinds.get(d.end_user_kind) or kinds.setdefault(
                d.end_user_kind, d.end_user_kind.replace("_", " ")),
            redactor.field("end_user_name", d.end_user_name, WHERE),
            redactor.field("exporter_name", d.exporter_name, WHERE), _items(d)]
        if exact:
            cells += _exact(d)
        else:
            has_value, in_report = _converted(ctx, d)
            cells.append(redactor.value_band(in_report, has_value, WHERE))
        cells += [_outcome(d, outcomes), ", ".join(labels.of(d)), ", ".join(d.countersigned_by),
                  origins.get(d.origin) or origins.setdefault(d.origin, origin_text(d.origin))]
        rows.append(tuple(cells))
    columns = [
        Column("reference", _("Reference")), Column("decided", _("Decision date"), "date"),
        Column("received", _("Received"), "date"), Column("destination", _("Destination")),
        Column("code", _("Code")), Column("end_user_kind", _("End-user kind")),
        Column("end_user", _("End user")), Column("exporter", _("Exporter")),
        Column("items", _("Items (Military List category or control entry)")),
        Column("value", _("Value"), "money") if exact else
        Column("value", _("Value ({currency} band)").format(currency=ctx.currency)),
        *([Column("currency", _("Currency"))] if exact else []),
        Column("outcome", _("Outcome")),
        Column("criteria", _("Criteria cited (EU numbering)")),
        Column("countersigned", _("Countersigned by")), Column("origin", _("Origin")),
    ]
    table = Table("register", _("Register of licensing decisions"), columns, rows, notes=[
        _("Sorted by decision date, then reference. Values add the lines of the decision.")])
    method = [
        _("Basis: every licensing decision that took effect in the period, issued or "
          "refused, one row each; a later revocation is shown in the outcome."),
        *licence_notes(ctx.facts.decisions),
        *labels.notes(),
    ]
    if not exact and redactor.profile.band_values:
        method.append(_("Value bands are worked out in {currency}, converting each line at "
                        "the rate of the decision's year.").format(currency=ctx.currency))
        method += ctx.to_report.notes()
    return Built(_("Register of licensing decisions"), [table], [], method, counted=len(rows))
