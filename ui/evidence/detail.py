"""The detail pane: every field of the current version, its text, its original file and
the list of versions (an assessment cites a version by its hash, so the hash is shown)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import evidence
from app.errors import GoldenRuleError
from app.evidence import EvidenceRecord
from app.evidence_vocab import vocabulary
from ui.context import UiContext
from ui.dialogs import show_error


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


class EvidenceDetail(QWidget):
    sig_saved_original = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidenceDetail")
        self.ctx = ctx
        self.vocab = vocabulary()
        self.record: EvidenceRecord | None = None
        self.versions: list[EvidenceRecord] = []

        self.empty = QLabel(self.tr("Select an item to read it here.\n\nDrop files or folders "
                                    "anywhere on this page to import them."))
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        self.title = QLabel()
        self.title.setObjectName("evidenceTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.grade_chip = QLabel()
        self.grade_chip.setObjectName("gradeChip")
        self.demo_chip = QLabel(self.tr("DEMO"))
        self.demo_chip.setObjectName("demoChip")
        self.demo_chip.setToolTip(self.tr("Demonstration item written for the demo cases: "
                                          "not real evidence"))
        self.version_label = QLabel()
        self.version_label.setObjectName("muted")

        self.fields = QTextBrowser()
        self.fields.setObjectName("evidenceFields")
        self.fields.setOpenExternalLinks(False)
        self.fields.setOpenLinks(False)
        self.full_text = QPlainTextEdit()
        self.full_text.setReadOnly(True)
        self.full_text.setObjectName("evidenceText")
        self.history = QTreeWidget()
        self.history.setObjectName("evidenceHistory")
        self.history.setRootIsDecorated(False)
        self.history.setAlternatingRowColors(True)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.history.setHeaderLabels([self.tr("Version"), self.tr("By"), self.tr("When"),
                                      self.tr("Content hash")])
        header = self.history.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.fields, self.tr("Details"))
        self.tabs.addTab(self.full_text, self.tr("Full text"))
        self.tabs.addTab(self.history, self.tr("Versions"))

        self.attachment_label = QLabel()
        self.attachment_label.setObjectName("attachmentInfo")
        self.attachment_label.setWordWrap(True)
        self.attachment_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton(self.tr("Save original…"))
        self.save_button.setToolTip(self.tr("Write the original file, exactly as imported, to "
                                            "a place of your choice"))
        self.save_button.clicked.connect(self.save_original)
        self.attachment_row = QWidget()
        self.attachment_row.setObjectName("attachmentRow")
        row = QHBoxLayout(self.attachment_row)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.attachment_label, 1)
        row.addWidget(self.save_button)

        header_row = QHBoxLayout()
        header_row.setSpacing(6)
        header_row.addWidget(self.grade_chip, 0, Qt.AlignmentFlag.AlignTop)
        header_row.addWidget(self.title, 1)
        header_row.addWidget(self.demo_chip, 0, Qt.AlignmentFlag.AlignTop)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header_row)
        layout.addWidget(self.version_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.attachment_row)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # showing ----------------------------------------------------------------------------
    def clear(self) -> None:
        self.record = None
        self.versions = []
        self.stack.setCurrentIndex(0)

    def show_item(self, item_id: int) -> EvidenceRecord | None:
        try:
            with self.ctx.uow() as uow:
                record = evidence.get_evidence(uow, item_id)
                versions = evidence.history(uow, item_id)
        except GoldenRuleError as exc:
            self.clear()
            show_error(self, self.tr("Could not open the evidence item"), exc)
            return None
        self.show_record(record, versions)
        return record

    def show_record(self, record: EvidenceRecord, versions: list[EvidenceRecord]) -> None:
        self.record, self.versions = record, versions
        d = record.data
        self.title.setText(d.title)
        self.grade_chip.setText(record.grade)
        self.grade_chip.setProperty("reliability", d.reliability)
        self.grade_chip.style().unpolish(self.grade_chip)
        self.grade_chip.style().polish(self.grade_chip)
        rel, cred = self.vocab.reliability.get(d.reliability), self.vocab.credibility.get(
            d.credibility)
        self.grade_chip.setToolTip(f"{d.reliability}: {rel.title if rel else '?'}\n"
                                   f"{d.credibility}: {cred.title if cred else '?'}")
        self.demo_chip.setVisible(record.is_demo)
        self.version_label.setText(self.tr("Item #%1 · version %2 of %3 · added by %4 on %5")
                                   .replace("%1", str(record.id))
                                   .replace("%2", str(record.version_no))
                                   .replace("%3", str(len(versions) or record.version_no))
                                   .replace("%4", record.added_by)
                                   .replace("%5", record.added_at.astimezone()
                                            .strftime("%Y-%m-%d")))
        self.fields.setHtml(self._fields_html(record))
        self.full_text.setPlainText(d.full_text)
        self.tabs.setTabText(1, self.tr("Full text") if d.full_text else
                             self.tr("Full text (none)"))
        self.history.clear()
        for v in reversed(versions):
            row = QTreeWidgetItem([str(v.version_no), v.version_by,
                                   v.version_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                                   v.content_sha256[:16] + "…"])
            row.setToolTip(3, v.content_sha256)
            if v.version_no == record.version_no:
                font = row.font(0)
                font.setBold(True)
                for column in range(4):
                    row.setFont(column, font)
            self.history.addTopLevelItem(row)
        self.tabs.setTabText(2, self.tr("Versions (%1)").replace("%1", str(len(versions))))
        att = record.attachment
        self.attachment_row.setVisible(att is not None)
        if att is not None:
            self.attachment_label.setText(
                f"<b>{html.escape(att.name or self.tr('original file'))}</b>"
                f" · {human_size(att.size)} · {html.escape(att.media_type)}<br>"
                f"<span style='color:#6b7280'>SHA-256 {att.sha256}</span>")
        self.stack.setCurrentIndex(1)

    def _fields_html(self, record: EvidenceRecord) -> str:
        d = record.data
        vocab, ref = self.vocab, self.ctx.ref

        def esc(text: str) -> str:
            return html.escape(text)

        def when(a: object, b: object = None) -> str:
            if a is None:
                return ""
            text = str(a)
            return f"{text} – {b}" if b is not None and b != a else text

        kind = vocab.source_kinds.get(d.source_kind)
        rel, cred = vocab.reliability.get(d.reliability), vocab.credibility.get(d.credibility)
        violations = [vocab.violations[v].title if v in vocab.violations else v
                      for v in d.violations]
        categories = [f"{c} — {ref.control_categories[c].title}"
                      if c in ref.control_categories else c for c in d.item_categories]
        url = (f"<a href='{esc(d.url)}'>{esc(d.url)}</a>" if d.url else "")
        rows = [
            (self.tr("Grade"), f"<b>{esc(record.grade)}</b> — "
             f"{esc(rel.title if rel else '?')}; {esc(cred.title if cred else '?')}"),
            (self.tr("Publisher"), esc(d.publisher)),
            (self.tr("Kind of source"), esc(kind.title if kind else d.source_kind)),
            (self.tr("Document ref."), esc(d.document_ref)),
            (self.tr("Web address"), url),
            (self.tr("Published"), esc(when(d.published_on))),
            (self.tr("Events"), esc(when(d.events_from, d.events_to))),
            (self.tr("Countries"), esc(", ".join(f"{ref.country_name(c)} ({c})"
                                                 for c in d.countries))),
            (self.tr("Places"), esc(d.places)),
            (self.tr("Actors"), "<br>".join(esc(a) for a in d.actors)),
            (self.tr("Violations"), "<br>".join(esc(v) for v in violations)),
            (self.tr("Items involved"), "<br>".join(esc(c) for c in categories)),
        ]
        body = "".join(
            f"<tr><td style='color:#6b7280; padding:2px 12px 2px 0' valign='top'>{label}</td>"
            f"<td style='padding:2px 0'>{value}</td></tr>" for label, value in rows if value)
        summary = (f"<h4 style='margin:12px 0 4px 0; color:#1d2840'>{self.tr('Summary')}</h4>"
                   f"<p style='margin:0'>{esc(d.summary).replace(chr(10), '<br>')}</p>"
                   if d.summary else "")
        return f"<table cellspacing='0'>{body}</table>{summary}"

    # the original file ------------------------------------------------------------------
    def ask_save_path(self, suggested: str) -> str | None:
        """Overridable in tests: where to write the original file."""
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save original file"), str(Path.home() / suggested))
        return path or None

    def save_original(self) -> str | None:
        record = self.record
        if record is None or record.attachment is None:
            return None
        path = self.ask_save_path(record.attachment.name or f"{record.attachment.sha256}.bin")
        if not path:
            return None
        try:
            with self.ctx.uow() as uow:
                data = evidence.attachment_bytes(uow, record.attachment.sha256)
            Path(path).write_bytes(data)
        except GoldenRuleError as exc:
            show_error(self, self.tr("The original file was not saved"), exc)
            return None
        except OSError as exc:
            show_error(self, self.tr("The original file was not saved"),
                       GoldenRuleError(str(exc)))
            return None
        self.sig_saved_original.emit(path)
        return path
