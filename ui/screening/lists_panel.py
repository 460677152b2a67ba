"""The Lists tab of the Screening window: the lists, the versions of the selected one, what
the selected version changed, and what the last re-screening found.

A view only: the page reads and stores (on the database worker) and hands it records. A
version's changes are the three tables the officer checks after an update: entries added,
removed, and amended (with the fields that changed); re-issued references say which
removed/added pairs are the same party under a new id.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.screening.lists import ListDiff, ListInfo, VersionInfo
from app.screening.service import RescreenReport
from ui.screening.case_tab import fit_columns, set_widths, table_view
from ui.screening.models import DiffModel, ListsModel, NewHitsModel, VersionsModel


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


class ListsPanel(QWidget):
    sig_list_selected = Signal(object)      # list id or None
    sig_version_selected = Signal(object)   # version id or None
    sig_new_hit_activated = Signal(str)     # the case reference of a new hit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screeningLists")
        self.diff: ListDiff | None = None
        self.report: RescreenReport | None = None
        self._build()

    def _build(self) -> None:
        self.lists_model = ListsModel(self)
        self.lists_table = table_view(self.lists_model, "listsTable")
        fit_columns(self.lists_table, stretch=0)
        self.lists_table.selectionModel().selectionChanged.connect(self._on_list_selected)
        self.lists_empty = QLabel(self.tr(
            "No sanctions list is imported yet. Import the UN Security Council consolidated "
            "list (XML), an OFAC list, or a list in the generic CSV format: every party of "
            "every application is then screened against it."))
        self.lists_empty.setObjectName("banner")
        self.lists_empty.setWordWrap(True)
        lists_box = QWidget()
        lists_layout = QVBoxLayout(lists_box)
        lists_layout.setContentsMargins(0, 0, 0, 0)
        lists_layout.addWidget(self.lists_empty)
        lists_layout.addWidget(self.lists_table, 1)

        self.versions_model = VersionsModel(self)
        self.versions_table = table_view(self.versions_model, "versionsTable")
        fit_columns(self.versions_table, stretch=2)
        self.versions_table.selectionModel().selectionChanged.connect(
            self._on_version_selected)
        self.versions_title = section_title(self.tr("Versions"))
        versions_box = QWidget()
        versions_layout = QVBoxLayout(versions_box)
        versions_layout.setContentsMargins(0, 0, 0, 0)
        versions_layout.addWidget(self.versions_title)
        versions_layout.addWidget(self.versions_table, 1)

        self.diff_title = section_title(self.tr("Changes"))
        self.diff_title.setWordWrap(True)
        self.diff_summary = QLabel()
        self.diff_summary.setObjectName("muted")
        self.diff_summary.setWordWrap(True)
        self.diff_summary.setTextFormat(Qt.TextFormat.PlainText)
        self.added_model = DiffModel(parent=self)
        self.removed_model = DiffModel(parent=self)
        self.amended_model = DiffModel(amended=True, parent=self)
        self.diff_tabs = QTabWidget()
        self.diff_tabs.setObjectName("diffTabs")
        self.diff_tabs.setDocumentMode(True)
        self.diff_tables: dict[str, QTableView] = {}
        for key, model in (("added", self.added_model), ("removed", self.removed_model),
                           ("amended", self.amended_model)):
            table = table_view(model, f"{key}Table")
            set_widths(table, (72, 260, 64, 84, 100, 160), stretch=1)
            self.diff_tables[key] = table
            self.diff_tabs.addTab(table, "")
        diff_box = QWidget()
        diff_layout = QVBoxLayout(diff_box)
        diff_layout.setContentsMargins(0, 0, 0, 0)
        diff_layout.addWidget(self.diff_title)
        diff_layout.addWidget(self.diff_summary)
        diff_layout.addWidget(self.diff_tabs, 1)

        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(versions_box)
        middle.addWidget(diff_box)
        middle.setStretchFactor(0, 1)
        middle.setStretchFactor(1, 1)
        middle.setSizes([600, 560])

        self.rescreen_box = QFrame()
        self.rescreen_box.setObjectName("screeningBox")
        self.rescreen_title = section_title(self.tr("Re-screening"))
        self.rescreen_summary = QLabel()
        self.rescreen_summary.setObjectName("screeningSummary")
        self.rescreen_summary.setWordWrap(True)
        self.rescreen_summary.setTextFormat(Qt.TextFormat.PlainText)
        self.new_hits_model = NewHitsModel(self)
        self.new_hits_table = table_view(self.new_hits_model, "newHitsTable")
        set_widths(self.new_hits_table, (130, 340, 300, 300, 60), stretch=2)
        self.new_hits_table.doubleClicked.connect(self._on_new_hit_activated)
        self.new_hits_table.activated.connect(self._on_new_hit_activated)
        rescreen_layout = QVBoxLayout(self.rescreen_box)
        rescreen_layout.setContentsMargins(10, 8, 10, 8)
        head = QHBoxLayout()
        head.addWidget(self.rescreen_title)
        head.addStretch(1)
        rescreen_layout.addLayout(head)
        rescreen_layout.addWidget(self.rescreen_summary)
        rescreen_layout.addWidget(self.new_hits_table, 1)
        self.rescreen_box.hide()

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(lists_box)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.rescreen_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([120, 300, 220])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.splitter, 1)
        self.show_diff(None)

    # lists and versions ---------------------------------------------------------------------
    def set_lists(self, infos: list[ListInfo], select: int | None = None) -> None:
        """Show the lists, keeping (or moving to) the one with id ``select``."""
        keep = select if select is not None else self.selected_list_id()
        self.lists_model.set_rows(infos)
        self.lists_empty.setVisible(not infos)
        self.lists_table.setVisible(bool(infos))
        row = self.lists_model.find_row(lambda i: i.id == keep) if keep is not None else -1
        if row < 0 and infos:
            row = 0
        if row >= 0:
            self.lists_table.selectRow(row)
        else:
            self.sig_list_selected.emit(None)

    def selected_list_id(self) -> int | None:
        rows = self.lists_table.selectionModel().selectedRows()
        return self.lists_model.row(rows[0].row()).id if rows else None

    def selected_list(self) -> ListInfo | None:
        rows = self.lists_table.selectionModel().selectedRows()
        return self.lists_model.row(rows[0].row()) if rows else None

    def set_versions(self, versions: list[VersionInfo], select: int | None = None) -> None:
        info = self.selected_list()
        self.versions_title.setText(self.tr("Versions of %1").replace("%1", info.name)
                                    if info else self.tr("Versions"))
        self.versions_model.set_rows(versions)
        row = self.versions_model.find_row(lambda v: v.id == select) if select else -1
        if row < 0 and versions:
            row = 0
        if row >= 0:
            self.versions_table.selectRow(row)
        else:
            self.show_diff(None)
            self.sig_version_selected.emit(None)

    def selected_version(self) -> VersionInfo | None:
        rows = self.versions_table.selectionModel().selectedRows()
        return self.versions_model.row(rows[0].row()) if rows else None

    def _on_list_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        self.sig_list_selected.emit(self.selected_list_id())

    def _on_version_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        v = self.selected_version()
        self.sig_version_selected.emit(v.id if v else None)

    # the changes ------------------------------------------------------------------------------
    def show_loading_diff(self, version: VersionInfo) -> None:
        self.diff_title.setText(self.tr("Changes in %1").replace("%1", version.label))
        self.diff_summary.setText(self.tr("Comparing with the previous version…"))

    def show_diff(self, diff: ListDiff | None) -> None:
        self.diff = diff
        self.added_model.set_rows(diff.added if diff else [])
        self.removed_model.set_rows(diff.removed if diff else [])
        self.amended_model.set_rows(diff.amended if diff else [])
        for n, (text, count) in enumerate((
                (self.tr("Added (%1)"), len(diff.added) if diff else 0),
                (self.tr("Removed (%1)"), len(diff.removed) if diff else 0),
                (self.tr("Amended (%1)"), len(diff.amended) if diff else 0))):
            self.diff_tabs.setTabText(n, text.replace("%1", f"{count:,}"))
        if diff is None:
            self.diff_title.setText(self.tr("Changes"))
            self.diff_summary.setText(self.tr("Select a version to see what it changed."))
            return
        self.diff_title.setText(self.tr("Changes in %1").replace("%1", diff.new.label))
        self.diff_summary.setText(self.diff_text(diff))
        if diff.old is not None:
            first = next((n for n, items in enumerate((diff.added, diff.removed,
                                                         diff.amended)) if items), 0)
            self.diff_tabs.setCurrentIndex(first)
        else:
            self.diff_tabs.setCurrentIndex(0)

    def diff_text(self, diff: ListDiff) -> str:
        if diff.old is None:
            return self.tr("The first version of the list: all %1 entries are new.").replace(
                "%1", f"{diff.new.entry_count:,}")
        if not (diff.added or diff.removed or diff.amended):
            return self.tr("Since %1: no entry was added, removed or amended.").replace(
                "%1", diff.old.label)
        text = self.tr("Since %1: %2 added, %3 removed, %4 amended.").replace(
            "%1", diff.old.label).replace("%2", f"{len(diff.added):,}").replace(
            "%3", f"{len(diff.removed):,}").replace("%4", f"{len(diff.amended):,}")
        if diff.reissued:
            text += " " + self.tr("Re-issued under a new id (removed and added with the same "
                                  "reference): %1.").replace("%1", ", ".join(diff.reissued))
        return text

    # re-screening -----------------------------------------------------------------------------
    def show_rescreen(self, report: RescreenReport, after: str = "") -> None:
        self.report = report
        self.rescreen_title.setText(self.tr("Re-screening after %1").replace("%1", after)
                                    if after else self.tr("Re-screening"))
        seconds = f"{report.seconds:.1f}" if report.seconds >= 0.1 else "< 0.1"
        text = self.tr("Screened again in %1 s: %2 open cases and licences in force, %3 "
                       "parties. Hits: %4, new to review: %5.").replace("%1", seconds).replace(
            "%2", f"{report.cases:,}").replace("%3", f"{report.parties:,}").replace(
            "%4", f"{report.hits:,}").replace("%5", f"{len(report.new_hits):,}")
        if report.new_hits:
            text += " " + self.tr("Double-click a hit to open the case's screening tab and "
                                  "judge it.")
        self.rescreen_summary.setText(text)
        self.rescreen_summary.setObjectName("screeningAlert" if report.new_hits
                                            else "screeningDone")
        self.rescreen_summary.style().unpolish(self.rescreen_summary)
        self.rescreen_summary.style().polish(self.rescreen_summary)
        self.new_hits_model.set_rows(report.new_hits)
        self.new_hits_table.setVisible(bool(report.new_hits))
        self.rescreen_box.show()

    def _on_new_hit_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.sig_new_hit_activated.emit(self.new_hits_model.row(index.row())[0])
