"""Our generic CSV for every other list (EU, UK, national lists, a ministry's own watch list):
docs/formats/sanctions-list-csv.md.

It is the format an administrator converts a list into, so it is strict: every row is checked
before anything is kept, and any problem (a missing id, an unknown kind, a date that is not
a date) rejects the whole file with up to 50 problems, each naming the file, the line and
the column. Columns we do not know are kept in the entries' details rather than refused, so
a converter can carry a list's extra fields along.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from app.csv_text import read_utf8
from app.i18n import _
from app.screening.entries import KINDS, STRONG, WEAK, Alias, ListEntry, ParsedList
from app.screening.parsers import ListFormatError
from app.screening.parsers._common import UNRESOLVED, clean, country_code, iso_date, unique

COLUMNS = ("id", "name", "kind", "aliases", "birth_dates", "countries", "programmes",
           "reference", "listed_on", "remarks", "addresses")
REQUIRED = ("id", "name", "kind")
SEPARATOR = ";"
WEAK_MARK = "~"
MAX_PROBLEMS = 50
_BIRTH = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_RANGE = re.compile(r"^(\d{4})/(\d{4})$")


def _column(cell: str) -> str:
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _split(text: str) -> list[str]:
    return [v for v in (clean(p) for p in text.split(SEPARATOR)) if v]


def birth_date(text: str) -> str | None:
    """``text`` if it is YYYY, YYYY-MM, YYYY-MM-DD (a calendar date) or YYYY/YYYY (in order)."""
    if m := _RANGE.match(text):
        return text if m.group(1) < m.group(2) else None
    m = _BIRTH.match(text)
    if not m:
        return None
    if m.group(3):
        return iso_date(text)
    if m.group(2):
        return text if 1 <= int(m.group(2)) <= 12 else None
    return text


class _Problems:
    def __init__(self, label: str) -> None:
        self.label = label
        self.lines: list[str] = []

    def add(self, line: int, column: str, message: str) -> None:
        where = _("{file} line {line}").format(file=self.label, line=line)
        self.lines.append(f"{where}: {column}: {message}" if column else f"{where}: {message}")

    def raise_if_any(self) -> None:
        if not self.lines:
            return
        shown = self.lines[:MAX_PROBLEMS]
        if len(self.lines) > MAX_PROBLEMS:
            shown.append(_("… and {n} more problems").format(n=len(self.lines) - MAX_PROBLEMS))
        head = _("Nothing was imported: {n} problems").format(n=len(self.lines)) \
            if len(self.lines) > 1 else _("Nothing was imported")
        text = head + (":\n" + "\n".join(f"  - {p}" for p in shown) if len(shown) > 1
                       else ": " + shown[0])
        raise ListFormatError(text, shown)


def parse(path: Path, fmt: str = "csv", related: dict[str, Path] | None = None) -> ParsedList:
    """Every row of a generic sanctions-list CSV, or nothing."""
    label, _raw, text = read_utf8(path)
    label = path.name
    problems = _Problems(label)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    written_header: list[str] = []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                written_header = [clean(c) for c in cells]
                header = [_column(c) for c in cells]
            elif any(c.strip() for c in cells):
                rows.append((line, cells))
    except csv.Error as exc:
        raise ListFormatError(_("Nothing was imported: {file} line {line}: not readable as "
                                "CSV: {error}").format(file=label, line=start, error=exc)
                              ) from exc
    if not header or not any(header):
        raise ListFormatError(_("Nothing was imported: {file} is empty: it must start with a "
                                "header row ({columns}).").format(file=label,
                                                                   columns=",".join(COLUMNS)))
    seen_columns: set[str] = set()
    for name in header:
        if name and name in seen_columns:
            problems.add(1, name, _("the column appears twice"))
        seen_columns.add(name)
    missing = [c for c in REQUIRED if c not in seen_columns]
    if missing:
        problems.add(1, "", _("missing required column(s): {names} (the columns are: "
                              "{known})").format(names=", ".join(missing),
                                                 known=", ".join(COLUMNS)))
    problems.raise_if_any()

    warnings: list[str] = []
    entries: list[ListEntry] = []
    ids: dict[str, int] = {}
    for line, cells in rows:
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            problems.add(line, "", _("{n} values, but the header row has {columns} columns"
                                     ).format(n=len(cells), columns=len(header)))
            continue
        values: dict[str, str] = {}
        extras: dict[str, list[str]] = {}
        for i, cell in enumerate(cells[:len(header)]):
            if header[i] in COLUMNS:
                values[header[i]] = cell
            elif written_header[i] and clean(cell):
                extras[written_header[i]] = [clean(cell)]

        key = clean(values.get("id"))
        if not key:
            problems.add(line, "id", _("a value is required"))
        elif key in ids:
            problems.add(line, "id", _("'{id}' is already the id of line {first}; each entry "
                                       "needs its own").format(id=key, first=ids[key]))
        else:
            ids[key] = line
        name = clean(values.get("name"))
        if not name:
            problems.add(line, "name", _("a value is required"))
        kind = clean(values.get("kind")).casefold()
        if kind not in KINDS:
            problems.add(line, "kind", _("'{value}' is not one of {kinds}").format(
                value=clean(values.get("kind")), kinds=", ".join(KINDS)) if kind
                else _("a value is required ({kinds})").format(kinds=", ".join(KINDS)))

        aliases: list[Alias] = []
        for text_ in _split(values.get("aliases", "")):
            weak = text_.startswith(WEAK_MARK)
            alias = clean(text_[1:]) if weak else text_
            if alias:
                aliases.append(Alias(alias, WEAK if weak else STRONG))
        births: list[str] = []
        for text_ in _split(values.get("birth_dates", "")):
            value = birth_date(text_)
            if value is None:
                problems.add(line, "birth_dates", _(
                    "'{value}' is not YYYY, YYYY-MM, YYYY-MM-DD or YYYY/YYYY").format(
                        value=text_))
            else:
                births.append(value)
        countries: list[str] = []
        unresolved: list[str] = []
        for text_ in _split(values.get("countries", "")):
            code = country_code(text_)
            if code:
                countries.append(code)
            elif len(text_) <= 3:
                problems.add(line, "countries", _(
                    "'{value}' is not an ISO 3166-1 country code").format(value=text_))
            else:
                unresolved.append(text_)
        if unresolved:
            warnings.append(_("{file} line {line}: countries: {names} not recognised; kept "
                              "under '{label}'.").format(file=label, line=line,
                                                         names=", ".join(unresolved),
                                                         label=UNRESOLVED))
        listed = clean(values.get("listed_on"))
        listed_on = iso_date(listed) if len(listed) == 10 else None
        if listed and not listed_on:
            problems.add(line, "listed_on", _("'{value}' is not a calendar date (YYYY-MM-DD)"
                                              ).format(value=listed))
        elif listed_on and date.fromisoformat(listed_on) > date.today():
            problems.add(line, "listed_on", _("{value} is in the future").format(value=listed))

        details: dict[str, list[str]] = {}
        addresses = _split(values.get("addresses", ""))
        if addresses:
            details["Addresses"] = list(unique(addresses))
        details.update(extras)
        if unresolved:
            details[UNRESOLVED] = list(unique(unresolved))
        entries.append(ListEntry(
            key=key, kind=kind, name=name, aliases=tuple(aliases), birth_dates=unique(births),
            countries=unique(countries), programmes=unique(_split(values.get("programmes", ""))),
            reference=clean(values.get("reference")), listed_on=listed_on or "",
            remarks=values.get("remarks", "").strip(), details=details))
    problems.raise_if_any()
    if not entries:
        raise ListFormatError(_("Nothing was imported: {file} has a header row but no entries."
                                ).format(file=label))
    return ParsedList(source_format="csv", title=path.stem, published=None,
                      entries=tuple(entries), warnings=tuple(warnings))
