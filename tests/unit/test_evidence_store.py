"""Storing evidence: immutable versions by hash, validation of every field, duplicates by
content and by original file, all-or-nothing batches (bad item, cancel), progress, originals
kept unaltered, change events, and the SQLite bulk path writing what the ORM path writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from app import evidence
from app.database import Database, open_database
from app.errors import ConcurrentEditError, NotFoundError, PermissionDeniedError, ValidationError
from app.evidence import (
    Attachment,
    Cancelled,
    EvidenceData,
    NewEvidence,
    add_evidence,
    attachment_bytes,
    citation_for,
    content_hash,
    edit_evidence,
    get_evidence,
    get_version,
    history,
    store_batch,
)
from app.uow import UnitOfWork
from app.users import Actor
from app.vocab import Role
from db.models import ChangeEvent, EvidenceItem, EvidenceVersion

UowFactory = Callable[[], UnitOfWork]
TABLES = ("evidence_items", "evidence_versions", "evidence_tags", "blobs")


def data(title: str = "Police fire on protesters in Nairobi", **kw: Any) -> EvidenceData:
    base: dict[str, Any] = {"title": title, "source_kind": "ngo", "reliability": "B",
                            "credibility": "2"}
    base.update(kw)
    return EvidenceData(**base)


def full(n: int = 0) -> EvidenceData:
    """Every field filled, non-ASCII throughout."""
    return data(
        f"Rapport n° {n}: exécutions sommaires à Bogotá", publisher="Comité contre la torture",
        document_ref=f"CAT/C/COL/{n}", url=f"https://example.org/rapport/{n}",
        published_on=date(2024, 3, 1), events_from=date(2023, 1, 5),
        events_to=date(2023, 2, 28), countries=["CO", "VE"], places="Bogotá; Cúcuta",
        actors=["Policía Nacional", "Escuadrón Móvil Antidisturbios"],
        violations=["unlawful_killing", "torture"], item_categories=["ML1", "ML3"],
        summary="Témoignages de 14 familles.", full_text="Texte intégral… 日本語 « cité ».")


def store(uow: UowFactory, actor: Actor, *items: NewEvidence | EvidenceData,
          **kw: Any) -> evidence.StoreResult:
    batch = [i if isinstance(i, NewEvidence) else NewEvidence(i) for i in items]
    with uow() as u:
        return store_batch(u, actor, batch, **kw)


def counts(database: Database) -> dict[str, int]:
    """Rows in every evidence table, the change events, and the documents in the full-text
    index (its docsize table: one row per indexed item)."""
    with database.engine.connect() as conn:
        out = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
               for t in (*TABLES, "change_events", "evidence_fts_docsize")}
    return out


def fts_ok(database: Database) -> None:
    """FTS5's own check that the index matches the text it was built from."""
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO evidence_fts (evidence_fts, rank) VALUES ('integrity-check', 1)")


# --- versions --------------------------------------------------------------------------

def test_add_then_edits_make_versions_and_old_ones_stay_citable(uow: UowFactory,
                                                                 officer: Actor) -> None:
    with uow() as u:
        item_id = add_evidence(u, officer, full(1))
        first = get_evidence(u, item_id)
    assert (first.version_no, first.row_version, first.added_by) == (1, 1, "olga")
    hashes = [first.content_sha256]
    for n, summary in enumerate(["Second reading.", "Third reading, corrected."], start=2):
        with uow() as u:
            current = get_evidence(u, item_id)
            record = edit_evidence(u, officer, item_id, data(
                current.data.title, summary=summary, countries=["CO"]),
                expected_version=current.row_version)
        assert record.version_no == n and record.data.summary == summary
        hashes.append(record.content_sha256)
    assert len(set(hashes)) == 3
    with uow() as u:
        versions = history(u, item_id)
        assert [v.version_no for v in versions] == [1, 2, 3]
        assert [v.content_sha256 for v in versions] == hashes
        assert get_evidence(u, item_id).data.summary == "Third reading, corrected."
        assert get_evidence(u, item_id).row_version == 3
        old = get_version(u, hashes[0])
        assert old.id == item_id and old.version_no == 1
        assert old.data == evidence.normalise(full(1))  # exactly what was seen then
        assert get_version(u, hashes[1]).data.summary == "Second reading."
        cited = citation_for(u, item_id)
        assert cited.content_sha256 == hashes[2] and cited.grade == "B2"
        with pytest.raises(NotFoundError):
            get_version(u, "0" * 64)


def test_edit_with_the_same_content_makes_no_version(uow: UowFactory, officer: Actor,
                                                     database: Database) -> None:
    with uow() as u:
        item_id = add_evidence(u, officer, full(2))
    before = counts(database)
    with uow() as u:
        # the same content, typed with extra spaces and lower-case codes: normalised equal
        same = full(2)
        same.title = "  " + same.title.replace(" ", "  ") + " "
        same.countries = ["co", "ve", "CO"]
        record = edit_evidence(u, officer, item_id, same, expected_version=1)
    assert record.version_no == 1 and record.row_version == 1
    assert counts(database) == before


def test_stale_expected_version_is_refused(uow: UowFactory, officer: Actor,
                                           supervisor: Actor) -> None:
    with uow() as u:
        item_id = add_evidence(u, officer, full(3))
    with uow() as u:
        edit_evidence(u, supervisor, item_id, data("Corrected by the supervisor"),
                      expected_version=1)
    with uow() as u, pytest.raises(ConcurrentEditError):
        edit_evidence(u, officer, item_id, data("Olga's correction"), expected_version=1)
    with uow() as u:
        assert get_evidence(u, item_id).data.title == "Corrected by the supervisor"
        with pytest.raises(NotFoundError):
            edit_evidence(u, officer, 999, data("Nothing"), expected_version=1)


def test_administrator_may_not_add_or_edit_evidence(uow: UowFactory, database: Database,
                                                    officer: Actor, admin: Actor) -> None:
    """Separation of duties: evidence is the officers' and supervisors' work."""
    with uow() as u:
        item_id = add_evidence(u, officer, full(4))
    before = counts(database)
    attempts: list[Callable[[UnitOfWork], object]] = [
        lambda u: add_evidence(u, admin, full(5)),
        lambda u: edit_evidence(u, admin, item_id, data("Corrected by the administrator"),
                                expected_version=1),
        lambda u: store_batch(u, admin, [NewEvidence(full(6))]),
    ]
    for attempt in attempts:
        with uow() as u, pytest.raises(PermissionDeniedError) as info:
            attempt(u)
        assert "admin (administrator) may not add and import evidence" in str(info.value)
        assert "needs the role of licensing officer or supervisor" in str(info.value)
    assert counts(database) == before
    with uow() as u:
        assert get_evidence(u, item_id).data.title == full(4).title


# --- validation ------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "field"), [
    ({"title": "   "}, "title"),
    ({"title": "x" * 1001}, "title"),
    ({"source_kind": "blog"}, "source_kind"),
    ({"reliability": "G"}, "reliability"),
    ({"reliability": ""}, "reliability"),
    ({"credibility": "7"}, "credibility"),
    ({"credibility": "B"}, "credibility"),
    ({"countries": ["CO", "XX"]}, "countries[1]"),
    ({"violations": ["torture", "littering"]}, "violations[1]"),
    ({"item_categories": ["ML23"]}, "item_categories[0]"),
    ({"item_categories": ["ml1", "WA-1"]}, "item_categories[1]"),
    ({"events_from": date(2024, 2, 1), "events_to": date(2024, 1, 31)}, "events_to"),
    ({"url": "www.example.org"}, "url"),
    ({"url": "ftp://example.org/x"}, "url"),
])
def test_every_field_is_validated(uow: UowFactory, officer: Actor, database: Database,
                                  change: dict[str, Any], field: str) -> None:
    bad = data(**change)
    with pytest.raises(ValidationError) as caught:
        store(uow, officer, NewEvidence(data("Fine")), NewEvidence(bad, origin="file.csv row 3"))
    assert [p.field for p in caught.value.problems] == [f"file.csv row 3: {field}"]
    assert caught.value.problems[0].message
    assert "Nothing was stored" in str(caught.value)
    assert counts(database)["evidence_items"] == 0
    with uow() as u:  # the form and the edit check the same rules
        item_id = add_evidence(u, officer, data("Valid first"))
    with uow() as u, pytest.raises(ValidationError) as caught:
        edit_evidence(u, officer, item_id, bad, expected_version=1)
    assert [p.field for p in caught.value.problems] == [field]


def test_problems_name_the_item_and_are_capped(uow: UowFactory, officer: Actor) -> None:
    items = [data(f"Item {n}", reliability="Z") for n in range(60)]
    with pytest.raises(ValidationError) as caught:
        store(uow, officer, *items)
    problems = caught.value.problems
    assert problems[0].field == "item 1: reliability"
    assert len(problems) == 51 and "10 more problems" in problems[-1].message


# --- duplicates ------------------------------------------------------------------------

def test_duplicates_within_a_batch_and_across_batches(uow: UowFactory, officer: Actor,
                                                      database: Database) -> None:
    result = store(uow, officer, NewEvidence(full(4), origin="a.json item 1"),
                   NewEvidence(data("Other"), origin="a.json item 2"),
                   NewEvidence(full(4), origin="a.json item 3"))
    assert len(result.added) == 2
    assert result.duplicates == [("a.json item 3", -1)]  # a repeat of an item in the batch
    spaced = full(4)
    spaced.summary = "  " + spaced.summary + "\n"
    again = store(uow, officer, NewEvidence(spaced, origin="b.json item 1"),
                  NewEvidence(data("Other"), origin="b.json item 2"),
                  NewEvidence(data("New"), origin="b.json item 3"))
    assert again.duplicates == [("b.json item 1", result.added[0]),
                                ("b.json item 2", result.added[1])]
    assert len(again.added) == 1
    assert counts(database)["evidence_items"] == 3
    with uow() as u:  # adding the same content again returns the stored item
        assert add_evidence(u, officer, full(4)) == result.added[0]


def test_the_same_original_file_is_a_duplicate_whatever_the_text(
        uow: UowFactory, officer: Actor, database: Database) -> None:
    pdf = Attachment("report.pdf", "application/pdf", b"%PDF-1.4 the original bytes")
    copy = Attachment("renamed copy.pdf", "application/pdf", pdf.data)
    first = store(uow, officer, NewEvidence(data("As first read"), pdf, "report.pdf"),
                  NewEvidence(data("Read again, other title"), copy, "copy.pdf"))
    assert len(first.added) == 1 and first.duplicates == [("copy.pdf", -1)]
    later = store(uow, officer, NewEvidence(data("Third reading"), copy, "later.pdf"))
    assert later.duplicates == [("later.pdf", first.added[0])] and not later.added
    assert counts(database)["blobs"] == 1


# --- all or nothing --------------------------------------------------------------------

def test_one_bad_item_in_a_thousand_stores_nothing(uow: UowFactory, officer: Actor,
                                                   database: Database) -> None:
    store(uow, officer, data("Already there"))
    before = counts(database)
    items = [NewEvidence(full(n), Attachment(f"{n}.txt", "text/plain", f"text {n}".encode()),
                         f"big.json item {n + 1}") for n in range(1000)]
    items[737].data.countries = ["CO", "ZZ"]
    with pytest.raises(ValidationError) as caught:
        store(uow, officer, *items, batch_size=100)
    assert [p.field for p in caught.value.problems] == ["big.json item 738: countries[1]"]
    assert counts(database) == before


def test_cancelling_mid_import_stores_nothing(uow: UowFactory, officer: Actor,
                                              database: Database) -> None:
    before = counts(database)
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)

    items = [NewEvidence(full(n), Attachment(f"{n}.txt", "text/plain", f"t{n}".encode()))
             for n in range(1000)]
    with pytest.raises(Cancelled):
        store(uow, officer, *items, batch_size=100, progress=progress,
              cancelled=lambda: len(seen) >= 3)  # after three chunks were written
    assert seen == [100, 200, 300]
    assert counts(database) == before
    # and the same import, not cancelled, then goes through whole
    result = store(uow, officer, *items, batch_size=100)
    assert len(result.added) == 1000


def test_cancelling_while_checking_stores_nothing(uow: UowFactory, officer: Actor,
                                                  database: Database) -> None:
    with pytest.raises(Cancelled):
        store(uow, officer, *[data(f"Item {n}") for n in range(600)], cancelled=lambda: True)
    assert counts(database)["evidence_items"] == 0


def test_progress_counts_up_to_the_total(uow: UowFactory, officer: Actor) -> None:
    calls: list[tuple[int, int]] = []
    items = [data(f"Item {n}") for n in range(250)] + [data("Item 3")]  # one duplicate
    result = store(uow, officer, *items, batch_size=60,
                   progress=lambda done, total: calls.append((done, total)))
    assert calls == [(60, 251), (120, 251), (180, 251), (240, 251), (251, 251)]
    assert len(result.added) == 250 and len(result.duplicates) == 1


def test_a_batch_in_many_chunks_links_each_item_to_its_version(
        uow: UowFactory, officer: Actor, database: Database) -> None:
    store(uow, officer, data("Before"))
    items = [full(n) for n in range(130)]
    result = store(uow, officer, data("Before"), *items, batch_size=7)
    assert len(result.added) == 130
    assert result.added == list(range(result.added[0], result.added[0] + 130))
    with uow() as u:
        for item_id, expected in zip(result.added, items, strict=True):
            assert get_evidence(u, item_id).data == evidence.normalise(expected)
        rows = u.session.execute(select(EvidenceItem.id, EvidenceVersion.item_id).join(
            EvidenceVersion, EvidenceVersion.id == EvidenceItem.current_version_id)).all()
    assert all(a == b for a, b in rows) and len(rows) == 131
    fts_ok(database)


# --- originals -------------------------------------------------------------------------

def test_originals_are_stored_once_and_tampering_is_detected(
        uow: UowFactory, officer: Actor, database: Database) -> None:
    raw = "Rapport intégral — original".encode()
    att = Attachment("rapport.txt", "text/plain", raw)
    with uow() as u:
        item_id = add_evidence(u, officer, data("With its original"), att)
    with uow() as u:
        record = get_evidence(u, item_id)
        assert record.attachment is not None
        assert (record.attachment.sha256, record.attachment.name, record.attachment.size) == (
            hashlib.sha256(raw).hexdigest(), "rapport.txt", len(raw))
        assert attachment_bytes(u, att.sha256) == raw
        # an edit keeps the original (a new version of the text, the same file)
        edited = edit_evidence(u, officer, item_id, data("With its original, retitled"),
                               expected_version=1)
        assert edited.attachment == record.attachment
    assert counts(database)["blobs"] == 1
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE blobs SET data = :d WHERE sha256 = :s"),
                     {"d": raw + b" (altered)", "s": att.sha256})
    with uow() as u, pytest.raises(ValidationError, match="altered outside Golden Rule"):
        attachment_bytes(u, att.sha256)
    with uow() as u, pytest.raises(NotFoundError):
        attachment_bytes(u, "f" * 64)


# --- change events ---------------------------------------------------------------------

def test_change_events_record_adds_imports_and_edits(uow: UowFactory, officer: Actor) -> None:
    with uow() as u:
        one = add_evidence(u, officer, data("Single"))
    batch = store(uow, officer, NewEvidence(data("A")), NewEvidence(data("Single")),
                  NewEvidence(data("B")), source="reports.json")
    with uow() as u:
        first = get_evidence(u, one)
        edited = edit_evidence(u, officer, one, data("Single, corrected"), expected_version=1)
        events = u.session.execute(select(
            ChangeEvent.action, ChangeEvent.actor_id, ChangeEvent.entity_id, ChangeEvent.before,
            ChangeEvent.after).where(ChangeEvent.entity == "evidence")
            .order_by(ChangeEvent.id)).all()
    assert [e.action for e in events] == ["evidence.add", "evidence.import", "evidence.edit"]
    assert all(e.actor_id == officer.id for e in events)
    assert events[0].after == {"added": [one], "duplicates": [], "source": "form"}
    assert events[1].after == {"added": batch.added, "duplicates": [one],
                               "source": "reports.json"}
    assert events[2].entity_id == str(one)
    assert events[2].before == {"version": 1, "sha256": first.content_sha256}
    assert events[2].after["version"] == 2
    assert events[2].after["sha256"] == edited.content_sha256
    assert events[2].after["content"]["title"] == "Single, corrected"


# --- the SQLite bulk path --------------------------------------------------------------

def _stored_rows(db: Database) -> list[dict[str, Any]]:
    skip = {"id", "item_id", "created_at", "current_version_id"}
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT v.*, i.is_demo, i.row_version, i.created_by_id AS item_by, "
            "typeof(v.published_on) AS t1, typeof(v.countries) AS t2 "
            "FROM evidence_versions v JOIN evidence_items i ON i.current_version_id = v.id "
            "ORDER BY v.id")).mappings().all()
        tags = conn.execute(text("SELECT item_id, kind, value FROM evidence_tags "
                                 "ORDER BY id")).all()
    first = rows[0]["item_id"]
    return [{k: v for k, v in r.items() if k not in skip} for r in rows] + \
        [{"tag": (t.item_id - first, t.kind, t.value)} for t in tags]


def test_bulk_path_stores_what_the_orm_path_stores(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    items = [NewEvidence(full(n), Attachment(f"{n}.txt", "text/plain", b"x%d" % n)
                         if n % 2 else None) for n in range(5)]
    items.append(NewEvidence(data('Quotes " and \\ backslash', actors=['Unit "Alpha"'],
                                  published_on=date(5, 1, 1))))
    stored = []
    for raw in (True, False):
        db = open_database(tmp_path / f"{raw}.sqlite3")
        monkeypatch.setattr(evidence._ChunkWriter, "__init__", _writer_init(raw))
        try:
            with UnitOfWork(db.session_factory) as u:
                from app import users

                admin = users.create_first_administrator(u, "admin", "Ada", "pw-123456789")
                actor = users.create_user(u, admin, "olga", "Olga", Role.OFFICER,
                                          "pw-123456789")
                store_batch(u, actor, items, is_demo=True)
            stored.append(_stored_rows(db))
            with UnitOfWork(db.session_factory) as u:
                assert get_evidence(u, 1).data == evidence.normalise(items[0].data)
        finally:
            db.dispose()
    assert stored[0] == stored[1]
    assert stored[0][0]["t1"] == "text" and stored[0][0]["t2"] == "text"
    assert stored[0][5]["published_on"] == "0005-01-01"
    assert stored[0][5]["actors"] == json.dumps(['Unit "Alpha"'])


def _writer_init(raw: bool) -> Callable[..., None]:
    original = evidence._ChunkWriter.__init__

    def init(self: evidence._ChunkWriter, *args: Any) -> None:
        original(self, *args)
        self.raw = raw

    return init


@given(st.lists(st.text(max_size=12), max_size=4))
def test_json_lists_are_written_as_sqlalchemy_writes_them(values: list[str]) -> None:
    assert evidence._json_list(values) == json.dumps(values)


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(title=_TEXT, summary=_TEXT, actors=st.lists(_TEXT, max_size=3),
       day=st.none() | st.dates(), attachment=st.none() | st.text("0123456789abcdef",
                                                                    min_size=64, max_size=64))
def test_the_content_hash_is_the_canonical_json(title: str, summary: str, actors: list[str],
                                                day: date | None,
                                                attachment: str | None) -> None:
    d = data(title, summary=summary, actors=actors, published_on=day)
    doc = {**d.content(), "attachment_sha256": attachment}
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert content_hash(d, attachment) == hashlib.sha256(canonical.encode()).hexdigest()
