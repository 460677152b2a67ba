"""The documented case-file schema is the one the program validates with."""

from __future__ import annotations

import json
from pathlib import Path

from app.casefile import SCHEMA_PATH, from_document

ROOT = Path(__file__).resolve().parents[2]


def test_documented_schema_is_the_shipped_schema() -> None:
    assert (ROOT / "docs" / "formats" / "case.schema.json").read_bytes() == SCHEMA_PATH.read_bytes()


def test_example_in_the_format_notes_is_a_valid_case_file() -> None:
    text = (ROOT / "docs" / "formats" / "README.md").read_text(encoding="utf-8")
    example = text.split("```json", 1)[1].split("```", 1)[0]
    data = from_document(json.loads(example))
    assert data.parties and data.goods
