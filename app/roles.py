"""Who may do what. Every use case in app/ calls ``require``, so the UI and the CLI
enforce the same matrix, and a refusal names the roles that may do the action.

Separation of duties: officers assess and decide; supervisors also countersign, return
and audit (never their own work); administrators manage accounts, keys and settings and
read cases, but do not assess, decide or countersign.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.errors import PermissionDeniedError
from app.i18n import N_, _
from app.vocab import Role


class Permission(StrEnum):
    VIEW_CASES = "view_cases"
    EDIT_CASES = "edit_cases"
    ASSESS = "assess"
    MANAGE_EVIDENCE = "manage_evidence"
    REASSESS = "reassess"
    COUNTERSIGN = "countersign"
    AUDIT = "audit"
    VERIFY = "verify"
    MANAGE_USERS = "manage_users"
    MANAGE_KEYS = "manage_keys"
    MANAGE_SETTINGS = "manage_settings"
    REPORT = "report"
    REPORT_UNREDACTED = "report_unredacted"
    SCREEN = "screen"
    MANAGE_LISTS = "manage_lists"

    @property
    def label(self) -> str:
        return _(PERMISSION_LABELS[self])


PERMISSION_LABELS = {
    Permission.VIEW_CASES: N_("view cases and decisions"),
    Permission.EDIT_CASES: N_("register and edit applications"),
    Permission.ASSESS: N_("assess applications and sign decisions"),
    Permission.MANAGE_EVIDENCE: N_("add and import evidence"),
    Permission.REASSESS: N_("reassess licences in force (confirm, suspend, revoke)"),
    Permission.COUNTERSIGN: N_("countersign or return decisions"),
    Permission.AUDIT: N_("audit past decisions"),
    Permission.VERIFY: N_("verify the integrity of the records"),
    Permission.MANAGE_USERS: N_("manage accounts"),
    Permission.MANAGE_KEYS: N_("manage the office CA and signing keys"),
    Permission.MANAGE_SETTINGS: N_("change the authority's settings"),
    Permission.REPORT: N_("produce oversight reports for publication"),
    Permission.REPORT_UNREDACTED: N_("produce unredacted oversight reports"),
    Permission.SCREEN: N_("screen parties and judge sanctions-list hits"),
    Permission.MANAGE_LISTS: N_("import sanctions lists and denial notifications"),
}

P = Permission
_OFFICER = frozenset({P.VIEW_CASES, P.EDIT_CASES, P.ASSESS, P.MANAGE_EVIDENCE, P.REASSESS,
                      P.VERIFY, P.SCREEN, P.MANAGE_LISTS})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: _OFFICER,
    Role.SUPERVISOR: _OFFICER | {P.COUNTERSIGN, P.AUDIT, P.REPORT, P.REPORT_UNREDACTED},
    # An administrator may publish redacted figures, but only a supervisor may see the
    # unredacted form (exporter names, exact values of thin cells).
    Role.ADMINISTRATOR: frozenset({P.VIEW_CASES, P.VERIFY, P.AUDIT, P.MANAGE_USERS,
                                   P.MANAGE_KEYS, P.MANAGE_SETTINGS, P.REPORT,
                                   P.MANAGE_LISTS}),
}


def roles_with(permission: Permission) -> list[Role]:
    return [r for r in Role if permission in ROLE_PERMISSIONS[r]]


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
            _("{name} ({role}) may not {action}: that needs the role of {roles}.").format(
                name=actor.username, role=actor.role.label.lower(), action=permission.label,
                roles=_(" or ").join(r.label.lower() for r in roles_with(permission))))
