"""The assessment commands of the CLI, in-process: hard-stop checks, findings files,
decisions and framework files. Same rules as the window: a forbidden decision exits 2."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from app import hardstops
from app.casedata import CaseData, PartyData
from app.frameworks import Framework, catalogue
from app.hardstops import CheckRegistry, CheckResult, CheckStatus
from tests.integration.test_cli import INIT_STDIN, OFFICER_PW, Cli, Result, new_account_stdin

REPO = Path(__file__).resolve().parents[2]
FINDINGS_SCHEMA = json.loads((REPO / "docs" / "formats" / "findings.schema.json")
                             .read_text(encoding="utf-8"))
CONDITION = "Post-shipment verification visit within 12 months"


CLEAR = CheckResult("embargo", "embargo:none", CheckStatus.CLEAR, "No embargo (test)")


@dataclasses.dataclass
class ClearCheck:
    """A hard-stop check that finds nothing, so decisions do not depend on the embargo table."""

    name: str = "embargo"

    def run(self, context: hardstops.CheckContext) -> list[CheckResult]:
        return [CLEAR]


@pytest.fixture
def shipped_only(tmp_path: Path) -> Iterator[Path]:
    """An empty authority frameworks folder, so only the shipped frameworks load."""
    folder = tmp_path / "authority-frameworks"
    folder.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOLDENRULE_FRAMEWORKS", str(folder))
        catalogue(reload=True)
        yield folder
    catalogue(reload=True)


@pytest.fixture
def ready(cli: Cli, shipped_only: Path) -> Cli:
    """An initialised database with the demo cases and an officer 'olga'."""
    result = cli("init", "--demo", stdin=INIT_STDIN)
    assert result.code == 0, result.err
    result = cli.admin("user", "add", "olga", "--role", "officer",
                       stdin=new_account_stdin(OFFICER_PW))
    assert result.code == 0, result.err
    return cli


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(tmp_path / "cli.sqlite3", capsys, monkeypatch)


@pytest.fixture
def no_hard_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hardstops, "_REGISTRY", CheckRegistry([ClearCheck()]))


def olga(cli: Cli, *args: str, stdin: str = "") -> Result:
    return cli(*args, stdin=stdin, user="olga", password=OFFICER_PW)


def decide(cli: Cli, reference: str, *args: str, stdin: str = "",
           signing_password: str = OFFICER_PW) -> Result:
    """``case decide`` as olga: the signing password is the first line of stdin, before a
    rationale given as '-'."""
    return olga(cli, "case", "decide", reference, *args,
                stdin=f"{signing_password}\n{stdin}")


def cases(cli: Cli) -> dict[str, dict[str, Any]]:
    result = cli.admin("case", "list", "--json")
    assert result.code == 0, result.err
    return {r["reference"]: r for r in json.loads(result.out)}


def import_case(cli: Cli, tmp_path: Path, data: CaseData, name: str = "case.json") -> str:
    from app import casefile

    path = tmp_path / name
    path.write_text(casefile.dumps(casefile.to_document(data)), encoding="utf-8")
    result = olga(cli, "case", "import", str(path))
    assert result.code == 0, result.err
    return result.out.strip()


def golden_rule() -> Framework:
    return catalogue().get("golden-rule")


def clean_findings(fw: Framework) -> dict[str, Any]:
    findings: dict[str, Any] = {}
    for c in fw.criteria:
        findings[c.id] = {"level": c.lowest}
        if c.is_binding:
            findings[c.id]["legal_test_met"] = False
    return {"format": 1, "framework": fw.id, "findings": findings}


def mandatory_findings() -> dict[str, Any]:
    doc = clean_findings(golden_rule())
    doc["findings"]["ihrl"] = {
        "level": "substantial", "legal_test_met": True,
        "rationale": "Recent, persistent and unaddressed killings of protesters.",
        "citations": [{"reference": "UN OHCHR report A/HRC/60/00, paras 30-55",
                       "grade": "B2"}],
        "answers": {"pattern_of_violations": "yes"}}
    doc["past_incidents"] = [{"occurred": "2025-06", "actor": "Public-order unit",
                              "description": "Live fire on protesters", "investigated": "no"}]
    return doc


def write_findings(path: Path, doc: dict[str, Any]) -> Path:
    """Write a findings file, checking first that it is valid against the documented schema."""
    jsonschema.Draft202012Validator(FINDINGS_SCHEMA).validate(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def assess(cli: Cli, reference: str, path: Path, *extra: str) -> Result:
    return olga(cli, "case", "assess", reference, "--framework", "golden-rule", "--findings",
                str(path), *extra)


@pytest.fixture
def fresh(ready: Cli, tmp_path: Path, sample_case_data: CaseData) -> str:
    """A newly received case (destination CI)."""
    return import_case(ready, tmp_path, sample_case_data)


# -- case check ------------------------------------------------------------------------------


def _kp_case(data: CaseData) -> CaseData:
    parties = [PartyData("end_user", "Ministry of People's Armed Forces", "Pyongyang", "KP",
                         "armed_forces"),
               PartyData("consignee", "Korea General Trading Corp.", "Pyongyang", "KP",
                         "commercial")]
    return dataclasses.replace(data, destination="KP", parties=parties,
                               euc_issuer="Ministry of People's Armed Forces")


def test_case_check_whole_country_embargo(ready: Cli, tmp_path: Path,
                                          sample_case_data: CaseData) -> None:
    pytest.importorskip("app.embargoes",
                        reason="app/embargoes.py (the embargo check) is not written yet")
    reference = import_case(ready, tmp_path, _kp_case(sample_case_data))
    result = olga(ready, "case", "check", reference, "--json", "--as-of", "2026-01-15")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["reference"] == reference and doc["destination"] == "KP"
    assert doc["as_of"] == "2026-01-15"
    assert doc["hard_stop"] is True
    applies = [r for r in doc["results"] if r["status"] == "applies"]
    assert "embargo:un-dprk" in [r["key"] for r in applies]
    assert all(r["check"] == "embargo" for r in applies)

    text = olga(ready, "case", "check", reference, "--as-of", "2026-01-15")
    assert text.code == 0
    assert f"{reference}: hard-stop checks as of 2026-01-15" in text.out
    assert "[embargo:un-dprk]" in text.out
    assert "Refusal is mandatory: a hard stop applies." in text.out

    # Before the UN embargo on the DPRK began (14 Oct 2006) it does not apply.
    before = json.loads(olga(ready, "case", "check", reference, "--json", "--as-of",
                             "2005-06-01").out)
    assert before["as_of"] == "2005-06-01"
    assert "embargo:un-dprk" not in [r["key"] for r in before["results"]
                                     if r["status"] == "applies"]
    assert cases(ready)[reference]["status"] == "received"  # checking changes nothing


@pytest.mark.parametrize("bad", ["2026-02-30", "yesterday", "15/01/2026"])
def test_case_check_bad_date_exits_2(ready: Cli, fresh: str, bad: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        olga(ready, "case", "check", fresh, "--as-of", bad)
    assert info.value.code == 2
    assert f"'{bad}' is not a date (YYYY-MM-DD)" in capsys.readouterr().err


def test_case_check_unknown_reference(ready: Cli) -> None:
    result = olga(ready, "case", "check", "GR-1999-00001")
    assert result.code == 2 and "GR-1999-00001" in result.err


# -- case assess -----------------------------------------------------------------------------


def test_assess_prints_the_evaluation(ready: Cli, fresh: str, tmp_path: Path,
                                      no_hard_stops: None) -> None:
    before = ready.counts()
    path = write_findings(tmp_path / "f.json", mandatory_findings())
    result = assess(ready, fresh, path, "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["reference"] == fresh
    assert doc["checks"] == [CLEAR.to_json()]
    ev = doc["evaluation"]
    assert ev["framework"] == "golden-rule"
    assert ev["framework_version"] == golden_rule().version
    assert ev["mandatory_refusal"] is True and ev["complete"] is True
    assert [(g["kind"], g["id"]) for g in ev["grounds"]] == [("criterion", "ihrl")]
    assert ev["allowed"] == ["refuse", "refer"]
    assert ev["required_citations"] == ["ihrl"]
    assert ev["explanation"][0] == "Refusal is mandatory."
    assert cases(ready)[fresh]["status"] == "in_assessment"
    assert ready.counts()[1] > before[1]  # change events written

    text = assess(ready, fresh, path)
    assert text.code == 0
    assert text.out.splitlines()[0] == f"{fresh} under {golden_rule().title} " \
                                       f"{golden_rule().version}"
    assert "Refusal is mandatory." in text.out and "Criterion ihrl" in text.out


def test_assess_unknown_criterion_exits_2(ready: Cli, fresh: str, tmp_path: Path) -> None:
    doc = clean_findings(golden_rule())
    doc["findings"]["7.1b-ii"] = {"level": "overriding"}
    path = write_findings(tmp_path / "unknown.json", doc)
    before = ready.counts()
    result = assess(ready, fresh, path)
    assert result.code == 2
    assert result.out == ""
    assert "findings.7.1b-ii" in result.err and str(path) in result.err
    assert "Traceback" not in result.err
    assert ready.counts() == before
    assert cases(ready)[fresh]["status"] == "received"


def test_assess_unknown_level_exits_2(ready: Cli, fresh: str, tmp_path: Path) -> None:
    doc = clean_findings(golden_rule())
    doc["findings"]["ihl"] = {"level": "severe", "legal_test_met": True}
    result = assess(ready, fresh, write_findings(tmp_path / "level.json", doc))
    assert result.code == 2 and "findings.ihl.level" in result.err and "severe" in result.err


def test_assess_schema_violation_exits_2(ready: Cli, fresh: str, tmp_path: Path) -> None:
    doc = clean_findings(golden_rule())
    doc["findings"]["ihl"]["level"] = 3
    with pytest.raises(jsonschema.ValidationError):
        write_findings(tmp_path / "x.json", doc)
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = assess(ready, fresh, path)
    assert result.code == 2 and "findings.ihl.level" in result.err and str(path) in result.err


def test_assess_framework_mismatch_exits_2(ready: Cli, fresh: str, tmp_path: Path) -> None:
    doc = clean_findings(golden_rule())
    doc["framework"] = "att"
    result = assess(ready, fresh, write_findings(tmp_path / "att.json", doc))
    assert result.code == 2 and "'att'" in result.err and "golden-rule" in result.err


@pytest.mark.parametrize(("content", "fragment"), [
    ('{"format": 1, "findings": {', "is not valid JSON"),
    ("", "is not valid JSON"),
])
def test_assess_malformed_json_exits_2(ready: Cli, fresh: str, tmp_path: Path, content: str,
                                       fragment: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    before = ready.counts()
    result = assess(ready, fresh, path)
    assert result.code == 2
    assert str(path) in result.err and fragment in result.err
    assert ready.counts() == before


def test_assess_missing_file_exits_2(ready: Cli, fresh: str, tmp_path: Path) -> None:
    result = assess(ready, fresh, tmp_path / "absent.json")
    assert result.code == 2 and "Cannot read" in result.err


def test_assess_unknown_framework(ready: Cli, fresh: str, tmp_path: Path) -> None:
    path = write_findings(tmp_path / "f.json", {"format": 1, "findings": {}})
    result = olga(ready, "case", "assess", fresh, "--framework", "nope", "--findings",
                  str(path))
    assert result.code != 0 and "Unknown framework 'nope'" in result.err


# -- case decide -----------------------------------------------------------------------------


def test_decide_approve_refused_when_a_mandatory_criterion_is_met(
        ready: Cli, fresh: str, tmp_path: Path, no_hard_stops: None) -> None:
    assert assess(ready, fresh, write_findings(tmp_path / "f.json",
                                               mandatory_findings())).code == 0
    rationale = tmp_path / "why.txt"
    rationale.write_text("The end user gave assurances.\n", encoding="utf-8")
    before = ready.counts()
    for outcome, extra in (("approve", ()), ("approve-with-conditions",
                                             ("--condition", CONDITION))):
        result = decide(ready, fresh, "--outcome", outcome,
                      "--rationale-file", str(rationale), *extra)
        assert result.code == 2, result
        assert "Approval is forbidden: refusal is mandatory." in result.err
        assert "ihrl" in result.err and "Serious violations of international human " \
                                         "rights law" in result.err
        assert ready.counts() == before
        assert cases(ready)[fresh]["status"] == "in_assessment"
    # Refusing without citing the criterion is refused too; citing it is recorded.
    result = decide(ready, fresh, "--outcome", "refuse", "--rationale-file",
                  str(rationale))
    assert result.code == 2 and "must cite" in result.err
    result = decide(ready, fresh, "--outcome", "refuse", "--rationale-file",
                    str(rationale), "--criteria", "ihrl", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["outcome"] == "refuse" and doc["criteria_cited"] == ["ihrl"]
    assert doc["record"] == f"{fresh}/1" and len(doc["snapshot_sha256"]) == 64
    # Every refusal waits for a supervisor's countersignature before it takes effect.
    assert doc["status"] == "awaiting_countersignature"
    assert cases(ready)[fresh]["status"] == "awaiting_countersignature"


def test_clean_assessment_then_approve_with_conditions(ready: Cli, fresh: str, tmp_path: Path,
                                                       no_hard_stops: None) -> None:
    result = assess(ready, fresh, write_findings(tmp_path / "clean.json",
                                                 clean_findings(golden_rule())), "--json")
    assert result.code == 0, result.err
    ev = json.loads(result.out)["evaluation"]
    assert ev["complete"] and not ev["mandatory_refusal"]
    assert "approve-with-conditions" in ev["allowed"]
    # Conditions listed with a plain approval: refused, nothing recorded.
    result = decide(ready, fresh, "--outcome", "approve", "--rationale-file",
                  "-", "--condition", CONDITION, stdin="Low risk on every criterion.")
    assert result.code == 2 and "approve with conditions" in result.err
    assert cases(ready)[fresh]["status"] == "in_assessment"
    # An empty rationale is refused.
    result = decide(ready, fresh, "--outcome", "approve-with-conditions",
                  "--rationale-file", "-", "--condition", CONDITION, stdin="  \n")
    assert result.code == 2 and "Write the reasons" in result.err

    result = decide(ready, fresh, "--outcome", "approve-with-conditions",
                  "--rationale-file", "-", "--condition", CONDITION, "--json",
                  stdin="Low risk on every criterion.\n")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["reference"] == fresh and doc["outcome"] == "approve-with-conditions"
    assert doc["status"] == "approved_with_conditions"
    assert doc["conditions"] == [CONDITION] and doc["decided_by"] == "olga"
    assert cases(ready)[fresh]["status"] == "approved_with_conditions"
    # A closed case takes no further decision.
    again = decide(ready, fresh, "--outcome", "refer", "--rationale-file", "-",
                 stdin="Second thoughts.")
    assert again.code == 2 and cases(ready)[fresh]["status"] == "approved_with_conditions"


def test_decide_text_output_and_referral(ready: Cli, fresh: str, tmp_path: Path,
                                         no_hard_stops: None) -> None:
    assert assess(ready, fresh, write_findings(tmp_path / "clean.json",
                                               clean_findings(golden_rule()))).code == 0
    result = decide(ready, fresh, "--outcome", "refer", "--rationale-file",
                    "-", stdin="Needs a supervisor's view.")
    assert result.code == 0, result.err
    assert re.fullmatch(
        rf"{fresh}: refer to a supervisor signed by olga as record {fresh}/1 "
        r"\(SHA-256 [0-9a-f]{64}\); the case is now referred to supervisor\.",
        result.out.strip()), result.out
    result = decide(ready, fresh, "--outcome", "approve", "--rationale-file",
                  "-", stdin="Fine.")
    assert result.code == 1 and "only a supervisor" in result.err
    assert cases(ready)[fresh]["status"] == "referred"


def test_decide_needs_the_signing_password(ready: Cli, fresh: str, tmp_path: Path,
                                           no_hard_stops: None) -> None:
    assert assess(ready, fresh, write_findings(tmp_path / "clean.json",
                                               clean_findings(golden_rule()))).code == 0
    reasons = tmp_path / "reasons.txt"
    reasons.write_text("Nothing indicates a risk.", encoding="utf-8")
    before = ready.counts()
    # Signing asks for the password even though the sign-in password is in the environment.
    result = olga(ready, "case", "decide", fresh, "--outcome", "approve", "--rationale-file",
                  str(reasons))
    assert result.code == 2
    assert "Expected the password of olga to sign on standard input" in result.err
    result = decide(ready, fresh, "--outcome", "approve", "--rationale-file", str(reasons),
                    signing_password="not-the-password")
    assert result.code == 2 and result.out == ""
    assert "Traceback" not in result.err
    assert ready.counts() == before
    assert cases(ready)[fresh]["status"] == "in_assessment"
    # With '-', the password line comes first and the rest of stdin is the rationale.
    result = decide(ready, fresh, "--outcome", "approve", "--rationale-file", "-", "--json",
                    stdin="Nothing indicates a risk.\n")
    assert result.code == 0, result.err
    assert json.loads(result.out)["status"] == "approved"


def test_decide_without_assessment(ready: Cli, fresh: str) -> None:
    result = decide(ready, fresh, "--outcome", "refer", "--rationale-file", "-",
                  stdin="Reasons.")
    assert result.code == 2 and "0 assessments" in result.err


def test_decide_needs_a_rationale_file(ready: Cli, fresh: str, tmp_path: Path) -> None:
    result = decide(ready, fresh, "--outcome", "refer", "--rationale-file",
                  str(tmp_path / "absent.txt"))
    assert result.code == 2 and "Cannot read" in result.err


# -- framework -------------------------------------------------------------------------------


def test_framework_list_shows_every_framework(ready: Cli) -> None:
    shipped = catalogue().frameworks
    result = ready("framework", "list")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert [line.split("\t")[0] for line in lines] == [fw.id for fw in shipped]
    for fw, line in zip(shipped, lines, strict=True):
        assert line.split("\t")[1] == fw.version
        assert ("(historical)" in line) == fw.is_historical
        assert "[authority file]" not in line
    result = ready("framework", "list", "--json")
    doc = json.loads(result.out)
    assert [f["id"] for f in doc["frameworks"]] == [fw.id for fw in shipped]
    assert all(f["shipped"] for f in doc["frameworks"]) and doc["problems"] == []


def test_framework_list_reports_authority_files(ready: Cli, shipped_only: Path) -> None:
    doc = yaml.safe_load(golden_rule().text)
    doc.update(id="my-authority", title="My authority's framework")
    (shipped_only / "mine.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    broken = shipped_only / "broken.yaml"
    broken.write_text("id: [", encoding="utf-8")
    catalogue(reload=True)
    result = ready("framework", "list")
    assert result.code == 1
    assert any(line.startswith("my-authority\t") and line.endswith("[authority file]")
               for line in result.out.splitlines())
    assert f"problem: {broken}: Framework file {broken}: cannot be read" in result.out


def test_framework_show(ready: Cli) -> None:
    result = ready("framework", "show", "eu-cp")
    assert result.code == 0, result.err
    fw = catalogue().get("eu-cp")
    assert result.out.startswith(f"{fw.title} (eu-cp {fw.version})")
    for c in fw.criteria:
        assert f"[{c.id}] {c.title} — {c.effect}, {c.citation}" in result.out
    assert "threshold: clear" in result.out
    assert "HISTORICAL" not in result.out
    result = ready("framework", "show", "us-nsm18")
    assert result.code == 0 and "HISTORICAL: " in result.out
    result = ready("framework", "show", "nope")
    assert result.code == 1 and "Unknown framework 'nope'" in result.err


def test_framework_check(ready: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(golden_rule().text.replace("effect: mandatory", "effect: sometimes", 1),
                   encoding="utf-8")
    result = ready("framework", "check", str(bad))
    assert result.code == 2  # a bad input file, like every other bad file
    assert result.out == ""
    assert str(bad) in result.err and "sometimes" in result.err and "criteria[1] (ihrl)" \
        in result.err
    good = tmp_path / "good.yaml"
    good.write_text(golden_rule().text, encoding="utf-8")
    result = ready("framework", "check", str(good))
    assert result.code == 0, result.err
    assert result.out.strip() == (f"{good}: valid framework 'golden-rule' version "
                                  f"{golden_rule().version} with 5 criteria.")
    result = ready("framework", "check", str(tmp_path / "absent.yaml"))
    assert result.code == 2 and "Cannot read" in result.err


def test_assessing_again_with_the_same_incidents_keeps_the_new_findings(
        ready: Cli, fresh: str, tmp_path: Path) -> None:
    """Regression: an unchanged incidents log once rolled back the findings saved before it."""
    first = mandatory_findings()
    assert assess(ready, fresh, write_findings(tmp_path / "a.json", first), "--json").code == 0
    second = clean_findings(golden_rule())
    second["past_incidents"] = first["past_incidents"]
    result = assess(ready, fresh, write_findings(tmp_path / "b.json", second), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["evaluation"]["mandatory_refusal"] is False
    reasons = tmp_path / "reasons.txt"
    reasons.write_text("Nothing indicates a risk.", encoding="utf-8")
    decided = decide(ready, fresh, "--outcome", "approve",
                   "--rationale-file", str(reasons))
    assert decided.code == 0, decided.err
    assert cases(ready)[fresh]["status"] == "approved"
