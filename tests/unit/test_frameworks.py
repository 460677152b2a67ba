"""Framework files: every shipped file loads and validates, ids are stable, thresholds are the
framework's own, and a broken or clashing file is reported without stopping the others."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.errors import ReferenceDataError
from app.frameworks import (
    SCHEMA_PATH,
    SHIPPED_DIR,
    Framework,
    FrameworkCatalogue,
    catalogue,
    framework_from_text,
    load_catalogue,
    parse_framework,
)

#: Every framework file shipped today (whatever is in resources/frameworks/).
SHIPPED: list[Framework] = [fw for fw in catalogue(reload=True).frameworks if fw.shipped]
SHIPPED_IDS = [fw.id for fw in SHIPPED]

#: The five frameworks of /work/shared/domain/frameworks.md.
EXPECTED = ("golden-rule", "att", "eu-cp", "uk-selc", "us-nsm18")

#: Stable criterion ids per frameworks.md (reports, refusal notices and imports use them).
STABLE_IDS: dict[str, list[str]] = {
    "golden-rule": ["prohibitions", "ihrl", "ihl", "gbv", "diversion"],
    "att": ["6.1", "6.2", "6.3", "7.1a", "7.1b-i", "7.1b-ii", "7.1b-iii", "7.1b-iv", "7.4",
            "11"],
    "eu-cp": ["1", "2a", "2c", "3", "4", "5", "6", "7", "8"],
    "uk-selc": ["1", "2a", "2b", "2c", "3", "4", "5", "6", "7", "8"],
}


def shipped(framework_id: str) -> Framework:
    """The shipped framework, or a skip while a colleague is still writing its file
    (``test_all_five_frameworks_are_shipped_and_load_cleanly`` fails meanwhile)."""
    for fw in SHIPPED:
        if fw.id == framework_id:
            return fw
    pytest.skip(f"{framework_id} is not shipped yet (resources/frameworks/)")


def framework_doc(framework_id: str = "test-authority") -> dict[str, Any]:
    """A minimal valid framework document, to be broken one way at a time."""
    return {
        "format": 1, "id": framework_id, "version": "2026.test",
        "title": "An authority's own test framework", "source": "Test source",
        "summary": "A framework used only by the tests.",
        "scales": {"risk": [
            {"id": "low", "label": "Low", "description": "Low risk."},
            {"id": "medium", "label": "Medium", "description": "Medium risk."},
            {"id": "high", "label": "High", "description": "High risk."},
        ]},
        "criteria": [
            {"id": "c1", "title": "First criterion", "citation": "Art 1",
             "legal_test": "Refuse if the risk is high.", "effect": "mandatory",
             "scale": "risk", "threshold": "high", "threshold_term": "high risk",
             "mitigation": False,
             "questions": [{"id": "q1", "text": "Is there a risk?", "risk_answer": "yes"}]},
            {"id": "c2", "title": "Second criterion", "citation": "Art 2",
             "legal_test": "Weigh the risk of diversion.", "effect": "weighed",
             "scale": "risk", "mitigation": True,
             "questions": [{"id": "q1", "text": "Is diversion likely?"}]},
        ],
    }


def write(directory: Path, name: str, doc: dict[str, Any] | str) -> Path:
    path = directory / name
    text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True,
                                                          sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def restore_catalogue() -> Iterator[None]:
    """Whatever a test does to the process-wide catalogue, reload it afterwards."""
    yield
    catalogue(reload=True)


# -- every shipped file ----------------------------------------------------------------------


def test_some_frameworks_are_shipped() -> None:
    assert "golden-rule" in SHIPPED_IDS
    assert catalogue(reload=True).problems == [], [str(p) for p in catalogue().problems]


@pytest.mark.parametrize("fw", SHIPPED, ids=SHIPPED_IDS)
def test_shipped_file_parses_and_validates(fw: Framework) -> None:
    raw = fw.path.read_bytes()
    assert fw.path.parent == SHIPPED_DIR and fw.shipped
    assert fw.sha256 == hashlib.sha256(raw).hexdigest()
    assert fw.text == raw.decode("utf-8")
    again = parse_framework(fw.path, raw, shipped=True)
    assert again.criterion_ids == fw.criterion_ids
    # The stored text rebuilds the same framework (how an old assessment is rendered).
    stored = framework_from_text(fw.text, fw.path.name)
    assert stored.sha256 == fw.sha256 and stored.criteria == fw.criteria
    # And it validates against the documented schema on its own.
    import jsonschema

    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
                                    ).validate(yaml.safe_load(raw))


@pytest.mark.parametrize("fw", SHIPPED, ids=SHIPPED_IDS)
def test_shipped_ids_are_unique(fw: Framework) -> None:
    assert len(set(fw.criterion_ids)) == len(fw.criterion_ids)
    for c in fw.criteria:
        qids = [q.id for q in c.questions]
        assert len(set(qids)) == len(qids), c.id
        assert len(set(c.level_ids)) == len(c.level_ids), c.id
        assert c.questions, c.id


def test_framework_ids_are_unique_across_the_catalogue() -> None:
    ids = [fw.id for fw in catalogue(reload=True).frameworks]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("fw", SHIPPED, ids=SHIPPED_IDS)
def test_binding_criteria_have_a_threshold_above_the_lowest_level(fw: Framework) -> None:
    for c in fw.criteria:
        assert c.effect in ("hard_stop", "mandatory", "weighed"), c.id
        if c.is_binding:
            assert c.threshold is not None, c.id
            assert c.rank(c.threshold) > 0, c.id
            assert c.threshold_term.strip(), c.id
            assert c.reaches_threshold(c.threshold)
            assert not c.reaches_threshold(c.lowest)


@pytest.mark.parametrize("fw", SHIPPED, ids=SHIPPED_IDS)
def test_hard_stops_never_allow_mitigation(fw: Framework) -> None:
    hard = [c for c in fw.criteria if c.effect == "hard_stop"]
    for c in hard:
        assert c.mitigation is False, c.id


@pytest.mark.parametrize("fw", SHIPPED, ids=SHIPPED_IDS)
def test_risk_answers_are_yes_or_no(fw: Framework) -> None:
    for c in fw.criteria:
        for q in c.questions:
            assert q.risk_answer in (None, "yes", "no"), (c.id, q.id)
            assert q.text.strip(), (c.id, q.id)


# -- per framework, per frameworks.md --------------------------------------------------------


@pytest.mark.parametrize("framework_id", sorted(STABLE_IDS))
def test_stable_criterion_ids(framework_id: str) -> None:
    fw = shipped(framework_id)
    assert fw.criterion_ids == STABLE_IDS[framework_id]


def test_golden_rule_thresholds() -> None:
    fw = shipped("golden-rule")
    assert fw.criterion("prohibitions").effect == "hard_stop"
    assert "embargo" in fw.criterion("prohibitions").checks
    for cid in ("ihrl", "ihl", "gbv", "diversion"):
        c = fw.criterion(cid)
        assert c.effect == "mandatory", cid
        assert "substantial" in c.threshold_term.lower(), cid
        assert c.threshold == c.level_ids[-1], cid
    # The Golden Rule: mitigation does not lift a substantial risk, anywhere.
    assert [c.id for c in fw.criteria if c.mitigation] == []


def test_att_thresholds() -> None:
    fw = shipped("att")
    for cid in ("6.1", "6.2", "6.3"):
        assert fw.criterion(cid).effect == "hard_stop", cid
    assert "embargo" in fw.criterion("6.1").checks
    assert "knowledge" in fw.criterion("6.3").threshold_term.lower()
    for cid in ("7.1a", "7.1b-i", "7.1b-ii", "7.1b-iii", "7.1b-iv"):
        c = fw.criterion(cid)
        assert c.effect == "mandatory", cid
        assert "overriding" in c.threshold_term.lower(), cid
        assert c.mitigation is True, cid  # Art 7(2)
    assert fw.criterion("11").mitigation is True  # Art 11(2)


def test_eu_common_position_thresholds() -> None:
    fw = shipped("eu-cp")
    for cid in ("2a", "2c"):
        assert "clear risk" in fw.criterion(cid).threshold_term.lower(), cid
    for cid in ("1", "2a", "2c", "3", "4"):
        assert fw.criterion(cid).is_binding, cid
    for cid in ("5", "6", "7", "8"):
        assert fw.criterion(cid).effect == "weighed", cid
    assert fw.criterion("1").effect == "hard_stop"
    assert "embargo" in fw.criterion("1").checks


def test_uk_criteria_thresholds() -> None:
    fw = shipped("uk-selc")
    for cid in ("2a", "2b", "2c"):
        c = fw.criterion(cid)
        assert c.is_binding, cid
        assert "clear risk" in c.threshold_term.lower(), cid
    assert "embargo" in fw.criterion("1").checks


def test_us_nsm18_is_historical() -> None:
    fw = shipped("us-nsm18")
    assert fw.is_historical
    assert fw.historical_since == date(2025, 3, 14)
    assert fw.historical_note.strip()
    assert "historical" in fw.display_title.lower()
    cat = catalogue(reload=True)
    assert fw.id not in [f.id for f in cat.current()]
    assert cat.frameworks[-1].is_historical
    terms = " ".join(c.threshold_term.lower() for c in fw.criteria if c.is_binding)
    assert "more likely than not" in terms


@pytest.mark.parametrize("fw", SHIPPED, ids=SHIPPED_IDS)
def test_only_us_nsm18_is_historical(fw: Framework) -> None:
    assert fw.is_historical == (fw.id == "us-nsm18")
    assert ("historical" in fw.display_title.lower()) == fw.is_historical


def test_catalogue_order_puts_current_frameworks_first() -> None:
    ids = [fw.id for fw in catalogue(reload=True).frameworks if fw.shipped]
    known = [i for i in EXPECTED if i in ids]
    assert ids[:len(known)] == known


def test_unknown_framework_names_the_known_ones() -> None:
    with pytest.raises(ReferenceDataError) as info:
        catalogue().get("no-such-framework")
    assert "no-such-framework" in str(info.value)
    assert "golden-rule" in str(info.value)


# -- broken and clashing files ---------------------------------------------------------------


def _mutate(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = framework_doc()
    change(doc)
    return doc


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node: Any = doc
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    return change


def _duplicate_criterion(doc: dict[str, Any]) -> None:
    doc["criteria"][1]["id"] = "c1"


def _no_threshold(doc: dict[str, Any]) -> None:
    del doc["criteria"][0]["threshold"]


BROKEN: list[tuple[str, dict[str, Any] | str, list[str]]] = [
    ("bad-yaml.yaml", "format: 1\nid: [unclosed\n  title: x\n", ["cannot be read"]),
    ("not-mapping.yaml", "- just\n- a list\n", ["must be a mapping"]),
    ("schema-effect.yaml", _mutate(_set(["criteria", 0, "effect"], "forbidden")),
     ["criteria[0] (c1).effect", "forbidden"]),
    ("schema-missing.yaml", _mutate(lambda d: d.pop("criteria")), ["criteria"]),
    ("schema-extra.yaml", _mutate(_set(["criteria", 1, "colour"], "red")),
     ["criteria[1] (c2)", "colour"]),
    ("no-threshold.yaml", _mutate(_no_threshold), ["criteria[0] (c1)", "threshold"]),
    ("hard-stop-mitigation.yaml",
     _mutate(lambda d: d["criteria"][0].update(effect="hard_stop", mitigation=True)),
     ["criteria[0] (c1).mitigation"]),
    ("threshold-not-in-scale.yaml", _mutate(_set(["criteria", 0, "threshold"], "extreme")),
     ["criterion 'c1'", "threshold 'extreme' is not a level of scale 'risk'"]),
    ("threshold-lowest.yaml", _mutate(_set(["criteria", 0, "threshold"], "low")),
     ["criterion 'c1'", "cannot be the lowest level"]),
    ("unknown-scale.yaml", _mutate(_set(["criteria", 0, "scale"], "nowhere")),
     ["criterion 'c1'", "scale 'nowhere'", "not defined"]),
    ("duplicate-criterion.yaml", _mutate(_duplicate_criterion),
     ["criterion id 'c1' is used twice"]),
    ("duplicate-question.yaml",
     _mutate(lambda d: d["criteria"][0]["questions"].append({"id": "q1", "text": "Again?"})),
     ["criterion 'c1' repeats a question id"]),
    ("duplicate-level.yaml",
     _mutate(lambda d: d["scales"]["risk"].append(
         {"id": "low", "label": "Low again", "description": "Twice."})),
     ["scale 'risk' repeats a level id"]),
    ("bad-date.yaml", _mutate(_set(["historical"], {"since": "2025-02-30",
                                                    "note": "Rescinded by the tests."})),
     ["historical.since"]),
]


@pytest.mark.parametrize(("name", "doc", "fragments"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_is_a_problem_not_a_crash(tmp_path: Path, name: str,
                                              doc: dict[str, Any] | str,
                                              fragments: list[str]) -> None:
    path = write(tmp_path, name, doc)
    write(tmp_path, "zz-good.yaml", framework_doc("good-authority"))
    cat = load_catalogue([(SHIPPED_DIR, True), (tmp_path, False)])
    assert [p.path for p in cat.problems] == [path]
    message = str(cat.problems[0])
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    # The good files, shipped and authority's, still load.
    assert [f.id for f in cat.frameworks if f.shipped] == SHIPPED_IDS
    good = cat.get("good-authority")
    assert good.shipped is False and good.path == tmp_path / "zz-good.yaml"
    # parse_framework raises the same message for `framework check`.
    with pytest.raises(ReferenceDataError) as info:
        parse_framework(path, path.read_bytes())
    assert str(path) in str(info.value)


def test_not_utf8_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(yaml.safe_dump(framework_doc()).replace("tests", "tésts")
                     .encode("latin-1"))
    cat = load_catalogue([(tmp_path, False)])
    assert cat.frameworks == []
    assert [p.path for p in cat.problems] == [path]
    assert "not UTF-8" in cat.problems[0].message


def test_json_framework_file_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "json-authority.json"
    path.write_text(json.dumps(framework_doc("json-authority")), encoding="utf-8")
    (tmp_path / "readme.txt").write_text("not a framework", encoding="utf-8")
    cat = load_catalogue([(tmp_path, False)])
    assert cat.problems == []
    assert [f.id for f in cat.frameworks] == ["json-authority"]


def test_id_clashing_with_a_shipped_framework_is_refused(tmp_path: Path) -> None:
    original = next(f for f in SHIPPED if f.id == "golden-rule")
    path = write(tmp_path, "my-golden-rule.yaml", framework_doc("golden-rule"))
    cat = load_catalogue([(SHIPPED_DIR, True), (tmp_path, False)])
    assert len(cat.problems) == 1
    problem = cat.problems[0]
    assert problem.path == path
    assert str(path) in str(problem)
    assert "'golden-rule' is already defined by" in problem.message
    assert str(original.path) in problem.message
    kept = cat.get("golden-rule")
    assert kept.shipped and kept.sha256 == original.sha256
    assert [f.id for f in cat.frameworks] == SHIPPED_IDS


def test_two_authority_files_with_one_id(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", framework_doc("twin"))
    second = write(tmp_path, "b.yaml", framework_doc("twin"))
    cat = load_catalogue([(tmp_path, False)])
    assert cat.get("twin").path == first
    assert [p.path for p in cat.problems] == [second]


def test_missing_directory_is_not_a_problem(tmp_path: Path) -> None:
    cat = load_catalogue([(SHIPPED_DIR, True), (tmp_path / "absent", False)])
    assert cat.problems == []
    assert [f.id for f in cat.frameworks] == SHIPPED_IDS


def test_authority_directory_from_environment(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              restore_catalogue: None) -> None:
    write(tmp_path, "authority.yaml", framework_doc("test-authority"))
    broken = write(tmp_path, "broken.yaml", "id: [")
    with monkeypatch.context() as mp:
        mp.setenv("GOLDENRULE_FRAMEWORKS", str(tmp_path))
        cat = catalogue(reload=True)
        assert catalogue() is cat  # cached until the next reload
        own = cat.get("test-authority")
        assert own.shipped is False
        assert own.path == tmp_path / "authority.yaml"
        assert own.criterion("c1").threshold_term == "high risk"
        assert "test-authority" in [f.id for f in cat.current()]
        assert [f.id for f in cat.frameworks if f.shipped] == SHIPPED_IDS
        assert [p.path for p in cat.problems] == [broken]
    cat = catalogue(reload=True)
    assert "test-authority" not in [f.id for f in cat.frameworks]
    assert all(p.path != broken for p in cat.problems)


def test_catalogue_is_a_copy_per_load(tmp_path: Path) -> None:
    write(tmp_path, "authority.yaml", framework_doc())
    first = load_catalogue([(tmp_path, False)])
    second = load_catalogue([(tmp_path, False)])
    assert isinstance(first, FrameworkCatalogue) and first is not second
    assert first.frameworks[0].sha256 == second.frameworks[0].sha256


def test_framework_doc_helper_is_valid() -> None:
    """The base document of the broken-file tests is itself valid, so each break counts."""
    fw = parse_framework(Path("base.yaml"), yaml.safe_dump(copy.deepcopy(framework_doc()))
                         .encode("utf-8"))
    assert fw.criterion_ids == ["c1", "c2"]


# -- all five -------------------------------------------------------------------------------


def test_all_five_frameworks_are_shipped_and_load_cleanly() -> None:
    cat = catalogue(reload=True)
    shipped_problems = [str(p) for p in cat.problems if p.path.parent == SHIPPED_DIR]
    assert shipped_problems == []
    missing = [i for i in EXPECTED if i not in [f.id for f in cat.frameworks if f.shipped]]
    assert missing == [], f"framework files not shipped yet: {missing}"
