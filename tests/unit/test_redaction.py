"""Redaction: over random facts, what the parliamentary and public profiles withhold never
reaches a table, and every withheld cell is accounted for in the report's statements."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import ReferenceDataError
from app.oversight.facts import DecisionFact, Facts, LineFact, ShipmentFact
from app.oversight.profiles import PROFILES, build_report
from app.oversight.rates import ExchangeRates
from app.oversight.redaction import RedactionProfile, Redactor, ValueCell, load_profiles
from reports.oversight_model import OversightReport, Withheld

PROFILE_IDS = load_profiles()
RATES = ExchangeRates({("GBP", 2025): Decimal("0.8"), ("USD", 2025): Decimal("1.25")})
BAND = re.compile(r"^EUR (under 100k|100k–1M|1M–10M|over 10M)$")
START = date(2025, 1, 1)

# Names use consonants only after a capital, descriptions use vowels and digits only: a
# name can reach a description only where the strategy puts it there on purpose.
TOKEN = st.text("bcdfghjklmnpqrstvwxz", min_size=6, max_size=6)   # none inside another
FILLER = st.text("aeiou0123456789 ", min_size=0, max_size=20)


@st.composite
def facts(draw: st.DrawFn) -> Facts:
    exporters = [f"Exp{t}" for t in draw(st.lists(TOKEN, min_size=1, max_size=5, unique=True))]
    users = [f"Usr{t}" for t in draw(st.lists(TOKEN, min_size=1, max_size=6, unique=True))]

    def description() -> str:
        kind = draw(st.sampled_from(["plain", "exporter", "user", "upper"]))
        if kind == "plain":
            return draw(FILLER)
        name = draw(st.sampled_from(exporters if kind != "user" else users))
        return f"{draw(FILLER)} for {name.upper() if kind == 'upper' else name} use"

    def lines() -> tuple[LineFact, ...]:
        return tuple(LineFact(
            draw(st.sampled_from(["ML1.a", "ML2", "ML4", "ML10", "ML22", "5A002", "PL5001"])),
            description(), draw(st.sampled_from(["I", "VII", "VIII", "AMMO", "PARTS", "NONE",
                                                 ""])),
            draw(st.none() | st.integers(1, 500).map(Decimal)), "pcs",
            draw(st.none() | st.integers(1, 20_000_000).map(Decimal)),
            draw(st.sampled_from(["EUR", "GBP", "USD", "JPY"])))
            for _ in range(draw(st.integers(1, 3))))

    decisions = []
    for n in range(draw(st.integers(0, 25))):
        decided = START + timedelta(days=draw(st.integers(0, 364)))
        refused = draw(st.booleans())
        decisions.append(DecisionFact(
            record_id=n, case_id=n, reference=f"GR-{n:04d}", decided_on=decided,
            received_on=draw(st.none() | st.just(decided - timedelta(days=30))),
            destination=draw(st.sampled_from(["FR", "DE", "SA", "IN", "US", "BR"])),
            licence_type=draw(st.sampled_from(["SIEL", "OIEL", "TEMP"])),
            exporter_name=draw(st.sampled_from(exporters)),
            end_user_name=draw(st.sampled_from(users)),
            end_user_kind=draw(st.sampled_from(["government", "armed_forces", ""])),
            outcome="refused" if refused else "issued", with_conditions=draw(st.booleans()),
            framework_id=draw(st.sampled_from(["golden-rule", "eu-cp", "legacy:old"])),
            criteria=("ihl", "7") if refused else (), lines=lines(),
            countersigned_by=(), origin=draw(st.sampled_from(["signed", "import:old"]))))
    shipments = []
    for d in decisions:
        if d.outcome == "issued" and draw(st.booleans()):
            line = d.lines[0]
            case = d.case_id if draw(st.booleans()) else 10_000 + d.case_id   # unknown licence
            shipments.append(ShipmentFact(
                case, d.reference, d.decided_on, d.destination, line.control_entry,
                line.att_category, description(), line.quantity, line.value, line.currency))
    revoked = [d for d in decisions if d.outcome == "issued" and draw(st.booleans())]
    return Facts(START, date(2025, 12, 31), decisions, revoked, shipments)


def build(profile: str, redaction: str, data: Facts, basis: str = "authorised"
          ) -> OversightReport:
    return build_report(profile, data, PROFILE_IDS[redaction], authority="A",
                        generated_by="tester", generated_at=datetime(2026, 1, 1),
                        classification="", basis=basis, rates=RATES)  # type: ignore[arg-type]


def reports(redaction: str, data: Facts) -> list[OversightReport]:
    return [build(p, redaction, data) for p in PROFILES] + [
        build("att", redaction, data, "actual")]


def texts(rep: OversightReport) -> list[str]:
    """Everything a reader of the report can see, as text."""
    out = [rep.title, *rep.method, *rep.withheld]
    for table in rep.tables:
        out += [table.title, *table.notes, *(c.title for c in table.columns)]
        for row in [*table.rows, *([table.totals] if table.totals else [])]:
            out += [str(cell) for cell in row]
    for chart in rep.charts:
        out += [chart.title, *chart.categories, *(name for name, _v in chart.series)]
    return out


def withheld_cells(rep: OversightReport) -> int:
    return sum(isinstance(cell, Withheld) for t in rep.tables
               for row in [*t.rows, *([t.totals] if t.totals else [])] for cell in row)


def names(data: Facts) -> set[str]:
    return {n for d in (*data.decisions, *data.revocations)
            for n in (d.exporter_name, d.end_user_name)}


def check_values(rep: OversightReport, data: Facts) -> None:
    """Exact values only where the profile lets them through."""
    for table in rep.tables:
        keys = [c.key for c in table.columns]
        rows = [dict(zip(keys, r, strict=True)) for r in table.rows]
        if table.id == "register":
            for row in rows:
                value = row["value"]
                assert value is None or isinstance(value, Withheld) or BAND.match(value), value
        elif table.id == "coarm":
            # an exact (b) value needs three licences in row (a) of the same block
            for i in range(0, len(rows), 5):
                issued, value = rows[i], rows[i + 1]
                for key in keys[3:]:
                    if isinstance(value[key], Decimal) and value[key]:
                        assert issued[key] >= 3, (key, issued[key], value[key])
        elif table.id.startswith("att-exports"):
            for row in rows:
                if isinstance(row["value"], Decimal):
                    licences = int(re.search(r"(\d+) licences?", row["comments"])[1])
                    assert licences >= 3, row
        elif table.id == "uk-destinations":
            cases: dict[tuple[str, str], set[int]] = defaultdict(set)
            for d in data.decisions:
                if d.outcome == "issued" and d.licence_type != "OIEL":
                    for line in d.lines:
                        if line.value is not None:
                            cases[(d.destination, line.currency)].add(d.case_id)
            for row in rows:
                for column in table.columns:
                    if column.kind == "money" and isinstance(row[column.key], Decimal):
                        assert len(cases[(row["code"], column.unit)]) >= 3, row


def check_no_single_withheld_in_coarm_sums(rep: OversightReport) -> None:
    """No withheld (b) or (c) value is the only unknown of its row or column total."""
    table = rep.tables[0]
    blocks = [table.rows[i:i + 5] for i in range(0, len(table.rows), 5)]
    for offset in (1, 2):                         # rows (b) and (c)
        grid = [block[offset][3:] for block in blocks]    # ML1..ML22, Total per destination
        lines = [list(row) for row in grid]
        lines += [[row[c] for row in grid] for c in range(len(grid[0]))] if grid else []
        for members in lines:
            assert sum(isinstance(v, Withheld) for v in members) != 1, members


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts())
def test_publication_profiles_withhold_names_and_exact_values(data: Facts) -> None:
    hidden = names(data)
    for redaction in ("parliament", "public"):
        for rep in reports(redaction, data):
            seen = "\n".join(texts(rep)).casefold()
            for name in hidden:
                assert name.casefold() not in seen, (redaction, rep.profile, name)
            check_values(rep, data)
            if withheld_cells(rep):
                assert rep.withheld, (redaction, rep.profile)
            assert rep.redaction == redaction
            assert any(m.startswith("Redaction profile applied") for m in rep.method)
            if rep.profile == "eu-coarm":
                check_no_single_withheld_in_coarm_sums(rep)
        if redaction == "public":
            register = build("register", "public", data).tables[0]
            assert all(isinstance(r[0], Withheld) for r in register.rows)


@settings(max_examples=25, deadline=None)
@given(facts())
def test_unredacted_profile_shows_names_and_withholds_nothing(data: Facts) -> None:
    register = build("register", "none", data)
    seen = "\n".join(texts(register))
    for d in data.decisions:
        assert d.exporter_name in seen and d.end_user_name in seen
    for rep in reports("none", data):
        assert rep.withheld == [] and withheld_cells(rep) == 0


def test_shipped_profiles() -> None:
    assert list(PROFILE_IDS) == ["none", "parliament", "public"]
    none, parliament, public = PROFILE_IDS.values()
    assert none.requires_supervisor and not parliament.requires_supervisor
    assert not public.requires_supervisor
    assert none.withhold == frozenset() and none.min_licences == 0 and not none.band_values
    assert parliament.withhold == {"exporter_name", "end_user_name"}
    assert parliament.min_licences == 3 and parliament.band_values
    assert public.withhold == parliament.withhold | {"goods_description", "reference"}
    assert parliament.band(Decimal("99999.99"), "EUR") == "EUR under 100k"
    assert parliament.band(Decimal("100000"), "EUR") == "EUR 100k–1M"
    assert parliament.band(Decimal("10000000"), "GBP") == "GBP over 10M"


def test_secondary_suppression_on_a_small_grid() -> None:
    """Row total T = a + b + c; a rests on 1 licence, so one more part goes."""
    profile = PROFILE_IDS["parliament"]
    redactor = Redactor(profile)
    cells = {"T": ValueCell(Decimal(60), 9), "a": ValueCell(Decimal(10), 1),
             "b": ValueCell(Decimal(20), 4), "c": ValueCell(Decimal(30), 5)}
    out = redactor.values(cells, [("T", ["a", "b", "c"])], "the test table")
    assert out == {"T": Decimal(60), "a": Withheld("fewer than 3 licences"),
                   "b": Withheld("would reveal a withheld value"), "c": Decimal(30)}
    assert redactor.statements() == [
        "Exact values withheld in 1 cell of the test table computed from fewer than 3 "
        "licences.",
        "A further 1 cell of the test table withheld so that the withheld values cannot be "
        "worked out from the totals."]


def test_descriptions_naming_a_party_are_left_out() -> None:
    redactor = Redactor(PROFILE_IDS["parliament"])
    redactor.known_names(["Acme Arms Ltd", "Borealis"], ["Ministry of Defence"])
    names = ("Acme Arms Ltd", "Ministry of Defence")
    where = "the ATT exports table"
    assert redactor.description("Rifles, 5.56 mm", names, where) == "Rifles, 5.56 mm"
    assert redactor.description("Rifles by ACME ARMS LTD", names, where) is None
    assert redactor.description("Spares for the ministry of defence", names, where) is None
    assert redactor.description("Integrated by Borealis, Norway", names, where) is None
    assert redactor.description("Anything", None, where) is None
    assert redactor.statements() == [
        "3 goods descriptions left out of the ATT exports table: they contain a withheld "
        "exporter or end-user name.",
        "1 shipment description left out of the ATT exports table: its licence is not among "
        "the period's decisions, so it could not be checked for withheld names."]
    assert Redactor(PROFILE_IDS["none"]).description("Acme Arms Ltd", names, where)


def _write(tmp_path, body: str) -> None:
    head = ('version: "1"\nas_of: "2026-01-01"\nsource: "test"\nnotes: "n"\n'
            'fields:\n  exporter_name: {title: "Exporter names", reason: "confidential"}\n')
    (tmp_path / "redaction_profiles.yaml").write_text(head + body, encoding="utf-8")


@pytest.mark.parametrize(("body", "message"), [
    ('profiles:\n  - {id: "x", title: "X", description: "d", requires_supervisor: false,'
     ' withhold: [exporter_names], band_values: false, bands: [], min_licences: 3}\n',
     r"profiles\[1\] \(x\)\.withhold.*exporter_names"),
    ('profiles:\n  - {id: "x", title: "X", description: "d", requires_supervisor: false,'
     ' withhold: [], band_values: true, bands: [{below: "10", label: "a"},'
     ' {below: "5", label: "b"}, {label: "c"}], min_licences: 3}\n',
     r"profiles\[1\] \(x\)\.bands\[2\]\.below"),
    ('profiles:\n  - {id: "x", title: "X", description: "d", requires_supervisor: false,'
     ' withhold: [], band_values: true, bands: [{below: "10", label: "a"}],'
     ' min_licences: 3}\n', r"profiles\[1\] \(x\)\.bands"),
    ('profiles:\n  - {id: "x", title: "X", description: "d", requires_supervisor: "no",'
     ' withhold: [], band_values: false, bands: [], min_licences: 3}\n',
     r"profiles\[1\] \(x\)\.requires_supervisor"),
    ('profiles:\n  - {id: "x", title: "X", description: "d", requires_supervisor: false,'
     ' withhold: [], band_values: false, bands: [], min_licences: -1}\n',
     r"profiles\[1\] \(x\)\.min_licences"),
])
def test_profile_file_errors_name_the_entry(tmp_path, body: str, message: str) -> None:
    _write(tmp_path, body)
    with pytest.raises(ReferenceDataError, match=r"redaction_profiles\.yaml.*" + message):
        load_profiles(tmp_path)


def test_profile_dataclass_defaults_withhold_nothing() -> None:
    profile = RedactionProfile("x", "X", "d")
    redactor = Redactor(profile)
    assert redactor.field("exporter_name", "Acme", "the register") == "Acme"
    assert redactor.values({"a": ValueCell(Decimal(1), 1)}, [], "t") == {"a": Decimal(1)}
    assert redactor.statements() == []
