"""The rules engine, framework by framework: what makes refusal mandatory, what leaves the
assessment incomplete, and what a recorded decision must satisfy."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml

from app.assessment import (
    CHECKS_STEP,
    MITIGATION_STEP,
    AssessmentData,
    CheckReview,
    Citation,
    DecisionInput,
    Evaluation,
    Finding,
    Mitigation,
    Outcome,
    RuleViolation,
    StepStatus,
    check_decision,
    decision_problems,
    evaluate,
)
from app.frameworks import Criterion, Framework, catalogue, parse_framework
from app.hardstops import CheckResult, CheckStatus

ALL: list[Framework] = [fw for fw in catalogue(reload=True).frameworks if fw.shipped]
CURRENT = [fw for fw in ALL if not fw.is_historical]
HISTORICAL = [fw for fw in ALL if fw.is_historical]

APPROVALS = frozenset({Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS})
EVERYTHING = frozenset(Outcome)
MANDATORY = frozenset({Outcome.REFUSE, Outcome.REFER})
REFER_ONLY = frozenset({Outcome.REFER})
CITE = Citation("UN Human Rights Council, A/HRC/00/00, 2025, paras 12-40", grade="B2")


def fw_of(framework_id: str) -> Framework:
    for fw in ALL:
        if fw.id == framework_id:
            return fw
    pytest.skip(f"{framework_id} is not shipped yet")


def criteria(frameworks: Iterable[Framework], *, binding: bool | None = None,
             mitigation: bool | None = None) -> list[pytest.param]:
    """(framework, criterion) pairs as pytest params, filtered."""
    out = []
    for fw in frameworks:
        for c in fw.criteria:
            if binding is not None and c.is_binding != binding:
                continue
            if mitigation is not None and c.mitigation != mitigation:
                continue
            out.append(pytest.param(fw, c, id=f"{fw.id}:{c.id}"))
    return out


def clean(fw: Framework) -> AssessmentData:
    """Every criterion at its lowest level; the legal test recorded as not met."""
    data = AssessmentData(fw.id)
    for c in fw.criteria:
        data.findings[c.id] = Finding(c.id, level=c.lowest,
                                      legal_test_met=False if c.is_binding else None)
    return data


def below_threshold_above_lowest(c: Criterion) -> str | None:
    """A level above the lowest that does not reach the threshold, if the scale has one."""
    for level in c.level_ids[1:]:
        if not c.reaches_threshold(level):
            return level
    return None


def result(check: str = "embargo", status: CheckStatus = CheckStatus.APPLIES,
           key: str | None = None, title: str = "UN arms embargo on Testland") -> CheckResult:
    return CheckResult(check, key or f"{check}:test-row", status, title,
                       detail="Detail of the test result.", basis="UNSC res. 9999 (2099)")


def approve(rationale: str = "No rule forbids it; the risks are low.") -> DecisionInput:
    return DecisionInput(Outcome.APPROVE, rationale)


def all_text(ev: Evaluation) -> str:
    return "\n".join(ev.explanation())


# -- clean assessments -----------------------------------------------------------------------


@pytest.mark.parametrize("fw", CURRENT, ids=[f.id for f in CURRENT])
def test_all_lowest_is_complete_and_approval_allowed(fw: Framework) -> None:
    ev = evaluate(fw, clean(fw))
    assert ev.complete and ev.gaps == ()
    assert not ev.mandatory_refusal and ev.grounds == ()
    assert ev.allowed == frozenset({Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS,
                                    Outcome.REFER})  # nothing to refuse on
    assert ev.refusable == () and ev.required_citations == ()
    assert all(s is StepStatus.COMPLETE for k, s in ev.steps.items() if k != MITIGATION_STEP)
    assert ev.steps[MITIGATION_STEP] is StepStatus.NOT_STARTED
    assert "judgement" in ev.headline
    check_decision(ev, approve())
    check_decision(ev, DecisionInput(Outcome.APPROVE_WITH_CONDITIONS, "Fine with conditions.",
                                     ["Post-shipment verification visit"]))
    check_decision(ev, DecisionInput(Outcome.REFER, "A second opinion."))


@pytest.mark.parametrize("fw", CURRENT, ids=[f.id for f in CURRENT])
def test_nothing_rated_is_incomplete(fw: Framework) -> None:
    ev = evaluate(fw, AssessmentData(fw.id))
    assert {g.step for g in ev.gaps} == set(fw.criterion_ids)
    assert ev.allowed == REFER_ONLY
    assert all(ev.steps[c] is StepStatus.NOT_STARTED for c in fw.criterion_ids)
    with pytest.raises(RuleViolation) as info:
        check_decision(ev, approve())
    assert "incomplete" in str(info.value)


# -- a binding criterion met ------------------------------------------------------------------


@pytest.mark.parametrize(("fw", "c"), criteria(CURRENT, binding=True))
def test_binding_criterion_at_threshold_makes_refusal_mandatory(fw: Framework,
                                                                c: Criterion) -> None:
    data = clean(fw)
    assert c.threshold is not None
    data.findings[c.id] = Finding(c.id, level=c.threshold, legal_test_met=True,
                                  rationale="Documented, recent and unaddressed.",
                                  citations=[CITE])
    ev = evaluate(fw, data)
    assert ev.mandatory_refusal
    assert ev.complete
    assert ev.allowed == MANDATORY
    assert [(g.kind, g.id, g.cite_as) for g in ev.grounds] == [("criterion", c.id, c.id)]
    assert ev.required_citations == (c.id,)
    assert ev.steps[c.id] is StepStatus.BLOCKS_APPROVAL
    assert f"Criterion {c.id} ({c.title}) is met ({c.citation})" in all_text(ev)
    assert "Refusal is mandatory." in ev.explanation()[0]
    for outcome in APPROVALS:
        with pytest.raises(RuleViolation) as info:
            check_decision(ev, DecisionInput(outcome, "Approve anyway.", ["a condition"]))
        assert "refusal is mandatory" in str(info.value)
        assert c.citation in str(info.value)
    check_decision(ev, DecisionInput(Outcome.REFUSE, "Refused.", criteria_cited=[c.id]))
    check_decision(ev, DecisionInput(Outcome.REFER, "Referred."))


@pytest.mark.parametrize(("fw", "c"), criteria(CURRENT, binding=True))
def test_legal_test_met_alone_makes_refusal_mandatory(fw: Framework, c: Criterion) -> None:
    """The officer's own finding that the test is met binds, even without a rating."""
    data = clean(fw)
    data.findings[c.id] = Finding(c.id, legal_test_met=True)
    ev = evaluate(fw, data)
    assert ev.mandatory_refusal and Outcome.APPROVE not in ev.allowed
    assert ev.required_citations == (c.id,)


@pytest.mark.parametrize(("fw", "c"), criteria(CURRENT, binding=False))
def test_weighed_criterion_at_its_top_level_is_a_judgement(fw: Framework,
                                                          c: Criterion) -> None:
    data = clean(fw)
    data.findings[c.id] = Finding(c.id, level=c.level_ids[-1], legal_test_met=True,
                                  rationale="Serious concerns.", citations=[CITE])
    ev = evaluate(fw, data)
    assert not ev.mandatory_refusal and ev.complete
    assert ev.allowed == EVERYTHING
    assert [j.criterion_id for j in ev.judgements] == [c.id]
    assert ev.refusable == (c.id,)
    check_decision(ev, DecisionInput(Outcome.REFUSE, "Weighed and refused.",
                                     criteria_cited=[c.id]))
    check_decision(ev, approve())


# -- incomplete ratings ----------------------------------------------------------------------


def _unmet_above_lowest() -> list[pytest.param]:
    return [p for p in criteria(CURRENT) if below_threshold_above_lowest(p.values[1])]


@pytest.mark.parametrize(("fw", "c"), _unmet_above_lowest())
@pytest.mark.parametrize("missing", ["rationale", "citation", "blank citation"])
def test_rating_above_lowest_needs_rationale_and_citation(fw: Framework, c: Criterion,
                                                          missing: str) -> None:
    level = below_threshold_above_lowest(c)
    data = clean(fw)
    finding = Finding(c.id, level=level, legal_test_met=False if c.is_binding else None,
                      rationale="" if missing == "rationale" else "Some concerns.",
                      citations={"rationale": [CITE], "citation": [],
                                 "blank citation": [Citation("   ")]}[missing])
    data.findings[c.id] = finding
    ev = evaluate(fw, data)
    assert not ev.mandatory_refusal
    gaps = ev.gaps_for(c.id)
    assert len(gaps) == 1
    word = "rationale" if missing == "rationale" else "cite at least one evidence item"
    assert word in gaps[0].text and c.id in gaps[0].text
    assert ev.allowed == REFER_ONLY
    assert ev.steps[c.id] is StepStatus.IN_PROGRESS
    with pytest.raises(RuleViolation):
        check_decision(ev, approve())
    # Completing the finding closes the gap.
    finding.rationale, finding.citations = "Some concerns.", [CITE]
    assert evaluate(fw, data).complete


@pytest.mark.parametrize(("fw", "c"), criteria(CURRENT))
def test_evidence_id_counts_as_a_citation(fw: Framework, c: Criterion) -> None:
    data = clean(fw)
    level = below_threshold_above_lowest(c) or c.level_ids[1]
    data.findings[c.id] = Finding(c.id, level=level,
                                  legal_test_met=c.reaches_threshold(level) or
                                  (False if c.is_binding else None),
                                  rationale="Reasons.", citations=[Citation("", evidence_id=7)])
    assert evaluate(fw, data).gaps_for(c.id) == []


@pytest.mark.parametrize(("fw", "c"), criteria(CURRENT, binding=True))
def test_legal_test_contradicting_the_rating_is_a_gap(fw: Framework, c: Criterion) -> None:
    assert c.threshold is not None
    # At the threshold, yet "not met".
    data = clean(fw)
    data.findings[c.id] = Finding(c.id, level=c.threshold, legal_test_met=False,
                                  rationale="Reasons.", citations=[CITE])
    ev = evaluate(fw, data)
    assert ev.mandatory_refusal  # the rating reaches the threshold whatever the box says
    assert any("recorded as not met" in g.text for g in ev.gaps_for(c.id))
    # Below the threshold, yet "met".
    data.findings[c.id] = Finding(c.id, level=c.lowest, legal_test_met=True)
    ev = evaluate(fw, data)
    assert any("recorded as met" in g.text for g in ev.gaps_for(c.id))
    assert ev.mandatory_refusal and Outcome.APPROVE not in ev.allowed
    # Rated, but the legal test not answered.
    data.findings[c.id] = Finding(c.id, level=c.lowest, legal_test_met=None)
    ev = evaluate(fw, data)
    assert [g.text for g in ev.gaps_for(c.id)] == [
        f"criterion {c.id} ({c.title}): say whether the legal test is met."]
    assert ev.allowed == REFER_ONLY


def _with_risk_question() -> list[pytest.param]:
    return [p for p in criteria(CURRENT) if any(q.risk_answer for q in p.values[1].questions)]


@pytest.mark.parametrize(("fw", "c"), _with_risk_question())
def test_risk_answers_with_lowest_rating_need_a_reason(fw: Framework, c: Criterion) -> None:
    q = next(q for q in c.questions if q.risk_answer)
    data = clean(fw)
    finding = data.findings[c.id]
    safe = "no" if q.risk_answer == "yes" else "yes"
    finding.answers = {q.id: safe}
    assert evaluate(fw, data).complete
    finding.answers = {q.id: "unknown"}
    assert evaluate(fw, data).complete
    finding.answers = {q.id: q.risk_answer or ""}
    ev = evaluate(fw, data)
    [gap] = ev.gaps_for(c.id)
    assert q.id in gap.text and "point to risk" in gap.text
    assert ev.allowed == REFER_ONLY
    finding.rationale = "The reports concern a unit that will not receive the items."
    assert evaluate(fw, data).complete


# -- mitigation ------------------------------------------------------------------------------


def _mitigated(fw: Framework, c: Criterion, *, named: bool) -> AssessmentData:
    assert c.threshold is not None
    data = clean(fw)
    residual = c.level_ids[c.rank(c.threshold) - 1]
    data.mitigations = [Mitigation("m1", "Post-shipment on-site verification",
                                   "Embassy defence attaché", [c.id])]
    data.findings[c.id] = Finding(c.id, level=c.threshold, residual_level=residual,
                                  legal_test_met=False, rationale="Risk before mitigation.",
                                  citations=[CITE], mitigation_ids=["m1"] if named else [])
    return data


def test_att_residual_below_threshold_with_a_measure_is_not_mandatory() -> None:
    fw = fw_of("att")
    c = fw.criterion("7.1b-ii")
    data = _mitigated(fw, c, named=True)
    assert data.findings["7.1b-ii"].level == "overriding"
    ev = evaluate(fw, data)
    assert not ev.mandatory_refusal and ev.complete
    assert ev.allowed == EVERYTHING
    [judgement] = ev.judgements
    assert judgement.criterion_id == "7.1b-ii" and "below the threshold" in judgement.text
    check_decision(ev, DecisionInput(Outcome.APPROVE_WITH_CONDITIONS, "Mitigated.",
                                     ["On-site verification within 12 months"]))


def test_att_residual_below_threshold_without_a_measure_is_a_gap() -> None:
    fw = fw_of("att")
    ev = evaluate(fw, _mitigated(fw, fw.criterion("7.1b-ii"), named=False))
    assert not ev.mandatory_refusal
    [gap] = ev.gaps_for("7.1b-ii")
    assert "name the measures" in gap.text
    assert ev.allowed == REFER_ONLY


def test_att_named_measure_must_exist() -> None:
    fw = fw_of("att")
    data = _mitigated(fw, fw.criterion("7.1b-ii"), named=True)
    data.findings["7.1b-ii"].mitigation_ids = ["m-unknown"]
    assert any("name the measures" in g.text for g in evaluate(fw, data).gaps_for("7.1b-ii"))


def test_att_measure_needs_a_verifier() -> None:
    fw = fw_of("att")
    data = _mitigated(fw, fw.criterion("7.1b-ii"), named=True)
    data.mitigations[0].verifier = "  "
    ev = evaluate(fw, data)
    assert [g.step for g in ev.gaps] == [MITIGATION_STEP]
    assert "who will verify" in ev.gaps[0].text
    assert ev.allowed == REFER_ONLY
    data.mitigations[0].measure = ""
    assert any("describe the measure" in g.text for g in evaluate(fw, data).gaps)


@pytest.mark.parametrize(("fw", "c"), criteria(CURRENT, binding=True, mitigation=True))
def test_mitigable_binding_criterion_counts_the_residual(fw: Framework, c: Criterion) -> None:
    ev = evaluate(fw, _mitigated(fw, c, named=True))
    assert not ev.mandatory_refusal and ev.complete
    assert Outcome.APPROVE in ev.allowed


@pytest.mark.parametrize(("fw", "c"), criteria(CURRENT, binding=True, mitigation=True))
def test_residual_above_the_level_or_off_scale_is_a_gap(fw: Framework, c: Criterion) -> None:
    data = clean(fw)
    data.findings[c.id] = Finding(c.id, level=c.lowest, residual_level=c.level_ids[-1],
                                  legal_test_met=False)
    ev = evaluate(fw, data)
    assert any("cannot be higher" in g.text for g in ev.gaps_for(c.id))
    assert not ev.mandatory_refusal  # the rating before mitigation counts
    data.findings[c.id].residual_level = "bogus"
    assert any("not a level of its scale" in g.text for g in evaluate(fw, data).gaps_for(c.id))


@pytest.mark.parametrize(("fw", "c"), criteria(CURRENT, binding=True, mitigation=False))
def test_residual_ignored_where_mitigation_is_not_allowed(fw: Framework, c: Criterion) -> None:
    """Golden Rule and every hard stop: a lower residual does not lift the rating."""
    data = _mitigated(fw, c, named=True)
    data.mitigations[0].criteria = []
    data.findings[c.id].legal_test_met = True
    ev = evaluate(fw, data)
    assert ev.mandatory_refusal
    assert ev.required_citations == (c.id,)
    assert any("mitigation may not be weighed" in n for n in ev.notes)
    assert "Mitigation cannot lift it." in ev.grounds[0].text


def test_golden_rule_substantial_stays_mandatory_after_mitigation() -> None:
    fw = fw_of("golden-rule")
    assert not any(c.mitigation for c in fw.criteria)
    data = _mitigated(fw, fw.criterion("ihrl"), named=True)
    data.findings["ihrl"].legal_test_met = True
    assert data.findings["ihrl"].level == "substantial"
    assert data.findings["ihrl"].residual_level == "moderate"
    ev = evaluate(fw, data)
    assert ev.mandatory_refusal and ev.allowed == MANDATORY
    assert ev.required_citations == ("ihrl",)
    assert "Mitigation cannot lift it." in ev.grounds[0].text


def test_mitigation_naming_an_unknown_criterion_is_a_gap() -> None:
    fw = fw_of("golden-rule")
    data = clean(fw)
    data.mitigations = [Mitigation("m1", "Re-export clause", "Customs", ["7.1b-ii"])]
    [gap] = evaluate(fw, data).gaps
    assert gap.step == MITIGATION_STEP and "7.1b-ii" in gap.text


# -- hard-stop checks ------------------------------------------------------------------------


def _linked(fw: Framework, check: str) -> str | None:
    return next((c.id for c in fw.criteria if check in c.checks), None)


@pytest.mark.parametrize("fw", CURRENT, ids=[f.id for f in CURRENT])
def test_applying_check_is_a_mandatory_refusal_citing_the_linked_criterion(
        fw: Framework) -> None:
    linked = _linked(fw, "embargo")
    assert linked is not None, f"{fw.id}: no criterion is met by the embargo check"
    ev = evaluate(fw, AssessmentData(fw.id), [result()])
    assert ev.mandatory_refusal
    assert ev.allowed == MANDATORY
    assert ev.required_citations == (linked,)
    assert ev.steps[CHECKS_STEP] is StepStatus.BLOCKS_APPROVAL
    assert ev.steps[linked] is StepStatus.BLOCKS_APPROVAL
    assert "Hard stop: UN arms embargo on Testland (UNSC res. 9999 (2099))." in ev.explanation()
    for outcome in APPROVALS:
        with pytest.raises(RuleViolation):
            check_decision(ev, DecisionInput(outcome, "Approve.", ["cond"]))
    check_decision(ev, DecisionInput(Outcome.REFUSE, "Embargo.", criteria_cited=[linked]))
    other = next(c.id for c in fw.criteria if c.id != linked)
    problems = decision_problems(ev, DecisionInput(Outcome.REFUSE, "Embargo.",
                                                   criteria_cited=[other]))
    assert any(f"missing: {linked}" in p for p in problems)
    assert any(f"not: {other}" in p for p in problems)


def test_specific_linked_criteria() -> None:
    assert _linked(fw_of("golden-rule"), "embargo") == "prohibitions"
    assert _linked(fw_of("golden-rule"), "sanctions") == "prohibitions"
    assert _linked(fw_of("eu-cp"), "embargo") == "1"
    assert _linked(fw_of("att"), "embargo") == "6.1"


def test_unlinked_check_is_cited_by_its_key() -> None:
    fw = fw_of("golden-rule")
    assert _linked(fw, "denials") is None
    ev = evaluate(fw, clean(fw), [result("denials", key="denials:de-2024-17",
                                         title="Denial by Germany")])
    assert ev.mandatory_refusal
    assert ev.required_citations == ("denials:de-2024-17",)
    check_decision(ev, DecisionInput(Outcome.REFUSE, "Denied elsewhere.",
                                     criteria_cited=["denials:de-2024-17"]))


def test_two_checks_linked_to_one_criterion_need_one_citation() -> None:
    fw = fw_of("golden-rule")
    ev = evaluate(fw, clean(fw), [result(), result("sanctions", key="sanctions:x",
                                                   title="Sanctions match")])
    assert len([g for g in ev.grounds if g.kind == "check"]) == 2
    assert ev.required_citations == ("prohibitions",)


@pytest.mark.parametrize("fw", CURRENT, ids=[f.id for f in CURRENT])
def test_review_check(fw: Framework) -> None:
    review = result(status=CheckStatus.REVIEW, key="embargo:regional",
                    title="UN arms embargo on Testland (Region)")
    data = clean(fw)
    ev = evaluate(fw, data, [review])
    [gap] = ev.gaps
    assert gap.step == CHECKS_STEP and "Say whether" in gap.text
    assert ev.allowed == REFER_ONLY and not ev.mandatory_refusal
    assert ev.steps[CHECKS_STEP] is StepStatus.IN_PROGRESS

    data.reviews["embargo:regional"] = CheckReview(False, "  ")
    ev = evaluate(fw, data, [review])
    [gap] = ev.gaps
    assert "Give the reason" in gap.text and ev.allowed == REFER_ONLY

    data.reviews["embargo:regional"] = CheckReview(False, "Goods stay in the capital.")
    ev = evaluate(fw, data, [review])
    assert ev.complete and not ev.mandatory_refusal
    assert any("does not apply: Goods stay in the capital." in n for n in ev.notes)
    assert Outcome.APPROVE in ev.allowed

    data.reviews["embargo:regional"] = CheckReview(True)
    ev = evaluate(fw, data, [review])
    assert ev.mandatory_refusal and ev.allowed == MANDATORY
    assert "as the officer confirmed" in ev.grounds[0].text
    assert ev.required_citations == (_linked(fw, "embargo"),)


def test_review_of_another_key_does_not_answer() -> None:
    fw = fw_of("golden-rule")
    data = clean(fw)
    data.reviews["embargo:other"] = CheckReview(False, "Not relevant.")
    ev = evaluate(fw, data, [result(status=CheckStatus.REVIEW, key="embargo:regional")])
    assert not ev.complete


@pytest.mark.parametrize("fw", CURRENT, ids=[f.id for f in CURRENT])
def test_unresolved_check_blocks_approval(fw: Framework) -> None:
    ev = evaluate(fw, clean(fw), [result("sanctions", CheckStatus.UNRESOLVED, "sanctions:open",
                                         "Open sanctions matches")])
    assert not ev.mandatory_refusal
    [gap] = ev.gaps
    assert gap.step == CHECKS_STEP and "Resolve Open sanctions matches" in gap.text
    assert ev.allowed == REFER_ONLY


@pytest.mark.parametrize("fw", CURRENT, ids=[f.id for f in CURRENT])
def test_not_available_and_clear_checks_are_notes_only(fw: Framework) -> None:
    checks = [result("sanctions", CheckStatus.NOT_AVAILABLE, "sanctions:none",
                     "Sanctions screening"), result(status=CheckStatus.CLEAR)]
    ev = evaluate(fw, clean(fw), checks)
    assert ev.complete and not ev.mandatory_refusal
    assert ev.notes == ("Sanctions screening: not available (Detail of the test result.).",)
    assert Outcome.APPROVE in ev.allowed
    assert ev.steps[CHECKS_STEP] is StepStatus.COMPLETE


# -- historical frameworks -------------------------------------------------------------------


def _synthetic_historical() -> Framework:
    doc = {"format": 1, "id": "old-policy", "version": "1", "title": "An old policy",
           "source": "Test", "summary": "Withdrawn policy used by the tests.",
           "historical": {"since": "2020-01-01", "note": "Rescinded for the tests."},
           "scales": {"r": [{"id": "no", "label": "No", "description": "None."},
                            {"id": "yes", "label": "Yes", "description": "Some."}]},
           "criteria": [{"id": "c", "title": "Only criterion", "citation": "s. 1",
                         "legal_test": "Refuse if yes.", "effect": "mandatory", "scale": "r",
                         "threshold": "yes", "mitigation": False,
                         "questions": [{"id": "q", "text": "Is it so?"}]}]}
    return parse_framework(Path("old.yaml"), yaml.safe_dump(doc).encode("utf-8"))


@pytest.mark.parametrize("fw", [*HISTORICAL, _synthetic_historical()],
                         ids=[*(f.id for f in HISTORICAL), "synthetic"])
def test_historical_framework_allows_no_decision(fw: Framework) -> None:
    assert fw.is_historical
    for data in (clean(fw), AssessmentData(fw.id)):
        ev = evaluate(fw, data)
        assert ev.historical and ev.allowed == frozenset()
        assert ev.headline.startswith("Historical framework")
        assert any("was withdrawn on" in n for n in ev.notes)
        for outcome in Outcome:
            with pytest.raises(RuleViolation) as info:
                check_decision(ev, DecisionInput(outcome, "Reasons.", ["c"], ["x"]))
            assert "historical" in str(info.value)


def test_us_nsm18_is_historical_in_the_engine() -> None:
    fw = fw_of("us-nsm18")
    ev = evaluate(fw, clean(fw))
    assert ev.allowed == frozenset() and ev.historical
    assert "2025-03-14" in all_text(ev)


# -- decision problems -----------------------------------------------------------------------


def _weighed_case() -> tuple[Framework, Evaluation, str]:
    """A current framework with one weighed criterion rated above the lowest."""
    fw = fw_of("eu-cp")
    data = clean(fw)
    data.findings["7"] = Finding("7", level="significant", rationale="Diversion concerns.",
                                 citations=[CITE])
    return fw, evaluate(fw, data), "7"


def test_approve_with_conditions_needs_a_condition() -> None:
    fw = CURRENT[0]
    ev = evaluate(fw, clean(fw))
    problems = decision_problems(ev, DecisionInput(Outcome.APPROVE_WITH_CONDITIONS,
                                                   "Reasons.", ["  "]))
    assert problems == ["An approval with conditions must list at least one condition."]


def test_plain_approval_with_conditions_listed_is_refused() -> None:
    fw = CURRENT[0]
    ev = evaluate(fw, clean(fw))
    problems = decision_problems(ev, DecisionInput(Outcome.APPROVE, "Reasons.",
                                                   ["End-use check"]))
    assert problems == ["Conditions were listed: record 'approve with conditions' instead."]


@pytest.mark.parametrize("rationale", ["", "   ", "\n\t"])
def test_rationale_required(rationale: str) -> None:
    fw = CURRENT[0]
    ev = evaluate(fw, clean(fw))
    for outcome in (Outcome.APPROVE, Outcome.REFER):
        assert decision_problems(ev, DecisionInput(outcome, rationale)) == [
            "Write the reasons for the decision."]


def test_refusal_must_cite() -> None:
    _fw, ev, cid = _weighed_case()
    assert ev.allowed == EVERYTHING and ev.refusable == (cid,)
    problems = decision_problems(ev, DecisionInput(Outcome.REFUSE, "Refused.", [], [" "]))
    assert problems == ["A refusal must cite the criteria it rests on."]
    assert decision_problems(ev, DecisionInput(Outcome.REFUSE, "Refused.", [], [cid])) == []


def test_refusal_cannot_cite_a_criterion_at_the_lowest_level() -> None:
    _fw, ev, cid = _weighed_case()
    problems = decision_problems(ev, DecisionInput(Outcome.REFUSE, "Refused.", [],
                                                   [cid, "8"]))
    assert len(problems) == 1 and "not: 8" in problems[0]


def test_refusal_must_cite_every_required_ground() -> None:
    fw = fw_of("golden-rule")
    data = clean(fw)
    for cid in ("ihrl", "ihl"):
        data.findings[cid] = Finding(cid, level="substantial", legal_test_met=True,
                                     rationale="Reasons.", citations=[CITE])
    ev = evaluate(fw, data, [result()])
    assert ev.required_citations == ("prohibitions", "ihrl", "ihl")
    problems = decision_problems(ev, DecisionInput(Outcome.REFUSE, "Refused.", [], ["ihrl"]))
    assert problems == ["A refusal must cite every ground that made it mandatory; "
                        "missing: prohibitions, ihl."]
    assert decision_problems(ev, DecisionInput(
        Outcome.REFUSE, "Refused.", [], ["ihl", "prohibitions", "ihrl", "ihl"])) == []


def test_refusal_with_nothing_to_refuse_on() -> None:
    fw = CURRENT[0]
    ev = evaluate(fw, clean(fw))
    assert Outcome.REFUSE not in ev.allowed
    problems = decision_problems(ev, DecisionInput(Outcome.REFUSE, "Refused.", [], ["x"]))
    assert "A refusal must rest on a hard stop" in problems[0]
    assert any("not: x" in p for p in problems)


def test_rule_violation_lists_every_problem() -> None:
    fw = fw_of("golden-rule")
    data = clean(fw)
    data.findings["ihl"] = Finding("ihl", level="substantial", legal_test_met=True,
                                   rationale="Reasons.", citations=[CITE])
    ev = evaluate(fw, data)
    with pytest.raises(RuleViolation) as info:
        check_decision(ev, DecisionInput(Outcome.APPROVE, "", ["cond"]))
    rules = info.value.rules
    assert rules[0] == "Approval is forbidden: refusal is mandatory."
    assert "Write the reasons for the decision." in rules
    assert any("Conditions were listed" in r for r in rules)
    assert str(info.value) == "\n".join(rules)


@pytest.mark.parametrize("fw", [f for f in CURRENT if any(c.checks for c in f.criteria)],
                         ids=lambda f: f.id)
def test_a_hard_stop_meets_its_criterion_without_a_rating(fw: Framework) -> None:
    """An embargo that applies meets the linked criterion: no rating is asked of it."""
    linked = next(c for c in fw.criteria if "embargo" in c.checks)
    data = clean(fw)
    del data.findings[linked.id]
    hit = CheckResult("embargo", "embargo:test", CheckStatus.APPLIES, "Test embargo")
    ev = evaluate(fw, data, [hit])
    assert ev.mandatory_refusal and not ev.gaps_for(linked.id)
    assert ev.steps[linked.id] is StepStatus.BLOCKS_APPROVAL
    assert linked.id in ev.required_citations


@pytest.mark.parametrize("fw", CURRENT, ids=lambda f: f.id)
def test_a_measure_against_a_criterion_without_mitigation_is_noted_not_blocking(
        fw: Framework) -> None:
    c = next((c for c in fw.criteria if not c.mitigation), None)
    if c is None:
        pytest.skip("every criterion allows mitigation")
    data = clean(fw)
    data.mitigations = [Mitigation("M1", "End-use monitoring visit", "Embassy", [c.id])]
    ev = evaluate(fw, data, [])
    assert not ev.gaps and ev.allowed >= APPROVALS
    assert any("End-use monitoring visit" in n and f"criterion {c.id}," in n for n in ev.notes)
