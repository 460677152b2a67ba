"""An oversight report as the renderers see it: tables, charts and the statements about
method and redaction, already computed and redacted.

The app layer (``app/oversight``) builds it from the signed decision records; the Excel,
PDF and CSV writers and the Reports window only lay it out, so all four show the same
figures and the same "what was withheld" statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

ColumnKind = Literal["text", "int", "money", "date", "percent", "number"]


@dataclass(frozen=True)
class Withheld:
    """A cell whose value is withheld under the redaction profile; ``reason`` is short
    ("fewer than 3 licences", "commercially confidential")."""

    reason: str

    def __str__(self) -> str:
        return "[withheld]"


#: A cell: text, a whole number, an exact amount, a date, a share (0..1), or withheld.
Cell = str | int | Decimal | float | date | Withheld | None


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: ColumnKind = "text"
    #: Currency of a "money" column ("EUR", "GBP"), shown in headers and formats.
    unit: str = ""


@dataclass
class Table:
    id: str                          # "coarm", "register", "uk-destinations" (a sheet name)
    title: str
    columns: list[Column]
    rows: list[tuple[Cell, ...]]
    #: A final row of totals, or None; same width as ``columns``.
    totals: tuple[Cell, ...] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    kind: Literal["bar", "line"]
    categories: list[str]
    #: (series name, one value per category)
    series: list[tuple[str, list[float]]]
    y_title: str = ""


@dataclass
class OversightReport:
    profile: str                     # "att", "eu-coarm", "uk-stats", "register"
    title: str                       # "EU annual report (COARM) table"
    period_from: date
    period_to: date
    authority: str
    redaction: str                   # profile id, "none" for the unredacted form
    redaction_title: str
    generated_at: datetime
    generated_by: str                # "Sam Supervisor (supervisor)"
    classification: str              # marking for the unredacted form; "" for publication
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    #: How the figures were computed (basis, currency conversion, what counts as a licence).
    method: list[str] = field(default_factory=list)
    #: What the redaction withheld, one statement per field or rule; empty when nothing was.
    withheld: list[str] = field(default_factory=list)
    #: True when the period holds no reportable transfer (ATT nil report).
    nil: bool = False
    #: Decisions, licences or rows the report counted, for the notes and the audit event.
    counted: int = 0
