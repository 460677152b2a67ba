"""A read-only viewer of one signed record: the snapshot rendered as a document, or the
signed JSON exactly as stored, with whether its signature still verifies."""

from __future__ import annotations

import json
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFontDatabase, QTextOption
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import decisions, record_check
from app.canonical import sha256_hex
from app.decisions import DecisionRecord, RecordKind
from app.errors import GoldenRuleError, NotFoundError
from app.frameworks import Framework
from app.record_check import RecordCheck
from ui.audit.formatting import short_hash
from ui.audit.record_html import STYLE, RecordRenderer
from ui.context import UiContext
from ui.dialogs import show_error
from ui.document_export import RationaleExportBar


@dataclass(frozen=True)
class LoadedRecord:
    """One record with what the viewer needs: its case's chain, the exact signed text, the
    signature check and the framework text it was decided under."""

    record: DecisionRecord
    records: list[DecisionRecord]
    text: str | None
    check: RecordCheck | None
    framework: Framework | None

    def previous_decision(self) -> tuple[DecisionRecord, DecisionRecord | None] | None:
        """The decision this record is or refers to, and the decision before that one."""
        decided = [r for r in self.records if r.kind is RecordKind.DECISION
                   and r.sequence <= self.record.sequence]
        if not decided:
            return None
        base = decided[-1]
        earlier = [r for r in decided if r.sequence < base.sequence]
        return base, (earlier[-1] if earlier else None)


def load_record(ctx: UiContext, case_id: int, record_id: int) -> LoadedRecord:
    with ctx.uow() as uow:
        check = record_check.check_record(uow, record_id)  # NotFoundError for an unknown id
        records = decisions.list_decisions(uow, case_id)
        record = next((r for r in records if r.id == record_id), None)
        if record is None:
            raise NotFoundError(QCoreApplication.translate(
                "RecordView", "That record does not belong to this case."))
        text = decisions.snapshot_text(uow, record_id)
        framework = record_check.record_framework(uow, record_id)
    return LoadedRecord(record, records, text, check, framework)


def latest_decision_id(ctx: UiContext, case_id: int) -> int | None:
    with ctx.uow() as uow:
        records = decisions.list_decisions(uow, case_id)
    decided = [r for r in records if r.kind is RecordKind.DECISION]
    return decided[-1].id if decided else None


class RecordView(QWidget):
    sig_record_shown = Signal(int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordView")
        self.ctx = ctx
        self.loaded: LoadedRecord | None = None
        self.renderer = RecordRenderer(ctx.ref, self)

        self.empty = QLabel(self.tr("Select a record to read it exactly as it was signed."))
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        self.hash_label = QLabel()
        self.hash_label.setObjectName("muted")
        self.hash_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.document_button = QPushButton(self.tr("Document"))
        self.json_button = QPushButton(self.tr("Signed JSON"))
        self.json_button.setToolTip(self.tr("The exact text that was hashed and signed"))
        group = QButtonGroup(self)
        for n, button in enumerate((self.document_button, self.json_button)):
            button.setCheckable(True)
            button.setObjectName("segment")
            group.addButton(button, n)
        self.document_button.setChecked(True)
        group.idClicked.connect(self._on_mode_clicked)
        self.indent = QCheckBox(self.tr("Indent for reading"))
        self.indent.setToolTip(self.tr("Show the JSON indented. The signed bytes are the "
                                       "compact form shown when this is off."))
        self.indent.toggled.connect(self._show_json)
        self.indent.hide()

        self.browser = QTextBrowser()
        self.browser.setObjectName("recordDocument")
        self.browser.setOpenLinks(False)
        self.browser.document().setDefaultStyleSheet(STYLE)
        self.browser.document().setDocumentMargin(14)
        self.json_view = QPlainTextEdit()
        self.json_view.setObjectName("signedJson")
        self.json_view.setReadOnly(True)
        self.json_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.json_view.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.browser)
        self.pages.addWidget(self.json_view)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 4)
        bar.setSpacing(0)
        bar.addWidget(self.hash_label, 1)
        bar.addWidget(self.indent)
        bar.addSpacing(10)
        bar.addWidget(self.document_button)
        bar.addWidget(self.json_button)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self.exports = RationaleExportBar(ctx)
        layout.addWidget(self.exports)
        self.setStyleSheet(
            "QPushButton#segment { padding: 4px 14px; border: 1px solid #c9d0dc; "
            "background: white; color: #374151; }"
            "QPushButton#segment:checked { background: #1d2840; color: white; "
            "border-color: #1d2840; }"
            "QTextBrowser#recordDocument, QPlainTextEdit#signedJson { "
            "border: 1px solid #d9dee8; border-radius: 4px; background: white; }")

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # showing ------------------------------------------------------------------------------
    @property
    def record(self) -> DecisionRecord | None:
        return self.loaded.record if self.loaded else None

    def clear(self, text: str = "") -> None:
        self.loaded = None
        self.empty.setText(text or self.tr("Select a record to read it exactly as it was "
                                           "signed."))
        self.browser.clear()
        self.json_view.clear()
        self.exports.set_decision(None)
        self.stack.setCurrentIndex(0)

    def show_record(self, case_id: int, record_id: int) -> LoadedRecord | None:
        try:
            loaded = load_record(self.ctx, case_id, record_id)
        except GoldenRuleError as exc:
            self.clear()
            show_error(self, self.tr("Could not open the record"), exc)
            return None
        self.show_loaded(loaded)
        return loaded

    def show_loaded(self, loaded: LoadedRecord) -> None:
        self.loaded = loaded
        record = loaded.record
        self.browser.setHtml(self.renderer.render(record, loaded.check, loaded.framework))
        self.browser.verticalScrollBar().setValue(0)
        if loaded.text is None:
            self.hash_label.setText(self.tr("Not signed: there is no signed text for this "
                                            "record."))
        else:
            digest = sha256_hex(loaded.text.encode("utf-8"))
            self.hash_label.setText(self.tr("%1 · signed text %2 bytes · SHA-256 %3").replace(
                "%1", record.ref).replace("%2", f"{len(loaded.text.encode('utf-8')):,}")
                .replace("%3", short_hash(digest, 16)))
            self.hash_label.setToolTip(digest)
        self.json_button.setEnabled(loaded.text is not None)
        if loaded.text is None:
            self.set_mode(0)
        self._show_json()
        decided = loaded.previous_decision()
        self.exports.set_decision(decided[0].ref if decided else None)
        self.stack.setCurrentIndex(1)
        self.sig_record_shown.emit(record.id)

    def set_mode(self, mode: int) -> None:
        """0: the document; 1: the signed JSON."""
        (self.json_button if mode else self.document_button).setChecked(True)
        self._on_mode_clicked(mode)

    def _on_mode_clicked(self, mode: int) -> None:
        self.pages.setCurrentIndex(mode)
        self.indent.setVisible(mode == 1)

    def _show_json(self) -> None:
        text = self.loaded.text if self.loaded else None
        if text is None:
            self.json_view.setPlainText("")
            return
        if self.indent.isChecked():
            text = json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, indent=2)
        self.json_view.setPlainText(text)

    def document_text(self) -> str:
        return self.browser.toPlainText()
