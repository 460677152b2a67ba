"""Reading an import file as UTF-8 text, for every CSV importer alike."""

from __future__ import annotations

from pathlib import Path

from app.errors import InputError
from app.i18n import _


def read_utf8(path: Path) -> tuple[str, bytes, str]:
    """(label, raw bytes, text) of a UTF-8 file, a byte-order mark tolerated.

    Guessing another encoding would store silently garbled names in records that are never
    edited, so anything else is refused with the line where decoding failed."""
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(_("Nothing was stored: cannot read {path}: {error}").format(
            path=label, error=exc.strerror or exc)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(_("Nothing was stored: {path} is not UTF-8 text (line {line}): save "
                           "it as UTF-8 and import it again").format(
            path=label, line=raw[:exc.start].count(b"\n") + 1)) from exc
    return label, raw, text
