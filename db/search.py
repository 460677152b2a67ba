"""Full-text search of the evidence base, behind one function so that a server database can
bring its own full-text engine later: ``search_evidence(session, query)``.

On SQLite the index is an FTS5 table (created by migration 0004) whose rowid is the
evidence item id and whose rows hold the item's current version. Ranking is BM25 with the
title and summary weighted above the body; snippets mark matches with \\x02 ... \\x03 so
each caller chooses how to show them (bold in the window, «» on the terminal).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

MARK_START, MARK_END = "\x02", "\x03"
_TOKEN = re.compile(r'"[^"]+"|\S+')


class Indexable(Protocol):
    title: str
    summary: str
    full_text: str
    actors: list[str]
    places: str


@dataclass
class EvidenceQuery:
    text: str = ""
    countries: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    violations: list[str] = field(default_factory=list)
    item_categories: list[str] = field(default_factory=list)
    min_reliability: str = ""  # "B": A or B
    min_credibility: str = ""  # "2": 1 or 2
    source_kinds: list[str] = field(default_factory=list)
    include_demo: bool = True
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class SearchHit:
    item_id: int
    score: float
    snippet: str


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    has_more: bool


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def fts_expression(user_text: str) -> str:
    """The officer's words as a safe FTS5 query: every word must match (as a prefix);
    "quoted phrases" stay phrases; OR between two words is kept."""
    parts: list[str] = []
    for token in _TOKEN.findall(user_text):
        if token == "OR" and parts and parts[-1] != "OR":
            parts.append("OR")
            continue
        if token.startswith('"') and token.endswith('"') and len(token) > 2:
            words = re.findall(r"\w+", token[1:-1])
            if words:
                parts.append('"' + " ".join(words) + '"')
            continue
        for word in re.findall(r"\w+", token):
            parts.append(f'"{word}"*')
    if parts and parts[-1] == "OR":
        parts.pop()
    return " ".join(parts)


def _actor_expression(actor: str) -> str:
    words = re.findall(r"\w+", actor)
    return "actors : (" + " ".join(f'"{w}"' for w in words) + ")" if words else ""


def index_evidence(session: Session, items: Sequence[tuple[int, Indexable]]) -> None:
    if not items or not _is_sqlite(session):
        return
    session.connection().exec_driver_sql(
        "INSERT INTO evidence_fts (rowid, title, summary, body, actors, places) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(item_id, d.title, d.summary, d.full_text, " ; ".join(d.actors), d.places)
         for item_id, d in items])


def remove_evidence(session: Session, item_ids: Iterable[int]) -> None:
    if not _is_sqlite(session):
        return
    session.connection().exec_driver_sql(
        "DELETE FROM evidence_fts WHERE rowid = ?", [(i,) for i in item_ids])


def search_evidence(session: Session, query: EvidenceQuery) -> SearchPage:
    """Ranked hits (best first) for the text, within the filters; newest first without text."""
    where: list[str] = ["i.current_version_id IS NOT NULL"]
    params: dict[str, Any] = {"limit": query.limit + 1, "offset": query.offset}
    match_parts = [p for p in (fts_expression(query.text), _actor_expression(query.actor)) if p]
    if not query.include_demo:
        where.append("i.is_demo = 0")
    for kind, values in (("country", [c.upper() for c in query.countries]),
                         ("violation", query.violations),
                         ("category", [c.upper() for c in query.item_categories])):
        if values:
            names = []
            for n, value in enumerate(values):
                params[f"{kind}{n}"] = value
                names.append(f":{kind}{n}")
            where.append(f"i.id IN (SELECT item_id FROM evidence_tags WHERE kind = '{kind}' "
                         f"AND value IN ({', '.join(names)}))")
    if query.source_kinds:
        names = []
        for n, value in enumerate(query.source_kinds):
            params[f"kind{n}"] = value
            names.append(f":kind{n}")
        where.append(f"v.source_kind IN ({', '.join(names)})")
    if query.min_reliability:
        params["rel"] = query.min_reliability
        where.append("v.reliability <= :rel")
    if query.min_credibility:
        params["cred"] = query.min_credibility
        where.append("v.credibility <= :cred")
    if query.date_from:
        params["dfrom"] = query.date_from.isoformat()
        where.append("COALESCE(v.events_to, v.events_from, v.published_on) >= :dfrom")
    if query.date_to:
        params["dto"] = query.date_to.isoformat()
        where.append("COALESCE(v.events_from, v.published_on) <= :dto")
    if match_parts and _is_sqlite(session):
        params["match"] = " AND ".join(f"({p})" for p in match_parts)
        sql = (
            "SELECT f.rowid AS item_id, bm25(evidence_fts, 10.0, 5.0, 1.0, 3.0, 2.0) AS score, "
            f"snippet(evidence_fts, -1, '{MARK_START}', '{MARK_END}', '…', 14) AS snip "
            "FROM evidence_fts f JOIN evidence_items i ON i.id = f.rowid "
            "JOIN evidence_versions v ON v.id = i.current_version_id "
            "WHERE evidence_fts MATCH :match AND " + " AND ".join(where) +
            " ORDER BY score LIMIT :limit OFFSET :offset")
    else:
        if match_parts:  # no FTS on this backend yet: a plain substring filter
            params["like"] = f"%{query.text or query.actor}%"
            where.append("(v.title LIKE :like OR v.summary LIKE :like OR v.full_text LIKE :like)")
        sql = ("SELECT i.id AS item_id, 0.0 AS score, substr(v.summary, 1, 200) AS snip "
               "FROM evidence_items i JOIN evidence_versions v ON v.id = i.current_version_id "
               "WHERE " + " AND ".join(where) +
               " ORDER BY COALESCE(v.published_on, v.events_from) DESC, i.id DESC "
               "LIMIT :limit OFFSET :offset")
    rows = session.execute(text(sql), params).all()
    hits = [SearchHit(r.item_id, -float(r.score or 0.0), r.snip or "") for r in rows]
    return SearchPage(hits[:query.limit], len(hits) > query.limit)
