"""The fixed vocabularies of the domain: user roles, party roles and kinds of party.

These are concepts the rules depend on (who may do what, whose name gets screened), not
tables an authority edits, so they live in code; their labels are marked for translation.
"""

from __future__ import annotations

from enum import StrEnum

from app.i18n import N_, _


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return _(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.OFFICER: N_("Licensing officer"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.ADMINISTRATOR: N_("Administrator"),
}


class PartyRole(StrEnum):
    CONSIGNEE = "consignee"
    END_USER = "end_user"
    ULTIMATE_END_USER = "ultimate_end_user"
    INTERMEDIATE_CONSIGNEE = "intermediate_consignee"
    BROKER = "broker"
    FREIGHT_FORWARDER = "freight_forwarder"

    @property
    def label(self) -> str:
        return _(PARTY_ROLE_LABELS[self])


PARTY_ROLE_LABELS = {
    PartyRole.CONSIGNEE: N_("Consignee"),
    PartyRole.END_USER: N_("End user"),
    PartyRole.ULTIMATE_END_USER: N_("Ultimate end user"),
    PartyRole.INTERMEDIATE_CONSIGNEE: N_("Intermediate consignee"),
    PartyRole.BROKER: N_("Broker"),
    PartyRole.FREIGHT_FORWARDER: N_("Freight forwarder"),
}


class PartyKind(StrEnum):
    GOVERNMENT = "government"
    ARMED_FORCES = "armed_forces"
    POLICE_SECURITY = "police_security"
    COMMERCIAL = "commercial"
    INDIVIDUAL = "individual"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _(PARTY_KIND_LABELS[self])


PARTY_KIND_LABELS = {
    PartyKind.GOVERNMENT: N_("Government"),
    PartyKind.ARMED_FORCES: N_("Armed forces"),
    PartyKind.POLICE_SECURITY: N_("Police / security forces"),
    PartyKind.COMMERCIAL: N_("Commercial"),
    PartyKind.INDIVIDUAL: N_("Individual"),
    PartyKind.OTHER: N_("Other"),
}
