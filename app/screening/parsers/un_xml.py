"""The UN Security Council Consolidated List in the UN's XML (scsanctions.un.org, the
``CONSOLIDATED_LIST`` root with ``INDIVIDUALS`` and ``ENTITIES``).

Every record is kept, individuals and entities alike, keyed on DATAID. Aliases keep the UN's
quality: "Low" aliases are weak (too vague to identify anyone alone), "Good" and "a.k.a."
strong, "f.k.a." strong but noted as former; placeholder aliases (empty tags) are dropped.
The name in original script is an alias too, so Arabic or Cyrillic spellings in an
application meet it. The real list has a record whose original-script name holds two
U+FFFD characters (damaged at the UN's end): kept as written, with a warning.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.etree.ElementTree import Element

from app.i18n import _
from app.screening.entries import STRONG, WEAK, Alias, ListEntry, ParsedList
from app.screening.parsers import ListFormatError
from app.screening.parsers._common import Details, clean, iso_date, join_parts, parse_xml, unique

TITLE = "UN Security Council Consolidated List"
ROOT = "CONSOLIDATED_LIST"

#: UN alias QUALITY -> (quality, note). Anything else is kept strong with its own words.
_QUALITY = {"good": (STRONG, "Good"), "a.k.a.": (STRONG, "a.k.a."), "": (STRONG, ""),
            "low": (WEAK, "Low"), "f.k.a.": (STRONG, "f.k.a.")}


#: An individual's name is these in order; an entity's is FIRST_NAME alone.
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _text(parent: Element, tag: str) -> str:
    return clean(parent.findtext(tag))


def _values(parent: Element, tag: str) -> list[str]:
    """The VALUE children of e.g. NATIONALITY, TITLE, DESIGNATION (each may repeat)."""
    return [v for v in (clean(e.text) for el in parent.findall(tag) for e in el.findall("VALUE"))
            if v]


def _aliases(record: Element, tag: str, warnings: list[str], key: str) -> list[Alias]:
    out: list[Alias] = []
    for el in record.findall(tag):
        name = _text(el, "ALIAS_NAME")
        if not name:  # <QUALITY/><ALIAS_NAME/>: the UN's placeholder for "no alias"
            continue
        written = _text(el, "QUALITY")
        quality, note = _QUALITY.get(written.casefold(), (STRONG, written))
        out.append(Alias(name, quality, note))
    original = _text(record, "NAME_ORIGINAL_SCRIPT")
    if original:
        if "\ufffd" in original:
            warnings.append(_(
                "DATAID {key}: the name in original script holds replacement characters "
                "(U+FFFD), damaged in the UN's file; kept as written.").format(key=key))
        out.append(Alias(original, STRONG, "original script"))
    return out


def _birth_dates(record: Element) -> list[str]:
    out: list[str] = []
    for el in record.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        day, year = iso_date(_text(el, "DATE")), _text(el, "YEAR")
        start, end = _text(el, "FROM_YEAR"), _text(el, "TO_YEAR")
        if day:
            out.append(day)
        elif year.isdigit() and len(year) == 4:
            out.append(year)
        elif start.isdigit() and end.isdigit() and len(start) == len(end) == 4:
            out.append(start if start == end else f"{min(start, end)}/{max(start, end)}")
    return out


def _address(el: Element) -> str:
    text = join_parts(_text(el, "STREET"), _text(el, "CITY"), _text(el, "STATE_PROVINCE"),
                      _text(el, "ZIP_CODE"), _text(el, "COUNTRY"))
    note = _text(el, "NOTE")
    return f"{text} ({note})" if text and note else text or note


def _document(el: Element) -> str:
    kind = join_parts(_text(el, "TYPE_OF_DOCUMENT"), _text(el, "TYPE_OF_DOCUMENT2"))
    where = join_parts(_text(el, "ISSUING_COUNTRY"), _text(el, "COUNTRY_OF_ISSUE"),
                       _text(el, "CITY_OF_ISSUE"))
    issued = _text(el, "DATE_OF_ISSUE")
    text = " ".join(p for p in (kind, _text(el, "NUMBER")) if p)
    extra = "; ".join(p for p in (where, _("issued {date}").format(date=issued) if issued
                                  else "", _text(el, "NOTE")) if p)
    return f"{text} ({extra})" if text and extra else text or extra


def _entry(record: Element, kind: str, n: int, path: Path, warnings: list[str]) -> ListEntry:
    tag = record.tag
    key = _text(record, "DATAID")
    if not key:
        raise ListFormatError(_("{file}: {tag} number {n} has no DATAID, so it cannot be told "
                                "apart from other versions of itself: the file was refused."
                                ).format(file=path.name, tag=tag, n=n))
    parts = _NAME_PARTS if kind == "individual" else _NAME_PARTS[:1]
    name = " ".join(p for p in (_text(record, t) for t in parts) if p)
    if not name:
        raise ListFormatError(_("{file}: {tag} with DATAID {key} has no name: the file was "
                                "refused.").format(file=path.name, tag=tag, key=key))
    details = Details()
    nationalities = _values(record, "NATIONALITY")
    for value in nationalities:
        details.country(value)
    addresses = record.findall(f"{tag}_ADDRESS")
    for el in addresses:
        details.country(_text(el, "COUNTRY"))
    for value in _values(record, "TITLE"):
        details.add("Titles", value)
    for value in _values(record, "DESIGNATION"):
        details.add("Designations", value)
    for el in addresses:
        details.add("Addresses", _address(el))
    for el in record.findall(f"{tag}_PLACE_OF_BIRTH"):
        details.add("Places of birth", _address(el))
    for el in record.findall(f"{tag}_DOCUMENT"):
        details.add("Documents", _document(el))
    details.add("Gender", _text(record, "GENDER"))
    for value in nationalities:
        details.add("Nationality as written", value)
    for value in _values(record, "LAST_DAY_UPDATED"):
        details.add("Last updated", value)
    listed = _text(record, "LISTED_ON")
    listed_on = iso_date(listed) or ""
    if listed and not listed_on:
        warnings.append(_("DATAID {key}: LISTED_ON '{value}' is not a date; left out.").format(
            key=key, value=listed))
    return ListEntry(
        key=key, kind=kind, name=name,
        aliases=tuple(_aliases(record, f"{tag}_ALIAS", warnings, key)),
        birth_dates=unique(_birth_dates(record)), countries=tuple(details.countries),
        programmes=unique([_text(record, "UN_LIST_TYPE")]),
        reference=_text(record, "REFERENCE_NUMBER"), listed_on=listed_on,
        remarks=_text(record, "COMMENTS1"), details=details.as_dict())


def parse(path: Path, fmt: str = "un-xml", related: dict[str, Path] | None = None
          ) -> ParsedList:
    """Every INDIVIDUAL and ENTITY of a UN consolidated list file."""
    root = parse_xml(path)
    if root.tag != ROOT:
        raise ListFormatError(_(
            "{file} is XML but not the UN consolidated list: its root element is <{root}>, "
            "not <{expected}>.").format(file=path.name, root=root.tag.rpartition("}")[2],
                                        expected=ROOT))
    warnings: list[str] = []
    entries: list[ListEntry] = []
    for group, tag, kind in (("INDIVIDUALS", "INDIVIDUAL", "individual"),
                             ("ENTITIES", "ENTITY", "entity")):
        for n, record in enumerate(root.findall(f"{group}/{tag}"), start=1):
            entries.append(_entry(record, kind, n, path, warnings))
    generated = root.get("dateGenerated", "")
    published: date | None = None
    if generated:
        day = iso_date(generated)
        if day:
            published = date.fromisoformat(day)
        else:
            warnings.append(_("dateGenerated '{value}' is not a date: the list's publication "
                              "date is unknown.").format(value=generated))
    return ParsedList(source_format="un-xml", title=TITLE, published=published,
                      entries=tuple(entries), warnings=tuple(warnings))
