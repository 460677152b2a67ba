"""Field rules for an application: what a draft may hold, and what a complete one must hold.

Each problem names its field path (``goods[2].control_entry``) so the editor can mark the
widget and the CLI can name the field in a file.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from app.casedata import CaseData
from app.errors import FieldProblem
from app.i18n import _
from app.reference import ReferenceData
from app.vocab import PartyKind, PartyRole

MAX_TEXT = 300
#: The case file writes amounts as plain decimal strings with at most these many digits.
MAX_DECIMAL_PLACES = 6
MAX_INTEGER_DIGITS = 15
#: A party's date of birth: the year, the year and month, or the whole date.
BIRTH_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)


def _country(problems: list[FieldProblem], ref: ReferenceData, path: str, code: str,
             required: bool) -> None:
    if not code:
        if required:
            problems.append(FieldProblem(path, _("a country is required")))
        return
    if code not in ref.countries:
        problems.append(FieldProblem(path, _("'{code}' is not an ISO 3166-1 alpha-2 country code")
                                     .format(code=code)))


def _required(problems: list[FieldProblem], path: str, value: str, what: str) -> None:
    if not value.strip():
        problems.append(FieldProblem(path, _("{what} is required").format(what=what)))


def _length(problems: list[FieldProblem], path: str, value: str, limit: int = MAX_TEXT) -> None:
    if len(value) > limit:
        problems.append(FieldProblem(path, _("at most {n} characters").format(n=limit)))


def _decimal_form(problems: list[FieldProblem], path: str, value: Decimal) -> None:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        problems.append(FieldProblem(path, _("at most {n} decimal places").format(
            n=MAX_DECIMAL_PLACES)))
    elif value.adjusted() >= MAX_INTEGER_DIGITS:
        problems.append(FieldProblem(path, _("at most {n} digits before the decimal point")
                                     .format(n=MAX_INTEGER_DIGITS)))


def birth_date_problem(text: str, kind: str, today: date | None = None) -> str | None:
    """What is wrong with a party's date of birth, or None. Empty is fine (not known). An
    unknown kind is the kind's problem alone, not the date's as well."""
    if not text:
        return None
    if kind != PartyKind.INDIVIDUAL.value and kind in {k.value for k in PartyKind}:
        return _("only an individual has a date of birth")
    m = BIRTH_DATE.match(text)
    if m is None:
        return _("'{v}' is not a date of birth: write YYYY, YYYY-MM or YYYY-MM-DD").format(v=text)
    year, month, day = (int(g or 1) for g in m.groups())
    try:
        earliest = date(year, month, day)
    except ValueError:
        return _("'{v}' is not a calendar date").format(v=text)
    if earliest > (today or date.today()):
        return _("cannot be in the future")
    return None


def validate_case(data: CaseData, ref: ReferenceData, *, complete: bool,
                  today: date | None = None) -> list[FieldProblem]:
    """Problems in ``data``; with ``complete`` also what a registered application must have."""
    today = today or date.today()
    p: list[FieldProblem] = []

    if data.licence_type not in ref.licence_types:
        p.append(FieldProblem("licence_type", _("'{v}' is not a licence type of this authority")
                              .format(v=data.licence_type)))
    if complete:
        _required(p, "exporter.name", data.exporter_name, _("the exporter's name"))
        _required(p, "end_use", data.end_use, _("the stated end use"))
    _length(p, "exporter.name", data.exporter_name)
    _length(p, "applicant_reference", data.applicant_reference, 100)
    _length(p, "exporter.registration_number", data.exporter_registration, 100)
    _length(p, "end_user_certificate.number", data.euc_number, 100)
    _length(p, "end_user_certificate.issuer", data.euc_issuer)
    _country(p, ref, "exporter.country", data.exporter_country, required=complete)
    _country(p, ref, "destination", data.destination, required=complete)

    if data.received_date is None:
        if complete:
            p.append(FieldProblem("received_date", _("the date the application was received "
                                                    "is required")))
    elif data.received_date > today:
        p.append(FieldProblem("received_date", _("cannot be in the future")))
    if data.deadline and data.received_date and data.deadline < data.received_date:
        p.append(FieldProblem("deadline", _("cannot be before the received date")))
    if data.euc_date and data.euc_date > today:
        p.append(FieldProblem("end_user_certificate.date", _("cannot be in the future")))
    if (data.euc_date or data.euc_issuer.strip()) and not data.euc_number.strip():
        p.append(FieldProblem("end_user_certificate.number",
                              _("give the certificate number with its date and issuer")))

    roles = {r.value for r in PartyRole}
    kinds = {k.value for k in PartyKind}
    for i, party in enumerate(data.parties):
        base = f"parties[{i}]"
        if party.role not in roles:
            p.append(FieldProblem(f"{base}.role", _("'{v}' is not a party role").format(
                v=party.role)))
        _required(p, f"{base}.name", party.name, _("the party's name"))
        _length(p, f"{base}.name", party.name)
        _country(p, ref, f"{base}.country", party.country, required=True)
        if party.kind not in kinds:
            p.append(FieldProblem(f"{base}.kind", _("'{v}' is not a kind of party").format(
                v=party.kind)))
        problem = birth_date_problem(party.birth_date, party.kind, today)
        if problem:
            p.append(FieldProblem(f"{base}.birth_date", problem))
    if complete and not any(
        x.role in (PartyRole.END_USER, PartyRole.ULTIMATE_END_USER) for x in data.parties
    ):
        p.append(FieldProblem("parties", _("at least one end user is required")))

    for i, line in enumerate(data.goods):
        base = f"goods[{i}]"
        _required(p, f"{base}.description", line.description, _("a description"))
        problem = ref.check_control_entry(line.control_entry)
        if problem:
            p.append(FieldProblem(f"{base}.control_entry", problem))
        if line.att_category not in ref.att_categories:
            p.append(FieldProblem(f"{base}.att_category", _("'{v}' is not an ATT category")
                                  .format(v=line.att_category)))
        if not line.quantity.is_finite() or line.quantity <= 0:
            p.append(FieldProblem(f"{base}.quantity", _("must be greater than zero")))
        else:
            _decimal_form(p, f"{base}.quantity", line.quantity)
        if line.unit not in ref.units:
            p.append(FieldProblem(f"{base}.unit", _("'{v}' is not a known unit").format(
                v=line.unit)))
        if not line.value.is_finite() or line.value < 0:
            p.append(FieldProblem(f"{base}.value", _("cannot be negative")))
        elif line.value >= Decimal("1e15"):
            p.append(FieldProblem(f"{base}.value", _("is implausibly large")))
        else:
            _decimal_form(p, f"{base}.value", line.value)
        if line.currency not in ref.currencies:
            p.append(FieldProblem(f"{base}.currency", _("'{v}' is not an accepted currency")
                                  .format(v=line.currency)))
    if complete and not data.goods:
        p.append(FieldProblem("goods", _("at least one goods line is required")))
    return p
