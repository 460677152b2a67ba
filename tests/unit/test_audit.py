"""``audit.verify_integrity`` against a realistic database tampered with directly through
sqlite3, as an attacker with the file would (dropping the append-only triggers first), and
the chain analysis alone (``audit.check_chain``) against random single tampers."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from app import audit, cases, decisions, keys
from app.assessment import DecisionInput, Outcome
from app.audit import IntegrityReport, Kind
from app.canonical import canonical_bytes, event_hash, plain, sha256_hex
from app.casedata import CaseData
from app.changes import record_change
from app.database import Database, open_database
from app.decisions import RecordKind
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from app.vocab import Role
from db.models import DecisionRow
from tests.conftest import CA_PASSWORD, OFFICER_PASSWORD, SUPERVISOR_PASSWORD
from tests.unit.test_assessments_service import AS_OF, FW, assessed, clean, mandatory, registry

UowFactory = Callable[[], UnitOfWork]
REFUSE = DecisionInput(Outcome.REFUSE, "Substantial risk under the IHRL criterion.", [],
                       ["ihrl"])
APPROVE = DecisionInput(Outcome.APPROVE, "No substantial risk on any criterion.", [], [])


@dataclass
class Office:
    """A database with two decided cases: A approved then suspended (A/1, A/2), B refused
    then countersigned (B/1, B/2)."""

    database: Database
    uow: UowFactory
    officer: Actor
    supervisor: Actor
    admin: Actor
    a: int
    b: int
    a_ref: str
    b_ref: str

    def verify(self, actor: Actor | None = None) -> IntegrityReport:
        with self.uow() as u:
            return audit.verify_integrity(u, actor or self.supervisor)

    def record(self, ref: str) -> decisions.DecisionRecord:
        with self.uow() as u:
            return decisions.get_record(u, ref)

    def events(self, action: str) -> list[int]:
        with self.sql() as db:
            return [r[0] for r in db.execute(
                "SELECT id FROM change_events WHERE action = ? ORDER BY id", (action,))]

    def max_event(self) -> int:
        with self.sql() as db:
            return int(db.execute("SELECT max(id) FROM change_events").fetchone()[0])

    @contextmanager
    def sql(self) -> Iterator[sqlite3.Connection]:
        """The attacker's sqlite3 shell: the triggers go first."""
        assert self.database.path is not None
        conn = sqlite3.connect(self.database.path)
        try:
            for table in ("change_events", "decisions"):
                for verb in ("update", "delete"):
                    conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
            yield conn
            conn.commit()
        finally:
            conn.close()


def _case(uow: UowFactory, officer: Actor, data: CaseData) -> tuple[int, str]:
    with uow() as u:
        record = cases.create_case(u, officer, data, status=CaseStatus.RECEIVED)
        return record.id, record.reference


@pytest.fixture
def office(database: Database, uow: UowFactory, admin: Actor, officer: Actor,
           supervisor: Actor, sample_case_data: CaseData) -> Office:
    a, a_ref = _case(uow, officer, sample_case_data)
    b, b_ref = _case(uow, officer, sample_case_data)
    assessed(uow, officer, a, clean())
    with uow() as u:
        decisions.record_decision(u, officer, a, FW, APPROVE, AS_OF, checks=registry(),
                                  password=OFFICER_PASSWORD)
    assessed(uow, officer, b, mandatory())
    with uow() as u:
        decisions.record_decision(u, officer, b, FW, REFUSE, AS_OF, checks=registry(),
                                  password=OFFICER_PASSWORD)
    with uow() as u:
        decisions.countersign(u, supervisor, b, "Agreed: the IHRL evidence is recent.",
                              password=SUPERVISOR_PASSWORD)
    with uow() as u:
        decisions.reassess(u, officer, a, RecordKind.SUSPENSION,
                           "New reports of misuse by the end user.", password=OFFICER_PASSWORD)
    return Office(database, uow, officer, supervisor, admin, a, b, a_ref, b_ref)


def only(report: IntegrityReport) -> audit.Problem:
    assert len(report.failures) == 1, [p.message for p in report.failures]
    assert not report.ok
    return report.failures[0]


def at_of(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def rehash_from(db: sqlite3.Connection, first: int) -> None:
    """Recompute every hash from event ``first`` on, as an attacker who knows the algorithm."""
    prev = db.execute("SELECT hash FROM change_events WHERE id = ?", (first - 1,)).fetchone()
    prev_hash = prev[0] if prev else ""
    rows = db.execute("SELECT id, at, actor_id, action, entity, entity_id, before, after "
                      "FROM change_events WHERE id >= ? ORDER BY id", (first,)).fetchall()
    for eid, at, actor, action, entity, entity_id, before, after in rows:
        digest = event_hash(prev_hash, at_of(at), actor, action, entity, entity_id,
                            json.loads(before), json.loads(after))
        db.execute("UPDATE change_events SET prev_hash = ?, hash = ? WHERE id = ?",
                   (prev_hash, digest, eid))
        prev_hash = digest


def shift_ids(db: sqlite3.Connection, first: int, by: int = 1) -> None:
    db.execute("UPDATE change_events SET id = id + 1000000 WHERE id >= ?", (first,))
    db.execute("UPDATE change_events SET id = id - 1000000 + ? WHERE id >= 1000000", (by,))


# --- intact ---------------------------------------------------------------------------------

def test_an_untouched_database_verifies(office: Office) -> None:
    report = office.verify()
    assert report.ok, [p.message for p in report.problems]
    assert report.problems == ()
    assert report.events_checked == office.max_event()
    assert report.records_checked == 4
    assert report.seconds >= 0 and not report.cancelled
    doc = report.to_json()
    assert doc["ok"] is True and doc["problems"] == [] and doc["records_checked"] == 4


def test_every_role_may_verify(office: Office) -> None:
    for actor in (office.officer, office.supervisor, office.admin):
        assert office.verify(actor).ok


def test_the_triggers_refuse_update_and_delete(office: Office) -> None:
    assert office.database.path is not None
    conn = sqlite3.connect(office.database.path)
    try:
        for statement in ("UPDATE change_events SET action = 'x' WHERE id = 2",
                          "DELETE FROM change_events WHERE id = 2",
                          "UPDATE decisions SET outcome = 'approve'",
                          "DELETE FROM decisions"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(statement)
    finally:
        conn.close()
    assert office.verify().ok


def test_progress_and_cancel(office: Office) -> None:
    seen: list[tuple[int, int]] = []
    with office.uow() as u:
        report = audit.verify_integrity(u, office.officer, progress=lambda d, t: seen.append(
            (d, t)))
    assert report.ok and seen and seen[-1][0] == seen[-1][1] == report.events_checked + 4
    with office.uow() as u:
        stopped = audit.verify_integrity(u, office.officer, cancelled=lambda: True)
    assert stopped.cancelled and not stopped.ok


def test_a_rotated_key_still_verifies_old_records(office: Office) -> None:
    with office.uow() as u:
        keys.issue_user_key(u, office.admin, "olga", OFFICER_PASSWORD, CA_PASSWORD)
    assert office.verify().ok


# --- the event chain ------------------------------------------------------------------------

def test_an_edited_event_is_named(office: Office) -> None:
    target = office.events("case.status")[2]
    with office.sql() as db:
        after = json.loads(db.execute("SELECT after FROM change_events WHERE id = ?",
                                      (target,)).fetchone()[0])
        after["status"] = "approved"
        db.execute("UPDATE change_events SET after = ? WHERE id = ?",
                   (json.dumps(after), target))
    problem = only(office.verify())
    assert problem.kind is Kind.EDITED and problem.target == f"event #{target}"
    assert problem.events == (target,)
    assert problem.message.startswith(f"Event #{target} (case.status on GR-")
    assert " by olga, " in problem.message and " UTC)" in problem.message
    assert problem.message.endswith("was edited after it was written: its content no longer "
                                    "matches its hash.")


def test_an_edited_link_is_named_as_such(office: Office) -> None:
    target = office.events("case.status")[1]
    with office.sql() as db:
        db.execute("UPDATE change_events SET prev_hash = (SELECT hash FROM change_events "
                   "WHERE id = ?) WHERE id = ?", (target - 2, target))
    problem = only(office.verify())
    assert problem.kind is Kind.EDITED and problem.events == (target,)
    assert "its link to the previous event (prev_hash) was changed" in problem.message


def test_a_deleted_event_is_named(office: Office) -> None:
    target = office.events("case.status")[1]
    with office.sql() as db:
        db.execute("DELETE FROM change_events WHERE id = ?", (target,))
    problem = only(office.verify())
    assert problem.kind is Kind.DELETED and problem.events == (target,)
    assert problem.message == (f"1 event between #{target - 1} and #{target + 1} was deleted "
                               f"(id {target} missing).")


def test_deleted_events_renumbered_are_found(office: Office) -> None:
    target = office.events("case.status")[1]
    with office.sql() as db:
        db.execute("DELETE FROM change_events WHERE id BETWEEN ? AND ?", (target, target + 1))
        shift_ids(db, target + 2, -2)
    problem = only(office.verify())
    assert problem.kind is Kind.DELETED and problem.events == (target - 1, target)
    assert "is chained to an event that is no longer in the trail" in problem.message
    assert "deleted and the later events renumbered" in problem.message


def test_a_forged_event_at_the_end_is_named(office: Office) -> None:
    last = office.max_event()
    with office.sql() as db:
        head = db.execute("SELECT hash FROM change_events WHERE id = ?", (last,)).fetchone()[0]
        after = {"status": "approved", "reason": "Approved by the minister", "by_decision": True}
        forged = hashlib.sha256(json.dumps(after).encode()).hexdigest()  # not the real formula
        db.execute("INSERT INTO change_events (id, at, actor_id, action, entity, entity_id, "
                   "before, after, prev_hash, hash) VALUES (?, ?, 2, 'case.status', 'case', "
                   "?, ?, ?, ?, ?)", (last + 1, "2026-12-02 10:14:00.000000", office.b_ref,
                                      json.dumps({"status": "refused"}), json.dumps(after),
                                      head, forged))
    problem = only(office.verify())
    assert problem.kind is Kind.EDITED and problem.events == (last + 1,)
    assert problem.message.startswith(f"Event #{last + 1} (case.status on {office.b_ref} by "
                                      "olga, 2026-12-02 10:14 UTC) does not match its hash")
    assert "forged and added at the end of the trail" in problem.message


def test_a_forged_decision_event_is_caught_by_its_missing_record(office: Office) -> None:
    """A forger who computes the hash right: the chain alone cannot tell (the limit stated
    in app/audit.py), but the record the event claims does not exist."""
    last = office.max_event()
    with office.sql() as db:
        head = db.execute("SELECT hash FROM change_events WHERE id = ?", (last,)).fetchone()[0]
        at = datetime(2026, 12, 2, 10, 14, tzinfo=UTC)
        after = plain({"record": 99, "sequence": 3, "kind": "revocation", "outcome": "approve",
                       "snapshot_sha256": "ab" * 32, "previous": 3, "status": "revoked"})
        digest = event_hash(head, at, 2, "decision.revocation", "case", office.a_ref, None,
                            after)
        db.execute("INSERT INTO change_events (id, at, actor_id, action, entity, entity_id, "
                   "before, after, prev_hash, hash) VALUES (?, ?, 2, 'decision.revocation', "
                   "'case', ?, 'null', ?, ?, ?)",
                   (last + 1, "2026-12-02 10:14:00.000000", office.a_ref, json.dumps(after),
                    head, digest))
    problem = only(office.verify())
    assert problem.kind is Kind.DELETED and problem.record == 99
    assert problem.message == (f"Record {office.a_ref}/3 (row 99), a revocation logged by "
                               f"event #{last + 1} on 2026-12-02 10:14 UTC, is missing from "
                               "the decision records: it was deleted.")


def test_a_forged_event_wedged_in_by_renumbering_is_named(office: Office) -> None:
    target = office.events("case.status")[1]
    with office.sql() as db:
        shift_ids(db, target)
        prev = db.execute("SELECT hash FROM change_events WHERE id = ?",
                          (target - 1,)).fetchone()[0]
        at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
        after = plain({"status": "approved", "reason": "Cleared by phone", "by_decision": False})
        digest = event_hash(prev, at, 3, "case.status", "case", office.b_ref,
                            {"status": "received"}, after)
        db.execute("INSERT INTO change_events (id, at, actor_id, action, entity, entity_id, "
                   "before, after, prev_hash, hash) VALUES (?, ?, 3, 'case.status', 'case', "
                   "?, ?, ?, ?, ?)", (target, "2026-03-01 09:00:00.000000", office.b_ref,
                                      json.dumps({"status": "received"}), json.dumps(after),
                                      prev, digest))
    problem = only(office.verify())
    assert problem.kind is Kind.INSERTED and problem.events == (target,)
    assert problem.target == f"event #{target}"
    assert problem.message.startswith(f"Event #{target} (case.status on {office.b_ref} by "
                                      "sven, 2026-03-01 09:00 UTC) was inserted")
    assert f"(#{target - 1} and #{target + 1}) are chained directly" in problem.message
    assert "out of step" in problem.message  # 1 March, among December events


@pytest.mark.parametrize("distance", [1, 4])
def test_swapped_events_are_named(office: Office, distance: int) -> None:
    first = office.events("case.status")[1]
    second = first + distance
    with office.sql() as db:
        db.execute("UPDATE change_events SET id = -1 WHERE id = ?", (first,))
        db.execute("UPDATE change_events SET id = ? WHERE id = ?", (first, second))
        db.execute("UPDATE change_events SET id = ? WHERE id = -1", (second,))
    problem = only(office.verify())
    assert problem.kind is Kind.REORDERED and problem.events == (first, second)
    assert problem.message.startswith(f"Events #{first} and #{second} were swapped")
    assert f"#{first - 1} → #{second} → " in problem.message
    assert "timestamps, too, run backwards" in problem.message


def test_a_consistently_rewritten_trail_is_caught_by_the_signed_anchors(office: Office) -> None:
    a1 = office.record(f"{office.a_ref}/1")
    anchor = a1.snapshot["audit_head"]["event"]
    target = office.events("case.create")[0]
    assert target < anchor
    with office.sql() as db:
        after = json.loads(db.execute("SELECT after FROM change_events WHERE id = ?",
                                      (target,)).fetchone()[0])
        after["destination"] = "FR"
        db.execute("UPDATE change_events SET after = ? WHERE id = ?",
                   (json.dumps(after), target))
        rehash_from(db, target)
    problem = only(office.verify())
    assert problem.kind is Kind.REWRITTEN
    low, high = problem.events
    assert low <= target <= high == anchor
    assert problem.message.startswith("The audit trail was rewritten after decisions were "
                                      f"signed: record {office.a_ref}/1 (row {a1.id}) was "
                                      f"signed when event #{anchor} had hash ")
    # With the anchors gone, the same rewrite would pass: that is what they are for.
    with office.uow() as u:
        assert audit.check_chain(audit._event_rows(u.session)).problems == []


def test_deleting_the_last_events_is_caught_when_a_signature_saw_them(office: Office) -> None:
    a2 = office.record(f"{office.a_ref}/2")
    anchor = a2.snapshot["audit_head"]["event"]
    with office.sql() as db:
        db.execute("DELETE FROM change_events WHERE id >= ?", (anchor - 1,))
    report = office.verify()
    kinds = {p.kind for p in report.failures}
    assert Kind.DELETED in kinds and Kind.INSERTED in kinds  # A/2 now has no event
    assert any(p.message.startswith(f"The audit trail ends at event #{anchor - 2}, but record "
                                    f"{office.a_ref}/2") for p in report.failures)


# --- decision records -----------------------------------------------------------------------

def test_an_edited_outcome_column_is_named(office: Office) -> None:
    b1 = office.record(f"{office.b_ref}/1")
    with office.sql() as db:
        db.execute("UPDATE decisions SET outcome = 'approve' WHERE id = ?", (b1.id,))
    problem = only(office.verify())
    assert problem.kind is Kind.EDITED and problem.record == b1.id
    assert problem.target == f"record {office.b_ref}/1 (row {b1.id})"
    assert problem.message == (f"Record {office.b_ref}/1 (row {b1.id}): its outcome column "
                               'says "approve" but the signed snapshot says "refuse": the '
                               "column was edited after signing.")


def test_an_edited_snapshot_is_named(office: Office) -> None:
    b1 = office.record(f"{office.b_ref}/1")
    with office.sql() as db:
        db.execute("UPDATE decisions SET snapshot = replace(snapshot, '\"outcome\":\"refuse\"', "
                   "'\"outcome\":\"approve\"') WHERE id = ?", (b1.id,))
    problem = only(office.verify())
    assert problem.kind is Kind.EDITED and problem.record == b1.id
    assert problem.message == (f"Record {office.b_ref}/1 (row {b1.id}), signed by olga, was "
                               "edited after it was signed: its stored snapshot no longer "
                               "matches its SHA-256 hash nor its signature.")


def test_a_snapshot_edited_with_its_hash_breaks_the_signature(office: Office) -> None:
    b1 = office.record(f"{office.b_ref}/1")
    with office.sql() as db:
        text = db.execute("SELECT snapshot FROM decisions WHERE id = ?", (b1.id,)).fetchone()[0]
        text = text.replace('"outcome":"refuse"', '"outcome":"approve"')
        db.execute("UPDATE decisions SET snapshot = ?, snapshot_sha256 = ?, outcome = 'approve' "
                   "WHERE id = ?", (text, sha256_hex(text.encode()), b1.id))
    problem = only(office.verify())
    assert problem.kind is Kind.SIGNATURE and problem.record == b1.id
    assert problem.message.startswith(f"Record {office.b_ref}/1 (row {b1.id}): its signature "
                                      "does not match its snapshot.")


def test_a_re_signed_record_with_a_forged_certificate_is_caught(office: Office) -> None:
    """The attacker signs the edited snapshot with a key of their own: the signature holds,
    but the certificate was neither issued by the office CA nor logged when issued."""
    b1 = office.record(f"{office.b_ref}/1")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Olga Øfficer"),
                      x509.NameAttribute(NameOID.USER_ID, "olga")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=9))
            .sign(key, hashes.SHA256()))
    fp = cert.fingerprint(hashes.SHA256()).hex()
    snap = dict(b1.snapshot)
    snap["decision"] = {**snap["decision"], "outcome": "approve"}
    snap["signer"] = {**snap["signer"], "certificate_sha256": fp}
    data = canonical_bytes(snap)
    with office.sql() as db:
        db.execute("INSERT INTO certificates (kind, user_id, serial, subject, fingerprint_sha256,"
                   " certificate_pem, not_before, not_after, status, created_at) VALUES "
                   "('user', 2, 'ff', 'UID=olga,CN=Olga Øfficer', ?, ?, '2026-01-01 00:00:00."
                   "000000', '2036-01-01 00:00:00.000000', 'active', '2026-01-01 00:00:00."
                   "000000')", (fp, cert.public_bytes(serialization.Encoding.PEM).decode()))
        cert_id = db.execute("SELECT max(id) FROM certificates").fetchone()[0]
        db.execute("UPDATE decisions SET snapshot = ?, snapshot_sha256 = ?, signature = ?, "
                   "certificate_id = ?, outcome = 'approve' WHERE id = ?",
                   (data.decode(), sha256_hex(data),
                    key.sign(data, padding.PKCS1v15(), hashes.SHA256()), cert_id, b1.id))
    report = office.verify()
    assert {p.kind for p in report.failures} == {Kind.CERTIFICATE}
    texts = " ".join(p.message for p in report.failures)
    assert f"Certificate #{cert_id} (user, UID=olga,CN=Olga Øfficer)" in texts
    assert "no intact event in the audit trail records its issue" in texts
    assert f"is signed with certificate #{cert_id}, which cannot be trusted" in texts
    assert "it was not issued by the office certificate authority" in texts
    assert any(p.record == b1.id for p in report.failures)


def test_a_deleted_record_is_named(office: Office) -> None:
    b1 = office.record(f"{office.b_ref}/1")
    with office.sql() as db:
        db.execute("DELETE FROM decisions WHERE id = ?", (b1.id,))
        event = db.execute("SELECT id FROM change_events WHERE action = 'decision.decision' "
                           "AND entity_id = ?", (office.b_ref,)).fetchone()[0]
    problem = only(office.verify())
    assert problem.kind is Kind.DELETED and problem.record == b1.id
    assert problem.events == (event,)
    assert problem.message.startswith(f"Record {office.b_ref}/1 (row {b1.id}), a decision "
                                      f"logged by event #{event} on ")
    assert problem.message.endswith("is missing from the decision records: it was deleted.")


def test_a_copied_record_is_named(office: Office) -> None:
    a1 = office.record(f"{office.a_ref}/1")
    a2 = office.record(f"{office.a_ref}/2")
    with office.sql() as db:
        columns = [r[1] for r in db.execute("PRAGMA table_info(decisions)") if r[1] != "id"]
        chosen = ", ".join(
            "3" if c == "sequence" else str(a2.id) if c == "previous_id" else c
            for c in columns)
        db.execute(f"INSERT INTO decisions (id, {', '.join(columns)}) "
                   f"SELECT 100, {chosen} FROM decisions WHERE id = ?", (a1.id,))
    problem = only(office.verify())
    assert problem.kind is Kind.INSERTED and problem.record == 100
    assert problem.message == (
        f"Record {office.a_ref}/3 (row 100) is in the decision records, but no decision event "
        "in the audit trail records it: it was added behind the application's back (or its "
        f"event was deleted). It is a copy of record {office.a_ref}/1 (row {a1.id}).")


def test_renumbered_records_are_named(office: Office) -> None:
    b1, b2 = office.record(f"{office.b_ref}/1"), office.record(f"{office.b_ref}/2")
    with office.sql() as db:
        db.execute("UPDATE decisions SET sequence = -1 WHERE id = ?", (b1.id,))
        db.execute("UPDATE decisions SET sequence = 1 WHERE id = ?", (b2.id,))
        db.execute("UPDATE decisions SET sequence = 2 WHERE id = ?", (b1.id,))
    report = office.verify()
    assert {p.kind for p in report.failures} == {Kind.REORDERED}
    assert {p.record for p in report.failures} == {b1.id, b2.id}
    assert any("stored as record 2 of its case but was signed as record 1" in p.message
               for p in report.failures)


def test_a_legacy_unsigned_record_is_a_note_not_a_problem(office: Office) -> None:
    b1 = office.record(f"{office.b_ref}/1")
    a2 = office.record(f"{office.a_ref}/2")
    with office.uow() as u:
        model = u.session.get_one(DecisionRow, b1.id)
        row = DecisionRow(
            case_id=office.a, sequence=3, kind="decision", previous_id=a2.id,
            assessment_id=model.assessment_id, framework_id=FW, framework_version="1",
            framework_sha256=model.framework_sha256, outcome="approve",
            rationale="Recorded before signing.", conditions=[], criteria_cited=[],
            as_of=AS_OF, checks=[], evaluation={}, findings={}, status_before="approved",
            status_after="approved", countersignatures_required=0,
            decided_at=datetime(2025, 1, 1, tzinfo=UTC), decided_by_id=office.officer.id,
            origin="pre-signing")
        u.session.add(row)
        u.session.flush()
        # Logged as the application logged decisions before they were signed.
        record_change(u.session, office.officer.id, "decision.record", "case", office.a_ref,
                      None, {"decision": row.id, "outcome": "approve"})
        u.commit()
        legacy = row.id
    report = office.verify()
    assert report.ok, [p.message for p in report.failures]
    notes = [p for p in report.notes if p.record == legacy]
    assert len(notes) == 1 and notes[0].kind is Kind.UNSIGNED
    assert "recorded before decisions were signed" in notes[0].message


def test_a_database_upgraded_from_before_signing_verifies(tmp_path: Path) -> None:
    """Events chained by migration 0006 and decisions kept as pre-signing records: intact,
    with one note per unsigned record."""
    from db import migrate
    from db.engine import make_engine, to_url
    from tests.unit.test_migrations import DECISIONS, _insert_0001_rows, _insert_0005_rows

    path = tmp_path / "old.sqlite3"
    engine = make_engine(to_url(path))
    try:
        migrate.upgrade(engine, target="0001")
        _insert_0001_rows(engine)
        migrate.upgrade(engine, target="0005")
        _insert_0005_rows(engine, DECISIONS)
    finally:
        engine.dispose()
    database = open_database(path)
    try:
        admin = Actor(1, "admin", "Ada Lovelace-Ødegård", Role.ADMINISTRATOR)
        with UnitOfWork(database.session_factory) as u:
            report = audit.verify_integrity(u, admin)
    finally:
        database.dispose()
    assert report.ok, [p.message for p in report.failures]
    assert [p.kind for p in report.notes] == [Kind.UNSIGNED] * len(DECISIONS)
    assert report.records_checked == len(DECISIONS) and report.events_checked == 7


def test_show_checks_each_record(office: Office) -> None:
    with office.uow() as u:
        found = audit.check_case_records(u, office.officer, office.b_ref)
    assert [s.ref for s in found] == [f"{office.b_ref}/1", f"{office.b_ref}/2"]
    assert all(s.ok and s.signed and s.hash_ok and s.signature_ok and s.issued_by_office_ca
               for s in found)
    assert found[0].certificate_subject.endswith("CN=Olga Øfficer")
    b1 = office.record(f"{office.b_ref}/1")
    with office.sql() as db:
        db.execute("UPDATE decisions SET rationale = 'Fine.' WHERE id = ?", (b1.id,))
    with office.uow() as u:
        (one,) = audit.check_case_records(u, office.officer, f"{office.b_ref}/1")
    assert not one.ok and one.signature_ok
    assert "its rationale column says" in one.problems[0].message


def test_hash_shortcuts_agree_with_the_canonical_event_hash() -> None:
    at = datetime(2026, 12, 2, 10, 14, 0, 5, tzinfo=UTC)
    stored = "2026-12-02 10:14:00.000005"
    assert audit.at_text(stored) == audit.at_text(at) == at.isoformat(timespec="microseconds")
    before, after = plain({"b": 1, "a": ["é", None, 2.5]}), plain({"z": {"y": "日本", "x": 1}})
    expected = event_hash("ab" * 32, at, 3, "case.update", "case", "GR-1", before, after)
    assert audit.content_hash("ab" * 32, audit.at_text(stored), 3, "case.update", "case",
                              "GR-1", before, after) == expected
    chain = audit.check_chain([(1, stored, 3, "case.update", "case", "GR-1", json.dumps(before),
                                json.dumps(after), "ab" * 32, expected)])
    assert [p.kind for p in chain.problems] == [Kind.DELETED]  # its predecessor is gone


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False,
                                                          allow_infinity=False)
    | st.text(), lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)


@given(before=json_values, after=json_values)
def test_the_fast_hash_is_the_canonical_hash(before: Any, after: Any) -> None:
    before, after = plain(before), plain(after)
    at = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    expected = event_hash("", at, None, "x.y", "case", "GR", before, after)
    # As stored by the JSON column: SQLAlchemy's json.dumps of the plain value.
    row = (1, "2026-01-02 03:04:05.000006", None, "x.y", "case", "GR", json.dumps(before),
           json.dumps(after), "", expected)
    assert audit.check_chain([row]).problems == []


# --- the chain alone, against every kind of single tamper -----------------------------------

def synthetic(n: int) -> list[list[Any]]:
    rows: list[list[Any]] = []
    prev = ""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        at = start + timedelta(minutes=i)
        before, after = plain({"n": i - 1}), plain({"n": i, "note": f"change {i} — é"})
        digest = event_hash(prev, at, 1 + i % 3, "case.update", "case", f"GR-{i % 4}", before,
                            after)
        rows.append([i, at, 1 + i % 3, "case.update", "case", f"GR-{i % 4}", before, after,
                     prev, digest])
        prev = digest
    return rows


def rehash(row: list[Any]) -> None:
    row[9] = event_hash(row[8], row[1], row[2], row[3], row[4], row[5], row[6], row[7])


#: Each single tamper and the verdict it must get. Re-hashing an edited event (or deleting
#: one and renumbering the rest) leaves the same trace: the next event is chained to a hash
#: no longer in the trail, judged "deleted" with both readings in the message.
TAMPERS = {"edit": Kind.EDITED, "edit_bad_hash": Kind.EDITED, "edit_rehash": Kind.DELETED,
           "delete": Kind.DELETED, "delete_renumber": Kind.DELETED,
           "insert_wedged": Kind.INSERTED, "insert_end": Kind.EDITED, "swap": Kind.REORDERED,
           "relink": Kind.EDITED}


@given(n=st.integers(min_value=3, max_value=30), kind=st.sampled_from(sorted(TAMPERS)),
       data=st.data())
def test_any_single_tamper_is_named_exactly(n: int, kind: str, data: st.DataObject) -> None:
    rows = synthetic(n)
    assert audit.check_chain(rows).problems == []
    last = n - 1  # index of the last row
    wanted: set[int]
    if kind == "edit":
        i = data.draw(st.integers(0, last))
        rows[i][7] = {**rows[i][7], "n": -1}
        wanted = {i + 1}
    elif kind == "edit_bad_hash":
        i = data.draw(st.integers(0, last))
        rows[i][7] = {**rows[i][7], "n": -1}
        rows[i][9] = hashlib.sha256(b"not the hash").hexdigest()
        wanted = {i + 1}
    elif kind == "edit_rehash":  # the last one re-hashed is indistinguishable from new
        i = data.draw(st.integers(0, last - 1))
        rows[i][7] = {**rows[i][7], "n": -1}
        rehash(rows[i])
        wanted = {i + 1}
    elif kind == "delete":  # deleting the last one leaves no trace in the chain
        i = data.draw(st.integers(0, last - 1))
        del rows[i]
        wanted = {i + 1}
    elif kind == "delete_renumber":
        i = data.draw(st.integers(0, last - 1))
        del rows[i]
        for row in rows[i:]:
            row[0] -= 1
        wanted = {i + 1}
    elif kind == "insert_wedged":
        i = data.draw(st.integers(1, last))
        forged = list(rows[i - 1])
        forged[7] = {"n": 999}
        forged[8] = rows[i - 1][9]
        if data.draw(st.booleans()):
            rehash(forged)  # a forger who knows the formula
        else:
            forged[9] = hashlib.sha256(b"forged").hexdigest()
        for row in rows[i:]:
            row[0] += 1
        forged[0] = i + 1
        rows.insert(i, forged)
        wanted = {i + 1}
    elif kind == "insert_end":
        forged = list(rows[last])
        forged[0], forged[7] = n + 1, {"n": 999}
        forged[8] = data.draw(st.sampled_from([rows[last][9], "0" * 64]))
        forged[9] = hashlib.sha256(b"forged").hexdigest()
        rows.append(forged)
        wanted = {n + 1}
    elif kind == "swap":
        i = data.draw(st.integers(0, last - 1))
        j = data.draw(st.integers(i + 1, last))
        rows[i][0], rows[j][0] = rows[j][0], rows[i][0]
        rows[i], rows[j] = rows[j], rows[i]
        wanted = {i + 1, j + 1}
    else:  # relink: point an event at another one, without re-hashing
        i = data.draw(st.integers(1, last))
        rows[i][8] = rows[data.draw(st.integers(0, last))][9]
        if rows[i][8] == rows[i - 1][9]:
            rows[i][8] = "0" * 64
        wanted = {i + 1}
    problems = audit.check_chain(rows, {1: "olga", 2: "sven", 3: "ada"}).problems
    assert [p.kind for p in problems] == [TAMPERS[kind]], (kind, problems)
    assert wanted & set(problems[0].events), (kind, wanted, problems)
    assert problems[0].message.startswith(("Event #", "1 event ", "Events #")), problems
