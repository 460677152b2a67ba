"""Full-text search of the evidence base, behind one function so that a server database can
bring its own full-text engine later: ``search_evidence(session, query)``.

On SQLite the index is an FTS5 table whose rowid is the evidence item id and which indexes
the item's current version. Since migration 0005 it is an external-content index: it keeps
no copy of the text and reads snippets from the view ``evidence_fts_source`` (each item's
current version), so an item must leave the index with the content it was indexed with
(``remove_evidence``). Ranking is BM25 with the title and summary weighted above the body;
snippets mark matches with \\x02 ... \\x03 so each caller chooses how to show them (bold in
the window, «» on the terminal).

At scale (docs/benchmarks/evidence.md): a word matching a large part of the base is ranked
among the newest ``CANDIDATE_CAP`` matching items only (BM25 costs about a microsecond per
matching item); a one-letter word is matched as a whole word, not as a prefix of every
word that starts with that letter; the list without words is read in index order.
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


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


_is_sqlite = is_sqlite

#: A search whose words (and filters) match more items than this ranks the newest this many
#: of them; paging further than that widens it.
CANDIDATE_CAP = 20_000
_COLUMNS = "title, summary, body, actors, places"


def fts_expression(user_text: str) -> str:
    """The officer's words as a safe FTS5 query: every word must match (as a prefix, from
    two letters on); "quoted phrases" stay phrases; OR between two words is kept."""
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
            parts.append(f'"{word}"*' if len(word) > 1 else f'"{word}"')
    if parts and parts[-1] == "OR":
        parts.pop()
    return " ".join(parts)


def _actor_expression(actor: str) -> str:
    words = re.findall(r"\w+", actor)
    return "actors : (" + " ".join(f'"{w}"' for w in words) + ")" if words else ""


def _row(item_id: int, d: Indexable) -> tuple[int, str, str, str, str, str]:
    return (item_id, d.title, d.summary, d.full_text, " ; ".join(d.actors), d.places)


def index_evidence(session: Session, items: Sequence[tuple[int, Indexable]]) -> None:
    """Index each item's (new) current version."""
    if not items or not is_sqlite(session):
        return
    session.connection().exec_driver_sql(
        f"INSERT INTO evidence_fts (rowid, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
        [_row(item_id, d) for item_id, d in items])


def remove_evidence(session: Session, items: Iterable[int | tuple[int, Indexable]]) -> None:
    """Take items out of the index. Give each as (id, the content it was indexed with); a
    bare id reads that content from the item's current version, so it must come before
    the current version changes."""
    if not is_sqlite(session):
        return
    items = list(items)
    given = [i for i in items if isinstance(i, tuple)]
    ids = [(i,) for i in items if not isinstance(i, tuple)]
    conn = session.connection()
    if given:
        conn.exec_driver_sql(
            f"INSERT INTO evidence_fts (evidence_fts, rowid, {_COLUMNS}) "
            "VALUES ('delete', ?, ?, ?, ?, ?, ?)", [_row(item_id, d) for item_id, d in given])
    if ids:
        conn.exec_driver_sql(
            f"INSERT INTO evidence_fts (evidence_fts, rowid, {_COLUMNS}) "
            f"SELECT 'delete', id, {_COLUMNS} FROM evidence_fts_source WHERE id = ?", ids)


@dataclass
class _Filters:
    """The query's filters as SQL on ``i`` (evidence_items), ``v`` (its current version)
    and the item id (``{id}``, filled in by each query)."""

    on_id: list[str] = field(default_factory=list)
    on_item: list[str] = field(default_factory=list)
    on_version: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


def _filters(query: EvidenceQuery) -> _Filters:
    f = _Filters()

    def names(prefix: str, values: Sequence[str]) -> str:
        out = []
        for n, value in enumerate(values):
            f.params[f"{prefix}{n}"] = value
            out.append(f":{prefix}{n}")
        return ", ".join(out)

    for kind, values in (("country", [c.upper() for c in query.countries]),
                         ("violation", query.violations),
                         ("category", [c.upper() for c in query.item_categories])):
        if values:
            f.on_id.append(f"{{id}} IN (SELECT item_id FROM evidence_tags WHERE kind = "
                           f"'{kind}' AND value IN ({names(kind, values)}))")
    if not query.include_demo:
        f.on_item.append("i.is_demo = 0")
    if query.source_kinds:
        f.on_version.append(f"v.source_kind IN ({names('kind', query.source_kinds)})")
    if query.min_reliability:
        f.params["rel"] = query.min_reliability
        f.on_version.append("v.reliability <= :rel")
    if query.min_credibility:
        f.params["cred"] = query.min_credibility
        f.on_version.append("v.credibility <= :cred")
    if query.date_from:
        f.params["dfrom"] = query.date_from.isoformat()
        f.on_version.append("COALESCE(v.events_to, v.events_from, v.published_on) >= :dfrom")
    if query.date_to:
        f.params["dto"] = query.date_to.isoformat()
        f.on_version.append("COALESCE(v.events_from, v.published_on) <= :dto")
    return f


def search_evidence(session: Session, query: EvidenceQuery) -> SearchPage:
    """Ranked hits (best first) for the text, within the filters; newest first without text."""
    match_parts = [p for p in (fts_expression(query.text), _actor_expression(query.actor)) if p]
    f = _filters(query)
    if match_parts and is_sqlite(session):
        return _ranked(session, " AND ".join(f"({p})" for p in match_parts), query, f)
    return _listing(session, query, f, bool(match_parts))


def _page(session: Session, sql: str, params: dict[str, Any], limit: int) -> SearchPage:
    rows = session.execute(text(sql), params).all()
    hits = [SearchHit(r.item_id, -float(r.score or 0.0), r.snip or "") for r in rows]
    return SearchPage(hits[:limit], len(hits) > limit)


def _ranked(session: Session, match: str, query: EvidenceQuery, f: _Filters) -> SearchPage:
    """BM25 order over the FTS5 matches within the filters. Items and versions are joined
    only for the filters that need them (every indexed item has a current version)."""
    # The full-text index drives: CROSS JOIN fixes the order, and the unary + on f.rowid
    # keeps SQLite from looking items up by tag and probing the index once per item (which
    # re-expands every prefix word per probe). The version is found by item id in
    # ix_evidence_versions_item_filters, which holds the filtered columns; the + on v.id
    # keeps SQLite from reading the 2 KB row by its id instead.
    joins = ""
    if f.on_item or f.on_version:
        joins += " CROSS JOIN evidence_items i ON i.id = f.rowid"
    if f.on_version:
        joins += (" CROSS JOIN evidence_versions v ON v.item_id = f.rowid"
                  " AND +v.id = i.current_version_id")
    where = ["evidence_fts MATCH :match", *(c.format(id="+f.rowid") for c in f.on_id),
             *f.on_item, *f.on_version]
    params = {**f.params, "match": match}
    # Where the words match very many items, rank the newest CANDIDATE_CAP of them: the
    # rowid of the last of those is found by walking the index newest first, without BM25.
    cap = max(CANDIDATE_CAP, query.offset + query.limit + 1)
    cutoff = session.execute(text(
        f"SELECT f.rowid FROM evidence_fts f{joins} WHERE {' AND '.join(where)} "
        "ORDER BY f.rowid DESC LIMIT 1 OFFSET :skip"), {**params, "skip": cap - 1}).scalar()
    if cutoff is not None:
        where.append("f.rowid >= :cutoff")
        params["cutoff"] = cutoff
    sql = ("SELECT f.rowid AS item_id, bm25(evidence_fts, 10.0, 5.0, 1.0, 3.0, 2.0) AS score, "
           f"snippet(evidence_fts, -1, '{MARK_START}', '{MARK_END}', '…', 14) AS snip "
           f"FROM evidence_fts f{joins} WHERE {' AND '.join(where)} "
           "ORDER BY score, f.rowid DESC LIMIT :limit OFFSET :offset")
    return _page(session, sql, {**params, "limit": query.limit + 1, "offset": query.offset},
                 query.limit)


def _listing(session: Session, query: EvidenceQuery, f: _Filters, words: bool) -> SearchPage:
    """Newest first (published, else when the events began), read in the order of the
    index ix_evidence_versions_listing, which also holds the columns the filters test."""
    where = ["1 = 1", *(c.format(id="v.item_id") for c in f.on_id), *f.on_item,
             *f.on_version]
    params = dict(f.params)
    if words:  # no full-text index on this backend yet: a plain substring filter
        params["like"] = f"%{query.text or query.actor}%"
        where.append("(v.title LIKE :like OR v.summary LIKE :like OR v.full_text LIKE :like)")
    sql = ("SELECT v.item_id AS item_id, 0.0 AS score, substr(v.summary, 1, 200) AS snip "
           "FROM evidence_versions v JOIN evidence_items i ON i.current_version_id = v.id "
           f"WHERE {' AND '.join(where)} "
           "ORDER BY v.sort_date DESC, v.item_id DESC LIMIT :limit OFFSET :offset")
    return _page(session, sql, {**params, "limit": query.limit + 1, "offset": query.offset},
                 query.limit)
