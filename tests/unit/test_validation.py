"""Field rules of an application: drafts may be partial, complete ones must be whole.

The hypothesis strategies for valid applications live here and are reused by
test_casefile.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.casedata import CaseData, GoodsData, PartyData
from app.errors import FieldProblem
from app.reference import ReferenceData, reference
from app.validation import MAX_TEXT, birth_date_problem, validate_case
from app.vocab import PartyKind, PartyRole

REF = reference()
TODAY = date(2026, 3, 16)  # a Monday; every test passes it explicitly

# -- strategies ------------------------------------------------------------------------------

# Any Unicode except lone surrogates (which cannot be written as UTF-8).
text_chars = st.characters(exclude_categories=("Cs",))
any_text = st.text(text_chars, max_size=40)


def non_blank(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(text_chars, min_size=1, max_size=max_size).filter(lambda s: s.strip() != "")


countries = st.sampled_from(sorted(REF.countries))


@st.composite
def control_entries(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["ml", "dual", "pl"]))
    if kind == "ml":
        number = draw(st.integers(1, 22))
        entry = f"ML{number}"
        subs = REF.control_categories[entry].subs
        if subs and draw(st.booleans()):
            entry += "." + draw(st.sampled_from(subs))
            if draw(st.booleans()):
                entry += f".{draw(st.integers(1, 99))}"
        return entry
    if kind == "dual":
        entry = (f"{draw(st.integers(0, 9))}{draw(st.sampled_from('ABCDE'))}"
                 f"{draw(st.integers(0, 999)):03d}")
        if draw(st.booleans()):
            entry += "." + draw(st.sampled_from(["a", "b", "a.1", "c.2.b"]))
        return entry
    return draw(st.sampled_from(["NLR", f"PL{draw(st.integers(5000, 9999))}"]))


def decimals(min_value: str, max_value: str) -> st.SearchStrategy[Decimal]:
    """Up to two decimal places, written the way an officer types them (no exponents)."""
    return st.one_of(
        st.decimals(min_value=Decimal(min_value), max_value=Decimal(max_value), places=2),
        st.decimals(min_value=Decimal(min_value), max_value=Decimal(max_value), places=1),
        st.integers(int(Decimal(min_value).to_integral_value("ROUND_CEILING")),
                    int(Decimal(max_value))).map(Decimal),
    )


past_dates = st.dates(min_value=date(2000, 1, 1), max_value=TODAY)


@st.composite
def birth_dates(draw: st.DrawFn) -> str:
    """A date of birth as an officer may know it: the year, the month or the whole date."""
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    return day.isoformat()[:draw(st.sampled_from([4, 7, 10]))]


@st.composite
def parties(draw: st.DrawFn, role: str | None = None) -> PartyData:
    kind = draw(st.sampled_from([k.value for k in PartyKind]))
    return PartyData(
        role=role or draw(st.sampled_from([r.value for r in PartyRole])),
        name=draw(non_blank()),
        address=draw(any_text),
        country=draw(countries),
        kind=kind,
        birth_date=draw(st.just("") | birth_dates()) if kind == PartyKind.INDIVIDUAL else "",
    )


@st.composite
def goods_lines(draw: st.DrawFn) -> GoodsData:
    return GoodsData(
        description=draw(non_blank()),
        control_entry=draw(control_entries()),
        att_category=draw(st.sampled_from(sorted(REF.att_categories))),
        quantity=draw(decimals("0.01", "99999999")),
        unit=draw(st.sampled_from(sorted(REF.units))),
        value=draw(decimals("0", "999999999999.99")),
        currency=draw(st.sampled_from(sorted(REF.currencies))),
    )


@st.composite
def valid_cases(draw: st.DrawFn, today: date = TODAY) -> CaseData:
    """A complete application that every rule accepts."""
    received = draw(st.dates(min_value=date(2000, 1, 1), max_value=today))
    with_euc = draw(st.booleans())
    end_user = draw(parties(role=draw(st.sampled_from(["end_user", "ultimate_end_user"]))))
    others = draw(st.lists(parties(), max_size=3))
    position = draw(st.integers(0, len(others)))
    return CaseData(
        licence_type=draw(st.sampled_from(sorted(REF.licence_types))),
        applicant_reference=draw(st.text(text_chars, max_size=100)),
        exporter_name=draw(non_blank()),
        exporter_address=draw(any_text),
        exporter_country=draw(countries),
        exporter_registration=draw(st.text(text_chars, max_size=30)),
        destination=draw(countries),
        end_use=draw(non_blank(80)),
        euc_number=draw(non_blank()) if with_euc else "",
        euc_date=draw(st.none() | st.dates(date(2000, 1, 1), today)) if with_euc else None,
        euc_issuer=draw(any_text) if with_euc else "",
        received_date=received,
        deadline=draw(st.none() | st.integers(0, 400).map(lambda n: received + timedelta(n))),
        notes=draw(any_text),
        parties=[*others[:position], end_user, *others[position:]],
        goods=draw(st.lists(goods_lines(), min_size=1, max_size=4)),
    )


def fields(problems: list[FieldProblem]) -> set[str]:
    return {p.field for p in problems}


def check(data: CaseData, *, complete: bool = True, today: date = TODAY) -> list[FieldProblem]:
    return validate_case(data, REF, complete=complete, today=today)


# -- example-based rules ---------------------------------------------------------------------


def test_sample_case_is_valid(sample_case_data: CaseData) -> None:
    assert check(sample_case_data) == []
    assert check(sample_case_data, complete=False) == []


def test_empty_draft_is_acceptable() -> None:
    assert check(CaseData(), complete=False) == []


def test_empty_case_is_not_complete() -> None:
    problems = check(CaseData())
    assert fields(problems) == {"exporter.name", "end_use", "exporter.country", "destination",
                                "received_date", "parties", "goods"}
    for problem in problems:
        assert problem.message and str(problem).startswith(problem.field + ": ")


def test_draft_still_refuses_wrong_values() -> None:
    data = CaseData(exporter_country="XX", destination="fr", received_date=TODAY + timedelta(1),
                    goods=[GoodsData(description="x", control_entry="ML23", att_category="I",
                                     quantity=Decimal(1))])
    problems = check(data, complete=False)
    assert fields(problems) == {"exporter.country", "destination", "received_date",
                                "goods[0].control_entry"}
    by_field = {p.field: p.message for p in problems}
    assert "'XX'" in by_field["exporter.country"]
    assert "'fr'" in by_field["destination"]
    assert "future" in by_field["received_date"]
    assert "ML23" in by_field["goods[0].control_entry"]


def test_draft_party_still_needs_name_and_country() -> None:
    data = CaseData(parties=[PartyData(role="end_user", name=" ", country="", kind="other")])
    assert fields(check(data, complete=False)) == {"parties[0].name", "parties[0].country"}


def test_field_paths_index_the_right_row(sample_case_data: CaseData) -> None:
    sample_case_data.goods[1].control_entry = "ML3.z"
    sample_case_data.goods[2].currency = "XBT"
    sample_case_data.parties[2].kind = "pirate"
    problems = check(sample_case_data)
    assert fields(problems) == {"goods[1].control_entry", "goods[2].currency", "parties[2].kind"}
    message = {p.field: p.message for p in problems}["goods[1].control_entry"]
    assert "ML3" in message and "'z'" in message


def test_received_today_is_fine_tomorrow_is_not(sample_case_data: CaseData) -> None:
    sample_case_data.received_date = TODAY
    assert check(sample_case_data) == []
    sample_case_data.received_date = TODAY + timedelta(days=1)
    assert fields(check(sample_case_data)) == {"received_date"}


def test_euc_date_in_future(sample_case_data: CaseData) -> None:
    sample_case_data.euc_date = TODAY + timedelta(days=1)
    assert fields(check(sample_case_data)) == {"end_user_certificate.date"}


def test_today_defaults_to_the_real_date(sample_case_data: CaseData) -> None:
    sample_case_data.received_date = date.today() + timedelta(days=1)
    assert fields(validate_case(sample_case_data, REF, complete=True)) == {"received_date"}
    sample_case_data.received_date = date.today()
    assert validate_case(sample_case_data, REF, complete=True) == []


@pytest.mark.parametrize("text", ["", "1970", "1970-03", "1970-03-12", "2026", "2026-03",
                                  "2026-03-16", "1904-02-29"])
def test_birth_date_forms_that_are_accepted(text: str) -> None:
    assert birth_date_problem(text, "individual", TODAY) is None


@pytest.mark.parametrize(("text", "fragment"), [
    ("12/03/1970", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("70", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("1970-3-12", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("1970-03-12T00:00", "YYYY, YYYY-MM or YYYY-MM-DD"),
    (" 1970", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("１９７０", "YYYY, YYYY-MM or YYYY-MM-DD"),  # full-width digits are not ASCII
    ("1970-13", "not a calendar date"),
    ("1970-00", "not a calendar date"),
    ("1970-02-30", "not a calendar date"),
    ("1905-02-29", "not a calendar date"),
    ("0000", "not a calendar date"),
    ("2027", "cannot be in the future"),
    ("2026-04", "cannot be in the future"),
    ("2026-03-17", "cannot be in the future"),
])
def test_birth_date_forms_that_are_refused(text: str, fragment: str) -> None:
    problem = birth_date_problem(text, "individual", TODAY)
    assert problem is not None and fragment in problem


def test_only_an_individual_has_a_date_of_birth(sample_case_data: CaseData) -> None:
    party = sample_case_data.parties[1]
    assert party.kind != "individual"
    party.birth_date = "1970-03-12"
    problems = check(sample_case_data)
    assert [(p.field, p.message) for p in problems] == [
        ("parties[1].birth_date", "only an individual has a date of birth")]
    assert check(sample_case_data, complete=False) == problems  # a draft too
    party.kind = "individual"
    assert check(sample_case_data) == []
    # an unknown kind is named once, as the kind's problem
    party.kind = "pirate"
    assert fields(check(sample_case_data)) == {"parties[1].kind"}


def test_deadline_before_received(sample_case_data: CaseData) -> None:
    assert sample_case_data.received_date is not None
    sample_case_data.deadline = sample_case_data.received_date
    assert check(sample_case_data) == []
    sample_case_data.deadline = sample_case_data.received_date - timedelta(days=1)
    problems = check(sample_case_data)
    assert fields(problems) == {"deadline"}
    assert "before the received date" in problems[0].message
    # Also for a draft: a wrong value is wrong whatever the stage.
    assert fields(check(sample_case_data, complete=False)) == {"deadline"}


def test_euc_details_without_number(sample_case_data: CaseData) -> None:
    sample_case_data.euc_number = ""
    assert fields(check(sample_case_data)) == {"end_user_certificate.number"}
    sample_case_data.euc_date = None
    sample_case_data.euc_issuer = "  "
    assert check(sample_case_data) == []


def test_end_user_role_is_required(sample_case_data: CaseData) -> None:
    sample_case_data.parties = [p for p in sample_case_data.parties if p.role != "end_user"]
    assert fields(check(sample_case_data)) == {"parties"}
    assert check(sample_case_data, complete=False) == []
    sample_case_data.parties.append(PartyData(role="ultimate_end_user", name="Armée de l'Air",
                                              country="CI", kind="armed_forces"))
    assert check(sample_case_data) == []


@pytest.mark.parametrize(("quantity", "ok"), [
    (Decimal("0.01"), True), (Decimal("1"), True), (Decimal("0"), False), (Decimal("-1"), False),
    (Decimal("NaN"), False), (Decimal("Infinity"), False),
])
def test_quantity_rule(sample_case_data: CaseData, quantity: Decimal, ok: bool) -> None:
    sample_case_data.goods[0].quantity = quantity
    assert fields(check(sample_case_data)) == (set() if ok else {"goods[0].quantity"})


@pytest.mark.parametrize(("value", "ok"), [
    (Decimal("0"), True), (Decimal("999999999999999.99"), True), (Decimal("1e15"), False),
    (Decimal("-0.01"), False), (Decimal("NaN"), False), (Decimal("-Infinity"), False),
])
def test_value_rule(sample_case_data: CaseData, value: Decimal, ok: bool) -> None:
    sample_case_data.goods[2].value = value
    assert fields(check(sample_case_data)) == (set() if ok else {"goods[2].value"})


@pytest.mark.parametrize(("quantity", "fragment"), [
    (Decimal("0.000001"), None), (Decimal("999999999999999.999999"), None),
    (Decimal("0.0000001"), "decimal places"), (Decimal("1.5000000"), "decimal places"),
    (Decimal("1E+15"), "digits before"), (Decimal("1234567890123456"), "digits before"),
])
def test_amounts_fit_the_case_file_format(sample_case_data: CaseData, quantity: Decimal,
                                          fragment: str | None) -> None:
    """The file writes at most 15 digits before and 6 after the point; nothing else is kept."""
    sample_case_data.goods[1].quantity = quantity
    sample_case_data.goods[0].value = quantity if quantity < Decimal("1e15") else Decimal(1)
    problems = check(sample_case_data)
    if fragment is None:
        assert problems == []
    else:
        assert "goods[1].quantity" in fields(problems)
        assert all(fragment in p.message for p in problems if p.field == "goods[1].quantity")


@pytest.mark.parametrize(("attribute", "path", "limit"), [
    ("exporter_name", "exporter.name", MAX_TEXT),
    ("applicant_reference", "applicant_reference", 100),
    ("exporter_registration", "exporter.registration_number", 100),
    ("euc_number", "end_user_certificate.number", 100),
    ("euc_issuer", "end_user_certificate.issuer", MAX_TEXT),
])
def test_length_limits(sample_case_data: CaseData, attribute: str, path: str,
                       limit: int) -> None:
    setattr(sample_case_data, attribute, "é" * limit)
    assert check(sample_case_data) == []
    setattr(sample_case_data, attribute, "é" * (limit + 1))
    problems = check(sample_case_data)
    assert fields(problems) == {path}
    assert str(limit) in problems[0].message


def test_licence_type_must_be_known(sample_case_data: CaseData) -> None:
    sample_case_data.licence_type = "siel"
    assert fields(check(sample_case_data, complete=False)) == {"licence_type"}


# -- properties ------------------------------------------------------------------------------


@given(valid_cases())
def test_valid_cases_have_no_problems(data: CaseData) -> None:
    assert check(data) == []
    assert check(data, complete=False) == []


def _set(**changes: object) -> Callable[[CaseData, int], None]:
    def mutate(data: CaseData, _index: int) -> None:
        for name, value in changes.items():
            setattr(data, name, value)
    return mutate


def _party(**changes: object) -> Callable[[CaseData, int], None]:
    def mutate(data: CaseData, index: int) -> None:
        party = data.parties[index % len(data.parties)]
        for name, value in changes.items():
            setattr(party, name, value)
    return mutate


def _goods(**changes: object) -> Callable[[CaseData, int], None]:
    def mutate(data: CaseData, index: int) -> None:
        line = data.goods[index % len(data.goods)]
        for name, value in changes.items():
            setattr(line, name, value)
    return mutate


def _future_received(data: CaseData, _index: int) -> None:
    data.received_date = TODAY + timedelta(days=1)
    data.deadline = None


def _early_deadline(data: CaseData, _index: int) -> None:
    assert data.received_date is not None
    data.deadline = data.received_date - timedelta(days=1)


def _future_euc(data: CaseData, _index: int) -> None:
    data.euc_date = TODAY + timedelta(days=3)
    data.euc_number = data.euc_number or "EUC-1"


def _no_end_user(data: CaseData, _index: int) -> None:
    for party in data.parties:
        if party.role in ("end_user", "ultimate_end_user"):
            party.role = "consignee"


def _no_goods(data: CaseData, _index: int) -> None:
    data.goods = []


# (field path, with {i} for the row index; the corruption)
CORRUPTIONS: list[tuple[str, Callable[[CaseData, int], None]]] = [
    ("licence_type", _set(licence_type="EXPORT-ALL")),
    ("licence_type", _set(licence_type="")),
    ("exporter.name", _set(exporter_name="  \t")),
    ("exporter.name", _set(exporter_name="Ø" * (MAX_TEXT + 1))),
    ("end_use", _set(end_use="")),
    ("exporter.country", _set(exporter_country="XX")),
    ("exporter.country", _set(exporter_country="")),
    ("destination", _set(destination="no")),
    ("destination", _set(destination="")),
    ("received_date", _set(received_date=None, deadline=None)),
    ("received_date", _future_received),
    ("deadline", _early_deadline),
    ("end_user_certificate.date", _future_euc),
    ("end_user_certificate.number", _set(euc_number="", euc_issuer="Ministère")),
    ("end_user_certificate.number", _set(euc_number="N" * 101)),
    ("applicant_reference", _set(applicant_reference="R" * 101)),
    ("parties", _no_end_user),
    ("goods", _no_goods),
    ("parties[{i}].role", _party(role="buyer")),
    ("parties[{i}].name", _party(name=" ")),
    ("parties[{i}].name", _party(name="ß" * (MAX_TEXT + 1))),
    ("parties[{i}].country", _party(country="ZZ")),
    ("parties[{i}].country", _party(country="")),
    ("parties[{i}].kind", _party(kind="")),
    ("parties[{i}].birth_date", _party(kind="individual", birth_date="12/03/1970")),
    ("parties[{i}].birth_date", _party(kind="individual", birth_date="1970-02-30")),
    ("parties[{i}].birth_date", _party(kind="individual", birth_date="2027")),
    ("parties[{i}].birth_date", _party(kind="commercial", birth_date="1970")),
    ("goods[{i}].description", _goods(description="")),
    ("goods[{i}].control_entry", _goods(control_entry="ML23")),
    ("goods[{i}].control_entry", _goods(control_entry="banana")),
    ("goods[{i}].control_entry", _goods(control_entry="")),
    ("goods[{i}].att_category", _goods(att_category="IX")),
    ("goods[{i}].quantity", _goods(quantity=Decimal(0))),
    ("goods[{i}].quantity", _goods(quantity=Decimal("NaN"))),
    ("goods[{i}].unit", _goods(unit="tonnes")),
    ("goods[{i}].value", _goods(value=Decimal("-1"))),
    ("goods[{i}].value", _goods(value=Decimal("1E+15"))),
    ("goods[{i}].currency", _goods(currency="eur")),
]


@given(valid_cases(), st.sampled_from(CORRUPTIONS), st.integers(0, 10))
def test_any_single_corruption_is_named(data: CaseData,
                                        corruption: tuple[str, Callable[[CaseData, int], None]],
                                        index: int) -> None:
    template, mutate = corruption
    mutate(data, index)
    rows = len(data.parties) if template.startswith("parties[") else len(data.goods)
    path = template.format(i=index % rows) if "{i}" in template else template
    problems = check(data)
    found = fields(problems)
    assert path in found, (path, problems)
    if template == "parties[{i}].role":
        # Corrupting the only end user's role also breaks the end-user rule.
        assert found - {path} <= {"parties"}, (path, problems)
    else:
        assert found == {path}, (path, problems)


@given(valid_cases())
def test_validation_does_not_change_the_data(data: CaseData) -> None:
    copy = dataclasses.replace(
        data, parties=[dataclasses.replace(p) for p in data.parties],
        goods=[dataclasses.replace(g) for g in data.goods])
    check(data)
    assert data == copy


def test_reference_data_is_what_decides(sample_case_data: CaseData) -> None:
    """A table the authority edits (no CI) changes the verdict without code changes."""
    countries = {k: v for k, v in REF.countries.items() if k != "CI"}
    edited = ReferenceData(countries, REF.control_categories, REF.att_categories,
                           REF.licence_types, REF.currencies, REF.units, REF.tables)
    problems = validate_case(sample_case_data, edited, complete=True, today=TODAY)
    assert fields(problems) == {"destination", "parties[0].country", "parties[1].country"}
