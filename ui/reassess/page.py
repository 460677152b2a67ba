"""Licences to reassess (ATT Art 7(7)): licences in force that evidence added since their
last decision or reassessment touches, each with the new items and why they count; the
officer confirms, suspends, reinstates or revokes, signed. The conditions of a licence in
force can be amended from here too (``decisions.amend``: a new signed record).

The list is computed by ``app.reassessment`` on the database worker (the window's task
runner when the page sits in one); the result is applied here, on the UI thread. A newer
refresh supersedes an older one. Signing lists the items the officer was shown: if newer
evidence arrived meanwhile, the application refuses and the list is refreshed.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import decisions, reassessment, settings
from app.decisions import IN_FORCE, RecordKind
from app.errors import ConcurrentEditError, GoldenRuleError
from app.evidence import Cancelled
from app.evidence_vocab import vocabulary
from app.reassessment import ReassessAlert
from app.roles import Permission, roles_with
from app.uow import UnitOfWork
from ui import sign_dialog
from ui.context import UiContext
from ui.dialogs import show_error
from ui.reassess.amend_dialog import AmendDialog
from ui.reassess.table_model import AlertItemsModel, AlertsTableModel, local_time
from ui.tasks import Progress, TaskRunner
from ui.widgets.page_header import MessageBanner, page_title

log = logging.getLogger(__name__)

MESSAGE_MS = 12000


class ReassessPage(QWidget):
    sig_changed = Signal()  # a reassessment was recorded
    sig_loaded = Signal(int)  # licences listed after a refresh

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, *,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reassessPage")
        self.ctx = ctx
        self._runner = runner
        self._own_runner: TaskRunner | None = None
        self.model = AlertsTableModel(ctx.ref, self)
        self.items_model = AlertItemsModel(vocabulary(), self)
        self.may_act = ctx.actor.can(Permission.REASSESS)
        self.min_grade = ""
        self.loading = False
        self._generation = 0
        self._pending: Progress | None = None
        self._stale = True
        self._build()
        ctx.signals.sig_cases_changed.connect(self._on_signals_cases_changed)
        self._update_buttons()

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        title, self.count_label = page_title(self.tr("Licences to reassess"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Look again for new evidence"))
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.intro = QLabel()
        self.intro.setObjectName("muted")
        self.intro.setWordWrap(True)

        self.message = MessageBanner(MESSAGE_MS)

        self.table = QTableView()
        self.table.setObjectName("reassessTable")
        self.table.setModel(self.model)
        _setup(self.table)
        for column, width in enumerate((140, 150, 260, 150, 130, 96, 90)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.empty = QLabel()
        self.empty.setObjectName("emptyReassess")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("QLabel#emptyReassess { color: #6b7280; font-size: 14px; }")
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)

        self.detail_title = QLabel()
        self.detail_title.setObjectName("sectionTitle")
        self.detail_title.setWordWrap(True)
        self.detail_title.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_note = QLabel()
        self.detail_note.setObjectName("muted")
        self.detail_note.setWordWrap(True)
        self.items_table = QTableView()
        self.items_table.setObjectName("reassessItems")
        self.items_table.setModel(self.items_model)
        _setup(self.items_table)
        self.items_table.setWordWrap(True)
        for column, width in enumerate((60, 360, 130)):
            self.items_table.setColumnWidth(column, width)
        self.items_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)

        self.confirm_button = QPushButton(self.tr("Confirm…"))
        self.confirm_button.setObjectName("confirmButton")
        self.confirm_button.clicked.connect(lambda: self.record(RecordKind.CONFIRMATION))
        self.suspend_button = QPushButton(self.tr("Suspend…"))
        self.suspend_button.setObjectName("suspendButton")
        self.suspend_button.clicked.connect(lambda: self.record(RecordKind.SUSPENSION))
        self.reinstate_button = QPushButton(self.tr("Reinstate…"))
        self.reinstate_button.setObjectName("reinstateButton")
        self.reinstate_button.clicked.connect(lambda: self.record(RecordKind.REINSTATEMENT))
        self.revoke_button = QPushButton(self.tr("Revoke…"))
        self.revoke_button.setObjectName("revokeButton")
        self.revoke_button.clicked.connect(lambda: self.record(RecordKind.REVOCATION))
        self.amend_button = QPushButton(self.tr("Amend conditions…"))
        self.amend_button.setObjectName("amendButton")
        self.amend_button.clicked.connect(lambda: self.amend())
        buttons = QHBoxLayout()
        buttons.addWidget(self.detail_note, 1)
        for button in (self.confirm_button, self.suspend_button, self.reinstate_button,
                       self.revoke_button, self.amend_button):
            buttons.addWidget(button)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 8, 0, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.items_table, 1)
        detail_layout.addLayout(buttons)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("reassessSplitter")
        self.splitter.addWidget(self.list_stack)
        self.splitter.addWidget(detail)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.intro)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        self._set_intro()
        self._show_detail(None)

    def _set_intro(self) -> None:
        grade = self.min_grade or "B2"
        self.intro.setText(self.tr(
            "Licences in force that evidence added since their last decision or reassessment "
            "touches: about the destination or naming the end user or consignee, graded %1 or "
            "better, and reporting a violation relevant to the goods (ATT Art 7(7)). A licence "
            "leaves the list when you sign a reassessment; suspended licences stay until they "
            "are reinstated or revoked.").replace("%1", grade))

    # loading ------------------------------------------------------------------------------
    @property
    def runner(self) -> TaskRunner:
        """The runner given, else the window's (one database worker), else the page's own."""
        if self._runner is not None:
            return self._runner
        parent: QObject | None = self.parent()
        while parent is not None:
            found = getattr(parent, "runner", None)
            if isinstance(found, TaskRunner):
                return found
            parent = parent.parent()
        if self._own_runner is None:
            self._own_runner = TaskRunner(self)
        return self._own_runner

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_signals_cases_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def refresh(self) -> None:
        """Compute the list again on the worker; the newest request wins."""
        self._stale = False
        self._generation += 1
        if self._pending is not None:
            self._pending.cancel()
        generation, db, actor = self._generation, self.ctx.db, self.ctx.actor
        self.loading = True
        self.refresh_button.setEnabled(False)
        self.count_label.setText(self.tr("Looking for new evidence…"))

        def run(progress: Progress) -> tuple[int, list[ReassessAlert], str]:
            with UnitOfWork(db.session_factory) as uow:
                alerts = reassessment.to_reassess(
                    uow, actor, progress=lambda done, total: progress.report(done, total),
                    cancelled=lambda: progress.cancelled)
                minimum = str(settings.get(uow, "reassessment.min_grade"))
            return generation, alerts, minimum

        self._pending = self.runner.submit(run, self._on_loaded, self._on_load_failed)

    def _on_loaded(self, result: tuple[int, list[ReassessAlert], str]) -> None:
        generation, alerts, minimum = result
        if generation != self._generation:
            return  # a newer refresh is on its way
        self._pending = None
        self.loading = False
        self.refresh_button.setEnabled(True)
        self.min_grade = minimum
        self._set_intro()
        selected = self.current_alert()
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(alerts)
        self.table.selectionModel().blockSignals(False)
        row = self.model.row_of_case(selected.case_id) if selected else -1
        if row < 0 and alerts:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        self._show_detail(self.model.alert(row) if row >= 0 else None)
        self._update_count()
        self.sig_loaded.emit(len(alerts))

    def _on_load_failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            return  # only a superseded refresh is cancelled: the newer one reports
        self.loading = False
        self.refresh_button.setEnabled(True)
        if isinstance(exc, GoldenRuleError):
            self.count_label.setText("")
            self.show_message(str(exc), sticky=True)
            return
        log.error("reassessment list failed", exc_info=exc)
        self.count_label.setText(self.tr("The list could not be computed: %1").replace(
            "%1", str(exc)))

    def _update_count(self) -> None:
        alerts = self.model.alerts()
        suspended = sum(1 for a in alerts if a.suspended)
        if alerts:
            text = self.tr("%n licence(s) to reassess", "", len(alerts))
            if suspended:
                text += " · " + self.tr("%n suspended", "", suspended)
            self.count_label.setText(text)
            self.list_stack.setCurrentIndex(0)
        else:
            self.count_label.setText(self.tr("Nothing to reassess"))
            self.empty.setText(self.tr(
                "No licence in force is touched by new evidence.\n\nEvidence added to the "
                "base later is checked against every licence in force."))
            self.list_stack.setCurrentIndex(1)

    # selection ----------------------------------------------------------------------------
    def current_alert(self) -> ReassessAlert | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.alert(index.row())

    def select_case(self, case_id: int) -> bool:
        row = self.model.row_of_case(case_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(self.model.alert(current.row()) if current.isValid() else None)

    def _show_detail(self, alert: ReassessAlert | None) -> None:
        self.items_model.set_rows(alert.items if alert else [])
        if alert is None:
            self.detail_title.setText(self.tr("Select a licence to see the new evidence."))
            self.detail_note.setText("")
            self.detail_note.setToolTip("")
        else:
            destination = self.ctx.ref.country_name(alert.destination)
            head = self.tr("%1 — %2 — %3 — %4").replace("%1", alert.reference).replace(
                "%2", destination).replace("%3", alert.end_user or self.tr("no end user named")
                                           ).replace("%4", alert.status.label)
            self.detail_title.setText(head)
            if alert.items:
                note = self.tr("%n new item(s) since %1", "", len(alert.items)).replace(
                    "%1", local_time(alert.since))
            else:
                note = self.tr("Suspended %1; no new evidence since. Reinstate or revoke it "
                               "when the facts are clear.").replace("%1", local_time(alert.since))
            tip = ""
            if alert.suspended and alert.suspension_evidence:
                note += " " + self.tr("The suspension weighed %n item(s).", "",
                                      len(alert.suspension_evidence))
                tip = "\n".join(f"{e.get('grade', '')}  {e.get('title', '')}"
                                 for e in alert.suspension_evidence)
            self.detail_note.setText(note)
            self.detail_note.setToolTip(tip)
        self._update_buttons()

    def _update_buttons(self) -> None:
        alert = self.current_alert()
        suspended = alert is not None and alert.suspended
        self.reinstate_button.setVisible(suspended)
        buttons = (self.confirm_button, self.suspend_button, self.reinstate_button,
                   self.revoke_button, self.amend_button)
        if not self.may_act:
            tip = self.tr("Needs the role of %1 (to %2).").replace(
                "%1", self.tr(" or ").join(r.label.lower()
                                           for r in roles_with(Permission.REASSESS))).replace(
                "%2", Permission.REASSESS.label)
            for button in buttons:
                button.setEnabled(False)
                button.setToolTip(tip)
            return
        for button in buttons:
            button.setEnabled(alert is not None)
        self.suspend_button.setEnabled(alert is not None and not suspended)
        self.confirm_button.setToolTip(self.tr(
            "The licence stands as it is: sign that you weighed the new evidence"))
        self.suspend_button.setToolTip(self.tr(
            "Stop exports under the licence until it is reinstated or revoked") if not suspended
            else self.tr("The licence is already suspended"))
        self.reinstate_button.setToolTip(self.tr("The licence takes effect again"))
        self.revoke_button.setToolTip(self.tr("End the licence: this cannot be undone"))
        in_force = alert is not None and alert.status in IN_FORCE
        self.amend_button.setEnabled(in_force)
        self.amend_button.setToolTip(self.tr(
            "Change the conditions of the licence: a new signed record") if in_force
            else self.tr("Only the conditions of a licence in force can be amended"))

    # signing ------------------------------------------------------------------------------
    def _titles(self) -> dict[RecordKind, tuple[str, str, str]]:
        """Per act: dialog title, question, sign button."""
        return {
            RecordKind.CONFIRMATION: (self.tr("Confirm the licence"),
                                      self.tr("Confirm %1 after weighing the new evidence?"),
                                      self.tr("Sign confirmation")),
            RecordKind.SUSPENSION: (self.tr("Suspend the licence"),
                                    self.tr("Suspend %1?"), self.tr("Sign suspension")),
            RecordKind.REINSTATEMENT: (self.tr("Reinstate the licence"),
                                       self.tr("Reinstate %1?"), self.tr("Sign reinstatement")),
            RecordKind.REVOCATION: (self.tr("Revoke the licence"),
                                    self.tr("Revoke %1? A revocation cannot be undone."),
                                    self.tr("Sign revocation")),
        }

    def summary(self, alert: ReassessAlert, kind: RecordKind) -> str:
        _title, question, _sign = self._titles()[kind]
        lines = [question.replace("%1", alert.reference), ""]
        lines.append(self.tr("Destination: %1").replace(
            "%1", self.ctx.ref.country_name(alert.destination)))
        if alert.end_user:
            lines.append(self.tr("End user: %1").replace("%1", alert.end_user))
        if alert.items:
            lines.append("")
            lines.append(self.tr("The signed record lists the %n new item(s):", "",
                                 len(alert.items)))
            shown = alert.items[:8]
            lines.extend(f"  {i.grade}  {i.title}" for i in shown)
            if len(alert.items) > len(shown):
                lines.append(self.tr("  … and %n more", "", len(alert.items) - len(shown)))
        return "\n".join(lines)

    def record(self, kind: RecordKind) -> Any:
        """Ask for the reasons and the password, then sign; returns the record or None."""
        alert = self.current_alert()
        if alert is None or not self.may_act:
            return None
        title, _question, sign_text = self._titles()[kind]
        answer = sign_dialog.ask_signature(
            self, title, self.summary(alert, kind),
            reason_label=self.tr("Reasons (at least 10 characters):"), sign_text=sign_text)
        if answer is None:
            return None
        password, reason = answer
        try:
            with self.ctx.uow() as uow:
                record = reassessment.record_reassessment(
                    uow, self.ctx.actor, alert.case_id, kind, reason, password=password,
                    seen=[i.content_sha256 for i in alert.items])
        except ConcurrentEditError as exc:
            show_error(self, title, exc)
            self.refresh()
            return None
        except GoldenRuleError as exc:
            show_error(self, title, exc)
            return None
        self.show_message(self.tr("Signed %1: %2.").replace("%1", record.ref).replace(
            "%2", record.kind.label))
        self.sig_changed.emit()
        self.ctx.signals.sig_cases_changed.emit()
        if not self.isVisible():
            self.refresh()
        return record

    def amend(self) -> Any:
        """Edit the conditions and give the reasons, then sign the amendment with the
        password; returns the record or None. A refusal keeps the dialog open."""
        alert = self.current_alert()
        if alert is None or not self.may_act or alert.status not in IN_FORCE:
            return None
        title = self.tr("Amend the conditions")
        try:
            with self.ctx.uow() as uow:
                current = decisions.current_conditions(uow, alert.case_id)
        except GoldenRuleError as exc:
            show_error(self, title, exc)
            return None
        signed: list[Any] = []

        def sign(conditions: list[str], reason: str) -> bool:
            summary = self.amend_summary(alert, conditions)
            answer = sign_dialog.ask_signature(self, title, summary,
                                               sign_text=self.tr("Sign amendment"))
            if answer is None:
                return False
            password, _reason = answer
            try:
                with self.ctx.uow() as uow:
                    signed.append(decisions.amend(uow, self.ctx.actor, alert.case_id,
                                                  conditions, reason, password=password))
            except GoldenRuleError as exc:
                show_error(dialog, title, exc)
                return False
            return True

        dialog = AmendDialog(self, title, self.tr("Amend the conditions of %1 (%2).").replace(
            "%1", alert.reference).replace("%2", alert.status.label.lower()), current, sign)
        dialog.exec()
        dialog.deleteLater()
        if not signed:
            return None
        record = signed[0]
        self.show_message(self.tr("Signed %1: %2.").replace("%1", record.ref).replace(
            "%2", record.kind.label))
        self.sig_changed.emit()
        self.ctx.signals.sig_cases_changed.emit()
        if not self.isVisible():
            self.refresh()
        return record

    def amend_summary(self, alert: ReassessAlert, conditions: list[str]) -> str:
        lines = [self.tr("Amend the conditions of %1?").replace("%1", alert.reference), ""]
        if conditions:
            lines.append(self.tr("The licence will carry %n condition(s):", "",
                                 len(conditions)))
            lines.extend(f"  • {c}" for c in conditions)
        else:
            lines.append(self.tr("The licence will carry no conditions."))
        return "\n".join(lines)

    def show_message(self, text: str, sticky: bool = False) -> None:
        self.message.show_message(text, sticky)


def _setup(table: QTableView) -> None:
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
