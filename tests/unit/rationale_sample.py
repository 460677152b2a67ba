"""A rich, synthetic rationale input for renderer tests and the benchmark."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from reports.rationale_model import (
    AnswerView,
    AuditEventView,
    CheckView,
    CitedEvidence,
    CriterionView,
    GoodsView,
    PartyView,
    RationaleInput,
    SignatureView,
)

SIGNED_AT = datetime(2026, 11, 26, 14, 5, 12, tzinfo=UTC)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def sample_evidence(n: int) -> list[CitedEvidence]:
    kinds = ["UN document", "NGO report", "Media report", "Government statement"]
    return [CitedEvidence(
        reference=f"EV-{i + 1:06d}",
        title=(f"Report {i + 1}: security forces' use of small arms against protesters in "
               f"the northern provinces, {2020 + i % 6}"),
        grade="AB"[i % 2] + "123"[i % 3],
        content_sha256=_sha(f"evidence {i}"),
        publisher=["UN OHCHR", "Amnesty International", "Reuters", "Ministry of Defence"][i % 4],
        source_kind=kinds[i % 4],
        published_on=f"{2020 + i % 6}-{1 + i % 12:02d}-15",
        note="Pattern of unlawful force by the end user's units." if i % 3 == 0 else "",
        criteria=("ihrl",) if i % 2 else ("ihrl", "ihl"),
        has_original=i % 5 == 0,
    ) for i in range(n)]


def sample_input(n_evidence: int = 12, *, outcome: str = "refuse",
                 countersignatures_required: int = 1) -> RationaleInput:
    evidence = sample_evidence(n_evidence)
    ihrl = tuple(e for e in evidence if "ihrl" in e.criteria)
    ihl = tuple(e for e in evidence if "ihl" in e.criteria)
    criteria = (
        CriterionView(
            id="prohibitions", title="Embargoes and treaty prohibitions",
            citation="ATT Art 6(1)-(3)",
            legal_test="Refuse where the transfer would breach a UN Security Council arms "
                       "embargo, an obligation under an international agreement, or where "
                       "the state knows the arms would be used for atrocity crimes.",
            level="Not met", legal_test_met=False, met_text="Not met",
            rationale="No embargo or treaty prohibition applies to the destination."),
        CriterionView(
            id="ihrl", title="Serious violations of international human rights law",
            citation="ATT Art 7(1)(b)(ii); EU CP Art 2(2)",
            legal_test="Refuse where there is an overriding (EU: clear) risk that the items "
                       "might be used to commit or facilitate serious violations of human "
                       "rights law.",
            level="Substantial", residual_level="Substantial", legal_test_met=True,
            met_text="Met: refusal required",
            rationale=("Credible UN and NGO reporting documents repeated unlawful lethal force "
                       "against peaceful protesters by the end user's units in 2023–2025, "
                       "using small arms of the kind applied for. No effective accountability "
                       "has followed. " * 3).strip(),
            answers=(AnswerView("Has the end user committed serious violations in the past "
                                "five years?", "Yes", "See EV-000001, EV-000004."),
                     AnswerView("Are the goods of a kind used in those violations?", "Yes")),
            citations=ihrl, mitigations=("End-use monitoring visit offered by the importer",)),
        CriterionView(
            id="ihl", title="Serious violations of international humanitarian law",
            citation="ATT Art 7(1)(b)(i)",
            legal_test="Refuse where there is an overriding risk the items might be used to "
                       "commit or facilitate a serious violation of IHL.",
            level="Moderate", legal_test_met=False, met_text="Not met",
            rationale="No armed conflict in the end user's area of operations.",
            citations=ihl),
        CriterionView(
            id="diversion", title="Risk of diversion", citation="ATT Art 11",
            legal_test="Assess the risk that the items are diverted to another end user.",
            level="", legal_test_met=None, met_text="Not assessed"),
    )
    start = SIGNED_AT - timedelta(days=14)
    events = tuple(AuditEventView(
        id=100 + i, at=start + timedelta(hours=i * 7), actor="olga (Olga Officer)",
        action=["case.create", "case.update", "assessment.save", "decision.sign"][min(i, 3)],
        summary=f"Step {i}: {'registered' if i == 0 else 'findings saved'}",
        hash=_sha(f"event {i}")) for i in range(8))
    snapshot = b'{"format":"goldenrule.decision-record/1","sample":true}'
    return RationaleInput(
        record_ref="GR-2026-00042/1", case_ref="GR-2026-00042",
        classification="OFFICIAL-SENSITIVE", authority="Export Control Joint Unit",
        is_demo=False,
        framework_title="The Golden Rule: no transfer where there is a substantial risk of "
                        "serious violations",
        framework_id="golden-rule", framework_version="2026.1", framework_sha256=_sha("fw"),
        outcome=outcome,
        outcome_label={"refuse": "Refuse", "approve": "Approve",
                       "approve-with-conditions": "Approve with conditions"}.get(outcome,
                                                                                   outcome),
        headline="Refusal is mandatory." if outcome == "refuse" else "Approval is allowed.",
        decision_rationale=("There is a substantial risk that the rifles would be used by "
                            "the end user's units to commit serious violations of human "
                            "rights law (ATT Art 7(1)(b)(ii)); mitigation offered cannot "
                            "reduce it. The licence is refused."),
        criteria_cited=("Serious violations of international human rights law",)
        if outcome == "refuse" else (),
        conditions=() if outcome == "refuse" else (
            "No re-export without prior written consent.",
            "Delivery verification certificate within 90 days of shipment."),
        explanation=("Refusal is mandatory.",
                     "Criterion ihrl is met (ATT Art 7(1)(b)(ii)).",
                     "Outcomes the rules allow: Refuse, Refer to a supervisor."),
        as_of="2026-11-25",
        application=(("Licence type", "SIEL"), ("Received", "2026-11-02"),
                     ("Applicant's reference", "NM-2026-118"), ("Deadline", "2026-11-30")),
        exporter=PartyView("Exporter", "Northbridge Munitions Ltd", "United Kingdom (GB)",
                           address="1 Dock Road, Leeds"),
        parties=(
            PartyView("End user", "Министерство внутренних дел — Special Police Brigade",
                      "Ruritania (RU)", "Police or security force", "Central district",
                      role_code="end_user"),
            PartyView("Consignee", "Société Générale d'Équipement SARL", "France (FR)",
                      "Commercial company", "12 rue de la Paix, Paris", role_code="consignee"),
        ),
        goods=(
            GoodsView("ML1.a", "Semi-automatic rifles, 5.56 mm", "250", "units",
                      "412500.00", "GBP", "VII. Small arms"),
            GoodsView("ML3.a", "Ammunition, 5.56 x 45 mm", "100000", "rounds", "38000.00",
                      "GBP", "Ammunition"),
        ),
        end_use="Equipping the Special Police Brigade for public-order duties.",
        end_user_certificate="EUC-4471, Ministry of Interior, 2026-10-20",
        destination="Ruritania (RU)",
        checks=(CheckView("UN arms embargoes", "Clear", False, "UNSC resolutions",
                          "No UN embargo on the destination."),
                CheckView("EU arms embargoes", "Clear", False, "Council decisions"),
                CheckView("Sanctions screening", "Not run", False, "",
                          "Screening is recorded separately.")),
        criteria=criteria,
        mitigations=("End-use monitoring visit offered by the importer",),
        past_incidents=("2024-03-12: reported diversion of 40 rifles (unconfirmed)",),
        evidence=tuple(evidence),
        signatures=(SignatureView("Decision", "GR-2026-00042/1", "Olga Officer", "Officer",
                                  "olga", SIGNED_AT, _sha("cert olga")),),
        countersignatures_required=countersignatures_required,
        countersigning_rules=("Every refusal",),
        audit_events=events, audit_head=_sha("head"), snapshot_sha256=_sha("snapshot"),
        snapshot_bytes=snapshot, generated_at=SIGNED_AT,
    )
