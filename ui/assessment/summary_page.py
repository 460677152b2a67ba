"""The summary: the outcome the rules allow and why, then the officer's decision.

The page shows what ``app.assessment`` computed; it never decides. A forbidden choice is
not hidden: the officer may pick it and is told, by the application layer, which rule
forbids it.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.assessment import DecisionInput, Evaluation, Outcome, decision_problems
from app.decisions import DecisionRecord
from app.frameworks import Framework


class SummaryPage(QScrollArea):
    sig_record_requested = Signal()

    def __init__(self, framework: Framework, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.framework = framework
        self.evaluation: Evaluation | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 18, 24, 24)
        layout.setSpacing(10)
        title = QLabel(self.tr("Summary and decision"))
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        self.headline = QLabel()
        self.headline.setObjectName("outcomeHeadline")
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        self.explanation = QLabel()
        self.explanation.setObjectName("explanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.explanation)

        self.decision_box = QGroupBox(self.tr("Record the decision"))
        box = QVBoxLayout(self.decision_box)
        self.outcome_group = QButtonGroup(self)
        self.outcome_buttons: dict[Outcome, QRadioButton] = {}
        for outcome in Outcome:
            button = QRadioButton(outcome.label)
            button.setObjectName(f"outcome_{outcome.value}")
            self.outcome_group.addButton(button)
            self.outcome_buttons[outcome] = button
            box.addWidget(button)
        self.outcome_group.buttonToggled.connect(lambda *_a: self._refresh_form())
        self.conditions_label = QLabel(self.tr("&Conditions (one per line):"))
        self.conditions = QPlainTextEdit()
        self.conditions.setObjectName("conditions")
        self.conditions.setTabChangesFocus(True)
        self.conditions.setMaximumHeight(90)
        self.conditions_label.setBuddy(self.conditions)
        self.criteria_label = QLabel(self.tr("Criteria the refusal rests on:"))
        self.criteria = QListWidget()
        self.criteria.setObjectName("criteriaCited")
        self.criteria.setMaximumHeight(120)
        self.criteria.itemChanged.connect(lambda _i: self._refresh_problems())
        rationale_label = QLabel(self.tr("&Reasons for the decision:"))
        self.rationale = QPlainTextEdit()
        self.rationale.setObjectName("decisionRationale")
        self.rationale.setTabChangesFocus(True)
        self.rationale.setMinimumHeight(110)
        self.rationale.setPlaceholderText(self.tr(
            "Why this outcome: weigh the criteria left to judgement, and explain any departure "
            "from what the evidence indicators suggest."))
        rationale_label.setBuddy(self.rationale)
        self.rationale.textChanged.connect(self._refresh_problems)
        self.conditions.textChanged.connect(self._refresh_problems)
        self.problems = QLabel()
        self.problems.setObjectName("problems")
        self.problems.setWordWrap(True)
        self.record_button = QPushButton(self.tr("Record &decision…"))
        self.record_button.setObjectName("primary")
        self.record_button.clicked.connect(self.sig_record_requested)
        for widget in (self.conditions_label, self.conditions, self.criteria_label,
                       self.criteria, rationale_label, self.rationale, self.problems):
            box.addWidget(widget)
        box.addWidget(self.record_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.decision_box)

        self.decided = QLabel()
        self.decided.setObjectName("banner")
        self.decided.setWordWrap(True)
        self.decided.hide()
        layout.addWidget(self.decided)
        layout.addStretch(1)
        self.setWidget(body)
        self._refresh_form()

    # showing the evaluation ----------------------------------------------------------------
    def show_evaluation(self, ev: Evaluation) -> None:
        self.evaluation = ev
        state = ("historical" if ev.historical else "refuse" if ev.mandatory_refusal
                 else "incomplete" if ev.gaps else "judgement")
        self.headline.setProperty("state", state)
        self.headline.setText(ev.headline)
        self.headline.style().unpolish(self.headline)
        self.headline.style().polish(self.headline)
        parts: list[str] = []

        def section(title: str, lines: list[str]) -> None:
            if lines:
                items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
                parts.append(f"<p><b>{html.escape(title)}</b></p><ul>{items}</ul>")

        section(self.tr("Why refusal is mandatory"), [g.text for g in ev.grounds])
        section(self.tr("For your judgement"), [j.text for j in ev.judgements])
        section(self.tr("Still incomplete"), [g.text for g in ev.gaps])
        section(self.tr("Notes"), list(ev.notes))
        allowed = [o.label for o in Outcome if o in ev.allowed]
        parts.append("<p><b>{}</b> {}</p>".format(
            html.escape(self.tr("Outcomes the rules allow:")),
            html.escape(", ".join(allowed) if allowed else self.tr("none"))))
        self.explanation.setText("".join(parts))
        why_not = (self.tr("not allowed: refusal is mandatory") if ev.mandatory_refusal
                   else self.tr("not allowed: the assessment is incomplete") if ev.gaps
                   else self.tr("not allowed: no criterion is rated above the lowest level"))
        for outcome, button in self.outcome_buttons.items():
            allowed = outcome in ev.allowed
            button.setText(outcome.label if allowed or ev.historical
                           else f"{outcome.label}  ({why_not})")
            button.setProperty("forbidden", not allowed)
            button.style().unpolish(button)
            button.style().polish(button)
        self._fill_criteria(ev)
        self._refresh_problems()

    def _fill_criteria(self, ev: Evaluation) -> None:
        checked = {self.criteria.item(i).data(Qt.ItemDataRole.UserRole)
                   for i in range(self.criteria.count())
                   if self.criteria.item(i).checkState() == Qt.CheckState.Checked}
        self.criteria.blockSignals(True)
        self.criteria.clear()
        titles = {c.id: c.title for c in self.framework.criteria}
        for cid in ev.refusable:
            label = (self.tr("Criterion %1 · %2").replace("%1", cid).replace("%2", titles[cid])
                     if cid in titles else cid)
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, cid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            required = cid in ev.required_citations
            item.setCheckState(Qt.CheckState.Checked if required or cid in checked
                               else Qt.CheckState.Unchecked)
            if required:
                item.setToolTip(self.tr("A ground of mandatory refusal: a refusal must cite it."))
            self.criteria.addItem(item)
        self.criteria.blockSignals(False)

    # the decision form ---------------------------------------------------------------------
    def outcome(self) -> Outcome | None:
        return next((o for o, b in self.outcome_buttons.items() if b.isChecked()), None)

    def decision(self) -> DecisionInput | None:
        outcome = self.outcome()
        if outcome is None:
            return None
        cited = [self.criteria.item(i).data(Qt.ItemDataRole.UserRole)
                 for i in range(self.criteria.count())
                 if self.criteria.item(i).checkState() == Qt.CheckState.Checked]
        conditions = [line.strip() for line in self.conditions.toPlainText().splitlines()
                      if line.strip()]
        return DecisionInput(
            outcome, self.rationale.toPlainText(),
            conditions if outcome is Outcome.APPROVE_WITH_CONDITIONS else [],
            cited if outcome is Outcome.REFUSE else [])

    def _refresh_form(self) -> None:
        outcome = self.outcome()
        with_conditions = outcome is Outcome.APPROVE_WITH_CONDITIONS
        self.conditions_label.setVisible(with_conditions)
        self.conditions.setVisible(with_conditions)
        refuse = outcome is Outcome.REFUSE
        self.criteria_label.setVisible(refuse)
        self.criteria.setVisible(refuse)
        self._refresh_problems()

    def _refresh_problems(self) -> None:
        decision = self.decision()
        if decision is None or self.evaluation is None:
            self.problems.setText(self.tr("Choose an outcome."))
            self.problems.setVisible(self.evaluation is not None)
            return
        problems = decision_problems(self.evaluation, decision)
        self.problems.setVisible(bool(problems))
        self.problems.setText("\n".join(f"• {p.strip()}" for p in problems))

    def show_decision(self, record: DecisionRecord | None) -> None:
        if record is None:
            self.decided.hide()
            return
        lines = [self.tr("Decision recorded: %1, by %2 on %3 (as of %4).")
                 .replace("%1", record.outcome.label).replace("%2", record.decided_by)
                 .replace("%3", record.decided_at.strftime("%Y-%m-%d %H:%M UTC"))
                 .replace("%4", record.as_of.isoformat())]
        if record.criteria_cited:
            lines.append(self.tr("Criteria cited: %1").replace(
                "%1", ", ".join(record.criteria_cited)))
        if record.conditions:
            lines.append(self.tr("Conditions: %1").replace("%1", "; ".join(record.conditions)))
        lines.append(self.tr("Reasons: %1").replace("%1", record.rationale))
        self.decided.setText("\n".join(lines))
        self.decided.show()

    def set_read_only(self, read_only: bool) -> None:
        self.decision_box.setVisible(not read_only)
