"""Evidence for one case: the items most relevant to it, each with the reasons it was
suggested, and past-incidents entries drawn from the items an assessment cites.

Relevance is a transparent score, not a black box: the destination, the named end users and
consignees (matched by fuzzy name against the actors an item names), the control-list
categories of the goods, recency and the Admiralty grade each add points and a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process
from sqlalchemy import select

from app.assessment import Citation
from app.assessments import IncidentData
from app.casedata import CaseData
from app.i18n import _
from app.reference import reference
from app.uow import UnitOfWork
from app.vocab import PartyRole
from db.models import EvidenceItem, EvidenceTag, EvidenceVersion

NAMED_ROLES = (PartyRole.END_USER, PartyRole.ULTIMATE_END_USER, PartyRole.CONSIGNEE)
NAME_CUTOFF = 80.0
#: Words that carry no identity in an organisation's name.
_STOP = {"the", "of", "and", "for", "de", "la", "del", "republic"}
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Suggestion:
    item_id: int
    score: float
    reasons: tuple[str, ...]
    title: str
    grade: str
    published_on: date | None
    content_sha256: str


def _grade_points(reliability: str, credibility: str) -> tuple[int, str]:
    grade = f"{reliability}{credibility}"
    if reliability in "AB" and credibility in "12":
        return 10, _("well graded ({grade})").format(grade=grade)
    if reliability in "ABC" and credibility in "123":
        return 5, _("graded {grade}").format(grade=grade)
    return 0, ""


def _tokens(name: str, drop: set[str]) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(name.casefold()) if w not in _STOP | drop)


def _same_body(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two names share enough words to be the same body: two or more words in common, or a
    one-word name (a group's name) found whole. 'Ministry of Defence' and 'People's Defence
    Forces' share only 'defence' and are not the same body."""
    common = a & b
    if len(common) >= 2:
        return True
    smaller = min(a, b, key=len)
    return len(common) == 1 and len(smaller) == 1 and len(next(iter(common))) >= 5


def suggest_for_case(uow: UnitOfWork, data: CaseData, *, limit: int = 30,
                     today: date | None = None) -> list[Suggestion]:
    today = today or date.today()
    s = uow.session
    ref = reference()
    parties = [p for p in data.parties if p.role in NAMED_ROLES and p.name.strip()]
    categories = {ref.control_category_of(g.control_entry) for g in data.goods} - {None}

    # Candidates: items about the destination, and items naming a party (fuzzy).
    # kind -> (points, reason): the best reason of each kind counts, once.
    candidates: dict[int, dict[str, tuple[int, str]]] = {}

    def add(item_id: int, kind: str, points: int, reason: str) -> None:
        best = candidates.setdefault(item_id, {})
        if points > best.get(kind, (-1, ""))[0]:
            best[kind] = (points, reason)

    if data.destination:
        country = ref.country_name(data.destination)
        for (item_id,) in s.execute(select(EvidenceTag.item_id).where(
                EvidenceTag.kind == "country", EvidenceTag.value == data.destination)):
            add(item_id, "country", 30,
                _("about the destination, {country}").format(country=country))
    if parties:
        # Country names say nothing about which body it is: 'National Police Service of
        # Kenya' is the 'National Police Service' of an item about Kenya.
        drop = {w for code in {data.destination, *(p.country for p in parties)} if code
                for w in _WORD.findall(ref.country_name(code).casefold())}
        actors = list(s.scalars(select(EvidenceTag.value).where(EvidenceTag.kind == "actor")
                                .distinct()))
        tokens = {a: _tokens(a, drop) for a in actors}
        choices = {a: " ".join(sorted(t)) for a, t in tokens.items() if t}
        for party in parties:
            wanted = _tokens(party.name, drop)
            if not wanted:
                continue
            for _choice, score, actor in process.extract(
                    " ".join(sorted(wanted)), choices, scorer=fuzz.token_set_ratio,
                    score_cutoff=NAME_CUTOFF, limit=20):
                if not _same_body(wanted, tokens[actor]):
                    continue
                for (item_id,) in s.execute(select(EvidenceTag.item_id).where(
                        EvidenceTag.kind == "actor", EvidenceTag.value == actor)):
                    add(item_id, "actor", round(40 * score / 100), _(
                        "names the {role} '{name}' (as '{actor}', {score:.0f}% match)").format(
                            role=PartyRole(party.role).label.lower(), name=party.name,
                            actor=actor, score=score))
    if not candidates:
        return []
    rows = s.execute(
        select(EvidenceItem.id, EvidenceVersion.title, EvidenceVersion.reliability,
               EvidenceVersion.credibility, EvidenceVersion.published_on,
               EvidenceVersion.events_from, EvidenceVersion.item_categories,
               EvidenceVersion.content_sha256)
        .join(EvidenceVersion, EvidenceVersion.id == EvidenceItem.current_version_id)
        .where(EvidenceItem.id.in_(list(candidates)))).all()
    out: list[Suggestion] = []
    for row in rows:
        ranked = sorted(candidates[row.id].values(), reverse=True)
        points = sum(p for p, _r in ranked)
        reasons = [r for _p, r in ranked]
        shared = sorted(categories & set(row.item_categories or []))
        if shared:
            points += 15
            reasons.append(_("concerns {cats}, as the goods do").format(cats=", ".join(shared)))
        when = row.events_from or row.published_on
        if when is not None:
            age = (today - when).days / 365.25
            if age <= 2:
                points += 10
                reasons.append(_("recent ({date})").format(date=when.isoformat()))
            elif age <= 5:
                points += 5
                reasons.append(_("within five years ({date})").format(date=when.isoformat()))
        grade_points, grade_reason = _grade_points(row.reliability, row.credibility)
        if grade_points:
            points += grade_points
            reasons.append(grade_reason)
        out.append(Suggestion(row.id, float(points), tuple(reasons), row.title,
                              f"{row.reliability}{row.credibility}", row.published_on,
                              row.content_sha256))
    out.sort(key=lambda sg: (-sg.score, -(sg.published_on or date.min).toordinal(),
                             sg.item_id))
    return out[:limit]


def incidents_from_citations(uow: UnitOfWork, citations: Iterable[Citation],
                             existing: Iterable[IncidentData] = ()) -> list[IncidentData]:
    """Past-incidents entries for cited evidence items not yet in the log (by source)."""
    known = {i.source for i in existing}
    seen: set[str] = set()
    out: list[IncidentData] = []
    for citation in citations:
        sha = citation.content_sha256
        if not citation.evidence_id or not sha or sha in seen:
            continue
        seen.add(sha)
        version = uow.session.scalar(select(EvidenceVersion).where(
            EvidenceVersion.content_sha256 == sha))
        if version is None:
            continue
        source = citation.reference or version.title
        if source in known:
            continue
        when = version.events_from or version.published_on
        out.append(IncidentData(
            occurred=when.isoformat() if when else "",
            actor="; ".join(version.actors or [])[:300],
            description=(version.summary or version.title)[:500],
            items=", ".join(version.item_categories or []),
            source=source, investigated="unknown"))
    return out
