"""The evidence base: items, their immutable versions, originals kept by SHA-256, and the
use cases the window and the CLI share (add, edit, get, history, cite, pattern).

Writes go through ``store_batch`` so that adding one item and importing a hundred thousand
follow the same path: core inserts in bulk, the search index updated in the same
transaction, duplicates (same content hash, or same original file) skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from app.changes import now_utc, record_change
from app.errors import (
    Cancelled,  # also caught by callers as evidence.Cancelled
    ConcurrentEditError,
    FieldProblem,
    NotFoundError,
    ValidationError,
)
from app.evidence_vocab import EvidenceVocabulary, vocabulary
from app.i18n import _
from app.reference import ReferenceData, reference
from app.uow import UnitOfWork
from app.users import Actor, Permission, require
from db import search
from db.models import Blob, EvidenceItem, EvidenceTag, EvidenceVersion, User

# Re-exported: the windows search through this module, never through db/ directly.
from db.search import MARK_END as MARK_END
from db.search import MARK_START as MARK_START
from db.search import EvidenceQuery as EvidenceQuery
from db.search import SearchHit

GRADE = re.compile(r"^([A-F])([1-6])$")
_CATEGORY = re.compile(r"^ML([1-9]|1[0-9]|2[0-2])$")
_URL = re.compile(r"^(https?|file)://\S+$")


@dataclass
class Attachment:
    name: str
    media_type: str
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class EvidenceData:
    title: str
    source_kind: str
    reliability: str
    credibility: str
    publisher: str = ""
    document_ref: str = ""
    url: str = ""
    published_on: date | None = None
    events_from: date | None = None
    events_to: date | None = None
    countries: list[str] = field(default_factory=list)
    places: str = ""
    actors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    item_categories: list[str] = field(default_factory=list)
    summary: str = ""
    full_text: str = ""

    @property
    def grade(self) -> str:
        return f"{self.reliability}{self.credibility}"

    def content(self) -> dict[str, Any]:
        """The canonical content a version's hash covers (the attachment by its own hash)."""
        def d(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {"title": self.title, "publisher": self.publisher,
                "source_kind": self.source_kind, "document_ref": self.document_ref,
                "url": self.url, "published_on": d(self.published_on),
                "events_from": d(self.events_from), "events_to": d(self.events_to),
                "countries": list(self.countries), "places": self.places,
                "actors": list(self.actors), "violations": list(self.violations),
                "item_categories": list(self.item_categories),
                "reliability": self.reliability, "credibility": self.credibility,
                "summary": self.summary, "full_text": self.full_text}


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(data: EvidenceData, attachment_sha256: str | None = None) -> str:
    """SHA-256 of the canonical JSON of the content (keys sorted, no spaces, UTF-8), the
    attachment by its own hash: ``json.dumps(doc, sort_keys=True, ensure_ascii=False,
    separators=(",", ":"))``, with one encoder made once instead of one per call."""
    doc = data.content()
    doc["attachment_sha256"] = attachment_sha256
    return hashlib.sha256(_CANONICAL.encode(doc).encode("utf-8")).hexdigest()


def _clean(values: Iterable[str], upper: bool = False) -> list[str]:
    out: list[str] = []
    for v in values:
        v = " ".join(str(v).split())
        v = v.upper() if upper else v
        if v and v not in out:
            out.append(v)
    return out


def normalise(data: EvidenceData) -> EvidenceData:
    """Trim, upper-case codes, drop empty and repeated list entries (order kept)."""
    return EvidenceData(
        title=" ".join(data.title.split()), source_kind=data.source_kind.strip(),
        reliability=data.reliability.strip().upper(), credibility=data.credibility.strip(),
        publisher=data.publisher.strip(), document_ref=data.document_ref.strip(),
        url=data.url.strip(), published_on=data.published_on, events_from=data.events_from,
        events_to=data.events_to, countries=_clean(data.countries, upper=True),
        places=data.places.strip(), actors=_clean(data.actors),
        violations=_clean(data.violations),
        item_categories=_clean(data.item_categories, upper=True),
        summary=data.summary.strip(), full_text=data.full_text.strip())


def validate_evidence(data: EvidenceData, vocab: EvidenceVocabulary | None = None,
                      ref: ReferenceData | None = None) -> list[FieldProblem]:
    vocab = vocab or vocabulary()
    ref = ref or reference()
    problems: list[FieldProblem] = []

    def bad(path: str, message: str) -> None:
        problems.append(FieldProblem(path, message))

    if not data.title.strip():
        bad("title", _("a title is required"))
    elif len(data.title) > 1000:
        bad("title", _("at most 1000 characters"))
    if data.source_kind not in vocab.source_kinds:
        bad("source_kind", _("'{v}' is not a kind of source ({known})").format(
            v=data.source_kind, known=", ".join(vocab.source_kinds)))
    if data.reliability not in vocab.reliability:
        bad("reliability", _("source reliability is a letter A to F, not '{v}'").format(
            v=data.reliability))
    if data.credibility not in vocab.credibility:
        bad("credibility", _("information credibility is a digit 1 to 6, not '{v}'").format(
            v=data.credibility))
    for i, code in enumerate(data.countries):
        if code not in ref.countries:
            bad(f"countries[{i}]", _("'{v}' is not an ISO country code").format(v=code))
    for i, v in enumerate(data.violations):
        if v not in vocab.violations:
            bad(f"violations[{i}]", _("'{v}' is not in the violation taxonomy").format(v=v))
    for i, c in enumerate(data.item_categories):
        if not _CATEGORY.match(c):
            bad(f"item_categories[{i}]", _("'{v}' is not a control-list category ML1 to ML22")
                .format(v=c))
    if data.events_from and data.events_to and data.events_to < data.events_from:
        bad("events_to", _("the events cannot end before they start"))
    if data.url and not _URL.match(data.url):
        bad("url", _("a web address starts with http:// or https://"))
    return problems


# --- reading ---------------------------------------------------------------------------

@dataclass(frozen=True)
class AttachmentInfo:
    sha256: str
    name: str
    media_type: str
    size: int


@dataclass(frozen=True)
class EvidenceRecord:
    id: int
    version_id: int
    version_no: int
    content_sha256: str
    data: EvidenceData
    attachment: AttachmentInfo | None
    added_at: datetime
    added_by: str
    version_at: datetime
    version_by: str
    is_demo: bool
    row_version: int

    @property
    def grade(self) -> str:
        return self.data.grade


def _data_of(v: EvidenceVersion) -> EvidenceData:
    return EvidenceData(
        title=v.title, source_kind=v.source_kind, reliability=v.reliability,
        credibility=v.credibility, publisher=v.publisher, document_ref=v.document_ref,
        url=v.url, published_on=v.published_on, events_from=v.events_from,
        events_to=v.events_to, countries=list(v.countries or []), places=v.places,
        actors=list(v.actors or []), violations=list(v.violations or []),
        item_categories=list(v.item_categories or []), summary=v.summary,
        full_text=v.full_text)


def _record(s: Session, item: EvidenceItem, v: EvidenceVersion) -> EvidenceRecord:
    users = {u.id: u.username for u in s.scalars(
        select(User).where(User.id.in_({item.created_by_id, v.created_by_id})))}
    attachment = None
    if v.attachment_sha256:
        blob = s.execute(select(Blob.size, Blob.media_type)
                         .where(Blob.sha256 == v.attachment_sha256)).one()
        attachment = AttachmentInfo(v.attachment_sha256, v.attachment_name, blob.media_type,
                                    blob.size)
    return EvidenceRecord(item.id, v.id, v.version_no, v.content_sha256, _data_of(v),
                          attachment, item.created_at, users.get(item.created_by_id, "?"),
                          v.created_at, users.get(v.created_by_id, "?"), item.is_demo,
                          item.row_version)


def get_evidence(uow: UnitOfWork, item_id: int) -> EvidenceRecord:
    item = uow.session.get(EvidenceItem, item_id)
    if item is None or item.current_version_id is None:
        raise NotFoundError(_("No evidence item with id {id}.").format(id=item_id))
    version = uow.session.get_one(EvidenceVersion, item.current_version_id)
    return _record(uow.session, item, version)


def get_version(uow: UnitOfWork, content_sha256: str) -> EvidenceRecord:
    """The version an assessment cited, by its hash, even after the item was edited."""
    version = uow.session.scalar(select(EvidenceVersion).where(
        EvidenceVersion.content_sha256 == content_sha256).order_by(EvidenceVersion.id))
    if version is None:
        raise NotFoundError(_("No evidence version with hash {h}.").format(h=content_sha256))
    item = uow.session.get_one(EvidenceItem, version.item_id)
    return _record(uow.session, item, version)


def history(uow: UnitOfWork, item_id: int) -> list[EvidenceRecord]:
    item = uow.session.get(EvidenceItem, item_id)
    if item is None:
        raise NotFoundError(_("No evidence item with id {id}.").format(id=item_id))
    versions = uow.session.scalars(select(EvidenceVersion).where(
        EvidenceVersion.item_id == item_id).order_by(EvidenceVersion.version_no)).all()
    return [_record(uow.session, item, v) for v in versions]


def attachment_bytes(uow: UnitOfWork, sha256: str) -> bytes:
    data = uow.session.scalar(select(Blob.data).where(Blob.sha256 == sha256))
    if data is None:
        raise NotFoundError(_("No stored file with hash {h}.").format(h=sha256))
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValidationError([FieldProblem("attachment", _(
            "the stored file no longer matches its hash: it was altered outside Golden Rule"))])
    return data


def count_items(uow: UnitOfWork) -> int:
    from sqlalchemy import func

    return uow.session.scalar(select(func.count()).select_from(EvidenceItem)) or 0


# --- writing ---------------------------------------------------------------------------

@dataclass
class NewEvidence:
    """One item to store: its content, its original file if any, and where it came from
    (for error messages: 'file.csv row 7')."""

    data: EvidenceData
    attachment: Attachment | None = None
    origin: str = ""


@dataclass
class StoreResult:
    added: list[int] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (origin, existing id)


def _tag_values(data: EvidenceData) -> list[tuple[str, str]]:
    return ([("country", c) for c in data.countries]
            + [("violation", v) for v in data.violations]
            + [("category", c) for c in data.item_categories]
            + [("actor", a.casefold()[:300]) for a in data.actors])


def _tags(item_id: int, data: EvidenceData) -> list[dict[str, Any]]:
    return [{"item_id": item_id, "kind": kind, "value": value}
            for kind, value in _tag_values(data)]


def _version_row(item_id: int, version_no: int, data: EvidenceData, sha: str,
                 attachment: Attachment | None, actor: Actor, at: datetime) -> dict[str, Any]:
    return {"item_id": item_id, "version_no": version_no, "content_sha256": sha,
            **{k: getattr(data, k) for k in (
                "title", "publisher", "source_kind", "document_ref", "url", "published_on",
                "events_from", "events_to", "countries", "places", "actors", "violations",
                "item_categories", "reliability", "credibility", "summary", "full_text")},
            "actors_text": " ; ".join(data.actors),
            "attachment_sha256": attachment.sha256 if attachment else None,
            "attachment_name": attachment.name if attachment else "",
            "created_at": at, "created_by_id": actor.id}


def store_batch(uow: UnitOfWork, actor: Actor, items: Sequence[NewEvidence], *,
                is_demo: bool = False, source: str = "",
                progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None,
                batch_size: int = 2000, commit: bool = True) -> StoreResult:
    """Validate everything first, then store in bulk. Any problem: nothing is stored."""
    require(actor, Permission.MANAGE_EVIDENCE)
    vocab, ref = vocabulary(), reference()
    problems: list[FieldProblem] = []
    checked: list[tuple[NewEvidence, EvidenceData]] = []
    for n, item in enumerate(items):
        data = normalise(item.data)
        found = validate_evidence(data, vocab, ref)
        if found:
            where = item.origin or _("item {n}").format(n=n + 1)
            problems.extend(FieldProblem(f"{where}: {p.field}", p.message) for p in found)
        checked.append((item, data))
        if cancelled and n % 500 == 0 and cancelled():
            raise Cancelled()
    if problems:
        raise ValidationError(problems[:50] + ([FieldProblem("", _(
            "… and {n} more problems").format(n=len(problems) - 50))] if len(problems) > 50
            else []), context=_("Nothing was stored"))
    s = uow.session
    writer = _ChunkWriter(s, actor, is_demo)
    total = len(checked)
    for start in range(0, total, batch_size):
        if cancelled and cancelled():
            raise Cancelled()
        writer.write([(item, data, content_hash(
            data, item.attachment.sha256 if item.attachment else None))
            for item, data in checked[start:start + batch_size]])
        if progress:
            progress(min(start + batch_size, total), total)
    writer.finish()
    result = writer.result
    record_change(s, actor.id, "evidence.import" if len(items) != 1 else "evidence.add",
                  "evidence", ",".join(map(str, result.added[:1])) or "-", None,
                  {"added": result.added, "duplicates": [d[1] for d in result.duplicates],
                   "source": source})
    if commit:
        uow.commit()
    return result


class _ChunkWriter:
    """Stores chunks of validated, hashed items: skips duplicates (of stored items, and of
    items earlier in the batch) and inserts the rest."""

    def __init__(self, s: Session, actor: Actor, is_demo: bool) -> None:
        self.s, self.actor, self.is_demo = s, actor, is_demo
        self.now = now_utc()
        self.result = StoreResult()
        self.seen_content: dict[str, int] = {}
        self.seen_files: dict[str, int] = {}
        # SQLite, with SQLAlchemy's own JSON serialiser: plain executemany
        self.raw = search.is_sqlite(s) and getattr(
            s.get_bind().dialect, "_json_serializer", None) is None
        self.runs: list[tuple[int, int, int]] = []

    def write(self, chunk: list[tuple[NewEvidence, EvidenceData, str]]) -> None:
        s, seen_content, seen_files = self.s, self.seen_content, self.seen_files
        hashes = [sha for _i, _d, sha in chunk]
        files = [i.attachment.sha256 for i, _d, _s in chunk if i.attachment]
        for sha, item_id in s.execute(select(EvidenceVersion.content_sha256,
                                             EvidenceVersion.item_id)
                                      .where(EvidenceVersion.content_sha256.in_(hashes))):
            seen_content.setdefault(sha, item_id)
        if files:
            for sha, item_id in s.execute(select(EvidenceVersion.attachment_sha256,
                                                 EvidenceVersion.item_id)
                                          .where(EvidenceVersion.attachment_sha256.in_(files))):
                seen_files.setdefault(sha, item_id)
        fresh: list[tuple[NewEvidence, EvidenceData, str]] = []
        for item, data, sha in chunk:
            existing = seen_content.get(sha) or (
                seen_files.get(item.attachment.sha256) if item.attachment else None)
            if existing is not None:
                self.result.duplicates.append((item.origin, existing))
            else:
                fresh.append((item, data, sha))
                seen_content[sha] = -1  # a repeat within this batch is a duplicate too
                if item.attachment:
                    seen_files[item.attachment.sha256] = -1
        if not fresh:
            return
        if self.raw:
            self.runs.append(_insert_sqlite(s, self.actor, fresh, self.is_demo, self.now,
                                            self.result))
        else:
            _insert(s, self.actor, fresh, self.is_demo, self.now, self.result)

    def finish(self) -> None:
        _link_current_versions(self.s, self.runs)
        self.runs = []


def _new_blobs(s: Session, fresh: list[tuple[NewEvidence, EvidenceData, str]],
               now: datetime) -> None:
    blobs: dict[str, Attachment] = {}
    for item, _d, _s in fresh:
        if item.attachment and item.attachment.sha256 not in blobs:
            blobs[item.attachment.sha256] = item.attachment
    if blobs:
        stored = set(s.scalars(select(Blob.sha256).where(Blob.sha256.in_(list(blobs)))))
        rows = [{"sha256": sha, "size": len(a.data), "media_type": a.media_type,
                 "data": a.data, "stored_at": now} for sha, a in blobs.items()
                if sha not in stored]
        if rows:
            s.execute(insert(Blob), rows)


def _insert(s: Session, actor: Actor, fresh: list[tuple[NewEvidence, EvidenceData, str]],
            is_demo: bool, now: datetime, result: StoreResult) -> None:
    """Any backend: core bulk inserts, ids from RETURNING."""
    _new_blobs(s, fresh, now)
    item_ids = list(s.scalars(
        insert(EvidenceItem).returning(EvidenceItem.id, sort_by_parameter_order=True),
        [{"is_demo": is_demo, "created_at": now, "created_by_id": actor.id, "row_version": 1}
         for _ in fresh]))
    version_ids = list(s.scalars(
        insert(EvidenceVersion).returning(EvidenceVersion.id, sort_by_parameter_order=True),
        [_version_row(item_id, 1, data, sha, item.attachment, actor, now)
         for item_id, (item, data, sha) in zip(item_ids, fresh, strict=True)]))
    table = EvidenceItem.__table__
    s.execute(update(table).where(table.c.id == bindparam("b_id"))
              .values(current_version_id=bindparam("b_version")),
              [{"b_id": i, "b_version": v} for i, v in zip(item_ids, version_ids, strict=True)])
    tags = [row for item_id, (_i, data, _s) in zip(item_ids, fresh, strict=True)
            for row in _tags(item_id, data)]
    if tags:
        s.execute(insert(EvidenceTag), tags)
    search.index_evidence(s, [(item_id, data) for item_id, (_i, data, _s)
                              in zip(item_ids, fresh, strict=True)])
    result.added.extend(item_ids)


_VERSION_COLUMNS = (
    "id", "item_id", "version_no", "content_sha256", "title", "publisher", "source_kind",
    "document_ref", "url", "published_on", "events_from", "events_to", "countries", "places",
    "actors", "violations", "item_categories", "reliability", "credibility", "summary",
    "full_text", "attachment_sha256", "attachment_name", "created_at", "created_by_id",
    "actors_text")
_INSERT_VERSION = (f"INSERT INTO evidence_versions ({', '.join(_VERSION_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(_VERSION_COLUMNS))})")


def _json_list(values: list[str]) -> str:
    """A list of strings as SQLAlchemy's JSON type stores it (``json.dumps`` defaults)."""
    return "[" + ", ".join(map(encode_basestring_ascii, values)) + "]" if values else "[]"


def _iso(value: date | None) -> str | None:
    """A date as SQLAlchemy's SQLite ``Date`` stores it (YYYY-MM-DD)."""
    return value.isoformat() if value is not None else None


def _insert_sqlite(s: Session, actor: Actor,
                   fresh: list[tuple[NewEvidence, EvidenceData, str]], is_demo: bool,
                   now: datetime, result: StoreResult) -> tuple[int, int, int]:
    """SQLite: the same rows as ``_insert``, written with plain ``executemany``; the items
    are linked to their versions later (``_link_current_versions``), as the returned
    (first item id, first version id, count) says.

    Ids are given, not returned: the first item is inserted alone, which takes the
    database's write lock, so the ids after it (and after the largest version id) stay
    free until the transaction ends. Values are converted as the column types would
    (a test compares both paths)."""
    conn = s.connection()
    dialect = conn.dialect
    assert getattr(dialect, "_json_serializer", None) is None, "values as json.dumps"
    _new_blobs(s, fresh, now)
    at = EvidenceItem.__table__.c.created_at.type._cached_bind_processor(dialect)
    stamp = at(now) if at else now
    demo = 1 if is_demo else 0
    first = conn.exec_driver_sql(
        "INSERT INTO evidence_items (is_demo, created_at, created_by_id, row_version) "
        "VALUES (?, ?, ?, 1)", (demo, stamp, actor.id)).lastrowid
    assert first is not None
    n = len(fresh)
    item_ids = list(range(first, first + n))
    if n > 1:
        conn.exec_driver_sql(
            "INSERT INTO evidence_items (id, is_demo, created_at, created_by_id, row_version) "
            "VALUES (?, ?, ?, ?, 1)", [(i, demo, stamp, actor.id) for i in item_ids[1:]])
    v0 = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) + 1 FROM evidence_versions"
                              ).scalar_one()
    rows = []
    for k, (item, d, sha) in enumerate(fresh):
        att = item.attachment
        rows.append((
            v0 + k, first + k, 1, sha, d.title, d.publisher, d.source_kind, d.document_ref,
            d.url, _iso(d.published_on), _iso(d.events_from), _iso(d.events_to),
            _json_list(d.countries), d.places, _json_list(d.actors), _json_list(d.violations),
            _json_list(d.item_categories), d.reliability, d.credibility, d.summary,
            d.full_text, att.sha256 if att else None, att.name if att else "", stamp,
            actor.id, " ; ".join(d.actors)))
    conn.exec_driver_sql(_INSERT_VERSION, rows)
    tags = [(item_id, kind, value)
            for item_id, (_i, d, _s) in zip(item_ids, fresh, strict=True)
            for kind, value in _tag_values(d)]
    if tags:
        conn.exec_driver_sql(
            "INSERT INTO evidence_tags (item_id, kind, value) VALUES (?, ?, ?)", tags)
    search.index_evidence(s, [(item_id, d) for item_id, (_i, d, _s)
                              in zip(item_ids, fresh, strict=True)])
    result.added.extend(item_ids)
    return first, v0, n


def _link_current_versions(s: Session, runs: list[tuple[int, int, int]]) -> None:
    """Point each new item at its version (item first + k has version v0 + k).

    Done once after all chunks: an UPDATE checks a foreign key, so SQLite opens a statement
    savepoint for it, and at every savepoint FTS5 writes the index data it holds in memory
    to disk as a new (small) segment, which it must merge later; done per chunk, that made
    an import of 20,000 items about 5 % slower."""
    conn = s.connection()
    for first, v0, n in runs:
        conn.exec_driver_sql(
            "UPDATE evidence_items SET current_version_id = id + ? WHERE id BETWEEN ? AND ?",
            (v0 - first, first, first + n - 1))


def add_evidence(uow: UnitOfWork, actor: Actor, data: EvidenceData,
                 attachment: Attachment | None = None, *, is_demo: bool = False) -> int:
    """Add one item; if the same content is already stored, return that item's id."""
    result = store_batch(uow, actor, [NewEvidence(data, attachment, _("the item"))],
                         is_demo=is_demo, source="form")
    return result.added[0] if result.added else result.duplicates[0][1]


def edit_evidence(uow: UnitOfWork, actor: Actor, item_id: int, data: EvidenceData,
                  expected_version: int) -> EvidenceRecord:
    """A new version; the earlier one stays, so citations of it still resolve by hash."""
    require(actor, Permission.MANAGE_EVIDENCE)
    s = uow.session
    item = s.get(EvidenceItem, item_id)
    if item is None or item.current_version_id is None:
        raise NotFoundError(_("No evidence item with id {id}.").format(id=item_id))
    if item.row_version != expected_version:
        raise ConcurrentEditError(_("Evidence item {id} was edited by someone else after you "
                                    "opened it. Reopen it.").format(id=item_id))
    data = normalise(data)
    problems = validate_evidence(data)
    if problems:
        raise ValidationError(problems)
    current = s.get_one(EvidenceVersion, item.current_version_id)
    attachment_sha = current.attachment_sha256
    sha = content_hash(data, attachment_sha)
    if sha == current.content_sha256:
        return _record(s, item, current)
    now = now_utc()
    version = EvidenceVersion(**{
        **_version_row(item_id, current.version_no + 1, data, sha, None, actor, now),
        "attachment_sha256": attachment_sha, "attachment_name": current.attachment_name})
    s.add(version)
    s.flush()
    item.current_version_id = version.id
    s.execute(EvidenceTag.__table__.delete().where(EvidenceTag.item_id == item_id))
    tags = _tags(item_id, data)
    if tags:
        s.execute(insert(EvidenceTag), tags)
    search.remove_evidence(s, [(item_id, _data_of(current))])
    search.index_evidence(s, [(item_id, data)])
    s.flush()
    record_change(s, actor.id, "evidence.edit", "evidence", item_id,
                  {"version": current.version_no, "sha256": current.content_sha256},
                  {"version": version.version_no, "sha256": sha, "content": data.content()})
    uow.commit()
    return _record(s, s.get_one(EvidenceItem, item_id), version)


# --- citing and patterns ---------------------------------------------------------------

def citation_text(record: EvidenceRecord) -> str:
    d = record.data
    parts = [d.title]
    if d.publisher:
        parts.append(d.publisher)
    if d.document_ref:
        parts.append(d.document_ref)
    if d.published_on:
        parts.append(d.published_on.isoformat())
    return ", ".join(parts)


def citation_for(uow: UnitOfWork, item_id: int) -> Any:
    """A citation of the item's current version: reference, id, content hash and grade."""
    from app.assessment import Citation

    record = get_evidence(uow, item_id)
    return Citation(citation_text(record), record.id, record.content_sha256, record.grade)


def pattern(uow: UnitOfWork, *, country: str | None = None, actor: str | None = None
            ) -> dict[int, dict[str, list[int]]]:
    """Items per year per violation category, for a country and/or an actor (by name)."""
    s = uow.session
    current = (select(EvidenceVersion.item_id, EvidenceVersion.events_from,
                      EvidenceVersion.published_on, EvidenceVersion.violations)
               .join(EvidenceItem, EvidenceItem.current_version_id == EvidenceVersion.id))
    if country:
        current = current.where(EvidenceItem.id.in_(select(EvidenceTag.item_id).where(
            EvidenceTag.kind == "country", EvidenceTag.value == country.upper())))
    if actor:
        needle = f"%{actor.casefold()}%"
        current = current.where(EvidenceItem.id.in_(select(EvidenceTag.item_id).where(
            EvidenceTag.kind == "actor", EvidenceTag.value.like(needle))))
    out: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for item_id, events_from, published_on, violations in s.execute(current):
        when = events_from or published_on
        if when is None:
            continue
        for v in violations or []:
            out[when.year][v].append(item_id)
    return {year: dict(per) for year, per in sorted(out.items())}


# --- listing for the windows -----------------------------------------------------------

@dataclass(frozen=True)
class EvidenceRow:
    """What a list of items shows: enough to read a row, cheap to load a page of."""

    item_id: int
    reliability: str
    credibility: str
    published_on: date | None
    events_from: date | None
    events_to: date | None
    title: str
    publisher: str
    countries: tuple[str, ...]
    source_kind: str
    snippet: str
    is_demo: bool

    @property
    def grade(self) -> str:
        return f"{self.reliability}{self.credibility}"

    @property
    def when(self) -> date | None:
        return self.published_on or self.events_from


def rows_for(uow: UnitOfWork, item_ids: Sequence[int],
             snippets: dict[int, str] | None = None) -> list[EvidenceRow]:
    """The rows of the given items, in the given order (one query)."""
    if not item_ids:
        return []
    v = EvidenceVersion
    query = (select(EvidenceItem.id, EvidenceItem.is_demo, v.reliability, v.credibility,
                    v.published_on, v.events_from, v.events_to, v.title, v.publisher,
                    v.countries, v.source_kind)
             .join(v, v.id == EvidenceItem.current_version_id)
             .where(EvidenceItem.id.in_(list(item_ids))))
    found = {r.id: r for r in uow.session.execute(query)}
    snippets = snippets or {}
    return [EvidenceRow(r.id, r.reliability, r.credibility, r.published_on, r.events_from,
                        r.events_to, r.title, r.publisher, tuple(r.countries or ()),
                        r.source_kind, snippets.get(r.id, ""), bool(r.is_demo))
            for item_id in item_ids if (r := found.get(item_id)) is not None]


def search_rows(uow: UnitOfWork, query: EvidenceQuery) -> tuple[list[EvidenceRow], bool]:
    """A page of search results as rows, best first, and whether more follow."""
    page = search.search_evidence(uow.session, query)
    hits: list[SearchHit] = page.hits
    return (rows_for(uow, [h.item_id for h in hits], {h.item_id: h.snippet for h in hits}),
            page.has_more)
