"""The case editor: the application, its parties and goods, and its history, in tabs.

Every keystroke re-runs the application-layer validation and marks the fields at fault;
unsaved work is autosaved as a draft a couple of seconds after the last change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import cases, drafts
from app.casedata import CaseData
from app.cases import CaseRecord, default_deadline
from app.drafts import StoredDraft
from app.errors import FieldProblem, GoldenRuleError
from app.roles import Permission
from app.status import EDITABLE, CaseStatus, allowed_targets
from app.validation import validate_case
from app.vocab import PartyKind, PartyRole
from ui.cases.delegates import BirthDateDelegate, ChoiceDelegate, CountryDelegate
from ui.cases.history_model import HistoryModel
from ui.cases.lines_models import GoodsModel, PartiesModel
from ui.context import UiContext
from ui.dialogs import ask_reason, show_error
from ui.screening.case_tab import CaseScreeningTab
from ui.widgets.country_picker import CountryPicker
from ui.widgets.date_field import OptionalDateField

AUTOSAVE_MS = 2000
REASON_NEEDED = (CaseStatus.ON_HOLD, CaseStatus.WITHDRAWN)


def _lines_table(model: PartiesModel | GoodsModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                          | QAbstractItemView.EditTrigger.EditKeyPressed
                          | QAbstractItemView.EditTrigger.AnyKeyPressed)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setDefaultSectionSize(30)
    table.horizontalHeader().setHighlightSections(False)
    return table


class CaseEditor(QWidget):
    sig_saved = Signal(int)
    sig_title_changed = Signal()
    sig_closed = Signal()
    sig_assess_requested = Signal(int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseEditor")
        self.ctx = ctx
        self.record: CaseRecord | None = None
        self._saved_data = CaseData()
        self._loading = False
        self._problems: list[FieldProblem] = []
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._autosave.timeout.connect(self.autosave_now)
        self._validate_timer = QTimer(self, singleShot=True, interval=120)
        self._validate_timer.timeout.connect(self._revalidate)
        self._build()

    # construction -----------------------------------------------------------------------
    def _build(self) -> None:
        ref = self.ctx.ref
        self.title_label = QLabel()
        self.title_label.setObjectName("pageTitle")
        self.status_chip = QLabel()
        self.status_chip.setObjectName("statusChip")
        self.demo_chip = QLabel(self.tr("DEMO DATA"))
        self.demo_chip.setObjectName("demoChip")
        self.save_state = QLabel()
        self.save_state.setObjectName("muted")
        self.status_button = QToolButton()
        self.status_button.setText(self.tr("Change status"))
        self.status_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.status_menu = QMenu(self.status_button)
        self.status_button.setMenu(self.status_menu)
        self.assess_button = QPushButton(self.tr("&Assess…"))
        self.assess_button.setObjectName("assessButton")
        self.assess_button.setToolTip(self.tr(
            "Open the guided risk assessment of this application (Ctrl+Shift+A)"))
        self.assess_button.clicked.connect(self._on_assess_clicked)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("primary")
        self.save_button.setToolTip(self.tr("Save the application (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)

        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addWidget(self.status_chip)
        header.addWidget(self.demo_chip)
        header.addStretch(1)
        header.addWidget(self.save_state)
        header.addWidget(self.status_button)
        header.addWidget(self.assess_button)
        header.addWidget(self.save_button)

        self.problems_label = QLabel()
        self.problems_label.setObjectName("problems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)
        self.problems_label.hide()

        # Application tab
        self.licence_type = QComboBox()
        for lt in ref.licence_types.values():
            if lt.active:
                self.licence_type.addItem(f"{lt.id} — {lt.title}", lt.id)
        self.applicant_reference = QLineEdit()
        self.exporter_name = QLineEdit()
        self.exporter_address = QPlainTextEdit()
        self.exporter_address.setFixedHeight(56)
        self.exporter_country = CountryPicker(ref)
        self.exporter_registration = QLineEdit()
        self.destination = CountryPicker(ref)
        self.end_use = QPlainTextEdit()
        self.end_use.setFixedHeight(72)
        self.euc_number = QLineEdit()
        self.euc_date = OptionalDateField()
        self.euc_issuer = QLineEdit()
        self.received_date = OptionalDateField()
        self.deadline = OptionalDateField()
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(60)

        self._fields: dict[str, QWidget] = {
            "licence_type": self.licence_type,
            "applicant_reference": self.applicant_reference,
            "exporter.name": self.exporter_name,
            "exporter.address": self.exporter_address,
            "exporter.country": self.exporter_country,
            "exporter.registration_number": self.exporter_registration,
            "destination": self.destination,
            "end_use": self.end_use,
            "end_user_certificate.number": self.euc_number,
            "end_user_certificate.date": self.euc_date,
            "end_user_certificate.issuer": self.euc_issuer,
            "received_date": self.received_date,
            "deadline": self.deadline,
            "notes": self.notes,
        }

        application = QWidget()
        app_layout = QHBoxLayout(application)
        left, right = QVBoxLayout(), QVBoxLayout()

        licence_box = QGroupBox(self.tr("Application"))
        form = QFormLayout(licence_box)
        form.addRow(self.tr("Licence type"), self.licence_type)
        form.addRow(self.tr("Applicant's reference"), self.applicant_reference)
        form.addRow(self.tr("Received"), self.received_date)
        form.addRow(self.tr("Deadline"), self.deadline)
        form.addRow(self.tr("Destination"), self.destination)
        form.addRow(self.tr("Stated end use"), self.end_use)
        left.addWidget(licence_box)

        exporter_box = QGroupBox(self.tr("Exporter"))
        form = QFormLayout(exporter_box)
        form.addRow(self.tr("Name"), self.exporter_name)
        form.addRow(self.tr("Address"), self.exporter_address)
        form.addRow(self.tr("Country"), self.exporter_country)
        form.addRow(self.tr("Registration no."), self.exporter_registration)
        right.addWidget(exporter_box)

        euc_box = QGroupBox(self.tr("End-user certificate"))
        form = QFormLayout(euc_box)
        form.addRow(self.tr("Number"), self.euc_number)
        form.addRow(self.tr("Date"), self.euc_date)
        form.addRow(self.tr("Issued by"), self.euc_issuer)
        right.addWidget(euc_box)

        notes_box = QGroupBox(self.tr("Notes"))
        QVBoxLayout(notes_box).addWidget(self.notes)
        left.addWidget(notes_box)
        left.addStretch(1)
        right.addStretch(1)
        app_layout.addLayout(left, 1)
        app_layout.addLayout(right, 1)

        # Parties tab
        self.parties_model = PartiesModel(ref, self)
        self.parties_table = _lines_table(self.parties_model)
        self.parties_table.setItemDelegateForColumn(
            0, ChoiceDelegate([(r.label, r.value) for r in PartyRole], self))
        self.parties_table.setItemDelegateForColumn(3, CountryDelegate(ref, self))
        self.parties_table.setItemDelegateForColumn(
            4, ChoiceDelegate([(k.label, k.value) for k in PartyKind], self))
        self.parties_table.setItemDelegateForColumn(
            PartiesModel.BIRTH_DATE_COLUMN, BirthDateDelegate(self))
        for column, width in enumerate((170, 280, 300, 200, 170, 120)):
            self.parties_table.setColumnWidth(column, width)
        self.parties_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch)
        self.add_party_button = QPushButton(self.tr("Add party"))
        self.remove_party_button = QPushButton(self.tr("Remove party"))
        self.add_party_button.clicked.connect(self._on_add_party_clicked)
        self.remove_party_button.clicked.connect(
            lambda: self._remove_selected(self.parties_table, self.parties_model))
        parties = self._lines_page(self.parties_table, self.add_party_button,
                                   self.remove_party_button,
                                   self.tr("Everyone the goods pass through or reach: the end user "
                                           "is required. Double-click a cell to edit it."))

        # Goods tab
        self.goods_model = GoodsModel(ref, self)
        self.goods_table = _lines_table(self.goods_model)
        self.goods_table.setItemDelegateForColumn(
            2, ChoiceDelegate([(f"{c.id} — {c.title}", c.id)
                               for c in ref.att_categories.values()], self))
        self.goods_table.setItemDelegateForColumn(
            4, ChoiceDelegate([(u.title, u.id) for u in ref.units.values()], self))
        self.goods_table.setItemDelegateForColumn(
            6, ChoiceDelegate([(c.code, c.code) for c in ref.currencies.values()], self))
        for column, width in enumerate((340, 110, 110, 110, 90, 130, 80)):
            self.goods_table.setColumnWidth(column, width)
        self.goods_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.add_goods_button = QPushButton(self.tr("Add goods line"))
        self.remove_goods_button = QPushButton(self.tr("Remove goods line"))
        self.add_goods_button.clicked.connect(self._on_add_goods_clicked)
        self.remove_goods_button.clicked.connect(
            lambda: self._remove_selected(self.goods_table, self.goods_model))
        self.goods_total = QLabel()
        self.goods_total.setObjectName("muted")
        goods = self._lines_page(self.goods_table, self.add_goods_button,
                                 self.remove_goods_button,
                                 self.tr("Control entries: EU Common Military List (ML1 to ML22, "
                                         "e.g. ML3.a) or a dual-use entry (e.g. 5A002)."),
                                 self.goods_total)

        # History tab
        self.history_model = HistoryModel(self)
        self.history_table = QTableView()
        self.history_table.setModel(self.history_model)
        self.history_table.verticalHeader().setVisible(False)
        self.history_table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((160, 120, 180)):
            self.history_table.setColumnWidth(column, width)

        for table, model in ((self.parties_table, self.parties_model),
                             (self.goods_table, self.goods_model)):
            remove = QAction(self.tr("Remove row"), table)
            remove.setShortcut(QKeySequence(Qt.Key.Key_Delete))
            remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            remove.triggered.connect(
                lambda _c=False, t=table, m=model: self.editable and self._remove_selected(t, m))
            table.addAction(remove)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(application, self.tr("Application"))
        self.tabs.addTab(parties, self.tr("Parties"))
        self.tabs.addTab(goods, self.tr("Goods"))
        self.screening_tab = CaseScreeningTab(self.ctx, self.is_dirty)
        self.tabs.addTab(self.screening_tab, self.tr("Screening"))
        self.tabs.addTab(self.history_table, self.tr("History"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.addLayout(header)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.tabs, 1)

        for widget in (self.applicant_reference, self.exporter_name, self.exporter_registration,
                       self.euc_number, self.euc_issuer):
            widget.textChanged.connect(self._on_field_changed)
        for widget in (self.exporter_address, self.end_use, self.notes):
            widget.textChanged.connect(self._on_field_changed)
        for picker in (self.exporter_country, self.destination):
            picker.sig_code_changed.connect(self._on_field_changed)
        for date_field in (self.euc_date, self.deadline):
            date_field.sig_date_changed.connect(self._on_field_changed)
        self.received_date.sig_date_changed.connect(self._on_received_date_changed)
        self.licence_type.currentIndexChanged.connect(self._on_field_changed)
        for model in (self.parties_model, self.goods_model):
            model.dataChanged.connect(self._on_field_changed)
            model.rowsInserted.connect(self._on_field_changed)
            model.rowsRemoved.connect(self._on_field_changed)
            model.modelReset.connect(self._on_field_changed)

    def _lines_page(self, table: QTableView, add: QPushButton, remove: QPushButton, hint: str,
                    extra: QWidget | None = None) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        help_label = QLabel(hint)
        help_label.setObjectName("muted")
        layout.addWidget(help_label)
        layout.addWidget(table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        if extra is not None:
            buttons.addWidget(extra)
        layout.addLayout(buttons)
        return page

    # loading ----------------------------------------------------------------------------
    def new_case(self) -> None:
        self.record = None
        today = date.today()
        data = CaseData(received_date=today)
        data = replace(data, deadline=default_deadline(data, self.ctx.ref))
        self._saved_data = data
        self._show(data)
        self._offer_draft()

    def open_case(self, case_id: int) -> None:
        with self.ctx.uow() as uow:
            self.record = cases.get_case(uow, case_id)
            history = cases.history(uow, case_id)
        self._saved_data = self.record.data
        self.history_model.set_rows(history)
        self._show(self.record.data)
        self._offer_draft()

    def _offer_draft(self) -> None:
        case_id = self.record.id if self.record else None
        with self.ctx.uow() as uow:
            draft = drafts.load_draft(uow, self.ctx.actor, case_id)
        if draft is None or draft.data == self.current_data():
            return
        if not self.editable:
            return
        if self.ask_restore_draft(draft):
            self._show(draft.data)
        else:
            self._discard_draft()

    def ask_restore_draft(self, draft: StoredDraft) -> bool:
        """Overridable in tests; asks whether to bring back unsaved work."""
        when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        text = self.tr("There are unsaved changes to this application from %1 (autosaved). "
                       "Restore them?").replace("%1", when)
        if self.record and draft.base_version != self.record.row_version:
            text += "\n\n" + self.tr(
                "The case was saved again since (last by %1, %2). Restoring puts your "
                "version in the editor; saving it would replace those later changes.").replace(
                "%1", self.record.updated_by).replace(
                "%2", self.record.updated_at.astimezone().strftime("%Y-%m-%d %H:%M"))
        answer = QMessageBox.question(
            self, self.tr("Unsaved changes found"), text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def _show(self, data: CaseData) -> None:
        self._loading = True
        try:
            index = self.licence_type.findData(data.licence_type)
            if index < 0 and data.licence_type:
                self.licence_type.addItem(data.licence_type, data.licence_type)
                index = self.licence_type.count() - 1
            self.licence_type.setCurrentIndex(max(index, 0))
            self.applicant_reference.setText(data.applicant_reference)
            self.exporter_name.setText(data.exporter_name)
            self.exporter_address.setPlainText(data.exporter_address)
            self.exporter_country.set_code(data.exporter_country)
            self.exporter_registration.setText(data.exporter_registration)
            self.destination.set_code(data.destination)
            self.end_use.setPlainText(data.end_use)
            self.euc_number.setText(data.euc_number)
            self.euc_date.set_value(data.euc_date)
            self.euc_issuer.setText(data.euc_issuer)
            self.received_date.set_value(data.received_date)
            self.deadline.set_value(data.deadline)
            self.notes.setPlainText(data.notes)
            self.parties_model.set_rows(data.parties)
            self.goods_model.set_rows(data.goods)
        finally:
            self._loading = False
        self._apply_mode()
        self._revalidate()

    def _apply_mode(self) -> None:
        editable = self.editable
        for widget in self._fields.values():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(not editable)
            else:
                widget.setEnabled(editable)
        for model in (self.parties_model, self.goods_model):
            model.read_only = not editable
        for button in (self.add_party_button, self.remove_party_button, self.add_goods_button,
                       self.remove_goods_button):
            button.setEnabled(editable)
        self.screening_tab.set_case(self.record)
        self._rebuild_status_menu()
        self._update_header()

    # state ------------------------------------------------------------------------------
    @property
    def status(self) -> CaseStatus:
        return self.record.status if self.record else CaseStatus.DRAFT

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE and self.ctx.actor.can(Permission.EDIT_CASES)

    @property
    def case_id(self) -> int | None:
        return self.record.id if self.record else None

    def current_data(self) -> CaseData:
        return CaseData(
            licence_type=self.licence_type.currentData() or "",
            applicant_reference=self.applicant_reference.text().strip(),
            exporter_name=self.exporter_name.text(),
            exporter_address=self.exporter_address.toPlainText(),
            exporter_country=self.exporter_country.code(),
            exporter_registration=self.exporter_registration.text().strip(),
            destination=self.destination.code(),
            end_use=self.end_use.toPlainText(),
            euc_number=self.euc_number.text().strip(),
            euc_date=self.euc_date.value(),
            euc_issuer=self.euc_issuer.text(),
            received_date=self.received_date.value(),
            deadline=self.deadline.value(),
            notes=self.notes.toPlainText(),
            parties=self.parties_model.rows(),
            goods=self.goods_model.rows(),
        )

    def is_dirty(self) -> bool:
        return self.editable and self.current_data() != self._saved_data

    def title(self) -> str:
        base = self.record.reference if self.record else self.tr("New application")
        return base + (" •" if self.is_dirty() else "")

    def problems(self) -> list[FieldProblem]:
        return list(self._problems)

    # reacting to edits ------------------------------------------------------------------
    def _on_field_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._validate_timer.start()
        self._autosave.start()
        self._update_header()

    def _on_received_date_changed(self) -> None:
        if not self._loading and self.deadline.value() is None:
            data = self.current_data()
            computed = default_deadline(data, self.ctx.ref)
            if computed:
                self.deadline.set_value(computed)
        self._on_field_changed()

    def _revalidate(self) -> None:
        data = self.current_data()
        self._problems = validate_case(data, self.ctx.ref,
                                       complete=self.status != CaseStatus.DRAFT)
        by_path = {p.field: p.message for p in self._problems}
        for path, widget in self._fields.items():
            message = by_path.get(path)
            widget.setProperty("invalid", bool(message))
            widget.setToolTip(message or "")
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        for model, prefix in ((self.parties_model, "parties"), (self.goods_model, "goods")):
            cells: dict[tuple[int, str], str] = {}
            for p in self._problems:
                if p.field.startswith(prefix + "["):
                    row_text, _, field = p.field[len(prefix) + 1:].partition("].")
                    cells[(int(row_text), field)] = p.message
            model.set_problems(cells)
        parties_bad = any(p.field.startswith("parties") for p in self._problems)
        goods_bad = any(p.field.startswith("goods") for p in self._problems)
        self.tabs.setTabText(1, self.tr("Parties (%1)").replace(
            "%1", str(len(data.parties))) + (" ⚠" if parties_bad else ""))
        self.tabs.setTabText(2, self.tr("Goods (%1)").replace(
            "%1", str(len(data.goods))) + (" ⚠" if goods_bad else ""))
        totals = data.total_value()
        self.goods_total.setText(self.tr("Total: %1").replace(
            "%1", " + ".join(f"{v:,.2f} {c}" for c, v in sorted(totals.items())
                             if v.is_finite()) or "—"))
        if self._problems and self.editable:
            items = "".join(f"<li>{self._describe_problem(p)}</li>" for p in self._problems[:6])
            more = len(self._problems) - 6
            tail = f"<li>{self.tr('and %n more', '', more)}</li>" if more > 0 else ""
            self.problems_label.setText(
                f"<b>{self.tr('To fix before saving:')}</b><ul style='margin:2px'>"
                f"{items}{tail}</ul>")
            self.problems_label.show()
        else:
            self.problems_label.hide()
        self._update_header()

    def _field_labels(self) -> dict[str, str]:
        return {
            "licence_type": self.tr("Licence type"),
            "applicant_reference": self.tr("Applicant's reference"),
            "exporter.name": self.tr("Exporter's name"),
            "exporter.country": self.tr("Exporter's country"),
            "exporter.registration_number": self.tr("Exporter's registration no."),
            "destination": self.tr("Destination"),
            "end_use": self.tr("Stated end use"),
            "end_user_certificate.number": self.tr("End-user certificate number"),
            "end_user_certificate.date": self.tr("End-user certificate date"),
            "end_user_certificate.issuer": self.tr("End-user certificate issuer"),
            "received_date": self.tr("Received"),
            "deadline": self.tr("Deadline"),
            "parties": self.tr("Parties"),
            "goods": self.tr("Goods"),
            "role": self.tr("role"), "name": self.tr("name"), "country": self.tr("country"),
            "kind": self.tr("kind"), "birth_date": self.tr("date of birth"),
            "description": self.tr("description"),
            "control_entry": self.tr("control entry"), "att_category": self.tr("ATT category"),
            "quantity": self.tr("quantity"), "unit": self.tr("unit"), "value": self.tr("value"),
            "currency": self.tr("currency"),
        }

    def _describe_problem(self, problem: FieldProblem) -> str:
        """'goods[1].control_entry' reads as 'Goods line 2, control entry' to an officer."""
        from html import escape

        labels = self._field_labels()
        path = problem.field
        for prefix, label in (("parties[", self.tr("Party %1")),
                              ("goods[", self.tr("Goods line %1"))):
            if path.startswith(prefix):
                row_text, _sep, field = path[len(prefix):].partition("].")
                where = label.replace("%1", str(int(row_text) + 1))
                path_text = f"{where}, {labels.get(field, field)}"
                break
        else:
            path_text = labels.get(path, path)
        return f"<b>{escape(path_text)}</b>: {escape(problem.message)}"

    def _update_header(self) -> None:
        self.title_label.setText(self.title())
        self.status_chip.setText(self.status.label)
        self.status_chip.setProperty("status", self.status.value)
        self.status_chip.style().unpolish(self.status_chip)
        self.status_chip.style().polish(self.status_chip)
        self.demo_chip.setVisible(bool(self.record and self.record.is_demo))
        self.assess_button.setEnabled(self.record is not None
                                      and self.status != CaseStatus.DRAFT)
        dirty = self.is_dirty()
        self.save_button.setEnabled(dirty and not self._problems)
        self.save_button.setToolTip(
            self.tr("Fix the problems listed above first") if self._problems and dirty
            else self.tr("Save the application (Ctrl+S)"))
        if not self.editable:
            self.save_state.setText(self.tr("Read-only: the case is %1").replace(
                "%1", self.status.label.lower()))
        elif dirty:
            self.save_state.setText(self.tr("Unsaved changes (autosaved as a draft)"))
        elif self.record:
            self.save_state.setText(self.tr("Saved %1 by %2").replace(
                "%1", self.record.updated_at.astimezone().strftime("%Y-%m-%d %H:%M"))
                .replace("%2", self.record.updated_by))
        else:
            self.save_state.setText("")
        self.sig_title_changed.emit()

    def _rebuild_status_menu(self) -> None:
        self.status_menu.clear()
        targets = allowed_targets(self.status) if self.record else []
        for target in targets:
            action = self.status_menu.addAction(self._transition_label(target))
            action.setData(target.value)
            action.triggered.connect(lambda _c=False, t=target: self.change_status(t))
        self.status_button.setEnabled(bool(targets))

    def _transition_label(self, target: CaseStatus) -> str:
        current = self.status
        if target == CaseStatus.RECEIVED:
            return (self.tr("Register as received") if current == CaseStatus.DRAFT
                    else self.tr("Back to received"))
        if target == CaseStatus.IN_ASSESSMENT:
            return (self.tr("Start assessment") if current == CaseStatus.RECEIVED
                    else self.tr("Resume assessment"))
        return {
            CaseStatus.ON_HOLD: self.tr("Put on hold…"),
            CaseStatus.REFERRED: self.tr("Refer to a supervisor"),
            CaseStatus.WITHDRAWN: self.tr("Record withdrawal by the applicant…"),
        }.get(target, target.label)

    def show_screening(self) -> CaseScreeningTab:
        """The Screening tab, brought to the front (from a new hit or an unresolved check)."""
        self.tabs.setCurrentWidget(self.screening_tab)
        return self.screening_tab

    # rows -------------------------------------------------------------------------------
    def _on_assess_clicked(self) -> None:
        if self.record is None:
            return
        if self.is_dirty() and not self.save():
            return
        self.sig_assess_requested.emit(self.record.id)

    def _on_add_party_clicked(self) -> None:
        row = self.parties_model.append_row()
        self.parties_table.setCurrentIndex(self.parties_model.index(row, 1))
        self.parties_table.edit(self.parties_model.index(row, 1))

    def _on_add_goods_clicked(self) -> None:
        row = self.goods_model.append_row()
        self.goods_table.setCurrentIndex(self.goods_model.index(row, 0))
        self.goods_table.edit(self.goods_model.index(row, 0))

    def _remove_selected(self, table: QTableView, model: PartiesModel | GoodsModel) -> None:
        index = table.currentIndex()
        if index.isValid():
            model.remove_row(index.row())

    # saving -----------------------------------------------------------------------------
    def flush_edits(self) -> None:
        """Commit any cell still open in an editor so it is part of what gets saved."""
        for table in (self.parties_table, self.goods_table):
            index = table.currentIndex()
            editor = table.indexWidget(index) if index.isValid() else None
            if editor is not None:
                table.commitData(editor)
            table.setCurrentIndex(table.currentIndex())
        focus = self.focusWidget()
        if focus is not None:
            focus.clearFocus()
            focus.setFocus()

    def save(self) -> bool:
        if not self.editable:
            return False
        self._validate_timer.stop()
        self._revalidate()
        if self._problems:
            self.problems_label.show()
            return False
        data = self.current_data()
        try:
            with self.ctx.uow() as uow:
                if self.record is None:
                    self.record = cases.create_case(uow, self.ctx.actor, data)
                    drafts.discard_draft(uow, self.ctx.actor, None)
                else:
                    self.record = cases.update_case(uow, self.ctx.actor, self.record.id, data,
                                                    self.record.row_version)
                drafts.discard_draft(uow, self.ctx.actor, self.record.id)
                history = cases.history(uow, self.record.id)
        except GoldenRuleError as exc:
            self.autosave_now()
            show_error(self, self.tr("Could not save"), exc)
            return False
        self._autosave.stop()
        self._saved_data = self.record.data
        self.history_model.set_rows(history)
        self._show(self.record.data)
        self.ctx.signals.sig_cases_changed.emit()
        self.sig_saved.emit(self.record.id)
        return True

    def autosave_now(self) -> None:
        if not self.is_dirty():
            return
        try:
            with self.ctx.uow() as uow:
                drafts.save_draft(uow, self.ctx.actor, self.case_id,
                                  self.record.row_version if self.record else None,
                                  self.current_data())
        except Exception as exc:  # autosave must never interrupt typing
            self.save_state.setText(self.tr("Autosave failed: %1").replace("%1", str(exc)))

    def _discard_draft(self) -> None:
        with self.ctx.uow() as uow:
            drafts.discard_draft(uow, self.ctx.actor, self.case_id)

    def change_status(self, target: CaseStatus) -> bool:
        if self.record is None:
            return False
        if self.is_dirty() and not self.save():
            return False
        reason = ""
        if target in REASON_NEEDED:
            answer = self.ask_reason(target)
            if answer is None:
                return False
            reason = answer
        try:
            with self.ctx.uow() as uow:
                self.record = cases.change_status(uow, self.ctx.actor, self.record.id, target,
                                                  reason)
                history = cases.history(uow, self.record.id)
        except GoldenRuleError as exc:
            show_error(self, self.tr("Could not change the status"), exc)
            return False
        self._saved_data = self.record.data
        self.history_model.set_rows(history)
        self._show(self.record.data)
        self.ctx.signals.sig_cases_changed.emit()
        return True

    def ask_reason(self, target: CaseStatus) -> str | None:
        """Overridable in tests."""
        return ask_reason(self, target.label, self.tr("Reason (recorded in the case history):"))

    # closing ----------------------------------------------------------------------------
    def maybe_close(self) -> bool:
        """The unsaved-changes guard: True when the editor may close."""
        if not self.is_dirty():
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self._autosave.stop()
            self._discard_draft()
            return True
        return False

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        """Overridable in tests."""
        return QMessageBox.question(
            self, self.tr("Unsaved changes"),
            self.tr("%1 has unsaved changes. Save them?").replace("%1", self.title().rstrip(" •")),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
