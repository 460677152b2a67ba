"""A country field with type-ahead on name or ISO code; its value is the alpha-2 code."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from app.reference import ReferenceData


class CountryPicker(QComboBox):
    sig_code_changed = Signal(str)

    def __init__(self, ref: ReferenceData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ref = ref
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self.addItem("", "")
        for country in sorted(ref.countries.values(), key=lambda c: c.name):
            self.addItem(f"{country.name} ({country.alpha2})", country.alpha2)
        completer = QCompleter(self.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.lineEdit().setPlaceholderText(self.tr("Type a country name or ISO code"))
        self.currentTextChanged.connect(lambda _t: self.sig_code_changed.emit(self.code()))

    def code(self) -> str:
        """The alpha-2 code, or the typed text when it names no country (so it can be flagged)."""
        text = self.currentText().strip()
        if not text:
            return ""
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return str(self.itemData(index))
        upper = text.upper()
        if upper in self._ref.countries:
            return upper
        for code, country in self._ref.countries.items():
            if country.name.casefold() == text.casefold():
                return code
        return text

    def set_code(self, code: str) -> None:
        index = self.findData(code)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setCurrentIndex(-1)
            self.setEditText(code)
