"""``export rationale``, ``export bundle`` and ``verify`` from the command line, in-process:
exit 0 for a valid document, 1 for an invalid one, 2 for bad input; ``verify`` needs no
account and works without the database given the CA certificate."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from app.casedata import CaseData
from tests.integration.test_cli import Cli
from tests.integration.test_cli_decisions import (
    OFFICER_PW,
    SUPERVISOR_PW,
    cli,  # noqa: F401  (fixture)
    decided,
    office,  # noqa: F401  (fixture)
    olga,
    sven,
)


def test_export_verify_and_tamper(office: Cli, tmp_path: Path,  # noqa: F811
                                  sample_case_data: CaseData) -> None:
    ref = decided(office, tmp_path, sample_case_data)
    assert sven(office, "decision", "countersign", ref, stdin=f"{SUPERVISOR_PW}\n").code == 0

    out = olga(office, "export", "rationale", ref, "--pdf", str(tmp_path / "r.pdf"),
               "--xlsx", str(tmp_path / "r.xlsx"))
    assert out.code == 0, out.err
    assert out.out.splitlines() == [f"Wrote {tmp_path / 'r.pdf'}", f"Wrote {tmp_path / 'r.xlsx'}",
                                    f"Wrote {tmp_path / 'r.xlsx.p7s'}"]

    checked = office("verify", str(tmp_path / "r.pdf"))  # no account needed
    assert checked.code == 0, checked.out + checked.err
    assert checked.out.startswith("VALID: the PDF is exactly as signed, by 2 signature(s).")
    assert f"Matches the recorded decision {ref}/1" in checked.out
    assert "Signature Decision by Olga Øfficer (olga)" in checked.out

    as_json = json.loads(office("verify", str(tmp_path / "r.xlsx"), "--json").out)
    assert as_json["valid"] is True and as_json["kind"] == "workbook"
    assert sorted(s["username"] for s in as_json["signatures"]) == ["olga", "sven"]
    assert as_json["record"] == f"{ref}/1" and as_json["matches_record"] is True

    data = bytearray((tmp_path / "r.pdf").read_bytes())
    data[len(data) // 3] ^= 0x20
    (tmp_path / "bad.pdf").write_bytes(bytes(data))
    bad = office("verify", str(tmp_path / "bad.pdf"))
    assert bad.code == 1 and bad.out.startswith("NOT VALID"), bad.out

    (tmp_path / "note.txt").write_text("not a document")
    foreign = office("verify", str(tmp_path / "note.txt"))
    assert foreign.code == 1 and "is not a Golden Rule document" in foreign.out
    missing = office("verify", str(tmp_path / "nowhere.pdf"))
    assert missing.code == 2 and "does not exist" in missing.err

    # Without the database, the exported CA certificate makes the chain checkable.
    ca = tmp_path / "ca.pem"
    assert office.admin("keys", "export-ca", str(ca)).code == 0
    alone = office("verify", "--no-db", str(tmp_path / "r.pdf"))
    assert alone.code == 1 and "No office certificate authority is known here" in alone.out
    with_ca = office("verify", "--no-db", "--ca", str(ca), str(tmp_path / "r.pdf"))
    assert with_ca.code == 0, with_ca.out

    events = json.loads(olga(office, "decision", "show", ref, "--json").out)
    assert events["reference"] == ref  # the exports did not disturb the records


def test_bundle_reads_the_password_and_verifies(office: Cli, tmp_path: Path,  # noqa: F811
                                                sample_case_data: CaseData) -> None:
    ref = decided(office, tmp_path, sample_case_data, refuse=False)
    wrong = olga(office, "export", "bundle", ref, str(tmp_path / "b.zip"), stdin="nope\n")
    assert wrong.code == 2 and not (tmp_path / "b.zip").exists()
    made = olga(office, "export", "bundle", ref, str(tmp_path / "b.zip"),
                stdin=f"{OFFICER_PW}\n")
    assert made.code == 0, made.err
    assert made.out.startswith(f"Wrote {tmp_path / 'b.zip'}: ")
    checked = office("verify", str(tmp_path / "b.zip"))
    assert checked.code == 0, checked.out
    assert checked.out.startswith(f"VALID: the bundle for {ref}/1 is complete")


def test_export_needs_a_decision_and_an_output(office: Cli, tmp_path: Path,  # noqa: F811
                                               sample_case_data: CaseData) -> None:
    ref = decided(office, tmp_path, sample_case_data)
    none = olga(office, "export", "rationale", ref)
    assert none.code == 2 and "Give --pdf" in none.err
    unknown = olga(office, "export", "rationale", "GR-1999-99999", "--pdf",
                   str(tmp_path / "x.pdf"))
    assert unknown.code != 0 and not (tmp_path / "x.pdf").exists()


def test_export_oversight_signed_and_redacted(office: Cli, tmp_path: Path,  # noqa: F811
                                              sample_case_data: CaseData) -> None:
    ref = decided(office, tmp_path, sample_case_data, refuse=False)
    year = (date.today().isoformat(),) * 2
    out = tmp_path / "register.xlsx"
    made = sven(office, "export", "oversight", "--profile", "register", "--from", year[0],
                "--to", year[1], "--format", "xlsx", "--redaction", "none", str(out),
                stdin=f"{SUPERVISOR_PW}\n")
    assert made.code == 0, made.err
    assert f"Wrote {out}" in made.out and "1 decisions counted" in made.out
    checked = office("verify", str(out))
    assert checked.code == 0, checked.out
    assert "Matches the export recorded in the audit trail" in checked.out

    refused = olga(office, "export", "oversight", "--profile", "register", "--from", year[0],
                   "--to", year[1], "--format", "csv", str(tmp_path / "r"))
    assert refused.code == 1 and "supervisor" in refused.err  # officers publish nothing
    csv_out = office.admin("export", "oversight", "--profile", "register", "--from", year[0],
                           "--to", year[1], "--format", "csv", str(tmp_path / "pub"))
    assert csv_out.code == 0, csv_out.err
    files = list(tmp_path.glob("pub/*.csv"))
    assert files
    text = "".join(p.read_text(encoding="utf-8-sig") for p in files)
    assert ref in text and "[withheld]" in text
    assert "Société Générale" not in text  # the exporter's name is withheld
    unredacted = office.admin("export", "oversight", "--profile", "register", "--from",
                              year[0], "--to", year[1], "--format", "csv", "--redaction",
                              "none", str(tmp_path / "all"))
    assert unredacted.code == 1 and "supervisor" in unredacted.err
    bad = sven(office, "export", "oversight", "--profile", "nope", "--from", year[0], "--to",
               year[1], "--format", "csv", str(tmp_path / "x"))
    assert bad.code == 2 and "Unknown report profile" in bad.err
