"""The hard-stop step: what the automatic checks found at the decision date, and the
officer's answer where a result needs review (a regional embargo, an end-user kind)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.assessment import CheckReview, Gap
from app.hardstops import CheckResult, CheckStatus
from ui.assessment.criterion_page import wrap_label
from ui.denials import denial_key_of

#: The check whose unresolved hits are judged on the case's screening tab.
SANCTIONS_CHECK = "sanctions"


class CheckCard(QFrame):
    sig_changed = Signal()
    sig_open_screening = Signal()
    sig_consult = Signal(str)  # the denial's register key

    def __init__(self, result: CheckResult, review: CheckReview | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result = result
        self.setObjectName("checkCard")
        self.setProperty("status", result.status.value)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        chip = QLabel(result.status.label)
        chip.setObjectName("checkChip")
        chip.setProperty("status", result.status.value)
        top.addWidget(chip)
        title = QLabel(result.title)
        title.setObjectName("checkTitle")
        title.setWordWrap(True)
        top.addWidget(title, 1)
        layout.addLayout(top)
        if result.basis:
            layout.addWidget(wrap_label(self.tr("Legal basis: %1").replace("%1", result.basis),
                                        "muted"))
        if result.detail:
            layout.addWidget(wrap_label(result.detail))
        self.screening_button: QPushButton | None = None
        if result.check == SANCTIONS_CHECK and result.status in (CheckStatus.UNRESOLVED,
                                                                 CheckStatus.APPLIES):
            self.screening_button = QPushButton(self.tr("Open screening…"))
            self.screening_button.setObjectName("openScreening")
            self.screening_button.setToolTip(self.tr(
                "The case's Screening tab: why the party matched, and your judgement"))
            self.screening_button.clicked.connect(self.sig_open_screening)
            row = QHBoxLayout()
            row.addWidget(self.screening_button)
            row.addStretch(1)
            layout.addLayout(row)
        self.consult_button: QPushButton | None = None
        denial_key = denial_key_of(result)
        if denial_key is not None and result.status is CheckStatus.CONSULT:
            self.consult_button = QPushButton(self.tr("Record consultation…"))
            self.consult_button.setObjectName("recordConsultation")
            self.consult_button.setToolTip(self.tr(
                "Why the transaction is essentially identical, and the consultation that "
                "approval waits for"))
            self.consult_button.clicked.connect(
                lambda _checked=False, key=denial_key: self.sig_consult.emit(key))
            row = QHBoxLayout()
            row.addWidget(self.consult_button)
            row.addStretch(1)
            layout.addLayout(row)
        self.answer = QComboBox()
        self.reason = QLineEdit()
        if result.status is CheckStatus.REVIEW:
            self.answer.setObjectName(f"review_{result.key}")
            self.answer.setAccessibleName(self.tr("Does %1 apply?").replace("%1", result.title))
            for key, label in (("", self.tr("Not yet reviewed")),
                               ("no", self.tr("Does not apply to this application")),
                               ("yes", self.tr("Applies: refusal is mandatory"))):
                self.answer.addItem(label, key)
            if review is not None:
                self.answer.setCurrentIndex(self.answer.findData("yes" if review.applies
                                                                 else "no"))
                self.reason.setText(review.reason)
            self.reason.setPlaceholderText(self.tr(
                "Why it does not apply (e.g. the end use is outside the embargoed region)"))
            self.reason.setObjectName(f"reviewReason_{result.key}")
            row = QHBoxLayout()
            row.addWidget(self.answer)
            row.addWidget(self.reason, 1)
            layout.addLayout(row)
            self.answer.currentIndexChanged.connect(lambda _i: self.sig_changed.emit())
            self.reason.textEdited.connect(lambda _t: self.sig_changed.emit())

    def review(self) -> CheckReview | None:
        key = self.answer.currentData()
        if self.result.status is not CheckStatus.REVIEW or not key:
            return None
        return CheckReview(key == "yes", self.reason.text().strip())

    def set_read_only(self, read_only: bool) -> None:
        self.answer.setEnabled(not read_only)
        self.reason.setReadOnly(read_only)


class ChecksPage(QScrollArea):
    sig_changed = Signal()
    sig_rerun_requested = Signal()
    sig_open_screening = Signal()
    sig_consult_requested = Signal(str)  # a denial's register key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(24, 18, 24, 24)
        title = QLabel(self.tr("Hard-stop checks"))
        title.setObjectName("pageTitle")
        self._layout.addWidget(title)
        self._layout.addWidget(wrap_label(self.tr(
            "Embargoes, sanctions-list matches and treaty prohibitions are checked for every "
            "application before any criterion is weighed. A hard stop means refusal: no "
            "weighing and no mitigation."), "muted"))
        head = QHBoxLayout()
        self.as_of_label = QLabel()
        self.as_of_label.setObjectName("muted")
        self.rerun = QPushButton(self.tr("&Run the checks again"))
        self.rerun.clicked.connect(self.sig_rerun_requested)
        head.addWidget(self.as_of_label, 1)
        head.addWidget(self.rerun)
        self._layout.addLayout(head)
        self.cards_box = QVBoxLayout()
        self._layout.addLayout(self.cards_box)
        self.gaps_label = QLabel()
        self.gaps_label.setObjectName("problems")
        self.gaps_label.setWordWrap(True)
        self._layout.addWidget(self.gaps_label)
        self._layout.addStretch(1)
        self.setWidget(body)
        self.cards: list[CheckCard] = []

    def show_results(self, results: list[CheckResult], reviews: dict[str, CheckReview],
                     as_of: date) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        self.as_of_label.setText(self.tr("Judged as of %1 (the decision date).").replace(
            "%1", as_of.isoformat()))
        for result in results:
            card = CheckCard(result, reviews.get(result.key))
            card.sig_changed.connect(self.sig_changed)
            card.sig_open_screening.connect(self.sig_open_screening)
            card.sig_consult.connect(self.sig_consult_requested)
            self.cards_box.addWidget(card)
            self.cards.append(card)

    def reviews(self) -> dict[str, CheckReview]:
        return {card.result.key: review for card in self.cards
                if (review := card.review()) is not None}

    def show_gaps(self, gaps: list[Gap]) -> None:
        self.gaps_label.setVisible(bool(gaps))
        self.gaps_label.setText("\n".join(f"• {g.text}" for g in gaps))

    def set_read_only(self, read_only: bool) -> None:
        self.rerun.setVisible(not read_only)
        for card in self.cards:
            card.set_read_only(read_only)
