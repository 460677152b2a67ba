"""The plain shape of a sanctions-list entry, whatever file it came from.

Every parser (UN XML, OFAC CSV and XML, the generic CSV) yields ``ListEntry`` objects and a
``ParsedList``; the store, the matcher and the UI see nothing else. ``content_hash`` is what
tells an amended entry from an unchanged one between two versions of a list, and what a
remembered disposition is tied to.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from app.canonical import canonical_bytes, sha256_hex

#: Kinds of listed party. Vessels and aircraft are kept (a transfer by a listed ship is
#: relevant) but an individual party is never matched to a vessel.
KINDS = ("individual", "entity", "vessel", "aircraft")

#: Alias quality: a strong alias is a name the party is known by; a weak one ("low quality"
#: in UN terms, "weak" in OFAC's) is too vague to identify anyone alone, so its score is capped.
STRONG = "strong"
WEAK = "weak"


@dataclass(frozen=True)
class Alias:
    name: str
    quality: str = STRONG
    #: The source's own words for the quality or kind ("Good", "Low", "a.k.a.", "f.k.a.",
    #: "original script"), shown in explanations.
    note: str = ""


@dataclass(frozen=True)
class ListEntry:
    #: Stable id within the list: UN DATAID, OFAC ent_num / uid, the CSV's id column.
    key: str
    kind: str
    name: str
    aliases: tuple[Alias, ...] = ()
    #: "YYYY-MM-DD", "YYYY-MM", "YYYY" or a range "YYYY/YYYY".
    birth_dates: tuple[str, ...] = ()
    #: ISO 3166-1 alpha-2 codes of nationality, citizenship, address or registration.
    countries: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    #: The list's own reference (UN "KPi.033"), empty where the list has none.
    reference: str = ""
    #: ISO date the party was listed, or "".
    listed_on: str = ""
    remarks: str = ""
    #: Everything else worth showing (addresses, documents, places of birth, titles,
    #: designations, country names that could not be resolved): label -> list of strings.
    details: dict[str, list[str]] = field(default_factory=dict)

    def all_names(self) -> list[Alias]:
        """The primary name (strong) followed by the aliases, without repeats."""
        seen: set[str] = set()
        out: list[Alias] = []
        for a in (Alias(self.name, STRONG, "primary name"), *self.aliases):
            k = a.name.strip().casefold()
            if k and k not in seen:
                seen.add(k)
                out.append(a)
        return out

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["aliases"] = [asdict(a) for a in self.aliases]
        for k in ("birth_dates", "countries", "programmes"):
            doc[k] = list(doc[k])
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ListEntry:
        return cls(key=doc["key"], kind=doc["kind"], name=doc["name"],
                   aliases=tuple(Alias(a["name"], a.get("quality", STRONG), a.get("note", ""))
                                 for a in doc.get("aliases", ())),
                   birth_dates=tuple(doc.get("birth_dates", ())),
                   countries=tuple(doc.get("countries", ())),
                   programmes=tuple(doc.get("programmes", ())),
                   reference=doc.get("reference", ""), listed_on=doc.get("listed_on", ""),
                   remarks=doc.get("remarks", ""),
                   details={k: list(v) for k, v in doc.get("details", {}).items()})

    def content_hash(self) -> str:
        return sha256_hex(canonical_bytes(self.to_json()))


@dataclass(frozen=True)
class ParsedList:
    #: "un-xml", "ofac-sdn-csv", "ofac-cons-csv", "ofac-xml", "csv".
    source_format: str
    #: The list's own name, offered as the default when importing ("UN Security Council
    #: Consolidated List").
    title: str
    #: The publication date the file states, if any.
    published: date | None
    entries: tuple[ListEntry, ...]
    #: Anything the parser skipped or repaired, one line each, shown after import.
    warnings: tuple[str, ...] = ()
