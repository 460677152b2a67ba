"""The "Check a name" tab: one name, with what is known of it, against the lists in use,
before it is on any application (a caller on the phone, a new broker). Nothing is stored.

A view only: the page runs the check on the database worker and hands back the screening.
A name judged before for the same country shows that judgement, since dispositions are
remembered per party and entry.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.screening.service import HitView, Screening
from ui.context import UiContext
from ui.screening.case_tab import set_widths, table_view
from ui.screening.explanation import HitExplanation
from ui.screening.models import HitsModel
from ui.widgets.country_picker import CountryPicker


class NameCheckPanel(QWidget):
    sig_check_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nameCheck")
        self.ctx = ctx
        self.screening: Screening | None = None
        self._build()

    def _build(self) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("checkName")
        self.name_edit.setPlaceholderText(self.tr("A person's or an organisation's name, in "
                                                  "any script"))
        self.name_edit.returnPressed.connect(self.sig_check_requested)
        self.country = CountryPicker(self.ctx.ref)
        self.country.setObjectName("checkCountry")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("checkKind")
        for text, value in ((self.tr("Any kind"), ""), (self.tr("Individual"), "individual"),
                            (self.tr("Entity"), "entity")):
            self.kind_combo.addItem(text, value)
        self.birth_edit = QLineEdit()
        self.birth_edit.setObjectName("checkBirthDate")
        self.birth_edit.setPlaceholderText(self.tr("YYYY, YYYY-MM or YYYY-MM-DD"))
        self.birth_edit.setMaximumWidth(200)
        self.threshold_spin = QSpinBox()
        self.threshold_spin.setObjectName("checkThreshold")
        self.threshold_spin.setRange(50, 100)
        self.threshold_spin.setToolTip(self.tr(
            "Lowest score shown; the authority's threshold to start with. A lower one finds "
            "more spelling variants (and more false positives)."))
        self.check_button = QPushButton(self.tr("Check"))
        self.check_button.setObjectName("primary")
        self.check_button.clicked.connect(self.sig_check_requested)

        def label(text: str, buddy: QWidget) -> QLabel:
            widget = QLabel(text)
            widget.setObjectName("formLabel")
            widget.setBuddy(buddy)
            return widget

        self.form = QFrame()
        self.form.setObjectName("screeningBox")
        grid = QGridLayout(self.form)
        grid.setContentsMargins(14, 10, 14, 10)
        grid.setHorizontalSpacing(10)
        grid.addWidget(label(self.tr("&Name"), self.name_edit), 0, 0)
        grid.addWidget(self.name_edit, 0, 1, 1, 3)
        grid.addWidget(label(self.tr("C&ountry"), self.country), 0, 4)
        grid.addWidget(self.country, 0, 5)
        grid.addWidget(label(self.tr("&Kind"), self.kind_combo), 1, 0)
        grid.addWidget(self.kind_combo, 1, 1)
        grid.addWidget(label(self.tr("&Date of birth"), self.birth_edit), 1, 2)
        grid.addWidget(self.birth_edit, 1, 3)
        grid.addWidget(label(self.tr("&Threshold"), self.threshold_spin), 1, 4)
        row = QHBoxLayout()
        row.addWidget(self.threshold_spin)
        row.addStretch(1)
        row.addWidget(self.check_button)
        grid.addLayout(row, 1, 5)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnStretch(5, 1)

        self.summary = QLabel(self.tr("Nothing is stored: an application's parties are "
                                      "screened on the case's Screening tab."))
        self.summary.setObjectName("muted")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.hits_model = HitsModel(self, ad_hoc=True)
        self.hits_table = table_view(self.hits_model, "nameHits")
        self.hits_table.setColumnHidden(HitsModel.PARTY, True)
        set_widths(self.hits_table, (0, 280, 190, 52, 120), stretch=HitsModel.ENTRY)
        self.hits_table.selectionModel().selectionChanged.connect(self._on_selected)
        self.explanation = HitExplanation(self.ctx.ref.country_name)
        self.explanation.set_empty(self.tr("Check a name to see the entries it resembles, "
                                           "and why."))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.hits_table)
        split.addWidget(self.explanation)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 480])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.form)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

    def values(self) -> tuple[str, str, str, str, int]:
        """Name, country code, kind, date of birth and threshold as typed."""
        return (self.name_edit.text().strip(), self.country.code(),
                str(self.kind_combo.currentData() or ""), self.birth_edit.text().strip(),
                self.threshold_spin.value())

    def set_threshold(self, value: int) -> None:
        self.threshold_spin.setValue(value)

    def show_screening(self, screening: Screening) -> None:
        self.screening = screening
        self.hits_model.set_rows(list(screening.hits))
        name = screening.parties[0].name if screening.parties else ""
        if not screening.available:
            text = self.tr("No sanctions list is imported or in use.")
        elif screening.hits:
            text = self.tr("Entries resembling “%1” at threshold %2 against %3: %4.").replace(
                "%4", str(len(screening.hits)))
        else:
            text = self.tr("“%1” resembles no listed entry at threshold %2 against %3.")
        self.summary.setText(text.replace("%1", name).replace("%2", str(screening.threshold))
                             .replace("%3", screening.versions_text()))
        if screening.hits:
            self.hits_table.selectRow(0)
        else:
            self.explanation.set_empty(self.tr("No hit."))

    def selected_hit(self) -> HitView | None:
        rows = self.hits_table.selectionModel().selectedRows()
        return self.hits_model.row(rows[0].row()) if rows else None

    def _on_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        self.explanation.show_hit(self.selected_hit(),
                                  self.screening.threshold if self.screening else None)

    def set_enabled_form(self, enabled: bool) -> None:
        self.form.setEnabled(enabled)
