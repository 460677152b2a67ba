"""Case › Shipments: what actually left under a licence, beside what it authorised.

The dialog shows the licence's goods per control entry (licensed against shipped so far,
more than licensed in red), every recorded shipment, corrections included, and a form to
record one by hand; a CSV file of shipments is imported on the database worker with a
progress bar and Cancel, all or nothing. The rules (in force on that date, entry on the
licence, a correction needs a note) and their messages are the application's
(``app/shipments.py``); the form only shows them beside the field they name. Roles that may
not record shipments (administrators) see the same figures read-only.
"""

from __future__ import annotations

import html
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QFont,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import cases, shipments
from app.casedata import GoodsData
from app.errors import Cancelled, GoldenRuleError, InputError, ValidationError
from app.i18n import _
from app.roles import Permission
from app.shipments import EntryTotal, ShipmentImportReport, ShipmentRecord
from app.status import CaseStatus
from app.uow import UnitOfWork
from ui.context import UiContext
from ui.document_export import export_folder
from ui.settings.common import needs_role_text
from ui.tasks import Cancelled as TaskCancelled
from ui.tasks import Progress, TaskRunner
from ui.widgets.progress_row import progress_row

FORMAT_DOC = Path(__file__).resolve().parents[1] / "docs" / "formats" / "shipments.md"
OVER_BACKGROUND = QColor("#fde8e8")
OVER_TEXT = QColor("#9b1c1c")
CORRECTION_TEXT = QColor("#8a5a00")
#: The form's fields by the names the application gives its problems.
FIELDS = ("shipped_on", "control_entry", "quantity", "value", "currency", "description",
          "note")
STYLE = """
QLabel#dialogTitle { font-size: 17px; font-weight: 600; color: #1d2840; }
QLabel#sectionTitle { font-weight: 600; color: #1d2840; }
QLabel#overBanner { background: #fde8e8; color: #9b1c1c; border: 1px solid #f5b5b5;
    border-radius: 6px; padding: 6px 10px; font-weight: 600; }
QLabel#doneMessage { color: #03543f; font-weight: 600; }
QLabel#formLabel { font-weight: 600; color: #374151; }
QTextBrowser#shipmentProblems { background: #fff8f1; border: 1px solid #f3c99b;
    border-radius: 6px; color: #7a3e00; }
"""


def number_text(value: Decimal) -> str:
    """An exact quantity with thousands separators: 100000 -> '100,000', 12.50 -> '12.5'."""
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):,}".replace("-", "−")
    return f"{value.normalize():,f}".replace("-", "−")


def value_text(value: Decimal) -> str:
    """412500 -> '412,500.00': money to the cent, more places only when given."""
    exponent = value.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{value:,.{places}f}".replace("-", "−")


def amount_text(value: Decimal, currency: str) -> str:
    return f"{value_text(value)} {currency}"


def amounts_text(values: dict[str, Decimal]) -> str:
    """Amounts in several currencies are listed, never added."""
    return " + ".join(amount_text(v, c) for c, v in sorted(values.items()))


def not_a_licence_text(reference: str, status: CaseStatus) -> str:
    """The application's refusal for a case whose decision never took effect (the same
    message ``record_shipment`` gives, so it reads and translates the same)."""
    return _("{ref} is {status}: shipments are recorded only against a licence that was "
             "issued (approved, approved with conditions, suspended or revoked)").format(
        ref=reference, status=status.label.lower())


@dataclass(frozen=True)
class LicenceLine:
    """A control entry on the licence: the first goods line's words, currency and unit, and
    the value licensed in each currency (an entry may span several lines)."""

    entry: str
    description: str
    currency: str
    unit: str
    values: dict[str, Decimal]


@dataclass(frozen=True)
class Licence:
    """What the dialog shows of the case: its reference, status and goods."""

    case_id: int
    reference: str
    status: CaseStatus
    exporter: str
    destination: str
    licence_type: str
    lines: dict[str, LicenceLine]  # by control entry as on the licence


def licence_of_case(ctx: UiContext, case_id: int) -> Licence:
    """The case as a licence; raises ``InputError`` with the application's words when its
    decision never took effect, as the export action does for an undecided case."""
    with ctx.uow() as uow:
        record = cases.get_case(uow, case_id)
    if record.status not in shipments.SHIPPABLE:
        raise InputError(not_a_licence_text(record.reference, record.status))
    first: dict[str, GoodsData] = {}
    values: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in record.data.goods:
        key = line.control_entry.strip().casefold()
        first.setdefault(key, line)
        values[key][line.currency] += line.value
    lines = {g.control_entry.strip(): LicenceLine(g.control_entry.strip(), g.description,
                                                  g.currency, g.unit, dict(values[key]))
             for key, g in first.items()}
    data = record.data
    return Licence(record.id, record.reference, record.status, data.exporter_name,
                   ctx.ref.country_name(data.destination) if data.destination else "",
                   data.licence_type, lines)


def _item(text: str, *, right: bool = False, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tip:
        item.setToolTip(tip)
    return item


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    return table


class ShipmentsDialog(QDialog):
    """A licence's shipments: totals per control entry, the list, recording and import."""

    sig_recorded = Signal(object)  # the ShipmentRecord, or the ShipmentImportReport

    def __init__(self, ctx: UiContext, runner: TaskRunner, licence: Licence,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shipmentsDialog")
        self.setWindowTitle(self.tr("Shipments under %1").replace("%1", licence.reference))
        self.setStyleSheet(STYLE)
        self.setAcceptDrops(True)
        self.ctx = ctx
        self.runner = runner
        self.licence = licence
        self.may_record = ctx.actor.can(Permission.EDIT_CASES)
        self.totals: list[EntryTotal] = []
        self.records: list[ShipmentRecord] = []
        self.last_error: BaseException | None = None
        self._job: Progress | None = None
        self._cancel = threading.Event()
        self.resize(1040, 760)
        self._build()
        self.reload()

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        lic = self.licence
        title = QLabel(self.tr("Shipments under %1").replace("%1", lic.reference))
        title.setObjectName("dialogTitle")
        chip = QLabel(lic.status.label)
        chip.setObjectName("statusChip")
        chip.setProperty("status", lic.status.value)
        parts = [p for p in (lic.licence_type, lic.exporter,
                             self.tr("to %1").replace("%1", lic.destination)
                             if lic.destination else "") if p]
        meta = QLabel(" · ".join(parts))
        meta.setObjectName("muted")
        meta.setTextFormat(Qt.TextFormat.PlainText)
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addSpacing(8)
        heading.addWidget(chip)
        heading.addSpacing(8)
        heading.addWidget(meta, 1)

        self.role_banner = QLabel(self.tr("The shipments are shown read-only: recording them "
                                          "is for the case officers. %1")
                                  .replace("%1", needs_role_text(Permission.EDIT_CASES)))
        self.role_banner.setObjectName("banner")
        self.role_banner.setWordWrap(True)
        self.role_banner.setVisible(not self.may_record)

        totals_title = QLabel(self.tr("Licensed and shipped, per control entry"))
        totals_title.setObjectName("sectionTitle")
        self.totals_table = _table("shipmentTotals", [
            self.tr("Control entry"), self.tr("Goods"), self.tr("Licensed"),
            self.tr("Shipped"), self.tr("Remaining"), self.tr("Licensed value"),
            self.tr("Shipped value")])
        self.totals_table.setAccessibleName(totals_title.text())
        self.totals_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a summary, not a list
        self.over_banner = QLabel()
        self.over_banner.setObjectName("overBanner")
        self.over_banner.setWordWrap(True)
        self.over_banner.hide()

        self.list_title = QLabel()
        self.list_title.setObjectName("sectionTitle")
        self.shipments_table = _table("shipmentList", [
            self.tr("Shipped on"), self.tr("Control entry"), self.tr("Quantity"),
            self.tr("Value"), self.tr("Description"), self.tr("Note"), self.tr("Source"),
            self.tr("Recorded by")])
        self.shipments_table.setAccessibleName(self.tr("Recorded shipments"))
        self.empty_label = QLabel(self.tr("No shipment has been recorded under this licence."))
        self.empty_label.setObjectName("muted")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.form_box = self._build_form()
        self.form_box.setVisible(self.may_record)

        self.problems_view = QTextBrowser()
        self.problems_view.setObjectName("shipmentProblems")
        self.problems_view.setOpenLinks(False)
        self.problems_view.setMaximumHeight(150)
        self.problems_view.hide()
        self.message = QLabel()
        self.message.setObjectName("doneMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        pr = progress_row(self.tr("Cancel import"), self.cancel, cancel_name="cancelImport",
                          text_style="muted")
        self.progress_row, self.progress_text = pr.row, pr.text
        self.progress_bar, self.cancel_button = pr.bar, pr.cancel
        self.progress_row.hide()

        self.import_button = QPushButton(self.tr("Import CSV…"))
        self.import_button.setObjectName("importShipments")
        self.import_button.clicked.connect(lambda: self.import_csv())
        if self.may_record:
            self.import_button.setToolTip(self.tr(
                "Record every shipment of a CSV file (any licence); one bad row and nothing "
                "is stored. You can also drop the file on this window."))
        else:
            self.import_button.setEnabled(False)
            self.import_button.setToolTip(needs_role_text(Permission.EDIT_CASES))
        doc = QLabel(self._doc_link())
        doc.setObjectName("muted")
        doc.setTextFormat(Qt.TextFormat.RichText)
        doc.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        doc.linkActivated.connect(lambda link: QDesktopServices.openUrl(QUrl(link)))
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeShipments")
        self.close_button.clicked.connect(self.reject)
        self.close_button.setAutoDefault(False)
        self.close_button.setDefault(not self.may_record)
        bottom = QHBoxLayout()
        bottom.addWidget(self.import_button)
        bottom.addSpacing(6)
        bottom.addWidget(doc, 1)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        layout.addLayout(heading)
        layout.addWidget(self.role_banner)
        layout.addSpacing(4)
        layout.addWidget(totals_title)
        layout.addWidget(self.totals_table)
        layout.addWidget(self.over_banner)
        layout.addSpacing(4)
        layout.addWidget(self.list_title)
        layout.addWidget(self.shipments_table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.form_box)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.problems_view)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        # the form for those who record; else Close (not the list, whose first cell would
        # look selected)
        (self.date_edit if self.may_record else self.close_button).setFocus()

    def _build_form(self) -> QGroupBox:
        box = QGroupBox(self.tr("Record a shipment"))
        box.setObjectName("recordBox")
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("shippedOn")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.date_edit.setDate(QDate.currentDate())
        self.date_edit.setToolTip(self.tr("The day the goods left: while the licence was in "
                                          "force"))
        self.entry_combo = QComboBox()
        self.entry_combo.setObjectName("controlEntry")
        self.entry_combo.setToolTip(self.tr("A control entry on the licence"))
        for entry, line in self.licence.lines.items():
            label = f"{entry} — {line.description}" if line.description else entry
            self.entry_combo.addItem(label, entry)
        self.entry_combo.currentIndexChanged.connect(self._on_entry_changed)
        self.quantity_edit = QLineEdit()
        self.quantity_edit.setObjectName("quantity")
        self.quantity_edit.setPlaceholderText(self.tr("such as 100"))
        self.quantity_edit.setToolTip(self.tr(
            "How many left; a negative quantity corrects an earlier shipment"))
        self.unit_label = QLabel()
        self.unit_label.setObjectName("muted")
        self.value_edit = QLineEdit()
        self.value_edit.setObjectName("value")
        self.value_edit.setPlaceholderText(self.tr("such as 165000.00"))
        self.currency_combo = QComboBox()
        self.currency_combo.setObjectName("currency")
        for code in sorted(self.ctx.ref.currencies):
            self.currency_combo.addItem(code, code)
        self.currency_combo.setToolTip(self.tr("May differ from the licence's currency"))
        self.description_edit = QLineEdit()
        self.description_edit.setObjectName("description")
        self.description_edit.setPlaceholderText(self.tr("Invoice or consignment text "
                                                         "(optional)"))
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("note")
        self.note_edit.setPlaceholderText(self.tr(
            "Required for a correction: which shipment it corrects and why"))
        self.record_button = QPushButton(self.tr("Record shipment"))
        self.record_button.setObjectName("primary")
        self.record_button.setAutoDefault(False)
        self.record_button.clicked.connect(lambda: self.record())
        self.form_error = QLabel()
        self.form_error.setObjectName("formError")
        self.form_error.setWordWrap(True)
        self.form_error.setTextFormat(Qt.TextFormat.PlainText)
        self.form_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form_error.hide()
        for edit in (self.quantity_edit, self.value_edit, self.description_edit,
                     self.note_edit):
            edit.returnPressed.connect(lambda: self.record())

        def label(text: str, buddy: QWidget) -> QLabel:
            widget = QLabel(text)
            widget.setObjectName("formLabel")
            widget.setBuddy(buddy)
            return widget

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(8)
        grid.addWidget(label(self.tr("&Date"), self.date_edit), 0, 0)
        grid.addWidget(self.date_edit, 0, 1)
        grid.addWidget(label(self.tr("Control &entry"), self.entry_combo), 0, 2)
        grid.addWidget(self.entry_combo, 0, 3, 1, 2)
        quantity = QHBoxLayout()
        quantity.setSpacing(6)
        quantity.addWidget(self.quantity_edit, 1)
        quantity.addWidget(self.unit_label)
        grid.addWidget(label(self.tr("&Quantity"), self.quantity_edit), 1, 0)
        grid.addLayout(quantity, 1, 1)
        grid.addWidget(label(self.tr("&Value"), self.value_edit), 1, 2)
        grid.addWidget(self.value_edit, 1, 3)
        grid.addWidget(self.currency_combo, 1, 4)
        grid.addWidget(label(self.tr("Descri&ption"), self.description_edit), 2, 0)
        grid.addWidget(self.description_edit, 2, 1, 1, 4)
        grid.addWidget(label(self.tr("&Note"), self.note_edit), 3, 0)
        grid.addWidget(self.note_edit, 3, 1, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.form_error, 1)
        actions.addWidget(self.record_button, 0,
                          Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(12, 14, 12, 10)
        layout.addLayout(grid)
        layout.addLayout(actions)
        self._on_entry_changed()
        return box

    def _doc_link(self) -> str:
        text = html.escape(self.tr("CSV columns and rules: %1")).replace(
            "%1", "<a href='{url}'>docs/formats/shipments.md</a>")
        if not FORMAT_DOC.exists():
            return text.replace("<a href='{url}'>", "").replace("</a>", "")
        return text.replace("{url}", QUrl.fromLocalFile(str(FORMAT_DOC)).toString())

    # showing ------------------------------------------------------------------------------
    def reload(self) -> None:
        """The totals and the list as stored now (a few rows: read on the UI thread)."""
        with self.ctx.uow() as uow:
            self.totals = shipments.shipped_totals(uow, self.licence.reference)
            self.records = shipments.list_shipments(uow, self.licence.reference)
        self._fill_totals()
        self._fill_list()

    def _fill_totals(self) -> None:
        table = self.totals_table
        table.setRowCount(len(self.totals))
        over: list[str] = []
        for row, total in enumerate(self.totals):
            line = self.licence.lines.get(total.control_entry)
            description = line.description if line else ""
            remaining = total.licensed_quantity - total.shipped_quantity
            unit = f" {total.unit}" if total.unit else ""
            if total.over:
                over.append(total.control_entry)
                left = self.tr("%1 over").replace("%1", number_text(-remaining) + unit)
            else:
                left = number_text(remaining) + unit
            cells = [_item(total.control_entry), _item(description, tip=description),
                     _item(number_text(total.licensed_quantity) + unit, right=True),
                     _item(number_text(total.shipped_quantity) + unit, right=True),
                     _item(left, right=True),
                     _item(amounts_text(line.values) if line else "", right=True),
                     _item(amounts_text(total.shipped_value) or "—", right=True)]
            for column, item in enumerate(cells):
                if total.over:
                    item.setBackground(OVER_BACKGROUND)
                    item.setForeground(OVER_TEXT)
                    item.setToolTip(self.tr("More was shipped than the licence authorised"))
                    if column in (3, 4):
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                table.setItem(row, column, item)
        self._fit(table, stretch=(1,), rows=max(len(self.totals), 1))
        self.over_banner.setText(self.tr("More was shipped than licensed under %1.")
                                 .replace("%1", ", ".join(over)))
        self.over_banner.setVisible(bool(over))

    def _fill_list(self) -> None:
        table = self.shipments_table
        table.setRowCount(len(self.records))
        for row, r in enumerate(self.records):
            source = self.tr("By hand") if r.source == "manual" else (
                self.tr("Import: %1").replace("%1", r.source.removeprefix("import:"))
                if r.source.startswith("import:") else r.source)
            cells = [_item(r.shipped_on.isoformat()), _item(r.control_entry),
                     _item(number_text(r.quantity), right=True),
                     _item(amount_text(r.value, r.currency), right=True),
                     _item(r.description, tip=r.description), _item(r.note, tip=r.note),
                     _item(source), _item(r.recorded_by, tip=r.recorded_at.strftime(
                         "%Y-%m-%d %H:%M UTC"))]
            for column, item in enumerate(cells):
                if r.correction:
                    item.setForeground(CORRECTION_TEXT)
                    font = QFont(item.font())
                    font.setItalic(True)
                    item.setFont(font)
                    if column in (2, 3):
                        item.setToolTip(self.tr("A correction of an earlier shipment"))
                table.setItem(row, column, item)
        has_notes = any(r.note for r in self.records)
        table.setColumnHidden(5, not has_notes)  # corrections carry notes; most rows none
        self._fit(table, stretch=(4, 5) if has_notes else (4,))
        table.scrollToBottom()
        self.list_title.setText(self.tr("Recorded shipments (%1)").replace(
            "%1", f"{len(self.records):,}"))
        self.shipments_table.setVisible(bool(self.records))
        self.empty_label.setVisible(not self.records)

    @staticmethod
    def _fit(table: QTableWidget, stretch: tuple[int, ...], rows: int | None = None) -> None:
        """Columns to their content, the text ones sharing the rest; a short table as high
        as its rows."""
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.resizeColumnsToContents()
        for column in range(table.columnCount()):
            table.setColumnWidth(column, min(table.columnWidth(column) + 12, 260))
        for column in stretch:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        if rows is not None:
            height = (header.height() + rows * table.verticalHeader().defaultSectionSize()
                      + 2 * table.frameWidth() + 2)
            table.setFixedHeight(min(height, 220))

    def _on_entry_changed(self, _index: int = 0) -> None:
        """The unit and currency of the chosen goods line, as the likely ones."""
        line = self.licence.lines.get(self.entry_combo.currentData())
        if line is None:
            return
        self.unit_label.setText(line.unit)
        self.unit_label.setVisible(bool(line.unit))
        index = self.currency_combo.findData(line.currency)
        if index >= 0:
            self.currency_combo.setCurrentIndex(index)

    # recording ------------------------------------------------------------------------------
    def record(self) -> ShipmentRecord | None:
        """Record the form's shipment; the application's problems show beside the form."""
        if not self.may_record or self._job is not None:
            return None
        self._clear_problems()
        qd = self.date_edit.date()
        try:
            with self.ctx.uow() as uow:
                record = shipments.record_shipment(
                    uow, self.ctx.actor, self.licence.reference,
                    date(qd.year(), qd.month(), qd.day()),
                    str(self.entry_combo.currentData() or ""), self.quantity_edit.text(),
                    self.value_edit.text(), str(self.currency_combo.currentData() or ""),
                    self.description_edit.text(), self.note_edit.text())
        except GoldenRuleError as exc:
            self.last_error = exc
            self._show_form_problems(exc)
            return None
        for edit in (self.quantity_edit, self.value_edit, self.description_edit,
                     self.note_edit):
            edit.clear()
        self.reload()
        line = self.licence.lines.get(record.control_entry)
        amount = f"{number_text(record.quantity)} {line.unit if line else ''}".strip()
        self._done(self.tr("Recorded: %1 of %2 shipped on %3.").replace("%1", amount)
                   .replace("%2", record.control_entry)
                   .replace("%3", record.shipped_on.isoformat()))
        self.quantity_edit.setFocus()
        self.sig_recorded.emit(record)
        self.ctx.signals.sig_cases_changed.emit()
        return record

    def _show_form_problems(self, exc: GoldenRuleError) -> None:
        if isinstance(exc, ValidationError):
            lines = [str(p) for p in exc.problems]
            fields = {p.field for p in exc.problems}
        else:
            lines, fields = [str(exc)], set()
        self.form_error.setText("\n".join(lines))
        self.form_error.show()
        for name in fields & set(FIELDS):
            widget = self._field(name)
            widget.setProperty("invalid", True)
            self._repolish(widget)
        first = next((n for n in FIELDS if n in fields), None)
        if first is not None:
            self._field(first).setFocus()

    def _field(self, name: str) -> QWidget:
        return {"shipped_on": self.date_edit, "control_entry": self.entry_combo,
                "quantity": self.quantity_edit, "value": self.value_edit,
                "currency": self.currency_combo, "description": self.description_edit,
                "note": self.note_edit}[name]

    def _clear_problems(self) -> None:
        self.form_error.hide()
        self.problems_view.hide()
        self.message.hide()
        self.last_error = None
        for name in FIELDS:
            widget = self._field(name)
            if widget.property("invalid"):
                widget.setProperty("invalid", False)
                self._repolish(widget)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _done(self, text: str) -> None:
        self.message.setText("✓ " + text)
        self.message.show()

    # importing ------------------------------------------------------------------------------
    def choose_csv(self) -> Path | None:
        """Overridable in tests: the CSV file the officer picks."""
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Import shipments"), str(export_folder()),
            self.tr("CSV files (*.csv);;All files (*)"))
        return Path(path) if path else None

    def import_csv(self, path: Path | None = None) -> Progress | None:
        """Record every shipment of a CSV file on the worker; returns its Progress."""
        if not self.may_record or self._job is not None:
            return None
        if path is None:
            path = self.choose_csv()
            if path is None:
                return None
        self._clear_problems()
        self._set_busy(True, self.tr("Checking %1…").replace("%1", path.name))
        db, actor, cancel = self.ctx.db, self.ctx.actor, self._cancel
        cancel.clear()

        def run(progress: Progress) -> ShipmentImportReport:
            with UnitOfWork(db.session_factory) as uow:
                return shipments.import_shipments_csv(
                    uow, actor, path, progress=lambda done, total: progress.report(done, total),
                    cancelled=lambda: progress.cancelled or cancel.is_set())

        self._job = Progress()  # a synchronous runner finishes inside submit()
        progress = self.runner.submit(run, self._on_imported, self._on_import_failed,
                                      self._on_progress)
        if self._job is not None:
            self._job = progress
        return progress

    def cancel(self) -> None:
        """Stop the import at its next check; it rolls back and stores nothing."""
        if self._job is None:
            return
        self._cancel.set()
        self._job.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_text.setText(self.tr("Cancelling…"))

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.progress_row.setVisible(busy)
        self.progress_bar.setRange(0, 0)
        self.progress_text.setText(text)
        self.cancel_button.setEnabled(busy)
        self.form_box.setEnabled(not busy)
        self.import_button.setEnabled(self.may_record and not busy)

    def _on_progress(self, done: int, total: int, _text: str) -> None:
        if self._job is None or self._cancel.is_set():
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    def _on_imported(self, report: ShipmentImportReport) -> None:
        self._job = None
        self._set_busy(False)
        self.reload()
        here = sum(1 for r in report.shipments if r.case_reference == self.licence.reference)
        text = self.tr("Recorded %1 shipment(s) from %2 against %3.").replace(
            "%1", f"{len(report.shipments):,}").replace("%2", Path(report.file).name).replace(
            "%3", ", ".join(report.cases))
        if here != len(report.shipments):
            text += " " + self.tr("%1 of them under this licence.").replace("%1", f"{here:,}")
        self._done(text)
        self.sig_recorded.emit(report)
        self.ctx.signals.sig_cases_changed.emit()

    def _on_import_failed(self, exc: BaseException) -> None:
        self._job = None
        self._set_busy(False)
        if isinstance(exc, Cancelled | TaskCancelled):
            self._done(self.tr("Import cancelled: nothing was stored."))
            return
        self.last_error = exc
        if isinstance(exc, ValidationError):
            head = html.escape(exc.context or self.tr("Nothing was stored"))
            count = self.tr("%n problem(s)", "", len(exc.problems))
            body = "".join(f"<li>{html.escape(str(p))}</li>" for p in exc.problems)
            text = f"<b>{head}: {count}</b><ul style='margin:2px 0 0 -20px'>{body}</ul>"
        elif isinstance(exc, GoldenRuleError):
            text = f"<b>{html.escape(str(exc))}</b>"
        else:
            head = self.tr("Nothing was stored: something went wrong that Golden Rule did "
                           "not expect.")
            text = f"<b>{html.escape(head)}</b><br>{html.escape(repr(exc))}"
        self.problems_view.setHtml(text)
        self.problems_view.show()

    # drag and drop --------------------------------------------------------------------------
    @staticmethod
    def _dropped_csv(event: QDragEnterEvent | QDropEvent) -> Path | None:
        mime = event.mimeData()
        urls = [u for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []
        if len(urls) != 1 or not urls[0].toLocalFile().lower().endswith(".csv"):
            return None
        return Path(urls[0].toLocalFile())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.may_record and self._job is None and self._dropped_csv(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_csv(event)
        if path is None or not self.may_record:
            event.ignore()
            return
        event.acceptProposedAction()
        QTimer.singleShot(0, lambda: self.import_csv(path))

    def reject(self) -> None:
        if self._job is not None:  # Esc or the close button while importing
            self.cancel()
            return
        super().reject()


def open_shipments(ctx: UiContext, runner: TaskRunner, case_id: int,
                   parent: QWidget | None) -> ShipmentsDialog:
    """The shipments dialog of a licence, window-modal and not blocking; raises
    ``InputError`` (the application's words) for a case that is not a licence."""
    dialog = ShipmentsDialog(ctx, runner, licence_of_case(ctx, case_id), parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog

