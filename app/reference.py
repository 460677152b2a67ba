"""Reference tables (countries, control list, ATT categories, licence types, currencies, units).

They are data under ``resources/reference/``: loaded once, validated, and never hard-coded in
Python, so an authority updates a table without touching code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from app.errors import ReferenceDataError
from app.i18n import _

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "resources" / "reference"

_ML_ENTRY = re.compile(r"^ML(?P<num>\d{1,2})(?:\.(?P<sub>[a-z])(?:\.(?P<item>\d{1,2}))?)?$")
_DUAL_USE_ENTRY = re.compile(r"^[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*$")
# National entries: UK-style PL5001 ratings, and NLR ("no licence required").
_NATIONAL_ENTRY = re.compile(r"^(?:PL[0-9]{4}(?:\.[a-z0-9]+)*|NLR)$")


@dataclass(frozen=True)
class Country:
    alpha2: str
    alpha3: str
    numeric: str
    name: str


@dataclass(frozen=True)
class ControlCategory:
    id: str
    title: str
    subs: tuple[str, ...]


@dataclass(frozen=True)
class AttCategory:
    id: str
    title: str
    article: str


@dataclass(frozen=True)
class LicenceType:
    id: str
    title: str
    target_working_days: int
    active: bool


@dataclass(frozen=True)
class Currency:
    code: str
    name: str


@dataclass(frozen=True)
class Unit:
    id: str
    title: str


@dataclass(frozen=True)
class TableInfo:
    version: str
    as_of: str
    source: str


@dataclass(frozen=True)
class ReferenceData:
    countries: dict[str, Country]
    control_categories: dict[str, ControlCategory]
    att_categories: dict[str, AttCategory]
    licence_types: dict[str, LicenceType]
    currencies: dict[str, Currency]
    units: dict[str, Unit]
    tables: dict[str, TableInfo] = field(default_factory=dict)

    def country_name(self, code: str) -> str:
        country = self.countries.get(code)
        return country.name if country else code

    def check_control_entry(self, entry: str) -> str | None:
        """Return a problem message, or None when the entry is a valid ML or dual-use rating."""
        text = entry.strip()
        if not text:
            return _("a control-list entry is required")
        match = _ML_ENTRY.match(text)
        if match:
            category = self.control_categories.get(f"ML{int(match['num'])}")
            if category is None or f"ML{int(match['num'])}" != f"ML{match['num']}":
                return _("{entry} is not a Common Military List category (ML1 to ML22)").format(
                    entry=text
                )
            if match["sub"] and match["sub"] not in category.subs:
                return _("{entry}: {cat} has no sub-entry '{sub}'").format(
                    entry=text, cat=category.id, sub=match["sub"]
                )
            return None
        if text.upper().startswith("ML"):
            return _("{entry} is not written as ML<number>[.<letter>[.<number>]]").format(
                entry=text
            )
        if _DUAL_USE_ENTRY.match(text) or _NATIONAL_ENTRY.match(text):
            return None
        return _(
            "{entry} is neither a Common Military List entry (ML1 to ML22) nor a dual-use "
            "entry such as 5A002"
        ).format(entry=text)

    def control_category_of(self, entry: str) -> str | None:
        match = _ML_ENTRY.match(entry.strip())
        return f"ML{int(match['num'])}" if match else None


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError as exc:
        raise ReferenceDataError(_("Reference table missing: {path}").format(path=path)) from exc
    except yaml.YAMLError as exc:
        raise ReferenceDataError(
            _("Reference table {path} is not valid YAML: {error}").format(path=path, error=exc)
        ) from exc
    if not isinstance(data, dict):
        raise ReferenceDataError(_("Reference table {path} must be a mapping").format(path=path))
    for key in ("version", "as_of", "source"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ReferenceDataError(
                _("Reference table {path}: '{key}' must be a non-empty string").format(
                    path=path, key=key
                )
            )
    return data


def _rows(path: Path, data: dict[str, Any], key: str, fields: dict[str, type]) -> list[dict]:
    rows = data.get(key)
    if not isinstance(rows, list) or not rows:
        raise ReferenceDataError(
            _("Reference table {path}: '{key}' must be a non-empty list").format(path=path, key=key)
        )
    seen: set[str] = set()
    first = next(iter(fields))
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ReferenceDataError(
                _("Reference table {path}: {key}[{n}] must be a mapping").format(
                    path=path, key=key, n=index
                )
            )
        for name, kind in fields.items():
            value = row.get(name)
            if not isinstance(value, kind) or (kind is str and name == first and not value):
                raise ReferenceDataError(
                    _("Reference table {path}: {key}[{n}].{field} must be a {kind}").format(
                        path=path, key=key, n=index, field=name, kind=kind.__name__
                    )
                )
        ident = row[first]
        if ident in seen:
            raise ReferenceDataError(
                _("Reference table {path}: duplicate id {ident}").format(path=path, ident=ident)
            )
        seen.add(ident)
    return rows


def load_reference(directory: Path = REFERENCE_DIR) -> ReferenceData:
    tables: dict[str, TableInfo] = {}

    def table(name: str) -> tuple[Path, dict[str, Any]]:
        path = directory / f"{name}.yaml"
        data = _load_yaml(path)
        tables[name] = TableInfo(data["version"], data["as_of"], data["source"])
        return path, data

    path, data = table("countries")
    countries = {
        r["alpha2"]: Country(r["alpha2"], r["alpha3"], r["numeric"], r["name"])
        for r in _rows(path, data, "countries", {"alpha2": str, "alpha3": str, "numeric": str,
                                                  "name": str})
    }
    for code in countries:
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ReferenceDataError(
                _("Reference table {path}: '{code}' is not an ISO alpha-2 code").format(
                    path=path, code=code
                )
            )
    path, data = table("control_list")
    control = {
        r["id"]: ControlCategory(r["id"], r["title"], tuple(r["subs"]))
        for r in _rows(path, data, "categories", {"id": str, "title": str, "subs": list})
    }
    path, data = table("att_categories")
    att = {
        r["id"]: AttCategory(r["id"], r["title"], r["article"])
        for r in _rows(path, data, "categories", {"id": str, "title": str, "article": str})
    }
    path, data = table("licence_types")
    licence_types = {
        r["id"]: LicenceType(r["id"], r["title"], r["target_working_days"], r["active"])
        for r in _rows(path, data, "licence_types",
                       {"id": str, "title": str, "target_working_days": int, "active": bool})
    }
    path, data = table("currencies")
    currencies = {
        r["code"]: Currency(r["code"], r["name"])
        for r in _rows(path, data, "currencies", {"code": str, "name": str})
    }
    path, data = table("units")
    units = {r["id"]: Unit(r["id"], r["title"])
             for r in _rows(path, data, "units", {"id": str, "title": str})}
    return ReferenceData(countries, control, att, licence_types, currencies, units, tables)


@cache
def reference() -> ReferenceData:
    """The shipped tables, loaded once per process."""
    return load_reference()
