"""The denial register and the *essentially identical transaction* check (EU Common Position
2008/944/CFSP, Art 4; docs/formats/denial-notifications.md).

The register holds two kinds of denial:

- **notified**: the denial notifications of other authorities, imported from CSV files in
  the UK LITE layout (``import_denials_csv``: all or nothing, every problem naming file,
  line and column). A reference already in the register is updated in place when the file
  says something new, and the change is logged with its before and after.
- **own**: this authority's refusals, read from its decision records (a case whose refusal
  took effect: status *refused*), never copied into the denials table.

A denial counts for three years from its date (notified on, or the day the refusal took
effect). ``identical_transactions`` finds, for an application, the denials in that window
that concern an essentially identical transaction: the same destination, an end user or
consignee whose name matches (fuzzy, after the screening normaliser), and goods of the same
control-list category. Each such denial asks for a consultation, recorded with
``record_consultation``, before the application may be approved (``app.denial_check``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select

from app import cases, settings
from app.canonical import sha256_hex
from app.casedata import CaseData
from app.changes import now_utc, record_change
from app.csv_text import read_utf8
from app.errors import Cancelled, FieldProblem, InputError, ValidationError
from app.i18n import _
from app.legacy_import import country_names
from app.reference import reference
from app.roles import Actor, Permission, require
from app.screening.normalise import fold, name_tokens, normalise
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.vocab import PartyRole
from db.models import Case, DecisionRow, Denial, DenialConsultation, GoodsLine, Party, User

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]

#: The LITE denial-notification layout, in its order, and the optional date column.
CSV_COLUMNS = ("reference", "regime_reg_ref", "name", "address", "notifying_government",
               "country", "denial_cle", "item_description", "end_use", "reason_for_refusal",
               "entity_type", "notified_on")
CSV_REQUIRED = ("reference", "name", "notifying_government", "country", "denial_cle",
                "entity_type")
#: Columns of the older LITE layout that marked roles with flags (lite_denial_fixture_invalid).
OLD_LAYOUT_COLUMNS = frozenset({"end_user_flag", "consignee_flag", "other_role",
                                "consignee_name", "spire_entity_id", "item_list_codes"})
ENTITY_TYPES = ("end_user", "consignee", "third_party")
#: Column -> longest value the register keeps.
LIMITS = {"reference": 64, "regime_reg_ref": 64, "name": 300, "notifying_government": 200,
          "country": 200, "denial_cle": 64, "address": 2000, "item_description": 2000,
          "end_use": 2000, "reason_for_refusal": 4000}
MAX_PROBLEMS = 50
PROGRESS_EVERY = 200

NOTIFIED = "notified"
OWN = "own"
#: How long a denial counts for the essentially-identical check.
WINDOW_YEARS = 3
#: Lowest rapidfuzz token_sort_ratio (0-100) at which two normalised names match.
NAME_THRESHOLD = 88
#: Roles of an application's parties compared with the denied parties.
CASE_ROLES = ("end_user", "consignee", "ultimate_end_user")
#: Roles of a denied party that make a transaction essentially identical. A third party
#: (broker, intermediary) named in a notification is kept but does not.
DENIED_ROLES = frozenset({"end_user", "consignee", "ultimate_end_user"})
#: Party roles of this authority's refused cases that are entered in the register.
OWN_ROLES = ("end_user", "consignee", "ultimate_end_user")
#: The category of a catch-all (end-use) denial: it matches goods of any category.
CATCH_ALL = "*"
_CATCH_ALL_TEXTS = frozenset({"catchall", "enduse", "enduseonly", "endusecontrol",
                              "catchallcontrol"})
_ML = re.compile(r"^ML0*(\d{1,2})(?![0-9])")
_DUAL_USE = re.compile(r"^([0-9][A-E][0-9]{3})")
_NATIONAL = re.compile(r"^(PL[0-9]{4})")
_ENTRY_SPLIT = re.compile(r"[;,]")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


# --- control-list categories --------------------------------------------------------------

def control_category(entry: str) -> str | None:
    """The control-list category of an entry, the unit the identical-transaction test
    compares: ``ML4.a`` -> ``ML4``; a dual-use entry by its first five characters
    (``0A001.a`` -> ``0A001``; LITE's placeholders ``0A00100`` -> ``0A001``); a national
    ``PL5001.b`` -> ``PL5001``; ``catch all`` (or ``end use``) -> ``CATCH_ALL``, which
    matches any category. Another text is its own category (up to the first '.', upper
    case, spaces ignored); an empty entry has none."""
    text = "".join((entry or "").split()).upper()
    if not text:
        return None
    if text.replace("-", "").replace("_", "").casefold() in _CATCH_ALL_TEXTS:
        return CATCH_ALL
    for pattern in (_ML, _DUAL_USE, _NATIONAL):
        match = pattern.match(text)
        if match:
            return f"ML{int(match[1])}" if pattern is _ML else match[1]
    head = text.split(".", 1)[0]
    return head or None


def entries_of(text: str) -> tuple[str, ...]:
    """The control entries of a denial's ``denial_cle`` cell (',' or ';' between several)."""
    return tuple(e for e in (" ".join(p.split()) for p in _ENTRY_SPLIT.split(text or "")) if e)


def categories_of(entries: Iterable[str]) -> tuple[str, ...]:
    found = {control_category(e) for e in entries} - {None}
    return tuple(sorted(c for c in found if c is not None))


def shared_categories(case_categories: Iterable[str],
                      denial_categories: Iterable[str]) -> tuple[str, ...]:
    """The case's categories that the denial covers: all of them when either side is a
    catch-all, else those in both."""
    mine = set(case_categories)
    theirs = set(denial_categories)
    if not mine or not theirs:
        return ()
    if CATCH_ALL in theirs:
        return tuple(sorted(mine - {CATCH_ALL})) or (CATCH_ALL,)
    if CATCH_ALL in mine:
        return tuple(sorted(theirs))
    return tuple(sorted(mine & theirs))


# --- the three-year window ----------------------------------------------------------------

def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def lapses_on(day: date) -> date:
    """The first day a denial dated ``day`` no longer counts: its third anniversary."""
    return add_years(day, WINDOW_YEARS)


def in_window(day: date, as_of: date) -> bool:
    """Whether a denial dated ``day`` counts for an application judged ``as_of``: on or
    before that date, and less than three years before it."""
    return day <= as_of < lapses_on(day)


# --- what the register shows --------------------------------------------------------------

@dataclass(frozen=True)
class DenialView:
    """One denied party of one denial. An own refusal gives one view per end user,
    consignee and ultimate end user of the refused case, all with the case's key."""

    key: str
    source: str
    reference: str
    notifying: str
    date: date
    destination: str
    country_text: str
    party_name: str
    party_role: str
    control_entries: tuple[str, ...]
    categories: tuple[str, ...]
    item_description: str = ""
    end_use: str = ""
    reason: str = ""
    regime_reg_ref: str = ""
    address: str = ""
    criteria: tuple[str, ...] = ()
    case_id: int | None = None
    is_demo: bool = False

    @property
    def lapses_on(self) -> date:
        return lapses_on(self.date)

    def in_force(self, as_of: date) -> bool:
        return in_window(self.date, as_of)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "source": self.source, "reference": self.reference,
                "notifying": self.notifying, "date": self.date.isoformat(),
                "lapses_on": self.lapses_on.isoformat(), "destination": self.destination,
                "country_text": self.country_text, "party_name": self.party_name,
                "party_role": self.party_role, "control_entries": list(self.control_entries),
                "categories": list(self.categories), "item_description": self.item_description,
                "end_use": self.end_use, "reason": self.reason,
                "regime_reg_ref": self.regime_reg_ref, "address": self.address,
                "criteria": list(self.criteria), "demo": self.is_demo}


@dataclass(frozen=True)
class ConsultationView:
    id: int
    case_id: int
    denial_key: str
    consulted: str
    consulted_on: date
    outcome: str
    recorded_at: datetime
    recorded_by: str

    @property
    def summary(self) -> str:
        return _("Consulted {who} on {day} ({by}): {outcome}").format(
            who=self.consulted, day=self.consulted_on.isoformat(), by=self.recorded_by,
            outcome=self.outcome)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "denial_key": self.denial_key, "consulted": self.consulted,
                "consulted_on": self.consulted_on.isoformat(), "outcome": self.outcome,
                "recorded_at": self.recorded_at.isoformat(), "recorded_by": self.recorded_by}


@dataclass(frozen=True)
class DenialMatch:
    """An earlier denial of an essentially identical transaction, and why it is one."""

    denial: DenialView
    party_name: str
    party_role: str
    denied_name: str
    score: int
    categories: tuple[str, ...]
    explanation: tuple[str, ...]
    consultation: ConsultationView | None = None

    @property
    def key(self) -> str:
        return self.denial.key

    @property
    def title(self) -> str:
        verb = _("Denied") if self.denial.source == NOTIFIED else _("Refused")
        return _("{verb} by {who} on {day} ({ref}): essentially identical transaction").format(
            verb=verb, who=self.denial.notifying, day=self.denial.date.isoformat(),
            ref=self.denial.reference)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "denial": self.denial.to_json(),
                "party_name": self.party_name, "party_role": self.party_role,
                "denied_name": self.denied_name, "score": self.score,
                "categories": list(self.categories), "explanation": list(self.explanation),
                "consultation": self.consultation.to_json() if self.consultation else None}


@dataclass(frozen=True)
class DenialImportReport:
    file: str
    sha256: str
    rows: int
    added: int
    updated: int
    unchanged: int
    warnings: tuple[str, ...] = ()
    added_references: tuple[str, ...] = ()
    updated_references: tuple[str, ...] = ()


# --- reading the CSV ----------------------------------------------------------------------

def _where(label: str, line: int, column: str = "") -> str:
    head = _("{file} line {line}").format(file=label, line=line)
    return f"{head}: {column}" if column else head


def _column_name(cell: str) -> str:
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _raise(problems: list[FieldProblem]) -> None:
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(FieldProblem("", _("… and more problems")))
        raise ValidationError(shown, context=_("Nothing was stored"))


def _check_header(label: str, header: list[str]) -> None:
    where = _where(label, 1)
    problems: list[FieldProblem] = []
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        problems.append(FieldProblem(where, _("missing column(s): {names}").format(
            names=", ".join(missing))))
    seen: set[str] = set()
    for name in header:
        if name and name not in CSV_COLUMNS:
            problems.append(FieldProblem(f"{where}: {name}", _(
                "unknown column (the columns are: {known})").format(
                    known=", ".join(CSV_COLUMNS))))
        elif name and name in seen:
            problems.append(FieldProblem(f"{where}: {name}", _("the column appears twice")))
        seen.add(name)
    old = sorted(OLD_LAYOUT_COLUMNS & set(header))
    if old:
        problems.append(FieldProblem(where, _(
            "this is the older LITE layout ({columns}), which marked roles with flags: it is "
            "not accepted. Export the notifications again in the current layout, one row per "
            "denied party with its reference and entity_type").format(
                columns=", ".join(old))))
    _raise(problems)


def _read_csv(path: Path) -> tuple[str, bytes, list[tuple[int, dict[str, str]]]]:
    label, raw, text = read_utf8(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[FieldProblem] = []
    start = 1
    try:
        for cells in reader:
            if header is None:
                header = [_column_name(c) for c in cells]
                if not any(header):
                    header = None
                    start = reader.line_num + 1
                    continue
                _check_header(label, header)
            elif any(c.strip() for c in cells):
                if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                    problems.append(FieldProblem(_where(label, start), _(
                        "more values than the header row has columns ({n})").format(
                            n=len(header))))
                values = dict.fromkeys(header, "")
                values.update(zip(header, cells, strict=False))
                values.pop("", None)
                rows.append((start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(_("Nothing was stored: {where}: not readable as CSV: {msg}").format(
            where=_where(label, start), msg=exc)) from exc
    if header is None:
        raise InputError(_("Nothing was stored: {path} is empty: it must start with a header "
                           "row").format(path=label))
    _raise(problems)
    return label, raw, rows


def _text(values: dict[str, str], column: str, where: str, problems: list[FieldProblem], *,
          required: bool = False) -> str:
    text = " ".join(values.get(column, "").split())
    if required and not text:
        problems.append(FieldProblem(where, _("a value is required")))
    elif len(text) > LIMITS.get(column, 2000):
        problems.append(FieldProblem(where, _("at most {n} characters").format(
            n=LIMITS.get(column, 2000))))
    return text


def _date(text: str, where: str, problems: list[FieldProblem], today: date) -> date | None:
    text = text.strip()
    if not text:
        return None
    if _ISO_DATE.match(text):
        try:
            value = date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if value > today:
                problems.append(FieldProblem(where, _("{d} is in the future").format(d=text)))
            return value
    problems.append(FieldProblem(where, _("'{v}' is not a calendar date (YYYY-MM-DD)").format(
        v=text)))
    return None


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    #: The row's own date ("notified_on" column), else None.
    own_date: date | None


def _check_row(label: str, line: int, values: dict[str, str], problems: list[FieldProblem],
               today: date) -> _Row | None:
    before = len(problems)

    def at(column: str) -> str:
        return _where(label, line, column)

    ref = _text(values, "reference", at("reference"), problems, required=True)
    name = _text(values, "name", at("name"), problems, required=True)
    notifying = _text(values, "notifying_government", at("notifying_government"), problems,
                      required=True)
    country_text = _text(values, "country", at("country"), problems, required=True)
    cle = _text(values, "denial_cle", at("denial_cle"), problems, required=True)
    entity = _column_name(values.get("entity_type", ""))
    if not entity:
        problems.append(FieldProblem(at("entity_type"), _(
            "a value is required ({known})").format(known=", ".join(ENTITY_TYPES))))
    elif entity not in ENTITY_TYPES:
        problems.append(FieldProblem(at("entity_type"), _(
            "'{v}' is not an entity type ({known})").format(
                v=values.get("entity_type", "").strip(), known=", ".join(ENTITY_TYPES))))
    own_date = _date(values.get("notified_on", ""), at("notified_on"), problems, today)
    row = {"reference": ref,
           "regime_reg_ref": _text(values, "regime_reg_ref", at("regime_reg_ref"), problems),
           "name": name,
           "address": _text(values, "address", at("address"), problems),
           "notifying_government": notifying,
           "country_text": country_text,
           "control_entry": cle,
           "item_description": _text(values, "item_description", at("item_description"),
                                     problems),
           "end_use": _text(values, "end_use", at("end_use"), problems),
           "reason": _text(values, "reason_for_refusal", at("reason_for_refusal"), problems),
           "entity_type": entity}
    if len(problems) > before:
        return None
    return _Row(line, row, own_date)


#: The stored fields an import compares and may update.
_FIELDS = ("regime_reg_ref", "name", "address", "notifying_government", "country",
           "country_text", "control_entry", "item_description", "end_use", "reason",
           "entity_type", "notified_on")


def _stored(d: Denial) -> dict[str, Any]:
    return {f: getattr(d, f) for f in _FIELDS}


def import_denials_csv(uow: UnitOfWork, actor: Actor, path: Path, *,
                       notified_on: date | None = None, progress: Progress | None = None,
                       is_cancelled: IsCancelled | None = None) -> DenialImportReport:
    """Store the denial notifications of a LITE-layout CSV file, all or nothing.

    The date of each denial is the row's ``notified_on`` column; a row without one takes
    ``notified_on``, else the day of the import. A reference already in the register is
    compared with the row: identical -> unchanged; different -> updated (one
    ``denial.update`` event with before and after). A row without a date of its own keeps
    the stored date of a denial already registered unless ``notified_on`` is given.
    ``progress(done, total)`` counts rows checked, then stored."""
    require(actor, Permission.MANAGE_LISTS)
    today = date.today()
    if notified_on is not None and notified_on > today:
        raise InputError(_("Nothing was stored: the notification date {d} is in the future.")
                         .format(d=notified_on.isoformat()))
    label, raw, lines = _read_csv(path)
    if not lines:
        raise InputError(_("Nothing was stored: {path} has no denial rows.").format(
            path=label))
    names = country_names()
    problems: list[FieldProblem] = []
    checked: list[_Row] = []
    first_line: dict[str, int] = {}
    unresolved: dict[str, list[int]] = {}
    total = len(lines)
    for n, (line, values) in enumerate(lines, start=1):
        row = _check_row(label, line, values, problems, today)
        if row is not None:
            ref = row.values["reference"]
            if ref.casefold() in first_line:
                problems.append(FieldProblem(_where(label, line, "reference"), _(
                    "{ref} is already on line {first}: a reference appears once per "
                    "file").format(ref=ref, first=first_line[ref.casefold()])))
            else:
                first_line[ref.casefold()] = line
                code = names.code(row.values["country_text"])
                row.values["country"] = code or ""
                if code is None:
                    unresolved.setdefault(row.values["country_text"], []).append(line)
                checked.append(row)
        if len(problems) > MAX_PROBLEMS:
            break
        if n % PROGRESS_EVERY == 0:
            if is_cancelled is not None and is_cancelled():
                raise Cancelled()
            if progress is not None:
                progress(n, total * 2)
    _raise(problems)
    if is_cancelled is not None and is_cancelled():
        raise Cancelled()

    s = uow.session
    now = now_utc()
    default_day = notified_on or today
    refs = [r.values["reference"] for r in checked]
    existing: dict[str, Denial] = {}
    for start in range(0, len(refs), 500):
        existing.update((d.reference, d) for d in s.scalars(
            select(Denial).where(Denial.reference.in_(refs[start:start + 500]))))
    added: list[str] = []
    updated: list[str] = []
    unchanged = 0
    for n, row in enumerate(checked, start=1):
        values = row.values
        ref = values["reference"]
        old = existing.get(ref)
        if old is None:
            values["notified_on"] = row.own_date or default_day
            s.add(Denial(**values, imported_at=now, imported_by_id=actor.id,
                         file_name=path.name[:300]))
            added.append(ref)
        else:
            values["notified_on"] = row.own_date or notified_on or old.notified_on
            before = _stored(old)
            after = {f: values[f] for f in _FIELDS}
            if before == after:
                unchanged += 1
            else:
                for f in _FIELDS:
                    setattr(old, f, values[f])
                old.imported_at, old.imported_by_id = now, actor.id
                old.file_name = path.name[:300]
                changed = [f for f in _FIELDS if before[f] != after[f]]
                record_change(s, actor.id, "denial.update", "denial", ref,
                              {f: before[f] for f in changed},
                              {**{f: after[f] for f in changed}, "file": path.name}, at=now)
                updated.append(ref)
        if n % PROGRESS_EVERY == 0:
            if is_cancelled is not None and is_cancelled():
                raise Cancelled()
            if progress is not None:
                progress(total + n, total * 2)
    s.flush()
    warnings = tuple(_(
        "{where}: country: '{text}' is neither an ISO 3166-1 alpha-2 code nor a country name "
        "Golden Rule knows: the denial is kept with the text only and matches no destination "
        "until the name is added to {aliases} and the file imported again").format(
            where=(_where(label, at_lines[0]) if len(at_lines) == 1 else _(
                "{file} lines {lines}").format(file=label,
                                               lines=", ".join(str(x) for x in at_lines))),
            text=text, aliases="resources/reference/country_aliases.yaml")
        for text, at_lines in unresolved.items())
    sha = sha256_hex(raw)
    record_change(s, actor.id, "denial.import", "denials", path.name[:64], None, {
        "file": path.name, "sha256": sha, "rows": len(checked), "added": len(added),
        "updated": len(updated), "unchanged": unchanged,
        "notified_on_default": default_day, "added_references": added,
        "updated_references": updated, "unresolved_countries": sorted(unresolved)}, at=now)
    if progress is not None:
        progress(total * 2, total * 2)
    if is_cancelled is not None and is_cancelled():
        raise Cancelled()
    uow.commit()
    return DenialImportReport(label, sha, len(checked), len(added), len(updated), unchanged,
                              warnings, tuple(added), tuple(updated))


# --- the register -------------------------------------------------------------------------

def authority_name(uow: UnitOfWork) -> str:
    return str(settings.get(uow, "authority.name") or "").strip() or _("this authority")


def _notified(uow: UnitOfWork, destination: str | None) -> list[DenialView]:
    stmt = select(Denial).order_by(Denial.notified_on, Denial.reference)
    if destination is not None:
        stmt = stmt.where(Denial.country == destination)
    views = []
    for d in uow.session.scalars(stmt):
        entries = entries_of(d.control_entry)
        views.append(DenialView(
            key=f"{NOTIFIED}:{d.reference}", source=NOTIFIED, reference=d.reference,
            notifying=d.notifying_government, date=d.notified_on, destination=d.country,
            country_text=d.country_text, party_name=d.name, party_role=d.entity_type,
            control_entries=entries, categories=categories_of(entries),
            item_description=d.item_description, end_use=d.end_use, reason=d.reason,
            regime_reg_ref=d.regime_reg_ref, address=d.address))
    return views


@dataclass
class _Refusal:
    case: Any
    effective: date | None = None
    criteria: tuple[str, ...] = ()
    rationale: str = ""
    parties: list[Any] = field(default_factory=list)
    goods: list[Any] = field(default_factory=list)


def _own(uow: UnitOfWork, destination: str | None, authority: str) -> list[DenialView]:
    """This authority's refusals that took effect: one view per end user, consignee and
    ultimate end user of each refused case."""
    s = uow.session
    refused = Case.status == CaseStatus.REFUSED.value
    where = [refused] if destination is None else [refused, Case.destination == destination]
    found: dict[int, _Refusal] = {}
    for case in s.execute(select(Case.id, Case.reference, Case.destination, Case.end_use,
                                 Case.is_demo, Case.updated_at).where(*where)):
        found[case.id] = _Refusal(case)
    if not found:
        return []
    for row in s.execute(
            select(DecisionRow.case_id, DecisionRow.kind, DecisionRow.outcome,
                   DecisionRow.status_after, DecisionRow.decided_at,
                   DecisionRow.criteria_cited, DecisionRow.rationale)
            .join(Case, Case.id == DecisionRow.case_id).where(*where)
            .order_by(DecisionRow.case_id, DecisionRow.sequence)):
        item = found[row.case_id]
        if row.status_after == CaseStatus.REFUSED.value and item.effective is None:
            item.effective = row.decided_at.date()
        if row.kind == "decision" and row.outcome == "refuse":
            item.criteria = tuple(row.criteria_cited or ())
            item.rationale = row.rationale
    for party in s.execute(select(Party.case_id, Party.role, Party.name, Party.address)
                           .join(Case, Case.id == Party.case_id).where(*where)
                           .order_by(Party.case_id, Party.position)):
        found[party.case_id].parties.append(party)
    for good in s.execute(select(GoodsLine.case_id, GoodsLine.control_entry,
                                 GoodsLine.description)
                          .join(Case, Case.id == GoodsLine.case_id).where(*where)
                          .order_by(GoodsLine.case_id, GoodsLine.position)):
        found[good.case_id].goods.append(good)
    ref = reference()
    views = []
    for item in found.values():
        case = item.case
        day = item.effective or case.updated_at.date()
        entries = tuple(dict.fromkeys(g.control_entry for g in item.goods if g.control_entry))
        reason = item.rationale
        if item.criteria:
            reason = _("Criteria {criteria}: {rationale}").format(
                criteria=", ".join(item.criteria), rationale=item.rationale)
        description = "; ".join(dict.fromkeys(g.description for g in item.goods
                                              if g.description))
        for party in item.parties:
            if party.role not in OWN_ROLES:
                continue
            views.append(DenialView(
                key=f"{OWN}:{case.reference}", source=OWN, reference=case.reference,
                notifying=authority, date=day, destination=case.destination,
                country_text=ref.country_name(case.destination), party_name=party.name,
                party_role=party.role, control_entries=entries,
                categories=categories_of(entries), item_description=description,
                end_use=case.end_use, reason=reason, address=party.address,
                criteria=item.criteria, case_id=case.id, is_demo=case.is_demo))
    views.sort(key=lambda v: (v.date, v.reference))
    return views


def register(uow: UnitOfWork, as_of: date | None = None) -> list[DenialView]:
    """The denial register, oldest first: notified denials and this authority's refusals.
    With ``as_of``, only the denials that count on that day (dated on or before it, less
    than three years before)."""
    views = _notified(uow, None) + _own(uow, None, authority_name(uow))
    if as_of is not None:
        views = [v for v in views if in_window(v.date, as_of)]
    return sorted(views, key=lambda v: (v.date, v.source, v.reference, v.party_role))


# --- the essentially-identical check ------------------------------------------------------

def _set_aside(name: str) -> str:
    """The legal-form words the normaliser dropped from a name ("gmbh", "s a r l")."""
    kept = set(name_tokens(name))
    return " ".join(w for w in fold(name).split() if w not in kept)


def name_match(party: str, denied: str) -> tuple[int, str] | None:
    """(score, why) when two names match: identical once normalised (case, accents,
    transliteration, punctuation and legal forms set aside), or scoring at least
    NAME_THRESHOLD with rapidfuzz, by token_sort_ratio (word order ignored) or by ratio
    with the spaces removed ("d'Ivoire" and "dIvoire")."""
    a, b = normalise(party), normalise(denied)
    if not a or not b:
        return None
    if " ".join(party.split()).casefold() == " ".join(denied.split()).casefold():
        return 100, _("the same name")
    if a == b:
        forms = [f for f in (_set_aside(party), _set_aside(denied)) if f]
        extra = (_("; set aside: {forms}").format(forms=", ".join(forms)) if forms else "")
        return 100, _("identical once case, accents, punctuation and legal forms are set "
                      "aside{extra}").format(extra=extra)
    if sorted(name_tokens(party)) == sorted(name_tokens(denied)):
        return 100, _("the same words in another order")
    by_words = fuzz.token_sort_ratio(a, b)
    by_letters = fuzz.ratio(a.replace(" ", ""), b.replace(" ", ""))
    raw = max(by_words, by_letters)
    if raw < NAME_THRESHOLD:
        return None
    score = int(raw)
    how = (_("with word order ignored") if by_words >= by_letters
           else _("with the spaces between words ignored"))
    return score, _("similar: '{a}' and '{b}' score {score} of 100 {how} (threshold "
                    "{t})").format(a=a, b=b, score=score, how=how, t=NAME_THRESHOLD)


def _role_label(role: str) -> str:
    try:
        return PartyRole(role).label.lower()
    except ValueError:
        return role.replace("_", " ")


def _consultations(uow: UnitOfWork, case_id: int) -> dict[str, ConsultationView]:
    """The latest consultation per denial key."""
    latest: dict[str, ConsultationView] = {}
    for c in consultations(uow, case_id):
        latest[c.denial_key] = c
    return latest


def consultations(uow: UnitOfWork, case_id: int) -> list[ConsultationView]:
    """The consultations recorded for a case, oldest first."""
    rows = uow.session.execute(
        select(DenialConsultation, User.username)
        .join(User, User.id == DenialConsultation.recorded_by_id)
        .where(DenialConsultation.case_id == case_id)
        .order_by(DenialConsultation.recorded_at, DenialConsultation.id))
    return [ConsultationView(c.id, c.case_id, c.denial_key, c.consulted, c.consulted_on,
                             c.outcome, c.recorded_at, username) for c, username in rows]


def matches_for(uow: UnitOfWork, data: CaseData, case_id: int | None, as_of: date, *,
                is_demo: bool | None = None) -> list[DenialMatch]:
    """The earlier denials of a transaction essentially identical to ``data`` (the
    application as it stands), newest first. ``case_id`` excludes the case's own refusal
    and finds its consultations; a refusal in the demonstration data counts only for a
    demonstration case."""
    destination = data.destination.strip().upper()
    if not destination:
        return []
    if is_demo is None:
        is_demo = bool(case_id is not None and uow.session.scalar(
            select(Case.is_demo).where(Case.id == case_id)))
    parties = [p for p in data.parties if p.role in CASE_ROLES and normalise(p.name)]
    goods_entries = [g.control_entry for g in data.goods if g.control_entry.strip()]
    mine = categories_of(goods_entries)
    if not parties or not mine:
        return []
    views = _notified(uow, destination) + _own(uow, destination, authority_name(uow))
    views = [v for v in views if in_window(v.date, as_of)
             and v.party_role in DENIED_ROLES
             and not (v.case_id is not None and v.case_id == case_id)
             and (is_demo or not v.is_demo)]
    country = reference().country_name(destination)
    grouped: dict[str, list[tuple[DenialView, Any, int, str, tuple[str, ...]]]] = {}
    for view in views:
        shared = shared_categories(mine, view.categories)
        if not shared:
            continue
        for party in parties:
            found = name_match(party.name, view.party_name)
            if found is not None:
                grouped.setdefault(view.key, []).append((view, party, *found, shared))
    latest = _consultations(uow, case_id) if case_id is not None else {}
    out: list[DenialMatch] = []
    for key, hits in grouped.items():
        hits.sort(key=lambda h: -h[2])
        view, party, score, _why, shared = hits[0]
        lines = [_("Same destination: {country} ({code}).").format(country=country,
                                                                  code=destination)]
        for v, p, sc, why, _s in hits:
            lines.append(_("The case's {role} '{name}' matches the denied {drole} '{denied}' "
                           "(score {score}: {why}).").format(
                role=_role_label(p.role), name=p.name, drole=_role_label(v.party_role),
                denied=v.party_name, score=sc, why=why))
        if CATCH_ALL in view.categories:
            lines.append(_("The denial was made under the catch-all (end-use) control "
                           "('{entries}'), which this check treats as covering goods of any "
                           "category: the case's {cats}.").format(
                entries=", ".join(view.control_entries), cats=", ".join(shared)))
        else:
            theirs = ", ".join(view.control_entries)
            ours = ", ".join(e for e in dict.fromkeys(goods_entries)
                             if control_category(e) in shared or CATCH_ALL in shared)
            lines.append(_("Same control-list category: {cats} (the case: {ours}; the "
                           "denial: {theirs}).").format(cats=", ".join(shared), ours=ours,
                                                        theirs=theirs))
        lines.append(_("Dated {day}, within three years before {as_of}: it counts until "
                       "{last}.").format(day=view.date.isoformat(), as_of=as_of.isoformat(),
                                         last=(view.lapses_on - timedelta(days=1)).isoformat()))
        facts = [view.item_description and _("item: {v}").format(v=view.item_description),
                 view.end_use and _("stated end use: {v}").format(v=view.end_use),
                 view.reason and _("reason: {v}").format(v=view.reason)]
        facts = [f for f in facts if f]
        if facts:
            lines.append(_("Denied transaction: {facts}.").format(facts="; ".join(facts)))
        out.append(DenialMatch(view, party.name, party.role, view.party_name, score, shared,
                               tuple(lines), latest.get(key)))
    out.sort(key=lambda m: (m.denial.date, m.key), reverse=True)
    return out


def identical_transactions(uow: UnitOfWork, case_id: int, as_of: date) -> list[DenialMatch]:
    """The earlier denials, within three years before ``as_of``, of a transaction
    essentially identical to the stored case (its own refusal excluded)."""
    record = cases.get_case(uow, case_id)
    return matches_for(uow, record.data, case_id, as_of, is_demo=record.is_demo)


# --- consultations ------------------------------------------------------------------------

MAX_CONSULTED = 200
MAX_OUTCOME = 4000


def record_consultation(uow: UnitOfWork, actor: Actor, case_id: int, denial_key: str,
                        consulted: str, consulted_on: date, outcome: str) -> ConsultationView:
    """Record the consultation of the authority that denied an essentially identical
    transaction (or of this authority's own earlier refusal): who was consulted, when and
    what came of it. The key must be one of the case's current matches."""
    require(actor, Permission.ASSESS)
    record = cases.get_case(uow, case_id)
    today = date.today()
    key = denial_key.strip()
    consulted = " ".join(consulted.split())
    outcome = outcome.strip()
    problems: list[FieldProblem] = []
    matches = {m.key: m for m in matches_for(uow, record.data, case_id, today,
                                             is_demo=record.is_demo)}
    match = matches.get(key)
    if match is None:
        known = ", ".join(matches) or _("none: no earlier denial of an essentially "
                                         "identical transaction")
        problems.append(FieldProblem("denial_key", _(
            "'{key}' is not an earlier denial of a transaction essentially identical to "
            "{ref} (its matches: {known})").format(key=key, ref=record.reference,
                                                     known=known)))
    if not consulted:
        problems.append(FieldProblem("consulted", _("say who was consulted (the state or "
                                                    "authority)")))
    elif len(consulted) > MAX_CONSULTED:
        problems.append(FieldProblem("consulted", _("at most {n} characters").format(
            n=MAX_CONSULTED)))
    if not outcome:
        problems.append(FieldProblem("outcome", _("say what the consultation found")))
    elif len(outcome) > MAX_OUTCOME:
        problems.append(FieldProblem("outcome", _("at most {n} characters").format(
            n=MAX_OUTCOME)))
    if consulted_on > today:
        problems.append(FieldProblem("consulted_on", _("{d} is in the future").format(
            d=consulted_on.isoformat())))
    elif match is not None and consulted_on < match.denial.date:
        problems.append(FieldProblem("consulted_on", _(
            "{d} is before the denial ({day})").format(d=consulted_on.isoformat(),
                                                       day=match.denial.date.isoformat())))
    if problems:
        raise ValidationError(problems, context=_("The consultation was not recorded"))
    now = now_utc()
    row = DenialConsultation(case_id=case_id, denial_key=key, consulted=consulted,
                             consulted_on=consulted_on, outcome=outcome, recorded_at=now,
                             recorded_by_id=actor.id)
    uow.session.add(row)
    uow.flush()
    record_change(uow.session, actor.id, "denial.consult", "case", record.reference, None,
                  {"consultation": row.id, "denial_key": key, "consulted": consulted,
                   "consulted_on": consulted_on, "outcome": outcome}, at=now)
    uow.commit()
    return ConsultationView(row.id, case_id, key, consulted, consulted_on, outcome, now,
                            actor.username)

