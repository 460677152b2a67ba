"""The add and edit form for an evidence item. Every change re-runs the application-layer
validation and marks the fields at fault; saving an edit adds a new version, the earlier
one stays (assessments cite the version they saw)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import evidence
from app.errors import FieldProblem, GoldenRuleError, ValidationError
from app.evidence import (
    Attachment,
    EvidenceData,
    EvidenceRecord,
    NewEvidence,
    normalise,
    validate_evidence,
)
from app.evidence_vocab import EvidenceVocabulary, vocabulary
from ui.context import UiContext
from ui.widgets.country_picker import CountryPicker
from ui.widgets.date_field import OptionalDateField

CATEGORIES = [f"ML{n}" for n in range(1, 23)]


def checkable_list(entries: list[tuple[str, str, str]], name: str) -> QListWidget:
    """A list of (value, text, group) with a check box each; a group starts a heading."""
    widget = QListWidget()
    widget.setObjectName(name)
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setTextElideMode(Qt.TextElideMode.ElideRight)
    group = None
    for value, text, entry_group in entries:
        if entry_group and entry_group != group:
            group = entry_group
            heading = QListWidgetItem(entry_group)
            heading.setFlags(Qt.ItemFlag.NoItemFlags)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            widget.addItem(heading)
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                      | Qt.ItemFlag.ItemIsSelectable)
        item.setCheckState(Qt.CheckState.Unchecked)
        item.setToolTip(text)
        widget.addItem(item)
    return widget


def checked_values(widget: QListWidget) -> list[str]:
    return [item.data(Qt.ItemDataRole.UserRole) for n in range(widget.count())
            if (item := widget.item(n)).data(Qt.ItemDataRole.UserRole) is not None
            and item.checkState() == Qt.CheckState.Checked]


def set_checked_values(widget: QListWidget, values: list[str]) -> None:
    wanted = set(values)
    for n in range(widget.count()):
        item = widget.item(n)
        value = item.data(Qt.ItemDataRole.UserRole)
        if value is not None:
            item.setCheckState(Qt.CheckState.Checked if value in wanted
                               else Qt.CheckState.Unchecked)


def split_codes(text: str) -> list[str]:
    return [part.strip().upper() for part in text.replace(";", ",").split(",") if part.strip()]


def grade_combo(terms: dict[str, object], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for key, term in terms.items():
        combo.addItem(f"{key} — {getattr(term, 'title', key)}", key)
    return combo


class EvidenceForm(QDialog):
    """Add (``record`` is None) or edit (a new version of ``record``)."""

    def __init__(self, ctx: UiContext, record: EvidenceRecord | None = None,
                 parent: QWidget | None = None, vocab: EvidenceVocabulary | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("evidenceForm")
        self.ctx = ctx
        self.record = record
        self.vocab = vocab or vocabulary()
        self.item_id: int | None = None
        self.duplicate_of: int | None = None
        self.attachment: Attachment | None = None
        self._touched = False
        self._loading = False
        self._problems: list[FieldProblem] = []
        if record is None:
            self.setWindowTitle(self.tr("Add evidence"))
        else:
            self.setWindowTitle(self.tr("Edit evidence item #%1 — saving creates version %2")
                                .replace("%1", str(record.id))
                                .replace("%2", str(record.version_no + 1)))
        self.resize(1080, 780)
        self._build()
        self._show(record.data if record else EvidenceData(
            title="", source_kind="ngo", reliability="B", credibility="2"))

    # construction -----------------------------------------------------------------------
    def _build(self) -> None:
        vocab, ref = self.vocab, self.ctx.ref
        heading = QLabel(self.windowTitle())
        heading.setObjectName("pageTitle")
        intro = QLabel(self.tr(
            "An edit never overwrites: it adds a version, and assessments keep citing the "
            "version the officer saw.") if self.record else self.tr(
            "Record what a credible body found. Grade the source and the information "
            "separately."))
        intro.setObjectName("muted")
        intro.setWordWrap(True)

        self.problems_label = QLabel()
        self.problems_label.setObjectName("problems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)
        self.problems_label.hide()

        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(self.tr("What the document is, in one line"))
        self.publisher = QLineEdit()
        self.publisher.setPlaceholderText(self.tr("e.g. UN Panel of Experts on South Sudan"))
        self.source_kind = QComboBox()
        for term in vocab.source_kinds.values():
            self.source_kind.addItem(term.title, term.id)
        self.document_ref = QLineEdit()
        self.document_ref.setPlaceholderText(self.tr("e.g. S/2024/123, para. 41"))
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://")
        self.reliability = grade_combo(vocab.reliability, "reliability")
        self.reliability.setToolTip(self.tr("Source reliability: how far the source has "
                                            "proved reliable"))
        self.credibility = grade_combo(vocab.credibility, "credibility")
        self.credibility.setToolTip(self.tr("Information credibility: how far this "
                                            "information is confirmed"))
        grade_row = QHBoxLayout()
        grade_row.addWidget(self.reliability, 1)
        grade_row.addWidget(self.credibility, 1)
        self.published_on = OptionalDateField()
        self.published_on.setMaximumWidth(170)
        self.events_from = OptionalDateField()
        self.events_to = OptionalDateField()
        events_row = QHBoxLayout()
        events_row.addWidget(self.events_from)
        events_row.addWidget(QLabel(self.tr("to")))
        events_row.addWidget(self.events_to)
        events_row.addStretch(1)
        self.countries = QLineEdit()
        self.countries.setObjectName("countriesEdit")
        self.countries.setPlaceholderText(self.tr("ISO codes, comma-separated: SS, SD"))
        self.country_picker = CountryPicker(ref)
        self.country_picker.setMinimumWidth(200)
        self.country_picker.setToolTip(self.tr("Pick a country to add its code"))
        self.country_picker.activated.connect(self._on_country_picked)
        countries_row = QHBoxLayout()
        countries_row.addWidget(self.countries, 1)
        countries_row.addWidget(self.country_picker)
        self.places = QLineEdit()
        self.places.setPlaceholderText(self.tr("Towns, regions, facilities"))
        self.actors = QPlainTextEdit()
        self.actors.setPlaceholderText(self.tr("One per line: units, armed groups, named "
                                               "persons"))
        self.actors.setFixedHeight(64)

        source_box = QGroupBox(self.tr("Source and grade"))
        form = QFormLayout(source_box)
        form.addRow(self.tr("&Title"), self.title_edit)
        form.addRow(self.tr("Publisher"), self.publisher)
        form.addRow(self.tr("Kind of source"), self.source_kind)
        form.addRow(self.tr("Document ref."), self.document_ref)
        form.addRow(self.tr("Web address"), self.url)
        form.addRow(self.tr("Grade"), grade_row)
        form.addRow(self.tr("Published"), self.published_on)
        what_box = QGroupBox(self.tr("Where, when and who"))
        form = QFormLayout(what_box)
        form.addRow(self.tr("Events"), events_row)
        form.addRow(self.tr("Countries"), countries_row)
        form.addRow(self.tr("Places"), self.places)
        form.addRow(self.tr("Actors"), self.actors)

        self.violations = checkable_list(
            [(t.id, t.title, t.group) for t in vocab.violations.values()], "violationsList")
        self.categories = checkable_list(
            [(c, f"{c} — {ref.control_categories[c].title}" if c in ref.control_categories
              else c, "") for c in CATEGORIES], "categoriesList")
        self.violations_box = QGroupBox()
        QVBoxLayout(self.violations_box).addWidget(self.violations)
        self.categories_box = QGroupBox()
        QVBoxLayout(self.categories_box).addWidget(self.categories)

        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText(self.tr("What the source found, in your own words"))
        self.full_text = QPlainTextEdit()
        self.full_text.setPlaceholderText(self.tr("The document's text, for search"))
        texts = QTabWidget()
        texts.setDocumentMode(True)
        texts.addTab(self.summary, self.tr("Summary"))
        texts.addTab(self.full_text, self.tr("Full text"))

        self.attachment_label = QLabel(self.tr("No original file attached"))
        self.attachment_label.setObjectName("muted")
        self.attach_button = QPushButton(self.tr("Attach original…"))
        self.attach_button.clicked.connect(self._on_attach_clicked)
        attach_row = QHBoxLayout()
        attach_row.addWidget(self.attachment_label, 1)
        attach_row.addWidget(self.attach_button)
        if self.record is not None:
            att = self.record.attachment
            self.attachment_label.setText(
                self.tr("Original file: %1 (kept unchanged)").replace("%1", att.name)
                if att else self.tr("No original file"))
            self.attach_button.hide()

        left = QVBoxLayout()
        left.addWidget(source_box)
        left.addWidget(what_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.violations_box, 3)
        right.addWidget(self.categories_box, 2)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            self.tr("Add to evidence base") if self.record is None
            else self.tr("Save as version %1").replace("%1", str(self.record.version_no + 1)),
            QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.problems_label)
        layout.addLayout(columns, 3)
        layout.addWidget(texts, 2)
        layout.addLayout(attach_row)
        layout.addWidget(self.buttons)

        self._fields: dict[str, QWidget] = {
            "title": self.title_edit, "source_kind": self.source_kind,
            "reliability": self.reliability, "credibility": self.credibility,
            "countries": self.countries, "violations": self.violations,
            "item_categories": self.categories, "events_to": self.events_to,
            "url": self.url, "published_on": self.published_on,
            "events_from": self.events_from,
        }
        for line in (self.title_edit, self.publisher, self.document_ref, self.url,
                     self.countries, self.places):
            line.textChanged.connect(self._on_changed)
        for text in (self.actors, self.summary, self.full_text):
            text.textChanged.connect(self._on_changed)
        for combo in (self.source_kind, self.reliability, self.credibility):
            combo.currentIndexChanged.connect(self._on_changed)
        for field in (self.published_on, self.events_from, self.events_to):
            field.sig_date_changed.connect(self._on_changed)
        for lst in (self.violations, self.categories):
            lst.itemChanged.connect(self._on_changed)

    # data ---------------------------------------------------------------------------------
    def _show(self, d: EvidenceData) -> None:
        self._loading = True
        try:
            self.title_edit.setText(d.title)
            self.publisher.setText(d.publisher)
            self._set_combo(self.source_kind, d.source_kind)
            self._set_combo(self.reliability, d.reliability)
            self._set_combo(self.credibility, d.credibility)
            self.document_ref.setText(d.document_ref)
            self.url.setText(d.url)
            self.published_on.set_value(d.published_on)
            self.events_from.set_value(d.events_from)
            self.events_to.set_value(d.events_to)
            self.countries.setText(", ".join(d.countries))
            self.places.setText(d.places)
            self.actors.setPlainText("\n".join(d.actors))
            set_checked_values(self.violations, d.violations)
            set_checked_values(self.categories, d.item_categories)
            self.summary.setPlainText(d.summary)
            self.full_text.setPlainText(d.full_text)
        finally:
            self._loading = False
        self._touched = False
        self._revalidate()

    @staticmethod
    def _set_combo(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        if index < 0 and value:
            combo.addItem(value, value)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))

    def current_data(self) -> EvidenceData:
        return EvidenceData(
            title=self.title_edit.text(), source_kind=self.source_kind.currentData() or "",
            reliability=self.reliability.currentData() or "",
            credibility=self.credibility.currentData() or "",
            publisher=self.publisher.text(), document_ref=self.document_ref.text(),
            url=self.url.text(), published_on=self.published_on.value(),
            events_from=self.events_from.value(), events_to=self.events_to.value(),
            countries=split_codes(self.countries.text()), places=self.places.text(),
            actors=[a for a in self.actors.toPlainText().splitlines() if a.strip()],
            violations=checked_values(self.violations),
            item_categories=checked_values(self.categories),
            summary=self.summary.toPlainText(), full_text=self.full_text.toPlainText())

    # validation ---------------------------------------------------------------------------
    def _on_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._touched = True
        self._revalidate()

    def _field_labels(self) -> dict[str, str]:
        return {"title": self.tr("Title"), "source_kind": self.tr("Kind of source"),
                "reliability": self.tr("Reliability"), "credibility": self.tr("Credibility"),
                "countries": self.tr("Countries"), "violations": self.tr("Violations"),
                "item_categories": self.tr("Items involved"), "events_to": self.tr("Events"),
                "url": self.tr("Web address")}

    def problems(self) -> list[FieldProblem]:
        return list(self._problems)

    def _revalidate(self, show_all: bool = False) -> list[FieldProblem]:
        data = normalise(self.current_data())
        self.violations_box.setTitle(self.tr("Violations found (%1 ticked)").replace(
            "%1", str(len(data.violations))))
        self.categories_box.setTitle(self.tr("Kinds of items involved, Military List "
                                             "(%1 ticked)").replace(
            "%1", str(len(data.item_categories))))
        self._problems = validate_evidence(data, self.vocab, self.ctx.ref)
        shown = self._problems if (self._touched or show_all) else [
            p for p in self._problems if p.field != "title"]
        by_field: dict[str, list[str]] = {}
        for p in shown:
            by_field.setdefault(p.field.split("[", 1)[0], []).append(p.message)
        for name, widget in self._fields.items():
            messages = by_field.get(name)
            widget.setProperty("invalid", bool(messages))
            widget.setToolTip("\n".join(messages) if messages else "")
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        if shown:
            labels = self._field_labels()
            items = "".join(
                f"<li><b>{labels.get(p.field.split('[', 1)[0], p.field)}</b>: "
                f"{p.message}</li>" for p in shown[:6])
            self.problems_label.setText(f"<b>{self.tr('To fix before saving:')}</b>"
                                        f"<ul style='margin:2px'>{items}</ul>")
            self.problems_label.show()
        else:
            self.problems_label.hide()
        return self._problems

    # attachment -------------------------------------------------------------------------
    def ask_attachment_path(self) -> str | None:
        """Overridable in tests: the original file to keep with a new item."""
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Attach the original file"),
                                                    str(Path.home()))
        return path or None

    def _on_attach_clicked(self) -> None:
        path = self.ask_attachment_path()
        if path:
            self.attach_file(Path(path))

    def attach_file(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._show_error(GoldenRuleError(str(exc)))
            return
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.attachment = Attachment(path.name, media_type, data)
        self.attachment_label.setText(self.tr("Original file: %1 (%2 bytes)")
                                      .replace("%1", path.name).replace("%2", f"{len(data):,}"))

    def _on_country_picked(self, _index: int) -> None:
        code = self.country_picker.code()
        if not code:
            return
        codes = split_codes(self.countries.text())
        if code not in codes:
            codes.append(code)
            self.countries.setText(", ".join(codes))
        self.country_picker.setCurrentIndex(0)

    # saving -------------------------------------------------------------------------------
    def _show_error(self, exc: GoldenRuleError) -> None:
        lines = ([str(p) for p in exc.problems] if isinstance(exc, ValidationError)
                 else [str(exc)])
        self.problems_label.setText("<br>".join(lines))
        self.problems_label.show()

    def save(self) -> bool:
        """Validate; if clean, add the item or store the new version and close."""
        self._touched = True
        if self._revalidate(show_all=True):
            return False
        data = self.current_data()
        try:
            with self.ctx.uow() as uow:
                if self.record is None:
                    result = evidence.store_batch(
                        uow, self.ctx.actor, [NewEvidence(data, self.attachment,
                                                          self.tr("the item"))],
                        source="form")
                    if result.added:
                        self.item_id = result.added[0]
                    else:  # the same content is already stored: say so, point to it
                        self.item_id = self.duplicate_of = result.duplicates[0][1]
                else:
                    evidence.edit_evidence(uow, self.ctx.actor, self.record.id, data,
                                           expected_version=self.record.row_version)
                    self.item_id = self.record.id
        except GoldenRuleError as exc:
            self._show_error(exc)
            return False
        self.accept()
        return True
