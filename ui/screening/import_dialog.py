"""Before a list file is imported: which format it is (detected from its content, which the
officer may override) and which list it is a new version of.

The dialog only asks; the Screening page imports on the database worker. An empty list name
means the name the file gives its list, so a new UN file becomes the next version of the UN
list without anyone typing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.errors import GoldenRuleError
from app.i18n import _
from app.screening.lists import ListInfo
from app.screening.parsers import FORMATS, detect_format


@dataclass(frozen=True)
class ImportRequest:
    path: Path
    #: A key of ``FORMATS``.
    fmt: str
    #: None: the name the file gives its list.
    list_name: str | None


class ImportOptionsDialog(QDialog):
    def __init__(self, path: Path, lists: list[ListInfo], parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("listImportDialog")
        self.setWindowTitle(self.tr("Import a sanctions list"))
        self.setMinimumWidth(620)
        self.path = Path(path)
        self.lists = lists
        self.detected, self.detect_error = self._detect()

        file_label = QLabel(f"<b>{self.path.name}</b>")
        file_label.setToolTip(str(self.path))
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("listFormat")
        if self.detected is None:
            self.format_combo.addItem(self.tr("Choose the format…"), "")
        for fid, title in FORMATS.items():
            text = _(title)
            if fid == self.detected:
                text = self.tr("%1 (detected)").replace("%1", text)
            self.format_combo.addItem(text, fid)
        self.format_combo.setCurrentIndex(max(self.format_combo.findData(self.detected or ""),
                                              0))
        self.format_combo.currentIndexChanged.connect(self._update)
        self.format_note = QLabel()
        self.format_note.setObjectName("muted")
        self.format_note.setWordWrap(True)

        self.name_combo = QComboBox()
        self.name_combo.setObjectName("listName")
        self.name_combo.setEditable(True)
        self.name_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name_combo.lineEdit().setPlaceholderText(self.tr("The list's own title, from "
                                                              "the file"))
        self.name_combo.addItem("")
        for info in lists:
            self.name_combo.addItem(info.name)
        self.name_combo.setEditText(self.default_name())
        self.name_combo.editTextChanged.connect(self._update)
        self.name_note = QLabel()
        self.name_note.setObjectName("muted")
        self.name_note.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.tr("File"), file_label)
        form.addRow(self.tr("&Format"), self.format_combo)
        form.addRow("", self.format_note)
        form.addRow(self.tr("&List"), self.name_combo)
        form.addRow("", self.name_note)
        intro = QLabel(self.tr(
            "The file becomes the newest version of the list; earlier versions are kept "
            "unchanged, so a case screened against them can always be shown them. A file "
            "that cannot be read whole is refused whole. After the import, every open case "
            "and every licence in force is screened again."))
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton(self.tr("Import"),
                                               QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("primary")
        self.import_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._update()

    def _detect(self) -> tuple[str | None, str]:
        try:
            return detect_format(self.path), ""
        except GoldenRuleError as exc:
            return None, str(exc)

    def default_name(self) -> str:
        """The one list already imported from this format, else the file's own title."""
        same = [i for i in self.lists if i.source_format == self.detected]
        return same[0].name if len(same) == 1 else ""

    def fmt(self) -> str:
        return str(self.format_combo.currentData() or "")

    def list_name(self) -> str | None:
        return self.name_combo.currentText().strip() or None

    def request(self) -> ImportRequest | None:
        fmt = self.fmt()
        return ImportRequest(self.path, fmt, self.list_name()) if fmt else None

    def _update(self, *_args: object) -> None:
        if self.detected is None:
            note = self.detect_error or self.tr("The format could not be recognised.")
            note += " " + self.tr("Choose the format if you know it.")
        elif self.fmt() != self.detected:
            note = self.tr("The content looks like %1: the file will be read as you chose, "
                           "and refused if it is not.").replace("%1", _(FORMATS[self.detected]))
        else:
            note = self.tr("Recognised from the file's content.")
        self.format_note.setText(note)
        name = self.list_name()
        known = next((i for i in self.lists if name and i.name.casefold() == name.casefold()),
                     None)
        if name is None:
            text = self.tr("The name the file gives its list: a new version of the list of "
                           "that name, or a new list.")
        elif known is not None:
            current = known.current.label if known.current else self.tr("no version")
            text = self.tr("A new version of %1 (now %2).").replace("%1", known.name).replace(
                "%2", current)
        else:
            text = self.tr("A new list named %1.").replace("%1", name)
        self.name_note.setText(text)
        self.import_button.setEnabled(bool(self.fmt()))


def ask_import_options(parent: QWidget | None, path: Path, lists: list[ListInfo]
                       ) -> ImportRequest | None:
    """The format and list for ``path``, or None if the officer cancelled. Tests replace
    this (``ScreeningPage.ask_import_options`` calls it)."""
    dialog = ImportOptionsDialog(path, lists, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    request = dialog.request()
    dialog.deleteLater()
    return request if accepted else None
