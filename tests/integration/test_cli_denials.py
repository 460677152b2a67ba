"""The denials commands of the CLI, in-process: import (all or nothing, exit 2 naming file,
line and column), list, check a case, record the consultation; an administrator may import
but not consult (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.casedata import CaseData
from tests.integration.test_cli import INIT_STDIN, OFFICER_PW, Cli, Result, new_account_stdin
from tests.integration.test_cli_assessment import import_case
from tests.unit.test_denials import VALID_FIXTURE, lite, lite_row


@pytest.fixture
def office(cli: Cli) -> Cli:
    result = cli("init", "--full-name", "Ada Admin", stdin=INIT_STDIN)
    assert result.code == 0, result.err
    result = cli.admin("user", "add", "olga", "--role", "officer", "--full-name",
                       "Olga Øfficer", stdin=new_account_stdin(OFFICER_PW))
    assert result.code == 0, result.err
    return cli


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(tmp_path / "cli.sqlite3", capsys, monkeypatch)


def olga(cli: Cli, *args: str) -> Result:
    return cli(*args, user="olga", password=OFFICER_PW)


def test_import_list_check_and_consult(office: Cli, tmp_path: Path,
                                       sample_case_data: CaseData) -> None:
    path = lite(tmp_path, [lite_row(), lite_row("NL-1", country="Atlantis", notified_on="")])
    result = olga(office, "denials", "import", str(path), "--notified-on", "2025-04-01")
    assert result.code == 0, result.err
    assert "2 rows; 2 added, 0 updated, 0 unchanged." in result.out
    assert "warning: " in result.out and "'Atlantis'" in result.out

    again = office.admin("denials", "import", str(path))
    assert again.code == 0, again.err
    assert "0 added, 0 updated, 2 unchanged." in again.out

    listed = olga(office, "denials", "list", "--json")
    assert listed.code == 0, listed.err
    rows = json.loads(listed.out)
    assert [(r["key"], r["date"], r["destination"]) for r in rows] == [
        ("notified:FR-2025-0001", "2025-03-01", "CI"), ("notified:NL-1", "2025-04-01", "")]
    text = olga(office, "denials", "list", "--as-of", "2028-03-15")
    assert text.code == 0 and text.out.splitlines() == [
        "notified:NL-1\t2025-04-01\t?\tFrance\tend_user\tGendarmerie nationale de Côte "
        "d'Ivoire\tML1.a"]

    ref = import_case(office, tmp_path, sample_case_data)
    checked = olga(office, "denials", "check", ref)
    assert checked.code == 0, checked.err
    assert "1 earlier denial(s) of an essentially identical transaction" in checked.out
    assert "notified:FR-2025-0001\tDenied by France on 2025-03-01 (FR-2025-0001)" in checked.out
    assert "Same destination: Côte d'Ivoire (CI)." in checked.out
    assert f"goldenrule denials consult {ref} notified:FR-2025-0001" in checked.out

    refused = office.admin("denials", "consult", ref, "notified:FR-2025-0001", "--with",
                           "France", "--on", "2025-11-03", "--outcome", "Maintained.")
    assert refused.code == 1 and "may not assess applications" in refused.err

    consulted = olga(office, "denials", "consult", ref, "notified:FR-2025-0001", "--with",
                     "France (SGDSN)", "--on", "2025-11-03", "--outcome",
                     "France maintains its denial.")
    assert consulted.code == 0, consulted.err
    assert consulted.out.startswith(f"Recorded for {ref} about notified:FR-2025-0001: "
                                    "Consulted France (SGDSN) on 2025-11-03 (olga)")
    as_json = olga(office, "denials", "check", ref, "--json")
    assert as_json.code == 0, as_json.err
    doc = json.loads(as_json.out)
    [match] = doc["matches"]
    assert match["consultation"]["consulted"] == "France (SGDSN)"
    assert match["party_role"] == "end_user" and match["categories"] == ["ML1"]

    lapsed = olga(office, "denials", "check", ref, "--as-of", "2028-03-01")
    assert lapsed.code == 0 and "no earlier denial" in lapsed.out


@pytest.mark.parametrize("args", [
    ("denials", "import", "FILE", "--notified-on", "1 March"),
    ("denials", "list", "--as-of", "2025-13-01"),
    ("denials", "check", "GR-1999-00001"),
    ("denials", "consult", "REF", "notified:NOPE", "--with", "France", "--on", "2025-11-03",
     "--outcome", "x"),
    ("denials", "consult", "REF", "notified:FR-2025-0001", "--with", "France", "--on",
     "yesterday", "--outcome", "x"),
    ("denials", "consult", "REF", "notified:FR-2025-0001", "--with", "France", "--on",
     "2025-11-03", "--outcome", " "),
])
def test_bad_input_exits_2(office: Cli, tmp_path: Path, sample_case_data: CaseData,
                           args: tuple[str, ...]) -> None:
    path = lite(tmp_path, [lite_row()])
    assert olga(office, "denials", "import", str(path)).code == 0
    ref = import_case(office, tmp_path, sample_case_data)
    argv = [str(path) if a == "FILE" else ref if a == "REF" else a for a in args]
    result = olga(office, *argv)
    assert result.code == 2, result.out
    assert result.err.startswith("error: ")


def test_a_bad_file_exits_2_and_stores_nothing(office: Cli, tmp_path: Path) -> None:
    path = lite(tmp_path, [lite_row(), lite_row("", name="")])
    result = olga(office, "denials", "import", str(path))
    assert result.code == 2
    assert "Nothing was stored: 2 problems" in result.err
    assert "denials.csv line 3: reference: a value is required" in result.err
    assert "denials.csv line 3: name: a value is required" in result.err
    listed = olga(office, "denials", "list", "--json")
    assert json.loads(listed.out) == []


def test_the_shared_fixture_is_refused_naming_its_line(office: Cli) -> None:
    if not VALID_FIXTURE.is_file():
        pytest.skip("../shared/data/lite_denial_fixture_valid.csv is not present")
    result = olga(office, "denials", "import", str(VALID_FIXTURE))
    assert result.code == 2
    assert "lite_denial_fixture_valid.csv line 4: reference: a value is required" in result.err
