"""CLI commands of the signed documents: ``export rationale``, ``export bundle``,
``export oversight`` and ``verify``.

``verify`` needs no account: anyone handed a document may check it. It uses the database
when there is one (for the office CA and to match the recorded decision), and ``--ca`` when
the CA certificate comes from elsewhere. Exit status: 0 valid, 1 not valid, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import logging
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from app import bundle, documents
from app.cli_io import read_signing_password
from app.database import Database, default_database_path, open_database
from app.document_check import check_file, load_ca_file
from app.errors import GoldenRuleError, InputError
from app.i18n import _
from app.roles import Actor, Permission, require
from app.uow import UnitOfWork
from db.engine import sqlite_file, to_url


def add_commands(sub: Any) -> None:
    ex = sub.add_parser("export", help=_("export signed documents of a decision")
                        ).add_subparsers(dest="export_command", metavar="WHAT", required=True)
    p = ex.add_parser("rationale", help=_(
        "write the signed PDF rationale and/or the workbook with its .p7s signature"))
    p.add_argument("reference", metavar="REF", help=_("a case (its latest decision) or REF/N"))
    p.add_argument("--pdf", type=Path, metavar="OUT.pdf")
    p.add_argument("--xlsx", type=Path, metavar="OUT.xlsx",
                   help=_("the signature is written beside it as OUT.xlsx.p7s"))
    p = ex.add_parser("bundle", help=_(
        "write a ZIP with the signed documents, the records, the cited evidence and the "
        "audit events, under a manifest you sign; your signing password is read from the "
        "first line of stdin"))
    p.add_argument("reference", metavar="REF")
    p.add_argument("out", type=Path, metavar="OUT.zip")
    p = ex.add_parser("oversight", help=_(
        "write an oversight report (ATT annual report, EU COARM table, UK-style statistics or "
        "the decision register) for a period; xlsx and pdf are signed with your key, so your "
        "signing password is read from the first line of stdin"))
    p.add_argument("--profile", required=True, metavar="att|eu-coarm|uk-stats|register")
    p.add_argument("--from", dest="start", required=True, type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--format", dest="fmt", required=True, choices=["xlsx", "pdf", "csv"])
    p.add_argument("--redaction", default="parliament", metavar="NAME", help=_(
        "redaction profile (default parliament; 'none' needs a supervisor)"))
    p.add_argument("--basis", default="authorised", choices=["authorised", "actual"],
                   help=_("ATT report: licences issued, or shipments recorded"))
    p.add_argument("out", type=Path, metavar="OUT", help=_(
        "the file to write; for csv, a folder or a stem for one file per table"))

    p = sub.add_parser("verify", help=_(
        "check a rationale PDF, a workbook (with its .p7s) or a case bundle: signatures, "
        "certificate chain, and whether it matches the recorded decision; exit 1 if not valid"))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--signature", type=Path, metavar="FILE.p7s",
                   help=_("the workbook's detached signature (default: FILE.p7s)"))
    p.add_argument("--ca", type=Path, metavar="CA.pem", action="append", default=[],
                   help=_("trust this office CA certificate too (PEM or DER)"))
    p.add_argument("--no-db", action="store_true",
                   help=_("do not consult the database: check the file on its own"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("'{t}' is not a date (YYYY-MM-DD)").format(
            t=text)) from None


def _oversight(db: Database, args: argparse.Namespace, out: TextIO, stdin: TextIO,
               actor: Actor) -> int:
    from app.oversight import service

    request = service.ReportRequest(args.profile, args.start, args.end, args.redaction,
                                    args.basis)
    with UnitOfWork(db.session_factory) as uow:
        service.build(uow, actor, request)  # refuse before asking for a password
    password = read_signing_password(stdin, actor.username) if args.fmt != "csv" else None
    with UnitOfWork(db.session_factory) as uow:
        result = service.export(uow, actor, request, args.fmt, args.out, password)
    report = result.report
    for path in result.files:
        print(_("Wrote {path}").format(path=path), file=out)
    print(_("{title}, {start} to {end}: {n} decisions counted; redaction profile {r}.").format(
        title=report.title, start=args.start, end=args.end, n=report.counted,
        r=report.redaction), file=out)
    for line in report.withheld or [_("Nothing was withheld.")]:
        print(f"  {line}", file=out)
    return 0


def cmd_export(db: Database, args: argparse.Namespace, out: TextIO, stdin: TextIO,
               actor: Actor) -> int:
    if args.export_command == "oversight":
        return _oversight(db, args, out, stdin, actor)
    require(actor, Permission.VIEW_CASES)
    if args.export_command == "rationale":
        if args.pdf is None and args.xlsx is None:
            raise InputError(_("Give --pdf OUT.pdf, --xlsx OUT.xlsx or both."))
        with UnitOfWork(db.session_factory) as uow:
            written = documents.export_rationale(uow, actor, args.reference, pdf=args.pdf,
                                                 xlsx=args.xlsx)
        for path in written:
            print(_("Wrote {path}").format(path=path), file=out)
        return 0
    password = read_signing_password(stdin, actor.username)
    with UnitOfWork(db.session_factory) as uow:
        result = bundle.export_bundle(uow, actor, args.reference, args.out, password)
    print(_("Wrote {path}: {n} files, SHA-256 {sha}").format(path=result.path, n=result.files,
                                                             sha=result.sha256), file=out)
    return 0


def _database_for_verify(args: argparse.Namespace) -> Database | None:
    if args.no_db:
        return None
    target = args.db or default_database_path()
    file = sqlite_file(to_url(target))
    if file is not None and not file.exists():
        return None
    try:
        return open_database(target, backup=False)
    except GoldenRuleError:
        return None


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    if not args.file.exists():
        raise InputError(_("{path} does not exist.").format(path=args.file))
    if args.signature is not None and not args.signature.exists():
        raise InputError(_("{path} does not exist.").format(path=args.signature))
    roots = [c for path in args.ca for c in load_ca_file(path)]
    # pyHanko logs a traceback for every certificate it cannot trace; the verdict says it.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    db = _database_for_verify(args)
    try:
        if db is None:
            verdict = check_file(args.file, args.signature, None, roots)
        else:
            with UnitOfWork(db.session_factory) as uow:
                verdict = check_file(args.file, args.signature, uow, roots)
    finally:
        if db is not None:
            db.dispose()
    if args.json:
        json.dump({"file": str(args.file), "kind": verdict.kind, "valid": verdict.ok,
                   "headline": verdict.headline, "details": verdict.details,
                   "record": verdict.record_ref or None,
                   "matches_record": verdict.matches_record,
                   "signatures": [{
                       "field": s.field_name or None, "signer": s.signer,
                       "username": s.username, "issuer": s.issuer,
                       "certificate_sha256": s.certificate_sha256,
                       "signed_at": s.signed_at.isoformat() if s.signed_at else None,
                       "intact": s.intact, "valid": s.valid, "trusted": s.trusted,
                       "unchanged_after": s.unchanged_after, "problems": s.problems,
                   } for s in verdict.signatures]}, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for line in verdict.lines():
            print(line, file=out)
    return 0 if verdict.ok else 1
