"""Audit trail and decision search at scale: prints the figures, asserts nothing.

    python benchmarks/audit.py [EVENTS] [DECISIONS]     (defaults 100000 and 50000)

Builds a database with EVENTS correctly chained change events (realistic size, accented
names) and DECISIONS decision records on as many cases (stored as unsigned imports, as
issue 7's legacy history will be), then times:

- ``audit.verify_integrity`` over the whole chain and every record (what runs at start);
- ``decisions.search_decisions`` with the audit view's filters (p50 / p95 of 20 runs each);
- ``decisions.consistency`` for one record.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from app import audit, decisions, users
from app.canonical import event_hash, plain
from app.changes import chain_head, now_utc
from app.database import open_database
from app.frameworks import catalogue
from app.uow import UnitOfWork
from app.vocab import Role
from db.models import (
    Assessment,
    Case,
    ChangeEvent,
    DecisionRow,
    FrameworkText,
    GoodsLine,
    Party,
)

PASSWORD = "bench-password-1"
COUNTRIES = ["CI", "KE", "ID", "TH", "SA", "AE", "CO", "BR", "IN", "NG", "EG", "PK"]
OUTCOMES = ["approve", "approve", "approve", "approve-with-conditions", "refuse"]
ENTRIES = ["ML1.a", "ML3.a", "ML4.b", "ML6.a", "ML10.h", "ML13.d", "ML15.d", "ML5.b"]


def build(path: Path, n_events: int, n_decisions: int) -> None:
    db = open_database(path)
    rnd = random.Random(7)
    with UnitOfWork(db.session_factory) as uow:
        admin = users.create_first_administrator(uow, "admin", "Ada Ädmin", PASSWORD)
        users.create_user(uow, admin, "auditor", "Audrey Auditor", Role.SUPERVISOR, PASSWORD)
    fw = catalogue().get("golden-rule")
    with UnitOfWork(db.session_factory) as uow:
        s = uow.session
        s.add(FrameworkText(sha256=fw.sha256, framework_id=fw.id, version=fw.version,
                            title=fw.title, file_name=fw.path.name, text=fw.text,
                            stored_at=now_utc()))
        s.flush()
        now = now_utc()
        cases, parties, goods, assessments_, rows = [], [], [], [], []
        for i in range(1, n_decisions + 1):
            dest = COUNTRIES[i % len(COUNTRIES)]
            cases.append(dict(id=i, reference=f"GR-2025-{i:05d}", status="approved",
                              licence_type="SIEL", exporter_name=f"Exporter {i % 97} Ltd",
                              destination=dest, created_at=now, created_by_id=1,
                              updated_at=now, updated_by_id=1, row_version=1, is_demo=False))
            parties.append(dict(case_id=i, position=0, role="end_user",
                                name=f"Ministère de la Défense {i % 300}", country=dest,
                                kind="government"))
            goods.append(dict(case_id=i, position=0, description="Équipement",
                              control_entry=ENTRIES[i % len(ENTRIES)], att_category="NONE",
                              quantity="10", unit="pcs", value="1000.00", currency="EUR"))
            assessments_.append(dict(id=i, case_id=i, framework_id=fw.id,
                                     framework_sha256=fw.sha256, check_reviews={},
                                     current_step="summary", created_at=now, created_by_id=1,
                                     updated_at=now, updated_by_id=1, row_version=1))
            outcome = rnd.choice(OUTCOMES)
            rows.append(dict(
                case_id=i, sequence=1, kind="decision", assessment_id=i, framework_id=fw.id,
                framework_version=fw.version, framework_sha256=fw.sha256, outcome=outcome,
                rationale="Imported decision.", conditions=[],
                criteria_cited=["ihrl"] if outcome == "refuse" else [],
                as_of=date(2020, 1, 1) + timedelta(days=i % 2000), checks=[], evaluation={},
                findings={}, status_before="in_assessment", status_after="approved",
                countersignatures_required=0, decided_at=now - timedelta(minutes=i),
                decided_by_id=2, origin="import:benchmark"))
        for table, values in ((Case, cases), (Party, parties), (GoodsLine, goods),
                              (Assessment, assessments_), (DecisionRow, rows)):
            s.execute(insert(table), values)
        last_id, last_hash = chain_head(s)
        t0 = datetime(2026, 1, 1, tzinfo=UTC)
        events = []
        # Each imported record is logged by its own event, as an importer must (verify
        # reports a record without one as inserted behind the application's back).
        for i in range(1, n_decisions + 1):
            at = t0 + timedelta(microseconds=i)
            after = {"record": i, "sequence": 1, "kind": "decision", "origin": "import:benchmark"}
            digest = event_hash(last_hash, at, 2, "decision.import", "case", f"GR-2025-{i:05d}",
                                None, after)
            events.append(dict(id=last_id + i, at=at, actor_id=2, action="decision.import",
                               entity="case", entity_id=f"GR-2025-{i:05d}", before=None,
                               after=after, prev_hash=last_hash, hash=digest))
            last_hash = digest
        last_id += n_decisions
        t0 += timedelta(days=1)
        for k in range(n_events - last_id):
            at = t0 + timedelta(seconds=k * 7, microseconds=rnd.randrange(10**6))
            before = plain({"status": "received", "destination": "CI", "notes": "Dossier reçu",
                            "value": "412500.00", "parties": [
                                {"role": "end_user",
                                 "name": "Gendarmerie nationale de Côte d'Ivoire"}]})
            after = plain({**before, "status": "in_assessment", "updated": at, "version": k})
            entity_id = f"GR-2025-{k % 99999:05d}"
            digest = event_hash(last_hash, at, 1, "case.update", "case", entity_id, before,
                                after)
            events.append(dict(id=last_id + 1 + k, at=at, actor_id=1, action="case.update",
                               entity="case", entity_id=entity_id, before=before, after=after,
                               prev_hash=last_hash, hash=digest))
            last_hash = digest
        s.execute(insert(ChangeEvent), events)
        uow.commit()
    db.dispose()


def timed(fn, runs: int = 20) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    n_events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_decisions = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        started = time.perf_counter()
        build(path, n_events, n_decisions)
        print(f"built {n_events:,} events and {n_decisions:,} decisions in "
              f"{time.perf_counter() - started:.1f} s")
        db = open_database(path)
        with UnitOfWork(db.session_factory) as uow:
            actor = users.authenticate(uow, "auditor", PASSWORD)
        with UnitOfWork(db.session_factory) as uow:
            started = time.perf_counter()
            report = audit.verify_integrity(uow, actor)
            took = time.perf_counter() - started
        print(f"verify_integrity: {report.events_checked:,} events and "
              f"{report.records_checked:,} records in {took:.2f} s "
              f"({report.events_checked / took:,.0f} events/s); failures "
              f"{len(report.failures)}, notes {len(report.notes)}")
        queries = {
            "no filter (first 500)": decisions.DecisionQuery(),
            "destination": decisions.DecisionQuery(destination="KE"),
            "outcome + period": decisions.DecisionQuery(outcome="refuse",
                                                        date_from=date(2021, 1, 1),
                                                        date_to=date(2021, 12, 31)),
            "end user words": decisions.DecisionQuery(end_user="Défense 17"),
            "criterion": decisions.DecisionQuery(criterion="ihrl"),
            "category": decisions.DecisionQuery(category="ML13"),
        }
        with UnitOfWork(db.session_factory) as uow:
            for name, query in queries.items():
                found = len(decisions.search_decisions(uow, actor, query))
                p50, p95 = timed(lambda q=query: decisions.search_decisions(uow, actor, q))
                print(f"search {name:24s} {found:5d} rows  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
            record_id = n_decisions // 2
            p50, p95 = timed(lambda: decisions.consistency(uow, actor, record_id), runs=5)
            count = len(decisions.consistency(uow, actor, record_id))
            print(f"consistency for one record: {count} divergent  p50 {p50:.1f} ms  "
                  f"p95 {p95:.1f} ms")
        db.dispose()


if __name__ == "__main__":
    main()
