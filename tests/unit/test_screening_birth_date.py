"""A party's date of birth reaches sanctions screening: a listed date that agrees raises the
hit's score, one that disagrees lowers it, and the explanation says which."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from app import cases
from app.casedata import CaseData, PartyData
from app.screening import lists as list_store
from app.screening import matcher, service
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor

UowFactory = Callable[[], UnitOfWork]
COLUMNS = ("id", "name", "kind", "aliases", "birth_dates", "countries", "programmes",
           "reference", "listed_on", "remarks")
ENTRIES = [
    ("I-1", "Ivan Petrovich Sidorov", "individual", "", "1970-05-01", "RU", "RUSSIA",
     "RUi.002", "2023-03-03", ""),
    ("E-1", "Northern Star Shipping", "entity", "", "", "KP", "DPRK", "KPe.070", "2024-05-01",
     ""),
]
#: Close to the listed name but not the same (no patronymic), and from another country than
#: the entry's: the score (87 for the name, -8 for the country) has room to go up and down.
PARTY_NAME = "Ivan Sidorov"
PARTY_COUNTRY = "CY"


@pytest.fixture
def listed(uow: UowFactory, officer: Actor, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows(ENTRIES)
    with uow() as u:
        list_store.import_list(u, officer, path, list_name="L", fmt="csv")


def _with_broker(data: CaseData, birth_date: str) -> CaseData:
    broker = PartyData(role="broker", name=PARTY_NAME, address="Limassol", country=PARTY_COUNTRY,
                       kind="individual", birth_date=birth_date)
    return replace(data, parties=[*data.parties, broker])


def _screen(uow: UowFactory, officer: Actor, data: CaseData) -> service.Screening:
    with uow() as u:
        case_id = cases.create_case(u, officer, data, status=CaseStatus.RECEIVED).id
    with uow() as u:
        stored = cases.get_case(u, case_id).data
        assert stored.parties[-1].birth_date == data.parties[-1].birth_date
        return service.screen_data(u, stored, case_id, limit=50)


def _sidorov(screening: service.Screening) -> service.HitView:
    [hit] = [h for h in screening.hits if h.hit.entry_key == "I-1"]
    assert hit.party.name == PARTY_NAME
    return hit


def test_case_parties_carry_the_date_of_birth(sample_case_data: CaseData) -> None:
    parties = service.case_parties(_with_broker(sample_case_data, "1970-05-01"))
    assert [p.birth_date for p in parties] == ["", "", "", "", "1970-05-01"]
    # who the party is for remembered judgements stays its name and country
    broker = parties[-1]
    assert broker.key == service.party_key(PARTY_NAME, PARTY_COUNTRY)
    assert broker.kind == "individual"


def test_a_matching_date_of_birth_raises_the_score_and_a_mismatch_lowers_it(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData, listed: None) -> None:
    unknown = _sidorov(_screen(uow, officer, _with_broker(sample_case_data, "")))
    same = _sidorov(_screen(uow, officer, _with_broker(sample_case_data, "1970-05-01")))
    other = _sidorov(_screen(uow, officer, _with_broker(sample_case_data, "1985-11-20")))

    assert other.hit.score < unknown.hit.score < same.hit.score
    assert same.hit.score - unknown.hit.score == matcher.DOB_EXACT
    assert unknown.hit.score - other.hit.score == -matcher.DOB_MISMATCH

    def dob_lines(h: service.HitView) -> list[str]:
        return [q.label for q in h.explanation.qualifiers if "date of birth" in q.label]

    assert dob_lines(unknown) == []
    assert dob_lines(same) == ["date of birth 1970-05-01 matches 1970-05-01 exactly"]
    assert dob_lines(other) == ["date of birth 1985-11-20 does not match 1970-05-01"]


def test_the_year_alone_counts_for_less_than_the_whole_date(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData, listed: None) -> None:
    unknown = _sidorov(_screen(uow, officer, _with_broker(sample_case_data, "")))
    year = _sidorov(_screen(uow, officer, _with_broker(sample_case_data, "1970")))
    assert year.hit.score - unknown.hit.score == matcher.DOB_YEAR


def test_at_the_threshold_the_date_of_birth_decides_whether_it_is_a_hit(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData, listed: None) -> None:
    """A stored run at the shipped threshold (82): the name and country alone score 79, with
    the same date of birth 87 (a hit the officer must judge), with another 64."""
    with uow() as u:
        assert service.threshold(u) == matcher.DEFAULT_THRESHOLD
    found = {}
    for birth_date in ("", "1970-05-01", "1985-11-20"):
        with uow() as u:
            case_id = cases.create_case(u, officer, _with_broker(sample_case_data, birth_date),
                                        status=CaseStatus.RECEIVED).id
        with uow() as u:
            run = service.screen_case(u, officer, case_id)
        found[birth_date] = [(h.party.name, h.hit.score, h.needs_judgement) for h in run.hits
                             if h.hit.entry_key == "I-1"]
    assert found == {"": [], "1970-05-01": [(PARTY_NAME, 87, True)], "1985-11-20": []}


def test_rescreening_uses_the_date_of_birth_too(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData, listed: None) -> None:
    ids = {}
    for birth_date in ("", "1970-05-01"):
        with uow() as u:
            ids[birth_date] = cases.create_case(u, officer,
                                                _with_broker(sample_case_data, birth_date),
                                                status=CaseStatus.RECEIVED).id
    with uow() as u:
        report = service.rescreen(u, officer)
    hit_cases = {ref for ref, h in report.new_hits if h.hit.entry_key == "I-1"}
    with uow() as u:
        assert hit_cases == {cases.get_case(u, ids["1970-05-01"]).reference}
