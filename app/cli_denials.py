"""CLI commands of the denial register (docs/formats/denial-notifications.md):

- ``denials import FILE.csv [--notified-on DATE]``: other authorities' denial
  notifications, LITE layout, all or nothing;
- ``denials list [--as-of DATE] [--json]``: the register, notified denials and this
  authority's own refusals;
- ``denials check REF [--as-of DATE] [--json]``: the earlier denials of a transaction
  essentially identical to a case, and the consultations recorded;
- ``denials consult REF DENIAL_KEY --with STATE --on DATE --outcome TEXT``: record a
  consultation.

Same use cases as the window; bad input exits 2 and stores nothing, a role that may not do
the action exits 1 with the message naming the roles that may.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from app import cases, denials
from app.database import Database
from app.errors import InputError
from app.i18n import _
from app.roles import Actor
from app.uow import UnitOfWork


def add_commands(sub: Any) -> None:
    dn = sub.add_parser("denials", help=_(
        "the denial register: other authorities' denial notifications and this authority's "
        "refusals")).add_subparsers(dest="denials_command", metavar="ACTION", required=True)
    p = dn.add_parser("import", help=_(
        "import denial notifications from a CSV file in the LITE layout; all or nothing"))
    p.add_argument("file", type=Path, metavar="FILE.csv")
    p.add_argument("--notified-on", metavar="YYYY-MM-DD", help=_(
        "date of the rows that carry no notified_on date of their own (default: today)"))
    p = dn.add_parser("list", help=_("list the register, oldest first"))
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help=_(
        "only the denials that count on this day (less than three years old)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p = dn.add_parser("check", help=_(
        "earlier denials of a transaction essentially identical to a case"))
    p.add_argument("reference", metavar="REF")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help=_("judge at this date "
                                                           "(default: today)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p = dn.add_parser("consult", help=_(
        "record the consultation about an earlier denial before approving a case"))
    p.add_argument("reference", metavar="REF")
    p.add_argument("denial_key", metavar="DENIAL_KEY",
                   help=_("as 'denials check' shows it: notified:<reference> or "
                          "own:<case reference>"))
    p.add_argument("--with", dest="consulted", required=True, metavar="STATE",
                   help=_("the state or authority consulted"))
    p.add_argument("--on", dest="consulted_on", required=True, metavar="YYYY-MM-DD",
                   help=_("the day of the consultation"))
    p.add_argument("--outcome", required=True, metavar="TEXT",
                   help=_("what the consultation found"))


def _date(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(_("{option}: '{t}' is not a date (YYYY-MM-DD)").format(
            option=option, t=text)) from None


def cmd_denials(db: Database, args: argparse.Namespace, out: TextIO, actor: Actor) -> int:
    action = args.denials_command
    with UnitOfWork(db.session_factory) as uow:
        if action == "import":
            report = denials.import_denials_csv(
                uow, actor, args.file, notified_on=_date("--notified-on", args.notified_on))
            print(_("{file} (SHA-256 {sha}): {rows} rows; {added} added, {updated} updated, "
                    "{unchanged} unchanged.").format(
                file=report.file, sha=report.sha256, rows=report.rows, added=report.added,
                updated=report.updated, unchanged=report.unchanged), file=out)
            for warning in report.warnings:
                print(_("warning: {w}").format(w=warning), file=out)
        elif action == "list":
            as_of = _date("--as-of", args.as_of)
            views = denials.register(uow, as_of)
            if args.json:
                json.dump([v.to_json() for v in views], out, ensure_ascii=False, indent=2)
                out.write("\n")
            else:
                today = as_of or date.today()
                for v in views:
                    lapsed = "" if v.in_force(today) else _(" (lapsed {d})").format(
                        d=v.lapses_on.isoformat())
                    print("\t".join([v.key, v.date.isoformat(), v.destination or "?",
                                     v.notifying, v.party_role, v.party_name,
                                     ", ".join(v.control_entries)]) + lapsed, file=out)
        elif action == "check":
            as_of = _date("--as-of", args.as_of) or date.today()
            case_id = cases.find_case_id(uow, args.reference)
            found = denials.identical_transactions(uow, case_id, as_of)
            ref = args.reference.strip()
            if args.json:
                json.dump({"reference": ref, "as_of": as_of.isoformat(),
                           "matches": [m.to_json() for m in found]},
                          out, ensure_ascii=False, indent=2)
                out.write("\n")
            else:
                _print_matches(ref, as_of, found, out)
        else:
            case_id = cases.find_case_id(uow, args.reference)
            on = _date("--on", args.consulted_on)
            assert on is not None
            view = denials.record_consultation(uow, actor, case_id, args.denial_key,
                                               args.consulted, on, args.outcome)
            print(_("Recorded for {ref} about {key}: {summary}").format(
                ref=args.reference.strip(), key=view.denial_key, summary=view.summary),
                file=out)
    return 0


def _print_matches(ref: str, as_of: date, found: list[denials.DenialMatch],
                   out: TextIO) -> None:
    if not found:
        print(_("{ref}: no earlier denial of an essentially identical transaction in the "
                "three years before {d}.").format(ref=ref, d=as_of.isoformat()), file=out)
        return
    print(_("{ref}: {n} earlier denial(s) of an essentially identical transaction (as of "
            "{d})").format(ref=ref, n=len(found), d=as_of.isoformat()), file=out)
    for m in found:
        print(f"\n{m.key}\t{m.title}", file=out)
        for line in m.explanation:
            print(f"  {line}", file=out)
        if m.consultation is None:
            print("  " + _("Consultation required before approval: 'goldenrule denials "
                           "consult {ref} {key} --with STATE --on DATE --outcome TEXT'.")
                  .format(ref=ref, key=m.key), file=out)
        else:
            print("  " + m.consultation.summary, file=out)
