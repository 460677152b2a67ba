"""The history commands of the CLI, in-process: ``import legacy`` (generic and caat-uk) and
``shipments add|import|list``; exit 2 on bad input with nothing stored, 1 on a role that
may not."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.integration.test_cli import INIT_STDIN, OFFICER_PW, Cli, Result
from tests.unit.test_legacy_import import GENERIC_ROWS, caat, generic
from tests.unit.test_shipments import ISSUED, REVOKED, ROWS
from tests.unit.test_shipments import write as write_shipments


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(tmp_path / "cli.sqlite3", capsys, monkeypatch)


@pytest.fixture
def ready(cli: Cli) -> Cli:
    """An initialised database and an officer 'olga' (no signing key: none is needed)."""
    assert cli("init", "--full-name", "Ada Admin", stdin=INIT_STDIN).code == 0
    result = cli.admin("user", "add", "olga", "--role", "officer", stdin=OFFICER_PW + "\n")
    assert result.code == 0, result.err
    return cli


@pytest.fixture
def history(ready: Cli, tmp_path: Path) -> Cli:
    result = ready.admin("import", "legacy", str(generic(tmp_path)), "--source", "old-siel")
    assert result.code == 0, result.err
    return ready


def olga(cli: Cli, *args: str) -> Result:
    return cli(*args, user="olga", password=OFFICER_PW)


def count(cli: Cli, table: str) -> int:
    conn = sqlite3.connect(cli.db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


# --- import legacy -------------------------------------------------------------------------

def test_import_generic(ready: Cli, tmp_path: Path) -> None:
    path = generic(tmp_path)
    result = ready.admin("import", "legacy", str(path), "--source", "old-siel", "--prefix",
                         "leg")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("legacy.csv: 4 rows, SHA-256 ")
    assert lines[1].startswith("Imported 3 legacy licences from 'old-siel' (1 issued, 1 "
                               "refused, 1 revoked; 4 goods lines) as LEG-SIEL-2019-001 … "
                               "LEG-OIEL-7 in ")
    listed = json.loads(ready.admin("case", "list", "--json", "--history").out)
    assert sorted((c["reference"], c["status"], c["destination"]) for c in listed) == [
        ("LEG-OIEL-7", "revoked", "CI"), ("LEG-SIEL-2019-001", "approved", "KE"),
        ("LEG-SIEL-2019-002", "refused", "ID")]
    shown = ready.admin("decision", "show", "LEG-SIEL-2019-002/1")
    assert shown.code == 0, shown.err
    assert "import:old-siel" in shown.out
    verified = ready.admin("audit", "verify")
    assert verified.code == 0 and "Intact:" in verified.out, verified.out


def test_import_caat_uk(ready: Cli, tmp_path: Path) -> None:
    values, criteria = caat(tmp_path)
    result = ready.admin("import", "legacy", "--format", "caat-uk", str(values), str(criteria),
                         "--source", "caat-uk", "--prefix", "LEGACY-UK")
    assert result.code == 0, result.err
    assert "Imported 4 legacy licences from 'caat-uk' (2 issued, 2 refused, 0 revoked; 5 " \
           "goods lines) as LEGACY-UK-0000052 … LEGACY-UK-0000060" in result.out
    result = ready.admin("import", "legacy", "--format", "caat-uk", str(values),
                         "--source", "caat-uk-2")
    assert result.code == 2 and "takes two files" in result.err


def test_import_refusals(history: Cli, tmp_path: Path) -> None:
    cases = count(history, "cases")
    again = history.admin("import", "legacy", str(generic(tmp_path)), "--source", "old-siel")
    assert again.code == 2
    assert "error: Nothing was stored: 'old-siel' was already imported on " in again.err
    assert "by Ada Admin." in again.err
    by_officer = olga(history, "import", "legacy", str(generic(tmp_path)), "--source", "x")
    assert by_officer.code == 1
    assert "olga (licensing officer) may not change the authority's settings" in by_officer.err
    rows = [list(r) for r in GENERIC_ROWS]
    rows[1][9] = "many"
    bad = history.admin("import", "legacy", str(generic(tmp_path, rows, "bad.csv")),
                        "--source", "other")
    assert bad.code == 2
    assert "bad.csv line 3: quantity: 'many' is not a decimal number" in bad.err
    missing = history.admin("import", "legacy", str(tmp_path / "none.csv"), "--source", "y")
    assert missing.code == 2 and "cannot read" in missing.err
    assert count(history, "cases") == cases


# --- shipments -----------------------------------------------------------------------------

def test_shipments_add_and_list(history: Cli) -> None:
    result = olga(history, "shipments", "add", ISSUED, "--date", "2019-04-01", "--entry",
                  "ML1.a", "--quantity", "100", "--value", "165000.00", "--currency", "EUR",
                  "--note", "Facture 17")
    assert result.code == 0, result.err
    assert result.out.strip() == (f"Recorded shipment #1: {ISSUED}\t2019-04-01\tML1.a\t100\t"
                                  "165000.00 EUR\tmanual\tFacture 17")
    listed = olga(history, "shipments", "list", ISSUED)
    assert listed.code == 0
    assert listed.out.splitlines() == [
        f"#1\t{ISSUED}\t2019-04-01\tML1.a\t100\t165000.00 EUR\tmanual\tFacture 17",
        "ML1.a: shipped 100 of 250 pcs; 165,000.00 EUR",
        "ML3.a: shipped 0 of 100000 rounds"]
    doc = json.loads(olga(history, "shipments", "list", ISSUED, "--json").out)
    assert doc["reference"] == ISSUED
    assert [(s["id"], s["quantity"], s["recorded_by"]) for s in doc["shipments"]] == [
        (1, "100", "olga")]
    assert doc["totals"][0] == {"control_entry": "ML1.a", "licensed_quantity": "250",
                                "unit": "pcs", "shipped_quantity": "100",
                                "shipped_value": {"EUR": "165000.00"}, "over": False}


@pytest.mark.parametrize(("args", "fragment"), [
    (("--entry", "ML9.a"), "control_entry: ML9.a is not on licence"),
    (("--quantity", "-1"), "note: a correction (negative quantity) must say"),
    (("--date", "yesterday"), "--date: 'yesterday' is not a date"),
    (("--date", "2019-01-01"), "shipped_on: 2019-01-01 is outside the time licence"),
])
def test_shipments_add_refused(history: Cli, args: tuple[str, str], fragment: str) -> None:
    base = {"--date": "2019-04-01", "--entry": "ML1.a", "--quantity": "1", "--value": "1",
            "--currency": "EUR"}
    base.update(dict([args]))
    flat = [x for kv in base.items() for x in kv]
    result = olga(history, "shipments", "add", ISSUED, *flat)
    assert result.code == 2 and fragment in result.err, result.err
    assert count(history, "shipments") == 0


def test_shipments_need_the_role_and_a_case(history: Cli) -> None:
    result = history.admin("shipments", "add", ISSUED, "--date", "2019-04-01", "--entry",
                           "ML1.a", "--quantity", "1", "--value", "1", "--currency", "EUR")
    assert result.code == 1 and "register and edit applications" in result.err
    result = olga(history, "shipments", "list", "GR-2020-00001")
    assert result.code == 2 and "No case with reference GR-2020-00001" in result.err


def test_shipments_import(history: Cli, tmp_path: Path) -> None:
    result = olga(history, "shipments", "import", str(write_shipments(tmp_path)))
    assert result.code == 0, result.err
    assert result.out.strip() == (f"Recorded 4 shipments from {tmp_path / 'shipments.csv'} "
                                  f"against {REVOKED}, {ISSUED}.")
    assert count(history, "shipments") == 4
    rows = [list(r) for r in ROWS]
    rows[2][2] = "ML22"
    bad = olga(history, "shipments", "import", str(write_shipments(tmp_path, rows)))
    assert bad.code == 2
    assert "shipments.csv line 4: control_entry: ML22 is not on licence" in bad.err
    assert count(history, "shipments") == 4
