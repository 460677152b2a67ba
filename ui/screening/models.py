"""The screening tables as read-only models over the service's own records.

Cells are formatted here so every view of a hit (the case tab, the name check, the new hits
after a list update) reads the same; a hit's state is coloured as the check chips are.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from app.screening.lists import EntrySummary, ListInfo, VersionInfo
from app.screening.service import DispositionRecord, HitView, RunInfo, role_label
from ui.screening.common import STATE_COLOURS, reason_label, verdict_label, when_text
from ui.table_model import Index, R, RowsTableModel

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def version_date(v: VersionInfo) -> str:
    """A version as the tables name it: the date the list states (else the import date);
    the list's name is in the row or the title already."""
    return (v.published or v.imported_at.date()).isoformat()


class StyledRowsModel(RowsTableModel[R]):
    """Rows with tooltips, colours and right-aligned numbers besides the text."""

    #: Columns whose numbers are right-aligned.
    NUMERIC: tuple[int, ...] = ()

    def tooltip(self, row: R, column: int) -> str | None:
        return None

    def colours(self, row: R, column: int) -> tuple[str, str] | None:
        """(text colour, background) of a cell, or None for the usual look; an empty
        colour leaves that one as usual."""
        return None

    def bold(self, row: R, column: int) -> bool:
        return False

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.row(index.row()), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(row)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.NUMERIC:
            return RIGHT
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            colours = self.colours(row, column)
            colour = colours[0 if role == Qt.ItemDataRole.ForegroundRole else 1] if colours \
                else ""
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.FontRole and self.bold(row, column):
            font = QFont()
            font.setBold(True)
            return font
        return None


# --- lists and versions ---------------------------------------------------------------------

class ListsModel(StyledRowsModel[ListInfo]):
    """The lists: whether screening uses each (a check box for those who manage lists) and
    its current version."""

    sig_active_toggled = Signal(int, bool)  # list id, wanted state
    ACTIVE = 1
    NUMERIC = (3, 4, 5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.may_manage = False

    def headers(self) -> tuple[str, ...]:
        return (self.tr("List"), self.tr("In use"), self.tr("Current version"),
                self.tr("Entries"), self.tr("Names"), self.tr("Versions"), self.tr("Imported"),
                self.tr("By"), self.tr("File SHA-256"))

    def cells(self, row: ListInfo) -> tuple[str, ...]:
        v = row.current
        return (row.name, "", version_date(v) if v else self.tr("no version"),
                f"{v.entry_count:,}" if v else "", f"{v.name_count:,}" if v else "",
                str(row.version_count), when_text(v.imported_at) if v else "",
                v.imported_by if v else "", f"{v.file_sha256[:12]}…" if v else "")

    def tooltip(self, row: ListInfo, column: int) -> str | None:
        v = row.current
        if column == self.ACTIVE:
            return (self.tr("Screening uses this list") if row.active
                    else self.tr("Screening leaves this list out"))
        if v is None:
            return None
        if column == 8:
            return self.tr("SHA-256 of %1: %2").replace("%1", v.file_name).replace(
                "%2", v.file_sha256)
        if column == 2:
            return self.tr("%1: version %2, from %3").replace("%1", v.label).replace(
                "%2", str(v.id)).replace("%3", v.file_name)
        return None

    def colours(self, row: ListInfo, column: int) -> tuple[str, str] | None:
        return None if row.active else ("#6b7280", "")

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == self.ACTIVE and self.may_manage:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (index.isValid() and index.column() == self.ACTIVE
                and role == Qt.ItemDataRole.CheckStateRole):
            return (Qt.CheckState.Checked if self.row(index.row()).active
                    else Qt.CheckState.Unchecked)
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A click on the check box asks the page to change the list; the model changes when
        the page reloads it from what was stored."""
        if (not index.isValid() or index.column() != self.ACTIVE or not self.may_manage
                or role != Qt.ItemDataRole.CheckStateRole):
            return False
        wanted = Qt.CheckState(value) == Qt.CheckState.Checked
        self.sig_active_toggled.emit(self.row(index.row()).id, wanted)
        return True


class VersionsModel(StyledRowsModel[VersionInfo]):
    NUMERIC = (3, 4, 5, 6)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Version of"), self.tr("Imported"), self.tr("By"), self.tr("Entries"),
                self.tr("Added"), self.tr("Removed"), self.tr("Amended"))

    def cells(self, row: VersionInfo) -> tuple[str, ...]:
        first = row.previous_id is None
        return (version_date(row), when_text(row.imported_at)[:10], row.imported_by,
                f"{row.entry_count:,}", "" if first else f"{row.added:,}",
                "" if first else f"{row.removed:,}", "" if first else f"{row.amended:,}")

    def tooltip(self, row: VersionInfo, column: int) -> str | None:
        text = self.tr("%1: %2 entries, %3 names\nImported %4 by %5\n%6\nSHA-256 %7").replace(
            "%1", row.label).replace("%2", f"{row.entry_count:,}").replace(
            "%3", f"{row.name_count:,}").replace("%4", when_text(row.imported_at)).replace(
            "%5", row.imported_by).replace("%6", row.file_name).replace("%7", row.file_sha256)
        if row.warnings:
            text += "\n\n" + "\n".join(row.warnings)
        return text


class DiffModel(StyledRowsModel[EntrySummary]):
    """Entries added, removed or amended by a version; amended ones name the fields."""

    def __init__(self, amended: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.amended = amended

    def headers(self) -> tuple[str, ...]:
        base = (self.tr("Id"), self.tr("Name"), self.tr("Kind"), self.tr("Reference"),
                self.tr("Programmes"))
        return (*base, self.tr("What changed")) if self.amended else base

    def cells(self, row: EntrySummary) -> tuple[str, ...]:
        base = (row.key, row.name, row.kind, row.reference, ", ".join(row.programmes))
        return (*base, ", ".join(field_label(f) for f in row.changed)) if self.amended else base

    def tooltip(self, row: EntrySummary, column: int) -> str | None:
        return self.cells(row)[column] or None


def field_label(name: str) -> str:
    """An entry's field as an officer reads it ('birth_dates' -> 'dates of birth')."""
    labels = {
        "name": QCoreApplication.translate("Screening", "name"),
        "kind": QCoreApplication.translate("Screening", "kind"),
        "aliases": QCoreApplication.translate("Screening", "aliases"),
        "birth_dates": QCoreApplication.translate("Screening", "dates of birth"),
        "countries": QCoreApplication.translate("Screening", "countries"),
        "programmes": QCoreApplication.translate("Screening", "programmes"),
        "reference": QCoreApplication.translate("Screening", "reference"),
        "listed_on": QCoreApplication.translate("Screening", "listing date"),
        "remarks": QCoreApplication.translate("Screening", "remarks"),
        "details": QCoreApplication.translate("Screening", "other details"),
    }
    return labels.get(name, name.replace("_", " "))


# --- hits -------------------------------------------------------------------------------------

class HitsModel(StyledRowsModel[HitView]):
    """A screening's hits: who, which entry of which list, the score and what was judged."""

    PARTY, ENTRY, LIST, SCORE, STATE = range(5)
    NUMERIC = (SCORE,)

    def __init__(self, parent: QObject | None = None, *, ad_hoc: bool = False) -> None:
        super().__init__(parent)
        #: Names checked on their own: nothing to judge, so only earlier judgements show.
        self.ad_hoc = ad_hoc

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Party"), self.tr("Listed entry"), self.tr("List"), self.tr("Score"),
                self.tr("Judged before") if self.ad_hoc else self.tr("State"))

    def cells(self, row: HitView) -> tuple[str, ...]:
        who = row.party.name
        if row.party.role:
            who = f"{role_label(row.party.role)}: {who}"
        state = row.state_label + (" · " + self.tr("NEW") if row.is_new else "")
        if self.ad_hoc and row.needs_judgement:
            state = ""
        entry = row.hit.entry_name
        if row.entry.reference:
            entry += f" ({row.entry.reference})"
        return (who, entry, row.list_name, str(row.hit.score), state)

    def tooltip(self, row: HitView, column: int) -> str | None:
        if column == self.STATE and row.disposition is not None:
            d = row.disposition
            return self.tr("%1 by %2 on %3: %4").replace("%1", verdict_label(d.verdict)) \
                .replace("%2", d.decided_by).replace("%3", when_text(d.decided_at)) \
                .replace("%4", d.reason or "—")
        if column == self.STATE and row.is_new:
            return self.tr("New since the case was last screened")
        if column == self.LIST:
            return row.version.label
        return None

    def colours(self, row: HitView, column: int) -> tuple[str, str] | None:
        if column != self.STATE or (self.ad_hoc and row.needs_judgement):
            return None
        return STATE_COLOURS.get(row.state)

    def bold(self, row: HitView, column: int) -> bool:
        return column == self.STATE and (row.is_new or row.needs_judgement)


class NewHitsModel(StyledRowsModel[tuple[str, HitView]]):
    """Hits a re-screening found that nobody has seen: the case each is on, first."""

    NUMERIC = (4,)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Case"), self.tr("Party"), self.tr("Listed entry"), self.tr("List"),
                self.tr("Score"))

    def cells(self, row: tuple[str, HitView]) -> tuple[str, ...]:
        ref, h = row
        return (ref, f"{role_label(h.party.role)}: {h.party.name}", h.hit.entry_name,
                h.list_name, str(h.hit.score))

    def tooltip(self, row: tuple[str, HitView], column: int) -> str | None:
        return "\n".join(row[1].explanation.lines()) or None


# --- history ----------------------------------------------------------------------------------

class RunsModel(StyledRowsModel[RunInfo]):
    NUMERIC = (3, 5, 6, 7)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("When"), self.tr("By"), self.tr("Why"), self.tr("Threshold"),
                self.tr("Lists"), self.tr("Hits"), self.tr("Open"), self.tr("New"))

    def cells(self, row: RunInfo) -> tuple[str, ...]:
        return (when_text(row.run_at), row.run_by, reason_label(row.reason), str(row.threshold),
                "; ".join(row.lists), str(row.hit_count), str(row.open_count),
                str(row.new_count))

    def tooltip(self, row: RunInfo, column: int) -> str | None:
        return "\n".join(row.lists) if column == 4 else None


class DispositionsModel(StyledRowsModel[DispositionRecord]):
    """Judgements, newest first; list names are looked up once by the page."""

    VERDICT = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.list_names: dict[int, str] = {}

    def headers(self) -> tuple[str, ...]:
        return (self.tr("When"), self.tr("Case"), self.tr("Party"), self.tr("Listed entry"),
                self.tr("Judgement"), self.tr("Reason"), self.tr("By"))

    def cells(self, row: DispositionRecord) -> tuple[str, ...]:
        listed = self.tr("%1 (%2, entry %3)").replace("%1", row.entry_name).replace(
            "%2", self.list_names.get(row.list_id, str(row.list_id))).replace(
            "%3", row.entry_key)
        return (when_text(row.decided_at), row.case_reference, row.party_name, listed,
                verdict_label(row.verdict), row.reason, row.decided_by)

    def tooltip(self, row: DispositionRecord, column: int) -> str | None:
        return row.reason or None if column == 5 else None

    def colours(self, row: DispositionRecord, column: int) -> tuple[str, str] | None:
        return STATE_COLOURS.get(row.verdict) if column == self.VERDICT else None
