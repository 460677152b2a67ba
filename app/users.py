"""Local accounts: roles, argon2 password hashes, sign-in and what each role may do."""

from __future__ import annotations

import contextlib
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select

from app.changes import now_utc, record_change
from app.errors import (
    AuthenticationError,
    FieldProblem,
    InputError,
    NotFoundError,
    ValidationError,
)
from app.i18n import _
from app.roles import ROLE_PERMISSIONS, Actor, Permission, require
from app.uow import UnitOfWork
from app.vocab import Role
from db.models import User

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()
# A fixed hash to verify against when the account does not exist, so that a wrong
# username takes as long as a wrong password and reveals nothing.
_DUMMY_HASH = _hasher.hash("golden-rule-timing-equaliser")


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


def create_account(uow: UnitOfWork, created_by: int | None, username: str, full_name: str,
                   role: Role, password: str) -> User:
    """For the demo loader: the caller has checked the permission; nothing is committed."""
    return _create(uow, created_by, username, full_name, role, password)


def create_first_administrator(uow: UnitOfWork, username: str, full_name: str,
                               password: str, ca_password: str | None = None,
                               organisation: str = "") -> Actor:
    """Only possible on an empty database: the one account nobody else could create.

    With a CA passphrase, also creates the office CA and the administrator's own key."""
    from app import keys

    if has_users(uow):
        raise InputError(_("This database already has accounts; ask an administrator to add "
                           "yours."))
    if ca_password is not None:
        keys.check_ca_password(ca_password)
    user = _create(uow, None, username, full_name, Role.ADMINISTRATOR, password)
    if ca_password is not None:
        keys.create_ca(uow.session, user.id, ca_password, organisation=organisation)
        keys.issue_key(uow.session, user.id, user, password, ca_password)
    uow.commit()
    return _actor(user)


def create_user(uow: UnitOfWork, actor: Actor, username: str, full_name: str, role: Role,
                password: str, ca_password: str | None = None) -> Actor:
    """A new account; with the CA passphrase it also gets its signing key at once."""
    from app import keys

    require(actor, Permission.MANAGE_USERS)
    user = _create(uow, actor.id, username, full_name, role, password)
    if ca_password is not None:
        require(actor, Permission.MANAGE_KEYS)
        keys.issue_key(uow.session, actor.id, user, password, ca_password)
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


def password_matches(user: User, password: str) -> bool:
    try:
        return bool(_hasher.verify(user.password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def change_password(uow: UnitOfWork, actor: Actor, username: str, new_password: str,
                    old_password: str | None = None, ca_password: str | None = None) -> None:
    """Set a password. The signing key is re-protected under the new password when the old
    one is given; otherwise (a reset) the key is retired, and re-issued if the CA passphrase
    is given: its old signatures still verify."""
    from app import keys

    if username != actor.username:
        require(actor, Permission.MANAGE_USERS)
    problems = check_password(new_password)
    if problems:
        raise ValidationError(problems)
    user = uow.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(_("No account named '{u}'.").format(u=username))
    if old_password is not None and not password_matches(user, old_password):
        raise AuthenticationError(_("The current password is wrong: nothing was changed."))
    user.password_hash = _hasher.hash(new_password)
    user.updated_at = now_utc()
    user.updated_by_id = actor.id
    record_change(uow.session, actor.id, "user.password", "user", user.id, None,
                  {"password": "changed"})
    rewrapped = old_password is not None and keys.rewrap_user_key(
        uow.session, user.id, old_password, new_password)
    if not rewrapped:
        keys.retire_user_key(uow.session, actor.id, user.id, "password reset")
        if ca_password is not None:
            require(actor, Permission.MANAGE_KEYS)
            keys.issue_key(uow.session, actor.id, user, new_password, ca_password)
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


__all__ = ["ROLE_PERMISSIONS", "Actor", "Permission", "require"]
