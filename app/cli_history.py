"""CLI commands of the licensing history: ``import legacy`` (past decisions from a previous
system) and ``shipments add|import|list`` (actual exports under a licence).

Same use cases as the window; bad input exits 2 and stores nothing, a role that may not do
the action exits 1 with the message naming the roles that may.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from app import legacy_import, shipments
from app.database import Database
from app.errors import InputError
from app.i18n import _
from app.roles import Actor
from app.uow import UnitOfWork


def add_commands(sub: Any) -> None:
    im = sub.add_parser("import", help=_("import records from another system")
                        ).add_subparsers(dest="import_command", metavar="WHAT", required=True)
    p = im.add_parser("legacy", help=_(
        "import past licence decisions as legacy records (administrators); all or nothing"))
    p.add_argument("files", nargs="+", type=Path, metavar="FILE",
                   help=_("generic: one or more CSV files; caat-uk: the values file, then the "
                          "refusal criteria file"))
    p.add_argument("--format", dest="legacy_format", default="generic",
                   choices=legacy_import.FORMATS, help=_("the files' format (default generic; "
                                                         "see docs/formats/legacy-decisions.md)"))
    p.add_argument("--source", required=True, metavar="NAME",
                   help=_("name of the previous system or data set, such as caat-uk; a source "
                          "is imported once"))
    p.add_argument("--prefix", metavar="P", help=_(
        "case reference prefix (default LEGACY-<SOURCE>): cases are named P-<reference>"))

    sh = sub.add_parser("shipments", help=_("actual exports made under a licence")
                        ).add_subparsers(dest="shipments_command", metavar="ACTION",
                                         required=True)
    p = sh.add_parser("add", help=_(
        "record a shipment; a negative quantity and value correct an earlier one and need "
        "--note"))
    p.add_argument("reference", metavar="REF")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD", help=_("shipping date"))
    p.add_argument("--entry", required=True, metavar="ENTRY",
                   help=_("control entry on the licence (ML1.a, 5A002)"))
    p.add_argument("--quantity", required=True, metavar="Q")
    p.add_argument("--value", required=True, metavar="V")
    p.add_argument("--currency", required=True, metavar="CUR")
    p.add_argument("--description", default="", metavar="TEXT")
    p.add_argument("--note", default="", metavar="TEXT")
    p = sh.add_parser("import", help=_("record the shipments of a CSV file; all or nothing"))
    p.add_argument("file", type=Path, metavar="FILE.csv")
    p = sh.add_parser("list", help=_("a licence's shipments and totals per control entry"))
    p.add_argument("reference", metavar="REF")
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))


def cmd_import(db: Database, args: argparse.Namespace, out: TextIO, actor: Actor) -> int:
    with UnitOfWork(db.session_factory) as uow:
        report = legacy_import.import_legacy(uow, actor, args.files, args.legacy_format,
                                             args.source, args.prefix)
    for f in report.files:
        print(_("{name}: {rows} rows, SHA-256 {sha}").format(name=f.name, rows=f.rows,
                                                              sha=f.sha256), file=out)
    print(_("Imported {n} legacy licences from '{source}' ({issued} issued, {refused} "
            "refused, {revoked} revoked; {lines} goods lines) as {first} … {last} in "
            "{s:.1f} s.").format(
        n=report.licences, source=report.source, issued=report.issued,
        refused=report.refused, revoked=report.revoked, lines=report.goods_lines,
        first=report.first_reference, last=report.last_reference, s=report.seconds),
        file=out)
    return 0


def cmd_shipments(db: Database, args: argparse.Namespace, out: TextIO, actor: Actor) -> int:
    action = args.shipments_command
    with UnitOfWork(db.session_factory) as uow:
        if action == "add":
            record = shipments.record_shipment(
                uow, actor, args.reference, _date(args.date), args.entry, args.quantity,
                args.value, args.currency, args.description, args.note)
            print(_("Recorded shipment #{id}: {line}").format(id=record.id, line=_line(record)),
                  file=out)
        elif action == "import":
            report = shipments.import_shipments_csv(uow, actor, args.file)
            print(_("Recorded {n} shipments from {file} against {cases}.").format(
                n=len(report.shipments), file=report.file, cases=", ".join(report.cases)),
                file=out)
        else:
            rows = shipments.list_shipments(uow, args.reference)
            totals = shipments.shipped_totals(uow, args.reference)
            if args.json:
                json.dump({"reference": args.reference.strip(),
                           "shipments": [r.to_json() for r in rows],
                           "totals": [_total_json(t) for t in totals]},
                          out, ensure_ascii=False, indent=2)
                out.write("\n")
            else:
                for r in rows:
                    print(f"#{r.id}\t{_line(r)}", file=out)
                for t in totals:
                    value = " + ".join(f"{v:,.2f} {c}" for c, v in sorted(t.shipped_value.items()))
                    print(_("{entry}: shipped {shipped} of {licensed} {unit}{value}{over}")
                          .format(entry=t.control_entry, shipped=t.shipped_quantity,
                                  licensed=t.licensed_quantity, unit=t.unit,
                                  value=f"; {value}" if value else "",
                                  over=_(" (more than licensed)") if t.over else ""), file=out)
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(_("--date: '{t}' is not a date (YYYY-MM-DD)").format(t=text)) from None


def _line(r: shipments.ShipmentRecord) -> str:
    parts = [r.case_reference, r.shipped_on.isoformat(), r.control_entry, str(r.quantity),
             f"{r.value} {r.currency}", r.source]
    if r.note:
        parts.append(r.note)
    return "\t".join(parts)


def _total_json(t: shipments.EntryTotal) -> dict[str, Any]:
    return {"control_entry": t.control_entry, "licensed_quantity": str(t.licensed_quantity),
            "unit": t.unit, "shipped_quantity": str(t.shipped_quantity),
            "shipped_value": {c: str(v) for c, v in sorted(t.shipped_value.items())},
            "over": t.over}
