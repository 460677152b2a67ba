"""The US Commerce (BIS) Denied Persons List as BIS publishes it: dpl.txt, tab-separated,
quoted, with the header Name, Street_Address, City, State, Country, Postal_Code,
Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action, FR_Citation.

One row is one denial order at one address, so a person with three addresses is three rows,
and the list has no ids: an entry's key is the first 16 hex digits of the SHA-256 of its
name and address, which stays the same from one edition to the next while the row does. BIS
does not say whether a party is a person or a firm, so every entry is an "entity" (the
matcher treats kinds loosely for this list). The real file holds typo dates (Last_Update
2922-09-01, 3017-08-22), names with leading spaces and misplaced columns: a date that is
impossible is a warning, never a failure, and expired orders are kept, marked as such, since
a denial that ran out last month is still worth seeing beside an application.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from pathlib import Path

from app.csv_text import read_utf8
from app.i18n import _
from app.screening.entries import ListEntry, ParsedList
from app.screening.parsers import ListFormatError
from app.screening.parsers._common import Details, clean, iso_date, join_parts, us_date

TITLE = "BIS Denied Persons List"
COLUMNS = ("name", "street_address", "city", "state", "country", "postal_code",
           "effective_date", "expiration_date", "standard_order", "last_update", "action",
           "fr_citation")


def _column(cell: str) -> str:
    return "_".join(cell.strip().lower().replace("-", " ").split())


def entry_key(values: dict[str, str]) -> str:
    """Stable id of a row: its name and address, whitespace and case ignored."""
    parts = [clean(values.get(c, "")).casefold()
             for c in ("name", "street_address", "city", "state", "country", "postal_code")]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _date(values: dict[str, str], column: str, where: str, warnings: list[str],
          today: date) -> date | None:
    written = clean(values.get(column, ""))
    if not written:
        return None
    day = us_date(written)
    if day is None:
        iso = iso_date(written)
        day = date.fromisoformat(iso) if iso and len(written) == 10 else None
    if day is None:
        warnings.append(_("{where}: {column} '{value}' is not a date; left out.").format(
            where=where, column=column, value=written))
    elif column != "expiration_date" and day > today:
        warnings.append(_("{where}: {column} {value} is in the future (a typo in BIS's "
                          "file?); kept as written.").format(where=where, column=column,
                                                             value=written))
    return day


def parse(path: Path, fmt: str = "bis-dpl", related: dict[str, Path] | None = None, *,
          today: date | None = None) -> ParsedList:
    """Every row of a Denied Persons List file, one entry each."""
    today = today or date.today()
    label, _raw, text = read_utf8(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    warnings: list[str] = []
    entries: list[ListEntry] = []
    header: list[str] | None = None
    seen: dict[str, int] = {}
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [_column(c) for c in cells]
                missing = [c for c in ("name", "street_address") if c not in header]
                if missing:
                    raise ListFormatError(_(
                        "{file} line 1: the header has no {columns} column: this is not a "
                        "Denied Persons List file.").format(file=path.name,
                                                             columns=", ".join(missing)))
                continue
            if len(cells) != len(header):
                raise ListFormatError(_(
                    "{file} line {line}: {n} fields where the header has {columns}: the file is "
                    "damaged.").format(file=path.name, line=line, n=len(cells),
                                       columns=len(header)))
            values = dict(zip(header, cells, strict=True))
            where = _("{file} line {line}").format(file=path.name, line=line)
            name = clean(values.get("name"))
            if not name:
                warnings.append(_("{where}: no name; the row was left out.").format(
                    where=where))
                continue
            key = entry_key(values)
            if key in seen:
                warnings.append(_("{where} repeats line {first} (same name and address); kept "
                                  "as a separate entry.").format(where=where, first=seen[key]))
                n = 2
                while f"{key}-{n}" in seen:
                    n += 1
                key = f"{key}-{n}"
            seen[key] = line
            details = Details()
            details.country(values.get("country"))
            details.add("Addresses", join_parts(
                values.get("street_address"), values.get("city"), values.get("state"),
                values.get("postal_code"), values.get("country")))
            effective = _date(values, "effective_date", where, warnings, today)
            expires = _date(values, "expiration_date", where, warnings, today)
            updated = _date(values, "last_update", where, warnings, today)
            if expires is not None:
                details.add("Order expires", expires.isoformat())
                if expires < today:
                    details.add("Order status", _("expired on {date}; kept for reference").format(
                        date=expires.isoformat()))
            details.add("Last updated", updated.isoformat() if updated
                        else values.get("last_update"))
            details.add("Standard order", clean(values.get("standard_order")).upper())
            details.add("Action", values.get("action"))
            details.add("Federal Register", values.get("fr_citation"))
            entries.append(ListEntry(
                key=key, kind="entity", name=name, countries=tuple(details.countries),
                listed_on=effective.isoformat() if effective else "",
                details=details.as_dict()))
    except csv.Error as exc:
        raise ListFormatError(_("{file} line {line}: not readable as tab-separated text: "
                                "{error}").format(file=label, line=start, error=exc)) from exc
    if header is None:
        raise ListFormatError(_("{file} is empty.").format(file=path.name))
    return ParsedList(source_format="bis-dpl", title=TITLE, published=None,
                      entries=tuple(entries), warnings=tuple(warnings))
