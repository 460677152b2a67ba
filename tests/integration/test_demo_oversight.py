"""Issue 7's "done means": the EU table and the ATT report for last year from the demo
records, with and without redaction, in Excel and PDF, and the totals match a hand count
of resources/demo/history.csv and shipments.csv.

The hand counts below were made by reading those two files (GBP amounts), and converted
with the 2025 rate of resources/reference/exchange_rates.yaml (EUR 1 = GBP 0.857)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app import demo, users
from app.database import Database
from app.document_check import check_file
from app.oversight import service
from app.uow import UnitOfWork
from app.users import Actor
from reports.oversight_model import OversightReport, Table, Withheld
from tests.conftest import ADMIN_PASSWORD, CA_PASSWORD

TODAY = date(2026, 6, 1)          # so the demo history lands in 2025
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
RATE = Decimal("0.857")           # GBP per EUR, 2025


def eur(gbp: int) -> int:
    return int((Decimal(gbp) / RATE).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.fixture
def demo_db(database: Database, admin: Actor) -> Database:
    with UnitOfWork(database.session_factory) as uow:
        demo.seed_demo(uow, admin, TODAY, ca_password=CA_PASSWORD)
    return database


def supervisor(db: Database) -> Actor:
    with UnitOfWork(db.session_factory) as uow:
        return users.authenticate(uow, "demo.supervisor", demo.DEMO_PASSWORD)


def build(db: Database, actor: Actor, profile: str, redaction: str) -> OversightReport:
    with UnitOfWork(db.session_factory) as uow:
        return service.build(uow, actor, service.ReportRequest(profile, *YEAR,
                                                               redaction=redaction))


def block(table: Table, code: str) -> dict[str, tuple]:
    """The five COARM rows of one destination, by their (a)..(e) letter."""
    rows = [r for r in table.rows if r[1] == code]
    return {str(r[2])[1]: r for r in rows}


def cell(table: Table, row: tuple, column: str) -> object:
    return row[[c.key for c in table.columns].index(column.lower())]


def test_eu_table_matches_a_hand_count(demo_db: Database) -> None:
    report = build(demo_db, supervisor(demo_db), "eu-coarm", "none")
    [table] = [t for t in report.tables if t.id == "coarm"]
    kenya = block(table, "KE")
    # H-001 ML1 62,000; H-002 ML3 9,000; H-022 ML22 75,000 issued; H-003 ML13 refused (2a).
    assert cell(table, kenya["a"], "total") == 3
    assert [cell(table, kenya["a"], m) for m in ("ML1", "ML3", "ML22")] == [1, 1, 1]
    assert cell(table, kenya["b"], "total") == eur(62_000 + 9_000 + 75_000)
    assert cell(table, kenya["c"], "total") == eur(62_000)          # shipped: H-001
    assert cell(table, kenya["d"], "ML13") == 1 and cell(table, kenya["d"], "total") == 1
    assert cell(table, kenya["e"], "total") == "2a (1)"
    indonesia = block(table, "ID")
    # H-004 (ML10 380,000 + ML5 150,000) and H-005 (ML6 95,000) issued; H-006 ML1 refused.
    assert cell(table, indonesia["a"], "total") == 2
    assert cell(table, indonesia["b"], "total") == eur(380_000 + 150_000 + 95_000)
    assert cell(table, indonesia["c"], "total") == eur(221_000 + 159_000)
    assert cell(table, indonesia["e"], "total") == "2a (1), 7 (1)"
    # 24 licences; 7 refused (H-003, H-006, H-010, H-015, H-016, H-017, H-019); H-011 was
    # issued, then revoked. H-010 (5A002) is dual-use, outside the military list.
    assert report.counted == 23
    totals = block(table, "")
    assert cell(table, totals["a"], "total") == 17
    assert cell(table, totals["d"], "total") == 6


def test_att_report_matches_a_hand_count(demo_db: Database) -> None:
    report = build(demo_db, supervisor(demo_db), "att", "none")
    main = report.tables[0]
    rows = {(r[0], r[2]): r for r in main.rows}
    # Authorised: H-012 six APCs to AU (II); rifles H-013 (AU, 100) and H-001 (KE, 40).
    assert set(rows) == {("II. Armoured combat vehicles", "AU"),
                         ("VIII. Small arms and light weapons", "AU"),
                         ("VIII. Small arms and light weapons", "KE")}
    apc = rows[("II. Armoured combat vehicles", "AU")]
    assert (apc[3], apc[4]) == (6, eur(4_200_000))
    kenya = rows[("VIII. Small arms and light weapons", "KE")]
    assert (kenya[3], kenya[4]) == (40, eur(62_000))
    assert not report.nil


def test_redaction_and_signed_exports(demo_db: Database, tmp_path: Path) -> None:
    sam = supervisor(demo_db)
    published = build(demo_db, sam, "eu-coarm", "parliament")
    [table] = [t for t in published.tables if t.id == "coarm"]
    kenya = block(table, "KE")
    assert isinstance(cell(table, kenya["b"], "ML1"), Withheld)   # one licence: withheld
    assert cell(table, kenya["a"], "total") == 3                    # counts stay
    assert published.withheld and "fewer than 3 licences" in published.withheld[0]
    with UnitOfWork(demo_db.session_factory) as uow:
        admin = users.authenticate(uow, "admin", ADMIN_PASSWORD)
    for fmt in ("xlsx", "pdf"):
        for who, redaction in ((sam, "none"), (admin, "parliament")):
            out = tmp_path / f"{who.username}-{redaction}.{fmt}"
            password = demo.DEMO_PASSWORD if who is sam else ADMIN_PASSWORD
            with UnitOfWork(demo_db.session_factory) as uow:
                service.export(uow, who, service.ReportRequest("att", *YEAR,
                                                               redaction=redaction),
                               fmt, out, password)
            with UnitOfWork(demo_db.session_factory) as uow:
                verdict = check_file(out, uow=uow)
            assert verdict.ok, verdict.lines()
            assert [s.username for s in verdict.signatures] == [who.username]
    text = "\n".join(p.extract_text() for p in
                     PdfReader(tmp_path / "admin-parliament.pdf").pages)
    assert "Northbridge" not in text          # exporter names withheld
    book = load_workbook(tmp_path / "demo.supervisor-none.xlsx")
    assert any("Notes" in name for name in book.sheetnames)
