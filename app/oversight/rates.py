"""Exchange rates for the oversight reports, and the converter that states what it used.

COARM counts in EUR (Common Position Art 8) while licences carry the currency the exporter
stated, so values are converted at an annual average rate of the decision's (or the
shipment's) year. A value that cannot be converted is left out and reported, never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from app.i18n import _
from app.oversight.datafiles import fail, load_table, mapping
from app.reference import REFERENCE_DIR

_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class ExchangeRates:
    #: (currency, year) -> units of the currency per 1 EUR
    rates: dict[tuple[str, int], Decimal]
    #: Years whose rates are partial-year estimates.
    provisional: frozenset[int] = frozenset()
    version: str = ""

    def per_eur(self, currency: str, year: int) -> Decimal | None:
        return Decimal(1) if currency == "EUR" else self.rates.get((currency, year))


def load_rates(directory: Path = REFERENCE_DIR) -> ExchangeRates:
    path, data = load_table("exchange_rates", directory)
    provisional = data.get("provisional", [])
    if not isinstance(provisional, list) or not all(isinstance(y, int) for y in provisional):
        fail(path, "provisional", _("must be a list of years"))
    rates: dict[tuple[str, int], Decimal] = {}
    for code, years in mapping(path, data.get("rates"), "rates").items():
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            fail(path, f"rates.{code}", _("is not an ISO 4217 currency code"))
        for year, rate in mapping(path, years, f"rates.{code}").items():
            entry = f"rates.{code}.{year}"
            if not isinstance(year, int) or not 1990 <= year <= 2100:
                fail(path, entry, _("must be keyed by a year between 1990 and 2100"))
            try:
                value = Decimal(str(rate)) if isinstance(rate, str | int | float) else None
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite() or value <= 0:
                fail(path, entry, _("must be a positive number written as a string"))
            rates[(code, year)] = value
    return ExchangeRates(rates, frozenset(provisional), data["version"])


@cache
def exchange_rates() -> ExchangeRates:
    """The shipped rates, loaded once per process."""
    return load_rates()


class Converter:
    """Converts amounts into one currency, remembering every rate it used and every amount it
    could not convert, so that the report's method notes can state both."""

    def __init__(self, rates: ExchangeRates, target: str) -> None:
        self.rates = rates
        self.target = target
        #: (currency as written, year) -> (factor or None, (currency code, year))
        self._factors: dict[tuple[str, int], tuple[Decimal | None, tuple[str, int]]] = {}
        self.used: set[tuple[str, int]] = set()
        self.missing: Counter[tuple[str, int]] = Counter()

    def convert(self, value: Decimal, currency: str, year: int) -> Decimal | None:
        found = self._factors.get((currency, year))
        if found is None:
            code = currency.strip().upper()
            source = self.rates.per_eur(code, year)
            target = self.rates.per_eur(self.target, year)
            factor = None if source is None or target is None else target / source
            found = self._factors[(currency, year)] = (factor, (code, year))
            if factor is not None and code != self.target:
                self.used.add((code, year))
        factor, key = found
        if factor is None:
            self.missing[key] += 1
            return None
        return value if factor == 1 else value * factor

    def notes(self) -> list[str]:
        notes: list[str] = []
        if self.used:
            pairs = sorted(self.used | {(self.target, y) for _c, y in self.used})
            used = "; ".join(f"{c} {y}: {self.rates.per_eur(c, y)}"
                             for c, y in pairs if c != "EUR")
            notes.append(_(
                "Amounts in other currencies are converted to {target} at annual average "
                "euro reference rates of the year of the licence or shipment (exchange-rate "
                "table version {version}; units per EUR: {used}).").format(
                    target=self.target, version=self.rates.version or "-", used=used))
            provisional = sorted({y for _c, y in self.used} & self.rates.provisional)
            if provisional:
                notes.append(_("The rates for {years} are provisional estimates, to be "
                               "replaced by the final annual averages.").format(
                                   years=", ".join(str(y) for y in provisional)))
        if self.missing:
            gaps = "; ".join(f"{n} in {c or _('no currency')} dated {y}"
                             for (c, y), n in sorted(self.missing.items()))
            notes.append(_(
                "No {target} exchange rate is held for some amounts, which are left out of "
                "the {target} values they belong to (those values are understated): {gaps}."
            ).format(target=self.target, gaps=gaps))
        return notes
