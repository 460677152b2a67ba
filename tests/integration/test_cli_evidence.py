"""The evidence commands of the CLI, in-process: import (added, duplicate, refused),
search with filters and --json, show with history."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_cli import INIT_STDIN, OFFICER_PW, Cli, Result
from tests.unit.test_evidence_import import csv_line, evidence_doc, item, make_pdf, write_csv

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CSV = REPO / "docs" / "examples" / "evidence-sample.csv"
ADDED = re.compile(r"^added #(\d+)  ([A-F][1-6])  (.+)$")


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(tmp_path / "cli.sqlite3", capsys, monkeypatch)


@pytest.fixture
def ready(cli: Cli) -> Cli:
    """An initialised database (no demo cases) with an officer 'olga' (no signing key:
    evidence needs none)."""
    result = cli("init", stdin=INIT_STDIN)
    assert result.code == 0, result.err
    result = cli.admin("user", "add", "olga", "--role", "officer", stdin=OFFICER_PW + "\n")
    assert result.code == 0, result.err
    return cli


def olga(cli: Cli, *args: str) -> Result:
    return cli(*args, user="olga", password=OFFICER_PW)


def stored(cli: Cli) -> int:
    conn = sqlite3.connect(cli.db)
    try:
        return conn.execute("SELECT count(*) FROM evidence_items").fetchone()[0]
    finally:
        conn.close()


def added(result: Result) -> dict[str, int]:
    """Title -> id of every 'added' line."""
    out = {}
    for line in result.out.splitlines():
        match = ADDED.match(line)
        if match:
            out[match[3]] = int(match[1])
    return out


@pytest.fixture
def library(ready: Cli, tmp_path: Path) -> dict[str, int]:
    """The sample CSV, a JSON file and a PDF, imported; title -> id."""
    reports = tmp_path / "reports.json"
    reports.write_text(json.dumps(evidence_doc(
        item(),
        item(title="Shelling of a hospital in the north", countries=["SD"],
             actors=["Rapid Support Forces"], violations=["attack_medical_humanitarian"],
             item_categories=["ML4"], published_on="2023-06-01", events={},
             grade={"reliability": "A", "credibility": "1"},
             summary="A hospital was shelled twice in one week.",
             full_text="Artillery shells struck the hospital wards."),
    )), encoding="utf-8")
    pdf = tmp_path / "mission.pdf"
    pdf.write_bytes(make_pdf(["Mission report", "Detainees described torture at the camp."],
                             title="Mission report on the camp"))
    result = olga(ready, "evidence", "import", str(SAMPLE_CSV), str(reports), str(pdf),
                  "--kind", "un_inquiry_panel", "--reliability", "b", "--credibility", "3",
                  "--country", "ph")
    assert result.code == 0, result.err
    ids = added(result)
    assert len(ids) == 6
    return ids


# --- import ----------------------------------------------------------------------------

def test_import_prints_each_added_item_and_a_summary(ready: Cli, tmp_path: Path) -> None:
    result = olga(ready, "evidence", "import", str(SAMPLE_CSV))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert [ADDED.match(ln) is not None for ln in lines[:3]] == [True, True, True]
    assert lines[0].endswith("C2  [DEMO] Police fire live rounds at a market protest")
    assert lines[-1] == "Added: 3; skipped as duplicates: 0; files read: 1."
    assert stored(ready) == 3


def test_import_again_prints_duplicates(ready: Cli, tmp_path: Path) -> None:
    first = added(olga(ready, "evidence", "import", str(SAMPLE_CSV)))
    again = olga(ready, "evidence", "import", str(SAMPLE_CSV))
    assert again.code == 0, again.err
    ids = sorted(first.values())
    assert again.out.splitlines()[:3] == [
        f"skipped: duplicate of #{i} ({SAMPLE_CSV} row {row})"
        for i, row in zip(ids, (2, 3, 4), strict=True)]
    assert "Added: 0; skipped as duplicates: 3" in again.out
    assert stored(ready) == 3


def test_import_of_a_folder_lists_files(library: dict[str, int], ready: Cli,
                                        tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    write_csv(folder / "new.csv", csv_line(title="A new incident"))
    (folder / "mission.pdf").write_bytes((tmp_path / "mission.pdf").read_bytes())
    result = olga(ready, "evidence", "import", str(folder), "--kind", "ngo")
    assert result.code == 0, result.err
    assert f"{folder / 'mission.pdf'}: 1 read, 0 added, 1 skipped as duplicates" in result.out
    assert f"{folder / 'new.csv'}: 1 read, 1 added, 0 skipped as duplicates" in result.out
    assert re.search(r"skipped: duplicate of #(\d+) \(.*mission\.pdf\)", result.out)[1] == \
        str(library["Mission report on the camp"])


@pytest.mark.parametrize(("content", "fragment"), [
    ("title,source_kind,grade\nOK,ngo,B2\nBad,ngo,Q7\n", "row 3: grade: 'Q7' is not a grade"),
    ("title,source_kind,grade,colour\nOK,ngo,B2,red\n", "row 1: colour: unknown column"),
    ("title,grade\nOK,B2\n", "row 1: missing required column(s): source_kind"),
    ("title,source_kind,grade\nOK,ngo,B2\nX,ngo,C3\n,ngo,B2\n", "row 4: title"),
])
def test_bad_file_exits_2_names_the_place_and_stores_nothing(
        ready: Cli, tmp_path: Path, content: str, fragment: str) -> None:
    bad = tmp_path / "incidents.csv"
    bad.write_text(content, encoding="utf-8")
    result = olga(ready, "evidence", "import", str(SAMPLE_CSV), str(bad))
    assert result.code == 2
    assert result.err.startswith("error: Nothing was stored")
    assert f"{bad} {fragment}" in result.err, result.err
    assert result.out == ""
    assert stored(ready) == 0


def test_document_without_kind_is_refused(ready: Cli, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("A note", encoding="utf-8")
    result = olga(ready, "evidence", "import", str(SAMPLE_CSV), str(note))
    assert result.code == 2 and "--kind" in result.err and str(note) in result.err
    assert stored(ready) == 0


@pytest.mark.parametrize(("option", "value"), [
    ("--kind", "blog"), ("--reliability", "G"), ("--credibility", "9"), ("--country", "XX"),
    ("--violation", "mischief")])
def test_bad_document_options_exit_2(ready: Cli, tmp_path: Path, option: str,
                                     value: str) -> None:
    note = tmp_path / "note.txt"
    note.write_text("A note", encoding="utf-8")
    args = [option, value] if option == "--kind" else ["--kind", "ngo", option, value]
    result = olga(ready, "evidence", "import", str(note), *args)
    assert result.code == 2 and f"{option}: '{value}'" in result.err
    assert stored(ready) == 0


def test_import_needs_sign_in(ready: Cli) -> None:
    result = ready("evidence", "import", str(SAMPLE_CSV))
    assert result.code == 2 and "--user" in result.err
    assert stored(ready) == 0


def test_administrator_may_not_import_evidence(ready: Cli) -> None:
    result = ready.admin("evidence", "import", str(SAMPLE_CSV))
    assert result.code == 1 and result.out == ""
    assert "admin (administrator) may not add and import evidence" in result.err
    assert "needs the role of licensing officer or supervisor" in result.err
    assert stored(ready) == 0


# --- search ----------------------------------------------------------------------------

def search(cli: Cli, *args: str) -> list[dict[str, Any]]:
    result = olga(cli, "evidence", "search", *args, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_search_text_ranks_and_marks(library: dict[str, int], ready: Cli) -> None:
    result = olga(ready, "evidence", "search", "detainees")
    assert result.code == 0, result.err
    heads = [ln for ln in result.out.splitlines() if ln.startswith("#")]
    assert {int(h.split()[0][1:]) for h in heads} == {
        library["[DEMO] Court convicts officers of torturing detainees"],
        library["Mission report on the camp"]}
    assert "«detainees»" in result.out.casefold()
    assert "\x02" not in result.out and "\x03" not in result.out


def test_search_ranks_a_title_match_first(library: dict[str, int], ready: Cli) -> None:
    hits = search(ready, "rifles")
    assert [h["title"] for h in hits] == [
        "[DEMO] Panel finds rifles from a state stockpile with an armed group",
        "[DEMO] Police fire live rounds at a market protest"]
    assert hits[0]["score"] >= hits[1]["score"]


def test_search_json_fields(library: dict[str, int], ready: Cli) -> None:
    [hit] = search(ready, "hospital")
    assert set(hit) == {"id", "score", "grade", "title", "publisher", "published_on",
                        "countries", "snippet", "content_sha256"}
    assert hit["id"] == library["Shelling of a hospital in the north"]
    assert hit["grade"] == "A1" and hit["published_on"] == "2023-06-01"
    assert hit["countries"] == ["SD"] and "«hospital»" in hit["snippet"]
    assert re.fullmatch(r"[0-9a-f]{64}", hit["content_sha256"])
    assert hit["score"] > 0


def test_search_filters(library: dict[str, int], ready: Cli) -> None:
    def titles(*args: str) -> set[str]:
        return {h["title"] for h in search(ready, *args)}

    assert titles("--country", "ph") == {"[DEMO] Court convicts officers of torturing detainees",
                                         "Mission report on the camp"}
    assert titles("--violation", "diversion") == {
        "[DEMO] Panel finds rifles from a state stockpile with an armed group"}
    assert titles("--category", "ml4") == {"Shelling of a hospital in the north"}
    assert titles("--min-grade", "A1") == {
        "Shelling of a hospital in the north",
        "[DEMO] Court convicts officers of torturing detainees"}
    assert titles("--min-grade", "B3", "--kind", "un_inquiry_panel") == {
        "[DEMO] Panel finds rifles from a state stockpile with an armed group",
        "Mission report on the camp"}
    assert titles("--from", "2025-01-01", "--to", "2025-01-31") == {  # events overlap
        "Security forces fire on protesters in the capital",
        "[DEMO] Panel finds rifles from a state stockpile with an armed group"}
    assert titles("--to", "2023-12-31") == {"Shelling of a hospital in the north",
                                            "[DEMO] Court convicts officers of torturing "
                                            "detainees"}
    assert titles("--actor", "rapid support") == {"Shelling of a hospital in the north"}
    assert titles("rifles", "--country", "KE") == {
        "[DEMO] Police fire live rounds at a market protest"}
    assert len(search(ready, "--limit", "2")) == 2
    assert search(ready, "nothing-like-this-anywhere") == []


def test_search_without_hits_and_bad_filters(library: dict[str, int], ready: Cli) -> None:
    result = olga(ready, "evidence", "search", "zzzzzz")
    assert result.code == 0 and result.out.strip() == "No evidence matches."
    for args, fragment in ((["--min-grade", "B9"], "--min-grade"),
                           (["--from", "March"], "--from: 'March'"),
                           (["--country", "XX"], "--country: 'XX'"),
                           (["--violation", "nope"], "--violation: 'nope'"),
                           (["--category", "ML99"], "--category: 'ML99'"),
                           (["--kind", "blog"], "--kind: 'blog'"),
                           (["--limit", "0"], "--limit")):
        result = olga(ready, "evidence", "search", *args)
        assert result.code == 2 and fragment in result.err, (args, result.err)


# --- show ------------------------------------------------------------------------------

def test_show_text_and_json(library: dict[str, int], ready: Cli) -> None:
    item_id = library["Mission report on the camp"]
    result = olga(ready, "evidence", "show", f"#{item_id}")
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith(f"#{item_id}  Mission report on the camp\n")
    assert "Grade:      B3 (Usually reliable; Possibly true)" in out
    assert "Countries:  PH" in out
    assert re.search(r"Attachment: mission\.pdf \(application/pdf, \d+ bytes, sha256 "
                     r"[0-9a-f]{64}\)", out)
    assert "Detainees described torture at the camp." in out
    assert re.search(r"History:\n  v1  [0-9a-f]{64}  olga  \d{4}-\d\d-\d\d \d\d:\d\d UTC", out)

    doc = json.loads(olga(ready, "evidence", "show", str(item_id), "--json").out)
    assert doc["id"] == item_id and doc["grade"] == "B3" and doc["version_no"] == 1
    assert doc["source_kind"] == "un_inquiry_panel" and doc["countries"] == ["PH"]
    assert doc["attachment"]["name"] == "mission.pdf"
    assert doc["attachment"]["media_type"] == "application/pdf"
    assert [(h["version_no"], h["content_sha256"], h["by"]) for h in doc["history"]] == [
        (1, doc["content_sha256"], "olga")]


def test_show_errors(library: dict[str, int], ready: Cli) -> None:
    result = olga(ready, "evidence", "show", "9999")
    assert result.code == 2 and "9999" in result.err
    result = olga(ready, "evidence", "show", "abc")
    assert result.code == 2 and "'abc' is not an evidence id" in result.err
