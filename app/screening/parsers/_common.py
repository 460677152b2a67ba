"""What every list parser needs: whitespace-tidy text, country names to ISO codes, detail
lists without repeats, and the date forms lists write.

Country names are resolved by the legacy importer's table (countries.yaml plus
country_aliases.yaml, app/legacy_import.py) and, on top of it, the official and OFAC-style
names sanctions lists use ("Iran (Islamic Republic of)", "Korea, North", "Palestinian"),
compared after transliteration and case folding, so "Côte d'Ivoire", "COTE D'IVOIRE" and
"Cote d Ivoire" meet. A name that still does not resolve is kept, as written, in the
entry's details under ``UNRESOLVED``: screening must not lose it, and it must not be guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

from app.i18n import _
from app.legacy_import import country_names
from app.reference import reference
from app.screening.normalise import fold
from app.screening.parsers import ListFormatError

UNRESOLVED = "Country (unresolved)"

#: Names lists write that neither countries.yaml nor country_aliases.yaml knows: the UN's
#: official short names, OFAC's "Korea, North" style and adjectives, BIS's odd codes. Where
#: ISO 3166-1 covers a territory under one code (Gaza and the West Bank under PS), that code.
LIST_COUNTRY_NAMES: dict[str, str] = {
    "Bolivia (Plurinational State of)": "BO",
    "China, People's Republic of": "CN",
    "People's Republic of China": "CN",
    "PRC": "CN",
    "Congo, Democratic Republic of the": "CD",
    "Democratic Republic of the Congo": "CD",
    "Congo, Republic of the": "CG",
    "Republic of the Congo": "CG",
    "Côte d'Ivoire": "CI",
    "Czech Republic": "CZ",
    "Democratic People's Republic of Korea": "KP",
    "Korea, Democratic People's Republic of": "KP",
    "Republic of Korea": "KR",
    "Korea, Republic of": "KR",
    "Gambia, The": "GM",
    "The Gambia": "GM",
    "Bahamas, The": "BS",
    "The Bahamas": "BS",
    "Hong Kong, China": "HK",
    "China, Hong Kong Special Administrative Region": "HK",
    "China, Macao Special Administrative Region": "MO",
    "Iran (Islamic Republic of)": "IR",
    "Islamic Republic of Iran": "IR",
    "Lao People's Democratic Republic": "LA",
    "Macau": "MO",
    "Micronesia (Federated States of)": "FM",
    "Republic of Moldova": "MD",
    "North Macedonia, The Republic of": "MK",
    "Republic of North Macedonia": "MK",
    "The former Yugoslav Republic of Macedonia": "MK",
    "Netherlands (Kingdom of the)": "NL",
    "Palestinian": "PS",
    "Palestinian Territories": "PS",
    "Occupied Palestinian Territory": "PS",
    "State of Palestine": "PS",
    "Gaza": "PS",
    "Gaza Strip": "PS",
    "West Bank": "PS",
    "Syrian Arab Republic": "SY",
    "Taiwan, Province of China": "TW",
    "United Republic of Tanzania": "TZ",
    "United Kingdom of Great Britain and Northern Ireland": "GB",
    "Great Britain": "GB",
    "UK": "GB",
    "USA": "US",
    "Venezuela (Bolivarian Republic of)": "VE",
    "Viet Nam": "VN",
    "Holy See": "VA",
    "Saint Kitts and Nevis": "KN",
    "Swaziland": "SZ",
    "Burma": "MM",
}

#: Placeholders lists write for "no country".
_NO_COUNTRY = frozenset(("", "0", "na", "n a", "none", "unknown", "not known",
                         "none identified"))
#: Prefixes OFAC puts before a name ("Region: Gaza", "possibly Palestinian").
_PREFIXES = re.compile(r"^(?:region\s*:\s*|possibly\s+)", re.I)


def clean(text: str | None) -> str:
    """Runs of whitespace (the UN's hard line breaks, BIS's leading spaces) as one space."""
    return " ".join((text or "").split())


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty values in first-seen order, without repeats."""
    return tuple(dict.fromkeys(v for v in values if v))


@cache
def _folded_names() -> dict[str, str]:
    """Folded name -> alpha-2, for everything the exact lookup misses."""
    base = country_names()
    out: dict[str, str] = {}
    for code, c in reference().countries.items():
        out[fold(c.alpha3)] = code
    for name, code in base.by_name.items():
        out[fold(name)] = code
        if "," in name:  # "Palestine, State of" -> "State of Palestine"
            head, tail = name.split(",", 1)
            out.setdefault(fold(f"{tail} {head}"), code)
    for name, code in LIST_COUNTRY_NAMES.items():
        out.setdefault(fold(name), code)
    return out


@cache
def country_code(text: str) -> str | None:
    """ISO alpha-2 of a code or country name as a list writes it; None if unknown or blank."""
    name = _PREFIXES.sub("", clean(text).strip(" .;")).strip()
    if not name:
        return None
    code = country_names().code(name)
    if code:
        return code
    names = _folded_names()
    key = fold(name)
    if key in names:
        return names[key]
    # "St. Kitts & Nevis" -> "saint kitts and nevis"
    key = fold(re.sub(r"\bSt\b\.?", "Saint", name.replace("&", " and ")))
    return names.get(key)


def is_blank_country(text: str) -> bool:
    return fold(text) in _NO_COUNTRY


class Details:
    """Label -> values for ``ListEntry.details``, in insertion order, without repeats or
    blanks; countries that do not resolve are collected under ``UNRESOLVED``."""

    def __init__(self) -> None:
        self._items: dict[str, list[str]] = {}
        self.countries: list[str] = []

    def add(self, label: str, value: str | None) -> None:
        value = clean(value)
        if value:
            values = self._items.setdefault(label, [])
            if value not in values:
                values.append(value)

    def country(self, text: str | None) -> str | None:
        """Record a country (nationality, address, flag): its code, or the name as written
        under ``UNRESOLVED``."""
        written = clean(text)
        if is_blank_country(written):
            return None
        code = country_code(written)
        if code:
            if code not in self.countries:
                self.countries.append(code)
        else:
            self.add(UNRESOLVED, written)
        return code

    def as_dict(self) -> dict[str, list[str]]:
        """The details, unresolved countries last (after the addresses they came from)."""
        out = {k: list(v) for k, v in self._items.items() if v and k != UNRESOLVED}
        if self._items.get(UNRESOLVED):
            out[UNRESOLVED] = list(self._items[UNRESOLVED])
        return out


def join_parts(*parts: str | None) -> str:
    """Address parts joined with commas, blanks and placeholders left out."""
    return ", ".join(p for p in (clean(x) for x in parts) if p and p != "-0-")


def iso_date(text: str) -> str | None:
    """``YYYY-MM-DD`` (anything after it, such as a time zone, ignored) if a calendar date."""
    text = clean(text)[:10]
    try:
        return date.fromisoformat(text).isoformat() if len(text) == 10 else None
    except ValueError:
        return None


def us_date(text: str) -> date | None:
    """OFAC's and BIS's ``MM/DD/YYYY``."""
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", clean(text))
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1)}
_DAY_MON_YEAR = re.compile(r"(?:(\d{1,2})\s+)?([A-Za-z]{3})[a-z]*\.?\s+(\d{4})")


def _one_date(text: str) -> tuple[int, str] | None:
    """(year, ISO form) of "31 Aug 1960", "Aug 1960" or "1960"."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return int(text), text
    iso = iso_date(text) if len(text) == 10 else None
    if iso:
        return int(iso[:4]), iso
    m = _DAY_MON_YEAR.fullmatch(text)
    if not m or m.group(2).lower() not in _MONTHS:
        return None
    year, month = int(m.group(3)), _MONTHS[m.group(2).lower()]
    if not m.group(1):
        return year, f"{year:04d}-{month:02d}"
    try:
        return year, date(year, month, int(m.group(1))).isoformat()
    except ValueError:
        return None


def ofac_birth_date(text: str) -> str | None:
    """A date of birth as OFAC writes it ("12 Mar 1965", "1965", "circa 1965", "Mar 1965",
    "1960 to 1962", "01 Jan 1960 to 31 Dec 1962", "circa 1979-1982") in ListEntry's form:
    one date, or a range of years "YYYY/YYYY". None when it is none of these; never raises."""
    text = clean(text).rstrip(".").strip()
    text = re.sub(r"^(?:circa|approximately|approx\.?|about)\s+", "", text, flags=re.I)
    parts = re.split(r"\s+to\s+|\s*-\s*(?=\d{4}$)", text, maxsplit=1)
    if len(parts) == 1:
        one = _one_date(text)
        return one[1] if one else None
    first, last = _one_date(parts[0]), _one_date(parts[1])
    if not first or not last or first[0] > last[0]:
        return None
    if first[1] == last[1]:
        return first[1]
    if first[0] == last[0]:
        return f"{first[0]:04d}"
    return f"{first[0]:04d}/{last[0]:04d}"


def parse_xml(path: Path) -> Element:
    """The root of an XML list file, parsed without DTDs, entities or external references
    (defusedxml): a list file never needs them, and they are how "XML bombs" and file
    disclosure attacks are made. A malformed file is refused with the line and column."""
    try:
        return safe_xml.parse(str(path), forbid_dtd=True).getroot()
    except safe_xml.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        reason = str(exc).split(":", 1)[0]
        raise ListFormatError(_(
            "{file} is not well-formed XML: {reason} at line {line}, column {column}. The file "
            "may be truncated or damaged: download it again.").format(
                file=path.name, reason=reason, line=line, column=column + 1)) from exc
    except DTDForbidden as exc:
        raise ListFormatError(_(
            "{file} declares a document type (<!DOCTYPE {name}>). Sanctions lists never do, "
            "and a DTD can hide entity expansion (an \"XML bomb\"): the file was refused."
            ).format(file=path.name, name=exc.name)) from exc
    except EntitiesForbidden as exc:
        raise ListFormatError(_(
            "{file} declares the XML entity '{name}'. Sanctions lists never do, and entities "
            "can expand without limit (an \"XML bomb\"): the file was refused.").format(
                file=path.name, name=exc.name)) from exc
    except DefusedXmlException as exc:
        raise ListFormatError(_(
            "{file} uses an XML feature a sanctions list never needs ({what}): the file was "
            "refused.").format(file=path.name, what=type(exc).__name__)) from exc
    except OSError as exc:
        raise ListFormatError(_("{file} cannot be read: {error}").format(
            file=path.name, error=exc.strerror or exc)) from exc
