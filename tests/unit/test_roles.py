"""The role matrix: every guarded action against every role, through app/ (so the UI and
the CLI inherit it). An allowed role may still meet a domain error (a wrong status, say),
but never a permission refusal; a refused role always gets one that names the roles that
may act."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app import assessments, cases, decisions, evidence, keys, settings, users
from app.assessment import DecisionInput, Outcome
from app.casedata import CaseData
from app.decisions import DecisionQuery, RecordKind
from app.errors import GoldenRuleError, PermissionDeniedError
from app.evidence import EvidenceData
from app.oversight import service as oversight
from app.roles import ROLE_PERMISSIONS, Permission, roles_with
from app.screening import lists as list_store
from app.screening import service as screening_service
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from app.vocab import Role
from tests.conftest import (
    ADMIN_PASSWORD,
    CA_PASSWORD,
    OFFICER_PASSWORD,
    SUPERVISOR_PASSWORD,
)
from tests.unit.test_assessments_service import FW, assessed, clean, mandatory, registry

UowFactory = Callable[[], UnitOfWork]


@dataclass
class World:
    received: int
    awaiting: int
    approved: int
    sample: CaseData
    password: str


@pytest.fixture
def world(uow: UowFactory, officer: Actor, supervisor2: Actor,
          sample_case_data: CaseData) -> World:
    """A received case, a refusal awaiting countersignature and an approved licence, all
    assessed by the officer (so the supervisor under test did not take part)."""
    ids = []
    for _ in range(3):
        with uow() as u:
            ids.append(cases.create_case(u, officer, sample_case_data,
                                         status=CaseStatus.RECEIVED).id)
    assessed(uow, officer, ids[1], mandatory())
    assessed(uow, officer, ids[2], clean())
    with uow() as u:
        decisions.record_decision(u, officer, ids[1], FW, DecisionInput(
            Outcome.REFUSE, "Substantial risk under IHRL.", [], ["ihrl"]), checks=registry(),
            password=OFFICER_PASSWORD)
    with uow() as u:
        decisions.record_decision(u, officer, ids[2], FW, DecisionInput(
            Outcome.APPROVE, "No substantial risk.", [], []), checks=registry(),
            password=OFFICER_PASSWORD)
    return World(ids[0], ids[1], ids[2], sample_case_data, "")


Action = Callable[[UnitOfWork, Actor, World], Any]

ACTIONS: dict[str, tuple[Permission, Action]] = {
    "view a case": (Permission.VIEW_CASES,
                    lambda u, a, w: cases.require(a, Permission.VIEW_CASES)),
    "register an application": (Permission.EDIT_CASES, lambda u, a, w: cases.create_case(
        u, a, w.sample, status=CaseStatus.RECEIVED)),
    "edit an application": (Permission.EDIT_CASES, lambda u, a, w: cases.update_case(
        u, a, w.received, w.sample, cases.get_case(u, w.received).row_version)),
    "put a case on hold": (Permission.EDIT_CASES, lambda u, a, w: cases.change_status(
        u, a, w.received, CaseStatus.ON_HOLD, "Waiting for the end-user certificate.")),
    "open an assessment": (Permission.ASSESS, lambda u, a, w: assessments.open_assessment(
        u, a, w.received, FW)),
    "sign a decision": (Permission.ASSESS, lambda u, a, w: decisions.record_decision(
        u, a, w.received, FW, DecisionInput(Outcome.APPROVE, "No risk.", [], []),
        checks=registry(), password=w.password)),
    "add evidence": (Permission.MANAGE_EVIDENCE, lambda u, a, w: evidence.add_evidence(
        u, a, EvidenceData(title="Report", source_kind="ngo", reliability="B",
                           credibility="2"))),
    "countersign": (Permission.COUNTERSIGN, lambda u, a, w: decisions.countersign(
        u, a, w.awaiting, "Agreed.", password=w.password)),
    "return a decision": (Permission.COUNTERSIGN, lambda u, a, w: decisions.return_decision(
        u, a, w.awaiting, "The rationale needs more evidence.", password=w.password)),
    "revoke a licence": (Permission.REASSESS, lambda u, a, w: decisions.reassess(
        u, a, w.approved, RecordKind.REVOCATION, "New credible reports of misuse.",
        password=w.password)),
    "search past decisions": (Permission.AUDIT, lambda u, a, w: decisions.search_decisions(
        u, a, DecisionQuery())),
    "compare for consistency": (Permission.AUDIT, lambda u, a, w: decisions.consistency(
        u, a, decisions.list_decisions(u, w.approved)[0].id)),
    "create an account": (Permission.MANAGE_USERS, lambda u, a, w: users.create_user(
        u, a, "newbie", "New Officer", Role.OFFICER, "new-password-1")),
    "disable an account": (Permission.MANAGE_USERS, lambda u, a, w: users.set_active(
        u, a, "zoe", False)),
    "issue a signing key": (Permission.MANAGE_KEYS, lambda u, a, w: keys.issue_user_key(
        u, a, "zoe", "supervisor-password-2", CA_PASSWORD)),
    "import a CA": (Permission.MANAGE_KEYS, lambda u, a, w: keys.import_ca(
        u, a, b"not a file", CA_PASSWORD)),
    "change a setting": (Permission.MANAGE_SETTINGS, lambda u, a, w: settings.set_value(
        u, a, "documents.classification", "OFFICIAL")),
    "preview an oversight report": (Permission.REPORT, lambda u, a, w: oversight.build(
        u, a, oversight.ReportRequest("register", date(2026, 1, 1), date(2026, 12, 31)))),
    "see the unredacted register": (
        Permission.REPORT_UNREDACTED, lambda u, a, w: oversight.build(
            u, a, oversight.ReportRequest("register", date(2026, 1, 1), date(2026, 12, 31),
                                          redaction="none"))),
    "screen a name": (Permission.SCREEN, lambda u, a, w: screening_service.screen_name(
        u, a, "Ivan Sidorov")),
    "import a sanctions list": (Permission.MANAGE_LISTS, lambda u, a, w: list_store.import_list(
        u, a, Path("no-such-list.xml"))),
}

PASSWORDS = {Role.ADMINISTRATOR: ADMIN_PASSWORD, Role.OFFICER: OFFICER_PASSWORD,
             Role.SUPERVISOR: SUPERVISOR_PASSWORD}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_matrix(uow: UowFactory, admin: Actor, officer: Actor, supervisor: Actor,
                     world: World, role: Role, action: str) -> None:
    permission, run = ACTIONS[action]
    actor = {Role.ADMINISTRATOR: admin, Role.OFFICER: officer,
             Role.SUPERVISOR: supervisor}[role]
    world.password = PASSWORDS[role]
    allowed = permission in ROLE_PERMISSIONS[role]
    with uow() as u:
        if allowed:
            try:
                run(u, actor, world)
            except PermissionDeniedError as exc:  # pragma: no cover - the failure message
                pytest.fail(f"{role.value} may {action} but was refused: {exc}")
            except GoldenRuleError:
                pass  # a domain rule (status, input), not the role
        else:
            with pytest.raises(PermissionDeniedError) as info:
                run(u, actor, world)
            for may in roles_with(permission):
                assert may.label.lower() in str(info.value)


def test_separation_of_duties() -> None:
    admin = ROLE_PERMISSIONS[Role.ADMINISTRATOR]
    assert not admin & {Permission.EDIT_CASES, Permission.ASSESS, Permission.COUNTERSIGN,
                        Permission.MANAGE_EVIDENCE}
    assert Permission.COUNTERSIGN not in ROLE_PERMISSIONS[Role.OFFICER]
    assert Permission.MANAGE_KEYS not in ROLE_PERMISSIONS[Role.SUPERVISOR]
    assert {p for p in Permission} == set().union(*ROLE_PERMISSIONS.values())


def test_the_matrix_covers_every_permission() -> None:
    assert {p for p, _run in ACTIONS.values()} >= set(Permission) - {Permission.VERIFY}
