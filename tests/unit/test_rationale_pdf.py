"""The rationale PDF: every section present with real content, signature boxes, fonts, bytes.

The PDF is read back with pypdf, as a reader of the file would see it: text extraction, the
page geometry the signing step relies on, and the embedded font programs.
"""

from __future__ import annotations

import dataclasses
import io
import re
from functools import cached_property

import pytest
from pypdf import PdfReader

from reports.rationale_model import PartyView, RationaleInput, SignatureView
from reports.rationale_pdf import RenderedPdf, SignatureBox, render_rationale_pdf
from tests.unit.rationale_sample import SIGNED_AT, sample_input


def _flat(text: str) -> str:
    """Whitespace collapsed: text extraction breaks lines where the layout wrapped them."""
    return " ".join(text.split())


class Rendered:
    """A rendered document and its text, extracted lazily: extraction costs more than layout."""

    def __init__(self, doc: RationaleInput) -> None:
        self.doc = doc
        self.result: RenderedPdf = render_rationale_pdf(doc)
        self.reader = PdfReader(io.BytesIO(self.result.data))
        self.page_count = len(self.reader.pages)

    @cached_property
    def pages(self) -> list[str]:
        return [page.extract_text() for page in self.reader.pages]

    @cached_property
    def flat_pages(self) -> list[str]:
        return [_flat(t) for t in self.pages]

    @cached_property
    def text(self) -> str:
        return " ".join(self.flat_pages)

    @cached_property
    def body(self) -> str:
        """The text after the cover and the contents page (which repeats every heading)."""
        return " ".join(self.flat_pages[2:])

    @cached_property
    def compact(self) -> str:
        return re.sub(r"\s+", "", self.text)

    def page_text(self, index: int) -> str:
        return _flat(self.reader.pages[index].extract_text())

    def page_with(self, needle: str) -> int:
        """The first page after the contents showing ``needle``."""
        return next(i for i, t in enumerate(self.flat_pages) if i >= 2 and needle in t)

    def signatures_page(self) -> str:
        """The text of the page holding the signature boxes."""
        return self.page_text(self.result.signature_boxes[0].page)


@pytest.fixture(scope="module")
def refusal() -> Rendered:
    return Rendered(sample_input(12))


@pytest.fixture(scope="module")
def longer() -> Rendered:
    return Rendered(sample_input(60))


@pytest.fixture(scope="module")
def approval() -> Rendered:
    return Rendered(sample_input(5, outcome="approve-with-conditions",
                                 countersignatures_required=0))


def test_cover_identifies_the_decision(refusal: Rendered) -> None:
    doc, cover = refusal.doc, refusal.flat_pages[0]
    for needle in ("Licence decision rationale", doc.authority, doc.record_ref, doc.case_ref,
                   "Refuse", doc.headline, doc.framework_title, "version 2026.1",
                   doc.exporter.name, "Ruritania (RU)", "Olga Officer, Officer",
                   "2026-11-26T14:05:12Z", doc.snapshot_sha256):
        assert needle in cover, needle


def test_every_section_is_present_in_order(refusal: Rendered) -> None:
    headings = ["Contents", "1 The application", "2 Hard-stop checks",
                "3 Assessment by criterion", "4 Mitigation and conditions",
                "5 Outcome and reasons", "6 Signatures", "Appendix A. Evidence list",
                "Appendix B. Audit events of the case"]
    positions = [refusal.body.find(h) for h in headings[1:]]
    assert all(p >= 0 for p in positions), dict(zip(headings[1:], positions, strict=True))
    assert positions == sorted(positions)
    toc = refusal.flat_pages[1]
    for heading in headings:
        assert heading in toc
    outline = [item["/Title"] for item in refusal.reader.outline if isinstance(item, dict)]
    assert outline == headings[1:]


def test_marking_header_and_page_numbers_on_every_page(refusal: Rendered) -> None:
    doc, n = refusal.doc, len(refusal.pages)
    header = f"Licence decision rationale · {doc.record_ref}"
    for i, text in enumerate(refusal.flat_pages):
        assert text.count(doc.classification) >= 2, f"page {i + 1}: marking top and bottom"
        assert f"Page {i + 1} of {n}" in text
        assert (header in text) == (i > 0), f"page {i + 1}: running header, not on the cover"
    assert "DEMONSTRATION" not in refusal.text


def test_demo_marking_on_every_page() -> None:
    doc = sample_input(2)
    doc.is_demo = True
    rendered = Rendered(doc)
    for text in rendered.flat_pages:
        assert "DEMONSTRATION — NOT A REAL DECISION" in text


def test_application_parties_and_goods(refusal: Rendered) -> None:
    text = refusal.text
    for label, value in refusal.doc.application:
        assert label in text and value in text
    for needle in ("Министерство внутренних дел — Special Police Brigade",
                   "Société Générale d'Équipement SARL", "12 rue de la Paix, Paris",
                   "Police or security force", "Northbridge Munitions Ltd", "1 Dock Road, Leeds",
                   "ML1.a", "Semi-automatic rifles, 5.56 mm", "250 units", "412500.00 GBP",
                   "ML3.a", "100000 rounds", "38000.00 GBP", "VII. Small arms",
                   refusal.doc.end_use, refusal.doc.end_user_certificate):
        assert needle in text, needle


def test_hard_stop_checks(refusal: Rendered) -> None:
    for check in refusal.doc.checks:
        assert check.title in refusal.text
    assert "No check blocks approval." in refusal.text


def test_blocking_check_is_flagged(approval: Rendered) -> None:
    from reports.rationale_model import CheckView

    doc = dataclasses.replace(approval.doc, checks=(
        CheckView("UN arms embargoes", "Applies", True, "UNSC 2771 (2026)", "Full embargo."),))
    text = Rendered(doc).page_text(2)
    assert "2 Hard-stop checks" in text
    assert "Applies Blocks approval" in text
    assert "No check blocks approval." not in text


def test_each_criterion_with_its_legal_test_and_evidence(refusal: Rendered) -> None:
    text = refusal.text
    for n, criterion in enumerate(refusal.doc.criteria, 1):
        assert f"3.{n} {criterion.title}" in text
        assert criterion.citation in text
        assert _flat(criterion.legal_test) in text
        assert criterion.met_text in text
        if criterion.rationale:
            assert _flat(criterion.rationale)[:120] in text
        for answer in criterion.answers:
            assert _flat(answer.question) in text
        for cited in criterion.citations:
            assert cited.content_sha256[:16] in text
    assert "Cited evidence (12)" in text and "Cited evidence (6)" in text
    assert "End-use monitoring visit offered by the importer" in text


def test_evidence_appendix_lists_every_item_with_its_full_hash(refusal: Rendered) -> None:
    start = refusal.page_with("Appendix A. Evidence list")
    appendix = re.sub(r"\s+", "", " ".join(refusal.pages[start:]))
    for item in refusal.doc.evidence:
        assert item.reference in appendix
        assert item.content_sha256 in appendix
        assert re.sub(r"\s+", "", item.publisher) in appendix


def test_outcome_and_reasons(refusal: Rendered) -> None:
    doc, text = refusal.doc, refusal.body
    section = text[text.find("5 Outcome and reasons"):text.find("6 Signatures")]
    for needle in (doc.outcome_label, doc.headline, _flat(doc.decision_rationale),
                   *doc.explanation, *doc.criteria_cited, doc.as_of, doc.framework_sha256):
        assert needle in section, needle
    assert "No conditions: the licence is not granted." in text
    assert doc.past_incidents[0] in text


def test_conditions_for_an_approval(approval: Rendered) -> None:
    assert "Approve with conditions" in approval.flat_pages[0]
    section = approval.body[approval.body.find("Conditions of the licence"):]
    for n, condition in enumerate(approval.doc.conditions, 1):
        assert f"{n}. {condition}" in section


def test_signatures_and_audit(refusal: Rendered) -> None:
    doc, text = refusal.doc, refusal.text
    signature = doc.signatures[0]
    for needle in (signature.name, signature.role, signature.username, "2026-11-26T14:05:12Z",
                   "1 countersignature required", "Every refusal",
                   "Decision — signed by Olga Officer, Officer",
                   "Countersignature 1 — required", "Countersignature 2 — not required"):
        assert needle in text, needle
    assert signature.certificate_sha256 in refusal.compact
    audit = refusal.body[refusal.body.find("Appendix B. Audit events of the case"):]
    for event in doc.audit_events:
        assert event.action in audit and event.summary in audit
        assert event.hash[:16] in audit
    assert doc.audit_head in audit


@pytest.mark.parametrize(("required", "labels"), [
    (0, ("Countersignature 1 — not required", "Countersignature 2 — not required")),
    (2, ("Countersignature 1 — required", "Countersignature 2 — required")),
])
def test_countersignature_labels_follow_the_requirement(
        required: int, labels: tuple[str, str]) -> None:
    text = Rendered(sample_input(1, countersignatures_required=required)).signatures_page()
    for label in labels:
        assert label in text


def test_a_countersigner_already_on_record_is_named() -> None:
    doc = sample_input(1)
    doc.signatures += (SignatureView("Countersignature", "GR-2026-00042/2", "Sam Supervisor",
                                     "Supervisor", "sam", SIGNED_AT, "ab" * 32),)
    text = Rendered(doc).signatures_page()
    assert "Countersignature 1 — required — signed by Sam Supervisor, Supervisor" in text


def _text_origins(reader: PdfReader, page: int) -> list[tuple[float, float, str]]:
    """Where each shown string starts, in page coordinates."""
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x, y, text))

    reader.pages[page].extract_text(visitor_text=visit)
    return found


def test_signature_boxes_are_empty_labelled_and_on_the_signatures_page(
        refusal: Rendered) -> None:
    boxes = refusal.result.signature_boxes
    assert len(boxes) == 3 and all(isinstance(b, SignatureBox) for b in boxes)
    page = refusal.page_with("Signature fields")
    assert page < refusal.page_with("Appendix A. Evidence list")
    assert page >= len(refusal.pages) - 3
    media = refusal.reader.pages[page].mediabox
    origins = _text_origins(refusal.reader, page)
    assert any("Countersignature 2" in text for _, _, text in origins)
    previous_top = float(media.top)
    for box in boxes:
        x1, y1, x2, y2 = box.box
        assert box.page == page
        assert x2 - x1 == pytest.approx(240, abs=0.5)
        assert y2 - y1 == pytest.approx(60, abs=0.5)
        assert float(media.left) + 40 <= x1 < x2 <= float(media.right) - 40
        assert float(media.bottom) + 40 <= y1 < y2 <= float(media.top) - 40
        assert y2 < previous_top, "slots stack downwards without overlapping"
        previous_top = y1
        inside = [t for x, y, t in origins if x1 - 1 <= x <= x2 + 1 and y1 - 1 <= y <= y2 + 1]
        assert inside == [], f"box {box} is not empty: {inside}"


def test_signature_boxes_follow_the_flow(refusal: Rendered, longer: Rendered) -> None:
    for rendered in (refusal, longer):
        assert len({b.page for b in rendered.result.signature_boxes}) == 1
        assert "Decision — signed by Olga Officer" in rendered.signatures_page()
    assert longer.result.signature_boxes[0].page > refusal.result.signature_boxes[0].page


def test_fonts_are_embedded(refusal: Rendered) -> None:
    names: set[str] = set()
    for page in refusal.reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]
    assert {n.split("+")[-1] for n in names} >= {"DejaVuSans", "DejaVuSans-Bold",
                                                 "DejaVuSansMono"}


def test_markup_characters_in_user_text_are_escaped() -> None:
    doc = sample_input(1)
    doc.parties = (PartyView("End user", "<b>Evil & Sons</b> <font>", "A < B (AB)",
                             "Tom & Jerry", "1 <Main> St"), *doc.parties)
    doc.decision_rationale = "Risk <high> & rising; see <a href='x'>this</a>"
    doc.signatures = (dataclasses.replace(doc.signatures[0], name="Ann <O'Brien> & Co"),)
    doc.end_use = "Bell\x07 and\ttab"
    text = Rendered(doc).text
    assert "Bell and tab" in text and "\x07" not in text
    for needle in ("<b>Evil & Sons</b> <font>", "A < B (AB)", "1 <Main> St",
                   "Risk <high> & rising; see <a href='x'>this</a>",
                   "Decision — signed by Ann <O'Brien> & Co, Officer"):
        assert needle in text, needle


def test_page_count_grows_with_evidence(refusal: Rendered, longer: Rendered) -> None:
    assert longer.page_count > refusal.page_count
    assert f"Page 1 of {longer.page_count}" in longer.page_text(0)


def test_same_input_same_bytes_and_metadata(refusal: Rendered) -> None:
    again = render_rationale_pdf(sample_input(12))
    assert again.data == refusal.result.data
    assert again.signature_boxes == refusal.result.signature_boxes
    meta = refusal.reader.metadata
    assert meta is not None
    assert meta.title == "Licence decision rationale GR-2026-00042/1"
    assert meta.author == "Export Control Joint Unit"
    assert meta.subject == "GR-2026-00042/1 — Refuse"
    assert meta.creator == "Golden Rule"
    assert meta["/CreationDate"] == "D:20261126140512+00'00'"


def test_author_falls_back_without_an_authority() -> None:
    doc = sample_input(1)
    doc.authority = ""
    reader = PdfReader(io.BytesIO(render_rationale_pdf(doc).data))
    assert reader.metadata is not None
    assert reader.metadata.author == "Golden Rule"
