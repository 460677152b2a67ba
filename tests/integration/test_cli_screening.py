"""The screening commands of the CLI, in-process: import a list (and a bad one: exit 2,
nothing stored), see the diff of a new version, screen a case, judge its hit, re-screen, and
a role that may not judge (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.casedata import CaseData
from tests.integration.test_cli import INIT_STDIN, OFFICER_PW, Cli, Result, new_account_stdin
from tests.integration.test_cli_assessment import import_case
from tests.unit.test_screening_service import V1, resembling, write_list

UN_SMALL = Path(__file__).resolve().parents[1] / "data" / "screening" / "un_small.xml"


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(tmp_path / "cli.sqlite3", capsys, monkeypatch)


@pytest.fixture
def office(cli: Cli) -> Cli:
    result = cli("init", "--full-name", "Ada Admin", stdin=INIT_STDIN)
    assert result.code == 0, result.err
    result = cli.admin("user", "add", "olga", "--role", "officer", "--full-name",
                       "Olga Øfficer", stdin=new_account_stdin(OFFICER_PW))
    assert result.code == 0, result.err
    return cli


def olga(cli: Cli, *args: str) -> Result:
    return cli(*args, user="olga", password=OFFICER_PW)


def test_import_screen_judge_and_rescreen(office: Cli, tmp_path: Path,
                                          sample_case_data: CaseData) -> None:
    ref = import_case(office, tmp_path, resembling(sample_case_data))
    first = write_list(tmp_path / "national.csv", V1)
    result = olga(office, "screening", "import-csv", str(first), "--list", "National list")
    assert result.code == 0, result.err
    assert "Imported National list of " in result.out and "3 entries (6 names)" in result.out
    assert "First version of the list: 3 entries." in result.out
    assert f"{ref}: ABIDJAN LOGISTIQUE DEFENSE SARL ~ Abidjan Logistique Défense" in result.out

    checked = olga(office, "screening", "check", ref, "--json")
    assert checked.code == 0, checked.err
    doc = json.loads(checked.out)
    [hit] = doc["hits"]
    assert (hit["entry_key"], hit["state"], hit["party"]["role"]) == ("E-1", "open",
                                                                       "consignee")
    assert doc["threshold"] == 82 and doc["lists"][0]["list"] == "National list"
    assert any("Abidjan Logistique" in line for line in hit["why"])

    no_reason = olga(office, "screening", "judge", ref, "--party",
                     "ABIDJAN LOGISTIQUE DEFENSE SARL", "--list", "National list", "--entry",
                     "E-1", "--false-positive")
    assert no_reason.code == 2 and "--reason" in no_reason.err
    admin = office.admin("screening", "judge", ref, "--party",
                         "ABIDJAN LOGISTIQUE DEFENSE SARL", "--list", "National list",
                         "--entry", "E-1", "--match")
    assert admin.code == 1 and "may not screen parties" in admin.err
    judged = olga(office, "screening", "judge", ref, "--party",
                  "ABIDJAN LOGISTIQUE DEFENSE SARL", "--list", "National list", "--entry",
                  "E-1", "--false-positive", "--reason", "Different registration number.")
    assert judged.code == 0, judged.err
    text = olga(office, "screening", "check", ref)
    assert "[False positive] Consignee ABIDJAN LOGISTIQUE DEFENSE SARL" in text.out
    assert "Judged false positive by Olga Øfficer" in text.out

    v2 = [*V1, ("E-3", "Société Générale d'Armement", "entity", "", "", "FR", "EU",
                "FRe.001", "2026-06-01", "")]
    second = olga(office, "screening", "import-csv",
                  str(write_list(tmp_path / "v2.csv", v2)), "--list", "National list")
    assert second.code == 0, second.err
    assert "1 added, 0 removed, 0 amended." in second.out
    assert "new to review" in second.out and "Société Générale d'Armement" in second.out
    diff = olga(office, "screening", "diff", "National list", "--json")
    assert json.loads(diff.out)["added"] == 1

    lists = olga(office, "screening", "lists", "--json")
    [info] = json.loads(lists.out)
    assert info["versions"] == 2 and info["current"]["entries"] == 4
    history = olga(office, "screening", "history", ref)
    assert history.code == 0 and "list-update" in history.out and "false_positive" in history.out


def test_bad_files_store_nothing(office: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "consolidated.xml"
    broken.write_text(UN_SMALL.read_text(encoding="utf-8")[:900], encoding="utf-8")
    result = olga(office, "screening", "import-un", str(broken))
    assert result.code == 2 and "consolidated.xml" in result.err
    lists = olga(office, "screening", "lists")
    assert lists.out.strip() == "No sanctions list is imported."
    un = olga(office, "screening", "import-un", str(UN_SMALL), "--no-rescreen")
    assert un.code == 0, un.err
    again = olga(office, "screening", "import-un", str(UN_SMALL))
    assert again.code == 2 and "already the current version" in again.err


def test_a_name_is_checked_without_a_case(office: Cli, tmp_path: Path) -> None:
    first = write_list(tmp_path / "national.csv", V1)
    assert olga(office, "screening", "import-csv", str(first), "--list", "N").code == 0
    found = olga(office, "screening", "name", "Сидоров Иван Петрович", "--country", "RU",
                 "--dob", "1970-05-01", "--kind", "individual", "--json")
    assert found.code == 0, found.err
    [hit] = json.loads(found.out)["hits"]
    assert hit["entry_key"] == "I-1" and hit["score"] >= 95
    assert any("Cyrillic" in line for line in hit["why"])
    unrelated = olga(office, "screening", "name", "Marie Curie")
    assert unrelated.code == 0 and "No hits." in unrelated.out


