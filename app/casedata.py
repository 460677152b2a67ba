"""Plain data of a licence application, shared by the editor, the CLI and the case file.

These are the values the officer edits; the stored rows and the JSON file are two
encodings of them. Decimals stay decimals end to end so values round-trip exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass
class PartyData:
    role: str = ""
    name: str = ""
    address: str = ""
    country: str = ""
    kind: str = ""
    #: "YYYY", "YYYY-MM" or "YYYY-MM-DD"; only an individual has one. Screening weighs it
    #: against the dates of birth on the sanctions lists.
    birth_date: str = ""
    id: int | None = field(default=None, compare=False)


@dataclass
class GoodsData:
    description: str = ""
    control_entry: str = ""
    att_category: str = ""
    quantity: Decimal = Decimal(0)
    unit: str = "pcs"
    value: Decimal = Decimal(0)
    currency: str = "EUR"
    id: int | None = field(default=None, compare=False)


@dataclass
class CaseData:
    licence_type: str = "SIEL"
    applicant_reference: str = ""
    exporter_name: str = ""
    exporter_address: str = ""
    exporter_country: str = ""
    exporter_registration: str = ""
    destination: str = ""
    end_use: str = ""
    euc_number: str = ""
    euc_date: date | None = None
    euc_issuer: str = ""
    received_date: date | None = None
    deadline: date | None = None
    notes: str = ""
    parties: list[PartyData] = field(default_factory=list)
    goods: list[GoodsData] = field(default_factory=list)

    def total_value(self) -> dict[str, Decimal]:
        """Total goods value per currency (values in different currencies are never added)."""
        totals: dict[str, Decimal] = {}
        for line in self.goods:
            totals[line.currency] = totals.get(line.currency, Decimal(0)) + line.value
        return totals

    def parties_in_role(self, role: str) -> list[PartyData]:
        return [p for p in self.parties if p.role == role]
