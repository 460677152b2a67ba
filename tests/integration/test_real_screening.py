"""The whole screening flow on the real published lists in ../shared/data: the UN list of
2025 then of 2026 (what changed, re-screening), the demo case whose end user resembles a
UN-listed firm, OFAC's SDN list and the BIS Denied Persons List beside it. Skipped where
the folder is absent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from app import cases, demo
from app.hardstops import CheckContext, CheckStatus
from app.screening import lists as list_store
from app.screening import service
from app.screening.check import ScreeningCheck
from app.uow import UnitOfWork
from app.users import Actor

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
UN_2025 = DATA / "un_sc_consolidated_2025-04-19.xml"
UN_2026 = DATA / "un_sc_consolidated_2026-02-27.xml"
SDN = DATA / "ofac_sdn_2024-05-03.csv"
DPL = DATA / "us_bis_denied_persons_list.txt"

UowFactory = Callable[[], UnitOfWork]


@pytest.fixture(autouse=True)
def _need_data() -> None:
    if not all(p.exists() for p in (UN_2025, UN_2026, SDN, DPL)):
        pytest.skip("../shared/data not present: real list files unavailable")


def test_un_update_demo_case_and_other_lists(uow: UowFactory, admin: Actor,
                                             officer: Actor) -> None:
    with uow() as u:
        refs = demo.seed_demo(u, admin)
    with uow() as u:
        old = list_store.import_list(u, officer, UN_2025)
    assert (old.version.entry_count, old.version.list_name) == (
        877, "UN Security Council Consolidated List")
    with uow() as u:
        new = list_store.import_list(u, officer, UN_2026)
    d = new.diff
    assert (len(d.added), len(d.removed)) == (136, 10)
    assert {"HTi.002", "HTi.003", "HTi.004", "HTi.005", "HTi.006"} <= set(d.reissued)
    assert new.version.previous_id == old.version.id

    with uow() as u:
        report = service.rescreen(u, officer)
        uganda = next(r for r in refs
                      if cases.get_case(u, cases.find_case_id(u, r)).data.destination == "UG")
        case_id = cases.find_case_id(u, uganda)
        screening = service.case_screening(u, case_id)
        scope = service.rescreen_scope(u)
    assert report.cases == len(scope) and case_id in scope
    assert [ref for ref, _h in report.new_hits] == [uganda]
    hits = [h for h in screening.hits if h.hit.entry_key == "6908031"]
    assert hits, [h.hit.entry_name for h in screening.hits]
    why = " ".join(hits[0].explanation.lines())
    assert "UGANDA COMMERCIAL IMPEX (UCI) LTD" in why and "UG" in why
    # No other demo party resembles anything on the UN list.
    assert all(h.party.role == "end_user" for h in screening.hits)

    with uow() as u:
        service.record_disposition(u, officer, case_id, hits[0].party.key,
                                   hits[0].hit.list_id, "6908031", service.FALSE_POSITIVE,
                                   "Different registration (Kampala, 2019) and directors.")
    with uow() as u:
        record = cases.get_case(u, case_id)
        results = ScreeningCheck().run(CheckContext(record.data, date.today(), case_id, u))
    assert [r.status for r in results] == [CheckStatus.CLEAR]

    with uow() as u:
        sdn = list_store.import_list(u, officer, SDN)
        dpl = list_store.import_list(u, officer, DPL)
        cuba = service.screen_name(u, officer, "Banco Nacional de Cuba", "CU")
    assert sdn.version.entry_count == 14965 and dpl.version.entry_count == 581
    assert any(h.hit.entry_key == "306" and h.hit.score >= 95 for h in cuba.hits)
