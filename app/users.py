"""Local accounts: roles, argon2 password hashes, sign-in and what each role may do."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select

from app.changes import now_utc, record_change
from app.errors import (
    AuthenticationError,
    FieldProblem,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from app.i18n import _
from app.uow import UnitOfWork
from app.vocab import Role
from db.models import User

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()
# A fixed hash to verify against when the account does not exist, so that a wrong
# username takes as long as a wrong password and reveals nothing.
_DUMMY_HASH = _hasher.hash("golden-rule-timing-equaliser")


class Permission(StrEnum):
    EDIT_CASES = "edit_cases"
    VIEW_CASES = "view_cases"
    MANAGE_USERS = "manage_users"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset({Permission.VIEW_CASES, Permission.EDIT_CASES}),
    Role.SUPERVISOR: frozenset({Permission.VIEW_CASES, Permission.EDIT_CASES}),
    Role.ADMINISTRATOR: frozenset(
        {Permission.VIEW_CASES, Permission.EDIT_CASES, Permission.MANAGE_USERS}
    ),
}


@dataclass(frozen=True)
class Actor:
    """The signed-in user on whose behalf a use case runs."""

    id: int
    username: str
    full_name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


def require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise PermissionDeniedError(
            _("{name} ({role}) may not do this: it needs the '{perm}' permission.").format(
                name=actor.username, role=actor.role.label, perm=permission.value)
        )


def _actor(user: User) -> Actor:
    return Actor(user.id, user.username, user.full_name, Role(user.role))


def _user_snapshot(user: User) -> dict[str, object]:
    return {"username": user.username, "full_name": user.full_name, "role": user.role,
            "active": user.active}


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise InputError(_("Unknown role '{text}'. Roles: {roles}.").format(
            text=text, roles=", ".join(r.value for r in Role))) from None


def check_new_account(username: str, full_name: str, password: str) -> list[FieldProblem]:
    problems = []
    if not _USERNAME.match(username):
        problems.append(FieldProblem("username", _(
            "use 2 to 64 lower-case letters, digits, dots, hyphens or underscores")))
    if not full_name.strip():
        problems.append(FieldProblem("full_name", _("a full name is required")))
    problems.extend(check_password(password))
    return problems


def check_password(password: str) -> list[FieldProblem]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [FieldProblem("password", _("at least {n} characters").format(
            n=MIN_PASSWORD_LENGTH))]
    return []


def has_users(uow: UnitOfWork) -> bool:
    return bool(uow.session.scalar(select(func.count()).select_from(User)))


def _create(uow: UnitOfWork, created_by: int | None, username: str, full_name: str,
            role: Role, password: str) -> User:
    problems = check_new_account(username, full_name, password)
    if uow.session.scalar(select(User).where(User.username == username)) is not None:
        problems.append(FieldProblem("username", _("'{u}' is already taken").format(u=username)))
    if problems:
        raise ValidationError(problems)
    now = now_utc()
    user = User(username=username, full_name=full_name.strip(), role=role.value,
                password_hash=_hasher.hash(password), active=True, created_at=now,
                created_by_id=created_by, updated_at=now, updated_by_id=created_by)
    uow.session.add(user)
    uow.flush()
    record_change(uow.session, created_by or user.id, "user.create", "user", user.id, None,
                  _user_snapshot(user), at=now)
    return user


def create_first_administrator(uow: UnitOfWork, username: str, full_name: str,
                               password: str) -> Actor:
    """Only possible on an empty database: the one account nobody else could create."""
    if has_users(uow):
        raise InputError(_("This database already has accounts; ask an administrator to add "
                           "yours."))
    user = _create(uow, None, username, full_name, Role.ADMINISTRATOR, password)
    uow.commit()
    return _actor(user)


def create_user(uow: UnitOfWork, actor: Actor, username: str, full_name: str, role: Role,
                password: str) -> Actor:
    require(actor, Permission.MANAGE_USERS)
    user = _create(uow, actor.id, username, full_name, role, password)
    uow.commit()
    return _actor(user)


def authenticate(uow: UnitOfWork, username: str, password: str) -> Actor:
    user = uow.session.scalar(select(User).where(User.username == username.strip()))
    wrong = AuthenticationError(_("Wrong username or password."))
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        raise wrong
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise wrong from None
    if not user.active:
        raise AuthenticationError(_("The account '{u}' is disabled.").format(u=user.username))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        uow.commit()
    return _actor(user)


def change_password(uow: UnitOfWork, actor: Actor, username: str, new_password: str) -> None:
    if username != actor.username:
        require(actor, Permission.MANAGE_USERS)
    problems = check_password(new_password)
    if problems:
        raise ValidationError(problems)
    user = uow.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(_("No account named '{u}'.").format(u=username))
    user.password_hash = _hasher.hash(new_password)
    user.updated_at = now_utc()
    user.updated_by_id = actor.id
    record_change(uow.session, actor.id, "user.password", "user", user.id, None,
                  {"password": "changed"})
    uow.commit()


def list_users(uow: UnitOfWork) -> list[tuple[Actor, bool]]:
    users = uow.session.scalars(select(User).order_by(User.username)).all()
    return [(_actor(u), u.active) for u in users]


def set_active(uow: UnitOfWork, actor: Actor, username: str, active: bool) -> None:
    require(actor, Permission.MANAGE_USERS)
    user = uow.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(_("No account named '{u}'.").format(u=username))
    if user.id == actor.id and not active:
        raise InputError(_("You cannot disable your own account."))
    before = _user_snapshot(user)
    user.active = active
    user.updated_at = now_utc()
    user.updated_by_id = actor.id
    record_change(uow.session, actor.id, "user.activate" if active else "user.disable", "user",
                  user.id, before, _user_snapshot(user))
    uow.commit()
