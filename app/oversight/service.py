"""Oversight reports as use cases: preview in the window, export signed, log every export.

The same call serves the Reports window and ``goldenrule export oversight``: permission
checks (the unredacted form needs a supervisor), the facts read once, the profile and the
redaction applied, and for an export the files written atomically, the workbook and PDF
signed with the exporting user's key, and an audit event naming what was produced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from app import keys, settings
from app.canonical import canonical_bytes
from app.changes import now_utc, record_change
from app.documents import identity, signature_path, write_atomically
from app.errors import Cancelled, InputError
from app.i18n import _
from app.oversight.facts import load_facts
from app.roles import Actor, Permission, require
from app.uow import UnitOfWork
from reports.oversight_model import OversightReport
from reports.signing import Attachment, sign_detached, sign_pdf

Format = Literal["xlsx", "pdf", "csv"]
FORMATS: tuple[Format, ...] = ("xlsx", "pdf", "csv")
Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]


@dataclass(frozen=True)
class ReportRequest:
    profile: str
    period_from: date
    period_to: date
    redaction: str = "parliament"
    basis: Literal["authorised", "actual"] = "authorised"


def profiles() -> list[tuple[str, str]]:
    """(id, title) of every report profile, for the window and the CLI's help."""
    from app.oversight.profiles import PROFILES

    return [(pid, title) for pid, title in PROFILES.items()]


def redaction_profiles() -> list[tuple[str, str, bool]]:
    """(id, title, needs a supervisor) of every redaction profile."""
    from app.oversight.redaction import load_profiles

    return [(p.id, p.title, p.requires_supervisor) for p in load_profiles().values()]


def _check(actor: Actor, request: ReportRequest) -> None:
    from app.oversight.profiles import PROFILES
    from app.oversight.redaction import load_profiles

    require(actor, Permission.REPORT)
    if request.profile not in PROFILES:
        raise InputError(_("Unknown report profile '{p}': choose one of {all}.").format(
            p=request.profile, all=", ".join(PROFILES)))
    redactions = load_profiles()
    if request.redaction not in redactions:
        raise InputError(_("Unknown redaction profile '{p}': choose one of {all}.").format(
            p=request.redaction, all=", ".join(redactions)))
    if redactions[request.redaction].requires_supervisor:
        require(actor, Permission.REPORT_UNREDACTED)
    if request.period_to < request.period_from:
        raise InputError(_("The period ends ({end}) before it starts ({start}).").format(
            end=request.period_to, start=request.period_from))


def build(uow: UnitOfWork, actor: Actor, request: ReportRequest,
          progress: Progress | None = None, cancelled: IsCancelled | None = None
          ) -> OversightReport:
    """The report, computed from the records; read-only (a preview logs nothing)."""
    from app.oversight.profiles import build_report
    from app.oversight.redaction import load_profiles

    _check(actor, request)
    if progress is not None:
        progress(0, 3)
    facts = load_facts(uow.session, request.period_from, request.period_to)
    if cancelled is not None and cancelled():
        raise Cancelled()
    if progress is not None:
        progress(1, 3)
    redaction = load_profiles()[request.redaction]
    report = build_report(
        request.profile, facts, redaction,
        authority=str(settings.get(uow, "authority.name") or ""),
        generated_by=f"{actor.full_name} ({actor.role.label.lower()})",
        generated_at=now_utc(),
        classification=(str(settings.get(uow, "documents.classification"))
                        if redaction.requires_supervisor else ""),
        basis=request.basis)
    if progress is not None:
        progress(3, 3)
    return report


def render(report: OversightReport, fmt: Format) -> dict[str, bytes]:
    """The files of one format, by name suffix: {".xlsx": ...} or the CSV set."""
    if fmt == "xlsx":
        from reports.oversight_xlsx import render_oversight_xlsx
        return {".xlsx": render_oversight_xlsx(report)}
    if fmt == "pdf":
        from reports.oversight_pdf import render_oversight_pdf
        return {".pdf": render_oversight_pdf(report)}
    from reports.oversight_csv import render_oversight_csv
    return render_oversight_csv(report)


#: The attachment that makes a signed PDF recognisable as an oversight report.
REPORT_ATTACHMENT = "oversight-report.json"
REPORT_FORMAT = "goldenrule.oversight-report/1"


def _identity(report: OversightReport, actor: Actor) -> bytes:
    return canonical_bytes({
        "format": REPORT_FORMAT, "profile": report.profile, "title": report.title,
        "from": report.period_from, "to": report.period_to, "redaction": report.redaction,
        "authority": report.authority, "counted": report.counted, "nil": report.nil,
        "withheld": report.withheld, "generated_at": report.generated_at,
        "generated_by": {"username": actor.username, "full_name": actor.full_name,
                         "role": actor.role.value}})


@dataclass(frozen=True)
class ExportResult:
    files: list[Path]
    report: OversightReport


def export(uow: UnitOfWork, actor: Actor, request: ReportRequest, fmt: Format, out: Path,
           password: str | None = None, progress: Progress | None = None,
           cancelled: IsCancelled | None = None) -> ExportResult:
    """Write the report; the workbook and the PDF are signed with the actor's key (a
    detached ``.p7s`` beside the workbook, a PAdES signature in the PDF)."""
    if fmt not in FORMATS:
        raise InputError(_("Unknown format '{f}': choose xlsx, pdf or csv.").format(f=fmt))
    if fmt in ("xlsx", "pdf") and not password:
        raise InputError(_("A signed export needs your signing password."))
    report = build(uow, actor, request, progress, cancelled)
    files = render(report, fmt)
    written: dict[Path, bytes] = {}
    if fmt == "csv":
        folder = out if out.suffix == "" else out.parent
        stem = out.stem if out.suffix else request.profile
        for name, data in files.items():
            written[folder / (f"{stem}-{name}" if out.suffix else name)] = data
    else:
        data = next(iter(files.values()))
        assert password is not None
        with keys.unlocked(uow.session, actor.id, password) as signer:
            who = identity(uow.session, signer)
            if fmt == "pdf":
                data = sign_pdf(data, who, field_name="Export", reason=_(
                    "{title}, {start} to {end}, redaction profile {r}").format(
                        title=report.title, start=request.period_from, end=request.period_to,
                        r=report.redaction), stamp_text="", location=report.authority,
                    attachments=[Attachment(REPORT_ATTACHMENT, _identity(report, actor),
                                            _("What this report is, as signed"))])
                written[out] = data
            else:
                written[out] = data
                written[signature_path(out)] = sign_detached(data, who)
    for path, data in written.items():
        write_atomically(path, data)
    record_change(uow.session, actor.id, "oversight.export", "report", request.profile, None, {
        "profile": request.profile, "from": request.period_from, "to": request.period_to,
        "redaction": request.redaction, "basis": request.basis, "format": fmt,
        "counted": report.counted, "withheld": report.withheld,
        "files": {p.name: hashlib.sha256(d).hexdigest() for p, d in written.items()}})
    uow.commit()
    return ExportResult(list(written), report)
