"""Signed rationale documents for a decision citing many evidence items: prints the figures.

    python benchmarks/rationale.py [CITED]        (default 200)

Builds a database with an office CA and an officer holding a real RSA-3072 key, CITED
evidence items (every other one with an original file), and a refusal whose IHRL finding
cites all of them. Then times, each over 5 runs (median and worst):

- building the document model from the signed snapshot (``app.rationale.build_input``);
- the PDF: rendering (reportlab) and signing (pyHanko, PAdES, with the snapshot attached);
- the workbook: rendering (openpyxl) and its detached CMS signature;
- and the whole decision once, end to end (``record_decision``: record, documents, events).

Targets (issue 6): PDF rendered and signed under 2 s, workbook under 1 s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import assessments, cases, decisions, documents, evidence, keys, users
from app.assessment import Citation, DecisionInput, Finding, Outcome
from app.casedata import CaseData, GoodsData, PartyData
from app.database import open_database
from app.evidence import Attachment, EvidenceData, NewEvidence
from app.frameworks import catalogue
from app.hardstops import CheckRegistry
from app.rationale import build_input
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.vocab import Role
from db.models import DecisionRow
from reports.rationale_pdf import render_rationale_pdf
from reports.rationale_xlsx import render_rationale_xlsx
from reports.signing import sign_detached, sign_pdf

PASSWORD = "bench-password-1"
CA_PASSWORD = "bench-ca-passphrase-1"
RUNS = 5


def _case() -> CaseData:
    return CaseData(
        licence_type="SIEL", applicant_reference="BENCH-1", exporter_name="Northbridge Arms Ltd",
        exporter_address="1 Dock Road, Leeds", exporter_country="GB",
        exporter_registration="01234567", destination="KE",
        end_use="Public-order equipment for the Special Police Brigade.",
        euc_number="EUC-4471", euc_date=date(2026, 10, 20), euc_issuer="Ministry of Interior",
        received_date=date(2026, 11, 2), deadline=None, notes="",
        parties=[PartyData(role="end_user", name="Special Police Brigade", address="Nairobi",
                           country="KE", kind="police_security")],
        goods=[GoodsData(description="Semi-automatic rifles, 5.56 mm", control_entry="ML1.a",
                         att_category="VIII", quantity=Decimal("250"), unit="pcs",
                         value=Decimal("412500.00"), currency="GBP")])


def build(path: Path, cited: int) -> tuple[object, int]:
    db = open_database(path)
    with UnitOfWork(db.session_factory) as uow:
        admin = users.create_first_administrator(uow, "admin", "Ada Admin", PASSWORD,
                                                 ca_password=CA_PASSWORD)
    with UnitOfWork(db.session_factory) as uow:
        officer = users.create_user(uow, admin, "olga", "Olga Officer", Role.OFFICER, PASSWORD,
                                    ca_password=CA_PASSWORD)
    items = [NewEvidence(EvidenceData(
        title=f"Report {i}: unlawful force against protesters by police units, Nairobi",
        publisher=["UN OHCHR", "Amnesty International", "Reuters"][i % 3],
        source_kind=["un_inquiry_panel", "ngo", "media"][i % 3],
        published_on=date(2026, 1, 1) - timedelta(days=i), countries=["KE"],
        reliability="AB"[i % 2], credibility="12"[i % 2],
        summary="Documented use of live ammunition against peaceful demonstrators. " * 4,
        violations=["excessive_force_protest"], actors=["Special Police Brigade"]),
        Attachment(f"report-{i}.pdf", "application/pdf", b"%PDF-1.4 " + bytes(2000) +
                   str(i).encode()) if i % 2 else None) for i in range(cited)]
    with UnitOfWork(db.session_factory) as uow:
        stored = evidence.store_batch(uow, officer, items)
    with UnitOfWork(db.session_factory) as uow:
        citations = []
        for item_id in stored.added:
            record = evidence.get_evidence(uow, item_id)
            citations.append(Citation(f"EV-{item_id:06d}", evidence_id=item_id,
                                      content_sha256=record.content_sha256, grade="A1",
                                      note="Pattern of unlawful force."))
        case_id = cases.create_case(uow, officer, _case(), status=CaseStatus.RECEIVED).id
    fw = catalogue().get("golden-rule")
    with UnitOfWork(db.session_factory) as uow:
        opened = assessments.open_assessment(uow, officer, case_id, fw.id)
        data = opened.data
        for c in fw.criteria:
            data.findings[c.id] = Finding(c.id, c.lowest,
                                          legal_test_met=False if c.is_binding else None,
                                          rationale="No concern.")
        data.findings["ihrl"] = Finding("ihrl", "substantial", legal_test_met=True,
                                        rationale="Documented, recent and unaddressed.",
                                        citations=citations)
        assessments.save_assessment(uow, officer, case_id, data, opened.row_version)
    with UnitOfWork(db.session_factory) as uow:
        start = time.perf_counter()
        record = decisions.record_decision(
            uow, officer, case_id, fw.id,
            DecisionInput(Outcome.REFUSE, "Substantial risk under IHRL.", [], ["ihrl"]),
            checks=CheckRegistry([]), password=PASSWORD)
        whole = time.perf_counter() - start
    print(f"decision signed end to end with both documents: {whole:.2f} s "
          f"(record, PDF, workbook, signatures, events; one run)")
    return db, record.id


def timed(label: str, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    median, worst = statistics.median(times), max(times)
    print(f"  {label:<44} median {median * 1000:7.0f} ms   worst {worst * 1000:7.0f} ms")
    return median


def main() -> None:
    cited = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as folder:
        print(f"Building a decision citing {cited} evidence items...")
        db, record_id = build(Path(folder) / "bench.sqlite3", cited)
        with UnitOfWork(db.session_factory) as uow:  # type: ignore[attr-defined]
            session = uow.session
            row = session.get_one(DecisionRow, record_id)
            doc = build_input(session, row, classification="OFFICIAL-SENSITIVE")
            assert len(doc.evidence) == cited, len(doc.evidence)
            with keys.unlocked(session, row.decided_by_id, PASSWORD) as signer:
                who = documents.identity(session, signer)
                print(f"Timings over {RUNS} runs ({cited} cited items, RSA-3072 key):")
                t_model = timed("document model from the snapshot", lambda: build_input(
                    session, row, classification="OFFICIAL-SENSITIVE"))
                rendered = render_rationale_pdf(doc)
                t_pdf = timed("PDF: render (reportlab)", lambda: render_rationale_pdf(doc))
                box = rendered.signature_boxes[0]
                t_sign = timed("PDF: sign (pyHanko PAdES, snapshot attached)", lambda: sign_pdf(
                    rendered.data, who, field_name="Decision", reason="bench",
                    stamp_text="Signed", page=box.page,
                    box=tuple(round(v) for v in box.box)))  # type: ignore[arg-type]
                xlsx = render_rationale_xlsx(doc)
                t_xlsx = timed("workbook: render (openpyxl)", lambda: render_rationale_xlsx(doc))
                t_cms = timed("workbook: detached CMS signature",
                              lambda: sign_detached(xlsx, who))
        pages = rendered.data.count(b"/Type /Page\n") or rendered.data.count(b"/Type /Page")
        pdf_total = t_model + t_pdf + t_sign
        xlsx_total = t_model + t_xlsx + t_cms
        print(f"PDF: {len(rendered.data) / 1024:.0f} KB, about {pages} pages; "
              f"workbook: {len(xlsx) / 1024:.0f} KB")
        print(f"PDF rendered and signed (with the model): {pdf_total:.2f} s "
              f"(target < 2 s: {'met' if pdf_total < 2 else 'NOT met'})")
        print(f"Workbook rendered and signed (with the model): {xlsx_total:.2f} s "
              f"(target < 1 s: {'met' if xlsx_total < 1 else 'NOT met'})")
        db.dispose()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
