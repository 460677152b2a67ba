"""Loading the oversight reports' data files (crosswalk, exchange rates, regions, redaction
profiles) the way ``app.reference`` loads its tables: versioned YAML, checked when loaded,
with an error that names the file and the entry so the authority can fix it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from app.errors import ReferenceDataError
from app.i18n import _
from app.reference import REFERENCE_DIR, _load_yaml


def load_table(name: str, directory: Path = REFERENCE_DIR) -> tuple[Path, dict[str, Any]]:
    """The mapping in ``<directory>/<name>.yaml``, with its version, as_of, source and notes
    checked."""
    path = directory / f"{name}.yaml"
    data = _load_yaml(path)
    if not isinstance(data.get("notes"), str) or not data["notes"].strip():
        fail(path, "notes", _("must be a non-empty string"))
    return path, data


def fail(path: Path, entry: str, problem: str) -> NoReturn:
    raise ReferenceDataError(_("Reference table {path}: {entry} {problem}").format(
        path=path, entry=entry, problem=problem))


def mapping(path: Path, value: Any, entry: str) -> dict[Any, Any]:
    if not isinstance(value, dict) or not value:
        fail(path, entry, _("must be a non-empty mapping"))
    return value


def text(path: Path, value: Any, entry: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        fail(path, entry, _("must be a non-empty string") if not empty
             else _("must be a string"))
    return value


def text_list(path: Path, value: Any, entry: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        fail(path, entry, _("must be a list of non-empty strings"))
    return value
