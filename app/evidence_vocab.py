"""The evidence vocabularies (violation taxonomy, source kinds, Admiralty grades): data in
``resources/reference/evidence_vocabulary.yaml``, loaded once and validated."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.errors import ReferenceDataError
from app.i18n import _
from app.reference import REFERENCE_DIR, TableInfo, _load_yaml

VOCAB_PATH = REFERENCE_DIR / "evidence_vocabulary.yaml"


@dataclass(frozen=True)
class Term:
    id: str
    title: str
    group: str = ""


@dataclass(frozen=True)
class EvidenceVocabulary:
    violations: dict[str, Term]
    source_kinds: dict[str, Term]
    reliability: dict[str, Term]
    credibility: dict[str, Term]
    info: TableInfo


def load_vocabulary(path: Path = VOCAB_PATH) -> EvidenceVocabulary:
    data = _load_yaml(path)

    def terms(key: str) -> dict[str, Term]:
        rows = data.get(key)
        if not isinstance(rows, list) or not rows:
            raise ReferenceDataError(_("{path}: '{key}' must be a non-empty list").format(
                path=path, key=key))
        out: dict[str, Term] = {}
        for n, row in enumerate(rows, start=1):
            if not isinstance(row, dict) or not isinstance(row.get("id"), str) \
                    or not isinstance(row.get("title"), str):
                raise ReferenceDataError(_("{path}: {key}[{n}] needs an id and a title").format(
                    path=path, key=key, n=n))
            if row["id"] in out:
                raise ReferenceDataError(_("{path}: duplicate id {id} in {key}").format(
                    path=path, id=row["id"], key=key))
            out[row["id"]] = Term(row["id"], row["title"], str(row.get("group", "")))
        return out

    return EvidenceVocabulary(terms("violations"), terms("source_kinds"), terms("reliability"),
                              terms("credibility"),
                              TableInfo(data["version"], data["as_of"], data["source"]))


@cache
def vocabulary() -> EvidenceVocabulary:
    return load_vocabulary()
