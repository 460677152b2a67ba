"""What every window needs: the open database, the signed-in user, reference data, signals.

One app-wide ``Signals`` object tells views that data changed, so each view refreshes
itself instead of being told by the code that changed the data (as Anki does).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from app.database import Database
from app.reference import ReferenceData, reference
from app.uow import UnitOfWork
from app.users import Actor


class Signals(QObject):
    sig_cases_changed = Signal()
    sig_users_changed = Signal()
    #: A screening run or judgement was stored, or a list changed: the case id, or None
    #: when it may concern any case. Views showing hard stops run their checks again.
    sig_screening_changed = Signal(object)


@dataclass
class UiContext:
    db: Database
    actor: Actor
    ref: ReferenceData = field(default_factory=reference)
    signals: Signals = field(default_factory=Signals)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.db.session_factory)
