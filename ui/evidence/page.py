"""The evidence window: search as you type with filters, ranked results a hundred at a time,
the selected item in a detail pane, and add, edit, import (also by drag and drop) and the
pattern chart.

Searches run on the worker thread; a newer search supersedes an older one (its result is
dropped) so typing never waits for the database.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import evidence
from app.errors import GoldenRuleError
from app.evidence import EvidenceQuery
from app.evidence_vocab import vocabulary
from app.uow import UnitOfWork
from ui.context import UiContext
from ui.dialogs import show_error
from ui.evidence.detail import EvidenceDetail
from ui.evidence.form import CATEGORIES, EvidenceForm
from ui.evidence.import_dialog import ImportDialog
from ui.evidence.pattern_chart import PatternDialog
from ui.evidence.table_model import (
    ITEM_ID_ROLE,
    EvidenceRow,
    EvidenceTableModel,
    SnippetDelegate,
)
from ui.tasks import Progress, TaskRunner
from ui.widgets.country_picker import CountryPicker
from ui.widgets.date_field import OptionalDateField
from ui.widgets.page_header import MessageBanner, page_title

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
PAGE_SIZE = 100


class EvidencePage(QWidget):
    sig_results = Signal(int)  # rows shown after a search or "load more" arrived

    def __init__(self, ctx: UiContext, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidencePage")
        self.ctx = ctx
        self.runner = runner
        self.vocab = vocabulary()
        self.model = EvidenceTableModel(self.vocab, self)
        self.has_more = False
        self.query = EvidenceQuery(limit=PAGE_SIZE)
        self._generation = 0
        self._pending: Progress | None = None
        self._loaded_once = False
        self.pattern_dialog: PatternDialog | None = None
        self.last_dialog: QDialog | None = None
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self._build()
        self.setAcceptDrops(True)

    # construction -----------------------------------------------------------------------
    def _build(self) -> None:
        ref, vocab = self.ctx.ref, self.vocab
        title, self.count_label = page_title(self.tr("Evidence base"))

        self.pattern_button = QPushButton(self.tr("&Pattern…"))
        self.pattern_button.setToolTip(self.tr("Incidents per year by violation category for "
                                               "a country or an actor"))
        self.pattern_button.clicked.connect(lambda: self.open_pattern())
        self.import_button = QToolButton()
        self.import_button.setObjectName("importButton")
        self.import_button.setText(self.tr("&Import…"))
        self.import_button.setToolTip(self.tr("Import JSON, CSV, PDF, HTML or text files; or "
                                              "drop files and folders on this page"))
        self.import_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        import_menu = QMenu(self.import_button)
        import_menu.addAction(self.tr("Files…"), lambda: self.import_files(folder=False))
        import_menu.addAction(self.tr("A folder…"), lambda: self.import_files(folder=True))
        self.import_button.setMenu(import_menu)
        self.import_button.clicked.connect(lambda: self.import_files(folder=False))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.setToolTip(self.tr("Correct the selected item: saving adds a new "
                                            "version"))
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(lambda: self.edit_item())
        self.add_button = QPushButton(self.tr("Add…"))
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(lambda: self.add_item())

        self.search = QLineEdit()
        self.search.setObjectName("evidenceSearch")
        self.search.setPlaceholderText(self.tr(
            'Words in the title, summary or text; "a phrase"; word OR word'))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._schedule)
        search_label = QLabel(self.tr("&Search"))
        search_label.setObjectName("fieldLabel")
        search_label.setBuddy(self.search)
        self.include_demo = QCheckBox(self.tr("Include demo items"))
        self.include_demo.setChecked(True)
        self.include_demo.toggled.connect(self._filters_changed)

        self.country = CountryPicker(ref)
        self.country.setObjectName("evidenceCountry")
        self.country.lineEdit().setPlaceholderText(self.tr("Any country"))
        self.country.sig_code_changed.connect(self._on_country_changed)
        self.date_from = OptionalDateField()
        self.date_from.setSpecialValueText(self.tr("from any date"))
        self.date_to = OptionalDateField()
        self.date_to.setSpecialValueText(self.tr("to any date"))
        for field in (self.date_from, self.date_to):
            field.setMinimumWidth(118)
            field.sig_date_changed.connect(self._filters_changed)
        self.actor = QLineEdit()
        self.actor.setPlaceholderText(self.tr("Actor"))
        self.actor.setToolTip(self.tr("Words in the name of a unit, armed group or person"))
        self.actor.setClearButtonEnabled(True)
        self.actor.setMinimumWidth(120)
        self.actor.textChanged.connect(self._schedule)
        self.violation = QComboBox()
        self.violation.setObjectName("violationFilter")
        self.violation.addItem(self.tr("Any violation"), "")
        for term in vocab.violations.values():
            self.violation.addItem(term.title, term.id)
            self.violation.setItemData(self.violation.count() - 1, term.title,
                                       Qt.ItemDataRole.ToolTipRole)
        self.violation.view().setMinimumWidth(440)
        self.category = QComboBox()
        self.category.setObjectName("categoryFilter")
        self.category.addItem(self.tr("Any ML category"), "")
        for code in CATEGORIES:
            cat = ref.control_categories.get(code)
            self.category.addItem(code, code)
            if cat:
                self.category.setItemData(self.category.count() - 1, cat.title,
                                          Qt.ItemDataRole.ToolTipRole)
        self.category.setToolTip(self.tr("Kind of items involved (Military List category)"))
        self.min_reliability = QComboBox()
        self.min_reliability.setObjectName("minReliability")
        self.min_reliability.addItem(self.tr("Any reliability"), "")
        letters = list(vocab.reliability)
        for n, letter in enumerate(letters[:-1]):
            span = letter if n == 0 else f"{letters[0]}–{letter}"
            self.min_reliability.addItem(self.tr("Reliability %1").replace("%1", span), letter)
            self.min_reliability.setItemData(
                self.min_reliability.count() - 1,
                self.tr("%1 or better").replace("%1", vocab.reliability[letter].title),
                Qt.ItemDataRole.ToolTipRole)
        self.min_reliability.setToolTip(self.tr("Minimum source reliability"))
        self.min_credibility = QComboBox()
        self.min_credibility.setObjectName("minCredibility")
        self.min_credibility.addItem(self.tr("Any credibility"), "")
        digits = list(vocab.credibility)
        for n, digit in enumerate(digits[:-1]):
            span = digit if n == 0 else f"{digits[0]}–{digit}"
            self.min_credibility.addItem(self.tr("Credibility %1").replace("%1", span), digit)
            self.min_credibility.setItemData(
                self.min_credibility.count() - 1,
                self.tr("%1 or better").replace("%1", vocab.credibility[digit].title),
                Qt.ItemDataRole.ToolTipRole)
        self.min_credibility.setToolTip(self.tr("Minimum information credibility"))
        self.source_kind = QComboBox()
        self.source_kind.setObjectName("kindFilter")
        self.source_kind.addItem(self.tr("Any kind of source"), "")
        for term in vocab.source_kinds.values():
            self.source_kind.addItem(term.title, term.id)
        self.source_kind.view().setMinimumWidth(360)
        for combo in (self.violation, self.category, self.min_reliability,
                      self.min_credibility, self.source_kind):
            combo.currentIndexChanged.connect(self._filters_changed)
        for combo, letters in ((self.country, 14), (self.violation, 12), (self.category, 10),
                               (self.min_reliability, 9), (self.min_credibility, 9),
                               (self.source_kind, 10)):
            # sized by a few letters, not by the longest entry (the window must fit 1366 px)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(letters)
        self.clear_button = QPushButton(self.tr("Clear filters"))
        self.clear_button.setObjectName("linkButton")
        self.clear_button.setFlat(True)
        self.clear_button.clicked.connect(self.clear_filters)

        self.message = MessageBanner(10000)

        self.table = QTableView()
        self.table.setObjectName("evidenceTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setItemDelegateForColumn(EvidenceTableModel.COLUMNS.index("match"),
                                            SnippetDelegate(self.table))
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(28)
        hh = self.table.horizontalHeader()
        hh.setHighlightSections(False)
        hh.setStretchLastSection(True)
        for column, width in enumerate((54, 90, 300, 330, 170, 76, 150)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.table.activated.connect(self._on_activated)

        self.more_button = QPushButton(self.tr("Load more"))
        self.more_button.setObjectName("loadMore")
        self.more_button.clicked.connect(self.load_more)
        self.more_button.hide()
        self.page_label = QLabel()
        self.page_label.setObjectName("muted")
        more_row = QHBoxLayout()
        more_row.setContentsMargins(0, 4, 0, 0)
        more_row.addWidget(self.page_label)
        more_row.addStretch(1)
        more_row.addWidget(self.more_button)
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.setSpacing(0)
        results_layout.addWidget(self.table, 1)
        results_layout.addLayout(more_row)

        self.detail = EvidenceDetail(self.ctx)
        self.detail.sig_saved_original.connect(
            lambda path: self.show_message(self.tr("Original file saved to %1").replace(
                "%1", path)))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("evidenceSplitter")
        self.splitter.addWidget(results)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([760, 420])

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.pattern_button)
        top.addWidget(self.import_button)
        top.addWidget(self.edit_button)
        top.addWidget(self.add_button)
        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        search_row.addWidget(self.search, 3)
        search_row.addWidget(self.country, 1)
        search_row.addWidget(self.actor, 1)
        search_row.addSpacing(6)
        search_row.addWidget(self.include_demo)
        filter_row = QHBoxLayout()
        filter_row.setSpacing(6)
        for widget in (self.date_from, self.date_to):
            filter_row.addWidget(widget)
        filter_row.addWidget(self.violation, 2)
        for widget in (self.category, self.min_reliability, self.min_credibility):
            filter_row.addWidget(widget)
        filter_row.addWidget(self.source_kind, 2)
        filter_row.addWidget(self.clear_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(top)
        layout.addLayout(search_row)
        layout.addLayout(filter_row)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.search_now()

    # searching --------------------------------------------------------------------------
    def current_query(self) -> EvidenceQuery:
        code = self.country.code()
        return EvidenceQuery(
            text=self.search.text().strip(),
            countries=[code] if code in self.ctx.ref.countries else [],
            date_from=self.date_from.value(), date_to=self.date_to.value(),
            actor=self.actor.text().strip(),
            violations=[v] if (v := self.violation.currentData()) else [],
            item_categories=[c] if (c := self.category.currentData()) else [],
            min_reliability=self.min_reliability.currentData() or "",
            min_credibility=self.min_credibility.currentData() or "",
            source_kinds=[k] if (k := self.source_kind.currentData()) else [],
            include_demo=self.include_demo.isChecked(), limit=PAGE_SIZE, offset=0)

    def _schedule(self, *_args: object) -> None:
        self._timer.start()

    def _filters_changed(self, *_args: object) -> None:
        self.search_now()

    def _on_country_changed(self, code: str) -> None:
        if not code or code in self.ctx.ref.countries:
            self._schedule()

    def clear_filters(self) -> None:
        widgets: list[Any] = [self.country, self.violation, self.category,
                              self.min_reliability, self.min_credibility, self.source_kind,
                              self.date_from, self.date_to, self.actor]
        for w in widgets:
            w.blockSignals(True)
        self.country.setCurrentIndex(0)
        for combo in (self.violation, self.category, self.min_reliability,
                      self.min_credibility, self.source_kind):
            combo.setCurrentIndex(0)
        self.date_from.clear_value()
        self.date_to.clear_value()
        self.actor.clear()
        for w in widgets:
            w.blockSignals(False)
        self.search_now()

    def search_now(self) -> None:
        """Start a new search with the current text and filters (replaces any pending one)."""
        self._timer.stop()
        self._generation += 1
        if self._pending is not None:
            self._pending.cancel()
        self.query = self.current_query()
        self.count_label.setText(self.tr("Searching…"))
        self._submit(self.query, append=False)

    def load_more(self) -> None:
        if not self.has_more:
            return
        self.more_button.setEnabled(False)
        self._submit(replace(self.query, offset=self.model.rowCount()), append=True)

    def _submit(self, query: EvidenceQuery, append: bool) -> None:
        generation, db = self._generation, self.ctx.db

        def run(progress: Progress) -> tuple[int, bool, list[EvidenceRow], bool, float] | None:
            if progress.cancelled:
                return None
            started = time.perf_counter()
            with UnitOfWork(db.session_factory) as uow:
                rows, has_more = evidence.search_rows(uow, query)
            return generation, append, rows, has_more, time.perf_counter() - started

        self._pending = self.runner.submit(run, self._on_results, self._on_search_failed)

    def _on_results(self, result: tuple[int, bool, list[EvidenceRow], bool, float] | None
                    ) -> None:
        if result is None:
            return
        generation, append, rows, has_more, seconds = result
        if generation != self._generation:
            return  # a newer search is on its way
        selected = self.current_item_id()
        if append:
            self.model.append_rows(rows)
        else:
            self.model.set_rows(rows)
            if selected is not None and (row := self.model.row_of_item(selected)) >= 0:
                self.table.selectRow(row)
        self.has_more = has_more
        self.more_button.setVisible(has_more)
        self.more_button.setEnabled(True)
        self._update_count(seconds)
        self._update_empty_hint()
        self.sig_results.emit(self.model.rowCount())

    def _on_search_failed(self, exc: BaseException) -> None:
        log.error("evidence search failed", exc_info=exc)
        self.count_label.setText(self.tr("The search failed: %1").replace("%1", str(exc)))

    def _update_empty_hint(self) -> None:
        if self.model.rowCount():
            text = self.tr("Select an item to read it here.")
        elif self.query == EvidenceQuery(limit=PAGE_SIZE,
                                         include_demo=self.query.include_demo):
            text = self.tr("The evidence base is empty.\n\nImport reports (JSON, CSV, PDF, "
                           "HTML or text) with Import…, or add one with Add….")
        else:
            text = self.tr("Nothing matches the search and filters.")
        self.detail.empty.setText(text + "\n\n" + self.tr(
            "Drop files or folders anywhere on this page to import them."))

    def _update_count(self, seconds: float) -> None:
        shown = self.model.rowCount()
        if self.has_more:
            text = self.tr("first %1 items shown").replace("%1", f"{shown:,}")
        else:
            text = self.tr("%n item(s)", "", shown)
        if self.query.text:
            text += " · " + self.tr("best match first")
        self.count_label.setText(text)
        self.page_label.setText(self.tr("Search took %1 ms").replace(
            "%1", f"{seconds * 1000:.0f}"))

    # selection and detail ---------------------------------------------------------------
    def current_item_id(self) -> int | None:
        index = self.table.currentIndex()
        return index.data(ITEM_ID_ROLE) if index.isValid() else None

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item_id = current.data(ITEM_ID_ROLE) if current.isValid() else None
        self.edit_button.setEnabled(item_id is not None)
        if item_id is None:
            return
        if self.detail.record is None or self.detail.record.id != item_id:
            self.detail.show_item(item_id)

    def _on_activated(self, index: QModelIndex) -> None:
        item_id = index.data(ITEM_ID_ROLE)
        if item_id is not None:
            self.detail.show_item(item_id)
            self.detail.tabs.setCurrentIndex(0)
            self.detail.fields.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_item(self, item_id: int) -> None:
        """Select the item in the results if it is there; show it in the detail pane."""
        row = self.model.row_of_item(item_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self.table.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
        record = self.detail.show_item(item_id)
        self.edit_button.setEnabled(record is not None)

    # add and edit -----------------------------------------------------------------------
    def exec_dialog(self, dialog: QDialog) -> int:
        """Overridable in tests: run a modal dialog (form or import) and return its result."""
        return dialog.exec()

    def add_item(self) -> int | None:
        form = EvidenceForm(self.ctx, None, self)
        self.last_dialog = form
        if self.exec_dialog(form) != QDialog.DialogCode.Accepted or form.item_id is None:
            return None
        if form.duplicate_of is not None:
            self.show_message(self.tr("The same content is already stored as item #%1: "
                                      "nothing was added.").replace("%1", str(form.item_id)))
        else:
            self.show_message(self.tr("Item #%1 added.").replace("%1", str(form.item_id)))
        self._after_change(form.item_id)
        return form.item_id

    def edit_item(self, item_id: int | None = None) -> int | None:
        item_id = item_id if item_id is not None else (
            self.detail.record.id if self.detail.record else self.current_item_id())
        if item_id is None:
            return None
        try:
            with self.ctx.uow() as uow:
                record = evidence.get_evidence(uow, item_id)
        except GoldenRuleError as exc:
            show_error(self, self.tr("Could not open the evidence item"), exc)
            return None
        form = EvidenceForm(self.ctx, record, self)
        self.last_dialog = form
        if self.exec_dialog(form) != QDialog.DialogCode.Accepted:
            return None
        self._after_change(item_id)
        return item_id

    def _after_change(self, item_id: int) -> None:
        self.detail.record = None  # reload it: it has a new version
        self.search_now()
        self.show_item(item_id)

    # importing --------------------------------------------------------------------------
    def choose_import_paths(self, folder: bool = False) -> list[Path]:
        """Overridable in tests: the files (or the folder) the officer picks."""
        if folder:
            path = QFileDialog.getExistingDirectory(self, self.tr("Import a folder of evidence"),
                                                    str(Path.home()))
            return [Path(path)] if path else []
        paths, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("Import evidence"), str(Path.home()),
            self.tr("Evidence (*.json *.csv *.pdf *.html *.htm *.txt *.md);;All files (*)"))
        return [Path(p) for p in paths]

    def import_files(self, folder: bool = False) -> ImportDialog | None:
        paths = self.choose_import_paths(folder)
        return self.run_import(paths) if paths else None

    def run_import(self, paths: list[Path]) -> ImportDialog:
        """The import dialog for these paths: defaults, progress, Cancel and the report."""
        dialog = ImportDialog(self.ctx, self.runner, paths, self)
        dialog.sig_imported.connect(self._on_imported)
        self.last_dialog = dialog
        self.exec_dialog(dialog)
        return dialog

    def _on_imported(self, report: Any) -> None:
        added, duplicates = len(report.added), len(report.duplicates)
        self.show_message(self.tr("Imported: %1 added, %2 already in the evidence base.")
                          .replace("%1", f"{added:,}").replace("%2", f"{duplicates:,}"))
        self.search_now()

    def _local_paths(self, event: QDragEnterEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_paths(event):
            event.acceptProposedAction()
            self.setProperty("dropping", True)
            self._repolish()
            self.show_message(self.tr("Drop to import these files and folders."), sticky=True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._end_drag()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._local_paths(event)
        self._end_drag()
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        # a modal dialog must not open inside the drop handler (the drag source waits)
        QTimer.singleShot(0, lambda: self.run_import(paths))

    def _end_drag(self) -> None:
        self.setProperty("dropping", False)
        self._repolish()
        self.message.hide()

    def _repolish(self) -> None:
        self.style().unpolish(self)
        self.style().polish(self)

    # pattern ------------------------------------------------------------------------------
    def open_pattern(self, country: str = "", actor: str = "") -> PatternDialog:
        if self.pattern_dialog is None:
            self.pattern_dialog = PatternDialog(self.ctx, self.runner, self)
            self.pattern_dialog.sig_open_item.connect(self.show_item)
        dialog = self.pattern_dialog
        code = country or self.country.code()
        if code in self.ctx.ref.countries or actor:
            dialog.show_for(code if code in self.ctx.ref.countries else "", actor)
        dialog.show()
        dialog.raise_()
        return dialog

    # messages -----------------------------------------------------------------------------
    def show_message(self, text: str, sticky: bool = False) -> None:
        self.message.show_message(text, sticky)
