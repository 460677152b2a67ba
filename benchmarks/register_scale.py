"""Case register at scale: build N cases, then time listing, the window's start-up and
scrolling and filtering the register. Prints its figures; run it, do not import it.

    python benchmarks/register_scale.py [--cases 10000] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASSWORD = "benchmark-password"
COUNTRIES = ["ID", "KE", "TH", "SA", "AE", "IN", "BR", "CO", "EG", "TR", "US", "NO", "PL", "UA"]
ENTRIES = ["ML1.a", "ML3.a", "ML4.b", "ML5.b", "ML6.a", "ML10.h", "ML11.a", "ML13.d", "ML15.d"]


def build(db_path: Path, count: int) -> float:
    from app import users
    from app.casedata import CaseData, GoodsData, PartyData
    from app.cases import create_case
    from app.database import open_database
    from app.status import CaseStatus
    from app.uow import UnitOfWork

    db = open_database(db_path)
    rng = random.Random(42)
    started = time.perf_counter()
    with UnitOfWork(db.session_factory) as uow:
        first = users.create_first_administrator(uow, "admin", "Bench Admin", PASSWORD)
        # Administrators do not register cases or evidence (separation of duties).
        admin = users.create_user(uow, first, "bench", "Bench Officer", users.Role.OFFICER,
                                  PASSWORD)
        for i in range(count):
            country = rng.choice(COUNTRIES)
            data = CaseData(
                exporter_name=f"Exporter {i % 311} Ltd", exporter_country="GB",
                destination=country, end_use="Benchmark end use",
                received_date=date(2026, 1, 1) + timedelta(days=i % 300),
                parties=[PartyData("end_user", f"Ministry {i % 157} of {country}", "", country,
                                   "government"),
                         PartyData("consignee", f"Consignee {i}", "", country, "commercial")],
                goods=[GoodsData(f"Item {j}", rng.choice(ENTRIES), "AMMO",
                                 Decimal(rng.randint(1, 5000)), "pcs",
                                 Decimal(rng.randint(1000, 9_000_000)), "EUR")
                       for j in range(rng.randint(1, 3))],
            )
            create_case(uow, admin, data, status=CaseStatus.RECEIVED, commit=False)
            if i % 1000 == 999:
                uow.commit()
        uow.commit()
    db.dispose()
    return time.perf_counter() - started


def time_listing(db_path: Path) -> tuple[float, int]:
    from app.cases import list_cases
    from app.database import open_database
    from app.uow import UnitOfWork

    db = open_database(db_path)
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        with UnitOfWork(db.session_factory) as uow:
            rows = list_cases(uow)
        runs.append(time.perf_counter() - started)
    db.dispose()
    return min(runs), len(rows)


STARTUP_SCRIPT = r"""
import time, sys, os
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from PySide6.QtCore import QSettings
from app.database import open_database
from app.uow import UnitOfWork
from app import users
from ui.application import make_qapplication
from ui.context import UiContext
from ui.main_window import MainWindow
app = make_qapplication()
db = open_database({db!r})
with UnitOfWork(db.session_factory) as uow:
    actor = users.authenticate(uow, "bench", {pw!r})
t_auth = time.perf_counter()
settings = QSettings({ini!r}, QSettings.Format.IniFormat)
window = MainWindow(UiContext(db, actor), settings)
window.show()
loaded = []
window.register.sig_loaded.connect(lambda n: loaded.append(n))
while not loaded:
    app.processEvents()
    time.sleep(0.001)
app.processEvents()
t_ready = time.perf_counter()
print(f"{{t_ready - t0:.3f}} {{t_auth - t0:.3f}} {{loaded[0]}}")
"""


def time_startup(db_path: Path) -> tuple[float, float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        script = STARTUP_SCRIPT.format(root=str(ROOT), db=str(db_path), pw=PASSWORD,
                                       ini=str(Path(tmp) / "s.ini"))
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        wall = time.perf_counter() - started
    ready, auth, rows = out.stdout.split()
    return wall, float(ready), float(auth), int(rows)


def time_register(db_path: Path) -> dict[str, float]:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from app import users
    from app.database import open_database
    from app.uow import UnitOfWork
    from ui.application import make_qapplication
    from ui.context import UiContext
    from ui.main_window import MainWindow
    from ui.tasks import TaskRunner

    app = make_qapplication()
    db = open_database(db_path)
    with UnitOfWork(db.session_factory) as uow:
        actor = users.authenticate(uow, "bench", PASSWORD)
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(UiContext(db, actor), settings, runner=TaskRunner(synchronous=True))
        window.resize(1400, 900)
        window.show()
        app.processEvents()
        page = window.register
        table = page.table
        bar = table.verticalScrollBar()
        frames = []
        for step in range(200):
            started = time.perf_counter()
            bar.setValue(int(bar.maximum() * step / 199))
            table.viewport().repaint()
            QApplication.processEvents()
            frames.append(time.perf_counter() - started)
        sort_started = time.perf_counter()
        table.sortByColumn(page.model.COLUMNS.index("deadline"), Qt.SortOrder.AscendingOrder)
        sort_time = time.perf_counter() - sort_started
        filters = []
        for text in ("m", "mi", "min", "ministry 1", "ministry 15", "ml3.a"):
            started = time.perf_counter()
            page.proxy.set_text(text)
            table.viewport().repaint()
            QApplication.processEvents()
            filters.append(time.perf_counter() - started)
        reload_started = time.perf_counter()
        page.reload()
        reload_time = time.perf_counter() - reload_started
        window.close()
    db.dispose()
    return {
        "frame_median_ms": statistics.median(frames) * 1000,
        "frame_p95_ms": sorted(frames)[int(len(frames) * 0.95)] * 1000,
        "frame_max_ms": max(frames) * 1000,
        "sort_ms": sort_time * 1000,
        "filter_max_ms": max(filters) * 1000,
        "reload_ms": reload_time * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--db", type=Path, help="reuse or create this database file")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db_path = args.db or Path(tmp.name) / "bench.sqlite3"
    if not db_path.exists():
        seconds = build(db_path, args.cases)
        print(f"build      {args.cases:>6} cases in {seconds:6.1f} s "
              f"({args.cases / seconds:,.0f} cases/s, one change event each)")
    listing, rows = time_listing(db_path)
    print(f"list_cases {rows:>6} rows  in {listing * 1000:6.0f} ms (best of 3)")
    wall, ready, auth, shown = time_startup(db_path)
    print(f"start-up   window usable with {shown} cases after {ready:.2f} s in-process "
          f"({auth:.2f} s imports+open+sign-in), {wall:.2f} s wall incl. interpreter")
    figures = time_register(db_path)
    print(f"scroll     200 jumps across the register: median {figures['frame_median_ms']:.1f} "
          f"ms, p95 {figures['frame_p95_ms']:.1f} ms, max {figures['frame_max_ms']:.1f} ms")
    print(f"sort       by deadline: {figures['sort_ms']:.0f} ms")
    print(f"filter     slowest keystroke: {figures['filter_max_ms']:.0f} ms")
    print(f"reload     register after a change: {figures['reload_ms']:.0f} ms")
    tmp.cleanup()


if __name__ == "__main__":
    main()
