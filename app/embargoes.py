"""The dated arms-embargo table and the automatic embargo hard-stop check.

The facts live in ``resources/reference/embargoes.yaml``: one row per embargo *and per shape*
(Somalia was a whole-country embargo until 2013, then non-state actors only, ...), each with
a start and, once lifted or reshaped, an end date. A check is judged at a date, so a case
decided in 2012 is checked against the embargoes of 2012, not today's.

Rules, for the destination and for every other country a party is in:

* ``whole_country``: APPLIES when goods go there (destination, or a consignee / end user in
  that country); a broker or forwarder alone in the country only needs REVIEW.
* ``government``: APPLIES when a receiving party there is government, armed forces or police;
  otherwise REVIEW.
* ``non_state``: APPLIES when a receiving party there is an individual or of kind "other";
  otherwise REVIEW: a government end user must keep the goods and meet the exemption
  conditions (e.g. notification), a commercial one may pass them on.
* a row with a ``region`` (Darfur): REVIEW, the officer confirms the goods do not go there.
* ``listed``: REVIEW pointing at sanctions screening.

Rows with country ``"*"`` (ISIL/Al-Qaida, Taliban) target listed persons wherever they are:
they say nothing about a destination, so the check emits nothing for them (it would add the
same line to every case); the sanctions-screening check catches listed persons, and the UI
can name those regimes through :func:`listed_regimes`.

A table that cannot be read gives one UNRESOLVED result rather than an exception: the case
cannot be finalised without an embargo check, yet the other checks still run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from app.casedata import PartyData
from app.errors import ReferenceDataError
from app.hardstops import CheckContext, CheckResult, CheckStatus
from app.i18n import N_, _
from app.reference import REFERENCE_DIR, TableInfo, _load_yaml, reference
from app.vocab import PartyKind, PartyRole

EMBARGOES_PATH = REFERENCE_DIR / "embargoes.yaml"
#: The country of a row that targets listed persons wherever they are.
ANY_COUNTRY = "*"
CHECK_NAME = "embargo"

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_E = TypeVar("_E", bound=StrEnum)
_Fail = Callable[[str, str], ReferenceDataError]


class Authority(StrEnum):
    UN = "UN"
    EU = "EU"
    OSCE = "OSCE"
    NATIONAL = "national"

    @property
    def label(self) -> str:
        return _(AUTHORITY_LABELS[self])


AUTHORITY_LABELS = {
    Authority.UN: N_("UN"),
    Authority.EU: N_("EU"),
    Authority.OSCE: N_("OSCE"),
    Authority.NATIONAL: N_("National"),
}


class Target(StrEnum):
    WHOLE_COUNTRY = "whole_country"
    GOVERNMENT = "government"
    NON_STATE = "non_state"
    LISTED = "listed"


class Scope(StrEnum):
    ARMS = "arms"
    ARMS_AND_REPRESSION = "arms_and_repression"

    @property
    def label(self) -> str:
        return _(SCOPE_LABELS[self])


SCOPE_LABELS = {
    Scope.ARMS: N_("arms and related materiel"),
    Scope.ARMS_AND_REPRESSION: N_(
        "arms and related materiel, and equipment which might be used for internal repression"
    ),
}


@dataclass(frozen=True)
class Embargo:
    """One row: one embargo in one shape, in force from ``start`` until the day before ``end``."""

    id: str
    authority: Authority
    country: str
    region: str | None
    targets: Target
    scope: Scope
    exemptions: str
    legal_basis: str
    start: date
    end: date | None
    notes: str = ""

    def in_force_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    @property
    def any_country(self) -> bool:
        return self.country == ANY_COUNTRY


@dataclass(frozen=True)
class EmbargoTable:
    version: str
    as_of: date
    source: str
    rows: tuple[Embargo, ...]

    @property
    def info(self) -> TableInfo:
        """The same header summary as the other reference tables (for Settings)."""
        return TableInfo(self.version, self.as_of.isoformat(), self.source)

    def by_id(self, ident: str) -> Embargo | None:
        return next((row for row in self.rows if row.id == ident), None)


# -- loading ------------------------------------------------------------------------------

_REQUIRED = ("id", "authority", "country", "targets", "scope", "exemptions", "legal_basis",
             "start", "end")
_OPTIONAL = ("region", "notes")


def _error(path: Path, where: str, field: str, problem: str) -> ReferenceDataError:
    return ReferenceDataError(
        _("Embargo table {path}: row {where}, field '{field}': {problem}").format(
            path=path, where=where, field=field, problem=problem
        )
    )


def _date(value: Any) -> date | None:
    """A YAML date or an ISO ``YYYY-MM-DD`` string; None for anything else."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _text(raw: dict[str, Any], name: str, fail: _Fail, *, required: bool) -> str:
    value = raw.get(name)
    if value is None and name in _OPTIONAL:
        return ""
    if not isinstance(value, str):
        raise fail(name, _("must be text"))
    if required and not value.strip():
        raise fail(name, _("must not be empty"))
    return value.strip()


def _choice(raw: dict[str, Any], name: str, enum: type[_E], fail: _Fail) -> _E:
    value = raw.get(name)
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise fail(name, _("'{value}' is not one of: {allowed}").format(
            value=value, allowed=allowed)) from None


def _row(path: Path, index: int, raw: Any, countries: Collection[str],
         seen: set[str]) -> Embargo:
    if not isinstance(raw, dict):
        raise _error(path, str(index), "-", _("must be a mapping"))
    ident = raw.get("id")
    where = f"{index} ({ident})" if isinstance(ident, str) and ident else str(index)

    def fail(field: str, problem: str) -> ReferenceDataError:
        return _error(path, where, field, problem)

    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL), key=str)
    if unknown:
        raise fail(str(unknown[0]), _("unknown field"))
    for name in _REQUIRED:
        if name not in raw:
            raise fail(name, _("missing"))

    if not isinstance(ident, str) or not _SLUG.match(ident):
        raise fail("id", _("must be a lower-case slug such as un-dprk"))
    if ident in seen:
        raise fail("id", _("duplicate id {ident}").format(ident=ident))
    seen.add(ident)

    authority = _choice(raw, "authority", Authority, fail)
    targets = _choice(raw, "targets", Target, fail)
    scope = _choice(raw, "scope", Scope, fail)

    country = raw["country"]
    if not isinstance(country, str):
        raise fail("country", _("must be a quoted ISO alpha-2 code (a bare NO reads as false)"))
    if country == ANY_COUNTRY:
        if targets is not Target.LISTED:
            raise fail("country", _("'*' (any country) is only allowed with targets: listed"))
    elif country not in countries:
        raise fail("country", _("'{code}' is not a known ISO alpha-2 code").format(code=country))

    region = raw.get("region")
    if region is not None and (not isinstance(region, str) or not region.strip()):
        raise fail("region", _("must be non-empty text or absent"))

    start = _date(raw["start"])
    if start is None:
        raise fail("start", _("must be a date written YYYY-MM-DD"))
    end: date | None = None
    if raw["end"] is not None:
        end = _date(raw["end"])
        if end is None:
            raise fail("end", _("must be a date written YYYY-MM-DD, or null while in force"))
        if end <= start:
            raise fail("end", _("{end} is not after the start {start}").format(
                end=end.isoformat(), start=start.isoformat()))

    return Embargo(
        id=ident, authority=authority, country=country,
        region=region.strip() if isinstance(region, str) else None,
        targets=targets, scope=scope,
        exemptions=_text(raw, "exemptions", fail, required=False),
        legal_basis=_text(raw, "legal_basis", fail, required=True),
        start=start, end=end,
        notes=_text(raw, "notes", fail, required=False),
    )


def load_embargoes(path: Path = EMBARGOES_PATH,
                   countries: Collection[str] | None = None) -> EmbargoTable:
    """Read and validate the table; every problem names the file, the row and the field.

    ``countries`` defaults to the shipped country table, so a code the rest of the tool does
    not know cannot slip into an embargo row.
    """
    try:
        data = _load_yaml(path)
    except ValueError as exc:  # PyYAML raises it, not YAMLError, for a date such as 2011-02-30
        raise ReferenceDataError(
            _("Embargo table {path}: impossible date: {error}").format(path=path, error=exc)
        ) from exc
    as_of = _date(data["as_of"])
    if as_of is None:
        raise ReferenceDataError(
            _("Embargo table {path}: 'as_of' must be a date written YYYY-MM-DD").format(path=path)
        )
    raw_rows = data.get("embargoes")
    if not isinstance(raw_rows, list) or not raw_rows:
        raise ReferenceDataError(
            _("Embargo table {path}: 'embargoes' must be a non-empty list").format(path=path)
        )
    known = set(countries) if countries is not None else set(reference().countries)
    seen: set[str] = set()
    rows = tuple(_row(path, index, raw, known, seen)
                 for index, raw in enumerate(raw_rows, start=1))
    return EmbargoTable(data["version"], as_of, data["source"], rows)


@cache
def embargo_table() -> EmbargoTable:
    """The shipped table, loaded once per process."""
    return load_embargoes()


def in_force(table: EmbargoTable, country: str, as_of: date) -> list[Embargo]:
    """Rows in force on ``as_of`` for ``country``, the any-country ("*") rows included."""
    return [row for row in table.rows
            if row.country in (country, ANY_COUNTRY) and row.in_force_on(as_of)]


def listed_regimes(table: EmbargoTable, as_of: date) -> list[Embargo]:
    """The any-country regimes on listed persons in force (the check emits nothing for them)."""
    return [row for row in table.rows if row.any_country and row.in_force_on(as_of)]


# -- the check ----------------------------------------------------------------------------

_RECEIVING_ROLES = frozenset({PartyRole.CONSIGNEE, PartyRole.INTERMEDIATE_CONSIGNEE,
                              PartyRole.END_USER, PartyRole.ULTIMATE_END_USER})
_END_USER_ROLES = frozenset({PartyRole.END_USER, PartyRole.ULTIMATE_END_USER})
_STATE_KINDS = frozenset({PartyKind.GOVERNMENT, PartyKind.ARMED_FORCES,
                          PartyKind.POLICE_SECURITY})
_NON_STATE_KINDS = frozenset({PartyKind.INDIVIDUAL, PartyKind.OTHER})
_ROLES = frozenset(PartyRole)
_KINDS = frozenset(PartyKind)


def _code(text: str) -> str:
    return text.strip().upper()


def _describe(party: PartyData) -> str:
    role = PartyRole(party.role).label if party.role in _ROLES else party.role
    kind = PartyKind(party.kind).label if party.kind in _KINDS else ""
    name = party.name.strip() or _("(no name)")
    return f"{role} {name} ({kind})" if kind else f"{role} {name}"


def _names(parties: Sequence[PartyData]) -> str:
    return "; ".join(_describe(p) for p in parties)


@dataclass(frozen=True)
class _Place:
    """One country the case touches, with the parties in it."""

    code: str
    name: str
    is_destination: bool
    parties: tuple[PartyData, ...]

    @property
    def receiving(self) -> list[PartyData]:
        return [p for p in self.parties if p.role in _RECEIVING_ROLES]

    @property
    def end_users(self) -> list[PartyData]:
        return [p for p in self.parties if p.role in _END_USER_ROLES]


class EmbargoCheck:
    """Hard stop: an arms embargo in force on a country the goods go to."""

    name = CHECK_NAME

    def __init__(self, table: EmbargoTable | None = None) -> None:
        self._table = table

    def table(self) -> EmbargoTable:
        return self._table if self._table is not None else embargo_table()

    def run(self, context: CheckContext) -> list[CheckResult]:
        try:
            table = self.table()
        except ReferenceDataError as exc:
            return [CheckResult(
                check=CHECK_NAME, key="embargo:table-error", status=CheckStatus.UNRESOLVED,
                title=_("The arms-embargo table could not be read"),
                detail=_("{error}\nFix the table; the case cannot be finalised without an "
                         "embargo check.").format(error=exc),
            )]
        places = self._places(context)
        results: list[CheckResult] = []
        destination = _code(context.data.destination)
        if not destination:
            results.append(CheckResult(
                check=CHECK_NAME, key="embargo:no-destination",
                status=CheckStatus.NOT_AVAILABLE,
                title=_("No destination country: the embargo check cannot judge the destination"),
                detail=_("Enter the destination; only the countries of the parties were checked."),
            ))
        for place in places:
            for row in in_force(table, place.code, context.as_of):
                if not row.any_country:
                    results.append(self._judge(table, row, place, context.as_of))
        if destination and not results:
            results.append(self._clear(table, places, context.as_of))
        return results

    @staticmethod
    def _places(context: CheckContext) -> list[_Place]:
        """The destination first, then each other country a party is in, in party order.

        A party with no country is taken to be at the destination.
        """
        data = context.data
        destination = _code(data.destination)
        ref = reference()

        def country_of(party: PartyData) -> str:
            return _code(party.country) or destination

        codes = [destination] if destination else []
        for party in data.parties:
            code = country_of(party)
            if code and code not in codes:
                codes.append(code)
        return [_Place(code, ref.country_name(code), code == destination,
                       tuple(p for p in data.parties if country_of(p) == code))
                for code in codes]

    def _judge(self, table: EmbargoTable, row: Embargo, place: _Place,
               as_of: date) -> CheckResult:
        status, reason = self._decide(row, place)
        title = (_("{authority} arms embargo on {country} ({region})") if row.region
                 else _("{authority} arms embargo on {country}")).format(
            authority=row.authority.label, country=place.name, region=row.region)
        lines = [
            _("Targets: {target}. Covers: {scope}.").format(
                target=self._target_text(row, place), scope=row.scope.label),
            reason,
        ]
        if row.exemptions:
            lines.append(_("Exemptions: {text}").format(text=row.exemptions))
        if row.notes:
            lines.append(_("Notes: {text}").format(text=row.notes))
        lines.append(_("In force since {start}. Embargo table {version}, facts as of "
                       "{as_of}.").format(start=row.start.isoformat(), version=table.version,
                                          as_of=table.as_of.isoformat()))
        return CheckResult(check=CHECK_NAME, key=f"embargo:{row.id}", status=status,
                           title=title, detail="\n".join(lines), basis=row.legal_basis,
                           authority=row.authority.label)

    @staticmethod
    def _target_text(row: Embargo, place: _Place) -> str:
        where = row.region or place.name
        if row.targets is Target.WHOLE_COUNTRY:
            return (_("all recipients in {region}").format(region=row.region) if row.region
                    else _("the whole country"))
        if row.targets is Target.GOVERNMENT:
            return _("the government, armed forces and police of {place}").format(place=where)
        if row.targets is Target.NON_STATE:
            return _("non-state actors (non-governmental entities, armed groups, individuals) "
                     "in {place}").format(place=where)
        return _("listed persons and entities in {place}").format(place=where)

    @staticmethod
    def _decide(row: Embargo, place: _Place) -> tuple[CheckStatus, str]:
        """The status and the sentence saying why it applies or what the officer confirms."""
        review = CheckStatus.REVIEW
        receiving = place.receiving
        if not place.is_destination and not receiving:
            return review, _(
                "The goods do not go to {country}, but {parties} is there: confirm that no "
                "goods, brokering services or technical assistance reach persons covered by "
                "the embargo."
            ).format(country=place.name, parties=_names(place.parties))
        if row.region:
            return review, _(
                "The embargo covers {region} only: confirm the goods are not destined for "
                "{region} and will not be moved there."
            ).format(region=row.region)
        if row.targets is Target.LISTED:
            return review, _(
                "Only listed persons and entities are targeted: they are caught by sanctions "
                "screening. Confirm that no party is listed and that none acts for a listed "
                "person."
            )
        where = (_("{country} is the destination").format(country=place.name)
                 if place.is_destination
                 else _("{parties} in {country}").format(parties=_names(receiving),
                                                          country=place.name))
        if row.targets is Target.WHOLE_COUNTRY:
            return CheckStatus.APPLIES, _(
                "{where}: supply is prohibited unless one of the exemptions applies."
            ).format(where=where)
        if row.targets is Target.GOVERNMENT:
            state = [p for p in receiving if p.kind in _STATE_KINDS]
            if state:
                return CheckStatus.APPLIES, _(
                    "The embargo targets the state, and state bodies receive the goods: "
                    "{parties}."
                ).format(parties=_names(state))
            return review, _(
                "The embargo targets the state: confirm that no government, armed-forces or "
                "police body will receive or use the goods."
            )
        # Target.NON_STATE
        non_state = [p for p in receiving if p.kind in _NON_STATE_KINDS]
        if non_state:
            return CheckStatus.APPLIES, _(
                "The embargo targets non-state actors, and non-state parties receive the "
                "goods: {parties}."
            ).format(parties=_names(non_state))
        end_users = place.end_users
        if not end_users:
            return review, _(
                "{where}, but no end user there is named: confirm who will use the goods and "
                "that no non-state actor will."
            ).format(where=where)
        if all(p.kind in _STATE_KINDS for p in end_users):
            return review, _(
                "The end users are state bodies ({parties}): confirm the goods stay with them "
                "and that the exemption conditions (e.g. notification to the sanctions "
                "committee) are met."
            ).format(parties=_names(end_users))
        return review, _(
            "Not every end user is a state body ({parties}): confirm the goods will not reach "
            "a non-state actor (a company may supply an armed group, or act for the state)."
        ).format(parties=_names(end_users))

    @staticmethod
    def _clear(table: EmbargoTable, places: Sequence[_Place], as_of: date) -> CheckResult:
        destination = places[0]
        others = [p.name for p in places[1:]]
        lines = []
        if others:
            lines.append(_("Also checked, where parties are: {countries}.").format(
                countries=", ".join(others)))
        lines.append(_("Embargo table {version}, facts as of {as_of}.").format(
            version=table.version, as_of=table.as_of.isoformat()))
        return CheckResult(
            check=CHECK_NAME, key="embargo:none", status=CheckStatus.CLEAR,
            title=_("No arms embargo in force on {country} at {date}").format(
                country=destination.name, date=as_of.isoformat()),
            detail="\n".join(lines),
        )
