"""Oversight reports at scale: prints the figures, asserts nothing.

    python benchmarks/oversight.py [DECISIONS]          (default 50000)

A child process builds a database with DECISIONS decisions that took effect over five
years (1–3 goods lines each, a fifth of them refusals citing criteria, every tenth with
shipments), each logged by its own chained event, as imports are. This process then
times, through the same service the window and the CLI use:

- the EU (COARM) table and the decision register, computed (the window's preview);
- both exported to a signed Excel workbook (write-only mode), as the issue asks;
- the UK statistics and the ATT report, computed;

and prints its peak memory (the maximum resident set size of this process, which did
not build the database).

Target (issue 7): the EU table and the register as Excel in under 15 s, peak under 400 MB.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "bench-password-1"
CA_PASSWORD = "bench-ca-passphrase-1"
COUNTRIES = ["CI", "KE", "ID", "TH", "SA", "AE", "CO", "BR", "IN", "NG", "EG", "PK", "US",
             "DE", "FR", "JP", "AU", "CA", "MX", "ZA"]
ENTRIES = ["ML1.a", "ML3.a", "ML4.b", "ML6.a", "ML10.h", "ML13.d", "ML15.d", "ML5.b",
           "ML11.a", "ML22.a", "5A002.a"]
ATT = {"ML1.a": "VIII", "ML3.a": "AMMO", "ML4.b": "VII", "ML6.a": "II", "ML10.h": "PARTS"}
CRITERIA = ["1", "2a", "2c", "3", "4", "7"]


def build(path: Path, n: int) -> None:
    from sqlalchemy import insert

    from app import users
    from app.canonical import canonical_bytes, event_hash, sha256_hex
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
        Shipment,
    )

    db = open_database(path)
    rnd = random.Random(11)
    with UnitOfWork(db.session_factory) as uow:
        admin = users.create_first_administrator(uow, "admin", "Ada Admin", PASSWORD,
                                                 ca_password=CA_PASSWORD)
    with UnitOfWork(db.session_factory) as uow:
        users.create_user(uow, admin, "sam", "Sam Supervisor", Role.SUPERVISOR, PASSWORD,
                          ca_password=CA_PASSWORD)
    fw = catalogue().get("eu-cp")
    with UnitOfWork(db.session_factory) as uow:
        s = uow.session
        s.add(FrameworkText(sha256=fw.sha256, framework_id=fw.id, version=fw.version,
                            title=fw.title, file_name=fw.path.name, text=fw.text,
                            stored_at=now_utc()))
        s.flush()
        now = now_utc()
        cases, parties, goods, assessments_, rows, shipments = [], [], [], [], [], []
        start = date(2021, 1, 1)
        for i in range(1, n + 1):
            dest = COUNTRIES[i % len(COUNTRIES)]
            refused = rnd.random() < 0.2
            decided = start + timedelta(days=rnd.randrange(5 * 365))
            received = decided - timedelta(days=rnd.randrange(5, 60))
            cases.append(dict(id=i, reference=f"GR-B-{i:06d}",
                              status="refused" if refused else "approved",
                              licence_type="SIEL", exporter_name=f"Exporter {i % 97} Ltd",
                              destination=dest, received_date=received, created_at=now,
                              created_by_id=1, updated_at=now, updated_by_id=1, row_version=1,
                              is_demo=False))
            parties.append(dict(case_id=i, position=0, role="end_user",
                                name=f"Ministère de la Défense {i % 300}", country=dest,
                                kind=["government", "armed_forces", "police_security",
                                      "commercial"][i % 4]))
            lines = rnd.sample(ENTRIES, rnd.randint(1, 3))
            for pos, entry in enumerate(lines):
                goods.append(dict(case_id=i, position=pos, description=f"Équipement {entry}",
                                  control_entry=entry, att_category=ATT.get(entry, "NONE"),
                                  quantity=str(rnd.randint(1, 500)), unit="pcs",
                                  value=f"{rnd.randint(1_000, 5_000_000)}.00",
                                  currency=rnd.choice(["EUR", "EUR", "GBP", "USD"])))
                if not refused and i % 10 == 0:
                    shipments.append(dict(case_id=i, shipped_on=decided + timedelta(days=30),
                                          control_entry=entry, description="", quantity="1",
                                          value="1000.00", currency="EUR", note="",
                                          source="benchmark", recorded_at=now,
                                          recorded_by_id=1))
            assessments_.append(dict(id=i, case_id=i, framework_id=fw.id,
                                     framework_sha256=fw.sha256, check_reviews={},
                                     current_step="summary", created_at=now, created_by_id=1,
                                     updated_at=now, updated_by_id=1, row_version=1))
            snapshot = canonical_bytes({"format": "goldenrule.legacy-record/1", "case": i})
            rows.append(dict(
                case_id=i, sequence=1, kind="decision", assessment_id=i, framework_id=fw.id,
                framework_version=fw.version, framework_sha256=fw.sha256,
                outcome="refuse" if refused else "approve", rationale="Imported decision.",
                conditions=[], criteria_cited=rnd.sample(CRITERIA, rnd.randint(1, 2))
                if refused else [], as_of=decided, checks=[], evaluation={}, findings={},
                status_before="in_assessment", status_after="refused" if refused
                else "approved", countersignatures_required=0,
                decided_at=datetime(decided.year, decided.month, decided.day, 12, tzinfo=UTC),
                decided_by_id=2, origin="import:benchmark", snapshot=snapshot.decode(),
                snapshot_sha256=sha256_hex(snapshot)))
        for table, values in ((Case, cases), (Party, parties), (GoodsLine, goods),
                              (Assessment, assessments_), (DecisionRow, rows),
                              (Shipment, shipments)):
            for k in range(0, len(values), 5000):
                s.execute(insert(table), values[k:k + 5000])
        last_id, last_hash = chain_head(s)
        t0 = datetime(2026, 1, 1, tzinfo=UTC)
        events = []
        for i in range(1, n + 1):
            at = t0 + timedelta(microseconds=i)
            after = {"record": i, "sequence": 1, "kind": "decision", "origin": "import:benchmark"}
            digest = event_hash(last_hash, at, 2, "decision.import", "case", f"GR-B-{i:06d}",
                                None, after)
            events.append(dict(id=last_id + i, at=at, actor_id=2, action="decision.import",
                               entity="case", entity_id=f"GR-B-{i:06d}", before=None,
                               after=after, prev_hash=last_hash, hash=digest))
            last_hash = digest
        for k in range(0, len(events), 5000):
            s.execute(insert(ChangeEvent), events[k:k + 5000])
        uow.commit()
    db.dispose()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--build":
        build(Path(sys.argv[2]), int(sys.argv[3]))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--build", str(path), str(n)], check=True)
        print(f"built {n:,} decisions in {time.perf_counter() - started:.1f} s "
              f"(in a child process)")
        from app import users
        from app.database import open_database
        from app.oversight import service
        from app.uow import UnitOfWork

        db = open_database(path)
        with UnitOfWork(db.session_factory) as uow:
            sam = users.authenticate(uow, "sam", PASSWORD)
        period = (date(2021, 1, 1), date(2025, 12, 31))
        print(f"period {period[0]} to {period[1]}; peak memory before reports "
              f"{peak_mb():.0f} MB")
        totals = 0.0
        for profile in ("eu-coarm", "register"):
            request = service.ReportRequest(profile, *period, redaction="parliament")
            with UnitOfWork(db.session_factory) as uow:
                started = time.perf_counter()
                report = service.build(uow, sam, request)
                computed = time.perf_counter() - started
            with UnitOfWork(db.session_factory) as uow:
                started = time.perf_counter()
                service.export(uow, sam, request, "xlsx", Path(tmp) / f"{profile}.xlsx",
                               PASSWORD)
                exported = time.perf_counter() - started
            totals += exported
            size = (Path(tmp) / f"{profile}.xlsx").stat().st_size / 1e6
            rows = sum(len(t.rows) for t in report.tables)
            print(f"{profile:9s} computed (preview) {computed:5.2f} s; exported as signed "
                  f"Excel {exported:5.2f} s ({rows:,} rows, {size:.1f} MB, "
                  f"{report.counted:,} decisions)")
        for profile in ("uk-stats", "att"):
            request = service.ReportRequest(profile, *period, redaction="parliament")
            with UnitOfWork(db.session_factory) as uow:
                started = time.perf_counter()
                service.build(uow, sam, request)
                print(f"{profile:9s} computed (preview) {time.perf_counter() - started:5.2f} s")
        print(f"EU table + register as Excel: {totals:.2f} s (target < 15 s: "
              f"{'met' if totals < 15 else 'NOT met'}); peak memory {peak_mb():.0f} MB "
              f"(target < 400 MB: {'met' if peak_mb() < 400 else 'NOT met'})")
        db.dispose()


if __name__ == "__main__":
    main()
