"""The oversight report profiles against a small fixed data set whose every figure was
worked out by hand (the expected numbers below are literals, not recomputed).

The data set, period 2025: France (FR), Saudi Arabia (SA), India (IN).

    D1  FR SIEL issued   03-10 (rec 02-10)  ML1.a 100,000 EUR VIII x50; ML3 20,000 EUR AMMO x10000
    D2  FR SIEL issued   04-15 (rec 04-01)  ML1 80,000 GBP VIII x20       (revoked 2025-10-20)
    D3  FR OIEL issued   06-02 (no rec)     ML10 250,000 USD PARTS x1
    D4  FR SIEL refused  07-01 (rec 06-03)  ML1 50,000 EUR; golden-rule ihl, diversion
    D5  FR SIEL issued   09-01 (rec 08-01)  5A002 30,000 EUR (dual-use)
    D6  SA SIEL issued   02-03 (rec 01-06)  ML4 1,000,000 EUR VII x100; ML5 500,000 EUR (no ATT)
    D7  SA SIEL issued   05-05 (rec 04-07)  ML4 400,000 GBP VII x40
    D8  SA SIEL issued   05-20 (rec 05-06)  ML4 250,000 EUR VII x10; ML10 750,000 EUR PARTS x2
    D9  SA SIEL refused  08-12 (rec 06-30)  ML4 300,000 EUR; eu-cp 2a, 7
    D10 SA SIEL refused  10-01 (no rec)     ML4 300,000; ML6 100,000 EUR; legacy "2A", "7", imported
    D11 SA OIEL refused  11-03 (rec 09-01)  ML6 200,000 EUR; golden-rule ihrl, gbv (both 2a)
    D12 IN SIEL issued   12-01 (rec 11-03)  ML1 10,000 EUR VIII x5; ML1 1,000,000 JPY VIII x3
    D13 IN SIEL refused  12-10 (rec 12-01)  ML2 5,000 EUR; att 6.1, 6.2 (both 1)
    D14 IN SIEL issued   06-10 (rec 06-11!) 5A002 40,000 EUR
    R1  SA SIEL issued 2024-11-01, revoked 2025-03-03 (revocations only)

Rates (test table): 1 EUR = 0.8 GBP = 1.25 USD in 2025; no JPY rate.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.errors import InputError, ReferenceDataError
from app.frameworks import SHIPPED_DIR, load_catalogue
from app.oversight.common import licence_kind, working_days
from app.oversight.crosswalk import Crosswalk, crosswalk, load_crosswalk
from app.oversight.facts import DecisionFact, Facts, LineFact, ShipmentFact
from app.oversight.profiles import PROFILES, build_report
from app.oversight.rates import ExchangeRates, exchange_rates, load_rates
from app.oversight.redaction import load_profiles
from app.oversight.regions import load_regions, regions
from reports.oversight_model import OversightReport, Table, Withheld

D = Decimal
NONE = load_profiles()["none"]
PARLIAMENT = load_profiles()["parliament"]
RATES = ExchangeRates({("GBP", 2025): D("0.8"), ("USD", 2025): D("1.25")}, version="test")
CROSSWALK = Crosswalk(
    ("1", "2a", "2b", "2c", "3", "4", "5", "6", "7", "8"),
    {"golden-rule": {"prohibitions": "1", "ihrl": "2a", "ihl": "2c", "gbv": "2a",
                     "diversion": "7"},
     "eu-cp": {k: k for k in ("1", "2a", "2c", "3", "4", "5", "6", "7", "8")},
     "att": {"6.1": "1", "6.2": "1"}},
    ("legacy:",), "test", {"2a": "Internal repression", "7": "Diversion"})
ML_COLS = [f"ML{i}" for i in range(1, 23)]


def line(entry: str, value: str | None, currency: str = "EUR", att: str = "",
         qty: int | None = 1, desc: str = "") -> LineFact:
    return LineFact(entry, desc, att, None if qty is None else D(qty), "pcs",
                    None if value is None else D(value), currency)


def decision(n: int, dest: str, kind: str, outcome: str, decided: str, received: str | None,
             lines: tuple[LineFact, ...], framework: str = "golden-rule",
             criteria: tuple[str, ...] = (), origin: str = "signed",
             revoked: str | None = None) -> DecisionFact:
    return DecisionFact(
        record_id=n, case_id=n, reference=f"GR-25-{n:03d}",
        decided_on=date.fromisoformat(decided),
        received_on=date.fromisoformat(received) if received else None, destination=dest,
        licence_type=kind, exporter_name=f"Exporter {n} Ltd", end_user_name=f"End user {n}",
        end_user_kind="armed_forces", outcome=outcome, with_conditions=n == 6,  # type: ignore[arg-type]
        framework_id=framework, criteria=criteria, lines=lines,
        countersigned_by=("supervisor",) if outcome == "refused" else (), origin=origin,
        revoked_on=date.fromisoformat(revoked) if revoked else None)


D2 = decision(2, "FR", "SIEL", "issued", "2025-04-15", "2025-04-01",
              (line("ML1", "80000", "GBP", "VIII", 20, "Rifle model B"),), revoked="2025-10-20")
DECISIONS = [
    decision(1, "FR", "SIEL", "issued", "2025-03-10", "2025-02-10",
             (line("ML1.a", "100000", att="VIII", qty=50, desc="Rifle model A"),
              line("ML3", "20000", att="AMMO", qty=10000, desc="5.56 mm ammunition"))),
    D2,
    decision(3, "FR", "OIEL", "issued", "2025-06-02", None,
             (line("ML10", "250000", "USD", "PARTS", 1, "Aircraft spares"),)),
    decision(4, "FR", "SIEL", "refused", "2025-07-01", "2025-06-03",
             (line("ML1", "50000", att="VIII"),), criteria=("ihl", "diversion")),
    decision(5, "FR", "SIEL", "issued", "2025-09-01", "2025-08-01",
             (line("5A002", "30000", att="NONE"),)),
    decision(6, "SA", "SIEL", "issued", "2025-02-03", "2025-01-06",
             (line("ML4", "1000000", att="VII", qty=100, desc="Guided bomb kit"),
              line("ML5", "500000", att="", desc="Fire control"))),
    decision(7, "SA", "SIEL", "issued", "2025-05-05", "2025-04-07",
             (line("ML4", "400000", "GBP", "VII", 40, "Guided bomb kit"),)),
    decision(8, "SA", "SIEL", "issued", "2025-05-20", "2025-05-06",
             (line("ML4", "250000", att="VII", qty=10, desc="Guided bomb kit"),
              line("ML10", "750000", att="PARTS", qty=2, desc="Missile launcher parts"))),
    decision(9, "SA", "SIEL", "refused", "2025-08-12", "2025-06-30",
             (line("ML4", "300000", att="VII"),), framework="eu-cp", criteria=("2a", "7")),
    decision(10, "SA", "SIEL", "refused", "2025-10-01", None,
             (line("ML4", "300000"), line("ML6", "100000")), framework="legacy:oldsys",
             criteria=("2A", "7"), origin="import:oldsys"),
    decision(11, "SA", "OIEL", "refused", "2025-11-03", "2025-09-01",
             (line("ML6", "200000"),), criteria=("ihrl", "gbv")),
    decision(12, "IN", "SIEL", "issued", "2025-12-01", "2025-11-03",
             (line("ML1", "10000", att="VIII", qty=5, desc="Pistol"),
              line("ML1", "1000000", "JPY", "VIII", 3, "Pistol"))),
    decision(13, "IN", "SIEL", "refused", "2025-12-10", "2025-12-01",
             (line("ML2", "5000"),), framework="att", criteria=("6.1", "6.2")),
    decision(14, "IN", "SIEL", "issued", "2025-06-10", "2025-06-11",
             (line("5A002", "40000", att="NONE"),)),
]
R1 = decision(101, "SA", "SIEL", "issued", "2024-11-01", "2024-10-01",
              (line("ML4", "100000", "GBP"),), revoked="2025-03-03")


def shipment(case: int, dest: str, on: str, entry: str, att: str, qty: int, value: str,
             currency: str = "EUR", desc: str = "") -> ShipmentFact:
    return ShipmentFact(case, f"GR-25-{case:03d}", date.fromisoformat(on), dest, entry, att,
                        desc, D(qty), D(value), currency)


SHIPMENTS = [
    shipment(1, "FR", "2025-04-01", "ML1.a", "VIII", 20, "40000", desc="Rifle model A"),
    shipment(2, "FR", "2025-05-01", "ML1", "VIII", 20, "80000", "GBP", "Rifle model B"),
    shipment(6, "SA", "2025-03-01", "ML4", "VII", 50, "500000", desc="Guided bomb kit"),
    shipment(7, "SA", "2025-06-01", "ML4", "VII", 40, "400000", "GBP", "Guided bomb kit"),
    shipment(8, "SA", "2025-07-01", "ML4", "VII", 10, "250000", desc="Guided bomb kit"),
    shipment(99, "SA", "2025-02-01", "ML4", "VII", 5, "100000",
             desc="Bomb kit from 2024 licence"),
    shipment(5, "FR", "2025-10-01", "5A002", "NONE", 1, "30000"),
]
FACTS = Facts(date(2025, 1, 1), date(2025, 12, 31), DECISIONS, [R1, D2], SHIPMENTS)


def report(profile: str, redaction=NONE, facts: Facts = FACTS, **kw) -> OversightReport:
    return build_report(profile, facts, redaction, authority="Test Authority",
                        generated_by="Sam Supervisor (supervisor)",
                        generated_at=datetime(2026, 1, 5, 9, 0), classification="OFFICIAL",
                        rates=RATES, criteria=CROSSWALK, **kw)


def table(rep: OversightReport, table_id: str) -> Table:
    return next(t for t in rep.tables if t.id == table_id)


def coarm_block(rep: OversightReport, code: str) -> dict[str, dict[str, object]]:
    """{"a": {"ML1": ..., "Total": ...}, ...} for one destination ("" for all)."""
    tb = table(rep, "coarm")
    keys = [c.title for c in tb.columns]
    out = {}
    for row in tb.rows:
        if row[1] == code:
            cells = dict(zip(keys, row, strict=True))
            out[str(row[2])[1]] = {k: cells[k] for k in [*ML_COLS, "Total"]
                                   if cells[k] is not None}
    return out


# --- small pieces worked out by hand -----------------------------------------------------

@pytest.mark.parametrize(("received", "decided", "days"), [
    ("2025-02-10", "2025-03-10", 20),     # Monday to Monday four weeks on
    ("2025-08-01", "2025-09-01", 21),     # Friday: the weekend does not count
    ("2025-06-30", "2025-08-12", 31),
    ("2025-12-01", "2025-12-10", 7),      # Monday to the next week's Wednesday
    ("2025-03-07", "2025-03-10", 1),      # Friday to Monday
    ("2025-03-08", "2025-03-10", 1),      # received on a Saturday
    ("2025-03-10", "2025-03-10", 0),
])
def test_working_days(received: str, decided: str, days: int) -> None:
    assert working_days(date.fromisoformat(received), date.fromisoformat(decided)) == days


def test_licence_kinds_follow_the_licence_type_table() -> None:
    assert licence_kind("SIEL") == ("individual", 20)
    assert licence_kind("OIEL") == ("open", 60)
    assert licence_kind("GLOBAL") == ("open", 60)
    assert licence_kind("Open individual (legacy)") == ("open", 60)
    assert licence_kind("SIEL-legacy") == ("individual", 20)


def test_every_shipped_framework_criterion_has_a_crosswalk_label() -> None:
    shipped = crosswalk()
    for fw in load_catalogue([(SHIPPED_DIR, True)]).frameworks:
        for cid in fw.criterion_ids:
            assert shipped.label(fw.id, cid) in shipped.labels, (fw.id, cid)
    assert shipped.label("legacy:caseflow", "2A") == "2a"
    assert shipped.label("legacy:caseflow", "9") is None
    assert shipped.label("golden-rule", "ihl") == "2c"
    assert shipped.label("uk-selc", "2b") == "2c"      # the tool's uk-selc numbers IHL 2b


def test_shipped_rates_and_regions_load() -> None:
    rates = exchange_rates()
    for year in range(2008, 2027):
        assert rates.per_eur("GBP", year) is not None
        assert rates.per_eur("USD", year) is not None
    assert rates.per_eur("EUR", 1999) == 1
    table_ = regions()
    assert len(table_.by_country) == 249
    assert table_.region("FR") == "Europe" and table_.region("SA") == "Asia"
    assert table_.region("AQ") == "No region" and table_.region("ZZ") == "No region"


def test_data_file_errors_name_the_file_and_entry(tmp_path) -> None:
    head = 'version: "1"\nas_of: "2026-01-01"\nsource: "test"\nnotes: "n"\n'
    (tmp_path / "criteria_crosswalk.yaml").write_text(
        head + 'labels: ["1", "2a"]\ntitles: {"1": "One"}\n'
        'frameworks:\n  golden-rule:\n    ihl: "9"\n', encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"criteria_crosswalk\.yaml.*"
                                                 r"frameworks\.golden-rule\.ihl.*'9'"):
        load_crosswalk(tmp_path)
    (tmp_path / "exchange_rates.yaml").write_text(
        head + 'rates:\n  GBP:\n    2025: "-1"\n', encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"exchange_rates\.yaml.*rates\.GBP\.2025"):
        load_rates(tmp_path)
    (tmp_path / "regions.yaml").write_text(
        head + 'regions:\n  - {alpha2: "fr", region: "Europe", sub_region: ""}\n',
        encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"regions\.yaml.*regions\[1\]\.alpha2"):
        load_regions(tmp_path)
    (tmp_path / "regions.yaml").write_text(head.replace('notes: "n"\n', "") + "regions: []\n",
                                           encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"regions\.yaml.*notes"):
        load_regions(tmp_path)


def test_unknown_profile_and_basis_are_refused() -> None:
    assert list(PROFILES) == ["att", "eu-coarm", "uk-stats", "register"]
    with pytest.raises(InputError, match="Unknown report profile"):
        report("sipri")
    with pytest.raises(InputError, match="basis"):
        report("att", basis="planned")


# --- EU COARM -----------------------------------------------------------------------------

def test_coarm_france() -> None:
    fr = coarm_block(report("eu-coarm"), "FR")
    assert fr["a"] == {"ML1": 2, "ML3": 1, "ML10": 1, "Total": 3}
    assert fr["b"] == {"ML1": D("200000"), "ML3": D("20000"), "ML10": D("200000"),
                       "Total": D("420000")}
    assert fr["c"] == {"ML1": D("140000"), "Total": D("140000")}
    assert fr["d"] == {"ML1": 1, "Total": 1}
    assert fr["e"] == {"ML1": "2c (1), 7 (1)", "Total": "2c (1), 7 (1)"}


def test_coarm_saudi_arabia_and_india() -> None:
    rep = report("eu-coarm")
    sa = coarm_block(rep, "SA")
    assert sa["a"] == {"ML4": 3, "ML5": 1, "ML10": 1, "Total": 3}
    assert sa["b"] == {"ML4": D("1750000"), "ML5": D("500000"), "ML10": D("750000"),
                       "Total": D("3000000")}
    assert sa["c"] == {"ML4": D("1350000"), "Total": D("1350000")}
    assert sa["d"] == {"ML4": 2, "ML6": 2, "Total": 3}
    assert sa["e"] == {"ML4": "2a (2), 7 (2)", "ML6": "2a (2), 7 (1)", "Total": "2a (3), 7 (2)"}
    india = coarm_block(rep, "IN")
    assert india["a"] == {"ML1": 1, "Total": 1}
    assert india["b"] == {"ML1": D("10000"), "Total": D("10000")}   # JPY line left out
    assert india["c"] == {"Total": D("0")}
    assert india["d"] == {"ML2": 1, "Total": 1}
    assert india["e"] == {"ML2": "1 (1)", "Total": "1 (1)"}


def test_coarm_grand_total_and_order() -> None:
    rep = report("eu-coarm")
    total = coarm_block(rep, "")
    assert total["a"] == {"ML1": 3, "ML3": 1, "ML4": 3, "ML5": 1, "ML10": 2, "Total": 7}
    assert total["b"] == {"ML1": D("210000"), "ML3": D("20000"), "ML4": D("1750000"),
                          "ML5": D("500000"), "ML10": D("950000"),
                          "Total": D("3430000")}
    assert total["c"] == {"ML1": D("140000"), "ML4": D("1350000"),
                          "Total": D("1490000")}
    assert total["d"] == {"ML1": 1, "ML2": 1, "ML4": 2, "ML6": 2, "Total": 5}
    assert total["e"]["Total"] == "1 (1), 2a (3), 2c (1), 7 (3)"
    tb = table(rep, "coarm")
    assert [r[0] for r in tb.rows[::5]] == ["France", "India", "Saudi Arabia", "All destinations"]
    assert rep.counted == 12                  # decisions with ML lines (D5 and D14 have none)
    assert rep.withheld == [] and rep.redaction == "none"
    method = " ".join(rep.method)
    assert "2 decisions with no such line" in method
    assert ("Decisions counted: 12 (7 licences issued, 5 refused); shipments counted in row "
            "(c): 6.") in method
    assert "1 in JPY dated 2025" in method                 # the line with no rate
    assert "GBP 2025: 0.8" in method and "USD 2025: 1.25" in method
    assert "Decisions imported from a previous system: 1 of the 12 counted (oldsys (1))" in method
    assert "Redaction profile applied: Unredacted (none)" in method


def test_coarm_charts() -> None:
    charts = {c.id: c for c in report("eu-coarm").charts}
    regions_ = charts["coarm-regions"]
    assert regions_.categories == ["Asia", "Europe"]
    assert regions_.series == [("Issued", [4.0, 3.0]), ("Refused", [4.0, 1.0])]
    crit = charts["coarm-criteria"]
    assert crit.categories == ["1", "2a", "2c", "7"]
    assert crit.series[0][1] == [1.0, 3.0, 1.0, 3.0]
    assert charts["coarm-trend"].categories == ["2025"]
    assert charts["coarm-trend"].series == [("Issued", [7.0]), ("Refused", [5.0])]


def test_coarm_parliament_withholds_small_cells_and_their_complements() -> None:
    rep = report("eu-coarm", PARLIAMENT)
    w = Withheld
    fr, sa, india, total = (coarm_block(rep, c) for c in ("FR", "SA", "IN", ""))
    # (b): fewer than 3 licences -> withheld; FR Total then withheld too, else India's
    # withheld total would follow from the all-destinations total minus FR and SA.
    assert fr["b"] == {"ML1": w("fewer than 3 licences"), "ML3": w("fewer than 3 licences"),
                       "ML10": w("fewer than 3 licences"),
                       "Total": w("would reveal a withheld value")}
    assert sa["b"] == {"ML4": D("1750000"), "ML5": w("fewer than 3 licences"),
                       "ML10": w("fewer than 3 licences"), "Total": D("3000000")}
    assert india["b"]["Total"] == w("fewer than 3 licences")
    assert total["b"]["Total"] == D("3430000") and total["b"]["ML1"] == D("210000")
    # (c): FR ML1 (2 licences) is withheld, so the all-destinations ML4 is too, then SA ML4
    # and SA Total in turn.
    assert fr["c"] == {"ML1": w("fewer than 3 licences"), "Total": w("fewer than 3 licences")}
    assert sa["c"] == {"ML4": w("would reveal a withheld value"),
                       "Total": w("would reveal a withheld value")}
    assert total["c"] == {"ML1": w("fewer than 3 licences"),
                          "ML4": w("would reveal a withheld value"), "Total": D("1490000")}
    assert fr["a"]["Total"] == 3 and india["d"]["Total"] == 1      # counts stay exact
    assert rep.withheld == [
        "Exact values withheld in 13 cells of the EU table computed from fewer than 3 "
        "licences.",
        "A further 4 cells of the EU table withheld so that the withheld values cannot be "
        "worked out from the totals."]
    assert rep.redaction_title == "Parliamentary release"


# --- ATT ----------------------------------------------------------------------------------

def test_att_authorised() -> None:
    rep = report("att")
    assert not rep.nil and rep.counted == 7
    assert table(rep, "att-exports").rows == [
        ("VII. Missiles and missile launchers (including MANPADS)", "Saudi Arabia", "SA", 150,
         D("1750000"), "Guided bomb kit", "3 licences"),
        ("VIII. Small arms and light weapons", "France", "FR", 70, D("200000"),
         "Rifle model A; Rifle model B", "2 licences"),
        ("VIII. Small arms and light weapons", "India", "IN", 8, D("10000"), "Pistol",
         "1 licence; 1 value left out: no exchange rate"),
    ]
    voluntary = table(rep, "att-exports-ammo-parts").rows
    assert [(r[1], r[3], r[4], r[5]) for r in voluntary] == [
        ("France", 10000, D("20000"), "5.56 mm ammunition"),
        ("France", 1, D("200000"), "Aircraft spares"),
        ("Saudi Arabia", 2, D("750000"), "Missile launcher parts")]
    assert [r[0].split(" ")[0] for r in voluntary] == ["Ammunition/munitions", "Parts",
                                                        "Parts"]
    method = " ".join(rep.method)
    assert "Basis: authorised exports" in method
    assert "3 lines outside the ATT scope" in method
    assert "Data withheld (ATT Art 13(3)): none" in method


def test_att_actual() -> None:
    rep = report("att", basis="actual")
    assert rep.counted == 6
    assert table(rep, "att-exports").rows == [
        ("VII. Missiles and missile launchers (including MANPADS)", "Saudi Arabia", "SA", 105,
         D("1350000"), "Guided bomb kit; Bomb kit from 2024 licence",
         "4 shipments under 4 licences"),
        ("VIII. Small arms and light weapons", "France", "FR", 40, D("140000"),
         "Rifle model A; Rifle model B", "2 shipments under 2 licences"),
    ]
    assert table(rep, "att-exports-ammo-parts").rows == []
    assert "Basis: actual exports" in rep.method[0]


def test_att_actual_under_parliament() -> None:
    rep = report("att", PARLIAMENT, basis="actual")
    rows = table(rep, "att-exports").rows
    assert rows[0][4] == D("1350000") and rows[0][5] == "Guided bomb kit"
    assert rows[1][4] == Withheld("fewer than 3 licences")
    assert rep.withheld == [
        "Exact values withheld in 1 cell of the ATT exports table computed from fewer than 3 "
        "licences.",
        "1 shipment description left out of the ATT exports table: its licence is not among "
        "the period's decisions, so it could not be checked for withheld names."]
    assert any(m.startswith("Data withheld (ATT Art 13(3)): yes") for m in rep.method)


def test_att_nil_report() -> None:
    empty = Facts(date(2025, 1, 1), date(2025, 12, 31), [], [], [])
    rep = report("att", facts=empty)
    assert rep.nil and rep.counted == 0
    assert table(rep, "att-exports").rows == []
    assert rep.method[0].startswith("Nil report")
    # refusals and dual-use only: still nil
    rep = report("att", facts=Facts(date(2025, 1, 1), date(2025, 12, 31),
                                    [DECISIONS[3], DECISIONS[4]], [], []))
    assert rep.nil


# --- UK statistics ------------------------------------------------------------------------

def test_uk_destinations() -> None:
    tb = table(report("uk-stats"), "uk-destinations")
    assert [c.title for c in tb.columns][2:] == [
        "Individual licences issued", "Individual licences refused",
        "Individual licences revoked", "Open licences issued", "Open licences refused",
        "Open licences revoked", "Value of individual licences issued (EUR)",
        "Value of individual licences issued (GBP)", "Value of individual licences issued (JPY)",
        "Refusal criteria (refused licences)"]
    assert tb.rows == [
        ("France", "FR", 3, 1, 1, 1, 0, 0, D("150000.00"), D("80000.00"), None,
         "2c (1), 7 (1)"),
        ("India", "IN", 2, 1, 0, 0, 0, 0, D("50000.00"), None, D("1000000.00"), "1 (1)"),
        ("Saudi Arabia", "SA", 3, 2, 1, 0, 1, 0, D("2500000.00"), D("400000.00"), None,
         "2a (3), 7 (2)"),
    ]
    assert tb.totals == ("All destinations", "", 8, 4, 2, 1, 1, 0, D("2700000.00"),
                         D("480000.00"), D("1000000.00"), "1 (1), 2a (3), 2c (1), 7 (3)")


def test_uk_destinations_under_parliament() -> None:
    rep = report("uk-stats", PARLIAMENT)
    tb = table(rep, "uk-destinations")
    small = Withheld("fewer than 3 licences")
    assert [r[8:11] for r in tb.rows] == [(small, small, None), (small, None, small),
                                          (small, small, None)]
    assert tb.totals[8:11] == (D("2700000.00"), small, small)
    assert rep.withheld == ["Exact values withheld in 8 cells of the UK destinations table "
                            "computed from fewer than 3 licences."]


def test_uk_criteria_and_processing() -> None:
    rep = report("uk-stats")
    crit = table(rep, "uk-criteria")
    assert [r[:1] + r[2:] for r in crit.rows] == [("1", 1, 2), ("2a", 3, 4), ("2c", 1, 1),
                                                  ("7", 3, 3)]
    assert crit.rows[1][1] == "Internal repression"
    assert crit.totals == ("All refusals", "", 5, 10)
    proc = table(rep, "uk-processing")
    # individual: 20, 10, 20, 21, 20, 20, 10, 31, 20, 7 working days (D10 has no received
    # date, D14 was received after it was decided); open: D11 45 (D3 has no received date)
    assert proc.rows == [
        ("Individual licences", "20", 10, 20, 21, 8, 0.8, 2),
        ("Open licences", "60", 1, 45, 45, 1, 1.0, 1),
    ]
    method = " ".join(rep.method)
    assert ("Decisions left out of the processing times: 2 without a received date, 1 with "
            "a received date after the decision date.") in method
    assert rep.counted == 16
    assert {c.id for c in rep.charts} == {"uk-regions", "uk-criteria", "uk-trend"}


# --- register -----------------------------------------------------------------------------

def test_register_unredacted() -> None:
    rep = report("register")
    tb = table(rep, "register")
    assert [c.key for c in tb.columns] == [
        "reference", "decided", "received", "destination", "code", "end_user_kind", "end_user",
        "exporter", "items", "value", "currency", "outcome", "criteria", "countersigned",
        "origin"]
    assert [r[0] for r in tb.rows] == [f"GR-25-{n:03d}" for n in
                                       (6, 1, 2, 7, 8, 3, 14, 4, 9, 5, 10, 11, 12, 13)]
    rows = {r[0]: r for r in tb.rows}
    assert rows["GR-25-002"] == (
        "GR-25-002", date(2025, 4, 15), date(2025, 4, 1), "France", "FR", "armed forces",
        "End user 2", "Exporter 2 Ltd", "ML1", D("80000.00"), "GBP",
        "issued; revoked 2025-10-20", "", "", "signed")
    assert rows["GR-25-010"][9:] == (D("400000.00"), "EUR", "refused", "2a, 7", "supervisor",
                                     "imported from oldsys")
    assert rows["GR-25-001"][8] == "ML1, ML3"
    assert rows["GR-25-005"][8] == "5A002"
    assert rows["GR-25-006"][11] == "issued with conditions"
    assert rows["GR-25-012"][9:11] == ("10000.00 EUR + 1000000.00 JPY", "mixed")
    assert rows["GR-25-011"][12] == "2a"
    assert rep.counted == 14 and rep.withheld == []


def test_register_under_parliament() -> None:
    rep = report("register", PARLIAMENT)
    tb = table(rep, "register")
    keys = [c.key for c in tb.columns]
    assert "currency" not in keys
    rows = {r[0]: dict(zip(keys, r, strict=True)) for r in tb.rows}
    assert rows["GR-25-002"]["value"] == "EUR 100k–1M"         # 80,000 GBP = 100,000 EUR
    assert rows["GR-25-006"]["value"] == "EUR 1M–10M"
    assert rows["GR-25-013"]["value"] == "EUR under 100k"
    assert rows["GR-25-012"]["value"] == Withheld("no exchange rate for the band")
    assert all(isinstance(r["exporter"], Withheld) and isinstance(r["end_user"], Withheld)
               for r in rows.values())
    assert rows["GR-25-002"]["end_user_kind"] == "armed forces"
    assert rep.withheld == [
        "Exporter names withheld in the register (14 rows): commercially confidential.",
        "End-user names withheld in the register (14 rows): commercially confidential; the "
        "end user's kind is shown.",
        "Licence values in the register shown in bands of EUR (under 100k, 100k–1M, 1M–10M, "
        "over 10M), not as exact amounts (13 rows): commercially confidential.",
        "Licence values withheld in the register (1 row): no exchange rate to EUR is held "
        "for their currency and year, so no band could be given."]
    assert rep.classification == "OFFICIAL"     # the service blanks it for publication


def test_actual_basis_is_stated_as_not_applying_outside_att() -> None:
    rep = report("register", basis="actual")
    assert rep.method[0].startswith("The actual basis applies to the ATT report only")


def test_att_public_withholds_descriptions() -> None:
    rep = report("att", load_profiles()["public"])
    rows = table(rep, "att-exports").rows + table(rep, "att-exports-ammo-parts").rows
    assert rows and all(isinstance(r[5], Withheld) for r in rows)
    assert rep.withheld[0] == ("Goods descriptions withheld in the ATT exports table (6 rows): "
                               "free text that can name the parties or the contract.")
