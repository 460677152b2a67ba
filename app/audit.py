"""Checking the whole store for tampering: the audit chain and the signed decision records.

``verify_integrity`` walks every change event in id order and every decision record and
says, in plain words for a supervisor, what was changed behind the application's back:

- **Events.** Each event's hash covers its content and the previous event's hash. An event
  whose content no longer matches its hash was *edited*; an id gap, or an event chained to
  a hash that is nowhere in the trail, means events were *deleted*; an event nobody is
  chained to, between two events chained to each other, was *inserted*; events whose chain
  order differs from their id order were *reordered*.
- **Records.** Each signed record's snapshot must match its SHA-256 and its signature,
  under a certificate issued by the office CA and logged when it was issued; the plain
  columns must say what the snapshot says; the records of a case must chain 1, 2, 3...;
  every ``decision.*`` event must find its record, and every signed record its event.
- **Anchors.** Every signed snapshot names the chain head (event id and hash) at signing
  time. A trail rewritten consistently (every later hash recomputed) passes the chain
  check but no longer has those hashes: the signatures anchor the trail.

Limits, stated plainly: the events after the last signed record are protected only by the
chain. Deleting the last events, or appending a well-formed forged event with a correctly
computed hash, is not detectable from the chain alone (a forged ``decision.*`` event still
is, as it names a record that does not exist).

The work is one read-only pass; ``progress(done, total)`` and ``cancelled()`` follow the
convention of the other long use cases. A cancelled check returns a report marked
``cancelled`` (never ``ok``).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from itertools import pairwise
from typing import Any

from cryptography import x509
from sqlalchemy import String, Text, func, select, type_coerce
from sqlalchemy.orm import Session

from app import keys
from app.decisions import parse_record_ref
from app.errors import NotFoundError
from app.i18n import N_, _
from app.roles import Actor, Permission, require
from app.uow import UnitOfWork
from db.models import Case, Certificate, ChangeEvent, DecisionRow, User

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

#: Up to this many consecutive events nobody is chained to are judged "inserted" when the
#: events around them are chained to each other; a longer stretch is judged a re-link.
MAX_INSERTED_RUN = 10
_STEP = 5000
_GENESIS = -1
_MISSING = -2


class Kind(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    REWRITTEN = "rewritten"
    SIGNATURE = "signature"
    CERTIFICATE = "certificate"
    UNSIGNED = "unsigned"

    @property
    def label(self) -> str:
        return _(KIND_LABELS[self])


KIND_LABELS = {
    Kind.EDITED: N_("edited"),
    Kind.DELETED: N_("deleted"),
    Kind.INSERTED: N_("inserted"),
    Kind.REORDERED: N_("reordered"),
    Kind.REWRITTEN: N_("rewritten"),
    Kind.SIGNATURE: N_("signature broken"),
    Kind.CERTIFICATE: N_("certificate"),
    Kind.UNSIGNED: N_("not signed"),
}

#: Kinds that are facts to know, not signs of tampering.
INFORMATIONAL = frozenset({Kind.UNSIGNED})


@dataclass(frozen=True)
class Problem:
    """One thing found wrong. ``events`` are the event ids concerned (for a deletion, the
    missing ids; for a rewritten stretch, its first and last id), ``record`` the decisions
    row concerned. ``target`` names it: "event #17", "record GR-2026-00003/2 (row 9)"."""

    kind: Kind
    target: str
    message: str
    events: tuple[int, ...] = ()
    record: int | None = None

    @property
    def informational(self) -> bool:
        return self.kind in INFORMATIONAL

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "target": self.target, "message": self.message,
                "events": list(self.events), "record": self.record,
                "informational": self.informational}


@dataclass(frozen=True)
class IntegrityReport:
    problems: tuple[Problem, ...]
    events_checked: int
    records_checked: int
    seconds: float
    cancelled: bool = False

    @property
    def failures(self) -> list[Problem]:
        return [p for p in self.problems if not p.informational]

    @property
    def notes(self) -> list[Problem]:
        return [p for p in self.problems if p.informational]

    @property
    def ok(self) -> bool:
        """Everything was checked and nothing was tampered with (notes allowed)."""
        return not self.cancelled and not self.failures

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "cancelled": self.cancelled,
                "events_checked": self.events_checked,
                "records_checked": self.records_checked, "seconds": round(self.seconds, 3),
                "problems": [p.to_json() for p in self.failures],
                "notes": [p.to_json() for p in self.notes]}


# --- event hashes, fast -------------------------------------------------------------------

#: Same bytes as ``app.canonical.canonical_bytes`` for JSON-native values (what a JSON
#: column gives back). The C encoder is made once: ``json.dumps`` makes a new one per call,
#: which costs as much as the encoding itself for an event.
_c_encoder = getattr(json.encoder, "c_make_encoder", None)
_c_scanner = getattr(json.scanner, "c_make_scanner", None)
if _c_encoder is not None and _c_scanner is not None:
    _c_sorted = _c_encoder(None, None, json.encoder.c_encode_basestring, None, ":", ",", True,
                           False, False)
    #: Canonical only if every object's keys already come sorted, as the application writes
    #: them; a hash that does not match is recomputed with ``_encode``.
    _c_as_is = _c_encoder(None, None, json.encoder.c_encode_basestring, None, ":", ",", False,
                          False, False)
    _scan = _c_scanner(json.JSONDecoder())

    def _encode(value: Any) -> str:
        return "".join(_c_sorted(value, 0))

else:  # pragma: no cover - CPython always has the C accelerators
    _encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                                allow_nan=False)
    _encode = _encoder.encode
    _scan = json.JSONDecoder().scan_once

    def _c_as_is(value: Any, _level: int) -> Any:
        return _encoder.iterencode(value)


_sha256 = hashlib.sha256


def at_text(value: Any) -> str:
    """An event time as ``event_hash`` hashes it, from the stored form or a datetime."""
    if isinstance(value, str):
        # SQLite's stored form: 'YYYY-MM-DD HH:MM:SS.ffffff', UTC.
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            return f"{value[:10]}T{value[11:]}+00:00"
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    raise TypeError(f"not a time: {value!r}")


def _json(value: Any) -> Any:
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def content_hash(prev_hash: str, at: str, actor_id: int | None, action: str, entity: str,
                 entity_id: str, before: Any, after: Any) -> str:
    """``app.canonical.event_hash`` for an event as read back (``at`` from ``at_text``)."""
    return _sha256(_encode({
        "prev": prev_hash, "at": at, "actor": actor_id, "action": action, "entity": entity,
        "entity_id": entity_id, "before": before, "after": after}).encode("utf-8")).hexdigest()


# --- the event chain ----------------------------------------------------------------------

#: One event as ``check_chain`` takes it: (id, at, actor_id, action, entity, entity_id,
#: before, after, prev_hash, hash). ``at`` is a datetime or its stored text; ``before`` and
#: ``after`` are values or their JSON text.
EventTuple = Sequence[Any]


@dataclass
class Chain:
    """What the event pass learnt, for the record checks that follow."""

    problems: list[Problem]
    ids: list[int]
    hashes: list[str]
    pos_by_id: dict[int, int]
    pos_by_hash: dict[str, int]
    decision_events: list[tuple[int, str, str, str, dict[str, Any]]] = field(
        default_factory=list)  # (event id, action, entity_id, at, after)
    key_events: dict[str, int] = field(default_factory=dict)  # fingerprint -> event id
    #: SHA-256 of each rationale document an intact ``document.*`` event recorded -> event id.
    document_files: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False

    @property
    def max_id(self) -> int:
        return self.ids[-1] if self.ids else 0


def _when(at: str) -> str:
    return f"{at[:10]} {at[11:16]} UTC" if len(at) >= 16 else at


def _id_span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _cap(ids: list[int], limit: int = 10_000) -> list[int]:
    return ids if len(ids) <= limit else [ids[0], ids[-1]]


class _ChainCheck:
    def __init__(self, names: Mapping[int, str]) -> None:
        self.names = names
        self.n = 0
        self.ids: list[int] = []
        #: (actor_id, action, entity, entity_id) of each event, for the wording.
        self.meta: list[tuple[Any, str, str, str]] = []
        #: The stored before/after of events that do not match their hash.
        self.raw: dict[int, tuple[Any, Any]] = {}
        self.at: list[str] = []
        self.prev: list[str] = []
        self.hashes: list[str] = []
        self.ok: list[bool] = []
        self.problems: list[Problem] = []
        self.pos_by_hash: dict[str, int] = {}

    # -- wording --------------------------------------------------------------------------

    def who(self, actor: int | None) -> str:
        if actor is None:
            return _("the system")
        return self.names.get(actor) or _("user {id}").format(id=actor)

    def desc(self, i: int) -> str:
        """'Event #17 (case.update on GR-2026-00003 by olga, 2026-12-02 10:14 UTC)'."""
        actor, action, entity, entity_id = self.meta[i]
        what = entity_id if entity == "case" else f"{entity} {entity_id}"
        return _("Event #{id} ({action} on {what} by {who}, {when})").format(
            id=self.ids[i], action=action, what=what, who=self.who(actor),
            when=_when(self.at[i]))

    def add(self, kind: Kind, target: str, message: str, events: Sequence[int]) -> None:
        self.problems.append(Problem(kind, target, message, tuple(events)))

    # -- pass 1: hashes -------------------------------------------------------------------

    def hash_all(self, rows: Iterable[EventTuple], chain: Chain, progress: Progress | None,
                 total: int, cancelled: Cancelled | None) -> bool:
        """Hash every event as it streams past; keep only what the link analysis needs."""
        ids, prevs, hashes, meta, raw = self.ids, self.prev, self.hashes, self.meta, self.raw
        ats, ok = self.at, self.ok
        as_is, join, sha256 = _c_as_is, "".join, _sha256
        remembered = ("decision.", "keys.", "document.")
        scan, loads = _scan, json.loads
        names: dict[str, str] = {}  # one string object per distinct action and entity
        for n, row in enumerate(rows):
            if n % _STEP == 0 and n:
                if cancelled is not None and cancelled():
                    return False
                if progress is not None:
                    progress(n, total)
            eid, at, actor, action, entity, entity_id, before, after, prev, stored = row
            try:
                if at.__class__ is str and len(at) == 26 and at[10] == " " and at[19] == ".":
                    at = f"{at[:10]}T{at[11:]}+00:00"
                else:
                    at = at_text(at)
                # json.loads without its Python layers; any doubt goes to json.loads.
                if before.__class__ is str:
                    before, end = scan(before, 0)
                    if end != len(row[6]):
                        before = loads(row[6])
                if after.__class__ is str:
                    after, end = scan(after, 0)
                    if end != len(row[7]):
                        after = loads(row[7])
                doc = {"action": action, "actor": actor, "after": after, "at": at,
                       "before": before, "entity": entity, "entity_id": entity_id,
                       "prev": prev}
                digest = sha256(join(as_is(doc, 0)).encode("utf-8")).hexdigest()
                if digest != stored:
                    digest = sha256(_encode(doc).encode("utf-8")).hexdigest()
            except (ValueError, TypeError, AttributeError, StopIteration):
                digest = self._slow_hash(row)
                at = at if isinstance(at, str) else str(at)
                try:
                    after = _json(row[7])
                except (ValueError, TypeError):
                    after = None
            ids.append(eid)
            prevs.append(prev)
            hashes.append(stored)
            meta.append((actor, names.setdefault(action, action),
                         names.setdefault(entity, entity), entity_id))
            ats.append(at)
            ok.append(digest == stored)
            if digest != stored:
                raw[n] = (row[6], row[7])
            if action.startswith(remembered):
                self._remember(chain, eid, action, entity_id, at, after, digest == stored)
        self.n = len(ids)
        return True

    @staticmethod
    def _slow_hash(row: EventTuple) -> str:
        """The hash by the plain route, for whatever the fast one could not read."""
        try:
            return content_hash(row[8], at_text(row[1]), row[2], row[3], row[4], row[5],
                                _json(row[6]), _json(row[7]))
        except (ValueError, TypeError, AttributeError):
            return ""

    @staticmethod
    def _remember(chain: Chain, eid: int, action: str, entity_id: str, at: str, after: Any,
                  intact: bool) -> None:
        if not isinstance(after, dict):
            return
        if action.startswith("decision."):
            chain.decision_events.append((eid, action, entity_id, at, after))
        elif action.startswith("document.") and intact:
            files = after.get("files")
            if isinstance(files, dict) and action != "document.export":
                for sha in files.values():
                    chain.document_files.setdefault(str(sha), eid)
        elif intact and isinstance(after.get("fingerprint_sha256"), str):
            # Only an intact event vouches for a certificate.
            chain.key_events.setdefault(after["fingerprint_sha256"], eid)

    # -- pass 2: links --------------------------------------------------------------------

    def analyse(self) -> None:
        n, ids, ok, hashes = self.n, self.ids, self.ok, self.hashes
        pos_by_hash: dict[str, int] = {}
        for i, h in enumerate(hashes):
            pos_by_hash.setdefault(h, i)
        self.pos_by_hash = pos_by_hash
        target = [_GENESIS if p == "" else pos_by_hash.get(p, _MISSING) for p in self.prev]
        intact = all(ok) and all(t == i - 1 for i, t in enumerate(target)) and (
            not ids or (ids[0] == 1 and ids[-1] == n))
        if intact:
            return
        # An event that no longer matches its hash was edited (or forged): its link is part
        # of what was changed, so it is no evidence of a move. It is judged where it stands.
        relinked = [False] * n
        for i in range(n):
            if not ok[i] and target[i] != i - 1:
                target[i] = i - 1
                relinked[i] = True
        linkers: list[list[int]] = [[] for _ in range(n)]
        for i, t in enumerate(target):
            if t >= 0:
                linkers[t].append(i)

        inserted = [False] * n
        runs: list[tuple[int, int, int, int]] = []
        for i, t in enumerate(target):
            if t == _MISSING or t >= i - 1:
                continue
            lo, hi = t + 1, i - 1
            if hi - lo + 1 > MAX_INSERTED_RUN or any(inserted[q] for q in range(lo, hi + 1)):
                continue
            # Nobody outside the stretch is chained to it, and it is not chained forward
            # (an event chained to a later one was moved, not forged).
            if all(lo <= j <= hi for q in range(lo, hi + 1) for j in linkers[q]) and all(
                    target[q] < q for q in range(lo, hi + 1)):
                for q in range(lo, hi + 1):
                    inserted[q] = True
                runs.append((lo, hi, t, i))
        kept = [i for i in range(n) if not inserted[i]]
        handled: set[int] = set()  # positions whose content problem is already explained

        order, starts = self._chain_order(kept, target, inserted)
        gap_done: set[int] = set()
        index = {p: k for k, p in enumerate(kept)} if starts else {}
        for s in starts:
            self._break(s, index[s], kept, target, handled, gap_done)
        self._gaps(gap_done)
        for lo, hi, t, i in runs:
            self._inserted(lo, hi, t, i)
        self._edited(kept, target, relinked, linkers, handled)
        self._reordered(kept, order)

    def _chain_order(self, kept: list[int], target: list[int],
                     inserted: list[bool]) -> tuple[list[int], list[int]]:
        """The kept events in the order their hashes chain them, and the positions where
        a stretch of chain starts other than at the genesis (breaks)."""
        n = self.n
        natural = dict(pairwise(kept))
        first = kept[0] if kept else None
        if all(target[q] == p for p, q in natural.items()) and (
                first is None or target[first] == _GENESIS):
            return kept, []
        succ: dict[int, list[int]] = {}
        roots: list[int] = []
        for i in kept:
            t = target[i]
            if t < 0 or inserted[t]:
                roots.append(i)
            else:
                succ.setdefault(t, []).append(i)
        visited = [False] * n
        segments: list[list[int]] = []

        def walk(start: int) -> None:
            seg, cur = [], start
            while not visited[cur]:
                visited[cur] = True
                seg.append(cur)
                cands = [c for c in succ.get(cur, ()) if not visited[c]]
                if not cands:
                    break
                nat = natural.get(cur)
                cur = nat if nat in cands else min(cands)
            if seg:
                segments.append(seg)

        genesis = [r for r in roots if target[r] == _GENESIS][:1]
        for r in genesis + [r for r in roots if r not in genesis]:
            walk(r)
        for i in kept:  # whatever is left sits on a loop of links
            if not visited[i]:
                walk(i)
        # The chain from the genesis comes first, wherever its first event is stored.
        segments.sort(key=lambda seg: (seg[0] not in genesis, seg[0]))
        order = [p for seg in segments for p in seg]
        starts = [seg[0] for seg in segments if seg[0] not in genesis]
        return order, starts

    def _break(self, s: int, k: int, kept: list[int], target: list[int], handled: set[int],
               gap_done: set[int]) -> None:
        ids = self.ids
        p = kept[k - 1] if k > 0 else None
        low = ids[s - 1] if s > 0 else 0  # the row stored just before, inserted or not
        gap = ids[s] - low - 1
        if target[s] == _GENESIS:
            self.add(Kind.EDITED, f"event #{ids[s]}", _(
                "{event} is chained as if it were the first event of the trail, though it is "
                "stored after event #{prev}: its link to the previous event was rewritten "
                "together with its hash.").format(event=self.desc(s), prev=ids[s - 1]),
                [ids[s]])
            return
        if gap > 0:
            gap_done.add(s)
            missing = list(range(low + 1, ids[s]))
            span = _id_span(low + 1, ids[s] - 1)
            if s == 0:
                message = (_("1 event before #{id} was deleted (id {ids} missing).") if gap == 1
                           else _("{n} events before #{id} were deleted (ids {ids} missing)."))
            else:
                message = (_("1 event between #{prev} and #{id} was deleted (id {ids} missing).")
                           if gap == 1 else
                           _("{n} events between #{prev} and #{id} were deleted (ids {ids} "
                             "missing)."))
            self.add(Kind.DELETED, _("events #{ids}").format(ids=span) if gap > 1
                     else _("event #{ids}").format(ids=span),
                     message.format(n=gap, id=ids[s], prev=low, ids=span), _cap(missing))
            return
        if p is not None and not self.ok[p]:
            handled.add(p)
            self.add(Kind.EDITED, f"event #{ids[p]}", _(
                "{event} was edited after it was written, and its hash was replaced: its "
                "content no longer matches its hash, and event #{next} is still chained to "
                "its original hash.").format(event=self.desc(p), next=ids[s]), [ids[p]])
            return
        if p is None:
            self.add(Kind.DELETED, f"event #{ids[s]}", _(
                "{event} is chained to an earlier event that is no longer in the trail: it "
                "was rewritten with a new hash, or the events before it were deleted and the "
                "rest renumbered.").format(event=self.desc(s)), [ids[s]])
            return
        self.add(Kind.DELETED, _("between events #{a} and #{b}").format(a=ids[p], b=ids[s]), _(
            "{event} is chained to an event that is no longer in the trail, not to event "
            "#{prev} before it. Either events between #{prev} and #{id} were deleted and "
            "the later events renumbered, or event #{prev} was rewritten together with its "
            "hash.").format(event=self.desc(s), prev=ids[p], id=ids[s]), [ids[p], ids[s]])

    def _gaps(self, gap_done: set[int]) -> None:
        """Missing ids where the chain nevertheless runs on: deleted, then re-chained."""
        ids = self.ids
        low = 0
        for i in range(self.n):
            if ids[i] > low + 1 and i not in gap_done:
                missing = list(range(low + 1, ids[i]))
                span = _id_span(low + 1, ids[i] - 1)
                message = (_("1 event before #{id} was deleted (id {ids} missing), and the "
                             "events after the gap were re-chained to hide it.")
                           if len(missing) == 1 else
                           _("{n} events before #{id} were deleted (ids {ids} missing), and "
                             "the events after the gap were re-chained to hide it."))
                self.add(Kind.DELETED, (_("event #{ids}") if len(missing) == 1
                                        else _("events #{ids}")).format(ids=span),
                         message.format(n=len(missing), id=ids[i], ids=span), _cap(missing))
            low = max(low, ids[i])

    def _inserted(self, lo: int, hi: int, t: int, i: int) -> None:
        ids, at = self.ids, self.at
        before = _("#{id}").format(id=ids[t]) if t >= 0 else _("the start of the trail")
        bad = [q for q in range(lo, hi + 1) if not self.ok[q]]
        if lo == hi:
            message = _("{event} was inserted behind the application's back: no event is "
                        "chained to it, and the events around it ({before} and #{after}) are "
                        "chained directly to each other.").format(
                event=self.desc(lo), before=before, after=ids[i])
            target = f"event #{ids[lo]}"
        else:
            message = _("Events #{first} to #{last} were inserted behind the application's "
                        "back: no event outside them is chained to them, and the events "
                        "around them ({before} and #{after}) are chained directly to each "
                        "other.").format(first=ids[lo], last=ids[hi], before=before,
                                         after=ids[i])
            target = _("events #{first} to #{last}").format(first=ids[lo], last=ids[hi])
        if bad:
            message += " " + _("Its hash does not even match its content.")
        if (t >= 0 and at[lo] < at[t]) or at[hi] > at[i]:
            message += " " + _("Its time is out of step with the events around it, too.")
        self.add(Kind.INSERTED, target, message, [ids[q] for q in range(lo, hi + 1)])

    def _edited(self, kept: list[int], target: list[int], relinked: list[bool],
                linkers: list[list[int]], handled: set[int]) -> None:
        ids = self.ids
        last = kept[-1] if kept else -1
        for i in kept:
            if self.ok[i] or i in handled:
                continue
            only_link = relinked[i] and self._only_link_changed(i)
            if only_link:
                message = _("{event} was edited after it was written: its link to the previous "
                            "event (prev_hash) was changed.").format(event=self.desc(i))
            elif i == last and not linkers[i]:
                message = _("{event} does not match its hash. It is the last event, so no "
                            "later event vouches for it: it was edited after it was written, "
                            "or forged and added at the end of the trail.").format(
                    event=self.desc(i))
            elif relinked[i]:
                message = _("{event} was edited after it was written: its content and its link "
                            "to the previous event no longer match its hash.").format(
                    event=self.desc(i))
            else:
                message = _("{event} was edited after it was written: its content no longer "
                            "matches its hash.").format(event=self.desc(i))
            self.add(Kind.EDITED, f"event #{ids[i]}", message, [ids[i]])

    def _only_link_changed(self, i: int) -> bool:
        """Whether the event hashes right once chained to the event stored before it."""
        actor, action, entity, entity_id = self.meta[i]
        before, after = self.raw[i]
        try:
            return content_hash(self.hashes[i - 1] if i > 0 else "", self.at[i], actor, action,
                                entity, entity_id, _json(before), _json(after)) == self.hashes[i]
        except (ValueError, TypeError):
            return False

    def _reordered(self, kept: list[int], order: list[int]) -> None:
        if order == kept:
            return
        ids, at = self.ids, self.at
        k, m = 0, len(kept)
        while k < m:
            if order[k] == kept[k]:
                k += 1
                continue
            # The block closes where order[:end + 1] holds the same events as kept[:end + 1].
            end, top = k, order[k]
            while top != kept[end]:
                end += 1
                top = max(top, order[end])
            block = order[k:end + 1]
            stored = kept[k:end + 1]
            context = ([order[k - 1]] if k > 0 else []) + block + (
                [order[end + 1]] if end + 1 < m else [])
            shown = [f"#{ids[p]}" for p in context]
            if len(shown) > 12:
                shown = [*shown[:6], "…", *shown[-5:]]
            chained = " → ".join(shown)
            backwards = any(at[b] < at[a] for a, b in pairwise(stored))
            swap = len(block) == 2 or (block[0] == max(block) and block[-1] == min(block)
                                       and block[1:-1] == sorted(block[1:-1]))
            if swap:
                a, b = block[-1], block[0]
                message = _("Events #{a} and #{b} were swapped: their hashes chain them "
                            "{chain}, but their ids put #{a} first.").format(
                    a=ids[a], b=ids[b], chain=chained)
                events = [ids[a], ids[b]]
                target = _("events #{a} and #{b}").format(a=ids[a], b=ids[b])
            else:
                moved = None
                if block[0] == max(block) and block[1:] == sorted(block[1:]):
                    moved = block[0]
                elif block[-1] == min(block) and block[:-1] == sorted(block[:-1]):
                    moved = block[-1]
                if moved is not None:
                    where = order.index(moved)
                    after_ = f"#{ids[order[where - 1]]}" if where > 0 else \
                        _("the start of the trail")
                    message = _("Event #{id} was moved: its hash chains it right after "
                                "{after}, but it is stored as #{id}. The events between were "
                                "renumbered to make room.").format(id=ids[moved], after=after_)
                    events = [ids[moved]]
                    target = f"event #{ids[moved]}"
                else:
                    first, last_ = ids[stored[0]], ids[stored[-1]]
                    message = _("Events #{first} to #{last} are not stored in the order in "
                                "which they were written: their hashes chain them {chain}.")\
                        .format(first=first, last=last_, chain=chained)
                    events = sorted(ids[p] for p in block)[:1000]
                    target = _("events #{first} to #{last}").format(first=first, last=last_)
            if backwards:
                message += " " + _("Their timestamps, too, run backwards in id order.")
            self.add(Kind.REORDERED, target, message, events)
            k = end + 1


def check_chain(rows: Iterable[EventTuple], names: Mapping[int, str] | None = None,
                progress: Progress | None = None, cancelled: Cancelled | None = None,
                total: int | None = None) -> Chain:
    """Check change events given in id order (any iterable: they are read once, and only
    what the analysis needs is kept). Pure, so it can be tested without a database."""
    check = _ChainCheck(names or {})
    chain = Chain([], [], [], {}, {})
    if total is None:
        total = len(rows) if isinstance(rows, Sized) else 0
    if not check.hash_all(rows, chain, progress, total, cancelled):
        chain.cancelled = True
        chain.ids = check.ids
        return chain
    check.analyse()
    chain.problems = check.problems
    chain.ids, chain.hashes = check.ids, check.hashes
    chain.pos_by_hash = check.pos_by_hash
    chain.pos_by_id = {eid: i for i, eid in enumerate(check.ids)}
    return chain


# --- decision records ---------------------------------------------------------------------

def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "…"


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass
class _Cert:
    row: Any
    cert: x509.Certificate | None
    fingerprint: str
    trusted_ca: bool
    problems: list[str]


@dataclass(frozen=True)
class RecordStatus:
    """One record as ``decision show`` presents it: the stored snapshot and its checks."""

    id: int
    ref: str
    kind: str
    origin: str
    snapshot_text: str | None
    snapshot_sha256: str | None
    signed: bool
    hash_ok: bool
    signature_ok: bool
    certificate_subject: str
    certificate_sha256: str
    issued_by_office_ca: bool
    problems: tuple[Problem, ...]
    #: The plain columns as stored (outcome, decided_by, decided_at, status_before,
    #: status_after, rationale): what lists show, and all there is of an unsigned record.
    columns: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not [p for p in self.problems if not p.informational]

    def verification(self) -> dict[str, Any]:
        return {"signed": self.signed, "intact": self.ok, "hash_ok": self.hash_ok,
                "signature_ok": self.signature_ok,
                "certificate": {"subject": self.certificate_subject,
                                "sha256": self.certificate_sha256,
                                "issued_by_office_ca": self.issued_by_office_ca},
                "problems": [p.to_json() for p in self.problems]}


class _Records:
    """Checks of decision rows against their snapshot, signature, certificate and case."""

    def __init__(self, session: Session, trusted: Mapping[str, int] | None) -> None:
        self.session = session
        self.users = {uid: (name, full) for uid, name, full in session.execute(
            select(User.id, User.username, User.full_name))}
        self.cases = {cid: ref for cid, ref in session.execute(
            select(Case.id, Case.reference))}
        self.trusted = trusted
        self.cert_rows = {r.id: r for r in session.execute(select(Certificate.__table__))}
        self.problems: list[Problem] = []
        self._certs: dict[int, _Cert] = {}
        self._cas: list[x509.Certificate] | None = None

    # -- certificates ---------------------------------------------------------------------

    def _load(self, row: Any) -> tuple[x509.Certificate | None, str]:
        try:
            cert = x509.load_pem_x509_certificate(row.certificate_pem.encode())
        except ValueError:
            return None, ""
        return cert, keys.fingerprint(cert)

    def cas(self) -> list[x509.Certificate]:
        if self._cas is None:
            self._cas = []
            for row in self.cert_rows.values():
                if row.kind != "ca":
                    continue
                cert, fp = self._load(row)
                if cert is None or fp != row.fingerprint_sha256:
                    continue
                if self.trusted is not None and fp not in self.trusted:
                    continue
                self._cas.append(cert)
        return self._cas

    def certificate(self, cert_id: int) -> _Cert | None:
        if cert_id in self._certs:
            return self._certs[cert_id]
        row = self.cert_rows.get(cert_id)
        if row is None:
            return None
        cert, fp = self._load(row)
        problems = []
        if cert is None:
            problems.append(_("its stored certificate cannot be read"))
        elif fp != row.fingerprint_sha256:
            problems.append(_("its stored certificate is not the one it was issued with (the "
                              "fingerprint differs): it was replaced"))
        if self.trusted is not None and row.fingerprint_sha256 not in self.trusted \
                and fp not in self.trusted:
            problems.append(_("no intact event in the audit trail records its issue: it was "
                              "added behind the application's back, or the event that logged "
                              "it was deleted or edited"))
        trusted_ca = cert is not None and keys.issued_by(cert, self.cas()) is not None
        if cert is not None and not trusted_ca and row.kind != "ca":
            problems.append(_("it was not issued by the office certificate authority"))
        found = _Cert(row, cert, fp, trusted_ca, problems)
        self._certs[cert_id] = found
        return found

    def check_certificates(self) -> None:
        for cert_id in sorted(self.cert_rows):
            found = self.certificate(cert_id)
            assert found is not None
            if found.problems:
                row = found.row
                self.problems.append(Problem(
                    Kind.CERTIFICATE, _("certificate #{id}").format(id=cert_id),
                    _("Certificate #{id} ({kind}, {subject}): {problems}.").format(
                        id=cert_id, kind=row.kind, subject=row.subject,
                        problems="; ".join(found.problems))))

    # -- one record -----------------------------------------------------------------------

    def ref(self, row: Any) -> str:
        reference = self.cases.get(row.case_id)
        if reference is None:
            return _("of case id {id}").format(id=row.case_id)
        return f"{reference}/{row.sequence}"

    def name(self, row: Any) -> str:
        return _("record {ref} (row {id})").format(ref=self.ref(row), id=row.id)

    def who(self, user_id: int) -> str:
        return self.users.get(user_id, (_("user {id}").format(id=user_id), ""))[0]

    def check_row(self, row: Any) -> tuple[list[Problem], dict[str, Any], RecordStatus]:
        """Problems of one row on its own; its snapshot when it verifies (else {})."""
        out: list[Problem] = []
        name = self.name(row)
        title = name[0].upper() + name[1:]

        def add(kind: Kind, message: str) -> None:
            out.append(Problem(kind, name, message, (), row.id))

        signed = bool(row.snapshot and row.signature and row.certificate_id is not None)
        hash_ok = signature_ok = False
        subject = cert_fp = ""
        issued = False
        snapshot: dict[str, Any] = {}
        if not signed:
            if row.origin == "pre-signing":
                add(Kind.UNSIGNED, _("{record} was recorded before decisions were signed: it "
                                     "has no signature, so its content cannot be checked.")
                    .format(record=title))
            else:
                add(Kind.UNSIGNED if not row.origin.startswith("signed") else Kind.SIGNATURE,
                    _("{record} ({origin}) carries no signature or certificate.").format(
                        record=title, origin=row.origin))
            return out, {}, self._status(row, signed, hash_ok, signature_ok, subject, cert_fp,
                                         issued, out)
        data = row.snapshot.encode("utf-8")
        hash_ok = hashlib.sha256(data).hexdigest() == row.snapshot_sha256
        found = self.certificate(row.certificate_id)
        if found is None or found.cert is None:
            add(Kind.SIGNATURE, _("{record}: the certificate that signed it (#{id}) is "
                                  "missing or unreadable, so its signature cannot be checked.")
                .format(record=title, id=row.certificate_id))
        else:
            subject = found.cert.subject.rfc4514_string()
            cert_fp = found.fingerprint
            issued = found.trusted_ca
            signature_ok = keys.verify_with(found.cert, data, row.signature)
        if not hash_ok:
            add(Kind.EDITED, _("{record}, signed by {who}, was edited after it was signed: its "
                               "stored snapshot no longer matches its SHA-256 hash{sig}.")
                .format(record=title, who=self.who(row.decided_by_id),
                        sig=_(" nor its signature") if found and not signature_ok else ""))
        elif found is not None and found.cert is not None and not signature_ok:
            add(Kind.SIGNATURE, _("{record}: its signature does not match its snapshot. The "
                                  "snapshot and its hash were changed together after signing, "
                                  "or the signature or certificate was replaced.").format(
                record=title))
        if found is not None and found.cert is not None and found.problems and signature_ok:
            add(Kind.CERTIFICATE, _("{record} is signed with certificate #{id}, which cannot "
                                    "be trusted (see certificate #{id}).").format(
                record=title, id=row.certificate_id))
        if hash_ok and signature_ok:
            try:
                parsed = json.loads(data)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                snapshot = parsed
                self._columns(row, snapshot, found, add, title)
            else:
                add(Kind.EDITED, _("{record}: its signed snapshot is not a JSON record.")
                    .format(record=title))
        return out, snapshot, self._status(row, signed, hash_ok, signature_ok, subject,
                                           cert_fp, issued, out)

    def _status(self, row: Any, signed: bool, hash_ok: bool, signature_ok: bool, subject: str,
                cert_fp: str, issued: bool, problems: list[Problem]) -> RecordStatus:
        columns = {"outcome": row.outcome, "decided_by": self.who(row.decided_by_id),
                   "decided_at": _iso(row.decided_at), "status_before": row.status_before,
                   "status_after": row.status_after, "rationale": row.rationale}
        return RecordStatus(row.id, self.ref(row), row.kind, row.origin, row.snapshot,
                            row.snapshot_sha256, signed, hash_ok, signature_ok, subject,
                            cert_fp, issued, tuple(problems), columns)

    def _columns(self, row: Any, snap: dict[str, Any], found: _Cert | None,
                 add: Callable[[Kind, str], None], title: str) -> None:
        def get(*path: str) -> Any:
            value: Any = snap
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            return value

        def column(name: str, stored: Any, signed: Any,
                   kind: Kind = Kind.EDITED) -> None:
            if _iso(stored) != signed:
                add(kind, _("{record}: its {column} column says {stored} but the signed "
                            "snapshot says {signed}: the column was edited after signing.")
                    .format(record=title, column=name, stored=_show(_iso(stored)),
                            signed=_show(signed)))

        column("kind", row.kind, get("kind"))
        if row.sequence != get("sequence"):
            add(Kind.REORDERED, _("{record} is stored as record {stored} of its case but was "
                                  "signed as record {signed}: the case's records were "
                                  "renumbered.").format(record=title, stored=row.sequence,
                                                        signed=_show(get("sequence"))))
        reference = self.cases.get(row.case_id)
        if reference != get("case", "reference"):
            add(Kind.EDITED, _("{record}: it is stored under case {stored} but was signed for "
                               "{signed}: its case_id column was edited after signing.")
                .format(record=title, stored=_show(reference),
                        signed=_show(get("case", "reference"))))
        column("outcome", row.outcome, get("decision", "outcome"))
        column("status_after", row.status_after, get("status", "after"))
        column("status_before", row.status_before, get("status", "before"))
        signer = get("signer", "username")
        if self.who(row.decided_by_id) != signer:
            add(Kind.EDITED, _("{record}: its decided_by_id column names {stored} but it was "
                               "signed by {signed}: the column was edited after signing.")
                .format(record=title, stored=_show(self.who(row.decided_by_id)),
                        signed=_show(signer)))
        column("decided_at", row.decided_at, get("signed_at"))
        if found is not None and get("signer", "certificate_sha256") != found.fingerprint:
            add(Kind.CERTIFICATE, _("{record} names certificate {named} as its signer's, but "
                                    "is stored with certificate #{id} ({actual}).").format(
                record=title, named=_show(get("signer", "certificate_sha256")),
                id=row.certificate_id, actual=found.fingerprint[:16] + "…"))
        if found is not None and found.row.user_id != row.decided_by_id \
                and found.row.kind == "user":
            add(Kind.CERTIFICATE, _("{record} is signed with the certificate of {holder}, not "
                                    "of {signer}.").format(
                record=title, holder=self.who(found.row.user_id),
                signer=self.who(row.decided_by_id)))
        if row.kind == "decision":
            column("rationale", row.rationale, get("decision", "rationale"))
            column("conditions", row.conditions, get("decision", "conditions"))
            column("criteria_cited", row.criteria_cited, get("decision", "criteria_cited"))
            column("as_of", row.as_of, get("decision", "as_of"))
            column("framework_id", row.framework_id, get("framework", "id"))
            column("framework_version", row.framework_version, get("framework", "version"))
            column("framework_sha256", row.framework_sha256, get("framework", "sha256"))
            column("countersignatures_required", row.countersignatures_required,
                   get("countersigning", "required"))
        else:
            said = get("comment") if row.kind == "countersignature" else get("reason")
            column("rationale", row.rationale, said)


def _chain_of_case(rec: _Records, rows: list[Any], snapshots: dict[int, dict[str, Any]],
                   bad: set[int], explained: set[tuple[int, int]]) -> list[Problem]:
    """Sequence, previous_id and previous-hash links among one case's records."""
    out: list[Problem] = []
    by_seq = {r.sequence: r for r in rows}
    by_sha = {r.snapshot_sha256: r for r in rows if r.snapshot_sha256}
    case_id = rows[0].case_id
    reference = rec.cases.get(case_id, str(case_id))
    top = max(by_seq)
    for seq in range(1, top + 1):
        if seq not in by_seq and (case_id, seq) not in explained:
            out.append(Problem(Kind.DELETED, _("record {ref}/{n}").format(ref=reference, n=seq),
                               _("Record {ref}/{n} is missing: the records of {ref} jump from "
                                 "{a} to {b}. It was deleted together with its event, or the "
                                 "records were renumbered.").format(
                                   ref=reference, n=seq, a=seq - 1, b=seq + 1)))
    for row in sorted(rows, key=lambda r: r.sequence):
        title = rec.name(row)
        title = title[0].upper() + title[1:]
        before = by_seq.get(row.sequence - 1)
        if row.sequence > 1 and before is None:
            continue  # reported as missing
        expected_id = before.id if before is not None else None
        if row.previous_id != expected_id and row.id not in bad:
            pointed = next((r for r in rows if r.id == row.previous_id), None)
            where = rec.name(pointed) if pointed is not None else (
                _("row {id}, which does not exist").format(id=row.previous_id)
                if row.previous_id is not None else _("nothing"))
            out.append(Problem(Kind.REORDERED, rec.name(row), _(
                "{record} points back to {where}, not to the record before it: the records "
                "of its case were reordered or renumbered.").format(record=title, where=where),
                (), row.id))
        snap = snapshots.get(row.id)
        if not snap:
            continue
        previous = snap.get("previous")
        if row.sequence > 1 and before is not None and before.id not in bad \
                and isinstance(previous, dict) \
                and previous.get("sha256") != before.snapshot_sha256:
            other = by_sha.get(previous.get("sha256"))
            if other is not None:
                out.append(Problem(Kind.REORDERED, rec.name(row), _(
                    "{record} was signed after {other}, which is now stored as record {n}: "
                    "the records of its case were reordered.").format(
                        record=title, other=rec.name(other), n=other.sequence), (), row.id))
            else:
                out.append(Problem(Kind.DELETED, rec.name(row), _(
                    "{record} was signed after a record (SHA-256 {sha}) that is no longer in "
                    "the case; record {ref}/{n} is a different one.").format(
                        record=title, sha=str(previous.get("sha256"))[:16] + "…",
                        ref=reference, n=before.sequence), (), row.id))
        elif row.sequence == 1 and previous is not None and row.id not in bad:
            out.append(Problem(Kind.DELETED, rec.name(row), _(
                "{record} is stored as the first record of its case, but it was signed after "
                "record {n}: the records before it were deleted and the rest renumbered.")
                .format(record=title, n=_show(previous.get("sequence"))), (), row.id))
    return out


def _record_rows(session: Session, case_id: int | None = None) -> list[Any]:
    stmt = select(DecisionRow.__table__).order_by(DecisionRow.case_id, DecisionRow.sequence,
                                                  DecisionRow.id)
    if case_id is not None:
        stmt = stmt.where(DecisionRow.case_id == case_id)
    return list(session.execute(stmt))


def _check_records(session: Session, chain: Chain) -> tuple[list[Problem], int]:
    rec = _Records(session, chain.key_events)
    problems: list[Problem] = []
    rec.check_certificates()
    problems.extend(rec.problems)
    rows = _record_rows(session)
    by_id = {r.id: r for r in rows}
    first_by_sha: dict[str, Any] = {}
    for row in sorted(rows, key=lambda r: r.id):
        if row.snapshot_sha256:
            first_by_sha.setdefault(row.snapshot_sha256, row)

    # Each decision event names the record it logged (legacy events: "decision").
    logged: dict[int, tuple[int, str, str, str, dict[str, Any]]] = {}
    unkeyed: dict[str, int] = {}  # legacy events that name their case but not the row
    for event in chain.decision_events:
        _eid, action, ref, _at, after = event
        record_id = after.get("record")
        if record_id is None and action == "decision.record":
            record_id = after.get("decision")
            if record_id is None:
                unkeyed[ref] = unkeyed.get(ref, 0) + 1
        if isinstance(record_id, int):
            logged[record_id] = event

    snapshots: dict[int, dict[str, Any]] = {}
    bad: set[int] = set()
    for row in rows:
        original = first_by_sha.get(row.snapshot_sha256) if row.snapshot_sha256 else None
        reference = rec.cases.get(row.case_id, "")
        if row.id not in logged and row.origin == "pre-signing" and unkeyed.get(reference):
            unkeyed[reference] -= 1  # logged before events named the record they logged
        elif row.id not in logged:
            title = rec.name(row)
            message = _("{record} is in the decision records, but no decision event in the "
                        "audit trail records it: it was added behind the application's back "
                        "(or its event was deleted).").format(
                record=title[0].upper() + title[1:])
            if original is not None and original.id != row.id:
                message += " " + _("It is a copy of {other}.").format(other=rec.name(original))
                problems.append(Problem(Kind.INSERTED, title, message, (), row.id))
                bad.add(row.id)
                continue  # a copy's columns and links say nothing more
            problems.append(Problem(Kind.INSERTED, title, message, (), row.id))
        found, snap, _status = rec.check_row(row)
        problems.extend(found)
        if any(not p.informational for p in found):
            bad.add(row.id)
        if snap:
            snapshots[row.id] = snap

    # Every logged record must still be there, and be the one that was logged.
    explained: set[tuple[int, int]] = set()
    ref_to_case = {ref: cid for cid, ref in rec.cases.items()}
    for record_id, (eid, action, entity_id, at, after) in logged.items():
        row = by_id.get(record_id)
        seq = after.get("sequence")
        if row is None:
            if isinstance(seq, int) and entity_id in ref_to_case:
                explained.add((ref_to_case[entity_id], seq))
            ref = f"{entity_id}/{seq}" if isinstance(seq, int) else entity_id
            kind = after.get("kind") or action.removeprefix("decision.")
            problems.append(Problem(
                Kind.DELETED, _("record {ref} (row {id})").format(ref=ref, id=record_id),
                _("Record {ref} (row {id}), a {kind} logged by event #{event} on {when}, is "
                  "missing from the decision records: it was deleted.").format(
                    ref=ref, id=record_id, kind=kind, event=eid, when=_when(at)),
                (eid,), record_id))
            continue
        sha = after.get("snapshot_sha256")
        if "snapshot_sha256" in after and sha != row.snapshot_sha256 and row.id not in bad:
            title = rec.name(row)
            problems.append(Problem(Kind.EDITED, title, _(
                "{record} is not the record that was signed and logged by event #{event}: that "
                "one had SHA-256 {logged}, the stored one has {stored}. The record was "
                "replaced.").format(record=title[0].upper() + title[1:], event=eid,
                                    logged=str(sha)[:16] + "…",
                                    stored=str(row.snapshot_sha256)[:16] + "…"),
                (eid,), row.id))
            bad.add(row.id)

    by_case: dict[int, list[Any]] = {}
    for row in rows:
        by_case.setdefault(row.case_id, []).append(row)
    for case_rows in by_case.values():
        problems.extend(_chain_of_case(rec, case_rows, snapshots, bad, explained))
    problems.extend(_anchors(rec, rows, snapshots, bad, chain))
    return problems, len(rows)


def _anchors(rec: _Records, rows: list[Any], snapshots: dict[int, dict[str, Any]],
             bad: set[int], chain: Chain) -> list[Problem]:
    """Each signed snapshot names the trail's head when it was signed: is it still there?"""
    good: list[int] = []
    failed: list[tuple[int, str, Any]] = []
    beyond: list[tuple[int, Any]] = []
    for row in rows:
        snap = snapshots.get(row.id)
        head = snap.get("audit_head") if snap and row.id not in bad else None
        if not isinstance(head, dict) or not isinstance(head.get("event"), int):
            continue
        event, digest = head["event"], head.get("hash")
        if event == 0:
            continue
        pos = chain.pos_by_id.get(event)
        if pos is not None and chain.hashes[pos] == digest:
            good.append(event)
        elif digest in chain.pos_by_hash:
            continue  # the event is there under another id: the chain check says why
        elif event > chain.max_id:
            beyond.append((event, row))
        else:
            failed.append((event, str(digest), row))
    out: list[Problem] = []
    if beyond:
        event, row = max(beyond, key=lambda b: b[0])
        out.append(Problem(Kind.DELETED, _("events after #{id}").format(id=chain.max_id), _(
            "The audit trail ends at event #{last}, but {record} was signed when it already "
            "reached event #{head}: the last events were deleted.").format(
                last=chain.max_id, record=rec.name(row), head=event),
            tuple(range(chain.max_id + 1, event + 1))[:10_000], row.id))
    if failed:
        failed.sort(key=lambda f: f[0])
        event, digest, row = failed[0]
        since = max((g for g in good if g < event), default=0)
        pos = chain.pos_by_id.get(event)
        now = chain.hashes[pos][:16] + "…" if pos is not None else _("no event")
        names = ", ".join(rec.ref(r) for _e, _d, r in failed[:5]) + (
            ", …" if len(failed) > 5 else "")
        out.append(Problem(Kind.REWRITTEN, _("events #{a} to #{b}").format(a=since + 1, b=event),
                           _("The audit trail was rewritten after decisions were signed: "
                             "{record} was signed when event #{event} had hash {signed}, but "
                             "event #{event} now has {now}. Every hash from the change onward "
                             "was recomputed to hide it; the change lies between event #{a} "
                             "and event #{event}. Records signed over the old trail: {names}.")
                           .format(record=rec.name(row), event=event, signed=digest[:16] + "…",
                                   now=now, a=since + 1, names=names),
                           (since + 1, event), row.id))
    return out


# --- the use cases ------------------------------------------------------------------------

def _event_rows(session: Session) -> Iterator[Any]:
    """Events in id order with times and JSON as stored (hashing re-reads them exactly),
    streamed in chunks.

    Read through the driver's cursor, on the session's connection and transaction: building
    a SQLAlchemy row per event would cost more than hashing it."""
    t = ChangeEvent
    stmt = select(t.id, type_coerce(t.at, String), t.actor_id, t.action, t.entity,
                  t.entity_id, type_coerce(t.before, Text), type_coerce(t.after, Text),
                  t.prev_hash, t.hash).order_by(t.id)
    connection = session.connection()
    compiled = stmt.compile(dialect=connection.dialect)
    if compiled.params:  # pragma: no cover - the statement has no parameters
        yield from session.execute(stmt)
        return
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled))
        while chunk := cursor.fetchmany(_STEP):
            yield from chunk
    finally:
        cursor.close()


def verify_integrity(uow: UnitOfWork, actor: Actor, progress: Progress | None = None,
                     cancelled: Cancelled | None = None) -> IntegrityReport:
    """Check the whole audit trail and every decision record; read-only."""
    require(actor, Permission.VERIFY)
    started = time.perf_counter()
    session = uow.session
    event_count = session.scalar(select(func.count()).select_from(ChangeEvent)) or 0
    record_count = session.scalar(select(func.count()).select_from(DecisionRow)) or 0
    total = event_count + record_count
    names = {uid: name for uid, name in session.execute(select(User.id, User.username))}
    chain = check_chain(_event_rows(session), names, progress, cancelled, total)
    if chain.cancelled or (cancelled is not None and cancelled()):
        return IntegrityReport(tuple(chain.problems), len(chain.ids), 0,
                               time.perf_counter() - started, cancelled=True)
    problems = list(chain.problems)
    found, checked = _check_records(session, chain)
    problems.extend(found)
    from app.document_integrity import check_documents  # it builds on this module's Problem

    problems.extend(check_documents(session, chain.document_files, cancelled))
    if progress is not None:
        progress(total, total)
    return IntegrityReport(tuple(problems), len(chain.ids), checked,
                           time.perf_counter() - started)


def _key_fingerprints(session: Session) -> dict[str, int]:
    """Certificates the audit trail saw issued or imported, by fingerprint: only those are
    trusted, so a certificate slipped into the table behind the app's back is not."""
    fingerprints: dict[str, int] = {}
    for eid, after in session.execute(select(ChangeEvent.id, ChangeEvent.after)
                                      .where(ChangeEvent.action.like("keys.%"))):
        if isinstance(after, dict) and isinstance(after.get("fingerprint_sha256"), str):
            fingerprints.setdefault(after["fingerprint_sha256"], eid)
    return fingerprints


def record_status(session: Session, record_id: int) -> RecordStatus:
    """One record's own checks (hash, signature, certificate, columns), for the viewer."""
    rows = [r for r in session.execute(select(DecisionRow.__table__)
                                       .where(DecisionRow.id == record_id))]
    if not rows:
        raise NotFoundError(_("There is no decision record {id}.").format(id=record_id))
    return _Records(session, _key_fingerprints(session)).check_row(rows[0])[2]


def check_case_records(uow: UnitOfWork, actor: Actor, text: str) -> list[RecordStatus]:
    """The records of a case ('GR-2026-00001') or one record ('GR-2026-00001/2'), each with
    what its own checks say (hash, signature, certificate, columns): ``decision show``."""
    require(actor, Permission.VIEW_CASES)
    case_id, seq = parse_record_ref(uow, text)
    session = uow.session
    rec = _Records(session, _key_fingerprints(session))
    rows = _record_rows(session, case_id)
    if not rows:
        raise NotFoundError(_("{ref} has no decision yet.").format(ref=text.strip()))
    if seq is not None:
        rows = [r for r in rows if r.sequence == seq]
        if not rows:
            raise NotFoundError(_("{ref} has no record {n}.").format(
                ref=text.split("/")[0].strip(), n=seq))
    return [rec.check_row(r)[2] for r in rows]
