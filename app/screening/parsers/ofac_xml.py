"""OFAC lists in OFAC's XML (sdn.xml, consolidated.xml): a namespaced ``sdnList`` root, then
``publshInformation`` (OFAC's spelling) with ``Publish_Date`` MM/DD/YYYY and
``Record_Count``, then one ``sdnEntry`` per listed party.

Names are written "LAST, First", as OFAC's CSV writes them, so that a list read from either
format shows the same names. Aliases keep OFAC's strong/weak category; the stated record
count is checked against the entries read, since a mismatch means a truncated or edited file.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from app.i18n import _
from app.screening.entries import STRONG, WEAK, Alias, ListEntry, ParsedList
from app.screening.parsers import ListFormatError, is_consolidated
from app.screening.parsers._common import (
    Details,
    clean,
    join_parts,
    ofac_birth_date,
    parse_xml,
    unique,
    us_date,
)

TITLES = {False: "OFAC Specially Designated Nationals (SDN) List",
          True: "OFAC Consolidated (non-SDN) List"}
ROOT = "sdnList"
_KINDS = {"individual": "individual", "entity": "entity", "vessel": "vessel",
          "aircraft": "aircraft"}


class _Reader:
    """Finds children in the document's namespace (OFAC has moved it more than once)."""

    def __init__(self, namespace: str) -> None:
        self.ns = f"{{{namespace}}}" if namespace else ""

    def path(self, path: str) -> str:
        return "/".join(self.ns + part for part in path.split("/"))

    def all(self, parent: Element, path: str) -> list[Element]:
        return parent.findall(self.path(path))

    def text(self, parent: Element, path: str) -> str:
        return clean(parent.findtext(self.path(path)))


def _name(r: _Reader, el: Element) -> str:
    last, first = r.text(el, "lastName"), r.text(el, "firstName")
    return f"{last}, {first}" if last and first else last or first


def _entry(r: _Reader, el: Element, n: int, path: Path) -> ListEntry:
    key = r.text(el, "uid")
    if not key:
        raise ListFormatError(_("{file}: sdnEntry number {n} has no uid: the file was refused."
                                ).format(file=path.name, n=n))
    name = _name(r, el)
    if not name:
        raise ListFormatError(_("{file}: sdnEntry with uid {key} has no name: the file was "
                                "refused.").format(file=path.name, key=key))
    written_kind = r.text(el, "sdnType")
    kind = _KINDS.get(written_kind.casefold())
    if kind is None:
        raise ListFormatError(_("{file}: sdnEntry with uid {key} has sdnType '{value}', none "
                                "of Individual, Entity, Vessel or Aircraft.").format(
            file=path.name, key=key, value=written_kind))
    details = Details()
    for path_ in ("nationalityList/nationality/country", "citizenshipList/citizenship/country"):
        for c in r.all(el, path_):
            details.country(c.text)
    for address in r.all(el, "addressList/address"):
        details.country(r.text(address, "country"))
    aliases: list[Alias] = []
    for aka in r.all(el, "akaList/aka"):
        alias = _name(r, aka)
        if alias:
            quality = WEAK if r.text(aka, "category").casefold() == "weak" else STRONG
            note = r.text(aka, "type")
            aliases.append(Alias(alias, quality, f"{note} (weak)" if quality == WEAK and note
                                 else note))
    births = [ofac_birth_date(r.text(d, "dateOfBirth"))
              for d in r.all(el, "dateOfBirthList/dateOfBirthItem")]
    vessel = r.all(el, "vesselInfo")
    for v in vessel:
        details.country(r.text(v, "vesselFlag"))
    details.add("Titles", r.text(el, "title"))
    for address in r.all(el, "addressList/address"):
        details.add("Addresses", join_parts(
            r.text(address, "address1"), r.text(address, "address2"),
            r.text(address, "address3"), r.text(address, "city"),
            r.text(address, "stateOrProvince"), r.text(address, "postalCode"),
            r.text(address, "country")))
    for place in r.all(el, "placeOfBirthList/placeOfBirthItem"):
        details.add("Places of birth", r.text(place, "placeOfBirth"))
    for i in r.all(el, "idList/id"):
        text = " ".join(p for p in (r.text(i, "idType"), r.text(i, "idNumber")) if p)
        country = r.text(i, "idCountry")
        details.add("Identifiers", f"{text} ({country})" if text and country else text)
    for v in vessel:
        for label, tag in (("Call sign", "callSign"), ("Vessel type", "vesselType"),
                           ("Tonnage", "tonnage"), ("Gross registered tonnage",
                                                    "grossRegisteredTonnage"),
                           ("Flag", "vesselFlag"), ("Vessel owner", "vesselOwner")):
            details.add(label, r.text(v, tag))
    return ListEntry(
        key=key, kind=kind, name=name, aliases=tuple(aliases),
        birth_dates=unique(b for b in births if b), countries=tuple(details.countries),
        programmes=unique(clean(p.text) for p in r.all(el, "programList/program")),
        remarks=r.text(el, "remarks"), details=details.as_dict())


def parse(path: Path, fmt: str = "ofac-xml", related: dict[str, Path] | None = None
          ) -> ParsedList:
    """Every sdnEntry of an OFAC XML list."""
    root = parse_xml(path)
    namespace, _sep, local = root.tag.lstrip("{").rpartition("}")
    if local != ROOT:
        raise ListFormatError(_(
            "{file} is XML but not an OFAC list: its root element is <{root}>, not <{expected}>."
            ).format(file=path.name, root=local, expected=ROOT))
    r = _Reader(namespace)
    warnings: list[str] = []
    info = next((e for e in root if e.tag in (r.path("publshInformation"),
                                              r.path("publishInformation"))), None)
    published = None
    stated: int | None = None
    if info is not None:
        written = r.text(info, "Publish_Date")
        published = us_date(written)
        if written and published is None:
            warnings.append(_("Publish_Date '{value}' is not a date (MM/DD/YYYY): the list's "
                              "publication date is unknown.").format(value=written))
        count = r.text(info, "Record_Count")
        stated = int(count) if count.isdigit() else None
    entries = tuple(_entry(r, el, n, path)
                    for n, el in enumerate(r.all(root, "sdnEntry"), start=1))
    if stated is not None and stated != len(entries):
        warnings.append(_("The file states {stated} records (Record_Count) but holds {found}: "
                          "it may be truncated or edited.").format(stated=stated,
                                                                   found=len(entries)))
    return ParsedList(source_format="ofac-xml", title=TITLES[is_consolidated(path)],
                      published=published, entries=entries, warnings=tuple(warnings))
