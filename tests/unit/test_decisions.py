"""Signed decision records: the snapshot, its signature, countersigning rules, returns,
reassessment, the review queue, the audit search and the consistency view."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from cryptography import x509
from sqlalchemy import select

from app import cases, decisions, keys, settings
from app.assessment import DecisionInput, Outcome
from app.canonical import canonical_bytes, sha256_hex
from app.casedata import CaseData
from app.decisions import RecordKind
from app.errors import AuthenticationError, InputError, PermissionDeniedError, StatusTransitionError
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from db.models import DecisionRow
from tests.conftest import OFFICER_PASSWORD, SUPERVISOR2_PASSWORD, SUPERVISOR_PASSWORD
from tests.unit.test_assessments_service import AS_OF, FW, assessed, clean, mandatory, registry

UowFactory = Callable[[], UnitOfWork]
APPROVE = DecisionInput(Outcome.APPROVE, "No substantial risk on any criterion.", [], [])


@pytest.fixture
def case_id(uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> int:
    with uow() as u:
        return cases.create_case(u, officer, sample_case_data, status=CaseStatus.RECEIVED).id


def decide(uow: UowFactory, actor: Actor, case_id: int, decision: DecisionInput = APPROVE,
           password: str = OFFICER_PASSWORD) -> decisions.DecisionRecord:
    with uow() as u:
        return decisions.record_decision(u, actor, case_id, FW, decision, AS_OF,
                                         checks=registry(), password=password)


def status(uow: UowFactory, case_id: int) -> CaseStatus:
    with uow() as u:
        return cases.get_case(u, case_id).status


def refusal(uow: UowFactory, officer: Actor, case_id: int) -> decisions.DecisionRecord:
    assessed(uow, officer, case_id, mandatory())
    return decide(uow, officer, case_id, DecisionInput(
        Outcome.REFUSE, "Substantial risk under the IHRL criterion.", [], ["ihrl"]))


def test_approval_is_signed_and_verifies_with_the_certificate_alone(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    assessed(uow, officer, case_id, clean())
    record = decide(uow, officer, case_id)
    assert record.status_after is CaseStatus.APPROVED
    assert record.ref.endswith("/1") and record.signed
    with uow() as u:
        row = u.session.get_one(DecisionRow, record.id)
        cert = keys.load_certificate(u.session, row.certificate_id)
        ca = x509.load_pem_x509_certificate(keys.ca_certificate_pem(u).encode())
        data, digest, signature = row.snapshot.encode("utf-8"), row.snapshot_sha256, row.signature
    assert sha256_hex(data) == digest
    assert keys.verify_with(cert, data, signature)
    assert not keys.verify_with(cert, data.replace(b"approve", b"refuse", 1), signature)
    assert keys.issued_by(cert, [ca]) is not None
    snap = json.loads(data)
    assert canonical_bytes(snap) == data  # canonical: re-serialising gives the same bytes
    assert snap["case"]["reference"] == record.case_reference
    assert snap["framework"]["id"] == FW and len(snap["framework"]["sha256"]) == 64
    assert snap["decision"]["outcome"] == "approve"
    assert snap["signer"]["username"] == "olga"
    assert snap["audit_head"]["event"] > 0
    assert {g["control_entry"] for g in snap["case"]["goods"]} == {"ML1.a", "ML3.a", "ML13.d"}


def test_wrong_password_signs_nothing(uow: UowFactory, officer: Actor, case_id: int) -> None:
    assessed(uow, officer, case_id, clean())
    with pytest.raises(AuthenticationError):
        decide(uow, officer, case_id, password="not-the-password")
    assert status(uow, case_id) is CaseStatus.IN_ASSESSMENT
    with uow() as u:
        assert u.session.scalars(select(DecisionRow)).all() == []


def test_refusal_waits_for_a_countersignature_then_takes_effect(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int) -> None:
    record = refusal(uow, officer, case_id)
    assert record.countersignatures_required == 1
    assert status(uow, case_id) is CaseStatus.AWAITING_COUNTERSIGNATURE
    with uow() as u:
        queue = decisions.review_queue(u, supervisor)
    assert [q.reference for q in queue] == [record.case_reference] and queue[0].can_act
    with uow() as u:
        cs = decisions.countersign(u, supervisor, case_id, "Agreed.",
                                   password=SUPERVISOR_PASSWORD)
    assert cs.kind is RecordKind.COUNTERSIGNATURE and cs.previous_id == record.id
    assert cs.snapshot["decision"]["sha256"] == record.snapshot_sha256
    assert status(uow, case_id) is CaseStatus.REFUSED


def test_officer_cannot_countersign_and_supervisor_not_twice(
        uow: UowFactory, officer: Actor, supervisor: Actor, supervisor2: Actor,
        case_id: int, admin: Actor) -> None:
    with uow() as u:
        settings.set_value(u, admin, "countersign.rules", [
            {"name": "All refusals twice", "outcomes": ["refuse"], "destinations": "any",
             "categories": [], "count": 2}])
    refusal(uow, officer, case_id)
    with uow() as u, pytest.raises(PermissionDeniedError):
        decisions.countersign(u, officer, case_id, password=OFFICER_PASSWORD)
    with uow() as u:
        decisions.countersign(u, supervisor, case_id, password=SUPERVISOR_PASSWORD)
    assert status(uow, case_id) is CaseStatus.AWAITING_COUNTERSIGNATURE
    with uow() as u, pytest.raises(PermissionDeniedError, match="already countersigned"):
        decisions.countersign(u, supervisor, case_id, password=SUPERVISOR_PASSWORD)
    with uow() as u:
        decisions.countersign(u, supervisor2, case_id, password=SUPERVISOR2_PASSWORD)
    assert status(uow, case_id) is CaseStatus.REFUSED


def test_supervisor_who_assessed_cannot_countersign(
        uow: UowFactory, supervisor: Actor, supervisor2: Actor, case_id: int) -> None:
    assessed(uow, supervisor, case_id, mandatory())
    decide(uow, supervisor, case_id, DecisionInput(
        Outcome.REFUSE, "Substantial risk under the IHRL criterion.", [], ["ihrl"]),
        password=SUPERVISOR_PASSWORD)
    with uow() as u, pytest.raises(PermissionDeniedError, match="another supervisor"):
        decisions.countersign(u, supervisor, case_id, password=SUPERVISOR_PASSWORD)
    with uow() as u:
        decisions.countersign(u, supervisor2, case_id, password=SUPERVISOR2_PASSWORD)


def test_return_sends_the_case_back_and_a_new_decision_chains_on(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int) -> None:
    first = refusal(uow, officer, case_id)
    with uow() as u, pytest.raises(InputError):
        decisions.return_decision(u, supervisor, case_id, "short", password=SUPERVISOR_PASSWORD)
    with uow() as u:
        ret = decisions.return_decision(u, supervisor, case_id,
                                        "The IHRL rationale cites no recent evidence.",
                                        password=SUPERVISOR_PASSWORD)
    assert status(uow, case_id) is CaseStatus.IN_ASSESSMENT
    second = decide(uow, officer, case_id, DecisionInput(
        Outcome.REFUSE, "Substantial risk under IHRL, see the 2026 report.", [], ["ihrl"]))
    assert [first.sequence, ret.sequence, second.sequence] == [1, 2, 3]
    assert second.previous_id == ret.id
    assert second.snapshot["previous"]["sha256"] == ret.snapshot_sha256
    changes = decisions.diff_snapshots(first.snapshot, second.snapshot)
    assert "decision.rationale" in {c.path for c in changes}


def test_reassessment_suspends_reinstates_and_revokes(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    assessed(uow, officer, case_id, clean())
    decide(uow, officer, case_id)
    with uow() as u:
        decisions.reassess(u, officer, case_id, RecordKind.SUSPENSION,
                           "New reports of misuse by the end user.", password=OFFICER_PASSWORD)
    assert status(uow, case_id) is CaseStatus.SUSPENDED
    with uow() as u:
        decisions.reassess(u, officer, case_id, RecordKind.REINSTATEMENT,
                           "Reports not corroborated after inquiry.", password=OFFICER_PASSWORD)
    assert status(uow, case_id) is CaseStatus.APPROVED
    with uow() as u:
        rec = decisions.reassess(u, officer, case_id, RecordKind.REVOCATION,
                                 "Corroborated by the UN panel of experts.",
                                 password=OFFICER_PASSWORD)
    assert status(uow, case_id) is CaseStatus.REVOKED and rec.sequence == 4
    with uow() as u, pytest.raises(StatusTransitionError):
        decisions.reassess(u, officer, case_id, RecordKind.CONFIRMATION,
                           "Confirm after revocation?", password=OFFICER_PASSWORD)


def test_same_decision_gives_the_same_bytes() -> None:
    doc = {"b": [1, {"z": "é", "a": date(2026, 1, 2)}], "a": "x"}
    again = {"a": "x", "b": [1, {"a": date(2026, 1, 2), "z": "é"}]}
    assert canonical_bytes(doc) == canonical_bytes(again) == (
        '{"a":"x","b":[1,{"a":"2026-01-02","z":"é"}]}'.encode())


def test_amendment_is_a_new_signed_record_and_the_decision_is_untouched(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    assessed(uow, officer, case_id, clean())
    first = decide(uow, officer, case_id)
    with uow() as u:
        rec = decisions.amend(u, officer, case_id, ["Delivery verification within 90 days"],
                              "Agreed with the exporter after the embassy's advice.",
                              password=OFFICER_PASSWORD)
    assert rec.kind is RecordKind.AMENDMENT and rec.previous_id == first.id
    assert rec.snapshot["conditions"] == {"before": [],
                                          "after": ["Delivery verification within 90 days"]}
    with uow() as u:
        assert decisions.current_conditions(u, case_id) == [
            "Delivery verification within 90 days"]
        assert decisions.get_record(u, f"{first.case_reference}/1").snapshot == first.snapshot
    assert status(uow, case_id) is CaseStatus.APPROVED


def test_audit_search_filters_and_the_consistency_view(
        uow: UowFactory, officer: Actor, supervisor: Actor, admin: Actor,
        sample_case_data: CaseData) -> None:
    ids = []
    for _ in range(3):
        with uow() as u:
            ids.append(cases.create_case(u, officer, sample_case_data,
                                         status=CaseStatus.RECEIVED).id)
    assessed(uow, officer, ids[0], clean())
    decide(uow, officer, ids[0])
    first = refusal(uow, officer, ids[1])
    with uow() as u:
        q = decisions.search_decisions
        assert {r.ref for r in q(u, supervisor, decisions.DecisionQuery())} == {
            f"{r.case_reference}/1" for r in [first]} | {
            decisions.list_decisions(u, ids[0])[0].ref}
        assert [r.outcome for r in q(u, admin, decisions.DecisionQuery(outcome="refuse"))] == [
            Outcome.REFUSE]
        assert len(q(u, supervisor, decisions.DecisionQuery(criterion="ihrl"))) == 1
        assert q(u, supervisor, decisions.DecisionQuery(criterion="ihr")) == []
        assert len(q(u, supervisor, decisions.DecisionQuery(end_user="gendarmerie"))) == 2
        assert q(u, supervisor, decisions.DecisionQuery(end_user="50%_off")) == []
        assert len(q(u, supervisor, decisions.DecisionQuery(category="ml13"))) == 2
        assert q(u, supervisor, decisions.DecisionQuery(category="ML1")) != []
        assert q(u, supervisor, decisions.DecisionQuery(category="ML2")) == []
        assert q(u, supervisor, decisions.DecisionQuery(destination="KE")) == []
        assert len(q(u, supervisor, decisions.DecisionQuery(officer="olga"))) == 2
        assert q(u, supervisor, decisions.DecisionQuery(date_to=date(2020, 1, 1))) == []
        assert len(q(u, supervisor, decisions.DecisionQuery(include_follow_ups=True))) == 2
        row = q(u, supervisor, decisions.DecisionQuery(outcome="refuse"))[0]
        assert row.end_user == "Gendarmerie nationale de Côte d'Ivoire"
        assert row.categories == "ML1, ML13, ML3"
        divergent = decisions.consistency(u, supervisor, first.id)
    assert len(divergent) == 1
    assert "same destination" in divergent[0].basis and "same end user" in divergent[0].basis
    assert divergent[0].row.outcome is Outcome.APPROVE
    with uow() as u, pytest.raises(PermissionDeniedError):
        decisions.search_decisions(u, officer, decisions.DecisionQuery())
