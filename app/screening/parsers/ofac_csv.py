"""OFAC's legacy CSV set: the SDN list (sdn.csv, add.csv, alt.csv, sdn_comments.csv) and the
Consolidated non-SDN list (cons_prim.csv, cons_add.csv, cons_alt.csv, cons_comments.csv).

The primary file has 12 columns and no header (ent_num, SDN_Name, SDN_Type, Program, Title,
Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks); "-0-" means empty,
programmes are joined "A] [B", lines end CRLF and the file ends with a 0x1A (DOS end of
file) byte. The companions join on ent_num: addresses, aliases, and the rest of Remarks
that OFAC cuts at 1000 characters.

Much of an entry lives in Remarks as "DOB 31 Aug 1960; POB ...; nationality Iran; a.k.a.
'X'": dates of birth and nationalities are taken out of it (the remarks are kept whole).
OFAC's *weak* aliases are only there: alt.csv holds the strong ones, and every quoted
"a.k.a. 'X'" in Remarks is a weak alias in OFAC's XML of the same list. They are read as
weak aliases, so a short acronym ("VEB") cannot alone make a strong hit.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from app.csv_text import read_utf8
from app.i18n import _
from app.screening.entries import STRONG, WEAK, Alias, ListEntry, ParsedList
from app.screening.parsers import ListFormatError, is_consolidated
from app.screening.parsers._common import Details, clean, join_parts, ofac_birth_date, unique

TITLES = {"ofac-sdn-csv": "OFAC Specially Designated Nationals (SDN) List",
          "ofac-cons-csv": "OFAC Consolidated (non-SDN) List"}
NULL = "-0-"
PRIMARY_FIELDS = 12
#: Companion -> number of fields per line.
COMPANIONS = {"add": 6, "alt": 5, "comments": 2}
_KINDS = {"": "entity", "individual": "individual", "vessel": "vessel",
          "aircraft": "aircraft"}
#: alt_type -> (quality, note).
_ALT_TYPES = {"aka": (STRONG, "a.k.a."), "fka": (STRONG, "f.k.a."), "nka": (STRONG, "n.k.a."),
              "weak aka": (WEAK, "weak a.k.a."), "weak": (WEAK, "weak a.k.a."),
              "weak fka": (WEAK, "weak f.k.a.")}
_REMARK_ALIAS = re.compile(r"^([afn])\.k\.a\.,?\s+'(.*)'$", re.S)
_REMARK_DOB = re.compile(r"^(?:alt\.\s+)?DOB\s+(.+)$", re.S)
_REMARK_NATION = re.compile(r"^(?:alt\.\s+)?(?:nationality|citizen)\s+(.+)$", re.S)
_REMARK_POB = re.compile(r"^(?:alt\.\s+)?POB\s+(.+)$", re.S)
_REMARK_LINK = re.compile(r"^Linked To:\s+(.+)$", re.S)


def _value(cell: str) -> str:
    text = clean(cell)
    return "" if text == NULL else text


def _records(path: Path, fields: int, what: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every record, the 0x1A trailer and blank lines skipped."""
    label, _raw, text = read_utf8(path)
    text = text.rstrip("\x1a\r\n \t")
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells) and cells != ["\x1a"]:
                if len(cells) != fields:
                    raise ListFormatError(_(
                        "{file} line {line}: {n} fields where an OFAC {what} line has "
                        "{fields}: the file is damaged or is not the file it should be."
                        ).format(file=path.name, line=start, n=len(cells), what=what,
                                 fields=fields))
                if not cells[0].strip().isdigit():
                    raise ListFormatError(_(
                        "{file} line {line}: the first field '{value}' is not an OFAC entry "
                        "number.").format(file=path.name, line=start, value=cells[0][:40]))
                yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ListFormatError(_("{file} line {line}: not readable as CSV: {error}").format(
            file=label, line=start, error=exc)) from exc


def companion_paths(path: Path, related: dict[str, Path]) -> dict[str, Path | None]:
    """Each companion file: given in ``related``, else beside ``path`` under OFAC's names
    (cons_prim.csv -> cons_add.csv...; sdn.csv -> add.csv, alt.csv, sdn_comments.csv),
    matched ignoring case."""
    name = path.name
    lower = name.casefold()
    try:
        siblings = {p.name.casefold(): p for p in path.parent.iterdir() if p.is_file()}
    except OSError:
        siblings = {}
    out: dict[str, Path | None] = {}
    for part in COMPANIONS:
        if part in related:
            out[part] = Path(related[part])
            continue
        candidates: list[str] = []
        if "prim" in lower:
            i = lower.rindex("prim")
            candidates.append(lower[:i] + part + lower[i + 4:])
        elif "sdn" in lower:
            i = lower.rindex("sdn")
            if part == "comments":
                candidates.append(lower[:i] + "sdn_comments" + lower[i + 3:])
                candidates.append(f"{path.stem.casefold()}_comments{path.suffix.casefold()}")
            else:
                candidates.append(lower[:i] + part + lower[i + 3:])
        out[part] = next((siblings[c] for c in candidates if c in siblings), None)
    return out


def _remarks_facts(remarks: str, details: Details, aliases: list[Alias],
                   births: list[str]) -> None:
    """Dates of birth, nationalities, places of birth, links and weak aliases out of OFAC's
    "; "-separated Remarks. Never raises: what is not understood stays in the remarks."""
    for part in remarks.split(";"):
        seg = part.strip().rstrip(".").strip()
        if m := _REMARK_ALIAS.match(seg):
            name = clean(m.group(2))
            if name:
                aliases.append(Alias(name, WEAK, f"{m.group(1)}.k.a. (weak)"))
        elif m := _REMARK_DOB.match(seg):
            day = ofac_birth_date(m.group(1))
            if day:
                births.append(day)
        elif m := _REMARK_NATION.match(seg):
            details.country(m.group(1))
        elif m := _REMARK_POB.match(seg):
            details.add("Places of birth", m.group(1))
        elif m := _REMARK_LINK.match(seg):
            details.add("Linked to", m.group(1))


def parse(path: Path, fmt: str = "", related: dict[str, Path] | None = None) -> ParsedList:
    """The primary file and whatever companions are found, joined on ent_num."""
    if fmt not in TITLES:
        fmt = "ofac-cons-csv" if is_consolidated(path) else "ofac-sdn-csv"
    warnings: list[str] = []
    primary: dict[str, tuple[int, list[str]]] = {}
    for line, cells in _records(path, PRIMARY_FIELDS, _("primary record")):
        key = cells[0].strip()
        if key in primary:
            raise ListFormatError(_("{file} line {line}: entry number {key} was already used "
                                    "on line {first}.").format(
                file=path.name, line=line, key=key, first=primary[key][0]))
        kind = _value(cells[2]).casefold()
        if kind not in _KINDS:
            raise ListFormatError(_(
                "{file} line {line}: SDN_Type '{value}' is none of individual, vessel, "
                "aircraft or -0- (an entity).").format(file=path.name, line=line,
                                                        value=cells[2].strip()))
        primary[key] = (line, cells)
    if not primary:
        raise ListFormatError(_("{file} holds no OFAC records.").format(file=path.name))

    files = companion_paths(path, related or {})
    extra: dict[str, dict[str, list[list[str]]]] = {part: {} for part in COMPANIONS}
    for part, companion in files.items():
        if companion is None:
            warnings.append(_(
                "No OFAC {part} file was found beside {file}: {what}.").format(
                    part=part, file=path.name, what={
                        "add": _("the entries have no addresses"),
                        "alt": _("only the weak aliases written in the remarks were read"),
                        "comments": _("remarks longer than 1000 characters are cut short"),
                    }[part]))
            continue
        orphans = 0
        for _line, cells in _records(companion, COMPANIONS[part], part):
            key = cells[0].strip()
            if key in primary:
                extra[part].setdefault(key, []).append(cells)
            else:
                orphans += 1
        if orphans:
            warnings.append(_("{file}: lines naming an entry that is not in {primary} were "
                              "left out ({n}).").format(file=companion.name, n=orphans,
                                                        primary=path.name))

    entries: list[ListEntry] = []
    unknown_alt: set[str] = set()
    for key, (line, cells) in primary.items():
        name = _value(cells[1])
        if not name:
            raise ListFormatError(_("{file} line {line}: entry {key} has no name.").format(
                file=path.name, line=line, key=key))
        details = Details()
        aliases: list[Alias] = []
        births: list[str] = []
        for alt in extra["alt"].get(key, ()):
            alias = _value(alt[3])
            if not alias:
                continue
            written = _value(alt[2]).casefold()
            quality, note = _ALT_TYPES.get(written, (STRONG, _value(alt[2])))
            if written not in _ALT_TYPES:
                unknown_alt.add(_value(alt[2]))
            aliases.append(Alias(alias, quality, note))
            details.add("Alias remarks", _value(alt[4]))
        # OFAC cuts Remarks at 1000 characters, mid-word, and goes on in the comments file.
        remarks = _value(cells[11] + "".join(c[1] for c in extra["comments"].get(key, ())))
        _remarks_facts(remarks, details, aliases, births)
        flag = _value(cells[9])
        if flag:
            details.country(flag)
        for add in extra["add"].get(key, ()):
            details.country(_value(add[4]))
            details.add("Addresses", join_parts(_value(add[2]), _value(add[3]),
                                                _value(add[4]), _value(add[5])))
        for label, i in (("Titles", 4), ("Call sign", 5), ("Vessel type", 6), ("Tonnage", 7),
                         ("Gross registered tonnage", 8), ("Flag", 9), ("Vessel owner", 10)):
            details.add(label, _value(cells[i]))
        seen = {name.casefold()}
        kept = []
        for a in aliases:
            if a.name.casefold() not in seen:
                seen.add(a.name.casefold())
                kept.append(a)
        programmes = [p.strip(" []") for p in _value(cells[3]).split("] [")]
        entries.append(ListEntry(
            key=key, kind=_KINDS[_value(cells[2]).casefold()], name=name,
            aliases=tuple(kept), birth_dates=unique(births), countries=tuple(details.countries),
            programmes=unique(programmes), remarks=remarks, details=details.as_dict()))
    if unknown_alt:
        warnings.append(_("Alias types OFAC does not document were read as strong aliases: "
                          "{types}.").format(types=", ".join(sorted(unknown_alt))))
    return ParsedList(source_format=fmt, title=TITLES[fmt], published=None,
                      entries=tuple(entries), warnings=tuple(warnings))
