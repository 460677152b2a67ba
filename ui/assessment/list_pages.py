"""The mitigation measures and the past-incidents log: two small editable lists."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.assessment import Gap, Mitigation
from app.assessments import IncidentData
from app.frameworks import Framework
from ui.assessment.criterion_page import wrap_label
from ui.assessment.rows_table import RowsTable


class MitigationPage(QWidget):
    sig_changed = Signal()

    def __init__(self, framework: Framework, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 24)
        title = QLabel(self.tr("Mitigation"))
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        allowed = [c.id for c in framework.criteria if c.mitigation]
        if allowed:
            text = self.tr(
                "Measures that lower a risk (end-use monitoring, re-export clauses, training "
                "and confidence-building programmes), each with who will verify it. Under "
                "this framework they may be weighed for criteria %1 only; a hard stop or a "
                "criterion without mitigation cannot be lifted by them.").replace(
                    "%1", ", ".join(allowed))
        else:
            text = self.tr(
                "This framework does not allow mitigation to be weighed: a risk that meets a "
                "criterion stays met whatever measures are offered. Measures can still be "
                "recorded as licence conditions.")
        layout.addWidget(wrap_label(text, "muted"))
        self.table = RowsTable(
            [self.tr("Id"), self.tr("Measure"), self.tr("Who verifies it"),
             self.tr("Criteria (ids, comma-separated)")],
            add_text=self.tr("Add measure"), remove_text=self.tr("Remove measure"), stretch=1)
        self.table.setObjectName("mitigationTable")
        self.table.sig_changed.connect(self.sig_changed)
        layout.addWidget(self.table, 1)
        self.gaps_label = QLabel()
        self.gaps_label.setObjectName("problems")
        self.gaps_label.setWordWrap(True)
        layout.addWidget(self.gaps_label)

    def show_mitigations(self, mitigations: list[Mitigation]) -> None:
        self.table.set_rows([[m.id, m.measure, m.verifier, ", ".join(m.criteria)]
                             for m in mitigations])

    def mitigations(self) -> list[Mitigation]:
        out: list[Mitigation] = []
        used = set()
        for index, (mid, measure, verifier, criteria) in enumerate(self.table.rows(), start=1):
            if not (mid or measure or verifier or criteria):
                continue
            key = mid or f"M{index}"
            while key in used:
                key += "'"
            used.add(key)
            out.append(Mitigation(key, measure, verifier,
                                  [c.strip() for c in criteria.split(",") if c.strip()]))
        return out

    def show_gaps(self, gaps: list[Gap]) -> None:
        self.gaps_label.setVisible(bool(gaps))
        self.gaps_label.setText("\n".join(f"• {g.text}" for g in gaps))

    def set_read_only(self, read_only: bool) -> None:
        self.table.set_read_only(read_only)


class IncidentsPage(QWidget):
    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 24)
        title = QLabel(self.tr("Past incidents"))
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        layout.addWidget(wrap_label(self.tr(
            "Look systematically at past possible violations by the end user and the forces "
            "that would use the items before judging future risk: when, who, what happened, "
            "which items were involved, the source, and whether the state investigated. The "
            "log feeds the pattern questions of every criterion."), "muted"))
        self.table = RowsTable(
            [self.tr("Date (YYYY[-MM[-DD]])"), self.tr("Actor or unit"),
             self.tr("What happened"), self.tr("Items involved"), self.tr("Source"),
             self.tr("Investigated")],
            add_text=self.tr("Add incident"), remove_text=self.tr("Remove incident"),
            choices={5: [("unknown", self.tr("Unknown")), ("yes", self.tr("Yes")),
                         ("ongoing", self.tr("Ongoing")), ("no", self.tr("No"))]},
            stretch=2)
        self.table.setObjectName("incidentsTable")
        self.table.sig_changed.connect(self.sig_changed)
        self.from_evidence_button = QPushButton(self.tr("Add from &cited evidence"))
        self.from_evidence_button.setObjectName("incidentsFromEvidence")
        self.from_evidence_button.setToolTip(self.tr(
            "One entry per cited evidence item not yet in the log: its dates, actors, summary, "
            "item categories and reference. Check and complete each entry."))
        self.table.layout().itemAt(1).layout().insertWidget(2, self.from_evidence_button)
        layout.addWidget(self.table, 1)
        self.problems_label = QLabel()
        self.problems_label.setObjectName("problems")
        self.problems_label.setWordWrap(True)
        self.problems_label.hide()
        layout.addWidget(self.problems_label)

    def show_incidents(self, incidents: list[IncidentData]) -> None:
        self.table.set_rows([[i.occurred, i.actor, i.description, i.items, i.source,
                              i.investigated] for i in incidents])

    def incidents(self) -> list[IncidentData]:
        return [IncidentData(*values) for values in self.table.rows()
                if any(values[:5])]

    def show_problems(self, problems: list[str]) -> None:
        self.problems_label.setVisible(bool(problems))
        self.problems_label.setText("\n".join(f"• {p}" for p in problems))

    def set_read_only(self, read_only: bool) -> None:
        self.table.set_read_only(read_only)
        self.from_evidence_button.setVisible(not read_only)
