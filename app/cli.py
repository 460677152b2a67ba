"""The command-line face of the same use cases the window uses.

Exit status: 0 success, 2 bad input (a bad file, argument, password), 1 other failures.
The signed-in user comes from --user (or GOLDENRULE_USER) and GOLDENRULE_PASSWORD, or a
prompt on the terminal; a new account's password is read from standard input.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from app import (
    cases,
    cli_assessment,
    cli_decisions,
    cli_denials,
    cli_documents,
    cli_evidence,
    cli_history,
    cli_screening,
    keys,
    users,
)
from app.casefile import dumps
from app.cli_io import read_secret
from app.database import Database, default_database_path, open_database
from app.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from app.errors import GoldenRuleError, InputError
from app.i18n import _
from app.status import CaseStatus, parse_status
from app.uow import UnitOfWork
from app.users import Actor


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="goldenrule",
        description=_("Golden Rule: assess arms-export licence applications. Without a "
                      "command, opens the desktop app."),
    )
    parser.add_argument("--db", metavar="PATH_OR_URL",
                        help=_("database file or SQLAlchemy URL (default: {path})").format(
                            path=default_database_path()))
    parser.add_argument("--user", metavar="NAME",
                        help=_("account to act as (default: $GOLDENRULE_USER)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help=_(
        "create the database, its first administrator and the office CA; reads the "
        "administrator's password, then the CA passphrase, from stdin"))
    p.add_argument("--username", default="admin")
    p.add_argument("--full-name", default="Administrator")
    p.add_argument("--demo", action="store_true", help=_("also load the demo applications"))
    p.add_argument("--authority", help=_("name of the licensing authority (on certificates)"))
    p.add_argument("--import-ca", type=Path, metavar="FILE",
                   help=_("adopt an existing CA: a PKCS#12 file, or a PEM certificate with "
                          "--ca-key"))
    p.add_argument("--ca-key", type=Path, metavar="KEYFILE",
                   help=_("the PEM private key of the CA certificate given to --import-ca"))

    sub.add_parser("info", help=_("show the database location and schema version"))

    user = sub.add_parser("user", help=_("manage accounts")).add_subparsers(
        dest="user_command", metavar="ACTION", required=True)
    p = user.add_parser("add", help=_("add an account; its password is read from stdin"))
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=[r.value for r in users.Role])
    p.add_argument("--full-name")
    user.add_parser("list", help=_("list accounts"))
    for action, text in (("disable", _("disable an account (it can no longer sign in)")),
                         ("enable", _("enable a disabled account")),
                         ("password", _("set an account's password, read from stdin"))):
        user.add_parser(action, help=text).add_argument("name")

    case = sub.add_parser("case", help=_("licence applications")).add_subparsers(
        dest="case_command", metavar="ACTION", required=True)
    p = case.add_parser("import", help=_("register an application from a case file"))
    p.add_argument("file", type=Path)
    p = case.add_parser("export", help=_("write a case to a case file ('-' for stdout)"))
    p.add_argument("reference")
    p.add_argument("file")
    p = case.add_parser("list", help=_("list cases"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.add_argument("--status", help=_("only cases in this status"))
    p.add_argument("--destination", help=_("only cases to this country (ISO code)"))
    p.add_argument("--history", action="store_true", help=_(
        "include the decisions imported from a previous system"))
    p = case.add_parser("status", help=_("move a case to another status"))
    p.add_argument("reference")
    p.add_argument("target", help=", ".join(s.value for s in CaseStatus))
    p.add_argument("--reason", default="")
    cli_assessment.add_case_commands(case)
    cli_assessment.add_framework_commands(sub)
    cli_evidence.add_commands(sub)
    cli_decisions.add_commands(sub)
    cli_documents.add_commands(sub)
    cli_history.add_commands(sub)
    cli_screening.add_commands(sub)
    cli_denials.add_commands(sub)
    return parser


def _sign_in(db: Database, username: str | None) -> Actor:
    username = username or os.environ.get("GOLDENRULE_USER")
    if not username:
        raise InputError(_("Say who you are: --user NAME or GOLDENRULE_USER."))
    password = os.environ.get("GOLDENRULE_PASSWORD")
    if password is None:
        if not sys.stderr.isatty():
            raise InputError(_("Set GOLDENRULE_PASSWORD or run in a terminal to be asked."))
        password = getpass.getpass(_("Password for {u}: ").format(u=username))
    with UnitOfWork(db.session_factory) as uow:
        return users.authenticate(uow, username, password)


def _optional_secret(stdin: TextIO, what: str) -> str | None:
    """A secret from $GOLDENRULE_CA_PASSWORD, else the next stdin line if there is one."""
    from_env = os.environ.get("GOLDENRULE_CA_PASSWORD")
    if from_env is not None:
        return from_env
    if stdin.isatty():
        return read_secret(stdin, what) or None
    line = stdin.readline()
    return line.rstrip("\r\n") or None


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(_("Cannot read {path}: {error}").format(path=path,
                                                                 error=exc.strerror)) from exc


def _cmd_init(db: Database, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    """Standard input: the administrator's password, then (with --import-ca) the CA file's
    password, then the office CA passphrase."""
    password = read_secret(stdin, _("new administrator's password"))
    file_password = None
    ca_data = key_data = None
    if args.import_ca:
        ca_data = _read_file(args.import_ca)
        key_data = _read_file(args.ca_key) if args.ca_key else None
        file_password = read_secret(stdin, _("password of the CA file")) or None
    ca_password = read_secret(stdin, _("office CA passphrase"))
    with UnitOfWork(db.session_factory) as uow:
        if ca_data is None:
            admin = users.create_first_administrator(uow, args.username, args.full_name,
                                                     password, ca_password=ca_password,
                                                     organisation=args.authority or "")
        else:
            keys.check_ca_password(ca_password)
            admin = users.create_first_administrator(uow, args.username, args.full_name,
                                                     password)
            keys.import_ca(uow, admin, ca_data, ca_password, key_data, file_password)
            keys.issue_user_key(uow, admin, admin.username, password, ca_password)
        print(_("Created administrator '{u}' and the office certificate authority in {db}")
              .format(u=admin.username, db=db.display_name), file=out)
        if args.demo:
            refs = seed_demo(uow, admin, ca_password=ca_password)
            print(_("Loaded {n} demo applications: {refs}").format(
                n=len(refs), refs=", ".join(refs)), file=out)
            print(_("Demo accounts: {names} (password: {pw})").format(
                names=", ".join(a[0] for a in DEMO_ACCOUNTS), pw=DEMO_PASSWORD), file=out)
    return 0


def _cmd_info(db: Database, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    print(_("Database: {db}").format(db=db.display_name), file=out)
    print(_("Schema:   {rev}").format(rev=db.migration.after), file=out)
    return 0


def _cmd_user(db: Database, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    actor = _sign_in(db, args.user)
    with UnitOfWork(db.session_factory) as uow:
        if args.user_command == "add":
            password = read_secret(stdin, _("new account's password"))
            ca_password = _optional_secret(stdin, _("office CA passphrase (empty: no key yet)"))
            created = users.create_user(uow, actor, args.name, args.full_name or args.name,
                                        users.parse_role(args.role), password,
                                        ca_password=ca_password)
            print(_("Created {role} '{u}'").format(role=created.role.value,
                                                   u=created.username), file=out)
            if ca_password is None:
                print(_("No signing key issued: {u} cannot sign until an administrator runs "
                        "'goldenrule keys issue {u}'.").format(u=created.username), file=out)
        elif args.user_command in ("disable", "enable"):
            users.set_active(uow, actor, args.name, args.user_command == "enable")
            print(_("{u} is {state}").format(
                u=args.name, state=_("enabled") if args.user_command == "enable"
                else _("disabled")), file=out)
        elif args.user_command == "password":
            password = read_secret(stdin, _("new password"))
            own = args.name == actor.username
            old = os.environ.get("GOLDENRULE_PASSWORD") if own else None
            ca_password = None if own else _optional_secret(
                stdin, _("office CA passphrase to issue a new key (empty: none)"))
            users.change_password(uow, actor, args.name, password, old_password=old,
                                  ca_password=ca_password)
            print(_("Password changed for {u}").format(u=args.name), file=out)
        else:
            for account, active in users.list_users(uow):
                state = "" if active else _(" (disabled)")
                print(f"{account.username}\t{account.role.value}\t{account.full_name}{state}",
                      file=out)
    return 0


def _cmd_case(db: Database, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    actor = _sign_in(db, args.user)
    action = args.case_command
    if action == "check":
        return cli_assessment.cmd_check(db, args, out)
    if action == "assess":
        return cli_assessment.cmd_assess(db, args, out, actor)
    if action == "decide":
        return cli_assessment.cmd_decide(db, args, out, stdin, actor)
    with UnitOfWork(db.session_factory) as uow:
        if action == "import":
            record = cases.import_case_file(uow, actor, args.file)
            print(record.reference, file=out)
        elif action == "export":
            case_id = cases.find_case_id(uow, args.reference)
            text = dumps(cases.export_document(uow, case_id))
            if args.file == "-":
                out.write(text)
            else:
                try:
                    Path(args.file).write_text(text, encoding="utf-8")
                except OSError as exc:
                    raise InputError(_("Cannot write {path}: {error}").format(
                        path=args.file, error=exc.strerror)) from exc
        elif action == "status":
            case_id = cases.find_case_id(uow, args.reference)
            record = cases.change_status(uow, actor, case_id, parse_status(args.target),
                                         args.reason)
            print(f"{record.reference}\t{record.status.value}", file=out)
        else:
            rows = cases.list_cases(uow, include_history=args.history)
            if args.status:
                wanted = parse_status(args.status)
                rows = [r for r in rows if r.status == wanted]
            if args.destination:
                rows = [r for r in rows if r.destination == args.destination.upper()]
            if args.json:
                json.dump([
                    {"reference": r.reference, "status": r.status.value,
                     "licence_type": r.licence_type, "exporter": r.exporter_name,
                     "destination": r.destination, "end_user": r.end_user,
                     "control_entries": r.control_entries, "value": r.value_text,
                     "received_date": r.received_date.isoformat() if r.received_date else None,
                     "deadline": r.deadline.isoformat() if r.deadline else None,
                     "demo": r.is_demo}
                    for r in rows
                ], out, ensure_ascii=False, indent=2)
                out.write("\n")
            else:
                for r in rows:
                    print("\t".join([r.reference, r.status.value, r.destination,
                                     r.exporter_name, r.control_entries]), file=out)
    return 0


COMMANDS: dict[str, Callable[[Database, argparse.Namespace, TextIO, TextIO], int]] = {
    "init": _cmd_init, "info": _cmd_info, "user": _cmd_user, "case": _cmd_case,
    "framework": lambda db, args, out, stdin: cli_assessment.cmd_framework(args, out),
    "evidence": lambda db, args, out, stdin: cli_evidence.cmd_evidence(
        db, args, out, _sign_in(db, args.user)),
    "audit": lambda db, args, out, stdin: cli_decisions.cmd_audit(
        db, args, out, _sign_in(db, args.user)),
    "decision": lambda db, args, out, stdin: cli_decisions.cmd_decision(
        db, args, out, stdin, _sign_in(db, args.user)),
    "keys": lambda db, args, out, stdin: cli_decisions.cmd_keys(
        db, args, out, stdin, _sign_in(db, args.user)),
    "export": lambda db, args, out, stdin: cli_documents.cmd_export(
        db, args, out, stdin, _sign_in(db, args.user)),
    "import": lambda db, args, out, stdin: cli_history.cmd_import(
        db, args, out, _sign_in(db, args.user)),
    "shipments": lambda db, args, out, stdin: cli_history.cmd_shipments(
        db, args, out, _sign_in(db, args.user)),
    "screening": lambda db, args, out, stdin: cli_screening.cmd_screening(
        db, args, out, _sign_in(db, args.user)),
    "denials": lambda db, args, out, stdin: cli_denials.cmd_denials(
        db, args, out, _sign_in(db, args.user)),
}


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None,
        stdin: TextIO | None = None) -> int:
    out, err, stdin = out or sys.stdout, err or sys.stderr, stdin or sys.stdin
    if args.command == "verify":  # needs no account, and no database when there is none
        try:
            return cli_documents.cmd_verify(args, out)
        except GoldenRuleError as exc:
            print(_("error: {msg}").format(msg=exc), file=err)
            return 2
    try:
        db = open_database(args.db)
    except GoldenRuleError as exc:
        print(_("error: {msg}").format(msg=exc), file=err)
        return 2 if isinstance(exc, InputError) else 1
    try:
        return COMMANDS[args.command](db, args, out, stdin)
    except InputError as exc:
        print(_("error: {msg}").format(msg=exc), file=err)
        return 2
    except GoldenRuleError as exc:
        print(_("error: {msg}").format(msg=exc), file=err)
        return 1
    finally:
        db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return 2
    return run(args)
