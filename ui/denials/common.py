"""What the denial views share: labels, colours, dates and the description of one denial, so
the register and the consultation dialog describe a denial in the same words."""

from __future__ import annotations

import html
from datetime import date, timedelta

from PySide6.QtCore import QCoreApplication, QDate

from app.denials import CATCH_ALL, NOTIFIED, DenialView
from app.vocab import PartyRole

MUTED = "#6b7280"
#: (text, background) of a denial's state, as the check chips colour CONSULT and CLEAR.
IN_FORCE = ("#9a4d00", "#fff1e0")
LAPSED = ("#4b5563", "#eef0f3")
CONSULTED = ("#03543f", "#def7ec")
TO_CONSULT = ("#9a4d00", "#fff1e0")
OWN_COLOUR = "#1849a9"

STYLE = """
QLabel#dialogTitle { font-size: 17px; font-weight: 600; color: #1d2840; }
QLabel#sectionTitle { font-weight: 600; color: #1d2840; }
QLabel#formLabel { font-weight: 600; color: #374151; }
QLabel#doneMessage { color: #03543f; font-weight: 600; }
QLabel#emptyState { color: #6b7280; background: white; border: 1px dashed #d9dee8;
    border-radius: 6px; padding: 18px; }
QFrame#importBar { background: white; border: 1px solid #d9dee8; border-radius: 6px; }
QTextBrowser#denialDetail, QTextBrowser#matchDetail { border: 1px solid #d9dee8;
    border-radius: 6px; background: white; }
QTextBrowser#importResult { border: 1px solid #b7e4c7; border-radius: 6px;
    background: #f3fbf6; color: #1f2937; }
QTextBrowser#importResult[failed="true"] { background: #fff8f1; border-color: #f3c99b;
    color: #7a3e00; }
QFrame#consultForm { background: white; border: 1px solid #d9dee8; border-radius: 6px; }
"""


def e(text: object) -> str:
    return html.escape(str(text))


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def role_label(role: str) -> str:
    """A denied party's role as the case editor names roles; LITE's third party too."""
    if role == "third_party":
        return QCoreApplication.translate("Denials", "Third party")
    try:
        return PartyRole(role).label
    except ValueError:
        return role.replace("_", " ")


def source_label(source: str) -> str:
    if source == NOTIFIED:
        return QCoreApplication.translate("Denials", "Notified")
    return QCoreApplication.translate("Denials", "Own refusal")


def categories_text(categories: tuple[str, ...]) -> str:
    """'ML1, ML3'; the catch-all as words, since '*' means nothing to a reader."""
    catch_all = QCoreApplication.translate("Denials", "any (catch-all)")
    return ", ".join(catch_all if c == CATCH_ALL else c for c in categories)


def destination_text(view: DenialView, country_name: str) -> str:
    """'Côte d'Ivoire (CI)', or the file's own text when Golden Rule did not recognise it
    (such a denial matches no destination)."""
    if view.destination:
        return f"{country_name} ({view.destination})"
    return QCoreApplication.translate("Denials", "%1 (not recognised)").replace(
        "%1", view.country_text)


def last_day(view: DenialView) -> date:
    """The last day the denial counts (the day before its third anniversary)."""
    return view.lapses_on - timedelta(days=1)


def state_text(view: DenialView, today: date) -> str:
    if view.date > today:
        return QCoreApplication.translate("Denials", "Dated after today")
    if view.in_force(today):
        return QCoreApplication.translate("Denials", "In force until %1").replace(
            "%1", last_day(view).isoformat())
    return QCoreApplication.translate("Denials", "Lapsed on %1").replace(
        "%1", view.lapses_on.isoformat())


def chip(text: str, colours: tuple[str, str]) -> str:
    fg, bg = colours
    return (f"<span style='background:{bg}; color:{fg}; font-weight:600'>"
            f"&nbsp;{e(text)}&nbsp;</span>")


def facts_table(rows: list[tuple[str, str]]) -> str:
    """Label/value rows, empty values left out; values are escaped here."""
    cells = "".join(
        f"<tr><td style='padding:2px 14px 2px 0; color:{MUTED}; white-space:nowrap' "
        f"valign='top'>{e(label)}</td><td style='padding:2px 0'>{e(value)}</td></tr>"
        for label, value in rows if value)
    return f"<table cellspacing='0' cellpadding='0'>{cells}</table>"


def denial_facts(view: DenialView, country_name: str, *, party: bool = True
                 ) -> list[tuple[str, str]]:
    """What the register knows of a denial, in the order an officer compares it: who and
    where first, then what and why. Without ``party`` when a heading already names it."""
    by = (QCoreApplication.translate("Denials", "Notified by") if view.source == NOTIFIED
          else QCoreApplication.translate("Denials", "Refused by"))
    denied = f"{view.party_name} ({role_label(view.party_role).lower()})"
    facts = [
        (QCoreApplication.translate("Denials", "Reference"), view.reference),
        (by, view.notifying),
        (QCoreApplication.translate("Denials", "Date"), view.date.isoformat()),
        (QCoreApplication.translate("Denials", "Counts until"), last_day(view).isoformat()),
        (QCoreApplication.translate("Denials", "Destination"),
         destination_text(view, country_name)),
        (QCoreApplication.translate("Denials", "Denied party"), denied if party else ""),
        (QCoreApplication.translate("Denials", "Address"), view.address),
        (QCoreApplication.translate("Denials", "Control entries"),
         ", ".join(view.control_entries)),
        (QCoreApplication.translate("Denials", "Categories"), categories_text(view.categories)),
        (QCoreApplication.translate("Denials", "Item"), view.item_description),
        (QCoreApplication.translate("Denials", "End use"), view.end_use),
        (QCoreApplication.translate("Denials", "Reason"), view.reason),
        (QCoreApplication.translate("Denials", "Criteria"), ", ".join(view.criteria)),
        (QCoreApplication.translate("Denials", "Regime reference"), view.regime_reg_ref),
        (QCoreApplication.translate("Denials", "Register key"), view.key),
    ]
    return [(label, value) for label, value in facts if value]
