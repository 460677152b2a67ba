"""The real UK licensing statistics 2008-2014 (CAAT, see shared/data/README.md section 6)
imported as legacy records, and every count checked against the CSV files read here with
the csv module alone.

The data folder sits next to the repository; set GOLDENRULE_SHARED_DATA to point elsewhere.
The import (54,098 licences) and the integrity check over it take about half a minute.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app import audit, legacy_import, users
from app.database import Database, open_database
from app.uow import UnitOfWork
from app.users import Actor
from db.models import Case, ChangeEvent, DecisionRow, GoodsLine


def _data_dir() -> Path:
    configured = os.environ.get("GOLDENRULE_SHARED_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


DATA = _data_dir()
VALUES = DATA / "caat_uk_licence_values_2008-2014.csv"
CRITERIA = DATA / "caat_uk_refusal_criteria_2008-2014.csv"
pytestmark = [
    pytest.mark.skipif(not (VALUES.is_file() and CRITERIA.is_file()), reason=(
        f"the CAAT UK licensing files are not in {DATA} (set GOLDENRULE_SHARED_DATA to the "
        "shared data folder)")),
    pytest.mark.slow,
]
#: Citations per criterion as shared/data/README.md gives them: rows of the criteria file.
README_CITATIONS = {"1": 804, "7": 270, "2": 233, "3": 148, "5": 83, "4": 50, "6": 3, "8": 1}
#: The same, once per licence: the criteria file repeats 459 rows word for word.
DISTINCT_CITATIONS = {"1": 527, "7": 222, "2": 178, "3": 99, "5": 74, "4": 29, "6": 3,
                      "8": 1}
MAX_IMPORT_SECONDS = 120


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[Database, Actor, legacy_import.LegacyImportReport]]:
    db = open_database(tmp_path_factory.mktemp("uk") / "uk.sqlite3")
    with UnitOfWork(db.session_factory) as uow:
        admin = users.create_first_administrator(uow, "admin", "Ada Admin", "admin-password-1")
    with UnitOfWork(db.session_factory) as uow:
        report = legacy_import.import_legacy(uow, admin, [VALUES, CRITERIA], "caat-uk",
                                             "caat-uk-2008-2014", "LEGACY-UK")
    print(f"\nimported {report.licences:,} UK licences in {report.seconds:.1f} s")
    try:
        yield db, admin, report
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    """The files as plain rows: groups with their rows, and the criteria rows."""
    with VALUES.open(encoding="utf-8", newline="") as fh:
        values = list(csv.DictReader(fh))
    with CRITERIA.open(encoding="utf-8", newline="") as fh:
        criteria = list(csv.DictReader(fh))
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in values:
        groups[row["licence_group"]].append(row)
    return {"values": values, "criteria": criteria, "groups": groups,
            "refused": {row["licence_group"] for row in criteria}}


def scalar(db: Database, stmt: Any) -> Any:
    with UnitOfWork(db.session_factory) as uow:
        return uow.session.scalar(stmt)


def test_every_licence_group_is_one_case_and_one_decision(imported: Any,
                                                          source: dict[str, Any]) -> None:
    db, _admin, report = imported
    assert len(source["groups"]) == 54_098 and len(source["refused"]) == 912
    assert (report.licences, report.refused, report.issued, report.revoked) == (
        54_098, 912, 53_186, 0)
    assert report.goods_lines == len(source["values"]) == 82_014
    assert report.seconds < MAX_IMPORT_SECONDS
    assert scalar(db, select(func.count()).select_from(Case)) == 54_098
    assert scalar(db, select(func.count()).select_from(DecisionRow)) == 54_098
    with UnitOfWork(db.session_factory) as uow:
        statuses = dict(uow.session.execute(select(Case.status, func.count())
                                            .group_by(Case.status)).all())
        outcomes = dict(uow.session.execute(select(DecisionRow.outcome, func.count())
                                            .group_by(DecisionRow.outcome)).all())
        refs = set(uow.session.scalars(select(Case.reference)))
    assert statuses == {"approved": 53_186, "refused": 912}
    assert outcomes == {"approve": 53_186, "refuse": 912}
    assert refs == {f"LEGACY-UK-{int(g):07d}" for g in source["groups"]}


def test_issued_and_refused_per_destination(imported: Any, source: dict[str, Any]) -> None:
    db, _admin, _report = imported
    names = legacy_import.country_names()
    expected: Counter[tuple[str, str]] = Counter()
    for group, rows in source["groups"].items():
        code = names.code(rows[0]["country"])
        assert code is not None, rows[0]["country"]
        expected[(code, "refused" if group in source["refused"] else "approved")] += 1
    with UnitOfWork(db.session_factory) as uow:
        stored = Counter({(dest, status): n for dest, status, n in uow.session.execute(
            select(Case.destination, Case.status, func.count())
            .group_by(Case.destination, Case.status))})
    assert stored == expected
    assert stored[("IN", "approved")] > 0 and stored[("RU", "refused")] > 0


def test_total_value_and_quantity_per_destination(imported: Any,
                                                  source: dict[str, Any]) -> None:
    db, _admin, _report = imported
    names = legacy_import.country_names()
    value: dict[str, Decimal] = defaultdict(Decimal)
    count: dict[str, Decimal] = defaultdict(Decimal)
    for row in source["values"]:
        code = names.code(row["country"])
        assert code is not None
        value[code] += Decimal(row["value"] or 0)
        count[code] += Decimal(row["count"])
    stored_value: dict[str, Decimal] = defaultdict(Decimal)
    stored_count: dict[str, Decimal] = defaultdict(Decimal)
    with UnitOfWork(db.session_factory) as uow:
        for dest, v, q, currency in uow.session.execute(
                select(Case.destination, GoodsLine.value, GoodsLine.quantity,
                       GoodsLine.currency).join(Case, Case.id == GoodsLine.case_id)):
            assert currency == "GBP"
            stored_value[dest] += Decimal(v)
            stored_count[dest] += Decimal(q)
    assert stored_value == value and stored_count == count
    assert sum(value.values()) == sum(Decimal(r["value"] or 0) for r in source["values"])


def test_refusal_criteria_per_criterion(imported: Any, source: dict[str, Any]) -> None:
    db, _admin, _report = imported
    rows = Counter(row["criteria"] for row in source["criteria"])
    distinct = Counter(c for _g, c in {(row["licence_group"], row["criteria"])
                                       for row in source["criteria"]})
    assert rows == README_CITATIONS and distinct == DISTINCT_CITATIONS
    cited: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    with UnitOfWork(db.session_factory) as uow:
        for criteria, snapshot in uow.session.execute(
                select(DecisionRow.criteria_cited, DecisionRow.snapshot)
                .where(DecisionRow.outcome == "refuse")):
            cited.update(criteria)
            kept.update(r["values"]["criteria"] for r in json.loads(snapshot)["rows"]
                        if r["file"] == CRITERIA.name)
    # Each record cites a criterion once; its snapshot keeps every source row as read.
    assert cited == distinct
    assert kept == README_CITATIONS


def test_the_import_is_logged_with_the_files_it_read(imported: Any) -> None:
    db, _admin, _report = imported
    with UnitOfWork(db.session_factory) as uow:
        summary = uow.session.scalars(select(ChangeEvent.after).where(
            ChangeEvent.action == "legacy.import")).one()
        events = uow.session.scalar(select(func.count()).select_from(ChangeEvent).where(
            ChangeEvent.action == "decision.import"))
    assert events == 54_098
    assert summary["files"] == [
        {"name": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "rows": rows}
        for p, rows in ((VALUES, 82_014), (CRITERIA, 1_592))]
    assert (summary["licences"], summary["refused"], summary["records"]) == (54_098, 912,
                                                                            54_098)


def test_integrity_check_over_the_imported_history(imported: Any) -> None:
    db, admin, _report = imported
    started = time.perf_counter()
    with UnitOfWork(db.session_factory) as uow:
        report = audit.verify_integrity(uow, admin)
    print(f"\nverify_integrity over {report.events_checked:,} events and "
          f"{report.records_checked:,} records: {time.perf_counter() - started:.1f} s")
    assert report.failures == []
    assert report.ok and report.records_checked == 54_098
    assert len(report.notes) == 54_098  # each unsigned import, noted, not a failure
