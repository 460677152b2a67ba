"""Our reference tables against real public data (see shared/data/README.md).

The data folder sits next to the repository; set GOLDENRULE_SHARED_DATA to point elsewhere.
"""

from __future__ import annotations

import csv
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from app.reference import ReferenceData, load_reference


def _data_dir() -> Path:
    configured = os.environ.get("GOLDENRULE_SHARED_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


DATA = _data_dir()
pytestmark = pytest.mark.skipif(
    not (DATA / "iso3166_countries_regions.csv").is_file(),
    reason=f"real public data not found in {DATA} (set GOLDENRULE_SHARED_DATA to its folder)",
)

# Codes are identical; these names differ because our table uses the common short names of
# Debian iso-codes while the CSV uses the ISO official short names ("Iran, Islamic Republic
# of"). Pinned so that an accidental rename shows up.
NAMES_THAT_DIFFER = {"BO", "CD", "VA", "IR", "KP", "KR", "LA", "MD", "NL", "SY", "TW", "TZ",
                     "GB", "US", "VE", "VN", "VG", "VI"}


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference()


@pytest.fixture(scope="module")
def iso_rows() -> list[dict[str, str]]:
    with (DATA / "iso3166_countries_regions.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_iso_country_is_ours_and_back(ref: ReferenceData,
                                            iso_rows: list[dict[str, str]]) -> None:
    theirs = Counter(row["alpha-2"] for row in iso_rows)
    assert len(iso_rows) == 249
    assert [code for code, n in theirs.items() if n > 1] == []
    ours = set(ref.countries)
    missing = sorted(set(theirs) - ours)
    extra = sorted(ours - set(theirs))
    assert (missing, extra) == ([], []), (
        f"in the ISO file but not in countries.yaml: {missing}; "
        f"in countries.yaml but not in the ISO file: {extra}")
    # The CSV quotes nothing that YAML would mangle: Norway and Namibia are both there.
    assert {"NO", "NA"} <= set(theirs)


def test_alpha3_and_numeric_codes_agree(ref: ReferenceData,
                                        iso_rows: list[dict[str, str]]) -> None:
    differences = []
    for row in iso_rows:
        ours = ref.countries[row["alpha-2"]]
        if (ours.alpha3, ours.numeric) != (row["alpha-3"], row["country-code"]):
            differences.append((row["alpha-2"], (ours.alpha3, ours.numeric),
                                (row["alpha-3"], row["country-code"])))
    assert differences == []


def test_only_known_names_differ(ref: ReferenceData, iso_rows: list[dict[str, str]]) -> None:
    iso_names = {row["alpha-2"]: row["name"] for row in iso_rows}
    differ = {code for code, name in iso_names.items() if ref.countries[code].name != name}
    unexpected = {code: (ref.countries[code].name, iso_names[code])
                  for code in differ ^ NAMES_THAT_DIFFER}
    assert differ == NAMES_THAT_DIFFER, f"(ours, ISO) names: {unexpected}"
    assert ref.countries["CI"].name == iso_names["CI"] == "Côte d'Ivoire"


# -- control-list ratings --------------------------------------------------------------------

_UK_ML = re.compile(r"^ML(\d{1,2})(?:\.?([a-z]))?(?:\.?(\d{1,2}))?$", re.IGNORECASE)


def normalise_rating(rating: str) -> str:
    """UK statistics write "ML3a" or "ml16"; our entries are written "ML3.a", "ML16"."""
    text = rating.strip()
    match = _UK_ML.match(text)
    if not match:
        return text
    out = f"ML{int(match[1])}"
    if match[2]:
        out += "." + match[2].lower()
        if match[3]:
            out += f".{int(match[3])}"
    return out


@pytest.mark.parametrize(("raw", "normal"), [
    ("ML3a", "ML3.a"), ("ml16", "ML16"), ("ML10h1", "ML10.h.1"), ("ML3.a", "ML3.a"),
    ("ML10", "ML10"), ("5A002", "5A002"), ("HR AII", "HR AII"),
])
def test_normalise_rating(raw: str, normal: str) -> None:
    assert normalise_rating(raw) == normal


@pytest.fixture(scope="module")
def ratings() -> list[dict[str, str]]:
    with (DATA / "caat_uk_ratings.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_uk_ml_ratings_are_accepted(ref: ReferenceData, ratings: list[dict[str, str]]) -> None:
    ml = [r["rating"] for r in ratings if r["rating"].upper().startswith("ML")]
    assert len(ml) == 22
    rejected = {r: ref.check_control_entry(normalise_rating(r)) for r in ml}
    rejected = {r: problem for r, problem in rejected.items() if problem}
    assert rejected == {}
    assert {ref.control_category_of(normalise_rating(r)) for r in ml} == set(
        ref.control_categories)


def test_uk_ratings_rejected_only_when_not_control_entries(
        ref: ReferenceData, ratings: list[dict[str, str]]) -> None:
    """Embargo pseudo-ratings (IRN, "HR AII", "End Use") are not entries; all else is."""
    rejected = sorted(r["rating"] for r in ratings
                      if ref.check_control_entry(normalise_rating(r["rating"])))
    print("ratings rejected as control-list entries:", rejected)
    assert len(rejected) <= 25
    for rating in rejected:
        assert not re.match(r"^(ML\d|PL\d|\d[A-E]\d{3})", rating), rating
    accepted = {r["rating"] for r in ratings} - set(rejected)
    military = {r["rating"] for r in ratings if r["military"] == "1"}
    assert military <= accepted
    assert len(accepted) >= 290


def test_uk_licence_statistics_ml_ratings_are_accepted(ref: ReferenceData) -> None:
    path = DATA / "caat_uk_licence_values_2008-2014.csv"
    if not path.is_file():
        pytest.skip(f"{path.name} not in {DATA}")
    with path.open(encoding="utf-8", newline="") as fh:
        seen = Counter(row["rating"] for row in csv.DictReader(fh))
    ml = sorted(r for r in seen if r.upper().startswith("ML"))
    assert "ml16" in ml  # lower case in the real data: normalised, not refused
    problems = {r: ref.check_control_entry(normalise_rating(r)) for r in ml}
    assert {r: p for r, p in problems.items() if p} == {}
