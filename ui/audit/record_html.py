"""One signed record as a read-only HTML document, rendered from its snapshot: what was
signed, not what the live tables say today.

A decision shows the application, the hard-stop checks, each criterion's finding with its
citations, the mitigation measures and conditions, and the decision with its reasons. A
follow-up record (countersignature, return, reassessment) shows what it refers to and why.
Criterion titles and level labels come from the exact framework text the record names.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QObject

from app.assessment import Outcome
from app.decisions import DecisionRecord, RecordKind
from app.frameworks import Criterion, Framework
from app.record_check import RecordCheck
from app.reference import ReferenceData
from app.status import CaseStatus
from app.vocab import PartyKind, PartyRole
from ui.audit.formatting import (
    BAD_COLOUR,
    MUTED,
    OK_COLOUR,
    WARN_COLOUR,
    local_time,
    outcome_colours,
    short_hash,
)

STYLE = f"""
body {{ color: #111827; }}
p.h1 {{ font-size: 18px; font-weight: 700; color: #1d2840; margin: 0 0 2px 0; }}
p.h2 {{ font-size: 15px; font-weight: 700; color: #1d2840; margin: 18px 0 6px 0; }}
p.h3 {{ font-size: 13px; font-weight: 700; color: #1d2840; margin: 12px 0 4px 0; }}
p {{ margin: 2px 0 4px 0; }}
td {{ padding: 3px 8px 3px 0; vertical-align: top; }}
th {{ padding: 4px 8px 4px 0; text-align: left; color: #374151; font-weight: 600;
     background-color: #f3f5f9; }}
.label {{ color: {MUTED}; }}
.muted {{ color: {MUTED}; }}
.mono {{ font-family: monospace; color: #374151; }}
.quote {{ background-color: #f8f9fb; }}
"""

_ESC = html.escape


def esc(value: object) -> str:
    return _ESC("" if value is None else str(value))


def paragraphs(text: str) -> str:
    """Free text as it was typed: escaped, line breaks kept."""
    return esc(text).replace("\n", "<br>")


def heading(level: int, text: str) -> str:
    return f"<p class='h{level}'>{esc(text)}</p>"


def muted(text: str) -> str:
    return f"<p class='muted'>{esc(text)}</p>"


def muted_span(text: str) -> str:
    return f"<span class='muted'>{esc(text)}</span>"


def coloured(text: str, colour: str) -> str:
    return f"<span style='color:{colour}; font-weight:600'>{esc(text)}</span>"


def quote(text: str) -> str:
    """Free text the signer wrote, set apart on a light background."""
    return (f"<table width='100%' cellpadding='8' cellspacing='0'>"
            f"<tr><td style='background-color:#f3f5f9'>{paragraphs(text)}</td></tr></table>")


def chip(text: str, fg: str, bg: str) -> str:
    return (f"<span style='background-color:{bg}; color:{fg}; font-weight:600'>"
            f"&nbsp;{esc(text)}&nbsp;</span>")


def table(rows: list[list[str]], headers: list[str] | None = None,
          widths: list[int] | None = None) -> str:
    """Cells are already HTML."""
    out = ["<table cellspacing='0' cellpadding='0' width='100%'>"]
    if headers:
        cols = "".join(
            f"<th{f' width={widths[n]}%' if widths else ''}>&nbsp;{esc(h)}</th>"
            for n, h in enumerate(headers))
        out.append(f"<tr>{cols}</tr>")
    for n, row in enumerate(rows):
        shade = " style='background-color:#f8f9fb'" if n % 2 else ""
        out.append(f"<tr{shade}>" + "".join(f"<td>&nbsp;{c}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "".join(out)


def fields(rows: list[tuple[str, str]]) -> str:
    """A label/value list; rows without a value are left out."""
    body = "".join(f"<tr><td class='label' width='150'>{esc(label)}</td><td>{value}</td></tr>"
                   for label, value in rows if value)
    return f"<table cellspacing='0' cellpadding='0'>{body}</table>"


class RecordRenderer(QObject):
    """Renders a record's snapshot; ``tr`` keeps every heading translatable."""

    def __init__(self, ref: ReferenceData, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ref = ref

    # the whole document ---------------------------------------------------------------------
    def render(self, record: DecisionRecord, check: RecordCheck | None,
               framework: Framework | None = None) -> str:
        snap = record.snapshot or {}
        parts = [self._header(record, snap, check)]
        if not snap:
            parts.append(self._unsigned_body(record))
        elif record.kind is RecordKind.DECISION:
            parts += [self._application(snap.get("case") or {}),
                      self._checks(snap.get("checks") or [],
                                   (snap.get("assessment") or {}).get("check_reviews") or {}),
                      self._findings(snap.get("assessment") or {}, framework),
                      self._mitigation(snap),
                      self._incidents(snap.get("past_incidents") or []),
                      self._decision(snap, framework)]
        else:
            parts.append(self._follow_up(record, snap))
        parts.append(self._footer(record, snap))
        return f"<html><body>{''.join(p for p in parts if p)}</body></html>"

    # header -------------------------------------------------------------------------------
    def _kind_text(self, record: DecisionRecord, snap: dict[str, Any]) -> str:
        if record.kind is RecordKind.COUNTERSIGNATURE:
            cs = snap.get("countersignature") or {}
            if cs.get("number") and cs.get("of"):
                return self.tr("Countersignature %1 of %2").replace(
                    "%1", str(cs["number"])).replace("%2", str(cs["of"]))
        return record.kind.label

    def _status(self, value: object) -> str:
        try:
            return CaseStatus(str(value)).label
        except ValueError:
            return str(value or "")

    def _header(self, record: DecisionRecord, snap: dict[str, Any],
                check: RecordCheck | None) -> str:
        fg, bg = outcome_colours(record.outcome.value)
        signer = snap.get("signer") or {}
        name = signer.get("full_name") or record.decided_by_name or record.decided_by
        who = esc(name)
        if signer.get("role") or signer.get("username"):
            who += (f" <span class='muted'>({esc(signer.get('role', ''))} · "
                    f"{esc(signer.get('username', record.decided_by))})</span>")
        status = snap.get("status") or {}
        before = self._status(status.get("before") or record.status_before.value)
        after = self._status(status.get("after") or record.status_after.value)
        fw = snap.get("framework") or {}
        framework = (f"{esc(fw.get('title') or record.framework_id)} "
                     f"<span class='muted'>{esc(fw.get('id', record.framework_id))} "
                     f"{esc(fw.get('version', record.framework_version))}</span>")
        signed_at = local_time(snap.get("signed_at") or record.decided_at, zone=True)
        subtitle = self._kind_text(record, snap)
        destination = record_destination(record, snap)
        if destination:
            subtitle += " · " + self.ref.country_name(destination)
        title = (f"<p class='h1'>{esc(record.ref)}&nbsp; {chip(record.outcome.label, fg, bg)}</p>"
                 + muted(subtitle))
        rows = [
            (self.tr("Signed by") if record.signed else self.tr("Recorded by"), who),
            (self.tr("Signed at") if record.signed else self.tr("Recorded at"), esc(signed_at)),
            (self.tr("Case status"), f"{esc(before)} → <b>{esc(after)}</b>"),
            (self.tr("Framework"), framework),
            (self.tr("Reasons"), paragraphs(str((snap.get("decision") or {}).get("rationale")
                                                or "")) if record.kind is RecordKind.DECISION
             else ""),
            (self.tr("Signature"), self._signature(check)),
            (self.tr("Record hash"),
             f"<span class='mono'>SHA-256 {esc(record.snapshot_sha256 or '')}</span>"
             if record.snapshot_sha256 else ""),
        ]
        return title + fields(rows)

    def _signature(self, check: RecordCheck | None) -> str:
        if check is None:
            return ""
        if check.ok:
            mark = coloured("✔", OK_COLOUR) + " " + esc(check.message)
        elif check.signed and check.intact:
            mark = coloured("⚠ " + check.message, WARN_COLOUR)
        elif check.signed:
            mark = coloured("✘ " + check.message, BAD_COLOUR)
        else:
            mark = coloured(check.message, MUTED)
        subject = ""
        if check.certificate_subject:
            label = self.tr("Certificate")
            subject = (f"<br><span class='muted'>{esc(label)}: "
                       f"{esc(check.certificate_subject)}</span>")
        return mark + subject

    # a decision's sections ------------------------------------------------------------------
    def _party_role(self, value: str) -> str:
        try:
            return PartyRole(value).label
        except ValueError:
            return value

    def _party_kind(self, value: str) -> str:
        try:
            return PartyKind(value).label
        except ValueError:
            return value

    def _country(self, code: str) -> str:
        if not code:
            return ""
        name = self.ref.country_name(code)
        return f"{esc(name)} ({esc(code)})" if name != code else esc(code)

    def _application(self, case: dict[str, Any]) -> str:
        if not case:
            return ""
        exporter = case.get("exporter") or {}
        euc = case.get("end_user_certificate") or {}
        euc_text = " · ".join(esc(v) for v in (euc.get("number"), euc.get("date"),
                                               euc.get("issuer")) if v)
        licence = case.get("licence_type", "")
        licence_type = self.ref.licence_types.get(licence)
        applicant = ""
        if case.get("applicant_reference"):
            label = self.tr("applicant")
            applicant = (f" <span class='muted'>({esc(label)}: "
                         f"{esc(case['applicant_reference'])})</span>")
        rows = [
            (self.tr("Reference"), esc(case.get("reference")) + applicant),
            (self.tr("Licence"), esc(getattr(licence_type, "title", "") or licence)),
            (self.tr("Exporter"), esc(exporter.get("name"))
             + (f", {self._country(exporter.get('country', ''))}"
                if exporter.get("country") else "")),
            (self.tr("Destination"), self._country(case.get("destination", ""))),
            (self.tr("End use"), paragraphs(case.get("end_use") or "")),
            (self.tr("End-user certificate"), euc_text),
            (self.tr("Received"), esc(case.get("received_date"))),
        ]
        demo = ""
        if case.get("demo"):
            demo = ("<p>" + chip(self.tr("DEMO"), "#9a4d00", "#fff1e0") + " "
                    + muted_span(self.tr("A demonstration case, not a real application."))
                    + "</p>")
        parties = [[esc(self._party_role(p.get("role", ""))), esc(p.get("name")),
                    self._country(p.get("country", "")), esc(self._party_kind(p.get("kind", "")))]
                   for p in case.get("parties") or []]
        goods = [[esc(g.get("description")), esc(g.get("control_entry")),
                  esc(g.get("att_category")),
                  f"{esc(g.get('quantity'))} {esc(g.get('unit'))}",
                  f"{esc(g.get('value'))} {esc(g.get('currency'))}"]
                 for g in case.get("goods") or []]
        out = [heading(2, self.tr("The application")), demo, fields(rows)]
        if parties:
            out.append(heading(3, self.tr("Parties")))
            out.append(table(parties, [self.tr("Role"), self.tr("Name"), self.tr("Country"),
                                       self.tr("Kind")], [18, 42, 22, 18]))
        if goods:
            out.append(heading(3, self.tr("Goods")))
            out.append(table(goods, [self.tr("Description"), self.tr("Control entry"),
                                     self.tr("ATT category"), self.tr("Quantity"),
                                     self.tr("Value")], [44, 14, 12, 14, 16]))
        return "".join(out)

    def _check_status(self, status: str) -> str:
        labels = {"clear": (self.tr("Clear"), OK_COLOUR),
                  "applies": (self.tr("Hard stop applies"), BAD_COLOUR),
                  "review": (self.tr("Needs review"), WARN_COLOUR),
                  "unresolved": (self.tr("Unresolved matches"), WARN_COLOUR),
                  "not_available": (self.tr("Not available"), MUTED)}
        text, colour = labels.get(status, (status, MUTED))
        return f"<span style='color:{colour}; font-weight:600'>{esc(text)}</span>"

    def _checks(self, checks: list[dict[str, Any]], reviews: dict[str, Any]) -> str:
        head = heading(2, self.tr("Hard-stop checks"))
        if not checks:
            return head + muted(self.tr("No checks were recorded."))
        rows = []
        for c in checks:
            detail = paragraphs(c.get("detail") or "")
            review = reviews.get(c.get("key", ""))
            if review is not None:
                verdict = (self.tr("The officer found that it applies.") if review.get("applies")
                           else self.tr("The officer found that it does not apply."))
                reason = review.get("reason") or ""
                detail += (("<br>" if detail else "") + f"<i>{esc(verdict)}</i>"
                           + (f" {paragraphs(reason)}" if reason else ""))
            basis = c.get("basis") or c.get("authority") or ""
            if basis:
                detail += ("<br>" if detail else "") + f"<span class='muted'>{esc(basis)}</span>"
            rows.append([self._check_status(c.get("status", "")), esc(c.get("title")), detail])
        return head + table(rows, [self.tr("Result"), self.tr("Check"), self.tr("Detail")],
                            [18, 38, 44])

    def _level(self, criterion: Criterion | None, level: object) -> str:
        if level is None or level == "":
            return self.tr("not rated")
        if criterion is not None:
            found = criterion.level(str(level))
            if found is not None:
                return found.label
        return str(level)

    def _answer(self, value: str) -> str:
        return {"yes": self.tr("Yes"), "no": self.tr("No"),
                "unknown": self.tr("Unknown")}.get(value, value)

    def _findings(self, assessment: dict[str, Any], framework: Framework | None) -> str:
        findings: dict[str, Any] = assessment.get("findings") or {}
        if not findings:
            return ""
        order = [c.id for c in framework.criteria] if framework else []
        ids = [i for i in order if i in findings] + sorted(i for i in findings if i not in order)
        out = [heading(2, self.tr("Criteria"))]
        for cid in ids:
            f = findings[cid] or {}
            criterion = None
            if framework is not None:
                try:
                    criterion = framework.criterion(cid)
                except KeyError:
                    criterion = None
            title = criterion.title if criterion else ""
            level = self._level(criterion, f.get("level"))
            reached = criterion is not None and criterion.reaches_threshold(f.get("level"))
            colour = (BAD_COLOUR, "#fde8e8") if reached else ("#374151", "#eef0f3")
            out.append(f"<p class='h3'>{esc(cid)}{' — ' + esc(title) if title else ''}&nbsp; "
                       f"{chip(level, *colour)}</p>")
            facts = []
            if f.get("residual_level"):
                facts.append(self.tr("after mitigation: %1").replace(
                    "%1", esc(self._level(criterion, f.get("residual_level")))))
            if f.get("legal_test_met") is not None:
                facts.append(self.tr("legal test met") if f.get("legal_test_met")
                             else self.tr("legal test not met"))
            if facts:
                out.append(f"<p class='muted'>{' · '.join(facts)}</p>")
            if f.get("rationale"):
                out.append(f"<p>{paragraphs(f['rationale'])}</p>")
            answers: dict[str, str] = f.get("answers") or {}
            notes: dict[str, str] = f.get("answer_notes") or {}
            if answers or notes:
                questions = {q.id: q.text for q in criterion.questions} if criterion else {}
                rows = [[esc(questions.get(q, q)), f"<b>{esc(self._answer(answers.get(q, '')))}"
                         f"</b>" + (f" — {paragraphs(notes[q])}" if notes.get(q) else "")]
                        for q in list(dict.fromkeys([*answers, *notes]))]
                out.append(table(rows, [self.tr("Question"), self.tr("Answer")], [62, 38]))
            citations = f.get("citations") or []
            if citations:
                out.append(muted(self.tr("Evidence cited")))
                out.append(table([self._citation(c) for c in citations],
                                 [self.tr("Grade"), self.tr("Source"), self.tr("Item"),
                                  self.tr("Content hash")], [8, 56, 12, 24]))
            elif criterion is None or criterion.rank(f.get("level")) > 0:
                out.append(muted(self.tr("No evidence cited.")))
        return "".join(out)

    def _citation(self, c: dict[str, Any]) -> list[str]:
        grade = c.get("grade") or ""
        letter = grade[:1]
        colour = {"A": OK_COLOUR, "B": OK_COLOUR, "C": WARN_COLOUR, "D": WARN_COLOUR,
                  "E": BAD_COLOUR}.get(letter, MUTED)
        source = esc(c.get("reference"))
        if c.get("note"):
            source += f" <span class='muted'>({esc(c['note'])})</span>"
        item = f"#{esc(c['evidence_id'])}" if c.get("evidence_id") else ""
        return [f"<b style='color:{colour}'>{esc(grade) or '—'}</b>", source, item,
                f"<span class='mono'>{esc(short_hash(c.get('content_sha256'), 16))}</span>"]

    def _mitigation(self, snap: dict[str, Any]) -> str:
        mitigations = (snap.get("assessment") or {}).get("mitigations") or []
        conditions = (snap.get("decision") or {}).get("conditions") or []
        out = [heading(2, self.tr("Mitigation and conditions"))]
        if mitigations:
            out.append(table([[esc(m.get("measure")), esc(m.get("verifier")),
                               esc(", ".join(m.get("criteria") or []))] for m in mitigations],
                             [self.tr("Measure"), self.tr("Verified by"),
                              self.tr("Against criteria")], [52, 28, 20]))
        else:
            out.append(muted(self.tr("No mitigation measures were recorded.")))
        if conditions:
            out.append(heading(3, self.tr("Conditions of the licence")) + "<ol>"
                       + "".join(f"<li>{paragraphs(c)}</li>" for c in conditions) + "</ol>")
        return "".join(out)

    def _incidents(self, incidents: list[dict[str, Any]]) -> str:
        if not incidents:
            return ""
        rows = [[esc(i.get("occurred") or i.get("date")), esc(i.get("actor")),
                 paragraphs(str(i.get("description") or "")), esc(i.get("source"))]
                for i in incidents]
        return (heading(2, self.tr("Past incidents reviewed"))
                + table(rows, [self.tr("When"), self.tr("Actor"), self.tr("What happened"),
                               self.tr("Source")], [12, 20, 46, 22]))

    def _decision(self, snap: dict[str, Any], framework: Framework | None) -> str:
        d = snap.get("decision") or {}
        evaluation = snap.get("evaluation") or {}
        fg, bg = outcome_colours(d.get("outcome", ""))
        try:
            outcome = Outcome(d.get("outcome", "")).label
        except ValueError:
            outcome = str(d.get("outcome", ""))
        cited = d.get("criteria_cited") or []
        if framework is not None:
            titles = []
            for cid in cited:
                try:
                    titles.append(f"{esc(cid)} — {esc(framework.criterion(cid).title)}")
                except KeyError:
                    titles.append(esc(cid))
            cited_text = "<br>".join(titles)
        else:
            cited_text = esc(", ".join(cited))
        cs = snap.get("countersigning") or {}
        need = ""
        if cs.get("required"):
            need = self.tr("%1 countersignature(s) required").replace("%1", str(cs["required"]))
            if cs.get("rules"):
                need += f" <span class='muted'>({esc('; '.join(cs['rules']))})</span>"
        else:
            need = self.tr("None required")
        out = [heading(2, self.tr("The decision and its reasons")),
               fields([(self.tr("Outcome"), chip(outcome, fg, bg)),
                       (self.tr("Judged as of"), esc(d.get("as_of"))),
                       (self.tr("Criteria cited"), cited_text),
                       (self.tr("Countersigning"), need)])]
        if d.get("rationale"):
            out.append(heading(3, self.tr("Reasons")) + quote(d["rationale"]))
        explanation = evaluation.get("explanation") or []
        if explanation:
            items = "".join(f"<li>{esc(line.strip())}</li>" for line in explanation
                            if line.strip())
            out.append(heading(3, self.tr("What the rules said")) + f"<ul>{items}</ul>")
        return "".join(out)

    # follow-up records ----------------------------------------------------------------------
    def _follow_up(self, record: DecisionRecord, snap: dict[str, Any]) -> str:
        decision = snap.get("decision") or {}
        case_ref = (snap.get("case") or {}).get("reference", record.case_reference)
        target = ""
        if decision.get("sequence"):
            target = self.tr("Of decision %1").replace(
                "%1", f"<b>{esc(case_ref)}/{esc(decision['sequence'])}</b>")
            if decision.get("sha256"):
                target += (f" <span class='mono'>SHA-256 "
                           f"{esc(short_hash(decision['sha256'], 16))}</span>")
        text = snap.get("reason") or snap.get("comment") or record.rationale
        if record.kind is RecordKind.COUNTERSIGNATURE:
            title = self.tr("Comment")
        else:
            title = self.tr("Reasons")
        out = [heading(2, self._kind_text(record, snap))]
        if target:
            out.append(f"<p>{target}</p>")
        out.append(heading(3, title))
        if text:
            out.append(quote(text))
        else:
            out.append(muted(self.tr("None given.")))
        evidence = snap.get("evidence") or []
        if evidence:
            out.append(heading(3, self.tr("New evidence")) + "<ul>"
                       + "".join(f"<li>{esc(e.get('reference') or e.get('title') or e)}</li>"
                                 for e in evidence) + "</ul>")
        return "".join(out)

    def _unsigned_body(self, record: DecisionRecord) -> str:
        out = [muted(self.tr("This record has no signed snapshot: it is shown from the "
                             "database columns.")),
               heading(2, self.tr("The decision and its reasons")),
               f"<p>{paragraphs(record.rationale)}</p>"]
        if record.conditions:
            out.append("<ol>" + "".join(f"<li>{paragraphs(c)}</li>" for c in record.conditions)
                       + "</ol>")
        return "".join(out)

    def _footer(self, record: DecisionRecord, snap: dict[str, Any]) -> str:
        if not snap:
            return ""
        previous = snap.get("previous") or {}
        audit = snap.get("audit_head") or {}
        signer = snap.get("signer") or {}
        rows = [
            (self.tr("Format"), f"<span class='mono'>{esc(snap.get('format'))}</span>"),
            (self.tr("Previous record"),
             (f"{esc(record.case_reference)}/{esc(previous.get('sequence'))} · "
              f"{esc(previous.get('kind'))} · <span class='mono'>"
              f"{esc(short_hash(previous.get('sha256'), 16))}</span>") if previous
             else self.tr("none: the first record of the case")),
            (self.tr("Audit trail head"),
             self.tr("event %1").replace("%1", esc(audit.get("event")))
             + f" · <span class='mono'>{esc(short_hash(audit.get('hash'), 16))}</span>"
             if audit else ""),
            (self.tr("Signing certificate"),
             f"<span class='mono'>SHA-256 {esc(short_hash(signer.get('certificate_sha256'), 24))}"
             "</span>" if signer.get("certificate_sha256") else ""),
        ]
        return (heading(2, self.tr("Record details"))
                + f"<div style='font-size:small'>{fields(rows)}</div>")


def record_destination(record: DecisionRecord, snap: dict[str, Any]) -> str:
    return str((snap.get("case") or {}).get("destination") or "")
