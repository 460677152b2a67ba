"""CLI commands of the evidence base: import files and folders, search, show an item with
its history. Same use cases as the evidence window; bad input exits 2 and stores nothing."""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from app import evidence
from app.database import Database
from app.errors import InputError
from app.evidence_import import (
    DOCUMENT_TYPES,
    DocumentDefaults,
    ImportReport,
    expand,
    import_paths,
)
from app.evidence_vocab import vocabulary
from app.i18n import _
from app.reference import reference
from app.uow import UnitOfWork
from app.users import Actor
from db.search import MARK_END, MARK_START, EvidenceQuery, search_evidence

_MIN_GRADE = re.compile(r"^([A-F])?([1-6])?$")


def add_commands(sub: Any) -> None:
    ev = sub.add_parser("evidence", help=_("the evidence base: import, search, show")
                        ).add_subparsers(dest="evidence_command", metavar="ACTION",
                                         required=True)
    p = ev.add_parser("import", help=_(
        "import evidence files (JSON, CSV) and documents (PDF, HTML, text); folders are "
        "searched recursively. All or nothing: any bad file and nothing is stored"))
    p.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_FOLDER")
    group = p.add_argument_group(_("for documents (PDF, HTML, text)"), _(
        "what a bare document cannot say about itself; JSON and CSV items carry their own"))
    group.add_argument("--kind", default="", metavar="KIND",
                       help=_("source kind, required for documents: ngo, media, "
                              "un_inquiry_panel, ... (see docs/formats/README.md)"))
    group.add_argument("--reliability", default="F", metavar="A-F",
                       help=_("source reliability (default F: cannot be judged)"))
    group.add_argument("--credibility", default="6", metavar="1-6",
                       help=_("information credibility (default 6: cannot be judged)"))
    group.add_argument("--country", action="append", default=[], metavar="CC",
                       help=_("country the documents concern (repeat for several)"))
    group.add_argument("--publisher", default="", metavar="NAME")
    group.add_argument("--violation", action="append", default=[], metavar="ID",
                       help=_("violation category id (repeat for several)"))

    p = ev.add_parser("search", help=_("full-text search with filters, best match first"))
    p.add_argument("query", nargs="*", metavar="QUERY",
                   help=_('words to find (all must match); "a phrase" in quotes; OR between '
                          "two words"))
    p.add_argument("--country", action="append", default=[], metavar="CC")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD",
                   help=_("events (or publication) on or after this date"))
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD",
                   help=_("events (or publication) on or before this date"))
    p.add_argument("--actor", default="", metavar="NAME")
    p.add_argument("--violation", action="append", default=[], metavar="ID")
    p.add_argument("--category", action="append", default=[], metavar="MLn")
    p.add_argument("--min-grade", default="", metavar="GRADE",
                   help=_("B2: reliability A or B and credibility 1 or 2; B or 2 alone "
                          "filter on one scale"))
    p.add_argument("--kind", action="append", default=[], metavar="KIND")
    p.add_argument("--limit", type=int, default=20, metavar="N")
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = ev.add_parser("show", help=_("show an item's current version and its history"))
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))


def cmd_evidence(db: Database, args: argparse.Namespace, out: TextIO, actor: Actor) -> int:
    if args.evidence_command == "import":
        return _cmd_import(db, args, out, actor)
    if args.evidence_command == "search":
        return _cmd_search(db, args, out)
    return _cmd_show(db, args, out)


# --- checks of option values -----------------------------------------------------------

def _check(option: str, values: list[str], known: Any, what: str) -> list[str]:
    out = []
    for value in values:
        value = value.strip()
        if value not in known:
            raise InputError(_("{option}: '{v}' is not {what}").format(
                option=option, v=value, what=what))
        out.append(value)
    return out


def _countries(values: list[str]) -> list[str]:
    return _check("--country", [v.upper() for v in values], reference().countries,
                  _("an ISO country code"))


def _violations(values: list[str]) -> list[str]:
    vocab = vocabulary()
    return _check("--violation", values, vocab.violations, _(
        "in the violation taxonomy ({known})").format(known=", ".join(vocab.violations)))


def _kinds(values: list[str]) -> list[str]:
    vocab = vocabulary()
    return _check("--kind", values, vocab.source_kinds, _("a kind of source ({known})").format(
        known=", ".join(vocab.source_kinds)))


def _date(option: str, text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(_("{option}: '{t}' is not a date (YYYY-MM-DD)").format(
            option=option, t=text)) from None


# --- import ----------------------------------------------------------------------------

def _cmd_import(db: Database, args: argparse.Namespace, out: TextIO, actor: Actor) -> int:
    vocab = vocabulary()
    reliability = args.reliability.strip().upper()
    credibility = args.credibility.strip()
    _check("--reliability", [reliability], vocab.reliability, _("a letter A to F"))
    _check("--credibility", [credibility], vocab.credibility, _("a digit 1 to 6"))
    defaults = DocumentDefaults(
        source_kind=_kinds([args.kind])[0] if args.kind else "",
        reliability=reliability, credibility=credibility,
        countries=tuple(_countries(args.country)), publisher=args.publisher.strip(),
        violations=tuple(_violations(args.violation)))
    if not defaults.source_kind:
        documents = [f for f in expand(args.paths) if f.suffix.lower() in DOCUMENT_TYPES]
        if documents:
            raise InputError(_("Nothing was stored: {path} is a document; say what kind of "
                               "source the documents are with --kind (ngo, media, ...)")
                             .format(path=documents[0]))
    with UnitOfWork(db.session_factory) as uow:
        report = import_paths(uow, actor, args.paths, defaults)
    _print_report(report, out)
    return 0


def _print_report(report: ImportReport, out: TextIO) -> None:
    for item in report.added:
        print(f"added #{item.id}  {item.grade}  {item.title}", file=out)
    for dup in report.duplicates:
        print(_("skipped: duplicate of #{id} ({origin})").format(id=dup.existing_id,
                                                                 origin=dup.origin), file=out)
    if len(report.files) > 1:
        for f in report.files:
            print(_("{path}: {n} read, {added} added, {dups} skipped as duplicates").format(
                path=f.path, n=f.items, added=f.added, dups=f.duplicates), file=out)
    print(_("Added: {added}; skipped as duplicates: {dups}; files read: {files}.").format(
        added=len(report.added), dups=len(report.duplicates), files=len(report.files)),
        file=out)


# --- search ----------------------------------------------------------------------------

def _query(args: argparse.Namespace) -> EvidenceQuery:
    grade = args.min_grade.strip().upper()
    match = _MIN_GRADE.match(grade)
    if not match:
        raise InputError(_("--min-grade: '{g}' is not a grade such as B2 (or B, or 2)").format(
            g=args.min_grade))
    if not 1 <= args.limit <= 1000:
        raise InputError(_("--limit: give a number from 1 to 1000"))
    categories = [c.strip().upper() for c in args.category]
    for c in categories:
        if not re.match(r"^ML([1-9]|1[0-9]|2[0-2])$", c):
            raise InputError(_("--category: '{c}' is not a category ML1 to ML22").format(c=c))
    return EvidenceQuery(
        text=" ".join(args.query), countries=_countries(args.country),
        date_from=_date("--from", args.date_from), date_to=_date("--to", args.date_to),
        actor=args.actor.strip(), violations=_violations(args.violation),
        item_categories=categories, min_reliability=match[1] or "",
        min_credibility=match[2] or "", source_kinds=_kinds(args.kind), limit=args.limit)


def terminal_snippet(snippet: str) -> str:
    """Search marks as «» on one line: the terminal has no bold that survives a pipe."""
    return " ".join(snippet.replace(MARK_START, "«").replace(MARK_END, "»").split())


def _cmd_search(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    query = _query(args)
    with UnitOfWork(db.session_factory) as uow:
        page = search_evidence(uow.session, query)
        rows = [(hit, evidence.get_evidence(uow, hit.item_id)) for hit in page.hits]
    if args.json:
        json.dump([{"id": r.id, "score": round(hit.score, 6) + 0.0,  # never -0.0
                    "grade": r.grade,
                    "title": r.data.title, "publisher": r.data.publisher,
                    "published_on": r.data.published_on.isoformat()
                    if r.data.published_on else None,
                    "countries": r.data.countries, "snippet": terminal_snippet(hit.snippet),
                    "content_sha256": r.content_sha256} for hit, r in rows],
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    if not rows:
        print(_("No evidence matches."), file=out)
        return 0
    for hit, r in rows:
        when = r.data.published_on.isoformat() if r.data.published_on else "----------"
        print(f"#{r.id}  {r.grade}  {when}  {r.data.title}", file=out)
        where = "; ".join(p for p in (r.data.publisher, ", ".join(r.data.countries)) if p)
        if where:
            print(f"    {where}", file=out)
        snippet = terminal_snippet(hit.snippet)
        if snippet:
            print(f"    {snippet}", file=out)
    if page.has_more:
        print(_("… more results: narrow the search or raise --limit."), file=out)
    return 0


# --- show ------------------------------------------------------------------------------

def _item_id(text: str) -> int:
    try:
        return int(text.strip().lstrip("#"))
    except ValueError:
        raise InputError(_("'{t}' is not an evidence id (a number such as 12)").format(
            t=text)) from None


def _cmd_show(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    item_id = _item_id(args.id)
    with UnitOfWork(db.session_factory) as uow:
        record = evidence.get_evidence(uow, item_id)
        versions = evidence.history(uow, item_id)
    d = record.data
    att = record.attachment
    if args.json:
        json.dump({"id": record.id, "version_no": record.version_no,
                   "content_sha256": record.content_sha256, "grade": record.grade,
                   "demo": record.is_demo, "added_by": record.added_by,
                   "added_at": record.added_at.isoformat(), **d.content(),
                   "attachment": {"name": att.name, "media_type": att.media_type,
                                  "size": att.size, "sha256": att.sha256} if att else None,
                   "history": [{"version_no": v.version_no,
                                "content_sha256": v.content_sha256, "by": v.version_by,
                                "at": v.version_at.isoformat()} for v in versions]},
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    vocab = vocabulary()
    rel, cred = vocab.reliability.get(d.reliability), vocab.credibility.get(d.credibility)
    kind = vocab.source_kinds.get(d.source_kind)
    events = " – ".join(x.isoformat() if x else "…" for x in (d.events_from, d.events_to)) \
        if d.events_from or d.events_to else ""
    lines = [
        (_("Grade"), f"{record.grade} ({rel.title if rel else '?'}; "
                     f"{cred.title if cred else '?'})"),
        (_("Source"), ", ".join(p for p in (d.publisher, kind.title if kind else d.source_kind,
                                             d.document_ref) if p)),
        (_("Address"), d.url),
        (_("Published"), d.published_on.isoformat() if d.published_on else ""),
        (_("Events"), events),
        (_("Countries"), ", ".join(d.countries)),
        (_("Places"), d.places),
        (_("Actors"), "; ".join(d.actors)),
        (_("Violations"), ", ".join(d.violations)),
        (_("Items"), ", ".join(d.item_categories)),
        (_("Attachment"), f"{att.name} ({att.media_type}, {att.size} bytes, sha256 "
                          f"{att.sha256})" if att else ""),
        (_("Version"), f"{record.version_no}, sha256 {record.content_sha256}"),
        (_("Added"), f"{record.added_at:%Y-%m-%d %H:%M} UTC, {record.added_by}"
                     + (_(" (demo)") if record.is_demo else "")),
    ]
    print(f"#{record.id}  {d.title}", file=out)
    width = max(len(label) for label, _v in lines) + 2
    for label, value in lines:
        if value:
            print(f"{label + ':':<{width}}{value}", file=out)
    for label, text in ((_("Summary"), d.summary), (_("Text"), d.full_text)):
        if text:
            print(f"\n{label}:", file=out)
            for line in text.splitlines():
                print(f"  {line}" if line.strip() else "", file=out)
    print("\n" + _("History:"), file=out)
    for v in versions:
        print(f"  v{v.version_no}  {v.content_sha256}  {v.version_by}  "
              f"{v.version_at:%Y-%m-%d %H:%M} UTC", file=out)
    return 0
