"""Accounts: argon2 hashes, sign-in, who may create accounts, and their change events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import argon2
import pytest
from sqlalchemy import func, select, text

from app import users
from app.database import Database
from app.errors import (
    AuthenticationError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from app.uow import UnitOfWork
from app.users import Actor, Permission
from app.vocab import Role
from db.models import ChangeEvent, User

UowFactory = Callable[[], UnitOfWork]


def _user_row(uow: UowFactory, username: str) -> User:
    with uow() as u:
        row = u.session.scalar(select(User).where(User.username == username))
        assert row is not None
        u.session.expunge(row)
        return row


def _events(uow: UowFactory, action: str | None = None) -> list[ChangeEvent]:
    with uow() as u:
        query = select(ChangeEvent).order_by(ChangeEvent.id)
        if action:
            query = query.where(ChangeEvent.action == action)
        rows = list(u.session.scalars(query))
        for row in rows:
            u.session.expunge(row)
        return rows


def test_fixtures(admin: Actor, officer: Actor) -> None:
    assert admin.role is Role.ADMINISTRATOR and admin.username == "admin"
    assert admin.full_name == "Ada Admin"
    assert officer.role is Role.OFFICER and officer.full_name == "Olga Øfficer"
    assert officer.id != admin.id


def test_password_is_stored_as_argon2id_hash(database: Database, uow: UowFactory,
                                             officer: Actor) -> None:
    row = _user_row(uow, "olga")
    assert row.password_hash.startswith("$argon2id$")
    assert "officer-password-1" not in row.password_hash
    # Nowhere in the stored bytes at all, not only in that column.
    with database.engine.connect() as conn:
        for table in ("users", "change_events"):
            for values in conn.execute(text(f"SELECT * FROM {table}")):
                assert not any("officer-password-1" in str(v) for v in values)
    assert argon2.PasswordHasher().verify(row.password_hash, "officer-password-1")


def test_same_password_gives_different_hashes(uow: UowFactory, admin: Actor) -> None:
    with uow() as u:
        users.create_user(u, admin, "bob", "Bob", Role.OFFICER, "admin-password-1")
    assert _user_row(uow, "bob").password_hash != _user_row(uow, "admin").password_hash


def test_production_hash_parameters_are_strong() -> None:
    """The module's own hasher (made at import, before the tests' fast one) is not weakened."""
    params = argon2.extract_parameters(users._DUMMY_HASH)
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 19 * 1024  # OWASP's minimum for argon2id
    assert params.time_cost >= 2


def test_authenticate_ok(uow: UowFactory, officer: Actor) -> None:
    with uow() as u:
        actor = users.authenticate(u, "olga", "officer-password-1")
    assert actor == officer
    with uow() as u:
        assert users.authenticate(u, "  olga ", "officer-password-1") == officer


@pytest.mark.parametrize(("username", "password"), [
    ("olga", "officer-password-2"),
    ("olga", ""),
    ("olga", "OFFICER-PASSWORD-1"),
    ("OLGA", "officer-password-1"),
    ("nobody", "officer-password-1"),
    ("", "officer-password-1"),
])
def test_authenticate_wrong(uow: UowFactory, officer: Actor, username: str,
                            password: str) -> None:
    with uow() as u, pytest.raises(AuthenticationError) as info:
        users.authenticate(u, username, password)
    # The same words whether the account exists or not: nothing to learn from them.
    assert str(info.value) == "Wrong username or password."
    assert isinstance(info.value, InputError)


def test_authenticate_disabled(uow: UowFactory, admin: Actor, officer: Actor) -> None:
    with uow() as u:
        users.set_active(u, admin, "olga", False)
    with uow() as u, pytest.raises(AuthenticationError, match="disabled"):
        users.authenticate(u, "olga", "officer-password-1")
    # A disabled account with a wrong password does not even reveal it is disabled.
    with uow() as u, pytest.raises(AuthenticationError, match="Wrong username"):
        users.authenticate(u, "olga", "guess-guess-guess")
    with uow() as u:
        users.set_active(u, admin, "olga", True)
    with uow() as u:
        assert users.authenticate(u, "olga", "officer-password-1") == officer
    actions = [e.action for e in _events(uow)
               if (e.entity, e.entity_id) == ("user", str(officer.id))]
    assert actions == ["user.create", "user.disable", "user.activate"]


def test_authenticate_rehashes_outdated_hash(uow: UowFactory, officer: Actor) -> None:
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)
    with uow() as u:
        row = u.session.scalar(select(User).where(User.username == "olga"))
        assert row is not None
        row.password_hash = weak.hash("officer-password-1")
        u.commit()
        u.session.expunge(row)
    assert users._hasher.check_needs_rehash(row.password_hash)
    with uow() as u:
        users.authenticate(u, "olga", "officer-password-1")
    new_hash = _user_row(uow, "olga").password_hash
    assert new_hash != row.password_hash
    assert argon2.extract_parameters(new_hash) != argon2.extract_parameters(row.password_hash)
    assert not users._hasher.check_needs_rehash(new_hash)
    with uow() as u:
        assert users.authenticate(u, "olga", "officer-password-1") == officer


def test_corrupt_hash_is_a_wrong_password(uow: UowFactory, officer: Actor) -> None:
    with uow() as u:
        row = u.session.scalar(select(User).where(User.username == "olga"))
        assert row is not None
        row.password_hash = "officer-password-1"  # as if someone stored plaintext
        u.commit()
    with uow() as u, pytest.raises(AuthenticationError):
        users.authenticate(u, "olga", "officer-password-1")


def test_only_administrators_create_users(uow: UowFactory, officer: Actor) -> None:
    with uow() as u, pytest.raises(PermissionDeniedError) as info:
        users.create_user(u, officer, "eve", "Eve", Role.ADMINISTRATOR, "long-enough-pw")
    assert str(info.value) == ("olga (licensing officer) may not manage accounts: that needs "
                               "the role of administrator.")
    assert not isinstance(info.value, InputError)
    with uow() as u:
        assert [a.username for a, _ in users.list_users(u)] == ["admin", "olga"]


def test_supervisor_cannot_create_users_either(uow: UowFactory, admin: Actor) -> None:
    with uow() as u:
        boss = users.create_user(u, admin, "sam", "Sam Supervisor", Role.SUPERVISOR,
                                 "supervisor-pw-1")
    with uow() as u, pytest.raises(PermissionDeniedError):
        users.create_user(u, boss, "eve", "Eve", Role.OFFICER, "long-enough-pw")
    with uow() as u, pytest.raises(PermissionDeniedError):
        users.set_active(u, boss, "admin", False)


def test_role_permissions() -> None:
    """Separation of duties: administrators read cases but neither edit, assess nor add
    evidence; only supervisors countersign; only administrators manage accounts."""
    for role in Role:
        actor = Actor(1, "x", "X", role)
        admin = role is Role.ADMINISTRATOR
        assert actor.can(Permission.VIEW_CASES) and actor.can(Permission.VERIFY)
        for case_work in (Permission.EDIT_CASES, Permission.ASSESS,
                          Permission.MANAGE_EVIDENCE, Permission.REASSESS):
            assert actor.can(case_work) == (not admin), (role, case_work)
        assert actor.can(Permission.COUNTERSIGN) == (role is Role.SUPERVISOR)
        assert actor.can(Permission.AUDIT) == (role is not Role.OFFICER)
        for management in (Permission.MANAGE_USERS, Permission.MANAGE_KEYS,
                           Permission.MANAGE_SETTINGS):
            assert actor.can(management) == admin, (role, management)


def test_first_administrator_only_on_empty_database(uow: UowFactory, admin: Actor) -> None:
    with uow() as u, pytest.raises(InputError, match="already has accounts"):
        users.create_first_administrator(u, "root", "Root", "root-password-1")
    with uow() as u:
        assert u.session.scalar(select(func.count()).select_from(User)) == 1


def test_first_administrator_on_empty_database(uow: UowFactory) -> None:
    with uow() as u:
        assert not users.has_users(u)
        first = users.create_first_administrator(u, "admin", "Ada Admin", "admin-password-1")
    assert first.role is Role.ADMINISTRATOR
    with uow() as u:
        assert users.has_users(u)
    row = _user_row(uow, "admin")
    assert row.created_by_id is None and row.active


def test_invalid_first_administrator_leaves_database_empty(uow: UowFactory) -> None:
    with uow() as u, pytest.raises(ValidationError) as info:
        users.create_first_administrator(u, "Admin!", " ", "short")
    assert {p.field for p in info.value.problems} == {"username", "full_name", "password"}
    with uow() as u:
        assert not users.has_users(u)
        assert u.session.scalar(select(func.count()).select_from(ChangeEvent)) == 0


def test_duplicate_username(uow: UowFactory, admin: Actor, officer: Actor) -> None:
    with uow() as u, pytest.raises(ValidationError) as info:
        users.create_user(u, admin, "olga", "Another Olga", Role.SUPERVISOR, "another-pw-123")
    assert [p.field for p in info.value.problems] == ["username"]
    assert "already taken" in str(info.value)
    assert _user_row(uow, "olga").full_name == "Olga Øfficer"


@pytest.mark.parametrize("password", ["", "123456789", "ñ" * 9])
def test_short_password(uow: UowFactory, admin: Actor, password: str) -> None:
    with uow() as u, pytest.raises(ValidationError) as info:
        users.create_user(u, admin, "pat", "Pat", Role.OFFICER, password)
    assert [p.field for p in info.value.problems] == ["password"]
    assert "10" in str(info.value)
    with uow() as u:
        assert [a.username for a, _ in users.list_users(u)] == ["admin"]


def test_ten_character_password_is_enough(uow: UowFactory, admin: Actor) -> None:
    with uow() as u:
        users.create_user(u, admin, "pat", "Pat", Role.OFFICER, "ñ" * 10)
    with uow() as u:
        assert users.authenticate(u, "pat", "ñ" * 10).username == "pat"


@pytest.mark.parametrize(("username", "ok"), [
    ("ab", True), ("a", False), ("jean.dupont", True), ("j-d_2", True), ("Jean", False),
    ("jean dupont", False), ("élodie", False), ("_x", False), ("a" * 64, True),
    ("a" * 65, False),
])
def test_username_rule(username: str, ok: bool) -> None:
    problems = users.check_new_account(username, "Name", "long-enough-pw")
    assert (problems == []) == ok


def test_user_creation_writes_change_events(uow: UowFactory, admin: Actor,
                                            officer: Actor) -> None:
    events = _events(uow, "user.create")
    assert [(e.entity, e.entity_id) for e in events] == [("user", str(admin.id)),
                                                        ("user", str(officer.id))]
    first, second = events
    assert first.actor_id == admin.id  # the first administrator creates itself
    assert second.actor_id == admin.id
    assert first.before is None
    assert second.after == {"username": "olga", "full_name": "Olga Øfficer",
                            "role": "officer", "active": True}
    for event in events:
        assert event.at.tzinfo is not None and event.at.utcoffset() == timedelta(0)
        assert abs(datetime.now(UTC) - event.at) < timedelta(minutes=5)
        assert "password" not in str(event.after)


def test_change_password(uow: UowFactory, admin: Actor, officer: Actor) -> None:
    with uow() as u:
        users.change_password(u, officer, "olga", "a-new-password-1")
    with uow() as u, pytest.raises(AuthenticationError):
        users.authenticate(u, "olga", "officer-password-1")
    with uow() as u:
        assert users.authenticate(u, "olga", "a-new-password-1") == officer
    with uow() as u, pytest.raises(PermissionDeniedError):
        users.change_password(u, officer, "admin", "hijacked-password")
    with uow() as u, pytest.raises(ValidationError):
        users.change_password(u, admin, "olga", "short")
    with uow() as u, pytest.raises(NotFoundError):
        users.change_password(u, admin, "ghost", "long-enough-pw")
    with uow() as u:
        users.change_password(u, admin, "olga", "reset-by-admin-1")
    events = _events(uow, "user.password")
    assert [e.actor_id for e in events] == [officer.id, admin.id]
    assert all("a-new-password-1" not in str(e.after) for e in events)


def test_cannot_disable_yourself(uow: UowFactory, admin: Actor) -> None:
    with uow() as u, pytest.raises(InputError, match="your own account"):
        users.set_active(u, admin, "admin", False)
    with uow() as u, pytest.raises(NotFoundError):
        users.set_active(u, admin, "ghost", False)


def test_list_users(uow: UowFactory, admin: Actor, officer: Actor) -> None:
    with uow() as u:
        users.set_active(u, admin, "olga", False)
    with uow() as u:
        assert users.list_users(u) == [(admin, True), (officer, False)]


def test_parse_role() -> None:
    assert users.parse_role("supervisor") is Role.SUPERVISOR
    with pytest.raises(InputError, match="officer, supervisor, administrator"):
        users.parse_role("root")
