"""Authority-wide settings, declared once with type, default and title (after Picard).

Kept in the database so every workstation applies the same rules; each change is an audit
event with the value before and after. Per-workstation preferences (window geometry, last
folder) stay in QSettings in ui/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.changes import now_utc, record_change
from app.errors import FieldProblem, NotFoundError, ValidationError
from app.i18n import N_, _
from app.roles import Actor, Permission, require
from app.uow import UnitOfWork
from db.models import Setting

OUTCOMES = ("approve", "approve-with-conditions", "refuse")


def _check_text(value: Any) -> str | None:
    if isinstance(value, str) and len(value) <= 300:
        return None
    return _("text of at most 300 characters")


def _check_countries(value: Any) -> str | None:
    if not isinstance(value, list) or not all(
            isinstance(c, str) and len(c) == 2 and c.isalpha() and c.isupper() for c in value):
        return _("a list of two-letter ISO country codes, such as SA or AE")
    return None


def _check_threshold(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 50 <= value <= 100:
        return _("a whole number from 50 to 100")
    return None


def _check_grade(value: Any) -> str | None:
    if isinstance(value, str) and len(value) == 2 and value[0] in "ABCDEF" and value[1] in "123456":
        return None
    return _("an Admiralty grade such as B2")


def check_rules(value: Any) -> str | None:
    """Countersigning rules: a list of {name, outcomes, destinations, categories, count}."""
    if not isinstance(value, list):
        return _("a list of rules")
    for i, rule in enumerate(value, 1):
        if not isinstance(rule, dict):
            return _("rule {n} is not a table of fields").format(n=i)
        unknown = set(rule) - {"name", "outcomes", "destinations", "categories", "count"}
        if unknown:
            return _("rule {n} has unknown fields: {f}").format(n=i, f=", ".join(sorted(unknown)))
        if not isinstance(rule.get("name"), str) or not rule["name"].strip():
            return _("rule {n} needs a name").format(n=i)
        outcomes = rule.get("outcomes")
        if (not isinstance(outcomes, list) or not outcomes
                or any(o not in OUTCOMES for o in outcomes)):
            return _("rule {n}: outcomes must be a list of {known}").format(
                n=i, known=", ".join(OUTCOMES))
        dest = rule.get("destinations", "any")
        if dest not in ("any", "flagged") and _check_countries(dest) is not None:
            return _("rule {n}: destinations must be 'any', 'flagged' or a list of country "
                     "codes").format(n=i)
        cats = rule.get("categories", [])
        if not isinstance(cats, list) or not all(isinstance(c, str) and c for c in cats):
            return _("rule {n}: categories must be a list such as ML1, ML4").format(n=i)
        if rule.get("count") not in (1, 2):
            return _("rule {n}: count must be 1 or 2").format(n=i)
    return None


@dataclass(frozen=True)
class SettingSpec:
    key: str
    title: str
    default: Any
    check: Callable[[Any], str | None]
    help: str = ""


DEFAULT_RULES = [
    {"name": "Every refusal", "outcomes": ["refuse"], "destinations": "any", "categories": [],
     "count": 1},
    {"name": "Approvals to flagged destinations",
     "outcomes": ["approve", "approve-with-conditions"], "destinations": "flagged",
     "categories": [], "count": 1},
]

SPECS: dict[str, SettingSpec] = {s.key: s for s in (
    SettingSpec("authority.name", N_("Licensing authority"), "", _check_text,
                N_("Shown on decision records and documents.")),
    SettingSpec("authority.framework", N_("Framework the authority applies"), "", _check_text,
                N_("Offered first when an assessment is opened.")),
    SettingSpec("countersign.rules", N_("Countersigning rules"), DEFAULT_RULES, check_rules,
                N_("Which decisions need one or two countersignatures before they take "
                   "effect. The highest count among the matching rules applies.")),
    SettingSpec("countersign.flagged_destinations", N_("Flagged destinations"), [],
                _check_countries,
                N_("Destinations the 'flagged' rules apply to, besides any destination "
                   "under an arms embargo entry.")),
    SettingSpec("documents.classification", N_("Classification marking"),
                "OFFICIAL-SENSITIVE", _check_text,
                N_("Printed on every page of decision documents.")),
    SettingSpec("reassessment.min_grade", N_("Lowest grade that triggers reassessment"), "B2",
                _check_grade,
                N_("New evidence graded this or better about a licence in force puts it on "
                   "the to-reassess list.")),
    SettingSpec("screening.threshold", N_("Screening threshold"), 82, _check_threshold,
                N_("Lowest score (50 to 100) at which a sanctions-list entry is shown as a "
                   "hit. Lower finds more spelling variants and more false positives; the "
                   "threshold used is recorded with every screening.")),
)}


def _spec(key: str) -> SettingSpec:
    spec = SPECS.get(key)
    if spec is None:
        raise NotFoundError(_("Unknown setting '{key}'. Settings: {known}.").format(
            key=key, known=", ".join(SPECS)))
    return spec


def get(uow: UnitOfWork, key: str) -> Any:
    spec = _spec(key)
    row = uow.session.get(Setting, key)
    return spec.default if row is None else row.value


def all_settings(uow: UnitOfWork) -> dict[str, Any]:
    stored = {r.key: r.value for r in uow.session.scalars(select(Setting))}
    return {k: stored.get(k, s.default) for k, s in SPECS.items()}


def set_value(uow: UnitOfWork, actor: Actor, key: str, value: Any, *, commit: bool = True) -> None:
    require(actor, Permission.MANAGE_SETTINGS)
    spec = _spec(key)
    problem = spec.check(value)
    if problem:
        raise ValidationError([FieldProblem(key, problem)])
    before = get(uow, key)
    if before == value:
        return
    row = uow.session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=value, updated_at=now_utc(), updated_by_id=actor.id)
        uow.session.add(row)
    else:
        row.value = value
        row.updated_at = now_utc()
        row.updated_by_id = actor.id
    uow.flush()
    record_change(uow.session, actor.id, "setting.change", "setting", key, {"value": before},
                  {"value": value})
    if commit:
        uow.commit()
