"""CLI commands of signed decisions, keys and the audit check: ``audit verify``,
``decision show|countersign|return|revoke|suspend|reinstate|confirm`` and
``keys list|export-ca|issue|import-ca|init-ca``.

Same use cases and rules as the window. A refused action prints the application's message,
which names the role it needs, and exits 2; signing passwords and passphrases are read one
per line from standard input (a prompt on a terminal), never from the environment.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from app import audit, decisions, keys, users
from app.cli_io import read_secret, read_signing_password
from app.database import Database
from app.decisions import RecordKind
from app.errors import AuthenticationError, InputError
from app.i18n import _
from app.roles import Actor, Permission, require
from app.uow import UnitOfWork

#: Notes (facts, not tampering: records from before signing) printed by ``audit verify``.
MAX_NOTES = 10

#: ``decision <action>`` -> the record kind it signs, for reassessments.
REASSESSMENTS = {
    "confirm": RecordKind.CONFIRMATION,
    "suspend": RecordKind.SUSPENSION,
    "reinstate": RecordKind.REINSTATEMENT,
    "revoke": RecordKind.REVOCATION,
}


def add_commands(sub: Any) -> None:
    au = sub.add_parser("audit", help=_("check the audit trail and the signed records")
                        ).add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    p = au.add_parser("verify", help=_(
        "check every change event and decision record for tampering; exit 1 if any was "
        "edited, deleted, inserted or reordered"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    de = sub.add_parser("decision", help=_("signed decision records")).add_subparsers(
        dest="decision_command", metavar="ACTION", required=True)
    p = de.add_parser("show", help=_(
        "show a case's records (REF) or one record (REF/N), each with its verification"))
    p.add_argument("reference", metavar="REF")
    p.add_argument("--json", action="store_true", help=_(
        "print the stored snapshots exactly as signed, with their verification"))
    signing = _("the signing password is read from the first line of stdin")
    p = de.add_parser("countersign", help=_("countersign the decision awaiting it; {note}")
                      .format(note=signing))
    p.add_argument("reference", metavar="REF")
    p.add_argument("--comment", default="", metavar="TEXT")
    p = de.add_parser("return", help=_("send the decision back to the officer with reasons; "
                                       "{note}").format(note=signing))
    p.add_argument("reference", metavar="REF")
    p.add_argument("--reason", required=True, metavar="TEXT")
    texts = {"revoke": _("revoke a licence in force"),
             "suspend": _("suspend a licence in force"),
             "reinstate": _("reinstate a suspended licence"),
             "confirm": _("record a reassessment that confirms a licence in force")}
    for action, text in texts.items():
        p = de.add_parser(action, help=f"{text}; {signing}")
        p.add_argument("reference", metavar="REF")
        p.add_argument("--reason", required=True, metavar="TEXT")
    p = de.add_parser("amend", help=_(
        "replace the conditions of a licence in force (give every condition that stays); "
        "{note}").format(note=signing))
    p.add_argument("reference", metavar="REF")
    p.add_argument("--condition", action="append", default=[], metavar="TEXT")
    p.add_argument("--reason", required=True, metavar="TEXT")

    ke = sub.add_parser("keys", help=_("the office CA and the users' signing keys")
                        ).add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    p = ke.add_parser("list", help=_("list the CA and user certificates, active and retired"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p = ke.add_parser("export-ca", help=_(
        "write the office CA certificate (PEM), to verify documents outside Golden Rule"))
    p.add_argument("file", metavar="FILE", help=_("where to write it ('-' for stdout)"))
    p = ke.add_parser("issue", help=_(
        "issue or rotate a user's signing key (administrator); reads the user's current "
        "password, then the CA passphrase, from stdin. Old signatures still verify"))
    p.add_argument("username")
    p = ke.add_parser("import-ca", help=_(
        "adopt an existing CA (administrator): a PKCS#12 file, or a PEM certificate with "
        "--key; reads the file's password (may be empty), then the new CA passphrase"))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--key", type=Path, metavar="KEYFILE", help=_("the CA's PEM private key"))
    p = ke.add_parser("init-ca", help=_(
        "create the office CA of a database that has none (administrator); reads the new CA "
        "passphrase from stdin"))
    p.add_argument("--authority", default="", metavar="NAME",
                   help=_("name of the licensing authority (on certificates)"))


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(_("Cannot read {path}: {error}").format(
            path=path, error=exc.strerror)) from exc


# --- audit ----------------------------------------------------------------------------------

def cmd_audit(db: Database, args: argparse.Namespace, out: TextIO, actor: Actor) -> int:
    with UnitOfWork(db.session_factory) as uow:
        report = audit.verify_integrity(uow, actor)
    if args.json:
        json.dump(report.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0 if report.ok else 1
    for problem in report.failures:
        print(f"[{problem.kind.value}] {problem.message}", file=out)
    notes = report.notes
    for note in notes[:MAX_NOTES]:
        print(f"[{_('note')}] {note.message}", file=out)
    if len(notes) > MAX_NOTES:
        print(f"[{_('note')}] " + _("… and {n} more notes (--json lists them all).").format(
            n=len(notes) - MAX_NOTES), file=out)
    checked = _("{events} events and {records} decision records checked in {s:.2f} s").format(
        events=report.events_checked, records=report.records_checked, s=report.seconds)
    if report.ok:
        print(_("Intact: {checked}; nothing was edited, deleted, inserted or reordered.")
              .format(checked=checked), file=out)
        return 0
    count = len(report.failures)
    print((_("1 problem found ({checked}).") if count == 1 else
           _("{n} problems found ({checked}).")).format(n=count, checked=checked), file=out)
    return 1


# --- decisions ------------------------------------------------------------------------------

def cmd_decision(db: Database, args: argparse.Namespace, out: TextIO, stdin: TextIO,
                 actor: Actor) -> int:
    action = args.decision_command
    if action == "show":
        return _show(db, args, out, actor)
    permission = Permission.COUNTERSIGN if action in ("countersign", "return") \
        else Permission.REASSESS
    require(actor, permission)  # before asking for a password that could not be used
    password = read_signing_password(stdin, actor.username)
    with UnitOfWork(db.session_factory) as uow:
        case_id, _seq = decisions.parse_record_ref(uow, args.reference)
        if action == "countersign":
            record = decisions.countersign(uow, actor, case_id, args.comment,
                                           password=password)
        elif action == "return":
            record = decisions.return_decision(uow, actor, case_id, args.reason,
                                               password=password)
        elif action == "amend":
            record = decisions.amend(uow, actor, case_id, args.condition, args.reason,
                                     password=password)
        else:
            record = decisions.reassess(uow, actor, case_id, REASSESSMENTS[action],
                                        args.reason, password=password)
    print(_("{rec}: {kind} signed by {user} (SHA-256 {sha}); {ref} is now {status}.").format(
        rec=record.ref, kind=record.kind.label.lower(), user=record.decided_by,
        sha=record.snapshot_sha256, ref=record.case_reference,
        status=record.status_after.label.lower()), file=out)
    return 0


def _show(db: Database, args: argparse.Namespace, out: TextIO, actor: Actor) -> int:
    with UnitOfWork(db.session_factory) as uow:
        found = audit.check_case_records(uow, actor, args.reference)
    if args.json:
        reference = args.reference.strip().partition("/")[0]
        out.write("{" + json.dumps("reference") + ": " + json.dumps(reference) + ", "
                  + json.dumps("records") + ": [\n")
        out.write(",\n".join(_record_json(s) for s in found))
        out.write("\n]}\n")
    else:
        for n, status in enumerate(found):
            if n:
                print(file=out)
            _print_record(status, out)
    return 0 if all(s.ok for s in found) else 1


def _record_json(status: audit.RecordStatus) -> str:
    """One record as JSON, its snapshot embedded byte for byte as it was signed."""
    head = json.dumps({"id": status.id, "ref": status.ref, "kind": status.kind,
                       "origin": status.origin, "snapshot_sha256": status.snapshot_sha256,
                       "verification": status.verification()}, ensure_ascii=False)
    text = status.snapshot_text
    if text is None:
        raw = "null"
    else:
        try:
            json.loads(text)
            raw = text
        except ValueError:
            raw = json.dumps(text, ensure_ascii=False)  # not JSON any more: as a string
    return head[:-1] + ', "snapshot": ' + raw + "}"


def _print_record(status: audit.RecordStatus, out: TextIO) -> None:
    snap: dict[str, Any] = {}
    if status.snapshot_text:
        try:
            loaded = json.loads(status.snapshot_text)
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            snap = loaded
    columns = status.columns
    kind = snap.get("kind") or status.kind
    try:
        kind_label = RecordKind(kind).label
    except ValueError:
        kind_label = str(kind)
    decision = snap.get("decision") or {}
    signer = snap.get("signer") or {}
    who = (f"{signer.get('full_name')} ({signer.get('username')})" if signer
           else str(columns.get("decided_by", "")))
    when = str(snap.get("signed_at") or columns.get("decided_at") or "")
    outcome = decision.get("outcome") or columns.get("outcome")
    print(f"{status.ref}  {kind_label}: {outcome}  —  {who}, {when[:16].replace('T', ' ')} UTC",
          file=out)
    state = snap.get("status") or {"before": columns.get("status_before"),
                                    "after": columns.get("status_after")}
    print("  " + _("Status: {before} → {after}").format(before=state.get("before"),
                                                         after=state.get("after")), file=out)
    if kind == RecordKind.DECISION.value:
        reasons = decision.get("rationale") or columns.get("rationale")
        if decision.get("conditions"):
            print("  " + _("Conditions: {c}").format(c="; ".join(decision["conditions"])),
                  file=out)
        if decision.get("criteria_cited"):
            print("  " + _("Criteria cited: {c}").format(c=", ".join(decision["criteria_cited"])),
                  file=out)
    else:
        reasons = snap.get("reason") or snap.get("comment") or columns.get("rationale")
        ref = snap.get("decision") or {}
        if ref.get("sequence"):
            print("  " + _("About decision {n} (SHA-256 {sha})").format(
                n=ref.get("sequence"), sha=ref.get("sha256")), file=out)
    if reasons:
        print("  " + _("Reasons: {text}").format(text=reasons), file=out)
    if status.snapshot_sha256:
        print("  SHA-256: " + status.snapshot_sha256, file=out)
    if not status.signed:
        print("  " + _("Not signed (origin: {origin}).").format(origin=status.origin), file=out)
    elif status.ok:
        print("  " + _("Signature valid: exactly as signed, with certificate {subject} "
                       "(SHA-256 {fp}…), issued by the office CA.").format(
            subject=status.certificate_subject, fp=status.certificate_sha256[:16]), file=out)
    for problem in status.problems:
        if not problem.informational:
            print(f"  [{problem.kind.value}] {problem.message}", file=out)


# --- keys -----------------------------------------------------------------------------------

def cmd_keys(db: Database, args: argparse.Namespace, out: TextIO, stdin: TextIO,
             actor: Actor) -> int:
    action = args.keys_command
    if action in ("issue", "import-ca", "init-ca"):
        require(actor, Permission.MANAGE_KEYS)  # before asking for any secret
    with UnitOfWork(db.session_factory) as uow:
        if action == "list":
            return _list(uow, args, out)
        if action == "export-ca":
            return _export_ca(uow, args, out)
        if action == "issue":
            return _issue(uow, actor, args, out, stdin)
        if action == "import-ca":
            data = _read_file(args.file)
            key_data = _read_file(args.key) if args.key else None
            file_password = read_secret(stdin, _("password of the CA file (empty: none)"))
            ca_password = read_secret(stdin, _("new office CA passphrase"))
            info = keys.import_ca(uow, actor, data, ca_password, key_data,
                                  file_password or None)
            print(_("Imported the office CA '{name}' (certificate #{id}, SHA-256 {fp}).")
                  .format(name=info.common_name, id=info.id, fp=info.fingerprint), file=out)
            return 0
        ca_password = read_secret(stdin, _("new office CA passphrase"))
        info = keys.create_ca(uow.session, actor.id, ca_password,
                              organisation=args.authority.strip())
        uow.commit()
        print(_("Created the office CA '{name}' (certificate #{id}, SHA-256 {fp}).").format(
            name=info.common_name, id=info.id, fp=info.fingerprint), file=out)
        return 0


def _list(uow: UnitOfWork, args: argparse.Namespace, out: TextIO) -> int:
    rows = keys.list_certificates(uow)
    if args.json:
        json.dump([{"id": c.id, "kind": c.kind, "username": c.username, "subject": c.subject,
                    "serial": c.serial, "fingerprint_sha256": c.fingerprint,
                    "not_before": c.not_before.isoformat(), "not_after": c.not_after.isoformat(),
                    "status": c.status} for c in rows], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    for c in rows:
        print("\t".join([str(c.id), c.kind, c.username or "-", c.common_name, c.status,
                         _("until {date}").format(date=c.not_after.date().isoformat()),
                         c.fingerprint]), file=out)
    return 0


def _export_ca(uow: UnitOfWork, args: argparse.Namespace, out: TextIO) -> int:
    pem = keys.ca_certificate_pem(uow)
    if args.file == "-":
        out.write(pem)
        return 0
    try:
        Path(args.file).write_text(pem, encoding="ascii")
    except OSError as exc:
        raise InputError(_("Cannot write {path}: {error}").format(
            path=args.file, error=exc.strerror)) from exc
    ca = next(c for c in keys.list_certificates(uow) if c.kind == "ca" and c.status == "active")
    print(_("Wrote the office CA certificate '{name}' (SHA-256 {fp}) to {path}.").format(
        name=ca.common_name, fp=ca.fingerprint, path=args.file), file=out)
    return 0


def _issue(uow: UnitOfWork, actor: Actor, args: argparse.Namespace, out: TextIO,
           stdin: TextIO) -> int:
    username = args.username.strip()
    user_password = read_secret(stdin, _("{user}'s current password").format(user=username))
    ca_password = read_secret(stdin, _("office CA passphrase"))
    try:
        account = users.authenticate(uow, username, user_password)
    except AuthenticationError as exc:
        raise InputError(_("That is not {user}'s current password ({error}): the key must be "
                           "protected by the password {user} signs with.").format(
            user=username, error=str(exc).rstrip("."))) from exc
    old = keys.user_certificate(uow, account.id)
    info = keys.issue_user_key(uow, actor, username, user_password, ca_password)
    print(_("Issued a signing key to {user}: certificate #{id}, SHA-256 {fp}.").format(
        user=username, id=info.id, fp=info.fingerprint), file=out)
    if old is not None:
        print(_("The previous key (certificate #{id}) is retired; what it signed still "
                "verifies.").format(id=old.id), file=out)
    return 0
