"""Reading sanctions-list files into ``ParsedList`` (app/screening/entries.py), whatever their
format.

Lists arrive as the publishers make them (UN and OFAC XML, OFAC's legacy CSV set, the BIS
Denied Persons List) or, for other lists, in our documented generic CSV
(docs/formats/sanctions-list-csv.md). ``detect_format`` sniffs the content, so an officer
need not know which is which; ``parse_file`` reads the whole file or refuses it whole with an
``InputError`` that names the file and the line or element at fault: a list half-imported
would screen against half a list without anyone noticing.
"""

from __future__ import annotations

import csv
import re
from importlib import import_module
from pathlib import Path

from app.errors import InputError
from app.i18n import N_, _
from app.screening.entries import ParsedList


class ListFormatError(InputError):
    """A list file is not what its format says (or what any known format says); nothing was
    imported. ``problems`` holds one line per fault when several were collected."""

    def __init__(self, message: str, problems: tuple[str, ...] | list[str] = ()) -> None:
        self.problems = tuple(problems)
        super().__init__(message)


#: Format id -> human title. The ids are those of ``ParsedList.source_format`` and of the CLI's
#: ``--format``.
FORMATS: dict[str, str] = {
    "un-xml": N_("UN Security Council Consolidated List (XML)"),
    "ofac-sdn-csv": N_("OFAC SDN List, legacy CSV (sdn.csv with add.csv, alt.csv, "
                       "sdn_comments.csv)"),
    "ofac-cons-csv": N_("OFAC Consolidated (non-SDN) List, legacy CSV (cons_prim.csv with "
                        "cons_add.csv, cons_alt.csv, cons_comments.csv)"),
    "ofac-xml": N_("OFAC list in XML (sdn.xml or consolidated.xml)"),
    "bis-dpl": N_("BIS Denied Persons List (tab-separated dpl.txt)"),
    "csv": N_("Generic sanctions-list CSV (docs/formats/sanctions-list-csv.md)"),
}

#: Format id -> module of this package with ``parse(path, fmt, related) -> ParsedList``.
_MODULES = {"un-xml": "un_xml", "ofac-sdn-csv": "ofac_csv", "ofac-cons-csv": "ofac_csv",
            "ofac-xml": "ofac_xml", "bis-dpl": "bis_dpl", "csv": "generic_csv"}

_SNIFF_BYTES = 64 * 1024
#: The first element of an XML document: skips the declaration, comments, processing
#: instructions and a DOCTYPE (which the parser then refuses).
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_XML_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S)
#: The columns that make a header row our generic CSV (``kind`` too is required, but a file
#: without it should hear so from the CSV parser, not "format not recognised").
_GENERIC_COLUMNS = {"id", "name"}
#: OFAC's companion files, told apart by their number of fields, so a wrongly chosen file gets
#: a helpful refusal rather than "format not recognised".
_OFAC_COMPANIONS = {6: "address (add.csv)", 5: "alias (alt.csv)", 2: "comments"}


def _xml_root(text: str) -> str | None:
    pos = 0
    while (m := _XML_SKIP.match(text, pos)) and m.end() > pos:
        pos = m.end()
    m = _XML_ROOT.match(text[pos:].lstrip())
    return m.group(1) if m else None


def _first_record(text: str, delimiter: str = ",") -> list[str]:
    try:
        return next(csv.reader([text.split("\n", 1)[0].rstrip("\r")], delimiter=delimiter), [])
    except csv.Error:
        return []


def _column(cell: str) -> str:
    return "_".join(cell.strip().lower().replace("-", " ").split())


def is_consolidated(path: Path) -> bool:
    """OFAC's non-SDN consolidated list (cons_prim.csv, consolidated.xml) rather than the SDN
    list: the files say nothing about it, their names do."""
    name = path.name.casefold()
    return "cons" in name or "non_sdn" in name or "non-sdn" in name


def detect_format(path: Path) -> str:
    """The format id of ``path``, from its content (and, for OFAC's CSV, its name)."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError as exc:
        raise InputError(_("{file} cannot be read: {error}").format(
            file=path.name, error=exc.strerror or exc)) from exc
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if not text.strip():
        raise ListFormatError(_("{file} is empty: there is no list in it.").format(
            file=path.name))
    if text.lstrip().startswith("<"):
        root = _xml_root(text.lstrip())
        local = (root or "").rsplit(":", 1)[-1]
        if local == "CONSOLIDATED_LIST":
            return "un-xml"
        if local == "sdnList":
            return "ofac-xml"
        raise ListFormatError(_(
            "{file} is XML with the root element <{root}>, which is neither a UN consolidated "
            "list (<CONSOLIDATED_LIST>) nor an OFAC list (<sdnList>).").format(
                file=path.name, root=root or "?"))
    tabbed = [_column(c) for c in _first_record(text, "\t")]
    if tabbed[:2] == ["name", "street_address"]:
        return "bis-dpl"
    first = _first_record(text)
    if first and first[0].strip().isdigit():
        if len(first) == 12:
            return "ofac-cons-csv" if is_consolidated(path) else "ofac-sdn-csv"
        if len(first) in _OFAC_COMPANIONS:
            raise ListFormatError(_(
                "{file} looks like OFAC's {kind} file, which only completes a list: import "
                "the primary file (sdn.csv or cons_prim.csv) and keep this one beside it."
            ).format(file=path.name, kind=_OFAC_COMPANIONS[len(first)]))
    if {_column(c) for c in first} >= _GENERIC_COLUMNS:
        return "csv"
    raise ListFormatError(_(
        "{file} is not a list format Golden Rule knows ({formats}). A list in another format "
        "can be converted to the generic CSV (docs/formats/sanctions-list-csv.md).").format(
            file=path.name, formats=", ".join(FORMATS)))


def parse_file(path: Path, fmt: str | None = None, *,
               related: dict[str, Path] | None = None) -> ParsedList:
    """Read a whole list file. ``fmt`` is a key of ``FORMATS`` (detected when None);
    ``related`` gives OFAC's companion files ("add", "alt", "comments") when they are not
    beside the primary file under OFAC's names."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt not in _MODULES:
        raise InputError(_("Unknown list format '{fmt}': the formats are {formats}.").format(
            fmt=fmt, formats=", ".join(FORMATS)))
    module = import_module(f"{__name__}.{_MODULES[fmt]}")
    parsed: ParsedList = module.parse(path, fmt, related or {})
    return parsed


__all__ = ["FORMATS", "ListFormatError", "detect_format", "is_consolidated", "parse_file"]
