"""The shipped reference tables, the control-list entry rule, and broken tables."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from app.errors import ReferenceDataError
from app.reference import REFERENCE_DIR, ReferenceData, load_reference, reference

TABLES = ["countries", "control_list", "att_categories", "licence_types", "currencies", "units"]


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference()


def test_every_shipped_table_loads_with_its_version(ref: ReferenceData) -> None:
    assert set(ref.tables) == set(TABLES)
    for name, info in ref.tables.items():
        assert info.version and info.as_of and info.source, name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", info.as_of), (name, info.as_of)


def test_reference_is_loaded_once() -> None:
    assert reference() is reference()


def test_countries(ref: ReferenceData) -> None:
    assert len(ref.countries) == 249
    # YAML 1.1 reads a bare NO as the boolean false: the table must quote it.
    assert ref.countries["NO"].name == "Norway"
    assert ref.countries["NO"].alpha3 == "NOR"
    assert ref.countries["NA"].name == "Namibia"
    assert ref.countries["CI"].name == "Côte d'Ivoire"
    assert ref.countries["AF"].numeric == "004"  # leading zeros kept: a string, not a number
    for code, country in ref.countries.items():
        assert country.alpha2 == code
        assert re.fullmatch(r"[A-Z]{2}", code)
        assert re.fullmatch(r"[A-Z]{3}", country.alpha3), country
        assert re.fullmatch(r"\d{3}", country.numeric), country
        assert country.name.strip() == country.name and country.name
    assert len({c.alpha3 for c in ref.countries.values()}) == 249
    assert len({c.numeric for c in ref.countries.values()}) == 249


def test_country_name_falls_back_to_code(ref: ReferenceData) -> None:
    assert ref.country_name("NO") == "Norway"
    assert ref.country_name("XX") == "XX"


def test_control_list_has_ml1_to_ml22(ref: ReferenceData) -> None:
    assert set(ref.control_categories) == {f"ML{n}" for n in range(1, 23)}
    assert ref.control_categories["ML3"].subs == ("a", "b")
    for category in ref.control_categories.values():
        assert category.title
        assert list(category.subs) == sorted(set(category.subs))


def test_other_tables(ref: ReferenceData) -> None:
    assert {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "AMMO", "PARTS", "NONE"} == set(
        ref.att_categories)
    assert ref.licence_types["SIEL"].target_working_days == 20
    assert all(lt.target_working_days > 0 for lt in ref.licence_types.values())
    assert {"EUR", "GBP", "USD"} <= set(ref.currencies)
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in ref.currencies)
    assert "pcs" in ref.units and "rounds" in ref.units


@pytest.mark.parametrize("entry", ["ML1", "ML3.a", "ML3.b", "ML10.h.1", "ML22", "ML22.b",
                                   "ML17.q", " ML13.d ", "5A002", "0A001", "9E003.a.1",
                                   "PL5001", "PL9010", "PL5017.a", "NLR"])
def test_check_control_entry_accepts(ref: ReferenceData, entry: str) -> None:
    assert ref.check_control_entry(entry) is None


@pytest.mark.parametrize(("entry", "fragment"), [
    ("ML23", "ML1 to ML22"),
    ("ML0", "ML1 to ML22"),
    ("ML03", "ML1 to ML22"),
    ("ML99", "ML1 to ML22"),
    ("ML3.z", "no sub-entry 'z'"),
    ("ML3.c", "no sub-entry 'c'"),
    ("ML16.a", "no sub-entry 'a'"),  # ML16 has no sub-entries at all
    ("ML3a", "not written as"),
    ("ML3.A", "not written as"),
    ("ml3.a", "not written as"),
    ("ML 3", "not written as"),
    ("ML3.a.1.2", "not written as"),
    ("banana", "neither"),
    ("please see the attached list", "neither"),  # once accepted for starting with "pl"
    ("Plan B", "neither"),
    ("nlr", "neither"),
    ("NLR-ish", "neither"),
    ("PL", "neither"),
    ("PL50", "neither"),
    ("5a002", "neither"),
    ("A5002", "neither"),
    ("", "required"),
    ("   ", "required"),
])
def test_check_control_entry_rejects(ref: ReferenceData, entry: str, fragment: str) -> None:
    problem = ref.check_control_entry(entry)
    assert problem is not None
    assert fragment in problem


def test_control_category_of(ref: ReferenceData) -> None:
    assert ref.control_category_of("ML10.h.1") == "ML10"
    assert ref.control_category_of(" ML3.a") == "ML3"
    assert ref.control_category_of("5A002") is None


ml_numbers = st.integers(min_value=1, max_value=22)


@given(ml_numbers, st.data())
def test_every_listed_sub_entry_is_accepted(number: int, data: st.DataObject) -> None:
    ref = reference()
    subs = ref.control_categories[f"ML{number}"].subs
    entry = f"ML{number}"
    if subs:
        entry += "." + data.draw(st.sampled_from(subs))
        if data.draw(st.booleans()):
            entry += f".{data.draw(st.integers(1, 99))}"
    assert ref.check_control_entry(entry) is None
    assert ref.control_category_of(entry) == f"ML{number}"


@given(st.integers(min_value=1, max_value=22),
       st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
def test_unlisted_sub_entries_are_rejected(number: int, letter: str) -> None:
    ref = reference()
    subs = ref.control_categories[f"ML{number}"].subs
    problem = ref.check_control_entry(f"ML{number}.{letter}")
    if letter in subs:
        assert problem is None
    else:
        assert problem is not None and f"'{letter}'" in problem


@given(st.integers(min_value=23, max_value=99) | st.just(0))
def test_numbers_outside_the_list_are_rejected(number: int) -> None:
    assert reference().check_control_entry(f"ML{number}") is not None


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzé ,;!?-", min_size=1, max_size=20))
@example("please")
@example("nlr please")
def test_words_are_never_control_entries(text: str) -> None:
    assert reference().check_control_entry(text) is not None


# -- broken tables ---------------------------------------------------------------------------


@pytest.fixture
def table_dir(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    return target


def test_copied_tables_load(table_dir: Path) -> None:
    assert len(load_reference(table_dir).countries) == 249


def _rewrite(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}: the test needs updating"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _expect_error(table_dir: Path, file: str, *fragments: str) -> str:
    with pytest.raises(ReferenceDataError) as info:
        load_reference(table_dir)
    message = str(info.value)
    assert str(table_dir / file) in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_invalid_yaml_names_the_file(table_dir: Path) -> None:
    _rewrite(table_dir / "currencies.yaml", '{code: "EUR", name: "Euro"}',
             '{code: "EUR", name: "Euro"')
    _expect_error(table_dir, "currencies.yaml", "not valid YAML")


def test_missing_version_names_the_file(table_dir: Path) -> None:
    _rewrite(table_dir / "units.yaml", 'version: "1"\n', "")
    _expect_error(table_dir, "units.yaml", "'version'")


def test_empty_version_names_the_file(table_dir: Path) -> None:
    _rewrite(table_dir / "licence_types.yaml", 'version: "1"', 'version: ""')
    _expect_error(table_dir, "licence_types.yaml", "'version'")


def test_duplicate_id_names_the_file_and_the_id(table_dir: Path) -> None:
    _rewrite(table_dir / "control_list.yaml", '{id: "ML2",', '{id: "ML1",')
    _expect_error(table_dir, "control_list.yaml", "duplicate id ML1")


def test_bad_alpha2_names_the_file_and_the_code(table_dir: Path) -> None:
    _rewrite(table_dir / "countries.yaml", 'alpha2: "AD"', 'alpha2: "ad"')
    _expect_error(table_dir, "countries.yaml", "'ad'", "alpha-2")


def test_unquoted_norway_is_caught(table_dir: Path) -> None:
    # The YAML boolean trap: NO without quotes is read as False.
    _rewrite(table_dir / "countries.yaml", 'alpha2: "NO"', "alpha2: NO")
    assert yaml.safe_load("alpha2: NO") == {"alpha2": False}
    _expect_error(table_dir, "countries.yaml", "alpha2", "countries[")


def test_wrong_field_type_names_the_row(table_dir: Path) -> None:
    _rewrite(table_dir / "licence_types.yaml", "target_working_days: 20",
             'target_working_days: "20"')
    _expect_error(table_dir, "licence_types.yaml", "licence_types[1].target_working_days")


def test_missing_table_names_the_file(table_dir: Path) -> None:
    (table_dir / "att_categories.yaml").unlink()
    _expect_error(table_dir, "att_categories.yaml", "missing")


def test_table_that_is_not_a_mapping(table_dir: Path) -> None:
    (table_dir / "units.yaml").write_text("- pcs\n- kg\n", encoding="utf-8")
    _expect_error(table_dir, "units.yaml", "mapping")


def test_empty_rows_list(table_dir: Path) -> None:
    text = (table_dir / "currencies.yaml").read_text(encoding="utf-8")
    head = text.split("currencies:")[0]
    (table_dir / "currencies.yaml").write_text(head + "currencies: []\n", encoding="utf-8")
    _expect_error(table_dir, "currencies.yaml", "non-empty list")
