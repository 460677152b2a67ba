"""The case file (JSON): one application in the documented format of docs/formats/.

Reading is strict: the JSON Schema checks the shape, then the domain rules check the
values; every problem names its field. Writing is canonical (sorted keys, UTF-8) so two
exports of the same case are byte-identical.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from app.casedata import CaseData, GoodsData, PartyData
from app.errors import FieldProblem, InputError, ValidationError
from app.i18n import _
from app.reference import ReferenceData, reference
from app.validation import validate_case

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "resources" / "formats" / "case.schema.json"
FORMAT = "golden-rule/case"
FORMAT_VERSION = 1


@cache
def _validator() -> Draft202012Validator:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return Draft202012Validator(json.load(fh))


def _path(error: SchemaError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_problems(doc: Any) -> list[FieldProblem]:
    return schema_problems(_validator(), doc)


def schema_problems(validator: Draft202012Validator, doc: Any) -> list[FieldProblem]:
    """Schema errors as field problems, each naming the field at fault by its own path."""
    problems: list[FieldProblem] = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.path))):
        path = _path(err)
        # A missing or unknown field is named by its own path, not its parent's.
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            known = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
            found = [FieldProblem(_join(path, name), _("unknown field"))
                     for name in err.instance if name not in known]
        elif err.validator == "required" and isinstance(err.instance, dict):
            found = [FieldProblem(_join(path, name), _("missing required field"))
                     for name in err.validator_value if name not in err.instance]
        else:
            found = [FieldProblem(path, err.message)]
        problems.extend(f for f in found if f not in problems)
    return problems


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _plain(value: Decimal) -> str:
    """Plain notation ("100", never "1E+2"): the file format's decimal strings have no exponent."""
    return format(value, "f")


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal("NaN")


def _date(value: str | None, field: str, problems: list[FieldProblem]) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(FieldProblem(field, _("'{v}' is not a calendar date (YYYY-MM-DD)")
                                     .format(v=value)))
        return None


def from_document(doc: Any, ref: ReferenceData | None = None, *,
                  today: date | None = None) -> CaseData:
    """Turn a parsed case file into validated data, or raise naming every bad field."""
    ref = ref or reference()
    problems = _schema_problems(doc)
    if problems:
        raise ValidationError(problems)
    exporter = doc["exporter"]
    euc = doc.get("end_user_certificate") or {}
    data = CaseData(
        licence_type=doc["licence_type"],
        applicant_reference=doc.get("applicant_reference", ""),
        exporter_name=exporter["name"],
        exporter_address=exporter.get("address", ""),
        exporter_country=exporter["country"],
        exporter_registration=exporter.get("registration_number", ""),
        destination=doc["destination"],
        end_use=doc["end_use"],
        euc_number=euc.get("number", ""),
        euc_date=_date(euc.get("date"), "end_user_certificate.date", problems),
        euc_issuer=euc.get("issuer", ""),
        received_date=_date(doc["received_date"], "received_date", problems),
        deadline=_date(doc.get("deadline"), "deadline", problems),
        notes=doc.get("notes", ""),
        parties=[
            PartyData(role=p["role"], name=p["name"], address=p.get("address", ""),
                      country=p["country"], kind=p["kind"],
                      birth_date=p.get("birth_date", ""))
            for p in doc["parties"]
        ],
        goods=[
            GoodsData(description=g["description"], control_entry=g["control_entry"],
                      att_category=g["att_category"], quantity=_decimal(g["quantity"]),
                      unit=g["unit"], value=_decimal(g["value"]), currency=g["currency"])
            for g in doc["goods"]
        ],
    )
    problems.extend(validate_case(data, ref, complete=True, today=today))
    if problems:
        raise ValidationError(problems)
    return data


def to_document(data: CaseData, record: dict[str, Any] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "licence_type": data.licence_type,
        "applicant_reference": data.applicant_reference,
        "exporter": {
            "name": data.exporter_name,
            "address": data.exporter_address,
            "country": data.exporter_country,
            "registration_number": data.exporter_registration,
        },
        "destination": data.destination,
        "end_use": data.end_use,
        "end_user_certificate": (
            {"number": data.euc_number,
             "date": data.euc_date.isoformat() if data.euc_date else None,
             "issuer": data.euc_issuer}
            if data.euc_number or data.euc_date or data.euc_issuer else None
        ),
        "received_date": data.received_date.isoformat() if data.received_date else None,
        "deadline": data.deadline.isoformat() if data.deadline else None,
        "notes": data.notes,
        "parties": [_party(p) for p in data.parties],
        "goods": [
            {"description": g.description, "control_entry": g.control_entry,
             "att_category": g.att_category, "quantity": _plain(g.quantity), "unit": g.unit,
             "value": _plain(g.value), "currency": g.currency}
            for g in data.goods
        ],
    }
    if record is not None:
        doc["record"] = record
    return doc


def _party(p: PartyData) -> dict[str, Any]:
    out: dict[str, Any] = {"role": p.role, "name": p.name, "address": p.address,
                           "country": p.country, "kind": p.kind}
    if p.birth_date:  # written only when known, so files without one stay as they were
        out["birth_date"] = p.birth_date
    return out


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def read_file(path: Path, ref: ReferenceData | None = None, *,
              today: date | None = None) -> CaseData:
    """Read and validate a case file; errors name the file as well as the field."""
    doc = read_json_file(path)
    try:
        return from_document(doc, ref, today=today)
    except ValidationError as exc:
        raise ValidationError(exc.problems, context=str(path)) from exc


def read_json_file(path: Path) -> Any:
    """A UTF-8 JSON file parsed; unreadable, non-UTF-8 or malformed files name the problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(_("Cannot read {path}: {error}").format(path=path,
                                                                 error=exc.strerror)) from exc
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(_("{path} is not UTF-8 text (byte {pos})").format(
            path=path, pos=exc.start)) from exc
    except json.JSONDecodeError as exc:
        raise InputError(_("{path} is not valid JSON: {msg} at line {line}, column {col}")
                         .format(path=path, msg=exc.msg, line=exc.lineno,
                                 col=exc.colno)) from exc
