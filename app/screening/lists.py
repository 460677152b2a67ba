"""Sanctions lists as dated, versioned snapshots.

Every import of a list file becomes a new version that is never changed afterwards: a case
screened in March can always be shown the list it was screened against. The import is
all-or-nothing (the parser rejects a malformed file whole; the rows go in one transaction),
and it says what changed since the previous version of the same list: entries added,
removed and amended (same id, different content), and removed/added pairs that share the
list's own reference number (the UN re-issues some entries under a new DATAID).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, insert, select

from app.changes import now_utc, record_change
from app.errors import Cancelled, InputError, NotFoundError
from app.i18n import _
from app.roles import Actor, Permission, require
from app.screening.entries import ListEntry, ParsedList
from app.uow import UnitOfWork
from db.models import ListEntryRow, ListVersion, SanctionList, User

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]

_BATCH = 2000


@dataclass(frozen=True)
class VersionInfo:
    id: int
    list_id: int
    list_name: str
    published: date | None
    imported_at: datetime
    imported_by: str
    file_name: str
    file_sha256: str
    entry_count: int
    name_count: int
    added: int
    removed: int
    amended: int
    previous_id: int | None
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How a version is named to people: the list, its publication (or import) date."""
        when = self.published or self.imported_at.date()
        return _("{list} of {date}").format(list=self.list_name, date=when.isoformat())


@dataclass(frozen=True)
class ListInfo:
    id: int
    name: str
    source_format: str
    active: bool
    current: VersionInfo | None
    version_count: int


@dataclass(frozen=True)
class EntrySummary:
    key: str
    name: str
    kind: str
    reference: str
    programmes: tuple[str, ...]
    #: For amended entries: the fields that differ ("aliases", "countries"...).
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListDiff:
    old: VersionInfo | None
    new: VersionInfo
    added: tuple[EntrySummary, ...] = ()
    removed: tuple[EntrySummary, ...] = ()
    amended: tuple[EntrySummary, ...] = ()
    #: References present among both removed and added: re-issued under a new id.
    reissued: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed),
                "amended": len(self.amended), "reissued": len(self.reissued)}


@dataclass(frozen=True)
class ImportResult:
    version: VersionInfo
    diff: ListDiff
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _info(uow: UnitOfWork, v: ListVersion, list_name: str | None = None) -> VersionInfo:
    name = list_name or uow.session.get(SanctionList, v.list_id).name  # type: ignore[union-attr]
    user = uow.session.get(User, v.imported_by_id)
    return VersionInfo(v.id, v.list_id, name, v.published, v.imported_at,
                       user.full_name if user else "", v.file_name, v.file_sha256,
                       v.entry_count, v.name_count, v.added, v.removed, v.amended,
                       v.previous_id, tuple(v.warnings or ()))


def _latest(uow: UnitOfWork, list_id: int) -> ListVersion | None:
    return uow.session.scalar(select(ListVersion).where(ListVersion.list_id == list_id)
                              .order_by(ListVersion.id.desc()).limit(1))


def lists(uow: UnitOfWork) -> list[ListInfo]:
    out: list[ListInfo] = []
    counts = dict(uow.session.execute(select(ListVersion.list_id, func.count())
                                      .group_by(ListVersion.list_id)).all())
    for row in uow.session.scalars(select(SanctionList).order_by(SanctionList.name)):
        latest = _latest(uow, row.id)
        out.append(ListInfo(row.id, row.name, row.source_format, row.active,
                            _info(uow, latest, row.name) if latest else None,
                            counts.get(row.id, 0)))
    return out


def versions(uow: UnitOfWork, list_id: int) -> list[VersionInfo]:
    row = uow.session.get(SanctionList, list_id)
    if row is None:
        raise NotFoundError(_("No sanctions list has id {id}.").format(id=list_id))
    rows = uow.session.scalars(select(ListVersion).where(ListVersion.list_id == list_id)
                               .order_by(ListVersion.id.desc()))
    return [_info(uow, v, row.name) for v in rows]


def version(uow: UnitOfWork, version_id: int) -> VersionInfo:
    v = uow.session.get(ListVersion, version_id)
    if v is None:
        raise NotFoundError(_("No list version has id {id}.").format(id=version_id))
    return _info(uow, v)


def current_versions(uow: UnitOfWork) -> list[VersionInfo]:
    """The newest version of every active list: what screening uses now."""
    out = []
    for info in lists(uow):
        if info.active and info.current is not None:
            out.append(info.current)
    return out


def find_list(uow: UnitOfWork, name: str) -> SanctionList | None:
    return uow.session.scalar(select(SanctionList).where(
        func.lower(SanctionList.name) == name.strip().lower()))


def entries(uow: UnitOfWork, version_id: int) -> list[ListEntry]:
    rows = uow.session.execute(select(ListEntryRow.data).where(
        ListEntryRow.version_id == version_id).order_by(ListEntryRow.id)).scalars()
    return [ListEntry.from_json(d) for d in rows]


def entry_hashes(uow: UnitOfWork, version_id: int) -> dict[str, str]:
    return dict(uow.session.execute(select(ListEntryRow.entry_key, ListEntryRow.content_hash)
                                    .where(ListEntryRow.version_id == version_id)).all())


def entry(uow: UnitOfWork, version_id: int, key: str) -> ListEntry | None:
    data = uow.session.scalar(select(ListEntryRow.data).where(
        ListEntryRow.version_id == version_id, ListEntryRow.entry_key == key))
    return ListEntry.from_json(data) if data is not None else None


def _summary(e: ListEntry, changed: tuple[str, ...] = ()) -> EntrySummary:
    return EntrySummary(e.key, e.name, e.kind, e.reference, e.programmes, changed)


_FIELDS = ("name", "kind", "aliases", "birth_dates", "countries", "programmes", "reference",
           "listed_on", "remarks", "details")


def _changed_fields(old: ListEntry, new: ListEntry) -> tuple[str, ...]:
    a, b = old.to_json(), new.to_json()
    return tuple(f for f in _FIELDS if a.get(f) != b.get(f))


def compare(old: list[ListEntry], new: list[ListEntry], old_info: VersionInfo | None,
            new_info: VersionInfo) -> ListDiff:
    before = {e.key: e for e in old}
    after = {e.key: e for e in new}
    added = [_summary(after[k]) for k in after if k not in before]
    removed = [_summary(before[k]) for k in before if k not in after]
    amended = []
    for k in after.keys() & before.keys():
        if after[k].content_hash() != before[k].content_hash():
            amended.append(_summary(after[k], _changed_fields(before[k], after[k])))
    amended.sort(key=lambda s: s.name)
    reissued = sorted({s.reference for s in added if s.reference}
                      & {s.reference for s in removed if s.reference})
    return ListDiff(old_info, new_info, tuple(added), tuple(removed), tuple(amended),
                    tuple(reissued))


def diff_versions(uow: UnitOfWork, old_id: int | None, new_id: int) -> ListDiff:
    new_info = version(uow, new_id)
    if old_id is None:
        return compare([], entries(uow, new_id), None, new_info)
    return compare(entries(uow, old_id), entries(uow, new_id), version(uow, old_id), new_info)


def _check_keys(parsed: ParsedList, file_name: str) -> None:
    seen: set[str] = set()
    for e in parsed.entries:
        if not e.key:
            raise InputError(_("{file}: an entry named '{name}' has no id.").format(
                file=file_name, name=e.name))
        if e.key in seen:
            raise InputError(_("{file}: the id {key} appears twice; a list must give each "
                               "entry its own id.").format(file=file_name, key=e.key))
        seen.add(e.key)
    if not parsed.entries:
        raise InputError(_("{file}: the file holds no list entries.").format(file=file_name))


def import_list(uow: UnitOfWork, actor: Actor, path: Path, *, list_name: str | None = None,
                fmt: str | None = None, related: dict[str, Path] | None = None,
                progress: Progress | None = None, is_cancelled: IsCancelled | None = None
                ) -> ImportResult:
    """Parse ``path`` and store it as the newest version of its list, all or nothing."""
    require(actor, Permission.MANAGE_LISTS)
    from app.screening.parsers import parse_file

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(_("{file} cannot be read: {error}").format(
            file=path.name, error=exc.strerror or exc)) from exc
    sha = hashlib.sha256(raw).hexdigest()
    parsed = parse_file(path, fmt, related=related)
    _check_keys(parsed, path.name)
    name = (list_name or parsed.title).strip()
    if not name:
        raise InputError(_("Give the list a name."))
    now = now_utc()
    row = find_list(uow, name)
    if row is None:
        row = SanctionList(name=name, source_format=parsed.source_format, active=True,
                           created_at=now, created_by_id=actor.id)
        uow.session.add(row)
        uow.flush()
    previous = _latest(uow, row.id)
    if previous is not None and previous.file_sha256 == sha:
        raise InputError(_("{file} is already the current version of {list} (imported on "
                           "{date}): nothing to import.").format(
            file=path.name, list=row.name, date=previous.imported_at.date().isoformat()))
    old_entries = entries(uow, previous.id) if previous is not None else []
    names = sum(len(e.all_names()) for e in parsed.entries)
    v = ListVersion(list_id=row.id, published=parsed.published, imported_at=now,
                    imported_by_id=actor.id, file_name=path.name, file_sha256=sha,
                    entry_count=len(parsed.entries), name_count=names,
                    previous_id=previous.id if previous else None,
                    warnings=list(parsed.warnings))
    uow.session.add(v)
    uow.flush()
    total = len(parsed.entries)
    batch: list[dict] = []
    for i, e in enumerate(parsed.entries, 1):
        batch.append({"version_id": v.id, "entry_key": e.key, "kind": e.kind,
                      "name": e.name[:500], "content_hash": e.content_hash(),
                      "data": e.to_json()})
        if len(batch) >= _BATCH or i == total:
            uow.session.execute(insert(ListEntryRow), batch)
            batch = []
            if progress:
                progress(i, total)
            if is_cancelled and is_cancelled():
                raise Cancelled()
    prev_info = _info(uow, previous, row.name) if previous else None
    diff = compare(old_entries, list(parsed.entries), prev_info, _info(uow, v, row.name))
    v.added, v.removed, v.amended = len(diff.added), len(diff.removed), len(diff.amended)
    uow.flush()
    record_change(uow.session, actor.id, "screening.list_import", "sanction_list", row.name,
                  None, {"version": v.id, "file": path.name, "sha256": sha,
                         "published": parsed.published.isoformat() if parsed.published else None,
                         "entries": total, "names": names, **diff.counts()})
    uow.commit()
    info = _info(uow, v, row.name)
    return ImportResult(info, ListDiff(prev_info, info, diff.added, diff.removed, diff.amended,
                                       diff.reissued), parsed.warnings)


def set_active(uow: UnitOfWork, actor: Actor, list_id: int, active: bool) -> None:
    """Whether screening uses the list: the authority decides which lists apply to it."""
    require(actor, Permission.MANAGE_LISTS)
    row = uow.session.get(SanctionList, list_id)
    if row is None:
        raise NotFoundError(_("No sanctions list has id {id}.").format(id=list_id))
    if row.active == active:
        return
    row.active = active
    record_change(uow.session, actor.id, "screening.list_active", "sanction_list", row.name,
                  {"active": not active}, {"active": active})
    uow.commit()
