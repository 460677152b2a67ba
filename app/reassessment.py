"""Re-assessment alerts (ATT Art 7(7)): licences in force that new evidence touches.

A licence (a case approved, approved with conditions, or suspended) is listed when evidence
that entered the base after its last decision or reassessment

- concerns it: the item's countries include the destination, or its actors name the end
  user, ultimate end user or consignee (the fuzzy rule of ``app.evidence_for_case``);
- is graded at least ``reassessment.min_grade`` (default B2: reliability A or B and
  credibility 1 or 2);
- falls in a violation category relevant to the licence's goods, as the data file
  ``resources/reference/violation_relevance.yaml`` says.

It stays listed until an officer signs a reassessment (confirm, suspend, reinstate or
revoke: ``record_reassessment``), which resets the licence's clock. A suspended licence
stays listed whatever the evidence: a suspension calls for a reinstatement or a revocation.

Cost: a handful of set-based queries (the licences, then the well-graded items added after
the oldest licence's clock, then their tags), and names matched only against the actors of
those items, through an index of their words.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Select, func, or_, select

from app import decisions, settings
from app.decisions import RecordKind
from app.errors import ConcurrentEditError, InputError, ReferenceDataError
from app.evidence import Cancelled
from app.evidence_for_case import NAME_CUTOFF, NAMED_ROLES, _same_body, _tokens
from app.evidence_vocab import EvidenceVocabulary, vocabulary
from app.i18n import _
from app.reference import REFERENCE_DIR, ReferenceData, TableInfo, _load_yaml, reference
from app.roles import Actor, Permission, require
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.vocab import PartyRole
from db.models import (
    Case,
    DecisionRow,
    EvidenceItem,
    EvidenceTag,
    EvidenceVersion,
    GoodsLine,
    Party,
)

RELEVANCE_PATH = REFERENCE_DIR / "violation_relevance.yaml"

#: Statuses whose licences are watched; suspended ones are always listed.
WATCHED = (CaseStatus.APPROVED, CaseStatus.APPROVED_WITH_CONDITIONS, CaseStatus.SUSPENDED)
#: Records that (re)start a licence's clock: evidence older than the latest was weighed.
CLOCK_KINDS = (RecordKind.DECISION, RecordKind.CONFIRMATION, RecordKind.SUSPENSION,
               RecordKind.REINSTATEMENT)
RELIABILITY = "ABCDEF"
CREDIBILITY = "123456"

_ML_HEAD = re.compile(r"^ML([1-9]|1[0-9]|2[0-2])$")
_ML_ENTRY = re.compile(r"^ML(\d{1,2})(?:\..*)?$", re.IGNORECASE)
_DUAL_USE = re.compile(r"^[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*$")
_WORD = re.compile(r"\w+")
_CHUNK = 900  # ids per IN (...): well under SQLite's limit on bound parameters


# --- the relevance table (data) -----------------------------------------------------------

@dataclass(frozen=True)
class Relevance:
    """The goods one violation category is relevant to."""

    categories: frozenset[str]
    dual_use: tuple[str, ...] = ()
    all_goods: bool = False


@dataclass(frozen=True)
class RelevanceTable:
    violations: dict[str, Relevance]
    unlisted_relevant: bool
    info: TableInfo
    path: Path

    def listed(self, entry: str) -> bool:
        """Whether a non-ML goods entry is named by some violation's dual-use list."""
        return any(_covers(p, entry) for r in self.violations.values() for p in r.dual_use)

    def relevant_goods(self, entries: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """For each violation, the goods (ML heads, or entries as written) it is relevant
        to among ``entries``; violations relevant to none are left out."""
        goods: list[tuple[str, bool]] = []  # (label, is an ML head)
        for entry in entries:
            entry = entry.strip()
            if not entry:
                continue
            match = _ML_ENTRY.match(entry)
            label = f"ML{int(match.group(1))}" if match else entry
            if (label, bool(match)) not in goods:
                goods.append((label, bool(match)))
        unlisted = {label for label, is_ml in goods if not is_ml and not self.listed(label)}
        out: dict[str, tuple[str, ...]] = {}
        for vid, rel in self.violations.items():
            hits = []
            for label, is_ml in goods:
                if label in unlisted:
                    if rel.all_goods or self.unlisted_relevant:
                        hits.append(_("{entry} (not in the relevance table)").format(
                            entry=label))
                elif (rel.all_goods or (is_ml and label in rel.categories)
                      or (not is_ml and any(_covers(p, label) for p in rel.dual_use))):
                    hits.append(label)
            if hits:
                out[vid] = tuple(hits)
        return out


def _covers(prefix: str, entry: str) -> bool:
    p, e = prefix.upper(), entry.upper()
    return e == p or e.startswith(p + ".")


def load_relevance(path: Path = RELEVANCE_PATH, vocab: EvidenceVocabulary | None = None,
                   ref: ReferenceData | None = None) -> RelevanceTable:
    """Read and check the relevance table; any problem names the file."""
    vocab = vocab or vocabulary()
    ref = ref or reference()
    data = _load_yaml(path)

    def bad(message: str) -> ReferenceDataError:
        return ReferenceDataError(_("Reference table {path}: {problem}").format(
            path=path, problem=message))

    unlisted = data.get("unlisted_entries", "all")
    if unlisted not in ("all", "none"):
        raise bad(_("'unlisted_entries' must be 'all' or 'none', not {v!r}").format(v=unlisted))
    rows = data.get("violations")
    if not isinstance(rows, dict) or not rows:
        raise bad(_("'violations' must be a mapping of violation ids to their goods"))
    unknown = sorted(str(k) for k in rows if k not in vocab.violations)
    if unknown:
        raise bad(_("unknown violation ids: {ids} (known: {known})").format(
            ids=", ".join(unknown), known=", ".join(vocab.violations)))
    missing = [v for v in vocab.violations if v not in rows]
    if missing:
        raise bad(_("every violation of the evidence vocabulary needs an entry; missing: "
                    "{ids}").format(ids=", ".join(missing)))
    out: dict[str, Relevance] = {}
    for vid, row in rows.items():
        if not isinstance(row, dict):
            raise bad(_("{id} must be a mapping with 'categories' and/or 'dual_use'").format(
                id=vid))
        extra = sorted(set(row) - {"categories", "dual_use"})
        if extra:
            raise bad(_("{id} has unknown fields: {f}").format(id=vid, f=", ".join(extra)))
        cats = row.get("categories", [])
        all_goods = cats == "all"
        if all_goods:
            cats = []
        if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
            raise bad(_("{id}.categories must be 'all' or a list such as [ML1, ML3]").format(
                id=vid))
        for c in cats:
            if not _ML_HEAD.match(c) or c not in ref.control_categories:
                raise bad(_("{id}.categories: '{c}' is not a category ML1 to ML22").format(
                    id=vid, c=c))
        dual = row.get("dual_use", [])
        if not isinstance(dual, list) or not all(isinstance(d, str) for d in dual):
            raise bad(_("{id}.dual_use must be a list of dual-use entries such as 5A001.j")
                      .format(id=vid))
        for d in dual:
            if not _DUAL_USE.match(d):
                raise bad(_("{id}.dual_use: '{d}' is not a dual-use entry such as 5A001.j")
                          .format(id=vid, d=d))
        if not (all_goods or cats or dual):
            raise bad(_("{id} is relevant to no goods: give categories or dual_use").format(
                id=vid))
        out[vid] = Relevance(frozenset(cats), tuple(dual), all_goods)
    return RelevanceTable(out, unlisted == "all",
                          TableInfo(data["version"], data["as_of"], data["source"]), path)


@cache
def relevance() -> RelevanceTable:
    """The shipped table, loaded once per process."""
    return load_relevance()


# --- names ---------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Case and accents folded: 'Défense' and 'DEFENSE' read the same."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_tokens(name: str, drop: Collection[str] = ()) -> frozenset[str]:
    """The identifying words of a name (``app.evidence_for_case``'s rule, accents folded)."""
    return _tokens(fold(name), set(drop))


def same_body(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two names' words say they are the same body (``app.evidence_for_case``)."""
    return _same_body(a, b)


def _covered(small: frozenset[str], large: frozenset[str]) -> bool:
    """Every word of the shorter name is in the longer one, or a spelling variant of one."""
    return all(w in large or any(fuzz.ratio(w, x) >= NAME_CUTOFF for x in large)
               for w in small)


def name_score(a: frozenset[str], b: frozenset[str]) -> float | None:
    """The match score (0-100) of two names' words when they name the same body, else None.

    The rule of ``app.evidence_for_case`` (enough words in common, then a fuzzy score of at
    least NAME_CUTOFF), made stricter for alerts: every word of the shorter name must be in
    the longer one. 'Luski Liberation Front' and 'Nema Liberation Front' share two words and
    score 84, but are two groups."""
    if not a or not b or not same_body(a, b):
        return None
    small, large = sorted((a, b), key=len)
    if not _covered(small, large):
        return None
    score = float(fuzz.token_set_ratio(" ".join(sorted(a)), " ".join(sorted(b))))
    return score if score >= NAME_CUTOFF else None


@cache
def _country_words(code: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(reference().country_name(code))))


def country_words(codes: Iterable[str]) -> frozenset[str]:
    """Words of country names, which say nothing about which body a name is."""
    out: frozenset[str] = frozenset()
    for code in codes:
        if code:
            out |= _country_words(code)
    return out


# --- grades ---------------------------------------------------------------------------------

def grade_key(grade: str) -> tuple[int, int]:
    """Sort key of an Admiralty grade, best first ('A1' < 'B2' < 'F6')."""
    return RELIABILITY.index(grade[0]), CREDIBILITY.index(grade[1])


def meets(grade: str, minimum: str) -> bool:
    """'B2 or better': reliability no worse than B and credibility no worse than 2."""
    r, c = grade_key(grade)
    mr, mc = grade_key(minimum)
    return r <= mr and c <= mc


# --- results ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AlertItem:
    """A new evidence item that puts a licence on the list, and why."""

    evidence_id: int
    title: str
    grade: str
    content_sha256: str
    added_at: datetime
    why: tuple[str, ...]
    version_no: int = 1

    def to_json(self) -> dict[str, Any]:
        """What the signed reassessment record lists for this item."""
        return {"id": self.evidence_id, "content_sha256": self.content_sha256,
                "title": self.title, "grade": self.grade}


@dataclass(frozen=True)
class ReassessAlert:
    case_id: int
    reference: str
    destination: str
    status: CaseStatus
    end_user: str
    since: datetime
    items: tuple[AlertItem, ...] = field(default_factory=tuple)
    #: For a suspended licence, the items its suspension record lists ({id, content_sha256,
    #: title, grade}, as signed): what a reinstatement or revocation must weigh.
    suspension_evidence: tuple[dict[str, Any], ...] = ()

    @property
    def suspended(self) -> bool:
        return self.status is CaseStatus.SUSPENDED

    @property
    def best_grade(self) -> str:
        return min((i.grade for i in self.items), key=grade_key, default="")


# --- the computation -----------------------------------------------------------------------

@dataclass
class _Licence:
    case_id: int
    reference: str
    destination: str
    status: CaseStatus
    since: datetime
    parties: list[tuple[str, str, str]] = field(default_factory=list)  # role, name, country
    entries: list[str] = field(default_factory=list)
    suspension_evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def end_user(self) -> str:
        for role in NAMED_ROLES:
            for r, name, _country in self.parties:
                if r == role:
                    return name
        return ""


def _licences(uow: UnitOfWork, case_ids: Collection[int] | None) -> list[_Licence]:
    s = uow.session
    clock = (select(DecisionRow.case_id, func.max(DecisionRow.decided_at).label("since"))
             .where(DecisionRow.kind.in_([k.value for k in CLOCK_KINDS]))
             .group_by(DecisionRow.case_id).subquery())
    watched = select(Case.id).where(Case.status.in_([st.value for st in WATCHED]))
    if case_ids is not None:
        watched = watched.where(Case.id.in_(list(case_ids)))
    rows = s.execute(
        select(Case.id, Case.reference, Case.destination, Case.status, Case.updated_at,
               clock.c.since)
        .outerjoin(clock, clock.c.case_id == Case.id)
        .where(Case.id.in_(watched))).all()
    out = {r.id: _Licence(r.id, r.reference, r.destination or "", CaseStatus(r.status),
                          r.since or r.updated_at) for r in rows}
    if not out:
        return []
    for case_id, role, name, country in s.execute(
            select(Party.case_id, Party.role, Party.name, Party.country)
            .where(Party.case_id.in_(watched), Party.role.in_([r.value for r in NAMED_ROLES]))
            .order_by(Party.case_id, Party.position)):
        if name and name.strip():
            out[case_id].parties.append((role, name, country or ""))
    for case_id, entry in s.execute(
            select(GoodsLine.case_id, GoodsLine.control_entry)
            .where(GoodsLine.case_id.in_(watched)).order_by(GoodsLine.case_id,
                                                            GoodsLine.position)):
        if entry:
            out[case_id].entries.append(entry)
    suspended = [i for i, lic in out.items() if lic.status is CaseStatus.SUSPENDED]
    for start in range(0, len(suspended), _CHUNK):
        for case_id, snapshot in s.execute(
                select(DecisionRow.case_id, DecisionRow.snapshot)
                .where(DecisionRow.case_id.in_(suspended[start:start + _CHUNK]),
                       DecisionRow.kind == RecordKind.SUSPENSION.value)
                .order_by(DecisionRow.case_id, DecisionRow.sequence)):
            signed = json.loads(snapshot) if snapshot else {}
            out[case_id].suspension_evidence = [e for e in signed.get("evidence") or []
                                                if isinstance(e, dict)]
    return list(out.values())


def _new_items(after: datetime, minimum: str) -> Select[Any]:
    """Current versions that entered the base after ``after``, graded ``minimum`` or
    better (items without a violation category are dropped later, from their tags).

    Filtered first on the small items table: an item's current version is no older than
    the item, and an edit (a new version) bumps the item's row_version, so only items
    added after ``after`` or edited at some time need their version read."""
    r, c = grade_key(minimum)
    v, item = EvidenceVersion, EvidenceItem
    return (select(item.id, v.created_at, v.reliability, v.credibility)
            .join(v, v.id == item.current_version_id)
            .where(or_(item.created_at > after, item.row_version > 1),
                   v.created_at > after,
                   v.reliability.in_(list(RELIABILITY[:r + 1])),
                   v.credibility.in_(list(CREDIBILITY[:c + 1]))))


class _Names:
    """Actors of the new items, indexed by word, matched against party names."""

    def __init__(self, actors: Iterable[str]) -> None:
        self.tokens: dict[str, frozenset[str]] = {}
        self.by_word: dict[str, list[str]] = defaultdict(list)
        for actor in actors:
            words = name_tokens(actor)
            if words:
                self.tokens[actor] = words
                for w in words:
                    self.by_word[w].append(actor)
        self._cache: dict[tuple[str, frozenset[str]], list[tuple[str, float]]] = {}

    def matches(self, name: str, drop: frozenset[str]) -> list[tuple[str, float]]:
        key = (name, drop)
        found = self._cache.get(key)
        if found is not None:
            return found
        found = []
        wanted = name_tokens(name, drop)
        if wanted:
            candidates = {a for w in wanted for a in self.by_word.get(w, ())}
            for actor in sorted(candidates):
                score = name_score(wanted, self.tokens[actor] - drop)
                if score is not None:
                    found.append((actor, score))
        self._cache[key] = found
        return found


@dataclass
class _Fresh:
    """A well-graded item added after the oldest licence's clock, and its tags."""

    added: datetime
    grade: str
    violations: list[str] = field(default_factory=list)
    categories: set[str] = field(default_factory=set)
    about: list[tuple[str, str]] = field(default_factory=list)  # (country|actor, value)


def _fresh(uow: UnitOfWork, after: datetime, minimum: str, destinations: set[str],
           check: Callable[[], None]) -> dict[int, _Fresh]:
    """The new items that have a violation category, with their tags (by item id, through
    the item index: an OR over kinds would make SQLite scan the whole kind index)."""
    s = uow.session
    fresh = {item_id: _Fresh(created_at, f"{rel}{cred}")
             for item_id, created_at, rel, cred in s.execute(_new_items(after, minimum))}
    ids = list(fresh)
    for start in range(0, len(ids), _CHUNK):
        check()
        for item_id, kind, value in s.execute(
                select(EvidenceTag.item_id, EvidenceTag.kind, EvidenceTag.value)
                .where(EvidenceTag.item_id.in_(ids[start:start + _CHUNK]))):
            item = fresh[item_id]
            if kind == "violation":
                item.violations.append(value)
            elif kind == "category":
                item.categories.add(value)
            elif kind == "actor" or (kind == "country" and value in destinations):
                item.about.append((kind, value))
    # No violation category: never a reason to reassess.
    return {i: item for i, item in fresh.items() if item.violations}


def _alerts(uow: UnitOfWork, case_ids: Collection[int] | None = None,
            progress: Callable[[int, int], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> list[ReassessAlert]:
    def check() -> None:
        if cancelled is not None and cancelled():
            raise Cancelled()

    ref, vocab, table = reference(), vocabulary(), relevance()
    minimum = str(settings.get(uow, "reassessment.min_grade"))
    licences = _licences(uow, case_ids)
    check()
    if not licences:
        return []
    destinations = {lic.destination for lic in licences if lic.destination}
    fresh = _fresh(uow, min(lic.since for lic in licences), minimum, destinations, check)
    check()
    by_country: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    by_actor: dict[str, list[int]] = defaultdict(list)
    for item_id, item in fresh.items():
        for kind, value in item.about:
            if kind == "country":
                by_country[value].append((item.added, item_id))
            else:
                by_actor[value].append(item_id)
    for entries in by_country.values():
        entries.sort()
    names = _Names(by_actor)
    relevant_of: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {}
    violation_text: dict[tuple[str, tuple[str, ...]], str] = {}
    found: dict[int, dict[int, list[str]]] = {}  # case -> item -> reasons
    total = len(licences)
    for n, lic in enumerate(licences):
        if n % 100 == 0:
            check()
            if progress is not None:
                progress(n, total)
        reasons: dict[int, list[str]] = {}
        newer = by_country.get(lic.destination, [])
        start = bisect.bisect_right(newer, lic.since, key=lambda e: e[0])
        if start < len(newer):
            text = _("destination: {country} ({code})").format(
                country=ref.country_name(lic.destination), code=lic.destination)
            for _at, item_id in newer[start:]:
                reasons[item_id] = [text]
        if lic.parties:
            drop = country_words({lic.destination, *(c for _r, _n, c in lic.parties)})
            for role, name, _country in lic.parties:
                for actor, score in names.matches(name, drop):
                    text = _("{role} named: {name} (as '{actor}', {score:.0f}% match)").format(
                        role=PartyRole(role).label.lower(), name=name, actor=actor,
                        score=score)
                    for item_id in by_actor[actor]:
                        if fresh[item_id].added > lic.since:
                            got = reasons.setdefault(item_id, [])
                            if text not in got:
                                got.append(text)
        if not reasons and lic.status is not CaseStatus.SUSPENDED:
            continue
        key = tuple(lic.entries)
        relevant = relevant_of.get(key)
        if relevant is None:
            relevant = relevant_of[key] = table.relevant_goods(lic.entries)
        kept: dict[int, list[str]] = {}
        for item_id, why in reasons.items():
            for v in fresh[item_id].violations:
                goods = relevant.get(v)
                if goods is None:
                    continue
                text = violation_text.get((v, goods))
                if text is None:
                    term = vocab.violations.get(v)
                    text = violation_text[(v, goods)] = _(
                        "violation: {violation} — relevant to {goods}").format(
                            violation=term.title if term else v, goods=", ".join(goods))
                why.append(text)
                kept[item_id] = why
        if kept or lic.status is CaseStatus.SUSPENDED:
            found[lic.case_id] = kept
    if progress is not None:
        progress(total, total)
    check()
    return _build(uow, licences, found, fresh)


def _build(uow: UnitOfWork, licences: list[_Licence], found: dict[int, dict[int, list[str]]],
           fresh: dict[int, _Fresh]) -> list[ReassessAlert]:
    ids = sorted({i for per in found.values() for i in per})
    details: dict[int, tuple[str, str, int]] = {}
    for start in range(0, len(ids), _CHUNK):
        for item_id, title, sha, version_no in uow.session.execute(
                select(EvidenceItem.id, EvidenceVersion.title, EvidenceVersion.content_sha256,
                       EvidenceVersion.version_no)
                .join(EvidenceVersion, EvidenceVersion.id == EvidenceItem.current_version_id)
                .where(EvidenceItem.id.in_(ids[start:start + _CHUNK]))):
            details[item_id] = (title, sha, version_no)
    order = {i: (grade_key(fresh[i].grade), -fresh[i].added.timestamp(), i) for i in ids}
    shared_text: dict[frozenset[str], str] = {}
    alerts = []
    for lic in licences:
        per = found.get(lic.case_id)
        if per is None:
            continue
        heads = frozenset(f"ML{int(m.group(1))}" for e in lic.entries
                          if (m := _ML_ENTRY.match(e)))
        items = []
        for item_id in sorted(per, key=order.__getitem__):
            item = fresh[item_id]
            title, sha, version_no = details[item_id]
            why = per[item_id]
            if heads & item.categories:
                cats = frozenset(heads & item.categories)
                text = shared_text.get(cats)
                if text is None:
                    text = shared_text[cats] = _("reports {cats}, as the goods are").format(
                        cats=", ".join(sorted(cats, key=lambda c: int(c[2:]))))
                why.append(text)
            if version_no > 1:
                why.append(_("version {n} of an item already in the base").format(
                    n=version_no))
            items.append(AlertItem(item_id, title, item.grade, sha, item.added, tuple(why),
                                   version_no))
        alerts.append(ReassessAlert(lic.case_id, lic.reference, lic.destination, lic.status,
                                    lic.end_user, lic.since, tuple(items),
                                    tuple(lic.suspension_evidence)))
    alerts.sort(key=lambda a: (-len(a.items),
                               grade_key(a.items[0].grade) if a.items else (9, 9),
                               a.since, a.reference))
    return alerts


# --- use cases -------------------------------------------------------------------------------

def to_reassess(uow: UnitOfWork, actor: Actor,
                progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> list[ReassessAlert]:
    """Licences in force (and suspended ones) that new evidence touches, most items first,
    then by the best grade among them. ``cancelled`` returning True raises Cancelled."""
    require(actor, Permission.VIEW_CASES)
    return _alerts(uow, None, progress, cancelled)


def alert_for(uow: UnitOfWork, actor: Actor, case_id: int) -> ReassessAlert | None:
    """The alert of one licence, or None if nothing new touches it."""
    require(actor, Permission.VIEW_CASES)
    found = _alerts(uow, [case_id])
    return found[0] if found else None


def record_reassessment(uow: UnitOfWork, actor: Actor, case_id: int, kind: RecordKind,
                        reason: str, *, password: str,
                        seen: Collection[str] | None = None) -> decisions.DecisionRecord:
    """Sign a reassessment of the licence, listing the new items that prompted it.

    ``seen``: the content hashes of the items the officer was shown. If newer evidence
    (or a new version of an item) arrived since, nothing is signed: signing would reset
    the licence's clock past evidence nobody looked at."""
    require(actor, Permission.REASSESS)
    if kind not in decisions.REASSESSMENT:
        raise InputError(_("'{kind}' is not a reassessment.").format(kind=kind.value))
    alert = next(iter(_alerts(uow, [case_id])), None)
    items = alert.items if alert else ()
    if seen is not None:
        known = set(seen)
        unseen = [i for i in items if i.content_sha256 not in known]
        if alert is not None and unseen:
            raise ConcurrentEditError(_(
                "New evidence about {ref} arrived after the list was shown ({n} items): "
                "refresh the list and read it before signing.").format(
                    ref=alert.reference, n=len(unseen)))
    return decisions.reassess(uow, actor, case_id, kind, reason,
                              [i.to_json() for i in items], password=password)
