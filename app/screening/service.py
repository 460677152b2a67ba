"""Screening use cases: screen a case's parties, judge hits, re-screen after a list update.

The matcher (``app.screening.matcher``) only scores names. This module decides what a hit
means for a case: a hit the officer judged a true match is a hard stop; one judged a false
positive is remembered for the same party (its normalised name and country) and the same
list entry, and asked again only when the entry's content changes; any other hit is open
and blocks finalising. The same reading is used by the screening tab, the CLI, the
hard-stop check and the re-screening job, so they cannot disagree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import insert, select

from app import cases, settings
from app.casedata import CaseData, PartyData
from app.changes import now_utc, record_change
from app.errors import Cancelled, InputError, NotFoundError, StatusTransitionError
from app.i18n import _
from app.roles import Actor, Permission, require
from app.screening import lists as list_store
from app.screening.entries import ListEntry
from app.screening.lists import VersionInfo
from app.screening.matcher import Explanation, Hit, Indexed, MatchIndex, Party
from app.screening.normalise import NORMALISER_VERSION, normalise
from app.status import CLOSED, EDITABLE, CaseStatus
from app.uow import UnitOfWork
from app.vocab import PartyKind, PartyRole
from db.models import (
    Case,
    ListEntryRow,
    ScreeningDisposition,
    ScreeningHit,
    ScreeningRun,
    User,
)

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]

MATCH = "match"
FALSE_POSITIVE = "false_positive"
VERDICTS = (MATCH, FALSE_POSITIVE)
#: A hit's state for the case: no judgement yet, judged, or judged against an entry that has
#: changed since (asked again).
OPEN = "open"
REVISIT = "revisit"
EXPORTER_ROLE = "exporter"
#: Licences still in force are re-screened with the open cases when a list changes.
IN_FORCE = frozenset({CaseStatus.APPROVED, CaseStatus.APPROVED_WITH_CONDITIONS,
                      CaseStatus.SUSPENDED})


# --- parties -------------------------------------------------------------------------------

def party_key(name: str, country: str) -> str:
    """Who a party is for remembered dispositions: its normalised name and its country."""
    text = f"{normalise(name)}|{(country or '').upper()}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _kind(kind: str) -> str:
    if kind == PartyKind.INDIVIDUAL.value:
        return "individual"
    if kind in ("", PartyKind.OTHER.value):
        return ""
    return "entity"


def role_label(role: str) -> str:
    if role == EXPORTER_ROLE:
        return _("Exporter")
    try:
        return PartyRole(role).label
    except ValueError:
        return role


def case_parties(data: CaseData) -> list[Party]:
    """Everyone on the application who is screened: the exporter and every named party."""
    out: list[Party] = []
    if data.exporter_name.strip():
        out.append(Party(party_key(data.exporter_name, data.exporter_country),
                         data.exporter_name.strip(), data.exporter_country, "entity",
                         "", EXPORTER_ROLE))
    for p in data.parties:
        if p.name.strip():
            out.append(Party(party_key(p.name, p.country), p.name.strip(), p.country,
                             _kind(p.kind), p.birth_date, p.role))
    return out


# --- the index -----------------------------------------------------------------------------

_CACHE: dict[tuple[tuple[int, int, str], ...], MatchIndex] = {}
_ENTRIES: dict[tuple[int, str], ListEntry] = {}


def index_for(uow: UnitOfWork, versions: Sequence[VersionInfo]) -> MatchIndex:
    """The match index over these list versions, built once per process and kept: versions
    never change, so the key (their ids) is enough."""
    # Ids alone are not enough: two databases (a test's, a copy) reuse version ids.
    key = tuple(sorted((v.id, v.list_id, v.file_sha256) for v in versions))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    rows = uow.session.execute(select(ListEntryRow.data, ListEntryRow.content_hash,
                                      ListEntryRow.version_id)
                               .where(ListEntryRow.version_id.in_([v.id for v in versions]))
                               ).all()
    by_version = {v.id: v.list_id for v in versions}
    indexed = [Indexed(by_version[vid], vid, ListEntry.from_json(data), h)
               for data, h, vid in rows]
    index = MatchIndex(indexed)
    _CACHE.clear()  # one index at a time: a new list version makes the old one useless
    _ENTRIES.clear()
    _CACHE[key] = index
    _ENTRIES.update({(i.version_id, i.entry.key): i.entry for i in indexed})
    return index


def threshold(uow: UnitOfWork) -> int:
    return int(settings.get(uow, "screening.threshold"))


# --- dispositions --------------------------------------------------------------------------

@dataclass(frozen=True)
class Disposition:
    verdict: str
    reason: str
    entry_hash: str
    decided_at: datetime
    decided_by: str
    case_reference: str


def _dispositions(uow: UnitOfWork, keys: Iterable[str]) -> dict[tuple[str, int, str],
                                                                  Disposition]:
    """The newest judgement per (party, list, entry) for these parties."""
    keys = list(set(keys))
    out: dict[tuple[str, int, str], Disposition] = {}
    if not keys:
        return out
    names = dict(uow.session.execute(select(User.id, User.full_name)).all())
    refs: dict[int, str] = {}
    for i in range(0, len(keys), 500):
        rows = uow.session.scalars(select(ScreeningDisposition).where(
            ScreeningDisposition.party_key.in_(keys[i:i + 500]))
            .order_by(ScreeningDisposition.id))
        for d in rows:
            if d.case_id is not None and d.case_id not in refs:
                case = uow.session.get(Case, d.case_id)
                refs[d.case_id] = case.reference if case else ""
            out[(d.party_key, d.list_id, d.entry_key)] = Disposition(
                d.verdict, d.reason, d.entry_hash, d.decided_at,
                names.get(d.decided_by_id, ""), refs.get(d.case_id or 0, ""))
    return out


def _state(hit: Hit, disp: Disposition | None) -> str:
    if disp is None:
        return OPEN
    if disp.entry_hash != hit.entry_hash:
        return REVISIT
    return disp.verdict


# --- screening a case ----------------------------------------------------------------------

@dataclass(frozen=True)
class HitView:
    party: Party
    hit: Hit
    list_name: str
    version: VersionInfo
    entry: ListEntry
    state: str
    disposition: Disposition | None
    is_new: bool = False

    @property
    def explanation(self) -> Explanation:
        return self.hit.explanation

    @property
    def needs_judgement(self) -> bool:
        return self.state in (OPEN, REVISIT)

    @property
    def state_label(self) -> str:
        return {OPEN: _("Open"), REVISIT: _("Entry changed: judge again"),
                MATCH: _("True match"), FALSE_POSITIVE: _("False positive")}[self.state]

    def to_json(self) -> dict:
        d = self.disposition
        return {"party": {"key": self.party.key, "role": self.party.role,
                          "name": self.party.name, "country": self.party.country},
                "list": self.list_name, "list_id": self.hit.list_id,
                "version_id": self.hit.version_id, "entry_key": self.hit.entry_key,
                "entry_name": self.hit.entry_name, "entry_kind": self.hit.entry_kind,
                "reference": self.entry.reference, "programmes": list(self.entry.programmes),
                "score": self.hit.score, "state": self.state, "new": self.is_new,
                "explanation": self.hit.explanation.to_json(),
                "why": self.hit.explanation.lines(),
                "disposition": None if d is None else {
                    "verdict": d.verdict, "reason": d.reason, "by": d.decided_by,
                    "at": d.decided_at.isoformat(), "case": d.case_reference,
                    "entry_changed": d.entry_hash != self.hit.entry_hash}}


@dataclass(frozen=True)
class Screening:
    """What screening finds for a case now (or found, for a stored run)."""

    case_id: int | None
    parties: tuple[Party, ...]
    versions: tuple[VersionInfo, ...]
    threshold: int
    hits: tuple[HitView, ...]
    run_id: int | None = None
    run_at: datetime | None = None

    @property
    def open_hits(self) -> list[HitView]:
        return [h for h in self.hits if h.needs_judgement]

    @property
    def matches(self) -> list[HitView]:
        return [h for h in self.hits if h.state == MATCH]

    @property
    def available(self) -> bool:
        return bool(self.versions)

    def versions_text(self) -> str:
        return "; ".join(v.label for v in self.versions)

    def to_json(self) -> dict:
        return {"case_id": self.case_id, "run_id": self.run_id,
                "run_at": self.run_at.isoformat() if self.run_at else None,
                "threshold": self.threshold, "normaliser": NORMALISER_VERSION,
                "lists": [{"list": v.list_name, "list_id": v.list_id, "version_id": v.id,
                           "published": v.published.isoformat() if v.published else None,
                           "file_sha256": v.file_sha256} for v in self.versions],
                "parties": [{"key": p.key, "role": p.role, "name": p.name,
                             "country": p.country} for p in self.parties],
                "hits": [h.to_json() for h in self.hits],
                "open": len(self.open_hits), "matches": len(self.matches)}


def _views(uow: UnitOfWork, parties: Sequence[Party], hits: Sequence[Hit],
           versions: Sequence[VersionInfo], previous: set[tuple[str, int, str]] | None = None,
           disps: dict[tuple[str, int, str], Disposition] | None = None) -> list[HitView]:
    by_version = {v.id: v for v in versions}
    by_party = {p.key: p for p in parties}
    if disps is None:
        disps = _dispositions(uow, by_party) if hits else {}
    out = []
    entry_cache = _ENTRIES
    for h in hits:
        ident = (h.party_key, h.list_id, h.entry_key)
        k = (h.version_id, h.entry_key)
        if k not in entry_cache:
            entry_cache[k] = list_store.entry(uow, h.version_id, h.entry_key) or ListEntry(
                h.entry_key, h.entry_kind, h.entry_name)
        disp = disps.get(ident)
        state = _state(h, disp)
        new = previous is not None and ident not in previous and state in (OPEN, REVISIT)
        v = by_version[h.version_id]
        out.append(HitView(by_party[h.party_key], h, v.list_name, v, entry_cache[k], state,
                           disp, new))
    order = {OPEN: 0, REVISIT: 0, MATCH: 1, FALSE_POSITIVE: 2}
    out.sort(key=lambda x: (order[x.state], -x.hit.score, x.party.name, x.hit.entry_name))
    return out


def screen_data(uow: UnitOfWork, data: CaseData, case_id: int | None = None,
                limit: int | None = None) -> Screening:
    """Screen an application's parties against the current lists, without storing anything."""
    versions = list_store.current_versions(uow)
    parties = case_parties(data)
    t = threshold(uow) if limit is None else limit
    if not versions:
        return Screening(case_id, tuple(parties), (), t, ())
    index = index_for(uow, versions)
    hits = index.screen_many(parties, t)
    return Screening(case_id, tuple(parties), tuple(versions), t,
                     tuple(_views(uow, parties, hits, versions)))


def screen_name(uow: UnitOfWork, actor: Actor, name: str, country: str = "", kind: str = "",
                birth_date: str = "", limit: int | None = None) -> Screening:
    """An ad hoc check of one name (the Screening window's search), stored nowhere."""
    require(actor, Permission.SCREEN)
    if not name.strip():
        raise InputError(_("Type a name to screen."))
    versions = list_store.current_versions(uow)
    party = Party(party_key(name, country), name.strip(), country.upper(), kind, birth_date,
                  "")
    t = threshold(uow) if limit is None else limit
    if not versions:
        return Screening(None, (party,), (), t, ())
    hits = index_for(uow, versions).screen(party, t)
    return Screening(None, (party,), tuple(versions), t,
                     tuple(_views(uow, [party], hits, versions)))


def _previous_hits(uow: UnitOfWork, case_id: int) -> set[tuple[str, int, str]] | None:
    last = uow.session.scalar(select(ScreeningRun.id).where(ScreeningRun.case_id == case_id)
                              .order_by(ScreeningRun.id.desc()).limit(1))
    if last is None:
        return None
    return set(uow.session.execute(select(ScreeningHit.party_key, ScreeningHit.list_id,
                                          ScreeningHit.entry_key)
                                   .where(ScreeningHit.run_id == last)))


def _store_run(uow: UnitOfWork, actor: Actor, case: Case, screening: Screening,
               reason: str) -> ScreeningRun:
    run = ScreeningRun(case_id=case.id, run_at=now_utc(), run_by_id=actor.id, reason=reason,
                       threshold=screening.threshold, normaliser=NORMALISER_VERSION,
                       versions=screening.to_json()["lists"],
                       parties=[{"key": p.key, "role": p.role, "name": p.name,
                                 "country": p.country} for p in screening.parties],
                       hit_count=len(screening.hits), open_count=len(screening.open_hits),
                       new_count=sum(1 for h in screening.hits if h.is_new))
    uow.session.add(run)
    uow.flush()
    if screening.hits:
        uow.session.execute(insert(ScreeningHit), [
            {"run_id": run.id, "party_key": h.party.key, "party_role": h.party.role,
             "party_name": h.party.name[:300], "list_id": h.hit.list_id,
             "version_id": h.hit.version_id, "entry_key": h.hit.entry_key,
             "entry_hash": h.hit.entry_hash, "entry_name": h.hit.entry_name[:500],
             "score": h.hit.score, "explanation": h.hit.explanation.to_json(),
             "status": h.state, "is_new": h.is_new} for h in screening.hits])
    return run


def screen_case(uow: UnitOfWork, actor: Actor, case_id: int, *, reason: str = "manual",
                commit: bool = True) -> Screening:
    """Screen the case now and keep the run: which versions, threshold, hits and states."""
    require(actor, Permission.SCREEN)
    record = cases.get_case(uow, case_id)
    case = uow.session.get(Case, case_id)
    assert case is not None
    previous = _previous_hits(uow, case_id)
    live = screen_data(uow, record.data, case_id)
    if not live.available:
        raise InputError(_("No sanctions list is imported (or none is in use): import a list "
                           "in the Screening window first."))
    views = _views(uow, live.parties, [h.hit for h in live.hits], live.versions, previous)
    screening = Screening(case_id, live.parties, live.versions, live.threshold, tuple(views))
    run = _store_run(uow, actor, case, screening, reason)
    record_change(uow.session, actor.id, "screening.run", "case", case.reference, None,
                  {"run": run.id, "reason": reason, "threshold": screening.threshold,
                   "lists": [v.id for v in screening.versions], "hits": run.hit_count,
                   "open": run.open_count, "new": run.new_count})
    if commit:
        uow.commit()
    return Screening(case_id, screening.parties, screening.versions, screening.threshold,
                     screening.hits, run.id, run.run_at)


def case_screening(uow: UnitOfWork, case_id: int) -> Screening:
    """The case's screening as it stands now (current lists, current dispositions)."""
    record = cases.get_case(uow, case_id)
    live = screen_data(uow, record.data, case_id)
    previous = _previous_hits(uow, case_id)
    if previous is None:
        return live
    views = _views(uow, live.parties, [h.hit for h in live.hits], live.versions, previous)
    return Screening(case_id, live.parties, live.versions, live.threshold, tuple(views))


@dataclass(frozen=True)
class RunInfo:
    id: int
    run_at: datetime
    run_by: str
    reason: str
    threshold: int
    lists: tuple[str, ...]
    hit_count: int
    open_count: int
    new_count: int


def runs(uow: UnitOfWork, case_id: int) -> list[RunInfo]:
    names = dict(uow.session.execute(select(User.id, User.full_name)).all())
    rows = uow.session.scalars(select(ScreeningRun).where(ScreeningRun.case_id == case_id)
                               .order_by(ScreeningRun.id.desc()))
    return [RunInfo(r.id, r.run_at, names.get(r.run_by_id, ""), r.reason, r.threshold,
                    tuple(f"{v['list']} ({v.get('published') or v['version_id']})"
                          for v in r.versions), r.hit_count, r.open_count, r.new_count)
            for r in rows]


def record_disposition(uow: UnitOfWork, actor: Actor, case_id: int, party: str,
                       list_id: int, entry_key: str, verdict: str, reason: str = "") -> None:
    """Judge one hit of the case. ``party`` is the party key (or the party's exact name)."""
    require(actor, Permission.SCREEN)
    if verdict not in VERDICTS:
        raise InputError(_("A judgement is 'match' or 'false_positive', not '{v}'.").format(
            v=verdict))
    reason = reason.strip()
    if verdict == FALSE_POSITIVE and not reason:
        raise InputError(_("Say why the hit is a false positive (for example: a different "
                           "date of birth, a different country, a different kind of party)."))
    record = cases.get_case(uow, case_id)
    if record.status not in EDITABLE and record.status is not CaseStatus.REFERRED \
            and record.status not in IN_FORCE:
        raise StatusTransitionError(_("The case is {status}: its screening can no longer be "
                                      "judged.").format(status=record.status.label.lower()))
    current = case_screening(uow, case_id)
    found = [h for h in current.hits if (h.party.key == party or h.party.name == party)
             and h.hit.list_id == list_id and h.hit.entry_key == entry_key]
    if not found:
        raise NotFoundError(_("The case has no current hit of entry {entry} for that party: "
                              "screen it again.").format(entry=entry_key))
    h = found[0]
    row = ScreeningDisposition(party_key=h.party.key, party_name=h.party.name[:300],
                               list_id=list_id, entry_key=entry_key,
                               entry_hash=h.hit.entry_hash, entry_name=h.hit.entry_name[:500],
                               verdict=verdict, reason=reason, case_id=case_id,
                               decided_at=now_utc(), decided_by_id=actor.id)
    uow.session.add(row)
    uow.flush()
    record_change(uow.session, actor.id, "screening.disposition", "case", record.reference,
                  None if h.disposition is None else {"verdict": h.disposition.verdict,
                                                      "reason": h.disposition.reason},
                  {"party": h.party.name, "list": h.list_name, "entry": entry_key,
                   "entry_name": h.hit.entry_name, "entry_hash": h.hit.entry_hash,
                   "score": h.hit.score, "verdict": verdict, "reason": reason})
    uow.commit()


@dataclass(frozen=True)
class DispositionRecord:
    id: int
    party_name: str
    list_id: int
    entry_key: str
    entry_name: str
    verdict: str
    reason: str
    decided_at: datetime
    decided_by: str
    case_reference: str


def disposition_history(uow: UnitOfWork, case_id: int | None = None,
                        limit: int = 500) -> list[DispositionRecord]:
    names = dict(uow.session.execute(select(User.id, User.full_name)).all())
    q = select(ScreeningDisposition, Case.reference).outerjoin(
        Case, Case.id == ScreeningDisposition.case_id)
    if case_id is not None:
        keys = [p.key for p in case_parties(cases.get_case(uow, case_id).data)]
        q = q.where(ScreeningDisposition.party_key.in_(keys))
    rows = uow.session.execute(q.order_by(ScreeningDisposition.id.desc()).limit(limit)).all()
    return [DispositionRecord(d.id, d.party_name, d.list_id, d.entry_key, d.entry_name,
                              d.verdict, d.reason, d.decided_at,
                              names.get(d.decided_by_id, ""), ref or "") for d, ref in rows]


# --- re-screening --------------------------------------------------------------------------

@dataclass
class RescreenReport:
    cases: int = 0
    parties: int = 0
    hits: int = 0
    new_hits: list[tuple[str, HitView]] = field(default_factory=list)
    seconds: float = 0.0


def rescreen_scope(uow: UnitOfWork) -> list[int]:
    """Open cases and licences in force; decisions imported from a previous system are out
    (they name no parties to screen)."""
    history = cases._history_ids(uow)
    rows = uow.session.execute(select(Case.id, Case.status)).all()
    return [cid for cid, status in rows if cid not in history
            and (CaseStatus(status) not in CLOSED or CaseStatus(status) in IN_FORCE)
            and CaseStatus(status) is not CaseStatus.WITHDRAWN]


def _latest_hits(uow: UnitOfWork, case_ids: Sequence[int]
                 ) -> dict[int, set[tuple[str, int, str]]]:
    """The hits of each case's latest run, for many cases in a few queries."""
    from sqlalchemy import func

    out: dict[int, set[tuple[str, int, str]]] = {}
    ids = list(case_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        last = dict(uow.session.execute(
            select(ScreeningRun.case_id, func.max(ScreeningRun.id))
            .where(ScreeningRun.case_id.in_(chunk)).group_by(ScreeningRun.case_id)).all())
        for cid in last:
            out[cid] = set()
        by_run = {run: cid for cid, run in last.items()}
        if by_run:
            for run_id, pk, lid, ek in uow.session.execute(
                    select(ScreeningHit.run_id, ScreeningHit.party_key, ScreeningHit.list_id,
                           ScreeningHit.entry_key).where(ScreeningHit.run_id.in_(by_run))):
                out[by_run[run_id]].add((pk, lid, ek))
    return out


def _case_data(uow: UnitOfWork, case_ids: Sequence[int]) -> dict[int, tuple[Case, CaseData]]:
    """Cases with the fields screening reads (exporter and parties), loaded in bulk."""
    from sqlalchemy.orm import selectinload

    out: dict[int, tuple[Case, CaseData]] = {}
    ids = list(case_ids)
    for i in range(0, len(ids), 500):
        rows = uow.session.scalars(select(Case).where(Case.id.in_(ids[i:i + 500]))
                                   .options(selectinload(Case.parties)))
        for c in rows:
            out[c.id] = (c, CaseData(
                exporter_name=c.exporter_name, exporter_country=c.exporter_country,
                destination=c.destination,
                parties=[PartyData(role=p.role, name=p.name, country=p.country, kind=p.kind,
                                   birth_date=p.birth_date)
                         for p in c.parties]))
    return out


def rescreen(uow: UnitOfWork, actor: Actor, *, case_ids: Sequence[int] | None = None,
             progress: Progress | None = None, is_cancelled: IsCancelled | None = None
             ) -> RescreenReport:
    """Screen every open case and licence in force again (after a list update), store a
    run per case and list the hits that are new and need judging. All or nothing.

    Everything is read in bulk (cases, previous runs, judgements) and the matcher scores
    each distinct party once, so 10,000 parties take seconds, not minutes."""
    import time

    if not actor.can(Permission.MANAGE_LISTS):  # whoever imports a list re-screens after it
        require(actor, Permission.SCREEN)
    started = time.perf_counter()
    versions = list_store.current_versions(uow)
    if not versions:
        raise InputError(_("No sanctions list is imported (or none is in use)."))
    ids = list(case_ids) if case_ids is not None else rescreen_scope(uow)
    index = index_for(uow, versions)
    t = threshold(uow)
    report = RescreenReport()
    loaded = _case_data(uow, ids)
    previous_runs = _latest_hits(uow, ids)
    parties_of = {cid: case_parties(loaded[cid][1]) for cid in ids if cid in loaded}
    # Scored under a key of their own (case and position): two cases may name the same
    # party (same key) with different dates of birth, and each must get its own hits.
    everyone = [replace(p, key=f"{cid}|{i}") for cid, ps in parties_of.items()
                for i, p in enumerate(ps)]

    def scored(done: int, total: int) -> None:
        if progress:
            progress(done, total + max(1, total // 10))

    hits = index.screen_many(everyone, t, scored, is_cancelled)
    disps = _dispositions(uow, {p.key for ps in parties_of.values() for p in ps})
    by_party: dict[str, list[Hit]] = {}
    for h in hits:
        by_party.setdefault(h.party_key, []).append(h)
    total = len(everyone)
    for n, cid in enumerate(ids, 1):
        if is_cancelled and is_cancelled():
            raise Cancelled()
        if cid not in loaded:
            raise NotFoundError(_("No case has id {id}.").format(id=cid))
        case, _data = loaded[cid]
        parties = parties_of[cid]
        seen: set[tuple[str, int, str]] = set()
        case_hits = []
        for i, p in enumerate(parties):
            for h in by_party.get(f"{cid}|{i}", []):
                if (p.key, h.list_id, h.entry_key) not in seen:
                    seen.add((p.key, h.list_id, h.entry_key))
                    case_hits.append(replace(h, party_key=p.key))
        views = _views(uow, parties, case_hits, versions, previous_runs.get(cid, set()),
                       disps)
        screening = Screening(cid, tuple(parties), tuple(versions), t, tuple(views))
        run = _store_run(uow, actor, case, screening, "list-update")
        report.cases += 1
        report.parties += len(parties)
        report.hits += len(views)
        report.new_hits += [(case.reference, v) for v in views if v.is_new]
        if run.new_count:
            record_change(uow.session, actor.id, "screening.run", "case", case.reference,
                          None, {"run": run.id, "reason": "list-update", "threshold": t,
                                 "lists": [v.id for v in versions], "hits": run.hit_count,
                                 "open": run.open_count, "new": run.new_count})
        if progress and (n % 50 == 0 or n == len(ids)):
            progress(total + max(1, total // 10) * n // max(1, len(ids)),
                     total + max(1, total // 10))
    record_change(uow.session, actor.id, "screening.rescreen", "screening", "all", None,
                  {"lists": [v.id for v in versions], "threshold": t, "cases": report.cases,
                   "parties": report.parties, "new_hits": len(report.new_hits)})
    uow.commit()
    report.seconds = time.perf_counter() - started
    return report


def decision_snapshot(uow: UnitOfWork, actor: Actor, case_id: int) -> dict | None:
    """What the signed decision record keeps of screening: the list versions (with their
    file hashes), the threshold and every hit with its judgement. A run is stored too, so
    the case's history shows the screening the decision rested on. None without lists."""
    record = cases.get_case(uow, case_id)
    live = screen_data(uow, record.data, case_id)
    if not live.available:
        return None
    if actor.can(Permission.SCREEN):
        case = uow.session.get(Case, case_id)
        assert case is not None
        _store_run(uow, actor, case, live, "decision")
    doc = live.to_json()
    return {"lists": doc["lists"], "threshold": live.threshold,
            "normaliser": NORMALISER_VERSION,
            "parties": len(live.parties),
            "hits": [{"party": h.party.name, "role": h.party.role, "list": h.list_name,
                      "entry_key": h.hit.entry_key, "entry_name": h.hit.entry_name,
                      "reference": h.entry.reference, "score": h.hit.score,
                      "state": h.state,
                      "reason": h.disposition.reason if h.disposition else "",
                      "judged_by": h.disposition.decided_by if h.disposition else ""}
                     for h in live.hits]}
