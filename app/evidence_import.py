"""Importing evidence: the documented JSON and CSV formats and single documents (PDF, HTML,
plain text), read into ``NewEvidence`` and stored with one ``store_batch`` call.

Everything is read and checked before anything is stored, so an import of many files is
all-or-nothing; every error names the file, the item or row, and the field, because the
officer has to find and fix it in a file we never see. No Qt here: the window and the CLI
share these functions.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from app.casefile import schema_problems
from app.errors import FieldProblem, InputError, ValidationError
from app.evidence import (
    GRADE,
    Attachment,
    Cancelled,
    EvidenceData,
    NewEvidence,
    content_hash,
    normalise,
    store_batch,
)
from app.i18n import _
from app.uow import UnitOfWork
from app.users import Actor

SCHEMA_PATH = (Path(__file__).resolve().parent.parent / "resources" / "formats"
               / "evidence.schema.json")
FORMAT = "golden-rule/evidence"
FORMAT_VERSION = 1

CSV_COLUMNS = ("title", "publisher", "source_kind", "document_ref", "url", "published_on",
               "events_from", "events_to", "countries", "places", "actors", "violations",
               "item_categories", "reliability", "credibility", "summary", "full_text")
CSV_GRADE_COLUMN = "grade"
CSV_LIST_COLUMNS = frozenset({"countries", "actors", "violations", "item_categories"})
CSV_DATE_COLUMNS = ("published_on", "events_from", "events_to")
LIST_SEPARATOR = ";"

DOCUMENT_TYPES = {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html",
                  ".txt": "text/plain", ".md": "text/markdown"}
SUPPORTED_SUFFIXES = (".json", ".csv", *DOCUMENT_TYPES)

SUMMARY_LENGTH = 400
TITLE_LENGTH = 300
MAX_PROBLEMS = 50
_CSV_FIELD_LIMIT = 64 * 1024 * 1024  # a whole report's text may sit in one cell
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ITEM_PATH = re.compile(r"^items\[(\d+)\]\.?(.*)$")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class DocumentDefaults:
    """What a bare document cannot say about itself; the officer sets it for the batch.
    Ungraded by default (F6: neither source nor information can be judged yet)."""

    source_kind: str = ""
    reliability: str = "F"
    credibility: str = "6"
    countries: Sequence[str] = ()
    publisher: str = ""
    violations: Sequence[str] = ()


@dataclass(frozen=True)
class ImportedItem:
    id: int
    origin: str
    title: str
    grade: str


@dataclass(frozen=True)
class SkippedItem:
    origin: str
    existing_id: int
    title: str


@dataclass
class FileReport:
    path: str
    items: int
    added: int = 0
    duplicates: int = 0


@dataclass
class ImportReport:
    added: list[ImportedItem] = field(default_factory=list)
    duplicates: list[SkippedItem] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------

def _label(path: Path) -> str:
    return str(path)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(_("Cannot read {path}: {error}").format(
            path=path, error=exc.strerror or exc)) from exc


def _decode_utf8(path: Path, raw: bytes) -> str:
    """UTF-8 only (a byte-order mark is tolerated): guessing another encoding would put
    silently garbled names into the evidence base."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError(_("{path} is not UTF-8 text (line {line}, byte {pos}): save it as "
                           "UTF-8 and import it again").format(path=path, line=line,
                                                               pos=exc.start)) from exc


def _raise(problems: list[FieldProblem]) -> None:
    if problems:
        extra = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS]
        if extra > 0:
            shown.append(FieldProblem("", _("… and {n} more problems").format(n=extra)))
        raise ValidationError(shown)


def _parse_date(value: Any, where: str, problems: list[FieldProblem]) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    problems.append(FieldProblem(where, _("'{v}' is not a calendar date (YYYY-MM-DD)")
                                 .format(v=text)))
    return None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _summary(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """The opening of the text, cut at a word, so a list shows what a document is about."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = " ".join(line.strip().lstrip("#").split())
        if line and set(line) - set("=-*_ "):
            return _clip(line)
    return ""


def _clip(text: str, limit: int = TITLE_LENGTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


# --- JSON ------------------------------------------------------------------------------

@cache
def _validator() -> Draft202012Validator:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return Draft202012Validator(json.load(fh))


def _item_origin(label: str, n: int) -> str:
    return _("{file} item {n}").format(file=label, n=n)


def _located(label: str, problem: FieldProblem) -> FieldProblem:
    """'items[2].grade.reliability' becomes 'reports.json item 3: grade.reliability'; the
    message is clipped, as the schema library quotes the whole offending value."""
    message = problem.message if len(problem.message) <= 300 else \
        problem.message[:300] + "…"
    match = _ITEM_PATH.match(problem.field)
    if match:
        origin = _item_origin(label, int(match[1]) + 1)
        return FieldProblem(f"{origin}: {match[2]}" if match[2] else origin, message)
    return FieldProblem(f"{label}: {problem.field}" if problem.field else label, message)


_KIND = re.compile(r"^[a-z][a-z0-9_]*$")
_URL = re.compile(r"^$|^(https?|file)://\S+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CATEGORY = re.compile(r"^ML([1-9]|1[0-9]|2[0-2])$")
_SCHEMA_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ITEM_KEYS = frozenset({"title", "source", "published_on", "events", "countries", "places",
                        "actors", "violations", "item_categories", "grade", "summary",
                        "full_text"})
_SOURCE_KEYS = frozenset({"publisher", "kind", "document_ref", "url"})
_RELIABILITY = frozenset("ABCDEF")
_CREDIBILITY = frozenset({"1", "2", "3", "4", "5", "6", 1, 2, 3, 4, 5, 6})


def _plainly_valid(doc: Any) -> bool:
    """The schema's rules in plain Python, about fifty times faster than the schema
    library on a large file. It may refuse more than the schema (then the schema explains),
    never less: a test checks that on random documents."""
    def text(v: Any, most: int | None = None, least: int = 0) -> bool:
        return type(v) is str and len(v) >= least and (most is None or len(v) <= most)

    def matches(v: Any, pattern: re.Pattern[str]) -> bool:
        return type(v) is str and pattern.search(v) is not None

    def opt_date(v: Any) -> bool:
        return v is None or matches(v, _SCHEMA_DATE)

    def strings(v: Any, ok: Callable[[Any], bool]) -> bool:
        return type(v) is list and all(ok(x) for x in v)

    if type(doc) is not dict or set(doc) - {"about"} != {"format", "format_version", "items"} \
            or type(doc.get("about", "")) is not str \
            or doc["format"] != FORMAT or type(doc["format_version"]) is not int \
            or doc["format_version"] != FORMAT_VERSION or type(doc["items"]) is not list:
        return False
    for item in doc["items"]:
        if type(item) is not dict or not item.keys() <= _ITEM_KEYS \
                or not {"title", "source", "grade"} <= item.keys():
            return False
        source, grade = item["source"], item["grade"]
        if not text(item["title"], 1000, 1) or type(source) is not dict \
                or not source.keys() <= _SOURCE_KEYS or not matches(source.get("kind"), _KIND) \
                or not text(source.get("publisher", ""), 300) \
                or not text(source.get("document_ref", ""), 300) \
                or not matches(source.get("url", ""), _URL):
            return False
        if type(grade) is not dict or set(grade) != {"reliability", "credibility"} \
                or type(grade["reliability"]) is not str \
                or grade["reliability"] not in _RELIABILITY \
                or type(grade["credibility"]) not in (str, int) \
                or grade["credibility"] not in _CREDIBILITY:
            return False
        events = item.get("events", {})
        if type(events) is not dict or not events.keys() <= {"from", "to"} \
                or not all(opt_date(v) for v in events.values()) \
                or not opt_date(item.get("published_on")):
            return False
        if not strings(item.get("countries", []), lambda v: matches(v, _COUNTRY)) \
                or not strings(item.get("actors", []), lambda v: text(v, 300, 1)) \
                or not strings(item.get("violations", []), lambda v: matches(v, _KIND)) \
                or not strings(item.get("item_categories", []),
                               lambda v: matches(v, _CATEGORY)) \
                or not all(text(item.get(k, "")) for k in ("places", "summary", "full_text")):
            return False
    return True


def read_json(path: Path) -> list[NewEvidence]:
    """Read an evidence file (``golden-rule/evidence`` version 1)."""
    raw = _read_bytes(path)
    text = _decode_utf8(path, raw)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(_("{path} is not valid JSON: {msg} at line {line}, column {col}")
                         .format(path=path, msg=exc.msg, line=exc.lineno,
                                 col=exc.colno)) from exc
    except RecursionError as exc:
        raise InputError(_("{path} is not an evidence file: it is nested too deeply")
                         .format(path=path)) from exc
    return from_document(doc, _label(path), text)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def from_document(doc: Any, label: str, raw_text: str | None = None) -> list[NewEvidence]:
    """A parsed evidence file as items; every schema or date problem names item and field.

    ``raw_text``, when given, spares re-serialising a large document to look for unpaired
    surrogates: they can only come from a \\uD800-\\uDFFF escape in the text."""
    try:
        if raw_text is None or _SURROGATE_ESCAPE.search(raw_text):
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(_("{file} contains an invalid character (an unpaired surrogate "
                           "escape such as \\ud800)").format(file=label)) from exc
    except (RecursionError, ValueError) as exc:
        raise InputError(_("{file} is not an evidence file").format(file=label)) from exc
    if isinstance(doc, dict) and "items" not in doc and isinstance(doc.get("format"), str) \
            and doc["format"] != FORMAT:
        raise InputError(_("{file} is a '{found}' file, not an evidence file ({expected})")
                         .format(file=label, found=doc["format"], expected=FORMAT))
    problems: list[FieldProblem] = []
    if not _plainly_valid(doc):  # the schema library only to explain what is wrong
        problems = [_located(label, p) for p in schema_problems(_validator(), doc)]
        _raise(problems)
    items: list[NewEvidence] = []
    template = _("{file} item {n}")  # translated once, not once per item
    for n, obj in enumerate(doc["items"], start=1):
        origin = template.format(file=label, n=n)
        source = obj["source"]
        grade = obj["grade"]
        events = obj.get("events") or {}
        data = EvidenceData(
            title=obj["title"], source_kind=source["kind"],
            reliability=grade["reliability"], credibility=str(grade["credibility"]),
            publisher=source.get("publisher", ""), document_ref=source.get("document_ref", ""),
            url=source.get("url", ""),
            published_on=_parse_date(obj.get("published_on"), f"{origin}: published_on",
                                     problems),
            events_from=_parse_date(events.get("from"), f"{origin}: events.from", problems),
            events_to=_parse_date(events.get("to"), f"{origin}: events.to", problems),
            countries=list(obj.get("countries", [])), places=obj.get("places", ""),
            actors=list(obj.get("actors", [])), violations=list(obj.get("violations", [])),
            item_categories=list(obj.get("item_categories", [])),
            summary=obj.get("summary", ""), full_text=obj.get("full_text", ""))
        items.append(NewEvidence(data, None, origin))
    _raise(problems)
    return items


# --- CSV -------------------------------------------------------------------------------

def _column_name(cell: str) -> str:
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _row_origin(label: str, n: int) -> str:
    return _("{file} row {n}").format(file=label, n=n)


def _header(label: str, cells: list[str]) -> list[str]:
    names = [_column_name(c) for c in cells]
    known = (*CSV_COLUMNS, CSV_GRADE_COLUMN)
    problems: list[FieldProblem] = []
    where = _row_origin(label, 1)
    seen: set[str] = set()
    for name, cell in zip(names, cells, strict=True):
        if not name:
            continue
        if name not in known:
            problems.append(FieldProblem(f"{where}: {cell.strip()}", _(
                "unknown column (the columns are: {known})").format(known=", ".join(known))))
        elif name in seen:
            problems.append(FieldProblem(f"{where}: {name}", _("the column appears twice")))
        seen.add(name)
    required = ["title", "source_kind"]
    if CSV_GRADE_COLUMN in seen:
        if seen & {"reliability", "credibility"}:
            problems.append(FieldProblem(f"{where}: {CSV_GRADE_COLUMN}", _(
                "give either a grade column (B2) or reliability and credibility columns, "
                "not both")))
    else:
        required += ["reliability", "credibility"]
    missing = [c for c in required if c not in seen]
    if missing:
        problems.append(FieldProblem(where, _(
            "missing required column(s): {cols} (the first row must be the header; "
            "a single 'grade' column such as B2 may replace reliability and credibility)")
            .format(cols=", ".join(missing))))
    _raise(problems)
    return names


def read_csv(path: Path) -> list[NewEvidence]:
    """Read an evidence CSV: a header row, then one item per row ('incidents.csv row 7' is
    the seventh row as a spreadsheet shows it, the header being row 1)."""
    label = _label(path)
    text = _decode_utf8(path, _read_bytes(path))
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[FieldProblem] = []
    items: list[NewEvidence] = []
    names: list[str] | None = None
    row_no = 0
    try:
        for cells in reader:
            row_no += 1
            if names is None:
                if not any(c.strip() for c in cells):
                    raise InputError(_("{path}: row 1 must be the header row (title, "
                                       "source_kind, ...), not empty").format(path=label))
                names = _header(label, cells)
                continue
            if not any(c.strip() for c in cells):
                continue
            origin = _row_origin(label, row_no)
            item = _row_item(origin, names, cells, problems)
            if item is not None:
                items.append(item)
            if len(problems) > MAX_PROBLEMS:
                break
    except csv.Error as exc:
        raise InputError(_("{origin}: not readable as CSV: {msg}").format(
            origin=_row_origin(label, row_no + 1), msg=exc)) from exc
    if names is None:
        raise InputError(_("{path} is empty: an evidence CSV starts with a header row")
                         .format(path=label))
    _raise(problems)
    return items


def _row_item(origin: str, names: list[str], cells: list[str],
              problems: list[FieldProblem]) -> NewEvidence | None:
    values: dict[str, str] = {}
    for n, cell in enumerate(cells):
        name = names[n] if n < len(names) else ""
        if name:
            values[name] = cell
        elif cell.strip():
            problems.append(FieldProblem(origin, _(
                "a value in column {n}, which has no name in the header row").format(n=n + 1)))
            return None
    reliability = values.get("reliability", "").strip()
    credibility = values.get("credibility", "").strip()
    if CSV_GRADE_COLUMN in names:
        grade = values.get(CSV_GRADE_COLUMN, "").strip().upper()
        match = GRADE.match(grade)
        if not match:
            problems.append(FieldProblem(f"{origin}: {CSV_GRADE_COLUMN}", _(
                "'{v}' is not a grade: a letter A to F for the source, then a digit 1 to 6 "
                "for the information, such as B2").format(v=grade)))
            return None
        reliability, credibility = match[1], match[2]
    dates = {c: _parse_date(values.get(c), f"{origin}: {c}", problems)
             for c in CSV_DATE_COLUMNS}
    data = EvidenceData(
        title=values.get("title", ""), source_kind=values.get("source_kind", "").strip(),
        reliability=reliability, credibility=credibility,
        publisher=values.get("publisher", ""), document_ref=values.get("document_ref", ""),
        url=values.get("url", ""), published_on=dates["published_on"],
        events_from=dates["events_from"], events_to=dates["events_to"],
        countries=_split(values.get("countries", "")), places=values.get("places", ""),
        actors=_split(values.get("actors", "")),
        violations=_split(values.get("violations", "")),
        item_categories=_split(values.get("item_categories", "")),
        summary=values.get("summary", ""), full_text=values.get("full_text", ""))
    return NewEvidence(data, None, origin)


# --- documents -------------------------------------------------------------------------

class _HtmlText(HTMLParser):
    """The readable text of a page: no scripts or styles, block elements as paragraphs."""

    SKIP = frozenset({"script", "style", "noscript", "template", "svg"})
    BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
                       "tr", "table", "section", "article", "header", "footer", "blockquote",
                       "pre", "hr", "dd", "dt", "dl", "figcaption", "main", "nav", "aside",
                       "address", "form", "caption", "body"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = [[]]
        self.title_parts: list[str] = []
        self.h1_parts: list[str] = []
        self._skip = 0
        self._in_title = False
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.BLOCK:
            self.paragraphs.append([])
            self._in_h1 = tag == "h1" and not self.h1_parts
        elif tag in ("td", "th"):
            self.paragraphs[-1].append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in self.BLOCK:
            self.paragraphs.append([])
            if tag == "h1":
                self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._in_h1:
            self.h1_parts.append(data)
        self.paragraphs[-1].append(data)

    def text(self) -> str:
        paras = (" ".join("".join(p).split()) for p in self.paragraphs)
        return "\n\n".join(p for p in paras if p)


def _html_text(path: Path, raw: bytes) -> tuple[str, str]:
    declared = _META_CHARSET.search(raw[:4096])
    if declared and not raw.startswith(b"\xef\xbb\xbf"):
        name = declared[1].decode("ascii", "replace")
        try:
            source = raw.decode(name)
        except LookupError:
            source = _decode_utf8(path, raw)
        except UnicodeDecodeError as exc:
            raise InputError(_("{path} is not valid {charset} text, as its header declares "
                               "(byte {pos})").format(path=path, charset=name,
                                                      pos=exc.start)) from exc
    else:
        source = _decode_utf8(path, raw)
    parser = _HtmlText()
    try:
        parser.feed(source)
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser on badly broken markup
        raise InputError(_("{path} cannot be read as HTML: {msg}").format(
            path=path, msg=exc)) from exc
    title = _clip("".join(parser.title_parts)) or _clip("".join(parser.h1_parts))
    return title, parser.text()


def _pdf_text(path: Path, raw: bytes) -> tuple[str, str]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # owner-password only: still readable
            except Exception:
                opened = 0
            if not opened:
                raise InputError(_("{path} is an encrypted (password-protected) PDF: save an "
                                   "unprotected copy and import that").format(path=path))
        title = ""
        try:
            meta = reader.metadata
            title = str(meta.title or "") if meta else ""
        except Exception:  # a broken Info dictionary should not lose the text
            title = ""
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise InputError(_("{path} cannot be read as a PDF (damaged or not a PDF): {msg}")
                         .format(path=path, msg=exc or type(exc).__name__)) from exc
    text = "\n\n".join(p.replace("\x00", "").strip() for p in pages if p.strip())
    return _clip(title), text


def read_document(path: Path, defaults: DocumentDefaults) -> NewEvidence:
    """One report as one item: its text for search, the original file kept unaltered."""
    suffix = path.suffix.lower()
    media_type = DOCUMENT_TYPES.get(suffix)
    if media_type is None:
        raise InputError(_("{path}: cannot import '{ext}' files (supported: {known})").format(
            path=path, ext=suffix or path.name, known=", ".join(SUPPORTED_SUFFIXES)))
    if not defaults.source_kind:
        raise InputError(_("{path}: say what kind of source the documents are (a source "
                           "kind such as ngo or media)").format(path=path))
    raw = _read_bytes(path)
    if suffix == ".pdf":
        title, text = _pdf_text(path, raw)
    else:
        if not raw.strip():
            raise InputError(_("{path} is empty").format(path=path))
        if suffix in (".html", ".htm"):
            title, text = _html_text(path, raw)
        else:
            text = _decode_utf8(path, raw).replace("\r\n", "\n").strip()
            title = ""
    title = title.strip() or _first_line(text) or _clip(path.stem)
    data = EvidenceData(
        title=title, source_kind=defaults.source_kind, reliability=defaults.reliability,
        credibility=defaults.credibility, publisher=defaults.publisher,
        countries=list(defaults.countries), violations=list(defaults.violations),
        summary=_summary(text), full_text=text)
    return NewEvidence(data, Attachment(path.name, media_type, raw), _label(path))


# --- many files ------------------------------------------------------------------------

def expand(paths: Sequence[Path]) -> list[Path]:
    """Files named and files in folders named (recursively, sorted, hidden ones skipped),
    each once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and not any(
                part.startswith(".") for part in f.relative_to(path).parts))
            if not found:
                raise InputError(_("{path}: the folder has no files to import").format(
                    path=path))
        elif path.is_file():
            found = [path]
        else:
            raise InputError(_("Cannot read {path}: no such file or folder").format(
                path=path))
        for f in found:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def read_file(path: Path, defaults: DocumentDefaults) -> list[NewEvidence]:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json(path)
    if suffix == ".csv":
        return read_csv(path)
    return [read_document(path, defaults)]


def read_files(paths: Sequence[Path], defaults: DocumentDefaults, *,
               progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None
               ) -> list[tuple[str, list[NewEvidence]]]:
    files = expand(paths)
    for f in files:  # refuse an unsupported file before spending time on the others
        if f.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise InputError(_("{path}: cannot import '{ext}' files (supported: {known})")
                             .format(path=f, ext=f.suffix or f.name,
                                     known=", ".join(SUPPORTED_SUFFIXES)))
    out: list[tuple[str, list[NewEvidence]]] = []
    for n, f in enumerate(files, start=1):
        if cancelled and cancelled():
            raise Cancelled()
        out.append((_label(f), read_file(f, defaults)))
        if progress:
            progress(n, len(files))
    return out


def collect(paths: Sequence[Path], defaults: DocumentDefaults) -> list[NewEvidence]:
    """Every item in the files and folders named, in order; raises on the first bad file."""
    return [item for _label_, items in read_files(paths, defaults) for item in items]


def import_paths(uow: UnitOfWork, actor: Actor, paths: Sequence[Path],
                 defaults: DocumentDefaults, progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None, *,
                 is_demo: bool = False) -> ImportReport:
    """Read every file, then store all items in one transaction: any bad file or item and
    nothing is stored. ``progress(done, total)`` counts files while reading, then items
    while storing."""
    try:
        files = read_files(paths, defaults, progress=progress, cancelled=cancelled)
    except ValidationError as exc:
        raise ValidationError(exc.problems, context=_("Nothing was stored")) from exc
    except InputError as exc:
        raise InputError(_("Nothing was stored: {msg}").format(msg=exc)) from exc
    items = [item for _label_, group in files for item in group]
    labels = [label for label, _group in files]
    source = ", ".join(labels[:20]) + (_(" and {n} more").format(n=len(labels) - 20)
                                       if len(labels) > 20 else "")
    result = store_batch(uow, actor, items, is_demo=is_demo, source=source[:2000],
                         progress=progress, cancelled=cancelled)
    return _report(files, result.added, result.duplicates)


def _report(files: list[tuple[str, list[NewEvidence]]], added: list[int],
            duplicates: list[tuple[str, int]]) -> ImportReport:
    """Match store_batch's answer (ids in input order, duplicates by origin) to the items;
    a duplicate of an item earlier in the same batch comes back as -1 and is resolved
    here to that item's new id."""
    dup_of = dict(duplicates)
    new_ids = iter(added)
    by_content: dict[str, int] = {}
    by_file: dict[str, int] = {}
    resolve = any(existing < 0 for existing in dup_of.values())
    report = ImportReport()
    for label, group in files:
        counts = FileReport(label, len(group))
        for item in group:
            att = item.attachment.sha256 if item.attachment else None
            key = content_hash(normalise(item.data), att) if resolve else ""
            existing = dup_of.get(item.origin)
            if existing is None:
                new_id = next(new_ids, -1)
                report.added.append(ImportedItem(new_id, item.origin,
                                                 " ".join(item.data.title.split()),
                                                 normalise(item.data).grade))
                counts.added += 1
                if resolve:
                    by_content.setdefault(key, new_id)
                    if att:
                        by_file.setdefault(att, new_id)
            else:
                if existing < 0:
                    existing = by_content.get(key) or (by_file.get(att, -1) if att else -1)
                report.duplicates.append(SkippedItem(item.origin, existing,
                                                     " ".join(item.data.title.split())))
                counts.duplicates += 1
        report.files.append(counts)
    return report
