"""Settings › Authority: the settings every workstation of the authority applies.

They live in the database (``app/settings.py``); saving goes through ``settings.set_value``,
which validates and records each change in the audit trail. All changes are saved together
or not at all; a refused value is named and its field marked.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import settings
from app.errors import GoldenRuleError, ValidationError
from app.evidence_vocab import vocabulary
from app.frameworks import catalogue
from app.i18n import _
from app.users import Permission
from ui.context import UiContext
from ui.settings.common import hint, role_note
from ui.widgets.country_picker import CountryPicker
from ui.widgets.forms import error_label

Index = QModelIndex | QPersistentModelIndex
OUTCOME_LABELS = {"approve": "Approve", "approve-with-conditions": "With conditions",
                  "refuse": "Refuse"}


def parse_codes(text: str) -> list[str]:
    """'sa, ae  ye' -> ['SA', 'AE', 'YE']; anything odd is kept so that validation names it."""
    return [part.upper() for part in re.split(r"[\s,;]+", text.strip()) if part]


def destinations_value(text: str) -> str | list[str]:
    cleaned = text.strip()
    if cleaned.casefold() in ("", "any"):
        return "any"
    if cleaned.casefold() == "flagged":
        return "flagged"
    return parse_codes(cleaned)


def destinations_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value or "any")


class RulesModel(QAbstractTableModel):
    """The countersigning rules as an editable table: one row per rule.

    Columns: name, three outcome check boxes, destinations, categories, countersignatures.
    """

    COLUMNS = ("name", "approve", "approve-with-conditions", "refuse", "destinations",
               "categories", "count")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rules: list[dict[str, Any]] = []
        self.read_only = False

    # the value ---------------------------------------------------------------------------
    def set_rules(self, rules: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rules = [self._normalised(r) for r in rules]
        self.endResetModel()

    @staticmethod
    def _normalised(rule: dict[str, Any]) -> dict[str, Any]:
        return {"name": str(rule.get("name", "")),
                "outcomes": list(rule.get("outcomes", [])),
                "destinations": rule.get("destinations", "any"),
                "categories": list(rule.get("categories", [])),
                "count": rule.get("count", 1)}

    def rules(self) -> list[dict[str, Any]]:
        """The value to store: outcomes in the canonical order, plain lists and strings."""
        out = []
        for rule in self._rules:
            outcomes = [o for o in settings.OUTCOMES if o in rule["outcomes"]]
            destinations = rule["destinations"]
            out.append({"name": rule["name"].strip(), "outcomes": outcomes,
                        "destinations": list(destinations) if isinstance(destinations, list)
                        else destinations,
                        "categories": list(rule["categories"]), "count": rule["count"]})
        return out

    def add_rule(self) -> int:
        row = len(self._rules)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rules.append({"name": "", "outcomes": ["refuse"], "destinations": "any",
                            "categories": [], "count": 1})
        self.endInsertRows()
        return row

    def remove_rule(self, row: int) -> None:
        if 0 <= row < len(self._rules):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rules[row]
            self.endRemoveRows()

    # Qt ----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rules)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("Rule"), self.tr("Approve"), self.tr("With conditions"),
                    self.tr("Refuse"), self.tr("Destinations"), self.tr("Categories"),
                    self.tr("Countersignatures"))[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (self.tr("A name for the rule, shown on the decision"),
                    self.tr("The rule applies to approvals"),
                    self.tr("The rule applies to approvals with conditions"),
                    self.tr("The rule applies to refusals"),
                    self.tr("any, flagged (the flagged destinations below, and embargoed "
                            "ones), or ISO codes such as SA, AE"),
                    self.tr("Military List heads such as ML1, ML4; empty for all goods"),
                    self.tr("How many supervisors must countersign: 1 or 2"))[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.read_only:
            return base
        if self.COLUMNS[index.column()] in settings.OUTCOMES:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        rule = self._rules[index.row()]
        column = self.COLUMNS[index.column()]
        if column in settings.OUTCOMES:
            if role == Qt.ItemDataRole.CheckStateRole:
                return (Qt.CheckState.Checked if column in rule["outcomes"]
                        else Qt.CheckState.Unchecked)
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "destinations":
                value = rule["destinations"]
                if value == "any":
                    return self.tr("any destination")
                if value == "flagged":
                    return self.tr("flagged destinations")
                return destinations_text(value)
            if column == "categories":
                return ", ".join(rule["categories"]) or self.tr("all goods")
            if column == "count":
                return str(rule["count"])
            return rule["name"]
        if role == Qt.ItemDataRole.EditRole:
            if column == "destinations":
                return destinations_text(rule["destinations"])
            if column == "categories":
                return ", ".join(rule["categories"])
            if column == "count":
                return rule["count"]
            return rule["name"]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "count":
            return Qt.AlignmentFlag.AlignCenter
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or self.read_only:
            return False
        rule = self._rules[index.row()]
        column = self.COLUMNS[index.column()]
        if column in settings.OUTCOMES and role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            outcomes = [o for o in rule["outcomes"] if o != column]
            if checked:
                outcomes.append(column)
            rule["outcomes"] = outcomes
        elif role == Qt.ItemDataRole.EditRole:
            if column == "name":
                rule["name"] = str(value)
            elif column == "destinations":
                rule["destinations"] = (list(value) if isinstance(value, list)
                                        else destinations_value(str(value)))
            elif column == "categories":
                rule["categories"] = (list(value) if isinstance(value, list)
                                      else parse_codes(str(value)))
            elif column == "count":
                try:
                    rule["count"] = int(value)
                except (TypeError, ValueError):
                    rule["count"] = value
            else:
                return False
        else:
            return False
        self.dataChanged.emit(index, index)
        return True


class RulesDelegate(QStyledItemDelegate):
    """Outcomes: a centred check box that a click anywhere in the cell (or Space) toggles.
    Destinations: a combo offering 'any' and 'flagged', or typed codes. Count: 1 or 2."""

    @staticmethod
    def _is_check(index: Index) -> bool:
        return RulesModel.COLUMNS[index.column()] in settings.OUTCOMES

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if not self._is_check(index):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator  # type: ignore[attr-defined]
        opt.text = ""  # type: ignore[attr-defined]
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        check = QStyleOptionViewItem(opt)
        size = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, opt, widget)
        rect = opt.rect  # type: ignore[attr-defined]
        check.rect = QRect(rect.center().x() - size // 2, rect.center().y() - size // 2,  # type: ignore[attr-defined]
                           size, size)
        state = index.data(Qt.ItemDataRole.CheckStateRole)
        check.state = (check.state & ~(QStyle.StateFlag.State_On  # type: ignore[attr-defined]
                                       | QStyle.StateFlag.State_Off)) | (
            QStyle.StateFlag.State_On if state == Qt.CheckState.Checked
            else QStyle.StateFlag.State_Off)
        if not index.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            check.state &= ~QStyle.StateFlag.State_Enabled  # type: ignore[attr-defined]
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck, check,
                            painter, widget)

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem,
                    index: Index) -> bool:
        if not self._is_check(index):
            return super().editorEvent(event, model, option, index)
        if not index.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return False
        toggle = (event.type() == QEvent.Type.MouseButtonRelease
                  and isinstance(event, QMouseEvent)
                  and event.button() == Qt.MouseButton.LeftButton) or (
            event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Select))
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            return True  # the release toggles; a double click must not toggle twice
        if not toggle:
            return False
        checked = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        return bool(model.setData(index, Qt.CheckState.Unchecked if checked
                                  else Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole))

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        column = RulesModel.COLUMNS[index.column()]
        if column == "destinations":
            combo = QComboBox(parent)
            combo.setEditable(True)
            combo.addItem(self.tr("any"), "any")
            combo.addItem(self.tr("flagged"), "flagged")
            combo.lineEdit().setPlaceholderText(self.tr("or codes: SA, AE"))
            return combo
        if column == "count":
            combo = QComboBox(parent)
            combo.addItem("1", 1)
            combo.addItem("2", 2)
            return combo
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        column = RulesModel.COLUMNS[index.column()]
        if isinstance(editor, QComboBox) and column == "count":
            editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))
        elif isinstance(editor, QComboBox):
            text = str(index.data(Qt.ItemDataRole.EditRole))
            position = editor.findData(text)
            if position >= 0:
                editor.setCurrentIndex(position)
            else:
                editor.setEditText(text)
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        column = RulesModel.COLUMNS[index.column()]
        if isinstance(editor, QComboBox) and column == "count":
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QComboBox):
            text = editor.currentText().strip()
            position = editor.findText(text)
            value = editor.itemData(position) if position >= 0 else text
            model.setData(index, value, Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class DestinationsEditor(QWidget):
    """An editable list of ISO codes with a country picker to add one."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.list = QListWidget()
        self.list.setObjectName("flaggedList")
        self.list.setFixedHeight(96)
        self.list.setMinimumWidth(320)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.picker = CountryPicker(ctx.ref)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.clicked.connect(self._on_add_clicked)
        self.picker.lineEdit().returnPressed.connect(self._on_add_clicked)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.picker.setMinimumWidth(260)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.picker)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        side.addLayout(buttons)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(side)
        layout.addStretch(1)

    def codes(self) -> list[str]:
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.list.count())]

    def set_codes(self, codes: list[str]) -> None:
        self.list.clear()
        for code in codes:
            self.add_code(code)

    def add_code(self, code: str) -> None:
        code = code.strip().upper()
        if not code or code in self.codes():
            return
        country = self.ctx.ref.countries.get(code)
        item = QListWidgetItem(f"{code} — {country.name}" if country else code)
        item.setData(Qt.ItemDataRole.UserRole, code)
        self.list.addItem(item)

    def _on_add_clicked(self) -> None:
        self.add_code(self.picker.code())
        self.picker.setCurrentIndex(0)

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def set_read_only(self, read_only: bool) -> None:
        for widget in (self.picker, self.add_button, self.remove_button):
            widget.setVisible(not read_only)


class AuthorityTab(QWidget):
    KEYS = ("authority.name", "authority.framework", "documents.classification",
            "reassessment.min_grade", "countersign.flagged_destinations", "countersign.rules",
            "screening.threshold")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("authorityTab")
        self.ctx = ctx
        self.may_edit = ctx.actor.can(Permission.MANAGE_SETTINGS)
        self.saved: dict[str, Any] = {}
        spec = settings.SPECS

        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Export Control Joint Unit"))
        self.framework = QComboBox()
        self.framework.addItem(self.tr("None: the officer chooses each time"), "")
        for fw in catalogue().current():
            self.framework.addItem(fw.display_title, fw.id)
        self.classification = QLineEdit()
        vocab = vocabulary()
        self.grade_reliability = QComboBox()
        for term in vocab.reliability.values():
            self.grade_reliability.addItem(f"{term.id} — {term.title}", term.id)
        self.grade_credibility = QComboBox()
        for term in vocab.credibility.values():
            self.grade_credibility.addItem(f"{term.id} — {term.title}", term.id)
        grade = QWidget()
        grade_row = QHBoxLayout(grade)
        grade_row.setContentsMargins(0, 0, 0, 0)
        grade_row.addWidget(self.grade_reliability, 1)
        grade_row.addWidget(self.grade_credibility, 1)
        self.flagged = DestinationsEditor(ctx)
        self.threshold = QSpinBox()
        self.threshold.setObjectName("screeningThreshold")
        self.threshold.setRange(50, 100)
        self.threshold.setFixedWidth(90)

        self.rules_model = RulesModel(self)
        self.rules_table = QTableView()
        self.rules_table.setObjectName("rulesTable")
        self.rules_table.setModel(self.rules_model)
        self.rules_table.setItemDelegate(RulesDelegate(self.rules_table))
        self.rules_table.verticalHeader().setVisible(False)
        self.rules_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rules_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.rules_table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                         | QAbstractItemView.EditTrigger.EditKeyPressed
                                         | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.rules_table.setMinimumHeight(120)
        self.rules_table.setMaximumHeight(220)
        self.rules_table.setAlternatingRowColors(True)
        self.rules_table.setShowGrid(False)
        header = self.rules_table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 80), (2, 125), (3, 70), (4, 170), (5, 130), (6, 165)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.rules_table.setColumnWidth(column, width)
        self.add_rule_button = QPushButton(self.tr("Add rule"))
        self.add_rule_button.clicked.connect(self.add_rule)
        self.remove_rule_button = QPushButton(self.tr("Remove rule"))
        self.remove_rule_button.clicked.connect(self.remove_rule)
        rule_buttons = QHBoxLayout()
        rule_buttons.addWidget(self.add_rule_button)
        rule_buttons.addWidget(self.remove_rule_button)
        rule_buttons.addStretch(1)

        self.fields: dict[str, list[QWidget]] = {
            "authority.name": [self.name], "authority.framework": [self.framework],
            "documents.classification": [self.classification],
            "reassessment.min_grade": [self.grade_reliability, self.grade_credibility],
            "countersign.flagged_destinations": [self.flagged.list],
            "countersign.rules": [self.rules_table],
            "screening.threshold": [self.threshold]}
        self.setStyleSheet(
            'QTableView[invalid="true"], QListWidget[invalid="true"] {'
            ' border: 1px solid #d93025; }')

        general = QGroupBox(self.tr("The authority"))
        form = QFormLayout(general)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.setVerticalSpacing(4)
        for combo in (self.grade_reliability, self.grade_credibility):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        for widget in (self.name, self.classification, self.framework, grade):
            widget.setFixedWidth(460)
        for key, widget in (("authority.name", self.name),
                            ("authority.framework", self.framework),
                            ("documents.classification", self.classification),
                            ("reassessment.min_grade", grade)):
            note = hint(_(spec[key].help))
            note.setWordWrap(False)
            form.addRow(_(spec[key].title), widget)
            form.addRow("", note)
            form.setSpacing(6)

        countersign = QGroupBox(self.tr("Countersignature"))
        box = QVBoxLayout(countersign)
        title = QLabel(_(spec["countersign.rules"].title))
        title.setObjectName("fieldLabel")
        box.addWidget(title)
        box.addWidget(hint(_(spec["countersign.rules"].help) + (" " + self.tr(
            "Double-click a cell to change it; tick the outcomes a rule covers.")
            if self.may_edit else "")))
        box.addWidget(self.rules_table, 1)
        box.addLayout(rule_buttons)
        box.addSpacing(8)
        title = QLabel(_(spec["countersign.flagged_destinations"].title))
        title.setObjectName("fieldLabel")
        box.addWidget(title)
        box.addWidget(hint(_(spec["countersign.flagged_destinations"].help)))
        box.addWidget(self.flagged)

        screening = QGroupBox(self.tr("Screening"))
        screening_box = QVBoxLayout(screening)
        title = QLabel(_(spec["screening.threshold"].title))
        title.setObjectName("fieldLabel")
        title.setBuddy(self.threshold)
        screening_box.addWidget(title)
        screening_box.addWidget(hint(_(spec["screening.threshold"].help)))
        threshold_row = QHBoxLayout()
        threshold_row.addWidget(self.threshold)
        threshold_row.addStretch(1)
        screening_box.addLayout(threshold_row)

        self.error = error_label()
        self.state = QLabel()
        self.state.setObjectName("muted")
        self.save_button = QPushButton(self.tr("Save settings"))
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(lambda: self.save())
        self.revert_button = QPushButton(self.tr("Revert"))
        self.revert_button.clicked.connect(self.reload)
        actions = QHBoxLayout()
        actions.addWidget(self.state, 1)
        actions.addWidget(self.revert_button)
        actions.addWidget(self.save_button)

        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(0, 8, 8, 0)
        if not self.may_edit:
            inner_layout.addWidget(role_note(Permission.MANAGE_SETTINGS, self.tr(
                "Read-only: the authority's settings are changed by an administrator.")))
        inner_layout.addWidget(general)
        inner_layout.addWidget(countersign)
        inner_layout.addWidget(screening)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)  # the error and Save stay in view while scrolling
        layout.addLayout(actions)
        self._apply_read_only()
        self.reload()

    def _apply_read_only(self) -> None:
        read_only = not self.may_edit
        for line in (self.name, self.classification):
            line.setReadOnly(read_only)
        for combo in (self.framework, self.grade_reliability, self.grade_credibility):
            combo.setEnabled(not read_only)
        self.flagged.set_read_only(read_only)
        self.threshold.setReadOnly(read_only)
        self.threshold.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons if read_only
                                        else QSpinBox.ButtonSymbols.UpDownArrows)
        self.rules_model.read_only = read_only
        for button in (self.add_rule_button, self.remove_rule_button, self.save_button,
                       self.revert_button):
            button.setVisible(not read_only)

    # loading and saving -------------------------------------------------------------------
    def reload(self) -> None:
        with self.ctx.uow() as uow:
            self.saved = settings.all_settings(uow)
        values = self.saved
        self.name.setText(str(values["authority.name"]))
        framework = str(values["authority.framework"] or "")
        position = self.framework.findData(framework)
        if position < 0:
            self.framework.addItem(self.tr("%1 (not installed here)").replace("%1", framework),
                                   framework)
            position = self.framework.count() - 1
        self.framework.setCurrentIndex(position)
        self.classification.setText(str(values["documents.classification"]))
        grade = str(values["reassessment.min_grade"])
        self.grade_reliability.setCurrentIndex(max(self.grade_reliability.findData(grade[:1]), 0))
        self.grade_credibility.setCurrentIndex(max(self.grade_credibility.findData(grade[1:]), 0))
        self.flagged.set_codes(list(values["countersign.flagged_destinations"]))
        self.rules_model.set_rules(list(values["countersign.rules"]))
        self.threshold.setValue(int(values["screening.threshold"]))
        self.clear_error()
        self.state.setText("")

    def values(self) -> dict[str, Any]:
        """What the form holds now, as the settings store it."""
        return {
            "authority.name": self.name.text().strip(),
            "authority.framework": str(self.framework.currentData() or ""),
            "documents.classification": self.classification.text().strip(),
            "reassessment.min_grade": (str(self.grade_reliability.currentData())
                                       + str(self.grade_credibility.currentData())),
            "countersign.flagged_destinations": self.flagged.codes(),
            "countersign.rules": self.rules_model.rules(),
            "screening.threshold": self.threshold.value(),
        }

    def changed(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if self.saved.get(k) != v}

    def save(self) -> bool:
        """Validate and store every changed setting together; False (and the error shown
        beside the field) if any is refused."""
        self.clear_error()
        changes = self.changed()
        if not changes:
            self.state.setText(self.tr("Nothing to save: no setting was changed."))
            return True
        try:
            with self.ctx.uow() as uow:
                for key, value in changes.items():
                    settings.set_value(uow, self.ctx.actor, key, value, commit=False)
                uow.commit()
        except ValidationError as exc:
            self.show_problem(exc)
            return False
        except GoldenRuleError as exc:
            self.error.setText(str(exc))
            return False
        self.reload()
        self.state.setText(self.tr("Saved %n setting(s).", "", len(changes)))
        self.ctx.signals.sig_cases_changed.emit()  # rules change what awaits countersignature
        if "screening.threshold" in changes:  # what is a hit changes for every case
            self.ctx.signals.sig_screening_changed.emit(None)
        return True

    def show_problem(self, exc: ValidationError) -> None:
        lines = []
        for problem in exc.problems:
            spec = settings.SPECS.get(problem.field)
            lines.append(f"{_(spec.title) if spec else problem.field}: {problem.message}")
            widgets = self.fields.get(problem.field, [])
            for widget in widgets:
                self._mark(widget, True)
            if widgets:
                widgets[0].setFocus()
            if problem.field == "countersign.rules":
                found = re.search(r"\d+", problem.message)
                if found and 0 < int(found.group()) <= self.rules_model.rowCount():
                    self.rules_table.selectRow(int(found.group()) - 1)
        self.error.setText("\n".join(lines))

    def clear_error(self) -> None:
        self.error.setText("")
        for widgets in self.fields.values():
            for widget in widgets:
                self._mark(widget, False)

    @staticmethod
    def _mark(widget: QWidget, invalid: bool) -> None:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def add_rule(self) -> None:
        row = self.rules_model.add_rule()
        index = self.rules_model.index(row, 0)
        self.rules_table.setCurrentIndex(index)
        self.rules_table.edit(index)

    def remove_rule(self) -> None:
        index = self.rules_table.currentIndex()
        if index.isValid():
            self.rules_model.remove_rule(index.row())
