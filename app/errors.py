"""One hierarchy for every failure the officer may see; messages are fit to show as they are.

The CLI maps ``InputError`` to exit status 2 and everything else to 1; the UI shows
``str(error)`` in a dialog.
"""

from __future__ import annotations

from dataclasses import dataclass


class GoldenRuleError(Exception):
    """Base of every error raised by the application layer."""


class InputError(GoldenRuleError):
    """The user's input (a file, a field, an argument) is wrong; nothing was stored."""


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ValidationError(InputError):
    def __init__(self, problems: list[FieldProblem], context: str = "") -> None:
        self.problems = list(problems)
        self.context = context
        lines = [str(p) for p in self.problems]
        head = f"{context}: " if context else ""
        if len(lines) == 1:
            text = head + lines[0]
        else:
            text = head + f"{len(lines)} problems\n" + "\n".join(f"  - {ln}" for ln in lines)
        super().__init__(text)


class ReferenceDataError(GoldenRuleError):
    """A reference table under resources/ is missing or malformed."""


class NotFoundError(InputError):
    """A reference, id or name the user gave matches nothing."""


class PermissionDeniedError(GoldenRuleError):
    pass


class AuthenticationError(InputError):
    pass


class StatusTransitionError(InputError):
    pass


class ConcurrentEditError(GoldenRuleError):
    pass


class DatabaseError(GoldenRuleError):
    pass


class DatabaseTooNewError(DatabaseError):
    pass


class IntegrityError(GoldenRuleError):
    """Stored data is not what was signed or recorded: it was changed behind the app's back."""


class Cancelled(Exception):
    """The user cancelled a long task (an import, a report); its transaction rolls back."""
