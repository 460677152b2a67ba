"""Choosing the framework a case is assessed under: the authority's, usually; another for
comparison; a historical one only for reference. Broken authority files are named here."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.frameworks import FrameworkCatalogue, catalogue


class FrameworkDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, default: str = "",
                 cat: FrameworkCatalogue | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Choose the assessment framework"))
        self.setMinimumWidth(620)
        cat = cat or catalogue()
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Assess the application under the framework your authority "
                               "applies. Each criterion, threshold and question comes from the "
                               "framework file, and the decision records its exact version."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setObjectName("frameworkList")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        for fw in cat.frameworks:
            lines = [fw.display_title + f"  ({fw.id} {fw.version})", fw.source]
            if fw.is_historical:
                lines.append(self.tr("Historical: withdrawn %1. For reference only.").replace(
                    "%1", fw.historical_since.isoformat() if fw.historical_since else ""))
            if not fw.shipped:
                lines.append(self.tr("The authority's own framework file: %1").replace(
                    "%1", str(fw.path)))
            item = QListWidgetItem("\n".join(lines))
            item.setData(Qt.ItemDataRole.UserRole, fw.id)
            item.setToolTip(fw.summary)
            self.list.addItem(item)
            if fw.id == default:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0:
            self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        layout.addWidget(self.list, 1)
        if cat.problems:
            problems = QLabel(self.tr("Framework files that could not be loaded:") + "\n"
                              + "\n".join(f"• {p}" for p in cat.problems))
            problems.setObjectName("problems")
            problems.setWordWrap(True)
            layout.addWidget(problems)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def framework_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None


def choose_framework(parent: QWidget | None, default: str) -> str | None:
    dialog = FrameworkDialog(parent, default)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.framework_id()
