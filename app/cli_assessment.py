"""CLI commands of the assessment: hard-stop checks, findings from a file, decisions, and
framework files. Same use cases, same rules as the window: a forbidden decision exits 2."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from app import assessments, cases, decisions, findingsfile
from app.assessment import DecisionInput, Evaluation, Outcome
from app.cli_io import read_signing_password
from app.database import Database
from app.errors import InputError, ReferenceDataError
from app.frameworks import Framework, catalogue, parse_framework
from app.hardstops import CheckResult, CheckStatus
from app.i18n import _
from app.uow import UnitOfWork


def add_case_commands(case: Any) -> None:
    p = case.add_parser("check", help=_("run the hard-stop checks (embargoes, ...) on a case"))
    p.add_argument("reference")
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                   help=_("judge at this date (default: today)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = case.add_parser("assess", help=_("record findings from a findings file and show the "
                                         "outcome the rules allow"))
    p.add_argument("reference")
    p.add_argument("--framework", required=True, metavar="ID")
    p.add_argument("--findings", required=True, type=Path, metavar="FILE.json",
                   help=_("findings file (schema: docs/formats/findings.schema.json)"))
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = case.add_parser("decide", help=_("record the outcome; refused when the rules forbid it"))
    p.add_argument("reference")
    p.add_argument("--outcome", required=True, choices=[o.value for o in Outcome])
    p.add_argument("--rationale-file", required=True, type=Path, metavar="FILE",
                   help=_("text file with the reasons for the decision ('-' for stdin)"))
    p.add_argument("--framework", metavar="ID",
                   help=_("framework of the assessment (default: the case's only one)"))
    p.add_argument("--condition", action="append", default=[], metavar="TEXT",
                   help=_("a licence condition (repeat for several)"))
    p.add_argument("--criteria", default="", metavar="IDS",
                   help=_("comma-separated criteria or hard stops a refusal rests on"))
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))


def add_framework_commands(sub: Any) -> None:
    fw = sub.add_parser("framework", help=_("assessment frameworks")).add_subparsers(
        dest="framework_command", metavar="ACTION", required=True)
    p = fw.add_parser("list", help=_("list the frameworks and any broken framework files"))
    p.add_argument("--json", action="store_true")
    p = fw.add_parser("show", help=_("show a framework's criteria, scales and questions"))
    p.add_argument("id")
    p = fw.add_parser("check", help=_("validate a framework file before installing it"))
    p.add_argument("file", type=Path)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("'{t}' is not a date (YYYY-MM-DD)").format(
            t=text)) from None


def _print_checks(results: list[CheckResult], out: TextIO) -> None:
    for r in results:
        print(f"{r.status.label.upper():<26} {r.title}  [{r.key}]", file=out)
        if r.basis:
            print("    " + _("Basis: {b}").format(b=r.basis), file=out)
        for line in r.detail.splitlines():
            print("    " + line, file=out)


def _print_evaluation(ev: Evaluation, out: TextIO) -> None:
    for line in ev.explanation():
        print(line, file=out)


def cmd_check(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    with UnitOfWork(db.session_factory) as uow:
        case_id = cases.find_case_id(uow, args.reference)
        record = cases.get_case(uow, case_id)
        as_of = args.as_of or date.today()
        results = assessments.hard_stops(uow, case_id, as_of)
    applies = any(r.status is CheckStatus.APPLIES for r in results)
    if args.json:
        json.dump({"reference": record.reference, "destination": record.data.destination,
                   "as_of": as_of.isoformat(), "hard_stop": applies,
                   "results": [r.to_json() for r in results]}, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    print(_("{ref}: hard-stop checks as of {date}").format(ref=record.reference,
                                                          date=as_of.isoformat()), file=out)
    _print_checks(results, out)
    print(_("Refusal is mandatory: a hard stop applies.") if applies else
          _("No hard stop applies (review any items marked for review)."), file=out)
    return 0


def _framework(framework_id: str) -> Framework:
    return catalogue().get(framework_id)


def cmd_assess(db: Database, args: argparse.Namespace, out: TextIO, actor: Any) -> int:
    fw = _framework(args.framework)
    data, incidents = findingsfile.read_file(args.findings, fw)
    with UnitOfWork(db.session_factory) as uow:
        case_id = cases.find_case_id(uow, args.reference)
        record = assessments.open_assessment(uow, actor, case_id, fw.id)
        data.current_step = record.data.current_step
        assessments.save_assessment(uow, actor, case_id, data, record.row_version,
                                    commit=incidents is None)
        if incidents is not None:
            assessments.save_incidents(uow, actor, case_id, incidents)
        ev, results, _fw = assessments.evaluate_case(uow, case_id, fw.id, args.as_of)
    if args.json:
        json.dump({"reference": args.reference, "checks": [r.to_json() for r in results],
                   "evaluation": ev.to_json()}, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        print(_("{ref} under {fw} {version}").format(ref=args.reference, fw=fw.title,
                                                     version=fw.version), file=out)
        _print_evaluation(ev, out)
    return 0


def _read_text(path: Path, stdin: TextIO) -> str:
    if str(path) == "-":
        return stdin.read()
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(_("Cannot read {path}: {error}").format(path=path,
                                                                 error=exc.strerror)) from exc
    except UnicodeDecodeError as exc:
        raise InputError(_("{path} is not UTF-8 text").format(path=path)) from exc


def cmd_decide(db: Database, args: argparse.Namespace, out: TextIO, stdin: TextIO,
               actor: Any) -> int:
    password = read_signing_password(stdin, actor.username)
    rationale = _read_text(args.rationale_file, stdin)
    decision = DecisionInput(Outcome(args.outcome), rationale, list(args.condition),
                             [c for c in args.criteria.split(",") if c.strip()])
    with UnitOfWork(db.session_factory) as uow:
        case_id = cases.find_case_id(uow, args.reference)
        framework_id = args.framework
        if framework_id is None:
            started = assessments.list_assessments(uow, case_id)
            if len(started) != 1:
                raise InputError(_("{ref} has {n} assessments: say which with --framework.")
                                 .format(ref=args.reference, n=len(started)))
            framework_id = started[0][0]
        record = decisions.record_decision(uow, actor, case_id, framework_id, decision,
                                           args.as_of, password=password)
    if args.json:
        json.dump({"reference": record.case_reference, "decision": record.id,
                   "record": record.ref, "snapshot_sha256": record.snapshot_sha256,
                   "outcome": record.outcome.value, "status": record.status_after.value,
                   "criteria_cited": record.criteria_cited, "conditions": record.conditions,
                   "decided_by": record.decided_by,
                   "decided_at": record.decided_at.isoformat()}, out, indent=2)
        out.write("\n")
    else:
        print(_("{ref}: {outcome} signed by {user} as record {rec} (SHA-256 {sha}); the case "
                "is now {status}.").format(
            ref=record.case_reference, outcome=record.outcome.label.lower(),
            user=record.decided_by, rec=record.ref, sha=record.snapshot_sha256,
            status=record.status_after.label.lower()), file=out)
    return 0


def cmd_framework(args: argparse.Namespace, out: TextIO) -> int:
    if args.framework_command == "check":
        try:
            raw = args.file.read_bytes()
        except OSError as exc:
            raise InputError(_("Cannot read {path}: {error}").format(
                path=args.file, error=exc.strerror)) from exc
        try:
            fw = parse_framework(args.file, raw)
        except ReferenceDataError as exc:
            raise InputError(str(exc)) from exc
        print(_("{path}: valid framework '{id}' version {v} with {n} criteria.").format(
            path=args.file, id=fw.id, v=fw.version, n=len(fw.criteria)), file=out)
        return 0
    cat = catalogue()
    if args.framework_command == "show":
        fw = cat.get(args.id)
        print(f"{fw.title} ({fw.id} {fw.version})", file=out)
        print(fw.source, file=out)
        if fw.is_historical:
            print(_("HISTORICAL: {note}").format(note=fw.historical_note), file=out)
        for c in fw.criteria:
            print(f"\n[{c.id}] {c.title} — {c.effect}, {c.citation}", file=out)
            print("  " + _("Levels: {levels}").format(levels=", ".join(c.level_ids))
                  + (("; " + _("threshold: {t}").format(t=c.threshold)) if c.threshold else ""),
                  file=out)
            for q in c.questions:
                print(f"  - {q.id}: {q.text}", file=out)
        return 0
    if args.json:
        json.dump({"frameworks": [{"id": f.id, "version": f.version, "title": f.title,
                                   "historical": f.is_historical, "shipped": f.shipped,
                                   "sha256": f.sha256, "path": str(f.path)}
                                  for f in cat.frameworks],
                   "problems": [str(p) for p in cat.problems]}, out, indent=2)
        out.write("\n")
    else:
        for f in cat.frameworks:
            flag = _(" (historical)") if f.is_historical else ""
            origin = "" if f.shipped else _(" [authority file]")
            print(f"{f.id}\t{f.version}\t{f.title}{flag}{origin}", file=out)
        for p in cat.problems:
            print(_("problem: {p}").format(p=p), file=out)
    return 1 if cat.problems else 0
