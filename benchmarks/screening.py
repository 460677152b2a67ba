"""Screening at scale, end to end: prints the figures, asserts nothing.

    python benchmarks/screening.py [--names 50000] [--queries 2000] [--parties 10000]

Builds a database, writes about NAMES synthetic list names (people and firms in several
naming traditions, aliases strong and weak; generator in benchmarks/screening_matcher.py) to
the generic list CSV and imports it with ``lists.import_list`` (parse, store, diff), then:

- screens QUERIES single parties, timing ``MatchIndex.screen`` alone and the service call
  the Screening window makes (``service.screen_name``: index, hits, dispositions, entries);
- registers PARTIES parties on cases (four per case: exporter, end user, consignee,
  forwarder) and times ``service.rescreen`` over all of them after a list update: what the
  officer waits for once a new list version is imported (every run and hit stored).

Targets (issue 8): one party against 50,000 names under 50 ms at p95; 10,000 parties
re-screened in under 60 s.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from screening_matcher import pct, queries, synthetic  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from app import users  # noqa: E402
from app.changes import now_utc  # noqa: E402
from app.database import open_database  # noqa: E402
from app.screening import lists as list_store  # noqa: E402
from app.screening import service  # noqa: E402
from app.screening.entries import WEAK, ListEntry  # noqa: E402
from app.uow import UnitOfWork  # noqa: E402
from app.vocab import Role  # noqa: E402
from db.models import Case, Party  # noqa: E402

PASSWORD = "bench-password-1"
DATA = ROOT.parent / "shared" / "data"
REAL = ("un_sc_consolidated_2026-02-27.xml", "ofac_sdn_2024-05-03.csv",
        "ofac_non_sdn_cons_prim.csv", "us_bis_denied_persons_list.txt")
COLUMNS = ("id", "name", "kind", "aliases", "birth_dates", "countries", "programmes",
           "reference", "listed_on", "remarks")


def write_csv(path: Path, entries: list[ListEntry]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for e in entries:
            aliases = ";".join(("~" if a.quality == WEAK else "") + a.name for a in e.aliases)
            w.writerow((e.key, e.name, e.kind, aliases, ";".join(e.birth_dates),
                        ";".join(e.countries), "BENCH", "", "", ""))


def add_cases(db: object, parties: list[tuple[str, str, str]], officer_id: int) -> int:
    """Cases of four parties each (the first is the exporter), inserted in bulk."""
    now = now_utc()
    per = 4
    n_cases = (len(parties) + per - 1) // per
    with UnitOfWork(db.session_factory) as uow:  # type: ignore[attr-defined]
        case_rows, party_rows = [], []
        for c in range(n_cases):
            chunk = parties[c * per:(c + 1) * per]
            exporter = chunk[0]
            case_rows.append(dict(id=c + 1, reference=f"GR-2026-{c + 1:05d}",
                                  status="in_assessment", licence_type="SIEL",
                                  exporter_name=exporter[0], exporter_country=exporter[1] or "GB",
                                  destination=chunk[-1][1] or "KE", created_at=now,
                                  created_by_id=officer_id, updated_at=now,
                                  updated_by_id=officer_id, row_version=1, is_demo=False))
            for i, (name, country, kind) in enumerate(chunk[1:]):
                party_rows.append(dict(case_id=c + 1, position=i,
                                       role=("end_user", "consignee", "freight_forwarder")[i],
                                       name=name, country=country or "KE",
                                       kind="individual" if kind == "individual" else "commercial"))
        uow.session.execute(insert(Case), case_rows)
        uow.session.execute(insert(Party), party_rows)
        uow.commit()
    return n_cases


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--names", type=int, default=50_000)
    ap.add_argument("--queries", type=int, default=2_000)
    ap.add_argument("--parties", type=int, default=10_000)
    ap.add_argument("--no-real", action="store_true",
                    help="synthetic names only (default: the real lists in ../shared/data "
                         "first, then synthetic names up to NAMES)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = open_database(folder / "bench.db")
        with UnitOfWork(db.session_factory) as uow:
            admin = users.create_first_administrator(uow, "admin", "Ada Ädmin", PASSWORD)
            users.create_user(uow, admin, "olga", "Olga Øfficer", Role.OFFICER, PASSWORD)
        with UnitOfWork(db.session_factory) as uow:
            officer = users.authenticate(uow, "olga", PASSWORD)

        real_names = 0
        if not args.no_real and DATA.is_dir():
            for name in REAL:
                path = DATA / name
                if not path.exists():
                    continue
                t0 = time.perf_counter()
                with UnitOfWork(db.session_factory) as uow:
                    r = list_store.import_list(uow, officer, path)
                real_names += r.version.name_count
                print(f"real list {r.version.list_name}: {r.version.entry_count:,} entries, "
                      f"{r.version.name_count:,} names, imported in "
                      f"{time.perf_counter() - t0:.1f} s")
        elif not args.no_real:
            print("../shared/data not present: synthetic names only")
        entries = synthetic(max(1000, args.names - real_names))
        write_csv(folder / "list.csv", entries)
        t0 = time.perf_counter()
        with UnitOfWork(db.session_factory) as uow:
            result = list_store.import_list(uow, officer, folder / "list.csv",
                                            list_name="Benchmark list", fmt="csv")
        t_import = time.perf_counter() - t0
        v = result.version
        print(f"list: {v.entry_count:,} entries, {v.name_count:,} names; "
              f"import (parse, store) {t_import:.1f} s")

        with UnitOfWork(db.session_factory) as uow:
            t0 = time.perf_counter()
            index = service.index_for(uow, list_store.current_versions(uow))
            t_index = time.perf_counter() - t0
        print(f"match index over every list in use: {index.name_count:,} names built in "
              f"{t_index:.1f} s "
              f"(once per list version per process)")

        rng = random.Random(3)
        qs = queries(rng, entries, args.queries)
        raw: list[float] = []
        hits = 0
        for q in qs:
            t0 = time.perf_counter()
            hits += len(index.screen(q, 82))
            raw.append((time.perf_counter() - t0) * 1000)
        print(f"one party, matcher only ({len(qs):,} parties, {hits:,} hits): "
              f"p50 {pct(raw, 50):.1f} ms, p95 {pct(raw, 95):.1f} ms, "
              f"p99 {pct(raw, 99):.1f} ms, max {max(raw):.1f} ms")
        svc: list[float] = []
        with UnitOfWork(db.session_factory) as uow:
            for q in qs[:500]:
                t0 = time.perf_counter()
                service.screen_name(uow, officer, q.name, q.country, q.kind, q.birth_date)
                svc.append((time.perf_counter() - t0) * 1000)
        print(f"one party, service call of the Screening window ({len(svc)} parties): "
              f"p50 {pct(svc, 50):.1f} ms, p95 {pct(svc, 95):.1f} ms  [target p95 < 50 ms]")

        parties = [(q.name, q.country, q.kind) for q in queries(random.Random(5), entries,
                                                                 args.parties)]
        n_cases = add_cases(db, parties, officer.id)
        t0 = time.perf_counter()
        with UnitOfWork(db.session_factory) as uow:
            report = service.rescreen(uow, officer)
        t_rescreen = time.perf_counter() - t0
        print(f"re-screen: {report.parties:,} parties on {n_cases:,} cases in "
              f"{t_rescreen:.1f} s ({report.hits:,} hits stored, {len(report.new_hits):,} new)"
              f"  [target < 60 s]")
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
