"""Property tests of the rules engine, for every shipped framework: whatever the findings and
the hard-stop results, a binding ground always forbids approval, approval needs a complete
assessment, and everything the engine returns serialises."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.assessment import (
    ANSWERS,
    AssessmentData,
    CheckReview,
    Citation,
    DecisionInput,
    Finding,
    Mitigation,
    Outcome,
    RuleViolation,
    check_decision,
    evaluate,
)
from app.frameworks import Criterion, Framework, catalogue
from app.hardstops import CheckResult, CheckStatus

FRAMEWORKS: list[Framework] = [fw for fw in catalogue(reload=True).frameworks if fw.shipped]
IDS = [fw.id for fw in FRAMEWORKS]

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
RATIONALE = st.sampled_from(["", "  ", "\n", "Reasons given with care."]) | TEXT
MITIGATION_IDS = ("m1", "m2", "m3")
CHECK_NAMES = ("embargo", "sanctions", "denials", "other")


@st.composite
def citations(draw: st.DrawFn) -> Citation:
    return Citation(
        reference=draw(st.sampled_from(["", "  ", "UN doc S/2025/1, para 4"]) | TEXT),
        evidence_id=draw(st.none() | st.integers(1, 10**6)),
        content_sha256=draw(st.sampled_from(["", "ab" * 32])),
        grade=draw(st.sampled_from(["", "B2", "F6"])),
        note=draw(st.sampled_from(["", "p. 12"]) | TEXT),
    )


def findings_for(c: Criterion, mitigation_ids: list[str]) -> st.SearchStrategy[Finding]:
    levels = st.sampled_from([None, *c.level_ids, "off-scale"])
    qids = [q.id for q in c.questions]
    return st.builds(
        Finding, st.just(c.id), level=levels, residual_level=levels,
        legal_test_met=st.none() | st.booleans(), rationale=RATIONALE,
        citations=st.lists(citations(), max_size=2),
        answers=st.dictionaries(st.sampled_from(qids), st.sampled_from(ANSWERS), max_size=4),
        answer_notes=st.dictionaries(st.sampled_from(qids), TEXT, max_size=2),
        mitigation_ids=st.lists(st.sampled_from([*mitigation_ids, "m-unknown"]), unique=True,
                                max_size=2),
    )


@st.composite
def assessments(draw: st.DrawFn, fw: Framework,
                check_keys: list[str] | None = None) -> AssessmentData:
    ids = draw(st.lists(st.sampled_from(MITIGATION_IDS), unique=True, max_size=3))
    mitigations = [Mitigation(mid, draw(st.sampled_from(["", "End-use monitoring"]) | TEXT),
                              draw(st.sampled_from(["", "Defence attaché"]) | TEXT),
                              draw(st.lists(st.sampled_from([*fw.criterion_ids, "zz"]),
                                            unique=True, max_size=2)))
                   for mid in ids]
    findings = {}
    # Half the time one criterion is arbitrary and the others clean, so that the odd one
    # decides the outcome; otherwise every criterion is arbitrary, clean or absent.
    odd = draw(st.none() | st.sampled_from(fw.criterion_ids))
    for c in fw.criteria:
        kind = draw(st.integers(0, 3)) if odd is None else 2 if c.id == odd else 1
        if kind == 1:
            findings[c.id] = Finding(c.id, c.lowest,
                                     legal_test_met=False if c.is_binding else None)
        elif kind > 1:
            findings[c.id] = draw(findings_for(c, ids))
    keys = [*(check_keys or []), "stale-key"]
    reviews = draw(st.dictionaries(st.sampled_from(keys),
                                   st.builds(CheckReview, st.booleans(), RATIONALE),
                                   max_size=len(keys)))
    step = draw(st.sampled_from(["checks", "mitigation", "incidents", "summary",
                                 *fw.criterion_ids]))
    return AssessmentData(fw.id, findings, mitigations, reviews, step)


@st.composite
def check_results(draw: st.DrawFn) -> list[CheckResult]:
    n = draw(st.integers(0, 4))
    return [CheckResult(draw(st.sampled_from(CHECK_NAMES)), f"check:{i}",
                        draw(st.sampled_from(list(CheckStatus))), f"Check number {i}",
                        draw(st.sampled_from(["", "detail"])), draw(st.sampled_from(["", "b"])))
            for i in range(n)]


@st.composite
def cases(draw: st.DrawFn, fw: Framework) -> tuple[AssessmentData, list[CheckResult]]:
    checks = draw(check_results())
    data = draw(assessments(fw, [r.key for r in checks]))
    return data, checks


def decisions(outcome: Outcome) -> st.SearchStrategy[DecisionInput]:
    return st.builds(DecisionInput, st.just(outcome), RATIONALE,
                     st.lists(st.sampled_from(["", "End-use visit"]) | TEXT, max_size=2),
                     st.lists(TEXT, max_size=2))


# -- the oracle: the rules written out independently of the engine ---------------------------


def _rank(c: Criterion, level: str | None) -> int:
    return c.level_ids.index(level) if level in c.level_ids else -1


def effective(c: Criterion, f: Finding) -> str | None:
    """Residual where the criterion allows mitigation and the residual is a valid level not
    above the (valid) rating; otherwise the rating before mitigation."""
    if (c.mitigation and _rank(c, f.level) >= 0 and _rank(c, f.residual_level) >= 0
            and _rank(c, f.residual_level) <= _rank(c, f.level)):
        return f.residual_level
    return f.level


def binding_ground(fw: Framework, data: AssessmentData, checks: list[CheckResult]) -> bool:
    for r in checks:
        if r.status is CheckStatus.APPLIES:
            return True
        review = data.reviews.get(r.key)
        if r.status is CheckStatus.REVIEW and review is not None and review.applies:
            return True
    for c in fw.criteria:
        f = data.findings.get(c.id)
        if f is None or c.effect not in ("hard_stop", "mandatory"):
            continue
        if f.legal_test_met is True:
            return True
        assert c.threshold is not None
        if _rank(c, effective(c, f)) >= _rank(c, c.threshold) >= 0:
            return True
    return False


# -- properties ------------------------------------------------------------------------------


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
@given(data=st.data())
def test_binding_ground_forbids_approval(fw: Framework, data: st.DataObject) -> None:
    """PROPERTY 1: a hard stop, a confirmed review, a binding criterion at its threshold
    (after mitigation only where allowed) or a met legal test forbids approval."""
    assessment, checks = data.draw(cases(fw))
    ev = evaluate(fw, assessment, checks)
    expected = binding_ground(fw, assessment, checks)
    assert ev.mandatory_refusal == expected
    if not expected:
        return
    assert ev.grounds
    assert not (ev.allowed & {Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS})
    assert set(ev.required_citations) <= set(ev.refusable)
    for outcome in (Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS):
        with pytest.raises(RuleViolation):
            check_decision(ev, data.draw(decisions(outcome)))
    if not fw.is_historical:
        assert ev.allowed >= {Outcome.REFUSE, Outcome.REFER}
        check_decision(ev, DecisionInput(Outcome.REFUSE, "Refusal is mandatory.",
                                         criteria_cited=list(ev.required_citations)))


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
@given(data=st.data())
def test_approval_needs_no_gaps_and_no_grounds(fw: Framework, data: st.DataObject) -> None:
    """PROPERTY 2: approval is allowed exactly when nothing is missing and nothing binds."""
    assessment, checks = data.draw(cases(fw))
    ev = evaluate(fw, assessment, checks)
    if Outcome.APPROVE in ev.allowed or Outcome.APPROVE_WITH_CONDITIONS in ev.allowed:
        assert not ev.gaps and not ev.grounds and not ev.historical
        check_decision(ev, DecisionInput(Outcome.APPROVE, "Reasons."))
        check_decision(ev, DecisionInput(Outcome.APPROVE_WITH_CONDITIONS, "Reasons.",
                                         ["End-use visit"]))
    elif not fw.is_historical:
        assert ev.gaps or ev.grounds
    if fw.is_historical:
        assert ev.allowed == frozenset()
    else:
        assert Outcome.REFER in ev.allowed
        assert (Outcome.APPROVE in ev.allowed) == (not ev.gaps and not ev.grounds)
    assert ev.complete == (not ev.gaps)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
@given(data=st.data())
def test_explanation_and_json(fw: Framework, data: st.DataObject) -> None:
    """PROPERTY 3: a non-empty explanation, and JSON that survives a round trip."""
    assessment, checks = data.draw(cases(fw))
    before = copy.deepcopy(assessment)
    ev = evaluate(fw, assessment, checks)
    lines = ev.explanation()
    assert lines and all(isinstance(line, str) and line for line in lines)
    assert lines[0] == ev.headline
    doc = ev.to_json()
    text = json.dumps(doc, ensure_ascii=False)
    assert json.loads(text) == doc
    assert doc["explanation"] == lines
    assert doc["allowed"] == [o.value for o in Outcome if o in ev.allowed]
    assert doc["mandatory_refusal"] is ev.mandatory_refusal
    assert assessment == before  # evaluating never changes the findings
    assert evaluate(fw, assessment, checks) == ev  # and is deterministic


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
@given(data=st.data())
def test_assessment_data_round_trips(fw: Framework, data: st.DataObject) -> None:
    """PROPERTY 4: AssessmentData survives to_json, JSON text and from_json unchanged."""
    assessment = data.draw(assessments(fw, ["embargo:un-dprk"]))
    doc: dict[str, Any] = json.loads(json.dumps(assessment.to_json()))
    again = AssessmentData.from_json(doc)
    assert again == assessment
    assert again.to_json() == assessment.to_json()
