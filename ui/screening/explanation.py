"""Why a party hit a list entry, and what the entry says: the panel an officer reads before
judging a hit, in the case's screening tab and in the Screening window's name check.

The reasons are the matcher's own sentences (``Explanation.lines()``, the same the CLI prints
and the run stores), laid out so the name comparison, the points for the details and any cap
stand apart; the entry is shown whole, aliases with their quality, so the officer can compare
dates of birth and addresses without opening the list.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtWidgets import QTextBrowser, QWidget

from app.screening.entries import WEAK, ListEntry
from app.screening.matcher import WEAK_ALIAS_CAP, Explanation
from app.screening.service import HitView, role_label
from ui.screening.common import STATE_COLOURS, verdict_label, when_text

MUTED = "#6b7280"
GOOD = "#03543f"
BAD = "#9b1c1c"
AMBER = "#8a5a00"


def _e(text: object) -> str:
    return html.escape(str(text))


class HitExplanation(QTextBrowser):
    """Read-only rich text: the hit, the reasons, any judgement, then the listed entry."""

    def __init__(self, country_name: Callable[[str], str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hitExplanation")
        self.setOpenLinks(False)
        self.country_name = country_name or (lambda code: code)
        self.hit: HitView | None = None
        self.set_empty(self.tr("Select a hit to see why it matched and what the list says."))

    def set_empty(self, text: str) -> None:
        self.hit = None
        self.setHtml(f"<p style='color:{MUTED}'>{_e(text)}</p>")

    def show_hit(self, hit: HitView | None, threshold: int | None = None) -> None:
        if hit is None:
            self.set_empty(self.tr("Select a hit to see why it matched and what the list "
                                   "says."))
            return
        self.hit = hit
        parts = [self._head(hit, threshold), self._why(hit.explanation, hit.hit.score),
                 self._judgement(hit), self._entry(hit)]
        self.setHtml("".join(p for p in parts if p))

    # sections -----------------------------------------------------------------------------
    def _head(self, hit: HitView, threshold: int | None) -> str:
        fg, bg = STATE_COLOURS.get(hit.state, ("#374151", "#eef0f3"))
        who = _e(hit.party.name)
        if hit.party.role:
            who = f"{_e(role_label(hit.party.role))}: <b>{who}</b>"
        else:
            who = f"<b>{who}</b>"
        state = _e(hit.state_label) + (" · " + _e(self.tr("NEW")) if hit.is_new else "")
        chip = (f"<span style='background:{bg}; color:{fg}; font-weight:600'>&nbsp;{state}"
                f"&nbsp;</span>&nbsp;&nbsp;")
        if not hit.party.role and hit.needs_judgement:
            chip = ""  # a name checked ad hoc: nothing to judge, only earlier judgements
        score = self.tr("Score %1").replace("%1", str(hit.hit.score))
        if threshold is not None:
            score += " " + self.tr("(threshold %1)").replace("%1", str(threshold))
        listed = self.tr("%1, entry %2").replace("%1", hit.version.label).replace(
            "%2", hit.hit.entry_key)
        return (f"<p style='margin:0'>{who}</p>"
                f"<p style='margin:2px 0 0 0; font-size:15px'>≈ <b>{_e(hit.hit.entry_name)}</b>"
                f"</p><p style='margin:2px 0 6px 0; color:{MUTED}'>{_e(listed)}</p>"
                f"<p style='margin:0 0 4px 0'>{chip}<b>{_e(score)}</b></p>")

    def _why(self, ex: Explanation, score: int) -> str:
        lines = ex.lines()
        n_quals = len(ex.qualifiers)
        head, rest = lines[:2], lines[2:len(lines) - n_quals]
        features = rest[:-1] if ex.cap else rest
        out = [f"<h4 style='margin:10px 0 2px 0'>{_e(self.tr('Why it matched'))}</h4>",
               "<ul style='margin-top:0; margin-left:-24px'>"]
        out += [f"<li>{_e(line)}</li>" for line in head]
        out += [f"<li style='color:#374151'>{_e(line)}</li>" for line in features]
        if ex.cap:
            out.append(f"<li style='color:{AMBER}'>{_e(rest[-1])}</li>")
        out.append("</ul>")
        name_points = min(ex.name_score, WEAK_ALIAS_CAP) if ex.cap else ex.name_score
        rows = [(self.tr("Name"), f"{name_points}", "#111827")]
        for q, line in zip(ex.qualifiers, lines[len(lines) - n_quals:], strict=True):
            colour = GOOD if q.delta > 0 else BAD if q.delta < 0 else MUTED
            label = line.rsplit(" (", 1)[0]
            rows.append((label, f"{q.delta:+d}", colour))
        table = "".join(
            f"<tr><td width='80%' style='padding:1px 14px 1px 0'>{_e(label)}</td>"
            f"<td align='right' style='color:{colour}; font-weight:600'>{_e(points)}</td></tr>"
            for label, points, colour in rows)
        raw = name_points + sum(q.delta for q in ex.qualifiers)
        shown = str(score)
        if raw > score:
            shown += " " + self.tr("(at most %1)").replace("%1", str(score))
        elif raw < score:
            shown += " " + self.tr("(at least %1)").replace("%1", str(score))
        total = (f"<tr><td style='padding:3px 14px 1px 0; border-top:1px solid #d9dee8'>"
                 f"<b>{_e(self.tr('Score'))}</b></td><td align='right' "
                 f"style='border-top:1px solid #d9dee8; white-space:nowrap'><b>{_e(shown)}</b>"
                 "</td></tr>")
        out.append(f"<table width='100%' cellspacing='0' style='margin-left:4px'>{table}{total}"
                   "</table>")
        return "".join(out)

    def _judgement(self, hit: HitView) -> str:
        d = hit.disposition
        if d is None:
            return ""
        text = self.tr("%1 by %2 on %3").replace("%1", verdict_label(d.verdict)).replace(
            "%2", d.decided_by).replace("%3", when_text(d.decided_at))
        if d.case_reference:
            text += " " + self.tr("(case %1)").replace("%1", d.case_reference)
        out = [f"<h4 style='margin:10px 0 2px 0'>{_e(self.tr('Judgement'))}</h4>",
               f"<p style='margin:0'>{_e(text)}</p>"]
        if d.reason:
            out.append(f"<p style='margin:2px 0 0 0; color:#374151'>“{_e(d.reason)}”</p>")
        if hit.state == "revisit":
            out.append(f"<p style='margin:4px 0 0 0; color:{AMBER}; font-weight:600'>"
                       f"{_e(self.tr('The entry has changed since: judge the hit again.'))}</p>")
        return "".join(out)

    def _entry(self, hit: HitView) -> str:
        e: ListEntry = hit.entry
        rows: list[tuple[str, str]] = [(self.tr("Name"), f"<b>{_e(e.name)}</b>"),
                                       (self.tr("Kind"), _e(e.kind))]
        matched = hit.explanation.matched_name.strip().casefold()
        if e.aliases:
            items = []
            for a in e.aliases:
                quality = self.tr("weak") if a.quality == WEAK else self.tr("strong")
                note = f", {a.note}" if a.note else ""
                text = f"{_e(a.name)} <span style='color:{MUTED}'>({_e(quality + note)})</span>"
                if a.name.strip().casefold() == matched:
                    text = f"<b>{text}</b> ← {_e(self.tr('matched'))}"
                items.append(text)
            rows.append((self.tr("Aliases"), "<br>".join(items)))
        if e.birth_dates:
            rows.append((self.tr("Dates of birth"), _e(", ".join(e.birth_dates))))
        if e.countries:
            rows.append((self.tr("Countries"), _e(", ".join(
                f"{self.country_name(c)} ({c})" if self.country_name(c) != c else c
                for c in e.countries))))
        if e.programmes:
            rows.append((self.tr("Programmes"), _e(", ".join(e.programmes))))
        if e.reference:
            rows.append((self.tr("Reference"), _e(e.reference)))
        if e.listed_on:
            rows.append((self.tr("Listed on"), _e(e.listed_on)))
        if e.remarks:
            rows.append((self.tr("Remarks"), _e(e.remarks)))
        for label, values in e.details.items():
            if values:
                rows.append((label[:1].upper() + label[1:], "<br>".join(_e(v) for v in values)))
        body = "".join(
            f"<tr><td valign='top' style='padding:2px 14px 2px 0; color:{MUTED}'>{_e(label)}"
            f"</td><td valign='top' style='padding:2px 0'>{value}</td></tr>"
            for label, value in rows)
        title = self.tr("The listed entry")
        return (f"<h4 style='margin:12px 0 2px 0'>{_e(title)}</h4>"
                f"<table cellspacing='0'>{body}</table>")
