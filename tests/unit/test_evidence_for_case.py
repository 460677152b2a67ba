"""Evidence for a case: relevance with its reasons, fuzzy names without false friends, and
past-incidents entries drawn from cited items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from app import evidence
from app.assessment import Citation
from app.assessments import IncidentData
from app.casedata import CaseData
from app.evidence import EvidenceData, NewEvidence
from app.evidence_for_case import _same_body, _tokens, incidents_from_citations, suggest_for_case
from app.uow import UnitOfWork
from app.users import Actor

UowFactory = Callable[[], UnitOfWork]
TODAY = date(2026, 3, 1)


def item(title: str, **kw: object) -> NewEvidence:
    base: dict[str, object] = {"title": title, "source_kind": "ngo", "reliability": "C",
                               "credibility": "3"}
    base.update(kw)
    return NewEvidence(EvidenceData(**base))  # type: ignore[arg-type]


def store(uow: UowFactory, actor: Actor, *items: NewEvidence) -> list[int]:
    with uow() as u:
        return evidence.store_batch(u, actor, list(items)).added


def test_relevance_ranks_and_explains(uow: UowFactory, officer: Actor,
                                      sample_case_data: CaseData) -> None:
    gendarmerie, other_country, old_poor, unrelated = store(
        uow, officer,
        item("Gendarmerie and protests", countries=["CI"], reliability="B", credibility="2",
             actors=["Gendarmerie nationale"], item_categories=["ML1"],
             published_on=date(2025, 6, 1)),
        item("Same gendarmerie abroad", countries=["FR"],
             actors=["Gendarmerie nationale de Côte d'Ivoire"], published_on=date(2015, 1, 1)),
        item("Old note on the destination", countries=["CI"], reliability="E",
             credibility="5", published_on=date(2001, 1, 1)),
        item("Somewhere else entirely", countries=["NO"]))
    with uow() as u:
        found = suggest_for_case(u, sample_case_data, today=TODAY)
    ids = [s.item_id for s in found]
    assert ids[0] == gendarmerie and unrelated not in ids
    assert set(ids) == {gendarmerie, other_country, old_poor}
    top = found[0]
    assert any("destination" in r and "Côte d'Ivoire" in r for r in top.reasons)
    assert any("names the end user" in r for r in top.reasons)
    assert any("ML1" in r for r in top.reasons)
    assert any("recent" in r for r in top.reasons)
    assert any("B2" in r for r in top.reasons)
    assert top.score > found[-1].score
    assert top.content_sha256 and top.grade == "B2"


@pytest.mark.parametrize(("party", "actor", "same"), [
    ("Ministry of Defence of the Republic of Indonesia", "Ministry of Defence", True),
    ("National Police Service of Kenya", "National Police Service", True),
    ("South Sudan People's Defence Forces", "Ministry of Defence", False),
    ("General Service Unit", "National Police Service", False),
    ("Al-Shabaab", "al-Shabaab", True),
])
def test_names_match_the_same_body_only(party: str, actor: str, same: bool) -> None:
    drop = {"kenya", "indonesia", "south", "sudan", "somalia"}
    a, b = _tokens(party, drop), _tokens(actor, drop)
    assert _same_body(a, b) is same


def test_no_evidence_no_suggestions(uow: UowFactory, sample_case_data: CaseData) -> None:
    with uow() as u:
        assert suggest_for_case(u, sample_case_data, today=TODAY) == []


def test_incidents_from_cited_items(uow: UowFactory, officer: Actor) -> None:
    first, second = store(
        uow, officer,
        item("Shooting at a march", events_from=date(2024, 6, 18), actors=["Unit 7", "GSU"],
             summary="Live fire on marchers.", item_categories=["ML1", "ML3"]),
        item("Report without dates", summary="", published_on=None))
    with uow() as u:
        cites = [evidence.citation_for(u, first), evidence.citation_for(u, second),
                 evidence.citation_for(u, first), Citation("typed by hand")]
        rows = incidents_from_citations(u, cites)
        assert [r.occurred for r in rows] == ["2024-06-18", ""]
        assert rows[0].actor == "Unit 7; GSU" and rows[0].items == "ML1, ML3"
        assert rows[0].description == "Live fire on marchers."
        assert rows[1].description == "Report without dates"
        assert rows[0].source == cites[0].reference and rows[0].investigated == "unknown"
        again = incidents_from_citations(u, cites, [IncidentData(source=cites[0].reference)])
        assert [r.source for r in again] == [cites[1].reference]


def test_demo_evidence_serves_the_demo_cases(uow: UowFactory, admin: Actor) -> None:
    import json

    from app import cases, demo

    spec = json.loads(demo.DEMO_FILE.read_text(encoding="utf-8"))["cases"]
    with uow() as u:
        refs = demo.seed_demo(u, admin)
    with uow() as u:
        records = [cases.get_case(u, cases.find_case_id(u, r)) for r in refs]
        for record, item in zip(records, spec, strict=True):
            if not record.data.destination:
                continue
            if item.get("decision"):
                # The signed demo decisions need no evidence: a clean approval, and a
                # refusal the embargo decides alone.
                continue
            found = suggest_for_case(u, record.data)
            assert found, record.reference
            assert all(evidence.get_evidence(u, s.item_id).is_demo for s in found)
            assert all(evidence.get_evidence(u, s.item_id).data.title.startswith("[DEMO]")
                       for s in found)
