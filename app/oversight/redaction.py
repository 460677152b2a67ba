"""Redaction profiles (data in ``redaction_profiles.yaml``) and the redactor the report
builders consult while they build each table.

Redaction happens as cells are made, not afterwards, so nothing withheld ever exists in a
table: a withheld cell is ``Withheld(reason)`` and every rule that fired leaves one
statement for the report's ``withheld`` list ("Exporter names withheld in the register
(412 rows): commercially confidential."). An aggregate value resting on fewer than
``min_licences`` licences is withheld, and then as many further cells as it takes for it
not to be worked out from the row and column totals (secondary suppression).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from app.i18n import _
from app.oversight.datafiles import fail, load_table, mapping, text, text_list
from app.reference import REFERENCE_DIR
from reports.oversight_model import Cell, Withheld


@dataclass(frozen=True)
class Band:
    #: Exclusive upper bound in the report currency; None for the last, open band.
    below: Decimal | None
    label: str


@dataclass(frozen=True)
class FieldRule:
    title: str                       # "Exporter names"
    reason: str                      # "commercially confidential"


@dataclass(frozen=True)
class RedactionProfile:
    id: str
    title: str
    description: str
    withhold: frozenset[str] = frozenset()
    band_values: bool = False
    bands: tuple[Band, ...] = ()
    #: An aggregate value from fewer licences is withheld; 0 turns the rule off.
    min_licences: int = 0
    #: The service lets only a supervisor build a report under this profile.
    requires_supervisor: bool = False
    fields: dict[str, FieldRule] = field(default_factory=dict, compare=False)

    def band(self, amount: Decimal, currency: str) -> str:
        for band in self.bands:
            if band.below is None or amount < band.below:
                return f"{currency} {band.label}"
        return f"{currency} {self.bands[-1].label}"


def _profile(path: Path, row: Any, n: int, fields: dict[str, FieldRule]) -> RedactionProfile:
    entry = f"profiles[{n}]"
    if not isinstance(row, dict):
        fail(path, entry, _("must be a mapping"))
    pid = text(path, row.get("id"), f"{entry}.id")
    entry = f"profiles[{n}] ({pid})"
    withhold = text_list(path, row.get("withhold"), f"{entry}.withhold")
    for name in withhold:
        if name not in fields:
            fail(path, f"{entry}.withhold", _("names '{name}', which is not one of the fields "
                                              "({fields})").format(
                name=name, fields=", ".join(fields)))
    flags = {}
    for key in ("band_values", "requires_supervisor"):
        if not isinstance(row.get(key), bool):
            fail(path, f"{entry}.{key}", _("must be true or false"))
        flags[key] = row[key]
    minimum = row.get("min_licences")
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
        fail(path, f"{entry}.min_licences", _("must be a whole number, 0 or more"))
    bands: list[Band] = []
    raw = row.get("bands")
    if not isinstance(raw, list):
        fail(path, f"{entry}.bands", _("must be a list"))
    for i, band in enumerate(raw, start=1):
        where = f"{entry}.bands[{i}]"
        if not isinstance(band, dict):
            fail(path, where, _("must be a mapping"))
        label = text(path, band.get("label"), f"{where}.label")
        below = band.get("below")
        bound: Decimal | None = None
        if below is not None:
            try:
                bound = Decimal(str(below))
            except InvalidOperation:
                bound = None
            if bound is None or not bound.is_finite() or bound <= 0:
                fail(path, f"{where}.below", _("must be a positive amount"))
            if bands and (bands[-1].below is None or bound <= bands[-1].below):
                fail(path, f"{where}.below", _("must be above the previous band's bound"))
        elif i != len(raw):
            fail(path, where, _("only the last band may have no upper bound"))
        bands.append(Band(bound, label))
    if flags["band_values"] and (not bands or bands[-1].below is not None):
        fail(path, f"{entry}.bands", _("band_values needs bands ending in one without a bound"))
    return RedactionProfile(
        pid, text(path, row.get("title"), f"{entry}.title"),
        text(path, row.get("description"), f"{entry}.description"), frozenset(withhold),
        flags["band_values"], tuple(bands), minimum, flags["requires_supervisor"], fields)


@cache
def load_profiles(directory: Path = REFERENCE_DIR) -> dict[str, RedactionProfile]:
    """Every redaction profile by id, in file order (loaded once per directory)."""
    path, data = load_table("redaction_profiles", directory)
    fields: dict[str, FieldRule] = {}
    for name, rule in mapping(path, data.get("fields"), "fields").items():
        entry = f"fields.{name}"
        if not isinstance(rule, dict):
            fail(path, entry, _("must be a mapping with a title and a reason"))
        fields[str(name)] = FieldRule(text(path, rule.get("title"), f"{entry}.title"),
                                      text(path, rule.get("reason"), f"{entry}.reason"))
    rows = data.get("profiles")
    if not isinstance(rows, list) or not rows:
        fail(path, "profiles", _("must be a non-empty list"))
    profiles: dict[str, RedactionProfile] = {}
    for n, row in enumerate(rows, start=1):
        profile = _profile(path, row, n, fields)
        if profile.id in profiles:
            fail(path, f"profiles[{n}].id", _("repeats '{id}'").format(id=profile.id))
        profiles[profile.id] = profile
    return profiles


_WORD = re.compile(r"\w+")


def _words(text_: str) -> list[str]:
    return _WORD.findall(text_.casefold())


def _rows(n: int) -> str:
    return _("1 row") if n == 1 else _("{n} rows").format(n=n)


def _cells(n: int) -> str:
    return _("1 cell") if n == 1 else _("{n} cells").format(n=n)


@dataclass
class ValueCell:
    """An aggregate value before redaction, with the number of licences behind it."""

    amount: Decimal | None           # None: nothing to show (no licence behind it)
    licences: int


#: One accounting identity of a table: (total cell, the cells that sum to it).
Equation = tuple[Hashable, Sequence[Hashable]]


class Redactor:
    """The profile applied to one report: each builder asks it for every sensitive cell,
    and it counts what it withheld for the report's statements."""

    def __init__(self, profile: RedactionProfile, currency: str = "EUR") -> None:
        self.profile = profile
        self.currency = currency
        self._fields: Counter[tuple[str, str]] = Counter()
        self._banded: Counter[str] = Counter()
        self._unbanded: Counter[str] = Counter()
        self._small: Counter[str] = Counter()
        self._secondary: Counter[str] = Counter()
        self._named: Counter[str] = Counter()
        self._unchecked: Counter[str] = Counter()
        self._known: set[str] = set()
        self._withheld: dict[str, Withheld] = {}
        self._no_rate = Withheld(_("no exchange rate for the band"))
        self._longest = 0

    def known_names(self, exporters: Iterable[str], end_users: Iterable[str]) -> None:
        """Every withheld name in the facts, so free text naming *another* case's exporter
        or end user is caught too (matched on whole words)."""
        for names, name_field in ((exporters, "exporter_name"), (end_users, "end_user_name")):
            if name_field not in self.profile.withhold:
                continue
            for name in names:
                words = _words(name)
                if words:
                    self._known.add(" ".join(words))
                    self._longest = max(self._longest, len(words))

    def withholds(self, name: str) -> bool:
        return name in self.profile.withhold

    @property
    def hides_names(self) -> bool:
        return bool({"exporter_name", "end_user_name"} & self.profile.withhold)

    def field(self, name: str, value: Cell, where: str) -> Cell:
        """The value, or ``Withheld`` when the profile withholds this field."""
        if name not in self.profile.withhold:
            return value
        self._fields[(name, where)] += 1
        cell = self._withheld.get(name)
        if cell is None:
            cell = self._withheld[name] = Withheld(self.profile.fields[name].reason)
        return cell

    @property
    def exact_values(self) -> bool:
        """Whether single licences' values may be shown exactly."""
        return not self.profile.band_values and "value" not in self.profile.withhold

    def value_band(self, in_report_currency: Decimal | None, has_value: bool,
                   where: str) -> Cell:
        """A single licence's value where ``exact_values`` is false: withheld, or its band in
        the report currency (withheld when no rate converts it: ``in_report_currency``
        None). No value at all stays empty."""
        if not has_value:
            return None
        if "value" in self.profile.withhold:
            return self.field("value", None, where)
        if in_report_currency is None:
            self._unbanded[where] += 1
            return self._no_rate
        self._banded[where] += 1
        return self.profile.band(in_report_currency, self.currency)

    def description(self, text_: str, names: tuple[str, str] | None, where: str) -> str | None:
        """Free text with no withheld name of its case in it, or None to leave it out.
        ``names`` is the case's (exporter, end user); None when they are unknown, and then
        text that should be checked cannot be."""
        if not self.hides_names:
            return text_
        if names is None:
            self._unchecked[where] += 1
            return None
        folded = text_.casefold()
        for name, withheld in zip(names, ("exporter_name", "end_user_name"), strict=True):
            if name.strip() and withheld in self.profile.withhold \
                    and name.strip().casefold() in folded:
                self._named[where] += 1
                return None
        if self._known:
            words = _words(text_)
            for size in range(1, min(self._longest, len(words)) + 1):
                for i in range(len(words) - size + 1):
                    if " ".join(words[i:i + size]) in self._known:
                        self._named[where] += 1
                        return None
        return text_

    def values(self, cells: dict[Hashable, ValueCell], equations: Iterable[Equation],
               where: str) -> dict[Hashable, Cell]:
        """Aggregate values as cells: withheld when from fewer than ``min_licences``
        licences, and further cells withheld until no withheld one is the only unknown of
        an equation (row and column totals)."""
        minimum = self.profile.min_licences
        out: dict[Hashable, Cell] = {k: c.amount for k, c in cells.items()}
        if minimum <= 0:
            return out
        hidden = {k for k, c in cells.items() if 0 < c.licences < minimum}
        self._small[where] += len(hidden)
        equations = list(equations)
        extra = 0
        changed = bool(hidden)
        while changed:
            changed = False
            for total, parts in equations:
                members = [total, *parts]
                shown = [k for k in members if k not in hidden and cells[k].licences > 0]
                if sum(1 for k in members if k in hidden) != 1 or not shown:
                    continue
                # withhold the part resting on the fewest licences; the total as last resort
                pick = min(shown, key=lambda k: (k == total, cells[k].licences, str(k)))
                hidden.add(pick)
                extra += 1
                changed = True
        self._secondary[where] += extra
        reason_small = _("fewer than {n} licences").format(n=minimum)
        reason_extra = _("would reveal a withheld value")
        primary = {k for k, c in cells.items() if 0 < c.licences < minimum}
        for key in hidden:
            out[key] = Withheld(reason_small if key in primary else reason_extra)
        return out

    def statements(self) -> list[str]:
        """What was withheld, one sentence per field or rule; empty when nothing was."""
        out: list[str] = []
        order = list(self.profile.fields)
        for (name, where), n in sorted(self._fields.items(),
                                       key=lambda kv: (order.index(kv[0][0]), kv[0][1])):
            rule = self.profile.fields[name]
            out.append(_("{title} withheld in {where} ({rows}): {reason}.").format(
                title=rule.title, where=_(where), rows=_rows(n), reason=rule.reason))
        bands = ", ".join(b.label for b in self.profile.bands)
        for where, n in sorted(self._banded.items()):
            out.append(_("Licence values in {where} shown in bands of {currency} ({bands}), "
                         "not as exact amounts ({rows}): commercially confidential.").format(
                where=_(where), currency=self.currency, bands=bands, rows=_rows(n)))
        for where, n in sorted(self._unbanded.items()):
            out.append(_("Licence values withheld in {where} ({rows}): no exchange rate to "
                         "{currency} is held for their currency and year, so no band could "
                         "be given.").format(where=_(where), rows=_rows(n),
                                             currency=self.currency))
        for where, n in sorted(self._small.items()):
            if n:
                out.append(_("Exact values withheld in {cells} of {where} computed from "
                             "fewer than {min} licences.").format(
                    cells=_cells(n), where=_(where), min=self.profile.min_licences))
        for where, n in sorted(self._secondary.items()):
            if n:
                out.append(_("A further {cells} of {where} withheld so that the withheld "
                             "values cannot be worked out from the totals.").format(
                    cells=_cells(n), where=_(where)))
        for where, n in sorted(self._named.items()):
            out.append((_("1 goods description left out of {where}: it contains a withheld "
                          "exporter or end-user name.") if n == 1 else
                        _("{n} goods descriptions left out of {where}: they contain a withheld "
                          "exporter or end-user name.")).format(n=n, where=_(where)))
        for where, n in sorted(self._unchecked.items()):
            out.append((_("1 shipment description left out of {where}: its licence is not "
                          "among the period's decisions, so it could not be checked for "
                          "withheld names.") if n == 1 else
                        _("{n} shipment descriptions left out of {where}: their licences are "
                          "not among the period's decisions, so they could not be checked "
                          "for withheld names.")).format(n=n, where=_(where)))
        return out
