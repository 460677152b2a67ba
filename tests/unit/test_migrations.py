"""Opening the store: migrations, backups, refusing newer or foreign files, models vs schema."""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from app import cases, users
from app.database import Database, open_database
from app.errors import DatabaseError, DatabaseTooNewError, PermissionDeniedError
from app.uow import UnitOfWork
from app.users import Actor
from db import migrate
from db.engine import make_engine, sqlite_file, to_url
from db.models import Base, Case, ChangeEvent, GoodsLine, Party, User


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- (a) a fresh database --------------------------------------------------------------------


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Database]:
    """A database created here and now (the shared ``database`` fixture is a copy of one
    created once per session)."""
    db = open_database(tmp_path / "gr.sqlite3")
    try:
        yield db
    finally:
        db.dispose()


def test_fresh_database_is_at_head(fresh: Database, tmp_path: Path) -> None:
    database = fresh
    assert database.migration.before is None
    assert database.migration.after == migrate.head_revision()
    assert database.migration.backup is None  # nothing to back up in a new file
    assert migrate.current_revision(database.engine) == migrate.head_revision()
    assert database.path == tmp_path / "gr.sqlite3"
    assert database.display_name == str(tmp_path / "gr.sqlite3")
    tables = set(inspect(database.engine).get_table_names())
    assert {"users", "cases", "parties", "goods_lines", "reference_counters", "change_events",
            "drafts", "alembic_version"} <= tables
    assert not [p for p in _files(tmp_path) if ".backup-" in p]


def test_head_is_the_last_known_revision() -> None:
    head = migrate.head_revision()
    assert head in migrate.known_revisions()
    assert {"0001", "0002"} <= migrate.known_revisions()


def test_sqlite_pragmas(database: Database) -> None:
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 8192  # new file


def test_foreign_keys_are_enforced(database: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with database.engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(text(
            "INSERT INTO parties (case_id, position, role, name, address, country, kind) "
            "VALUES (12345, 0, 'end_user', 'Nobody', '', 'FR', 'other')"))


def test_reopening_at_head_changes_nothing(database: Database, admin: Actor,
                                           tmp_path: Path) -> None:
    database.dispose()
    again = open_database(tmp_path / "gr.sqlite3")
    try:
        assert again.migration.before == again.migration.after == migrate.head_revision()
        assert again.migration.backup is None
        with UnitOfWork(again.session_factory) as u:
            assert users.authenticate(u, "admin", "admin-password-1") == admin
    finally:
        again.dispose()


def test_nested_folder_is_created(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a" / "b" / "ünïcode.sqlite3")
    try:
        assert (tmp_path / "a" / "b" / "ünïcode.sqlite3").is_file()
    finally:
        db.dispose()


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="folder"):
        open_database(tmp_path)


def test_engine_urls(tmp_path: Path) -> None:
    assert to_url("sqlite:///x.db") == "sqlite:///x.db"
    assert to_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert sqlite_file(f"sqlite:///{tmp_path / 'x.db'}") == tmp_path / "x.db"
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql://u:p@host/db") is None


def test_url_database(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'via-url.sqlite3'}")
    try:
        assert db.path == tmp_path / "via-url.sqlite3"
        assert db.migration.after == migrate.head_revision()
    finally:
        db.dispose()


def test_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    with pytest.raises(DatabaseError, match="Cannot create the folder"):
        open_database(tmp_path / "plain" / "gr.sqlite3")


@pytest.mark.parametrize("url", ["nosuchdialect://host/db",
                                 "postgresql+psycopg://bob:s3cret@127.0.0.1:1/golden"])
def test_unusable_url_is_a_database_error(url: str) -> None:
    with pytest.raises(DatabaseError) as info:
        open_database(url)
    assert "s3cret" not in str(info.value)  # the password is never shown
    assert "golden" in str(info.value) or "nosuchdialect" in str(info.value)


def test_malformed_url() -> None:
    with pytest.raises(DatabaseError, match="neither a file nor a database URL"):
        open_database("://nothing")


# -- (b) upgrading keeps the data ------------------------------------------------------------

NOW = "2026-01-15 09:30:00.000000"
USERS = [
    (1, "admin", "Ada Lovelace-Ødegård", "administrator", "$argon2id$fake", 1, NOW, None, NOW,
     None),
    (2, "zoë", "Zoë Żółkiewska", "officer", "$argon2id$fake2", 0, NOW, 1, NOW, 1),
]
CASES = [
    (1, "GR-2026-00001", "received", "SIEL", "Réf-001", "Société Générale d'Armement",
     "12 rue de l'Arsenal\nParis", "FR", "RCS 552", "CI", "Maintien de l'ordre — unités",
     "EUC/001", "2025-12-01", "Ministère de la Défense", "2026-01-05", "2026-02-02",
     "Notes : 日本語 ✓", 0, NOW, 1, NOW, 2, 3),
]
PARTIES = [
    (1, 1, 0, "end_user", "Gendarmerie nationale de Côte d'Ivoire", "Abidjan", "CI",
     "police_security"),
    (2, 1, 1, "broker", "Müller & Søn", "Hamburg", "DE", "commercial"),
]
GOODS = [
    (1, 1, 0, "Fusils d'assaut 5,56 mm", "ML1.a", "VIII", "250", "pcs", "412500.00", "EUR"),
    (2, 1, 1, "Munitions × 100 000", "ML3.a", "AMMO", "100000", "rounds", "38000.505", "EUR"),
]


def _insert_0001_rows(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO users (id, username, full_name, role, password_hash, active, "
            "created_at, created_by_id, updated_at, updated_by_id) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", USERS)
        conn.exec_driver_sql("INSERT INTO reference_counters (year, last_value) VALUES (2026, 1)")
        conn.exec_driver_sql(
            "INSERT INTO cases (id, reference, status, licence_type, applicant_reference, "
            "exporter_name, exporter_address, exporter_country, exporter_registration, "
            "destination, end_use, euc_number, euc_date, euc_issuer, received_date, deadline, "
            "notes, is_demo, created_at, created_by_id, updated_at, updated_by_id, row_version) "
            "VALUES (" + ", ".join("?" * 23) + ")", CASES)
        conn.exec_driver_sql(
            "INSERT INTO parties (id, case_id, position, role, name, address, country, kind) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", PARTIES)
        conn.exec_driver_sql(
            "INSERT INTO goods_lines (id, case_id, position, description, control_entry, "
            "att_category, quantity, unit, value, currency) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", GOODS)


def _raw_rows(path: Path, table: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        columns = {
            "users": "id, username, full_name, role, password_hash, active, created_at, "
                     "created_by_id, updated_at, updated_by_id",
            "cases": "id, reference, status, licence_type, applicant_reference, exporter_name, "
                     "exporter_address, exporter_country, exporter_registration, destination, "
                     "end_use, euc_number, euc_date, euc_issuer, received_date, deadline, "
                     "notes, is_demo, created_at, created_by_id, updated_at, updated_by_id, "
                     "row_version",
            "parties": "id, case_id, position, role, name, address, country, kind",
            "goods_lines": "id, case_id, position, description, control_entry, att_category, "
                           "quantity, unit, value, currency",
        }[table]
        return conn.execute(f"SELECT {columns} FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.fixture
def db_at_0001(tmp_path: Path) -> Path:
    path = tmp_path / "office.sqlite3"
    engine = make_engine(to_url(path))
    try:
        report = migrate.upgrade(engine, target="0001")
        assert report.after == "0001"
        assert migrate.current_revision(engine) == "0001"
        assert "change_events" not in inspect(engine).get_table_names()
        _insert_0001_rows(engine)
    finally:
        engine.dispose()
    return path


def test_upgrade_keeps_every_row(db_at_0001: Path, tmp_path: Path) -> None:
    original = {t: _raw_rows(db_at_0001, t) for t in ("users", "cases", "parties", "goods_lines")}
    assert original["users"] == USERS and original["goods_lines"] == GOODS

    db = open_database(db_at_0001)
    try:
        assert db.migration.before == "0001"
        assert db.migration.after == migrate.head_revision() != "0001"
        tables = set(inspect(db.engine).get_table_names())
        assert {"change_events", "drafts"} <= tables
        with UnitOfWork(db.session_factory) as u:
            assert [(c.id, c.username, c.full_name, c.active)
                    for c in u.session.scalars(select(User).order_by(User.id))] == [
                (1, "admin", "Ada Lovelace-Ødegård", True), (2, "zoë", "Zoë Żółkiewska", False)]
            user = u.session.get(User, 2)
            assert user.created_at == datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
            record = cases.get_case(u, 1)
            assert record.reference == "GR-2026-00001" and record.row_version == 3
            assert record.created_by == "admin" and record.updated_by == "zoë"
            data = record.data
            assert data.exporter_name == "Société Générale d'Armement"
            assert data.exporter_address == "12 rue de l'Arsenal\nParis"
            assert data.notes == "Notes : 日本語 ✓"
            assert data.euc_date == date(2025, 12, 1) and data.deadline == date(2026, 2, 2)
            assert [(p.id, p.name, p.country) for p in data.parties] == [
                (1, "Gendarmerie nationale de Côte d'Ivoire", "CI"), (2, "Müller & Søn", "DE")]
            assert [(g.id, str(g.quantity), str(g.value)) for g in data.goods] == [
                (1, "250", "412500.00"), (2, "100000", "38000.505")]
            assert u.session.scalar(select(Party.name).where(Party.id == 2)) == "Müller & Søn"
            assert u.session.scalar(select(GoodsLine.description).where(GoodsLine.id == 2)) == \
                "Munitions × 100 000"
            assert u.session.scalar(select(Case.is_demo)) is False
        # The raw rows are byte-for-byte what was written before the upgrade.
        for table, rows in original.items():
            assert _raw_rows(db_at_0001, table) == rows, table
    finally:
        db.dispose()

    backups = sorted(tmp_path.glob("*.backup-0001-*"))
    assert len(backups) == 1
    assert db.migration.backup == backups[0]
    assert backups[0].name.startswith("office.backup-0001-")
    assert backups[0].suffix == ".sqlite3"
    for table, rows in original.items():
        assert _raw_rows(backups[0], table) == rows, table
    conn = sqlite3.connect(backups[0])
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "change_events" not in names
    finally:
        conn.close()


def test_upgraded_database_is_usable(db_at_0001: Path) -> None:
    db = open_database(db_at_0001)
    try:
        admin = users.Actor(1, "admin", "Ada Lovelace-Ødegård", users.Role.ADMINISTRATOR)
        with UnitOfWork(db.session_factory) as u, pytest.raises(
                PermissionDeniedError, match="licensing officer or supervisor"):
            # Separation of duties holds for accounts made before it existed, too.
            cases.change_status(u, admin, 1, cases.CaseStatus.IN_ASSESSMENT)
        with UnitOfWork(db.session_factory) as u:
            officer = users.create_user(u, admin, "olga", "Olga", users.Role.OFFICER,
                                        "officer-password-1")
        with UnitOfWork(db.session_factory) as u:
            moved = cases.change_status(u, officer, 1, cases.CaseStatus.IN_ASSESSMENT)
        assert moved.row_version == 4 and moved.updated_by == "olga"
        with UnitOfWork(db.session_factory) as u:
            assert [h[2] for h in cases.history(u, 1)] == ["case.status"]
    finally:
        db.dispose()


# -- (b2) upgrading to signed decisions: the audit chain and decision records -----------------

LATER = "2026-01-20 14:05:07.250000"
FW_SHA = "ab" * 32
# id, at, actor_id, action, entity, entity_id, before, after: non-ASCII, nulls and nesting.
EVENTS = [
    (1, NOW, 1, "user.create", "user", "2", None,
     {"username": "zoë", "full_name": "Zoë Żółkiewska", "role": "officer", "active": True}),
    (2, NOW, 2, "case.create", "case", "GR-2026-00001", None,
     {"status": "received", "notes": "Notes : 日本語 ✓", "goods": [{"value": "38000.505"}]}),
    (3, NOW, None, "case.status", "case", "GR-2026-00001", {"status": "received"},
     {"status": "in_assessment"}),
    (4, LATER, 2, "decision.record", "case", "GR-2026-00001", None,
     {"outcome": "refer", "status": "referred"}),
    (5, LATER, 2, "case.create", "case", "GR-2026-00002", None, {"status": "received"}),
    (6, LATER, 1, "decision.record", "case", "GR-2026-00002", None,
     {"outcome": "refuse", "status": "refused", "reason": "Embargo — « ne pas livrer »"}),
    (7, LATER, 1, "decision.record", "case", "GR-2026-00001", None,
     {"outcome": "approve", "status": "approved"}),
]
# id, case_id, outcome, status_before, status_after: ids interleave the two cases.
DECISIONS = [(1, 1, "refer", "in_assessment", "referred"),
             (2, 2, "refuse", "in_assessment", "refused"),
             (3, 1, "approve", "referred", "approved")]


def _insert_0005_rows(engine, decisions: list[tuple[int, int, str, str, str]]  # type: ignore[no-untyped-def]
                      ) -> None:
    """A second case, assessments, decisions and change events as 0003-0005 wrote them."""
    import json

    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO cases (id, reference, status, licence_type, applicant_reference, "
            "exporter_name, exporter_address, exporter_country, exporter_registration, "
            "destination, end_use, euc_number, euc_date, euc_issuer, received_date, deadline, "
            "notes, is_demo, created_at, created_by_id, updated_at, updated_by_id, row_version) "
            "VALUES (2, 'GR-2026-00002', 'refused', 'SIEL', '', 'Åkerlund AB', '', 'SE', '', "
            "'MM', 'Police', '', NULL, '', '2026-01-06', '2026-02-03', '', 0, ?, 2, ?, 1, 2)",
            (NOW, LATER))
        conn.exec_driver_sql(
            "INSERT INTO framework_texts (sha256, framework_id, version, title, file_name, "
            "text, stored_at) VALUES (?, 'golden-rule', '1', 'Golden Rule', 'golden-rule.yaml', "
            "'text', ?)", (FW_SHA, NOW))
        for case_id in (1, 2):
            conn.exec_driver_sql(
                "INSERT INTO assessments (id, case_id, framework_id, framework_sha256, "
                "check_reviews, current_step, created_at, created_by_id, updated_at, "
                "updated_by_id, row_version) VALUES (?, ?, 'golden-rule', ?, '{}', '', ?, 2, "
                "?, 2, 1)", (case_id, case_id, FW_SHA, NOW, NOW))
        for rid, case_id, outcome, before, after in decisions:
            conn.exec_driver_sql(
                "INSERT INTO decisions (id, case_id, assessment_id, framework_id, "
                "framework_version, framework_sha256, outcome, rationale, conditions, "
                "criteria_cited, as_of, checks, evaluation, findings, status_before, "
                "status_after, decided_at, decided_by_id) VALUES (?, ?, ?, 'golden-rule', '1', "
                "?, ?, 'Raisons données ✓', '[]', '[]', '2026-01-20', '[]', '{}', '{}', ?, ?, "
                "?, ?)", (rid, case_id, case_id, FW_SHA, outcome, before, after, LATER,
                          1 if outcome == "approve" else 2))
        conn.exec_driver_sql(
            "INSERT INTO change_events (id, at, actor_id, action, entity, entity_id, before, "
            "after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(*e[:6], None if e[6] is None else json.dumps(e[6]),
              None if e[7] is None else json.dumps(e[7])) for e in EVENTS])


@pytest.fixture(params=[
    "one-decision-per-case",
    # Regression: 0006 once failed here on DROP TABLE decisions (FOREIGN KEY constraint
    # failed), because the links were written before the table copy that adds their key.
    "referral-then-decision",
])
def decisions_0005(request: pytest.FixtureRequest) -> list[tuple[int, int, str, str, str]]:
    """The decisions stored before 0006: one per case, or a referral then the supervisor's
    decision on case 1 (two records, so the second one has a previous record)."""
    return DECISIONS[:2] if request.param == "one-decision-per-case" else DECISIONS


@pytest.fixture
def db_at_0005(db_at_0001: Path, decisions_0005: list[tuple[int, int, str, str, str]]) -> Path:
    engine = make_engine(to_url(db_at_0001))
    try:
        assert migrate.upgrade(engine, target="0005").after == "0005"
        _insert_0005_rows(engine, decisions_0005)
    finally:
        engine.dispose()
    return db_at_0001


def _sql(path: Path, query: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def test_upgrade_chains_the_existing_change_events(db_at_0005: Path) -> None:
    from app.canonical import event_hash

    columns = "id, at, actor_id, action, entity, entity_id, before, after"
    original = _sql(db_at_0005, f"SELECT {columns} FROM change_events ORDER BY id")
    assert [r[0] for r in original] == [e[0] for e in EVENTS]
    db = open_database(db_at_0005)
    try:
        assert (db.migration.before, db.migration.after) == ("0005", migrate.head_revision())
        # The events themselves are untouched; they gain their place in the chain.
        assert _sql(db_at_0005, f"SELECT {columns} FROM change_events ORDER BY id") == original
        chain = _sql(db_at_0005, "SELECT id, prev_hash, hash FROM change_events ORDER BY id")
        assert chain[0][1] == ""
        for before, row in itertools.pairwise(chain):
            assert row[1] == before[2], row[0]
        assert len({h for _, _, h in chain}) == len(chain)
        assert all(len(h) == 64 and int(h, 16) >= 0 for _, _, h in chain)
        # The hashes are the ones the application computes, so its checks accept them.
        with UnitOfWork(db.session_factory) as u:
            stored = u.session.scalars(select(ChangeEvent).order_by(ChangeEvent.id)).all()
            for event in stored:
                assert event.hash == event_hash(event.prev_hash, event.at, event.actor_id,
                                                event.action, event.entity, event.entity_id,
                                                event.before, event.after), event.id
        # A new event continues the chain from the last migrated one.
        admin = users.Actor(1, "admin", "Ada Lovelace-Ødegård", users.Role.ADMINISTRATOR)
        with UnitOfWork(db.session_factory) as u:
            users.create_user(u, admin, "olga", "Olga", users.Role.OFFICER,
                              "officer-password-1")
        newest = _sql(db_at_0005, "SELECT id, prev_hash FROM change_events ORDER BY id")[-1]
        assert newest == (len(EVENTS) + 1, chain[-1][2])
    finally:
        db.dispose()


def test_upgrade_keeps_decisions_as_pre_signing_records(
        db_at_0005: Path, decisions_0005: list[tuple[int, int, str, str, str]]) -> None:
    from app import decisions

    original = _sql(db_at_0005, "SELECT id, case_id, outcome, rationale, status_before, "
                                "status_after, decided_at FROM decisions ORDER BY id")
    db = open_database(db_at_0005)
    try:
        assert _sql(db_at_0005, "SELECT id, case_id, outcome, rationale, status_before, "
                                "status_after, decided_at FROM decisions ORDER BY id") == original
        rows = _sql(db_at_0005, "SELECT id, case_id, outcome, kind, sequence, previous_id, "
                                "origin, snapshot, snapshot_sha256, signature, "
                                "certificate_id, countersignatures_required "
                                "FROM decisions ORDER BY id")
        # Sequences count 1..n per case in id order; each record points at the one before.
        expected, last = [], {}
        for rid, case_id, outcome, _before, _after in decisions_0005:
            seq = sum(1 for d in decisions_0005 if d[1] == case_id and d[0] <= rid)
            expected.append((rid, case_id, outcome, "decision", seq, last.get(case_id),
                             "pre-signing", None, None, None, None, 0))
            last[case_id] = rid
        assert rows == expected
        with UnitOfWork(db.session_factory) as u:
            for case_id, reference in ((1, "GR-2026-00001"), (2, "GR-2026-00002")):
                records = decisions.list_decisions(u, case_id)
                mine = [d for d in decisions_0005 if d[1] == case_id]
                assert [(r.ref, r.outcome.value, r.kind, r.origin, r.signed)
                        for r in records] == [
                    (f"{reference}/{n}", d[2], decisions.RecordKind.DECISION, "pre-signing",
                     False) for n, d in enumerate(mine, 1)]
                assert all(r.rationale == "Raisons données ✓" for r in records)
                assert [r.previous_id for r in records] == [
                    None, *(r.id for r in records[:-1])]
    finally:
        db.dispose()


def _assert_append_only(path: Path) -> None:
    """SQLite itself refuses to change or delete audit events and decision records."""
    events = "SELECT * FROM change_events ORDER BY id"
    records = "SELECT * FROM decisions ORDER BY id"
    before = (_sql(path, events), _sql(path, records))
    assert before[0] and before[1]
    conn = sqlite3.connect(path)
    try:
        for statement in ("UPDATE change_events SET action = 'x'",
                          "DELETE FROM change_events",
                          "UPDATE decisions SET outcome = 'approve'",
                          "DELETE FROM decisions"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(statement)
            conn.rollback()
    finally:
        conn.close()
    assert (_sql(path, events), _sql(path, records)) == before


def test_upgraded_change_events_and_decisions_are_append_only(db_at_0005: Path) -> None:
    open_database(db_at_0005).dispose()
    _assert_append_only(db_at_0005)


def test_fresh_change_events_and_decisions_are_append_only(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    open_database(path).dispose()
    engine = make_engine(to_url(path))
    try:
        _insert_0001_rows(engine)
    finally:
        engine.dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO change_events (id, at, actor_id, action, entity, entity_id, "
                     "prev_hash, hash) VALUES (1, ?, 1, 'a', 'b', 'c', '', ?)", (NOW, "0" * 64))
        conn.execute("INSERT INTO framework_texts VALUES (?, 'golden-rule', '1', 'G', 'g.yaml', "
                     "'t', ?)", (FW_SHA, NOW))
        conn.execute("INSERT INTO assessments (id, case_id, framework_id, framework_sha256, "
                     "check_reviews, current_step, created_at, created_by_id, updated_at, "
                     "updated_by_id, row_version) VALUES (1, 1, 'golden-rule', ?, '{}', '', ?, "
                     "2, ?, 2, 1)", (FW_SHA, NOW, NOW))
        conn.execute("INSERT INTO decisions (id, case_id, assessment_id, framework_id, "
                     "framework_version, framework_sha256, outcome, rationale, conditions, "
                     "criteria_cited, as_of, checks, evaluation, findings, status_before, "
                     "status_after, decided_at, decided_by_id, sequence, kind, "
                     "countersignatures_required, origin) VALUES (1, 1, 1, 'golden-rule', '1', "
                     "?, 'refer', 'r', '[]', '[]', '2026-01-20', '[]', '{}', '{}', "
                     "'in_assessment', 'referred', ?, 2, 1, 'decision', 0, 'pre-signing')",
                     (FW_SHA, NOW))
        conn.commit()
    finally:
        conn.close()
    _assert_append_only(path)


# -- (c) a database from a newer version -----------------------------------------------------


@pytest.fixture
def future_db(tmp_path: Path) -> Path:
    path = tmp_path / "future.sqlite3"
    db = open_database(path)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        conn.execute(text("CREATE TABLE from_the_future (x TEXT)"))
    db.dispose()
    assert _files(tmp_path) == {"future.sqlite3"}  # WAL checkpointed and removed on close
    old = time.time() - 3600
    os.utime(path, (old, old))
    return path


def test_newer_database_is_refused_and_untouched(future_db: Path, tmp_path: Path) -> None:
    digest = _sha256(future_db)
    stat = future_db.stat()
    with pytest.raises(DatabaseTooNewError) as info:
        open_database(future_db)
    message = str(info.value)
    assert "newer version" in message
    assert "9999_future" in message and str(future_db) in message
    assert migrate.head_revision() in message
    assert isinstance(info.value, DatabaseError)
    assert _sha256(future_db) == digest
    assert future_db.stat().st_mtime_ns == stat.st_mtime_ns
    assert future_db.stat().st_size == stat.st_size
    assert _files(tmp_path) == {"future.sqlite3"}  # no -wal, -shm, -journal or backup


def test_newer_database_via_url_is_refused(future_db: Path, tmp_path: Path) -> None:
    digest = _sha256(future_db)
    with pytest.raises(DatabaseTooNewError):
        open_database(f"sqlite:///{future_db}")
    assert _sha256(future_db) == digest
    assert _files(tmp_path) == {"future.sqlite3"}


def test_newer_database_with_pending_wal_is_still_refused(tmp_path: Path) -> None:
    """A newer version crashed with its write still in the WAL: the revision is read there."""
    path = tmp_path / "crashed.sqlite3"
    db = open_database(path)
    db.dispose()
    writer = sqlite3.connect(path)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE alembic_version SET version_num = '9999_future'")
        writer.commit()
        assert (tmp_path / "crashed.sqlite3-wal").exists()
        with pytest.raises(DatabaseTooNewError):
            open_database(path)
    finally:
        writer.close()


# Not '?': SQLAlchemy reads it as the start of a URL query (and Windows forbids it anyway).
ODD_FOLDERS = ["dossier #1", "100% sure", "Ærø ünïcode", "a&b=c"]


@pytest.mark.parametrize("folder", ODD_FOLDERS)
def test_newer_database_refused_whatever_the_folder_name(tmp_path: Path, folder: str) -> None:
    """The version check reads the file itself, not a path cut short at a '#' or '?'."""
    path = tmp_path / folder / "gr.sqlite3"
    db = open_database(path)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.dispose()
    digest = _sha256(path)
    with pytest.raises(DatabaseTooNewError):
        open_database(path)
    assert _sha256(path) == digest
    assert _files(tmp_path / folder) == {"gr.sqlite3"}
    assert _files(tmp_path) == {folder}


@pytest.mark.parametrize("folder", ODD_FOLDERS[:2])
def test_upgrade_backs_up_whatever_the_folder_name(tmp_path: Path, folder: str) -> None:
    path = tmp_path / folder / "gr.sqlite3"
    path.parent.mkdir()
    engine = make_engine(to_url(path))
    migrate.upgrade(engine, target="0001")
    _insert_0001_rows(engine)
    engine.dispose()
    db = open_database(path)
    db.dispose()
    assert db.migration.before == "0001"
    assert db.migration.backup is not None and db.migration.backup.parent == path.parent
    assert _raw_rows(db.migration.backup, "goods_lines") == GOODS


# -- (d) not a database ----------------------------------------------------------------------


def test_random_bytes_are_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    content = bytes(range(256)) * 64
    path.write_bytes(content)
    with pytest.raises(DatabaseError) as info:
        open_database(path)
    assert not isinstance(info.value, DatabaseTooNewError)
    message = str(info.value)
    assert str(path) in message
    assert "not a Golden Rule database" in message
    assert path.read_bytes() == content
    assert _files(tmp_path) == {"notes.sqlite3"}


def test_someone_elses_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    digest = _sha256(path)
    with pytest.raises(DatabaseError) as info:
        open_database(path)
    assert "not a Golden Rule database" in str(info.value)
    assert "recipes" in str(info.value)
    assert _sha256(path) == digest


def test_empty_file_becomes_a_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    db = open_database(path)
    try:
        assert db.migration.before is None
        assert db.migration.after == migrate.head_revision()
    finally:
        db.dispose()


# -- (e) models and migrations agree ---------------------------------------------------------


def test_models_match_migrations(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True,
                        "include_name": migrate.include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_comparison_would_notice_a_difference(database: Database) -> None:
    """The check above can fail: a column the migrations lack is reported."""
    from sqlalchemy import Column, MetaData, String, Table

    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("users", metadata, Column("nickname", String(20)), extend_existing=True)
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert any(d[0] == "add_column" and d[3].name == "nickname" for d in diff), diff
