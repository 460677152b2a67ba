"""The findings file: an officer's findings written outside the window, read by the CLI.

Validated against ``resources/formats/findings.schema.json`` (the documented schema in
``docs/formats/``) and then against the framework, so a wrong criterion or level id is
refused with its path instead of silently ignored.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from app.assessment import AssessmentData
from app.assessments import IncidentData, check_findings, check_incidents
from app.casefile import read_json_file, schema_problems
from app.errors import FieldProblem, ValidationError
from app.frameworks import RESOURCES, Framework
from app.i18n import _

SCHEMA_PATH = RESOURCES / "formats" / "findings.schema.json"


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def from_document(doc: Any, framework: Framework
                  ) -> tuple[AssessmentData, list[IncidentData] | None]:
    problems = schema_problems(_validator(), doc)
    if problems:
        raise ValidationError(problems)
    if doc.get("framework") not in (None, framework.id):
        raise ValidationError([FieldProblem("framework", _(
            "the file is for '{file}', but --framework says '{given}'.").format(
                file=doc["framework"], given=framework.id))])
    data = AssessmentData.from_json({**doc, "framework": framework.id})
    incidents = ([IncidentData.from_json(i) for i in doc["past_incidents"]]
                 if "past_incidents" in doc else None)
    problems = check_findings(framework, data) + (check_incidents(incidents) if incidents else [])
    if problems:
        raise ValidationError(problems)
    return data, incidents


def read_file(path: Path, framework: Framework
              ) -> tuple[AssessmentData, list[IncidentData] | None]:
    doc = read_json_file(path)
    try:
        return from_document(doc, framework)
    except ValidationError as exc:
        raise ValidationError(exc.problems, context=str(path)) from exc


def to_document(data: AssessmentData, incidents: list[IncidentData] | None = None
                ) -> dict[str, Any]:
    """The inverse, so the window's work can be exported and replayed from the CLI."""
    doc = data.to_json()
    findings = {}
    for cid, f in doc["findings"].items():
        findings[cid] = {k: v for k, v in f.items() if v not in (None, "", [], {})}
    out: dict[str, Any] = {"format": 1, "framework": data.framework_id, "findings": findings}
    if data.mitigations:
        out["mitigations"] = doc["mitigations"]
    if data.reviews:
        out["check_reviews"] = doc["check_reviews"]
    if incidents is not None:
        out["past_incidents"] = [i.to_json() for i in incidents]
    return out
