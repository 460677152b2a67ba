"""Evidence import: the JSON and CSV formats, documents (PDF, HTML, text), folders, dedupe,
and every kind of bad input, which must name file, item or row, and field, and store
nothing."""

from __future__ import annotations

import csv
import io
import json
import re
import string
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import evidence_import as ei
from app.errors import InputError, ValidationError
from app.evidence import (
    Cancelled,
    EvidenceData,
    content_hash,
    count_items,
    get_evidence,
    normalise,
    validate_evidence,
)
from app.evidence_import import DocumentDefaults, import_paths, read_csv, read_document, read_json
from app.evidence_vocab import vocabulary
from app.uow import UnitOfWork
from app.users import Actor

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSV = ROOT / "docs" / "examples" / "evidence-sample.csv"
NGO = DocumentDefaults(source_kind="ngo", countries=("KE",), publisher="Test Monitor")
HEADER = ",".join(ei.CSV_COLUMNS)


# --- test files ------------------------------------------------------------------------

def make_pdf(lines: list[str], title: str | None = None) -> bytes:
    """A one-page PDF written by hand (no reportlab): Helvetica text, exact xref offsets."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td", *(f"({esc(ln)}) Tj T*" for ln in lines),
           "ET"]
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    if title is not None:
        objects.append(b"<< /Title (" + esc(title).encode("latin-1") + b") >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
    if title is not None:
        trailer += b" /Info %d 0 R" % len(objects)
    out.write(trailer.join([b"trailer\n", b" >>\nstartxref\n%d\n%%%%EOF\n" % xref]))
    return out.getvalue()


def encrypted_pdf(plain: bytes, password: str = "secret") -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def item(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Security forces fire on protesters in the capital",
        "source": {"publisher": "Rights Watchers", "kind": "ngo", "document_ref": "RW-1",
                   "url": "https://example.org/rw-1"},
        "published_on": "2025-03-01",
        "events": {"from": "2025-01-10", "to": "2025-01-12"},
        "countries": ["KE"],
        "places": "Nairobi",
        "actors": ["General Service Unit", "Police"],
        "violations": ["excessive_force_protest", "unlawful_killing"],
        "item_categories": ["ML1", "ML3"],
        "grade": {"reliability": "B", "credibility": "2"},
        "summary": "Live rounds used against a peaceful march.",
        "full_text": "Witnesses saw officers fire live ammunition at marchers.",
    }
    base.update(changes)
    return base


def evidence_doc(*items: dict[str, Any]) -> dict[str, Any]:
    return {"format": "golden-rule/evidence", "format_version": 1, "items": list(items)}


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def csv_line(**values: str) -> str:
    row = {c: "" for c in ei.CSV_COLUMNS}
    row.update(title="Detainees beaten in police cells", source_kind="media",
               reliability="C", credibility="3", countries="KE; UG",
               published_on="2024-05-06")
    row.update(values)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([row[c] for c in ei.CSV_COLUMNS])
    return out.getvalue()


def write_csv(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text(header + "\n" + "".join(rows), encoding="utf-8")
    return path


@pytest.fixture
def run_import(uow: Callable[[], UnitOfWork], officer: Actor
               ) -> Callable[..., ei.ImportReport]:
    def run(*paths: Path, defaults: DocumentDefaults = NGO, **kw: Any) -> ei.ImportReport:
        with uow() as u:
            return import_paths(u, officer, list(paths), defaults, **kw)

    return run


@pytest.fixture
def stored(uow: Callable[[], UnitOfWork]) -> Callable[[], int]:
    def count() -> int:
        with uow() as u:
            return count_items(u)

    return count


# --- the hand-made PDF -----------------------------------------------------------------

def test_hand_made_pdf_is_read_by_pypdf() -> None:
    reader = pypdf.PdfReader(io.BytesIO(make_pdf(["Hello (world)", "Line two"], "T")),
                             strict=True)
    assert reader.pages[0].extract_text().splitlines() == ["Hello (world)", "Line two"]
    assert reader.metadata is not None and reader.metadata.title == "T"


# --- JSON ------------------------------------------------------------------------------

def test_json_items_are_read_with_every_field(tmp_path: Path) -> None:
    second = item(title="Second", grade={"reliability": "A", "credibility": 1},
                  events={"from": "2024-02-01"}, published_on=None)
    for key in ("countries", "places", "actors", "summary", "full_text"):
        second.pop(key)
    path = write_json(tmp_path / "reports.json", evidence_doc(item(), second))
    first, other = read_json(path)
    assert first.origin == f"{path} item 1" and other.origin == f"{path} item 2"
    d = first.data
    assert (d.title, d.publisher, d.source_kind, d.document_ref, d.url) == (
        "Security forces fire on protesters in the capital", "Rights Watchers", "ngo", "RW-1",
        "https://example.org/rw-1")
    assert (d.published_on, d.events_from, d.events_to) == (
        date(2025, 3, 1), date(2025, 1, 10), date(2025, 1, 12))
    assert d.countries == ["KE"] and d.places == "Nairobi"
    assert d.actors == ["General Service Unit", "Police"]
    assert d.violations == ["excessive_force_protest", "unlawful_killing"]
    assert d.item_categories == ["ML1", "ML3"] and d.grade == "B2"
    assert first.attachment is None
    assert other.data.grade == "A1" and other.data.events_to is None
    assert other.data.published_on is None and other.data.countries == []


def test_json_import_stores_items(run_import: Callable[..., ei.ImportReport],
                                  uow: Callable[[], UnitOfWork], tmp_path: Path) -> None:
    path = write_json(tmp_path / "reports.json", evidence_doc(item(), item(title="Other")))
    report = run_import(path)
    assert [a.origin for a in report.added] == [f"{path} item 1", f"{path} item 2"]
    assert report.duplicates == []
    assert [(f.path, f.items, f.added, f.duplicates) for f in report.files] == [
        (str(path), 2, 2, 0)]
    with uow() as u:
        record = get_evidence(u, report.added[0].id)
    assert record.data.title == "Security forces fire on protesters in the capital"
    assert record.grade == "B2" and record.data.events_to == date(2025, 1, 12)
    assert record.added_by == "olga"


def test_json_example_in_the_format_notes_is_valid(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "formats" / "README.md").read_text(encoding="utf-8")
    section = text.split("## Evidence file (JSON)", 1)[1]
    example = section.split("```json", 1)[1].split("```", 1)[0]
    [new] = read_json(write_json(tmp_path / "example.json", json.loads(example)))
    assert validate_evidence(normalise(new.data)) == []


def test_documented_evidence_schema_is_the_shipped_schema() -> None:
    assert (ROOT / "docs" / "formats" / "evidence.schema.json").read_bytes() == \
        ei.SCHEMA_PATH.read_bytes()


def test_utf8_bom_is_tolerated_in_json(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(evidence_doc(item())).encode())
    assert len(read_json(path)) == 1


# --- CSV -------------------------------------------------------------------------------

def test_sample_csv_reads_with_spreadsheet_row_numbers() -> None:
    items = read_csv(SAMPLE_CSV)
    assert [i.origin for i in items] == [f"{SAMPLE_CSV} row {n}" for n in (2, 3, 4)]
    first = items[0].data
    assert "\n" in first.full_text  # a quoted value with a line break
    assert first.grade == "C2" and first.countries == ["KE"]
    assert first.actors == ["[DEMO] Rapid Response Unit 4", "[DEMO] County police command"]
    assert first.violations == ["excessive_force_protest", "unlawful_killing"]
    assert '"lost in combat"' in items[1].data.full_text
    assert all("[DEMO]" in i.data.title for i in items)
    assert all(validate_evidence(normalise(i.data)) == [] for i in items)


def test_csv_with_bom_separate_grades_forgiving_header_and_blank_rows(tmp_path: Path) -> None:
    header = HEADER.replace("source_kind", "Source Kind").replace("title", " TITLE ")
    path = tmp_path / "incidents.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (header + "\r\n" + csv_line() + ",,,\r\n" +
                                         csv_line(title="Second, with comma",
                                                  violations="torture;;arbitrary_detention"))
                     .encode("utf-8"))
    first, second = read_csv(path)
    assert first.origin == f"{path} row 2" and second.origin == f"{path} row 4"
    assert first.data.grade == "C3" and first.data.countries == ["KE", "UG"]
    assert first.data.published_on == date(2024, 5, 6)
    assert second.data.title == "Second, with comma"
    assert second.data.violations == ["torture", "arbitrary_detention"]


def test_csv_with_only_the_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "min.csv"
    path.write_text("title,source_kind,grade\nA finding,icrc,b2\n", encoding="utf-8")
    [new] = read_csv(path)
    assert (new.data.title, new.data.source_kind, new.data.grade) == ("A finding", "icrc", "B2")


# --- documents -------------------------------------------------------------------------

def test_pdf_document(tmp_path: Path) -> None:
    raw = make_pdf(["Annual report on detention", "Torture was reported in three prisons."],
                   title="Detention Report 2025")
    path = tmp_path / "report.pdf"
    path.write_bytes(raw)
    new = read_document(path, NGO)
    assert new.origin == str(path)
    assert new.data.title == "Detention Report 2025"
    assert "Torture was reported in three prisons." in new.data.full_text
    assert new.data.summary.startswith("Annual report on detention")
    assert (new.data.source_kind, new.data.grade, new.data.countries,
            new.data.publisher) == ("ngo", "F6", ["KE"], "Test Monitor")
    assert new.attachment is not None
    assert (new.attachment.name, new.attachment.media_type, new.attachment.data) == (
        "report.pdf", "application/pdf", raw)


def test_pdf_without_title_uses_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "untitled.pdf"
    path.write_bytes(make_pdf(["", "Findings of the mission", "Body text"]))
    assert read_document(path, NGO).data.title == "Findings of the mission"


def test_pdf_encrypted_with_owner_password_only_is_readable(tmp_path: Path) -> None:
    path = tmp_path / "owner-only.pdf"
    path.write_bytes(encrypted_pdf(make_pdf(["Readable text"]), password=""))
    assert "Readable text" in read_document(path, NGO).data.full_text


def test_html_document(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<!doctype html><html><head><title>Mission &amp; findings</title>"
        "<style>p { color: red }</style><script>var secret = 1;</script></head>"
        "<body><h1>Heading</h1><p>First   paragraph\nwith a break.</p>"
        "<div>Second <b>bold</b> paragraph</div><noscript>enable js</noscript>"
        "<table><tr><td>cell</td><td>two</td></tr></table></body></html>",
        encoding="utf-8")
    new = read_document(path, NGO)
    assert new.data.title == "Mission & findings"
    text = new.data.full_text
    assert text.split("\n\n") == ["Heading", "First paragraph with a break.",
                                  "Second bold paragraph", "cell two"]
    assert "secret" not in text and "color" not in text and "enable js" not in text
    assert new.attachment is not None and new.attachment.media_type == "text/html"


def test_html_without_title_and_with_declared_charset(tmp_path: Path) -> None:
    path = tmp_path / "old.htm"
    path.write_bytes('<html><head><meta charset="windows-1252"></head><body>'
                     "<h1>Rapport sur la sûreté</h1><p>Détenus</p></body></html>"
                     .encode("cp1252"))
    new = read_document(path, NGO)
    assert new.data.title == "Rapport sur la sûreté"
    assert "Détenus" in new.data.full_text


def test_text_and_markdown_documents(tmp_path: Path) -> None:
    long_body = " ".join(f"word{n}" for n in range(200))
    md = tmp_path / "notes.md"
    md.write_text(f"\n# Field notes: Kisumu\n\n{long_body}\n", encoding="utf-8")
    new = read_document(md, NGO)
    assert new.data.title == "Field notes: Kisumu"
    assert new.attachment is not None and new.attachment.media_type == "text/markdown"
    assert len(new.data.summary) <= ei.SUMMARY_LENGTH + 1 and new.data.summary.endswith("…")
    assert new.data.summary.startswith("# Field notes: Kisumu word0 word1")
    txt = tmp_path / "cable.txt"
    txt.write_text("Diplomatic report\r\nSecond line, ünïcode\r\n", encoding="utf-8")
    new = read_document(txt, DocumentDefaults(source_kind="diplomatic"))
    assert new.data.title == "Diplomatic report"
    assert new.data.full_text == "Diplomatic report\nSecond line, ünïcode"
    assert new.data.summary == "Diplomatic report Second line, ünïcode"


def test_document_needs_a_source_kind(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("text", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(str(path))):
        read_document(path, DocumentDefaults())


# --- folders ---------------------------------------------------------------------------

def test_folder_is_expanded_recursively_sorted_without_hidden_files(
        tmp_path: Path, run_import: Callable[..., ei.ImportReport]) -> None:
    folder = tmp_path / "inbox"
    (folder / "b-sub").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    (folder / "b-sub" / "z.txt").write_text("Zulu report", encoding="utf-8")
    (folder / "a.txt").write_text("Alpha report", encoding="utf-8")
    (folder / ".secret.txt").write_text("hidden", encoding="utf-8")
    (folder / ".hidden" / "x.docx").write_bytes(b"not read")
    write_csv(folder / "c.csv", csv_line())
    report = run_import(folder)
    assert [f.path for f in report.files] == [str(folder / "a.txt"),
                                              str(folder / "b-sub" / "z.txt"),
                                              str(folder / "c.csv")]
    assert [a.title for a in report.added] == ["Alpha report", "Zulu report",
                                               "Detainees beaten in police cells"]
    assert ei.collect([folder, folder / "a.txt"], NGO)[0].data.title == "Alpha report"
    assert len(ei.collect([folder, folder / "a.txt"], NGO)) == 3


# --- bad input: each names file, item or row, and field; nothing is stored -------------

def _bad(tmp_path: Path, kind: str) -> tuple[Path, list[str]]:
    """A bad file of the given kind and the fragments its error must contain."""
    json_path = tmp_path / "reports.json"
    csv_path = tmp_path / "incidents.csv"
    if kind == "malformed json":
        json_path.write_text('{"format": "golden-rule/evidence",\n "items": [}',
                             encoding="utf-8")
        return json_path, [f"{json_path} is not valid JSON", "line 2"]
    if kind == "wrong format":
        write_json(json_path, {"format": "golden-rule/case", "format_version": 1})
        return json_path, [str(json_path), "golden-rule/case", "not an evidence file"]
    if kind == "schema: missing title":
        bad = item()
        del bad["title"]
        write_json(json_path, evidence_doc(item(), bad))
        return json_path, [f"{json_path} item 2: title", "missing required field"]
    if kind == "schema: unknown field":
        write_json(json_path, evidence_doc(item(colour="red")))
        return json_path, [f"{json_path} item 1: colour", "unknown field"]
    if kind == "schema: not a list":
        write_json(json_path, evidence_doc(item(countries="KE")))
        return json_path, [f"{json_path} item 1: countries", "not of type 'array'"]
    if kind == "schema: missing envelope":
        write_json(json_path, {"items": []})
        return json_path, [f"{json_path}: format", "missing required field"]
    if kind == "bad date":
        write_json(json_path, evidence_doc(item(), item(events={"from": "2025-02-30"})))
        return json_path, [f"{json_path} item 2: events.from", "'2025-02-30'",
                           "not a calendar date"]
    if kind == "unknown taxonomy id":
        write_json(json_path, evidence_doc(item(violations=["torture", "bad_things"])))
        return json_path, [f"{json_path} item 1: violations[1]", "bad_things",
                           "violation taxonomy"]
    if kind == "unknown source kind":
        write_json(json_path, evidence_doc(item(source={"kind": "blog"})))
        return json_path, [f"{json_path} item 1: source_kind", "'blog'"]
    if kind == "bad country":
        write_json(json_path, evidence_doc(item(countries=["KE", "XX"])))
        return json_path, [f"{json_path} item 1: countries[1]", "'XX'"]
    if kind == "badly written country":
        write_json(json_path, evidence_doc(item(countries=["Kenya"])))
        return json_path, [f"{json_path} item 1: countries[0]", "'Kenya'"]
    if kind == "bad grade":
        write_json(json_path, evidence_doc(item(grade={"reliability": "G",
                                                       "credibility": "2"})))
        return json_path, [f"{json_path} item 1: grade.reliability", "'G'"]
    if kind == "events end before they start":
        write_json(json_path, evidence_doc(item(events={"from": "2025-02-01",
                                                        "to": "2025-01-01"})))
        return json_path, [f"{json_path} item 1: events_to", "cannot end before"]
    if kind == "unknown csv column":
        write_csv(csv_path, csv_line() + "x\n", header=HEADER + ",Colour")
        return csv_path, [f"{csv_path} row 1: Colour", "unknown column"]
    if kind == "repeated csv column":
        write_csv(csv_path, header="title,source_kind,grade,title")
        return csv_path, [f"{csv_path} row 1: title", "twice"]
    if kind == "missing csv column":
        write_csv(csv_path, "Title only\n", header="title,reliability,credibility")
        return csv_path, [f"{csv_path} row 1", "missing required column", "source_kind"]
    if kind == "grade and reliability columns":
        write_csv(csv_path, header="title,source_kind,grade,reliability")
        return csv_path, [f"{csv_path} row 1: grade", "not both"]
    if kind == "empty csv":
        csv_path.write_bytes(b"")
        return csv_path, [str(csv_path), "header"]
    if kind == "bad csv row":
        write_csv(csv_path, csv_line(), csv_line(full_text="two\nlines"),
                  csv_line(published_on="12/03/2024"))
        return csv_path, [f"{csv_path} row 4: published_on", "'12/03/2024'"]
    if kind == "bad csv grade":
        path = csv_path
        path.write_text("title,source_kind,grade\nA,ngo,B2\nB,ngo,B9\n", encoding="utf-8")
        return path, [f"{csv_path} row 3: grade", "'B9'"]
    if kind == "csv taxonomy":
        write_csv(csv_path, csv_line(), csv_line(violations="torture; nonsense"))
        return csv_path, [f"{csv_path} row 3: violations[1]", "nonsense"]
    if kind == "csv bad country":
        write_csv(csv_path, csv_line(countries="KE; ZZ"))
        return csv_path, [f"{csv_path} row 2: countries[1]", "'ZZ'"]
    if kind == "csv empty title":
        write_csv(csv_path, csv_line(title="  "))
        return csv_path, [f"{csv_path} row 2: title", "required"]
    if kind == "csv value without a column":
        write_csv(csv_path, csv_line().rstrip("\n") + ",extra\n")
        return csv_path, [f"{csv_path} row 2", "column 18"]
    if kind == "non-utf8 csv":
        csv_path.write_bytes((HEADER + "\n").encode() + csv_line(title="Café").encode("cp1252"))
        return csv_path, [f"{csv_path} is not UTF-8", "line 2"]
    if kind == "non-utf8 text":
        path = tmp_path / "notes.txt"
        path.write_bytes("Rapport de la mission à Goma".encode("latin-1"))
        return path, [f"{path} is not UTF-8"]
    if kind == "empty text":
        path = tmp_path / "empty.md"
        path.write_bytes(b"  \n")
        return path, [f"{path} is empty"]
    if kind == "corrupt pdf":
        path = tmp_path / "broken.pdf"
        path.write_bytes(make_pdf(["text"])[:60])
        return path, [str(path), "cannot be read as a PDF"]
    if kind == "not a pdf":
        path = tmp_path / "fake.pdf"
        path.write_bytes(b"<html>I am not a PDF</html>")
        return path, [str(path), "cannot be read as a PDF"]
    if kind == "encrypted pdf":
        path = tmp_path / "locked.pdf"
        path.write_bytes(encrypted_pdf(make_pdf(["secret text"])))
        return path, [str(path), "encrypted"]
    if kind == "unsupported extension":
        path = tmp_path / "report.docx"
        path.write_bytes(b"PK\x03\x04")
        return path, [str(path), "'.docx'"]
    if kind == "missing file":
        return tmp_path / "nowhere.csv", [str(tmp_path / "nowhere.csv"), "Cannot read"]
    raise AssertionError(kind)


BAD_KINDS = [
    "malformed json", "wrong format", "schema: missing title", "schema: unknown field",
    "schema: not a list", "schema: missing envelope", "bad date", "unknown taxonomy id",
    "unknown source kind", "bad country", "badly written country", "bad grade",
    "events end before they start", "unknown csv column", "repeated csv column",
    "missing csv column", "grade and reliability columns", "empty csv", "bad csv row",
    "bad csv grade", "csv taxonomy", "csv bad country", "csv empty title",
    "csv value without a column", "non-utf8 csv", "non-utf8 text", "empty text",
    "corrupt pdf", "not a pdf", "encrypted pdf", "unsupported extension", "missing file",
]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_input_names_the_place_and_stores_nothing(
        kind: str, tmp_path: Path, run_import: Callable[..., ei.ImportReport],
        stored: Callable[[], int]) -> None:
    good = write_csv(tmp_path / "good.csv", csv_line(title="A good row"))
    bad, fragments = _bad(tmp_path, kind)
    before = stored()
    with pytest.raises(InputError) as info:
        run_import(good, bad)  # a good file first: it must not be stored either
    message = str(info.value)
    assert message.startswith("Nothing was stored")
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert stored() == before == 0


def test_a_bad_file_in_a_folder_stops_the_whole_import(
        tmp_path: Path, run_import: Callable[..., ei.ImportReport],
        stored: Callable[[], int]) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("fine", encoding="utf-8")
    (tmp_path / "in" / "b.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match=re.escape(str(tmp_path / "in" / "b.xlsx"))):
        run_import(tmp_path / "in")
    assert stored() == 0


def test_many_problems_are_listed_at_once_and_capped(tmp_path: Path) -> None:
    rows = [csv_line(title=f"t{n}", published_on="bad") for n in range(80)]
    with pytest.raises(ValidationError) as info:
        read_csv(write_csv(tmp_path / "many.csv", *rows))
    problems = info.value.problems
    assert len(problems) == ei.MAX_PROBLEMS + 1
    assert problems[0].field.endswith("many.csv row 2: published_on")
    assert "more problems" in problems[-1].message


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "void").mkdir()
    with pytest.raises(InputError, match="no files"):
        ei.collect([tmp_path / "void"], NGO)


# --- dedupe ----------------------------------------------------------------------------

def test_importing_the_same_file_twice_adds_nothing(
        run_import: Callable[..., ei.ImportReport], stored: Callable[[], int]) -> None:
    first = run_import(SAMPLE_CSV)
    assert len(first.added) == 3 and stored() == 3
    again = run_import(SAMPLE_CSV)
    assert again.added == []
    assert [(d.origin, d.existing_id) for d in again.duplicates] == [
        (a.origin, a.id) for a in first.added]
    assert [(f.items, f.added, f.duplicates) for f in again.files] == [(3, 0, 3)]
    assert stored() == 3


def test_same_pdf_under_another_name_is_a_duplicate(
        tmp_path: Path, run_import: Callable[..., ei.ImportReport],
        stored: Callable[[], int]) -> None:
    raw = make_pdf(["Mission report", "Findings"], title="Mission report")
    (tmp_path / "one.pdf").write_bytes(raw)
    (tmp_path / "copy of one.pdf").write_bytes(raw)
    first = run_import(tmp_path / "one.pdf")
    again = run_import(tmp_path / "copy of one.pdf",
                       defaults=DocumentDefaults(source_kind="media"))  # other metadata too
    assert again.added == []
    assert [(d.origin, d.existing_id) for d in again.duplicates] == [
        (str(tmp_path / "copy of one.pdf"), first.added[0].id)]
    assert stored() == 1


def test_duplicate_within_one_batch_points_at_the_item_just_added(
        tmp_path: Path, run_import: Callable[..., ei.ImportReport]) -> None:
    path = write_csv(tmp_path / "twice.csv", csv_line(), csv_line(title="Other"), csv_line())
    report = run_import(path)
    assert [a.origin for a in report.added] == [f"{path} row 2", f"{path} row 3"]
    assert [(d.origin, d.existing_id) for d in report.duplicates] == [
        (f"{path} row 4", report.added[0].id)]
    assert [(f.added, f.duplicates) for f in report.files] == [(2, 1)]


# --- progress and cancel ---------------------------------------------------------------

def test_progress_and_cancel(tmp_path: Path, run_import: Callable[..., ei.ImportReport],
                             stored: Callable[[], int]) -> None:
    path = write_csv(tmp_path / "p.csv", *(csv_line(title=f"Item {n}") for n in range(5)))
    calls: list[tuple[int, int]] = []
    run_import(path, SAMPLE_CSV, progress=lambda done, total: calls.append((done, total)))
    assert calls[:2] == [(1, 2), (2, 2)] and calls[-1] == (8, 8)
    with pytest.raises(Cancelled):
        run_import(write_csv(tmp_path / "q.csv", csv_line(title="new")),
                   cancelled=lambda: True)
    assert stored() == 8


# --- properties ------------------------------------------------------------------------

_VOCAB = vocabulary()
_CELL_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                     max_size=40)
_VALUE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
                               blacklist_characters=";"), min_size=1, max_size=20)
_DATE = st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def evidence_rows(draw: st.DrawFn) -> EvidenceData:
    return EvidenceData(
        title=draw(_CELL_TEXT.filter(lambda t: t.strip() != "")),
        source_kind=draw(st.sampled_from(sorted(_VOCAB.source_kinds))),
        reliability=draw(st.sampled_from(sorted(_VOCAB.reliability))),
        credibility=draw(st.sampled_from(sorted(_VOCAB.credibility))),
        publisher=draw(_CELL_TEXT), document_ref=draw(_CELL_TEXT),
        url=draw(st.sampled_from(["", "https://example.org/x?a=1,2"])),
        published_on=draw(_DATE), events_from=draw(_DATE), events_to=draw(_DATE),
        countries=draw(st.lists(st.sampled_from(["KE", "UG", "SD", "PH", "FR"]),
                                max_size=3, unique=True)),
        places=draw(_CELL_TEXT),
        actors=draw(st.lists(_VALUE, max_size=3)),
        violations=draw(st.lists(st.sampled_from(sorted(_VOCAB.violations)), max_size=3)),
        item_categories=draw(st.lists(st.sampled_from([f"ML{n}" for n in range(1, 23)]),
                                      max_size=3)),
        summary=draw(_CELL_TEXT), full_text=draw(_CELL_TEXT))


def _csv_bytes(rows: list[EvidenceData], grade_column: bool) -> bytes:
    columns = [c for c in ei.CSV_COLUMNS
               if not (grade_column and c in ("reliability", "credibility"))]
    if grade_column:
        columns.append("grade")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for d in rows:
        cells = []
        for c in columns:
            value = d.grade if c == "grade" else getattr(d, c)
            if isinstance(value, list):
                value = "; ".join(value)
            elif isinstance(value, date):
                value = value.isoformat()
            cells.append(value or "")
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


@given(rows=st.lists(evidence_rows(), max_size=6), grade_column=st.booleans())
@settings(max_examples=60)
def test_valid_rows_round_trip_through_csv(rows: list[EvidenceData], grade_column: bool,
                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("rt") / "rows.csv"
    path.write_bytes(_csv_bytes(rows, grade_column))
    read = read_csv(path)
    assert [r.data for r in read] == rows
    assert [r.origin for r in read] == [f"{path} row {n}" for n in range(2, len(rows) + 2)]


_JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
_JSON = st.recursive(_JSON_LEAF, lambda kids: st.lists(kids, max_size=4)
                     | st.dictionaries(st.text(max_size=8), kids, max_size=4), max_leaves=20)
_FIELD_NAMES = [*ei._ITEM_KEYS, "colour"]


@st.composite
def near_valid_items(draw: st.DrawFn) -> Any:
    """Valid items with some fields swapped for junk, so both parsers get exercised."""
    obj: dict[str, Any] = item()
    for key in draw(st.lists(st.sampled_from(_FIELD_NAMES), max_size=3)):
        if draw(st.booleans()):
            obj.pop(key, None)
        else:
            obj[key] = draw(_JSON | st.sampled_from([
                "2025-13-01", "2025-02-29", ["XX", "kenya"], ["ML23"], {"kind": "ngo"},
                {"reliability": "B", "credibility": 7}, {"from": None, "to": "1999-01-01"},
                {"kind": "blog", "url": "ftp://x"}, "\ud800", ["bad id"]]))
    return obj


_DOCS = (st.builds(evidence_doc) | st.lists(near_valid_items(), max_size=3).map(
    lambda items: evidence_doc(*items)) | _JSON)


def _must_not_crash(path: Path, reader: Callable[[Path], list[Any]]) -> None:
    try:
        items = reader(path)
    except InputError:
        return
    for new in items:  # whatever was read must also survive the storing checks
        data = normalise(new.data)
        validate_evidence(data)
        content_hash(data)


@given(raw=st.binary(max_size=300) | _JSON.map(lambda v: json.dumps(v).encode())
       | _DOCS.map(lambda d: json.dumps(d).encode()))
def test_garbage_json_only_ever_raises_input_errors(
        raw: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("g") / "junk.json"
    path.write_bytes(raw)
    _must_not_crash(path, read_json)


_CSV_ALPHABET = st.sampled_from([*string.printable, "é", "\u2028", '"', ";", ",", "\r\n"])


@given(raw=st.binary(max_size=300)
       | st.lists(_CSV_ALPHABET, max_size=200).map(lambda cs: "".join(cs).encode())
       | st.lists(st.lists(_CELL_TEXT, max_size=6), max_size=5).map(
           lambda rows: (HEADER + "\n" + "\n".join(",".join(r) for r in rows)).encode())
       | st.lists(evidence_rows(), max_size=3).map(lambda rows: _csv_bytes(rows, False)[:-7]))
def test_garbage_csv_only_ever_raises_input_errors(
        raw: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("g") / "junk.csv"
    path.write_bytes(raw)
    _must_not_crash(path, read_csv)


@given(doc=_DOCS)
def test_the_fast_check_never_accepts_what_the_schema_refuses(doc: Any) -> None:
    if ei._plainly_valid(doc):
        assert ei._validator().is_valid(doc)


def test_the_fast_check_accepts_valid_files() -> None:
    full = evidence_doc(item(), item(grade={"reliability": "F", "credibility": 6},
                                     events={"from": None}, published_on=None))
    minimal = evidence_doc({"title": "t", "source": {"kind": "ngo"},
                            "grade": {"reliability": "A", "credibility": "1"}})
    for doc in (full, minimal, evidence_doc()):
        assert ei._validator().is_valid(doc)
        assert ei._plainly_valid(doc)
