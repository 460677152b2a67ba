"""Importing past licence decisions from a previous system, as legacy records.

An authority starting with Golden Rule has years of decisions in its old system, and the
consistency view, the audit search and the oversight reports need them. Two readers give
the same plain licences (docs/formats/legacy-decisions.md):

- ``generic``: a documented CSV, one row per goods line; rows with one reference are one
  licence;
- ``caat-uk``: the UK licensing statistics compiled by CAAT, a values file (one row per
  rating of a licence group) and a refusal-criteria file.

Everything is read and checked before anything is stored, and every error names the file,
the line and the field. Then, in one transaction, each licence becomes a case, its goods
lines, an end-user party, an assessment row and an unsigned decision record (origin
``import:<source>``) whose snapshot is the licence's source rows, each record logged by its
own chained ``decision.import`` event so that ``audit verify`` accounts for it. Rows go in
with bulk inserts, chunk by chunk, so progress and cancel work: 54,098 UK licences take
about 20 seconds. Importing history is an administrator's job (``MANAGE_SETTINGS``).
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from datetime import time as clock
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.canonical import canonical_bytes, event_hash, plain, sha256_hex
from app.cases import parse_reference as app_reference
from app.changes import chain_head, now_utc, record_change
from app.csv_text import read_utf8
from app.errors import (
    Cancelled,
    FieldProblem,
    InputError,
    ReferenceDataError,
    ValidationError,
)
from app.i18n import _
from app.reference import REFERENCE_DIR, ReferenceData, _load_yaml, reference
from app.roles import Actor, Permission, require
from app.uow import UnitOfWork
from app.vocab import PartyKind
from db.models import (
    Assessment,
    Case,
    ChangeEvent,
    DecisionRow,
    FrameworkText,
    GoodsLine,
    Party,
    User,
)

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]

FORMATS = ("generic", "caat-uk")
RECORD_FORMAT = "goldenrule.legacy-record/1"
ALIASES_PATH = REFERENCE_DIR / "country_aliases.yaml"

GENERIC_COLUMNS = ("reference", "decision_date", "received_date", "destination",
                   "licence_type", "outcome", "criteria", "control_entry", "description",
                   "quantity", "unit", "value", "currency", "exporter", "end_user",
                   "end_user_kind", "revoked_date", "att_category")
GENERIC_REQUIRED = ("reference", "decision_date", "destination", "licence_type", "outcome",
                    "control_entry", "quantity", "value", "currency")
#: Columns that describe the licence, not the goods line: every row of a licence agrees.
LICENCE_FIELDS = ("decision_date", "received_date", "destination", "licence_type", "outcome",
                  "criteria", "exporter", "end_user", "end_user_kind", "revoked_date")
CAAT_VALUES_COLUMNS = ("licence_group", "date", "rating", "count", "value", "country",
                       "refused")
CAAT_CRITERIA_COLUMNS = ("licence_group", "criteria", "description")

#: Outcome in the file -> (decision outcome, case status).
OUTCOMES = {"issued": ("approve", "approved"), "refused": ("refuse", "refused"),
            "revoked": ("approve", "revoked")}
CRITERIA_SEPARATOR = ";"
MAX_PROBLEMS = 50
CHUNK = 2000
REFERENCE_LENGTH = 32  # Case.reference
_SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_PREFIX = re.compile(r"^[A-Z0-9](?:[A-Z0-9-]{0,18}[A-Z0-9])?$")
_CRITERION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.()-]{0,31}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_NOT_IN_REFERENCE = re.compile(r"[^A-Za-z0-9.-]+")
_NOON = clock(12, 0)


# --- country names -------------------------------------------------------------------------

@dataclass(frozen=True)
class CountryNames:
    """ISO alpha-2 codes, the reference table's English names and the alias table's names,
    matched ignoring case and repeated spaces."""

    codes: frozenset[str]
    by_name: dict[str, str]

    def code(self, text: str) -> str | None:
        name = " ".join(text.split())
        if len(name) == 2 and name.upper() in self.codes:
            return name.upper()
        return self.by_name.get(name.casefold())


def load_country_names(ref: ReferenceData | None = None,
                       aliases: Path = ALIASES_PATH) -> CountryNames:
    ref = ref or reference()
    by_name = {" ".join(c.name.split()).casefold(): code for code, c in ref.countries.items()}
    data = _load_yaml(aliases)
    rows = data.get("aliases")
    if not isinstance(rows, list):
        raise ReferenceDataError(_("Reference table {path}: 'aliases' must be a list").format(
            path=aliases))
    for n, row in enumerate(rows, start=1):
        name = row.get("name") if isinstance(row, dict) else None
        code = row.get("code") if isinstance(row, dict) else None
        if not isinstance(name, str) or not name.strip() or code not in ref.countries:
            raise ReferenceDataError(_(
                "Reference table {path}: aliases[{n}] needs a name and the alpha-2 code of a "
                "country in countries.yaml").format(path=aliases, n=n))
        key = " ".join(name.split()).casefold()
        if by_name.get(key, code) != code:
            raise ReferenceDataError(_(
                "Reference table {path}: aliases[{n}] maps '{name}' to {code}, but it already "
                "means {other}").format(path=aliases, n=n, name=name, code=code,
                                        other=by_name[key]))
        by_name[key] = code
    return CountryNames(frozenset(ref.countries), by_name)


@cache
def country_names() -> CountryNames:
    """The shipped tables, loaded once per process."""
    return load_country_names()


# --- what the readers give -----------------------------------------------------------------

@dataclass(frozen=True)
class SourceFile:
    name: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class LegacyLine:
    control_entry: str
    description: str
    quantity: Decimal
    unit: str
    value: Decimal
    currency: str
    #: ATT category (I..VIII, AMMO, PARTS, NONE) when the old system recorded it, else "".
    att_category: str = ""


@dataclass
class LegacyLicence:
    """One licence decision of the previous system, with the rows it was read from."""

    reference: str
    file: str
    line: int
    decision_date: date
    destination: str
    destination_as_written: str
    licence_type: str
    outcome: str  # issued, refused or revoked
    criteria: tuple[str, ...] = ()
    received_date: date | None = None
    revoked_date: date | None = None
    exporter: str = ""
    end_user: str = ""
    end_user_kind: str = ""
    lines: list[LegacyLine] = field(default_factory=list)
    #: {"file", "line", "values"} for every source row, values exactly as read.
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LegacyBatch:
    adapter: str
    files: list[SourceFile]
    licences: list[LegacyLicence]
    #: Criterion -> its wording in the source ("" when the source gives none).
    criteria: dict[str, str]


@dataclass(frozen=True)
class LegacyImportReport:
    source: str
    adapter: str
    files: tuple[SourceFile, ...]
    licences: int
    issued: int
    refused: int
    revoked: int
    goods_lines: int
    records: int
    first_reference: str
    last_reference: str
    framework_sha256: str
    seconds: float


# --- reading helpers -----------------------------------------------------------------------

def _where(label: str, line: int, column: str = "") -> str:
    head = _("{file} line {line}").format(file=label, line=line)
    return f"{head}: {column}" if column else head


def _raise(problems: list[FieldProblem]) -> None:
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(FieldProblem("", _("… and {n} more problems").format(
                n=len(problems) - MAX_PROBLEMS)))
        raise ValidationError(shown, context=_("Nothing was stored"))


@dataclass
class _Csv:
    label: str
    source: SourceFile
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line of the row's start, cells)


def _column_name(cell: str) -> str:
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _read_csv(path: Path) -> _Csv:
    label, raw, text = read_utf8(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    start = 1
    try:
        for cells in reader:
            if header is None:
                header = [_column_name(c) for c in cells]
            elif any(c.strip() for c in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(_("Nothing was stored: {where}: not readable as CSV: {msg}").format(
            where=_where(label, start), msg=exc)) from exc
    if not header or not any(header):
        raise InputError(_("Nothing was stored: {path} is empty: it must start with a header "
                           "row").format(path=label))
    return _Csv(label, SourceFile(path.name, sha256_hex(raw), len(rows)), header, rows)


def _check_header(data: _Csv, known: Sequence[str], required: Sequence[str]) -> None:
    problems = []
    where = _where(data.label, 1)
    seen: set[str] = set()
    for name in data.header:
        if name and name not in known:
            problems.append(FieldProblem(f"{where}: {name}", _(
                "unknown column (the columns are: {known})").format(known=", ".join(known))))
        elif name in seen:
            problems.append(FieldProblem(f"{where}: {name}", _("the column appears twice")))
        seen.add(name)
    missing = [c for c in required if c not in seen]
    if missing:
        problems.append(FieldProblem(where, _("missing column(s): {names}").format(
            names=", ".join(missing))))
    _raise(problems)


def _values(data: _Csv, line: int, cells: list[str],
            problems: list[FieldProblem]) -> dict[str, str] | None:
    if len(cells) > len(data.header) and any(c.strip() for c in cells[len(data.header):]):
        problems.append(FieldProblem(_where(data.label, line), _(
            "more values than the header row has columns ({n})").format(n=len(data.header))))
        return None
    values = dict.fromkeys(data.header, "")
    values.update(zip(data.header, cells, strict=False))
    values.pop("", None)
    return values


def _date(text: str, where: str, problems: list[FieldProblem], *,
          required: bool) -> date | None:
    text = text.strip()
    if not text:
        if required:
            problems.append(FieldProblem(where, _("a date (YYYY-MM-DD) is required")))
        return None
    if _ISO_DATE.match(text):
        try:
            value = date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if value > date.today():
                problems.append(FieldProblem(where, _("{d} is in the future").format(d=text)))
            return value
    problems.append(FieldProblem(where, _("'{v}' is not a calendar date (YYYY-MM-DD)").format(
        v=text)))
    return None


def _amount(text: str, where: str, problems: list[FieldProblem], *, zero: bool) -> Decimal:
    """A plain decimal ('1500', '892500.00'); ``zero``: may be 0, else must be above 0."""
    text = text.strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    exponent = value.as_tuple().exponent
    if not text or not value.is_finite() or "e" in text.lower() or not isinstance(exponent, int):
        problems.append(FieldProblem(where, _("'{v}' is not a decimal number").format(v=text)))
    elif value < 0 or (value == 0 and not zero):
        problems.append(FieldProblem(where, _("must be greater than zero") if not zero
                                     else _("cannot be negative")))
    elif exponent < -6 or value >= Decimal("1e15"):
        problems.append(FieldProblem(where, _(
            "at most 15 digits before the decimal point and 6 after")))
    else:
        return value
    return Decimal(0)


def _text(values: dict[str, str], column: str, where: str, problems: list[FieldProblem],
          limit: int, *, required: bool = False) -> str:
    text = " ".join(values.get(column, "").split())
    if required and not text:
        problems.append(FieldProblem(where, _("a value is required")))
    elif len(text) > limit:
        problems.append(FieldProblem(where, _("at most {n} characters").format(n=limit)))
    return text


def _unknown_country(where: str, name: str) -> FieldProblem:
    return FieldProblem(where, _(
        "'{name}' is neither an ISO 3166-1 alpha-2 code nor a country name Golden Rule "
        "knows: add it to {aliases} and import again").format(
            name=name, aliases="resources/reference/country_aliases.yaml"))


def _source_row(file: str, line: int, values: dict[str, str]) -> dict[str, Any]:
    return {"file": file, "line": line, "values": values}


# --- the generic CSV -----------------------------------------------------------------------

def _criteria(text: str, where: str, problems: list[FieldProblem]) -> tuple[str, ...]:
    out: list[str] = []
    for part in text.split(CRITERIA_SEPARATOR):
        token = part.strip()
        if not token:
            continue
        if not _CRITERION.match(token):
            problems.append(FieldProblem(where, _(
                "'{v}' is not a criterion (letters, digits, '.', '(', ')' and '-', separated "
                "by ';', such as 1;2a;7)").format(v=token)))
        elif token not in out:
            out.append(token)
    return tuple(out)


def _generic_row(data: _Csv, line: int, values: dict[str, str], names: CountryNames,
                 ref: ReferenceData, problems: list[FieldProblem]
                 ) -> tuple[str, dict[str, Any], LegacyLine] | None:
    """(reference, the licence's fields, the goods line) of one row, or None."""
    before = len(problems)

    def at(column: str) -> str:
        return _where(data.label, line, column)

    reference_text = _text(values, "reference", at("reference"), problems, 100, required=True)
    decided = _date(values["decision_date"], at("decision_date"), problems, required=True)
    received = _date(values.get("received_date", ""), at("received_date"), problems,
                     required=False)
    revoked = _date(values.get("revoked_date", ""), at("revoked_date"), problems,
                    required=False)
    written = " ".join(values["destination"].split())
    destination = names.code(written) if written else None
    if not written:
        problems.append(FieldProblem(at("destination"), _("a value is required")))
    elif destination is None:
        problems.append(_unknown_country(at("destination"), written))
    licence_type = values["licence_type"].strip()
    if licence_type not in ref.licence_types:
        problems.append(FieldProblem(at("licence_type"), _(
            "'{v}' is not a licence type of this authority ({known}); add retired types to "
            "licence_types.yaml with active: false").format(
                v=licence_type, known=", ".join(ref.licence_types))))
    outcome = values["outcome"].strip().lower()
    if outcome not in OUTCOMES:
        problems.append(FieldProblem(at("outcome"), _("'{v}' is not an outcome ({known})")
                                     .format(v=values["outcome"].strip(),
                                             known=", ".join(OUTCOMES))))
    criteria = _criteria(values.get("criteria", ""), at("criteria"), problems)
    if outcome == "issued" and criteria:
        problems.append(FieldProblem(at("criteria"), _(
            "an issued licence cites no criteria (criteria are the grounds of a refusal or "
            "a revocation)")))
    if outcome == "revoked" and revoked is None and not values.get("revoked_date", "").strip():
        problems.append(FieldProblem(at("revoked_date"), _(
            "a revoked licence needs the date it was revoked")))
    elif outcome in ("issued", "refused") and revoked is not None:
        problems.append(FieldProblem(at("revoked_date"), _(
            "only a revoked licence has a revocation date")))
    if decided and received and received > decided:
        problems.append(FieldProblem(at("received_date"), _(
            "is after the decision date ({d})").format(d=decided.isoformat())))
    if decided and revoked and revoked < decided:
        problems.append(FieldProblem(at("revoked_date"), _(
            "is before the decision date ({d})").format(d=decided.isoformat())))
    kind = values.get("end_user_kind", "").strip().lower()
    if kind and kind not in {k.value for k in PartyKind}:
        problems.append(FieldProblem(at("end_user_kind"), _(
            "'{v}' is not a kind of party ({known})").format(
                v=kind, known=", ".join(k.value for k in PartyKind))))
    unit = values.get("unit", "").strip() or "pcs"
    if unit not in ref.units:
        problems.append(FieldProblem(at("unit"), _("'{v}' is not a known unit ({known})").format(
            v=unit, known=", ".join(ref.units))))
    att = values.get("att_category", "").strip().upper()
    if att and att not in ref.att_categories:
        problems.append(FieldProblem(at("att_category"), _(
            "'{v}' is not an ATT category ({known})").format(
                v=att, known=", ".join(ref.att_categories))))
    currency = values["currency"].strip().upper()
    if currency not in ref.currencies:
        problems.append(FieldProblem(at("currency"), _(
            "'{v}' is not an accepted currency").format(v=values["currency"].strip())))
    goods = LegacyLine(
        control_entry=_text(values, "control_entry", at("control_entry"), problems, 64,
                            required=True),
        description=" ".join(values.get("description", "").split()),
        quantity=_amount(values["quantity"], at("quantity"), problems, zero=False),
        unit=unit,
        value=_amount(values["value"], at("value"), problems, zero=True),
        currency=currency, att_category=att)
    head = {"decision_date": decided, "received_date": received, "destination": destination,
            "destination_as_written": written, "licence_type": licence_type,
            "outcome": outcome, "criteria": criteria,
            "exporter": _text(values, "exporter", at("exporter"), problems, 300),
            "end_user": _text(values, "end_user", at("end_user"), problems, 300),
            "end_user_kind": kind, "revoked_date": revoked}
    if len(problems) > before:
        return None
    return reference_text, head, goods


def read_generic(paths: Sequence[Path], names: CountryNames | None = None,
                 ref: ReferenceData | None = None,
                 cancelled: IsCancelled | None = None) -> LegacyBatch:
    """Licences from generic CSV files; rows with one reference (in any of the files) are
    one licence and must agree on every licence column."""
    names, ref = names or country_names(), ref or reference()
    problems: list[FieldProblem] = []
    files: list[SourceFile] = []
    licences: dict[str, LegacyLicence] = {}
    heads: dict[str, dict[str, Any]] = {}
    for path in paths:
        data = _read_csv(path)
        _check_header(data, GENERIC_COLUMNS, GENERIC_REQUIRED)
        files.append(data.source)
        for n, (line, cells) in enumerate(data.rows):
            if cancelled is not None and n % 5000 == 0 and cancelled():
                raise Cancelled()
            values = _values(data, line, cells, problems)
            parsed = _generic_row(data, line, values, names, ref, problems) if values else None
            if parsed is None:
                if len(problems) > MAX_PROBLEMS:
                    _raise(problems)
                continue
            key, head, goods = parsed
            licence = licences.get(key)
            if licence is None:
                heads[key] = head
                licence = licences[key] = LegacyLicence(
                    reference=key, file=data.source.name, line=line,
                    decision_date=head["decision_date"], destination=head["destination"],
                    destination_as_written=head["destination_as_written"],
                    licence_type=head["licence_type"], outcome=head["outcome"],
                    criteria=head["criteria"], received_date=head["received_date"],
                    revoked_date=head["revoked_date"], exporter=head["exporter"],
                    end_user=head["end_user"], end_user_kind=head["end_user_kind"])
            else:
                first = heads[key]
                for column in LICENCE_FIELDS:
                    if head[column] != first[column]:
                        problems.append(FieldProblem(_where(data.label, line, column), _(
                            "differs from the licence's first row ({file} line {line}): "
                            "every row of licence {ref} must give the same {column}").format(
                                file=licence.file, line=licence.line, ref=key,
                                column=column)))
            licence.lines.append(goods)
            licence.rows.append(_source_row(data.source.name, line, values))
    _raise(problems)
    if not licences:
        raise InputError(_("Nothing was stored: the files hold no licence rows."))
    criteria = {c: "" for lic in licences.values() for c in lic.criteria}
    return LegacyBatch("generic", files, list(licences.values()), criteria)


# --- the CAAT compilation of UK licensing statistics ---------------------------------------

def read_caat_uk(values_path: Path, criteria_path: Path, names: CountryNames | None = None,
                 cancelled: IsCancelled | None = None) -> LegacyBatch:
    """Licence groups from CAAT's values file and refusal-criteria file: a group listed in
    the criteria file was refused citing those criteria, every other group was issued.
    Values are pounds sterling, licences SIELs, the count is the quantity."""
    names = names or country_names()
    problems: list[FieldProblem] = []
    values_csv = _read_csv(values_path)
    _check_header(values_csv, CAAT_VALUES_COLUMNS, CAAT_VALUES_COLUMNS)
    criteria_csv = _read_csv(criteria_path)
    _check_header(criteria_csv, CAAT_CRITERIA_COLUMNS, CAAT_CRITERIA_COLUMNS)
    licences: dict[str, LegacyLicence] = {}
    unknown: dict[str, int] = {}
    label = values_csv.label
    for n, (line, cells) in enumerate(values_csv.rows):
        if cancelled is not None and n % 5000 == 0 and cancelled():
            raise Cancelled()
        if len(problems) > MAX_PROBLEMS:
            break
        values = _values(values_csv, line, cells, problems)
        if values is None:
            continue
        before = len(problems)
        group = values["licence_group"].strip()
        if not group.isdigit() or int(group) == 0:
            problems.append(FieldProblem(_where(label, line, "licence_group"), _(
                "'{v}' is not a licence group number").format(v=group)))
        decided = _date(values["date"], _where(label, line, "date"), problems, required=True)
        rating = _text(values, "rating", _where(label, line, "rating"), problems, 64,
                       required=True)
        count = _amount(values["count"], _where(label, line, "count"), problems, zero=False)
        value = (_amount(values["value"], _where(label, line, "value"), problems, zero=True)
                 if values["value"].strip() else Decimal(0))
        refused = values["refused"].strip()
        if refused not in ("", "0", "1"):
            problems.append(FieldProblem(_where(label, line, "refused"), _(
                "'{v}' is not 0 or 1").format(v=refused)))
        written = " ".join(values["country"].split())
        destination = names.code(written) if written else None
        if not written:
            problems.append(FieldProblem(_where(label, line, "country"),
                                         _("a value is required")))
        elif destination is None and written not in unknown:
            unknown[written] = line
            problems.append(_unknown_country(_where(label, line, "country"), written))
        if len(problems) > before or decided is None or destination is None:
            continue
        key = str(int(group))
        licence = licences.get(key)
        if licence is None:
            licence = licences[key] = LegacyLicence(
                reference=key, file=values_csv.source.name, line=line, decision_date=decided,
                destination=destination, destination_as_written=written, licence_type="SIEL",
                outcome="issued")
        elif (decided, written) != (licence.decision_date, licence.destination_as_written):
            problems.append(FieldProblem(_where(label, line), _(
                "licence group {group} has another date or country on line {first} "
                "({d}, {c}): a group is one licence decision").format(
                    group=group, first=licence.line, d=licence.decision_date.isoformat(),
                    c=licence.destination_as_written)))
            continue
        if refused == "1":
            licence.outcome = "refused"
        licence.lines.append(LegacyLine(rating, "", count, "pcs", value, "GBP"))
        licence.rows.append(_source_row(values_csv.source.name, line, values))
    _raise(problems)
    criteria: dict[str, str] = {}
    label = criteria_csv.label
    for line, cells in criteria_csv.rows:
        values = _values(criteria_csv, line, cells, problems)
        if values is None:
            continue
        group = values["licence_group"].strip()
        licence = licences.get(str(int(group))) if group.isdigit() else None
        criterion = values["criteria"].strip()
        if licence is None:
            problems.append(FieldProblem(_where(label, line, "licence_group"), _(
                "'{v}' is not a licence group of {values}").format(
                    v=group, values=values_csv.source.name)))
        elif not re.fullmatch(r"[0-9]{1,2}[a-z]?", criterion):
            problems.append(FieldProblem(_where(label, line, "criteria"), _(
                "'{v}' is not a criterion number (1 to 8)").format(v=criterion)))
        else:
            licence.outcome = "refused"
            if criterion not in licence.criteria:
                licence.criteria = (*licence.criteria, criterion)
            criteria.setdefault(criterion, " ".join(values["description"].split()))
            licence.rows.append(_source_row(criteria_csv.source.name, line, values))
        if len(problems) > MAX_PROBLEMS:
            break
    _raise(problems)
    if not licences:
        raise InputError(_("Nothing was stored: {path} holds no licence rows.").format(
            path=values_csv.label))
    return LegacyBatch("caat-uk", [values_csv.source, criteria_csv.source],
                       list(licences.values()), criteria)


# --- storing -------------------------------------------------------------------------------

def check_source(source: str) -> str:
    source = source.strip()
    if not _SOURCE.match(source):
        raise InputError(_("'{v}' is not a source name: up to 40 letters, digits, '.', '_' "
                           "and '-', such as caat-uk or siel-2010-2020").format(v=source))
    return source


def default_prefix(source: str) -> str:
    return "LEGACY-" + re.sub(r"[^A-Z0-9]+", "-", source.upper()).strip("-")


def check_prefix(prefix: str) -> str:
    prefix = prefix.strip().upper()
    if not _PREFIX.match(prefix):
        raise InputError(_("'{v}' is not a reference prefix: up to 20 letters, digits and "
                           "'-', such as LEGACY-UK").format(v=prefix))
    return prefix


def previous_import(session: Session, source: str) -> str | None:
    """How an earlier import of ``source`` is described, or None when there was none."""
    row = session.execute(
        select(ChangeEvent.at, User.username, User.full_name)
        .join(User, User.id == ChangeEvent.actor_id, isouter=True)
        .where(ChangeEvent.action == "legacy.import", ChangeEvent.entity == "legacy",
               ChangeEvent.entity_id == source)
        .order_by(ChangeEvent.id).limit(1)).first()
    if row is not None:
        return _("'{source}' was already imported on {when} by {who}.").format(
            source=source, when=row.at.strftime("%Y-%m-%d %H:%M UTC"),
            who=row.full_name or row.username or _("the system"))
    found = session.scalar(select(DecisionRow.id).where(
        DecisionRow.origin == f"import:{source}").limit(1))
    if found is not None:
        return _("The database already holds records imported from '{source}'.").format(
            source=source)
    return None


def case_reference(prefix: str, adapter: str, old: str) -> str:
    """'LEGACY-UK-0000052' for CAAT group 52; PREFIX-REFERENCE for the generic format, with
    anything but letters, digits, '.' and '-' written as '-' (a '/' would read as a
    record number)."""
    if adapter == "caat-uk":
        return f"{prefix}-{int(old):07d}"
    return f"{prefix}-{_NOT_IN_REFERENCE.sub('-', old).strip('-')}"


def _references(session: Session, batch: LegacyBatch, prefix: str) -> list[str]:
    problems: list[FieldProblem] = []
    refs: list[str] = []
    seen: dict[str, LegacyLicence] = {}
    for lic in batch.licences:
        ref = case_reference(prefix, batch.adapter, lic.reference)
        where = _where(lic.file, lic.line, "reference")
        if len(ref) > REFERENCE_LENGTH:
            problems.append(FieldProblem(where, _(
                "{ref} is longer than {n} characters: use a shorter --prefix").format(
                    ref=ref, n=REFERENCE_LENGTH)))
        elif app_reference(ref) is not None:
            problems.append(FieldProblem(where, _(
                "{ref} has the form of the references Golden Rule gives new cases: use "
                "another --prefix").format(ref=ref)))
        elif ref in seen:
            other = seen[ref]
            problems.append(FieldProblem(where, _(
                "licence {a} becomes {ref}, as does licence {b} ({file} line {line})").format(
                    a=lic.reference, ref=ref, b=other.reference, file=other.file,
                    line=other.line)))
        seen[ref] = lic
        refs.append(ref)
    _raise(problems)
    taken: set[str] = set()
    for start in range(0, len(refs), 900):
        taken.update(session.scalars(select(Case.reference).where(
            Case.reference.in_(refs[start:start + 900]))))
    if taken:
        k = next(k for k, ref in enumerate(refs) if ref in taken)
        lic = batch.licences[k]
        raise InputError(_("Nothing was stored: {where}: case {ref} already exists; use "
                           "another --prefix").format(
            where=_where(lic.file, lic.line, "reference"), ref=refs[k]))
    return refs


def framework_title(batch: LegacyBatch, source: str) -> str:
    if batch.adapter == "caat-uk":
        return ("UK Consolidated EU and National Arms Export Licensing Criteria (2000), as "
                "cited in the UK licensing statistics")
    return f"Criteria cited by the previous licensing system ({source})"


def framework_text(batch: LegacyBatch, source: str) -> str:
    """What the criteria numbers of the imported records mean, kept as the records'
    framework text: legacy records were not assessed under a Golden Rule framework."""
    title = framework_title(batch, source)
    lines = [
        "# The criteria legacy decisions cite, numbered as the previous system numbered them.",
        "# Not an assessment framework: the records were imported, not assessed here.",
        f"id: {json.dumps('legacy:' + source)}",
        'version: "1"',
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"source: {json.dumps(source)}",
        f"format: {json.dumps(batch.adapter)}",
        "files:",
        *(f"  - {{name: {json.dumps(f.name, ensure_ascii=False)}, sha256: \"{f.sha256}\"}}"
          for f in batch.files),
        "criteria:" if batch.criteria else "criteria: []",
    ]
    for criterion in sorted(batch.criteria, key=_natural):
        lines.append(f"  - id: {json.dumps(criterion)}")
        if batch.criteria[criterion]:
            lines.append(f"    text: {json.dumps(batch.criteria[criterion], ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _noon(day: date) -> datetime:
    return datetime.combine(day, _NOON, UTC)


def _listing(criteria: Sequence[str]) -> str:
    return ", ".join(criteria) if criteria else _("none recorded")


@dataclass
class _Writer:
    """Writes chunks of licences with core bulk inserts and appends one chained
    ``decision.import`` event per record."""

    session: Session
    actor: Actor
    source: str
    adapter: str
    framework: FrameworkText
    now: datetime
    head: tuple[int, str] | None = None
    records: int = 0
    is_demo: bool = False
    goods: int = 0

    @property
    def origin(self) -> str:
        return f"import:{self.source}"

    def write(self, licences: list[LegacyLicence], refs: list[str]) -> None:
        s, now, actor_id = self.session, self.now, self.actor.id
        case_ids = self._insert(Case, [dict(
            reference=ref, status=OUTCOMES[lic.outcome][1], licence_type=lic.licence_type,
            exporter_name=lic.exporter, destination=lic.destination,
            received_date=lic.received_date, is_demo=self.is_demo, notes=self._notes(lic),
            created_at=now, created_by_id=actor_id, updated_at=now, updated_by_id=actor_id,
            row_version=1) for lic, ref in zip(licences, refs, strict=True)])
        s.execute(insert(Party.__table__), [dict(
            case_id=cid, position=0, role="end_user", name=lic.end_user, address="",
            country=lic.destination, kind=lic.end_user_kind)
            for cid, lic in zip(case_ids, licences, strict=True)])
        goods = [dict(case_id=cid, position=k, description=g.description,
                      control_entry=g.control_entry, att_category=g.att_category,
                      quantity=str(g.quantity), unit=g.unit, value=str(g.value),
                      currency=g.currency)
                 for cid, lic in zip(case_ids, licences, strict=True)
                 for k, g in enumerate(lic.lines)]
        s.execute(insert(GoodsLine.__table__), goods)
        self.goods += len(goods)
        fw = self.framework
        assessment_ids = self._insert(Assessment, [dict(
            case_id=cid, framework_id=fw.framework_id, framework_sha256=fw.sha256,
            check_reviews={}, current_step="summary", created_at=now, created_by_id=actor_id,
            updated_at=now, updated_by_id=actor_id, row_version=1) for cid in case_ids])
        decisions = [self._record(lic, ref, cid, aid, "decision")
                     for lic, ref, cid, aid in zip(licences, refs, case_ids, assessment_ids,
                                                   strict=True)]
        decision_ids = self._insert(DecisionRow, decisions)
        logged = list(zip(decision_ids, decisions, refs, strict=True))
        revoked = [(k, lic) for k, lic in enumerate(licences) if lic.outcome == "revoked"]
        if revoked:
            follow = [{**self._record(lic, refs[k], case_ids[k], assessment_ids[k],
                                      "revocation"), "previous_id": decision_ids[k]}
                      for k, lic in revoked]
            ids = self._insert(DecisionRow, follow)
            logged += [(i, row, refs[k]) for i, row, (k, _lic) in
                       zip(ids, follow, revoked, strict=True)]
        self._events(logged)

    def _insert(self, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
        table = model.__table__
        return list(self.session.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))

    def _notes(self, lic: LegacyLicence) -> str:
        return _("Legacy record imported from '{source}': licence {ref} ({file} line {line}). "
                 "Destination as written: {dest}.").format(
            source=self.source, ref=lic.reference, file=lic.file, line=lic.line,
            dest=lic.destination_as_written)

    def _record(self, lic: LegacyLicence, ref: str, case_id: int, assessment_id: int,
                kind: str) -> dict[str, Any]:
        outcome, status = OUTCOMES[lic.outcome]
        if kind == "revocation":
            assert lic.revoked_date is not None
            day, before, after, criteria = lic.revoked_date, "approved", "revoked", lic.criteria
            rationale = _("Revoked in the previous system ({source}) on {day}, citing "
                          "criteria: {criteria}. Imported as a legacy record.").format(
                source=self.source, day=day.isoformat(), criteria=_listing(criteria))
            sequence = 2
        else:
            day, before, sequence = lic.decision_date, "in_assessment", 1
            after = "approved" if status == "revoked" else status
            criteria = lic.criteria if lic.outcome == "refused" else ()
            rationale = (_("Refused in the previous system ({source}), citing criteria: "
                           "{criteria}. Imported as a legacy record.").format(
                source=self.source, criteria=_listing(criteria)) if outcome == "refuse"
                else _("Issued in the previous system ({source}). Imported as a legacy "
                       "record.").format(source=self.source))
        snapshot = canonical_bytes({
            "format": RECORD_FORMAT, "kind": kind, "sequence": sequence,
            "source": {"name": self.source, "format": self.adapter},
            "case": {"reference": ref, "legacy_reference": lic.reference,
                     "destination": lic.destination,
                     "destination_as_written": lic.destination_as_written},
            "decision": {"outcome": outcome, "criteria_cited": list(criteria),
                         "as_of": day, "rationale": rationale},
            "status": {"before": before, "after": after},
            "rows": lic.rows})
        fw = self.framework
        return dict(
            case_id=case_id, sequence=sequence, kind=kind, previous_id=None,
            assessment_id=assessment_id, framework_id=fw.framework_id,
            framework_version=fw.version, framework_sha256=fw.sha256, outcome=outcome,
            rationale=rationale, conditions=[], criteria_cited=list(criteria), as_of=day,
            checks=[], evaluation={}, findings={}, status_before=before, status_after=after,
            countersignatures_required=0, decided_at=_noon(day), decided_by_id=self.actor.id,
            origin=self.origin, snapshot=snapshot.decode("utf-8"),
            snapshot_sha256=sha256_hex(snapshot), signature=None, certificate_id=None)

    def _events(self, logged: list[tuple[int, dict[str, Any], str]]) -> None:
        """One event per record, hashed here in bulk (``record_change`` would read the
        chain head once per event); the ids follow the head without a gap."""
        if self.head is None:  # read once the inserts hold the write lock
            self.head = chain_head(self.session)
        last_id, last_hash = self.head
        at, actor_id = self.now, self.actor.id
        events = []
        for record_id, row, ref in logged:
            after = {"record": record_id, "sequence": row["sequence"], "kind": row["kind"],
                     "origin": self.origin, "outcome": row["outcome"],
                     "snapshot_sha256": row["snapshot_sha256"],
                     "previous": row["previous_id"], "status": row["status_after"]}
            last_id += 1
            digest = event_hash(last_hash, at, actor_id, "decision.import", "case", ref, None,
                                after)
            events.append(dict(id=last_id, at=at, actor_id=actor_id, action="decision.import",
                               entity="case", entity_id=ref, before=None, after=after,
                               prev_hash=last_hash, hash=digest))
            last_hash = digest
        self.session.execute(insert(ChangeEvent.__table__), events)
        self.head = (last_id, last_hash)
        self.records += len(events)


def store_legacy(uow: UnitOfWork, actor: Actor, batch: LegacyBatch, source: str,
                 prefix: str | None = None, progress: Progress | None = None,
                 cancelled: IsCancelled | None = None, *,
                 is_demo: bool = False) -> LegacyImportReport:
    """Store a batch read by ``read_generic`` or ``read_caat_uk`` in one transaction and
    commit it; any problem, or a cancel, and nothing is stored."""
    require(actor, Permission.MANAGE_SETTINGS)
    started = time.perf_counter()
    source = check_source(source)
    prefix = check_prefix(prefix or default_prefix(source))
    if not batch.licences:
        raise InputError(_("Nothing was stored: there are no licences to import."))
    s = uow.session
    earlier = previous_import(s, source)
    if earlier:
        raise InputError(_("Nothing was stored: {earlier} Give another --source to import "
                           "other records.").format(earlier=earlier))
    refs = _references(s, batch, prefix)
    text = framework_text(batch, source)
    now = now_utc()
    framework = FrameworkText(sha256=sha256_hex(text.encode("utf-8")),
                              framework_id=f"legacy:{source}", version="1",
                              title=framework_title(batch, source)[:300],
                              file_name=f"legacy-{source}.yaml", text=text, stored_at=now)
    if s.get(FrameworkText, framework.sha256) is None:
        s.add(framework)
        s.flush()
    writer = _Writer(s, actor, source, batch.adapter, framework, now, is_demo=is_demo)
    total = len(batch.licences)
    for start in range(0, total, CHUNK):
        if cancelled is not None and cancelled():
            raise Cancelled()
        writer.write(batch.licences[start:start + CHUNK], refs[start:start + CHUNK])
        if progress is not None:
            progress(min(start + CHUNK, total), total)
    counts = {o: sum(1 for lic in batch.licences if lic.outcome == o) for o in OUTCOMES}
    summary = {"source": source, "format": batch.adapter, "prefix": prefix,
               "files": [{"name": f.name, "sha256": f.sha256, "rows": f.rows}
                         for f in batch.files],
               "licences": total, **counts, "goods_lines": writer.goods,
               "records": writer.records, "framework_sha256": framework.sha256,
               "references": {"first": refs[0], "last": refs[-1]}}
    record_change(s, actor.id, "legacy.import", "legacy", source, None, plain(summary))
    if cancelled is not None and cancelled():
        raise Cancelled()
    uow.commit()
    return LegacyImportReport(
        source, batch.adapter, tuple(batch.files), total, counts["issued"], counts["refused"],
        counts["revoked"], writer.goods, writer.records, refs[0], refs[-1], framework.sha256,
        time.perf_counter() - started)


def import_legacy(uow: UnitOfWork, actor: Actor, paths: Sequence[Path], fmt: str,
                  source: str, prefix: str | None = None, progress: Progress | None = None,
                  cancelled: IsCancelled | None = None, *,
                  is_demo: bool = False) -> LegacyImportReport:
    """Read the files in format ``fmt`` (generic: any number of CSV files; caat-uk: the
    values file, then the criteria file) and store them as legacy records of ``source``."""
    require(actor, Permission.MANAGE_SETTINGS)
    started = time.perf_counter()
    source = check_source(source)
    prefix = check_prefix(prefix or default_prefix(source))
    earlier = previous_import(uow.session, source)
    if earlier:  # before reading tens of thousands of rows for nothing
        raise InputError(_("Nothing was stored: {earlier} Give another --source to import "
                           "other records.").format(earlier=earlier))
    if fmt == "generic":
        if not paths:
            raise InputError(_("Name at least one CSV file to import."))
        batch = read_generic(paths, cancelled=cancelled)
    elif fmt == "caat-uk":
        if len(paths) != 2:
            raise InputError(_("The caat-uk format takes two files: the licence values file, "
                               "then the refusal criteria file."))
        batch = read_caat_uk(paths[0], paths[1], cancelled=cancelled)
    else:
        raise InputError(_("'{v}' is not a legacy format ({known})").format(
            v=fmt, known=", ".join(FORMATS)))
    report = store_legacy(uow, actor, batch, source, prefix, progress, cancelled,
                          is_demo=is_demo)
    return replace(report, seconds=time.perf_counter() - started)
