"""One criterion of the framework: its legal test, the guidance questions, the rating, the
rationale and the evidence cited. Edits go straight into the shared ``Finding``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.assessment import Citation, Finding, Gap, Mitigation
from app.assessments import IncidentData
from app.evidence_for_case import Suggestion
from app.frameworks import Criterion
from ui.assessment.evidence_panel import EvidencePanel
from ui.assessment.rows_table import RowsTable

_MET_KEYS: dict[bool | None, str] = {None: "", True: "met", False: "not_met"}
GRADES = [("", "—")] + [(f"{r}{c}", f"{r}{c}") for r in "ABCDEF" for c in "123456"]


def wrap_label(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


class CriterionPage(QScrollArea):
    sig_changed = Signal()
    sig_cite_requested = Signal(int)

    def __init__(self, criterion: Criterion,
                 search: Callable[[str], list[Suggestion]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.criterion = c = criterion
        self.finding = Finding(c.id)
        self._loading = False
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("stepBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 18, 24, 24)
        layout.setSpacing(10)

        title = QLabel(self.tr("Criterion %1 · %2").replace("%1", c.id).replace("%2", c.title))
        title.setObjectName("pageTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        chips = QHBoxLayout()
        effect = QLabel(self._effect_text())
        effect.setObjectName("effectChip")
        effect.setProperty("effect", c.effect)
        chips.addWidget(effect)
        chips.addWidget(wrap_label(c.citation, "muted"), 1)
        layout.addLayout(chips)

        test_box = QGroupBox(self.tr("Legal test"))
        test_layout = QVBoxLayout(test_box)
        test_layout.addWidget(wrap_label(c.legal_test, "legalTest"))
        if c.note:
            test_layout.addWidget(wrap_label(c.note, "muted"))
        layout.addWidget(test_box)

        q_box = QGroupBox(self.tr("Guidance questions"))
        q_layout = QVBoxLayout(q_box)
        self.incidents_note = wrap_label("", "incidentsNote")
        q_layout.addWidget(self.incidents_note)
        grid = QGridLayout()
        q_layout.addLayout(grid)
        grid.setColumnStretch(0, 1)
        self.answer_boxes: dict[str, QComboBox] = {}
        for row, q in enumerate(c.questions):
            text = wrap_label(f"{row + 1}. {q.text}")
            tip = "\n\n".join(x for x in (q.help, q.source and self.tr("Source: %1")
                                          .replace("%1", q.source)) if x)
            text.setToolTip(tip)
            combo = QComboBox()
            combo.setObjectName(f"answer_{q.id}")
            combo.setAccessibleName(q.text)
            combo.setToolTip(tip)
            for key, label in (("", self.tr("Not answered")), ("yes", self.tr("Yes")),
                               ("no", self.tr("No")), ("unknown", self.tr("Unknown"))):
                combo.addItem(label, key)
            combo.currentIndexChanged.connect(lambda _i, qid=q.id: self._on_answer(qid))
            text.setBuddy(combo)
            grid.addWidget(text, row, 0)
            grid.addWidget(combo, row, 1, Qt.AlignmentFlag.AlignTop)
            self.answer_boxes[q.id] = combo
        layout.addWidget(q_box)

        rating_box = QGroupBox(self.tr("Risk rating"))
        rating_layout = QVBoxLayout(rating_box)
        levels_grid = QGridLayout()
        levels_grid.setColumnStretch(1, 1)
        self.level_group = QButtonGroup(self)
        self.level_buttons: dict[str, QRadioButton] = {}
        for row, lv in enumerate(c.levels):
            marker = (" " + self.tr("(threshold)") if lv.id == c.threshold else "")
            button = QRadioButton(f"{lv.label}{marker}")
            button.setObjectName(f"level_{lv.id}")
            button.setToolTip(lv.description)
            button.setAccessibleDescription(lv.description)
            self.level_group.addButton(button)
            self.level_buttons[lv.id] = button
            levels_grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            levels_grid.addWidget(wrap_label(lv.description, "levelDescription"), row, 1)
        rating_layout.addLayout(levels_grid)
        self.level_group.buttonToggled.connect(self._on_level)

        form = QFormLayout()
        self.residual = QComboBox()
        self.residual.setObjectName("residualLevel")
        self.residual.addItem(self.tr("No mitigation weighed"), "")
        for lv in c.levels:
            self.residual.addItem(lv.label, lv.id)
        self.residual.currentIndexChanged.connect(self._on_residual)
        self.measures = QListWidget()
        self.measures.setObjectName("mitigationMeasures")
        self.measures.setMaximumHeight(90)
        self.measures.itemChanged.connect(self._on_measures)
        if c.mitigation:
            form.addRow(self.tr("Rating after &mitigation:"), self.residual)
            form.addRow(self.tr("Measures relied on:"), self.measures)
        self.legal_test = QComboBox()
        self.legal_test.setObjectName("legalTestMet")
        for key, label in (("", self.tr("Not yet stated")), ("met", self.tr("Met")),
                           ("not_met", self.tr("Not met"))):
            self.legal_test.addItem(label, key)
        self.legal_test.currentIndexChanged.connect(self._on_legal_test)
        if c.is_binding:
            form.addRow(self.tr("&Legal test:"), self.legal_test)
        form_row = QHBoxLayout()
        form_row.addLayout(form)
        form_row.addStretch(1)
        rating_layout.addLayout(form_row)
        layout.addWidget(rating_box)

        rationale_box = QGroupBox(self.tr("Rationale"))
        rationale_layout = QVBoxLayout(rationale_box)
        self.rationale = QPlainTextEdit()
        self.rationale.setObjectName("rationale")
        self.rationale.setTabChangesFocus(True)
        self.rationale.setPlaceholderText(self.tr(
            "The finding in your own words: what the evidence shows, how reliable it is, and "
            "why it leads to this rating."))
        self.rationale.setMinimumHeight(120)
        self.rationale.textChanged.connect(self._on_rationale)
        rationale_layout.addWidget(self.rationale)
        layout.addWidget(rationale_box)

        cite_box = QGroupBox(self.tr("Cited evidence"))
        cite_layout = QVBoxLayout(cite_box)
        cite_layout.addWidget(wrap_label(self.tr(
            "Each rating above the lowest level needs at least one cited item: the document "
            "reference (body, title, date, paragraph) and its Admiralty grade."), "muted"))
        self.citations = RowsTable(
            [self.tr("Document reference"), self.tr("Grade"), self.tr("Note")],
            add_text=self.tr("Add citation"), remove_text=self.tr("Remove citation"),
            choices={1: GRADES}, stretch=0)
        self.citations.setObjectName("citations")
        self.citations.table.setMinimumHeight(110)
        self.citations.table.setColumnWidth(1, 90)
        self.citations.table.setColumnWidth(2, 280)
        self.citations.sig_changed.connect(self._on_citations)
        cite_layout.addWidget(self.citations)
        layout.addWidget(cite_box)

        evidence_box = QGroupBox(self.tr("Evidence base"))
        evidence_layout = QVBoxLayout(evidence_box)
        self.evidence = EvidencePanel(search or (lambda _text: []))
        self.evidence.sig_cite.connect(self.sig_cite_requested)
        evidence_layout.addWidget(self.evidence)
        layout.addWidget(evidence_box)

        self.gaps_label = QLabel()
        self.gaps_label.setObjectName("problems")
        self.gaps_label.setWordWrap(True)
        layout.addWidget(self.gaps_label)
        layout.addStretch(1)
        self.setWidget(body)

    def _effect_text(self) -> str:
        c = self.criterion
        if c.effect == "hard_stop":
            return self.tr("Hard stop: met means refusal")
        if c.effect == "mandatory":
            term = c.threshold_term or (c.level(c.threshold).label if c.threshold else "")
            extra = self.tr(" after mitigation") if c.mitigation else ""
            return self.tr("Refusal mandatory at %1%2").replace("%1", term).replace("%2", extra)
        return self.tr("Weighed by the officer")

    # loading -----------------------------------------------------------------------------
    def show_finding(self, finding: Finding, mitigations: list[Mitigation]) -> None:
        self.finding = finding
        self._loading = True
        try:
            for qid, combo in self.answer_boxes.items():
                combo.setCurrentIndex(max(combo.findData(finding.answers.get(qid, "")), 0))
            self.level_group.setExclusive(False)
            for lid, button in self.level_buttons.items():
                button.setChecked(lid == finding.level)
            self.level_group.setExclusive(True)
            index = self.residual.findData(finding.residual_level or "")
            self.residual.setCurrentIndex(max(index, 0))
            self.legal_test.setCurrentIndex(self.legal_test.findData(
                _MET_KEYS[finding.legal_test_met]))
            if self.rationale.toPlainText() != finding.rationale:
                self.rationale.setPlainText(finding.rationale)
            self.citations.set_rows([[x.reference, x.grade, x.note] for x in finding.citations],
                                    [(x.evidence_id, x.content_sha256)
                                     for x in finding.citations])
            for row, x in enumerate(finding.citations):
                item = self.citations.table.item(row, 0)
                if item is not None and x.content_sha256:
                    item.setToolTip(self.tr("Evidence item #%1, version %2").replace(
                        "%1", str(x.evidence_id)).replace("%2", x.content_sha256))
            self.set_mitigations(mitigations)
        finally:
            self._loading = False

    def set_mitigations(self, mitigations: list[Mitigation]) -> None:
        was = self._loading
        self._loading = True
        try:
            self.measures.clear()
            for m in mitigations:
                if m.criteria and self.criterion.id not in m.criteria:
                    continue
                item = QListWidgetItem(f"{m.id}: {m.measure or '…'}")
                item.setData(Qt.ItemDataRole.UserRole, m.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if m.id in self.finding.mitigation_ids
                                   else Qt.CheckState.Unchecked)
                self.measures.addItem(item)
        finally:
            self._loading = was

    def set_incidents(self, incidents: list[IncidentData]) -> None:
        """The past-incidents log, summed up where the pattern questions are answered."""
        if not incidents:
            self.incidents_note.setText(self.tr(
                "The past-incidents log is empty. Record past possible violations (step "
                "'Past incidents') before judging whether there is a pattern."))
            return
        dates = sorted(i.occurred for i in incidents if i.occurred)
        open_ = sum(1 for i in incidents if i.investigated in ("no", "unknown"))
        text = self.tr("Past-incidents log: %n incident(s)", "", len(incidents))
        if dates:
            text += self.tr(", %1 to %2").replace("%1", dates[0]).replace("%2", dates[-1])
        text += "; " + self.tr("%n not investigated or not known to be", "", open_) + "."
        self.incidents_note.setText(text)

    def show_gaps(self, gaps: list[Gap]) -> None:
        self.gaps_label.setVisible(bool(gaps))
        self.gaps_label.setText("\n".join(f"• {g.text}" for g in gaps))

    def set_read_only(self, read_only: bool) -> None:
        for widget in (*self.answer_boxes.values(), *self.level_buttons.values(), self.residual,
                       self.measures, self.legal_test):
            widget.setEnabled(not read_only)
        self.rationale.setReadOnly(read_only)
        self.citations.set_read_only(read_only)
        self.evidence.set_read_only(read_only)

    def flush(self) -> None:
        self.citations.commit_open_editor()

    # edits -------------------------------------------------------------------------------
    def _changed(self) -> None:
        if not self._loading:
            self.sig_changed.emit()

    def _on_answer(self, qid: str) -> None:
        if self._loading:
            return
        value = self.answer_boxes[qid].currentData()
        if value:
            self.finding.answers[qid] = value
        else:
            self.finding.answers.pop(qid, None)
        self._changed()

    def _on_level(self, button: QRadioButton, checked: bool) -> None:
        if self._loading or not checked:
            return
        level = next(lid for lid, b in self.level_buttons.items() if b is button)
        self.finding.level = level
        c = self.criterion
        # A first rating states the legal test the way the rating reads; the officer may
        # change it, and the engine flags any disagreement.
        if c.is_binding and self.finding.legal_test_met is None:
            self.finding.legal_test_met = c.reaches_threshold(level)
            self._loading = True
            self.legal_test.setCurrentIndex(self.legal_test.findData(
                _MET_KEYS[self.finding.legal_test_met]))
            self._loading = False
        self._changed()

    def _on_residual(self, _index: int) -> None:
        if not self._loading:
            self.finding.residual_level = self.residual.currentData() or None
            self._changed()

    def _on_measures(self, _item: QListWidgetItem) -> None:
        if self._loading:
            return
        self.finding.mitigation_ids = [
            self.measures.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.measures.count())
            if self.measures.item(i).checkState() == Qt.CheckState.Checked]
        self._changed()

    def _on_legal_test(self, _index: int) -> None:
        if not self._loading:
            self.finding.legal_test_met = {v: k for k, v in _MET_KEYS.items()}[
                self.legal_test.currentData()]
            self._changed()

    def _on_rationale(self) -> None:
        if not self._loading:
            self.finding.rationale = self.rationale.toPlainText()
            self._changed()

    def _on_citations(self) -> None:
        if self._loading:
            return
        citations = []
        for (ref, grade, note), payload in zip(self.citations.rows(), self.citations.payloads(),
                                               strict=True):
            if not (ref or note):
                continue
            evidence_id, sha = payload if isinstance(payload, tuple) else (None, "")
            citations.append(Citation(ref, evidence_id, sha, grade, note))
        self.finding.citations = citations
        self._changed()

    def cite(self, citation: Citation) -> bool:
        """Cite an evidence item (once); the version cited is kept by its content hash."""
        if any(c.content_sha256 and c.content_sha256 == citation.content_sha256
               for c in self.finding.citations):
            return False
        self.citations.append_row(
            [citation.reference, citation.grade, citation.note],
            (citation.evidence_id, citation.content_sha256),
            self.tr("Evidence item #%1, version %2").replace(
                "%1", str(citation.evidence_id)).replace("%2", citation.content_sha256))
        return True
