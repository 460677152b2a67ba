"""Use cases of the guided assessment on a real SQLite database: open, save, drafts, the
past-incidents log and the decision, which is all-or-nothing and refused when the rules
forbid it. Hard stops come from test doubles, not from the embargo table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from app import assessments, cases, decisions, drafts, settings
from app.assessment import (
    AssessmentData,
    CheckReview,
    Citation,
    DecisionInput,
    Finding,
    Mitigation,
    Outcome,
    RuleViolation,
)
from app.casedata import CaseData
from app.errors import (
    ConcurrentEditError,
    NotFoundError,
    PermissionDeniedError,
    ReferenceDataError,
    StatusTransitionError,
    ValidationError,
)
from app.frameworks import Framework, catalogue
from app.hardstops import CheckContext, CheckRegistry, CheckResult, CheckStatus
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from db.models import (
    Assessment,
    Case,
    ChangeEvent,
    DecisionRow,
    Draft,
    FindingRow,
    FrameworkText,
    PastIncident,
)
from tests.conftest import OFFICER_PASSWORD, SUPERVISOR_PASSWORD

UowFactory = Callable[[], UnitOfWork]
FW = "golden-rule"
AS_OF = date(2026, 3, 2)
CITE = Citation("Commission of inquiry report, A/HRC/59/00, paras 40-72", evidence_id=12,
                content_sha256="0f" * 32, grade="B2", note="Annex III")


@dataclass
class FakeCheck:
    """A hard-stop check that returns what it is told and remembers what it was asked."""

    name: str
    results: list[CheckResult] = field(default_factory=list)
    contexts: list[CheckContext] = field(default_factory=list)

    def run(self, context: CheckContext) -> list[CheckResult]:
        self.contexts.append(context)
        return list(self.results)


def registry(status: CheckStatus = CheckStatus.CLEAR) -> CheckRegistry:
    return CheckRegistry([FakeCheck("embargo", [CheckResult(
        "embargo", "embargo:test-row", status, "Test embargo on the destination")])])


def framework() -> Framework:
    return catalogue().get(FW)


def clean(fw: Framework | None = None) -> AssessmentData:
    fw = fw or framework()
    return AssessmentData(fw.id, {c.id: Finding(c.id, c.lowest,
                                                 legal_test_met=False if c.is_binding else None)
                                  for c in fw.criteria})


def mandatory() -> AssessmentData:
    """Clean, except that ihrl reaches substantial risk."""
    data = clean()
    data.findings["ihrl"] = Finding("ihrl", "substantial", legal_test_met=True,
                                    rationale="Recent, documented and unaddressed.",
                                    citations=[CITE])
    return data


def rich() -> AssessmentData:
    """Every kind of field the assessment stores, with non-ASCII text."""
    data = clean()
    data.findings["ihl"] = Finding(
        "ihl", "moderate", residual_level="low", legal_test_met=False,
        rationale="Préoccupations crédibles ; 証拠あり.",
        citations=[CITE, Citation("Rapport d'ONG, 2025")],
        answers={"armed_conflict": "yes", "accountability": "unknown"},
        answer_notes={"armed_conflict": "Opérations dans le nord."},
        mitigation_ids=["m1"])
    data.mitigations = [Mitigation("m1", "Vérification post-expédition", "Attaché de défense",
                                   ["ihl"]),
                        Mitigation("m2", "Re-export clause", "Customs", [])]
    data.reviews = {"embargo:region": CheckReview(False, "Goods stay in the capital."),
                    "embargo:other": CheckReview(True)}
    data.current_step = "ihl"
    return data


@pytest.fixture
def case_id(uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> int:
    with uow() as u:
        return cases.create_case(u, officer, sample_case_data, status=CaseStatus.RECEIVED).id


def open_(uow: UowFactory, actor: Actor, case_id: int,
          framework_id: str = FW) -> assessments.AssessmentRecord:
    with uow() as u:
        return assessments.open_assessment(u, actor, case_id, framework_id)


def save(uow: UowFactory, actor: Actor, case_id: int, data: AssessmentData,
         version: int) -> assessments.AssessmentRecord:
    with uow() as u:
        return assessments.save_assessment(u, actor, case_id, data, version)


def assessed(uow: UowFactory, actor: Actor, case_id: int,
             data: AssessmentData) -> assessments.AssessmentRecord:
    record = open_(uow, actor, case_id)
    return save(uow, actor, case_id, data, record.row_version)


#: Signing passwords of the conftest accounts that sign decisions here.
PASSWORDS = {"olga": OFFICER_PASSWORD, "sven": SUPERVISOR_PASSWORD}


def decide(uow: UowFactory, actor: Actor, case_id: int, decision: DecisionInput,
           checks: CheckRegistry | None = None) -> decisions.DecisionRecord:
    with uow() as u:
        return decisions.record_decision(u, actor, case_id, FW, decision, AS_OF,
                                         checks=checks or registry(),
                                         password=PASSWORDS.get(actor.username, "unused"))


def countersign(uow: UowFactory, supervisor: Actor, case_id: int) -> decisions.DecisionRecord:
    with uow() as u:
        return decisions.countersign(u, supervisor, case_id, "Agreed with the refusal.",
                                     password=SUPERVISOR_PASSWORD)


def status(uow: UowFactory, case_id: int) -> CaseStatus:
    with uow() as u:
        return cases.get_case(u, case_id).status


def actions(uow: UowFactory) -> list[str]:
    with uow() as u:
        return list(u.session.scalars(select(ChangeEvent.action).order_by(ChangeEvent.id)))


def state(uow: UowFactory) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a decision may touch, to compare before and after."""
    out = {}
    with uow() as u:
        for model in (Case, Assessment, FindingRow, DecisionRow, ChangeEvent, Draft,
                      PastIncident):
            table = model.__table__
            rows = u.session.execute(select(table).order_by(*table.primary_key.columns))
            out[table.name] = [tuple(r) for r in rows]
    return out


# -- opening ---------------------------------------------------------------------------------


def test_open_starts_the_assessment_and_stores_the_framework_text(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    fw = framework()
    assert status(uow, case_id) is CaseStatus.RECEIVED
    record = open_(uow, officer, case_id)
    assert status(uow, case_id) is CaseStatus.IN_ASSESSMENT
    assert record.case_id == case_id and record.row_version == 1
    assert record.framework.sha256 == fw.sha256 and not record.framework_changed
    assert record.data == AssessmentData(FW)
    assert record.updated_by == "olga"
    with uow() as u:
        text = u.session.get(FrameworkText, fw.sha256)
        assert text is not None
        assert (text.framework_id, text.version, text.file_name) == (fw.id, fw.version,
                                                                     fw.path.name)
        assert text.text == fw.path.read_text(encoding="utf-8")
    assert actions(uow)[-2:] == ["assessment.start", "case.status"]

    before = state(uow)
    again = open_(uow, officer, case_id)
    assert again.id == record.id and again.row_version == record.row_version
    assert state(uow) == before  # reopening writes nothing


def test_framework_text_is_stored_once(uow: UowFactory, officer: Actor, case_id: int,
                                       sample_case_data: CaseData) -> None:
    with uow() as u:
        other = cases.create_case(u, officer, sample_case_data, status=CaseStatus.RECEIVED).id
    open_(uow, officer, case_id)
    open_(uow, officer, other)
    open_(uow, officer, case_id, "att")
    with uow() as u:
        texts = u.session.scalars(select(FrameworkText.framework_id)).all()
        assert sorted(texts) == ["att", "golden-rule"]
        assert [fid for fid, _ in assessments.list_assessments(u, case_id)] in (
            ["att", "golden-rule"], ["golden-rule", "att"])
    assert status(uow, case_id) is CaseStatus.IN_ASSESSMENT


def test_open_refused_for_a_closed_case_or_unknown_framework(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    with pytest.raises(ReferenceDataError):
        open_(uow, officer, case_id, "no-such-framework")
    with uow() as u:
        cases.change_status(u, officer, case_id, CaseStatus.WITHDRAWN, "Exporter withdrew.")
    before = state(uow)
    with pytest.raises(StatusTransitionError):
        open_(uow, officer, case_id)
    assert state(uow) == before


# -- saving ----------------------------------------------------------------------------------


def test_save_round_trips_everything(uow: UowFactory, officer: Actor, case_id: int) -> None:
    record = open_(uow, officer, case_id)
    data = rich()
    saved = save(uow, officer, case_id, data, record.row_version)
    assert saved.data == data
    assert saved.row_version == record.row_version + 1
    with uow() as u:
        fresh = assessments.get_assessment(u, case_id, FW)
        assert fresh is not None and fresh.data == data
        assert fresh.data.findings["ihl"].citations == [CITE, Citation("Rapport d'ONG, 2025")]
        event = u.session.scalars(select(ChangeEvent).where(
            ChangeEvent.action == "assessment.update")).one()
        assert event.entity_id == cases.get_case(u, case_id).reference
        assert event.actor_id == officer.id
        assert event.before == AssessmentData(FW).to_json()
        assert event.after == data.to_json()


def test_unchanged_save_writes_nothing(uow: UowFactory, officer: Actor, case_id: int) -> None:
    saved = assessed(uow, officer, case_id, rich())
    before = state(uow)
    again = save(uow, officer, case_id, rich(), saved.row_version)
    assert again.row_version == saved.row_version
    assert state(uow) == before


def test_stale_version_is_refused(uow: UowFactory, officer: Actor, supervisor: Actor,
                                  case_id: int) -> None:
    record = open_(uow, officer, case_id)
    save(uow, supervisor, case_id, clean(), record.row_version)
    before = state(uow)
    with pytest.raises(ConcurrentEditError) as info:
        save(uow, officer, case_id, rich(), record.row_version)
    assert "saved by someone else" in str(info.value)
    assert state(uow) == before


def test_administrator_may_not_assess(uow: UowFactory, officer: Actor, admin: Actor,
                                      case_id: int) -> None:
    """Separation of duties: an administrator reads cases but neither assesses nor decides."""
    before = state(uow)
    with pytest.raises(PermissionDeniedError) as info:
        open_(uow, admin, case_id)
    assert "may not assess applications" in str(info.value)
    assert "licensing officer or supervisor" in str(info.value)
    assert state(uow) == before
    record = open_(uow, officer, case_id)
    before = state(uow)
    with pytest.raises(PermissionDeniedError, match="licensing officer or supervisor"):
        save(uow, admin, case_id, clean(), record.row_version)
    with uow() as u, pytest.raises(PermissionDeniedError, match="licensing officer or supervisor"):
        assessments.save_incidents(u, admin, case_id, [incident()])
    assert state(uow) == before


def test_unknown_ids_are_refused_with_field_paths(uow: UowFactory, officer: Actor,
                                                  case_id: int) -> None:
    record = open_(uow, officer, case_id)
    data = clean()
    data.findings["7.1b-ii"] = Finding("7.1b-ii", "overriding")
    data.findings["ihrl"] = Finding("ihrl", "extreme", residual_level="zero",
                                    answers={"no_such_question": "yes",
                                             "pattern_of_violations": "perhaps"},
                                    mitigation_ids=["m9"])
    data.mitigations = [Mitigation("m1", "A", "B"), Mitigation("m1", "C", "D"),
                        Mitigation(" ", "E", "F")]
    before = state(uow)
    with pytest.raises(ValidationError) as info:
        save(uow, officer, case_id, data, record.row_version)
    fields = sorted(p.field for p in info.value.problems)
    assert fields == sorted(["findings.7.1b-ii", "findings.ihrl.level",
                             "findings.ihrl.residual_level",
                             "findings.ihrl.answers.no_such_question",
                             "findings.ihrl.answers.pattern_of_violations",
                             "findings.ihrl.mitigation_ids", "mitigations[1].id",
                             "mitigations[2].id"])
    text = str(info.value)
    assert "'extreme' is not a level" in text and "golden-rule has no criterion '7.1b-ii'" in text
    assert state(uow) == before


def test_save_needs_an_open_assessment(uow: UowFactory, officer: Actor, case_id: int) -> None:
    with pytest.raises(NotFoundError):
        save(uow, officer, case_id, clean(), 1)


# -- drafts ----------------------------------------------------------------------------------


def test_draft_round_trips_and_is_not_a_case_draft(uow: UowFactory, officer: Actor,
                                                   admin: Actor, case_id: int,
                                                   sample_case_data: CaseData) -> None:
    record = open_(uow, officer, case_id)
    data = rich()
    data.findings["gbv"] = Finding("gbv", "not-a-level")  # half-typed: a draft may be wrong
    incidents = [assessments.IncidentData("2024-05", "Unité 7", "Tirs sur manifestants",
                                          "Fusils", "HRW, 2024", "no", id=3)]
    before = actions(uow)
    with uow() as u:
        assessments.save_draft(u, officer, case_id, record.row_version, data, incidents)
    assert actions(uow) == before  # autosave writes no change event
    with uow() as u:
        loaded = assessments.load_draft(u, officer, case_id, FW)
        assert loaded is not None
        assert loaded.data == data
        assert loaded.incidents == incidents and loaded.incidents[0].id == 3
        assert loaded.base_version == record.row_version
        assert assessments.load_draft(u, admin, case_id, FW) is None  # per user
        assert assessments.load_draft(u, officer, case_id, "att") is None  # per framework
        assert drafts.list_drafts(u, officer) == []
        drafts.save_draft(u, officer, case_id, 1, sample_case_data)
    with uow() as u:
        assert [d.key for d in drafts.list_drafts(u, officer)] == [f"case:{case_id}"]
        assert [(c, f) for c, f, _ in assessments.list_drafts(u, officer)] == [(case_id, FW)]
        assessments.discard_draft(u, officer, case_id, FW)
    with uow() as u:
        assert assessments.load_draft(u, officer, case_id, FW) is None
        assert len(drafts.list_drafts(u, officer)) == 1  # the case draft is untouched


# -- past incidents --------------------------------------------------------------------------


def incident(occurred: str = "2024", investigated: str = "unknown",
             description: str = "Tirs sur des manifestants") -> assessments.IncidentData:
    return assessments.IncidentData(occurred, "Police unit", description, "rifles",
                                    "Amnesty, 2024", investigated)


@pytest.mark.parametrize("occurred", ["", "2019", "2019-07", "2019-07-14", "2020-02-29",
                                      "1999-12-31"])
def test_incident_dates_accepted(uow: UowFactory, officer: Actor, case_id: int,
                                 occurred: str) -> None:
    with uow() as u:
        saved = assessments.save_incidents(u, officer, case_id, [incident(occurred)])
    assert [i.occurred for i in saved] == [occurred]


@pytest.mark.parametrize("occurred", ["19", "2019-7", "2019-13", "2019-00", "2019-07-32",
                                      "2019-07-1", "14/07/2019", "2019/07/14", "July 2019",
                                      "2019-07-14T10:00", " 2019", "2019-02-30", "2021-02-29",
                                      "2019-04-31", "2019\n", "٢٠١٩"])
def test_incident_dates_refused(uow: UowFactory, officer: Actor, case_id: int,
                                occurred: str) -> None:
    before = state(uow)
    with uow() as u, pytest.raises(ValidationError) as info:
        assessments.save_incidents(u, officer, case_id, [incident(), incident(occurred)])
    assert [p.field for p in info.value.problems] == ["past_incidents[1].occurred"]
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in str(info.value)
    assert state(uow) == before


@pytest.mark.parametrize("investigated", ["yes", "no", "ongoing", "unknown"])
def test_incident_investigated_values(uow: UowFactory, officer: Actor, case_id: int,
                                      investigated: str) -> None:
    with uow() as u:
        saved = assessments.save_incidents(u, officer, case_id,
                                           [incident(investigated=investigated)])
    assert saved[0].investigated == investigated


def test_incident_problems_are_listed_by_path(uow: UowFactory, officer: Actor,
                                              case_id: int) -> None:
    with uow() as u, pytest.raises(ValidationError) as info:
        assessments.save_incidents(u, officer, case_id, [
            incident(), incident(investigated="maybe", description="  ")])
    assert [p.field for p in info.value.problems] == ["past_incidents[1].description",
                                                      "past_incidents[1].investigated"]


def test_incidents_saved_in_order_with_one_event(uow: UowFactory, officer: Actor,
                                                 case_id: int) -> None:
    log = [incident("2023-11-02", "yes", "Premier"), incident("2024", "ongoing", "Second")]
    with uow() as u:
        assessments.save_incidents(u, officer, case_id, log)
    with uow() as u:
        assert assessments.list_incidents(u, case_id) == log
    assert actions(uow)[-1] == "incidents.update"
    n = len(actions(uow))
    with uow() as u:
        assessments.save_incidents(u, officer, case_id, log)
    assert len(actions(uow)) == n  # unchanged: no event
    with uow() as u:
        assessments.save_incidents(u, officer, case_id, log[1:])
    with uow() as u:
        assert assessments.list_incidents(u, case_id) == log[1:]


# -- decisions -------------------------------------------------------------------------------


def test_forbidden_approval_writes_nothing(uow: UowFactory, officer: Actor,
                                          case_id: int) -> None:
    assessed(uow, officer, case_id, mandatory())
    with uow() as u:
        assessments.save_draft(u, officer, case_id, 2, mandatory(), [])
    before = state(uow)
    for outcome, conditions in ((Outcome.APPROVE, []),
                                (Outcome.APPROVE_WITH_CONDITIONS, ["End-use visit"])):
        with pytest.raises(RuleViolation) as info:
            decide(uow, officer, case_id, DecisionInput(outcome, "Looks fine.", conditions))
        assert "Approval is forbidden: refusal is mandatory." in info.value.rules
        assert any("ihrl" in rule for rule in info.value.rules)
        assert state(uow) == before
    assert status(uow, case_id) is CaseStatus.IN_ASSESSMENT


def test_hard_stop_forbids_approval_of_a_clean_assessment(uow: UowFactory, officer: Actor,
                                                          case_id: int) -> None:
    assessed(uow, officer, case_id, clean())
    checks = registry(CheckStatus.APPLIES)
    before = state(uow)
    with pytest.raises(RuleViolation) as info:
        decide(uow, officer, case_id, DecisionInput(Outcome.APPROVE, "Fine."), checks)
    assert "Test embargo on the destination" in str(info.value)
    assert state(uow) == before
    fake = checks.checks[0]
    assert isinstance(fake, FakeCheck)
    assert fake.contexts[0].as_of == AS_OF and fake.contexts[0].case_id == case_id
    # Refusing without citing the linked criterion is also refused.
    with pytest.raises(RuleViolation) as info:
        decide(uow, officer, case_id, DecisionInput(Outcome.REFUSE, "Embargo.", [], ["ihrl"]),
               checks)
    assert any("missing: prohibitions" in r for r in info.value.rules)
    record = decide(uow, officer, case_id,
                    DecisionInput(Outcome.REFUSE, "Embargo.", [], ["prohibitions"]), checks)
    assert record.status_after is CaseStatus.AWAITING_COUNTERSIGNATURE  # every refusal
    assert record.evaluation["required_citations"] == ["prohibitions"]


def test_failure_midway_rolls_everything_back(uow: UowFactory, officer: Actor, case_id: int,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assessed(uow, officer, case_id, clean())
    before = state(uow)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(decisions, "_set_status", broken)
    with pytest.raises(RuntimeError):
        decide(uow, officer, case_id, DecisionInput(Outcome.APPROVE, "Fine."))
    assert state(uow) == before


def test_allowed_approval_is_recorded(uow: UowFactory, officer: Actor, case_id: int) -> None:
    saved = assessed(uow, officer, case_id, clean())
    with uow() as u:
        assessments.save_draft(u, officer, case_id, saved.row_version, clean(), [])
    n_events = len(actions(uow))
    record = decide(uow, officer, case_id, DecisionInput(Outcome.APPROVE, "  No concerns.  "))
    assert status(uow, case_id) is CaseStatus.APPROVED
    assert record.outcome is Outcome.APPROVE and record.status_after is CaseStatus.APPROVED
    assert record.rationale == "No concerns." and record.decided_by == "olga"
    assert record.as_of == AS_OF and record.framework_id == FW
    assert record.evaluation["allowed"] == ["approve", "approve-with-conditions", "refer"]
    assert record.evaluation["mandatory_refusal"] is False
    assert actions(uow)[n_events:] == ["decision.decision", "document.issue", "case.status"]
    with uow() as u:
        row = u.session.scalars(select(DecisionRow)).one()
        assert row.framework_sha256 == framework().sha256
        assert row.status_before == "in_assessment" and row.status_after == "approved"
        assert row.checks == [CheckResult("embargo", "embargo:test-row", CheckStatus.CLEAR,
                                          "Test embargo on the destination").to_json()]
        assert row.findings["assessment"] == clean().to_json()
        assert decisions.list_decisions(u, case_id) == [record]
        assert assessments.load_draft(u, officer, case_id, FW) is None  # draft discarded


def test_approval_with_conditions_is_recorded(uow: UowFactory, officer: Actor,
                                              case_id: int) -> None:
    assessed(uow, officer, case_id, clean())
    with pytest.raises(RuleViolation):
        decide(uow, officer, case_id,
               DecisionInput(Outcome.APPROVE_WITH_CONDITIONS, "Reasons.", [" "]))
    record = decide(uow, officer, case_id, DecisionInput(
        Outcome.APPROVE_WITH_CONDITIONS, "Reasons.", [" No re-export ", "", "Visit"]))
    assert record.conditions == ["No re-export", "Visit"]
    assert status(uow, case_id) is CaseStatus.APPROVED_WITH_CONDITIONS


def test_refusal_is_recorded(uow: UowFactory, officer: Actor, supervisor: Actor,
                            case_id: int) -> None:
    assessed(uow, officer, case_id, mandatory())
    record = decide(uow, officer, case_id,
                    DecisionInput(Outcome.REFUSE, "Substantial risk.", [], ["ihrl", " ihrl"]))
    assert record.criteria_cited == ["ihrl"]
    assert record.evaluation["mandatory_refusal"] is True
    # Every refusal needs a countersignature before it takes effect.
    assert record.countersignatures_required == 1
    assert record.status_after is CaseStatus.AWAITING_COUNTERSIGNATURE
    assert status(uow, case_id) is CaseStatus.AWAITING_COUNTERSIGNATURE
    countersign(uow, supervisor, case_id)
    assert status(uow, case_id) is CaseStatus.REFUSED


def test_refusal_without_countersigning_rules_takes_effect_at_once(
        uow: UowFactory, officer: Actor, admin: Actor, case_id: int) -> None:
    with uow() as u:
        settings.set_value(u, admin, "countersign.rules", [])
    assessed(uow, officer, case_id, mandatory())
    record = decide(uow, officer, case_id,
                    DecisionInput(Outcome.REFUSE, "Substantial risk.", [], ["ihrl"]))
    assert record.countersignatures_required == 0
    assert record.status_after is CaseStatus.REFUSED
    assert status(uow, case_id) is CaseStatus.REFUSED


def test_referral_then_only_a_supervisor_decides(uow: UowFactory, officer: Actor,
                                                 supervisor: Actor, admin: Actor,
                                                 case_id: int) -> None:
    assessed(uow, officer, case_id, clean())
    record = decide(uow, officer, case_id, DecisionInput(Outcome.REFER, "Second opinion."))
    assert record.status_after is CaseStatus.REFERRED
    assert status(uow, case_id) is CaseStatus.REFERRED
    before = state(uow)
    with pytest.raises(PermissionDeniedError) as info:
        decide(uow, officer, case_id, DecisionInput(Outcome.APPROVE, "Fine."))
    assert "only a supervisor" in str(info.value)
    with pytest.raises(PermissionDeniedError) as info:  # administrators never decide
        decide(uow, admin, case_id, DecisionInput(Outcome.APPROVE, "Fine."))
    assert "licensing officer or supervisor" in str(info.value)
    with pytest.raises(StatusTransitionError):
        decide(uow, supervisor, case_id, DecisionInput(Outcome.REFER, "Again."))
    with pytest.raises(RuleViolation):  # the supervisor is bound by the rules too
        decide(uow, supervisor, case_id, DecisionInput(Outcome.APPROVE, "Fine.", ["x"]))
    assert state(uow) == before
    final = decide(uow, supervisor, case_id, DecisionInput(Outcome.APPROVE, "Fine."))
    assert final.decided_by == "sven" and status(uow, case_id) is CaseStatus.APPROVED
    with uow() as u:
        assert [d.outcome for d in decisions.list_decisions(u, case_id)] == [
            Outcome.REFER, Outcome.APPROVE]


@pytest.mark.parametrize(("first", "countersigned"), [
    (Outcome.APPROVE, False), (Outcome.REFUSE, True), (Outcome.REFUSE, False)],
    ids=["approve", "refuse", "refuse-awaiting-countersignature"])
def test_decision_on_a_closed_case_is_refused(uow: UowFactory, officer: Actor,
                                              supervisor: Actor, case_id: int,
                                              first: Outcome, countersigned: bool) -> None:
    data = clean() if first is Outcome.APPROVE else mandatory()
    saved = assessed(uow, officer, case_id, data)
    decide(uow, officer, case_id, DecisionInput(first, "First.", [], ["ihrl"]
                                                if first is Outcome.REFUSE else []))
    if countersigned:
        countersign(uow, supervisor, case_id)
    assert status(uow, case_id) is (
        CaseStatus.APPROVED if first is Outcome.APPROVE
        else CaseStatus.REFUSED if countersigned else CaseStatus.AWAITING_COUNTERSIGNATURE)
    before = state(uow)
    for outcome in Outcome:
        with pytest.raises(StatusTransitionError):
            decide(uow, officer, case_id, DecisionInput(outcome, "Again.", ["c"], ["ihrl"]))
    with pytest.raises(StatusTransitionError):
        save(uow, officer, case_id, rich(), saved.row_version)
    assert state(uow) == before


def test_decision_needs_an_assessment(uow: UowFactory, officer: Actor, case_id: int) -> None:
    with pytest.raises(NotFoundError):
        decide(uow, officer, case_id, DecisionInput(Outcome.REFER, "Reasons."))


def test_evaluate_case_uses_the_stored_findings_or_unsaved_data(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    assessed(uow, officer, case_id, mandatory())
    with uow() as u:
        ev, results, fw = assessments.evaluate_case(u, case_id, FW, AS_OF, registry())
        assert ev.mandatory_refusal and fw.id == FW
        assert [r.key for r in results] == ["embargo:test-row"]
        ev, _, _ = assessments.evaluate_case(u, case_id, FW, AS_OF, registry(), data=clean())
        assert not ev.mandatory_refusal and ev.complete
        ev, _, _ = assessments.evaluate_case(u, case_id, FW, AS_OF,
                                             registry(CheckStatus.UNRESOLVED), data=clean())
        assert ev.allowed == frozenset({Outcome.REFER})


def test_viewing_under_a_historical_framework_does_not_start_the_assessment(
        uow: UowFactory, officer: Actor, case_id: int) -> None:
    with uow() as u:
        assert cases.get_case(u, case_id).status is CaseStatus.RECEIVED
        record = assessments.open_assessment(u, officer, case_id, "us-nsm18")
        assert record.framework.is_historical
        assert cases.get_case(u, case_id).status is CaseStatus.RECEIVED
