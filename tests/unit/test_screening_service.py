"""Screening a case: list versions and their diff, hits explained, judgements remembered per
party and entry (and asked again when the entry changes), the hard stop, re-screening."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import assessments, cases
from app.assessment import Outcome
from app.casedata import CaseData, PartyData
from app.errors import InputError, PermissionDeniedError
from app.hardstops import CheckStatus
from app.screening import lists as list_store
from app.screening import service
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from db.models import (
    ChangeEvent,
    DecisionRow,
    ListEntryRow,
    ListVersion,
    SanctionList,
    ScreeningRun,
)

UowFactory = Callable[[], UnitOfWork]
COLUMNS = ("id", "name", "kind", "aliases", "birth_dates", "countries", "programmes",
           "reference", "listed_on", "remarks")
V1 = [
    ("E-1", "Abidjan Logistique Défense", "entity", "ALD;~Logistique Ouest", "", "CI",
     "CIV-ARMS", "CIe.001", "2025-01-10", "Supplies armed groups."),
    ("E-2", "Northern Star Shipping", "entity", "", "", "KP", "DPRK", "KPe.070", "2024-05-01",
     ""),
    ("I-1", "Ivan Petrovich Sidorov", "individual", "Иван Петрович Сидоров", "1970-05-01",
     "RU", "RUSSIA", "RUi.002", "2023-03-03", ""),
]


def write_list(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows(rows)
    return path


def import_rows(uow: UowFactory, actor: Actor, tmp_path: Path, rows: list[tuple[str, ...]],
                name: str = "National list", file: str = "list.csv",
                ) -> list_store.ImportResult:
    with uow() as u:
        return list_store.import_list(u, actor, write_list(tmp_path / file, rows),
                                      list_name=name, fmt="csv")


def new_case(uow: UowFactory, officer: Actor, data: CaseData,
             status: CaseStatus = CaseStatus.RECEIVED) -> int:
    with uow() as u:
        return cases.create_case(u, officer, data, status=status).id


def resembling(data: CaseData) -> CaseData:
    """The sample case with an end user that resembles listed entity E-1."""
    parties = [replace(p, name="ABIDJAN LOGISTIQUE DEFENSE SARL") if p.role == "consignee"
               else p for p in data.parties]
    return replace(data, parties=parties)


def check(uow: UowFactory, case_id: int) -> list:
    with uow() as u:
        return assessments.hard_stops(u, case_id)


def sanctions(results: list) -> list:
    return [r for r in results if r.check == "sanctions"]


@pytest.fixture
def listed(uow: UowFactory, officer: Actor, tmp_path: Path) -> list_store.ImportResult:
    return import_rows(uow, officer, tmp_path, V1)


def test_no_list_means_not_available(uow: UowFactory, officer: Actor,
                                     sample_case_data: CaseData) -> None:
    case_id = new_case(uow, officer, sample_case_data)
    [r] = sanctions(check(uow, case_id))
    assert r.status is CheckStatus.NOT_AVAILABLE
    with uow() as u, pytest.raises(InputError, match="No sanctions list"):
        service.screen_case(u, officer, case_id)


def test_import_stores_a_version_and_an_audit_event(uow: UowFactory, officer: Actor,
                                                    listed: list_store.ImportResult) -> None:
    v = listed.version
    assert (v.list_name, v.entry_count, v.previous_id) == ("National list", 3, None)
    assert v.name_count == 6  # three names, three aliases
    assert listed.diff.old is None and len(listed.diff.added) == 3
    with uow() as u:
        [info] = list_store.lists(u)
        event = u.session.scalars(select(ChangeEvent).where(
            ChangeEvent.action == "screening.list_import")).one()
        after = dict(event.after or {})
        stored = list_store.entries(u, v.id)
    assert info.active and info.current is not None and info.current.id == v.id
    assert after["entries"] == 3 and after["sha256"] == v.file_sha256
    assert {e.key for e in stored} == {"E-1", "E-2", "I-1"}
    sidorov = next(e for e in stored if e.key == "I-1")
    assert sidorov.birth_dates == ("1970-05-01",) and sidorov.countries == ("RU",)


def test_the_same_file_twice_is_refused(uow: UowFactory, officer: Actor, tmp_path: Path,
                                        listed: list_store.ImportResult) -> None:
    with pytest.raises(InputError, match="already the current version"):
        import_rows(uow, officer, tmp_path, V1)


def test_a_new_version_says_what_changed(uow: UowFactory, officer: Actor, tmp_path: Path,
                                         listed: list_store.ImportResult) -> None:
    v2 = [(*V1[0][:5], "CI;LR", *V1[0][6:]),          # amended: a country added
          ("E-3", "Sahel Arms Brokers", "entity", "", "", "ML", "MALI", "MLe.001",
           "2026-01-01", ""),
          ("I-9", "Ivan Petrovich Sidorov", "individual", "", "1970-05-01", "RU", "RUSSIA",
           "RUi.002", "2023-03-03", "")]               # re-issued under a new id
    result = import_rows(uow, officer, tmp_path, v2, file="list2.csv")
    d = result.diff
    assert {s.key for s in d.added} == {"E-3", "I-9"}
    assert {s.key for s in d.removed} == {"E-2", "I-1"}
    assert [(s.key, s.changed) for s in d.amended] == [("E-1", ("countries",))]
    assert d.reissued == ("RUi.002",)
    assert (result.version.added, result.version.removed, result.version.amended) == (2, 2, 1)
    assert result.version.previous_id == listed.version.id
    with uow() as u:
        again = list_store.diff_versions(u, listed.version.id, result.version.id)
        assert again.counts() == d.counts()
        # The old version is kept whole: a case screened against it can be shown it.
        assert len(list_store.entries(u, listed.version.id)) == 3


def test_a_malformed_file_leaves_nothing(uow: UowFactory, officer: Actor,
                                         tmp_path: Path) -> None:
    bad = [*V1, ("E-1", "Duplicate id", "entity", "", "", "", "", "", "", "")]
    with pytest.raises(InputError):
        import_rows(uow, officer, tmp_path, bad)
    with uow() as u:
        for model in (SanctionList, ListVersion, ListEntryRow):
            assert u.session.scalar(select(func.count()).select_from(model)) == 0


def test_a_resembling_party_is_a_hit_with_its_reasons(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData,
        listed: list_store.ImportResult) -> None:
    case_id = new_case(uow, officer, resembling(sample_case_data))
    with uow() as u:
        s = service.screen_case(u, officer, case_id)
    [hit] = s.hits
    assert hit.party.role == "consignee" and hit.hit.entry_key == "E-1"
    assert hit.state == service.OPEN and hit.hit.score >= s.threshold
    why = " ".join(hit.explanation.lines())
    assert "Abidjan Logistique" in why
    assert hit.explanation.qualifiers  # the country CI is on the entry
    with uow() as u:
        run = u.session.get(ScreeningRun, s.run_id)
        assert run is not None
        assert run.threshold == 82 and run.versions[0]["version_id"] == listed.version.id
        assert run.hit_count == 1 and run.open_count == 1
        assert [p["role"] for p in run.parties] == ["exporter", "end_user", "consignee",
                                                    "freight_forwarder"]


def test_open_hits_block_and_a_false_positive_is_remembered(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData, tmp_path: Path,
        listed: list_store.ImportResult) -> None:
    data = resembling(sample_case_data)
    case_id = new_case(uow, officer, data)
    [r] = sanctions(check(uow, case_id))
    assert r.status is CheckStatus.UNRESOLVED and "score" in r.title
    with uow() as u:
        [h] = service.case_screening(u, case_id).hits
        with pytest.raises(InputError, match="Say why"):
            service.record_disposition(u, officer, case_id, h.party.key, h.hit.list_id, "E-1",
                                       service.FALSE_POSITIVE, "  ")
        service.record_disposition(u, officer, case_id, h.party.key, h.hit.list_id, "E-1",
                                   service.FALSE_POSITIVE,
                                   "Registered 1998 in Abidjan; listed firm is a Liberian "
                                   "front (different registration).")
    [r] = sanctions(check(uow, case_id))
    assert r.status is CheckStatus.CLEAR and "1 hits judged false positives" in r.detail
    # Another application naming the same party is not asked again.
    other = new_case(uow, officer, data)
    [r] = sanctions(check(uow, other))
    assert r.status is CheckStatus.CLEAR
    with uow() as u:
        [h2] = service.case_screening(u, other).hits
    assert h2.state == service.FALSE_POSITIVE and h2.disposition is not None
    assert h2.disposition.case_reference  # where it was judged
    # The entry changes: the judgement no longer holds and the hit is open again.
    v2 = [(*V1[0][:9], "Supplies armed groups; now also fuel."), *V1[1:]]
    import_rows(uow, officer, tmp_path, v2, file="v2.csv")
    [r] = sanctions(check(uow, case_id))
    assert r.status is CheckStatus.UNRESOLVED and "changed since it was judged" in r.title
    with uow() as u:
        [h3] = service.case_screening(u, case_id).hits
    assert h3.state == service.REVISIT


def test_a_true_match_is_a_hard_stop(uow: UowFactory, officer: Actor,
                                     sample_case_data: CaseData,
                                     listed: list_store.ImportResult) -> None:
    case_id = new_case(uow, officer, resembling(sample_case_data))
    with uow() as u:
        [h] = service.case_screening(u, case_id).hits
        service.record_disposition(u, officer, case_id, h.party.name, h.hit.list_id, "E-1",
                                   service.MATCH, "Same address and registration number.")
    [r] = sanctions(check(uow, case_id))
    assert r.status is CheckStatus.APPLIES
    assert r.basis == "CIV-ARMS" and "Olga" in r.detail
    with uow() as u:
        evaluation, _results, _fw = assessments.evaluate_case(u, case_id, "golden-rule")
    assert evaluation.mandatory_refusal
    assert Outcome.APPROVE not in evaluation.allowed


def test_only_screeners_judge(uow: UowFactory, officer: Actor, admin: Actor,
                              sample_case_data: CaseData,
                              listed: list_store.ImportResult) -> None:
    case_id = new_case(uow, officer, resembling(sample_case_data))
    with uow() as u:
        [h] = service.case_screening(u, case_id).hits
        with pytest.raises(PermissionDeniedError):
            service.record_disposition(u, admin, case_id, h.party.key, h.hit.list_id, "E-1",
                                       service.MATCH, "")


def test_an_unused_list_is_not_screened(uow: UowFactory, officer: Actor,
                                        sample_case_data: CaseData,
                                        listed: list_store.ImportResult) -> None:
    case_id = new_case(uow, officer, resembling(sample_case_data))
    with uow() as u:
        list_store.set_active(u, officer, listed.version.list_id, False)
    [r] = sanctions(check(uow, case_id))
    assert r.status is CheckStatus.NOT_AVAILABLE


def test_an_ad_hoc_name_check_stores_nothing(uow: UowFactory, officer: Actor,
                                             listed: list_store.ImportResult) -> None:
    with uow() as u:
        s = service.screen_name(u, officer, "Иван Петрович Сидоров", "RU", "individual",
                                "1970")
        assert u.session.scalar(select(func.count()).select_from(ScreeningRun)) == 0
    [h] = s.hits
    assert h.hit.entry_key == "I-1" and h.hit.score >= 90


def test_rescreening_lists_new_hits_of_open_cases_and_licences(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData, tmp_path: Path,
        listed: list_store.ImportResult) -> None:
    sahel = replace(sample_case_data, parties=[PartyData(
        role="end_user", name="Sahel Arms Brokers Ltd", country="ML", kind="commercial")])
    open_case = new_case(uow, officer, sahel)
    withdrawn = new_case(uow, officer, sahel)
    with uow() as u:
        cases.change_status(u, officer, withdrawn, CaseStatus.WITHDRAWN,
                            reason="Exporter withdrew the application.")
        first = service.rescreen(u, officer)
    assert first.new_hits == [] and first.cases >= 1
    v2 = [*V1, ("E-3", "Sahel Arms Brokers", "entity", "", "", "ML", "MALI", "MLe.001",
                "2026-01-01", "")]
    import_rows(uow, officer, tmp_path, v2, file="v2.csv")
    with uow() as u:
        scope = service.rescreen_scope(u)
        report = service.rescreen(u, officer)
    assert open_case in scope and withdrawn not in scope
    [(ref, h)] = report.new_hits
    assert h.hit.entry_key == "E-3" and h.is_new
    with uow() as u:
        assert ref == cases.get_case(u, open_case).reference
        again = service.rescreen(u, officer)
        runs = service.runs(u, open_case)
    assert again.new_hits == []  # seen in the previous run: no longer new
    assert [r.reason for r in runs] == ["list-update"] * 3
    assert runs[1].new_count == 1 and date.today() == runs[0].run_at.date()


def test_the_signed_decision_keeps_the_screening_it_rested_on(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData, tmp_path: Path,
        listed: list_store.ImportResult) -> None:
    import json

    from tests.unit.test_reassessment import licence

    case_id = licence(uow, officer, sample_case_data)
    with uow() as u:
        row = u.session.scalars(select(DecisionRow).where(DecisionRow.case_id == case_id)).one()
        snapshot = json.loads(row.snapshot or "{}")
        runs = service.runs(u, case_id)
    screened = snapshot["screening"]
    assert screened["threshold"] == 82 and screened["hits"] == []
    assert screened["lists"][0]["file_sha256"] == listed.version.file_sha256
    assert [r.reason for r in runs] == ["decision"]
    # The signed PDF rationale states the screening in its hard-stop section.
    from pypdf import PdfReader

    from app import documents

    with uow() as u:
        ref = cases.get_case(u, case_id).reference
        written = documents.export_rationale(u, officer, ref, pdf=tmp_path / "r.pdf")
    text = "".join(page.extract_text() for page in PdfReader(written[0]).pages)
    assert "Sanctions screening" in text and "threshold 82" in text
    assert "No party scored at or above the threshold." in text
