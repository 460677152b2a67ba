"""The command line, driven in-process through main.main and once as a real subprocess."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import argon2
import pytest

import main
from app import casefile, demo
from app.casedata import CaseData

REPO = Path(__file__).resolve().parents[2]
ADMIN_PW = "admin-password-1"
OFFICER_PW = "officer-password-1"
SUPERVISOR_PW = "supervisor-password-1"
CA_PW = "office-ca-passphrase-1"
#: ``init`` reads the administrator's password, then the office CA passphrase.
INIT_STDIN = f"{ADMIN_PW}\n{CA_PW}\n"
REFERENCE = re.compile(r"^GR-\d{4}-\d{5}$")
DEMO_CASES = json.loads(demo.DEMO_FILE.read_text(encoding="utf-8"))["cases"]


def new_account_stdin(password: str) -> str:
    """``user add`` reads the new password, then the CA passphrase to issue a signing key."""
    return f"{password}\n{CA_PW}\n"


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cli:
    """Runs ``goldenrule --db <file> ...`` in this process, as a given user."""

    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.db = db
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        for name in ("GOLDENRULE_USER", "GOLDENRULE_PASSWORD", "GOLDENRULE_CA_PASSWORD"):
            monkeypatch.delenv(name, raising=False)

    def __call__(self, *args: str, stdin: str = "", user: str | None = None,
                 password: str | None = None, db: str | None = None) -> Result:
        self.capsys.readouterr()
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        for name, value in (("GOLDENRULE_USER", user), ("GOLDENRULE_PASSWORD", password)):
            if value is None:
                self.monkeypatch.delenv(name, raising=False)
            else:
                self.monkeypatch.setenv(name, value)
        code = main.main(["--db", db or str(self.db), *args])
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def admin(self, *args: str, stdin: str = "") -> Result:
        return self(*args, stdin=stdin, user="admin", password=ADMIN_PW)

    def counts(self) -> tuple[int, int, int]:
        """(cases, change events, last reference number issued) read straight from the file."""
        conn = sqlite3.connect(self.db)
        try:
            return (conn.execute("SELECT count(*) FROM cases").fetchone()[0],
                    conn.execute("SELECT count(*) FROM change_events").fetchone()[0],
                    conn.execute("SELECT coalesce(max(last_value), 0) FROM reference_counters")
                    .fetchone()[0])
        finally:
            conn.close()


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(tmp_path / "cli.sqlite3", capsys, monkeypatch)


@pytest.fixture
def ready(cli: Cli) -> Cli:
    """An initialised database with the demo cases and an officer 'olga' who can sign."""
    result = cli("init", "--demo", "--full-name", "Ada Admin", stdin=INIT_STDIN)
    assert result.code == 0, result.err
    result = cli.admin("user", "add", "olga", "--role", "officer", "--full-name",
                       "Olga Øfficer", stdin=new_account_stdin(OFFICER_PW))
    assert result.code == 0, result.err
    return cli


def olga(cli: Cli, *args: str, stdin: str = "") -> Result:
    return cli(*args, stdin=stdin, user="olga", password=OFFICER_PW)


def _list(cli: Cli, *extra: str) -> list[dict[str, Any]]:
    result = cli.admin("case", "list", "--json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def _write_case(path: Path, data: CaseData, **changes: Any) -> Path:
    doc = casefile.to_document(data)
    doc.update(changes)
    path.write_text(casefile.dumps(doc), encoding="utf-8")
    return path


# -- init and accounts -----------------------------------------------------------------------


def test_init_with_demo(cli: Cli, tmp_path: Path) -> None:
    result = cli("init", "--demo", stdin=INIT_STDIN)
    assert result.code == 0, result.err
    assert (f"Created administrator 'admin' and the office certificate authority in {cli.db}"
            in result.out)
    match = re.search(r"Loaded (\d+) demo applications: (.+)", result.out)
    assert match and match[1] == str(len(DEMO_CASES))
    refs = match[2].split(", ")
    assert len(refs) == len(DEMO_CASES) and all(REFERENCE.match(r) for r in refs)
    names = ", ".join(a[0] for a in demo.DEMO_ACCOUNTS)
    assert f"Demo accounts: {names} (password: {demo.DEMO_PASSWORD})" in result.out
    rows = {r["reference"]: r for r in _list(cli)}
    assert sorted(rows) == sorted(refs)
    assert all(r["demo"] for r in rows.values())
    # With the CA passphrase the demo accounts have keys, so the demo decisions are signed.
    final = {"approve": "approved", "refuse": "refused"}
    assert [rows[r]["status"] for r in refs] == [
        final[item["decision"]["outcome"]] if item.get("decision") else item["status"]
        for item in DEMO_CASES]
    assert result.err == ""


def test_init_without_demo_has_no_cases(cli: Cli) -> None:
    assert cli("init", "--username", "root", stdin=INIT_STDIN).code == 0
    result = cli("case", "list", "--json", user="root", password=ADMIN_PW)
    assert result.code == 0 and json.loads(result.out) == []


def test_init_twice_fails(cli: Cli) -> None:
    assert cli("init", stdin=INIT_STDIN).code == 0
    result = cli("init", stdin=f"another-password\n{CA_PW}\n")
    assert result.code == 2
    assert "already has accounts" in result.err
    assert cli.admin("user", "list").code == 0  # the first administrator still works


@pytest.mark.parametrize(("stdin", "fragment"), [
    ("", "Expected the new administrator's password on standard input"),
    (f"short\n{CA_PW}\n", "password: at least 10 characters"),
    (ADMIN_PW + "\n", "Expected the office CA passphrase on standard input"),
    (f"{ADMIN_PW}\nshort-pass\n", "The CA passphrase must be at least 12 characters"),
])
def test_init_bad_password(cli: Cli, stdin: str, fragment: str) -> None:
    result = cli("init", stdin=stdin)
    assert result.code == 2
    assert fragment in result.err
    conn = sqlite3.connect(cli.db)
    try:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    finally:
        conn.close()


def test_password_line_ending_is_not_part_of_the_password(cli: Cli) -> None:
    assert cli("init", stdin=f"{ADMIN_PW}\r\n{CA_PW}\r\n").code == 0
    assert cli.admin("user", "list").code == 0
    # Nor of the CA passphrase: a key issued with it unlocks with the password alone.
    result = cli.admin("user", "add", "olga", "--role", "officer",
                       stdin=f"{OFFICER_PW}\r\n{CA_PW}\r\n")
    assert result.code == 0, result.err
    assert "No signing key" not in result.out


def test_user_add_and_sign_in_as_new_user(ready: Cli) -> None:
    result = ready.admin("user", "list")
    assert result.code == 0
    demo_accounts = [f"{name}\t{role.value}\t{full}" for name, full, role in demo.DEMO_ACCOUNTS]
    assert result.out.splitlines() == ["admin\tadministrator\tAda Admin", *demo_accounts,
                                       "olga\tofficer\tOlga Øfficer"]
    result = ready("case", "list", user="olga", password=OFFICER_PW)
    assert result.code == 0 and len(result.out.splitlines()) == len(DEMO_CASES)


def test_user_add_prints_what_was_created(ready: Cli) -> None:
    result = ready.admin("user", "add", "sam", "--role", "supervisor",
                         stdin=new_account_stdin("supervisor-pw-1"))
    assert result.code == 0, result.err
    assert result.out.strip() == "Created supervisor 'sam'"
    # --full-name defaults to the account name
    assert "sam\tsupervisor\tsam" in ready.admin("user", "list").out
    # Without the CA passphrase the account is made, but it cannot sign yet.
    result = ready.admin("user", "add", "tim", "--role", "officer", stdin="officer-pw-12\n")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "Created officer 'tim'",
        "No signing key issued: tim cannot sign until an administrator runs "
        "'goldenrule keys issue tim'."]


def test_user_add_with_user_option(ready: Cli) -> None:
    ready.monkeypatch.setenv("GOLDENRULE_PASSWORD", ADMIN_PW)
    ready.monkeypatch.setattr("sys.stdin", io.StringIO("another-pw-123\n"))
    code = main.main(["--db", str(ready.db), "--user", "admin", "user", "add", "tom",
                      "--role", "officer"])
    assert code == 0


def test_officer_cannot_add_users(ready: Cli) -> None:
    result = ready("user", "add", "eve", "--role", "administrator", stdin="eve-password-1\n",
                   user="olga", password=OFFICER_PW)
    assert result.code == 1
    assert "olga (licensing officer) may not manage accounts" in result.err
    assert "needs the role of administrator" in result.err
    assert "eve" not in ready.admin("user", "list").out


def test_duplicate_user(ready: Cli) -> None:
    result = ready.admin("user", "add", "olga", "--role", "officer", stdin="whatever-pw-1\n")
    assert result.code == 2
    assert "username: 'olga' is already taken" in result.err


@pytest.mark.parametrize(("user", "password", "fragment"), [
    ("admin", "wrong-password", "Wrong username or password"),
    ("nobody", ADMIN_PW, "Wrong username or password"),
    ("olga", ADMIN_PW, "Wrong username or password"),
    (None, ADMIN_PW, "GOLDENRULE_USER"),
    ("admin", None, "GOLDENRULE_PASSWORD"),
])
def test_sign_in_failures(ready: Cli, user: str | None, password: str | None,
                          fragment: str) -> None:
    before = ready.counts()
    result = ready("case", "list", user=user, password=password)
    assert result.code == 2
    assert fragment in result.err
    assert result.out == ""
    assert ready.counts() == before


def test_unknown_role_is_an_argument_error(ready: Cli) -> None:
    with pytest.raises(SystemExit) as info:
        ready.admin("user", "add", "x", "--role", "king", stdin="long-enough-pw\n")
    assert info.value.code == 2


# -- cases -----------------------------------------------------------------------------------


def test_case_import_prints_a_new_reference(ready: Cli, tmp_path: Path,
                                            sample_case_data: CaseData) -> None:
    before = ready.counts()
    path = _write_case(tmp_path / "demande.json", sample_case_data)
    refused = ready.admin("case", "import", str(path))
    assert refused.code == 1 and refused.out == ""
    assert "admin (administrator) may not register and edit applications" in refused.err
    assert "needs the role of licensing officer or supervisor" in refused.err
    assert ready.counts() == before
    result = ready("case", "import", str(path), user="olga", password=OFFICER_PW)
    assert result.code == 0, result.err
    reference = result.out.strip()
    assert REFERENCE.match(reference)
    assert int(reference[-5:]) == before[2] + 1
    assert ready.counts()[0] == before[0] + 1
    rows = {r["reference"]: r for r in _list(ready)}
    row = rows[reference]
    assert row["status"] == "received" and row["destination"] == "CI"
    assert row["exporter"] == "Société Générale d'Armement"
    assert row["end_user"] == "Gendarmerie nationale de Côte d'Ivoire"
    assert row["control_entries"] == "ML1.a, ML3.a, ML13.d"
    assert row["value"] == "450,500.50 EUR + 95,000.25 USD"
    assert row["received_date"] == "2026-02-02" and row["deadline"] == "2026-03-02"
    assert row["demo"] is False


def test_export_import_export_is_lossless(ready: Cli, tmp_path: Path) -> None:
    rows = _list(ready, "--status", "received")
    assert rows
    source = rows[0]["reference"]
    first = tmp_path / "first.json"
    assert ready.admin("case", "export", source, str(first)).code == 0
    result = ready("case", "import", str(first), user="olga", password=OFFICER_PW)
    assert result.code == 0, result.err
    copy_ref = result.out.strip()
    assert copy_ref != source
    second = tmp_path / "second.json"
    assert ready.admin("case", "export", copy_ref, str(second)).code == 0

    doc1 = json.loads(first.read_text(encoding="utf-8"))
    doc2 = json.loads(second.read_text(encoding="utf-8"))
    record1, record2 = doc1.pop("record"), doc2.pop("record")
    assert doc1 == doc2
    assert (record1["reference"], record2["reference"]) == (source, copy_ref)
    assert record1["demo"] is True and record2["demo"] is False
    assert record2["created_by"] == "olga" and record2["status"] == "received"
    # Written canonically: re-serialising the file changes nothing.
    text = first.read_text(encoding="utf-8")
    assert casefile.dumps(json.loads(text)) == text


def test_export_to_stdout(ready: Cli) -> None:
    reference = _list(ready)[0]["reference"]
    result = ready.admin("case", "export", reference, "-")
    assert result.code == 0
    doc = json.loads(result.out)
    assert doc["record"]["reference"] == reference
    assert doc["format"] == "golden-rule/case"


def test_export_errors(ready: Cli, tmp_path: Path) -> None:
    result = ready.admin("case", "export", "GR-1999-00001", str(tmp_path / "x.json"))
    assert result.code == 2 and "GR-1999-00001" in result.err
    assert not (tmp_path / "x.json").exists()
    reference = _list(ready)[0]["reference"]
    result = ready.admin("case", "export", reference, str(tmp_path / "no" / "such" / "x.json"))
    assert result.code == 2 and "Cannot write" in result.err


def test_case_list_text_and_filters(ready: Cli) -> None:
    rows = _list(ready)
    result = ready.admin("case", "list")
    assert result.code == 0
    lines = [line.split("\t") for line in result.out.splitlines()]
    assert [line[0] for line in lines] == [r["reference"] for r in rows]
    for line, row in zip(lines, rows, strict=True):
        assert line == [row["reference"], row["status"], row["destination"], row["exporter"],
                        row["control_entries"]]
    for status in {r["status"] for r in rows}:
        filtered = _list(ready, "--status", status)
        assert filtered == [r for r in rows if r["status"] == status]
    destination = rows[0]["destination"]
    assert _list(ready, "--destination", destination.lower()) == [
        r for r in rows if r["destination"] == destination]
    result = ready.admin("case", "list", "--status", "finished")
    assert result.code == 2 and "Unknown status 'finished'" in result.err


def test_case_list_json_fields(ready: Cli) -> None:
    rows = _list(ready)
    assert len(rows) == len(DEMO_CASES)
    keys = {"reference", "status", "licence_type", "exporter", "destination", "end_user",
            "control_entries", "value", "received_date", "deadline", "demo"}
    for row in rows:
        assert set(row) == keys
        assert REFERENCE.match(row["reference"])
    # newest first
    assert [r["reference"] for r in rows] == sorted((r["reference"] for r in rows), reverse=True)


def test_case_status(ready: Cli) -> None:
    reference = _list(ready, "--status", "received")[0]["reference"]
    result = ready("case", "status", reference, "in_assessment", user="olga",
                   password=OFFICER_PW)
    assert result.code == 0, result.err
    assert result.out.strip() == f"{reference}\tin_assessment"
    before = ready.counts()
    for args, fragment in [
        (("approved",), "signed decision"),
        (("on_hold",), "reason"),
        (("received",), "cannot move"),
        (("nonsense",), "Unknown status"),
    ]:
        result = olga(ready, "case", "status", reference, *args)
        assert result.code == 2, args
        assert fragment in result.err
    # An administrator does not move cases (separation of duties): exit 1, not bad input.
    result = ready.admin("case", "status", reference, "on_hold", "--reason", "Pour voir")
    assert result.code == 1
    assert "may not register and edit applications" in result.err
    assert "licensing officer or supervisor" in result.err
    assert ready.counts() == before
    result = olga(ready, "case", "status", reference, "on_hold", "--reason",
                  "Réponse attendue de l'exportateur")
    assert result.code == 0
    rows = {r["reference"]: r for r in _list(ready)}
    assert rows[reference]["status"] == "on_hold"


# -- bad files -------------------------------------------------------------------------------


def _bad_files(tmp_path: Path, data: CaseData) -> list[tuple[Path, list[str]]]:
    def doc() -> dict[str, Any]:
        return json.loads(casefile.dumps(casefile.to_document(data)))

    out: list[tuple[Path, list[str]]] = []

    path = tmp_path / "not-json.json"
    path.write_text('{"format": "golden-rule/case",\n "goods": [1, 2,]}', encoding="utf-8")
    out.append((path, ["not valid JSON", "line 2", "column"]))

    path = tmp_path / "latin1.json"
    path.write_bytes('{"name": "Société"}'.encode("latin-1"))
    out.append((path, ["not UTF-8"]))

    schema = doc()
    del schema["goods"][0]["control_entry"]
    schema["exporter"]["telefax"] = "+33"
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    out.append((path, ["goods[0].control_entry", "exporter.telefax"]))

    wrong_type = doc()
    wrong_type["goods"][1]["quantity"] = [12]
    path = tmp_path / "type.json"
    path.write_text(json.dumps(wrong_type), encoding="utf-8")
    out.append((path, ["goods[1].quantity"]))

    country = doc()
    country["destination"] = "XX"
    country["parties"][1]["country"] = "XX"
    path = tmp_path / "country.json"
    path.write_text(json.dumps(country, ensure_ascii=False), encoding="utf-8")
    out.append((path, ["destination: 'XX'", "parties[1].country"]))

    control = doc()
    control["goods"][0]["control_entry"] = "ML23"
    path = tmp_path / "control.json"
    path.write_text(json.dumps(control), encoding="utf-8")
    out.append((path, ["goods[0].control_entry", "ML23"]))

    date_doc = doc()
    date_doc["received_date"] = "2026-02-30"
    path = tmp_path / "date.json"
    path.write_text(json.dumps(date_doc), encoding="utf-8")
    out.append((path, ["received_date", "2026-02-30"]))

    out.append((tmp_path / "missing.json", ["Cannot read"]))
    return out


def test_bad_files_are_refused_and_nothing_is_stored(ready: Cli, tmp_path: Path,
                                                     sample_case_data: CaseData) -> None:
    before = ready.counts()
    for path, fragments in _bad_files(tmp_path, sample_case_data):
        result = ready("case", "import", str(path), user="olga", password=OFFICER_PW)
        assert result.code == 2, (path.name, result)
        assert result.out == "", path.name
        assert result.err.startswith("error: "), path.name
        assert str(path) in result.err, path.name
        for fragment in fragments:
            assert fragment in result.err, (path.name, fragment, result.err)
        assert "Traceback" not in result.err
        assert ready.counts() == before, path.name


# -- databases -------------------------------------------------------------------------------


def test_db_as_sqlalchemy_url(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'by-url.sqlite3'}"
    assert cli("init", "--demo", stdin=INIT_STDIN, db=url).code == 0
    assert (tmp_path / "by-url.sqlite3").is_file()
    via_url = cli("case", "list", "--json", user="admin", password=ADMIN_PW, db=url)
    via_path = cli("case", "list", "--json", user="admin", password=ADMIN_PW,
                   db=str(tmp_path / "by-url.sqlite3"))
    assert via_url.code == via_path.code == 0
    assert json.loads(via_url.out) == json.loads(via_path.out)
    assert len(json.loads(via_url.out)) == len(DEMO_CASES)


def test_info(ready: Cli) -> None:
    from db.migrate import head_revision

    result = ready("info")
    assert result.code == 0
    assert f"Database: {ready.db}" in result.out
    assert head_revision() in result.out


def test_newer_database_gives_exit_1(cli: Cli) -> None:
    assert cli("init", stdin=INIT_STDIN).code == 0
    conn = sqlite3.connect(cli.db)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    result = cli.admin("case", "list")
    assert result.code == 1
    assert "newer version" in result.err


def test_not_a_database_gives_an_error(cli: Cli) -> None:
    cli.db.write_bytes(os.urandom(4096))
    result = cli.admin("case", "list")
    assert result.code == 1
    assert "not a Golden Rule database" in result.err


def test_unusable_database_location_gives_a_message(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    for location in (str(tmp_path / "a-file" / "gr.sqlite3"), "nosuchdialect://x/y"):
        result = cli("case", "list", user="admin", password=ADMIN_PW, db=location)
        assert result.code == 1
        assert result.err.startswith("error: ") and "Traceback" not in result.err


# -- a real process --------------------------------------------------------------------------


def _run(db: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None,
         ) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GOLDENRULE_")}
    environment.update(env or {})
    environment["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([sys.executable, "main.py", "--db", str(db), *args], cwd=REPO,
                          input=stdin, capture_output=True, text=True, encoding="utf-8",
                          env=environment, timeout=120, check=False)


def test_real_process(tmp_path: Path, sample_case_data: CaseData) -> None:
    db = tmp_path / "process.sqlite3"
    done = _run(db, "init", "--full-name", "Ådne Admin", stdin=INIT_STDIN)
    assert done.returncode == 0, done.stderr
    assert "Created administrator 'admin' and the office certificate authority" in done.stdout

    # The real program stores a hash with production-strength parameters.
    conn = sqlite3.connect(db)
    try:
        (stored,) = conn.execute("SELECT password_hash FROM users").fetchone()
    finally:
        conn.close()
    params = argon2.extract_parameters(stored)
    assert params.type is argon2.Type.ID and params.memory_cost >= 19 * 1024

    admin = {"GOLDENRULE_USER": "admin", "GOLDENRULE_PASSWORD": ADMIN_PW}
    done = _run(db, "user", "add", "olga", "--role", "officer", env=admin,
                stdin=new_account_stdin(OFFICER_PW))
    assert done.returncode == 0, done.stderr
    env = {"GOLDENRULE_USER": "olga", "GOLDENRULE_PASSWORD": OFFICER_PW}
    path = _write_case(tmp_path / "demande.json", sample_case_data)
    done = _run(db, "case", "import", str(path), env=admin)
    assert done.returncode == 1 and "licensing officer or supervisor" in done.stderr
    done = _run(db, "case", "import", str(path), env=env)
    assert done.returncode == 0, done.stderr
    reference = done.stdout.strip()
    assert REFERENCE.match(reference)

    done = _run(db, "case", "list", "--json", env=env)
    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout)
    assert row["reference"] == reference and row["exporter"] == "Société Générale d'Armement"

    bad = _write_case(tmp_path / "bad.json", sample_case_data, destination="XX")
    done = _run(db, "case", "import", str(bad), env=env)
    assert done.returncode == 2
    assert "destination: 'XX'" in done.stderr and "Traceback" not in done.stderr


def test_user_disable_enable_and_password(ready: Cli) -> None:
    assert ready.admin("user", "disable", "olga").code == 0
    assert "olga\tofficer\tOlga Øfficer (disabled)" in ready.admin("user", "list").out
    refused = ready("case", "list", user="olga", password=OFFICER_PW)
    assert refused.code == 2 and "disabled" in refused.err
    assert ready.admin("user", "enable", "olga").code == 0
    assert ready.admin("user", "password", "olga",
                       stdin=new_account_stdin("fresh-password-9")).code == 0
    assert ready("case", "list", user="olga", password=OFFICER_PW).code == 2
    assert ready("case", "list", user="olga", password="fresh-password-9").code == 0
    # an officer may change only their own password, and may not disable anyone
    assert ready("user", "disable", "admin", user="olga", password="fresh-password-9").code == 1
    assert ready("user", "password", "admin", stdin="hijacked-pass-1\n", user="olga",
                 password="fresh-password-9").code == 1
    assert ready("user", "password", "olga", stdin="short\n", user="olga",
                 password="fresh-password-9").code == 2
    assert ready.admin("user", "disable", "admin").code == 2  # not yourself
    assert ready.admin("user", "disable", "nobody").code == 2
