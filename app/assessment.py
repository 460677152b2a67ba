"""The rules engine: turns a framework, the officer's findings and the hard-stop results into
the outcomes the rules allow and an explanation a person can read.

No Qt and no database here: the window, the CLI and the decision record all call the same
``evaluate`` and ``check_decision``, so a rule cannot be bent in one place and kept in
another. The engine never approves by itself; it only says what the officer may record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.errors import InputError
from app.frameworks import Criterion, Framework
from app.hardstops import CheckResult, CheckStatus
from app.i18n import N_, _

CHECKS_STEP = "checks"
MITIGATION_STEP = "mitigation"
ANSWERS = ("yes", "no", "unknown")


class Outcome(StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve-with-conditions"
    REFUSE = "refuse"
    REFER = "refer"

    @property
    def label(self) -> str:
        return _(OUTCOME_LABELS[self])

    @property
    def is_approval(self) -> bool:
        return self in (Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS)


OUTCOME_LABELS = {
    Outcome.APPROVE: N_("Approve"),
    Outcome.APPROVE_WITH_CONDITIONS: N_("Approve with conditions"),
    Outcome.REFUSE: N_("Refuse"),
    Outcome.REFER: N_("Refer to a supervisor"),
}


class StepStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    BLOCKS_APPROVAL = "blocks_approval"

    @property
    def label(self) -> str:
        return _(STEP_LABELS[self])


STEP_LABELS = {
    StepStatus.NOT_STARTED: N_("Not started"),
    StepStatus.IN_PROGRESS: N_("In progress"),
    StepStatus.COMPLETE: N_("Complete"),
    StepStatus.BLOCKS_APPROVAL: N_("Blocks approval"),
}


# --- the officer's findings ------------------------------------------------------------

@dataclass
class Citation:
    """Evidence relied on. Until the evidence base exists, a hand-typed document reference."""

    reference: str
    evidence_id: int | None = None
    content_sha256: str = ""
    grade: str = ""
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"reference": self.reference}
        for key in ("evidence_id", "content_sha256", "grade", "note"):
            if getattr(self, key):
                doc[key] = getattr(self, key)
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Citation:
        return cls(str(doc.get("reference", "")), doc.get("evidence_id"),
                   str(doc.get("content_sha256", "")), str(doc.get("grade", "")),
                   str(doc.get("note", "")))


@dataclass
class Finding:
    criterion_id: str
    level: str | None = None
    residual_level: str | None = None
    legal_test_met: bool | None = None
    rationale: str = ""
    citations: list[Citation] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    answer_notes: dict[str, str] = field(default_factory=dict)
    mitigation_ids: list[str] = field(default_factory=list)

    @property
    def touched(self) -> bool:
        return bool(self.level or self.rationale.strip() or self.citations or self.answers
                    or self.legal_test_met is not None)

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "residual_level": self.residual_level,
                "legal_test_met": self.legal_test_met, "rationale": self.rationale,
                "citations": [c.to_json() for c in self.citations],
                "answers": dict(self.answers), "answer_notes": dict(self.answer_notes),
                "mitigation_ids": list(self.mitigation_ids)}

    @classmethod
    def from_json(cls, criterion_id: str, doc: dict[str, Any]) -> Finding:
        return cls(criterion_id, doc.get("level"), doc.get("residual_level"),
                   doc.get("legal_test_met"), str(doc.get("rationale") or ""),
                   [Citation.from_json(c) for c in doc.get("citations") or []],
                   {str(k): str(v) for k, v in (doc.get("answers") or {}).items()},
                   {str(k): str(v) for k, v in (doc.get("answer_notes") or {}).items()},
                   [str(m) for m in doc.get("mitigation_ids") or []])


@dataclass
class Mitigation:
    id: str
    measure: str
    verifier: str
    criteria: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "measure": self.measure, "verifier": self.verifier,
                "criteria": list(self.criteria)}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Mitigation:
        return cls(str(doc.get("id", "")), str(doc.get("measure", "")),
                   str(doc.get("verifier", "")), [str(c) for c in doc.get("criteria") or []])


@dataclass
class CheckReview:
    """The officer's answer to a check that needs review: does it apply, and why not."""

    applies: bool
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"applies": self.applies, "reason": self.reason}


@dataclass
class AssessmentData:
    framework_id: str
    findings: dict[str, Finding] = field(default_factory=dict)
    mitigations: list[Mitigation] = field(default_factory=list)
    reviews: dict[str, CheckReview] = field(default_factory=dict)
    current_step: str = CHECKS_STEP

    def finding(self, criterion_id: str) -> Finding:
        if criterion_id not in self.findings:
            self.findings[criterion_id] = Finding(criterion_id)
        return self.findings[criterion_id]

    def to_json(self) -> dict[str, Any]:
        return {"framework": self.framework_id,
                "findings": {cid: f.to_json() for cid, f in sorted(self.findings.items())},
                "mitigations": [m.to_json() for m in self.mitigations],
                "check_reviews": {k: r.to_json() for k, r in sorted(self.reviews.items())},
                "current_step": self.current_step}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> AssessmentData:
        return cls(str(doc.get("framework", "")),
                   {str(cid): Finding.from_json(str(cid), f)
                    for cid, f in (doc.get("findings") or {}).items()},
                   [Mitigation.from_json(m) for m in doc.get("mitigations") or []],
                   {str(k): CheckReview(bool(r.get("applies")), str(r.get("reason") or ""))
                    for k, r in (doc.get("check_reviews") or {}).items()},
                   str(doc.get("current_step") or CHECKS_STEP))


# --- the engine's answer ---------------------------------------------------------------

@dataclass(frozen=True)
class Ground:
    """Something that makes refusal mandatory. ``cite_as`` is what a refusal must cite."""

    kind: str  # "check" or "criterion"
    id: str
    cite_as: str
    text: str


@dataclass(frozen=True)
class Gap:
    step: str
    text: str


@dataclass(frozen=True)
class Judgement:
    criterion_id: str
    text: str


@dataclass(frozen=True)
class Evaluation:
    framework_id: str
    framework_version: str
    mandatory_refusal: bool
    grounds: tuple[Ground, ...]
    gaps: tuple[Gap, ...]
    judgements: tuple[Judgement, ...]
    notes: tuple[str, ...]
    allowed: frozenset[Outcome]
    steps: dict[str, StepStatus]
    refusable: tuple[str, ...]
    required_citations: tuple[str, ...]
    historical: bool = False
    #: Earlier denials of an essentially identical transaction still awaiting a recorded
    #: consultation: each bars approval, not refusal or referral.
    consult: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.gaps

    def gaps_for(self, step: str) -> list[Gap]:
        return [g for g in self.gaps if g.step == step]

    @property
    def headline(self) -> str:
        if self.historical:
            return _("Historical framework: for reference only; no decision can be recorded.")
        if self.mandatory_refusal:
            return _("Refusal is mandatory.")
        if self.gaps:
            return _("The assessment is incomplete: it cannot be finalised yet.")
        return _("No rule makes refusal mandatory: the decision is the officer's judgement.")

    def explanation(self) -> list[str]:
        lines = [self.headline]
        lines += [g.text for g in self.grounds]
        if self.judgements:
            lines.append(_("For the officer's judgement:"))
            lines += ["  " + j.text for j in self.judgements]
        if self.gaps:
            lines.append(_("Still incomplete:"))
            lines += ["  " + g.text for g in self.gaps]
        lines += self.consult
        lines += self.notes
        allowed = [o.label for o in Outcome if o in self.allowed]
        lines.append(_("Outcomes the rules allow: {list}.").format(
            list=", ".join(allowed) if allowed else _("none")))
        return lines

    def to_json(self) -> dict[str, Any]:
        return {"framework": self.framework_id, "framework_version": self.framework_version,
                "mandatory_refusal": self.mandatory_refusal, "complete": self.complete,
                "headline": self.headline,
                "grounds": [{"kind": g.kind, "id": g.id, "cite_as": g.cite_as, "text": g.text}
                            for g in self.grounds],
                "judgements": [{"criterion": j.criterion_id, "text": j.text}
                               for j in self.judgements],
                "gaps": [{"step": g.step, "text": g.text} for g in self.gaps],
                "notes": list(self.notes),
                "allowed": [o.value for o in Outcome if o in self.allowed],
                "refusable": list(self.refusable),
                "required_citations": list(self.required_citations),
                "steps": {k: v.value for k, v in self.steps.items()},
                "consult": list(self.consult),
                "explanation": self.explanation()}


def _label(c: Criterion, level: str | None) -> str:
    lv = c.level(level)
    return lv.label if lv else (level or "")


def _criterion_name(c: Criterion) -> str:
    return _("criterion {id} ({title})").format(id=c.id, title=c.title)


def _evaluate_checks(framework: Framework, data: AssessmentData, checks: Sequence[CheckResult],
                     grounds: list[Ground], gaps: list[Gap], notes: list[str],
                     consult: list[CheckResult]) -> set[str]:
    """Hard-stop results first: they decide before any criterion is weighed."""
    applied: set[str] = set()
    linked = {name: c.id for c in framework.criteria for name in c.checks}

    def ground(r: CheckResult, how: str) -> None:
        applied.add(r.check)
        basis = f" ({r.basis})" if r.basis else ""
        grounds.append(Ground("check", r.key, linked.get(r.check, r.key),
                              _("Hard stop: {title}{basis}{how}.").format(
                                  title=r.title, basis=basis, how=how)))

    for r in checks:
        review = data.reviews.get(r.key)
        if r.status is CheckStatus.APPLIES:
            ground(r, "")
        elif r.status is CheckStatus.REVIEW:
            if review is None:
                gaps.append(Gap(CHECKS_STEP, _("Say whether {title} applies to this "
                                               "application.").format(title=r.title)))
            elif review.applies:
                ground(r, _(", as the officer confirmed"))
            elif not review.reason.strip():
                gaps.append(Gap(CHECKS_STEP, _("Give the reason {title} does not apply.").format(
                    title=r.title)))
            else:
                notes.append(_("The officer found that {title} does not apply: {reason}").format(
                    title=r.title, reason=review.reason.strip()))
        elif r.status is CheckStatus.UNRESOLVED:
            gaps.append(Gap(CHECKS_STEP, _("Resolve {title} before the case can be "
                                           "finalised.").format(title=r.title)))
        elif r.status is CheckStatus.CONSULT:
            consult.append(r)
        elif r.status is CheckStatus.NOT_AVAILABLE:
            notes.append(_("{title}: not available ({detail}).").format(
                title=r.title, detail=r.detail or _("no data")))
    return applied


def evaluate(framework: Framework, data: AssessmentData,
             checks: Sequence[CheckResult] = ()) -> Evaluation:
    grounds: list[Ground] = []
    gaps: list[Gap] = []
    judgements: list[Judgement] = []
    notes: list[str] = []
    steps: dict[str, StepStatus] = {}
    refusable: list[str] = []

    consult: list[CheckResult] = []
    applied_checks = _evaluate_checks(framework, data, checks, grounds, gaps, notes, consult)
    check_grounds = [g for g in grounds if g.kind == "check"]
    refusable += [g.cite_as for g in check_grounds]
    if check_grounds:
        steps[CHECKS_STEP] = StepStatus.BLOCKS_APPROVAL
    elif any(g.step == CHECKS_STEP for g in gaps):
        steps[CHECKS_STEP] = StepStatus.IN_PROGRESS
    elif consult:
        steps[CHECKS_STEP] = StepStatus.BLOCKS_APPROVAL
    else:
        steps[CHECKS_STEP] = StepStatus.COMPLETE

    mitigations = {m.id: m for m in data.mitigations}
    for c in framework.criteria:
        f = data.findings.get(c.id) or Finding(c.id)
        own: list[Gap] = []
        name = _criterion_name(c)
        met_by_check = any(name_ in applied_checks for name_ in c.checks)
        if f.level is None and not met_by_check:
            own.append(Gap(c.id, _("Rate {name}.").format(name=name)))
        elif f.level is not None and c.rank(f.level) < 0:
            own.append(Gap(c.id, _("{name}: '{level}' is not a level of its scale ({levels}).")
                           .format(name=name, level=f.level, levels=", ".join(c.level_ids))))
        rank = c.rank(f.level)
        if rank > 0:
            if not f.rationale.strip():
                own.append(Gap(c.id, _("{name} is rated above the lowest level: write the "
                                       "rationale.").format(name=name)))
            if not [x for x in f.citations if x.reference.strip() or x.evidence_id]:
                own.append(Gap(c.id, _("{name} is rated above the lowest level: cite at least "
                                       "one evidence item.").format(name=name)))
        risky = [q.id for q in c.questions
                 if q.risk_answer and f.answers.get(q.id) == q.risk_answer]
        if rank == 0 and risky and not f.rationale.strip():
            own.append(Gap(c.id, _("{name}: the answers to {questions} point to risk, yet the "
                                   "rating is the lowest. Explain why in the rationale.").format(
                                       name=name, questions=", ".join(risky))))

        effective = f.level
        if c.mitigation and f.residual_level is not None and rank >= 0:
            residual_rank = c.rank(f.residual_level)
            if residual_rank < 0:
                own.append(Gap(c.id, _("{name}: the rating after mitigation is not a level of "
                                       "its scale.").format(name=name)))
            elif residual_rank > rank:
                own.append(Gap(c.id, _("{name}: the rating after mitigation cannot be higher "
                                       "than the rating before it.").format(name=name)))
            else:
                effective = f.residual_level
                if residual_rank < rank:
                    used = [mitigations[m] for m in f.mitigation_ids if m in mitigations]
                    if not used:
                        own.append(Gap(c.id, _("{name}: the rating is lowered by mitigation: "
                                               "name the measures relied on.").format(name=name)))
        elif not c.mitigation and f.residual_level not in (None, f.level):
            notes.append(_("{name}: mitigation may not be weighed under this criterion; the "
                           "rating before mitigation counts.").format(name=name))

        met_by_rating = c.is_binding and c.reaches_threshold(effective)
        met = c.is_binding and (met_by_check or met_by_rating or f.legal_test_met is True)
        if c.is_binding and f.level is not None and rank >= 0 and not met_by_check:
            if f.legal_test_met is None:
                own.append(Gap(c.id, _("{name}: say whether the legal test is met.").format(
                    name=name)))
            elif f.legal_test_met is False and met_by_rating:
                own.append(Gap(c.id, _("{name}: the rating '{level}' reaches the threshold "
                                       "({term}), but the legal test is recorded as not met.")
                               .format(name=name, level=_label(c, effective),
                                       term=c.threshold_term or _label(c, c.threshold))))
            elif f.legal_test_met is True and not met_by_rating:
                own.append(Gap(c.id, _("{name}: the legal test is recorded as met, but the "
                                       "rating '{level}' is below the threshold ({term}).")
                               .format(name=name, level=_label(c, effective),
                                       term=c.threshold_term or _label(c, c.threshold))))
        if met:
            if met_by_check:
                why = _("met by the hard-stop check")
            elif met_by_rating:
                why = _("rated '{level}', which reaches the threshold ({term})").format(
                    level=_label(c, effective), term=c.threshold_term or _label(c, c.threshold))
            else:
                why = _("the officer found the legal test met")
            tail = (_(" Mitigation cannot lift it.") if not c.mitigation
                    else _(" This is the rating after mitigation."))
            grounds.append(Ground("criterion", c.id, c.id, _(
                "{Name} is met ({citation}): {why}.{tail}").format(
                    Name=name[:1].upper() + name[1:], citation=c.citation, why=why, tail=tail)))
            if c.id not in refusable:
                refusable.append(c.id)
        elif c.rank(effective) > 0:
            if c.effect == "weighed":
                strong = c.threshold is not None and c.reaches_threshold(effective)
                text = (_("{name} rated '{level}': weighs strongly against the transfer.")
                        if strong else _("{name} rated '{level}': to be weighed."))
            else:
                text = _("{name} rated '{level}': below the threshold ({term}); weigh it.")
            judgements.append(Judgement(c.id, text.format(
                name=name[:1].upper() + name[1:], level=_label(c, effective),
                term=c.threshold_term or _label(c, c.threshold))))
            refusable.append(c.id)
        gaps += own
        if met:
            steps[c.id] = StepStatus.BLOCKS_APPROVAL
        elif own and (f.touched or f.level is not None):
            steps[c.id] = StepStatus.IN_PROGRESS
        elif own:
            steps[c.id] = StepStatus.NOT_STARTED
        else:
            steps[c.id] = StepStatus.COMPLETE

    mit_gaps: list[Gap] = []
    for index, m in enumerate(data.mitigations, start=1):
        label = m.measure.strip()[:40] or _("measure {n}").format(n=index)
        if not m.measure.strip():
            mit_gaps.append(Gap(MITIGATION_STEP, _("Mitigation {n}: describe the measure.")
                                .format(n=index)))
        if not m.verifier.strip():
            mit_gaps.append(Gap(MITIGATION_STEP, _("Mitigation '{m}': say who will verify it.")
                                .format(m=label)))
        for cid in m.criteria:
            try:
                crit = framework.criterion(cid)
            except KeyError:
                mit_gaps.append(Gap(MITIGATION_STEP, _("Mitigation '{m}' names criterion {id}, "
                                                       "which this framework does not have.")
                                    .format(m=label, id=cid)))
                continue
            if not crit.mitigation:
                # Recorded (it may become a licence condition) but never lowers a rating.
                notes.append(_(
                    "Mitigation '{m}' is recorded against criterion {id}, where mitigation may "
                    "not be weighed: it does not lower that criterion's rating.").format(
                        m=label, id=cid))
    gaps += mit_gaps
    steps[MITIGATION_STEP] = (StepStatus.IN_PROGRESS if mit_gaps else
                              StepStatus.COMPLETE if data.mitigations else StepStatus.NOT_STARTED)

    mandatory = bool(grounds)
    if framework.is_historical:
        allowed: frozenset[Outcome] = frozenset()
        notes.append(_("{title} was withdrawn on {date}: {note}").format(
            title=framework.title, date=framework.historical_since.isoformat()
            if framework.historical_since else "", note=framework.historical_note))
    elif mandatory:
        allowed = frozenset({Outcome.REFUSE, Outcome.REFER})
    elif gaps:
        allowed = frozenset({Outcome.REFER})
    else:
        allowed = frozenset({Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS, Outcome.REFER}
                            | ({Outcome.REFUSE} if refusable else set()))
    approvals = frozenset({Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS})
    if consult and allowed & approvals:
        allowed = allowed - approvals
    consult_texts = tuple(_("Record the consultation before approving: {title}.").format(
        title=r.title) for r in consult)
    required = tuple(dict.fromkeys(g.cite_as for g in grounds))
    return Evaluation(framework.id, framework.version, mandatory, tuple(grounds), tuple(gaps),
                      tuple(judgements), tuple(notes), allowed, steps,
                      tuple(dict.fromkeys(refusable)), required, framework.is_historical,
                      consult_texts)


# --- recording an outcome -------------------------------------------------------------

@dataclass
class DecisionInput:
    outcome: Outcome
    rationale: str
    conditions: list[str] = field(default_factory=list)
    criteria_cited: list[str] = field(default_factory=list)


class RuleViolation(InputError):
    """The rules forbid the decision; ``rules`` says which, in words an officer can act on."""

    def __init__(self, rules: list[str]) -> None:
        self.rules = rules
        super().__init__("\n".join(rules))


def decision_problems(evaluation: Evaluation, decision: DecisionInput) -> list[str]:
    problems: list[str] = []
    outcome = decision.outcome
    if evaluation.historical:
        return [_("The framework is historical: record decisions under a framework in force.")]
    if outcome not in evaluation.allowed:
        if outcome.is_approval and evaluation.mandatory_refusal:
            problems.append(_("Approval is forbidden: refusal is mandatory."))
            problems += ["  " + g.text for g in evaluation.grounds]
        elif evaluation.gaps:
            problems.append(_("{outcome} is not possible: the assessment is incomplete.").format(
                outcome=outcome.label))
            problems += ["  " + g.text for g in evaluation.gaps]
        elif outcome.is_approval and evaluation.consult:
            problems.append(_("Approval is not possible until the consultation is recorded:"))
            problems += ["  " + c for c in evaluation.consult]
        elif outcome is Outcome.REFUSE:
            problems.append(_("A refusal must rest on a hard stop or on a criterion rated above "
                              "the lowest level; none is."))
        else:
            problems.append(_("{outcome} is not allowed here.").format(outcome=outcome.label))
    if not decision.rationale.strip():
        problems.append(_("Write the reasons for the decision."))
    conditions = [c for c in decision.conditions if c.strip()]
    if outcome is Outcome.APPROVE_WITH_CONDITIONS and not conditions:
        problems.append(_("An approval with conditions must list at least one condition."))
    if outcome is Outcome.APPROVE and conditions:
        problems.append(_("Conditions were listed: record 'approve with conditions' instead."))
    if outcome is Outcome.REFUSE:
        cited = list(dict.fromkeys(c.strip() for c in decision.criteria_cited if c.strip()))
        if not cited:
            problems.append(_("A refusal must cite the criteria it rests on."))
        unknown = [c for c in cited if c not in evaluation.refusable]
        if unknown:
            problems.append(_("A refusal can only cite hard stops that apply and criteria rated "
                              "above the lowest level; not: {ids}.").format(ids=", ".join(unknown)))
        missing = [c for c in evaluation.required_citations if c not in cited]
        if missing:
            problems.append(_("A refusal must cite every ground that made it mandatory; "
                              "missing: {ids}.").format(ids=", ".join(missing)))
    return problems


def check_decision(evaluation: Evaluation, decision: DecisionInput) -> None:
    problems = decision_problems(evaluation, decision)
    if problems:
        raise RuleViolation(problems)
