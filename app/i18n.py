"""Translation hook for every user-visible string written outside the Qt layer.

Strings are marked with ``_()`` so that gettext catalogues can be extracted later; the UI
layer marks its own strings with Qt's ``tr``.
"""

from __future__ import annotations

import gettext
from pathlib import Path

_LOCALE_DIR = Path(__file__).resolve().parent.parent / "resources" / "locale"
_translation = gettext.translation("goldenrule", localedir=_LOCALE_DIR, fallback=True)


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark a string for extraction where it is translated later (for example in a table)."""
    return message
