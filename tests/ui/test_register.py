"""The case register: filtering by text, status and destination, sorting, and scale."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt

from app import cases
from app.casedata import CaseData, GoodsData, PartyData
from app.status import CaseStatus
from tests.ui.helpers import type_into
from ui.cases.register_model import CASE_ID_ROLE, CaseFilterProxy


def _visible_references(page) -> list[str]:
    proxy = page.proxy
    return [page.model.row_at(proxy.mapToSource(proxy.index(r, 0)).row()).reference
            for r in range(proxy.rowCount())]


def test_register_lists_and_filters_cases(qtbot, demo_ctx, make_window) -> None:
    window = make_window(demo_ctx)
    page = window.register
    demo_cases = page.proxy.rowCount()
    assert demo_cases == 9
    assert "9 case" in page.count_label.text()

    type_into(qtbot, page.search, "kenya")
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1, timeout=2000)
    assert page.model.row_at(page.proxy.mapToSource(page.proxy.index(0, 0)).row()
                             ).destination == "KE"
    assert "1 of 9" in page.count_label.text()
    type_into(qtbot, page.search, "ML10.h royal")  # every word must match
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1, timeout=2000)
    type_into(qtbot, page.search, "npS-euc-0417")  # the end-user certificate number
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1, timeout=2000)
    type_into(qtbot, page.search, "NBM-EXP")  # the applicant's own reference
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1, timeout=2000)
    type_into(qtbot, page.search, "")
    qtbot.waitUntil(lambda: page.proxy.rowCount() == demo_cases, timeout=2000)

    page.status_filter.setCurrentIndex(page.status_filter.findData(CaseStatus.DRAFT.value))
    assert page.proxy.rowCount() == 1
    page.status_filter.setCurrentIndex(page.status_filter.findData(CaseFilterProxy.OPEN))
    assert page.proxy.rowCount() == demo_cases
    page.status_filter.setCurrentIndex(0)

    codes = [page.destination_filter.itemData(i)
             for i in range(1, page.destination_filter.count())]
    assert sorted(codes) == ["AE", "AU", "CO", "ID", "KE", "MM", "SS", "TH", "UG"]
    page.destination_filter.setCurrentIndex(page.destination_filter.findData("TH"))
    assert page.proxy.rowCount() == 1


def test_register_sorts_by_deadline_and_refreshes_on_change(qtbot, demo_ctx,
                                                             make_window) -> None:
    window = make_window(demo_ctx)
    page = window.register
    column = page.model.COLUMNS.index("deadline")
    page.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    deadlines = [page.model.row_at(page.proxy.mapToSource(page.proxy.index(r, 0)).row()
                                   ).deadline for r in range(page.proxy.rowCount())]
    assert deadlines == sorted(deadlines)

    # a change made elsewhere (another use case) reaches the register through the signal
    with demo_ctx.uow() as uow:
        cases.create_case(uow, demo_ctx.actor, CaseData(
            exporter_name="Ørsted Defence ApS", exporter_country="DK", destination="NO",
            end_use="Coastal defence", received_date=date.today(),
            parties=[PartyData("end_user", "Forsvaret", "", "NO", "armed_forces")],
            goods=[GoodsData("Radar spares", "ML5.b", "PARTS", Decimal(4), "pcs",
                             Decimal("12000"), "NOK")]))
    demo_ctx.signals.sig_cases_changed.emit()
    assert page.proxy.rowCount() == 10
    assert "Norway" in page.model.destinations().__repr__() or "NO" in page.model.destinations()


def test_register_handles_ten_thousand_rows(qtbot, ctx, make_window) -> None:
    """Functional check at scale (timings live in benchmarks/register_scale.py)."""
    from app.cases import CaseSummary
    from app.changes import now_utc

    window = make_window(ctx)
    page = window.register
    rows = [CaseSummary(id=i, reference=f"GR-2026-{i:05d}", status=list(CaseStatus)[i % 6],
                        licence_type="SIEL", exporter_name=f"Exporter {i % 97}",
                        destination=("DE", "FR", "ID", "KE")[i % 4], end_user=f"End user {i}",
                        control_entries="ML3.a", value_text="1.00 EUR",
                        received_date=date(2026, 1, 1), deadline=date(2026, 2, 1),
                        updated_at=now_utc(), is_demo=False)
            for i in range(1, 10001)]
    page._on_loaded(rows)
    assert page.proxy.rowCount() == 10000
    page.table.scrollToBottom()
    type_into(qtbot, page.search, "end user 9999")
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1, timeout=3000)
    assert page.proxy.index(0, 0).data(CASE_ID_ROLE) == 9999
