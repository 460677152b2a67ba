"""CLI of party screening: import list files, see what a new version changed, screen a
case or a name, judge hits, re-screen everything after a list update.

Same use cases as the Screening window and the case's screening tab (app/screening/).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from app.database import Database
from app.errors import InputError, NotFoundError
from app.i18n import _
from app.roles import Actor
from app.screening import lists as list_store
from app.screening import service
from app.screening.lists import ImportResult, ListDiff
from app.uow import UnitOfWork


def add_commands(sub: Any) -> None:
    sc = sub.add_parser("screening", help=_("sanctions lists and party screening")
                        ).add_subparsers(dest="screening_command", metavar="ACTION",
                                         required=True)
    for name, fmt, text in (
            ("import-un", "un-xml", _("import the UN Security Council consolidated list (XML)")),
            ("import-ofac", None, _("import an OFAC list: sdn.csv or cons_prim.csv (with "
                                    "their add/alt/comments files beside them) or the XML")),
            ("import-csv", "csv", _("import a list in the generic CSV format "
                                    "(docs/formats/sanctions-list-csv.md)")),
            ("import", None, _("import a list file of any known format (detected)"))):
        p = sc.add_parser(name, help=text)
        p.set_defaults(list_format=fmt)
        p.add_argument("file", type=Path, metavar="FILE")
        p.add_argument("--list", dest="list_name", metavar="NAME", required=fmt == "csv",
                       help=_("the list's name (a new version of a list of this name, or a "
                              "new list)"))
        if name == "import":
            p.add_argument("--format", dest="list_format", metavar="FORMAT", help=_(
                "un-xml, ofac-sdn-csv, ofac-cons-csv, ofac-xml, bis-dpl or csv"))
        p.add_argument("--no-rescreen", action="store_true", help=_(
            "do not screen open cases and licences in force again after the import"))
        p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p = sc.add_parser("lists", help=_("the lists, their current versions and whether in use"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p = sc.add_parser("use", help=_("use a list in screening, or stop using it"))
    p.add_argument("list_name", metavar="LIST")
    p.add_argument("state", choices=("on", "off"))
    p = sc.add_parser("diff", help=_("what the current version of a list changed"))
    p.add_argument("list_name", metavar="LIST")
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p = sc.add_parser("check", help=_("screen a case's parties now and keep the run"))
    p.add_argument("reference", metavar="REF")
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p = sc.add_parser("name", help=_("screen one name (nothing is stored)"))
    p.add_argument("name", metavar="NAME")
    p.add_argument("--country", default="", metavar="CC")
    p.add_argument("--kind", default="", choices=("", "individual", "entity"))
    p.add_argument("--dob", default="", metavar="YYYY[-MM-DD]")
    p.add_argument("--threshold", type=int, metavar="N")
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p = sc.add_parser("judge", help=_("record a judgement of a hit: true match or false "
                                      "positive (with a reason)"))
    p.add_argument("reference", metavar="REF")
    p.add_argument("--party", required=True, metavar="NAME", help=_("the party's name as on "
                                                                     "the application"))
    p.add_argument("--list", dest="list_name", required=True, metavar="LIST")
    p.add_argument("--entry", required=True, metavar="ID", help=_("the list entry's id"))
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--match", action="store_true", help=_("the party is the listed entry"))
    g.add_argument("--false-positive", action="store_true", help=_("it is not"))
    p.add_argument("--reason", default="", metavar="TEXT")
    p = sc.add_parser("rescreen", help=_("screen every open case and licence in force again"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p = sc.add_parser("history", help=_("a case's screening runs and judgements"))
    p.add_argument("reference", metavar="REF")


def _dump(doc: Any, out: TextIO) -> None:
    json.dump(doc, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _list_id(uow: UnitOfWork, name: str) -> int:
    row = list_store.find_list(uow, name)
    if row is None:
        known = ", ".join(i.name for i in list_store.lists(uow)) or _("none")
        raise NotFoundError(_("No list is named '{name}' (lists: {known}).").format(
            name=name, known=known))
    return row.id


def _diff_json(diff: ListDiff) -> dict[str, Any]:
    def rows(items: Any) -> list[dict[str, Any]]:
        return [{"key": s.key, "name": s.name, "kind": s.kind, "reference": s.reference,
                 "programmes": list(s.programmes), "changed": list(s.changed)} for s in items]
    return {"old_version": diff.old.id if diff.old else None, "new_version": diff.new.id,
            **diff.counts(), "added_entries": rows(diff.added),
            "removed_entries": rows(diff.removed), "amended_entries": rows(diff.amended),
            "reissued_references": list(diff.reissued)}


def _print_diff(diff: ListDiff, out: TextIO, limit: int = 20) -> None:
    if diff.old is None:
        print(_("First version of the list: {n} entries.").format(n=diff.new.entry_count),
              file=out)
        return
    print(_("Since {old}: {added} added, {removed} removed, {amended} amended{reissued}.")
          .format(old=diff.old.label, added=len(diff.added), removed=len(diff.removed),
                  amended=len(diff.amended),
                  reissued=_(" ({n} re-issued under a new id)").format(n=len(diff.reissued))
                  if diff.reissued else ""), file=out)
    for title, items in ((_("Added"), diff.added), (_("Removed"), diff.removed),
                         (_("Amended"), diff.amended)):
        for s in items[:limit]:
            extra = f" [{', '.join(s.changed)}]" if s.changed else ""
            print(f"  {title}: {s.key} {s.name}{' ' + s.reference if s.reference else ''}"
                  f"{extra}", file=out)
        if len(items) > limit:
            print(_("  {title}: … and {n} more").format(title=title, n=len(items) - limit),
                  file=out)


def _print_screening(s: service.Screening, out: TextIO) -> None:
    if not s.available:
        print(_("No sanctions list is imported or in use."), file=out)
        return
    print(_("Screened {n} parties against {lists} at threshold {t}.").format(
        n=len(s.parties), lists=s.versions_text(), t=s.threshold), file=out)
    if not s.hits:
        print(_("No hits."), file=out)
    for h in s.hits:
        new = _(" NEW") if h.is_new else ""
        print(f"[{h.state_label}{new}] {service.role_label(h.party.role)} {h.party.name} ~ "
              f"{h.hit.entry_name} ({h.list_name}, {_('entry')} {h.hit.entry_key}"
              f"{', ' + h.entry.reference if h.entry.reference else ''}): "
              f"{_('score')} {h.hit.score}", file=out)
        for line in h.explanation.lines():
            print(f"    {line}", file=out)
        if h.disposition is not None:
            d = h.disposition
            print("    " + _("Judged {verdict} by {by} on {date}: {reason}").format(
                verdict=d.verdict.replace("_", " "), by=d.decided_by,
                date=d.decided_at.date().isoformat(), reason=d.reason or "-"), file=out)


def _print_rescreen(r: service.RescreenReport, out: TextIO) -> None:
    print(_("Re-screened {cases} cases ({parties} parties) in {s:.1f} s: {hits} hits, {new} "
            "new to review.").format(cases=r.cases, parties=r.parties, s=r.seconds,
                                     hits=r.hits, new=len(r.new_hits)), file=out)
    for ref, h in r.new_hits:
        print(f"  {ref}: {h.party.name} ~ {h.hit.entry_name} ({h.list_name}) "
              f"{_('score')} {h.hit.score}", file=out)


def _rescreen_json(r: service.RescreenReport) -> dict[str, Any]:
    return {"cases": r.cases, "parties": r.parties, "hits": r.hits, "seconds": r.seconds,
            "new_hits": [{"case": ref, **h.to_json()} for ref, h in r.new_hits]}


def cmd_screening(db: Database, args: argparse.Namespace, out: TextIO, actor: Actor) -> int:
    action = args.screening_command
    with UnitOfWork(db.session_factory) as uow:
        if action.startswith("import"):
            result: ImportResult = list_store.import_list(
                uow, actor, args.file, list_name=args.list_name, fmt=args.list_format)
            rescreened = None
            if not args.no_rescreen:
                rescreened = service.rescreen(uow, actor)
            if args.json:
                _dump({"list": result.version.list_name, "version": result.version.id,
                       "entries": result.version.entry_count,
                       "names": result.version.name_count,
                       "published": result.version.published.isoformat()
                       if result.version.published else None,
                       "warnings": list(result.warnings), "diff": _diff_json(result.diff),
                       "rescreen": _rescreen_json(rescreened) if rescreened else None}, out)
                return 0
            v = result.version
            print(_("Imported {list}: {n} entries ({names} names), version {id}, SHA-256 "
                    "{sha}.").format(list=v.label, n=v.entry_count, names=v.name_count,
                                     id=v.id, sha=v.file_sha256), file=out)
            for w in result.warnings:
                print(_("  warning: {w}").format(w=w), file=out)
            _print_diff(result.diff, out)
            if rescreened is not None:
                _print_rescreen(rescreened, out)
        elif action == "lists":
            infos = list_store.lists(uow)
            if args.json:
                _dump([{"id": i.id, "name": i.name, "format": i.source_format,
                        "active": i.active, "versions": i.version_count,
                        "current": None if i.current is None else {
                            "version": i.current.id, "entries": i.current.entry_count,
                            "published": i.current.published.isoformat()
                            if i.current.published else None,
                            "imported_at": i.current.imported_at.isoformat(),
                            "file": i.current.file_name, "sha256": i.current.file_sha256}}
                       for i in infos], out)
                return 0
            if not infos:
                print(_("No sanctions list is imported."), file=out)
            for i in infos:
                cur = i.current
                print(f"{i.name}\t{_('in use') if i.active else _('not in use')}\t"
                      f"{cur.label if cur else '-'}\t{cur.entry_count if cur else 0} "
                      f"{_('entries')}\t{i.version_count} {_('versions')}", file=out)
        elif action == "use":
            list_store.set_active(uow, actor, _list_id(uow, args.list_name), args.state == "on")
            print(_("{list} is {state}.").format(list=args.list_name, state=_(
                "in use") if args.state == "on" else _("not in use")), file=out)
        elif action == "diff":
            vs = list_store.versions(uow, _list_id(uow, args.list_name))
            diff = list_store.diff_versions(uow, vs[1].id if len(vs) > 1 else None, vs[0].id)
            if args.json:
                _dump(_diff_json(diff), out)
            else:
                _print_diff(diff, out, limit=10_000)
        elif action == "check":
            from app import cases
            case_id = cases.find_case_id(uow, args.reference)
            s = service.screen_case(uow, actor, case_id)
            if args.json:
                _dump({"reference": args.reference.strip(), **s.to_json()}, out)
            else:
                _print_screening(s, out)
            return 0
        elif action == "name":
            s = service.screen_name(uow, actor, args.name, args.country, args.kind, args.dob,
                                    args.threshold)
            if args.json:
                _dump(s.to_json(), out)
            else:
                _print_screening(s, out)
        elif action == "judge":
            from app import cases
            if args.false_positive and not args.reason.strip():
                raise InputError(_("--reason: say why the hit is a false positive."))
            case_id = cases.find_case_id(uow, args.reference)
            service.record_disposition(uow, actor, case_id, args.party,
                                       _list_id(uow, args.list_name), args.entry,
                                       service.MATCH if args.match else service.FALSE_POSITIVE,
                                       args.reason)
            print(_("Recorded: {party} is {verdict} {entry}.").format(
                party=args.party, entry=args.entry,
                verdict=_("listed as") if args.match else _("not")), file=out)
        elif action == "rescreen":
            r = service.rescreen(uow, actor)
            if args.json:
                _dump(_rescreen_json(r), out)
            else:
                _print_rescreen(r, out)
        elif action == "history":
            from app import cases
            case_id = cases.find_case_id(uow, args.reference)
            for run in service.runs(uow, case_id):
                print(f"{run.run_at.isoformat(timespec='seconds')}\t{run.reason}\t"
                      f"{run.run_by}\t{_('threshold')} {run.threshold}\t"
                      f"{'; '.join(run.lists)}\t{run.hit_count} {_('hits')}, "
                      f"{run.open_count} {_('open')}, {run.new_count} {_('new')}", file=out)
            for d in service.disposition_history(uow, case_id):
                print(f"{d.decided_at.isoformat(timespec='seconds')}\t{d.party_name} ~ "
                      f"{d.entry_name} ({d.entry_key})\t{d.verdict}\t{d.decided_by}\t"
                      f"{d.case_reference}\t{d.reason}", file=out)
    return 0
