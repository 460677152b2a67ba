"""Re-assessment alerts (ATT Art 7(7)): which new evidence puts a licence in force on the
list, why, and how a signed reassessment takes it off until newer evidence arrives."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from app import decisions, evidence, reassessment, settings
from app.casedata import CaseData, GoodsData
from app.decisions import RecordKind
from app.errors import (
    ConcurrentEditError,
    PermissionDeniedError,
    ReferenceDataError,
    StatusTransitionError,
)
from app.evidence import EvidenceData, NewEvidence
from app.reassessment import ReassessAlert, load_relevance, name_score, name_tokens
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from tests.conftest import OFFICER_PASSWORD, SUPERVISOR_PASSWORD
from tests.unit.test_assessments_service import assessed, clean
from tests.unit.test_decisions import decide, refusal

UowFactory = Callable[[], UnitOfWork]
REASON = "Reviewed the new reports against the licence."
_counter = iter(range(1, 10**6))


def add_item(uow: UowFactory, actor: Actor, *, grade: str = "B2",
             countries: tuple[str, ...] = ("CI",), actors: tuple[str, ...] = (),
             violations: tuple[str, ...] = ("unlawful_killing",),
             categories: tuple[str, ...] = (), title: str = "") -> int:
    n = next(_counter)
    data = EvidenceData(
        title=title or f"Rapport n° {n} sur les forces de sécurité", source_kind="ngo",
        reliability=grade[0], credibility=grade[1], countries=list(countries),
        actors=list(actors), violations=list(violations), item_categories=list(categories))
    with uow() as u:
        return evidence.store_batch(u, actor, [NewEvidence(data)]).added[0]


def licence(uow: UowFactory, officer: Actor, data: CaseData) -> int:
    """A case approved at once (clean assessment, destination not flagged)."""
    from app import cases

    with uow() as u:
        case_id = cases.create_case(u, officer, data, status=CaseStatus.RECEIVED).id
    assessed(uow, officer, case_id, clean())
    record = decide(uow, officer, case_id)
    assert record.status_after is CaseStatus.APPROVED
    return case_id


def alerts(uow: UowFactory, actor: Actor) -> list[ReassessAlert]:
    with uow() as u:
        return reassessment.to_reassess(u, actor)


def ids(found: list[ReassessAlert]) -> dict[int, list[int]]:
    return {a.case_id: [i.evidence_id for i in a.items] for a in found}


def reassess(uow: UowFactory, actor: Actor, case_id: int, kind: RecordKind,
             password: str = OFFICER_PASSWORD, **kw: object) -> decisions.DecisionRecord:
    with uow() as u:
        return reassessment.record_reassessment(u, actor, case_id, kind, REASON,
                                                password=password, **kw)  # type: ignore[arg-type]


@pytest.fixture
def case_id(uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> int:
    return licence(uow, officer, sample_case_data)


def naval(data: CaseData) -> CaseData:
    return replace(data, goods=[GoodsData(
        description="Patrouilleur côtier", control_entry="ML9.a", att_category="NONE",
        quantity=Decimal(1), unit="pcs", value=Decimal("9000000"), currency="EUR")])


# --- when evidence counts --------------------------------------------------------------------

def test_only_evidence_added_after_the_decision_counts(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    before = add_item(uow, officer, grade="A1")
    case_id = licence(uow, officer, sample_case_data)
    assert alerts(uow, officer) == []
    after = add_item(uow, officer, categories=("ML1",))
    found = alerts(uow, officer)
    assert ids(found) == {case_id: [after]} and before not in ids(found)[case_id]
    alert = found[0]
    assert alert.status is CaseStatus.APPROVED and not alert.suspended
    assert alert.destination == "CI" and alert.end_user.startswith("Gendarmerie nationale")
    assert alert.best_grade == "B2"
    item = alert.items[0]
    assert item.added_at > alert.since
    assert "destination: Côte d'Ivoire (CI)" in item.why
    assert any(w.startswith("violation: Unlawful killing") and w.endswith("ML1, ML3")
               for w in item.why)
    assert "reports ML1, as the goods are" in item.why
    assert item.to_json() == {"id": after, "content_sha256": item.content_sha256,
                              "title": item.title, "grade": "B2"}


@pytest.mark.parametrize(("grade", "listed"), [
    ("A1", True), ("B2", True), ("A2", True), ("B1", True),
    ("C3", False), ("B3", False), ("C2", False), ("F6", False)])
def test_grade_b2_or_better_counts(uow: UowFactory, officer: Actor, case_id: int,
                                   grade: str, listed: bool) -> None:
    add_item(uow, officer, grade=grade)
    assert bool(alerts(uow, officer)) is listed


def test_another_country_and_unrelated_actors_do_not_count(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    add_item(uow, officer, grade="A1", countries=("NO", "SE"),
             actors=("Norwegian Armed Forces", "Ministry of Defence"))
    assert alerts(uow, officer) == []


def test_item_without_a_violation_category_does_not_count(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    add_item(uow, officer, grade="A1", violations=())
    assert alerts(uow, officer) == []


def test_end_user_named_in_another_country_counts_accents_folded(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    item = add_item(uow, officer, countries=("FR",),
                    actors=("Gendarmerie Nationale de Cote d'Ivoire",))
    found = alerts(uow, officer)
    assert ids(found) == {case_id: [item]}
    why = found[0].items[0].why
    assert any(w.startswith("end user named: Gendarmerie nationale de Côte d'Ivoire (as "
                            "'gendarmerie nationale de cote d'ivoire'") for w in why)
    assert not any(w.startswith("destination") for w in why)


def test_consignee_named_counts(uow: UowFactory, officer: Actor, case_id: int) -> None:
    item = add_item(uow, officer, countries=(), actors=("Société ivoirienne de logistique",))
    found = alerts(uow, officer)
    assert ids(found) == {case_id: [item]}
    assert any(w.startswith("consignee named: Société Ivoirienne de Logistique Défense")
               for w in found[0].items[0].why)


def test_violation_not_relevant_to_the_goods_does_not_count(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    case_id = licence(uow, officer, naval(sample_case_data))
    add_item(uow, officer, grade="A1", violations=("torture", "sgbv"))
    assert alerts(uow, officer) == []
    relevant = add_item(uow, officer, violations=("torture", "attack_civilians"))
    found = alerts(uow, officer)
    assert ids(found) == {case_id: [relevant]}
    violations = [w for w in found[0].items[0].why if w.startswith("violation")]
    assert violations == ["violation: Direct attack on civilians or civilian objects — "
                          "relevant to ML9"]


def test_dual_use_surveillance_licence_and_persecution(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    case_id = licence(uow, officer, replace(sample_case_data, goods=[GoodsData(
        description="Système de surveillance des réseaux IP", control_entry="5A001.j",
        att_category="NONE", quantity=Decimal(1), unit="pcs", value=Decimal("750000"),
        currency="EUR")]))
    add_item(uow, officer, violations=("sgbv", "indiscriminate_attack"))
    assert alerts(uow, officer) == []
    item = add_item(uow, officer, violations=("persecution",))
    found = alerts(uow, officer)
    assert ids(found) == {case_id: [item]}
    assert any(w.endswith("relevant to 5A001.j") for w in found[0].items[0].why)


def test_progress_is_reported_and_cancelling_stops(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    add_item(uow, officer)
    seen: list[tuple[int, int]] = []
    with uow() as u:
        found = reassessment.to_reassess(u, officer, progress=lambda d, t: seen.append((d, t)))
    assert len(found) == 1 and seen[-1] == (1, 1)
    with uow() as u, pytest.raises(evidence.Cancelled):
        reassessment.to_reassess(u, officer, cancelled=lambda: True)


def test_edited_item_counts_from_its_new_version(
        uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> None:
    item_id = add_item(uow, officer, grade="C3")
    case_id = licence(uow, officer, sample_case_data)
    assert alerts(uow, officer) == []
    with uow() as u:
        record = evidence.get_evidence(u, item_id)
        data = replace(record.data, reliability="B", credibility="1")
        evidence.edit_evidence(u, officer, item_id, data, record.row_version)
    found = alerts(uow, officer)
    assert ids(found) == {case_id: [item_id]}
    assert "version 2 of an item already in the base" in found[0].items[0].why


def test_most_items_first(uow: UowFactory, officer: Actor,
                          sample_case_data: CaseData) -> None:
    one = licence(uow, officer, sample_case_data)
    two = licence(uow, officer, replace(sample_case_data, destination="SD", parties=[
        replace(p, country="SD") for p in sample_case_data.parties]))
    add_item(uow, officer, countries=("SD",))
    add_item(uow, officer, countries=("SD",), grade="A1")
    add_item(uow, officer, countries=("CI",))
    found = alerts(uow, officer)
    assert [a.case_id for a in found] == [two, one]
    assert [i.grade for i in found[0].items] == ["A1", "B2"]
    assert found[0].best_grade == "A1"


# --- which licences --------------------------------------------------------------------------

def test_refused_and_revoked_licences_are_never_listed(
        uow: UowFactory, officer: Actor, supervisor: Actor, sample_case_data: CaseData
) -> None:
    from app import cases

    with uow() as u:
        refused = cases.create_case(u, officer, sample_case_data,
                                    status=CaseStatus.RECEIVED).id
    refusal(uow, officer, refused)
    with uow() as u:
        decisions.countersign(u, supervisor, refused, "Agreed.", password=SUPERVISOR_PASSWORD)
    revoked = licence(uow, officer, sample_case_data)
    with uow() as u:
        decisions.reassess(u, officer, revoked, RecordKind.REVOCATION, REASON,
                           password=OFFICER_PASSWORD)
    add_item(uow, officer, grade="A1")
    assert alerts(uow, officer) == []
    with uow() as u:
        assert reassessment.alert_for(u, officer, revoked) is None


def test_confirmation_clears_it_until_newer_evidence(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    first = add_item(uow, officer)
    [alert] = alerts(uow, officer)
    record = reassess(uow, officer, case_id, RecordKind.CONFIRMATION)
    assert record.kind is RecordKind.CONFIRMATION
    assert record.snapshot["evidence"] == [i.to_json() for i in alert.items]
    assert record.snapshot["evidence"][0]["id"] == first
    assert alerts(uow, officer) == []
    newer = add_item(uow, officer, grade="A2")
    assert ids(alerts(uow, officer)) == {case_id: [newer]}


def test_suspension_keeps_it_listed_as_suspended(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    first = add_item(uow, officer)
    reassess(uow, officer, case_id, RecordKind.SUSPENSION)
    [alert] = alerts(uow, officer)
    assert alert.case_id == case_id and alert.suspended
    assert alert.status is CaseStatus.SUSPENDED and alert.items == ()
    assert [e["id"] for e in alert.suspension_evidence] == [first]
    newer = add_item(uow, officer)
    assert ids(alerts(uow, officer)) == {case_id: [newer]}
    reassess(uow, officer, case_id, RecordKind.REINSTATEMENT)
    assert alerts(uow, officer) == []


def test_min_grade_setting_changes_the_threshold(
        uow: UowFactory, officer: Actor, admin: Actor, case_id: int) -> None:
    b2 = add_item(uow, officer, grade="B2")
    c3 = add_item(uow, officer, grade="C3")
    assert ids(alerts(uow, officer)) == {case_id: [b2]}
    with uow() as u:
        settings.set_value(u, admin, "reassessment.min_grade", "C3")
    assert sorted(ids(alerts(uow, officer))[case_id]) == sorted([b2, c3])
    with uow() as u:
        settings.set_value(u, admin, "reassessment.min_grade", "A1")
    assert alerts(uow, officer) == []


def test_signing_refused_when_evidence_arrived_after_the_list_was_shown(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    add_item(uow, officer)
    [alert] = alerts(uow, officer)
    add_item(uow, officer)
    with pytest.raises(ConcurrentEditError, match="New evidence"):
        reassess(uow, officer, case_id, RecordKind.CONFIRMATION,
                 seen=[i.content_sha256 for i in alert.items])
    with uow() as u:
        assert [r.kind for r in decisions.list_decisions(u, case_id)] == [RecordKind.DECISION]


def test_who_may_see_and_who_may_sign(uow: UowFactory, officer: Actor, admin: Actor,
                                      case_id: int) -> None:
    add_item(uow, officer)
    assert [a.case_id for a in alerts(uow, admin)] == [case_id]
    with pytest.raises(PermissionDeniedError):
        reassess(uow, admin, case_id, RecordKind.CONFIRMATION)


def test_reinstating_a_licence_in_force_is_refused(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    with pytest.raises(StatusTransitionError):
        reassess(uow, officer, case_id, RecordKind.REINSTATEMENT)


# --- names -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("party", "actor", "same"), [
    ("Rapid Support Forces", "Rapid Support Forces (RSF)", True),
    ("Forces de Défense et de Sécurité", "forces de defense et de securite", True),
    ("Ministry of Defence of the Republic of Indonesia", "Ministry of Defence", True),
    ("Luski Liberation Front", "Nema Liberation Front", False),
    ("Sudanese Armed Forces", "Ugandan Armed Forces", False),
    ("Ministry of Defence", "People's Defence Forces", False),
])
def test_names_match_the_same_body_only(party: str, actor: str, same: bool) -> None:
    drop = {"indonesia"}
    score = name_score(name_tokens(party, drop), name_tokens(actor, drop))
    assert (score is not None) is same


# --- the relevance table ---------------------------------------------------------------------

def test_shipped_relevance_table_covers_every_violation() -> None:
    table = reassessment.relevance()
    assert table.info.version and table.info.as_of
    assert set(table.violations) == set(evidence.vocabulary().violations)
    goods = table.relevant_goods(["ML1.a", "ML3.a", "ML13.d"])
    assert goods["torture"] == ("ML1", "ML13")
    assert "prohibited_weapons" in goods and "sgbv" in goods
    cyber = table.relevant_goods(["5A001.j.1"])
    assert set(cyber) >= {"arbitrary_detention", "persecution", "diversion"}
    assert "sgbv" not in cyber and "attack_civilians" not in cyber
    unknown = table.relevant_goods(["PL5001"])
    assert set(unknown) == set(table.violations)
    assert unknown["torture"] == ("PL5001 (not in the relevance table)",)


def _write(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "violation_relevance.yaml"
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc), encoding="utf-8")
    return path


def _good() -> dict[str, object]:
    source = reassessment.RELEVANCE_PATH.read_text(encoding="utf-8")
    return json.loads(json.dumps(yaml.safe_load(source)))


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["violations"].update(torture={"categories": ["ML23"]}), "ML23"),
    (lambda d: d["violations"].pop("sgbv"), "missing: sgbv"),
    (lambda d: d["violations"].update(looting={"categories": ["ML1"]}), "looting"),
    (lambda d: d["violations"].update(torture=["ML1"]), "torture must be a mapping"),
    (lambda d: d["violations"].update(torture={"categories": []}), "relevant to no goods"),
    (lambda d: d["violations"].update(torture={"dual_use": ["cameras"]}), "cameras"),
    (lambda d: d["violations"].update(torture={"categories": ["ML1"], "why": "x"}),
     "unknown fields: why"),
    (lambda d: d.pop("as_of"), "as_of"),
    (lambda d: d.update(unlisted_entries="some"), "unlisted_entries"),
    (lambda d: d.update(violations=[]), "'violations' must be a mapping"),
])
def test_malformed_relevance_table_names_the_file(
        tmp_path: Path, change: Callable[[dict], object], message: str) -> None:
    doc = _good()
    change(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(ReferenceDataError) as err:
        load_relevance(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_relevance_table_that_is_not_yaml_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "violations: [unclosed\n")
    with pytest.raises(ReferenceDataError, match=r"violation_relevance\.yaml"):
        load_relevance(path)
