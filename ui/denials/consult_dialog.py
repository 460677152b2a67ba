"""Case › Consult on earlier denials: the denials of an essentially identical transaction
that bar the case's approval, why each one matches, and the consultation that lifts the bar.

Approval waits for a consultation per denial (EU Common Position 2008/944/CFSP, Art 4(2));
refusal and referral do not. The matches and the rules are the service's
(``app.denials.identical_transactions`` and ``record_consultation``, judged as of today);
the dialog shows the explanation the check gives and records who was consulted, when and
what came of it. The application's refusals come back in the app's error dialog, with the
fields they name marked. Once a consultation is stored the app-wide signal makes an open
assessment run its checks again. Users who may not assess read without the form.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import cases, denials
from app.casedata import CaseData
from app.denials import ConsultationView, DenialMatch
from app.errors import GoldenRuleError, ValidationError
from app.roles import Permission
from ui.context import UiContext
from ui.denials.common import (
    CONSULTED,
    MUTED,
    STYLE,
    TO_CONSULT,
    chip,
    denial_facts,
    e,
    facts_table,
    pydate,
    qdate,
)
from ui.denials.models import ROW_ROLE, MatchesModel, NoFocusDelegate
from ui.dialogs import show_error
from ui.settings.common import needs_role_text

log = logging.getLogger(__name__)
#: The form's fields by the names the application gives its problems.
FIELDS = ("consulted", "consulted_on", "outcome")


class ConsultDialog(QDialog):
    """A case's essentially identical denials; record the consultation on the selected one."""

    sig_recorded = Signal(object)  # ConsultationView

    def __init__(self, ctx: UiContext, case_id: int, denial_key: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consultDialog")
        self.setStyleSheet(STYLE)
        self.setSizeGripEnabled(True)
        self.ctx = ctx
        self.case_id = case_id
        self.may_assess = ctx.actor.can(Permission.ASSESS)
        with ctx.uow() as uow:
            record = cases.get_case(uow, case_id)
        self.reference = record.reference
        self.data: CaseData = record.data
        self.as_of = date.today()
        self.matches: list[DenialMatch] = []
        self.history: dict[str, list[ConsultationView]] = {}
        self.last_error: GoldenRuleError | None = None
        self._prefilled = ""  # the text put in "Consulted" for the match last selected
        self.setWindowTitle(self.tr("Earlier denials: %1").replace("%1", self.reference))
        self.resize(1120, 740)
        self._build()
        self.reload(denial_key)

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel(self.tr("Earlier denials of an essentially identical transaction"))
        title.setObjectName("dialogTitle")
        destination = self.ctx.ref.country_name(self.data.destination) \
            if self.data.destination else ""
        parts = [self.reference, self.data.exporter_name,
                 self.tr("to %1").replace("%1", destination) if destination else "",
                 self.tr("judged as of %1").replace("%1", self.as_of.isoformat())]
        meta = QLabel(" · ".join(p for p in parts if p))
        meta.setObjectName("muted")
        meta.setTextFormat(Qt.TextFormat.PlainText)
        intro = QLabel(self.tr(
            "Before approving, consult the state that denied an essentially identical "
            "transaction in the last three years (EU Common Position 2008/944/CFSP, Art 4(2)). "
            "Approval is barred until each consultation is recorded; refusal and referral "
            "are not."))
        intro.setObjectName("muted")
        intro.setWordWrap(True)
        self.role_banner = QLabel(self.tr("The consultations are shown read-only: recording "
                                          "them is for the case officers. %1")
                                  .replace("%1", needs_role_text(Permission.ASSESS)))
        self.role_banner.setObjectName("banner")
        self.role_banner.setWordWrap(True)
        self.role_banner.setVisible(not self.may_assess)

        self.list_title = QLabel()
        self.list_title.setObjectName("sectionTitle")
        self.model = MatchesModel(self)
        self.table = QTableView()
        self.table.setObjectName("matchTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Earlier denials"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        # a few rows: every column in view, the two names sharing what the others leave
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for column in range(self.model.columnCount()):
            mode = (QHeaderView.ResizeMode.Stretch
                    if column in (MatchesModel.DENIED, MatchesModel.MATCHED)
                    else QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(column, mode)
        self.table.setItemDelegate(NoFocusDelegate(self.table))
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.empty_label = QLabel(self.tr(
            "No earlier denial of an essentially identical transaction in the last three "
            "years: no consultation is needed for this case."))
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()

        self.detail = QTextBrowser()
        self.detail.setObjectName("matchDetail")
        self.detail.setOpenLinks(False)
        self.detail.setAccessibleName(self.tr("Why the denial matches"))
        self.form_box = self._build_form()
        self.form_box.setVisible(self.may_assess)
        self.lower = QSplitter(Qt.Orientation.Horizontal)
        self.lower.setChildrenCollapsible(False)
        self.lower.addWidget(self.detail)
        self.lower.addWidget(self.form_box)
        self.lower.setStretchFactor(0, 3)
        self.lower.setStretchFactor(1, 2)
        self.lower.setSizes([640, 440])

        self.message = QLabel()
        self.message.setObjectName("doneMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeConsult")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(meta)
        layout.addWidget(intro)
        layout.addWidget(self.role_banner)
        layout.addSpacing(2)
        layout.addWidget(self.list_title)
        layout.addWidget(self.table)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.lower, 1)
        layout.addLayout(bottom)

    def _build_form(self) -> QFrame:
        box = QFrame()
        box.setObjectName("consultForm")
        self.form_title = QLabel(self.tr("Record the consultation"))
        self.form_title.setObjectName("sectionTitle")
        self.form_title.setWordWrap(True)
        self.consulted_edit = QLineEdit()
        self.consulted_edit.setObjectName("consulted")
        self.consulted_edit.setPlaceholderText(self.tr("The state or authority consulted"))
        self.consulted_edit.setMaxLength(denials.MAX_CONSULTED)
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("consultedOn")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.date_edit.setDate(QDate.currentDate())
        self.date_edit.setToolTip(self.tr("The day of the consultation: not before the denial, "
                                          "not in the future"))
        self.outcome_edit = QPlainTextEdit()
        self.outcome_edit.setObjectName("outcome")
        self.outcome_edit.setTabChangesFocus(True)
        self.outcome_edit.setPlaceholderText(self.tr(
            "What came of it: what the state that denied said, and why this application "
            "differs or not (required)"))
        self.consulted_hint = QLabel()
        self.consulted_hint.setObjectName("muted")
        self.consulted_hint.setWordWrap(True)
        self.record_button = QPushButton(self.tr("Record consultation"))
        self.record_button.setObjectName("primary")
        self.record_button.setAutoDefault(False)
        self.record_button.clicked.connect(lambda: self.record())

        def label(text: str, buddy: QWidget) -> QLabel:
            widget = QLabel(text)
            widget.setObjectName("formLabel")
            widget.setBuddy(buddy)
            return widget

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        grid.addWidget(label(self.tr("&Consulted"), self.consulted_edit), 0, 0)
        grid.addWidget(self.consulted_edit, 0, 1)
        grid.addWidget(self.consulted_hint, 1, 1)
        grid.addWidget(label(self.tr("&Date consulted"), self.date_edit), 2, 0)
        date_row = QHBoxLayout()
        date_row.addWidget(self.date_edit)
        date_row.addStretch(1)
        grid.addLayout(date_row, 2, 1)
        outcome_label = label(self.tr("&Outcome"), self.outcome_edit)
        grid.addWidget(outcome_label, 3, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.outcome_edit, 3, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(3, 1)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.record_button)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(10)
        layout.addWidget(self.form_title)
        layout.addLayout(grid, 1)
        layout.addLayout(actions)
        return box

    # showing ------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        """The case's matches and consultations as stored now (a few rows: read here)."""
        with self.ctx.uow() as uow:
            self.matches = denials.identical_transactions(uow, self.case_id, self.as_of)
            history: dict[str, list[ConsultationView]] = defaultdict(list)
            for consultation in denials.consultations(uow, self.case_id):
                history[consultation.denial_key].append(consultation)
        self.history = dict(history)
        current = self.current_match()
        wanted = select or (current.key if current else None)
        self.model.set_rows(self.matches)
        to_consult = sum(1 for m in self.matches if m.consultation is None)
        text = self.tr("Denied in the last three years: %1").replace(
            "%1", str(len(self.matches)))
        if self.matches:
            text += " · " + (self.tr("consultations still required: %1").replace(
                "%1", str(to_consult)) if to_consult else self.tr("all consulted"))
        self.list_title.setText(text)
        has = bool(self.matches)
        self.table.setVisible(has)
        self.lower.setVisible(has)
        self.empty_label.setVisible(not has)
        self._fit_table()
        if not has:
            return
        row = next((n for n, m in enumerate(self.matches) if m.key == wanted), None)
        if row is None:  # else the first still to consult
            row = next((n for n, m in enumerate(self.matches) if m.consultation is None), 0)
        self.select_row(row)

    def _fit_table(self) -> None:
        rows = min(max(len(self.matches), 2), 6)
        header = self.table.horizontalHeader()
        height = (max(header.height(), header.sizeHint().height())
                  + rows * self.table.verticalHeader().defaultSectionSize()
                  + 2 * self.table.frameWidth() + 2)
        self.table.setFixedHeight(height)

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self._show_match(self.matches[row])

    def select_key(self, key: str) -> bool:
        row = next((n for n, m in enumerate(self.matches) if m.key == key), None)
        if row is None:
            return False
        self.select_row(row)
        return True

    def current_match(self) -> DenialMatch | None:
        index = self.table.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        match = current.data(ROW_ROLE) if current.isValid() else None
        if match is not None:
            self._show_match(match)

    def _show_match(self, match: DenialMatch) -> None:
        self.detail.setHtml(self.match_html(match))
        notifying = match.denial.notifying
        if self.consulted_edit.text().strip() in ("", self._prefilled):
            self.consulted_edit.setText(notifying)
        self._prefilled = notifying
        self.consulted_hint.setText(self.tr("Prefilled with the state that denied it (%1).")
                                    .replace("%1", notifying))
        self.date_edit.setMinimumDate(qdate(match.denial.date))
        self.form_title.setText(self.tr("Record the consultation on %1").replace(
            "%1", match.denial.reference) if match.consultation is None else self.tr(
            "Record a further consultation on %1").replace("%1", match.denial.reference))
        self.record_button.setEnabled(self.may_assess)

    def match_html(self, match: DenialMatch) -> str:
        """Why the denial makes the transaction essentially identical, the consultations
        recorded so far, and the denial itself."""
        if match.consultation is None:
            state = chip(self.tr("Consultation required before approval"), TO_CONSULT)
        else:
            state = chip(self.tr("Consultation recorded"), CONSULTED)
        why = "".join(f"<li style='margin-bottom:3px'>{e(line)}</li>"
                      for line in match.explanation)
        parts = [f"<p style='margin:0 0 4px 0; font-size:14px'><b>{e(match.title)}</b></p>",
                 f"<p style='margin:0 0 8px 0'>{state}</p>",
                 self._section(self.tr("Why it is essentially identical")),
                 f"<ul style='margin:0 0 0 -18px'>{why}</ul>"]
        recorded = self.history.get(match.key, [])
        if recorded:
            parts.append(self._section(self.tr("Consultations recorded")))
            for c in reversed(recorded):  # the latest first: it is the one the check uses
                when = self.tr("%1: %2 consulted, recorded by %3 on %4").replace(
                    "%1", c.consulted_on.isoformat()).replace("%2", c.consulted).replace(
                    "%3", c.recorded_by).replace("%4", c.recorded_at.strftime("%Y-%m-%d"))
                parts.append(f"<p style='margin:0'><b>{e(when)}</b></p>"
                             f"<p style='margin:0 0 6px 0'>{e(c.outcome)}</p>")
        parts.append(self._section(self.tr("The denial")))
        country = self.ctx.ref.country_name(match.denial.destination)
        parts.append(facts_table(denial_facts(match.denial, country)))
        return "".join(parts)

    @staticmethod
    def _section(text: str) -> str:
        return (f"<p style='margin:10px 0 3px 0; color:{MUTED}; font-weight:600'>"
                f"{e(text.upper())}</p>")

    # recording ----------------------------------------------------------------------------
    def record(self) -> ConsultationView | None:
        """Record the form's consultation on the selected denial; the application's problems
        come back in the error dialog and mark their fields."""
        match = self.current_match()
        if not self.may_assess or match is None:
            return None
        self._clear_marks()
        self.message.hide()
        try:
            with self.ctx.uow() as uow:
                consultation = denials.record_consultation(
                    uow, self.ctx.actor, self.case_id, match.key, self.consulted_edit.text(),
                    pydate(self.date_edit.date()), self.outcome_edit.toPlainText())
        except GoldenRuleError as exc:
            self.last_error = exc
            self._mark(exc)
            show_error(self, self.tr("The consultation was not recorded"), exc)
            return None
        self.last_error = None
        self.outcome_edit.clear()
        self.reload(select=match.key)
        self.message.setText("✓ " + self.tr(
            "Recorded the consultation of %1 on %2 for %3.").replace(
            "%1", consultation.consulted).replace(
            "%2", consultation.consulted_on.isoformat()).replace("%3", match.denial.reference))
        self.message.show()
        self.sig_recorded.emit(consultation)
        # the denials check of an open assessment runs again and clears this denial
        self.ctx.signals.sig_screening_changed.emit(self.case_id)
        return consultation

    def _field(self, name: str) -> QWidget:
        return {"consulted": self.consulted_edit, "consulted_on": self.date_edit,
                "outcome": self.outcome_edit}[name]

    def _mark(self, exc: GoldenRuleError) -> None:
        problems = exc.problems if isinstance(exc, ValidationError) else []
        first: QWidget | None = None
        for problem in problems:
            if problem.field in FIELDS:
                widget = self._field(problem.field)
                widget.setProperty("invalid", True)
                widget.setToolTip(problem.message)
                self._repolish(widget)
                first = first or widget
        if first is not None:
            first.setFocus()

    def _clear_marks(self) -> None:
        for name in FIELDS:
            widget = self._field(name)
            if widget.property("invalid"):
                widget.setProperty("invalid", False)
                widget.setToolTip("")
                self._repolish(widget)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def open_consultation(ctx: UiContext, case_id: int, denial_key: str | None,
                      parent: QWidget | None) -> ConsultDialog | None:
    """The dialog, window-modal and not blocking (an assessment's check card, Case menu);
    a case that cannot be read is reported in the error dialog."""
    try:
        dialog = ConsultDialog(ctx, case_id, denial_key, parent)
    except GoldenRuleError as exc:
        show_error(parent, QCoreApplication.translate("ConsultDialog",
                                                      "Could not open the consultations"), exc)
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
