"""The case file (JSON): lossless round trips, strict reading, errors that name the field."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import casefile
from app.casedata import CaseData, PartyData
from app.errors import InputError, ValidationError
from tests.unit.test_validation import TODAY, valid_cases


def _fields(error: ValidationError) -> set[str]:
    return {p.field for p in error.problems}


@pytest.fixture
def doc(sample_case_data: CaseData) -> dict[str, Any]:
    return json.loads(casefile.dumps(casefile.to_document(sample_case_data)))


def read(doc: Any) -> CaseData:
    return casefile.from_document(doc, today=TODAY)


# -- round trips -----------------------------------------------------------------------------


def test_sample_round_trip(sample_case_data: CaseData, doc: dict[str, Any]) -> None:
    assert doc["format"] == "golden-rule/case" and doc["format_version"] == 1
    assert doc["exporter"]["name"] == "Société Générale d'Armement"
    assert doc["goods"][1]["value"] == "38000.50"
    assert read(doc) == sample_case_data


@given(valid_cases())
def test_round_trip_is_lossless(data: CaseData) -> None:
    text = casefile.dumps(casefile.to_document(data))
    back = read(json.loads(text))
    assert back == data
    # Decimals keep their written form too ("1.50" stays "1.50"), not only their value.
    assert [(str(g.quantity), str(g.value)) for g in back.goods] == \
        [(str(g.quantity), str(g.value)) for g in data.goods]
    # And writing again gives the same bytes: the export is canonical.
    assert casefile.dumps(casefile.to_document(back)) == text


@given(valid_cases())
def test_dumps_is_canonical_utf8(data: CaseData) -> None:
    text = casefile.dumps(casefile.to_document(data))
    assert text.endswith("\n")
    # UTF-8, not \u escapes: every non-ASCII character is written as itself.
    for c in data.exporter_name + data.notes + data.end_use:
        if ord(c) > 127:
            assert c in text
    parsed = json.loads(text)
    assert json.dumps(parsed, ensure_ascii=False, sort_keys=True, indent=2) + "\n" == text


@given(valid_cases(), st.lists(st.floats(min_value=0.001, max_value=1e14, allow_nan=False,
                                         allow_infinity=False), min_size=1, max_size=4))
def test_json_numbers_round_trip_or_are_refused(data: CaseData, numbers: list[float]) -> None:
    """A file may give amounts as JSON numbers; what is accepted must export and re-import."""
    doc = casefile.to_document(data)
    for line, number in zip(doc["goods"], numbers, strict=False):
        line["quantity"] = number
    try:
        first = read(json.loads(json.dumps(doc)))
    except ValidationError as exc:
        assert _fields(exc) <= {f"goods[{i}].quantity" for i in range(len(doc["goods"]))}
        return
    second = read(json.loads(casefile.dumps(casefile.to_document(first))))
    assert second == first


@pytest.mark.parametrize(("number", "written"), [
    (12.5, "12.5"), (1e-5, "0.00001"), (100, "100"), (1e14, "100000000000000.0"),
])
def test_json_numbers_are_written_as_plain_decimals(doc: dict[str, Any], number: float,
                                                    written: str) -> None:
    doc["goods"][0]["quantity"] = number
    data = read(doc)
    assert casefile.to_document(data)["goods"][0]["quantity"] == written


@pytest.mark.parametrize(("number", "fragment"), [
    (1e-7, "decimal places"), (0.1234567, "decimal places"), (1e16, "digits before"),
])
def test_json_numbers_that_cannot_be_written_back_are_refused(
        doc: dict[str, Any], number: float, fragment: str) -> None:
    doc["goods"][0]["quantity"] = number
    with pytest.raises(ValidationError) as info:
        read(doc)
    assert _fields(info.value) == {"goods[0].quantity"}
    assert fragment in str(info.value)


def test_exponent_decimals_are_written_plainly(sample_case_data: CaseData) -> None:
    sample_case_data.goods[0].quantity = Decimal("1E+2")
    sample_case_data.goods[0].value = Decimal("4.2E+5")
    doc = casefile.to_document(sample_case_data)
    assert doc["goods"][0]["quantity"] == "100"
    assert doc["goods"][0]["value"] == "420000"
    assert read(json.loads(casefile.dumps(doc))) == sample_case_data


def test_record_block_is_written_and_ignored(sample_case_data: CaseData) -> None:
    record = {"reference": "GR-2026-00001", "status": "received", "demo": False}
    doc = casefile.to_document(sample_case_data, record)
    assert doc["record"] == record
    assert read(doc) == sample_case_data
    assert "record" not in casefile.to_document(sample_case_data)


def test_optional_fields_may_be_left_out(doc: dict[str, Any]) -> None:
    for key in ("applicant_reference", "end_user_certificate", "deadline", "notes"):
        del doc[key]
    for key in ("address", "registration_number"):
        del doc["exporter"][key]
    for party in doc["parties"]:
        del party["address"]
    data = read(doc)
    assert data.euc_number == "" and data.euc_date is None and data.deadline is None
    assert data.exporter_address == "" and data.notes == ""


def test_date_of_birth_round_trips_and_is_written_only_when_known(
        sample_case_data: CaseData) -> None:
    sample_case_data.parties.append(PartyData(role="broker", name="Ivan Petrovich Sidorov",
                                              address="Limassol", country="CY",
                                              kind="individual", birth_date="1965-03"))
    doc = casefile.to_document(sample_case_data)
    assert [p.get("birth_date") for p in doc["parties"]] == [None, None, None, "1965-03"]
    text = casefile.dumps(doc)
    assert '"birth_date": "1965-03"' in text
    back = read(json.loads(text))
    assert back == sample_case_data
    assert back.parties[3].birth_date == "1965-03"
    assert casefile.dumps(casefile.to_document(back)) == text


def test_files_without_a_date_of_birth_are_written_as_before(
        sample_case_data: CaseData, doc: dict[str, Any]) -> None:
    assert all(set(p) == {"role", "name", "address", "country", "kind"} for p in doc["parties"])
    # an empty date of birth in a file reads as "not known" and is left out on export
    doc["parties"][0]["birth_date"] = ""
    data = read(doc)
    assert data == sample_case_data and data.parties[0].birth_date == ""
    assert "birth_date" not in casefile.to_document(data)["parties"][0]


def test_date_of_birth_on_an_organisation_is_refused(doc: dict[str, Any]) -> None:
    doc["parties"][1]["birth_date"] = "1970-03-12"
    with pytest.raises(ValidationError) as info:
        read(doc)
    assert _fields(info.value) == {"parties[1].birth_date"}
    assert "only an individual has a date of birth" in str(info.value)
    doc["parties"][1]["kind"] = "individual"
    assert read(doc).parties[1].birth_date == "1970-03-12"
    doc["parties"][1]["birth_date"] = "2026-03-17"  # the day after TODAY
    with pytest.raises(ValidationError) as info:
        read(doc)
    assert "parties[1].birth_date: cannot be in the future" in str(info.value)


def test_utf8_bom_is_accepted(tmp_path: Path, doc: dict[str, Any],
                              sample_case_data: CaseData) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    assert casefile.read_file(path, today=TODAY) == sample_case_data


# -- schema violations -----------------------------------------------------------------------


def _mutations() -> list[tuple[str, Any, str]]:
    def set_(path: list[Any], value: Any):  # type: ignore[no-untyped-def]
        def go(doc: dict[str, Any]) -> None:
            target = doc
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        return go

    def delete(path: list[Any]):  # type: ignore[no-untyped-def]
        def go(doc: dict[str, Any]) -> None:
            target = doc
            for key in path[:-1]:
                target = target[key]
            del target[path[-1]]
        return go

    return [
        ("colour", set_(["colour"], "rouge"), "unknown field"),
        ("exporter.fax", set_(["exporter", "fax"], "+33 1"), "unknown field"),
        ("goods[1].serial", set_(["goods", 1, "serial"], "X"), "unknown field"),
        ("parties[2].email", set_(["parties", 2, "email"], "a@b"), "unknown field"),
        ("end_user_certificate.stamp", set_(["end_user_certificate", "stamp"], True),
         "unknown field"),
        ("exporter.name", delete(["exporter", "name"]), "missing required field"),
        ("goods[0].control_entry", delete(["goods", 0, "control_entry"]),
         "missing required field"),
        ("parties[1].kind", delete(["parties", 1, "kind"]), "missing required field"),
        ("received_date", delete(["received_date"]), "missing required field"),
        ("goods", delete(["goods"]), "missing required field"),
        ("destination", set_(["destination"], 384), "is not of type 'string'"),
        ("goods[0].quantity", set_(["goods", 0, "quantity"], True), ""),
        ("parties", set_(["parties"], {"role": "end_user"}), "is not of type 'array'"),
        ("exporter.country", set_(["exporter", "country"], "fra"), "does not match"),
        ("destination", set_(["destination"], "ci"), "does not match"),
        ("received_date", set_(["received_date"], "2026-02-30"), "not a calendar date"),
        ("received_date", set_(["received_date"], "02/02/2026"), "does not match"),
        ("deadline", set_(["deadline"], "2026-13-01"), "not a calendar date"),
        ("end_user_certificate.date", set_(["end_user_certificate", "date"], "2025-02-29"),
         "not a calendar date"),
        ("goods[0].quantity", set_(["goods", 0, "quantity"], "1,5"), "'1,5'"),
        ("goods[2].value", set_(["goods", 2, "value"], "12.3.4"), "'12.3.4'"),
        ("goods[1].value", set_(["goods", 1, "value"], "1e5"), "'1e5'"),
        ("goods[1].value", set_(["goods", 1, "value"], "1.1234567"), "'1.1234567'"),
        ("goods[0].currency", set_(["goods", 0, "currency"], "euro"), "does not match"),
        ("parties[0].role", set_(["parties", 0, "role"], "buyer"), "is not one of"),
        ("parties[2].birth_date", set_(["parties", 2, "birth_date"], "12/03/1970"),
         "does not match"),
        ("parties[0].birth_date", set_(["parties", 0, "birth_date"], 1970),
         "is not of type 'string'"),
        ("format_version", set_(["format_version"], 2), ""),
        ("format", set_(["format"], "other/case"), ""),
        ("exporter.name", set_(["exporter", "name"], ""), ""),
    ]


@pytest.mark.parametrize(("field", "mutate", "fragment"), _mutations(),
                         ids=[f"{m[0]}-{i}" for i, m in enumerate(_mutations())])
def test_schema_violation_names_the_field(doc: dict[str, Any], field: str, mutate: Any,
                                          fragment: str) -> None:
    mutate(doc)
    with pytest.raises(ValidationError) as info:
        read(doc)
    assert field in _fields(info.value), info.value.problems
    assert fragment in str(info.value)
    # The message names the field path, so the CLI can show it as it is.
    assert field in str(info.value)


def test_every_problem_is_reported_at_once(doc: dict[str, Any]) -> None:
    doc["destination"] = "XX"
    doc["goods"][0]["control_entry"] = "ML23"
    doc["goods"][1]["control_entry"] = "ML3.z"
    doc["parties"][0]["country"] = "QQ"
    with pytest.raises(ValidationError) as info:
        read(doc)
    assert _fields(info.value) == {"destination", "goods[0].control_entry",
                                   "goods[1].control_entry", "parties[0].country"}
    assert "4 problems" in str(info.value)


def test_not_an_object_is_refused() -> None:
    for value in ([], "case", 42, None):
        with pytest.raises(ValidationError):
            read(value)


def test_domain_rules_follow_the_schema(doc: dict[str, Any]) -> None:
    doc["received_date"] = "2026-03-17"  # the day after TODAY
    with pytest.raises(ValidationError) as info:
        read(doc)
    assert _fields(info.value) == {"received_date"}


# -- files -----------------------------------------------------------------------------------


def test_read_file(tmp_path: Path, doc: dict[str, Any], sample_case_data: CaseData) -> None:
    path = tmp_path / "démande.json"
    path.write_text(casefile.dumps(doc), encoding="utf-8")
    assert casefile.read_file(path, today=TODAY) == sample_case_data


def test_read_file_not_json_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "golden-rule/case",\n  "licence_type": SIEL\n}\n',
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        casefile.read_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 3" in message and "column 19" in message
    assert not isinstance(info.value, ValidationError)


def test_read_file_not_utf8(tmp_path: Path, doc: dict[str, Any]) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(doc, ensure_ascii=False).encode("latin-1", "replace"))
    with pytest.raises(InputError) as info:
        casefile.read_file(path)
    message = str(info.value)
    assert str(path) in message and "UTF-8" in message
    raw = path.read_bytes()
    first_bad = next(i for i, b in enumerate(raw) if b > 127)
    assert f"byte {first_bad}" in message


def test_read_file_missing(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "case.json"
    with pytest.raises(InputError) as info:
        casefile.read_file(path)
    assert str(path) in str(info.value)
    assert "Cannot read" in str(info.value)


def test_read_file_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        casefile.read_file(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_read_file_validation_error_names_file_and_field(tmp_path: Path,
                                                         doc: dict[str, Any]) -> None:
    doc["goods"][0]["control_entry"] = "ML99"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        casefile.read_file(path, today=TODAY)
    assert info.value.context == str(path)
    assert _fields(info.value) == {"goods[0].control_entry"}
    assert str(info.value).startswith(f"{path}: goods[0].control_entry: ")


def test_demo_documents_are_valid_case_files() -> None:
    spec = json.loads(Path(casefile.SCHEMA_PATH).parent.parent.joinpath(
        "demo", "cases.json").read_text(encoding="utf-8"))
    for item in spec["cases"]:
        if item["status"] == "draft":
            continue
        document = copy.deepcopy(item["case"])
        document["received_date"] = date(2026, 1, 5).isoformat()
        data = read(document)
        assert data.exporter_name.startswith("[DEMO]")
