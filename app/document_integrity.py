"""The stored rationale documents, checked as part of ``audit verify``.

Each stored revision must hash to what its row says, and an intact ``document.issue`` or
``document.countersign`` event must have recorded that hash: a PDF swapped in the database,
with or without its hash column, is named here before anyone exports it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import Kind, Problem
from app.i18n import _
from db.models import Case, DecisionRow, RationaleDocument

#: Documents hashed per query batch: a PDF is ~100-200 KB, so a batch stays small.
BATCH = 200


def _names(session: Session) -> dict[int, str]:
    rows = session.execute(select(DecisionRow.id, Case.reference, DecisionRow.sequence)
                           .join(Case, Case.id == DecisionRow.case_id)
                           .where(DecisionRow.kind == "decision"))
    return {rid: f"{ref}/{seq}" for rid, ref, seq in rows}


def check_documents(session: Session, recorded: Mapping[str, int],
                    cancelled: Callable[[], bool] | None = None) -> list[Problem]:
    problems: list[Problem] = []
    names: dict[int, str] | None = None
    stmt = (select(RationaleDocument.id, RationaleDocument.decision_id, RationaleDocument.kind,
                   RationaleDocument.revision, RationaleDocument.sha256, RationaleDocument.data)
            .order_by(RationaleDocument.id).execution_options(yield_per=BATCH))
    for n, (row_id, decision_id, kind, revision, sha, data) in enumerate(session.execute(stmt)):
        if cancelled is not None and n % BATCH == 0 and cancelled():
            break
        actual = hashlib.sha256(data).hexdigest()
        if actual == sha and sha in recorded:
            continue
        if names is None:
            names = _names(session)
        target = _("{kind} revision {revision} of {record}").format(
            kind=kind.upper(), revision=revision, record=names.get(decision_id, decision_id))
        if actual != sha:
            message = _("The stored {target} was changed after it was signed: its bytes no "
                        "longer hash to the value recorded (row {row}).")
        else:
            message = _("The stored {target} is not one the audit trail records: it was put "
                        "there behind the application's back, hash and all (row {row}).")
        problems.append(Problem(Kind.EDITED, target, message.format(target=target, row=row_id),
                                (), decision_id))
    return problems
